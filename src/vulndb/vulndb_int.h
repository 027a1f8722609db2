/* vulndb_int.h - private to src/vulndb: the builder's record API that every
 * feed reader calls, the readers' entry points, and shared helpers.
 *
 * A reader gets the bytes of one file (already size-bounded), parses them as
 * hostile input and calls vdb_b_advisory() / vdb_b_affected() / vdb_b_kev()
 * ... for each record. A reader returns an error (with eb naming the file and
 * the field) only when the file as a whole is unusable; a bad record inside a
 * good file is skipped with a warning.
 */
#ifndef BW_VULNDB_INT_H
#define BW_VULNDB_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "vulndb/vulndb.h"

/* Size caps (hostile input). */
#define VDB_MAX_FILE_BYTES   (768ull << 20) /* one feed file, decompressed */
#define VDB_MAX_RECORD_BYTES (16u << 20)    /* one OSV record inside a zip */
#define VDB_MAX_ZIP_ENTRIES  2000000u
#define VDB_MAX_YAML_DEPTH   64
#define VDB_MAX_YAML_NODES   2000000u
#define VDB_MAX_FIELD        (64u << 10)    /* one ID / version / name */

/* What kind of data a record came from: picks the attribution text. */
enum vdb_kind {
	VDB_K_OSV_GHSA = 0,
	VDB_K_OSV_GO,
	VDB_K_OSV_PYPA,
	VDB_K_OSV_RUSTSEC,
	VDB_K_OSV_OTHER,
	VDB_K_DEBIAN,
	VDB_K_ALPINE,
	VDB_K_RUBYSEC,
	VDB_K_NSP,
	VDB_K_NVD,
	VDB_K_KEV,
	VDB_K_EPSS,
	VDB_K__COUNT
};
const char *vdb_kind_name(enum vdb_kind k);
const char *vdb_kind_attribution(enum vdb_kind k);

/* An advisory being stored. Strings are borrowed for the call. */
struct vdb_b_adv {
	const char *id;
	const struct bw_strv *aliases; /* may be NULL */
	const char *summary;
	const char *published;
	const char *modified;
	const char *severity;
	const char *severity_source;
	json_t *cvss;   /* borrowed: array of {version, vector, score, source} or NULL */
	const char *dkey; /* dedupe key ("osv:GHSA-x"): a second record with the
			   * same key replaces the first only when its modified is
			   * newer; NULL: no dedupe */
	enum vdb_kind kind;
	int prio;       /* lower first inside a group: 0 OSV, 1 distro, 2 legacy */
};

/* One package affected by the advisory just stored. */
struct vdb_b_aff {
	const char *ecosystem;
	const char *name;
	const char *informational;
	json_t *data;   /* borrowed: {ranges, versions, vulnerable, patched, unaffected} or NULL */
	enum vdb_fix_status status;
	const char *fixed;
	const char *urgency;
};

/* Store an advisory; *adv_row gets its row id. *adv_row is 0 (and BW_OK) when
 * it was a duplicate that is kept out. */
enum bw_err vdb_b_advisory(struct vdb_builder *b, const struct vdb_b_adv *a, int64_t *adv_row,
			   struct bw_errbuf *eb);
enum bw_err vdb_b_affected(struct vdb_builder *b, int64_t adv_row, const struct vdb_b_aff *f,
			   struct bw_errbuf *eb);
enum bw_err vdb_b_kev(struct vdb_builder *b, const char *cve, const char *date_added,
		      const char *ransomware, const char *name, struct bw_errbuf *eb);
enum bw_err vdb_b_epss(struct vdb_builder *b, const char *cve, double score, double pct,
		       struct bw_errbuf *eb);
enum bw_err vdb_b_nvd(struct vdb_builder *b, const char *cve, int version, const char *vector,
		      double score, const char *severity, struct bw_errbuf *eb);
/* vdb_build_add_path with the source named source_name (NULL: the path's
 * last component). */
enum bw_err vdb_b_add_path_as(struct vdb_builder *b, const char *path, const char *source_name,
			      const char *url, struct bw_errbuf *eb);

/* A builder over an in-memory database that is never committed (fuzzing):
 * free it with vdb_build_abort. */
enum bw_err vdb_b_begin_scratch(struct vdb_builder **out, struct bw_errbuf *eb);

/* Count a withdrawn record left out. */
void vdb_b_withdrawn(struct vdb_builder *b);

/* Build a {version, vector, score, source} object (score < 0: computed from
 * the vector when possible, else null) and append it to arr. */
enum bw_err vdb_cvss_append(json_t *arr, int version, const char *vector, double score,
			    const char *source);

/* ---- readers (one file each) ---------------------------------------------- */

/* OSV record (one object) or array of records. name is for messages. */
enum bw_err vdb_read_osv_json(struct vdb_builder *b, const char *name, json_t *root,
			      struct bw_errbuf *eb);
enum bw_err vdb_read_nsp(struct vdb_builder *b, const char *name, json_t *root,
			 struct bw_errbuf *eb);
enum bw_err vdb_read_debian_json(struct vdb_builder *b, const char *name, json_t *root,
				 struct bw_errbuf *eb);
enum bw_err vdb_read_debian_list(struct vdb_builder *b, const char *name, const char *data,
				 size_t len, struct bw_errbuf *eb);
enum bw_err vdb_read_secdb(struct vdb_builder *b, const char *name, json_t *root,
			   struct bw_errbuf *eb);
/* aports secfixes block ({secfixes: {ver: [IDs]}}) of package pkg. */
enum bw_err vdb_read_secfixes(struct vdb_builder *b, const char *name, const char *pkg,
			      json_t *root, struct bw_errbuf *eb);
enum bw_err vdb_read_rubysec(struct vdb_builder *b, const char *name, json_t *root,
			     struct bw_errbuf *eb);
enum bw_err vdb_read_nvd(struct vdb_builder *b, const char *name, json_t *root,
			 struct bw_errbuf *eb);
enum bw_err vdb_read_kev_json(struct vdb_builder *b, const char *name, json_t *root,
			      struct bw_errbuf *eb);
enum bw_err vdb_read_kev_csv(struct vdb_builder *b, const char *name, const char *data,
			     size_t len, struct bw_errbuf *eb);
enum bw_err vdb_read_epss_csv(struct vdb_builder *b, const char *name, const char *data,
			      size_t len, struct bw_errbuf *eb);

/* YAML (libfyaml) to JSON: every scalar becomes a string (the YAML key 0
 * becomes "0"); aliases are refused; depth and node count are bounded. The
 * result is a new reference (caller json_decref's it). */
enum bw_err vdb_yaml_to_json(const char *data, size_t len, const char *name, json_t **out,
			     struct bw_errbuf *eb);

/* Zip archive (OSV all.zip): every *.json / *.yaml member read as OSV. */
enum bw_err vdb_read_zip(struct vdb_builder *b, const char *name, const void *data, size_t len,
			 struct bw_errbuf *eb);
/* gzip: decompress (bounded) into out. */
enum bw_err vdb_gunzip(const void *data, size_t len, const char *name, struct bw_buf *out,
		       struct bw_errbuf *eb);

/* Recognise and read one file's bytes (the dispatcher; also used for zip
 * members). depth bounds nesting (gz in zip ...). */
enum bw_err vdb_read_any(struct vdb_builder *b, const char *name, const char *data, size_t len,
			 int depth, struct bw_errbuf *eb);

/* ---- helpers ------------------------------------------------------------ */

/* Called for each member of a top-level JSON object; value is borrowed. */
typedef enum bw_err (*vdb_member_fn)(const char *key, json_t *value, void *ud,
				     struct bw_errbuf *eb);
/* Walk the members of the JSON object in data without parsing it whole
 * (jsonscan.c): each value is parsed alone. Stops at the first error fn
 * returns; BW_ERR_FORMAT with the offset for malformed JSON. */
enum bw_err vdb_json_members(const char *data, size_t len, const char *name, vdb_member_fn fn,
			     void *ud, struct bw_errbuf *eb);
/* The Debian tracker JSON read member by member (large files). */
enum bw_err vdb_read_debian_stream(struct vdb_builder *b, const char *name, const char *data,
				   size_t len, struct bw_errbuf *eb);

/* Bounded string getter: the string at key if it is a string of at most
 * VDB_MAX_FIELD bytes, else NULL. Numbers are not converted. */
const char *vdb_jstr(const json_t *obj, const char *key);
/* Scalar as text: string, or integer/real formatted into buf. */
const char *vdb_jscalar(const json_t *v, char *buf, size_t bufsz);
/* PEP 503 normalisation of a PyPI name into out. */
void vdb_pypi_normalise(const char *in, char *out, size_t outsz);
/* Ecosystem name normalised for storage (PyPI names normalised) into out. */
void vdb_name_key(const char *ecosystem, const char *name, char *out, size_t outsz);
/* true when s looks like "CVE-YYYY-NNNN...". */
bool vdb_is_cve(const char *s);

#endif

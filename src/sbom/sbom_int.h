/* sbom_int.h - private helpers shared by the sbom module's files. */
#ifndef BW_SBOM_INT_H
#define BW_SBOM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbom/sbom.h"

/* Copy n bytes of hostile text into out for a message: printable ASCII as
 * is, anything else as \xHH, at most max_in input bytes ("..." after), always
 * NUL-terminated. Returns out. */
char *sbom_quote(char *out, size_t outsz, const char *p, size_t n, size_t max_in);

/* Distro detection from file contents already in memory (used by
 * sbom_detect_distro and the tests/fuzz targets). Parses an os-release file
 * into d (fields the file lacks stay NULL). path names it in messages. */
enum bw_err sbom_parse_os_release(const char *data, size_t n, const char *path,
				  struct sbom_distro *d, struct bw_errbuf *eb);

/* Read access to the walked files, so detection runs over an image_fs
 * or (in tests) a directory. get() returns the content (NUL-terminated
 * after *n bytes) or NULL when absent. */
struct sbom_files {
	const char *(*get)(void *ctx, const char *path, size_t *n);
	void *ctx;
};

/* Detect the distro (see distro.c for the order). d is released first and
 * filled; d->id stays NULL when unknown. Problems with a file are warnings
 * into warn (may be NULL) and on stderr. Errors: only BW_ERR_NOMEM. */
enum bw_err sbom_distro_from_files(const struct sbom_files *files, struct sbom_distro *d,
				   struct sbom *warn);

/* Debian codename from the text of etc/debian_version ("12.4", "bookworm/sid"),
 * malloc'd or NULL when unknown. */
char *sbom_debian_codename(const char *debian_version);

/* Collect the distinct DEP-5 `License:` short names of a Debian copyright
 * file into sv (not sorted, no duplicates). */
enum bw_err sbom_dpkg_copyright_licenses(const char *data, size_t n, struct bw_strv *sv);

/* A purl from its parts (percent-encoded per the purl spec, qualifiers
 * sorted by key, empty ones left out, type/namespace/keys lowercased, deb
 * and apk names lowercased). malloc'd; NULL on failure or bad input. */
#define SBOM_PURL_MAX_QUALS 16
struct sbom_purl_qual {
	const char *key;
	const char *value; /* NULL or "": left out */
};
char *sbom_purl_build(const char *type, const char *ns, const char *name, const char *version,
		      const struct sbom_purl_qual *quals, size_t nquals);

/* ---- language catalogers (issue 4) ----------------------------------------
 *
 * A language cataloger lists the files it wants (globs with size caps) and a
 * parse function called once for each kept file matching one of them, after
 * the walk (so whiteouts are already applied). It adds packages with
 * sbom_add (type, name, version, purl, found_path = f->path, layer_digest =
 * f->layer_digest, dev); input problems are returned as errors (naming the
 * file and line) and become warnings, the rest of the image still counts.
 * Catalogers are registered in lang.c; each is defined in its own file as
 * `const struct sbom_lang_cataloger sbom_cat_NAME`.
 */
struct sbom_lang_cataloger {
	const char *name;               /* "npm", "python", ... */
	const struct image_want *wants; /* patterns over clean image paths */
	size_t nwants;
	enum bw_err (*parse)(struct sbom *sb, const struct image_fs *fs,
			     const struct image_file *f, struct bw_errbuf *eb);
	/* Streamed files (binaries, archives; see struct image_stream_want):
	 * stream() is called during the walk for each file that matches one of
	 * swants, with a bounded reader; it adds packages with found_path
	 * starting with st->path and layer_digest = st->layer_digest. Packages
	 * of a file that a later layer removes or replaces are dropped after
	 * the walk. parse may be NULL for a streaming-only cataloger. */
	const struct image_stream_want *swants;
	size_t nswants;
	enum bw_err (*stream)(struct sbom *sb, const struct image_stream *st,
			      struct bw_errbuf *eb);
};

/* ---- binaries and archives (lang_gobin.c, lang_rustbin.c, lang_java.c) ---- */

#define SBOM_ELF_MAGIC "\x7f" "ELF"

/* An ELF file read through an image_stream: 32/64-bit, either byte order.
 * Headers are checked against the file size before use. */
struct sbom_elf {
	const struct image_stream *st;
	bool is64, be;
	uint64_t phoff, shoff;
	uint16_t phnum, phentsize, shnum, shentsize, shstrndx;
};
enum bw_err sbom_elf_open(struct sbom_elf *elf, const struct image_stream *st,
			  struct bw_errbuf *eb);
/* The file range of section `name` (not SHT_NOBITS); BW_ERR_NOT_FOUND when
 * the file has no such section or no section table. */
enum bw_err sbom_elf_section(const struct sbom_elf *elf, const char *name, uint64_t *off,
			     uint64_t *size, uint64_t *addr, struct bw_errbuf *eb);
/* Virtual address -> file offset through the PT_LOAD program headers, with
 * at least `len` bytes in the file there; BW_ERR_NOT_FOUND otherwise. */
enum bw_err sbom_elf_vaddr(const struct sbom_elf *elf, uint64_t addr, uint64_t len,
			   uint64_t *off, struct bw_errbuf *eb);
/* The first writable, non-executable PT_LOAD segment (file range). */
enum bw_err sbom_elf_data_segment(const struct sbom_elf *elf, uint64_t *off, uint64_t *size,
				  uint64_t *addr, struct bw_errbuf *eb);

/* Parsers over bytes in memory, for the tests and fuzz targets. */
/* Go build info of an ELF (gobin); adds the packages to sb. */
enum bw_err sbom_parse_gobin(struct sbom *sb, const struct image_stream *st, struct bw_errbuf *eb);
/* The modinfo text of a Go binary (path/mod/dep/=> lines) plus the Go
 * version ("go1.19.8"), as `go version -m` shows them. */
enum bw_err sbom_parse_go_modinfo(struct sbom *sb, const char *goversion, const char *mod,
				  size_t n, const struct image_stream *st, struct bw_errbuf *eb);
/* cargo-auditable's .dep-v0 (rustbin): the zlib-compressed JSON. */
enum bw_err sbom_parse_rust_auditable(struct sbom *sb, const struct image_stream *st,
				      struct bw_errbuf *eb);
/* A Java archive (java): jar/war/ear/par, nested ones too. */
enum bw_err sbom_parse_java_archive(struct sbom *sb, const struct image_stream *st,
				    struct bw_errbuf *eb);

/* The registered catalogers that are built in (NULL-terminated). */
const struct sbom_lang_cataloger *const *sbom_lang_catalogers(void);

/* ---- ownership by distro packages ------------------------------------------ */

/* One dpkg file list: var/lib/dpkg/info/PKG[:ARCH].list, one absolute path
 * a line (bytes from an image: any content). */
struct sbom_list_file {
	const char *path;
	const char *data;
	size_t size;
};

/* Set pkg->owner of every language package whose found_path (its
 * outermost archive for "a!b" paths) a list names; merged-/usr spellings
 * are tried both ways. Lists whose name does not end in ".list" are
 * ignored. Only BW_ERR_NOMEM is returned. */
enum bw_err sbom_owners_from_dpkg_lists(struct sbom *sb, const struct sbom_list_file *lists,
				       size_t nlists);

/* The owner index (owner.c): every non-distro package of sb by the file it
 * was found in (the outermost archive for "a!b" paths), for the file lists
 * to claim. sb->pkgs must not move while the index lives. */
struct sbom_owner_index;
enum bw_err sbom_owner_index_new(struct sbom *sb, struct sbom_owner_index **out);
void sbom_owner_index_free(struct sbom_owner_index *ix);
bool sbom_owner_index_empty(const struct sbom_owner_index *ix);
struct sbom *sbom_owner_index_sbom(const struct sbom_owner_index *ix);
/* The first package of this type found at exactly the clean path, or
 * SIZE_MAX. */
size_t sbom_owner_index_find(const struct sbom_owner_index *ix, const char *path,
			     enum sbom_pkg_type type);
/* path (len bytes from a file list: absolute or relative, cleaned here; a
 * path climbing above the root is ignored): every package found there
 * without an owner, other than sb->pkgs[self] (SIZE_MAX: none), gets owner
 * and type. usrmerge: "usr/" + path is tried too. Only BW_ERR_NOMEM. */
enum bw_err sbom_owner_claim(struct sbom_owner_index *ix, const char *path, size_t len,
			     const char *owner, enum sbom_pkg_type type, size_t self,
			     bool usrmerge);
/* The same rule, one file list format each (bytes from an image: any
 * content; what cannot be read is skipped, the first reading of the
 * database already warned). Only BW_ERR_NOMEM is returned. */
enum bw_err sbom_owners_from_dpkg_lists_ix(struct sbom_owner_index *ix,
					  const struct sbom_list_file *lists, size_t nlists);
/* lib/apk/db/installed: P: names the package, F: a directory, R: a file in
 * the last F: directory. */
enum bw_err sbom_owners_from_apk_db(struct sbom_owner_index *ix, const char *data, size_t n);
/* An rpm database (rpmdb.sqlite, Packages.db or Packages, told apart by
 * path's base name): every header's BASENAMES/DIRNAMES. */
enum bw_err sbom_owners_from_rpm_db(struct sbom_owner_index *ix, const char *data, size_t n,
				    const char *path);
/* DIR/NAME-VER.dist-info/RECORD files: each row's path (CSV, relative to
 * DIR, or absolute) claimed for the pypi package found at
 * DIR/NAME-VER.dist-info/METADATA, which also gets nfiles = its row count.
 * Lists whose name does not end in ".dist-info/RECORD" are ignored. */
enum bw_err sbom_owners_from_python_records(struct sbom_owner_index *ix,
					    const struct sbom_list_file *records, size_t n);
/* One RECORD's paths, in order (CSV rows: the first field, quotes undone);
 * fn's error stops it. Returns the number of rows through *nrows.
 * BW_ERR_FORMAT for an unterminated quoted field (what was read before it
 * was passed to fn). */
typedef enum bw_err (*sbom_record_fn)(void *ctx, const char *path, size_t len);
enum bw_err sbom_python_record_paths(const char *data, size_t n, sbom_record_fn fn, void *ctx,
				     size_t *nrows);

/* ---- a bounded TOML reader (toml.c), for poetry.lock, uv.lock, Cargo.lock ----
 * The caller walks the lines: sbom_toml_ws_nl, then a header "[" KEY "]" /
 * "[[" KEY "]]" (sbom_toml_key) or "KEY = VALUE" (sbom_toml_key,
 * sbom_toml_value), then sbom_toml_eol. Errors are BW_ERR_FORMAT
 * "PATH: line N: what" into t->eb (BW_ERR_LIMIT past the nesting cap). */
#define SBOM_TOML_MAX_DEPTH 32
#define SBOM_TOML_STR_MAX 1024
struct sbom_toml {
	const char *p, *end;
	size_t line;
	const char *path;
	struct bw_errbuf *eb;
	/* when set: the "name" strings of the inline tables directly inside
	 * the value being read (uv's `dependencies = [{ name = "x" }, ...]`) */
	struct bw_strv *names;
	/* when set: the strings directly inside the array being read */
	struct bw_strv *strings;
	enum bw_err names_result;
};
enum sbom_toml_type { SBOM_TOML_OTHER, SBOM_TOML_STRING, SBOM_TOML_TABLE };
struct sbom_toml_val {
	enum sbom_toml_type type;
	char str[SBOM_TOML_STR_MAX]; /* a string, decoded (cut when truncated) */
	bool truncated;
	char first_key[64];          /* an inline table's first key */
};
/* BW_ERR_FORMAT "PATH: line N: what". */
enum bw_err sbom_toml_err(struct sbom_toml *t, const char *what);
/* Spaces and tabs. */
void sbom_toml_ws(struct sbom_toml *t);
/* Blanks, comments and newlines. */
void sbom_toml_ws_nl(struct sbom_toml *t);
/* After a value or header: blanks, a comment, then a newline or the end. */
enum bw_err sbom_toml_eol(struct sbom_toml *t);
/* A string at t->p (" ' """ or '''), decoded into v->str. */
enum bw_err sbom_toml_string(struct sbom_toml *t, struct sbom_toml_val *v);
/* A key (bare or quoted, dotted parts joined by '.') into out (cut to fit). */
enum bw_err sbom_toml_key(struct sbom_toml *t, char *out, size_t outsz);
/* A value at t->p (depth 0 at top level): strings decoded, arrays and
 * inline tables read (and skipped), other values taken as bare words. */
enum bw_err sbom_toml_value(struct sbom_toml *t, struct sbom_toml_val *v, int depth);

#endif

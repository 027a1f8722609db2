/* vulndb.h - the vulnerability database: one SQLite file built from upstream
 * feeds (OSV, Debian security tracker, Alpine secdb, ruby-advisory-db, the
 * legacy Node Security Platform advisories, NVD, CISA KEV, EPSS), opened
 * read-only by scans. Schema, location, update and attributions:
 * docs/vulndb.md.
 *
 * Lookups go by (ecosystem, package name) through an index. Ecosystem names
 * are OSV's exactly ("npm", "PyPI", "Go", "crates.io", "RubyGems", "Maven",
 * ...); distro data uses "Debian:<major>" ("Debian:11") and "Alpine:v<x.y>"
 * ("Alpine:v3.10"), the names OSV uses for its own Debian/Alpine entries, so
 * both kinds of data meet under one key. For distro ecosystems the package
 * name is the SOURCE package (Debian) / origin (Alpine).
 *
 * Ownership: every char * in a returned struct is owned by that struct and
 * freed by its *_release function. Handles are not thread-safe; use one per
 * thread.
 */
#ifndef BW_VULNDB_H
#define BW_VULNDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define VDB_SCHEMA_VERSION 1

struct vdb; /* an open database (opaque) */

/* ---- opening ------------------------------------------------------------ */

/* Default path: $XDG_CACHE_HOME/bulwark/vulndb.sqlite, else
 * $HOME/.cache/bulwark/vulndb.sqlite. Returns a malloc'd string (caller
 * frees) or NULL when neither variable is set (or on allocation failure). */
char *vdb_default_path(void);

/* Open an existing database read-only. BW_ERR_NOT_FOUND when the file does
 * not exist, BW_ERR_UNSUPPORTED for another schema version, BW_ERR_FORMAT when it
 * is not a Bulwark vulnerability database. *out is owned by the caller
 * (vdb_close). */
enum bw_err vdb_open(const char *path, struct vdb **out, struct bw_errbuf *eb);
void vdb_close(struct vdb *db); /* NULL-safe */

/* Seconds since the database was built (now - built_at), or -1 if unknown.
 * For the scan's staleness warning. */
int64_t vdb_age_seconds(struct vdb *db);

/* true when the database holds any affected-package record for ecosystem
 * (exact name, e.g. "Debian:12"), so a scan can say "no data for this
 * distro" instead of "0 vulnerabilities". */
bool vdb_has_ecosystem(struct vdb *db, const char *ecosystem);

/* ---- ecosystem names -------------------------------------------------- */

/* Debian codename -> major version: "bookworm" -> "12", "bullseye" -> "11",
 * "buster" -> "10", "stretch" -> "9", ... "trixie" -> "13", "forky" -> "14",
 * "sid" -> "sid". NULL for an unknown codename. Static string. */
const char *vdb_debian_codename_version(const char *codename);

/* Ecosystem key for a distro as the SBOM's distro detection reports it
 * (os-release ID and VERSION_ID): ("debian", "12") -> "Debian:12",
 * ("debian", "11.7") -> "Debian:11", ("alpine", "3.19.1") -> "Alpine:v3.19",
 * ("alpine", "edge"/"3.20_alpha...") -> "Alpine:edge", ("rocky", "9.3") ->
 * "Rocky Linux:9", ("almalinux", "9.3") -> "AlmaLinux:9". Writes into out.
 * BW_ERR_UNSUPPORTED for a distro without a mapping, BW_ERR_LIMIT when out
 * is too small. */
enum bw_err vdb_distro_ecosystem(const char *distro_id, const char *version_id, char *out,
				 size_t outsz);

/* ---- lookup -------------------------------------------------------------- */

enum vdb_range_type {
	VDB_RANGE_SEMVER = 0, /* OSV SEMVER: semver 2.0 ordering */
	VDB_RANGE_ECOSYSTEM,  /* OSV ECOSYSTEM: the ecosystem's own ordering */
	VDB_RANGE_GIT,        /* OSV GIT: commit hashes; never matches versions */
};

enum vdb_event_kind {
	VDB_EV_INTRODUCED = 0,
	VDB_EV_FIXED,
	VDB_EV_LAST_AFFECTED,
	VDB_EV_LIMIT,
};

struct vdb_event {
	enum vdb_event_kind kind;
	char *version; /* "0" for introduced-at-the-beginning, as in OSV */
};

/* One OSV range: its events in the order the feed lists them. */
struct vdb_range {
	enum vdb_range_type type;
	char *repo; /* GIT ranges: repository URL; else NULL */
	struct vdb_event *events;
	size_t n_events;
};

enum vdb_cvss_version { VDB_CVSS_V2 = 2, VDB_CVSS_V3 = 3, VDB_CVSS_V4 = 4 };

struct vdb_cvss {
	enum vdb_cvss_version version;
	char *vector; /* "CVSS:3.1/AV:N/..." (v2: "AV:N/AC:L/..."); NULL when the
		       * feed gives only a score (ruby-advisory-db) */
	double score; /* base score 0.0-10.0; < 0 when unknown */
	char *source; /* "osv", "nvd", "nsp", "rubysec", ... */
};

/* How a distro tracks a (CVE, source package, release). */
enum vdb_fix_status {
	VDB_FIX_NONE = 0,     /* not distro data: use the ranges/expressions */
	VDB_FIX_FIXED,        /* fixed_version is set: versions below it are affected */
	VDB_FIX_NOT_FIXED,    /* all versions affected, no fix yet ("open") */
	VDB_FIX_NOT_AFFECTED, /* the release never shipped the vulnerable code */
	VDB_FIX_UNDETERMINED, /* the tracker has not decided */
};

/* One advisory as it affects one package (a row of the affected table with
 * its advisory's fields). */
struct vdb_entry {
	char *id;               /* GHSA-..., GO-..., PYSEC-..., RUSTSEC-..., CVE-..., NSP-<n> ... */
	struct bw_strv aliases; /* other IDs of the same vulnerability (CVE, GHSA,
				 * DSA-/DLA-), not including id; sorted */
	char *group;            /* entries of one package with the same group are
				 * one vulnerability (merged through shared IDs):
				 * report at most one finding per group. Prefers a
				 * CVE ID. Never NULL. */
	char *source;           /* source name in the provenance table, e.g. "osv-go" */
	char *summary;          /* may be NULL */
	char *published;        /* RFC 3339 or date as the feed gives it; may be NULL */
	char *modified;         /* may be NULL */
	char *severity;         /* vendor severity text ("HIGH", "moderate",
				 * "unimportant", "critical"); NULL when none */
	char *severity_source;  /* who said so: "ghsa", "debian", "rubysec", "nsp" ... */
	struct vdb_cvss *cvss;  /* the advisory's own vectors, then NVD's for its
				 * CVE (source "nvd") */
	size_t n_cvss;
	char *informational;    /* RustSec "unmaintained"/"unsound"/"notice": not a
				 * vulnerability, hide by default; NULL otherwise */

	char *ecosystem;        /* as looked up */
	char *package;          /* as looked up */

	/* OSV data. A version is affected when it is in `versions` or inside one
	 * of the non-GIT ranges (OSV evaluation rules). */
	struct vdb_range *ranges;
	size_t n_ranges;
	struct bw_strv versions;

	/* Non-OSV requirement expressions, kept in the ecosystem's own syntax:
	 *  - NSP (npm): vulnerable = node-semver range ("<=1.5.1"), patched
	 *    likewise (">=1.5.2"); affected when vulnerable is satisfied and
	 *    patched is not.
	 *  - ruby-advisory-db: patched and unaffected are lists of RubyGems
	 *    requirement strings ("~> 5.2.4, >= 5.2.4.3"); affected when the
	 *    version satisfies none of them.
	 * Empty when the entry carries OSV ranges. */
	struct bw_strv vulnerable;
	struct bw_strv patched;
	struct bw_strv unaffected;

	/* Distro data (Debian tracker, DSA/DLA lists, Alpine secdb). */
	enum vdb_fix_status status;
	char *fixed_version;    /* status VDB_FIX_FIXED; else NULL */
	char *urgency;          /* Debian urgency ("low", "medium", "high",
				 * "unimportant", "not yet assigned"); may be NULL */
};

struct vdb_entry_list {
	struct vdb_entry *v;
	size_t n;
};

/* All entries for (ecosystem, name), ordered by group and, inside a group,
 * OSV data first. Appends to out (initialise it zeroed); release with
 * vdb_entry_list_release. An unknown package gives BW_OK with nothing added.
 * Names are compared exactly, except PyPI names, which are compared in their
 * PEP 503 normalised form (lowercase, runs of "-_." as "-"). */
enum bw_err vdb_lookup(struct vdb *db, const char *ecosystem, const char *name,
		       struct vdb_entry_list *out, struct bw_errbuf *eb);
void vdb_entry_release(struct vdb_entry *e);
void vdb_entry_list_release(struct vdb_entry_list *l); /* NULL-safe */

/* CISA Known Exploited Vulnerabilities. */
struct vdb_kev {
	char date_added[16];      /* "2021-12-10" */
	char ransomware[16];      /* knownRansomwareCampaignUse: "Known" / "Unknown" */
	bool known_ransomware;    /* ransomware == "Known" */
};
/* BW_OK and *out filled when cve is in KEV; BW_ERR_NOT_FOUND when not. */
enum bw_err vdb_kev_get(struct vdb *db, const char *cve, struct vdb_kev *out,
			struct bw_errbuf *eb);

/* FIRST EPSS: probability (0..1) and percentile (0..1). BW_ERR_NOT_FOUND
 * when the CVE has no score. */
enum bw_err vdb_epss_get(struct vdb *db, const char *cve, double *score, double *percentile,
			 struct bw_errbuf *eb);

/* NVD's CVSS data for one CVE (appended to *cvss / *n; caller frees with
 * vdb_cvss_list_free). BW_OK with nothing added when NVD has none. */
enum bw_err vdb_nvd_cvss(struct vdb *db, const char *cve, struct vdb_cvss **cvss, size_t *n,
			 struct bw_errbuf *eb);
void vdb_cvss_list_free(struct vdb_cvss *cvss, size_t n);

/* ---- info ------------------------------------------------------------- */

/* Everything `bulwark db info` shows, as a new JSON object (caller
 * json_decref's it): {schema_version, built_at, age_seconds, path, size,
 * counts: {advisories, affected, kev, epss, nvd}, ecosystems: {name: n},
 * sources: [{name, kind, path, url, repo, commit, license, attribution,
 * files, bad_files, records, withdrawn}]}. */
enum bw_err vdb_info_json(struct vdb *db, struct json_t **out, struct bw_errbuf *eb);

/* ---- building ------------------------------------------------------------ */

struct vdb_builder; /* opaque */

struct vdb_build_stats {
	uint64_t files;      /* files recognised and read */
	uint64_t bad_files;  /* files that failed (warned, skipped) */
	uint64_t skipped;    /* files not recognised as any feed */
	uint64_t advisories; /* advisory records stored */
	uint64_t withdrawn;  /* withdrawn records left out */
};

/* Start a build of the database at path: writes a temporary file beside it
 * ("path.tmp-XXXXXX"); path itself is untouched until vdb_build_commit. */
enum bw_err vdb_build_begin(const char *path, struct vdb_builder **out, struct bw_errbuf *eb);

/* Read every feed file under path (a file, or a directory walked
 * recursively), each recognised by its content. url, when not NULL, is
 * recorded as the source's origin (updates). A SOURCE.txt found at the top
 * of a directory (or beside a file) gives the provenance (repository,
 * commit, licence); a subdirectory with its own SOURCE.txt is recorded as a
 * source of its own. A file that fails to parse is a warning (BW_WARN naming
 * the file and the field) and counts in bad_files; the build goes on.
 * Returns an error only for the path itself (missing, unreadable) or the
 * database. */
enum bw_err vdb_build_add_path(struct vdb_builder *b, const char *path, const char *url,
			       struct bw_errbuf *eb);

/* Like vdb_build_add_path for one in-memory file (name is used for messages
 * and format hints such as ".zip"/".gz"/".csv"). For fuzzing and updates. */
enum bw_err vdb_build_add_memory(struct vdb_builder *b, const char *name, const void *data,
				 size_t len, struct bw_errbuf *eb);

/* Record a metadata key/value (e.g. a feed's ETag) in the new database. */
enum bw_err vdb_build_set_meta(struct vdb_builder *b, const char *key, const char *value,
			       struct bw_errbuf *eb);

/* Counts so far. */
void vdb_build_get_stats(const struct vdb_builder *b, struct vdb_build_stats *st);

/* Finish: merge aliases, index, record provenance, fsync, rename into place
 * atomically. The builder is freed whatever the result; on failure the old
 * database (if any) is untouched. */
enum bw_err vdb_build_commit(struct vdb_builder *b, struct bw_errbuf *eb);
/* Abandon: delete the temporary file and free. NULL-safe. */
void vdb_build_abort(struct vdb_builder *b);

/* Read metadata value (e.g. "built_at", "feed.<name>.etag") from an open
 * database; malloc'd copy or NULL when absent. */
char *vdb_meta_get(struct vdb *db, const char *key);

/* ---- updating --------------------------------------------------------- */

struct vdb_feed {
	const char *name; /* "osv-npm", "debian-tracker", "alpine-v3.19-main", "kev", ... */
	const char *url;
};

/* The official upstream feeds (static array, *n elements). */
const struct vdb_feed *vdb_default_feeds(size_t *n);

struct vdb_update_opts {
	const struct vdb_feed *feeds; /* NULL: vdb_default_feeds() */
	size_t n_feeds;
	uint64_t max_feed_bytes;      /* 0: default (1 GiB) */
	long timeout_seconds;         /* 0: default (600) */
	bool quiet;
};

struct vdb_update_result {
	unsigned fetched;     /* feeds downloaded (200) */
	unsigned not_modified;/* feeds answered 304 (cached copy reused) */
	unsigned failed;      /* feeds that failed */
	bool rebuilt;         /* a new database was swapped in */
};

/* Download the feeds (conditional requests with the ETag/Last-Modified
 * stored for each feed; a 304 reuses the copy kept in the feed cache beside
 * the database), verify them (size limit, format check, checksum when the
 * feed publishes one), build a new database into a temporary file and swap
 * it in atomically. Any failure (network, HTTP error, truncated or garbage
 * body) leaves the existing database in place and working; the error names
 * the feed and the URL. */
enum bw_err vdb_update(const char *path, const struct vdb_update_opts *opts,
		       struct vdb_update_result *res, struct bw_errbuf *eb);

#endif

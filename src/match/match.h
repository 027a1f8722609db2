/* match.h - packages x advisories -> findings, and the gate that decides a
 * scan's exit code (severity threshold, ignore file, OpenVEX).
 *
 * Distro packages are matched with the distro's own data and version rules
 * (Debian by source package with dpkg ordering, Alpine by origin with apk
 * ordering); language packages by ecosystem and name with OSV semantics.
 * One finding per (package, vulnerability group): aliases merge.
 */
#ifndef BW_MATCH_H
#define BW_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "vulndb/vulndb.h"

enum match_severity {
	MATCH_SEV_UNKNOWN = 0,
	MATCH_SEV_NEGLIGIBLE,
	MATCH_SEV_LOW,
	MATCH_SEV_MEDIUM,
	MATCH_SEV_HIGH,
	MATCH_SEV_CRITICAL,
};
/* "unknown", "negligible", "low", "medium", "high", "critical" */
const char *match_severity_name(enum match_severity s);
/* Case-insensitive; also vendor words: moderate=medium, important=high,
 * unimportant=negligible. BW_ERR_FORMAT for anything else. */
enum bw_err match_severity_parse(const char *s, enum match_severity *out);

struct match_finding {
	char *id;               /* the advisory ID shown (a CVE when the group has one) */
	struct bw_strv aliases; /* every other ID of the vulnerability, sorted */
	char *title;            /* may be NULL */
	char *source;           /* database source of the deciding entry ("debian-tracker") */
	enum match_severity severity;
	char *severity_source;  /* "debian", "ghsa", "cvss-v3.1" ... */
	char *cvss_vector;      /* the vector the score comes from, or NULL */
	double cvss_score;      /* < 0 when none */
	struct bw_strv fixed_versions; /* empty: no fix */
	char *fix_state;        /* "fixed", "not-fixed", "undetermined" */
	bool kev;               /* in CISA KEV */
	char *kev_date_added;
	double epss;            /* < 0 when unknown */
	double epss_percentile;
	bool informational;     /* RustSec unmaintained/unsound: hidden by default */
	size_t pkg_index;       /* index into the sbom's packages */
	/* set by the gate */
	bool suppressed;
	char *suppressed_by;    /* "ignorefile:.bulwarkignore:12 (reason)", "vex:file (justification)" */
};

struct match_result {
	struct match_finding *v;
	size_t n;
	size_t cap;
	/* ecosystems the image needed and the database had no data for, e.g.
	 * "Debian:13": the report says so instead of "0 vulnerabilities" */
	struct bw_strv missing_ecosystems;
	struct bw_strv warnings;
	int64_t db_age_seconds;
};

struct match_opts {
	bool include_informational;
};

/* Match every package of sb against db. *res is initialised by the call
 * (release with match_result_release). */
enum bw_err match_sbom(struct vdb *db, const struct sbom *sb, const struct match_opts *opts,
		       struct match_result *res, struct bw_errbuf *eb);
void match_result_release(struct match_result *res);
/* Sort by severity (highest first), then package name, then id. */
void match_sort(struct match_result *res, const struct sbom *sb);

/* ---- the gate ----------------------------------------------------------- */

struct match_gate {
	unsigned severities;        /* bit mask of 1u << match_severity to report; 0: all */
	bool fail_on_set;
	enum match_severity fail_on;
	bool ignore_unfixed;
	const char *ignorefile;     /* path or NULL */
	const char *vexfile;        /* path or NULL */
	int64_t now;                /* for expiry; 0: time(NULL) */
};

/* Apply ignore file and VEX (marking findings suppressed with the reason),
 * drop findings outside `severities` / unfixed ones when asked. Expired
 * ignore entries stop applying and a warning says so. *failed is true when
 * a remaining finding is at or above fail_on. */
enum bw_err match_gate_apply(const struct match_gate *g, const struct sbom *sb,
			     struct match_result *res, bool *failed, struct bw_errbuf *eb);

#endif

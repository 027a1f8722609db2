/* cvss.h - CVSS vector parsing and scoring (v2.0, v3.0, v3.1, v4.0).
 *
 * Scores follow FIRST's specifications: v2 base equations (CVSS v2 guide
 * 3.2.1), v3.0/v3.1 base equations with each version's Roundup (v3.1
 * specification 7.1 and Appendix A), and v4.0's MacroVector lookup with
 * severity-distance interpolation as FIRST's reference calculator
 * implements it. Pure functions: no allocation, no global state; the
 * vector string is only read. See docs/cvss.md.
 */
#ifndef BW_VULNDB_CVSS_H
#define BW_VULNDB_CVSS_H

#include <stdbool.h>

#include "core/core.h"

#define VDB_CVSS_MAX_VECTOR 1024

/* Qualitative rating (CVSS v3.1 / v4.0 specification, "Qualitative
 * Severity Rating Scale"). */
enum vdb_cvss_rating {
	VDB_CVSS_RATING_NONE = 0, /* 0.0 */
	VDB_CVSS_RATING_LOW,      /* 0.1 - 3.9 */
	VDB_CVSS_RATING_MEDIUM,   /* 4.0 - 6.9 */
	VDB_CVSS_RATING_HIGH,     /* 7.0 - 8.9 */
	VDB_CVSS_RATING_CRITICAL, /* 9.0 - 10.0 */
};

struct vdb_cvss_result {
	int major, minor; /* 2.0, 3.0, 3.1 or 4.0 */
	int score10;      /* the score times ten, 0..100 (exact) */
	double score;     /* score10 / 10.0 */
	enum vdb_cvss_rating rating;
};

/* Parse vector and compute its score into *out.
 *
 * "CVSS:4.0/..." "CVSS:3.1/..." "CVSS:3.0/..." select the version; a vector
 * without that prefix is CVSS v2 ("AV:N/AC:L/Au:N/C:P/I:P/A:P", optionally
 * in parentheses). Strict: an unknown metric, a value the metric does not
 * have, a duplicated metric or a missing base metric is BW_ERR_FORMAT with
 * eb naming the metric and its offset; an unknown "CVSS:x.y" version is
 * BW_ERR_UNSUPPORTED; NULL or over VDB_CVSS_MAX_VECTOR bytes is
 * BW_ERR_USAGE / BW_ERR_LIMIT.
 *
 * v2 and v3.x: the base score (temporal and environmental metrics are
 * checked but not applied). v4.0: the score of all metrics the vector
 * gives, as FIRST's calculator shows it (CVSS-B for a base-only vector,
 * CVSS-BT / BE / BTE when threat or environmental metrics are present);
 * supplemental metrics never change it. */
enum bw_err vdb_cvss_compute(const char *vector, struct vdb_cvss_result *out, struct bw_errbuf *eb);

/* Rating for a score (0.0 - 10.0; out-of-range values clamp). */
enum vdb_cvss_rating vdb_cvss_rating(double score);
/* "None", "Low", "Medium", "High", "Critical" (static storage). */
const char *vdb_cvss_rating_name(enum vdb_cvss_rating r);

#endif

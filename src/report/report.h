/* report.h - scan reports: table, JSON, SARIF 2.1.0, CycloneDX.
 *
 * A report is written from the SBOM (packages and where they came from) and
 * the gated match result (findings, suppressed findings, warnings). Nothing
 * here decides anything: the gate did.
 */
#ifndef BW_REPORT_H
#define BW_REPORT_H

#include <stdio.h>

#include "core/core.h"
#include "match/match.h"
#include "sbom/sbom.h"

enum report_format { REPORT_TABLE, REPORT_JSON, REPORT_SARIF, REPORT_CYCLONEDX };

/* "table", "json", "sarif", "cyclonedx" */
enum bw_err report_format_parse(const char *s, enum report_format *out);

struct report_meta {
	const char *db_path;
	int64_t db_age_seconds; /* < 0: unknown */
	bool failed;            /* the gate's verdict (for the summary line) */
	const char *fail_on;    /* severity name or NULL */
};

enum bw_err report_write(enum report_format fmt, const struct sbom *sb,
			 const struct match_result *res, const struct report_meta *meta, FILE *f,
			 struct bw_errbuf *eb);

/* The JSON report as a jansson object (caller json_decref's it). */
struct json_t *report_json(const struct sbom *sb, const struct match_result *res,
			   const struct report_meta *meta);

#endif

/* report_int.h - private to src/report. */
#ifndef BW_REPORT_INT_H
#define BW_REPORT_INT_H

#include <jansson.h>

#include "report/report.h"

json_t *report_pkg_json(const struct sbom_pkg *p);
json_t *report_finding_json(const struct sbom *sb, const struct match_finding *f);
enum bw_err report_write_table(const struct sbom *sb, const struct match_result *res,
			       const struct report_meta *meta, FILE *f, struct bw_errbuf *eb);
enum bw_err report_write_sarif(const struct sbom *sb, const struct match_result *res,
			       const struct report_meta *meta, FILE *f, struct bw_errbuf *eb);
enum bw_err report_write_cyclonedx(const struct sbom *sb, const struct match_result *res,
				   const struct report_meta *meta, FILE *f, struct bw_errbuf *eb);

#endif

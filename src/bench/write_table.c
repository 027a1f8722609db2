/* write_table.c - the human-readable benchmark report. */
#include <errno.h>
#include <string.h>

#include "bench.h"

/* Print text with every line after the first indented by indent spaces. */
static void put_indented(FILE *f, const char *text, int indent)
{
	for (const char *p = text; *p; p++) {
		fputc(*p, f);
		if (*p == '\n' && p[1])
			fprintf(f, "%*s", indent, "");
	}
}

enum bw_err bench_write_table(const struct bench_report *r, FILE *f, struct bw_errbuf *eb)
{
	const char *section = NULL;
	size_t counts[BENCH_STATUS__COUNT];

	fprintf(f, "%s\n", r->benchmark);
	if (r->target && *r->target)
		fprintf(f, "Target: %s\n", r->target);
	fprintf(f, "Generated: %s\n", r->generated);
	for (size_t i = 0; i < r->n; i++) {
		const struct bench_result *x = &r->results[i];

		if (!section || strcmp(section, x->section) != 0) {
			section = x->section;
			fprintf(f, "\n== %s\n", section);
		}
		fprintf(f, "[%-4s] %-7s %s (%s, L%d)\n",
			x->status == BENCH_NA ? "N/A" : bench_status_name(x->status), x->id, x->title,
			x->automated ? "Automated" : "Manual", x->level);
		if (*x->detail) {
			fprintf(f, "               ");
			put_indented(f, x->detail, 15);
			fputc('\n', f);
		}
	}
	bench_report_count(r, counts);
	fprintf(f, "\n%zu checks: %zu PASS, %zu FAIL, %zu WARN, %zu INFO, %zu NOT_APPLICABLE, %zu ERROR\n",
		r->n, counts[BENCH_PASS], counts[BENCH_FAIL], counts[BENCH_WARN], counts[BENCH_INFO],
		counts[BENCH_NA], counts[BENCH_ERROR]);
	if (ferror(f))
		return bw_fail(eb, BW_ERR_IO, "writing the report failed: %s", strerror(errno));
	return BW_OK;
}

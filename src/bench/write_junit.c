/* write_junit.c - the benchmark report as JUnit XML for CI systems.
 *
 * One <testsuite> per section (in report order), one <testcase> per result:
 * FAIL -> <failure>, ERROR -> <error>, WARN/INFO/NOT_APPLICABLE ->
 * <skipped>. Report strings are sanitised UTF-8 without control characters
 * (bench_report_add), so escaping the five XML specials is enough.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static void xml_put(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\n': fputs("&#10;", f); break;
		case '\t': fputs("&#9;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/* Count the results of [start, end) per status. */
static void count_range(const struct bench_report *r, size_t start, size_t end, size_t *fail,
			size_t *err, size_t *skip)
{
	*fail = *err = *skip = 0;
	for (size_t i = start; i < end; i++) {
		switch (r->results[i].status) {
		case BENCH_FAIL: (*fail)++; break;
		case BENCH_ERROR: (*err)++; break;
		case BENCH_PASS: break;
		default: (*skip)++; break;
		}
	}
}

static void write_case(FILE *f, const struct bench_result *x)
{
	const char *tag = NULL;

	fputs("    <testcase classname=\"", f);
	xml_put(f, x->section);
	fputs("\" name=\"", f);
	xml_put(f, x->id);
	fputc(' ', f);
	xml_put(f, x->title);
	fputs("\">\n", f);
	switch (x->status) {
	case BENCH_FAIL: tag = "failure"; break;
	case BENCH_ERROR: tag = "error"; break;
	case BENCH_PASS: break;
	default: tag = "skipped"; break;
	}
	if (tag) {
		fprintf(f, "      <%s message=\"%s: ", tag, bench_status_name(x->status));
		xml_put(f, x->detail);
		fprintf(f, "\"");
		if (x->status == BENCH_FAIL || x->status == BENCH_ERROR) {
			fprintf(f, " type=\"%s\">", bench_status_name(x->status));
			xml_put(f, x->remediation);
			fprintf(f, "</%s>\n", tag);
		} else {
			fputs("/>\n", f);
		}
	}
	fputs("      <system-out>", f);
	xml_put(f, x->detail);
	fputs("</system-out>\n    </testcase>\n", f);
}

enum bw_err bench_write_junit(const struct bench_report *r, FILE *f, struct bw_errbuf *eb)
{
	size_t fail, err, skip;
	char host[256] = "";

	/* gethostname output is host data like any other: sanitised by
	 * replacing what is not printable ASCII */
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	for (char *p = host; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			*p = '?';
	count_range(r, 0, r->n, &fail, &err, &skip);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
	xml_put(f, r->benchmark);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n", r->n, fail,
		err, skip);
	for (size_t i = 0; i < r->n;) {
		size_t end = i + 1;

		while (end < r->n && strcmp(r->results[end].section, r->results[i].section) == 0)
			end++;
		count_range(r, i, end, &fail, &err, &skip);
		fputs("  <testsuite name=\"", f);
		xml_put(f, r->results[i].section);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" timestamp=\"",
			end - i, fail, err, skip);
		xml_put(f, r->generated);
		fputs("\" hostname=\"", f);
		xml_put(f, host);
		fputs("\">\n    <properties><property name=\"target\" value=\"", f);
		xml_put(f, r->target);
		fputs("\"/></properties>\n", f);
		for (; i < end; i++)
			write_case(f, &r->results[i]);
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	if (ferror(f))
		return bw_fail(eb, BW_ERR_IO, "writing the report failed: %s", strerror(errno));
	return BW_OK;
}

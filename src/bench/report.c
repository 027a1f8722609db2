/* report.c - the benchmark result model, check selection and exit code. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BENCH_MAX_RESULTS 100000

static const char *const status_names[BENCH_STATUS__COUNT] = {
	"PASS", "FAIL", "WARN", "INFO", "NOT_APPLICABLE", "ERROR",
};

const char *bench_status_name(enum bench_status s)
{
	if ((unsigned)s >= BENCH_STATUS__COUNT)
		return "ERROR";
	return status_names[s];
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Copy of s as valid UTF-8 without control characters (except \n, \t):
 * invalid bytes and controls become '?'. NULL gives "". */
static char *sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), o = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len(p + i, n - i);

		if (l == 0) {
			out[o++] = '?';
			i++;
		} else if (l == 1) {
			unsigned char c = p[i++];

			out[o++] = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '?' : (char)c;
		} else {
			memcpy(out + o, p + i, l);
			o += l;
			i += l;
		}
	}
	out[o] = '\0';
	return out;
}

enum bw_err bench_report_init(struct bench_report *r, const char *benchmark, const char *target)
{
	char now[32];

	memset(r, 0, sizeof(*r));
	bw_time_rfc3339(now, sizeof(now));
	r->benchmark = sanitize(benchmark);
	r->target = sanitize(target);
	r->generated = bw_strdup(now);
	if (!r->benchmark || !r->target || !r->generated) {
		bench_report_release(r);
		return BW_ERR_NOMEM;
	}
	return BW_OK;
}

enum bw_err bench_report_set_target(struct bench_report *r, const char *target)
{
	char *t = sanitize(target);

	if (!t)
		return BW_ERR_NOMEM;
	free(r->target);
	r->target = t;
	return BW_OK;
}

static void result_release(struct bench_result *x)
{
	free(x->id);
	free(x->title);
	free(x->section);
	free(x->detail);
	free(x->remediation);
}

enum bw_err bench_report_add(struct bench_report *r, const struct bench_result *res)
{
	enum bw_err result;
	struct bench_result *x;

	result = bw_grow((void **)&r->results, &r->cap, r->n + 1, sizeof(*r->results),
			 BENCH_MAX_RESULTS);
	if (result != BW_OK)
		return result;
	x = &r->results[r->n];
	memset(x, 0, sizeof(*x));
	x->id = sanitize(res->id);
	x->title = sanitize(res->title);
	x->section = sanitize(res->section);
	x->detail = sanitize(res->detail);
	x->remediation = sanitize(res->remediation);
	x->automated = res->automated;
	x->level = res->level;
	x->status = (unsigned)res->status < BENCH_STATUS__COUNT ? res->status : BENCH_ERROR;
	if (!x->id || !x->title || !x->section || !x->detail || !x->remediation) {
		result_release(x);
		return BW_ERR_NOMEM;
	}
	r->n++;
	return BW_OK;
}

void bench_report_release(struct bench_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		result_release(&r->results[i]);
	free(r->results);
	free(r->benchmark);
	free(r->target);
	free(r->generated);
	memset(r, 0, sizeof(*r));
}

void bench_report_count(const struct bench_report *r, size_t counts[BENCH_STATUS__COUNT])
{
	memset(counts, 0, sizeof(size_t) * BENCH_STATUS__COUNT);
	for (size_t i = 0; i < r->n; i++)
		counts[r->results[i].status]++;
}

int bench_exit_code(const struct bench_report *r, bool errors_fail)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct bench_result *x = &r->results[i];

		if (!x->automated)
			continue;
		if (x->status == BENCH_FAIL || (errors_fail && x->status == BENCH_ERROR))
			return BW_EXIT_POLICY;
	}
	return BW_EXIT_OK;
}

bool bench_id_matches(const char *pattern, const char *id)
{
	size_t n;

	if (!pattern || !id || !*pattern)
		return false;
	n = strlen(pattern);
	if (strncmp(pattern, id, n) != 0)
		return false;
	return id[n] == '\0' || id[n] == '.';
}

bool bench_filter_selects(const struct bench_filter *f, const char *id)
{
	bool sel;

	if (!f)
		return true;
	sel = f->only.n == 0;
	for (size_t i = 0; !sel && i < f->only.n; i++)
		sel = bench_id_matches(f->only.v[i], id);
	for (size_t i = 0; sel && i < f->skip.n; i++)
		if (bench_id_matches(f->skip.v[i], id))
			sel = false;
	return sel;
}

void bench_filter_release(struct bench_filter *f)
{
	if (!f)
		return;
	bw_strv_release(&f->only);
	bw_strv_release(&f->skip);
}

enum bw_err bench_format_parse(const char *s, enum bench_format *out, struct bw_errbuf *eb)
{
	if (s && strcmp(s, "table") == 0)
		*out = BENCH_FORMAT_TABLE;
	else if (s && strcmp(s, "json") == 0)
		*out = BENCH_FORMAT_JSON;
	else if (s && strcmp(s, "junit") == 0)
		*out = BENCH_FORMAT_JUNIT;
	else
		return bw_fail(eb, BW_ERR_USAGE, "unknown format '%s' (expected table, json or junit)",
			       s ? s : "");
	return BW_OK;
}

enum bw_err bench_write(const struct bench_report *r, enum bench_format fmt, FILE *f,
			struct bw_errbuf *eb)
{
	switch (fmt) {
	case BENCH_FORMAT_JSON:
		return bench_write_json(r, f, eb);
	case BENCH_FORMAT_JUNIT:
		return bench_write_junit(r, f, eb);
	case BENCH_FORMAT_TABLE:
		break;
	}
	return bench_write_table(r, f, eb);
}

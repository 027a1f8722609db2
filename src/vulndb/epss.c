/* epss.c - FIRST EPSS scores, CSV as published at
 * https://epss.empiricalsecurity.com/epss_scores-current.csv.gz: an optional
 * comment line "#model_version:v2025.03.14,score_date:...", then the header
 * "cve,epss,percentile" and one "CVE-2024-0001,0.00043,0.12345" per line. */
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

static bool parse_prob(const char *s, size_t n, double *out)
{
	char buf[32], *end;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0' && *out >= 0.0 && *out <= 1.0;
}

enum bw_err vdb_read_epss_csv(struct vdb_builder *b, const char *name, const char *data,
			      size_t len, struct bw_errbuf *eb)
{
	const char *p = data, *end = data + len;
	enum bw_err result;
	bool header = false;
	size_t line = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		const char *c1, *c2;
		char cve[40];
		double score, pct;

		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == '#')
			goto next;
		if (!header) {
			if (n != 19 || memcmp(p, "cve,epss,percentile", 19) != 0)
				return bw_fail(eb, BW_ERR_FORMAT,
					       "%s: line %zu: expected header cve,epss,percentile", name,
					       line);
			header = true;
			goto next;
		}
		c1 = memchr(p, ',', n);
		c2 = c1 ? memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - p)) : NULL;
		if (!c1 || !c2 || (size_t)(c1 - p) >= sizeof(cve) ||
		    !parse_prob(c1 + 1, (size_t)(c2 - c1 - 1), &score) ||
		    !parse_prob(c2 + 1, n - (size_t)(c2 + 1 - p), &pct)) {
			BW_WARN("%s: line %zu: not \"CVE,score,percentile\", skipped", name, line);
			goto next;
		}
		memcpy(cve, p, (size_t)(c1 - p));
		cve[c1 - p] = '\0';
		if (!vdb_is_cve(cve)) {
			BW_WARN("%s: line %zu: %s is not a CVE ID, skipped", name, line, cve);
			goto next;
		}
		result = vdb_b_epss(b, cve, score, pct, eb);
		if (result != BW_OK)
			return result;
next:
		p = eol ? eol + 1 : end;
	}
	if (!header)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no cve,epss,percentile header", name);
	return BW_OK;
}

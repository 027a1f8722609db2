/* cargo.c - crates.io versions: strict SemVer 2.0 as the semver crate
 * parses them (MAJOR.MINOR.PATCH, u64 parts without leading zeros,
 * optional -prerelease and +build). Ordering is SemVer 2.0 precedence:
 * build metadata is ignored (the crate's Ord breaks such ties by the
 * build string, which no requirement ever looks at).
 */
#include <string.h>

#include "version/version_int.h"

static bool c_num(const char *s, size_t *i, uint64_t *out)
{
	size_t st = *i;
	while (vi_digit((unsigned char)s[*i]))
		(*i)++;
	size_t n = *i - st;
	if (n == 0 || (n > 1 && s[st] == '0'))
		return false;
	uint64_t v = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t d = (uint64_t)(s[st + k] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false; /* the crate rejects values above u64 */
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool c_ids(const char *s, size_t *i, bool numcheck)
{
	for (;;) {
		size_t st = *i;
		bool alldig = true;
		while (vi_alnum((unsigned char)s[*i]) || s[*i] == '-') {
			alldig = alldig && vi_digit((unsigned char)s[*i]);
			(*i)++;
		}
		if (*i == st || (numcheck && alldig && *i - st > 1 && s[st] == '0'))
			return false;
		if (s[*i] != '.')
			return true;
		(*i)++;
	}
}

static bool c_parse(const char *s, struct version_sv *v)
{
	size_t i = 0;

	memset(v, 0, sizeof(*v));
	if (!c_num(s, &i, &v->major) || s[i++] != '.' || !c_num(s, &i, &v->minor) || s[i++] != '.' ||
	    !c_num(s, &i, &v->patch))
		return false;
	if (s[i] == '-') {
		size_t st = ++i;
		if (!c_ids(s, &i, true))
			return false;
		v->pre = s + st;
		v->pre_len = i - st;
	}
	if (s[i] == '+') {
		size_t st = ++i;
		if (!c_ids(s, &i, false))
			return false;
		v->build = s + st;
		v->build_len = i - st;
	}
	return s[i] == '\0';
}

int version_cargo_compare(const char *a, const char *b, bool *valid)
{
	struct version_sv x, y;
	bool oka = c_parse(a, &x), okb = c_parse(b, &y);

	*valid = oka && okb;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return version_bytecmp(a, strlen(a), b, strlen(b));
	}
	return version_sv_cmp(&x, &y);
}

bool version_cargo_valid(const char *v)
{
	struct version_sv x;
	return c_parse(v, &x);
}

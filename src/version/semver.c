/* semver.c - SemVer 2.0 ordering with node-semver's parsing (npm):
 * MAJOR.MINOR.PATCH[-prerelease][+build], an optional leading "v"; loose
 * mode also takes "=" and spaces before the version, leading zeros, and a
 * prerelease without its '-' ("1.2.3beta"). Build metadata does not order.
 * version_compare(VERSION_SEMVER, ...) parses loosely, as npm does for
 * installed packages.
 */
#include <string.h>

#include "version/version_int.h"

int version_prerelease_cmp(const char *a, size_t an, const char *b, size_t bn, bool icase)
{
	const char *ae = a + an, *be = b + bn;

	for (;;) {
		bool a_end = a >= ae, b_end = b >= be;
		if (a_end || b_end)
			return a_end && b_end ? 0 : a_end ? -1 : 1;
		const char *ad = memchr(a, '.', (size_t)(ae - a)), *bd = memchr(b, '.', (size_t)(be - b));
		size_t al = ad ? (size_t)(ad - a) : (size_t)(ae - a);
		size_t bl = bd ? (size_t)(bd - b) : (size_t)(be - b);
		bool anum = al > 0, bnum = bl > 0;
		for (size_t i = 0; i < al && anum; i++)
			anum = vi_digit((unsigned char)a[i]);
		for (size_t i = 0; i < bl && bnum; i++)
			bnum = vi_digit((unsigned char)b[i]);
		int r;
		if (anum && bnum)
			r = version_numcmp(a, al, b, bl);
		else if (anum != bnum)
			r = anum ? -1 : 1;
		else
			r = icase ? version_bytecasecmp(a, al, b, bl) : version_bytecmp(a, al, b, bl);
		if (r)
			return r;
		a += al + (ad ? 1 : 0);
		b += bl + (bd ? 1 : 0);
	}
}

static bool id_char(int c)
{
	return vi_alnum(c) || c == '-';
}

/* dot-separated identifiers of [0-9A-Za-z-]+ starting at s[*i]; strict
 * numeric identifiers may not have leading zeros. */
static bool parse_ids(const char *s, size_t n, size_t *i, bool strict_num)
{
	for (;;) {
		size_t st = *i;
		bool alldig = true;
		while (*i < n && id_char((unsigned char)s[*i])) {
			if (!vi_digit((unsigned char)s[*i]))
				alldig = false;
			(*i)++;
		}
		size_t len = *i - st;
		if (len == 0)
			return false;
		if (strict_num && alldig && len > 1 && s[st] == '0')
			return false;
		if (*i < n && s[*i] == '.') {
			(*i)++;
			continue;
		}
		return true;
	}
}

static bool parse_num(const char *s, size_t n, size_t *i, bool loose, uint64_t *out)
{
	size_t st = *i;
	while (*i < n && vi_digit((unsigned char)s[*i]))
		(*i)++;
	size_t len = *i - st;
	if (len == 0 || (!loose && len > 1 && s[st] == '0'))
		return false;
	/* loose allows leading zeros: skip them for the range check */
	while (len > 1 && s[st] == '0') {
		st++;
		len--;
	}
	return version_parse_u64(s + st, len, VSV_MAX_SAFE, out);
}

bool version_sv_parse(const char *s, size_t n, bool loose, struct version_sv *out)
{
	size_t i = 0;

	if (n > VSV_MAX_LENGTH)
		return false;
	while (n > 0 && vi_space((unsigned char)s[n - 1]))
		n--;
	while (i < n && vi_space((unsigned char)s[i]))
		i++;
	if (loose) {
		while (i < n && (s[i] == 'v' || s[i] == '=' || vi_space((unsigned char)s[i])))
			i++;
	} else if (i < n && s[i] == 'v') {
		i++;
	}
	memset(out, 0, sizeof(*out));
	if (!parse_num(s, n, &i, loose, &out->major) || i >= n || s[i++] != '.' ||
	    !parse_num(s, n, &i, loose, &out->minor) || i >= n || s[i++] != '.' ||
	    !parse_num(s, n, &i, loose, &out->patch))
		return false;
	if (i < n && (s[i] == '-' || (loose && id_char((unsigned char)s[i])))) {
		if (s[i] == '-')
			i++;
		size_t st = i;
		if (!parse_ids(s, n, &i, !loose))
			return false;
		out->pre = s + st;
		out->pre_len = i - st;
	}
	if (i < n && s[i] == '+') {
		size_t st = ++i;
		if (!parse_ids(s, n, &i, false))
			return false;
		out->build = s + st;
		out->build_len = i - st;
	}
	return i == n;
}

static int u64cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int version_sv_cmp(const struct version_sv *a, const struct version_sv *b)
{
	int r = u64cmp(a->major, b->major);
	if (!r)
		r = u64cmp(a->minor, b->minor);
	if (!r)
		r = u64cmp(a->patch, b->patch);
	if (r)
		return r;
	if (!a->pre_len || !b->pre_len)
		return a->pre_len ? -1 : b->pre_len ? 1 : 0;
	return version_prerelease_cmp(a->pre, a->pre_len, b->pre, b->pre_len, false);
}

int version_semver_compare_opt(const char *a, const char *b, bool loose, bool *valid)
{
	struct version_sv x, y;
	bool oka = version_sv_parse(a, strlen(a), loose, &x), okb = version_sv_parse(b, strlen(b), loose, &y);

	*valid = oka && okb;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return version_bytecmp(a, strlen(a), b, strlen(b));
	}
	return version_sv_cmp(&x, &y);
}

bool version_semver_valid_opt(const char *v, bool loose)
{
	struct version_sv x;
	return version_sv_parse(v, strlen(v), loose, &x);
}

int version_semver_compare(const char *a, const char *b, bool *valid)
{
	return version_semver_compare_opt(a, b, true, valid);
}

bool version_semver_valid(const char *v)
{
	return version_semver_valid_opt(v, true);
}

/* go.c - Go module versions as golang.org/x/mod/semver: "v" then
 * MAJOR[.MINOR[.PATCH[-prerelease][+build]]] ("v1" = "v1.0.0"), no leading
 * zeros; build metadata (such as "+incompatible") does not order.
 * Pseudo-versions (v0.0.0-20191109021931-daa7c04131f5,
 * v1.2.4-0.20191109021931-daa7c04131f5) are prereleases and need nothing
 * more: their timestamp orders them. As in Go, every invalid version sorts
 * before every valid one and invalid versions are equal to each other.
 */
#include <string.h>

#include "version/version_int.h"

struct gover {
	const char *num[3];
	size_t len[3];
	const char *pre;
	size_t pre_len;
};

static bool go_num(const char *s, size_t *i, const char **p, size_t *n)
{
	size_t st = *i;
	while (vi_digit((unsigned char)s[*i]))
		(*i)++;
	*p = s + st;
	*n = *i - st;
	return *n > 0 && !(*n > 1 && s[st] == '0');
}

static bool go_ids(const char *s, size_t *i, bool numcheck)
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

static bool go_parse(const char *s, struct gover *g)
{
	size_t i = 1;

	memset(g, 0, sizeof(*g));
	g->num[1] = g->num[2] = "0";
	g->len[1] = g->len[2] = 1;
	if (s[0] != 'v' || !go_num(s, &i, &g->num[0], &g->len[0]))
		return false;
	if (s[i] == '\0')
		return true;
	if (s[i++] != '.' || !go_num(s, &i, &g->num[1], &g->len[1]))
		return false;
	if (s[i] == '\0')
		return true;
	if (s[i++] != '.' || !go_num(s, &i, &g->num[2], &g->len[2]))
		return false;
	if (s[i] == '-') {
		size_t st = ++i;
		if (!go_ids(s, &i, true))
			return false;
		g->pre = s + st;
		g->pre_len = i - st;
	}
	if (s[i] == '+') {
		i++;
		if (!go_ids(s, &i, false))
			return false;
	}
	return s[i] == '\0';
}

int version_go_compare(const char *a, const char *b, bool *valid)
{
	struct gover x, y;
	bool oka = go_parse(a, &x), okb = go_parse(b, &y);

	*valid = oka && okb;
	if (!oka || !okb)
		return oka == okb ? 0 : oka ? 1 : -1;
	for (int k = 0; k < 3; k++) {
		int r = version_numcmp(x.num[k], x.len[k], y.num[k], y.len[k]);
		if (r)
			return r;
	}
	if (!x.pre_len || !y.pre_len)
		return x.pre_len ? -1 : y.pre_len ? 1 : 0;
	return version_prerelease_cmp(x.pre, x.pre_len, y.pre, y.pre_len, false);
}

bool version_go_valid(const char *v)
{
	struct gover g;
	return go_parse(v, &g);
}

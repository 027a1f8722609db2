/* nuget.c - NuGet versions as NuGet.Versioning's NuGetVersion:
 * 1 to 4 numeric parts (missing ones are 0; leading zeros allowed),
 * optional "-" release labels and "+" metadata. VersionComparer.Default:
 * Major, Minor, Patch, Revision, then a release sorts after its
 * prereleases; labels compare numerically when both are numbers, a number
 * before a word, words case-insensitively; metadata never orders.
 */
#include <string.h>

#include "version/version_int.h"

struct nuver {
	const char *num[4];
	size_t len[4];
	const char *pre;
	size_t pre_len;
};

static bool nu_ids(const char *s, size_t *i)
{
	for (;;) {
		size_t st = *i;
		while (vi_alnum((unsigned char)s[*i]) || s[*i] == '-')
			(*i)++;
		if (*i == st)
			return false;
		if (s[*i] != '.')
			return true;
		(*i)++;
	}
}

static bool nu_parse(const char *s, struct nuver *v)
{
	size_t i = 0;
	int k = 0;

	memset(v, 0, sizeof(*v));
	for (int j = 0; j < 4; j++) {
		v->num[j] = "0";
		v->len[j] = 1;
	}
	for (;;) {
		size_t st = i;
		while (vi_digit((unsigned char)s[i]))
			i++;
		uint64_t n;
		/* each part is a .NET int */
		const char *p = s + st;
		size_t len = i - st;
		while (len > 1 && *p == '0')
			p++, len--;
		if (i == st || !version_parse_u64(p, len, 2147483647u, &n))
			return false;
		v->num[k] = p;
		v->len[k] = len;
		k++;
		if (s[i] != '.' || k == 4)
			break;
		i++;
	}
	if (s[i] == '-') {
		size_t st = ++i;
		if (!nu_ids(s, &i))
			return false;
		v->pre = s + st;
		v->pre_len = i - st;
	}
	if (s[i] == '+') {
		i++;
		if (!nu_ids(s, &i))
			return false;
	}
	return s[i] == '\0';
}

int version_nuget_compare(const char *a, const char *b, bool *valid)
{
	struct nuver x, y;
	bool oka = nu_parse(a, &x), okb = nu_parse(b, &y);

	*valid = oka && okb;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return version_bytecmp(a, strlen(a), b, strlen(b));
	}
	for (int k = 0; k < 4; k++) {
		int r = version_numcmp(x.num[k], x.len[k], y.num[k], y.len[k]);
		if (r)
			return r;
	}
	if (!x.pre_len || !y.pre_len)
		return x.pre_len ? -1 : y.pre_len ? 1 : 0;
	return version_prerelease_cmp(x.pre, x.pre_len, y.pre, y.pre_len, true);
}

bool version_nuget_valid(const char *v)
{
	struct nuver x;
	return nu_parse(v, &x);
}

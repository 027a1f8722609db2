/* composer.c - Packagist versions as composer/semver: VersionParser::
 * normalize() (v prefix, up to four numeric parts, stability suffixes
 * stable|beta|b|RC|alpha|a|patch|pl|p with an optional number, "-dev",
 * date versions, dev-<branch>), then PHP's version_compare() on the
 * normalised strings, which orders dev < alpha < beta < RC < stable <
 * patch. Two dev- branches are equal only when identical; a branch sorts
 * before every numbered version (composer never matches one against a
 * numeric constraint).
 */
#include <stdio.h>
#include <string.h>

#include "version/version_int.h"

#define NORM_MAX (VERSION_MAX_LEN + 32)

static bool ieq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && version_bytecasecmp(s, n, w, n) == 0;
}

static const char *expand_stability(const char *s, size_t n)
{
	if (ieq(s, n, "a") || ieq(s, n, "alpha"))
		return "alpha";
	if (ieq(s, n, "b") || ieq(s, n, "beta"))
		return "beta";
	if (ieq(s, n, "p") || ieq(s, n, "pl") || ieq(s, n, "patch"))
		return "patch";
	if (ieq(s, n, "rc"))
		return "RC";
	if (ieq(s, n, "stable"))
		return "stable";
	return NULL;
}

/* [._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)? at s[*i..n),
 * appended to out. */
static bool modifier(const char *s, size_t n, size_t i, char *out, size_t *o, size_t cap)
{
	static const char *const stab[] = {"stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p"};
	size_t j = i;
	if (j < n && (s[j] == '.' || s[j] == '_' || s[j] == '-'))
		j++;
	for (size_t k = 0; k < sizeof(stab) / sizeof(stab[0]); k++) {
		size_t l = strlen(stab[k]);
		if (n - j < l || version_bytecasecmp(s + j, l, stab[k], l) != 0)
			continue;
		const char *word = s + j;
		size_t t = j + l;
		/* ((?:[.-]?\d+)*) */
		size_t num_st = t;
		for (;;) {
			size_t u = t;
			if (u < n && (s[u] == '.' || s[u] == '-'))
				u++;
			if (u < n && vi_digit((unsigned char)s[u])) {
				while (u < n && vi_digit((unsigned char)s[u]))
					u++;
				t = u;
				continue;
			}
			break;
		}
		const char *st = expand_stability(word, l);
		if (strcmp(st, "stable") != 0) {
			int w = snprintf(out + *o, cap - *o, "-%s", st);
			if (w < 0 || (size_t)w >= cap - *o)
				return false;
			*o += (size_t)w;
			/* ltrim(number, '.-') */
			size_t q = num_st;
			while (q < t && (s[q] == '.' || s[q] == '-'))
				q++;
			if (t - q >= cap - *o)
				return false;
			memcpy(out + *o, s + q, t - q);
			*o += t - q;
			out[*o] = '\0';
		}
		j = t;
		break;
	}
	size_t d = j;
	if (d < n && (s[d] == '.' || s[d] == '-'))
		d++;
	if (n - d == 3 && ieq(s + d, 3, "dev")) {
		if (cap - *o < 5)
			return false;
		memcpy(out + *o, "-dev", 5);
		*o += 4;
		return true;
	}
	return j == n;
}

/* classical: v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)? + modifier, missing parts .0 */
static bool norm_classic(const char *s, size_t n, size_t k, char *out, size_t cap)
{
	size_t t = k, o = 0;
	int parts = 0;

	while (parts < 4) {
		size_t st = t;
		if (parts > 0) {
			if (t >= n || s[t] != '.' || t + 1 >= n || !vi_digit((unsigned char)s[t + 1]))
				break;
			st = ++t;
		}
		while (t < n && vi_digit((unsigned char)s[t]))
			t++;
		size_t w = t - st;
		if (o + w + 2 >= cap)
			return false;
		if (parts > 0)
			out[o++] = '.';
		memcpy(out + o, s + st, w);
		o += w;
		parts++;
	}
	for (; parts < 4; parts++) {
		if (o + 3 >= cap)
			return false;
		memcpy(out + o, ".0", 2);
		o += 2;
	}
	out[o] = '\0';
	return modifier(s, n, t, out, &o, cap);
}

/* date versions: v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2}) + modifier,
 * every non-digit becoming '.' */
static bool norm_date(const char *s, size_t n, size_t k, char *out, size_t cap)
{
	size_t t = k + 4, groups = 0, o = 0;

	for (;;) {
		size_t u = t;
		if (u < n && (s[u] == '.' || s[u] == ':' || s[u] == '-'))
			u++;
		if (groups < 6 && u + 2 <= n && vi_digit((unsigned char)s[u]) && vi_digit((unsigned char)s[u + 1])) {
			t = u + 2;
			groups++;
			continue;
		}
		break;
	}
	if (groups == 0)
		return false;
	for (int extra = 0; extra < 2; extra++) {
		size_t u = t;
		if (u < n && (s[u] == '.' || s[u] == ':' || s[u] == '-'))
			u++;
		size_t dg = 0;
		while (u + dg < n && dg < 3 && vi_digit((unsigned char)s[u + dg]))
			dg++;
		if (dg > 0 && !(u + dg < n && vi_digit((unsigned char)s[u + dg])))
			t = u + dg;
	}
	if (t - k >= cap)
		return false;
	for (size_t q = k; q < t; q++)
		out[o++] = vi_digit((unsigned char)s[q]) ? s[q] : '.';
	out[o] = '\0';
	return modifier(s, n, t, out, &o, cap);
}

/* (.*?)[.-]?dev$ then normalizeBranch: v?N(.N|.x)(.N|.x)(.N|.x), x -> 9999999 */
static bool norm_branch(const char *s, size_t n, char *out, size_t cap)
{
	if (n < 3 || !ieq(s + n - 3, 3, "dev"))
		return false;
	size_t e = n - 3;
	if (e > 0 && (s[e - 1] == '.' || s[e - 1] == '-'))
		e--;
	size_t q = (e > 0 && (s[0] == 'v' || s[0] == 'V')) ? 1 : 0, st = q, o;
	while (q < e && vi_digit((unsigned char)s[q]))
		q++;
	if (q == st || q - st + 1 >= cap)
		return false;
	memcpy(out, s + st, q - st);
	o = q - st;
	for (int part = 0; part < 3; part++) {
		const char *p = ".9999999";
		size_t pl = 8;
		if (q < e) {
			if (s[q] != '.' || q + 1 >= e)
				return false;
			size_t ps = ++q;
			if (s[q] == 'x' || s[q] == 'X' || s[q] == '*') {
				q++;
			} else {
				while (q < e && vi_digit((unsigned char)s[q]))
					q++;
				if (q == ps)
					return false;
				p = s + ps - 1; /* ".digits" */
				pl = q - ps + 1;
			}
		}
		if (o + pl + 5 >= cap)
			return false;
		memcpy(out + o, p, pl);
		o += pl;
	}
	if (q != e)
		return false;
	memcpy(out + o, "-dev", 5);
	return true;
}

/* VersionParser::normalize into out; false when composer throws. */
static bool composer_normalize(const char *in, char *out, size_t cap)
{
	size_t i = 0, n = strlen(in);

	while (i < n && vi_space((unsigned char)in[i]))
		i++;
	while (n > i && vi_space((unsigned char)in[n - 1]))
		n--;
	const char *s = in + i;
	n -= i;
	if (n == 0 || n >= cap)
		return false;
	/* " as alias" */
	for (size_t k = 0; k + 4 <= n; k++) {
		if (vi_space((unsigned char)s[k]) && (s[k + 1] == 'a' || s[k + 1] == 'A') &&
		    (s[k + 2] == 's' || s[k + 2] == 'S') && vi_space((unsigned char)s[k + 3])) {
			n = k;
			while (n > 0 && vi_space((unsigned char)s[n - 1]))
				n--;
			break;
		}
	}
	if (ieq(s, n, "master") || ieq(s, n, "trunk") || ieq(s, n, "default") || ieq(s, n, "dev-master") ||
	    ieq(s, n, "dev-trunk") || ieq(s, n, "dev-default")) {
		size_t skip = n > 4 && ieq(s, 4, "dev-") ? 4 : 0;
		snprintf(out, cap, "dev-%.*s", (int)(n - skip), s + skip);
		return true;
	}
	if (n > 4 && ieq(s, 4, "dev-")) {
		memcpy(out, "dev-", 4);
		memcpy(out + 4, s + 4, n - 4);
		out[n] = '\0';
		return true;
	}
	/* strip +build: ^([^,\s+]+)\+[^\s]+$ */
	const char *plus = memchr(s, '+', n);
	if (plus && plus > s && plus + 1 < s + n) {
		bool ok = true;
		for (const char *p = s; p < plus; p++)
			if (*p == ',' || vi_space((unsigned char)*p))
				ok = false;
		for (const char *p = plus + 1; p < s + n; p++)
			if (vi_space((unsigned char)*p))
				ok = false;
		if (ok)
			n = (size_t)(plus - s);
	}
	size_t k = (s[0] == 'v' || s[0] == 'V') ? 1 : 0, digs = 0;
	while (k + digs < n && vi_digit((unsigned char)s[k + digs]))
		digs++;
	if (digs >= 1 && digs <= 5 && norm_classic(s, n, k, out, cap))
		return true;
	if (digs >= 4 && norm_date(s, n, k, out, cap))
		return true;
	return norm_branch(s, n, out, cap);
}

bool version_composer_normalize(const char *in, char *out, size_t cap)
{
	return composer_normalize(in, out, cap);
}

/* PHP's php_canonicalize_version + version_compare */
static int special_form(const char *p, size_t n)
{
	static const struct {
		const char *name;
		int order;
	} forms[] = {{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"RC", 3},
		     {"rc", 3},  {"#", 4},     {"pl", 5}, {"p", 5}};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t l = strlen(forms[i].name);
		if (n >= l && memcmp(p, forms[i].name, l) == 0)
			return forms[i].order;
	}
	return -1;
}

static size_t canonicalize(const char *v, char *out, size_t cap)
{
	size_t q = 0;
	if (!*v || cap < 2)
		return 0;
	int lp = (unsigned char)*v;
	out[q++] = *v++;
	for (; *v && q + 2 < cap; v++) {
		int c = (unsigned char)*v;
		bool ldig = vi_digit(lp), lndig = !vi_digit(lp) && lp != '.';
		bool cdig = vi_digit(c), cndig = !vi_digit(c) && c != '.';
		if (c == '-' || c == '_' || c == '+') {
			if (out[q - 1] != '.')
				out[q++] = '.';
		} else if ((lndig && cdig) || (ldig && cndig)) {
			if (out[q - 1] != '.')
				out[q++] = '.';
			out[q++] = (char)c;
		} else if (!vi_alnum(c)) {
			if (out[q - 1] != '.')
				out[q++] = '.';
		} else {
			out[q++] = (char)c;
		}
		lp = c;
	}
	out[q] = '\0';
	return q;
}

static int php_version_compare(const char *a, const char *b)
{
	char ca[2 * NORM_MAX + 2], cb[2 * NORM_MAX + 2];
	size_t na = canonicalize(a, ca, sizeof(ca)), nb = canonicalize(b, cb, sizeof(cb));
	const char *p1 = ca, *p2 = cb, *e1 = ca + na, *e2 = cb + nb;
	int r = 0;

	if (!na || !nb)
		return na ? 1 : nb ? -1 : 0;
	while (p1 < e1 && p2 < e2) {
		const char *n1 = memchr(p1, '.', (size_t)(e1 - p1)), *n2 = memchr(p2, '.', (size_t)(e2 - p2));
		size_t l1 = n1 ? (size_t)(n1 - p1) : (size_t)(e1 - p1);
		size_t l2 = n2 ? (size_t)(n2 - p2) : (size_t)(e2 - p2);
		bool d1 = l1 && vi_digit((unsigned char)*p1), d2 = l2 && vi_digit((unsigned char)*p2);
		if (d1 && d2)
			r = version_numcmp(p1, l1, p2, l2);
		else if (!d1 && !d2)
			r = special_form(p1, l1) - special_form(p2, l2);
		else if (d1)
			r = 4 - special_form(p2, l2);
		else
			r = special_form(p1, l1) - 4;
		if (r)
			return r < 0 ? -1 : 1;
		p1 = n1 ? n1 + 1 : e1;
		p2 = n2 ? n2 + 1 : e2;
		if (!n1 || !n2) {
			if (n1 || n2) {
				/* one side has more parts */
				if (n1)
					return vi_digit((unsigned char)*p1) ? 1 : (special_form(p1, (size_t)(e1 - p1)) - 4 < 0 ? -1 : 1);
				return vi_digit((unsigned char)*p2) ? -1 : (4 - special_form(p2, (size_t)(e2 - p2)) < 0 ? -1 : 1);
			}
			return 0;
		}
	}
	return 0;
}

static _Thread_local char norm_a[NORM_MAX], norm_b[NORM_MAX];

int version_composer_compare(const char *a, const char *b, bool *valid)
{
	bool oka = composer_normalize(a, norm_a, sizeof(norm_a));
	bool okb = composer_normalize(b, norm_b, sizeof(norm_b));

	*valid = oka && okb;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return version_bytecmp(a, strlen(a), b, strlen(b));
	}
	bool ba = strncmp(norm_a, "dev-", 4) == 0, bb = strncmp(norm_b, "dev-", 4) == 0;
	if (ba || bb) {
		if (ba && bb)
			return version_bytecmp(norm_a, strlen(norm_a), norm_b, strlen(norm_b));
		return ba ? -1 : 1;
	}
	return php_version_compare(norm_a, norm_b);
}

bool version_composer_valid(const char *v)
{
	return composer_normalize(v, norm_a, sizeof(norm_a));
}

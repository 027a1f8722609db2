/* rpm.c - RPM version ordering: [epoch:]version[-release] compared as
 * rpm's rpmverCmp (epoch, then version, then release when both sides have
 * one), each part with rpmvercmp: alphanumeric segments, digits
 * numerically and newer than letters, '~' sorts before everything
 * (pre-release), '^' after the end but before any more segment
 * (post-release snapshot), other bytes are separators.
 */
#include <string.h>

#include "version/version_int.h"

static bool seg_sep(int c)
{
	return !vi_alnum(c) && c != '~' && c != '^';
}

static int vercmp_n(const char *a, size_t an, const char *b, size_t bn)
{
	const char *one = a, *two = b, *ae = a + an, *be = b + bn;

	if (an == bn && memcmp(a, b, an) == 0)
		return 0;
	while (one < ae || two < be) {
		while (one < ae && seg_sep((unsigned char)*one))
			one++;
		while (two < be && seg_sep((unsigned char)*two))
			two++;

		/* tilde: sorts before everything else */
		if ((one < ae && *one == '~') || (two < be && *two == '~')) {
			if (one >= ae || *one != '~')
				return 1;
			if (two >= be || *two != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		/* caret: like the end of the version, but after it */
		if ((one < ae && *one == '^') || (two < be && *two == '^')) {
			if (one >= ae)
				return -1;
			if (two >= be)
				return 1;
			if (*one != '^')
				return 1;
			if (*two != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (one >= ae || two >= be)
			break;

		const char *s1 = one, *s2 = two;
		bool isnum = vi_digit((unsigned char)*one);
		if (isnum) {
			while (s1 < ae && vi_digit((unsigned char)*s1))
				s1++;
			while (s2 < be && vi_digit((unsigned char)*s2))
				s2++;
		} else {
			while (s1 < ae && vi_alpha((unsigned char)*s1))
				s1++;
			while (s2 < be && vi_alpha((unsigned char)*s2))
				s2++;
		}
		/* segments of different types: numeric is newer */
		if (two == s2)
			return isnum ? 1 : -1;
		int r = isnum ? version_numcmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two))
			      : version_bytecmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
		if (r)
			return r;
		one = s1;
		two = s2;
	}
	if (one >= ae && two >= be)
		return 0;
	return one >= ae ? -1 : 1;
}

int version_rpm_vercmp(const char *a, const char *b)
{
	return vercmp_n(a, strlen(a), b, strlen(b));
}

struct evr {
	const char *e, *v, *r;
	size_t el, vl, rl;
	bool has_r;
};

/* rpm's parseEVR: an epoch is the leading digits before a ':', the release
 * what follows the last '-'. */
static bool evr_split(const char *s, struct evr *out)
{
	bool ok = *s != '\0';
	const char *p = s;

	while (vi_digit((unsigned char)*p))
		p++;
	out->e = "0";
	out->el = 1;
	if (*p == ':') {
		if (p > s) {
			out->e = s;
			out->el = (size_t)(p - s);
		}
		s = p + 1;
	}
	const char *dash = strrchr(s, '-');
	out->v = s;
	out->has_r = dash != NULL;
	if (dash) {
		out->vl = (size_t)(dash - s);
		out->r = dash + 1;
		out->rl = strlen(dash + 1);
		if (out->rl == 0)
			ok = false;
	} else {
		out->vl = strlen(s);
		out->r = "";
		out->rl = 0;
	}
	if (out->vl == 0)
		ok = false;
	for (const char *q = out->v; *q; q++)
		if (vi_space((unsigned char)*q) || *q == ':')
			ok = false;
	return ok;
}

int version_rpm_compare(const char *a, const char *b, bool *valid)
{
	struct evr x, y;
	bool oka = evr_split(a, &x), okb = evr_split(b, &y);
	int r;

	*valid = oka && okb;
	r = vercmp_n(x.e, x.el, y.e, y.el);
	if (r)
		return r;
	r = vercmp_n(x.v, x.vl, y.v, y.vl);
	if (r)
		return r;
	if (x.has_r && y.has_r)
		r = vercmp_n(x.r, x.rl, y.r, y.rl);
	return r;
}

bool version_rpm_valid(const char *v)
{
	struct evr x;
	return evr_split(v, &x);
}

/* dpkg.c - Debian version ordering: [epoch:]upstream[-revision], compared
 * as dpkg's lib/dpkg/version.c does (epoch numerically, then upstream and
 * revision with verrevcmp, where '~' sorts before everything, even the end
 * of the string, letters sort before non-letters, digit runs numerically).
 */
#include <string.h>

#include "version/version_int.h"

struct dpkg_ver {
	const char *epoch; /* digits, may be empty (= 0) */
	size_t epoch_len;
	const char *up;
	size_t up_len;
	const char *rev; /* may be empty */
	size_t rev_len;
};

/* Split v like dpkg's parseversion: leading and trailing spaces are
 * skipped; the epoch is what precedes the first ':', the revision what
 * follows the last '-'. Returns false on what dpkg rejects as an error
 * (empty, embedded space, bad epoch, empty upstream or revision). Lenient
 * problems dpkg only warns about (a first character that is not a digit,
 * characters outside [A-Za-z0-9.+~:-]) are accepted. */
static bool dpkg_split(const char *v, struct dpkg_ver *out)
{
	const char *s = v, *e;
	bool ok = true;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		e--;
	if (e == s)
		ok = false;
	for (const char *p = s; p < e; p++)
		if (vi_space((unsigned char)*p))
			ok = false;

	const char *colon = memchr(s, ':', (size_t)(e - s));
	out->epoch = s;
	out->epoch_len = 0;
	if (colon) {
		out->epoch_len = (size_t)(colon - s);
		if (out->epoch_len == 0)
			ok = false; /* "epoch in version is empty" */
		/* dpkg parses the epoch with strtol: digits only, <= INT_MAX */
		uint64_t ep;
		if (!version_parse_u64(s, out->epoch_len, 2147483647u, &ep))
			ok = false;
		s = colon + 1;
		if (s == e)
			ok = false; /* "nothing after colon in version number" */
	}
	const char *hyphen = NULL;
	for (const char *p = e; p > s; p--) {
		if (p[-1] == '-') {
			hyphen = p - 1;
			break;
		}
	}
	out->up = s;
	if (hyphen) {
		out->up_len = (size_t)(hyphen - s);
		out->rev = hyphen + 1;
		out->rev_len = (size_t)(e - hyphen - 1);
		if (out->rev_len == 0)
			ok = false; /* "revision number is empty" */
	} else {
		out->up_len = (size_t)(e - s);
		out->rev = e;
		out->rev_len = 0;
	}
	if (out->up_len == 0)
		ok = false; /* "version number is empty" */
	return ok;
}

static int order(const char *p, const char *end)
{
	if (p >= end)
		return 0;
	int c = (unsigned char)*p;
	if (vi_digit(c))
		return 0;
	if (vi_alpha(c))
		return c;
	if (c == '~')
		return -1;
	return c + 256;
}

/* dpkg's verrevcmp over [a, a+an) and [b, b+bn). */
static int verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
	const char *ae = a + an, *be = b + bn;

	while (a < ae || b < be) {
		while ((a < ae && !vi_digit((unsigned char)*a)) || (b < be && !vi_digit((unsigned char)*b))) {
			int ac = order(a, ae), bc = order(b, be);
			if (ac != bc)
				return ac - bc;
			/* equal orders are both non-zero: neither side is at its end */
			if (a < ae)
				a++;
			if (b < be)
				b++;
		}
		const char *ds = a;
		while (a < ae && vi_digit((unsigned char)*a))
			a++;
		const char *dt = b;
		while (b < be && vi_digit((unsigned char)*b))
			b++;
		int r = version_numcmp(ds, (size_t)(a - ds), dt, (size_t)(b - dt));
		if (r)
			return r;
	}
	return 0;
}

int version_dpkg_compare(const char *a, const char *b, bool *valid)
{
	struct dpkg_ver va, vb;
	bool oka = dpkg_split(a, &va), okb = dpkg_split(b, &vb);
	int r;

	*valid = oka && okb;
	/* A bad epoch still compares by its digits (garbage sorts as 0). */
	r = version_numcmp(va.epoch, strspn(va.epoch, "0123456789") < va.epoch_len ? 0 : va.epoch_len,
		      vb.epoch, strspn(vb.epoch, "0123456789") < vb.epoch_len ? 0 : vb.epoch_len);
	if (r)
		return r;
	r = verrevcmp(va.up, va.up_len, vb.up, vb.up_len);
	if (r)
		return r;
	return verrevcmp(va.rev, va.rev_len, vb.rev, vb.rev_len);
}

bool version_dpkg_valid(const char *v)
{
	struct dpkg_ver dv;
	return dpkg_split(v, &dv);
}

/* path.c - lexical normalisation and glob matching of image paths. */
#include <string.h>

#include "core.h"

enum bw_err bw_path_clean(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	const char *p = in;

	if (outsz == 0 || strlen(in) >= outsz)
		return BW_ERR_LIMIT;
	while (*p) {
		const char *seg;
		size_t n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (o == 0)
				return BW_ERR_FORMAT; /* climbs above the root */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* drop the separator */
			continue;
		}
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	out[o] = '\0';
	return BW_OK;
}

const char *bw_path_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

void bw_path_dir(const char *p, char *out, size_t outsz)
{
	const char *s = strrchr(p, '/');
	size_t n = s ? (size_t)(s - p) : 0;

	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Match one component (no '/') against a pattern component with * and ?. */
static bool match_seg(const char *pat, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < sn) {
		if (pi < pn && (pat[pi] == '?' || pat[pi] == s[si])) {
			pi++;
			si++;
		} else if (pi < pn && pat[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (star_p != SIZE_MAX) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < pn && pat[pi] == '*')
		pi++;
	return pi == pn;
}

static size_t seg_len(const char *s)
{
	const char *e = strchr(s, '/');

	return e ? (size_t)(e - s) : strlen(s);
}

/* Components are matched like characters in a '*'-glob: a "**" component
 * is the '*', any other pattern component matches exactly one path
 * component (with '*'/'?' inside it). The classic single-backtrack-point
 * algorithm is then correct and runs in O(components(pattern) *
 * components(path)), whatever the number of "**". */
static bool is_globstar(const char *p, size_t n)
{
	return n == 2 && p[0] == '*' && p[1] == '*';
}

static const char *next_seg(const char *s, size_t n)
{
	s += n;
	return *s == '/' ? s + 1 : s;
}

bool bw_path_match(const char *pattern, const char *path)
{
	const char *pat = pattern, *p = path;
	const char *star_pat = NULL, *star_path = NULL;

	/* "" matches only "" (the root); otherwise walk components */
	if (!*pat)
		return !*p;
	for (;;) {
		size_t pn = *pat ? seg_len(pat) : 0;

		if (*pat && is_globstar(pat, pn)) {
			star_pat = next_seg(pat, pn);
			star_path = p;
			pat = star_pat;
			continue;
		}
		if (!*p) {
			/* path used up: only trailing "**" components may remain */
			while (*pat && is_globstar(pat, seg_len(pat)))
				pat = next_seg(pat, seg_len(pat));
			if (!*pat)
				return true;
		} else if (*pat) {
			size_t sn = seg_len(p);

			if (match_seg(pat, pn, p, sn)) {
				pat = next_seg(pat, pn);
				p = next_seg(p, sn);
				continue;
			}
		}
		/* mismatch: let the last "**" swallow one more component */
		if (!star_pat || !*star_path)
			return false;
		star_path = next_seg(star_path, seg_len(star_path));
		p = star_path;
		pat = star_pat;
	}
}

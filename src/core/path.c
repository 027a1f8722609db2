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

/* Iterative over components; "**" backtracks over whole components. The
 * depth of recursion is bounded by the number of "**" in the pattern. */
static bool match_from(const char *pat, const char *path)
{
	for (;;) {
		size_t pn, sn;

		if (!*pat)
			return !*path;
		pn = seg_len(pat);
		if (pn == 2 && pat[0] == '*' && pat[1] == '*') {
			const char *rest = pat[2] == '/' ? pat + 3 : pat + 2;

			if (!*rest)
				return true; /* trailing ** matches everything below */
			for (const char *p = path;;) {
				if (match_from(rest, p))
					return true;
				p = strchr(p, '/');
				if (!p)
					return false;
				p++;
			}
		}
		if (!*path)
			return false;
		sn = seg_len(path);
		if (!match_seg(pat, pn, path, sn))
			return false;
		pat += pn;
		path += sn;
		if (*pat == '/')
			pat++;
		if (*path == '/')
			path++;
		else if (*pat)
			/* path ended; pattern may still be a trailing "**" */
			return strcmp(pat, "**") == 0;
	}
}

bool bw_path_match(const char *pattern, const char *path)
{
	return match_from(pattern, path);
}

/* gem.c - RubyGems versions (Gem::Version) and requirements
 * (Gem::Requirement).
 *
 * A version matches /\A\s*([0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z/
 * (blank means "0"); every '-' reads as ".pre.". Segments are the runs of
 * digits and of letters; a version with a letter is a prerelease. Ordering
 * uses canonical segments (trailing zeros dropped from the numeric part and
 * from the part after the first letter), missing segments count as 0, a
 * letter segment sorts before a number, letters compare as strings.
 * "~> 2.2.1" means ">= 2.2.1" and "< 2.3" (the bump of the version).
 */
#include <string.h>

#include "version/version_int.h"

#define GEM_MAX_SEG 512

struct gseg {
	const char *p;
	size_t n;
	bool num;
};

struct gver {
	struct gseg s[GEM_MAX_SEG];
	size_t n;
	bool prerelease;
	const char *raw; /* stripped text, for the early equality check */
	size_t raw_len;
};

static bool gem_parse(const char *v, size_t len, struct gver *g)
{
	size_t i = 0, e = len;

	g->n = 0;
	g->prerelease = false;
	while (i < e && vi_space((unsigned char)v[i]))
		i++;
	while (e > i && vi_space((unsigned char)v[e - 1]))
		e--;
	g->raw = v + i;
	g->raw_len = e - i;
	if (i == e) {
		g->s[0] = (struct gseg){"0", 1, true};
		g->n = 1;
		return true;
	}
	/* grammar check */
	size_t k = i;
	if (!vi_digit((unsigned char)v[k]))
		return false;
	while (k < e && vi_digit((unsigned char)v[k]))
		k++;
	while (k < e && v[k] == '.') {
		size_t st = ++k;
		while (k < e && vi_alnum((unsigned char)v[k]))
			k++;
		if (k == st)
			return false;
	}
	if (k < e && v[k] == '-') {
		k++;
		for (;;) {
			size_t st = k;
			while (k < e && (vi_alnum((unsigned char)v[k]) || v[k] == '-'))
				k++;
			if (k == st)
				return false;
			if (k < e && v[k] == '.') {
				k++;
				continue;
			}
			break;
		}
	}
	if (k != e)
		return false;
	/* segments of the text with '-' read as ".pre." */
	for (k = i; k < e;) {
		int c = (unsigned char)v[k];
		struct gseg sg;
		if (c == '-') {
			sg = (struct gseg){"pre", 3, false};
			k++;
		} else if (vi_digit(c) || vi_alpha(c)) {
			bool num = vi_digit(c);
			size_t st = k;
			while (k < e && (num ? vi_digit((unsigned char)v[k]) : vi_alpha((unsigned char)v[k])))
				k++;
			sg = (struct gseg){v + st, k - st, num};
		} else {
			k++;
			continue;
		}
		if (g->n >= GEM_MAX_SEG)
			return false;
		if (!sg.num)
			g->prerelease = true;
		g->s[g->n++] = sg;
	}
	return true;
}

static bool seg_zero(const struct gseg *s)
{
	if (!s->num)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i] != '0')
			return false;
	return true;
}

/* canonical_segments into out (pointers copied), returns the count */
static size_t canonical(const struct gver *g, struct gseg *out)
{
	size_t first_str = g->n, n = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (!g->s[i].num) {
			first_str = i;
			break;
		}
	}
	size_t end = first_str;
	while (end > 0 && seg_zero(&g->s[end - 1]))
		end--;
	for (size_t i = 0; i < end; i++)
		out[n++] = g->s[i];
	end = g->n;
	while (end > first_str && seg_zero(&g->s[end - 1]))
		end--;
	for (size_t i = first_str; i < end; i++)
		out[n++] = g->s[i];
	return n;
}

static _Thread_local struct gseg canon_a[GEM_MAX_SEG], canon_b[GEM_MAX_SEG];

static int gem_cmp(const struct gver *a, const struct gver *b)
{
	struct gseg *ca = canon_a, *cb = canon_b;
	int r = 0;

	if (a->raw && b->raw && a->raw_len == b->raw_len && memcmp(a->raw, b->raw, a->raw_len) == 0)
		return 0;
	size_t na = canonical(a, ca), nb = canonical(b, cb);
	static const struct gseg zero = {"0", 1, true};
	for (size_t i = 0; i < na || i < nb; i++) {
		const struct gseg *l = i < na ? &ca[i] : &zero, *rr = i < nb ? &cb[i] : &zero;
		if (l->num && rr->num)
			r = version_numcmp(l->p, l->n, rr->p, rr->n);
		else if (l->num != rr->num)
			r = l->num ? 1 : -1;
		else
			r = version_bytecmp(l->p, l->n, rr->p, rr->n);
		if (r)
			break;
	}
	return r;
}

static _Thread_local struct gver gv_a, gv_b, gv_c;

int version_gem_compare(const char *a, const char *b, bool *valid)
{
	bool oka = gem_parse(a, strlen(a), &gv_a), okb = gem_parse(b, strlen(b), &gv_b);

	*valid = oka && okb;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return version_bytecmp(a, strlen(a), b, strlen(b));
	}
	return gem_cmp(&gv_a, &gv_b);
}

bool version_gem_valid(const char *v)
{
	return gem_parse(v, strlen(v), &gv_a);
}

/* ---- requirements ------------------------------------------------------- */

/* Gem::Version#release: segments before the first letter */
static void release(struct gver *g)
{
	for (size_t i = 0; i < g->n; i++) {
		if (!g->s[i].num) {
			g->n = i;
			break;
		}
	}
	g->prerelease = false;
	g->raw = NULL;
	g->raw_len = 0;
}

/* Gem::Version#bump into g (numbers written to buf) */
static bool bump(struct gver *g, char *buf, size_t bufsz)
{
	release(g);
	if (g->n > 1)
		g->n--;
	if (g->n == 0)
		return false;
	struct gseg *last = &g->s[g->n - 1];
	if (last->n + 2 > bufsz)
		return false;
	/* decimal increment */
	memcpy(buf + 1, last->p, last->n);
	buf[0] = '0';
	size_t k = last->n + 1;
	while (k > 0) {
		k--;
		if (buf[k] == '9') {
			buf[k] = '0';
			continue;
		}
		buf[k]++;
		break;
	}
	last->p = buf;
	last->n = last->n + 1;
	return true;
}

enum gem_op { G_EQ, G_NE, G_GT, G_LT, G_GE, G_LE, G_TW };

static enum bw_err one_req(const char *v, const char *r, size_t rn, bool *ok, struct bw_errbuf *eb)
{
	size_t i = 0;
	enum gem_op op = G_EQ;
	char buf[VERSION_MAX_LEN + 8];

	while (i < rn && vi_space((unsigned char)r[i]))
		i++;
	static const struct {
		const char *s;
		enum gem_op op;
	} ops[] = {{"!=", G_NE}, {">=", G_GE}, {"<=", G_LE}, {"~>", G_TW}, {"=", G_EQ}, {">", G_GT}, {"<", G_LT}};
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		size_t l = strlen(ops[k].s);
		if (rn - i >= l && memcmp(r + i, ops[k].s, l) == 0) {
			op = ops[k].op;
			i += l;
			break;
		}
	}
	if (!gem_parse(r + i, rn - i, &gv_b) || gv_b.raw_len == 0)
		return bw_fail(eb, BW_ERR_FORMAT, "gem requirement \"%.*s\": not a version", (int)(rn > 200 ? 200 : rn), r);
	int c = gem_cmp(&gv_a, &gv_b);
	switch (op) {
	case G_EQ: *ok = c == 0; break;
	case G_NE: *ok = c != 0; break;
	case G_GT: *ok = c > 0; break;
	case G_LT: *ok = c < 0; break;
	case G_GE: *ok = c >= 0; break;
	case G_LE: *ok = c <= 0; break;
	case G_TW:
		if (c < 0) {
			*ok = false;
			break;
		}
		if (!bump(&gv_b, buf, sizeof(buf)))
			return bw_fail(eb, BW_ERR_FORMAT, "gem requirement \"%.*s\": cannot bump", (int)(rn > 200 ? 200 : rn), r);
		gv_c = gv_a;
		release(&gv_c);
		*ok = gem_cmp(&gv_c, &gv_b) < 0;
		break;
	}
	(void)v;
	return BW_OK;
}

enum bw_err version_gem_satisfies(const char *version, const char *requirements, bool *out,
				  struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	bool all = true, vok;

	if (out)
		*out = false;
	if (!version || !requirements || !out)
		return bw_fail(eb, BW_ERR_USAGE, "gem requirement: NULL argument");
	size_t rlen = strnlen(requirements, 4 * VERSION_MAX_LEN + 1);
	if (rlen > 4 * VERSION_MAX_LEN || strnlen(version, VERSION_MAX_LEN + 1) > VERSION_MAX_LEN)
		return bw_fail(eb, BW_ERR_LIMIT, "gem requirement: input too long");
	vok = gem_parse(version, strlen(version), &gv_a) && gv_a.raw_len > 0;
	const char *p = requirements, *end = requirements + rlen;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		bool ok = false;
		if (vok) {
			result = one_req(version, p, (size_t)(e - p), &ok, eb);
		} else {
			/* still validate the requirement */
			struct gver *save = &gv_c;
			size_t i = 0;
			while (p + i < e && (vi_space((unsigned char)p[i]) || strchr("=!<>~", p[i])))
				i++;
			if (!gem_parse(p + i, (size_t)(e - p - i), save) || save->raw_len == 0)
				result = bw_fail(eb, BW_ERR_FORMAT, "gem requirement \"%.*s\": not a version",
						 (int)(e - p > 200 ? 200 : e - p), p);
		}
		if (result != BW_OK)
			return result;
		all = all && ok;
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = vok && all;
	return result;
}

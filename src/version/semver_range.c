/* semver_range.c - node-semver 7 Range.test / satisfies() for npm.
 *
 * node-semver rewrites a range with regular expressions into sets of
 * primitive comparators (<, <=, >, >=, =); this file does the same rewrite
 * structurally, token by token, with the same expansion rules:
 *   ^1.2.3  >=1.2.3 <2.0.0-0       ~1.2.3  >=1.2.3 <1.3.0-0
 *   1.2.x   >=1.2.0 <1.3.0-0       <=1.2   <1.3.0-0     >1  >=2.0.0
 *   1.2 - 2.3.4  >=1.2.0 <=2.3.4   *, x, "" anything
 * and the prerelease rule: a version with a prerelease matches a set only
 * when some comparator of the set has a prerelease on the same
 * MAJOR.MINOR.PATCH (unless includePrerelease).
 */
#include <stdlib.h>
#include <string.h>

#include "version/version_int.h"

#define RANGE_MAX_LEN 4096
#define SET_MAX_COMPS 128

enum sv_op { OP_ANY, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ };

struct sv_comp {
	enum sv_op op;
	struct version_sv v;
};

struct sv_set {
	struct sv_comp c[SET_MAX_COMPS];
	size_t n;
	bool null_set;
};

/* An x-range: up to three parts, each a number or X (x, X, * or absent). */
struct sv_partial {
	bool x[3];
	uint64_t n[3];
	const char *raw[3]; /* the part's digits, for node-semver's M === '0' */
	size_t raw_len[3];
	const char *pre;
	size_t pre_len;
};

static const char zero_pre[] = "0";

static bool is_zero_str(const struct sv_partial *p, int i)
{
	return p->raw_len[i] == 1 && p->raw[i][0] == '0';
}

static bool xid(const char *s, size_t n, size_t *i, bool loose, struct sv_partial *p, int k)
{
	if (*i < n && (s[*i] == 'x' || s[*i] == 'X' || s[*i] == '*')) {
		(*i)++;
		p->x[k] = true;
		return true;
	}
	size_t st = *i;
	while (*i < n && vi_digit((unsigned char)s[*i]))
		(*i)++;
	size_t len = *i - st;
	if (len == 0 || (!loose && len > 1 && s[st] == '0'))
		return false;
	p->raw[k] = s + st;
	p->raw_len[k] = len;
	while (len > 1 && s[st] == '0') {
		st++;
		len--;
	}
	p->x[k] = false;
	return version_parse_u64(s + st, len, VSV_MAX_SAFE, &p->n[k]);
}

static bool id_char(int c)
{
	return vi_alnum(c) || c == '-';
}

static bool ids(const char *s, size_t n, size_t *i, bool strict_num)
{
	for (;;) {
		size_t st = *i;
		bool alldig = true;
		while (*i < n && id_char((unsigned char)s[*i])) {
			alldig = alldig && vi_digit((unsigned char)s[*i]);
			(*i)++;
		}
		if (*i == st || (strict_num && alldig && *i - st > 1 && s[st] == '0'))
			return false;
		if (*i < n && s[*i] == '.') {
			(*i)++;
			continue;
		}
		return true;
	}
}

/* XRANGEPLAIN / XRANGEPLAINLOOSE over all of s[0..n). */
static bool parse_partial(const char *s, size_t n, bool loose, struct sv_partial *p)
{
	size_t i = 0;

	memset(p, 0, sizeof(*p));
	p->x[0] = p->x[1] = p->x[2] = true;
	while (i < n && (s[i] == 'v' || s[i] == '=' || vi_space((unsigned char)s[i])))
		i++;
	if (!xid(s, n, &i, loose, p, 0))
		return false;
	if (i < n && s[i] == '.') {
		i++;
		if (!xid(s, n, &i, loose, p, 1))
			return false;
		if (i < n && s[i] == '.') {
			i++;
			if (!xid(s, n, &i, loose, p, 2))
				return false;
			if (i < n && (s[i] == '-' || (loose && id_char((unsigned char)s[i])))) {
				if (s[i] == '-')
					i++;
				size_t st = i;
				if (!ids(s, n, &i, !loose))
					return false;
				p->pre = s + st;
				p->pre_len = i - st;
			}
			if (i < n && s[i] == '+') {
				i++;
				if (!ids(s, n, &i, false))
					return false;
			}
		}
	}
	return i == n;
}

static bool add(struct sv_set *set, enum sv_op op, uint64_t M, uint64_t m, uint64_t p, const char *pre,
		size_t pre_len)
{
	if (set->n >= SET_MAX_COMPS)
		return false;
	struct sv_comp *c = &set->c[set->n++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->v.major = M;
	c->v.minor = m;
	c->v.patch = p;
	c->v.pre = pre;
	c->v.pre_len = pre_len;
	return true;
}

/* "-0" when includePrerelease, else nothing */
#define Z(incpre) ((incpre) ? zero_pre : NULL), ((incpre) ? 1u : 0u)
#define PRE0 zero_pre, 1u
#define NOPRE NULL, 0u

static bool add_null(struct sv_set *set)
{
	set->null_set = true;
	return add(set, OP_LT, 0, 0, 0, PRE0);
}

static bool expand_caret(struct sv_set *s, const struct sv_partial *p, bool incpre)
{
	uint64_t M = p->n[0], m = p->n[1], pt = p->n[2];

	if (p->x[0])
		return add(s, OP_ANY, 0, 0, 0, NOPRE);
	if (p->x[1])
		return add(s, OP_GE, M, 0, 0, Z(incpre)) && add(s, OP_LT, M + 1, 0, 0, PRE0);
	if (p->x[2]) {
		if (is_zero_str(p, 0))
			return add(s, OP_GE, M, m, 0, Z(incpre)) && add(s, OP_LT, M, m + 1, 0, PRE0);
		return add(s, OP_GE, M, m, 0, Z(incpre)) && add(s, OP_LT, M + 1, 0, 0, PRE0);
	}
	if (p->pre_len) {
		if (!add(s, OP_GE, M, m, pt, p->pre, p->pre_len))
			return false;
	} else if (!add(s, OP_GE, M, m, pt, NOPRE)) {
		return false;
	}
	if (is_zero_str(p, 0)) {
		if (is_zero_str(p, 1))
			return add(s, OP_LT, M, m, pt + 1, PRE0);
		return add(s, OP_LT, M, m + 1, 0, PRE0);
	}
	return add(s, OP_LT, M + 1, 0, 0, PRE0);
}

static bool expand_tilde(struct sv_set *s, const struct sv_partial *p, bool incpre)
{
	uint64_t M = p->n[0], m = p->n[1], pt = p->n[2];

	if (p->x[0])
		return add(s, OP_ANY, 0, 0, 0, NOPRE);
	if (p->x[1])
		return add(s, OP_GE, M, 0, 0, Z(incpre)) && add(s, OP_LT, M + 1, 0, 0, PRE0);
	if (p->x[2])
		return add(s, OP_GE, M, m, 0, Z(incpre)) && add(s, OP_LT, M, m + 1, 0, PRE0);
	return add(s, OP_GE, M, m, pt, p->pre, p->pre_len) && add(s, OP_LT, M, m + 1, 0, PRE0);
}

static bool expand_xrange(struct sv_set *s, enum sv_op op, const struct sv_partial *p, bool incpre)
{
	bool xM = p->x[0], xm = xM || p->x[1], xp = xm || p->x[2];
	uint64_t M = p->n[0], m = p->n[1], pt = p->n[2];

	if (op == OP_EQ && xp)
		op = OP_ANY;
	if (xM) {
		if (op == OP_GT || op == OP_LT)
			return add_null(s);
		return add(s, OP_ANY, 0, 0, 0, NOPRE);
	}
	if (op != OP_ANY && xp) {
		const char *pre = incpre ? zero_pre : NULL;
		size_t pre_len = incpre ? 1 : 0;
		if (xm)
			m = 0;
		pt = 0;
		if (op == OP_GT) {
			op = OP_GE;
			if (xm) {
				M++;
				m = 0;
			} else {
				m++;
			}
		} else if (op == OP_LE) {
			op = OP_LT;
			if (xm)
				M++;
			else
				m++;
		}
		if (op == OP_LT) {
			pre = zero_pre;
			pre_len = 1;
		}
		return add(s, op, M, m, pt, pre, pre_len);
	}
	if (xm)
		return add(s, OP_GE, M, 0, 0, Z(incpre)) && add(s, OP_LT, M + 1, 0, 0, PRE0);
	if (xp)
		return add(s, OP_GE, M, m, 0, Z(incpre)) && add(s, OP_LT, M, m + 1, 0, PRE0);
	/* a plain comparator; ">=0.0.0" is "*" (replaceGTE0) */
	if (op == OP_GE && M == 0 && m == 0 && pt == 0 &&
	    ((!incpre && !p->pre_len) || (incpre && p->pre_len == 1 && p->pre[0] == '0')))
		return add(s, OP_ANY, 0, 0, 0, NOPRE);
	return add(s, op == OP_ANY ? OP_EQ : op, M, m, pt, p->pre, p->pre_len);
}

/* One comparator token (operator glued on). false: invalid comparator. */
static bool expand_token(struct sv_set *s, const char *t, size_t n, bool loose, bool incpre)
{
	struct sv_partial p;
	size_t i = 0;

	if (n >= 1 && t[0] == '^') {
		if (!parse_partial(t + 1, n - 1, loose, &p))
			return false;
		return expand_caret(s, &p, incpre);
	}
	if (n >= 1 && t[0] == '~') {
		i = (n >= 2 && t[1] == '>') ? 2 : 1;
		if (!parse_partial(t + i, n - i, loose, &p))
			return false;
		return expand_tilde(s, &p, incpre);
	}
	enum sv_op op = OP_ANY;
	if (i < n && (t[i] == '<' || t[i] == '>')) {
		op = t[i] == '<' ? OP_LT : OP_GT;
		i++;
		if (i < n && t[i] == '=') {
			op = op == OP_LT ? OP_LE : OP_GE;
			i++;
		}
	} else if (i < n && t[i] == '=') {
		op = OP_EQ;
		i++;
	}
	if (!parse_partial(t + i, n - i, loose, &p))
		return false;
	return expand_xrange(s, op, &p, incpre);
}

static bool hyphen(struct sv_set *s, const struct sv_partial *f, const struct sv_partial *to,
		   bool incpre)
{
	bool ok = true;

	if (f->x[0])
		;
	else if (f->x[1])
		ok = add(s, OP_GE, f->n[0], 0, 0, Z(incpre));
	else if (f->x[2])
		ok = add(s, OP_GE, f->n[0], f->n[1], 0, Z(incpre));
	else if (f->pre_len)
		ok = add(s, OP_GE, f->n[0], f->n[1], f->n[2], f->pre, f->pre_len);
	else
		ok = add(s, OP_GE, f->n[0], f->n[1], f->n[2], Z(incpre));
	if (!ok)
		return false;
	if (to->x[0])
		ok = s->n > 0 || add(s, OP_ANY, 0, 0, 0, NOPRE);
	else if (to->x[1])
		ok = add(s, OP_LT, to->n[0] + 1, 0, 0, PRE0);
	else if (to->x[2])
		ok = add(s, OP_LT, to->n[0], to->n[1] + 1, 0, PRE0);
	else if (to->pre_len)
		ok = add(s, OP_LE, to->n[0], to->n[1], to->n[2], to->pre, to->pre_len);
	else if (incpre)
		ok = add(s, OP_LT, to->n[0], to->n[1], to->n[2] + 1, PRE0);
	else
		ok = add(s, OP_LE, to->n[0], to->n[1], to->n[2], NOPRE);
	return ok;
}

static bool is_op_only(const char *t, size_t n)
{
	static const char *const ops[] = {"<", ">", "<=", ">=", "=", "~", "~>", "^"};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i]) == n && memcmp(ops[i], t, n) == 0)
			return true;
	return false;
}

struct tok {
	const char *p;
	size_t n;
};

#define PART_MAX_TOKENS 128

/* Parse one "||"-separated part into set. Returns BW_OK, BW_ERR_FORMAT
 * (invalid comparator) or BW_ERR_LIMIT. *empty: loose mode dropped every
 * comparator (node-semver then drops the set). */
static enum bw_err parse_set(const char *s, size_t n, bool loose, bool incpre, struct sv_set *set,
			     bool *empty, struct bw_errbuf *eb)
{
	struct tok toks[PART_MAX_TOKENS];
	size_t nt = 0, i = 0;

	set->n = 0;
	set->null_set = false;
	*empty = false;
	while (i < n) {
		while (i < n && vi_space((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		size_t st = i;
		while (i < n && !vi_space((unsigned char)s[i]))
			i++;
		if (nt >= PART_MAX_TOKENS)
			return bw_fail(eb, BW_ERR_LIMIT, "semver range: more than %d comparators",
				       PART_MAX_TOKENS);
		toks[nt].p = s + st;
		toks[nt].n = i - st;
		/* "~ 1.2", ">= 1.0": glue a lone operator to what follows */
		if (nt > 0 && is_op_only(toks[nt - 1].p, toks[nt - 1].n) &&
		    !(toks[nt].n == 1 && toks[nt].p[0] == '-')) {
			toks[nt - 1].n = (size_t)(toks[nt].p + toks[nt].n - toks[nt - 1].p);
			continue;
		}
		nt++;
	}
	if (nt == 0)
		return add(set, OP_ANY, 0, 0, 0, NOPRE) ? BW_OK : BW_ERR_LIMIT;
	if (nt == 3 && toks[1].n == 1 && toks[1].p[0] == '-') {
		struct sv_partial f, t;
		if (parse_partial(toks[0].p, toks[0].n, loose, &f) &&
		    parse_partial(toks[2].p, toks[2].n, loose, &t)) {
			if (!hyphen(set, &f, &t, incpre))
				return bw_fail(eb, BW_ERR_LIMIT, "semver range: too many comparators");
			if (set->n == 0)
				add(set, OP_ANY, 0, 0, 0, NOPRE);
			return BW_OK;
		}
	}
	size_t kept = 0;
	for (size_t k = 0; k < nt; k++) {
		size_t before = set->n;
		if (expand_token(set, toks[k].p, toks[k].n, loose, incpre)) {
			kept++;
			continue;
		}
		set->n = before;
		if (set->n >= SET_MAX_COMPS)
			return bw_fail(eb, BW_ERR_LIMIT, "semver range: too many comparators");
		if (!loose)
			return bw_fail(eb, BW_ERR_FORMAT, "semver range: invalid comparator \"%.*s\"",
				       (int)(toks[k].n > 100 ? 100 : toks[k].n), toks[k].p);
	}
	if (kept == 0)
		*empty = true;
	return BW_OK;
}

static bool comp_test(const struct sv_comp *c, const struct version_sv *v)
{
	if (c->op == OP_ANY)
		return true;
	int r = version_sv_cmp(v, &c->v);
	switch (c->op) {
	case OP_LT: return r < 0;
	case OP_LE: return r <= 0;
	case OP_GT: return r > 0;
	case OP_GE: return r >= 0;
	case OP_EQ: return r == 0;
	case OP_ANY: break;
	}
	return true;
}

static bool set_test(const struct sv_set *set, const struct version_sv *v, bool incpre)
{
	for (size_t i = 0; i < set->n; i++)
		if (!comp_test(&set->c[i], v))
			return false;
	if (v->pre_len && !incpre) {
		for (size_t i = 0; i < set->n; i++) {
			const struct sv_comp *c = &set->c[i];
			if (c->op == OP_ANY || !c->v.pre_len)
				continue;
			if (c->v.major == v->major && c->v.minor == v->minor && c->v.patch == v->patch)
				return true;
		}
		return false;
	}
	return true;
}

enum bw_err version_semver_satisfies(const char *version, const char *range, unsigned flags,
				     bool *out, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	bool loose = flags & VERSION_SEMVER_LOOSE, incpre = flags & VERSION_SEMVER_INCLUDE_PRERELEASE;
	bool any_set = false, match = false, vok;
	struct version_sv v;
	struct sv_set *set;

	if (out)
		*out = false;
	if (!version || !range || !out)
		return bw_fail(eb, BW_ERR_USAGE, "semver range: NULL argument");
	size_t rn = strnlen(range, RANGE_MAX_LEN + 1);
	if (rn > RANGE_MAX_LEN)
		return bw_fail(eb, BW_ERR_LIMIT, "semver range: longer than %d bytes", RANGE_MAX_LEN);
	vok = version_sv_parse(version, strnlen(version, VSV_MAX_LENGTH + 1), loose, &v);
	set = bw_calloc(1, sizeof(*set));
	if (!set)
		return bw_fail(eb, BW_ERR_NOMEM, "semver range: out of memory");
	/* Parse every set even after a match: node-semver rejects the whole
	 * range when any part is invalid. */
	for (size_t i = 0; i <= rn;) {
		const char *bar = NULL;
		for (size_t j = i; j + 1 < rn; j++) {
			if (range[j] == '|' && range[j + 1] == '|') {
				bar = range + j;
				break;
			}
		}
		size_t end = bar ? (size_t)(bar - range) : rn;
		bool empty;
		result = parse_set(range + i, end - i, loose, incpre, set, &empty, eb);
		if (result != BW_OK)
			goto out_free_set;
		if (!empty) {
			any_set = true;
			if (vok && set_test(set, &v, incpre))
				match = true;
		}
		if (!bar)
			break;
		i = end + 2;
	}
	if (!any_set) {
		result = bw_fail(eb, BW_ERR_FORMAT, "semver range \"%.100s\": no valid comparator", range);
		goto out_free_set;
	}
	*out = match;
out_free_set:
	free(set);
	return result;
}

/* pep440_spec.c - PEP 440 version specifiers as pypa packaging's
 * SpecifierSet.contains(): "~=", "==" (with ".*" prefix matching), "!=",
 * "<=", ">=", "<", ">" and "===" (arbitrary string equality), joined by
 * commas; the exclusions of "<" and ">" for pre-, post- and local releases
 * of the named version; pre-releases only when asked or when a specifier
 * names one.
 */
#include <stdlib.h>
#include <string.h>

#include "version/version_int.h"

#define SPEC_MAX_LEN 4096
#define SPLIT_MAX (PEP_MAX_RELEASE + 8)

enum spec_op { S_COMPAT, S_EQ, S_NE, S_LE, S_GE, S_LT, S_GT, S_ARB };

struct spec {
	enum spec_op op;
	const char *ver; /* text after the operator, trimmed */
	size_t len;
	bool wildcard;   /* "==1.2.*" / "!=1.2.*" (ver excludes ".*") */
	struct version_pep v;   /* parsed unless S_ARB */
};

static bool is_pre(const struct version_pep *v)
{
	return v->pre_kind || v->has_dev;
}

struct item {
	const char *p;
	size_t n;
};

/* packaging's _version_split on a normalised version string */
static size_t vsplit(const char *s, struct item *out)
{
	size_t n = 0;
	const char *bang = strrchr(s, '!');
	if (bang) {
		out[n++] = (struct item){s, (size_t)(bang - s)};
		s = bang + 1;
	} else {
		out[n++] = (struct item){"0", 1};
	}
	while (*s && n + 2 < SPLIT_MAX) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		/* ^([0-9]+)((?:a|b|c|rc)[0-9]+)$ */
		size_t d = 0;
		while (d < l && vi_digit((unsigned char)s[d]))
			d++;
		size_t q = d;
		if (q < l && s[q] == 'r' && q + 1 < l && s[q + 1] == 'c')
			q += 2;
		else if (q < l && (s[q] == 'a' || s[q] == 'b' || s[q] == 'c'))
			q++;
		size_t dd = q;
		while (dd < l && vi_digit((unsigned char)s[dd]))
			dd++;
		if (d > 0 && q > d && dd > q && dd == l) {
			out[n++] = (struct item){s, d};
			out[n++] = (struct item){s + d, l - d};
		} else {
			out[n++] = (struct item){s, l};
		}
		if (!dot)
			break;
		s = dot + 1;
	}
	return n;
}

static bool all_digits(const struct item *it)
{
	if (!it->n)
		return false;
	for (size_t i = 0; i < it->n; i++)
		if (!vi_digit((unsigned char)it->p[i]))
			return false;
	return true;
}

/* _compare_equal with a ".*" spec: prefix match on split, padded items */
static bool prefix_match(const struct version_pep *prospective, const struct version_pep *spec)
{
	char ps[VERSION_MAX_LEN * 2], ss[VERSION_MAX_LEN * 2];
	struct item pi[SPLIT_MAX], si[SPLIT_MAX], padded[SPLIT_MAX * 2];

	if (!version_pep_format(prospective, false, ps, sizeof(ps)) || !version_pep_format(spec, false, ss, sizeof(ss)))
		return false;
	size_t np = vsplit(ps, pi), ns = vsplit(ss, si);
	size_t lp = 0, ls = 0, k = 0;
	while (lp < np && all_digits(&pi[lp]))
		lp++;
	while (ls < ns && all_digits(&si[ls]))
		ls++;
	for (size_t i = 0; i < lp; i++)
		padded[k++] = pi[i];
	for (size_t i = lp; i < ls; i++)
		padded[k++] = (struct item){"0", 1};
	for (size_t i = lp; i < np; i++)
		padded[k++] = pi[i];
	if (k < ns)
		return false;
	for (size_t i = 0; i < ns; i++)
		if (padded[i].n != si[i].n || memcmp(padded[i].p, si[i].p, si[i].n) != 0)
			return false;
	return true;
}

static bool op_equal(const struct version_pep *v, const struct spec *s)
{
	if (s->wildcard)
		return prefix_match(v, &s->v);
	return version_pep_cmp(v, &s->v, s->v.local != NULL) == 0;
}

static bool spec_contains(const struct version_pep *v, const char *raw, const struct spec *s)
{
	switch (s->op) {
	case S_EQ: return op_equal(v, s);
	case S_NE: return !op_equal(v, s);
	case S_LE: return version_pep_cmp(v, &s->v, false) <= 0;
	case S_GE: return version_pep_cmp(v, &s->v, false) >= 0;
	case S_LT: {
		if (!(version_pep_cmp(v, &s->v, true) < 0))
			return false;
		/* not a pre-release of the named version: v < spec.dev0 */
		struct version_pep early = s->v;
		early.has_dev = true;
		early.dev = (struct version_pep_num){"0", 1};
		early.local = NULL;
		early.local_len = 0;
		return !(!is_pre(&s->v) && is_pre(v) && version_pep_cmp(v, &early, true) >= 0);
	}
	case S_GT: {
		if (!(version_pep_cmp(v, &s->v, true) > 0))
			return false;
		/* not a post-release of the named version itself */
		struct version_pep pb = *v;
		pb.has_post = pb.has_dev = false;
		pb.local = NULL;
		pb.local_len = 0;
		if (!s->v.has_post && v->has_post && version_pep_cmp(&pb, &s->v, true) == 0)
			return false;
		/* nor a local variant of it */
		return !(v->local && version_pep_cmp(v, &s->v, false) == 0);
	}
	case S_COMPAT: {
		if (version_pep_cmp(v, &s->v, false) < 0)
			return false;
		/* prefix: the release without its last part, then ".*" */
		struct version_pep pfx;
		memset(&pfx, 0, sizeof(pfx));
		pfx.epoch = s->v.epoch;
		pfx.nrel = s->v.nrel - 1;
		memcpy(pfx.rel, s->v.rel, sizeof(pfx.rel[0]) * pfx.nrel);
		return prefix_match(v, &pfx);
	}
	case S_ARB:
		/* str(item).lower() == spec.lower(): the string as given */
		return version_bytecasecmp(raw, strlen(raw), s->ver, s->len) == 0;
	}
	return false;
}

static enum bw_err parse_spec(const char *t, size_t n, struct spec *s, struct bw_errbuf *eb)
{
	static const struct {
		const char *s;
		enum spec_op op;
	} ops[] = {{"===", S_ARB}, {"~=", S_COMPAT}, {"==", S_EQ}, {"!=", S_NE},
		   {"<=", S_LE},   {">=", S_GE},     {"<", S_LT},  {">", S_GT}};
	char tmp[VERSION_MAX_LEN + 1];
	size_t i = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].s);
		if (n >= l && memcmp(t, ops[i].s, l) == 0) {
			s->op = ops[i].op;
			t += l;
			n -= l;
			break;
		}
	}
	if (i == sizeof(ops) / sizeof(ops[0]))
		return bw_fail(eb, BW_ERR_FORMAT, "PEP 440 specifier \"%.*s\": no operator",
			       (int)(n > 100 ? 100 : n), t);
	while (n > 0 && vi_space((unsigned char)*t))
		t++, n--;
	s->ver = t;
	s->len = n;
	if (n == 0 || n > VERSION_MAX_LEN)
		return bw_fail(eb, BW_ERR_FORMAT, "PEP 440 specifier: missing or over-long version");
	if (s->op == S_ARB) {
		for (size_t k = 0; k < n; k++)
			if (vi_space((unsigned char)t[k]) || t[k] == ';' || t[k] == ')')
				return bw_fail(eb, BW_ERR_FORMAT, "PEP 440 specifier \"===%.*s\": bad character",
					       (int)(n > 100 ? 100 : n), t);
		return BW_OK;
	}
	if ((s->op == S_EQ || s->op == S_NE) && n >= 2 && t[n - 2] == '.' && t[n - 1] == '*') {
		s->wildcard = true;
		n -= 2;
		s->len = n;
	}
	memcpy(tmp, t, n);
	tmp[n] = '\0';
	/* s->v points into tmp only while parsing: re-parse from t below */
	if (!version_pep_parse(tmp, &s->v))
		goto bad;
	bool local_ok = (s->op == S_EQ || s->op == S_NE) && !s->wildcard;
	if (s->v.local && !local_ok)
		goto bad;
	/* ".*" only after a plain release: not with pre, post, dev or local */
	if (s->wildcard && (s->v.pre_kind || s->v.has_post || s->v.has_dev))
		goto bad;
	if (s->op == S_COMPAT && s->v.nrel < 2)
		goto bad;
	/* the parse must stay valid after tmp goes: point it into t */
	{
		ptrdiff_t off = t - tmp;
		s->v.epoch.p = s->v.epoch.n ? s->v.epoch.p + off : s->v.epoch.p;
		for (size_t k = 0; k < s->v.nrel; k++)
			s->v.rel[k].p += off;
		if (s->v.pre.n)
			s->v.pre.p += off;
		if (s->v.post.n)
			s->v.post.p += off;
		if (s->v.dev.n)
			s->v.dev.p += off;
		if (s->v.local)
			s->v.local += off;
	}
	return BW_OK;
bad:
	return bw_fail(eb, BW_ERR_FORMAT, "PEP 440 specifier: \"%.*s\" is not a valid version for this operator",
		       (int)(n > 100 ? 100 : n), t);
}

#define SPEC_MAX 64

enum bw_err version_pep440_satisfies(const char *version, const char *specifiers, bool prereleases,
				     bool *out, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	struct spec *specs = NULL;
	size_t ns = 0;
	struct version_pep v;
	bool vok, any_pre = false;

	if (out)
		*out = false;
	if (!version || !specifiers || !out)
		return bw_fail(eb, BW_ERR_USAGE, "PEP 440 specifier: NULL argument");
	size_t len = strnlen(specifiers, SPEC_MAX_LEN + 1);
	if (len > SPEC_MAX_LEN || strnlen(version, VERSION_MAX_LEN + 1) > VERSION_MAX_LEN)
		return bw_fail(eb, BW_ERR_LIMIT, "PEP 440 specifier: input too long");
	specs = bw_calloc(SPEC_MAX, sizeof(*specs));
	if (!specs)
		return bw_fail(eb, BW_ERR_NOMEM, "PEP 440 specifier: out of memory");
	const char *p = specifiers, *end = specifiers + len;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		while (p < e && vi_space((unsigned char)*p))
			p++;
		while (e > p && vi_space((unsigned char)e[-1]))
			e--;
		if (e > p) {
			if (ns >= SPEC_MAX) {
				result = bw_fail(eb, BW_ERR_LIMIT, "PEP 440 specifier: more than %d clauses", SPEC_MAX);
				goto out_free_specs;
			}
			result = parse_spec(p, (size_t)(e - p), &specs[ns], eb);
			if (result != BW_OK)
				goto out_free_specs;
			struct spec *s = &specs[ns++];
			/* Specifier.prereleases */
			if (s->op != S_NE && !s->wildcard) {
				if (s->op == S_ARB) {
					char tmp[VERSION_MAX_LEN + 1];
					struct version_pep av;
					memcpy(tmp, s->ver, s->len);
					tmp[s->len] = '\0';
					if (version_pep_parse(tmp, &av) && is_pre(&av))
						any_pre = true;
				} else if (is_pre(&s->v)) {
					any_pre = true;
				}
			}
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	vok = version_pep_parse(version, &v);
	if (!vok) {
		/* not a version: only a set made of "===" clauses can hold it */
		bool all = ns > 0;
		for (size_t i = 0; i < ns && all; i++)
			all = specs[i].op == S_ARB && spec_contains(NULL, version, &specs[i]);
		*out = all;
		goto out_free_specs;
	}
	if (is_pre(&v) && !prereleases && !any_pre)
		goto out_free_specs;
	for (size_t i = 0; i < ns; i++)
		if (!spec_contains(&v, version, &specs[i]))
			goto out_free_specs;
	*out = true;
out_free_specs:
	free(specs);
	return result;
}

/* apk.c - Alpine version ordering as apk-tools' src/version.c (3.x):
 *   digit{.digit}...{letter}{_suffix{digits}}...{~hash}{-r digits}
 * Pre-release suffixes _alpha _beta _pre _rc sort before the bare version,
 * post-release ones _cvs _svn _git _hg _p after it. A digit run (other than
 * the first) with a leading zero compares as a string, as Gentoo does.
 * Invalid versions still compare token by token up to the first invalid
 * token, exactly as apk does.
 */
#include <string.h>

#include "version/version_int.h"

enum tok {
	TOK_INITIAL_DIGIT,
	TOK_DIGIT,
	TOK_LETTER,
	TOK_SUFFIX,
	TOK_SUFFIX_NO,
	TOK_COMMIT_HASH,
	TOK_REVISION_NO,
	TOK_END,
	TOK_INVALID,
};

enum suffix {
	SUF_INVALID,
	SUF_ALPHA,
	SUF_BETA,
	SUF_PRE,
	SUF_RC,
	SUF_NONE,
	SUF_CVS,
	SUF_SVN,
	SUF_GIT,
	SUF_HG,
	SUF_P,
};

struct tstate {
	enum tok token;
	enum suffix suffix;
	const char *val; /* token text */
	size_t len;
	const char *p, *end; /* remaining input */
};

static enum suffix suffix_value(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum suffix v;
	} tab[] = {
		{"alpha", SUF_ALPHA}, {"beta", SUF_BETA}, {"pre", SUF_PRE}, {"rc", SUF_RC},
		{"cvs", SUF_CVS},     {"svn", SUF_SVN},   {"git", SUF_GIT}, {"hg", SUF_HG},
		{"p", SUF_P},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].name) == n && memcmp(tab[i].name, s, n) == 0)
			return tab[i].v;
	return SUF_INVALID;
}

static void parse_digits(struct tstate *t)
{
	t->val = t->p;
	while (t->p < t->end && vi_digit((unsigned char)*t->p))
		t->p++;
	t->len = (size_t)(t->p - t->val);
	if (t->len == 0)
		t->token = TOK_INVALID;
}

static void token_first(struct tstate *t, const char *s)
{
	t->p = s;
	t->end = s + strlen(s);
	t->token = TOK_INITIAL_DIGIT;
	t->suffix = SUF_INVALID;
	parse_digits(t);
}

static bool is_hex(int c)
{
	return vi_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void token_next(struct tstate *t)
{
	if (t->p >= t->end) {
		t->token = TOK_END;
		return;
	}
	int c = (unsigned char)*t->p;
	if (vi_lower(c)) {
		if (t->token > TOK_DIGIT)
			goto invalid;
		t->val = t->p++;
		t->len = 1;
		t->token = TOK_LETTER;
		return;
	}
	if (c == '.' || vi_digit(c)) {
		if (c == '.') {
			if (t->token > TOK_DIGIT)
				goto invalid;
			t->p++;
		}
		if (t->token == TOK_INITIAL_DIGIT || t->token == TOK_DIGIT)
			t->token = TOK_DIGIT;
		else if (t->token == TOK_SUFFIX)
			t->token = TOK_SUFFIX_NO;
		else
			goto invalid;
		parse_digits(t);
		return;
	}
	if (c == '_') {
		if (t->token > TOK_SUFFIX_NO)
			goto invalid;
		t->p++;
		t->val = t->p;
		while (t->p < t->end && vi_lower((unsigned char)*t->p))
			t->p++;
		t->len = (size_t)(t->p - t->val);
		t->suffix = suffix_value(t->val, t->len);
		if (t->suffix == SUF_INVALID)
			goto invalid;
		t->token = TOK_SUFFIX;
		return;
	}
	if (c == '~') {
		if (t->token >= TOK_COMMIT_HASH)
			goto invalid;
		t->p++;
		t->val = t->p;
		while (t->p < t->end && is_hex((unsigned char)*t->p))
			t->p++;
		t->len = (size_t)(t->p - t->val);
		if (t->len == 0)
			goto invalid;
		t->token = TOK_COMMIT_HASH;
		return;
	}
	if (c == '-') {
		if (t->token >= TOK_REVISION_NO)
			goto invalid;
		if (t->end - t->p < 2 || t->p[1] != 'r')
			goto invalid;
		t->p += 2;
		t->token = TOK_REVISION_NO;
		parse_digits(t);
		return;
	}
invalid:
	t->token = TOK_INVALID;
}

static int token_cmp(const struct tstate *a, const struct tstate *b)
{
	switch (a->token) {
	case TOK_DIGIT:
		/* a leading zero on either side: string comparison (Gentoo) */
		if (a->val[0] == '0' || b->val[0] == '0')
			return version_bytecmp(a->val, a->len, b->val, b->len);
		/* fall through */
	case TOK_INITIAL_DIGIT:
	case TOK_SUFFIX_NO:
	case TOK_REVISION_NO:
		return version_numcmp(a->val, a->len, b->val, b->len);
	case TOK_LETTER:
		return (unsigned char)a->val[0] - (unsigned char)b->val[0];
	case TOK_SUFFIX:
		return (int)a->suffix - (int)b->suffix;
	default:
		return version_bytecmp(a->val, a->len, b->val, b->len);
	}
}

/* apk_version_compare_fuzzy: <0, 0, >0. */
static int apk_cmp(const char *a, const char *b, bool fuzzy)
{
	struct tstate ta, tb;

	for (token_first(&ta, a), token_first(&tb, b); ta.token == tb.token && ta.token < TOK_END;
	     token_next(&ta), token_next(&tb)) {
		int r = token_cmp(&ta, &tb);
		if (r)
			return r;
	}
	if (ta.token == tb.token)
		return 0;
	if (tb.token == TOK_END && fuzzy)
		return 0;
	if (ta.token == TOK_SUFFIX && ta.suffix < SUF_NONE)
		return -1;
	if (tb.token == TOK_SUFFIX && tb.suffix < SUF_NONE)
		return 1;
	if (ta.token > tb.token)
		return -1;
	if (tb.token > ta.token)
		return 1;
	return 0;
}

bool version_apk_valid(const char *v)
{
	struct tstate t;
	for (token_first(&t, v); t.token < TOK_END; token_next(&t))
		;
	return t.token == TOK_END;
}

int version_apk_compare(const char *a, const char *b, bool *valid)
{
	*valid = version_apk_valid(a) && version_apk_valid(b);
	return apk_cmp(a, b, false);
}

/* apk_version_result_mask + apk_version_match */
int version_apk_match(const char *a, const char *op, const char *b)
{
	enum { LESS = 1, EQUAL = 2, GREATER = 4, FUZZY = 8 };
	bool conflict = false;
	int mask = 0, r;

	if (*op == '!') {
		conflict = true;
		op++;
	}
	if (!*op)
		return -1;
	for (; *op; op++) {
		switch (*op) {
		case '<': mask |= LESS; break;
		case '>': mask |= GREATER; break;
		case '=': mask |= EQUAL; break;
		case '~': mask |= FUZZY | EQUAL; break;
		default: return -1;
		}
	}
	r = apk_cmp(a, b, (mask & FUZZY) != 0);
	int res = r < 0 ? LESS : r > 0 ? GREATER : EQUAL;
	bool ok = (res & mask) != 0;
	return conflict ? !ok : ok;
}

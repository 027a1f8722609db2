/* pep440.c - Python versions (PEP 440) as pypa packaging's Version:
 *   [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 * with the spellings packaging accepts and normalises (alpha, beta, c, pre,
 * preview, rev, r, "-N" post releases, '-', '_', '.' separators, a leading
 * "v", any case, surrounding whitespace). Ordering is packaging's _cmpkey:
 * epoch, release without trailing zeros, pre (a dev-only release sorts
 * before every pre-release), post, dev, local (numeric segments above
 * alphanumeric ones).
 */
#include <stdio.h>
#include <string.h>

#include "version/version_int.h"

static bool sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

/* case-insensitive match of word at s[*i]; advances on success */
static bool word(const char *s, size_t *i, const char *w)
{
	size_t n = strlen(w);
	for (size_t k = 0; k < n; k++)
		if (vi_tolower((unsigned char)s[*i + k]) != w[k])
			return false;
	*i += n;
	return true;
}

static void digits(const char *s, size_t *i, struct version_pep_num *out)
{
	out->p = s + *i;
	while (vi_digit((unsigned char)s[*i]))
		(*i)++;
	out->n = (size_t)(s + *i - out->p);
}

/* [-_.]? LABEL [-_.]? N? ; labels in the regex's order of alternatives */
static bool labelled(const char *s, size_t *i, const char *const *labels, const int *kinds, int *kind,
		     struct version_pep_num *num)
{
	size_t j = *i;
	if (sep((unsigned char)s[j]))
		j++;
	for (int k = 0; labels[k]; k++) {
		size_t t = j;
		if (!word(s, &t, labels[k]))
			continue;
		if (sep((unsigned char)s[t]))
			t++;
		digits(s, &t, num);
		*kind = kinds[k];
		*i = t;
		return true;
	}
	return false;
}

bool version_pep_parse(const char *s, struct version_pep *v)
{
	static const char *const pre_l[] = {"alpha", "a", "beta", "b", "preview", "pre", "c", "rc", NULL};
	static const int pre_k[] = {1, 1, 2, 2, 3, 3, 3, 3};
	static const char *const post_l[] = {"post", "rev", "r", NULL};
	static const int post_k[] = {1, 1, 1};
	static const char *const dev_l[] = {"dev", NULL};
	static const int dev_k[] = {1};
	size_t i = 0;
	int kind;

	memset(v, 0, sizeof(*v));
	while (vi_space((unsigned char)s[i]))
		i++;
	if (s[i] == 'v' || s[i] == 'V')
		i++;
	/* epoch: digits followed by '!' */
	size_t j = i;
	while (vi_digit((unsigned char)s[j]))
		j++;
	if (j > i && s[j] == '!') {
		digits(s, &i, &v->epoch);
		i++;
	}
	for (;;) {
		if (v->nrel >= PEP_MAX_RELEASE)
			return false;
		digits(s, &i, &v->rel[v->nrel]);
		if (v->rel[v->nrel].n == 0)
			return false;
		v->nrel++;
		if (s[i] == '.' && vi_digit((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		break;
	}
	if (labelled(s, &i, pre_l, pre_k, &kind, &v->pre))
		v->pre_kind = kind;
	if (s[i] == '-' && vi_digit((unsigned char)s[i + 1])) {
		i++;
		digits(s, &i, &v->post);
		v->has_post = true;
	} else if (labelled(s, &i, post_l, post_k, &kind, &v->post)) {
		v->has_post = true;
	}
	if (labelled(s, &i, dev_l, dev_k, &kind, &v->dev))
		v->has_dev = true;
	if (s[i] == '+') {
		i++;
		v->local = s + i;
		for (;;) {
			size_t st = i;
			while (vi_alnum((unsigned char)s[i]))
				i++;
			if (i == st)
				return false;
			if (sep((unsigned char)s[i]) && vi_alnum((unsigned char)s[i + 1])) {
				i++;
				continue;
			}
			break;
		}
		v->local_len = (size_t)(s + i - v->local);
	}
	while (vi_space((unsigned char)s[i]))
		i++;
	return s[i] == '\0';
}

static int num_cmp(const struct version_pep_num *a, const struct version_pep_num *b)
{
	return version_numcmp(a->p, a->n, b->p, b->n);
}

static bool num_zero(const struct version_pep_num *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->p[i] != '0')
			return false;
	return true;
}

/* local segments: numbers above strings, strings case-insensitively */
static int local_cmp(const struct version_pep *a, const struct version_pep *b)
{
	if (!a->local || !b->local)
		return a->local ? 1 : b->local ? -1 : 0;
	const char *x = a->local, *xe = a->local + a->local_len;
	const char *y = b->local, *ye = b->local + b->local_len;
	for (;;) {
		if (x >= xe || y >= ye)
			return x >= xe && y >= ye ? 0 : x >= xe ? -1 : 1;
		const char *xs = x, *ys = y;
		bool xn = true, yn = true;
		for (; x < xe && !sep((unsigned char)*x); x++)
			xn = xn && vi_digit((unsigned char)*x);
		for (; y < ye && !sep((unsigned char)*y); y++)
			yn = yn && vi_digit((unsigned char)*y);
		int r;
		if (xn && yn)
			r = version_numcmp(xs, (size_t)(x - xs), ys, (size_t)(y - ys));
		else if (xn != yn)
			r = xn ? 1 : -1;
		else
			r = version_bytecasecmp(xs, (size_t)(x - xs), ys, (size_t)(y - ys));
		if (r)
			return r;
		if (x < xe)
			x++;
		if (y < ye)
			y++;
	}
}

int version_pep_cmp(const struct version_pep *a, const struct version_pep *b, bool with_local)
{
	int r = num_cmp(&a->epoch, &b->epoch);
	if (r)
		return r;
	/* release, trailing zeros ignored */
	size_t na = a->nrel, nb = b->nrel;
	while (na > 0 && num_zero(&a->rel[na - 1]))
		na--;
	while (nb > 0 && num_zero(&b->rel[nb - 1]))
		nb--;
	for (size_t i = 0; i < na || i < nb; i++) {
		if (i >= na || i >= nb)
			return i >= na ? -1 : 1;
		r = num_cmp(&a->rel[i], &b->rel[i]);
		if (r)
			return r;
	}
	/* pre: dev-only release -inf, no pre +inf */
	int pa = a->pre_kind ? a->pre_kind : (!a->has_post && a->has_dev) ? -1 : 4;
	int pb = b->pre_kind ? b->pre_kind : (!b->has_post && b->has_dev) ? -1 : 4;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	if (a->pre_kind && (r = num_cmp(&a->pre, &b->pre)))
		return r;
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->has_post && (r = num_cmp(&a->post, &b->post)))
		return r;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if (a->has_dev && (r = num_cmp(&a->dev, &b->dev)))
		return r;
	return with_local ? local_cmp(a, b) : 0;
}

static bool put(char **o, char *end, const char *s, size_t n)
{
	if ((size_t)(end - *o) <= n)
		return false;
	memcpy(*o, s, n);
	*o += n;
	**o = '\0';
	return true;
}

static bool put_num(char **o, char *end, const struct version_pep_num *n)
{
	const char *p = n->p;
	size_t len = n->n;
	while (len > 1 && *p == '0') {
		p++;
		len--;
	}
	return len ? put(o, end, p, len) : put(o, end, "0", 1);
}

bool version_pep_format(const struct version_pep *v, bool with_local, char *out, size_t outsz)
{
	static const char *const pre_s[] = {"", "a", "b", "rc"};
	char *o = out, *end = out + outsz;

	if (outsz == 0)
		return false;
	*o = '\0';
	if (!num_zero(&v->epoch) && !(put_num(&o, end, &v->epoch) && put(&o, end, "!", 1)))
		return false;
	for (size_t i = 0; i < v->nrel; i++)
		if ((i && !put(&o, end, ".", 1)) || !put_num(&o, end, &v->rel[i]))
			return false;
	if (v->pre_kind && !(put(&o, end, pre_s[v->pre_kind], strlen(pre_s[v->pre_kind])) &&
			     put_num(&o, end, &v->pre)))
		return false;
	if (v->has_post && !(put(&o, end, ".post", 5) && put_num(&o, end, &v->post)))
		return false;
	if (v->has_dev && !(put(&o, end, ".dev", 4) && put_num(&o, end, &v->dev)))
		return false;
	if (with_local && v->local) {
		if (!put(&o, end, "+", 1))
			return false;
		const char *p = v->local, *pe = v->local + v->local_len;
		while (p < pe) {
			const char *st = p;
			bool num = true;
			for (; p < pe && !sep((unsigned char)*p); p++)
				num = num && vi_digit((unsigned char)*p);
			struct version_pep_num n = {st, (size_t)(p - st)};
			if (num) {
				if (!put_num(&o, end, &n))
					return false;
			} else {
				for (const char *c = st; c < p; c++) {
					char lc = (char)vi_tolower((unsigned char)*c);
					if (!put(&o, end, &lc, 1))
						return false;
				}
			}
			if (p < pe) {
				p++;
				if (!put(&o, end, ".", 1))
					return false;
			}
		}
	}
	return true;
}

bool version_pep440_normalize(const char *v, char *out, size_t outsz)
{
	struct version_pep p;
	return version_pep_parse(v, &p) && version_pep_format(&p, true, out, outsz);
}

int version_pep440_compare(const char *a, const char *b, bool *valid)
{
	struct version_pep x, y;
	bool oka = version_pep_parse(a, &x), okb = version_pep_parse(b, &y);

	*valid = oka && okb;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return version_bytecmp(a, strlen(a), b, strlen(b));
	}
	return version_pep_cmp(&x, &y, true);
}

bool version_pep440_valid(const char *v)
{
	struct version_pep p;
	return version_pep_parse(v, &p);
}

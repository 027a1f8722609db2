/* maven.c - Maven version ordering as Maven's ComparableVersion
 * (maven-artifact): the version is lowercased and split into a tree of
 * items at '.', '-' and digit/letter transitions; numbers compare
 * numerically, known qualifiers in the order
 *   alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp
 * and unknown qualifiers after them, alphabetically; "-" opens a sub-list;
 * trailing zeros and empty qualifiers are normalised away.
 *
 * Deviations (documented in docs/version.md): only ASCII digits count as
 * digits, and lowercasing covers ASCII, Latin-1, Greek and Cyrillic
 * capitals (Java lowercases all of Unicode).
 */
#include <string.h>

#include "version/version_int.h"

#define MVN_MAX_UNITS 256 /* ComparableVersion.MAX_VERSION_LENGTH (UTF-16 units) */
#define MVN_MAX_ITEMS 1100

enum mtype { M_NUM, M_STR, M_LIST, M_COMB };

struct mitem {
	enum mtype type;
	const char *s; /* M_NUM: digits without leading zeros ("0" for zero); M_STR: value */
	size_t n;
	int strpart, digitpart;      /* M_COMB */
	int first, last, prev, next; /* M_LIST children; sibling links of any item */
	int nkids;
};

struct mver {
	char low[MVN_MAX_UNITS * 4 + 16]; /* lowercased input */
	char cbuf[MVN_MAX_UNITS * 4 + 16]; /* combination buffers with '-' removed */
	size_t cbuf_used;
	struct mitem it[MVN_MAX_ITEMS];
	int nit;
	int root;
};

static int new_item(struct mver *v, enum mtype t)
{
	if (v->nit >= MVN_MAX_ITEMS)
		return -1;
	struct mitem *m = &v->it[v->nit];
	memset(m, 0, sizeof(*m));
	m->type = t;
	m->first = m->last = m->prev = m->next = m->strpart = m->digitpart = -1;
	return v->nit++;
}

static void list_add(struct mver *v, int list, int item)
{
	struct mitem *l = &v->it[list];
	v->it[item].prev = l->last;
	v->it[item].next = -1;
	if (l->last >= 0)
		v->it[l->last].next = item;
	else
		l->first = item;
	l->last = item;
	l->nkids++;
}

static void list_remove(struct mver *v, int list, int item)
{
	struct mitem *l = &v->it[list], *m = &v->it[item];
	if (m->prev >= 0)
		v->it[m->prev].next = m->next;
	else
		l->first = m->next;
	if (m->next >= 0)
		v->it[m->next].prev = m->prev;
	else
		l->last = m->prev;
	l->nkids--;
}

static const char *const qualifiers[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
#define RELEASE_INDEX 5

static int str_item(struct mver *v, const char *s, size_t n, bool followed_by_digit)
{
	int id = new_item(v, M_STR);
	if (id < 0)
		return -1;
	if (followed_by_digit && n == 1) {
		if (s[0] == 'a')
			s = "alpha", n = 5;
		else if (s[0] == 'b')
			s = "beta", n = 4;
		else if (s[0] == 'm')
			s = "milestone", n = 9;
	}
	if (n == 2 && memcmp(s, "cr", 2) == 0)
		s = "rc";
	v->it[id].s = s;
	v->it[id].n = n;
	return id;
}

static int num_item(struct mver *v, const char *s, size_t n)
{
	int id = new_item(v, M_NUM);
	if (id < 0)
		return -1;
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n == 0 || (n == 1 && *s == '0')) {
		s = "0";
		n = 1;
	}
	v->it[id].s = s;
	v->it[id].n = n;
	return id;
}

static int parse_item(struct mver *v, bool comb, bool digit, const char *s, size_t n)
{
	if (comb) {
		/* buf.replace("-", ""), then split at the first digit */
		char *c = v->cbuf + v->cbuf_used;
		size_t cn = 0;
		for (size_t i = 0; i < n; i++)
			if (s[i] != '-')
				c[cn++] = s[i];
		v->cbuf_used += cn;
		size_t idx = 0;
		for (size_t i = 0; i < cn; i++) {
			if (vi_digit((unsigned char)c[i])) {
				idx = i;
				break;
			}
		}
		int id = new_item(v, M_COMB);
		if (id < 0)
			return -1;
		int sp = str_item(v, c, idx, true);
		int dp = num_item(v, c + idx, cn - idx);
		if (sp < 0 || dp < 0)
			return -1;
		v->it[id].strpart = sp;
		v->it[id].digitpart = dp;
		return id;
	}
	if (digit)
		return num_item(v, s, n);
	return str_item(v, s, n, false);
}

static bool is_null(const struct mver *v, int id)
{
	const struct mitem *m = &v->it[id];
	switch (m->type) {
	case M_NUM: return m->n == 1 && m->s[0] == '0';
	case M_STR: return m->n == 0;
	case M_LIST: return m->nkids == 0;
	case M_COMB: return false;
	}
	return false;
}

static void normalize(struct mver *v, int list)
{
	struct mitem *l = &v->it[list];
	for (int i = l->last; i >= 0;) {
		int prev = v->it[i].prev;
		if (is_null(v, i)) {
			int nx = v->it[i].next;
			if (nx < 0 || v->it[nx].type == M_STR) {
				list_remove(v, list, i);
			} else if (v->it[nx].type == M_LIST && v->it[nx].first >= 0) {
				enum mtype t = v->it[v->it[nx].first].type;
				if (t == M_COMB || t == M_STR)
					list_remove(v, list, i);
			}
		}
		i = prev;
	}
	if (l->nkids == 1 && v->it[l->first].type == M_LIST) {
		int sub = l->first;
		l->first = v->it[sub].first;
		l->last = v->it[sub].last;
		l->nkids = v->it[sub].nkids;
	}
}

/* Lowercase one UTF-8 sequence at s (len bytes left) into out; returns the
 * bytes consumed (the same count is written) and counts UTF-16 units. */
static size_t lower_utf8(const unsigned char *s, size_t len, char *out, size_t *units)
{
	unsigned c = s[0];
	if (c < 0x80) {
		out[0] = (char)vi_tolower((int)c);
		*units += 1;
		return 1;
	}
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n > len)
		n = len;
	memcpy(out, s, n);
	*units += n == 4 ? 2 : 1;
	if (n == 2 && (s[1] & 0xc0) == 0x80) {
		unsigned cp = ((c & 0x1f) << 6) | (s[1] & 0x3f);
		if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) || /* Latin-1 capitals */
		    (cp >= 0x391 && cp <= 0x3ab && cp != 0x3a2) || /* Greek */
		    (cp >= 0x410 && cp <= 0x42f))                  /* Cyrillic */
			cp += 0x20;
		else if (cp >= 0x400 && cp <= 0x40f)
			cp += 0x50;
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
	}
	return n;
}

static bool mvn_parse(const char *version, struct mver *v)
{
	size_t len = strlen(version), units = 0, n = 0;
	int stack[MVN_MAX_UNITS + 2], sp = 0;

	if (len > MVN_MAX_UNITS * 4)
		return false;
	for (size_t i = 0; i < len;) {
		size_t k = lower_utf8((const unsigned char *)version + i, len - i, v->low + n, &units);
		i += k;
		n += k;
	}
	v->low[n] = '\0';
	if (units > MVN_MAX_UNITS)
		return false;
	v->nit = 0;
	v->cbuf_used = 0;
	const char *s = v->low;
	int list = v->root = new_item(v, M_LIST);
	stack[sp++] = list;
	bool digit = false, comb = false;
	size_t start = 0;

#define ADD(item)                                  \
	do {                                       \
		int id_ = (item);                  \
		if (id_ < 0)                       \
			return false;              \
		list_add(v, list, id_);            \
	} while (0)
#define PUSH_LIST()                                \
	do {                                       \
		int nl_ = new_item(v, M_LIST);     \
		if (nl_ < 0 || sp >= (int)(sizeof(stack) / sizeof(stack[0]))) \
			return false;              \
		list_add(v, list, nl_);            \
		list = nl_;                        \
		stack[sp++] = nl_;                 \
	} while (0)

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '.') {
			if (i == start)
				ADD(num_item(v, "0", 1));
			else
				ADD(parse_item(v, comb, digit, s + start, i - start));
			comb = false;
			start = i + 1;
		} else if (c == '-') {
			if (i == start) {
				ADD(num_item(v, "0", 1));
			} else {
				/* X-1 is treated as X1 */
				if (!digit && i + 1 < n && vi_digit((unsigned char)s[i + 1])) {
					comb = true;
					continue;
				}
				ADD(parse_item(v, comb, digit, s + start, i - start));
			}
			start = i + 1;
			if (v->it[list].nkids > 0)
				PUSH_LIST();
			comb = false;
		} else if (vi_digit(c)) {
			if (!digit && i > start) {
				comb = true;
				if (v->it[list].nkids > 0)
					PUSH_LIST();
			}
			digit = true;
		} else {
			if (digit && i > start) {
				ADD(parse_item(v, comb, true, s + start, i - start));
				start = i;
				PUSH_LIST();
				comb = false;
			}
			digit = false;
		}
	}
	if (n > start) {
		if (!digit && v->it[list].nkids > 0)
			PUSH_LIST();
		ADD(parse_item(v, comb, digit, s + start, n - start));
	}
	while (sp > 0)
		normalize(v, stack[--sp]);
	return true;
#undef ADD
#undef PUSH_LIST
}

/* comparableQualifier(q) compared as Java Strings */
static int qual_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	char ba[MVN_MAX_UNITS * 4 + 8], bb[MVN_MAX_UNITS * 4 + 8];
	size_t la, lb;

	for (int pass = 0; pass < 2; pass++) {
		const char *q = pass ? b : a;
		size_t qn = pass ? bn : an;
		char *o = pass ? bb : ba;
		size_t *ol = pass ? &lb : &la;
		int idx = -1;
		if ((qn == 2 && !memcmp(q, "ga", 2)) || (qn == 5 && !memcmp(q, "final", 5)) ||
		    (qn == 7 && !memcmp(q, "release", 7)))
			idx = RELEASE_INDEX;
		for (int i = 0; idx < 0 && i < 7; i++)
			if (strlen(qualifiers[i]) == qn && memcmp(qualifiers[i], q, qn) == 0)
				idx = i;
		if (idx >= 0) {
			o[0] = (char)('0' + idx);
			*ol = 1;
		} else {
			o[0] = '7';
			o[1] = '-';
			memcpy(o + 2, q, qn);
			*ol = qn + 2;
		}
	}
	return version_bytecmp(ba, la, bb, lb);
}

static int mcmp(const struct mver *v, int a, const struct mver *w, int b, int depth);

static int neg(int r)
{
	return r < 0 ? 1 : r > 0 ? -1 : 0;
}

/* a compared with "null" (the end of the other list) */
static int mcmp_null(const struct mver *v, int a, int depth)
{
	const struct mitem *m = &v->it[a];
	switch (m->type) {
	case M_NUM:
		return is_null(v, a) ? 0 : 1;
	case M_STR:
		return qual_cmp(m->s, m->n, "", 0);
	case M_COMB: {
		int r = mcmp_null(v, m->strpart, depth);
		return r ? r : mcmp_null(v, m->digitpart, depth);
	}
	case M_LIST:
		if (depth > MVN_MAX_UNITS + 2)
			return 0;
		for (int i = m->first; i >= 0; i = v->it[i].next) {
			int r = mcmp_null(v, i, depth + 1);
			if (r)
				return r;
		}
		return 0;
	}
	return 0;
}

static int mcmp(const struct mver *v, int a, const struct mver *w, int b, int depth)
{
	const struct mitem *x = &v->it[a], *y = &w->it[b];

	if (depth > MVN_MAX_UNITS + 2)
		return 0; /* cannot happen: nesting is bounded by the length */
	switch (x->type) {
	case M_NUM:
		if (y->type == M_NUM)
			return version_numcmp(x->s, x->n, y->s, y->n);
		return 1;
	case M_STR:
		switch (y->type) {
		case M_NUM: return -1;
		case M_STR: return qual_cmp(x->s, x->n, y->s, y->n);
		case M_COMB: {
			int r = mcmp(v, a, w, y->strpart, depth + 1);
			if (r == 0) {
				if (mcmp_null(v, a, depth) == 0)
					return neg(mcmp_null(w, y->digitpart, depth));
				return -1;
			}
			return r;
		}
		case M_LIST: return neg(mcmp(w, b, v, a, depth + 1));
		}
		return 0;
	case M_COMB:
		switch (y->type) {
		case M_NUM: return -1;
		case M_STR: {
			int r = mcmp(v, x->strpart, w, b, depth + 1);
			if (r == 0) {
				if (mcmp_null(v, x->strpart, depth) == 0)
					return mcmp_null(v, x->digitpart, depth);
				return 1;
			}
			return r;
		}
		case M_LIST: return neg(mcmp(w, b, v, a, depth + 1));
		case M_COMB: {
			int r = mcmp(v, x->strpart, w, y->strpart, depth + 1);
			return r ? r : mcmp(v, x->digitpart, w, y->digitpart, depth + 1);
		}
		}
		return 0;
	case M_LIST:
		switch (y->type) {
		case M_NUM: return -1;
		case M_STR:
		case M_COMB: {
			int r = x->first < 0 ? neg(mcmp_null(w, b, depth)) : mcmp(v, x->first, w, b, depth + 1);
			for (int i = x->first >= 0 ? v->it[x->first].next : -1; r == 0 && i >= 0; i = v->it[i].next)
				r = mcmp_null(v, i, depth + 1);
			return r;
		}
		case M_LIST: {
			int l = x->first, r = y->first;
			while (l >= 0 || r >= 0) {
				int res;
				if (l < 0)
					res = neg(mcmp_null(w, r, depth + 1));
				else if (r < 0)
					res = mcmp_null(v, l, depth + 1);
				else
					res = mcmp(v, l, w, r, depth + 1);
				if (res)
					return res;
				if (l >= 0)
					l = v->it[l].next;
				if (r >= 0)
					r = w->it[r].next;
			}
			return 0;
		}
		}
		return 0;
	}
	return 0;
}

/* Two parsed versions are ~40 KiB each: keep them off small stacks. */
static _Thread_local struct mver mv_a, mv_b;

int version_maven_compare(const char *a, const char *b, bool *valid)
{
	bool oka = *a && mvn_parse(a, &mv_a), okb = *b && mvn_parse(b, &mv_b);

	*valid = oka && okb;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1;
		return version_bytecmp(a, strlen(a), b, strlen(b));
	}
	return mcmp(&mv_a, mv_a.root, &mv_b, mv_b.root, 0);
}

bool version_maven_valid(const char *v)
{
	return *v != '\0' && mvn_parse(v, &mv_a);
}

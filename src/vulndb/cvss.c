/* cvss.c - CVSS v2.0 / v3.0 / v3.1 / v4.0 vectors: strict parsing and
 * scores (see cvss.h and docs/cvss.md). Written from FIRST's
 * specification documents; the v4.0 MacroVector scores, highest-severity
 * vectors and depths are FIRST's published data (CVSS v4.0 specification
 * section 8 and its reference calculator, BSD-2-Clause). */
#include <string.h>

#include "vulndb/cvss.h"

/* ---- parsing ---------------------------------------------------------------- */

struct mdef {
	const char *name;
	const char *values; /* '|'-separated */
	bool base;          /* mandatory */
};

#define MAX_METRICS 32

static const struct mdef v2_defs[] = {
	{"AV", "L|A|N", true},          {"AC", "H|M|L", true},         {"Au", "M|S|N", true},
	{"C", "N|P|C", true},           {"I", "N|P|C", true},          {"A", "N|P|C", true},
	{"E", "U|POC|F|H|ND", false},   {"RL", "OF|TF|W|U|ND", false}, {"RC", "UC|UR|C|ND", false},
	{"CDP", "N|L|LM|MH|H|ND", false}, {"TD", "N|L|M|H|ND", false}, {"CR", "L|M|H|ND", false},
	{"IR", "L|M|H|ND", false},      {"AR", "L|M|H|ND", false},     {NULL, NULL, false},
};

static const struct mdef v3_defs[] = {
	{"AV", "N|A|L|P", true},   {"AC", "L|H", true},       {"PR", "N|L|H", true},
	{"UI", "N|R", true},       {"S", "U|C", true},        {"C", "H|L|N", true},
	{"I", "H|L|N", true},      {"A", "H|L|N", true},      {"E", "X|U|P|F|H", false},
	{"RL", "X|O|T|W|U", false}, {"RC", "X|U|R|C", false}, {"CR", "X|L|M|H", false},
	{"IR", "X|L|M|H", false},  {"AR", "X|L|M|H", false},  {"MAV", "X|N|A|L|P", false},
	{"MAC", "X|L|H", false},   {"MPR", "X|N|L|H", false}, {"MUI", "X|N|R", false},
	{"MS", "X|U|C", false},    {"MC", "X|N|L|H", false},  {"MI", "X|N|L|H", false},
	{"MA", "X|N|L|H", false},  {NULL, NULL, false},
};

static const struct mdef v4_defs[] = {
	{"AV", "N|A|L|P", true},     {"AC", "L|H", true},        {"AT", "N|P", true},
	{"PR", "N|L|H", true},       {"UI", "N|P|A", true},      {"VC", "H|L|N", true},
	{"VI", "H|L|N", true},       {"VA", "H|L|N", true},      {"SC", "H|L|N", true},
	{"SI", "H|L|N", true},       {"SA", "H|L|N", true},      {"E", "X|A|P|U", false},
	{"CR", "X|H|M|L", false},    {"IR", "X|H|M|L", false},   {"AR", "X|H|M|L", false},
	{"MAV", "X|N|A|L|P", false}, {"MAC", "X|L|H", false},    {"MAT", "X|N|P", false},
	{"MPR", "X|N|L|H", false},   {"MUI", "X|N|P|A", false},  {"MVC", "X|H|L|N", false},
	{"MVI", "X|H|L|N", false},   {"MVA", "X|H|L|N", false},  {"MSC", "X|H|L|N", false},
	{"MSI", "X|S|H|L|N", false}, {"MSA", "X|S|H|L|N", false}, {"S", "X|N|P", false},
	{"AU", "X|N|Y", false},      {"R", "X|A|U|I", false},    {"V", "X|D|C", false},
	{"RE", "X|L|M|H", false},    {"U", "X|Clear|Green|Amber|Red", false}, {NULL, NULL, false},
};

struct parsed {
	const struct mdef *defs;
	const char *val[MAX_METRICS]; /* value text (points into the vector), NULL if absent */
	size_t len[MAX_METRICS];
};

/* index of value (s, n) in the '|' list, or -1 */
static int value_index(const char *list, const char *s, size_t n)
{
	int idx = 0;
	for (const char *p = list;; idx++) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == n && memcmp(p, s, n) == 0)
			return idx;
		if (!bar)
			return -1;
		p = bar + 1;
	}
}

static enum bw_err parse_metrics(const char *vec, const char *s, size_t n, const struct mdef *defs,
				 struct parsed *p, struct bw_errbuf *eb)
{
	memset(p, 0, sizeof(*p));
	p->defs = defs;
	size_t i = 0;
	if (n == 0)
		return bw_fail(eb, BW_ERR_FORMAT, "CVSS vector \"%.100s\": no metrics", vec);
	while (i <= n) {
		size_t st = i;
		while (i < n && s[i] != '/')
			i++;
		size_t off = (size_t)(s - vec) + st;
		const char *comp = s + st, *colon = memchr(comp, ':', i - st);
		if (i == st || !colon)
			return bw_fail(eb, BW_ERR_FORMAT, "CVSS vector \"%.100s\": offset %zu: expected METRIC:VALUE",
				       vec, off);
		size_t nl = (size_t)(colon - comp), vl = i - st - nl - 1;
		int m = -1;
		for (int k = 0; defs[k].name; k++) {
			if (strlen(defs[k].name) == nl && memcmp(defs[k].name, comp, nl) == 0) {
				m = k;
				break;
			}
		}
		if (m < 0)
			return bw_fail(eb, BW_ERR_FORMAT, "CVSS vector \"%.100s\": offset %zu: unknown metric \"%.*s\"",
				       vec, off, (int)(nl > 20 ? 20 : nl), comp);
		if (p->val[m])
			return bw_fail(eb, BW_ERR_FORMAT, "CVSS vector \"%.100s\": offset %zu: metric %s given twice",
				       vec, off, defs[m].name);
		if (value_index(defs[m].values, colon + 1, vl) < 0)
			return bw_fail(eb, BW_ERR_FORMAT,
				       "CVSS vector \"%.100s\": offset %zu: metric %s has no value \"%.*s\" (allowed: %s)",
				       vec, off, defs[m].name, (int)(vl > 20 ? 20 : vl), colon + 1, defs[m].values);
		p->val[m] = colon + 1;
		p->len[m] = vl;
		if (i == n)
			break;
		i++;
		if (i == n)
			return bw_fail(eb, BW_ERR_FORMAT, "CVSS vector \"%.100s\": trailing '/'", vec);
	}
	for (int k = 0; defs[k].name; k++)
		if (defs[k].base && !p->val[k])
			return bw_fail(eb, BW_ERR_FORMAT, "CVSS vector \"%.100s\": base metric %s missing", vec,
				       defs[k].name);
	return BW_OK;
}

static int find(const struct parsed *p, const char *name)
{
	for (int k = 0; p->defs[k].name; k++)
		if (strcmp(p->defs[k].name, name) == 0)
			return k;
	return -1; /* cannot happen: names below are from the tables */
}

/* first character of a metric's value, 'X' when absent */
static char get(const struct parsed *p, const char *name)
{
	int k = find(p, name);
	if (k < 0 || !p->val[k])
		return 'X';
	return p->val[k][0];
}

/* Small replacements for libm (the library does not link it): inputs are
 * scores and sub-scores, far inside the range of long long. */
static double fl(double x)
{
	long long t = (long long)x;
	return (double)t > x ? (double)(t - 1) : (double)t;
}

static double cl(double x)
{
	double f = fl(x);
	return f < x ? f + 1 : f;
}

static long long rnd(double x)
{
	return (long long)fl(x + 0.5);
}

static double pow15(double x)
{
	double r = 1;
	for (int i = 0; i < 15; i++)
		r *= x;
	return r;
}

/* ---- v2 ------------------------------------------------------------------------ */

static double round1(double x)
{
	/* round half up to one decimal (v2 round_to_1_decimal, v4 Math.round) */
	double t = x * 10, f = fl(t);
	if (t - f >= 0.5)
		f += 1;
	return f / 10;
}

static double v2_base(const struct parsed *p)
{
	char av = get(p, "AV"), ac = get(p, "AC"), au = get(p, "Au");
	double AV = av == 'L' ? 0.395 : av == 'A' ? 0.646 : 1.0;
	double AC = ac == 'H' ? 0.35 : ac == 'M' ? 0.61 : 0.71;
	double Au = au == 'M' ? 0.45 : au == 'S' ? 0.56 : 0.704;
	double cia[3];
	const char *names[3] = {"C", "I", "A"};
	for (int i = 0; i < 3; i++) {
		char c = get(p, names[i]);
		cia[i] = c == 'N' ? 0.0 : c == 'P' ? 0.275 : 0.660;
	}
	double impact = 10.41 * (1 - (1 - cia[0]) * (1 - cia[1]) * (1 - cia[2]));
	double expl = 20 * AV * AC * Au;
	double f = impact == 0 ? 0 : 1.176;
	return round1(((0.6 * impact) + (0.4 * expl) - 1.5) * f);
}

/* ---- v3 ------------------------------------------------------------------------ */

/* v3.1 Roundup (specification Appendix A): exact on decimal inputs */
static double roundup31(double x)
{
	long long i = rnd(x * 100000);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

/* v3.0 Roundup: the smallest one-decimal number >= x */
static double roundup30(double x)
{
	return cl(x * 10) / 10;
}

static double v3_base(const struct parsed *p, bool v31)
{
	char av = get(p, "AV"), ac = get(p, "AC"), pr = get(p, "PR"), ui = get(p, "UI");
	bool changed = get(p, "S") == 'C';
	double AV = av == 'N' ? 0.85 : av == 'A' ? 0.62 : av == 'L' ? 0.55 : 0.2;
	double AC = ac == 'L' ? 0.77 : 0.44;
	double PR = pr == 'N' ? 0.85 : pr == 'L' ? (changed ? 0.68 : 0.62) : (changed ? 0.5 : 0.27);
	double UI = ui == 'N' ? 0.85 : 0.62;
	double cia[3];
	const char *names[3] = {"C", "I", "A"};
	for (int i = 0; i < 3; i++) {
		char c = get(p, names[i]);
		cia[i] = c == 'H' ? 0.56 : c == 'L' ? 0.22 : 0.0;
	}
	double iss = 1 - ((1 - cia[0]) * (1 - cia[1]) * (1 - cia[2]));
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02) : 6.42 * iss;
	double expl = 8.22 * AV * AC * PR * UI;
	if (impact <= 0)
		return 0;
	double raw = changed ? 1.08 * (impact + expl) : impact + expl;
	if (raw > 10)
		raw = 10;
	return v31 ? roundup31(raw) : roundup30(raw);
}

/* ---- v4 ------------------------------------------------------------------------ */

/* MacroVector scores (FIRST CVSS v4.0 lookup table), indexed
 * [eq1][eq2][eq3][eq4][eq5][eq6]; < 0: no such MacroVector (EQ3 = 2 only
 * exists with EQ6 = 1). Listed in the table's order: for each eq1, eq2:
 * eq3 = 0 and 1 (eq4 x eq5 x eq6), then eq3 = 2 (eq4 x eq5, eq6 = 1). */
static const double v4_table[6][45] = {
	/* eq1=0 eq2=0 */
	{10, 9.9, 9.8, 9.5, 9.5, 9.2, 10, 9.6, 9.3, 8.7, 9.1, 8.1, 9.3, 9, 8.9, 8, 8.1, 6.8,
	 9.8, 9.5, 9.5, 9.2, 9, 8.4, 9.3, 9.2, 8.9, 8.1, 8.1, 6.5, 8.8, 8, 7.8, 7, 6.9, 4.8,
	 9.2, 8.2, 7.2, 7.9, 6.9, 5, 6.9, 5.5, 2.7},
	/* eq1=0 eq2=1 */
	{9.9, 9.7, 9.5, 9.2, 9.2, 8.5, 9.5, 9.1, 9, 8.3, 8.4, 7.1, 9.2, 8.1, 8.2, 7.1, 7.2, 5.3,
	 9.5, 9.3, 9.2, 8.5, 8.5, 7.3, 9.2, 8.2, 8, 7.2, 7, 5.9, 8.4, 7, 7.1, 5.2, 5, 3,
	 8.6, 7.5, 5.2, 7.1, 5.2, 2.9, 6.3, 2.9, 1.7},
	/* eq1=1 eq2=0 */
	{9.8, 9.5, 9.4, 8.7, 9.1, 8.1, 9.4, 8.9, 8.6, 7.4, 7.7, 6.4, 8.7, 7.5, 7.4, 6.3, 6.3, 4.9,
	 9.4, 8.9, 8.8, 7.7, 7.6, 6.7, 8.6, 7.6, 7.4, 5.8, 5.9, 5, 7.2, 5.7, 5.7, 5.2, 5.2, 2.5,
	 8.3, 7, 5.4, 6.5, 5.8, 2.6, 5.3, 2.1, 1.3},
	/* eq1=1 eq2=1 */
	{9.5, 9, 8.8, 7.6, 7.6, 7, 9, 7.7, 7.5, 6.2, 6.1, 5.3, 7.7, 6.6, 6.8, 5.9, 5.2, 3,
	 8.9, 7.8, 7.6, 6.7, 6.2, 5.8, 7.4, 5.9, 5.7, 5.7, 4.7, 2.3, 6.1, 5.2, 5.7, 2.9, 2.4, 1.6,
	 7.1, 5.9, 3, 5.8, 2.6, 1.5, 2.3, 1.3, 0.6},
	/* eq1=2 eq2=0 */
	{9.3, 8.7, 8.6, 7.2, 7.5, 5.8, 8.6, 7.4, 7.4, 6.1, 5.6, 3.4, 7, 5.4, 5.2, 4, 4, 2.2,
	 8.5, 7.5, 7.4, 5.5, 6.2, 5.1, 7.2, 5.7, 5.5, 4.1, 4.6, 1.9, 5.3, 3.6, 3.4, 1.9, 1.9, 0.8,
	 6.4, 5.1, 2, 4.7, 2.1, 1.1, 2.4, 0.9, 0.4},
	/* eq1=2 eq2=1 */
	{8.8, 7.5, 7.3, 5.3, 6, 5, 7.3, 5.5, 5.9, 4, 4.1, 2, 5.4, 4.3, 4.5, 2.2, 2, 1.1,
	 7.5, 5.5, 5.8, 4.5, 4, 2.1, 6.1, 5.1, 4.8, 1.8, 2, 0.9, 4.6, 1.8, 1.7, 0.7, 0.8, 0.2,
	 5.3, 2.4, 1.4, 2.4, 1.2, 0.5, 1, 0.3, 0.1},
};

/* score of MacroVector e[0..5], or -1 when it does not exist */
static double lookup(const int e[6])
{
	if (e[0] < 0 || e[0] > 2 || e[1] < 0 || e[1] > 1 || e[2] < 0 || e[2] > 2 || e[3] < 0 || e[3] > 2 ||
	    e[4] < 0 || e[4] > 2 || e[5] < 0 || e[5] > 1)
		return -1;
	const double *row = v4_table[e[0] * 2 + e[1]];
	if (e[2] < 2)
		return row[e[2] * 18 + e[3] * 6 + e[4] * 2 + e[5]];
	if (e[5] != 1)
		return -1;
	return row[36 + e[3] * 3 + e[4]];
}

/* The highest-severity vectors of each EQ level (FIRST max_composed). */
static const char *const max_eq1[3][3] = {
	{"AV:N/PR:N/UI:N", NULL, NULL},
	{"AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"},
	{"AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P", NULL},
};
static const char *const max_eq2[2][2] = {
	{"AC:L/AT:N", NULL},
	{"AC:H/AT:N", "AC:L/AT:P"},
};
static const char *const max_eq36[3][2][5] = {
	{{"VC:H/VI:H/VA:H/CR:H/IR:H/AR:H", NULL},
	 {"VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M", NULL}},
	{{"VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H", NULL},
	 {"VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M", "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
	  "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H", "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M"}},
	{{NULL}, {"VC:L/VI:L/VA:L/CR:H/IR:H/AR:H", NULL}},
};
static const char *const max_eq4[3] = {"SC:H/SI:S/SA:S", "SC:H/SI:H/SA:H", "SC:L/SI:L/SA:L"};
/* max severity depths (+1), FIRST max_severity */
static const int depth_eq1[3] = {1, 4, 5};
static const int depth_eq2[2] = {1, 2};
static const int depth_eq36[3][2] = {{7, 6}, {8, 8}, {0, 10}};
static const int depth_eq4[3] = {6, 5, 4};

/* value of metric name in a "AV:N/PR:N/UI:N" string */
static char mv_get(const char *s, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = s; p && *p;) {
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			return p[n + 1];
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return 'X';
}

/* effective value, as the calculator's m(): E:X is A, CR/IR/AR:X are H,
 * a modified base metric other than X replaces the base one */
static char m4(const struct parsed *p, const char *name)
{
	char v = get(p, name);
	if (strcmp(name, "E") == 0)
		return v == 'X' ? 'A' : v;
	if ((strcmp(name, "CR") == 0 || strcmp(name, "IR") == 0 || strcmp(name, "AR") == 0))
		return v == 'X' ? 'H' : v;
	char mod[8] = "M";
	if (strlen(name) < sizeof(mod) - 1) {
		memcpy(mod + 1, name, strlen(name) + 1);
		if (find(p, mod) >= 0) {
			char mv = get(p, mod);
			if (mv != 'X')
				return mv;
		}
	}
	return v;
}

static double level(const char *metric, char v)
{
	static const struct {
		const char *metric;
		const char *vals;
		double lv[5];
	} t[] = {
		{"AV", "NALP", {0.0, 0.1, 0.2, 0.3}}, {"PR", "NLH", {0.0, 0.1, 0.2}},
		{"UI", "NPA", {0.0, 0.1, 0.2}},       {"AC", "LH", {0.0, 0.1}},
		{"AT", "NP", {0.0, 0.1}},             {"VC", "HLN", {0.0, 0.1, 0.2}},
		{"VI", "HLN", {0.0, 0.1, 0.2}},       {"VA", "HLN", {0.0, 0.1, 0.2}},
		{"SC", "HLN", {0.1, 0.2, 0.3}},       {"SI", "SHLN", {0.0, 0.1, 0.2, 0.3}},
		{"SA", "SHLN", {0.0, 0.1, 0.2, 0.3}}, {"CR", "HML", {0.0, 0.1, 0.2}},
		{"IR", "HML", {0.0, 0.1, 0.2}},       {"AR", "HML", {0.0, 0.1, 0.2}},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].metric, metric) != 0)
			continue;
		const char *q = strchr(t[i].vals, v);
		return q && v ? t[i].lv[q - t[i].vals] : 0.0;
	}
	return 0.0;
}

static int macrovector(const struct parsed *p, int e[6])
{
	char av = m4(p, "AV"), pr = m4(p, "PR"), ui = m4(p, "UI");
	if (av == 'N' && pr == 'N' && ui == 'N')
		e[0] = 0;
	else if ((av == 'N' || pr == 'N' || ui == 'N') && av != 'P')
		e[0] = 1;
	else
		e[0] = 2;
	e[1] = (m4(p, "AC") == 'L' && m4(p, "AT") == 'N') ? 0 : 1;
	char vc = m4(p, "VC"), vi = m4(p, "VI"), va = m4(p, "VA");
	if (vc == 'H' && vi == 'H')
		e[2] = 0;
	else if (vc == 'H' || vi == 'H' || va == 'H')
		e[2] = 1;
	else
		e[2] = 2;
	if (m4(p, "MSI") == 'S' || m4(p, "MSA") == 'S')
		e[3] = 0;
	else if (m4(p, "SC") == 'H' || m4(p, "SI") == 'H' || m4(p, "SA") == 'H')
		e[3] = 1;
	else
		e[3] = 2;
	char ex = m4(p, "E");
	e[4] = ex == 'A' ? 0 : ex == 'P' ? 1 : 2;
	e[5] = ((m4(p, "CR") == 'H' && vc == 'H') || (m4(p, "IR") == 'H' && vi == 'H') ||
		(m4(p, "AR") == 'H' && va == 'H'))
		       ? 0
		       : 1;
	return 0;
}

/* Scores of the next lower MacroVector of each EQ (-1: none). EQ3 and EQ6
 * move together: 00 -> the higher of 01 and 10, 01 -> 11, 10 -> 11,
 * 11 -> 21, 21 -> none. */
static void lower_scores(const int e[6], double low[5])
{
	int m[6];

	for (int q = 0; q < 5; q++) {
		if (q == 2) /* EQ3+EQ6, below */
			continue;
		memcpy(m, e, sizeof(m));
		m[q]++; /* e[0] EQ1, e[1] EQ2, e[3] EQ4, e[4] EQ5 */
		low[q] = lookup(m);
	}
	memcpy(m, e, sizeof(m));
	if (e[2] == 0 && e[5] == 0) {
		int r[6];
		memcpy(r, e, sizeof(r));
		m[5]++;
		r[2]++;
		double left = lookup(m), right = lookup(r);
		low[2] = left > right ? left : right;
	} else if (e[2] == 1 && e[5] == 0) {
		m[5]++;
		low[2] = lookup(m);
	} else if (e[2] == 2) {
		low[2] = -1;
	} else {
		m[2]++;
		low[2] = lookup(m);
	}
}

static const char *const dist_metrics[14] = {"AV", "PR", "UI", "AC", "AT", "VC", "VI",
					     "VA", "SC", "SI", "SA", "CR", "IR", "AR"};

/* Severity distances of the vector from the first highest-severity vector
 * of its MacroVector that it does not exceed (else from the last one). */
static void severity_distances(const struct parsed *p, const int e[6], double d[14])
{
	const char *const *m1 = max_eq1[e[0]], *const *m2 = max_eq2[e[1]];
	const char *const *m36 = max_eq36[e[2]][e[5]];
	bool found = false;

	for (int a = 0; a < 3 && m1[a] && !found; a++) {
		for (int b = 0; b < 2 && m2[b] && !found; b++) {
			for (int c = 0; c < 5 && m36[c] && !found; c++) {
				const char *parts[4] = {m1[a], m2[b], m36[c], max_eq4[e[3]]};
				bool neg = false;
				for (int k = 0; k < 14; k++) {
					char mx = 'X';
					for (int q = 0; q < 4 && mx == 'X'; q++)
						mx = mv_get(parts[q], dist_metrics[k]);
					d[k] = level(dist_metrics[k], m4(p, dist_metrics[k])) - level(dist_metrics[k], mx);
					if (d[k] < 0)
						neg = true;
				}
				found = !neg;
			}
		}
	}
}

static double v4_score(const struct parsed *p)
{
	int e[6];
	double d[14] = {0}, low[5];

	if (m4(p, "VC") == 'N' && m4(p, "VI") == 'N' && m4(p, "VA") == 'N' && m4(p, "SC") == 'N' &&
	    m4(p, "SI") == 'N' && m4(p, "SA") == 'N')
		return 0.0;
	macrovector(p, e);
	double value = lookup(e);
	lower_scores(e, low);
	severity_distances(p, e, d);

	/* same operations, in the same order, as FIRST's calculator */
	double cur[5] = {
		d[0] + d[1] + d[2],                       /* EQ1: AV PR UI */
		d[3] + d[4],                              /* EQ2: AC AT */
		d[5] + d[6] + d[7] + d[11] + d[12] + d[13], /* EQ3+EQ6: VC VI VA CR IR AR */
		d[8] + d[9] + d[10],                      /* EQ4: SC SI SA */
		0,                                        /* EQ5: always 0 */
	};
	double step = 0.1;
	double depth[5] = {depth_eq1[e[0]] * step, depth_eq2[e[1]] * step, depth_eq36[e[2]][e[5]] * step,
			   depth_eq4[e[3]] * step, 1};
	int n_lower = 0;
	double sum = 0;
	for (int q = 0; q < 5; q++) {
		if (low[q] < 0)
			continue;
		n_lower++;
		sum += q == 4 ? (value - low[q]) * 0 : (value - low[q]) * (cur[q] / depth[q]);
	}
	double mean = n_lower ? sum / n_lower : 0;
	value -= mean;
	if (value < 0)
		value = 0;
	if (value > 10)
		value = 10;
	return round1(value);
}

/* ---- entry points ---------------------------------------------------------------- */

enum vdb_cvss_rating vdb_cvss_rating(double score)
{
	if (!(score > 0.0))
		return VDB_CVSS_RATING_NONE;
	if (score < 3.95)
		return VDB_CVSS_RATING_LOW;
	if (score < 6.95)
		return VDB_CVSS_RATING_MEDIUM;
	if (score < 8.95)
		return VDB_CVSS_RATING_HIGH;
	return VDB_CVSS_RATING_CRITICAL;
}

const char *vdb_cvss_rating_name(enum vdb_cvss_rating r)
{
	switch (r) {
	case VDB_CVSS_RATING_NONE: return "None";
	case VDB_CVSS_RATING_LOW: return "Low";
	case VDB_CVSS_RATING_MEDIUM: return "Medium";
	case VDB_CVSS_RATING_HIGH: return "High";
	case VDB_CVSS_RATING_CRITICAL: return "Critical";
	}
	return "None";
}

enum bw_err vdb_cvss_compute(const char *vector, struct vdb_cvss_result *out, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct parsed p;
	double score;

	if (!vector || !out)
		return bw_fail(eb, BW_ERR_USAGE, "CVSS: NULL argument");
	memset(out, 0, sizeof(*out));
	size_t n = strnlen(vector, VDB_CVSS_MAX_VECTOR + 1);
	if (n > VDB_CVSS_MAX_VECTOR)
		return bw_fail(eb, BW_ERR_LIMIT, "CVSS vector longer than %d bytes", VDB_CVSS_MAX_VECTOR);
	if (strncmp(vector, "CVSS:", 5) == 0) {
		const char *rest = vector + 9;
		if (n < 9 || vector[8] != '/')
			return bw_fail(eb, BW_ERR_FORMAT, "CVSS vector \"%.100s\": expected CVSS:x.y/", vector);
		if (strncmp(vector + 5, "4.0", 3) == 0) {
			result = parse_metrics(vector, rest, n - 9, v4_defs, &p, eb);
			if (result != BW_OK)
				return result;
			out->major = 4;
			score = v4_score(&p);
		} else if (strncmp(vector + 5, "3.1", 3) == 0 || strncmp(vector + 5, "3.0", 3) == 0) {
			bool v31 = vector[7] == '1';
			result = parse_metrics(vector, rest, n - 9, v3_defs, &p, eb);
			if (result != BW_OK)
				return result;
			out->major = 3;
			out->minor = v31 ? 1 : 0;
			score = v3_base(&p, v31);
		} else {
			return bw_fail(eb, BW_ERR_UNSUPPORTED, "CVSS vector \"%.100s\": unknown CVSS version", vector);
		}
	} else {
		const char *s = vector;
		size_t len = n;
		if (len >= 2 && s[0] == '(' && s[len - 1] == ')') {
			s++;
			len -= 2;
		}
		result = parse_metrics(vector, s, len, v2_defs, &p, eb);
		if (result != BW_OK)
			return result;
		out->major = 2;
		score = v2_base(&p);
	}
	out->score10 = (int)rnd(score * 10);
	if (out->score10 < 0)
		out->score10 = 0;
	if (out->score10 > 100)
		out->score10 = 100;
	out->score = out->score10 / 10.0;
	out->rating = vdb_cvss_rating(out->score);
	return BW_OK;
}

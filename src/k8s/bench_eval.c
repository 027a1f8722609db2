/* bench_eval.c - kube-bench test items evaluated on gathered evidence.
 *
 * Semantics follow kube-bench check/test.go: `set` defaults to true; with
 * set and a compare op the found value is compared, with set and no op the
 * item passes when found, with set: false when not found; bin_op and/or
 * combines items (default and); multi-line output must pass on every line.
 * Differences (on purpose, to be exact where kube-bench guesses):
 *  - a flag is found by whole token ("--client-ca-file" never matches
 *    "--kubelet-client-ca-file"); "--flag value" is read only when the
 *    next token does not start with '-' and the item has a compare op;
 *  - an item naming both flag and path takes the command-line value first,
 *    then the config file, then the component's documented default, and
 *    says which one it used.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/bench_int.h"

void k8s_evidence_release(struct k8s_evidence *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->nrows; i++) {
		bw_strv_release(&ev->rows[i].tok);
		free(ev->rows[i].src);
	}
	free(ev->rows);
	json_decref(ev->config);
	free(ev->config_src);
	free(ev->env_text);
	free(ev->env_src);
	free(ev->error);
	free(ev->na);
	memset(ev, 0, sizeof(*ev));
}

enum bw_err k8s_evidence_add_row(struct k8s_evidence *ev, const char *src)
{
	enum bw_err result = bw_grow((void **)&ev->rows, &ev->caprows, ev->nrows + 1,
				     sizeof(*ev->rows), 100000);

	if (result != BW_OK)
		return result;
	memset(&ev->rows[ev->nrows], 0, sizeof(ev->rows[0]));
	ev->rows[ev->nrows].src = bw_strdup(src ? src : "");
	if (!ev->rows[ev->nrows].src)
		return BW_ERR_NOMEM;
	ev->nrows++;
	ev->have_rows = true;
	return BW_OK;
}

enum bw_err k8s_evidence_add_text(struct k8s_evidence *ev, const char *text)
{
	struct k8s_row *r;
	const char *p = text;

	if (ev->nrows == 0)
		return BW_ERR_INTERNAL;
	r = &ev->rows[ev->nrows - 1];
	while (*p) {
		size_t n;
		enum bw_err result;
		char *tok;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " \t\n\r");
		if (r->tok.n >= 100000)
			return BW_ERR_LIMIT;
		tok = bw_strndup(p, n);
		result = bw_strv_push_owned(&r->tok, tok); /* frees tok on failure */
		if (result != BW_OK)
			return result;
		p += n;
	}
	return BW_OK;
}

/* ---- compare ------------------------------------------------------------------ */

static bool to_int(const char *s, long long *out)
{
	char *end;
	char buf[64];
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = bw_strlcpy(buf, s, sizeof(buf));
	if (n >= sizeof(buf))
		return false;
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\n'))
		buf[--n] = '\0';
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return buf[0] && errno == 0 && *end == '\0';
}

/* Split s on ',' trimming spaces, dropping one trailing separator
 * (kube-bench splitAndRemoveLastSeparator), into a strv. */
static void split_elems(const char *s, struct bw_strv *out)
{
	char *copy = bw_strdup(s), *save = NULL, *tok;
	size_t n;

	if (!copy)
		return;
	n = strlen(copy);
	while (n > 0 && (copy[n - 1] == ',' || copy[n - 1] == ' '))
		copy[--n] = '\0';
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		bw_strv_push(out, bw_str_trim(tok));
	free(copy);
}

static bool valid_elements(const char *actual, const char *allowed)
{
	struct bw_strv a = {0}, b = {0};
	bool ok = true;

	split_elems(actual, &a);
	split_elems(allowed, &b);
	if (a.n == 0 || b.n == 0)
		ok = a.n == 0 && b.n == 0;
	for (size_t i = 0; ok && i < a.n; i++)
		if (!bw_strv_contains(&b, a.v[i]))
			ok = false;
	bw_strv_release(&a);
	bw_strv_release(&b);
	return ok;
}

static bool regex_match(const char *re, const char *s)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int rc = -1;

	if (strlen(re) > 4096)
		return false;
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
	if (!code)
		return false;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	mc = pcre2_match_context_create(NULL);
	if (md && mc) {
		pcre2_set_match_limit(mc, 100000);
		pcre2_set_depth_limit(mc, 1000);
		rc = pcre2_match(code, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md, mc);
	}
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return rc >= 0;
}

static bool parse_octal(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || strlen(s) > 12)
		return false;
	errno = 0;
	*out = strtoul(s, &end, 8);
	return errno == 0 && *end == '\0';
}

bool k8s_compare(const char *op, const char *actual, const char *want)
{
	long long a, b;

	if (strcmp(op, "eq") == 0 || strcmp(op, "noteq") == 0) {
		bool eq;

		/* booleans compare case-insensitively, as kube-bench does */
		if (strcasecmp(actual, "true") == 0 || strcasecmp(actual, "false") == 0)
			eq = strcasecmp(actual, want) == 0 && (strcmp(want, "true") == 0 ||
							       strcmp(want, "false") == 0);
		else
			eq = strcmp(actual, want) == 0;
		return op[0] == 'e' ? eq : !eq;
	}
	if (strcmp(op, "gt") == 0 || strcmp(op, "gte") == 0 || strcmp(op, "lt") == 0 ||
	    strcmp(op, "lte") == 0) {
		if (!to_int(actual, &a) || !to_int(want, &b))
			return false;
		if (strcmp(op, "gt") == 0)
			return a > b;
		if (strcmp(op, "gte") == 0)
			return a >= b;
		if (strcmp(op, "lt") == 0)
			return a < b;
		return a <= b;
	}
	if (strcmp(op, "has") == 0)
		return strstr(actual, want) != NULL;
	if (strcmp(op, "nothave") == 0)
		return strstr(actual, want) == NULL;
	if (strcmp(op, "regex") == 0)
		return regex_match(want, actual);
	if (strcmp(op, "valid_elements") == 0)
		return valid_elements(actual, want);
	if (strcmp(op, "bitmask") == 0) {
		unsigned long req, max;

		if (!parse_octal(actual, &req) || !parse_octal(want, &max))
			return false;
		return (max & req) == req;
	}
	return false;
}

/* ---- JSONPath subset --------------------------------------------------------- */

char *k8s_jsonpath(const json_t *v, const char *path)
{
	char buf[512];
	size_t n;
	char *p;

	if (!v || !path)
		return NULL;
	n = bw_strlcpy(buf, path, sizeof(buf));
	if (n >= sizeof(buf) || n < 2 || buf[0] != '{' || buf[n - 1] != '}')
		return NULL;
	buf[n - 1] = '\0';
	p = buf + 1;
	while (*p && v) {
		if (*p == '.') {
			char *end = p + 1;
			char save;

			while (*end && *end != '.' && *end != '[')
				end++;
			save = *end;
			*end = '\0';
			v = p[1] ? (json_is_object(v) ? json_object_get(v, p + 1) : NULL) : v;
			*end = save;
			p = end;
		} else if (*p == '[') {
			char *end = strchr(p, ']');
			uint64_t idx;

			if (!end)
				return NULL;
			*end = '\0';
			if (p[1] == '\'' || p[1] == '"') {
				size_t l = strlen(p + 2);

				if (l == 0 || p[1 + l] != p[1])
					return NULL;
				p[1 + l] = '\0';
				v = json_is_object(v) ? json_object_get(v, p + 2) : NULL;
			} else {
				if (bw_parse_u64(p + 1, 1u << 20, &idx) != BW_OK)
					return NULL;
				v = json_is_array(v) ? json_array_get(v, idx) : NULL;
			}
			p = end + 1;
		} else {
			return NULL;
		}
	}
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return bw_strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* ---- items ----------------------------------------------------------------------- */

struct found {
	bool match;
	const char *key; /* the flag, path or env that matched */
	char *value; /* owned */
	char src[600];
};

/* Flag in one row's tokens; the last occurrence wins (pflag). */
static void flag_in_row(const struct k8s_test_item *t, const struct k8s_row *r, struct found *f)
{
	size_t fl = strlen(t->flag);

	for (size_t i = 0; i < r->tok.n; i++) {
		const char *tok = r->tok.v[i];
		const char *val = NULL;
		char *dup;

		if (strcmp(tok, t->flag) == 0) {
			if (t->op && i + 1 < r->tok.n && r->tok.v[i + 1][0] != '-')
				val = r->tok.v[i + 1];
			else if (bw_str_starts_with(t->flag, "--"))
				val = "true"; /* a bare boolean flag */
			else
				val = t->flag;
		} else if (strncmp(tok, t->flag, fl) == 0 && (tok[fl] == '=' || tok[fl] == ':')) {
			val = tok + fl + 1;
			if (!*val && tok[fl] == ':' && i + 1 < r->tok.n)
				val = r->tok.v[i + 1]; /* "flag: value" */
		}
		if (!val)
			continue;
		dup = bw_strdup(val);
		if (!dup)
			continue;
		free(f->value);
		f->value = dup;
		f->match = true;
		snprintf(f->src, sizeof(f->src), "%s", r->src);
	}
}

static void env_lookup(const char *text, const char *name, struct found *f)
{
	size_t nl = strlen(name);
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			free(f->value);
			f->value = bw_strndup(p + nl + 1, len - nl - 1);
			f->match = f->value && f->value[0];
		}
		p = eol ? eol + 1 : NULL;
	}
}

/* kube-bench evaluate() on a found value. */
static bool judge(const struct k8s_test_item *t, const struct found *f)
{
	if (!t->set)
		return !f->match;
	if (f->match && t->op)
		return k8s_compare(t->op, f->value ? f->value : "", t->value);
	return f->match;
}

static const char *item_name(const struct k8s_test_item *t)
{
	return t->flag ? t->flag : t->path ? t->path : t->env;
}

static void expected_text(const struct k8s_test_item *t, char *buf, size_t sz)
{
	if (!t->set)
		snprintf(buf, sz, "'%s' is not set", item_name(t));
	else if (t->op)
		snprintf(buf, sz, "'%s' %s '%s'", item_name(t), t->op, t->value);
	else
		snprintf(buf, sz, "'%s' is set", item_name(t));
}

/* One item on one row (row may be NULL: no rows), falling back from the
 * command line to the config file to the documented default. */
static bool eval_item_row(const struct k8s_test_item *t, const struct k8s_evidence *ev,
			  const struct k8s_row *row, struct bw_buf *detail)
{
	struct found f = {.match = false, .value = NULL, .src = ""};
	char want[700];
	bool pass;

	if (t->flag && row)
		flag_in_row(t, row, &f);
	if (f.match)
		f.key = t->flag;
	if (!f.match && t->path && ev->config) {
		char *v = k8s_jsonpath(ev->config, t->path);

		if (v && v[0]) {
			f.match = true;
			f.key = t->path;
			f.value = v;
			snprintf(f.src, sizeof(f.src), "%s", ev->config_src);
		} else {
			free(v);
		}
	}
	if (!f.match && t->env && ev->env_text) {
		env_lookup(ev->env_text, t->env, &f);
		if (f.match) {
			f.key = t->env;
			snprintf(f.src, sizeof(f.src), "environment of %s", ev->env_src);
		}
	}
	if (!f.match && t->set && t->op && ev->component) {
		const char *src = NULL;
		const char *d = k8s_default_value(ev->component, t->flag, t->path,
						  ev->config != NULL, &src);

		if (d) {
			f.match = true;
			f.key = t->flag && (!t->path || !ev->config) ? t->flag : t->path;
			f.value = bw_strdup(d);
			snprintf(f.src, sizeof(f.src), "default: %s", src);
		}
	}
	pass = judge(t, &f);
	expected_text(t, want, sizeof(want));
	if (f.match)
		bw_buf_appendf(detail, "%s %s: %s=%s (from %s); expected %s\n", pass ? "ok" : "NOT OK",
			       item_name(t), f.key ? f.key : item_name(t), f.value ? f.value : "", f.src,
			       want);
	else
		bw_buf_appendf(detail, "%s %s: not set (searched: %s%s%s%s%s); expected %s\n",
			       pass ? "ok" : "NOT OK", item_name(t),
			       row ? row->src : "no audit output",
			       ev->config_src ? ", " : "",
			       ev->config_src ? ev->config_src : "",
			       t->set && t->op && ev->component ? ", defaults of " : "",
			       t->set && t->op && ev->component ? ev->component : "", want);
	free(f.value);
	return pass;
}

enum bw_err k8s_eval_tests(const struct k8s_check_def *c, const struct k8s_evidence *ev,
			   bool *pass, struct bw_buf *detail)
{
	bool result_or = false, result_and = true;

	for (size_t i = 0; i < c->nitems; i++) {
		const struct k8s_test_item *t = &c->items[i];
		bool ok = true;

		if (t->flag && ev->nrows > 0) {
			for (size_t r = 0; r < ev->nrows; r++)
				if (!eval_item_row(t, ev, &ev->rows[r], detail))
					ok = false;
		} else {
			ok = eval_item_row(t, ev, NULL, detail);
		}
		result_or = result_or || ok;
		result_and = result_and && ok;
	}
	*pass = c->nitems > 0 && (c->bin_or ? result_or : result_and);
	if (detail->len && detail->data[detail->len - 1] == '\n')
		detail->data[--detail->len] = '\0';
	return BW_OK;
}

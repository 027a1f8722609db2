/* cfg.c - kube-bench format controls files: $variable substitution and
 * parsing into struct k8s_controls (format: kube-bench cfg/BENCH/NAME.yaml,
 * semantics of check/controls.go, check/check.go, check/test.go). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s.h"

/* ---- variables ------------------------------------------------------------ */

enum bw_err k8s_vars_set(struct k8s_vars *v, const char *name, const char *value)
{
	enum bw_err result;

	for (size_t i = 0; i < v->names.n; i++)
		if (strcmp(v->names.v[i], name) == 0) {
			char *dup = bw_strdup(value);

			if (!dup)
				return BW_ERR_NOMEM;
			free(v->values.v[i]);
			v->values.v[i] = dup;
			return BW_OK;
		}
	result = bw_strv_push(&v->names, name);
	if (result != BW_OK)
		return result;
	result = bw_strv_push(&v->values, value);
	if (result != BW_OK) {
		free(v->names.v[--v->names.n]);
		return result;
	}
	return BW_OK;
}

const char *k8s_vars_get(const struct k8s_vars *v, const char *name)
{
	for (size_t i = 0; v && i < v->names.n; i++)
		if (strcmp(v->names.v[i], name) == 0)
			return v->values.v[i];
	return NULL;
}

void k8s_vars_release(struct k8s_vars *v)
{
	if (!v)
		return;
	bw_strv_release(&v->names);
	bw_strv_release(&v->values);
}

/* Replace every "$name" by its value, the longest matching name first
 * (kube-bench substitutes in the file text before parsing, as here). */
static enum bw_err substitute(const char *data, size_t n, const struct k8s_vars *vars,
			      struct bw_buf *out)
{
	enum bw_err result = BW_OK;
	size_t i = 0;

	while (i < n && result == BW_OK) {
		size_t best = 0, bestlen = 0;

		if (data[i] == '$' && vars) {
			for (size_t k = 0; k < vars->names.n; k++) {
				size_t l = strlen(vars->names.v[k]);

				if (l > bestlen && i + 1 + l <= n &&
				    memcmp(data + i + 1, vars->names.v[k], l) == 0) {
					best = k;
					bestlen = l;
				}
			}
		}
		if (bestlen) {
			result = bw_buf_appends(out, vars->values.v[best]);
			i += 1 + bestlen;
		} else {
			size_t j = i + 1;

			while (j < n && data[j] != '$')
				j++;
			result = bw_buf_append(out, data + i, j - i);
			i = j;
		}
	}
	return result;
}

/* ---- parsing ------------------------------------------------------------------ */

struct pctx {
	const char *what;
	struct bw_errbuf *eb;
	char path[256];
};

static void item_release(struct k8s_test_item *t)
{
	free(t->flag);
	free(t->path);
	free(t->env);
	free(t->op);
	free(t->value);
}

static void check_release(struct k8s_check_def *c)
{
	free(c->id);
	free(c->text);
	free(c->type);
	free(c->audit);
	free(c->audit_config);
	free(c->audit_env);
	free(c->remediation);
	for (size_t i = 0; i < c->nitems; i++)
		item_release(&c->items[i]);
	free(c->items);
}

void k8s_controls_release(struct k8s_controls *c)
{
	if (!c)
		return;
	free(c->version);
	free(c->id);
	free(c->text);
	free(c->type);
	for (size_t g = 0; g < c->n; g++) {
		for (size_t i = 0; i < c->groups[g].n; i++)
			check_release(&c->groups[g].checks[i]);
		free(c->groups[g].checks);
		free(c->groups[g].id);
		free(c->groups[g].text);
	}
	free(c->groups);
	memset(c, 0, sizeof(*c));
}

/* A scalar field as text: strings as they are, numbers and booleans in
 * their YAML spelling (ids like 1.1 load as numbers: kept as written is
 * impossible after parsing, so "%g" gives "1.1"). Absent/null: dflt. */
static enum bw_err get_text(struct pctx *p, const json_t *o, const char *key, const char *dflt,
			    char **out)
{
	const json_t *v = json_object_get(o, key);
	char num[64];
	const char *s = dflt;

	*out = NULL;
	if (v && !json_is_null(v)) {
		switch (json_typeof(v)) {
		case JSON_STRING:
			s = json_string_value(v);
			break;
		case JSON_INTEGER:
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			s = num;
			break;
		case JSON_REAL:
			snprintf(num, sizeof(num), "%.15g", json_real_value(v));
			s = num;
			break;
		case JSON_TRUE:
			s = "true";
			break;
		case JSON_FALSE:
			s = "false";
			break;
		default:
			return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s%s%s: expected a scalar, got %s",
				       p->what, p->path, p->path[0] ? "." : "", key,
				       json_is_array(v) ? "a list" : "a mapping");
		}
	}
	if (!s)
		return BW_OK;
	*out = bw_strdup(s);
	return *out ? BW_OK : bw_fail(p->eb, BW_ERR_NOMEM, "out of memory");
}

static enum bw_err get_bool(struct pctx *p, const json_t *o, const char *key, bool dflt, bool *out)
{
	const json_t *v = json_object_get(o, key);

	*out = dflt;
	if (!v || json_is_null(v))
		return BW_OK;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return BW_OK;
	}
	return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s.%s: expected true or false", p->what, p->path,
		       key);
}

static bool known_op(const char *op)
{
	static const char *const ops[] = {"eq", "noteq", "gt", "gte", "lt", "lte", "has",
					  "nothave", "regex", "valid_elements", "bitmask", NULL};

	for (size_t i = 0; ops[i]; i++)
		if (strcmp(op, ops[i]) == 0)
			return true;
	return false;
}

static enum bw_err parse_item(struct pctx *p, const json_t *o, struct k8s_test_item *t)
{
	enum bw_err result;
	const json_t *cmp;

	if (!json_is_object(o))
		return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s: a test item must be a mapping", p->what,
			       p->path);
	if ((result = get_text(p, o, "flag", NULL, &t->flag)) != BW_OK ||
	    (result = get_text(p, o, "path", NULL, &t->path)) != BW_OK ||
	    (result = get_text(p, o, "env", NULL, &t->env)) != BW_OK ||
	    (result = get_bool(p, o, "set", true, &t->set)) != BW_OK)
		return result;
	if (t->flag && !t->flag[0]) {
		free(t->flag);
		t->flag = NULL;
	}
	if (t->path && !t->path[0]) {
		free(t->path);
		t->path = NULL;
	}
	if (t->env && !t->env[0]) {
		free(t->env);
		t->env = NULL;
	}
	if (!t->flag && !t->path && !t->env)
		return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s: test item has no flag, path or env",
			       p->what, p->path);
	cmp = json_object_get(o, "compare");
	if (cmp && !json_is_null(cmp)) {
		size_t l = strlen(p->path);

		if (!json_is_object(cmp))
			return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s.compare: expected a mapping",
				       p->what, p->path);
		bw_strlcpy(p->path + l, ".compare", sizeof(p->path) - l);
		result = get_text(p, cmp, "op", NULL, &t->op);
		if (result == BW_OK)
			result = get_text(p, cmp, "value", "", &t->value);
		if (result == BW_OK && t->op && !t->op[0]) {
			free(t->op);
			t->op = NULL;
		}
		if (result == BW_OK && t->op && !known_op(t->op))
			result = bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s.op: '%s' is not a known operator",
					 p->what, p->path, t->op);
		p->path[l] = '\0';
		if (result != BW_OK)
			return result;
	}
	if (!t->value && !(t->value = bw_strdup("")))
		return bw_fail(p->eb, BW_ERR_NOMEM, "out of memory");
	return BW_OK;
}

static enum bw_err parse_check(struct pctx *p, const json_t *o, struct k8s_check_def *c)
{
	enum bw_err result;
	const json_t *tests, *items, *binop;
	size_t base = strlen(p->path);

	if (!json_is_object(o))
		return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s: a check must be a mapping", p->what,
			       p->path);
	if ((result = get_text(p, o, "id", NULL, &c->id)) != BW_OK ||
	    (result = get_text(p, o, "text", "", &c->text)) != BW_OK ||
	    (result = get_text(p, o, "type", "", &c->type)) != BW_OK ||
	    (result = get_text(p, o, "audit", "", &c->audit)) != BW_OK ||
	    (result = get_text(p, o, "audit_config", "", &c->audit_config)) != BW_OK ||
	    (result = get_text(p, o, "audit_env", "", &c->audit_env)) != BW_OK ||
	    (result = get_text(p, o, "remediation", "", &c->remediation)) != BW_OK ||
	    (result = get_bool(p, o, "scored", false, &c->scored)) != BW_OK ||
	    (result = get_bool(p, o, "use_multiple_values", false, &c->multiple)) != BW_OK)
		return result;
	if (!c->id)
		return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s: check has no id", p->what, p->path);
	tests = json_object_get(o, "tests");
	if (!tests || json_is_null(tests))
		return BW_OK;
	if (!json_is_object(tests))
		return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s.tests: expected a mapping", p->what,
			       p->path);
	c->has_tests = true;
	binop = json_object_get(tests, "bin_op");
	if (json_is_string(binop)) {
		if (strcmp(json_string_value(binop), "or") == 0)
			c->bin_or = true;
		else if (strcmp(json_string_value(binop), "and") != 0 &&
			 json_string_value(binop)[0] != '\0')
			return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s.tests.bin_op: '%s' is not and/or",
				       p->what, p->path, json_string_value(binop));
	} else if (binop && !json_is_null(binop)) {
		return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s.tests.bin_op: expected and/or", p->what,
			       p->path);
	}
	items = json_object_get(tests, "test_items");
	if (!items || json_is_null(items))
		return BW_OK;
	if (!json_is_array(items))
		return bw_fail(p->eb, BW_ERR_FORMAT, "%s: %s.tests.test_items: expected a list",
			       p->what, p->path);
	if (json_array_size(items) > K8S_CFG_MAX_ITEMS)
		return bw_fail(p->eb, BW_ERR_LIMIT, "%s: %s.tests.test_items: more than %d items",
			       p->what, p->path, K8S_CFG_MAX_ITEMS);
	c->items = bw_calloc(json_array_size(items) + 1, sizeof(*c->items));
	if (!c->items)
		return bw_fail(p->eb, BW_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(items); i++) {
		snprintf(p->path + base, sizeof(p->path) - base, ".tests.test_items[%zu]", i);
		result = parse_item(p, json_array_get(items, i), &c->items[i]);
		c->nitems = i + 1; /* released by check_release even on failure */
		if (result != BW_OK)
			return result;
	}
	p->path[base] = '\0';
	return BW_OK;
}

enum bw_err k8s_controls_parse(const char *data, size_t n, const char *what,
			       const struct k8s_vars *vars, struct k8s_controls *out,
			       struct bw_errbuf *eb)
{
	enum bw_err result;
	struct bw_buf text;
	json_t *docs = NULL;
	const json_t *root, *groups;
	struct pctx p = {.what = what ? what : "controls", .eb = eb, .path = ""};
	size_t total = 0;

	memset(out, 0, sizeof(*out));
	bw_buf_init(&text, K8S_YAML_MAX_BYTES);
	result = substitute(data, n, vars, &text);
	if (result != BW_OK) {
		bw_buf_release(&text);
		return bw_fail(eb, result, "%s: too large after variable substitution", p.what);
	}
	result = k8s_yaml_load(text.data ? text.data : "", text.len, p.what, &docs, NULL, eb);
	bw_buf_release(&text);
	if (result != BW_OK)
		return result;
	root = json_array_get(docs, 0);
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a controls mapping", p.what);
		goto out_free_docs;
	}
	if ((result = get_text(&p, root, "version", "", &out->version)) != BW_OK ||
	    (result = get_text(&p, root, "id", "", &out->id)) != BW_OK ||
	    (result = get_text(&p, root, "text", "", &out->text)) != BW_OK ||
	    (result = get_text(&p, root, "type", "", &out->type)) != BW_OK)
		goto out_release;
	groups = json_object_get(root, "groups");
	if (!json_is_array(groups)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: groups: expected a list", p.what);
		goto out_release;
	}
	out->groups = bw_calloc(json_array_size(groups) + 1, sizeof(*out->groups));
	if (!out->groups) {
		result = bw_fail(eb, BW_ERR_NOMEM, "out of memory");
		goto out_release;
	}
	for (size_t g = 0; g < json_array_size(groups); g++) {
		const json_t *go = json_array_get(groups, g);
		struct k8s_group *gr = &out->groups[g];
		const json_t *checks;
		char *gtype = NULL;

		out->n = g + 1;
		snprintf(p.path, sizeof(p.path), "groups[%zu]", g);
		if (!json_is_object(go)) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s: expected a mapping", p.what, p.path);
			goto out_release;
		}
		if ((result = get_text(&p, go, "id", "", &gr->id)) != BW_OK ||
		    (result = get_text(&p, go, "text", "", &gr->text)) != BW_OK ||
		    (result = get_text(&p, go, "type", "", &gtype)) != BW_OK)
			goto out_release;
		gr->skip = strcmp(gtype, "skip") == 0;
		free(gtype);
		checks = json_object_get(go, "checks");
		if (!checks || json_is_null(checks))
			continue;
		if (!json_is_array(checks)) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s.checks: expected a list", p.what, p.path);
			goto out_release;
		}
		total += json_array_size(checks);
		if (total > K8S_CFG_MAX_CHECKS) {
			result = bw_fail(eb, BW_ERR_LIMIT, "%s: more than %d checks", p.what,
					 K8S_CFG_MAX_CHECKS);
			goto out_release;
		}
		gr->checks = bw_calloc(json_array_size(checks) + 1, sizeof(*gr->checks));
		if (!gr->checks) {
			result = bw_fail(eb, BW_ERR_NOMEM, "out of memory");
			goto out_release;
		}
		for (size_t i = 0; i < json_array_size(checks); i++) {
			snprintf(p.path, sizeof(p.path), "groups[%zu].checks[%zu]", g, i);
			result = parse_check(&p, json_array_get(checks, i), &gr->checks[i]);
			gr->n = i + 1;
			if (result != BW_OK)
				goto out_release;
		}
	}
	json_decref(docs);
	return BW_OK;

out_release:
	k8s_controls_release(out);
out_free_docs:
	json_decref(docs);
	return result;
}

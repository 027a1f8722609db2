/* audit.c - the manifest audit driver: find the pod spec of an object,
 * list its containers, run the PSS and best-practice checks. */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/audit_int.h"

#define LIST_MAX_DEPTH 2 /* a List inside a List, no deeper */

const char *k8s_level_name(enum k8s_level level)
{
	switch (level) {
	case K8S_LEVEL_BASELINE:
		return "baseline";
	case K8S_LEVEL_RESTRICTED:
		return "restricted";
	case K8S_LEVEL_BEST_PRACTICE:
		break;
	}
	return "best-practice";
}

const char *k8s_severity_name(enum k8s_severity sev)
{
	static const char *const names[] = {"low", "medium", "high", "critical"};

	return (unsigned)sev < 4 ? names[sev] : "unknown";
}

enum bw_err k8s_severity_parse(const char *s, enum k8s_severity *out)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, k8s_severity_name((enum k8s_severity)i)) == 0) {
			*out = (enum k8s_severity)i;
			return BW_OK;
		}
	return BW_ERR_USAGE;
}

enum bw_err k8s_level_parse(const char *s, enum k8s_level *out)
{
	if (s && strcmp(s, "baseline") == 0)
		*out = K8S_LEVEL_BASELINE;
	else if (s && strcmp(s, "restricted") == 0)
		*out = K8S_LEVEL_RESTRICTED;
	else
		return BW_ERR_USAGE;
	return BW_OK;
}

static void finding_release(struct k8s_finding *f)
{
	free(f->kind);
	free(f->ns);
	free(f->name);
	free(f->file);
	free(f->container);
	free(f->field);
	free(f->detail);
}

void k8s_findings_release(struct k8s_findings *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		finding_release(&f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

/* ---- JSON helpers ---------------------------------------------------------- */

const json_t *k8s_jget(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

const json_t *k8s_jobj(const json_t *o, const char *key)
{
	const json_t *v = k8s_jget(o, key);

	return json_is_object(v) ? v : NULL;
}

bool k8s_jtrue(const json_t *o, const char *key)
{
	return json_is_true(k8s_jget(o, key));
}

const char *k8s_jstr(const json_t *o, const char *key)
{
	const json_t *v = k8s_jget(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *k8s_jtext(const json_t *v, char *buf, size_t sz)
{
	if (!v)
		return "undefined";
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, sz, "\"%s\"", json_string_value(v));
		return buf;
	case JSON_INTEGER:
		snprintf(buf, sz, "%lld", (long long)json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, sz, "%g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	}
	return "?";
}

/* ---- findings -------------------------------------------------------------- */

void k8s_audit_add(struct actx *a, const struct k8s_check *chk, const struct actr *ctr,
		   const char *field, const char *fmt, ...)
{
	struct k8s_finding *f;
	va_list ap;
	enum bw_err result;

	if (a->result != BW_OK)
		return;
	result = bw_grow((void **)&a->out->v, &a->out->cap, a->out->n + 1, sizeof(*a->out->v),
			 K8S_AUDIT_MAX_FINDINGS);
	if (result != BW_OK) {
		a->result = bw_fail(a->eb, result, "%s: more than %u findings or out of memory",
				    a->opts->file ? a->opts->file : "input", K8S_AUDIT_MAX_FINDINGS);
		return;
	}
	f = &a->out->v[a->out->n];
	memset(f, 0, sizeof(*f));
	f->check = chk->id;
	f->title = chk->title;
	f->level = chk->level;
	f->severity = chk->severity;
	f->kind = bw_strdup(a->kind);
	f->ns = bw_strdup(a->ns);
	f->name = bw_strdup(a->name);
	f->file = bw_strdup(a->opts->file ? a->opts->file : "");
	f->doc = a->opts->doc;
	f->container = ctr ? bw_strdup(ctr->name) : NULL;
	if (field[0] == '@')
		f->field = bw_strfmt("%s.%s", a->meta_path, field + 1);
	else if (ctr)
		f->field = bw_strfmt("%s.%s%s%s", a->spec_path, ctr->path, field[0] ? "." : "",
				     field);
	else
		f->field = bw_strfmt("%s.%s", a->spec_path, field);
	va_start(ap, fmt);
	if (vasprintf(&f->detail, fmt, ap) < 0)
		f->detail = NULL;
	va_end(ap);
	if (!f->kind || !f->ns || !f->name || !f->file || (ctr && !f->container) || !f->field ||
	    !f->detail) {
		finding_release(f);
		a->result = bw_fail(a->eb, BW_ERR_NOMEM, "out of memory");
		return;
	}
	a->out->n++;
}

/* ---- object -> pod spec ------------------------------------------------------ */

struct shape {
	const char *kind;
	const char *path[5]; /* keys from the object to the pod template */
};

/* Workload kinds and where their pod template lives (Kubernetes API). */
static const struct shape shapes[] = {
	{"Pod", {NULL}},
	{"Deployment", {"spec", "template", NULL}},
	{"StatefulSet", {"spec", "template", NULL}},
	{"DaemonSet", {"spec", "template", NULL}},
	{"ReplicaSet", {"spec", "template", NULL}},
	{"ReplicationController", {"spec", "template", NULL}},
	{"Job", {"spec", "template", NULL}},
	{"CronJob", {"spec", "jobTemplate", "spec", "template", NULL}},
	{"PodTemplate", {"template", NULL}},
};

static enum bw_err collect_containers(struct actx *a, struct bw_errbuf *eb)
{
	static const struct {
		const char *key;
		int type;
	} lists[] = {
		{"initContainers", CTR_INIT},
		{"containers", CTR_REGULAR},
		{"ephemeralContainers", CTR_EPHEMERAL},
	};
	size_t total = 0;

	for (size_t l = 0; l < 3; l++) {
		const json_t *arr = k8s_jget(a->spec, lists[l].key);

		if (!arr || json_is_null(arr))
			continue;
		if (!json_is_array(arr))
			return bw_fail(eb, BW_ERR_FORMAT, "%s: document %zu: %s %s/%s: %s.%s is not a list",
				       a->opts->file ? a->opts->file : "input", a->opts->doc, a->kind,
				       a->ns[0] ? a->ns : "-", a->name, a->spec_path, lists[l].key);
		total += json_array_size(arr);
	}
	if (total > 10000)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: %s/%s: %zu containers, more than 10000",
			       a->opts->file ? a->opts->file : "input", a->kind, a->name, total);
	a->ctrs = bw_calloc(total ? total : 1, sizeof(*a->ctrs));
	if (!a->ctrs)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory");
	for (size_t l = 0; l < 3; l++) {
		const json_t *arr = k8s_jget(a->spec, lists[l].key);
		size_t i;
		const json_t *c;

		if (!json_is_array(arr))
			continue;
		json_array_foreach(arr, i, c) {
			struct actr *t = &a->ctrs[a->nctrs];
			const char *nm;

			if (!json_is_object(c))
				return bw_fail(eb, BW_ERR_FORMAT,
					       "%s: document %zu: %s/%s: %s.%s[%zu] is not an object",
					       a->opts->file ? a->opts->file : "input", a->opts->doc,
					       a->kind, a->name, a->spec_path, lists[l].key, i);
			nm = k8s_jstr(c, "name");
			t->c = c;
			t->sc = k8s_jobj(c, "securityContext");
			t->name = nm ? nm : "";
			t->type = lists[l].type;
			snprintf(t->path, sizeof(t->path), "%s[%zu]", lists[l].key, i);
			a->nctrs++;
		}
	}
	return BW_OK;
}

static enum bw_err audit_one(const json_t *obj, const struct k8s_audit_opts *opts,
			     struct k8s_findings *out, size_t *audited, int depth,
			     struct bw_errbuf *eb)
{
	const char *kind = k8s_jstr(obj, "kind");
	const struct shape *sh = NULL;
	const json_t *meta = k8s_jobj(obj, "metadata");
	const json_t *tmpl = obj;
	struct actx a;
	enum bw_err result;
	char path[64] = "";
	const json_t *os;

	if (!kind)
		return BW_OK;
	if (bw_str_ends_with(kind, "List")) {
		const json_t *items = k8s_jget(obj, "items");
		size_t i;
		const json_t *it;

		if (depth >= LIST_MAX_DEPTH || !json_is_array(items))
			return BW_OK;
		json_array_foreach(items, i, it) {
			struct k8s_audit_opts o = *opts;

			result = audit_one(it, &o, out, audited, depth + 1, eb);
			if (result != BW_OK)
				return bw_fail_prefix(eb, result, "items[%zu]", i);
		}
		return BW_OK;
	}
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (strcmp(kind, shapes[i].kind) == 0)
			sh = &shapes[i];
	if (!sh)
		return BW_OK;

	memset(&a, 0, sizeof(a));
	a.opts = opts;
	a.out = out;
	a.eb = eb;
	a.kind = kind;
	a.ns = k8s_jstr(meta, "namespace");
	a.name = k8s_jstr(meta, "name");
	if (!a.ns)
		a.ns = "";
	if (!a.name)
		a.name = k8s_jstr(meta, "generateName");
	if (!a.name)
		a.name = "";
	for (size_t i = 0; sh->path[i]; i++) {
		tmpl = k8s_jobj(tmpl, sh->path[i]);
		if (i)
			bw_strlcpy(path + strlen(path), ".", sizeof(path) - strlen(path));
		bw_strlcpy(path + strlen(path), sh->path[i], sizeof(path) - strlen(path));
		if (!tmpl)
			return bw_fail(eb, BW_ERR_FORMAT,
				       "%s: document %zu: %s %s: no pod template at %s",
				       opts->file ? opts->file : "input", opts->doc, kind, a.name,
				       path);
	}
	a.spec = k8s_jobj(tmpl, "spec");
	a.meta = k8s_jobj(tmpl, "metadata");
	snprintf(a.spec_path, sizeof(a.spec_path), "%s%sspec", path, path[0] ? "." : "");
	snprintf(a.meta_path, sizeof(a.meta_path), "%s%smetadata", path, path[0] ? "." : "");
	if (!a.spec)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: document %zu: %s %s: no pod spec at %s",
			       opts->file ? opts->file : "input", opts->doc, kind, a.name,
			       a.spec_path);
	a.psc = k8s_jobj(a.spec, "securityContext");
	os = k8s_jobj(a.spec, "os");
	a.windows = os && k8s_jstr(os, "name") && strcmp(k8s_jstr(os, "name"), "windows") == 0;
	a.batch = strcmp(kind, "Job") == 0 || strcmp(kind, "CronJob") == 0;
	result = collect_containers(&a, eb);
	if (result == BW_OK) {
		k8s_audit_pss(&a);
		if (opts->best_practice)
			k8s_audit_bp(&a);
		result = a.result;
	}
	free(a.ctrs);
	if (result == BW_OK && audited)
		(*audited)++;
	return result;
}

enum bw_err k8s_audit_object(const json_t *obj, const struct k8s_audit_opts *opts,
			     struct k8s_findings *out, size_t *audited, struct bw_errbuf *eb)
{
	if (audited)
		*audited = 0;
	if (!obj || !opts || !out)
		return bw_fail(eb, BW_ERR_USAGE, "k8s_audit_object: NULL argument");
	return audit_one(obj, opts, out, audited, 0, eb);
}

struct stream {
	const struct k8s_audit_opts *opts;
	struct k8s_findings *out;
	size_t *objects;
	const char *what;
};

static enum bw_err audit_doc(json_t *doc, size_t index, void *ud, struct bw_errbuf *eb)
{
	struct stream *st = ud;
	struct k8s_audit_opts o = *st->opts;
	size_t audited = 0;
	enum bw_err result;

	o.file = st->what;
	o.doc = index;
	result = k8s_audit_object(doc, &o, st->out, &audited, eb);
	if (result == BW_OK && st->objects)
		*st->objects += audited;
	return result;
}

enum bw_err k8s_audit_stream(const char *data, size_t n, const char *what,
			     const struct k8s_audit_opts *opts, struct k8s_findings *out,
			     size_t *objects, struct bw_errbuf *eb)
{
	struct stream st = {.opts = opts, .out = out, .objects = objects, .what = what};

	return k8s_yaml_each(data, n, what, audit_doc, &st, eb);
}

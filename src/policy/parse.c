/* parse.c - SecurityPolicy documents from the positioned YAML tree.
 *
 * The reader checks everything it can and keeps going after an error, so
 * one run reports every mistake of a file (up to POLICY_MAX_ERRORS), each as
 * "FILE:LINE:COL: field.path: what was expected, what was found". Unknown
 * fields are errors, with a "did you mean" for near misses. Every node
 * visit, aliases expanded, is charged to POLICY_MAX_NODES.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

#define POLICY_API_VERSION "bulwark.dev/v1"
#define PATHSZ 256

struct rd {
	const char *file;
	struct bw_strv *errors; /* may be NULL */
	size_t nerr;
	enum bw_err code;       /* of the first error */
	struct bw_errbuf first;
	size_t budget;          /* node visits left */
};

static const char *const top_keys[] = {"apiVersion", "kind", "metadata", "spec", NULL};
static const char *const meta_keys[] = {"name", "namespace", "labels", "annotations", NULL};
static const char *const spec_keys[] = {"selector", "mode", "process", "file", "network",
					"detections", NULL};
static const char *const sel_keys[] = {"group", "image", "namespace", "container", "labels", NULL};
static const char *const proc_keys[] = {"path", "parent", "action", NULL};
static const char *const file_keys[] = {"path", "access", "action", NULL};
static const char *const net_keys[] = {"egress", "ingress", NULL};
static const char *const egress_keys[] = {"to", "ports", "app", "action", NULL};
static const char *const ingress_keys[] = {"from", "ports", "app", "action", NULL};
static const char *const peer_keys[] = {"group", "cidr", NULL};
static const char *const det_keys[] = {"disable", "exceptions", NULL};
static const char *const exc_keys[] = {"id", "process", "path", NULL};
static const char *const modes[] = {"discover", "monitor", "protect", NULL};
static const char *const actions[] = {"allow", "deny", NULL};
static const char *const accesses[] = {"read", "write", "exec", "rw", "any", NULL};
static const unsigned access_bits[] = {POLICY_ACC_READ, POLICY_ACC_WRITE, POLICY_ACC_EXEC,
				       POLICY_ACC_READ | POLICY_ACC_WRITE,
				       POLICY_ACC_READ | POLICY_ACC_WRITE | POLICY_ACC_EXEC};
/* Kinds of DESIGN.md's policy family that other parts of bulwark read:
 * skipped here with a warning so that one directory can hold them all. */
static const char *const other_kinds[] = {"AdmissionPolicy", "ResponseRule", "VulnerabilityPolicy",
					  "ComplianceProfile", NULL};
static const char *const all_kinds[] = {"SecurityPolicy", "AdmissionPolicy", "ResponseRule",
					"VulnerabilityPolicy", "ComplianceProfile", NULL};

/* ---- errors ---------------------------------------------------------- */

static void add_msg(struct rd *rd, enum bw_err code, const char *msg)
{
	if (rd->nerr == 0) {
		rd->code = code;
		bw_strlcpy(rd->first.msg, msg, sizeof(rd->first.msg));
	}
	if (rd->errors && rd->nerr < POLICY_MAX_ERRORS)
		bw_strv_push(rd->errors, msg);
	rd->nerr++;
}

static void __attribute__((format(printf, 5, 6)))
err_at(struct rd *rd, const struct pnode *n, const char *path, enum bw_err code, const char *fmt, ...)
{
	char what[768], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (path && *path)
		snprintf(msg, sizeof(msg), "%s:%d:%d: %s: %s", rd->file, n ? n->line : 1,
			 n ? n->col : 1, path, what);
	else
		snprintf(msg, sizeof(msg), "%s:%d:%d: %s", rd->file, n ? n->line : 1, n ? n->col : 1,
			 what);
	add_msg(rd, code, msg);
}

#define ERR(rd, n, path, ...) err_at(rd, n, path, BW_ERR_FORMAT, __VA_ARGS__)

/* Charge one node visit; false (reported once) when the budget is spent. */
static bool visit(struct rd *rd, const struct pnode *n)
{
	if (rd->budget == 0)
		return false;
	if (--rd->budget == 0) {
		err_at(rd, n, NULL, BW_ERR_LIMIT, "more than %u YAML nodes visited (aliases expanded)",
		       POLICY_MAX_NODES);
		return false;
	}
	return true;
}

/* "a mapping", "a sequence", "null", or the scalar quoted (shortened). */
static const char *found(const struct pnode *n, char *buf, size_t sz)
{
	size_t len;

	if (policy_yaml_is_null(n))
		return "null";
	if (n->type == PNODE_MAP)
		return "a mapping";
	if (n->type == PNODE_SEQ)
		return "a sequence";
	len = strnlen(n->text, n->len);
	if (len > 60)
		snprintf(buf, sz, "\"%.57s...\"", n->text);
	else
		snprintf(buf, sz, "\"%.*s\"", (int)len, n->text);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return buf;
}

static void join_list(const char *const *list, char *buf, size_t sz)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; list[i] && o < sz; i++)
		o += (size_t)snprintf(buf + o, sz - o, "%s%s", i ? ", " : "", list[i]);
}

/* ---- typed access ---------------------------------------------------- */

static bool want(struct rd *rd, const struct pnode *n, const char *path, enum pnode_type t)
{
	char fb[80];

	if (n->type == t && !(t == PNODE_SCALAR && policy_yaml_is_null(n)))
		return true;
	ERR(rd, n, path, "expected %s, found %s",
	    t == PNODE_MAP ? "a mapping" : t == PNODE_SEQ ? "a sequence" : "a string",
	    found(n, fb, sizeof(fb)));
	return false;
}

/* Report unknown, duplicate and non-string keys of mapping n. */
static void check_keys(struct rd *rd, const struct pnode *n, const char *path,
		       const char *const *allowed)
{
	char list[256];

	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		const struct pnode *k = n->kids[i];
		const char *near;
		bool known = false;

		if (!visit(rd, k))
			return;
		if (k->type != PNODE_SCALAR || strlen(k->text) != k->len) {
			ERR(rd, k, path, "a key must be a string");
			continue;
		}
		for (size_t j = 0; allowed[j]; j++)
			if (strcmp(k->text, allowed[j]) == 0)
				known = true;
		if (!known) {
			near = policy_near_miss(k->text, allowed);
			join_list(allowed, list, sizeof(list));
			if (near)
				ERR(rd, k, path, "unknown field \"%.64s\", did you mean \"%s\"?", k->text,
				    near);
			else
				ERR(rd, k, path, "unknown field \"%.64s\"; expected one of %s", k->text,
				    list);
			continue;
		}
		for (size_t j = 0; j < i; j += 2) {
			const struct pnode *o = n->kids[j];

			if (o->type == PNODE_SCALAR && strcmp(o->text, k->text) == 0) {
				ERR(rd, k, path, "field \"%s\" given twice (first at line %d column %d)",
				    k->text, o->line, o->col);
				break;
			}
		}
	}
}

/* Value of key in mapping n (first occurrence), or NULL. */
static const struct pnode *get(const struct pnode *n, const char *key)
{
	for (size_t i = 0; i + 1 < n->nkids; i += 2)
		if (n->kids[i]->type == PNODE_SCALAR && strcmp(n->kids[i]->text, key) == 0)
			return n->kids[i + 1];
	return NULL;
}

static void sub(char *out, const char *path, const char *field)
{
	snprintf(out, PATHSZ, "%s%s%s", path, *path ? "." : "", field);
}

/* A string value; NULL with an error when it is not one. */
static char *read_str(struct rd *rd, const struct pnode *n, const char *path)
{
	char *s;

	if (!visit(rd, n) || !want(rd, n, path, PNODE_SCALAR))
		return NULL;
	if (strlen(n->text) != n->len) {
		ERR(rd, n, path, "the string contains a NUL character");
		return NULL;
	}
	if (n->len > POLICY_MAX_STR) {
		ERR(rd, n, path, "the string is longer than %d bytes", POLICY_MAX_STR);
		return NULL;
	}
	s = bw_strdup(n->text);
	if (!s)
		err_at(rd, n, path, BW_ERR_NOMEM, "out of memory");
	return s;
}

/* Optional field: absent or null leaves *out NULL and returns true. */
static bool opt_str(struct rd *rd, const struct pnode *map, const char *path, const char *key,
		    char **out)
{
	const struct pnode *v = get(map, key);
	char p[PATHSZ];

	*out = NULL;
	if (!v || policy_yaml_is_null(v))
		return true;
	sub(p, path, key);
	*out = read_str(rd, v, p);
	return *out != NULL;
}

static bool req_str(struct rd *rd, const struct pnode *map, const char *path, const char *key,
		    char **out)
{
	const struct pnode *v = get(map, key);
	char p[PATHSZ];

	*out = NULL;
	sub(p, path, key);
	if (!v) {
		ERR(rd, map, path, "missing required field \"%s\"", key);
		return false;
	}
	*out = read_str(rd, v, p);
	return *out != NULL;
}

/* Index of a string value in list, -1 with an error. */
static int read_enum(struct rd *rd, const struct pnode *n, const char *path,
		     const char *const *list)
{
	char fb[80], l[128];

	if (!visit(rd, n))
		return -1;
	if (n->type == PNODE_SCALAR && !policy_yaml_is_null(n))
		for (int i = 0; list[i]; i++)
			if (strlen(list[i]) == n->len && strcmp(n->text, list[i]) == 0)
				return i;
	join_list(list, l, sizeof(l));
	ERR(rd, n, path, "expected one of %s, found %s", l, found(n, fb, sizeof(fb)));
	return -1;
}

/* Items of an optional sequence field: NULL (and *n 0) when absent/null. */
static const struct pnode *opt_seq(struct rd *rd, const struct pnode *map, const char *path,
				   const char *key, size_t *n)
{
	const struct pnode *v = get(map, key);
	char p[PATHSZ];

	*n = 0;
	if (!v || policy_yaml_is_null(v))
		return NULL;
	sub(p, path, key);
	if (!visit(rd, v) || !want(rd, v, p, PNODE_SEQ))
		return NULL;
	if (v->nkids > POLICY_MAX_RULES) {
		err_at(rd, v, p, BW_ERR_LIMIT, "more than %d entries", POLICY_MAX_RULES);
		return NULL;
	}
	*n = v->nkids;
	return v;
}

static const struct pnode *opt_map(struct rd *rd, const struct pnode *map, const char *path,
				   const char *key, const char *const *keys)
{
	const struct pnode *v = get(map, key);
	char p[PATHSZ];

	if (!v || policy_yaml_is_null(v))
		return NULL;
	sub(p, path, key);
	if (!visit(rd, v) || !want(rd, v, p, PNODE_MAP))
		return NULL;
	check_keys(rd, v, p, keys);
	return v;
}

static enum policy_action opt_action(struct rd *rd, const struct pnode *map, const char *path)
{
	const struct pnode *v = get(map, "action");
	char p[PATHSZ];
	int i;

	if (!v || policy_yaml_is_null(v))
		return POLICY_ACTION_ALLOW;
	sub(p, path, "action");
	i = read_enum(rd, v, p, actions);
	return i == 1 ? POLICY_ACTION_DENY : POLICY_ACTION_ALLOW;
}

static char *path_glob(struct rd *rd, const struct pnode *map, const char *path, const char *key,
		       bool required)
{
	const struct pnode *v = get(map, key);
	char p[PATHSZ], fb[80];
	char *s = NULL;
	const char *why;

	if (required)
		req_str(rd, map, path, key, &s);
	else
		opt_str(rd, map, path, key, &s);
	if (!s)
		return NULL;
	why = policy_path_glob_error(s);
	if (why) {
		sub(p, path, key);
		ERR(rd, v, p, "bad path glob %s: %s", found(v, fb, sizeof(fb)), why);
		free(s);
		return NULL;
	}
	return s;
}

static char *sel_glob(struct rd *rd, const struct pnode *map, const char *path, const char *key)
{
	const struct pnode *v = get(map, key);
	char p[PATHSZ], fb[80];
	char *s = NULL;
	const char *why;

	opt_str(rd, map, path, key, &s);
	if (!s)
		return NULL;
	why = policy_sel_glob_error(s);
	if (why) {
		sub(p, path, key);
		ERR(rd, v, p, "bad pattern %s: %s", found(v, fb, sizeof(fb)), why);
		free(s);
		return NULL;
	}
	return s;
}

/* A mapping of string to string into "key=value" entries. */
static void read_labels(struct rd *rd, const struct pnode *map, const char *path,
			struct bw_strv *out)
{
	const struct pnode *v = get(map, "labels");
	char p[PATHSZ], q[PATHSZ];

	if (!v || policy_yaml_is_null(v))
		return;
	sub(p, path, "labels");
	if (!visit(rd, v) || !want(rd, v, p, PNODE_MAP))
		return;
	for (size_t i = 0; i + 1 < v->nkids; i += 2) {
		const struct pnode *k = v->kids[i];
		char *key, *val;

		if (i / 2 >= POLICY_MAX_RULES) {
			err_at(rd, v, p, BW_ERR_LIMIT, "more than %d labels", POLICY_MAX_RULES);
			return;
		}
		key = read_str(rd, k, p);
		if (!key)
			continue;
		sub(q, p, key);
		if (!*key || strchr(key, '=')) {
			ERR(rd, k, p, "label key \"%.64s\" must be non-empty and have no '='", key);
			free(key);
			continue;
		}
		for (size_t j = 0; j < i; j += 2)
			if (v->kids[j]->type == PNODE_SCALAR && strcmp(v->kids[j]->text, key) == 0) {
				ERR(rd, k, p, "label \"%.64s\" given twice", key);
				break;
			}
		val = read_str(rd, v->kids[i + 1], q);
		if (val && out) {
			char *kv = bw_strfmt("%s=%s", key, val);

			if (!kv || bw_strv_push_owned(out, kv) != BW_OK)
				err_at(rd, v, p, BW_ERR_NOMEM, "out of memory");
		}
		free(key);
		free(val);
	}
}

/* ---- spec sections --------------------------------------------------- */

static void read_procs(struct rd *rd, const struct pnode *spec, struct policy_doc *d)
{
	size_t n;
	const struct pnode *seq = opt_seq(rd, spec, "spec", "process", &n);
	char p[PATHSZ];

	if (!seq || n == 0)
		return;
	d->procs = bw_calloc(n, sizeof(*d->procs));
	if (!d->procs) {
		err_at(rd, seq, "spec.process", BW_ERR_NOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pnode *it = seq->kids[i];
		struct policy_proc_rule *r = &d->procs[d->nprocs++];

		snprintf(p, sizeof(p), "spec.process[%zu]", i);
		r->line = it->line;
		r->action = POLICY_ACTION_ALLOW;
		if (!visit(rd, it) || !want(rd, it, p, PNODE_MAP))
			continue;
		check_keys(rd, it, p, proc_keys);
		r->path = path_glob(rd, it, p, "path", true);
		r->parent = path_glob(rd, it, p, "parent", false);
		r->action = opt_action(rd, it, p);
	}
}

static unsigned read_access(struct rd *rd, const struct pnode *v, const char *path)
{
	unsigned bits = 0;
	char p[PATHSZ];
	int i;

	if (!v || policy_yaml_is_null(v))
		return POLICY_ACC_READ | POLICY_ACC_WRITE | POLICY_ACC_EXEC;
	if (v->type != PNODE_SEQ) {
		i = read_enum(rd, v, path, accesses);
		return i < 0 ? 0 : access_bits[i];
	}
	if (!visit(rd, v))
		return 0;
	if (v->nkids == 0)
		ERR(rd, v, path, "expected one of read, write, exec, rw, any or a list of them, found an empty list");
	for (size_t k = 0; k < v->nkids && k < 16; k++) {
		snprintf(p, sizeof(p), "%s[%zu]", path, k);
		i = read_enum(rd, v->kids[k], p, accesses);
		if (i >= 0)
			bits |= access_bits[i];
	}
	return bits;
}

static void read_files(struct rd *rd, const struct pnode *spec, struct policy_doc *d)
{
	size_t n;
	const struct pnode *seq = opt_seq(rd, spec, "spec", "file", &n);
	char p[PATHSZ], q[PATHSZ];

	if (!seq || n == 0)
		return;
	d->files = bw_calloc(n, sizeof(*d->files));
	if (!d->files) {
		err_at(rd, seq, "spec.file", BW_ERR_NOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pnode *it = seq->kids[i];
		struct policy_file_rule *r = &d->files[d->nfiles++];

		snprintf(p, sizeof(p), "spec.file[%zu]", i);
		r->line = it->line;
		r->action = POLICY_ACTION_ALLOW;
		if (!visit(rd, it) || !want(rd, it, p, PNODE_MAP))
			continue;
		check_keys(rd, it, p, file_keys);
		r->path = path_glob(rd, it, p, "path", true);
		sub(q, p, "access");
		r->access = read_access(rd, get(it, "access"), q);
		r->action = opt_action(rd, it, p);
	}
}

static void read_peer(struct rd *rd, const struct pnode *it, const char *path, const char *key,
		      struct policy_net_rule *r)
{
	const struct pnode *m = opt_map(rd, it, path, key, peer_keys);
	char p[PATHSZ], q[PATHSZ], fb[80], hint[80];
	const char *why;

	if (!m)
		return;
	sub(p, path, key);
	opt_str(rd, m, p, "group", &r->group);
	opt_str(rd, m, p, "cidr", &r->cidr);
	if (r->group && r->cidr) {
		ERR(rd, m, p, "give either group or cidr, not both");
	} else if (!r->group && !r->cidr && !get(m, "group") && !get(m, "cidr")) {
		ERR(rd, m, p, "expected a group or a cidr");
	}
	if (r->group && !policy_group_name_valid(r->group)) {
		sub(q, p, "group");
		ERR(rd, get(m, "group"), q,
		    "expected a group name (letters, digits, '.', '-', '_', ':', '/'), found %s",
		    found(get(m, "group"), fb, sizeof(fb)));
	}
	if (r->cidr && (why = policy_cidr_error(r->cidr, hint, sizeof(hint))) != NULL) {
		sub(q, p, "cidr");
		if (hint[0])
			ERR(rd, get(m, "cidr"), q, "bad CIDR %s: %s; did you mean \"%s\"?",
			    found(get(m, "cidr"), fb, sizeof(fb)), why, hint);
		else
			ERR(rd, get(m, "cidr"), q, "bad CIDR %s: %s", found(get(m, "cidr"), fb, sizeof(fb)),
			    why);
	}
}

static bool app_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || !((s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

static void read_net_dir(struct rd *rd, const struct pnode *net, bool egress,
			 struct policy_doc *d)
{
	const char *key = egress ? "egress" : "ingress";
	char base[PATHSZ], p[PATHSZ], q[PATHSZ], fb[80];
	size_t n, nports;
	const struct pnode *seq;

	sub(base, "spec.network", key);
	seq = opt_seq(rd, net, "spec.network", key, &n);
	for (size_t i = 0; seq && i < n; i++) {
		const struct pnode *it = seq->kids[i];
		const struct pnode *ports;
		struct policy_net_rule *r = &d->nets[d->nnets++];

		snprintf(p, sizeof(p), "%s[%zu]", base, i);
		r->egress = egress;
		r->line = it->line;
		r->action = POLICY_ACTION_ALLOW;
		if (!visit(rd, it) || !want(rd, it, p, PNODE_MAP))
			continue;
		check_keys(rd, it, p, egress ? egress_keys : ingress_keys);
		read_peer(rd, it, p, egress ? "to" : "from", r);
		ports = opt_seq(rd, it, p, "ports", &nports);
		for (size_t k = 0; ports && k < nports; k++) {
			char *s;
			const char *why;

			snprintf(q, sizeof(q), "%s.ports[%zu]", p, k);
			s = read_str(rd, ports->kids[k], q);
			if (!s)
				continue;
			why = policy_port_error(s);
			if (why)
				ERR(rd, ports->kids[k], q, "%s, found %s", why,
				    found(ports->kids[k], fb, sizeof(fb)));
			if (why || bw_strv_push_owned(&r->ports, s) != BW_OK)
				free(s);
		}
		if (opt_str(rd, it, p, "app", &r->app) && r->app && !app_valid(r->app)) {
			sub(q, p, "app");
			ERR(rd, get(it, "app"), q,
			    "expected a protocol name like \"http\" or \"postgresql\" (lowercase letters, digits, '-', '.'), found %s",
			    found(get(it, "app"), fb, sizeof(fb)));
		}
		r->action = opt_action(rd, it, p);
	}
}

static void read_network(struct rd *rd, const struct pnode *spec, struct policy_doc *d)
{
	const struct pnode *net = opt_map(rd, spec, "spec", "network", net_keys);
	const struct pnode *e, *in;
	size_t n = 0;

	if (!net)
		return;
	e = get(net, "egress");
	in = get(net, "ingress");
	if (e && e->type == PNODE_SEQ)
		n += e->nkids;
	if (in && in->type == PNODE_SEQ)
		n += in->nkids;
	if (n == 0 || n > 2 * POLICY_MAX_RULES) {
		/* empty, or over the cap: let opt_seq report */
		n = 0;
	} else {
		d->nets = bw_calloc(n, sizeof(*d->nets));
		if (!d->nets) {
			err_at(rd, net, "spec.network", BW_ERR_NOMEM, "out of memory");
			return;
		}
	}
	if (!d->nets) {
		size_t dummy;

		opt_seq(rd, net, "spec.network", "egress", &dummy);
		opt_seq(rd, net, "spec.network", "ingress", &dummy);
		return;
	}
	read_net_dir(rd, net, true, d);
	read_net_dir(rd, net, false, d);
}

static bool det_id_valid(const char *s, bool star_ok)
{
	size_t n = strlen(s);

	if (star_ok && strcmp(s, "*") == 0)
		return true;
	if (n == 0 || n > 64 || !(s[0] >= 'A' && s[0] <= 'Z') || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static void read_detections(struct rd *rd, const struct pnode *spec, struct policy_doc *d)
{
	const struct pnode *det = opt_map(rd, spec, "spec", "detections", det_keys);
	const struct pnode *seq;
	char p[PATHSZ], fb[80];
	size_t n;

	if (!det)
		return;
	seq = opt_seq(rd, det, "spec.detections", "disable", &n);
	for (size_t i = 0; seq && i < n; i++) {
		char *id;

		snprintf(p, sizeof(p), "spec.detections.disable[%zu]", i);
		id = read_str(rd, seq->kids[i], p);
		if (!id)
			continue;
		if (!det_id_valid(id, true))
			ERR(rd, seq->kids[i], p,
			    "expected a detection id like \"BW-RT-001\" or \"*\", found %s",
			    found(seq->kids[i], fb, sizeof(fb)));
		else if (bw_strv_push(&d->det_disabled, id) != BW_OK)
			err_at(rd, seq, p, BW_ERR_NOMEM, "out of memory");
		free(id);
	}
	seq = opt_seq(rd, det, "spec.detections", "exceptions", &n);
	if (!seq || n == 0)
		return;
	d->det_except = bw_calloc(n, sizeof(*d->det_except));
	if (!d->det_except) {
		err_at(rd, seq, "spec.detections.exceptions", BW_ERR_NOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pnode *it = seq->kids[i];
		struct policy_det_except *x = &d->det_except[d->ndet_except++];

		snprintf(p, sizeof(p), "spec.detections.exceptions[%zu]", i);
		if (!visit(rd, it) || !want(rd, it, p, PNODE_MAP))
			continue;
		check_keys(rd, it, p, exc_keys);
		if (req_str(rd, it, p, "id", &x->id) && !det_id_valid(x->id, true)) {
			char q[PATHSZ];

			sub(q, p, "id");
			ERR(rd, get(it, "id"), q,
			    "expected a detection id like \"BW-RT-001\" or \"*\", found %s",
			    found(get(it, "id"), fb, sizeof(fb)));
		}
		x->process = path_glob(rd, it, p, "process", false);
		x->path = path_glob(rd, it, p, "path", false);
	}
}

static void read_selector(struct rd *rd, const struct pnode *spec, struct policy_doc *d)
{
	const struct pnode *sel = opt_map(rd, spec, "spec", "selector", sel_keys);

	if (!sel)
		return;
	d->sel_group = sel_glob(rd, sel, "spec.selector", "group");
	d->sel_image = sel_glob(rd, sel, "spec.selector", "image");
	d->sel_namespace = sel_glob(rd, sel, "spec.selector", "namespace");
	d->sel_container = sel_glob(rd, sel, "spec.selector", "container");
	read_labels(rd, sel, "spec.selector", &d->sel_labels);
}

static void read_spec(struct rd *rd, const struct pnode *root, struct policy_doc *d)
{
	const struct pnode *spec = opt_map(rd, root, "", "spec", spec_keys);
	const struct pnode *m;

	if (!spec)
		return;
	read_selector(rd, spec, d);
	m = get(spec, "mode");
	if (m && !policy_yaml_is_null(m)) {
		int i = read_enum(rd, m, "spec.mode", modes);

		d->mode = i < 0 ? POLICY_MODE_UNSET : (enum policy_mode)(POLICY_MODE_DISCOVER + i);
	}
	read_procs(rd, spec, d);
	read_files(rd, spec, d);
	read_network(rd, spec, d);
	read_detections(rd, spec, d);
}

static bool dns_label_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static void read_metadata(struct rd *rd, const struct pnode *root, struct policy_doc *d,
			  const struct pnode **name_node)
{
	const struct pnode *meta = get(root, "metadata");
	char fb[80];

	if (!meta) {
		ERR(rd, root, NULL, "missing required field \"metadata\"");
		return;
	}
	if (!visit(rd, meta) || !want(rd, meta, "metadata", PNODE_MAP))
		return;
	check_keys(rd, meta, "metadata", meta_keys);
	*name_node = get(meta, "name");
	if (req_str(rd, meta, "metadata", "name", &d->name) && !policy_group_name_valid(d->name))
		ERR(rd, *name_node, "metadata.name",
		    "expected a group name (1-253 letters, digits, '.', '-', '_', ':', '/', starting and ending with a letter or digit), found %s",
		    found(*name_node, fb, sizeof(fb)));
	if (opt_str(rd, meta, "metadata", "namespace", &d->namespace) && d->namespace &&
	    !dns_label_valid(d->namespace))
		ERR(rd, get(meta, "namespace"), "metadata.namespace",
		    "expected a Kubernetes namespace (1-63 lowercase letters, digits, '-'), found %s",
		    found(get(meta, "namespace"), fb, sizeof(fb)));
	read_labels(rd, meta, "metadata", NULL);
	if (get(meta, "annotations")) {
		const struct pnode *a = get(meta, "annotations");

		if (!policy_yaml_is_null(a) && visit(rd, a) && want(rd, a, "metadata.annotations", PNODE_MAP))
			for (size_t i = 0; i < a->nkids; i++)
				free(read_str(rd, a->kids[i], "metadata.annotations"));
	}
}

/* ---- documents -------------------------------------------------------- */

void policy_doc_release(struct policy_doc *d)
{
	free(d->name);
	free(d->namespace);
	free(d->file);
	free(d->sel_group);
	free(d->sel_image);
	free(d->sel_namespace);
	free(d->sel_container);
	bw_strv_release(&d->sel_labels);
	for (size_t i = 0; i < d->nprocs; i++) {
		free(d->procs[i].path);
		free(d->procs[i].parent);
	}
	free(d->procs);
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i].path);
	free(d->files);
	for (size_t i = 0; i < d->nnets; i++) {
		free(d->nets[i].group);
		free(d->nets[i].cidr);
		free(d->nets[i].app);
		bw_strv_release(&d->nets[i].ports);
	}
	free(d->nets);
	bw_strv_release(&d->det_disabled);
	for (size_t i = 0; i < d->ndet_except; i++) {
		free(d->det_except[i].id);
		free(d->det_except[i].process);
		free(d->det_except[i].path);
	}
	free(d->det_except);
	memset(d, 0, sizeof(*d));
}

enum doc_result { DOC_POLICY, DOC_SKIP, DOC_EMPTY };

/* apiVersion and kind decide what the document is. */
static enum doc_result read_kind(struct rd *rd, const struct pnode *root)
{
	const struct pnode *av = get(root, "apiVersion"), *kind = get(root, "kind");
	char *s = NULL;
	char fb[80], list[128];
	bool skip = false;

	if (!av)
		ERR(rd, root, NULL, "missing required field \"apiVersion\" (bulwark.dev/v1)");
	else if ((s = read_str(rd, av, "apiVersion")) != NULL && strcmp(s, POLICY_API_VERSION) != 0) {
		if (bw_str_starts_with(s, "bulwark.dev/"))
			ERR(rd, av, "apiVersion", "%s is not supported; this version reads %s",
			    found(av, fb, sizeof(fb)), POLICY_API_VERSION);
		else
			ERR(rd, av, "apiVersion", "expected %s, found %s", POLICY_API_VERSION,
			    found(av, fb, sizeof(fb)));
	}
	free(s);
	s = NULL;
	if (!kind) {
		ERR(rd, root, NULL, "missing required field \"kind\" (SecurityPolicy)");
	} else if ((s = read_str(rd, kind, "kind")) != NULL && strcmp(s, "SecurityPolicy") != 0) {
		for (size_t i = 0; other_kinds[i]; i++)
			if (strcmp(s, other_kinds[i]) == 0)
				skip = true;
		if (skip) {
			BW_WARN("%s:%d:%d: kind %s is not read by this version of the policy engine; document skipped",
				rd->file, kind->line, kind->col, s);
		} else {
			const char *near = policy_near_miss(s, all_kinds);

			join_list(all_kinds, list, sizeof(list));
			if (near)
				ERR(rd, kind, "kind", "unknown kind %s, did you mean \"%s\"?",
				    found(kind, fb, sizeof(fb)), near);
			else
				ERR(rd, kind, "kind", "expected one of %s, found %s", list,
				    found(kind, fb, sizeof(fb)));
		}
	}
	free(s);
	return skip ? DOC_SKIP : DOC_POLICY;
}

struct pending {
	struct policy_doc *docs;
	const struct pnode **names; /* metadata.name node of each, for messages */
	size_t n;
	size_t skipped;
};

static void read_doc(struct rd *rd, const struct pdoc *pd, struct pending *pend)
{
	const struct pnode *root = pd->root;
	struct policy_doc *d = &pend->docs[pend->n];
	size_t before = rd->nerr;
	char fb[80];

	memset(d, 0, sizeof(*d));
	if (policy_yaml_is_null(root))
		return; /* "---" with nothing after it */
	if (!visit(rd, root))
		return;
	if (root->type != PNODE_MAP) {
		ERR(rd, root, NULL,
		    "expected a SecurityPolicy mapping (apiVersion, kind, metadata, spec), found %s",
		    found(root, fb, sizeof(fb)));
		return;
	}
	if (read_kind(rd, root) == DOC_SKIP) {
		if (rd->nerr == before)
			pend->skipped++;
		return;
	}
	check_keys(rd, root, NULL, top_keys);
	d->line = pd->line;
	d->file = bw_strdup(rd->file);
	if (!d->file)
		err_at(rd, root, NULL, BW_ERR_NOMEM, "out of memory");
	pend->names[pend->n] = NULL;
	read_metadata(rd, root, d, &pend->names[pend->n]);
	read_spec(rd, root, d);
	pend->n++;
}

/* A group defined twice: in this file or already in the set. */
static void check_unique(struct rd *rd, const struct policy_set *ps, struct pending *pend)
{
	for (size_t i = 0; i < pend->n; i++) {
		const struct policy_doc *d = &pend->docs[i];
		const struct policy_doc *other = NULL;

		if (!d->name)
			continue;
		for (size_t j = 0; j < i && !other; j++)
			if (pend->docs[j].name && strcmp(pend->docs[j].name, d->name) == 0)
				other = &pend->docs[j];
		if (!other)
			other = policy_set_find(ps, d->name);
		if (other)
			ERR(rd, pend->names[i], "metadata.name",
			    "group \"%s\" is already defined by the document at %s:%d", d->name,
			    other->file ? other->file : "?", other->line);
	}
}

/* Line and column of "FILE:LINE:COL: ..." (file names may hold ':'). */
static void msg_pos(const char *msg, size_t flen, long *line, long *col)
{
	char *end;

	*line = *col = 0;
	if (strncmp(msg + flen, ":", 1) != 0)
		return;
	*line = strtol(msg + flen + 1, &end, 10);
	if (*end == ':')
		*col = strtol(end + 1, NULL, 10);
}

/* Errors in file order (the reader reports unknown keys of a mapping
 * before its values): a stable insertion sort of errors[from..]. */
static void sort_errors(struct bw_strv *errors, size_t from, const char *file)
{
	size_t flen = strlen(file);

	for (size_t i = from + 1; i < errors->n; i++) {
		char *m = errors->v[i];
		long l, c, l2, c2;
		size_t j = i;

		msg_pos(m, flen, &l, &c);
		while (j > from) {
			msg_pos(errors->v[j - 1], flen, &l2, &c2);
			if (l2 < l || (l2 == l && c2 <= c))
				break;
			errors->v[j] = errors->v[j - 1];
			j--;
		}
		errors->v[j] = m;
	}
}

static enum bw_err load(struct policy_set *ps, const char *name, const char *data, size_t len,
			struct bw_strv *errors, struct bw_errbuf *eb)
{
	struct rd rd = {.file = name, .errors = errors, .budget = POLICY_MAX_NODES};
	struct pstream st;
	struct pending pend = {0};
	struct bw_errbuf yeb = {{0}};
	size_t from = errors ? errors->n : 0;
	enum bw_err result;

	result = policy_yaml_parse(name, data, len, &st, &yeb);
	if (result != BW_OK) {
		add_msg(&rd, result, bw_errmsg(&yeb, result));
		goto out_report;
	}
	if (st.ndocs > 0) {
		pend.docs = bw_calloc(st.ndocs, sizeof(*pend.docs));
		pend.names = bw_calloc(st.ndocs, sizeof(*pend.names));
		if (!pend.docs || !pend.names) {
			add_msg(&rd, BW_ERR_NOMEM, "out of memory");
			goto out_release_stream;
		}
	}
	for (size_t i = 0; i < st.ndocs && rd.budget > 0; i++)
		read_doc(&rd, &st.docs[i], &pend);
	if (ps->ndocs + pend.n > POLICY_MAX_SET_DOCS)
		err_at(&rd, NULL, NULL, BW_ERR_LIMIT, "more than %d policy documents in all",
		       POLICY_MAX_SET_DOCS);
	check_unique(&rd, ps, &pend);
	if (rd.nerr == 0 && pend.n > 0) {
		struct policy_doc *nd = bw_reallocarray(ps->docs, ps->ndocs + pend.n, sizeof(*nd));

		if (!nd) {
			add_msg(&rd, BW_ERR_NOMEM, "out of memory");
		} else {
			memcpy(nd + ps->ndocs, pend.docs, pend.n * sizeof(*nd));
			ps->docs = nd;
			ps->ndocs += pend.n;
			pend.n = 0; /* moved */
		}
	}
	if (rd.nerr == 0)
		ps->nskipped += pend.skipped;
out_release_stream:
	for (size_t i = 0; i < pend.n; i++)
		policy_doc_release(&pend.docs[i]);
	free(pend.docs);
	free(pend.names);
	policy_yaml_release(&st);
out_report:
	if (rd.nerr == 0)
		return BW_OK;
	if (errors)
		sort_errors(errors, from, name);
	if (errors && rd.nerr > POLICY_MAX_ERRORS) {
		char *more = bw_strfmt("%s: %zu more errors not shown", name,
				       rd.nerr - POLICY_MAX_ERRORS);

		if (more)
			bw_strv_push_owned(errors, more);
	}
	if (rd.nerr > 1)
		return bw_fail(eb, rd.code, "%s (and %zu more errors)", rd.first.msg, rd.nerr - 1);
	return bw_fail(eb, rd.code, "%s", rd.first.msg);
}

/* ---- public API ------------------------------------------------------- */

const char *policy_mode_name(enum policy_mode m)
{
	switch (m) {
	case POLICY_MODE_DISCOVER:
		return "discover";
	case POLICY_MODE_MONITOR:
		return "monitor";
	case POLICY_MODE_PROTECT:
		return "protect";
	case POLICY_MODE_UNSET:
		break;
	}
	return "unset";
}

bool policy_mode_parse(const char *s, enum policy_mode *out)
{
	for (int i = 0; s && modes[i]; i++)
		if (strcmp(s, modes[i]) == 0) {
			*out = (enum policy_mode)(POLICY_MODE_DISCOVER + i);
			return true;
		}
	return false;
}

void policy_set_init(struct policy_set *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void policy_set_release(struct policy_set *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->ndocs; i++)
		policy_doc_release(&ps->docs[i]);
	free(ps->docs);
	memset(ps, 0, sizeof(*ps));
}

const struct policy_doc *policy_set_find(const struct policy_set *ps, const char *name)
{
	for (size_t i = 0; ps && name && i < ps->ndocs; i++)
		if (ps->docs[i].name && strcmp(ps->docs[i].name, name) == 0)
			return &ps->docs[i];
	return NULL;
}

enum bw_err policy_load_mem(struct policy_set *ps, const char *name, const char *data, size_t len,
			    struct bw_errbuf *eb)
{
	return load(ps, name ? name : "policy", data, len, NULL, eb);
}

enum bw_err policy_load_file_all(struct policy_set *ps, const char *path, struct bw_strv *errors,
				 struct bw_errbuf *eb)
{
	struct bw_buf b;
	struct bw_errbuf reb = {{0}};
	enum bw_err result;

	bw_buf_init(&b, POLICY_MAX_FILE_BYTES);
	result = bw_buf_read_file(&b, path, &reb);
	if (result == BW_ERR_LIMIT)
		result = bw_fail(&reb, BW_ERR_LIMIT, "%s: larger than %u bytes", path,
				 POLICY_MAX_FILE_BYTES);
	if (result != BW_OK) {
		if (result != BW_ERR_LIMIT && result != BW_ERR_NOMEM)
			result = BW_ERR_IO;
		if (errors)
			bw_strv_push(errors, bw_errmsg(&reb, result));
		bw_fail(eb, result, "%s", bw_errmsg(&reb, result));
		goto out_release;
	}
	result = load(ps, path, b.data ? b.data : "", b.len, errors, eb);
out_release:
	bw_buf_release(&b);
	return result;
}

enum bw_err policy_load_file(struct policy_set *ps, const char *path, struct bw_errbuf *eb)
{
	return policy_load_file_all(ps, path, NULL, eb);
}

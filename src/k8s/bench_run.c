/* bench_run.c - `bulwark bench k8s`: load config.yaml and the controls
 * files, work out the $variables from the host (a running component's own
 * flags win over config.yaml's guesses), gather each check's evidence
 * (bench_audit.c), evaluate it (bench_eval.c), report.
 *
 * Audit strings are shell in kube-bench's files. The common forms are
 * recognised and evaluated without a shell (bench_audit.c):
 *   ps -ef | grep BIN ..., ps -fC BIN   -> BIN's argv from /proc/PID/cmdline
 *                                          (its static pod manifest if not running)
 *   stat -c FORMAT FILE (in "if test -e FILE; then ...; fi" or not)
 *                                       -> stat(2) below the root; %a %U %G %u %g %n
 *   find DIR [-name PATTERN] | xargs stat -c FORMAT -> each match, one row each
 *   stat -c FORMAT $(ps ... | grep -- --FLAG ...), or "$VAR" set that way
 *                                       -> FLAG's value (else VAR=/fallback)
 *   cat FILE, /bin/cat FILE             -> the file (audit_config: parsed YAML/JSON)
 *   ... /proc/$(pidof BIN)/environ ...  -> BIN's environment (audit_env)
 * Anything else runs with `sh -c` only when allow_exec is set (never with a
 * --root other than "/": its output would describe the wrong machine).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "k8s/bench_int.h"

#define FILE_MAX (4u << 20)


/* ---- definitions files --------------------------------------------------- */

static enum bw_err load_def(struct k8s_brun *b, const char *name, struct bw_buf *out, bool *found)
{
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	char *path;

	*found = false;
	if (!b->o->config_dir) {
		size_t len;
		const char *data = k8s_embedded_file(name, &len);

		if (!data)
			return BW_OK;
		*found = true;
		return bw_buf_append(out, data, len);
	}
	path = bw_strfmt("%s/%s", b->o->config_dir, name);
	if (!path)
		return bw_fail(b->eb, BW_ERR_NOMEM, "out of memory");
	result = bw_buf_read_file(out, path, &eb);
	if (result == BW_OK)
		*found = true;
	else if (access(path, F_OK) != 0)
		result = BW_OK; /* absent: that target is not in this benchmark */
	else
		bw_fail(b->eb, result, "%s", bw_errmsg(&eb, result));
	free(path);
	return result;
}

/* ---- variables from config.yaml -------------------------------------------- */

static const char *first_str(const json_t *arr)
{
	if (json_is_string(arr))
		return json_string_value(arr);
	if (json_is_array(arr) && json_is_string(json_array_get(arr, 0)))
		return json_string_value(json_array_get(arr, 0));
	return NULL;
}

/* First existing file of list, else dflt (config.yaml semantics). */
static const char *first_existing(struct k8s_brun *b, const json_t *list, const json_t *dflt)
{
	size_t i;
	const json_t *v;

	if (json_is_array(list)) {
		json_array_foreach(list, i, v) {
			if (json_is_string(v) && k8s_host_exists(&b->host, json_string_value(v)))
				return json_string_value(v);
		}
	}
	if (json_is_string(dflt))
		return json_string_value(dflt);
	return first_str(list);
}

static const char *proc_flag(const struct k8s_proc *p, const char *flag)
{
	return k8s_argv_flag(&p->argv, flag);
}

static enum bw_err set_var(struct k8s_brun *b, const char *name, const char *value, const char *origin)
{
	enum bw_err result = k8s_vars_set(&b->vars, name, value ? value : "");

	if (result == BW_OK)
		result = k8s_vars_set(&b->origins, name, origin ? origin : "");
	return result != BW_OK ? bw_fail(b->eb, result, "out of memory") : BW_OK;
}

/* Settings a running component names itself override config.yaml's
 * guesses: the effective file is the one the process reads. */
static const struct {
	const char *component, *key, *flag;
} overrides[] = {
	{"kubelet", "conf", "--config"},
	{"kubelet", "kubeconfig", "--kubeconfig"},
	{"kubelet", "cafile", "--client-ca-file"},
	{"proxy", "conf", "--config"},
	{"proxy", "kubeconfig", "--kubeconfig"},
	{"scheduler", "kubeconfig", "--kubeconfig"},
	{"controllermanager", "kubeconfig", "--kubeconfig"},
	{"etcd", "datadir", "--data-dir"},
};

static enum bw_err component_vars(struct k8s_brun *b, const char *comp, const json_t *c)
{
	static const struct {
		const char *list, *dflt, *suffix;
	} keys[] = {
		{"confs", "defaultconf", "conf"},
		{"kubeconfig", "defaultkubeconfig", "kubeconfig"},
		{"cafile", "defaultcafile", "cafile"},
		{"svc", "defaultsvc", "svc"},
		{"datadirs", "defaultdatadir", "datadir"},
	};
	const json_t *bins = json_object_get(c, "bins");
	const struct k8s_proc *proc = NULL;
	const char *bin = NULL;
	char name[128], origin[600];
	enum bw_err result;
	size_t i;
	const json_t *v;

	if (json_is_array(bins)) {
		json_array_foreach(bins, i, v) {
			if (!json_is_string(v))
				continue;
			proc = k8s_host_find_proc(&b->host, json_string_value(v));
			if (proc) {
				bin = json_string_value(v);
				break;
			}
		}
		if (!bin)
			bin = first_str(bins);
		snprintf(name, sizeof(name), "%sbin", comp);
		result = set_var(b, name, bin, proc ? "running process" : "config.yaml (not running)");
		if (result != BW_OK)
			return result;
	}
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const json_t *list = json_object_get(c, keys[k].list);
		const json_t *dflt = json_object_get(c, keys[k].dflt);
		const char *val;
		char *resolved = NULL;

		if (!list && !dflt)
			continue;
		val = first_existing(b, list, dflt);
		snprintf(origin, sizeof(origin), "config.yaml %s.%s", comp, keys[k].list);
		for (size_t o = 0; proc && o < sizeof(overrides) / sizeof(overrides[0]); o++) {
			const char *fv;

			if (strcmp(overrides[o].component, comp) != 0 ||
			    strcmp(overrides[o].key, keys[k].suffix) != 0)
				continue;
			fv = proc_flag(proc, overrides[o].flag);
			if (!fv || !fv[0])
				continue;
			if (fv[0] != '/' && proc->cwd) {
				resolved = bw_strfmt("%s/%s", proc->cwd, fv);
				if (!resolved)
					return bw_fail(b->eb, BW_ERR_NOMEM, "out of memory");
				snprintf(origin, sizeof(origin),
					 "%s %s=%s of pid %d, relative to its working directory %s", bin,
					 overrides[o].flag, fv, proc->pid, proc->cwd);
				val = resolved;
			} else {
				snprintf(origin, sizeof(origin), "%s %s of pid %d%s", bin, overrides[o].flag,
					 proc->pid, fv[0] != '/' ? " (relative, working directory unknown)" : "");
				val = fv;
			}
		}
		snprintf(name, sizeof(name), "%s%s", comp, keys[k].suffix);
		result = set_var(b, name, val, origin);
		free(resolved);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

static enum bw_err build_vars(struct k8s_brun *b)
{
	const char *sect;
	json_t *s;

	json_object_foreach(b->config, sect, s) {
		const json_t *comps = json_object_get(s, "components");
		size_t i;
		const json_t *c;

		if (!json_is_array(comps))
			continue;
		json_array_foreach(comps, i, c) {
			const json_t *def;
			enum bw_err result;

			if (!json_is_string(c))
				continue;
			def = json_object_get(s, json_string_value(c));
			if (!json_is_object(def))
				continue;
			result = component_vars(b, json_string_value(c), def);
			if (result != BW_OK)
				return result;
		}
	}
	return BW_OK;
}

/* ---- checks ------------------------------------------------------------------- */

static enum bw_err add_result(struct bench_report *r, const struct k8s_group *g,
			      const struct k8s_check_def *c, enum bench_status st, const char *detail)
{
	struct bench_result res;
	char *section = bw_strfmt("%s %s", g->id ? g->id : "", g->text ? g->text : "");
	enum bw_err result;

	if (!section)
		return BW_ERR_NOMEM;
	memset(&res, 0, sizeof(res));
	res.id = c->id;
	res.title = c->text;
	res.section = section;
	res.automated = c->scored;
	res.level = 0;
	res.status = st;
	res.detail = (char *)detail;
	res.remediation = c->remediation;
	result = bench_report_add(r, &res);
	free(section);
	return result;
}

static enum bw_err run_check(struct k8s_brun *b, const struct k8s_group *g, const struct k8s_check_def *c,
			     struct bench_report *r)
{
	struct k8s_evidence ev;
	struct bw_buf detail;
	enum bw_err result = BW_OK;
	enum bench_status st;
	bool pass = false;

	if (g->skip || strcmp(c->type, "skip") == 0)
		return add_result(r, g, c, BENCH_INFO, "marked skip in the definitions");
	if (strcmp(c->type, "manual") == 0)
		return add_result(r, g, c, BENCH_WARN, "manual check: review it by hand (see remediation)");
	if (!c->has_tests || c->nitems == 0)
		return add_result(r, g, c, BENCH_WARN, "the definition has no tests: review by hand");
	memset(&ev, 0, sizeof(ev));
	ev.multi = c->multiple;
	bw_buf_init(&detail, 1 << 16);
	if (c->audit[0])
		result = k8s_audit_gather(b, &ev, c->audit, 0);
	if (result == BW_OK && !ev.error && !ev.na && c->audit_config[0])
		result = k8s_audit_gather(b, &ev, c->audit_config, 1);
	if (result == BW_OK && !ev.error && !ev.na && c->audit_env[0])
		result = k8s_audit_gather(b, &ev, c->audit_env, 2);
	if (result != BW_OK)
		goto out_release_evidence;
	if (!c->audit[0] && !c->audit_config[0] && !c->audit_env[0]) {
		result = add_result(r, g, c, BENCH_ERROR, "the definition has no audit: nothing to judge");
		goto out_release_evidence;
	}
	if (ev.error) {
		result = add_result(r, g, c, BENCH_ERROR, ev.error);
		goto out_release_evidence;
	}
	if (ev.na) {
		result = add_result(r, g, c, BENCH_NA, ev.na);
		goto out_release_evidence;
	}
	k8s_eval_tests(c, &ev, &pass, &detail);
	st = pass ? BENCH_PASS : c->scored ? BENCH_FAIL : BENCH_WARN;
	result = add_result(r, g, c, st, detail.data ? detail.data : "");
out_release_evidence:
	bw_buf_release(&detail);
	k8s_evidence_release(&ev);
	return result;
}

static enum bw_err run_file(struct k8s_brun *b, const char *file, struct bench_report *r,
			    bool *found)
{
	struct bw_buf data;
	struct k8s_controls ctl;
	char name[300];
	enum bw_err result;

	snprintf(name, sizeof(name), "%s/%s", b->bench, file);
	bw_buf_init(&data, K8S_YAML_MAX_BYTES);
	result = load_def(b, name, &data, found);
	if (result != BW_OK || !*found) {
		bw_buf_release(&data);
		return result;
	}
	result = k8s_controls_parse(data.data ? data.data : "", data.len, name, &b->vars, &ctl, b->eb);
	bw_buf_release(&data);
	if (result != BW_OK)
		return result;
	for (size_t g = 0; g < ctl.n && result == BW_OK; g++)
		for (size_t i = 0; i < ctl.groups[g].n && result == BW_OK; i++) {
			const struct k8s_check_def *c = &ctl.groups[g].checks[i];

			if (b->o->filter && !bench_filter_selects(b->o->filter, c->id))
				continue;
			result = run_check(b, &ctl.groups[g], c, r);
			if (result != BW_OK)
				bw_fail(b->eb, result, "%s: check %s: out of memory or too many results",
					name, c->id);
		}
	k8s_controls_release(&ctl);
	return result;
}

enum bw_err k8s_node_parse(const char *s, unsigned *mask)
{
	if (strcmp(s, "auto") == 0)
		*mask = 0;
	else if (strcmp(s, "master") == 0)
		*mask = K8S_NODE_MASTER;
	else if (strcmp(s, "worker") == 0 || strcmp(s, "node") == 0)
		*mask = K8S_NODE_WORKER;
	else if (strcmp(s, "etcd") == 0)
		*mask = K8S_NODE_ETCD;
	else if (strcmp(s, "policies") == 0)
		*mask = K8S_NODE_POLICIES;
	else
		return BW_ERR_USAGE;
	return BW_OK;
}

/* kube-bench keeps benchmark-specific settings in BENCH/config.yaml; they
 * are merged over the top config.yaml (mappings recursively). */
static enum bw_err overlay_bench_config(struct k8s_brun *b)
{
	struct bw_buf data;
	char name[300];
	bool found = false;
	json_t *docs = NULL;
	enum bw_err result;

	snprintf(name, sizeof(name), "%s/config.yaml", b->bench);
	bw_buf_init(&data, K8S_YAML_MAX_BYTES);
	result = load_def(b, name, &data, &found);
	if (result == BW_OK && found)
		result = k8s_yaml_load(data.data ? data.data : "", data.len, name, &docs, NULL, b->eb);
	bw_buf_release(&data);
	if (result != BW_OK || !found)
		return result;
	if (json_array_size(docs) > 0) {
		if (!json_is_object(json_array_get(docs, 0)))
			result = bw_fail(b->eb, BW_ERR_FORMAT, "%s: not a mapping", name);
		else if (json_object_update_recursive(b->config, json_array_get(docs, 0)) != 0)
			result = bw_fail(b->eb, BW_ERR_NOMEM, "out of memory");
	}
	json_decref(docs);
	return result;
}

static unsigned detect_nodes(const struct k8s_brun *b)
{
	const struct k8s_host *h = &b->host;
	unsigned m = 0;
	const char *conf;

	if (k8s_host_find_proc(h, "kube-apiserver") || k8s_host_find_proc(h, "hyperkube apiserver"))
		m |= K8S_NODE_MASTER | K8S_NODE_POLICIES;
	if (k8s_host_find_proc(h, "etcd"))
		m |= K8S_NODE_ETCD;
	if (k8s_host_find_proc(h, "kubelet") || k8s_host_find_proc(h, "hyperkube kubelet"))
		m |= K8S_NODE_WORKER;
	if (h->nprocs == 0) {
		/* an offline root: the static pod manifests say what would run */
		conf = k8s_vars_get(&b->vars, "apiserverconf");
		if (conf && k8s_host_exists(h, conf))
			m |= K8S_NODE_MASTER | K8S_NODE_POLICIES;
		conf = k8s_vars_get(&b->vars, "etcdconf");
		if (conf && k8s_host_exists(h, conf))
			m |= K8S_NODE_ETCD;
	}
	return m;
}

enum bw_err k8s_bench_run(const struct k8s_bench_opts *o, struct bench_report *r,
			  unsigned *nodes_out, struct bw_errbuf *eb)
{
	static const struct {
		unsigned node;
		const char *file;
	} files[] = {
		{K8S_NODE_MASTER, "master.yaml"},     {K8S_NODE_MASTER, "controlplane.yaml"},
		{K8S_NODE_ETCD, "etcd.yaml"},         {K8S_NODE_WORKER, "node.yaml"},
		{K8S_NODE_POLICIES, "policies.yaml"},
	};
	struct k8s_brun b;
	struct bw_buf cfg;
	enum bw_err result;
	bool found;
	json_t *docs = NULL;
	unsigned nodes;
	char *target, *bench_name;
	size_t ran = 0;

	memset(&b, 0, sizeof(b));
	b.o = o;
	b.eb = eb;
	b.bench = o->benchmark ? o->benchmark : "cis-1.8";
	if (strchr(b.bench, '/') || strstr(b.bench, ".."))
		return bw_fail(eb, BW_ERR_USAGE, "benchmark name '%s' is not a folder name", b.bench);
	result = k8s_host_open_root(&b.host, o->root, eb);
	if (result != BW_OK)
		goto out_release;
	bw_buf_init(&cfg, K8S_YAML_MAX_BYTES);
	result = load_def(&b, "config.yaml", &cfg, &found);
	if (result == BW_OK && !found)
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "%s/config.yaml not found",
				 o->config_dir ? o->config_dir : "(built-in definitions)");
	if (result == BW_OK)
		result = k8s_yaml_load(cfg.data ? cfg.data : "", cfg.len, "config.yaml", &docs, NULL, eb);
	bw_buf_release(&cfg);
	if (result != BW_OK)
		goto out_release;
	b.config = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	if (!json_is_object(b.config)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "config.yaml: not a mapping");
		goto out_release;
	}
	result = overlay_bench_config(&b);
	if (result != BW_OK)
		goto out_release;
	result = build_vars(&b);
	if (result != BW_OK)
		goto out_release;
	nodes = o->nodes ? o->nodes : detect_nodes(&b);
	if (nodes == 0) {
		result = bw_fail(eb, BW_ERR_NOT_FOUND,
				 "no Kubernetes component is running under %s (no kube-apiserver, etcd "
				 "or kubelet process): choose with --node master|worker|etcd",
				 b.host.root);
		goto out_release;
	}
	if (nodes_out)
		*nodes_out = nodes;
	bench_name = bw_strfmt("CIS Kubernetes Benchmark (%s definitions%s%s)", b.bench,
			       o->config_dir ? " from " : ", built in",
			       o->config_dir ? o->config_dir : "");
	target = bw_strfmt("%s%s%s%s%s", strcmp(b.host.root, "/") == 0 ? "host" : "root ",
			   strcmp(b.host.root, "/") == 0 ? "" : b.host.root, " (",
			   nodes & K8S_NODE_MASTER ? "master " : "",
			   nodes & K8S_NODE_WORKER ? "worker" : "");
	if (bench_name) {
		free(r->benchmark);
		r->benchmark = bench_name;
	}
	if (target) {
		char *t2 = bw_strfmt("%s%s%s)", target, nodes & K8S_NODE_ETCD ? " etcd" : "",
				     nodes & K8S_NODE_POLICIES ? " policies" : "");

		free(target);
		if (t2) {
			bench_report_set_target(r, t2);
			free(t2);
		}
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && result == BW_OK; i++) {
		if (!(nodes & files[i].node))
			continue;
		result = run_file(&b, files[i].file, r, &found);
		if (found)
			ran++;
	}
	if (result == BW_OK && ran == 0)
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "benchmark %s has no definitions for the chosen nodes",
				 b.bench);
out_release:
	json_decref(b.config);
	k8s_vars_release(&b.vars);
	k8s_vars_release(&b.origins);
	k8s_host_release(&b.host);
	return result;
}

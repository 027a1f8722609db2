/* bench_run.c - `bulwark bench k8s`: load config.yaml and the controls
 * files, work out the $variables from the host, gather each check's
 * evidence natively from its audit strings, evaluate, report.
 *
 * Audit strings are shell in kube-bench's files. The common forms are
 * recognised and evaluated without a shell:
 *   ps -ef | grep BIN ...               -> BIN's argv from /proc/PID/cmdline
 *   stat -c FORMAT FILE (in "if test -e FILE; then ...; fi" or not)
 *                                       -> lstat(2) below the root; %a %U %G %u %g %n
 *   find DIR -name PATTERN | xargs stat -c FORMAT -> each match, one row each
 *   stat -c FORMAT $(ps -ef | grep BIN | grep -- --FLAG ...) -> FLAG's value
 *   cat FILE, /bin/cat FILE             -> the file (audit_config: parsed YAML/JSON)
 *   ... /proc/$(pidof BIN)/environ ...  -> BIN's environment (audit_env)
 * Anything else runs with `sh -c` only when allow_exec is set (never with a
 * --root other than "/": its output would describe the wrong machine).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "k8s/bench_int.h"

#define FILE_MAX (4u << 20)
#define FIND_MAX_FILES 10000
#define FIND_MAX_DEPTH 16

struct brun {
	const struct k8s_bench_opts *o;
	struct k8s_host host;
	struct k8s_vars vars;
	struct k8s_vars origins;   /* var name -> where its value came from */
	json_t *config;            /* config.yaml */
	const char *bench;
	struct bw_errbuf *eb;
};

/* ---- definitions files --------------------------------------------------- */

static enum bw_err load_def(struct brun *b, const char *name, struct bw_buf *out, bool *found)
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
static const char *first_existing(struct brun *b, const json_t *list, const json_t *dflt)
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

/* Value of a flag in an argv ("--f=v" or "--f v"); last wins. */
static const char *argv_flag(const struct bw_strv *argv, const char *flag)
{
	const char *val = NULL;
	size_t fl = strlen(flag);

	for (size_t i = 1; i < argv->n; i++) {
		const char *a = argv->v[i];

		if (strncmp(a, flag, fl) == 0 && a[fl] == '=')
			val = a + fl + 1;
		else if (strcmp(a, flag) == 0 && i + 1 < argv->n && argv->v[i + 1][0] != '-')
			val = argv->v[i + 1];
	}
	return val;
}

static const char *proc_flag(const struct k8s_proc *p, const char *flag)
{
	return argv_flag(&p->argv, flag);
}

static enum bw_err set_var(struct brun *b, const char *name, const char *value, const char *origin)
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

static enum bw_err component_vars(struct brun *b, const char *comp, const json_t *c)
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

static enum bw_err build_vars(struct brun *b)
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

/* ---- audit strings ----------------------------------------------------------- */

/* Split a shell-ish string into words: quotes removed, ';' '|' '(' ')'
 * '`' separate words and are kept as words of their own. */
static enum bw_err shell_words(const char *s, struct bw_strv *out)
{
	struct bw_buf w;
	enum bw_err result = BW_OK;

	bw_buf_init(&w, 1 << 16);
	while (*s && result == BW_OK) {
		char q = 0;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (strchr(";|()`", *s)) {
			char one[2] = {*s++, 0};

			result = bw_strv_push(out, one);
			continue;
		}
		bw_buf_reset(&w);
		result = bw_buf_append(&w, "", 0);
		while (*s && result == BW_OK) {
			if (q) {
				if (*s == q)
					q = 0;
				else
					result = bw_buf_append(&w, s, 1);
			} else if (*s == '\'' || *s == '"') {
				q = *s;
			} else if (*s == ' ' || *s == '\t' || *s == '\n' || strchr(";|()`", *s)) {
				break;
			} else if (*s == '$' && s[1] == '(') {
				break;
			} else {
				result = bw_buf_append(&w, s, 1);
			}
			s++;
		}
		if (result == BW_OK && w.len)
			result = bw_strv_push(out, w.data);
		if (*s == '$' && s[1] == '(') {
			result = bw_strv_push(out, "$(");
			s += 2;
		}
	}
	bw_buf_release(&w);
	return result;
}

/* Inner command of "/bin/sh -c '...'", "sh -c \"...\"", else s itself. */
static char *unwrap_sh(const char *s)
{
	const char *p = s;

	while (*p == ' ')
		p++;
	if (bw_str_starts_with(p, "/bin/sh -c ") || bw_str_starts_with(p, "sh -c ") ||
	    bw_str_starts_with(p, "/bin/bash -c ") || bw_str_starts_with(p, "bash -c ")) {
		const char *q = strstr(p, "-c ") + 3;
		size_t n;

		while (*q == ' ')
			q++;
		if (*q == '\'' || *q == '"') {
			const char *e = strrchr(q + 1, *q);

			if (e)
				return bw_strndup(q + 1, (size_t)(e - q - 1));
		}
		n = strlen(q);
		return bw_strndup(q, n);
	}
	return bw_strdup(p);
}

static const char *base_of(const char *s)
{
	const char *b = strrchr(s, '/');

	return b ? b + 1 : s;
}

/* Index of the first word from `from` that is `word` or a path ending in
 * "/word" ("/bin/ps" for "ps"); -1 if none. */
static ssize_t word_index(const struct bw_strv *w, const char *word, size_t from)
{
	for (size_t i = from; i < w->n; i++)
		if (strcmp(w->v[i], word) == 0 || strcmp(base_of(w->v[i]), word) == 0)
			return (ssize_t)i;
	return -1;
}

/* The program a "grep BIN" (or pidof/pgrep BIN) selects. */
static const char *grep_target(const struct bw_strv *w)
{
	for (size_t i = 0; i + 1 < w->n; i++) {
		const char *c = base_of(w->v[i]);

		/* ps -C BIN, ps -fC BIN (kube-bench's kubelet audit) */
		if (strcmp(c, "ps") == 0) {
			for (size_t j = i + 1; j + 1 < w->n && w->v[j][0] == '-'; j++)
				if (w->v[j][1] != '-' && w->v[j][strlen(w->v[j]) - 1] == 'C')
					return w->v[j + 1];
		}
		if (strcmp(c, "grep") == 0 || strcmp(c, "pidof") == 0 || strcmp(c, "pgrep") == 0) {
			size_t j = i + 1;

			while (j < w->n && w->v[j][0] == '-')
				j++;
			if (j < w->n && !strchr(";|()`", w->v[j][0]))
				return w->v[j];
		}
	}
	return NULL;
}

static const char *bin_component(const char *bin)
{
	const char *b = base_of(bin);

	if (strstr(b, "apiserver"))
		return "kube-apiserver";
	if (strstr(b, "controller-manager"))
		return "kube-controller-manager";
	if (strstr(b, "scheduler"))
		return "kube-scheduler";
	if (strstr(b, "kubelet"))
		return "kubelet";
	if (strstr(b, "etcd"))
		return "etcd";
	if (strstr(b, "proxy"))
		return "kube-proxy";
	return NULL;
}

/* stat -c FORMAT output for st (subset of GNU stat's directives). */
static void stat_format(const struct brun *b, const char *fmt, const char *path,
			const struct stat *st, struct bw_buf *out)
{
	char name[256];

	for (const char *p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			bw_buf_append(out, p, 1);
			continue;
		}
		switch (*++p) {
		case 'a':
			bw_buf_appendf(out, "%o", (unsigned)(st->st_mode & 07777));
			break;
		case 'U':
			k8s_host_user(&b->host, st->st_uid, name, sizeof(name));
			bw_buf_appends(out, name);
			break;
		case 'G':
			k8s_host_group(&b->host, st->st_gid, name, sizeof(name));
			bw_buf_appends(out, name);
			break;
		case 'u':
			bw_buf_appendf(out, "%u", (unsigned)st->st_uid);
			break;
		case 'g':
			bw_buf_appendf(out, "%u", (unsigned)st->st_gid);
			break;
		case 'n':
			bw_buf_appends(out, path);
			break;
		case '%':
			bw_buf_append(out, "%", 1);
			break;
		default:
			bw_buf_appendf(out, "%%%c", *p);
		}
	}
}

static enum bw_err stat_row(struct brun *b, struct k8s_evidence *ev, const char *fmt,
			    const char *path, const struct stat *st)
{
	struct bw_buf line;
	char src[700];
	enum bw_err result;

	bw_buf_init(&line, 1 << 16);
	stat_format(b, fmt, path, st, &line);
	snprintf(src, sizeof(src), "stat of %s", path);
	result = k8s_evidence_add_row(ev, src);
	if (result == BW_OK)
		result = k8s_evidence_add_text(ev, line.data ? line.data : "");
	bw_buf_release(&line);
	return result;
}

static enum bw_err ev_error(struct k8s_evidence *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum bw_err ev_error(struct k8s_evidence *ev, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return BW_ERR_NOMEM;
	free(ev->error);
	ev->error = s;
	return BW_OK;
}

static enum bw_err ev_na(struct k8s_evidence *ev, const char *what)
{
	free(ev->na);
	ev->na = bw_strdup(what);
	return ev->na ? BW_OK : BW_ERR_NOMEM;
}

static enum bw_err do_stat(struct brun *b, struct k8s_evidence *ev, const char *fmt,
			   const char *path)
{
	struct stat st;
	struct bw_errbuf eb = {{0}};
	enum bw_err result = k8s_host_lstat(&b->host, path, &st, &eb);
	char msg[700];

	if (result == BW_ERR_NOT_FOUND) {
		snprintf(msg, sizeof(msg), "%s does not exist", path);
		return ev_na(ev, msg);
	}
	if (result != BW_OK)
		return ev_error(ev, "cannot stat %s", eb.msg);
	return stat_row(b, ev, fmt, path, &st);
}

static enum bw_err find_walk(struct brun *b, struct k8s_evidence *ev, const char *dir,
			     const char *pattern, const char *fmt, int depth, size_t *count)
{
	int fd;
	DIR *d;
	struct dirent *de;
	enum bw_err result = BW_OK;

	if (depth > FIND_MAX_DEPTH)
		return BW_OK;
	fd = k8s_host_open(&b->host, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		return depth == 0 ? BW_ERR_NOT_FOUND : BW_OK;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return BW_ERR_IO;
	}
	while ((de = readdir(d)) != NULL && result == BW_OK) {
		char *p;
		struct stat st;
		struct bw_errbuf eb = {{0}};

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = bw_strfmt("%s%s%s", dir, bw_str_ends_with(dir, "/") ? "" : "/", de->d_name);
		if (!p)
			result = BW_ERR_NOMEM;
		else if (k8s_host_lstat(&b->host, p, &st, &eb) == BW_OK) {
			if (fnmatch(pattern, de->d_name, 0) == 0) {
				if (++*count > FIND_MAX_FILES)
					result = BW_ERR_LIMIT;
				else
					result = stat_row(b, ev, fmt, p, &st);
			}
			if (result == BW_OK && S_ISDIR(st.st_mode))
				result = find_walk(b, ev, p, pattern, fmt, depth + 1, count);
		}
		free(p);
	}
	closedir(d);
	return result;
}

/* An argv word from a manifest: YAML may have read "- 30" as a number. */
static enum bw_err push_scalar(struct bw_strv *sv, const json_t *a)
{
	char num[64];

	if (json_is_string(a))
		return bw_strv_push(sv, json_string_value(a));
	if (json_is_integer(a))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(a));
	else if (json_is_real(a))
		snprintf(num, sizeof(num), "%.15g", json_real_value(a));
	else if (json_is_boolean(a))
		snprintf(num, sizeof(num), "%s", json_is_true(a) ? "true" : "false");
	else
		return BW_OK;
	return bw_strv_push(sv, num);
}

/* Static pod manifest of a control-plane binary ($<comp>conf), read when
 * the process is not running (an offline root): the command and args of
 * its container are what the kubelet would run. */
static enum bw_err manifest_rows(struct brun *b, struct k8s_evidence *ev, const char *bin,
				 bool *found)
{
	static const struct {
		const char *component, *var;
	} map[] = {
		{"kube-apiserver", "apiserverconf"},
		{"kube-controller-manager", "controllermanagerconf"},
		{"kube-scheduler", "schedulerconf"},
		{"etcd", "etcdconf"},
	};
	const char *comp = bin_component(bin), *path = NULL;
	struct bw_buf buf;
	struct bw_errbuf eb = {{0}};
	json_t *docs = NULL;
	const json_t *ctrs, *c;
	enum bw_err result = BW_OK;
	size_t i;
	char src[700];

	*found = false;
	for (size_t k = 0; comp && k < sizeof(map) / sizeof(map[0]); k++)
		if (strcmp(map[k].component, comp) == 0)
			path = k8s_vars_get(&b->vars, map[k].var);
	if (!path || !bw_str_ends_with(path, ".yaml"))
		return BW_OK;
	bw_buf_init(&buf, FILE_MAX);
	if (k8s_host_read(&b->host, path, &buf, &eb) != BW_OK ||
	    k8s_yaml_load(buf.data ? buf.data : "", buf.len, path, &docs, NULL, &eb) != BW_OK) {
		bw_buf_release(&buf);
		return BW_OK;
	}
	bw_buf_release(&buf);
	ctrs = json_object_get(json_object_get(json_array_get(docs, 0), "spec"), "containers");
	json_array_foreach(ctrs, i, c) {
		const json_t *cmd = json_object_get(c, "command"), *args = json_object_get(c, "args");
		const json_t *a;
		size_t j;

		if (!json_is_array(cmd) || !json_is_string(json_array_get(cmd, 0)) ||
		    strcmp(base_of(json_string_value(json_array_get(cmd, 0))), base_of(bin)) != 0)
			continue;
		snprintf(src, sizeof(src), "static pod manifest %s (no running %s process)", path, bin);
		result = k8s_evidence_add_row(ev, src);
		json_array_foreach(cmd, j, a) {
			if (result == BW_OK)
				result = push_scalar(&ev->rows[ev->nrows - 1].tok, a);
		}
		if (json_is_array(args)) {
			json_array_foreach(args, j, a) {
				if (result == BW_OK)
					result = push_scalar(&ev->rows[ev->nrows - 1].tok, a);
			}
		}
		ev->component = comp;
		*found = true;
		break;
	}
	json_decref(docs);
	return result;
}

static enum bw_err proc_rows(struct brun *b, struct k8s_evidence *ev, const char *bin)
{
	const struct k8s_proc *p = k8s_host_find_proc(&b->host, bin);
	char src[300];
	enum bw_err result;
	bool found = false;

	if (!p) {
		result = manifest_rows(b, ev, bin, &found);
		if (result != BW_OK || found)
			return result;
	}
	if (!b->host.proc_present)
		return ev_error(ev, "no /proc under %s: process %s cannot be read", b->host.root, bin);
	if (!p)
		return ev_error(ev, "%s is not running (no process under %s/proc has it as argv[0])", bin,
				strcmp(b->host.root, "/") == 0 ? "" : b->host.root);
	snprintf(src, sizeof(src), "%s command line (pid %d)", base_of(p->argv.v[0]), p->pid);
	/* env items without an audit_env read this process's environment */
	if (!ev->env_text && p->environ_text) {
		ev->env_text = bw_strdup(p->environ_text);
		ev->env_src = bw_strfmt("%s (pid %d)", base_of(p->argv.v[0]), p->pid);
	}
	result = k8s_evidence_add_row(ev, src);
	for (size_t i = 0; i < p->argv.n && result == BW_OK; i++)
		result = bw_strv_push(&ev->rows[ev->nrows - 1].tok, p->argv.v[i]);
	ev->component = bin_component(p->argv.v[0]);
	return result;
}

/* Origin text of a path if a $variable produced it. */
static const char *path_origin(const struct brun *b, const char *path)
{
	for (size_t i = 0; i < b->vars.names.n; i++)
		if (strcmp(b->vars.values.v[i], path) == 0 && b->origins.values.v[i][0])
			return b->origins.values.v[i];
	return NULL;
}

static enum bw_err read_config(struct brun *b, struct k8s_evidence *ev, const char *path)
{
	struct bw_buf buf;
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	json_t *docs = NULL;
	const char *origin = path_origin(b, path);

	bw_buf_init(&buf, FILE_MAX);
	result = k8s_host_read(&b->host, path, &buf, &eb);
	if (result != BW_OK) {
		bw_buf_release(&buf);
		/* a file the running component names must be readable */
		if (origin && strstr(origin, "pid "))
			return ev_error(ev, "config file %s (from %s) cannot be read: %s", path, origin,
					eb.msg);
		return BW_OK; /* no config file: flags, then defaults */
	}
	result = k8s_yaml_load(buf.data ? buf.data : "", buf.len, path, &docs, NULL, &eb);
	if (result == BW_OK && json_array_size(docs) > 0) {
		ev->config = json_incref(json_array_get(docs, 0));
		ev->config_src = origin ? bw_strfmt("%s (%s)", path, origin) : bw_strdup(path);
	}
	json_decref(docs);
	if (result == BW_OK && !ev->have_rows) {
		/* flag items on a cat'ed file search its words */
		result = k8s_evidence_add_row(ev, path);
		if (result == BW_OK)
			result = k8s_evidence_add_text(ev, buf.data ? buf.data : "");
	} else if (result != BW_OK) {
		result = ev_error(ev, "config file %s is not YAML/JSON: %s", path, eb.msg);
	}
	bw_buf_release(&buf);
	return result;
}

/* Run an audit command through sh -c (allow_exec, live host only). */
static enum bw_err exec_audit(struct brun *b, struct k8s_evidence *ev, const char *cmd,
			      bool as_config, bool as_env)
{
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct bw_buf out;
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	int status = 0;

	if (!b->o->allow_exec)
		return ev_error(ev, "audit command not run (use --allow-exec): %s", cmd);
	if (strcmp(b->host.root, "/") != 0)
		return ev_error(ev, "audit command not run: it would read this machine, not --root %s: %s",
				b->host.root, cmd);
	bw_buf_init(&out, FILE_MAX);
	result = bw_run(argv, NULL, 0, &out, &status, &eb);
	if (result != BW_OK) {
		bw_buf_release(&out);
		return ev_error(ev, "audit command failed: %s", eb.msg);
	}
	if (as_env) {
		ev->env_text = bw_buf_detach(&out, NULL);
		ev->env_src = bw_strfmt("command %s", cmd);
	} else if (as_config) {
		json_t *docs = NULL;

		if (k8s_yaml_load(out.data ? out.data : "", out.len, "audit_config output", &docs, NULL,
				  &eb) == BW_OK && json_array_size(docs) > 0) {
			ev->config = json_incref(json_array_get(docs, 0));
			ev->config_src = bw_strfmt("output of %s", cmd);
		}
		json_decref(docs);
	} else {
		char *save = NULL, *line;

		result = BW_OK;
		ev->have_rows = true;
		for (line = strtok_r(out.data ? out.data : (char *)"", "\n", &save); line && result == BW_OK;
		     line = strtok_r(NULL, "\n", &save)) {
			result = k8s_evidence_add_row(ev, "audit command output");
			if (result == BW_OK)
				result = k8s_evidence_add_text(ev, line);
		}
	}
	bw_buf_release(&out);
	return BW_OK;
}

/* The path a stat in an audit script names through a process flag:
 * "$(ps ... | grep BIN | grep -- --FLAG ...)" directly (tgt "$("), or a
 * variable set from such a subshell (tgt "$VAR"), with VAR=/path as the
 * fallback when the flag is absent. *path: new string, or NULL with
 * ev->error set. */
static enum bw_err ps_flag_path(struct brun *b, struct k8s_evidence *ev, const struct bw_strv *w,
				const char *tgt, const char *audit, char **path)
{
	const char *bin = grep_target(w);
	const char *flag = NULL, *val = NULL, *fallback = NULL;
	const struct k8s_proc *p = bin ? k8s_host_find_proc(&b->host, bin) : NULL;
	char name[128] = "", flagbuf[128];
	struct k8s_evidence man;
	enum bw_err result = BW_OK;

	memset(&man, 0, sizeof(man));
	*path = NULL;
	if (tgt[0] == '$' && tgt[1] != '(') {
		size_t n;

		bw_strlcpy(name, tgt[1] == '{' ? tgt + 2 : tgt + 1, sizeof(name));
		n = strcspn(name, "}");
		name[n] = '\0';
	}
	for (size_t i = 0; i + 1 < w->n; i++)
		if (strcmp(w->v[i], "--") == 0 && bw_str_starts_with(w->v[i + 1], "--") &&
		    w->v[i + 1][2]) {
			bw_strlcpy(flagbuf, w->v[i + 1], sizeof(flagbuf));
			flagbuf[strcspn(flagbuf, "=")] = '\0';
			flag = flagbuf;
		}
	for (size_t i = 0; name[0] && i < w->n; i++) {
		size_t nl = strlen(name);

		if (strncmp(w->v[i], name, nl) == 0 && w->v[i][nl] == '=' && w->v[i][nl + 1] == '/')
			fallback = w->v[i] + nl + 1;
	}
	if (p && flag)
		val = proc_flag(p, flag);
	if (!p && bin && flag) {
		/* offline root: the static pod manifest's command line */
		bool found = false;

		result = manifest_rows(b, &man, bin, &found);
		if (result != BW_OK)
			goto out;
		if (found)
			val = argv_flag(&man.rows[0].tok, flag);
	}
	if (val && fallback && !k8s_host_exists(&b->host, val) && k8s_host_exists(&b->host, fallback))
		val = fallback;
	if (!val)
		val = fallback;
	if (!val) {
		if (!bin || !flag)
			result = exec_audit(b, ev, audit, false, false);
		else if (!p)
			result = ev_error(ev, "%s is not running: cannot read its %s", bin, flag);
		else
			result = ev_error(ev, "%s (pid %d) has no %s", bin, p->pid, flag);
		goto out;
	}
	*path = bw_strdup(val);
	if (!*path)
		result = BW_ERR_NOMEM;
out:
	k8s_evidence_release(&man);
	return result;
}

/* Gather evidence for one audit string. kind: 0 audit, 1 config, 2 env. */
static enum bw_err gather(struct brun *b, struct k8s_evidence *ev, const char *audit, int kind)
{
	struct bw_strv w = {0};
	char *inner = unwrap_sh(audit);
	enum bw_err result;
	ssize_t si, fi, ci, pi;
	const char *target;

	if (!inner)
		return BW_ERR_NOMEM;
	result = shell_words(inner, &w);
	if (result != BW_OK)
		goto out;
	si = word_index(&w, "stat", 0);
	fi = word_index(&w, "find", 0);
	ci = word_index(&w, "cat", 0);
	pi = word_index(&w, "ps", 0);
	target = grep_target(&w);

	if (kind == 2 && strstr(inner, "environ") && target) {
		const struct k8s_proc *p = k8s_host_find_proc(&b->host, target);

		if (p && p->environ_text) {
			ev->env_text = bw_strdup(p->environ_text);
			ev->env_src = bw_strfmt("%s (pid %d)", target, p->pid);
		}
		goto out;
	}
	if (si >= 0 && (size_t)si + 2 < w.n && strcmp(w.v[si + 1], "-c") == 0) {
		const char *fmt = w.v[si + 2];
		ssize_t dollar = word_index(&w, "$(", (size_t)si);

		if (fi >= 0 && fi < si && (size_t)fi + 1 < w.n) {
			/* find DIR -name PATTERN | xargs stat -c FMT */
			ssize_t ni = word_index(&w, "-name", (size_t)fi);
			size_t count = 0;

			const char *pattern = ni >= 0 && (size_t)ni + 1 < w.n ? w.v[ni + 1] : "*";

			result = find_walk(b, ev, w.v[fi + 1], pattern, fmt, 0, &count);
			if (result == BW_ERR_NOT_FOUND || (result == BW_OK && count == 0)) {
				char msg[600];

				snprintf(msg, sizeof(msg), "no file named %s under %s", pattern,
					 w.v[fi + 1]);
				result = ev_na(ev, msg);
			} else if (result == BW_ERR_LIMIT) {
				result = ev_error(ev, "more than %d files under %s", FIND_MAX_FILES,
						  w.v[fi + 1]);
			}
			goto out;
		}
		const char *tgt = (size_t)si + 3 < w.n ? w.v[si + 3] : NULL;

		(void)dollar;
		if (tgt && (strcmp(tgt, "$(") == 0 || tgt[0] == '$')) {
			/* stat -c FMT $(ps -ef | grep BIN | grep -- --FLAG | sed ...), or
			 * stat -c FMT "$VAR" with VAR from such a subshell, else from a
			 * fallback assignment VAR=/path (kube-bench 1.1.11, 4.1.7) */
			char *path = NULL;

			result = ps_flag_path(b, ev, &w, tgt, audit, &path);
			if (result == BW_OK && path)
				result = do_stat(b, ev, fmt, path);
			free(path);
			goto out;
		}
		/* stat -c FMT FILE: the last absolute path after stat */
		for (size_t i = w.n; i-- > (size_t)si + 3;)
			if (w.v[i][0] == '/') {
				result = do_stat(b, ev, fmt, w.v[i]);
				goto out;
			}
	}
	if (pi >= 0 && target && si < 0) {
		result = kind == 0 ? proc_rows(b, ev, target) : exec_audit(b, ev, audit, kind == 1, false);
		goto out;
	}
	if (ci >= 0 && (size_t)ci + 1 < w.n && w.v[ci + 1][0] == '/' && si < 0 && pi < 0) {
		result = read_config(b, ev, w.v[ci + 1]);
		goto out;
	}
	result = exec_audit(b, ev, audit, kind == 1, kind == 2);
out:
	bw_strv_release(&w);
	free(inner);
	return result;
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

static enum bw_err run_check(struct brun *b, const struct k8s_group *g, const struct k8s_check_def *c,
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
	bw_buf_init(&detail, 1 << 16);
	if (c->audit[0])
		result = gather(b, &ev, c->audit, 0);
	if (result == BW_OK && !ev.error && !ev.na && c->audit_config[0])
		result = gather(b, &ev, c->audit_config, 1);
	if (result == BW_OK && !ev.error && !ev.na && c->audit_env[0])
		result = gather(b, &ev, c->audit_env, 2);
	if (result != BW_OK)
		goto out;
	if (!c->audit[0] && !c->audit_config[0] && !c->audit_env[0]) {
		result = add_result(r, g, c, BENCH_ERROR, "the definition has no audit: nothing to judge");
		goto out;
	}
	if (ev.error) {
		result = add_result(r, g, c, BENCH_ERROR, ev.error);
		goto out;
	}
	if (ev.na) {
		result = add_result(r, g, c, BENCH_NA, ev.na);
		goto out;
	}
	k8s_eval_tests(c, &ev, &pass, &detail);
	st = pass ? BENCH_PASS : c->scored ? BENCH_FAIL : BENCH_WARN;
	result = add_result(r, g, c, st, detail.data ? detail.data : "");
out:
	bw_buf_release(&detail);
	k8s_evidence_release(&ev);
	return result;
}

static enum bw_err run_file(struct brun *b, const char *file, struct bench_report *r,
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

static unsigned detect_nodes(const struct brun *b)
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
	struct brun b;
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

/* bench_audit.c - evidence for a check from its kube-bench audit strings,
 * read natively: the shell forms listed in bench_run.c's header comment
 * (ps | grep, stat -c, find | xargs stat, $(ps ... --flag) paths, cat,
 * environ), the static pod manifest when a control-plane process is not
 * running, and sh -c for anything else when allowed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k8s/bench_int.h"

#define FILE_MAX (4u << 20)
#define FIND_MAX_FILES 10000
#define FIND_MAX_DEPTH 16

/* Value of a flag in an argv ("--f=v" or "--f v"); last wins. */
const char *k8s_argv_flag(const struct bw_strv *argv, const char *flag)
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
			bool invert = false;

			while (j < w->n && w->v[j][0] == '-') {
				/* "grep -v grep" filters lines out: not the target */
				if (w->v[j][1] != '-' && strchr(w->v[j], 'v'))
					invert = true;
				if (strcmp(w->v[j], "--") == 0)
					break;
				j++;
			}
			if (invert)
				continue;
			if (j < w->n && strcmp(w->v[j], "--") == 0)
				continue; /* grep -- --flag: a flag filter, not the program */
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
static void stat_format(const struct k8s_brun *b, const char *fmt, const char *path,
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

static enum bw_err stat_row(struct k8s_brun *b, struct k8s_evidence *ev, const char *fmt,
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

/* stat of one named file. A symlink is followed (inside the root): the
 * benchmark means the file's own mode, not the link's 777. */
static enum bw_err do_stat(struct k8s_brun *b, struct k8s_evidence *ev, const char *fmt,
			   const char *path)
{
	struct stat st;
	struct bw_errbuf eb = {{0}};
	enum bw_err result = k8s_host_lstat(&b->host, path, &st, &eb);
	char msg[700];
	int fd;

	if (result == BW_ERR_NOT_FOUND) {
		snprintf(msg, sizeof(msg), "%s does not exist", path);
		return ev_na(ev, msg);
	}
	if (result != BW_OK)
		return ev_error(ev, "cannot stat %s", eb.msg);
	if (S_ISLNK(st.st_mode)) {
		fd = k8s_host_open(&b->host, path, O_PATH);
		if (fd < 0 || fstat(fd, &st) != 0) {
			if (fd >= 0)
				close(fd);
			return ev_error(ev, "%s is a symlink whose target cannot be read", path);
		}
		close(fd);
	}
	return stat_row(b, ev, fmt, path, &st);
}

static enum bw_err find_walk(struct k8s_brun *b, struct k8s_evidence *ev, const char *dir,
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
static enum bw_err manifest_rows(struct k8s_brun *b, struct k8s_evidence *ev, const char *bin,
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
	/* a static pod manifest (.yaml/.manifest); /etc/etcd/etcd.conf is an env file */
	if (!path || bw_str_ends_with(path, ".conf"))
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

static enum bw_err proc_rows(struct k8s_brun *b, struct k8s_evidence *ev, const char *bin)
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
static const char *path_origin(const struct k8s_brun *b, const char *path)
{
	for (size_t i = 0; i < b->vars.names.n; i++)
		if (strcmp(b->vars.values.v[i], path) == 0 && b->origins.values.v[i][0])
			return b->origins.values.v[i];
	return NULL;
}

static enum bw_err read_config(struct k8s_brun *b, struct k8s_evidence *ev, const char *path)
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
	if (result == BW_OK && json_array_size(docs) > 0 && !ev->config) {
		ev->config = json_incref(json_array_get(docs, 0));
		ev->config_src = origin ? bw_strfmt("config file %s (%s)", path, origin)
				        : bw_strfmt("config file %s", path);
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
static enum bw_err exec_audit(struct k8s_brun *b, struct k8s_evidence *ev, const char *cmd,
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
		free(ev->env_text);
		free(ev->env_src);
		ev->env_text = bw_buf_detach(&out, NULL);
		ev->env_src = bw_strfmt("command %s", cmd);
	} else if (as_config) {
		json_t *docs = NULL;

		if (k8s_yaml_load(out.data ? out.data : "", out.len, "audit_config output", &docs, NULL,
				  &eb) == BW_OK && json_array_size(docs) > 0 && !ev->config) {
			ev->config = json_incref(json_array_get(docs, 0));
			ev->config_src = bw_strfmt("output of audit_config command: %s", cmd);
		}
		json_decref(docs);
	} else {
		char *save = NULL, *line;

		result = BW_OK;
		ev->have_rows = true;
		if (!ev->multi) {
			/* kube-bench: the whole output is one value to search */
			result = k8s_evidence_add_row(ev, "audit command output");
			if (result == BW_OK)
				result = k8s_evidence_add_text(ev, out.data ? out.data : "");
		}
		for (line = strtok_r(out.data ? out.data : (char *)"", "\n", &save);
		     ev->multi && line && result == BW_OK; line = strtok_r(NULL, "\n", &save)) {
			result = k8s_evidence_add_row(ev, "audit command output line");
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
static enum bw_err ps_flag_path(struct k8s_brun *b, struct k8s_evidence *ev, const struct bw_strv *w,
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
		val = k8s_argv_flag(&p->argv, flag);
	if (!p && bin && flag) {
		/* offline root: the static pod manifest's command line */
		bool found = false;

		result = manifest_rows(b, &man, bin, &found);
		if (result != BW_OK)
			goto out_release_manifest;
		if (found)
			val = k8s_argv_flag(&man.rows[0].tok, flag);
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
		goto out_release_manifest;
	}
	*path = bw_strdup(val);
	if (!*path)
		result = BW_ERR_NOMEM;
out_release_manifest:
	k8s_evidence_release(&man);
	return result;
}

/* Gather evidence for one audit string. kind: 0 audit, 1 config, 2 env. */
enum bw_err k8s_audit_gather(struct k8s_brun *b, struct k8s_evidence *ev, const char *audit, int kind)
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
		goto out_free_words;
	si = word_index(&w, "stat", 0);
	fi = word_index(&w, "find", 0);
	ci = word_index(&w, "cat", 0);
	pi = word_index(&w, "ps", 0);
	target = grep_target(&w);

	if (kind == 2 && strstr(inner, "environ") && target) {
		const struct k8s_proc *p = k8s_host_find_proc(&b->host, target);

		if (p && p->environ_text) {
			free(ev->env_text);
			free(ev->env_src);
			ev->env_text = bw_strdup(p->environ_text);
			ev->env_src = bw_strfmt("%s (pid %d)", target, p->pid);
		}
		goto out_free_words;
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
			goto out_free_words;
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
			goto out_free_words;
		}
		/* stat -c FMT FILE: the last absolute path after stat */
		for (size_t i = w.n; i-- > (size_t)si + 3;)
			if (w.v[i][0] == '/') {
				result = do_stat(b, ev, fmt, w.v[i]);
				goto out_free_words;
			}
	}
	if (pi >= 0 && target && si < 0) {
		result = kind == 0 ? proc_rows(b, ev, target) : exec_audit(b, ev, audit, kind == 1, false);
		goto out_free_words;
	}
	if (ci >= 0 && (size_t)ci + 1 < w.n && w.v[ci + 1][0] == '/' && si < 0 && pi < 0) {
		result = read_config(b, ev, w.v[ci + 1]);
		goto out_free_words;
	}
	result = exec_audit(b, ev, audit, kind == 1, kind == 2);
out_free_words:
	bw_strv_release(&w);
	free(inner);
	return result;
}


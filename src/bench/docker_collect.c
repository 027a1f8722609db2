/* docker_collect.c - gather what the Docker checks read: the running
 * dockerd (from /proc), its effective configuration, systemd units, audit
 * rules, the docker group and the Engine API's view. Missing data is
 * recorded with the reason; the checks turn it into ERROR or
 * NOT_APPLICABLE, never into PASS.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker_int.h"

#define DK_MAX_CONTAINERS 5000
#define DK_MAX_IMAGES 5000
#define DK_MAX_EXECS 500
#define DK_MAX_HISTORIES 500
#define DK_MAX_LIST (64u * 1024 * 1024)
#define DK_MAX_OBJ (8u * 1024 * 1024)
#define DK_API_BUDGET (512u * 1024 * 1024) /* all responses of one run */

void dk_ctx_release(struct dk_ctx *c)
{
	if (!c)
		return;
	free(c->exe);
	free(c->daemon_note);
	dk_conf_release(&c->conf);
	dk_unit_release(&c->svc);
	dk_unit_release(&c->sock);
	dk_audit_release(&c->audit);
	free(c->docker_group.members);
	free(c->api_socket);
	free(c->api_error);
	free(c->containers_note);
	json_decref(c->info);
	json_decref(c->version);
	json_decref(c->containers);
	json_decref(c->images);
	json_decref(c->networks);
	json_decref(c->swarm);
	json_decref(c->execs);
	json_decref(c->histories);
	memset(c, 0, sizeof(*c));
}

/* Read a small file (bounded) into b; false when unreadable. */
static bool read_bounded(const char *path, size_t max, struct bw_buf *b)
{
	bw_buf_release(b);
	bw_buf_init(b, max);
	return bw_buf_read_file(b, path, NULL) == BW_OK;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The value of NAME= in a NUL-separated environ block; NULL if absent. */
static const char *environ_get(const struct bw_buf *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env->data && i < env->len;) {
		const char *s = env->data + i;
		size_t len = strnlen(s, env->len - i);

		if (len > n && strncmp(s, name, n) == 0 && s[n] == '=')
			return s + n + 1;
		i += len + 1;
	}
	return NULL;
}

/* Does this dockerd's command line serve the socket path? */
static bool serves_socket(const struct bw_buf *cmd, const char *sock)
{
	for (size_t i = 0; cmd->data && i < cmd->len;) {
		const char *s = cmd->data + i;
		size_t len = strnlen(s, cmd->len - i);

		if (strstr(s, sock))
			return true;
		i += len + 1;
	}
	return false;
}

/* The unix socket path named by "unix:///path", or NULL. */
static const char *unix_path(const char *url)
{
	if (url && bw_str_starts_with(url, "unix://"))
		return url + 7;
	return NULL;
}

/* Find the dockerd process: comm "dockerd"; with several, the one serving
 * want_sock (when given), else the lowest pid. */
static void find_daemon(struct dk_ctx *c, const char *want_sock, struct bw_buf *cmdline)
{
	DIR *d = opendir(c->proc);
	struct dirent *e;
	struct bw_buf b;
	size_t seen = 0;
	char path[PATH_MAX];

	if (!d) {
		c->daemon_note = bw_strfmt("%s: cannot list processes: %s", c->proc, strerror(errno));
		return;
	}
	bw_buf_init(&b, 256);
	while ((e = readdir(d)) != NULL) {
		pid_t pid;
		struct bw_buf cmd;
		bool better;

		if (!all_digits(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", c->proc, e->d_name);
		if (!read_bounded(path, 256, &b) || !b.data || strcmp(bw_str_trim(b.data), "dockerd") != 0)
			continue;
		pid = (pid_t)strtol(e->d_name, NULL, 10);
		bw_buf_init(&cmd, 64 * 1024);
		snprintf(path, sizeof(path), "%s/%s/cmdline", c->proc, e->d_name);
		if (bw_buf_read_file(&cmd, path, NULL) != BW_OK) {
			bw_buf_release(&cmd);
			continue;
		}
		seen++;
		better = c->pid == 0 ||
			 (want_sock && serves_socket(&cmd, want_sock) && !serves_socket(cmdline, want_sock)) ||
			 (!(want_sock && serves_socket(cmdline, want_sock)) && pid < c->pid);
		if (better) {
			c->pid = pid;
			bw_buf_release(cmdline);
			*cmdline = cmd;
		} else {
			bw_buf_release(&cmd);
		}
	}
	closedir(d);
	bw_buf_release(&b);
	if (c->pid && seen > 1 && want_sock && !serves_socket(cmdline, want_sock)) {
		/* several daemons and none names the requested socket: do not
		 * judge one daemon's flags against another's API */
		c->daemon_note = bw_strfmt("%zu dockerd processes run and none names %s on its "
					   "command line", seen, want_sock);
		c->pid = 0;
		bw_buf_reset(cmdline);
	} else if (c->pid) {
		c->daemon_note = bw_strfmt("dockerd pid %d%s", (int)c->pid,
					   seen > 1 ? " (several dockerd processes run; this one serves "
						      "the API socket)" : "");
	}
	else if (!c->daemon_note)
		c->daemon_note = bw_strfmt("no running dockerd found in %s", c->proc);
}

static void read_daemon_identity(struct dk_ctx *c, struct bw_buf *env)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct bw_buf st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/exe", c->proc, (int)c->pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		c->exe = bw_strdup(link);
	}
	bw_buf_init(&st, 64 * 1024);
	snprintf(path, sizeof(path), "%s/%d/status", c->proc, (int)c->pid);
	if (bw_buf_read_file(&st, path, NULL) == BW_OK && st.data) {
		const char *u = strstr(st.data, "\nUid:");

		if (u)
			c->uid = (uid_t)strtoul(u + 5, NULL, 10);
	}
	bw_buf_release(&st);
	bw_buf_init(env, 256 * 1024);
	snprintf(path, sizeof(path), "%s/%d/environ", c->proc, (int)c->pid);
	(void)bw_buf_read_file(env, path, NULL);
}

static bool has_flag(const struct dk_conf *conf, const char *flag)
{
	struct dk_value v;
	bool on;

	if (dk_conf_get(conf, flag, NULL, NULL, &v) != BW_OK)
		return false;
	on = dk_value_bool(&v, false, NULL);
	dk_value_release(&v);
	return on;
}

/* daemon.json: --config-file, else the rootless user's, else /etc/docker. */
static void load_daemon_json(struct dk_ctx *c, const struct bw_buf *env)
{
	struct dk_value v;
	char *path = NULL, full[PATH_MAX];
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	if (dk_conf_get(&c->conf, "config-file", NULL, NULL, &v) == BW_OK && dk_value_last(&v))
		path = bw_strdup(dk_value_last(&v));
	dk_value_release(&v);
	if (!path && c->rootless) {
		const char *x = environ_get(env, "XDG_CONFIG_HOME"), *h = environ_get(env, "HOME");

		if (x && *x)
			path = bw_strfmt("%s/docker/daemon.json", x);
		else if (h && *h)
			path = bw_strfmt("%s/.config/docker/daemon.json", h);
	}
	if (!path)
		path = bw_strdup("/etc/docker/daemon.json");
	if (!path)
		return;
	if (path[0] != '/' && c->pid) {
		/* relative to the daemon's working directory */
		char cwdl[PATH_MAX], link[PATH_MAX];
		ssize_t n;

		snprintf(cwdl, sizeof(cwdl), "%s/%d/cwd", c->proc, (int)c->pid);
		n = readlink(cwdl, link, sizeof(link) - 1);
		if (n > 0) {
			char *abs;

			link[n] = '\0';
			abs = bw_strfmt("%s/%s", link, path);
			if (abs) {
				free(path);
				path = abs;
			}
		}
	}
	snprintf(full, sizeof(full), "%s%s", c->root, path);
	bw_buf_init(&b, 1024 * 1024 + 1);
	result = bw_buf_read_file(&b, full, &eb);
	if (result == BW_OK) {
		(void)dk_conf_set_json(&c->conf, b.data ? b.data : "", b.len, path, NULL);
	} else {
		free(c->conf.json_path);
		c->conf.json_path = bw_strdup(path);
		if (access(full, F_OK) != 0 && errno == ENOENT)
			c->conf.json_absent = true;
		else
			c->conf.json_error = bw_strfmt("%s", bw_errmsg(&eb, result));
	}
	bw_buf_release(&b);
	free(path);
}

static void load_group(struct dk_ctx *c)
{
	struct bw_buf b;
	char full[PATH_MAX];

	snprintf(full, sizeof(full), "%s/etc/group", c->root);
	bw_buf_init(&b, 4 * 1024 * 1024);
	if (bw_buf_read_file(&b, full, NULL) == BW_OK && b.data) {
		for (char *line = b.data; line && *line;) {
			char *nl = strchr(line, '\n'), *f[4] = {0};
			int nf = 0;

			if (nl)
				*nl = '\0';
			f[nf++] = line;
			for (char *p = line; *p && nf < 4; p++)
				if (*p == ':') {
					*p = '\0';
					f[nf++] = p + 1;
				}
			if (nf == 4 && strcmp(f[0], "docker") == 0) {
				uint64_t gid;

				if (bw_parse_u64(f[2], UINT32_MAX, &gid) == BW_OK) {
					c->docker_group.found = true;
					c->docker_group.gid = (gid_t)gid;
					c->docker_group.members = bw_strdup(f[3]);
				}
				break;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	bw_buf_release(&b);
}

static bool process_running(const char *proc, const char *comm)
{
	DIR *d = opendir(proc);
	struct dirent *e;
	struct bw_buf b;
	bool found = false;
	char path[PATH_MAX];

	if (!d)
		return false;
	bw_buf_init(&b, 256);
	while (!found && (e = readdir(d)) != NULL) {
		if (!all_digits(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", proc, e->d_name);
		found = read_bounded(path, 256, &b) && b.data && strcmp(bw_str_trim(b.data), comm) == 0;
	}
	closedir(d);
	bw_buf_release(&b);
	return found;
}

static void load_audit_files(struct dk_ctx *c)
{
	struct bw_buf b, src;
	char full[PATH_MAX];
	DIR *d;
	struct dirent *e;
	struct bw_strv files = {0};

	bw_buf_init(&src, 64 * 1024);
	snprintf(full, sizeof(full), "%s/etc/audit/rules.d", c->root);
	d = opendir(full);
	if (d) {
		while ((e = readdir(d)) != NULL)
			if (bw_str_ends_with(e->d_name, ".rules") && files.n < 1000)
				(void)bw_strv_push_owned(&files, bw_strfmt("/etc/audit/rules.d/%s", e->d_name));
		closedir(d);
	}
	bw_strv_sort(&files);
	(void)bw_strv_push(&files, "/etc/audit/audit.rules");
	bw_buf_init(&b, 4 * 1024 * 1024);
	for (size_t i = 0; i < files.n; i++) {
		if (!files.v[i])
			continue;
		snprintf(full, sizeof(full), "%s%s", c->root, files.v[i]);
		bw_buf_reset(&b);
		if (bw_buf_read_file(&b, full, NULL) != BW_OK)
			continue;
		(void)dk_audit_add_text(&c->audit, b.data ? b.data : "", b.len);
		(void)bw_buf_appendf(&src, "%s%s", src.len ? ", " : "", files.v[i]);
	}
	if (c->audit.loaded) {
		c->audit.source = bw_strdup(src.data ? src.data : "");
	} else {
		char *prev = c->audit.error;

		c->audit.error = bw_strfmt("%s%sno audit rules file (/etc/audit/rules.d/*.rules, "
					   "/etc/audit/audit.rules)", prev ? prev : "", prev ? "; " : "");
		free(prev);
	}
	bw_buf_release(&b);
	bw_buf_release(&src);
	bw_strv_release(&files);
}

static void load_audit(struct dk_ctx *c)
{
	if (!c->offline)
		c->audit.daemon_running = process_running(c->proc, "auditd");
	if (c->audit.daemon_running) {
		const char *argv[] = {"auditctl", "-l", NULL};
		struct bw_buf out;
		struct bw_errbuf eb = {{0}};
		int status = 0;
		enum bw_err result;

		bw_buf_init(&out, 8 * 1024 * 1024);
		result = bw_run(argv, NULL, 0, &out, &status, &eb);
		if (result == BW_OK && status == 0) {
			(void)dk_audit_add_text(&c->audit, out.data ? out.data : "", out.len);
			c->audit.loaded = true;
			c->audit.live = true;
			c->audit.source = bw_strdup("auditctl -l (rules loaded in the kernel)");
			bw_buf_release(&out);
			return;
		}
		c->audit.error = result != BW_OK ? bw_strfmt("auditctl -l: %s", bw_errmsg(&eb, result))
						 : bw_strfmt("auditctl -l exited with status %d", status);
		bw_buf_release(&out);
	}
	load_audit_files(c);
}

static bool hex_id(const char *s)
{
	size_t n = 0;

	if (bw_str_starts_with(s, "sha256:"))
		s += 7;
	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return false;
	return n >= 12 && n <= 128;
}

/* dk_api_get within the run's total response budget. */
static enum bw_err api_get(struct dk_ctx *c, const char *path, size_t max, json_t **out,
			   long *status, struct bw_errbuf *eb)
{
	enum bw_err result;
	size_t used = 0;

	*out = NULL;
	if (c->api_budget == 0)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: Engine API responses exceeded %u MiB in total",
			       path, DK_API_BUDGET >> 20);
	if (max > c->api_budget)
		max = c->api_budget;
	result = dk_api_get(c->api_socket, path, max, out, status, &used, eb);
	c->api_budget -= used < c->api_budget ? used : c->api_budget;
	return result;
}

/* GET list, then inspect each element (prefix + Id + "/json") into an array. */
static json_t *inspect_all(struct dk_ctx *c, const char *list_path, const char *prefix, size_t cap,
			   struct bw_buf *note)
{
	json_t *list = NULL, *all = json_array(), *e;
	struct bw_errbuf eb = {{0}};
	size_t i;

	if (!all)
		return NULL;
	if (api_get(c, list_path, DK_MAX_LIST, &list, NULL, &eb) != BW_OK ||
	    !json_is_array(list)) {
		(void)bw_buf_appendf(note, "%s: %s; ", list_path,
				     eb.msg[0] ? eb.msg : "not a JSON array");
		json_decref(list);
		json_decref(all);
		return NULL;
	}
	json_array_foreach(list, i, e) {
		const char *id = bw_json_str(e, "Id");
		char path[512];
		json_t *obj = NULL;

		if (i >= cap) {
			(void)bw_buf_appendf(note, "%s: only the first %zu of %zu inspected; ", list_path,
					     cap, json_array_size(list));
			break;
		}
		if (!id || !hex_id(id)) {
			(void)bw_buf_appendf(note, "%s: entry %zu has no valid Id; ", list_path, i);
			continue;
		}
		snprintf(path, sizeof(path), "%s%s/json", prefix, id);
		memset(&eb, 0, sizeof(eb));
		if (api_get(c, path, DK_MAX_OBJ, &obj, NULL, &eb) != BW_OK ||
		    !json_is_object(obj)) {
			(void)bw_buf_appendf(note, "%s: %s; ", path, eb.msg[0] ? eb.msg : "not an object");
			json_decref(obj);
			continue;
		}
		json_array_append_new(all, obj);
	}
	json_decref(list);
	return all;
}

static void load_execs(struct dk_ctx *c)
{
	size_t i, n = 0;
	json_t *ct;

	c->execs = json_object();
	if (!c->execs || !c->containers)
		return;
	json_array_foreach(c->containers, i, ct) {
		json_t *ids = json_object_get(ct, "ExecIDs"), *idv;
		size_t j;

		json_array_foreach(ids, j, idv) {
			const char *id = json_string_value(idv);
			char path[256];
			json_t *obj = NULL;

			if (!id || !hex_id(id) || n++ >= DK_MAX_EXECS)
				continue;
			snprintf(path, sizeof(path), "/exec/%s/json", id);
			if (api_get(c, path, DK_MAX_OBJ, &obj, NULL, NULL) == BW_OK &&
			    json_is_object(obj))
				json_object_set_new(c->execs, id, obj);
			else
				json_decref(obj);
		}
	}
}

/* Build history of each image (evidence for the manual checks 4.7, 4.9). */
static void load_histories(struct dk_ctx *c)
{
	size_t i;
	json_t *img;

	c->histories = json_object();
	if (!c->histories || !c->images)
		return;
	json_array_foreach(c->images, i, img) {
		const char *id = bw_json_str(img, "Id");
		char path[256];
		json_t *h = NULL;

		if (i >= DK_MAX_HISTORIES || !id || !hex_id(id))
			continue;
		snprintf(path, sizeof(path), "/images/%s/history", id);
		if (api_get(c, path, DK_MAX_OBJ, &h, NULL, NULL) == BW_OK &&
		    json_is_array(h))
			json_object_set_new(c->histories, id, h);
		else
			json_decref(h);
	}
}

static void load_api(struct dk_ctx *c)
{
	struct bw_errbuf eb = {{0}};
	struct bw_buf note;
	json_t *sw = NULL;
	long status = 0;

	c->api_budget = DK_API_BUDGET;
	if (api_get(c, "/info", DK_MAX_OBJ, &c->info, NULL, &eb) != BW_OK ||
	    !json_is_object(c->info)) {
		c->api_error = bw_strfmt("Engine API at %s: %s", c->api_socket,
					 eb.msg[0] ? eb.msg : "/info is not an object");
		json_decref(c->info);
		c->info = NULL;
		return;
	}
	(void)api_get(c, "/version", DK_MAX_OBJ, &c->version, NULL, NULL);
	bw_buf_init(&note, 64 * 1024);
	c->containers = inspect_all(c, "/containers/json?all=1", "/containers/",
				    DK_MAX_CONTAINERS, &note);
	c->images = inspect_all(c, "/images/json", "/images/", DK_MAX_IMAGES, &note);
	memset(&eb, 0, sizeof(eb));
	if (api_get(c, "/networks", DK_MAX_LIST, &c->networks, NULL, &eb) != BW_OK)
		(void)bw_buf_appendf(&note, "/networks: %s; ", eb.msg);
	if (api_get(c, "/swarm", DK_MAX_OBJ, &sw, &status, NULL) == BW_OK &&
	    json_is_object(sw))
		c->swarm = sw;
	else
		json_decref(sw);
	load_execs(c);
	load_histories(c);
	if (note.len)
		c->containers_note = bw_buf_detach(&note, NULL);
	bw_buf_release(&note);
}

static void pick_socket(struct dk_ctx *c)
{
	const char *env = getenv("DOCKER_HOST");
	struct dk_value v;

	if (c->o->docker_host) {
		c->api_socket = bw_strdup(unix_path(c->o->docker_host));
		return;
	}
	if (unix_path(env)) {
		c->api_socket = bw_strdup(unix_path(env));
		return;
	}
	if (dk_conf_get(&c->conf, "host", "H", "hosts", &v) == BW_OK) {
		for (size_t i = 0; i < v.vals.n && !c->api_socket; i++)
			if (unix_path(v.vals.v[i]))
				c->api_socket = bw_strdup(unix_path(v.vals.v[i]));
		dk_value_release(&v);
	}
	if (!c->api_socket && c->rootless)
		c->api_socket = bw_strfmt("/run/user/%u/docker.sock", (unsigned)c->uid);
	if (!c->api_socket)
		c->api_socket = bw_strdup("/var/run/docker.sock");
}

enum bw_err dk_collect(struct dk_ctx *c, const struct bench_docker_opts *o, struct bw_errbuf *eb)
{
	struct bw_buf cmdline, env;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->offline = o->root && *o->root;
	c->root = c->offline ? o->root : "";
	if (o->docker_host && !unix_path(o->docker_host))
		return bw_fail(eb, BW_ERR_USAGE,
			       "--docker-host '%s': only unix:///path endpoints are supported",
			       o->docker_host);
	bw_strlcpy(c->proc, o->proc ? o->proc : "/proc", sizeof(c->proc));
	dk_conf_init(&c->conf);
	bw_buf_init(&cmdline, 64 * 1024);
	bw_buf_init(&env, 16);
	(void)dk_unit_find(c->root, "docker.service", &c->svc, NULL);
	(void)dk_unit_find(c->root, "docker.socket", &c->sock, NULL);
	if (!c->offline) {
		find_daemon(c, unix_path(o->docker_host), &cmdline);
		if (c->pid) {
			char from[64];

			snprintf(from, sizeof(from), "%s/%d/cmdline", c->proc, (int)c->pid);
			(void)dk_conf_set_cmdline(&c->conf, cmdline.data ? cmdline.data : "",
						  cmdline.len, from, NULL);
			read_daemon_identity(c, &env);
			c->rootless = c->uid != 0 || has_flag(&c->conf, "rootless") ||
				      environ_get(&env, "ROOTLESSKIT_STATE_DIR");
		}
	} else {
		c->daemon_note = bw_strfmt("offline audit of %s: no process is inspected", c->root);
	}
	if (!c->pid) {
		/* the command line systemd would run */
		char *exec = dk_unit_get(c->root, &c->svc, "Service", "ExecStart");

		if (exec) {
			struct bw_buf split;
			char *from = bw_strfmt("ExecStart= of %s", c->svc.path);

			bw_buf_init(&split, 64 * 1024);
			if (from && dk_exec_split(exec, &split) == BW_OK)
				(void)dk_conf_set_cmdline(&c->conf, split.data ? split.data : "",
							  split.len, from, NULL);
			bw_buf_release(&split);
			free(from);
			free(exec);
		}
	}
	load_daemon_json(c, &env);
	load_group(c);
	load_audit(c);
	pick_socket(c);
	if (c->offline)
		c->api_error = bw_strfmt("offline audit (--root %s): the Engine API is not queried",
					 c->root);
	else if (c->api_socket)
		load_api(c);
	else
		c->api_error = bw_strdup("no Engine API socket");
	bw_buf_release(&cmdline);
	bw_buf_release(&env);
	return BW_OK;
}

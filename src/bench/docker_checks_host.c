/* docker_checks_host.c - CIS Docker Benchmark v1.6.0 sections 1 (host
 * configuration), 2 (daemon configuration) and 3 (daemon configuration
 * files). Each check reads only the collected struct dk_ctx.
 */
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "docker_int.h"

/* ---- shared helpers ------------------------------------------------------ */

void dk_add(struct bw_buf *d, const char *fmt, ...)
{
	va_list ap;
	char line[2048];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (d->len)
		(void)bw_buf_append(d, "\n", 1);
	(void)bw_buf_appends(d, line);
}

bool dk_need_api(const struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (c->info && !c->api_error)
		return true;
	*st = BENCH_ERROR;
	dk_add(d, "%s", c->api_error ? c->api_error : "the Engine API gave no data");
	return false;
}

bool dk_setting(const struct dk_ctx *c, const char *flag, const char *shortf, const char *key,
		struct dk_value *v, enum bench_status *st, struct bw_buf *d)
{
	memset(v, 0, sizeof(*v));
	if (!c->conf.args_from && !c->conf.json) {
		*st = BENCH_ERROR;
		dk_add(d, "the daemon configuration is unknown: %s, no docker.service ExecStart= "
			  "to read, and no daemon.json (%s)",
		       c->daemon_note ? c->daemon_note : "no dockerd",
		       c->conf.json_error ? c->conf.json_error : "absent");
		return false;
	}
	if (dk_conf_get(&c->conf, flag, shortf, key, v) != BW_OK) {
		*st = BENCH_ERROR;
		dk_add(d, "cannot resolve --%s / \"%s\" (too many values)", flag ? flag : "-",
		       key ? key : "-");
		dk_value_release(v);
		return false;
	}
	if (v->src == DK_SRC_NONE && !c->conf.args_from) {
		*st = BENCH_ERROR;
		dk_add(d, "--%s is not in %s, and the dockerd command line is unknown (%s; no "
			  "docker.service ExecStart=)",
		       flag ? flag : key, c->conf.json_path ? c->conf.json_path : "daemon.json",
		       c->daemon_note ? c->daemon_note : "no dockerd");
		dk_value_release(v);
		return false;
	}
	if (v->src == DK_SRC_NONE && c->conf.json_error) {
		*st = BENCH_ERROR;
		dk_add(d, "--%s is not on the command line and daemon.json is unusable: %s",
		       flag ? flag : key, c->conf.json_error);
		dk_value_release(v);
		return false;
	}
	return true;
}

void dk_describe(const struct dk_ctx *c, const char *name, const struct dk_value *v,
		 const char *dflt, struct bw_buf *d)
{
	if (v->src != DK_SRC_NONE) {
		struct bw_buf all;

		bw_buf_init(&all, 4096);
		for (size_t i = 0; i < v->vals.n; i++)
			(void)bw_buf_appendf(&all, "%s%s", i ? ", " : "", v->vals.v[i]);
		dk_add(d, "%s = %s (from %s)", name, all.data ? all.data : "", v->where);
		bw_buf_release(&all);
		return;
	}
	dk_add(d, "%s is not set, so the default applies (%s): not on the command line (%s), "
		  "not in %s%s",
	       name, dflt, c->conf.args_from ? c->conf.args_from : "unknown",
	       c->conf.json_path ? c->conf.json_path : "daemon.json",
	       c->conf.json_absent ? " (file absent)" : "");
}

static bool info_secopt(const struct dk_ctx *c, const char *name)
{
	json_t *so = c->info ? json_object_get(c->info, "SecurityOptions") : NULL, *e;
	size_t i;
	size_t n = strlen(name);

	json_array_foreach(so, i, e) {
		const char *s = json_string_value(e);

		if (s && strncmp(s, "name=", 5) == 0 && strncmp(s + 5, name, n) == 0 &&
		    (s[5 + n] == '\0' || s[5 + n] == ','))
			return true;
	}
	return false;
}

/* ---- section 1: host configuration ---------------------------------------- */

/* The data root: the configured one, else what /info reports (without the
 * "UID.GID" directory userns-remap adds), else the default. */
static char *data_root(const struct dk_ctx *c)
{
	struct dk_value v;
	char *r = NULL;
	const char *info = c->info ? bw_json_str(c->info, "DockerRootDir") : NULL;

	if (dk_conf_get(&c->conf, "data-root", "g", "data-root", &v) == BW_OK && dk_value_last(&v))
		r = bw_strdup(dk_value_last(&v));
	dk_value_release(&v);
	if (!r && dk_conf_get(&c->conf, "graph", NULL, "graph", &v) == BW_OK && dk_value_last(&v))
		r = bw_strdup(dk_value_last(&v));
	dk_value_release(&v);
	if (!r && info) {
		const char *slash = strrchr(info, '/');
		unsigned a, b;
		char tail;

		r = bw_strdup(info);
		if (r && slash && sscanf(slash + 1, "%u.%u%c", &a, &b, &tail) == 2)
			r[slash - info] = '\0';
	}
	return r ? r : bw_strdup("/var/lib/docker");
}

static void chk_1_1_1(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	char *dr = data_root(c), parent[PATH_MAX];
	struct dk_file f, p;

	if (!dr)
		return;
	dk_file_stat(c->root, dr, &f);
	snprintf(parent, sizeof(parent), "%s/..", dr);
	dk_file_stat(c->root, parent, &p);
	if (!f.exists || !p.exists) {
		*st = f.err || p.err ? BENCH_ERROR : BENCH_NA;
		dk_add(d, "data root %s%s", dr, f.exists ? ": parent unreadable" : " does not exist");
	} else if (f.st.st_dev != p.st.st_dev) {
		*st = BENCH_PASS;
		dk_add(d, "data root %s is a mount point (device %u:%u, parent on %u:%u)", dr,
		       major(f.st.st_dev), minor(f.st.st_dev), major(p.st.st_dev), minor(p.st.st_dev));
	} else {
		*st = BENCH_FAIL;
		dk_add(d, "data root %s is on the same file system as its parent (device %u:%u)", dr,
		       major(f.st.st_dev), minor(f.st.st_dev));
	}
	free(dr);
}

static void chk_1_1_2(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	*st = BENCH_INFO;
	if (c->docker_group.found)
		dk_add(d, "docker group (gid %u) members: %s (from %s/etc/group): review that each is "
			  "trusted (membership is root-equivalent)",
		       (unsigned)c->docker_group.gid,
		       c->docker_group.members && *c->docker_group.members ? c->docker_group.members
									    : "(none)",
		       c->root);
	else
		dk_add(d, "no docker group in %s/etc/group: only root (or the socket's owner) can "
			  "use the daemon socket", c->root);
}

/* Audit rule for path; why_missing explains a NULL path. */
static void audit_path(struct dk_ctx *c, const char *path, const char *why_missing,
		       enum bench_status *st, struct bw_buf *d)
{
	struct dk_file f;
	const char *rule;

	if (!path) {
		*st = BENCH_NA;
		dk_add(d, "%s", why_missing);
		return;
	}
	dk_file_stat(c->root, path, &f);
	if (!f.exists) {
		*st = f.err ? BENCH_ERROR : BENCH_NA;
		dk_add(d, "%s%s %s", c->root, path, f.err ? "cannot be read" : "does not exist on this host");
		return;
	}
	if (!c->offline && !c->audit.daemon_running) {
		*st = BENCH_FAIL;
		rule = dk_audit_find(&c->audit, path);
		dk_add(d, "auditd is not running, so no audit rule is active for %s%s%s%s", path,
		       rule ? " (a rule exists in " : "", rule ? c->audit.source : "", rule ? ")" : "");
		return;
	}
	if (!c->audit.loaded) {
		*st = c->audit.live || c->offline ? BENCH_FAIL : BENCH_ERROR;
		dk_add(d, "no audit rules could be read: %s", c->audit.error ? c->audit.error : "?");
		return;
	}
	if (c->audit.error)
		dk_add(d, "%s; the rules files were read instead", c->audit.error);
	rule = dk_audit_find(&c->audit, path);
	if (rule) {
		*st = BENCH_PASS;
		dk_add(d, "%s is audited by rule '%s' (from %s)", path, rule, c->audit.source);
	} else {
		*st = BENCH_FAIL;
		dk_add(d, "no audit rule watches %s (rules from %s)", path, c->audit.source);
	}
}

static void chk_1_1_3(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	const char *p = c->exe ? c->exe : "/usr/bin/dockerd";

	if (c->exe)
		dk_add(d, "daemon binary %s (from %s/%d/exe)", c->exe, c->proc, (int)c->pid);
	audit_path(c, p, NULL, st, d);
}

static void chk_1_1_4(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, "/run/containerd", NULL, st, d);
}

static void chk_1_1_5(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	char *dr = data_root(c);

	audit_path(c, dr, "data root unknown", st, d);
	free(dr);
}

static void chk_1_1_6(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, "/etc/docker", NULL, st, d);
}

static void chk_1_1_7(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, c->svc.path, "no docker.service unit file in the systemd search path", st, d);
}

/* The containerd socket dockerd uses (caller frees), with its source. */
static char *containerd_socket(const struct dk_ctx *c, struct bw_buf *d)
{
	struct dk_value v;
	char *p = NULL;
	struct dk_file f;

	if (dk_conf_get(&c->conf, "containerd", NULL, "containerd", &v) == BW_OK &&
	    dk_value_last(&v) && *dk_value_last(&v)) {
		p = bw_strdup(dk_value_last(&v));
		dk_add(d, "containerd socket %s (from %s)", p, v.where);
	}
	dk_value_release(&v);
	if (p)
		return p;
	if (dk_conf_get(&c->conf, "exec-root", NULL, "exec-root", &v) == BW_OK) {
		p = bw_strfmt("%s/containerd/containerd.sock",
			      dk_value_last(&v) ? dk_value_last(&v) : "/var/run/docker");
		dk_file_stat(c->root, p, &f);
		if (f.exists) {
			dk_add(d, "containerd socket %s (dockerd's own containerd, under exec-root)", p);
			dk_value_release(&v);
			return p;
		}
		free(p);
		p = NULL;
	}
	dk_value_release(&v);
	dk_file_stat(c->root, "/run/containerd/containerd.sock", &f);
	if (f.exists) {
		dk_add(d, "containerd socket /run/containerd/containerd.sock (system containerd)");
		return bw_strdup("/run/containerd/containerd.sock");
	}
	return NULL;
}

static void chk_1_1_8(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	char *p = containerd_socket(c, d);

	audit_path(c, p, "no containerd socket found (--containerd unset, none under exec-root "
			 "or /run/containerd)", st, d);
	free(p);
}

static void chk_1_1_9(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, c->sock.path, "no docker.socket unit file in the systemd search path", st, d);
}

static void chk_1_1_10(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, "/etc/default/docker", NULL, st, d);
}

static void chk_1_1_11(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, c->conf.json_path ? c->conf.json_path : "/etc/docker/daemon.json", NULL, st, d);
}

static void chk_1_1_12(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, "/etc/containerd/config.toml", NULL, st, d);
}

static void chk_1_1_13(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_path(c, "/etc/sysconfig/docker", NULL, st, d);
}

/* A binary in /usr/bin, else /usr/local/bin or /usr/sbin. */
static void audit_bin(struct dk_ctx *c, const char *name, enum bench_status *st, struct bw_buf *d)
{
	static const char *const dirs[] = {"/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin", NULL};
	char p[PATH_MAX];

	for (size_t i = 0; dirs[i]; i++) {
		struct dk_file f;

		snprintf(p, sizeof(p), "%s/%s", dirs[i], name);
		dk_file_stat(c->root, p, &f);
		if (f.exists) {
			audit_path(c, p, NULL, st, d);
			return;
		}
	}
	*st = BENCH_NA;
	dk_add(d, "%s is not installed in /usr/bin, /usr/local/bin, /usr/sbin or /bin", name);
}

static void chk_1_1_14(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_bin(c, "containerd", st, d);
}

static void chk_1_1_15(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_bin(c, "containerd-shim", st, d);
}

static void chk_1_1_16(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_bin(c, "containerd-shim-runc-v1", st, d);
}

static void chk_1_1_17(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_bin(c, "containerd-shim-runc-v2", st, d);
}

static void chk_1_1_18(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	audit_bin(c, "runc", st, d);
}

static void manual(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	(void)c;
	*st = BENCH_WARN;
	if (!d->len)
		dk_add(d, "manual check: review it by hand");
}

static void chk_1_2_2(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (c->version)
		dk_add(d, "server version %s (API %s, Go %s, from /version): compare with the "
			  "supported releases of your vendor",
		       bw_json_str(c->version, "Version") ? bw_json_str(c->version, "Version") : "?",
		       bw_json_str(c->version, "ApiVersion") ? bw_json_str(c->version, "ApiVersion") : "?",
		       bw_json_str(c->version, "GoVersion") ? bw_json_str(c->version, "GoVersion") : "?");
	else
		dk_add(d, "server version unknown: %s", c->api_error ? c->api_error : "no /version");
	manual(c, st, d);
}

/* ---- section 2: daemon configuration --------------------------------------- */

static void chk_2_1(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (c->pid)
		dk_add(d, "dockerd (pid %d) runs as uid %u%s", (int)c->pid, (unsigned)c->uid,
		       c->rootless ? ": rootless mode" : ": consider rootless mode");
	else
		dk_add(d, "%s", c->daemon_note ? c->daemon_note : "no dockerd");
	manual(c, st, d);
}

/* Verdict for a boolean setting: PASS when it equals want. */
static void bool_setting(struct dk_ctx *c, const char *flag, const char *key, bool dflt, bool want,
			 enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;
	bool bad, on;

	if (!dk_setting(c, flag, NULL, key, &v, st, d))
		return;
	on = dk_value_bool(&v, dflt, &bad);
	dk_describe(c, flag, &v, dflt ? "true" : "false", d);
	if (bad) {
		*st = BENCH_ERROR;
		dk_add(d, "'%s' is not a boolean", dk_value_last(&v));
	} else {
		*st = on == want ? BENCH_PASS : BENCH_FAIL;
	}
	dk_value_release(&v);
}

static void chk_2_2(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value b;

	if (dk_conf_get(&c->conf, "bridge", "b", "bridge", &b) == BW_OK && dk_value_last(&b) &&
	    strcmp(dk_value_last(&b), "none") == 0) {
		dk_add(d, "the default bridge is disabled (bridge=none from %s)", b.where);
		*st = BENCH_NA;
		dk_value_release(&b);
		return;
	}
	dk_value_release(&b);
	bool_setting(c, "icc", "icc", true, false, st, d);
	/* the live default bridge says what dockerd applied */
	{
		size_t i;
		json_t *net;

		json_array_foreach(c->networks, i, net) {
			const char *icc = bw_json_str(json_object_get(net, "Options"),
						      "com.docker.network.bridge.enable_icc");

			if (bw_json_str(net, "Name") && strcmp(bw_json_str(net, "Name"), "bridge") == 0)
				dk_add(d, "/networks: default bridge enable_icc = %s", icc ? icc : "(absent)");
		}
	}
}

static void chk_2_3(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v, dbg;
	const char *lvl;

	if (!dk_setting(c, "log-level", "l", "log-level", &v, st, d))
		return;
	lvl = dk_value_last(&v) ? dk_value_last(&v) : "info";
	dk_describe(c, "log-level", &v, "info", d);
	*st = strcmp(lvl, "info") == 0 ? BENCH_PASS : BENCH_FAIL;
	if (dk_conf_get(&c->conf, "debug", "D", "debug", &dbg) == BW_OK &&
	    dk_value_bool(&dbg, false, NULL)) {
		dk_add(d, "debug is on (%s): the effective level is debug", dbg.where);
		*st = BENCH_FAIL;
	}
	dk_value_release(&dbg);
	dk_value_release(&v);
}

static void chk_2_4(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	bool_setting(c, "iptables", "iptables", true, true, st, d);
}

static void chk_2_5(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;

	if (!dk_setting(c, "insecure-registry", NULL, "insecure-registries", &v, st, d))
		return;
	dk_describe(c, "insecure-registries", &v, "none", d);
	*st = v.vals.n ? BENCH_FAIL : BENCH_PASS;
	dk_value_release(&v);
}

static void chk_2_6(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;
	const char *drv = c->info ? bw_json_str(c->info, "Driver") : NULL;

	if (drv) {
		dk_add(d, "storage driver in use: %s (from /info)", drv);
		*st = strcmp(drv, "aufs") == 0 ? BENCH_FAIL : BENCH_PASS;
		return;
	}
	if (!dk_setting(c, "storage-driver", "s", "storage-driver", &v, st, d))
		return;
	dk_describe(c, "storage-driver", &v, "chosen by dockerd at start-up", d);
	if (dk_value_last(&v))
		*st = strcmp(dk_value_last(&v), "aufs") == 0 ? BENCH_FAIL : BENCH_PASS;
	else {
		*st = BENCH_INFO;
		dk_add(d, "the driver in use is known only to the running daemon (%s)",
		       c->api_error ? c->api_error : "no /info");
	}
	dk_value_release(&v);
}

/* The hosts dockerd listens on (default unix:///var/run/docker.sock). */
static bool hosts(const struct dk_ctx *c, struct dk_value *v, enum bench_status *st,
		  struct bw_buf *d)
{
	if (!dk_setting(c, "host", "H", "hosts", v, st, d))
		return false;
	dk_describe(c, "hosts", v, "unix:///var/run/docker.sock", d);
	return true;
}

static void chk_2_7(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value h;
	bool tcp = false;
	static const char *const need[] = {"tlscacert", "tlscert", "tlskey", NULL};

	if (!hosts(c, &h, st, d))
		return;
	/* anything but a unix socket or systemd's fd:// is a network listener
	 * ("tcp://h:p", or "h:p" without a scheme) */
	for (size_t i = 0; i < h.vals.n; i++)
		tcp |= !bw_str_starts_with(h.vals.v[i], "unix://") &&
		       !bw_str_starts_with(h.vals.v[i], "fd://");
	dk_value_release(&h);
	if (!tcp) {
		*st = BENCH_NA;
		dk_add(d, "the daemon listens on no TCP address");
		return;
	}
	*st = BENCH_PASS;
	{
		struct dk_value v;

		if (!dk_setting(c, "tlsverify", NULL, "tlsverify", &v, st, d))
			return;
		dk_describe(c, "tlsverify", &v, "false", d);
		if (!dk_value_bool(&v, false, NULL))
			*st = BENCH_FAIL;
		dk_value_release(&v);
	}
	for (size_t i = 0; need[i]; i++) {
		struct dk_value v;

		if (!dk_setting(c, need[i], NULL, need[i], &v, st, d))
			return;
		dk_describe(c, need[i], &v, "~/.docker default, not a server setting", d);
		if (!dk_value_last(&v))
			*st = BENCH_FAIL;
		dk_value_release(&v);
	}
}

static void chk_2_8(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;

	if (dk_setting(c, "default-ulimit", NULL, "default-ulimits", &v, st, d)) {
		dk_describe(c, "default-ulimits", &v, "inherited from dockerd", d);
		dk_value_release(&v);
	}
	manual(c, st, d);
}

static void chk_2_9(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;

	if (c->rootless) {
		*st = BENCH_PASS;
		dk_add(d, "rootless daemon (uid %u): containers run in a user namespace", (unsigned)c->uid);
		return;
	}
	if (!dk_setting(c, "userns-remap", NULL, "userns-remap", &v, st, d))
		return;
	dk_describe(c, "userns-remap", &v, "off", d);
	*st = dk_value_last(&v) && *dk_value_last(&v) ? BENCH_PASS : BENCH_FAIL;
	if (c->info)
		dk_add(d, "/info SecurityOptions %s name=userns", info_secopt(c, "userns") ? "lists" : "does not list");
	dk_value_release(&v);
}

static void chk_2_10(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;

	if (!dk_setting(c, "cgroup-parent", NULL, "cgroup-parent", &v, st, d))
		return;
	dk_describe(c, "cgroup-parent", &v, "docker", d);
	if (dk_value_last(&v)) {
		*st = BENCH_INFO;
		dk_add(d, "a custom cgroup parent is set: confirm it is intended and limited");
	} else {
		*st = BENCH_PASS;
	}
	dk_value_release(&v);
}

static void chk_2_11(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;
	bool set = false;

	if (!dk_setting(c, "storage-opt", NULL, "storage-opts", &v, st, d))
		return;
	dk_describe(c, "storage-opts", &v, "none", d);
	for (size_t i = 0; i < v.vals.n; i++)
		set |= bw_str_starts_with(v.vals.v[i], "dm.basesize");
	*st = set ? BENCH_INFO : BENCH_PASS;
	if (set)
		dk_add(d, "dm.basesize is changed: confirm it is needed");
	dk_value_release(&v);
}

static void chk_2_12(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;

	if (!dk_setting(c, "authorization-plugin", NULL, "authorization-plugins", &v, st, d))
		return;
	dk_describe(c, "authorization-plugins", &v, "none", d);
	*st = v.vals.n ? BENCH_PASS : BENCH_FAIL;
	dk_value_release(&v);
}

static void chk_2_13(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	static const char *const remote[] = {"syslog", "gelf", "fluentd", "awslogs", "splunk",
					     "etwlogs", "gcplogs", "logentries", NULL};
	struct dk_value v;
	const char *drv;

	if (!dk_setting(c, "log-driver", NULL, "log-driver", &v, st, d))
		return;
	dk_describe(c, "log-driver", &v, "json-file", d);
	drv = dk_value_last(&v) ? dk_value_last(&v) : "json-file";
	*st = BENCH_FAIL;
	for (size_t i = 0; remote[i]; i++)
		if (strcmp(drv, remote[i]) == 0)
			*st = BENCH_PASS;
	if (*st == BENCH_FAIL)
		dk_add(d, "'%s' keeps logs on this host only", drv);
	dk_value_release(&v);
}

static void chk_2_14(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	bool_setting(c, "no-new-privileges", "no-new-privileges", false, true, st, d);
}

static bool swarm_active(const struct dk_ctx *c)
{
	json_t *sw = c->info ? json_object_get(c->info, "Swarm") : NULL;
	const char *s = bw_json_str(sw, "LocalNodeState");

	return s && strcmp(s, "active") == 0;
}

static void chk_2_15(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (swarm_active(c)) {
		*st = BENCH_NA;
		dk_add(d, "swarm mode is active (/info): live restore does not apply to swarm");
		return;
	}
	bool_setting(c, "live-restore", "live-restore", false, true, st, d);
	if (c->info && json_is_boolean(json_object_get(c->info, "LiveRestoreEnabled")))
		dk_add(d, "/info LiveRestoreEnabled = %s",
		       bw_json_bool(c->info, "LiveRestoreEnabled", false) ? "true" : "false");
}

static void chk_2_16(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	bool_setting(c, "userland-proxy", "userland-proxy", true, false, st, d);
}

static void chk_2_17(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;

	if (dk_setting(c, "seccomp-profile", NULL, "seccomp-profile", &v, st, d)) {
		dk_describe(c, "seccomp-profile", &v, "Docker's built-in default profile", d);
		dk_value_release(&v);
	}
	if (c->info)
		dk_add(d, "/info SecurityOptions %s name=seccomp",
		       info_secopt(c, "seccomp") ? "lists" : "does not list");
	manual(c, st, d);
}

static void chk_2_18(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;

	if (dk_setting(c, "experimental", NULL, "experimental", &v, st, d)) {
		dk_describe(c, "experimental", &v, "false", d);
		dk_value_release(&v);
	}
	if (c->info && json_is_boolean(json_object_get(c->info, "ExperimentalBuild")))
		dk_add(d, "/info ExperimentalBuild = %s",
		       bw_json_bool(c->info, "ExperimentalBuild", false) ? "true" : "false");
	manual(c, st, d);
}

/* ---- section 3: daemon configuration files ----------------------------------- */

enum own { OWN_ROOT_ROOT, OWN_ROOT_DOCKER };

static void check_owner(struct dk_ctx *c, const struct dk_file *f, enum own want, bool *bad,
			struct bw_buf *d)
{
	bool ok;
	uid_t owner = c->rootless ? c->uid : 0;

	if (want == OWN_ROOT_DOCKER)
		ok = f->st.st_uid == owner &&
		     (f->st.st_gid == 0 || f->st.st_gid == owner ||
		      (c->docker_group.found && f->st.st_gid == c->docker_group.gid));
	else
		ok = f->st.st_uid == owner && (f->st.st_gid == 0 || f->st.st_gid == owner);
	dk_add(d, "%s%s: owner %u:%u%s", c->root, f->path, (unsigned)f->st.st_uid,
	       (unsigned)f->st.st_gid, ok ? "" : " (wrong)");
	*bad |= !ok;
}

static void check_mode(struct dk_ctx *c, const struct dk_file *f, mode_t allowed, bool *bad,
		       struct bw_buf *d)
{
	bool ok = dk_mode_ok(f->st.st_mode, allowed);

	dk_add(d, "%s%s: mode %04o%s", c->root, f->path, (unsigned)(f->st.st_mode & 07777),
	       ok ? "" : " (too permissive)");
	*bad |= !ok;
}

/* Owner (allowed == 0) or mode check over a list of paths. */
static void files_check(struct dk_ctx *c, const struct bw_strv *paths, const char *none_why,
			bool owner, enum own want, mode_t allowed, enum bench_status *st,
			struct bw_buf *d)
{
	bool bad = false, any = false, err = false;

	for (size_t i = 0; i < paths->n; i++) {
		struct dk_file f;

		dk_file_stat(c->root, paths->v[i], &f);
		if (!f.exists) {
			if (f.err) {
				err = true;
				dk_add(d, "%s%s: cannot stat (errno %d)", c->root, paths->v[i], f.err);
			}
			continue;
		}
		any = true;
		if (owner)
			check_owner(c, &f, want, &bad, d);
		else
			check_mode(c, &f, allowed, &bad, d);
	}
	if (bad)
		*st = BENCH_FAIL;
	else if (err)
		*st = BENCH_ERROR;
	else if (any)
		*st = BENCH_PASS;
	else {
		*st = BENCH_NA;
		dk_add(d, "%s", none_why);
	}
}

static void one_file(struct dk_ctx *c, const char *path, const char *none_why, bool owner,
		     enum own want, mode_t allowed, enum bench_status *st, struct bw_buf *d)
{
	struct bw_strv sv = {0};

	if (path && bw_strv_push(&sv, path) != BW_OK) {
		*st = BENCH_ERROR;
		return;
	}
	if (path) {
		char why[4200];

		snprintf(why, sizeof(why), "%s%s does not exist", c->root, path);
		files_check(c, &sv, why, owner, want, allowed, st, d);
	} else {
		files_check(c, &sv, none_why, owner, want, allowed, st, d);
	}
	bw_strv_release(&sv);
}

static void unit_files(struct dk_ctx *c, const struct dk_unit *u, const char *name, bool owner,
		       enum bench_status *st, struct bw_buf *d)
{
	struct bw_strv sv = {0};
	char why[256];

	snprintf(why, sizeof(why), "no %s unit file in the systemd search path", name);
	if (u->path && !u->masked)
		(void)bw_strv_push(&sv, u->path);
	for (size_t i = 0; i < u->dropins.n; i++)
		(void)bw_strv_push(&sv, u->dropins.v[i]);
	files_check(c, &sv, why, owner, OWN_ROOT_ROOT, 0644, st, d);
	bw_strv_release(&sv);
}

static void chk_3_1(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	unit_files(c, &c->svc, "docker.service", true, st, d);
}

static void chk_3_2(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	unit_files(c, &c->svc, "docker.service", false, st, d);
}

static void chk_3_3(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	unit_files(c, &c->sock, "docker.socket", true, st, d);
}

static void chk_3_4(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	unit_files(c, &c->sock, "docker.socket", false, st, d);
}

static void chk_3_5(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, "/etc/docker", "no /etc/docker directory", true, OWN_ROOT_ROOT, 0, st, d);
}

static void chk_3_6(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, "/etc/docker", "no /etc/docker directory", false, OWN_ROOT_ROOT, 0755, st, d);
}

/* Regular files below /etc/docker/certs.d/ (two levels). */
static void registry_certs(struct dk_ctx *c, struct bw_strv *out)
{
	char full[PATH_MAX];
	DIR *top;
	struct dirent *e;

	snprintf(full, sizeof(full), "%s/etc/docker/certs.d", c->root);
	top = opendir(full);
	if (!top)
		return;
	while ((e = readdir(top)) != NULL && out->n < 10000) {
		char sub[PATH_MAX];
		DIR *in;
		struct dirent *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", full, e->d_name);
		in = opendir(sub);
		if (!in)
			continue;
		while ((f = readdir(in)) != NULL && out->n < 10000) {
			if (f->d_name[0] == '.')
				continue;
			(void)bw_strv_push_owned(out, bw_strfmt("/etc/docker/certs.d/%s/%s", e->d_name,
								f->d_name));
		}
		closedir(in);
	}
	closedir(top);
	bw_strv_sort(out);
}

static void certs_check(struct dk_ctx *c, bool owner, enum bench_status *st, struct bw_buf *d)
{
	struct bw_strv sv = {0};

	registry_certs(c, &sv);
	files_check(c, &sv, "no registry certificates in /etc/docker/certs.d", owner, OWN_ROOT_ROOT,
		    0444, st, d);
	bw_strv_release(&sv);
}

static void chk_3_7(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	certs_check(c, true, st, d);
}

static void chk_3_8(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	certs_check(c, false, st, d);
}

static void tls_file(struct dk_ctx *c, const char *key, bool owner, mode_t allowed,
		     enum bench_status *st, struct bw_buf *d)
{
	struct dk_value v;
	char why[128];

	if (!dk_setting(c, key, NULL, key, &v, st, d))
		return;
	snprintf(why, sizeof(why), "--%s is not configured", key);
	if (dk_value_last(&v))
		dk_add(d, "%s from %s", key, v.where);
	one_file(c, dk_value_last(&v), why, owner, OWN_ROOT_ROOT, allowed, st, d);
	dk_value_release(&v);
}

static void chk_3_9(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	tls_file(c, "tlscacert", true, 0, st, d);
}

static void chk_3_10(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	tls_file(c, "tlscacert", false, 0444, st, d);
}

static void chk_3_11(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	tls_file(c, "tlscert", true, 0, st, d);
}

static void chk_3_12(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	tls_file(c, "tlscert", false, 0444, st, d);
}

static void chk_3_13(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	tls_file(c, "tlskey", true, 0, st, d);
}

static void chk_3_14(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	tls_file(c, "tlskey", false, 0400, st, d);
}

/* The unix sockets the daemon serves: -H unix:// entries, fd:// through
 * docker.socket's ListenStream=, the default when no host is set. */
static bool daemon_sockets(struct dk_ctx *c, struct bw_strv *out, enum bench_status *st,
			   struct bw_buf *d)
{
	struct dk_value h;

	if (!hosts(c, &h, st, d))
		return false;
	if (!h.vals.n)
		(void)bw_strv_push(out, c->rootless && c->api_socket ? c->api_socket
								     : "/var/run/docker.sock");
	for (size_t i = 0; i < h.vals.n; i++) {
		const char *s = h.vals.v[i];

		if (bw_str_starts_with(s, "unix://"))
			(void)bw_strv_push(out, s[7] ? s + 7 : "/var/run/docker.sock");
		else if (bw_str_starts_with(s, "fd://")) {
			char *ls = dk_unit_get(c->root, &c->sock, "Socket", "ListenStream");

			dk_add(d, "fd:// socket activation: ListenStream=%s (from %s)", ls ? ls : "?",
			       c->sock.path ? c->sock.path : "no docker.socket");
			if (ls && ls[0] == '/')
				(void)bw_strv_push(out, ls);
			free(ls);
		}
	}
	dk_value_release(&h);
	return true;
}

static void sock_check(struct dk_ctx *c, bool owner, enum bench_status *st, struct bw_buf *d)
{
	struct bw_strv sv = {0};

	if (daemon_sockets(c, &sv, st, d))
		files_check(c, &sv, "the daemon's socket does not exist", owner, OWN_ROOT_DOCKER,
			    0660, st, d);
	bw_strv_release(&sv);
}

static void chk_3_15(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	sock_check(c, true, st, d);
}

static void chk_3_16(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	sock_check(c, false, st, d);
}

static void chk_3_17(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, c->conf.json_path, "daemon.json path unknown", true, OWN_ROOT_ROOT, 0, st, d);
}

static void chk_3_18(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, c->conf.json_path, "daemon.json path unknown", false, OWN_ROOT_ROOT, 0644, st, d);
}

static void chk_3_19(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, "/etc/default/docker", "", true, OWN_ROOT_ROOT, 0, st, d);
}

static void chk_3_20(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, "/etc/default/docker", "", false, OWN_ROOT_ROOT, 0644, st, d);
}

static void chk_3_21(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, "/etc/sysconfig/docker", "", false, OWN_ROOT_ROOT, 0644, st, d);
}

static void chk_3_22(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	one_file(c, "/etc/sysconfig/docker", "", true, OWN_ROOT_ROOT, 0, st, d);
}

static void chk_3_23(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	char *p = containerd_socket(c, d);

	one_file(c, p, "no containerd socket found", true, OWN_ROOT_ROOT, 0, st, d);
	free(p);
}

static void chk_3_24(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	char *p = containerd_socket(c, d);

	one_file(c, p, "no containerd socket found", false, OWN_ROOT_ROOT, 0660, st, d);
	free(p);
}

/* ---- the table ----------------------------------------------------------------- */

#define AUDIT_REM(x) "Watch " x " with auditd: add '-w " x " -k docker' to a file in " \
	"/etc/audit/rules.d/ and reload the rules (augenrules --load)."
#define AUD "Ensure auditing is configured for Docker files and directories - "

const struct dk_check dk_checks_host[] = {
	{"1.1.1", "Ensure a separate partition for containers has been created", true, 1,
	 "Put the Docker data root (default /var/lib/docker) on its own file system (a "
	 "dedicated partition or logical volume mounted there), so that containers filling "
	 "it cannot fill the host's root file system.", chk_1_1_1},
	{"1.1.2", "Ensure only trusted users are allowed to control Docker daemon", true, 1,
	 "Keep the docker group to the administrators who need it (gpasswd -d USER docker); "
	 "membership gives root on the host.", chk_1_1_2},
	{"1.1.3", "Ensure auditing is configured for the Docker daemon", true, 1,
	 AUDIT_REM("/usr/bin/dockerd"), chk_1_1_3},
	{"1.1.4", AUD "/run/containerd", true, 1, AUDIT_REM("/run/containerd"), chk_1_1_4},
	{"1.1.5", AUD "/var/lib/docker", true, 1,
	 AUDIT_REM("/var/lib/docker") " Use the daemon's data root if it was moved.", chk_1_1_5},
	{"1.1.6", AUD "/etc/docker", true, 1, AUDIT_REM("/etc/docker"), chk_1_1_6},
	{"1.1.7", AUD "docker.service", true, 2,
	 "Watch the docker.service unit file (the path shown) with an auditd '-w PATH -k docker' "
	 "rule.", chk_1_1_7},
	{"1.1.8", AUD "containerd.sock", true, 2,
	 "Watch the containerd socket (the path shown) with an auditd '-w PATH -k docker' rule.",
	 chk_1_1_8},
	{"1.1.9", AUD "docker.socket", true, 2,
	 "Watch the docker.socket unit file (the path shown) with an auditd '-w PATH -k docker' "
	 "rule.", chk_1_1_9},
	{"1.1.10", AUD "/etc/default/docker", true, 2, AUDIT_REM("/etc/default/docker"), chk_1_1_10},
	{"1.1.11", AUD "/etc/docker/daemon.json", true, 2,
	 AUDIT_REM("/etc/docker/daemon.json") " Use the --config-file path if one is given.",
	 chk_1_1_11},
	{"1.1.12", AUD "/etc/containerd/config.toml", true, 2,
	 AUDIT_REM("/etc/containerd/config.toml"), chk_1_1_12},
	{"1.1.13", AUD "/etc/sysconfig/docker", true, 2, AUDIT_REM("/etc/sysconfig/docker"),
	 chk_1_1_13},
	{"1.1.14", AUD "/usr/bin/containerd", true, 2, AUDIT_REM("/usr/bin/containerd"), chk_1_1_14},
	{"1.1.15", AUD "/usr/bin/containerd-shim", true, 2, AUDIT_REM("/usr/bin/containerd-shim"),
	 chk_1_1_15},
	{"1.1.16", AUD "/usr/bin/containerd-shim-runc-v1", true, 2,
	 AUDIT_REM("/usr/bin/containerd-shim-runc-v1"), chk_1_1_16},
	{"1.1.17", AUD "/usr/bin/containerd-shim-runc-v2", true, 2,
	 AUDIT_REM("/usr/bin/containerd-shim-runc-v2"), chk_1_1_17},
	{"1.1.18", AUD "/usr/bin/runc", true, 2, AUDIT_REM("/usr/bin/runc"), chk_1_1_18},
	{"1.2.1", "Ensure the container host has been Hardened", false, 1,
	 "Harden the host itself (a minimal, patched OS following its own CIS benchmark); "
	 "containers share its kernel.", manual},
	{"1.2.2", "Ensure that the version of Docker is up to date", false, 1,
	 "Keep Docker Engine on a release your vendor still patches and apply its security "
	 "updates.", chk_1_2_2},
	{"2.1", "Run the Docker daemon as a non-root user, if possible", false, 1,
	 "Where the workloads allow it, run Docker in rootless mode (dockerd-rootless-setuptool.sh "
	 "install) so that a daemon compromise does not give root.", chk_2_1},
	{"2.2", "Ensure network traffic is restricted between containers on the default bridge",
	 true, 1,
	 "Start dockerd with --icc=false (or \"icc\": false in daemon.json) and link containers "
	 "that must talk through user-defined networks.", chk_2_2},
	{"2.3", "Ensure the logging level is set to 'info'", true, 1,
	 "Remove --log-level/--debug overrides or set \"log-level\": \"info\" in daemon.json.",
	 chk_2_3},
	{"2.4", "Ensure Docker is allowed to make changes to iptables", true, 1,
	 "Remove --iptables=false (and \"iptables\": false) so that dockerd keeps the firewall "
	 "consistent with the container networks.", chk_2_4},
	{"2.5", "Ensure insecure registries are not used", true, 1,
	 "Remove --insecure-registry flags and \"insecure-registries\" entries; give the "
	 "registries TLS certificates (in /etc/docker/certs.d/HOST/ca.crt for a private CA).",
	 chk_2_5},
	{"2.6", "Ensure aufs storage driver is not used", true, 1,
	 "Move to the overlay2 storage driver (--storage-driver overlay2 or \"storage-driver\": "
	 "\"overlay2\").", chk_2_6},
	{"2.7", "Ensure TLS authentication for Docker daemon is configured", true, 1,
	 "When dockerd listens on TCP, set tlsverify with tlscacert, tlscert and tlskey so that "
	 "only clients with a certificate from your CA connect; better, do not expose TCP.",
	 chk_2_7},
	{"2.8", "Ensure the default ulimit is configured appropriately", false, 1,
	 "Set daemon-wide limits with --default-ulimit (e.g. nofile=1024:4096, nproc) or "
	 "\"default-ulimits\" in daemon.json.", chk_2_8},
	{"2.9", "Enable user namespace support", true, 2,
	 "Start dockerd with --userns-remap=default (or a dedicated user) so that root in a "
	 "container maps to an unprivileged host user.", chk_2_9},
	{"2.10", "Ensure the default cgroup usage has been confirmed", true, 2,
	 "Leave --cgroup-parent unset unless a deliberate cgroup layout needs it.", chk_2_10},
	{"2.11", "Ensure base device size is not changed until needed", true, 2,
	 "Remove the dm.basesize storage option unless larger container root file systems "
	 "are required.", chk_2_11},
	{"2.12", "Ensure that authorization for Docker client commands is enabled", true, 2,
	 "Install an authorization plugin and enable it with --authorization-plugin=NAME (or "
	 "\"authorization-plugins\").", chk_2_12},
	{"2.13", "Ensure centralized and remote logging is configured", true, 2,
	 "Set --log-driver (or \"log-driver\") to a driver that ships logs off the host, such as "
	 "syslog, gelf, fluentd or splunk, with its address in log-opts.", chk_2_13},
	{"2.14", "Ensure containers are restricted from acquiring new privileges", true, 1,
	 "Start dockerd with --no-new-privileges (or \"no-new-privileges\": true) so that setuid "
	 "binaries cannot raise privileges in containers.", chk_2_14},
	{"2.15", "Ensure live restore is enabled", true, 1,
	 "Set --live-restore (or \"live-restore\": true) so that containers keep running while "
	 "dockerd restarts or is upgraded.", chk_2_15},
	{"2.16", "Ensure Userland Proxy is Disabled", true, 1,
	 "Start dockerd with --userland-proxy=false (or \"userland-proxy\": false) to use "
	 "hairpin NAT instead of a proxy process per published port.", chk_2_16},
	{"2.17", "Ensure that a daemon-wide custom seccomp profile is applied if appropriate",
	 false, 2,
	 "If the default seccomp profile is too broad for your workloads, give a stricter one "
	 "with --seccomp-profile=/path/profile.json.", chk_2_17},
	{"2.18", "Ensure that experimental features are not implemented in production", false, 1,
	 "Remove --experimental (or \"experimental\": true) on production hosts.", chk_2_18},
	{"3.1", "Ensure that the docker.service file ownership is set to root:root", true, 1,
	 "chown root:root the docker.service unit file and its drop-ins.", chk_3_1},
	{"3.2", "Ensure that docker.service file permissions are appropriately set", true, 1,
	 "chmod 644 the docker.service unit file and its drop-ins.", chk_3_2},
	{"3.3", "Ensure that docker.socket file ownership is set to root:root", true, 1,
	 "chown root:root the docker.socket unit file and its drop-ins.", chk_3_3},
	{"3.4", "Ensure that docker.socket file permissions are set to 644 or more restrictive",
	 true, 1, "chmod 644 the docker.socket unit file and its drop-ins.", chk_3_4},
	{"3.5", "Ensure that the /etc/docker directory ownership is set to root:root", true, 1,
	 "chown root:root /etc/docker", chk_3_5},
	{"3.6", "Ensure that /etc/docker directory permissions are set to 755 or more restrictively",
	 true, 1, "chmod 755 /etc/docker", chk_3_6},
	{"3.7", "Ensure that registry certificate file ownership is set to root:root", true, 1,
	 "chown root:root /etc/docker/certs.d/*/*", chk_3_7},
	{"3.8", "Ensure that registry certificate file permissions are set to 444 or more "
		"restrictively", true, 1, "chmod 444 /etc/docker/certs.d/*/*", chk_3_8},
	{"3.9", "Ensure that TLS CA certificate file ownership is set to root:root", true, 1,
	 "chown root:root the file named by --tlscacert.", chk_3_9},
	{"3.10", "Ensure that TLS CA certificate file permissions are set to 444 or more "
		 "restrictively", true, 1, "chmod 444 the file named by --tlscacert.", chk_3_10},
	{"3.11", "Ensure that Docker server certificate file ownership is set to root:root", true, 1,
	 "chown root:root the file named by --tlscert.", chk_3_11},
	{"3.12", "Ensure that the Docker server certificate file permissions are set to 444 or more "
		 "restrictively", true, 1, "chmod 444 the file named by --tlscert.", chk_3_12},
	{"3.13", "Ensure that the Docker server certificate key file ownership is set to root:root",
	 true, 1, "chown root:root the file named by --tlskey.", chk_3_13},
	{"3.14", "Ensure that the Docker server certificate key file permissions are set to 400",
	 true, 1, "chmod 400 the file named by --tlskey.", chk_3_14},
	{"3.15", "Ensure that the Docker socket file ownership is set to root:docker", true, 1,
	 "chown root:docker the daemon's socket (for systemd socket activation set SocketUser= "
	 "and SocketGroup= in docker.socket).", chk_3_15},
	{"3.16", "Ensure that the Docker socket file permissions are set to 660 or more "
		 "restrictively", true, 1,
	 "chmod 660 the daemon's socket (SocketMode=0660 in docker.socket).", chk_3_16},
	{"3.17", "Ensure that the daemon.json file ownership is set to root:root", true, 1,
	 "chown root:root the daemon.json in use.", chk_3_17},
	{"3.18", "Ensure that daemon.json file permissions are set to 644 or more restrictive", true,
	 1, "chmod 644 the daemon.json in use.", chk_3_18},
	{"3.19", "Ensure that the /etc/default/docker file ownership is set to root:root", true, 1,
	 "chown root:root /etc/default/docker", chk_3_19},
	{"3.20", "Ensure that the /etc/default/docker file permissions are set to 644 or more "
		 "restrictively", true, 1, "chmod 644 /etc/default/docker", chk_3_20},
	{"3.21", "Ensure that the /etc/sysconfig/docker file permissions are set to 644 or more "
		 "restrictively", true, 1, "chmod 644 /etc/sysconfig/docker", chk_3_21},
	{"3.22", "Ensure that the /etc/sysconfig/docker file ownership is set to root:root", true, 1,
	 "chown root:root /etc/sysconfig/docker", chk_3_22},
	{"3.23", "Ensure that the Containerd socket file ownership is set to root:root", true, 1,
	 "chown root:root the containerd socket.", chk_3_23},
	{"3.24", "Ensure that the Containerd socket file permissions are set to 660 or more "
		 "restrictively", true, 1, "chmod 660 the containerd socket.", chk_3_24},
};

const size_t dk_checks_host_n = sizeof(dk_checks_host) / sizeof(dk_checks_host[0]);

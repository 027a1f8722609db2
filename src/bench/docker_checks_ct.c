/* docker_checks_ct.c - CIS Docker Benchmark v1.6.0 sections 4 (images and
 * build files), 5 (container runtime), 6 (operations) and 7 (swarm).
 *
 * Containers are judged from their inspect data (GET /containers/ID/json).
 * CIS words these checks for running containers; Bulwark evaluates every
 * container that is running, paused, restarting or created (a created
 * container runs as configured as soon as it is started), and names each
 * container's state in the evidence. Exited and dead containers are
 * counted in the evidence but not judged.
 */
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker_int.h"

#define MAX_LISTED 50

static json_t *obj(const json_t *o, const char *k)
{
	json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;

	return json_is_object(v) ? v : NULL;
}

static json_t *arr(const json_t *o, const char *k)
{
	json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;

	return json_is_array(v) ? v : NULL;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = bw_json_str(o, k);

	return s ? s : "";
}

static const char *ct_name(const json_t *ct)
{
	const char *n = str(ct, "Name");

	if (*n == '/')
		n++;
	if (!*n)
		n = str(ct, "Id");
	return *n ? n : "(unnamed)";
}

static const char *ct_state(const json_t *ct)
{
	const char *s = str(obj(ct, "State"), "Status");

	return *s ? s : "unknown";
}

static bool ct_judged(const json_t *ct)
{
	const char *s = ct_state(ct);

	return strcmp(s, "running") == 0 || strcmp(s, "created") == 0 ||
	       strcmp(s, "paused") == 0 || strcmp(s, "restarting") == 0;
}

/* A container predicate: 1 fails (why says why), 0 passes, -1 cannot be
 * judged for this container (why says why). */
typedef int (*ct_pred)(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why);

static bool secopt_has(const json_t *ct, const char *prefix)
{
	json_t *so = arr(obj(ct, "HostConfig"), "SecurityOpt"), *e;
	size_t i;

	json_array_foreach(so, i, e) {
		const char *s = json_string_value(e);

		if (s && bw_str_starts_with(s, prefix))
			return true;
	}
	return false;
}

static int p_user(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	const char *u = str(obj(ct, "Config"), "User");

	(void)c;
	if (!*u || strcmp(u, "root") == 0 || strcmp(u, "0") == 0 || bw_str_starts_with(u, "0:") ||
	    bw_str_starts_with(u, "root:")) {
		(void)bw_buf_appendf(why, "runs as %s", *u ? u : "root (Config.User empty)");
		return 1;
	}
	(void)bw_buf_appendf(why, "User=%s", u);
	return 0;
}

static bool apparmor_on(const struct dk_ctx *c)
{
	json_t *so = c->info ? json_object_get(c->info, "SecurityOptions") : NULL, *e;
	size_t i;

	json_array_foreach(so, i, e) {
		const char *s = json_string_value(e);

		if (s && bw_str_starts_with(s, "name=apparmor"))
			return true;
	}
	return false;
}

static bool selinux_on(const struct dk_ctx *c)
{
	json_t *so = c->info ? json_object_get(c->info, "SecurityOptions") : NULL, *e;
	size_t i;

	json_array_foreach(so, i, e) {
		const char *s = json_string_value(e);

		if (s && bw_str_starts_with(s, "name=selinux"))
			return true;
	}
	return false;
}

static int p_apparmor(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	const char *p = str(ct, "AppArmorProfile");

	(void)c;
	if (!*p || strcmp(p, "unconfined") == 0 || secopt_has(ct, "apparmor=unconfined") ||
	    secopt_has(ct, "apparmor:unconfined")) {
		(void)bw_buf_appendf(why, "AppArmorProfile=%s", *p ? p : "(none)");
		return 1;
	}
	(void)bw_buf_appendf(why, "AppArmorProfile=%s", p);
	return 0;
}

static int p_selinux(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	const char *pl = str(ct, "ProcessLabel");

	(void)c;
	if (secopt_has(ct, "label=disable") || secopt_has(ct, "label:disable") || !*pl) {
		(void)bw_buf_appendf(why, "no SELinux process label%s",
				     secopt_has(ct, "label=disable") ? " (label=disable)" : "");
		return 1;
	}
	(void)bw_buf_appendf(why, "ProcessLabel=%s", pl);
	return 0;
}

static void list_strings(const json_t *a, struct bw_buf *out)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		const char *s = json_string_value(e);

		(void)bw_buf_appendf(out, "%s%s", i ? "," : "", s ? s : "?");
	}
}

static int p_caps(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *hc = obj(ct, "HostConfig"), *add = arr(hc, "CapAdd");

	(void)c;
	if (bw_json_bool(hc, "Privileged", false)) {
		(void)bw_buf_appends(why, "privileged: every capability");
		return 1;
	}
	if (add && json_array_size(add)) {
		(void)bw_buf_appends(why, "CapAdd=");
		list_strings(add, why);
		return 1;
	}
	(void)bw_buf_appends(why, "no capability added, CapDrop=");
	list_strings(arr(hc, "CapDrop"), why);
	return 0;
}

static int p_privileged(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	bool p = bw_json_bool(obj(ct, "HostConfig"), "Privileged", false);

	(void)c;
	(void)bw_buf_appendf(why, "Privileged=%s", p ? "true" : "false");
	return p;
}

/* Each bind mount's source, destination, propagation: Mounts[] first
 * (what the daemon set up), HostConfig.Binds for the "src:dst:opts" form. */
typedef bool (*mount_fn)(const char *src, const char *dst, const char *prop, const char *opts,
			 void *arg, struct bw_buf *why);

static bool each_bind(const json_t *ct, mount_fn fn, void *arg, struct bw_buf *why)
{
	json_t *m = arr(ct, "Mounts"), *e;
	size_t i;
	bool hit = false;

	/* Mounts[] is what the daemon resolved (also for created containers);
	 * the HostConfig forms are read only when it is absent */
	json_array_foreach(m, i, e) {
		if (strcmp(str(e, "Type"), "bind") != 0)
			continue;
		hit |= fn(str(e, "Source"), str(e, "Destination"), str(e, "Propagation"), "", arg, why);
	}
	if (m)
		return hit;
	json_array_foreach(arr(obj(ct, "HostConfig"), "Binds"), i, e) {
		const char *s = json_string_value(e);
		char buf[4096], *dst, *opts;

		if (!s || s[0] != '/' || strlen(s) >= sizeof(buf))
			continue;
		bw_strlcpy(buf, s, sizeof(buf));
		dst = strchr(buf, ':');
		if (!dst)
			continue;
		*dst++ = '\0';
		opts = strchr(dst, ':');
		if (opts)
			*opts++ = '\0';
		hit |= fn(buf, dst, "", opts ? opts : "", arg, why);
	}
	json_array_foreach(arr(obj(ct, "HostConfig"), "Mounts"), i, e) {
		json_t *bo = obj(e, "BindOptions");

		if (strcmp(str(e, "Type"), "bind") != 0)
			continue;
		hit |= fn(str(e, "Source"), str(e, "Target"), str(bo, "Propagation"), "", arg, why);
	}
	return hit;
}

static bool m_sensitive(const char *src, const char *dst, const char *prop, const char *opts,
			void *arg, struct bw_buf *why)
{
	static const char *const dirs[] = {"/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys",
					   "/usr", NULL};
	char clean[4096];

	(void)prop;
	(void)opts;
	(void)arg;
	/* "/etc/" and "/etc//." name /etc too */
	if (bw_path_clean(src, clean, sizeof(clean)) != BW_OK)
		return false;
	for (size_t i = 0; dirs[i]; i++) {
		const char *d = dirs[i] + 1;
		size_t n = strlen(d);

		if ((n == 0 && clean[0] == '\0') ||
		    (n && strncmp(clean, d, n) == 0 && (clean[n] == '\0' || clean[n] == '/'))) {
			(void)bw_buf_appendf(why, "%shost %s mounted at %s", why->len ? "; " : "", src, dst);
			return true;
		}
	}
	return false;
}

static int p_sensitive(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return each_bind(ct, m_sensitive, NULL, why) ? 1 : 0;
}

/* sshd in the container's PID namespace (running containers only). */
static int p_sshd(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	int64_t pid = bw_json_int(obj(ct, "State"), "Pid", 0);
	char path[PATH_MAX], ns[128], other[128];
	ssize_t n;
	DIR *d;
	struct dirent *e;
	int found = 0;
	size_t scanned = 0;

	if (c->offline || pid <= 0 || pid > INT32_MAX) {
		(void)bw_buf_appends(why, "not running: no processes to inspect");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%lld/ns/pid", c->proc, (long long)pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (n <= 0) {
		(void)bw_buf_appendf(why, "cannot read %s", path);
		return -1;
	}
	ns[n] = '\0';
	d = opendir(c->proc);
	if (!d) {
		(void)bw_buf_appendf(why, "cannot list %s", c->proc);
		return -1;
	}
	while (!found && (e = readdir(d)) != NULL && scanned < 1000000) {
		struct bw_buf comm;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		scanned++;
		snprintf(path, sizeof(path), "%s/%s/ns/pid", c->proc, e->d_name);
		n = readlink(path, other, sizeof(other) - 1);
		if (n <= 0)
			continue;
		other[n] = '\0';
		if (strcmp(ns, other) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", c->proc, e->d_name);
		bw_buf_init(&comm, 64);
		if (bw_buf_read_file(&comm, path, NULL) == BW_OK && comm.data &&
		    strcmp(bw_str_trim(comm.data), "sshd") == 0) {
			found = 1;
			(void)bw_buf_appendf(why, "sshd runs as host pid %s", e->d_name);
		}
		bw_buf_release(&comm);
	}
	closedir(d);
	if (!found)
		(void)bw_buf_appendf(why, "no sshd in its pid namespace (%s)", ns);
	return found;
}

/* Calls fn for each published port binding (HostConfig.PortBindings). */
static int each_binding(const json_t *ct, int (*fn)(const char *port, const json_t *b,
						     struct bw_buf *why),
			struct bw_buf *why)
{
	json_t *pb = obj(obj(ct, "HostConfig"), "PortBindings"), *list;
	const char *port;
	int bad = 0;

	json_object_foreach(pb, port, list) {
		size_t i;
		json_t *b;

		json_array_foreach(list, i, b)
			bad |= fn(port, b, why);
	}
	return bad;
}

static int b_priv_port(const char *port, const json_t *b, struct bw_buf *why)
{
	const char *hp = str(b, "HostPort");
	uint64_t n;

	/* an empty HostPort means an ephemeral port: never below 1024 */
	if (!*hp || bw_parse_u64(hp, 65535, &n) != BW_OK)
		return 0;
	if (n > 0 && n < 1024) {
		(void)bw_buf_appendf(why, "%shost port %s -> %s", why->len ? "; " : "", hp, port);
		return 1;
	}
	return 0;
}

static int p_priv_ports(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return each_binding(ct, b_priv_port, why);
}

static int b_any_if(const char *port, const json_t *b, struct bw_buf *why)
{
	const char *ip = str(b, "HostIp");

	if (!*ip || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0 ||
	    strcmp(ip, "[::]") == 0) {
		(void)bw_buf_appendf(why, "%s%s published on all interfaces (HostIp '%s')",
				     why->len ? "; " : "", port, ip);
		return 1;
	}
	return 0;
}

static int p_bind_if(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return each_binding(ct, b_any_if, why);
}

static int mode_host(const json_t *ct, const char *key, struct bw_buf *why)
{
	const char *m = str(obj(ct, "HostConfig"), key);

	(void)bw_buf_appendf(why, "%s=%s", key, *m ? m : "(default)");
	return strcmp(m, "host") == 0;
}

static int p_net_host(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return mode_host(ct, "NetworkMode", why);
}

static int p_pid_host(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return mode_host(ct, "PidMode", why);
}

static int p_ipc_host(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return mode_host(ct, "IpcMode", why);
}

static int p_uts_host(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return mode_host(ct, "UTSMode", why);
}

static int p_userns_host(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return mode_host(ct, "UsernsMode", why);
}

static int p_memory(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	int64_t m = bw_json_int(obj(ct, "HostConfig"), "Memory", 0);

	(void)c;
	(void)bw_buf_appendf(why, "Memory=%lld%s", (long long)m, m <= 0 ? " (no limit)" : "");
	return m <= 0;
}

static int p_cpu(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *hc = obj(ct, "HostConfig");
	int64_t sh = bw_json_int(hc, "CpuShares", 0), nano = bw_json_int(hc, "NanoCpus", 0),
		quota = bw_json_int(hc, "CpuQuota", 0);

	(void)c;
	(void)bw_buf_appendf(why, "CpuShares=%lld NanoCpus=%lld CpuQuota=%lld", (long long)sh,
			     (long long)nano, (long long)quota);
	return (sh == 0 || sh == 1024) && nano <= 0 && quota <= 0;
}

static int p_readonly(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	bool ro = bw_json_bool(obj(ct, "HostConfig"), "ReadonlyRootfs", false);

	(void)c;
	(void)bw_buf_appendf(why, "ReadonlyRootfs=%s", ro ? "true" : "false");
	return !ro;
}

static int p_restart(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *rp = obj(obj(ct, "HostConfig"), "RestartPolicy");
	const char *n = str(rp, "Name");
	int64_t max = bw_json_int(rp, "MaximumRetryCount", 0);

	(void)c;
	(void)bw_buf_appendf(why, "RestartPolicy=%s", *n ? n : "no");
	if (strcmp(n, "on-failure") == 0) {
		(void)bw_buf_appendf(why, ":%lld", (long long)max);
		return max <= 0 || max > 5;
	}
	return strcmp(n, "always") == 0 || strcmp(n, "unless-stopped") == 0;
}

static int p_devices(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *dv = arr(obj(ct, "HostConfig"), "Devices"), *e;
	size_t i;

	(void)c;
	json_array_foreach(dv, i, e)
		(void)bw_buf_appendf(why, "%s%s->%s", i ? ", " : "devices ", str(e, "PathOnHost"),
				     str(e, "PathInContainer"));
	return dv && json_array_size(dv) ? 1 : 0;
}

static int p_ulimits(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *ul = arr(obj(ct, "HostConfig"), "Ulimits"), *e;
	size_t i;

	(void)c;
	json_array_foreach(ul, i, e)
		(void)bw_buf_appendf(why, "%s%s=%lld:%lld", i ? ", " : "ulimits ", str(e, "Name"),
				     (long long)bw_json_int(e, "Soft", -1),
				     (long long)bw_json_int(e, "Hard", -1));
	if (!ul || !json_array_size(ul)) {
		(void)bw_buf_appends(why, "no per-container ulimit (daemon default applies)");
		return 1;
	}
	return 0;
}

static bool m_shared(const char *src, const char *dst, const char *prop, const char *opts,
		     void *arg, struct bw_buf *why)
{
	(void)arg;
	if (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0 ||
	    strstr(opts, "rshared") || strstr(opts, "shared")) {
		(void)bw_buf_appendf(why, "%s%s -> %s propagation %s", why->len ? "; " : "", src, dst,
				     *prop ? prop : opts);
		return true;
	}
	return false;
}

static int p_propagation(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	return each_bind(ct, m_shared, NULL, why) ? 1 : 0;
}

static int p_seccomp(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	(void)c;
	if (secopt_has(ct, "seccomp=unconfined") || secopt_has(ct, "seccomp:unconfined")) {
		(void)bw_buf_appends(why, "SecurityOpt seccomp=unconfined");
		return 1;
	}
	if (bw_json_bool(obj(ct, "HostConfig"), "Privileged", false)) {
		(void)bw_buf_appends(why, "privileged: runs without seccomp");
		return 1;
	}
	(void)bw_buf_appends(why, "seccomp filter applies");
	return 0;
}

static int p_exec_priv(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *ids = arr(ct, "ExecIDs"), *e;
	size_t i;
	int bad = 0;

	json_array_foreach(ids, i, e) {
		const char *id = json_string_value(e);
		json_t *x = id && c->execs ? json_object_get(c->execs, id) : NULL;

		if (x && bw_json_bool(x, "Privileged", false)) {
			(void)bw_buf_appendf(why, "%sexec %.12s ran privileged", bad ? "; " : "", id);
			bad = 1;
		}
	}
	if (!bad)
		(void)bw_buf_appendf(why, "%zu exec session(s) recorded, none privileged",
				     ids ? json_array_size(ids) : 0);
	return bad;
}

static int p_exec_root(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *ids = arr(ct, "ExecIDs"), *e;
	size_t i;
	int bad = 0;

	json_array_foreach(ids, i, e) {
		const char *id = json_string_value(e);
		json_t *x = id && c->execs ? json_object_get(c->execs, id) : NULL;
		const char *u = str(obj(x, "ProcessConfig"), "user");

		if (x && (strcmp(u, "root") == 0 || strcmp(u, "0") == 0 || bw_str_starts_with(u, "0:"))) {
			(void)bw_buf_appendf(why, "%sexec %.12s ran as %s", bad ? "; " : "", id, u);
			bad = 1;
		}
	}
	return bad;
}

static int p_cgroup(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	const char *p = str(obj(ct, "HostConfig"), "CgroupParent");

	(void)c;
	(void)bw_buf_appendf(why, "CgroupParent=%s", *p ? p : "(default)");
	return *p ? 1 : 0;
}

static int p_nnp(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	struct dk_value v;
	bool daemon = false;

	if (secopt_has(ct, "no-new-privileges:false") || secopt_has(ct, "no-new-privileges=false")) {
		(void)bw_buf_appends(why, "SecurityOpt no-new-privileges=false");
		return 1;
	}
	if (secopt_has(ct, "no-new-privileges")) {
		(void)bw_buf_appends(why, "SecurityOpt no-new-privileges");
		return 0;
	}
	if (dk_conf_get(&c->conf, "no-new-privileges", NULL, "no-new-privileges", &v) == BW_OK)
		daemon = dk_value_bool(&v, false, NULL);
	dk_value_release(&v);
	if (daemon) {
		(void)bw_buf_appends(why, "daemon-wide no-new-privileges");
		return 0;
	}
	(void)bw_buf_appends(why, "no no-new-privileges (container or daemon)");
	return 1;
}

static int p_health(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	json_t *hc = obj(obj(ct, "Config"), "Healthcheck"), *test = arr(hc, "Test");
	const char *t0 = test && json_array_size(test) ? json_string_value(json_array_get(test, 0)) : NULL;

	(void)c;
	if (!t0 || strcmp(t0, "NONE") == 0) {
		(void)bw_buf_appends(why, "no health check");
		return 1;
	}
	(void)bw_buf_appendf(why, "health check %s", str(obj(ct, "State"), "Health")[0] ? "" : t0);
	return 0;
}

static int p_pids(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	int64_t n = bw_json_int(obj(ct, "HostConfig"), "PidsLimit", 0);

	(void)c;
	(void)bw_buf_appendf(why, "PidsLimit=%lld%s", (long long)n, n <= 0 ? " (no limit)" : "");
	return n <= 0;
}

static int p_docker0(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	const char *m = str(obj(ct, "HostConfig"), "NetworkMode");
	json_t *nets = obj(obj(ct, "NetworkSettings"), "Networks");

	(void)c;
	if (strcmp(m, "default") == 0 || strcmp(m, "bridge") == 0 || json_object_get(nets, "bridge")) {
		(void)bw_buf_appendf(why, "on the default bridge (NetworkMode=%s)", m);
		return 1;
	}
	(void)bw_buf_appendf(why, "NetworkMode=%s", *m ? m : "(none)");
	return 0;
}

static bool m_sock(const char *src, const char *dst, const char *prop, const char *opts, void *arg,
		   struct bw_buf *why)
{
	const struct dk_ctx *c = arg;

	(void)prop;
	(void)opts;
	if (bw_str_ends_with(src, "/docker.sock") || (c && c->api_socket && strcmp(src, c->api_socket) == 0)) {
		(void)bw_buf_appendf(why, "%s%s mounted at %s", why->len ? "; " : "", src, dst);
		return true;
	}
	return false;
}

static int p_sock(const struct dk_ctx *c, const json_t *ct, struct bw_buf *why)
{
	return each_bind(ct, m_sock, (void *)c, why) ? 1 : 0;
}

/* Judge every evaluable container with pred. fail_status is what an
 * offending container yields (FAIL, or WARN for manual checks). */
static void containers(struct dk_ctx *c, ct_pred pred, enum bench_status fail_status,
		       enum bench_status *st, struct bw_buf *d)
{
	size_t i, total, judged = 0, bad = 0, unjudged = 0, skipped = 0, listed = 0;
	json_t *ct;
	struct bw_buf why, ok;

	if (!dk_need_api(c, st, d))
		return;
	if (!c->containers) {
		*st = BENCH_ERROR;
		dk_add(d, "the container list could not be read: %s",
		       c->containers_note ? c->containers_note : "?");
		return;
	}
	total = json_array_size(c->containers);
	bw_buf_init(&why, 8192);
	bw_buf_init(&ok, 16384);
	json_array_foreach(c->containers, i, ct) {
		int r;

		if (!ct_judged(ct)) {
			skipped++;
			continue;
		}
		bw_buf_reset(&why);
		r = pred(c, ct, &why);
		if (r < 0) {
			unjudged++;
			(void)bw_buf_appendf(&ok, "%s%s (%s): not judged, %s", ok.len ? "; " : "",
					     ct_name(ct), ct_state(ct), why.data ? why.data : "");
			continue;
		}
		judged++;
		if (r > 0) {
			bad++;
			if (listed++ < MAX_LISTED)
				dk_add(d, "%s (%s): %s", ct_name(ct), ct_state(ct), why.data ? why.data : "");
		} else if (ok.len < 8000) {
			(void)bw_buf_appendf(&ok, "%s%s (%s): %s", ok.len ? "; " : "", ct_name(ct),
					     ct_state(ct), why.len ? why.data : "ok");
		}
	}
	if (listed > MAX_LISTED)
		dk_add(d, "... and %zu more", listed - MAX_LISTED);
	if (bad)
		*st = fail_status;
	else if (judged)
		*st = BENCH_PASS;
	else
		*st = BENCH_NA;
	if (!bad && ok.len)
		dk_add(d, "%s", ok.data);
	dk_add(d, "%zu container(s) judged (running, paused, restarting or created), %zu failing, "
		  "%zu not judgeable, %zu exited/dead not judged, of %zu",
	       judged, bad, unjudged, skipped, total);
	if (c->containers_note)
		dk_add(d, "note: %s", c->containers_note);
	bw_buf_release(&why);
	bw_buf_release(&ok);
}

#define CT_CHECK(name, pred)                                                       \
	static void name(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d) \
	{                                                                          \
		containers(c, pred, BENCH_FAIL, st, d);                            \
	}
#define CT_MANUAL(name, pred)                                                      \
	static void name(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d) \
	{                                                                          \
		containers(c, pred, BENCH_WARN, st, d);                            \
		if (*st == BENCH_PASS || *st == BENCH_NA)                          \
			*st = BENCH_WARN;                                          \
	}

CT_CHECK(chk_4_1, p_user)
CT_CHECK(chk_5_4, p_caps)
CT_CHECK(chk_5_5, p_privileged)
CT_CHECK(chk_5_6, p_sensitive)
CT_CHECK(chk_5_7, p_sshd)
CT_CHECK(chk_5_8, p_priv_ports)
CT_CHECK(chk_5_10, p_net_host)
CT_CHECK(chk_5_11, p_memory)
CT_CHECK(chk_5_12, p_cpu)
CT_CHECK(chk_5_13, p_readonly)
CT_CHECK(chk_5_14, p_bind_if)
CT_CHECK(chk_5_15, p_restart)
CT_CHECK(chk_5_16, p_pid_host)
CT_CHECK(chk_5_17, p_ipc_host)
CT_MANUAL(chk_5_18, p_devices)
CT_MANUAL(chk_5_19, p_ulimits)
CT_CHECK(chk_5_20, p_propagation)
CT_CHECK(chk_5_21, p_uts_host)
CT_CHECK(chk_5_22, p_seccomp)
CT_MANUAL(chk_5_24, p_exec_root)
CT_CHECK(chk_5_26, p_nnp)
CT_CHECK(chk_5_27, p_health)
CT_CHECK(chk_5_29, p_pids)
CT_MANUAL(chk_5_30, p_docker0)
CT_CHECK(chk_5_31, p_userns_host)
CT_CHECK(chk_5_32, p_sock)

static void chk_5_2(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (!dk_need_api(c, st, d))
		return;
	if (!apparmor_on(c)) {
		*st = BENCH_NA;
		dk_add(d, "AppArmor is not enabled in the daemon (/info SecurityOptions has no "
			  "name=apparmor)");
		return;
	}
	containers(c, p_apparmor, BENCH_FAIL, st, d);
}

static void chk_5_3(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (!dk_need_api(c, st, d))
		return;
	if (!selinux_on(c)) {
		*st = BENCH_NA;
		dk_add(d, "SELinux support is not enabled in the daemon (/info SecurityOptions has "
			  "no name=selinux)");
		return;
	}
	containers(c, p_selinux, BENCH_FAIL, st, d);
}

static void chk_5_23(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	containers(c, p_exec_priv, BENCH_FAIL, st, d);
	if (*st == BENCH_PASS) {
		/* the daemon forgets finished exec sessions: absence is not proof */
		*st = BENCH_INFO;
		dk_add(d, "the daemon lists exec sessions only while they run: review audit logs for "
			  "'docker exec --privileged'");
	}
}

static void chk_5_25(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	containers(c, p_cgroup, BENCH_INFO, st, d);
	if (*st == BENCH_INFO)
		dk_add(d, "custom cgroup parents are set: confirm each is intended");
}

static void ct_manual(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	(void)c;
	*st = BENCH_WARN;
	dk_add(d, "manual check: review it by hand");
}

static bool swarm_active(const struct dk_ctx *c)
{
	const char *s = str(obj(c->info, "Swarm"), "LocalNodeState");

	return strcmp(s, "active") == 0;
}

static void chk_5_1(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	const char *s;

	if (!dk_need_api(c, st, d))
		return;
	s = str(obj(c->info, "Swarm"), "LocalNodeState");
	dk_add(d, "/info Swarm.LocalNodeState = %s", *s ? s : "(absent)");
	if (!*s)
		*st = BENCH_ERROR;
	else if (strcmp(s, "inactive") == 0)
		*st = BENCH_PASS;
	else {
		*st = BENCH_FAIL;
		dk_add(d, "swarm mode is on: if this node needs it, skip this check (--skip 5.1)");
	}
}

static void chk_5_9(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	size_t i;
	json_t *ct;

	if (!dk_need_api(c, st, d))
		return;
	json_array_foreach(c->containers, i, ct) {
		json_t *pb = obj(obj(ct, "HostConfig"), "PortBindings");
		const char *port;
		json_t *v;
		struct bw_buf l;

		if (!ct_judged(ct) || !pb || !json_object_size(pb))
			continue;
		bw_buf_init(&l, 4096);
		json_object_foreach(pb, port, v)
			(void)bw_buf_appendf(&l, "%s%s", l.len ? ", " : "", port);
		dk_add(d, "%s (%s) publishes %s", ct_name(ct), ct_state(ct), l.data ? l.data : "");
		bw_buf_release(&l);
	}
	ct_manual(c, st, d);
}

/* ---- section 4: images ------------------------------------------------------- */

static const char *img_name(const json_t *img)
{
	json_t *tags = arr(img, "RepoTags");
	const char *t = tags && json_array_size(tags) ? json_string_value(json_array_get(tags, 0)) : NULL;

	return t ? t : str(img, "Id");
}

static void chk_4_5(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	const char *v = getenv("DOCKER_CONTENT_TRUST");

	(void)c;
	*st = v && strcmp(v, "1") == 0 ? BENCH_PASS : BENCH_FAIL;
	dk_add(d, "DOCKER_CONTENT_TRUST=%s in the environment of this run (a client setting: "
		  "set it for every shell and CI job that pulls)", v ? v : "(unset)");
}

static void chk_4_6(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	size_t i, bad = 0, n;
	json_t *img;

	if (!dk_need_api(c, st, d))
		return;
	if (!c->images) {
		*st = BENCH_ERROR;
		dk_add(d, "the image list could not be read: %s",
		       c->containers_note ? c->containers_note : "?");
		return;
	}
	n = json_array_size(c->images);
	json_array_foreach(c->images, i, img) {
		json_t *hc = obj(obj(img, "Config"), "Healthcheck"), *t = arr(hc, "Test");
		const char *t0 = t && json_array_size(t) ? json_string_value(json_array_get(t, 0)) : NULL;

		if (!t0 || strcmp(t0, "NONE") == 0) {
			if (bad++ < MAX_LISTED)
				dk_add(d, "image %s has no HEALTHCHECK", img_name(img));
		}
	}
	*st = n == 0 ? BENCH_NA : bad ? BENCH_FAIL : BENCH_PASS;
	dk_add(d, "%zu image(s), %zu without HEALTHCHECK", n, bad);
}

/* Evidence for 4.7 and 4.9 from the images' build history. */
static bool update_alone(const char *cmd)
{
	static const char *const upd[] = {"apt-get update", "apt update", "apk update",
					  "yum update", "dnf update", "zypper refresh", NULL};

	for (size_t i = 0; upd[i]; i++)
		if (strstr(cmd, upd[i]) && !strstr(cmd, "install") && !strstr(cmd, "apk add") &&
		    !strstr(cmd, "upgrade"))
			return true;
	return false;
}

static bool uses_add(const char *cmd)
{
	const char *a = strstr(cmd, "ADD ");

	/* "ADD file:<digest> in / " is how every base image's root file
	 * system is recorded: not a Dockerfile choice of this image */
	return a && !(bw_str_starts_with(a + 4, "file:") && strstr(a, " in / "));
}

static void history_scan(struct dk_ctx *c, bool (*match)(const char *), const char *what,
			 enum bench_status *st, struct bw_buf *d)
{
	size_t i, j, hits = 0;
	json_t *img, *layer;

	if (dk_need_api(c, st, d) && c->images && c->histories) {
		json_array_foreach(c->images, i, img) {
			json_t *h = json_object_get(c->histories, str(img, "Id"));

			json_array_foreach(h, j, layer) {
				const char *cmd = str(layer, "CreatedBy");

				if (match(cmd) && hits++ < MAX_LISTED)
					dk_add(d, "image %s: %s: %.300s", img_name(img), what, cmd);
			}
		}
		dk_add(d, "%zu %s found in the build history of %zu image(s)", hits, what,
		       json_array_size(c->images));
	}
	*st = BENCH_WARN;
	dk_add(d, "manual check: review the Dockerfiles");
}

static void chk_4_7(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	history_scan(c, update_alone, "update instruction(s) without an install", st, d);
}

static void chk_4_9(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	history_scan(c, uses_add, "ADD instruction(s)", st, d);
}

/* ---- sections 6 and 7 ------------------------------------------------------- */

static void chk_6_1(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	size_t i, j, unused = 0;
	json_t *img, *ct;

	if (dk_need_api(c, st, d) && c->images) {
		json_array_foreach(c->images, i, img) {
			bool used = false;

			json_array_foreach(c->containers, j, ct)
				used |= strcmp(str(ct, "Image"), str(img, "Id")) == 0;
			unused += !used;
		}
		dk_add(d, "%zu image(s), %zu not used by any container", json_array_size(c->images),
		       unused);
	}
	ct_manual(c, st, d);
}

static void chk_6_2(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (dk_need_api(c, st, d))
		dk_add(d, "%lld container(s): %lld running, %lld stopped, %lld paused (/info)",
		       (long long)bw_json_int(c->info, "Containers", -1),
		       (long long)bw_json_int(c->info, "ContainersRunning", -1),
		       (long long)bw_json_int(c->info, "ContainersStopped", -1),
		       (long long)bw_json_int(c->info, "ContainersPaused", -1));
	ct_manual(c, st, d);
}

/* false (NOT_APPLICABLE or ERROR set) unless swarm mode is active. */
static bool need_swarm(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (!dk_need_api(c, st, d))
		return false;
	if (!swarm_active(c)) {
		*st = BENCH_NA;
		dk_add(d, "swarm mode is not active (/info Swarm.LocalNodeState = %s)",
		       str(obj(c->info, "Swarm"), "LocalNodeState"));
		return false;
	}
	return true;
}

static void chk_7_1(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	json_t *sw;

	if (!need_swarm(c, st, d))
		return;
	sw = obj(c->info, "Swarm");
	*st = BENCH_INFO;
	dk_add(d, "%lld manager(s) among %lld node(s) (/info): keep the fewest managers that give "
		  "the fault tolerance you need (an odd number)",
	       (long long)bw_json_int(sw, "Managers", -1), (long long)bw_json_int(sw, "Nodes", -1));
}

/* Is something listening on port on all addresses (/proc/net/tcp, tcp6)? */
static int listens_any(const struct dk_ctx *c, unsigned port, struct bw_buf *d)
{
	static const char *const files[] = {"net/tcp", "net/tcp6", NULL};
	int found = 0, read_any = 0;

	for (size_t f = 0; files[f]; f++) {
		char path[PATH_MAX];
		struct bw_buf b;

		snprintf(path, sizeof(path), "%s/%d/%s", c->proc, (int)c->pid, files[f]);
		bw_buf_init(&b, 64 * 1024 * 1024);
		if (bw_buf_read_file(&b, path, NULL) == BW_OK && b.data) {
			read_any = 1;
			for (char *l = strchr(b.data, '\n'); l && *l; l = strchr(l + 1, '\n')) {
				char local[64] = "", st[8] = "";
				unsigned p;

				if (sscanf(l + 1, "%*s %63s %*s %7s", local, st) != 2)
					continue;
				{
					char *colon = strrchr(local, ':');

					if (!colon || sscanf(colon + 1, "%x", &p) != 1 || p != port ||
					    strcmp(st, "0A") != 0)
						continue;
					*colon = '\0';
				}
				if (strspn(local, "0") == strlen(local)) {
					dk_add(d, "port %u listens on all addresses (%s)", port, path);
					found = 1;
				}
			}
		}
		bw_buf_release(&b);
	}
	return read_any ? found : -1;
}

static void chk_7_2(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	int r;

	if (!need_swarm(c, st, d))
		return;
	if (!c->pid) {
		*st = BENCH_ERROR;
		dk_add(d, "no dockerd process to read listening sockets from");
		return;
	}
	r = listens_any(c, 2377, d);
	*st = r < 0 ? BENCH_ERROR : r ? BENCH_FAIL : BENCH_PASS;
	if (r == 0)
		dk_add(d, "the swarm port 2377 is not bound to all interfaces");
}

static void chk_7_3(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	size_t i, n = 0, bad = 0;
	json_t *net;

	if (!need_swarm(c, st, d))
		return;
	json_array_foreach(c->networks, i, net) {
		if (strcmp(str(net, "Driver"), "overlay") != 0)
			continue;
		n++;
		if (!json_object_get(obj(net, "Options"), "encrypted")) {
			bad++;
			dk_add(d, "overlay network %s is not encrypted", str(net, "Name"));
		}
	}
	*st = !c->networks ? BENCH_ERROR : n == 0 ? BENCH_NA : bad ? BENCH_FAIL : BENCH_PASS;
	dk_add(d, "%zu overlay network(s), %zu unencrypted", n, bad);
}

static void chk_7_5(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	json_t *enc;

	if (!need_swarm(c, st, d))
		return;
	if (!bw_json_bool(obj(c->info, "Swarm"), "ControlAvailable", false)) {
		*st = BENCH_NA;
		dk_add(d, "this node is not a swarm manager");
		return;
	}
	if (!c->swarm) {
		*st = BENCH_ERROR;
		dk_add(d, "GET /swarm gave no data");
		return;
	}
	enc = obj(obj(c->swarm, "Spec"), "EncryptionConfig");
	*st = bw_json_bool(enc, "AutoLockManagers", false) ? BENCH_PASS : BENCH_FAIL;
	dk_add(d, "/swarm Spec.EncryptionConfig.AutoLockManagers = %s",
	       *st == BENCH_PASS ? "true" : "false");
}

static void swarm_manual(struct dk_ctx *c, enum bench_status *st, struct bw_buf *d)
{
	if (need_swarm(c, st, d))
		ct_manual(c, st, d);
}

/* ---- the table ------------------------------------------------------------------ */

const struct dk_check dk_checks_ct[] = {
	{"4.1", "Ensure that a user for the container has been created", true, 1,
	 "Create a non-root user in the image (USER in the Dockerfile) or run with --user "
	 "UID:GID.", chk_4_1},
	{"4.2", "Ensure that containers use only trusted base images", false, 1,
	 "Build from base images you can trace (official or your own, pinned by digest) and "
	 "verify their signatures.", ct_manual},
	{"4.3", "Ensure that unnecessary packages are not installed in the container", false, 1,
	 "Keep images minimal: multi-stage builds, slim or distroless bases, no tools the "
	 "service does not run (list them with 'bulwark sbom IMAGE').", ct_manual},
	{"4.4", "Ensure images are scanned and rebuilt to include security patches", false, 1,
	 "Scan images in CI and in the registry ('bulwark scan IMAGE --fail-on high') and rebuild "
	 "them when their base or packages get fixes.", ct_manual},
	{"4.5", "Ensure Content trust for Docker is Enabled", true, 2,
	 "export DOCKER_CONTENT_TRUST=1 for the users and CI jobs that pull and push images.",
	 chk_4_5},
	{"4.6", "Ensure that HEALTHCHECK instructions have been added to container images", true, 1,
	 "Add a HEALTHCHECK instruction to each image's Dockerfile.", chk_4_6},
	{"4.7", "Ensure update instructions are not used alone in the Dockerfile", false, 1,
	 "Combine the package index update with the install in one RUN (apt-get update && "
	 "apt-get install ...) or pin versions, so cached layers are not stale.", chk_4_7},
	{"4.8", "Ensure setuid and setgid permissions are removed", false, 2,
	 "Remove the setuid and setgid bits the service does not need during the build "
	 "(find / -perm /6000 -type f -exec chmod a-s {} +).", ct_manual},
	{"4.9", "Ensure that COPY is used instead of ADD in Dockerfiles", false, 1,
	 "Use COPY for local files; fetch remote content with a verified download in RUN.",
	 chk_4_9},
	{"4.10", "Ensure secrets are not stored in Dockerfiles", false, 1,
	 "Pass secrets at build time with BuildKit secret mounts and at run time with a secret "
	 "store, never in ENV, ARG or files of a layer.", ct_manual},
	{"4.11", "Ensure only verified packages are installed", false, 2,
	 "Install packages only from repositories whose signatures the package manager verifies.",
	 ct_manual},
	{"4.12", "Ensure all signed artifacts are validated", false, 2,
	 "Verify the signatures of artifacts (images, binaries, archives) before use.", ct_manual},
	{"5.1", "Ensure swarm mode is not Enabled, if not needed", true, 1,
	 "On nodes that do not need swarm, run 'docker swarm leave'.", chk_5_1},
	{"5.2", "Ensure that, if applicable, an AppArmor Profile is enabled", true, 1,
	 "Run containers with an AppArmor profile (--security-opt apparmor=PROFILE, or Docker's "
	 "default docker-default); never apparmor=unconfined.", chk_5_2},
	{"5.3", "Ensure that, if applicable, SELinux security options are set", true, 2,
	 "Start dockerd with --selinux-enabled and give containers labels "
	 "(--security-opt label=...).", chk_5_3},
	{"5.4", "Ensure that Linux kernel capabilities are restricted within containers", true, 1,
	 "Drop every capability and add back only the ones needed (--cap-drop ALL --cap-add "
	 "NET_BIND_SERVICE ...).", chk_5_4},
	{"5.5", "Ensure that privileged containers are not used", true, 1,
	 "Do not run containers with --privileged; grant the specific capabilities or devices "
	 "needed instead.", chk_5_5},
	{"5.6", "Ensure sensitive host system directories are not mounted on containers", true, 1,
	 "Do not bind-mount /, /boot, /dev, /etc, /lib, /proc, /sys or /usr of the host; if one "
	 "is unavoidable, mount it read-only.", chk_5_6},
	{"5.7", "Ensure sshd is not run within containers", true, 1,
	 "Remove sshd from images; use 'docker exec' for debugging.", chk_5_7},
	{"5.8", "Ensure privileged ports are not mapped within containers", true, 1,
	 "Publish container ports on host ports above 1023 (-p 8080:80) and put a proxy in "
	 "front where 80/443 are needed.", chk_5_8},
	{"5.9", "Ensure that only needed ports are open on the container", false, 1,
	 "Publish only the ports the service needs; avoid -P (publish all).", chk_5_9},
	{"5.10", "Ensure that the host's network namespace is not shared", true, 1,
	 "Do not run containers with --network host.", chk_5_10},
	{"5.11", "Ensure that the memory usage for containers is limited", true, 1,
	 "Give each container a memory limit (--memory 512m).", chk_5_11},
	{"5.12", "Ensure that CPU priority is set appropriately on containers", true, 1,
	 "Set --cpu-shares (or --cpus) per container according to its priority.", chk_5_12},
	{"5.13", "Ensure that the container's root filesystem is mounted as read only", true, 1,
	 "Run containers with --read-only and mount writable volumes or tmpfs only where the "
	 "service writes.", chk_5_13},
	{"5.14", "Ensure that incoming container traffic is bound to a specific host interface",
	 true, 1, "Publish ports on a specific address (-p 10.0.0.5:8080:80), not on 0.0.0.0.",
	 chk_5_14},
	{"5.15", "Ensure that the 'on-failure' container restart policy is set to '5'", true, 1,
	 "Use --restart on-failure:5 instead of always or unless-stopped.", chk_5_15},
	{"5.16", "Ensure that the host's process namespace is not shared", true, 1,
	 "Do not run containers with --pid host.", chk_5_16},
	{"5.17", "Ensure that the host's IPC namespace is not shared", true, 1,
	 "Do not run containers with --ipc host.", chk_5_17},
	{"5.18", "Ensure that host devices are not directly exposed to containers", false, 1,
	 "Pass only the devices a container needs (--device), with the narrowest permissions "
	 "(:r).", chk_5_18},
	{"5.19", "Ensure that the default ulimit is overwritten at runtime if needed", false, 1,
	 "Set --ulimit per container where the daemon default does not fit.", chk_5_19},
	{"5.20", "Ensure mount propagation mode is not set to shared", true, 1,
	 "Mount volumes with private (default) or slave propagation, not shared or rshared.",
	 chk_5_20},
	{"5.21", "Ensure that the host's UTS namespace is not shared", true, 1,
	 "Do not run containers with --uts host.", chk_5_21},
	{"5.22", "Ensure the default seccomp profile is not Disabled", true, 1,
	 "Do not pass --security-opt seccomp=unconfined (or --privileged); use a custom profile "
	 "if the default one blocks a needed call.", chk_5_22},
	{"5.23", "Ensure that docker exec commands are not used with the privileged option", true, 2,
	 "Do not use 'docker exec --privileged'.", chk_5_23},
	{"5.24", "Ensure that docker exec commands are not used with the user=root option", false, 2,
	 "Do not use 'docker exec --user root'; exec as the container's own user.", chk_5_24},
	{"5.25", "Ensure that cgroup usage is confirmed", true, 1,
	 "Leave --cgroup-parent unset unless a deliberate cgroup layout needs it.", chk_5_25},
	{"5.26", "Ensure that the container is restricted from acquiring additional privileges",
	 true, 1,
	 "Run containers with --security-opt no-new-privileges (or set it daemon-wide).", chk_5_26},
	{"5.27", "Ensure that container health is checked at runtime", true, 1,
	 "Give each container a health check (HEALTHCHECK in the image or --health-cmd).",
	 chk_5_27},
	{"5.28", "Ensure that Docker commands always make use of the latest version of their image",
	 false, 1,
	 "Pull images before running them (or reference them by digest) so that a stale local "
	 "copy is not used.", ct_manual},
	{"5.29", "Ensure that the PIDs cgroup limit is used", true, 1,
	 "Set --pids-limit per container (e.g. 100) to stop fork bombs.", chk_5_29},
	{"5.30", "Ensure that Docker's default bridge \"docker0\" is not used", false, 2,
	 "Attach containers to user-defined networks (docker network create) instead of the "
	 "default bridge.", chk_5_30},
	{"5.31", "Ensure that the host's user namespaces are not shared", true, 1,
	 "Do not run containers with --userns host.", chk_5_31},
	{"5.32", "Ensure that the Docker socket is not mounted inside any containers", true, 1,
	 "Do not mount docker.sock into containers; a container holding it controls the host.",
	 chk_5_32},
	{"6.1", "Ensure that image sprawl is avoided", false, 1,
	 "Remove images no container uses (docker image prune -a) and keep only the tags you "
	 "deploy.", chk_6_1},
	{"6.2", "Ensure that container sprawl is avoided", false, 1,
	 "Remove stopped containers you no longer need (docker container prune).", chk_6_2},
	{"7.1", "Ensure that the minimum number of manager nodes have been created in a swarm",
	 true, 1, "Demote surplus managers (docker node demote NODE); keep an odd number.", chk_7_1},
	{"7.2", "Ensure that swarm services are bound to a specific host interface", true, 1,
	 "Initialise or join the swarm with --listen-addr on a specific interface address.",
	 chk_7_2},
	{"7.3", "Ensure that all Docker swarm overlay networks are encrypted", true, 1,
	 "Create overlay networks with --opt encrypted.", chk_7_3},
	{"7.4", "Ensure that Docker's secret management commands are used for managing secrets in a "
		"swarm cluster", false, 2,
	 "Keep service secrets in 'docker secret' objects, not in images or environment.",
	 swarm_manual},
	{"7.5", "Ensure that swarm manager is run in auto-lock mode", true, 1,
	 "Turn on auto-lock: docker swarm update --autolock=true, and keep the unlock key safe.",
	 chk_7_5},
	{"7.6", "Ensure that the swarm manager auto-lock key is rotated periodically", false, 1,
	 "Rotate the unlock key on a schedule: docker swarm unlock-key --rotate.", swarm_manual},
	{"7.7", "Ensure that node certificates are rotated as appropriate", false, 1,
	 "Set a node certificate lifetime that fits your policy: docker swarm update "
	 "--cert-expiry 48h.", swarm_manual},
	{"7.8", "Ensure that CA certificates are rotated as appropriate", false, 1,
	 "Rotate the swarm root CA on a schedule: docker swarm ca --rotate.", swarm_manual},
	{"7.9", "Ensure that management plane traffic is separated from data plane traffic", false,
	 1, "Give the swarm separate interfaces: --advertise-addr for management and "
	    "--data-path-addr for data.", swarm_manual},
};

const size_t dk_checks_ct_n = sizeof(dk_checks_ct) / sizeof(dk_checks_ct[0]);

enum bw_err dk_eval_container(const struct dk_ctx *c, const json_t *inspect, struct bw_buf *out)
{
	static const struct {
		const char *id;
		ct_pred pred;
	} preds[] = {
		{"4.1", p_user}, {"5.2", p_apparmor}, {"5.3", p_selinux}, {"5.4", p_caps},
		{"5.5", p_privileged}, {"5.6", p_sensitive}, {"5.8", p_priv_ports},
		{"5.10", p_net_host}, {"5.11", p_memory}, {"5.12", p_cpu}, {"5.13", p_readonly},
		{"5.14", p_bind_if}, {"5.15", p_restart}, {"5.16", p_pid_host},
		{"5.17", p_ipc_host}, {"5.18", p_devices}, {"5.19", p_ulimits},
		{"5.20", p_propagation}, {"5.21", p_uts_host}, {"5.22", p_seccomp},
		{"5.23", p_exec_priv}, {"5.24", p_exec_root}, {"5.25", p_cgroup}, {"5.26", p_nnp},
		{"5.27", p_health}, {"5.29", p_pids}, {"5.30", p_docker0}, {"5.31", p_userns_host},
		{"5.32", p_sock},
	};
	enum bw_err result = BW_OK;
	struct bw_buf why;

	bw_buf_init(&why, 8192);
	for (size_t i = 0; i < sizeof(preds) / sizeof(preds[0]) && result == BW_OK; i++) {
		bw_buf_reset(&why);
		if (preds[i].pred(c, inspect, &why) > 0)
			result = bw_buf_appendf(out, "%s: %s\n", preds[i].id, why.data ? why.data : "");
	}
	bw_buf_release(&why);
	return result;
}

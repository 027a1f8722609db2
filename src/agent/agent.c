/* agent.c - the runtime agent: one epoll loop over the process event source,
 * fanotify, container discovery, the control socket, a signalfd and a timer.
 *
 * Every event is resolved to a container by mount namespace, the container
 * to its group, the group to its mode: discover learns into the group's
 * profile, monitor reports what is outside the profile and the rules
 * ("violation"), protect denies it ("blocked"). Built-in detections alert in
 * every mode. Host processes (the agent's own mount namespace, or one that is
 * not a known container) are never blocked. docs/agent.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "agent.h"
#include "agent_core.h"
#include "agent_int.h"

#define TICK_MS             250
#define SAVE_INTERVAL_NS    (1000ull * 1000000ull) /* a change is on disk within ~1 s */
#define REFRESH_MIN_NS      (1000ull * 1000000ull) /* unknown-mntns rescans, at most 1/s */
#define REFRESH_PERIOD_NS   (10000ull * 1000000ull)
#define MAX_GROUPS          4096
#define MAX_DET_HITS        8
/* the eBPF system call hooks without --syscall-hooks (docs/agent.md, "Performance") */
#define AGENT_SYSCALL_HOOKS_DEFAULT false
#define MAX_CTR_ADDRS       16  /* addresses kept per container (peer groups) */
#define ADDR_REFRESH_NS     (1000ull * 1000000ull) /* re-read on a miss, at most 1/s */

enum { TAG_SIG = 1, TAG_TIMER, TAG_SRC, TAG_FAN, TAG_CTRS, TAG_CTL };

struct agent_group {
	char *name;
	enum policy_mode override;     /* set by `agent mode`; UNSET: none */
	const struct policy_doc *doc;  /* the policy named like the group, or NULL */
	struct policy_profile profile;
	char *profile_path;
	bool dirty;
	uint64_t saved_ns;
	struct agent_group *next;
};

struct agent_cstate {
	struct agent_ctr c;            /* a copy; c.labels owned */
	struct agent_group *g;
	bool marked;
	bool exec_perm;                /* marked FAN_OPEN_EXEC_PERM (protect), else FAN_OPEN_EXEC */
	uint64_t *mnt_ids;             /* the container's mounts (mountinfo at start) */
	size_t nmnt;
	struct {
		uint8_t family;        /* AF_INET (4 bytes used) | AF_INET6 */
		uint8_t a[16];
	} addrs[MAX_CTR_ADDRS];        /* its own addresses (ctr_read_addrs) */
	size_t naddrs;
	struct agent_cstate *next;
};

struct agent {
	const struct agent_opts *opts;
	pid_t self_pid;
	uint64_t self_mntns;
	struct policy_set policy;
	struct agent_group *groups;
	size_t ngroups;
	struct agent_cstate *ctrs;
	struct agent_src *src;
	struct agent_fan *fan;
	struct agent_ctrs *cs;
	struct agent_detect *det;
	struct pcache_ent *pcache;     /* PCACHE_SLOTS, NULL: no cache (docs/agent.md, "Performance") */
	struct agent_evout *out;
	struct agent_ctl *ctl;
	char *profiles_dir;
	int epfd, sigfd, timerfd;
	uint64_t last_refresh_ns, last_periodic_ns;
	uint64_t last_addr_refresh_ns;
	bool stop;
	struct {
		uint64_t handled, unknown_ctr, denied, violations, alerts, save_errors;
	} n;
};

/* ---- small helpers --------------------------------------------------- */

static uint64_t self_mntns(void)
{
	struct stat st;

	return stat("/proc/self/ns/mnt", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static bool proc_readlink(pid_t pid, const char *what, char *out, size_t outsz)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, what);
	n = readlink(p, out, outsz - 1);
	if (n <= 0) {
		out[0] = '\0';
		return false;
	}
	out[n] = '\0';
	return true;
}

/* Read a small /proc file into buf (NUL-terminated); bytes read, 0 on error. */
static size_t proc_read(pid_t pid, const char *what, char *buf, size_t bufsz)
{
	char p[64];
	size_t len = 0;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, what);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf[0] = '\0';
		return 0;
	}
	while (len + 1 < bufsz) {
		ssize_t r = read(fd, buf + len, bufsz - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

static pid_t proc_ppid(pid_t pid)
{
	char buf[512];
	const char *p;
	int64_t v;
	char *end;

	if (proc_read(pid, "stat", buf, sizeof(buf)) == 0)
		return 0;
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p || !p[1] || !p[2] || !p[3])
		return 0;
	p += 4; /* ") S " */
	errno = 0;
	v = strtoll(p, &end, 10);
	return (errno || end == p || v < 0 || v > 1 << 22) ? 0 : (pid_t)v;
}

static bool fd_is_socket(pid_t pid, int fd)
{
	char what[16], target[64];

	snprintf(what, sizeof(what), "fd/%d", fd);
	return proc_readlink(pid, what, target, sizeof(target)) &&
	       bw_str_starts_with(target, "socket:");
}

/* ---- groups and profiles -------------------------------------------- */

static const struct policy_doc *doc_by_name(const struct agent *a, const char *name)
{
	for (size_t i = 0; i < a->policy.ndocs; i++)
		if (a->policy.docs[i].name && strcmp(a->policy.docs[i].name, name) == 0)
			return &a->policy.docs[i];
	return NULL;
}

static enum policy_mode group_mode(const struct agent *a, const struct agent_group *g)
{
	if (g->override != POLICY_MODE_UNSET)
		return g->override;
	if (g->doc && g->doc->mode != POLICY_MODE_UNSET)
		return g->doc->mode;
	return a->opts->default_mode;
}

static struct agent_group *group_find(struct agent *a, const char *name)
{
	for (struct agent_group *g = a->groups; g; g = g->next)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

static void group_free(struct agent_group *g)
{
	policy_profile_release(&g->profile);
	free(g->profile_path);
	free(g->name);
	free(g);
}

/* The group called name, created (with its saved profile loaded) if new.
 * NULL when memory or the group cap ran out. */
static struct agent_group *group_get(struct agent *a, const char *name)
{
	struct agent_group *g = group_find(a, name);
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	char *file;

	if (g)
		return g;
	if (a->ngroups >= MAX_GROUPS)
		return NULL;
	g = calloc(1, sizeof(*g));
	file = policy_profile_filename(name);
	if (!g || !file || !(g->name = bw_strdup(name)) ||
	    !(g->profile_path = bw_strfmt("%s/%s", a->profiles_dir, file))) {
		free(file);
		if (g) {
			free(g->name);
			free(g);
		}
		return NULL;
	}
	free(file);
	policy_profile_init(&g->profile, name);
	result = policy_profile_load(&g->profile, g->profile_path, &eb);
	if (result != BW_OK && result != BW_ERR_NOT_FOUND)
		BW_WARN("agent: group %s: saved profile not loaded: %s", name, eb.msg);
	g->doc = doc_by_name(a, name);
	g->next = a->groups;
	a->groups = g;
	a->ngroups++;
	return g;
}

static void group_save(struct agent *a, struct agent_group *g)
{
	struct bw_errbuf eb = {{0}};

	g->saved_ns = bw_time_mono_ns();
	if (!g->dirty)
		return;
	g->dirty = false;
	if (policy_profile_save(&g->profile, g->profile_path, &eb) != BW_OK) {
		a->n.save_errors++;
		BW_WARN("agent: group %s: profile not saved: %s", g->name, eb.msg);
	}
}

static void groups_save(struct agent *a, bool force)
{
	uint64_t now = bw_time_mono_ns();

	for (struct agent_group *g = a->groups; g; g = g->next)
		if (g->dirty && (force || now - g->saved_ns >= SAVE_INTERVAL_NS))
			group_save(a, g);
}

/* ---- event objects ---------------------------------------------------- */

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v && v[0])
		json_object_set_new(o, k, bw_json_string_lossy(v));
}

static json_t *ctr_json(const struct agent *a, const struct agent_cstate *cs)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set_str(o, "id", cs->c.id);
	set_str(o, "name", cs->c.name);
	set_str(o, "runtime", cs->c.runtime);
	if (cs->g) {
		set_str(o, "group", cs->g->name);
		set_str(o, "mode", policy_mode_name(group_mode(a, cs->g)));
	}
	set_str(o, "image", cs->c.image);
	if (cs->c.k8s_namespace[0]) {
		json_t *k = json_object();

		set_str(k, "namespace", cs->c.k8s_namespace);
		set_str(k, "pod", cs->c.k8s_pod);
		set_str(k, "container", cs->c.name);
		json_object_set_new(o, "k8s", k);
	}
	return o;
}

/* What the loop knows about one process. */
struct pinfo {
	pid_t pid, ppid;
	uint32_t uid, gid;
	bool have_ids;
	bool exe_known;   /* exe read from /proc/PID/exe (not the execve argument) */
	char exe[AGENT_PATH_LEN];
	char parent_exe[AGENT_PATH_LEN];
	char args[AGENT_ARGS_LEN + 1]; /* NUL-separated */
	size_t args_len;
	char args_joined[AGENT_ARGS_LEN + 1];
	bool stdin_socket, stdout_socket;
};

static void pinfo_join_args(struct pinfo *p)
{
	size_t n = p->args_len;

	memcpy(p->args_joined, p->args, n);
	while (n > 0 && p->args_joined[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (p->args_joined[i] == '\0')
			p->args_joined[i] = ' ';
	p->args_joined[n] = '\0';
}

/* ---- per-process cache ---------------------------------------------------
 * The executable and parent of processes seen exec'ing in a container,
 * inherited by their children at fork: a process event or an exec
 * notification finds its parent's executable here instead of in /proc. The
 * process events come in order from one queue (fork before the child's exec),
 * so an entry is what /proc said at the exec; a fork always rewrites the
 * child's slot (a reused pid never inherits a stale entry). Direct-mapped by
 * pid: a collision is a miss, and a miss reads /proc as before. */
#define PCACHE_SLOTS 4096u

struct pcache_ent {
	pid_t pid;                     /* 0: empty */
	pid_t ppid;
	char exe[AGENT_PATH_LEN];
};

static struct pcache_ent *pcache_slot(struct agent *a, pid_t pid)
{
	return a->pcache && pid > 0 ? &a->pcache[(uint32_t)pid % PCACHE_SLOTS] : NULL;
}

static const struct pcache_ent *pcache_get(struct agent *a, pid_t pid)
{
	struct pcache_ent *e = pcache_slot(a, pid);

	return e && e->pid == pid && e->exe[0] ? e : NULL;
}

static void pcache_put(struct agent *a, pid_t pid, pid_t ppid, const char *exe)
{
	struct pcache_ent *e = pcache_slot(a, pid);

	if (!e)
		return;
	e->pid = pid;
	e->ppid = ppid;
	bw_strlcpy(e->exe, exe, sizeof(e->exe));
}

static void pcache_drop(struct agent *a, pid_t pid)
{
	struct pcache_ent *e = pcache_slot(a, pid);

	if (e && e->pid == pid)
		e->pid = 0;
}

/* A fork: the child runs its parent's executable until it execs. */
static void pcache_fork(struct agent *a, pid_t child, pid_t parent)
{
	const struct pcache_ent *pe = pcache_get(a, parent);
	struct pcache_ent *e = pcache_slot(a, child);

	if (!e)
		return;
	if (!pe || pe == e) {
		e->pid = 0;
		return;
	}
	e->pid = child;
	e->ppid = parent;
	memcpy(e->exe, pe->exe, strlen(pe->exe) + 1);
}

/* The executable of pid: the cache, else /proc/PID/exe. */
static bool exe_of(struct agent *a, pid_t pid, char *out, size_t outsz)
{
	const struct pcache_ent *e = pcache_get(a, pid);

	if (e) {
		bw_strlcpy(out, e->exe, outsz);
		return true;
	}
	return proc_readlink(pid, "exe", out, outsz);
}

static void pinfo_from_proc(struct agent *a, struct pinfo *p, const struct agent_proc_ev *ev)
{
	memset(p, 0, sizeof(*p));
	p->pid = ev->pid;
	p->ppid = ev->ppid ? ev->ppid : proc_ppid(ev->pid);
	p->uid = ev->uid;
	p->gid = ev->gid;
	p->have_ids = true;
	p->exe_known = proc_readlink(ev->pid, "exe", p->exe, sizeof(p->exe));
	if (!p->exe_known && ev->filename[0])
		bw_strlcpy(p->exe, ev->filename, sizeof(p->exe));
	if (ev->type == AGENT_EV_EXEC && p->exe_known)
		pcache_put(a, p->pid, p->ppid, p->exe);
	if (p->ppid > 0)
		exe_of(a, p->ppid, p->parent_exe, sizeof(p->parent_exe));
	if (ev->type == AGENT_EV_EXEC && ev->args_len > 0) {
		p->args_len = ev->args_len < AGENT_ARGS_LEN ? ev->args_len : AGENT_ARGS_LEN;
		memcpy(p->args, ev->args, p->args_len);
	} else {
		p->args_len = proc_read(ev->pid, "cmdline", p->args, sizeof(p->args));
	}
	pinfo_join_args(p);
	if (ev->type == AGENT_EV_EXEC && (ev->fd_socket & AGENT_FDSOCK_CHECKED)) {
		/* eBPF read them at exec time: right even if the shell is gone */
		p->stdin_socket = (ev->fd_socket & AGENT_FDSOCK_0) != 0;
		p->stdout_socket = (ev->fd_socket & AGENT_FDSOCK_1) != 0;
	} else if (ev->type == AGENT_EV_EXEC) {
		/* the proc connector: only what is still there when we look */
		p->stdin_socket = fd_is_socket(ev->pid, 0);
		p->stdout_socket = fd_is_socket(ev->pid, 1);
	}
}

/* For fanotify events: the process doing the open/exec, from /proc only. */
static void pinfo_from_pid(struct pinfo *p, pid_t pid)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = proc_ppid(pid);
	proc_readlink(pid, "exe", p->exe, sizeof(p->exe));
	if (p->ppid > 0)
		proc_readlink(p->ppid, "exe", p->parent_exe, sizeof(p->parent_exe));
}

static json_t *proc_json(const struct pinfo *p, bool with_args)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "pid", json_integer(p->pid));
	if (p->ppid > 0)
		json_object_set_new(o, "ppid", json_integer(p->ppid));
	if (p->have_ids) {
		json_object_set_new(o, "uid", json_integer(p->uid));
		json_object_set_new(o, "gid", json_integer(p->gid));
	}
	set_str(o, "exe", p->exe);
	if (with_args && p->args_len > 0) {
		json_t *arr = json_array();
		size_t i = 0;

		while (i < p->args_len) {
			size_t n = strnlen(p->args + i, p->args_len - i);
			char *s = bw_strndup(p->args + i, n);

			json_array_append_new(arr, bw_json_string_lossy(s ? s : ""));
			free(s);
			i += n + 1;
		}
		json_object_set_new(o, "args", arr);
	}
	set_str(o, "parent_exe", p->parent_exe);
	return o;
}

static json_t *file_json(const char *path, const char *access_name)
{
	json_t *o = json_object();

	set_str(o, "path", path);
	set_str(o, "access", access_name);
	return o;
}

static const char *access_name(unsigned acc)
{
	if (acc & AGENT_ACC_EXEC)
		return "exec";
	if (acc & AGENT_ACC_WRITE)
		return "write";
	return "read";
}

/* An event about a container (and maybe a process): type, container. */
static json_t *ctr_event(const struct agent *a, const char *type, const struct agent_cstate *cs)
{
	json_t *ev = agent_event_new(type);

	if (ev && cs)
		json_object_set_new(ev, "container", ctr_json(a, cs));
	return ev;
}

static void emit(struct agent *a, json_t *ev)
{
	agent_evout_emit(a->out, ev);
}

static void emit_simple(struct agent *a, const char *type, const char *reason)
{
	json_t *ev = agent_event_new(type);

	if (ev && reason)
		json_object_set_new(ev, "reason", bw_json_string_lossy(reason));
	emit(a, ev);
}

/* ---- containers ------------------------------------------------------- */

static struct agent_cstate *ctr_by_mntns(struct agent *a, uint64_t mntns)
{
	for (struct agent_cstate *cs = a->ctrs; cs; cs = cs->next)
		if (cs->c.mntns == mntns)
			return cs;
	return NULL;
}

static struct agent_cstate *ctr_by_id(struct agent *a, const char *runtime, const char *id)
{
	for (struct agent_cstate *cs = a->ctrs; cs; cs = cs->next)
		if (strcmp(cs->c.id, id) == 0 && strcmp(cs->c.runtime, runtime) == 0)
			return cs;
	return NULL;
}

#define MAX_CTR_MOUNTS 512

/* The mount ids of the container (first field of /proc/PID/mountinfo): a
 * file event whose process is already gone is placed by its mount. */
static void ctr_read_mounts(struct agent_cstate *cs)
{
	char p[64];
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	const char *line;

	snprintf(p, sizeof(p), "/proc/%d/mountinfo", (int)cs->c.init_pid);
	bw_buf_init(&b, 1u << 20);
	if (bw_buf_read_file(&b, p, &eb) != BW_OK || b.len == 0) {
		bw_buf_release(&b);
		return;
	}
	cs->mnt_ids = bw_calloc(MAX_CTR_MOUNTS, sizeof(*cs->mnt_ids));
	for (line = b.data; cs->mnt_ids && line && *line && cs->nmnt < MAX_CTR_MOUNTS;) {
		const char *nl = strchr(line, '\n');
		char *end;
		unsigned long long id;

		errno = 0;
		id = strtoull(line, &end, 10);
		if (!errno && end != line && *end == ' ')
			cs->mnt_ids[cs->nmnt++] = id;
		line = nl ? nl + 1 : NULL;
	}
	bw_buf_release(&b);
}

static struct agent_cstate *ctr_by_mount(struct agent *a, uint64_t mnt_id)
{
	if (mnt_id == 0)
		return NULL;
	for (struct agent_cstate *cs = a->ctrs; cs; cs = cs->next)
		for (size_t i = 0; i < cs->nmnt; i++)
			if (cs->mnt_ids[i] == mnt_id)
				return cs;
	return NULL;
}

/* The group a container belongs to under the current policy set. */
static struct agent_group *ctr_resolve_group(struct agent *a, const struct agent_ctr *c)
{
	struct policy_target t = {
		.group = c->group[0] ? c->group : c->id,
		.name = c->name[0] ? c->name : c->id,
		.image = c->image,
		.k8s_namespace = c->k8s_namespace,
		.labels = &c->labels,
	};
	const struct policy_doc *doc = policy_select(&a->policy, &t);

	return group_get(a, doc && doc->name ? doc->name : t.group);
}

/* Directory to watch for a file rule's glob, and whether below it too. */
static void rule_watch_path(const char *glob, char *dir, size_t dirsz, bool *recursive)
{
	size_t wild = strcspn(glob, "*?[");
	size_t cut = wild;

	*recursive = false;
	if (glob[wild] == '\0') { /* a plain path: the file, via its directory */
		bw_strlcpy(dir, glob, dirsz);
		return;
	}
	while (cut > 0 && glob[cut - 1] != '/')
		cut--;
	if (cut > 1)
		cut--; /* drop the trailing slash, keep "/" alone */
	if (cut + 1 > dirsz)
		cut = dirsz - 1;
	memcpy(dir, glob, cut);
	dir[cut] = '\0';
	*recursive = strstr(glob + wild, "**") != NULL || strchr(glob + wild, '/') != NULL;
}

/* Sensitive files watched (FAN_OPEN_PERM) beyond agent_detect_watches():
 * credentials no detection names yet, but a file rule may. */
static const char *const detect_read_paths[] = {
	"/root/.kube/config", "/root/.docker/config.json",
};

static void watch(struct agent *a, struct agent_cstate *cs, const char *path, bool recursive)
{
	struct bw_errbuf eb = {{0}};

	if (agent_fan_watch(a->fan, cs->c.init_pid, path, recursive, &eb) != BW_OK)
		BW_DEBUG("agent: container %s: watch %s: %s", cs->c.id, path, eb.msg);
}

/* /home/ * /.ssh inside the container (at most 64 homes). */
static void watch_home_ssh(struct agent *a, struct agent_cstate *cs)
{
	char home[64], path[384];
	struct dirent *de;
	int count = 0;
	DIR *d;

	snprintf(home, sizeof(home), "/proc/%d/root/home", (int)cs->c.init_pid);
	d = opendir(home);
	if (!d)
		return;
	while ((de = readdir(d)) && count < 64) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/home/%s/.ssh", de->d_name);
		watch(a, cs, path, false);
		count++;
	}
	closedir(d);
}

static void ctr_place_watches(struct agent *a, struct agent_cstate *cs)
{
	const struct policy_doc *doc = cs->g ? cs->g->doc : NULL;

	const struct agent_detect_watch *dw;
	size_t ndw = 0;

	if (!cs->marked)
		return;
	/* the detections' own list (sudoers, SSH host keys, service account
	 * tokens, kernel interface files, ...) and the agent's additions */
	dw = agent_detect_watches(&ndw);
	for (size_t i = 0; i < ndw; i++)
		watch(a, cs, dw[i].path, dw[i].recursive);
	for (size_t i = 0; i < sizeof(detect_read_paths) / sizeof(detect_read_paths[0]); i++)
		watch(a, cs, detect_read_paths[i], false);
	watch_home_ssh(a, cs);
	for (size_t i = 0; doc && i < doc->nfiles; i++) {
		char dir[AGENT_PATH_LEN];
		bool rec;

		if (doc->files[i].action != POLICY_ACTION_DENY || !doc->files[i].path)
			continue;
		rule_watch_path(doc->files[i].path, dir, sizeof(dir), &rec);
		watch(a, cs, dir, rec);
		if (!rec && strcspn(doc->files[i].path, "*?[") == strlen(doc->files[i].path)) {
			char parent[AGENT_PATH_LEN];
			char *slash;

			bw_strlcpy(parent, dir, sizeof(parent));
			slash = strrchr(parent, '/');
			if (slash && slash != parent) {
				*slash = '\0';
				watch(a, cs, parent, false); /* creation of the file */
			}
		}
	}
}

/* ---- container addresses: the peer group of a connection ----------------- */

static uint64_t self_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* ::ffff:a.b.c.d: an IPv4 peer of a dual-stack IPv6 socket */
static bool addr_v4mapped(const uint8_t *a6)
{
	static const uint8_t prefix[12] = {[10] = 0xff, [11] = 0xff};

	return memcmp(a6, prefix, sizeof(prefix)) == 0;
}

static void ctr_addr_add(struct agent_cstate *cs, uint8_t family, const uint8_t *addr)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < cs->naddrs; i++)
		if (cs->addrs[i].family == family && memcmp(cs->addrs[i].a, addr, len) == 0)
			return;
	if (cs->naddrs >= MAX_CTR_ADDRS)
		return;
	memset(cs->addrs[cs->naddrs].a, 0, sizeof(cs->addrs[0].a));
	memcpy(cs->addrs[cs->naddrs].a, addr, len);
	cs->addrs[cs->naddrs].family = family;
	cs->naddrs++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The container's own addresses, from its network namespace as its init
 * process sees it: the LOCAL entries of /proc/PID/net/fib_trie ("|-- IP"
 * followed by "/32 host LOCAL") and /proc/PID/net/if_inet6 (32 hex digits
 * first); loopback left out. None when the container shares the agent's
 * network namespace: the host's addresses belong to no container. */
static void ctr_read_addrs(struct agent_cstate *cs)
{
	static const uint8_t v6_loopback[16] = {[15] = 1};
	char path[64], line[256], last[INET_ADDRSTRLEN] = "";
	unsigned nlines = 0;
	struct stat st;
	uint64_t netns;
	FILE *f;

	cs->naddrs = 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)cs->c.init_pid);
	if (cs->c.init_pid <= 0 || stat(path, &st) != 0)
		return;
	netns = (uint64_t)st.st_ino;
	if (netns == self_netns())
		return;
	snprintf(path, sizeof(path), "/proc/%d/net/fib_trie", (int)cs->c.init_pid);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f) && nlines++ < 100000) {
			const char *s = strstr(line, "|-- ");
			struct in_addr in;

			if (s) {
				size_t n = strcspn(s + 4, " \n");

				last[0] = '\0';
				if (n < sizeof(last)) {
					memcpy(last, s + 4, n);
					last[n] = '\0';
				}
			} else if (last[0] && strstr(line, "host LOCAL") &&
				   inet_pton(AF_INET, last, &in) == 1 &&
				   ((const uint8_t *)&in)[0] != 127) {
				ctr_addr_add(cs, AF_INET, (const uint8_t *)&in);
			}
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/net/if_inet6", (int)cs->c.init_pid);
	f = fopen(path, "re");
	if (f) {
		nlines = 0;
		while (fgets(line, sizeof(line), f) && nlines++ < 10000) {
			uint8_t a6[16];
			size_t i;

			for (i = 0; i < 16; i++) {
				int hi = hexval(line[2 * i]), lo = hi < 0 ? -1 : hexval(line[2 * i + 1]);

				if (lo < 0)
					break;
				a6[i] = (uint8_t)(hi << 4 | lo);
			}
			if (i == 16 && line[32] == ' ' && memcmp(a6, v6_loopback, 16) != 0)
				ctr_addr_add(cs, AF_INET6, a6);
		}
		fclose(f);
	}
	/* the pid may have been reused meanwhile: keep nothing then */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)cs->c.init_pid);
	if (stat(path, &st) != 0 || (uint64_t)st.st_ino != netns)
		cs->naddrs = 0;
}

static const struct agent_group *addr_owner(const struct agent *a, uint8_t family,
					    const uint8_t *addr, bool *ambiguous)
{
	const struct agent_group *g = NULL;
	size_t len = family == AF_INET ? 4 : 16;

	*ambiguous = false;
	for (const struct agent_cstate *cs = a->ctrs; cs; cs = cs->next)
		for (size_t i = 0; i < cs->naddrs; i++) {
			if (cs->addrs[i].family != family || memcmp(cs->addrs[i].a, addr, len) != 0)
				continue;
			if (g && cs->g != g)
				*ambiguous = true;
			g = cs->g;
		}
	return g;
}

/* The group of the container that owns the address (an IPv4-mapped IPv6
 * address as IPv4), or NULL: no known container has it, or containers of
 * different groups do (separate networks reusing addresses). A miss re-reads
 * every container's addresses, at most once a second (a network set up after
 * the container was found). */
static const char *peer_group(struct agent *a, uint8_t family, const uint8_t *addr)
{
	const struct agent_group *g;
	bool ambiguous;
	uint64_t now;

	if (family == AF_INET6 && addr_v4mapped(addr)) {
		family = AF_INET;
		addr += 12;
	}
	g = addr_owner(a, family, addr, &ambiguous);
	if (!g && !ambiguous) {
		now = bw_time_mono_ns();
		if (now - a->last_addr_refresh_ns >= ADDR_REFRESH_NS) {
			a->last_addr_refresh_ns = now;
			for (struct agent_cstate *cs = a->ctrs; cs; cs = cs->next)
				ctr_read_addrs(cs);
			g = addr_owner(a, family, addr, &ambiguous);
		}
	}
	return g && !ambiguous ? g->name : NULL;
}

static enum policy_mode ctr_mode(const struct agent *a, const struct agent_cstate *cs)
{
	return cs->g ? group_mode(a, cs->g) : a->opts->default_mode;
}

/* After a mode or policy change: protect containers get permission exec
 * marks, the others notification ones (the new kind is added before the old
 * one is removed: agent_fan_mark_container_exec). */
static void ctr_sync_marks(struct agent *a)
{
	for (struct agent_cstate *cs = a->ctrs; cs; cs = cs->next) {
		struct bw_errbuf eb = {{0}};
		bool want = ctr_mode(a, cs) == POLICY_MODE_PROTECT;

		if (!cs->marked || cs->exec_perm == want)
			continue;
		if (agent_fan_mark_container_exec(a->fan, cs->c.init_pid, want, &eb) == BW_OK)
			cs->exec_perm = want;
		else
			BW_WARN("agent: container %s: exec marks not switched to %s: %s", cs->c.id,
				want ? "permission" : "notification", eb.msg);
	}
}

static void ctr_added(struct agent *a, const struct agent_ctr *c)
{
	struct bw_errbuf eb = {{0}};
	struct agent_cstate *cs;

	if (c->mntns == 0 || c->mntns == a->self_mntns) {
		BW_WARN("agent: container %s shares the host's mount namespace; not enforced", c->id);
		return;
	}
	if (ctr_by_id(a, c->runtime, c->id) || ctr_by_mntns(a, c->mntns))
		return;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return;
	cs->c = *c;
	memset(&cs->c.labels, 0, sizeof(cs->c.labels));
	for (size_t i = 0; i < c->labels.n; i++)
		if (bw_strv_push(&cs->c.labels, c->labels.v[i]) != BW_OK)
			break;
	cs->g = ctr_resolve_group(a, &cs->c);
	ctr_read_mounts(cs);
	ctr_read_addrs(cs);
	/* only protect makes an exec wait for the agent (docs/agent.md, "Performance") */
	cs->exec_perm = ctr_mode(a, cs) == POLICY_MODE_PROTECT;
	if (agent_fan_mark_container_exec(a->fan, c->init_pid, cs->exec_perm, &eb) == BW_OK)
		cs->marked = true;
	else
		BW_WARN("agent: container %s: not marked, exec and file control off: %s", c->id,
			eb.msg);
	cs->next = a->ctrs;
	a->ctrs = cs;
	ctr_place_watches(a, cs);
	BW_INFO("agent: container %s (%s) pid %d group %s mode %s", c->id, c->runtime,
		(int)c->init_pid, cs->g ? cs->g->name : "?",
		cs->g ? policy_mode_name(group_mode(a, cs->g)) : "?");
	emit(a, ctr_event(a, "container.start", cs));
}

static void ctr_removed(struct agent *a, const struct agent_ctr *c)
{
	struct agent_cstate **pp = &a->ctrs;

	for (; *pp; pp = &(*pp)->next) {
		struct agent_cstate *cs = *pp;

		if (strcmp(cs->c.id, c->id) != 0 || strcmp(cs->c.runtime, c->runtime) != 0)
			continue;
		emit(a, ctr_event(a, "container.stop", cs));
		agent_detect_forget(a->det, cs->c.mntns);
		agent_fan_forget_container(a->fan, cs->c.mntns);
		*pp = cs->next;
		bw_strv_release(&cs->c.labels);
		free(cs->mnt_ids);
		free(cs);
		return;
	}
}

static void on_ctr(void *ctx, enum agent_ctr_change what, const struct agent_ctr *c)
{
	struct agent *a = ctx;

	if (what == AGENT_CTR_ADDED)
		ctr_added(a, c);
	else if (what == AGENT_CTR_REMOVED)
		ctr_removed(a, c);
}

/* The container of a mount namespace; an unknown non-host one triggers one
 * rate-limited rescan. NULL: host or unknown. */
static struct agent_cstate *ctr_lookup(struct agent *a, uint64_t mntns, bool may_refresh)
{
	struct agent_cstate *cs;
	uint64_t now;

	if (mntns == 0 || mntns == a->self_mntns)
		return NULL;
	cs = ctr_by_mntns(a, mntns);
	if (cs || !may_refresh)
		return cs;
	now = bw_time_mono_ns();
	if (now - a->last_refresh_ns >= REFRESH_MIN_NS) {
		struct bw_errbuf eb = {{0}};

		a->last_refresh_ns = now;
		if (agent_ctrs_refresh(a->cs, &eb) != BW_OK)
			BW_DEBUG("agent: container rescan: %s", eb.msg);
		cs = ctr_by_mntns(a, mntns);
	}
	return cs;
}

/* ---- detections ---------------------------------------------------------- */

static void run_detections(struct agent *a, struct agent_cstate *cs, const struct pinfo *p,
			   const struct agent_det_in *in, const char *fpath, unsigned acc)
{
	struct agent_det_hit hits[MAX_DET_HITS];
	size_t n = agent_detect_eval(a->det, in, hits, MAX_DET_HITS);

	for (size_t i = 0; i < n && i < MAX_DET_HITS; i++) {
		const struct agent_detection *d = hits[i].det;
		json_t *ev, *det, *mitre;

		if (!d || !policy_detection_enabled(cs->g ? cs->g->doc : NULL, d->id, in->exe,
						    fpath ? fpath : ""))
			continue;
		/* with eBPF every write open of these files is seen at the system
		 * call (AGENT_DET_OPEN): the fanotify copy would be a duplicate */
		if (in->kind == AGENT_DET_FILE && a->src && strcmp(agent_src_name(a->src), "bpf") == 0 &&
		    strcmp(d->id, "BW-RT-015") == 0)
			continue;
		a->n.alerts++;
		ev = ctr_event(a, "alert", cs);
		if (!ev)
			continue;
		json_object_set_new(ev, "process", proc_json(p, true));
		if (fpath)
			json_object_set_new(ev, "file", file_json(fpath, access_name(acc)));
		det = json_object();
		set_str(det, "id", d->id);
		set_str(det, "name", d->name);
		set_str(det, "severity", d->severity);
		mitre = json_object();
		set_str(mitre, "id", d->mitre);
		set_str(mitre, "name", d->mitre_name);
		json_object_set_new(det, "mitre", mitre);
		set_str(det, "detail", hits[i].detail);
		json_object_set_new(ev, "detection", det);
		json_object_set_new(ev, "action", json_string("alerted"));
		emit(a, ev);
	}
}

/* ---- process events ---------------------------------------------------- */

static void fmt_addr(const struct agent_net *n, const uint8_t *addr, uint16_t port, char *out,
		     size_t outsz)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (n->family == AF_INET6 && addr_v4mapped(addr)) {
		inet_ntop(AF_INET, addr + 12, ip, sizeof(ip)); /* as the IPv4 peer sees it */
		snprintf(out, outsz, "%s:%u", ip, (unsigned)port);
	} else if (n->family == AF_INET6) {
		inet_ntop(AF_INET6, addr, ip, sizeof(ip));
		snprintf(out, outsz, "[%s]:%u", ip, (unsigned)port);
	} else {
		inet_ntop(AF_INET, addr, ip, sizeof(ip));
		snprintf(out, outsz, "%s:%u", ip, (unsigned)port);
	}
}

static void on_net(struct agent *a, struct agent_cstate *cs, const struct agent_proc_ev *ev,
		   const struct pinfo *p, enum policy_mode mode)
{
	bool egress = ev->type == AGENT_EV_CONNECT;
	const struct agent_net *n = &ev->u.net;
	const char *proto = n->proto == IPPROTO_UDP ? "udp" : "tcp";
	char local[64], remote[64], peer[INET6_ADDRSTRLEN] = "?";
	const char *pgroup = peer_group(a, n->family == AF_INET6 ? AF_INET6 : AF_INET, n->daddr);
	json_t *e, *net;

	fmt_addr(n, n->saddr, n->sport, local, sizeof(local));
	fmt_addr(n, n->daddr, n->dport, remote, sizeof(remote));
	if (n->family == AF_INET6 && addr_v4mapped(n->daddr))
		inet_ntop(AF_INET, n->daddr + 12, peer, sizeof(peer)); /* a v4 peer */
	else
		inet_ntop(n->family == AF_INET6 ? AF_INET6 : AF_INET, n->daddr, peer,
			  sizeof(peer));
	/* the peer: the group of the container owning the address, else it */
	if (mode == POLICY_MODE_DISCOVER && cs->g &&
	    policy_profile_add_conn(&cs->g->profile, egress, pgroup ? pgroup : peer,
				    egress ? n->dport : n->sport, proto))
		cs->g->dirty = true;
	e = ctr_event(a, egress ? "net.connect" : "net.accept", cs);
	if (!e)
		return;
	json_object_set_new(e, "process", proc_json(p, false));
	net = json_object();
	set_str(net, "direction", egress ? "egress" : "ingress");
	set_str(net, "proto", proto);
	set_str(net, "local", local);
	set_str(net, "remote", remote);
	set_str(net, "peer_group", pgroup);
	json_object_set_new(e, "net", net);
	json_object_set_new(e, "action",
			    json_string(mode == POLICY_MODE_DISCOVER ? "learned" : "allowed"));
	emit(a, e);
}

static enum agent_det_kind det_kind_of(enum agent_ev_type t)
{
	switch (t) {
	case AGENT_EV_EXEC: return AGENT_DET_EXEC;
	case AGENT_EV_PTRACE: return AGENT_DET_PTRACE;
	case AGENT_EV_SETID: return AGENT_DET_SETID;
	case AGENT_EV_MODULE: return AGENT_DET_MODULE;
	case AGENT_EV_MOUNT: return AGENT_DET_MOUNT;
	case AGENT_EV_MEMFD: return AGENT_DET_MEMFD;
	case AGENT_EV_CONNECT: return AGENT_DET_CONNECT;
	case AGENT_EV_OPEN_ESCAPE: return AGENT_DET_OPEN;
	default: return 0;
	}
}

/* "process.exit": the wait(2) status split into code or signal. The
 * process is gone (no /proc/PID/exe): its executable from the per-process
 * cache when there, and the task name. */
static void emit_exit(struct agent *a, const struct agent_cstate *cs,
		      const struct agent_proc_ev *ev)
{
	const struct pcache_ent *pe = pcache_get(a, ev->pid);
	char comm[AGENT_COMM_LEN + 1];
	int st = ev->u.exit.code;
	json_t *e = ctr_event(a, "process.exit", cs), *p, *x;

	if (!e)
		return;
	p = json_object();
	json_object_set_new(p, "pid", json_integer(ev->pid));
	if (ev->ppid > 0)
		json_object_set_new(p, "ppid", json_integer(ev->ppid));
	json_object_set_new(p, "uid", json_integer(ev->uid));
	json_object_set_new(p, "gid", json_integer(ev->gid));
	memcpy(comm, ev->comm, AGENT_COMM_LEN);
	comm[AGENT_COMM_LEN] = '\0';
	set_str(p, "comm", comm);
	if (pe)
		set_str(p, "exe", pe->exe);
	json_object_set_new(e, "process", p);
	x = json_object();
	if (WIFSIGNALED(st)) {
		json_object_set_new(x, "signal", json_integer(WTERMSIG(st)));
		if (WCOREDUMP(st))
			json_object_set_new(x, "core", json_true());
	} else {
		json_object_set_new(x, "code", json_integer(WEXITSTATUS(st)));
	}
	json_object_set_new(e, "exit", x);
	emit(a, e);
}

static void on_proc(void *ctx, const struct agent_proc_ev *ev)
{
	struct agent *a = ctx;
	struct agent_cstate *cs;
	struct agent_det_in in;
	enum policy_mode mode;
	struct pinfo p;
	uint64_t mntns;

	if (ev->type == AGENT_EV_FORK)
		pcache_fork(a, ev->pid, ev->ppid);
	if (ev->pid == a->self_pid || ev->type == AGENT_EV_FORK) {
		a->n.handled++;
		return;
	}
	if (ev->type == AGENT_EV_EXIT) {
		/* the process is gone: only a source that read its mount
		 * namespace at exit (eBPF) can place it in a container */
		cs = ev->mntns && ev->mntns != a->self_mntns ? ctr_lookup(a, ev->mntns, false)
							      : NULL;
		a->n.handled++;
		if (cs)
			emit_exit(a, cs, ev);
		return;
	}
	mntns = ev->mntns ? ev->mntns : agent_pid_mntns(ev->pid);
	if (mntns == 0 || mntns == a->self_mntns) {
		a->n.handled++; /* host */
		if (ev->type == AGENT_EV_EXEC)
			pcache_drop(a, ev->pid); /* its cached image is not current */
		return;
	}
	cs = ctr_lookup(a, mntns, true);
	if (!cs) {
		a->n.unknown_ctr++;
		return;
	}
	a->n.handled++;
	mode = cs->g ? group_mode(a, cs->g) : a->opts->default_mode;
	pinfo_from_proc(a, &p, ev);
	if (ev->type == AGENT_EV_CONNECT || ev->type == AGENT_EV_ACCEPT)
		on_net(a, cs, ev, &p, mode);
	if (ev->type == AGENT_EV_EXEC) {
		json_t *e;

		/* fanotify learns the path the kernel checks; this adds the parent
		 * when the process could be read (an execve argument may be
		 * relative or /proc/self/exe) */
		if (mode == POLICY_MODE_DISCOVER && cs->g && p.exe_known &&
		    policy_profile_add_exec(&cs->g->profile, p.exe, p.parent_exe))
			cs->g->dirty = true;
		e = ctr_event(a, "process.exec", cs);
		if (e) {
			json_object_set_new(e, "process", proc_json(&p, true));
			json_object_set_new(e, "action", json_string(mode == POLICY_MODE_DISCOVER ?
									     "learned" : "allowed"));
			emit(a, e);
		}
	}
	if (!det_kind_of(ev->type))
		return;
	memset(&in, 0, sizeof(in));
	in.kind = det_kind_of(ev->type);
	in.mntns = mntns;
	in.pid = p.pid;
	in.ppid = p.ppid;
	in.uid = ev->uid;
	in.exe = p.exe;
	in.args = p.args_joined;
	in.parent_exe = p.parent_exe;
	in.stdin_socket = p.stdin_socket;
	in.stdout_socket = p.stdout_socket;
	in.path = ev->type == AGENT_EV_EXEC ? p.exe : ev->filename;
	in.raw = ev;
	if (ev->type == AGENT_EV_OPEN_ESCAPE) {
		in.access = AGENT_ACC_WRITE; /* the path as given: maybe relative */
		run_detections(a, cs, &p, &in, ev->filename, AGENT_ACC_WRITE);
		return;
	}
	run_detections(a, cs, &p, &in, NULL, 0);
}

/* ---- fanotify ------------------------------------------------------------ */

/* "rule FILE:LINE" of the first rule that gives verdict v (the policy module
 * evaluates in file order; this names the rule for the event). */
static void exec_rule_reason(const struct policy_doc *doc, const char *exe, const char *parent,
			     char *out, size_t outsz)
{
	struct policy_doc one;

	snprintf(out, outsz, "rule %s", doc && doc->file ? doc->file : "?");
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nprocs; i++) {
		one = *doc;
		one.procs = &doc->procs[i];
		one.nprocs = 1;
		if (policy_check_exec(&one, exe, parent) != POLICY_VERDICT_NONE) {
			snprintf(out, outsz, "rule %s:%d", doc->file ? doc->file : "?",
				 doc->procs[i].line);
			return;
		}
	}
}

static void file_rule_reason(const struct policy_doc *doc, const char *path, unsigned acc,
			     char *out, size_t outsz)
{
	struct policy_doc one;

	snprintf(out, outsz, "rule %s", doc && doc->file ? doc->file : "?");
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nfiles; i++) {
		one = *doc;
		one.files = &doc->files[i];
		one.nfiles = 1;
		if (policy_check_file(&one, path, acc) != POLICY_VERDICT_NONE) {
			snprintf(out, outsz, "rule %s:%d", doc->file ? doc->file : "?",
				 doc->files[i].line);
			return;
		}
	}
}

/* A "violation" (monitor) or "blocked" (protect) event. */
static void emit_verdict(struct agent *a, struct agent_cstate *cs, bool blocked,
			 const struct pinfo *p, const char *path, unsigned acc, const char *reason)
{
	json_t *ev = ctr_event(a, blocked ? "blocked" : "violation", cs);

	if (blocked)
		a->n.denied++;
	else
		a->n.violations++;
	if (!ev)
		return;
	json_object_set_new(ev, "process", proc_json(p, false));
	json_object_set_new(ev, "file", file_json(path, access_name(acc)));
	json_object_set_new(ev, "action", json_string(blocked ? "denied" : "alerted"));
	json_object_set_new(ev, "reason", bw_json_string_lossy(reason));
	emit(a, ev);
}

/* The parent of a program whose exec was a notification (discover,
 * monitor): read after the exec went on, so the caller may already run the
 * new program, or be gone. The caller's entry in the process cache (the
 * process events queued so far read first: its fork is there) is its old
 * image unless its exec was seen already; then, as when the caller already
 * runs ev->path, its parent process's executable stands in. */
static void notified_exec_parent(struct agent *a, const struct agent_fan_ev *ev, char *parent,
				 size_t parentsz)
{
	const struct pcache_ent *e = pcache_get(a, ev->pid);
	pid_t pp;

	if (!e && a->src) {
		agent_src_dispatch_queued(a->src);
		e = pcache_get(a, ev->pid);
	}
	if (e && strcmp(e->exe, ev->path) != 0) {
		bw_strlcpy(parent, e->exe, parentsz);
		return;
	}
	if (e) {
		pp = e->ppid;
	} else {
		if (proc_readlink(ev->pid, "exe", parent, parentsz) && strcmp(parent, ev->path) != 0)
			return;
		pp = proc_ppid(ev->pid);
	}
	parent[0] = '\0';
	if (pp > 0)
		exe_of(a, pp, parent, parentsz);
}

static bool fan_exec(struct agent *a, struct agent_cstate *cs, const struct agent_fan_ev *ev)
{
	struct agent_group *g = cs->g;
	enum policy_mode mode = g ? group_mode(a, g) : a->opts->default_mode;
	const struct policy_doc *doc = g ? g->doc : NULL;
	char parent[AGENT_PATH_LEN], reason[AGENT_PATH_LEN + 32];
	enum policy_verdict v;
	struct pinfo p;
	bool lazy;

	/* the caller of execve still runs its old image: the new program's
	 * parent. A permission event waits for this answer: without a policy
	 * (rules may name a parent) and outside discover, the parent is read
	 * only for a verdict event. */
	lazy = ev->perm && !doc && mode != POLICY_MODE_DISCOVER && mode != POLICY_MODE_UNSET;
	parent[0] = '\0';
	if (ev->perm && !lazy)
		proc_readlink(ev->pid, "exe", parent, sizeof(parent));
	else if (!ev->perm)
		notified_exec_parent(a, ev, parent, sizeof(parent));
	if (mode == POLICY_MODE_DISCOVER || mode == POLICY_MODE_UNSET) {
		if (g && policy_profile_add_exec(&g->profile, ev->path, parent))
			g->dirty = true;
		return true;
	}
	v = policy_check_exec(doc, ev->path, parent);
	if (v == POLICY_VERDICT_ALLOW ||
	    (v == POLICY_VERDICT_NONE && g && policy_profile_has_exec(&g->profile, ev->path)))
		return true;
	if (lazy)
		proc_readlink(ev->pid, "exe", parent, sizeof(parent));
	if (v == POLICY_VERDICT_DENY)
		exec_rule_reason(doc, ev->path, parent, reason, sizeof(reason));
	else
		bw_strlcpy(reason, "not in profile", sizeof(reason));
	memset(&p, 0, sizeof(p));
	p.pid = ev->pid;
	p.ppid = proc_ppid(ev->pid);
	bw_strlcpy(p.exe, ev->path, sizeof(p.exe));
	bw_strlcpy(p.parent_exe, parent, sizeof(p.parent_exe));
	emit_verdict(a, cs, mode == POLICY_MODE_PROTECT, &p, ev->path, AGENT_ACC_EXEC, reason);
	return mode != POLICY_MODE_PROTECT;
}

static void fan_file_detections(struct agent *a, struct agent_cstate *cs,
				const struct agent_fan_ev *ev, const struct pinfo *p)
{
	struct agent_det_in in;

	memset(&in, 0, sizeof(in));
	in.kind = AGENT_DET_FILE;
	in.mntns = cs->c.mntns;
	in.pid = p->pid;
	in.ppid = p->ppid;
	in.exe = p->exe;
	in.args = "";
	in.parent_exe = p->parent_exe;
	in.path = ev->path;
	in.access = ev->access;
	run_detections(a, cs, p, &in, ev->path, ev->access);
}

static bool fan_open(struct agent *a, struct agent_cstate *cs, const struct agent_fan_ev *ev)
{
	struct agent_group *g = cs->g;
	enum policy_mode mode = g ? group_mode(a, g) : a->opts->default_mode;
	const struct policy_doc *doc = g ? g->doc : NULL;
	char reason[AGENT_PATH_LEN + 32];
	struct pinfo p;
	bool deny = false;

	pinfo_from_pid(&p, ev->pid);
	/* a write-only open is judged when the file is closed (WRITTEN), except
	 * below /proc and /sys: those mounts are not marked for close-write */
	if (ev->access != AGENT_ACC_WRITE || bw_str_starts_with(ev->path, "/proc/") ||
	    bw_str_starts_with(ev->path, "/sys/"))
		fan_file_detections(a, cs, ev, &p);
	if (mode != POLICY_MODE_MONITOR && mode != POLICY_MODE_PROTECT)
		return true;
	if (policy_check_file(doc, ev->path, ev->access) != POLICY_VERDICT_DENY)
		return true;
	file_rule_reason(doc, ev->path, ev->access, reason, sizeof(reason));
	deny = mode == POLICY_MODE_PROTECT;
	emit_verdict(a, cs, deny, &p, ev->path, ev->access, reason);
	return !deny;
}

/* Writes below these are not learned or reported (scratch and kernel files). */
static bool write_ignored(const char *path)
{
	static const char *const skip[] = {"/tmp/", "/var/tmp/", "/proc/", "/sys/", "/dev/",
					   "/run/"};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (bw_str_starts_with(path, skip[i]))
			return true;
	return false;
}

static void fan_written(struct agent *a, struct agent_cstate *cs, const struct agent_fan_ev *ev)
{
	struct agent_group *g = cs->g;
	enum policy_mode mode = g ? group_mode(a, g) : a->opts->default_mode;
	const struct policy_doc *doc = g ? g->doc : NULL;
	struct pinfo p;
	json_t *e;

	agent_detect_note_write(a->det, cs->c.mntns, ev->path);
	pinfo_from_pid(&p, ev->pid);
	fan_file_detections(a, cs, ev, &p);
	if (write_ignored(ev->path))
		return;
	if (mode == POLICY_MODE_DISCOVER) {
		if (g && policy_profile_add_write(&g->profile, ev->path))
			g->dirty = true;
	} else {
		enum policy_verdict v = policy_check_file(doc, ev->path, AGENT_ACC_WRITE);
		char reason[AGENT_PATH_LEN + 32];

		if (v == POLICY_VERDICT_DENY) {
			file_rule_reason(doc, ev->path, AGENT_ACC_WRITE, reason, sizeof(reason));
			emit_verdict(a, cs, false, &p, ev->path, AGENT_ACC_WRITE, reason);
			return;
		}
		if (v == POLICY_VERDICT_NONE && !(g && policy_profile_has_write(&g->profile, ev->path))) {
			emit_verdict(a, cs, false, &p, ev->path, AGENT_ACC_WRITE, "not in profile");
			return;
		}
	}
	e = ctr_event(a, "file.write", cs);
	if (!e)
		return;
	json_object_set_new(e, "process", proc_json(&p, false));
	json_object_set_new(e, "file", file_json(ev->path, "write"));
	json_object_set_new(e, "action",
			    json_string(mode == POLICY_MODE_DISCOVER ? "learned" : "allowed"));
	emit(a, e);
}

/* Must not block: the opener waits for the answer. */
static bool on_fan(void *ctx, const struct agent_fan_ev *ev)
{
	struct agent *a = ctx;
	struct agent_cstate *cs;

	if (ev->pid == a->self_pid || !ev->path)
		return true;
	cs = ctr_lookup(a, ev->mntns, false);
	if (!cs && ev->mntns == 0 && !ev->perm)
		cs = ctr_by_mount(a, ev->mnt_id); /* the writer has exited already */
	if (!cs) {
		if (ev->mntns != 0 && ev->mntns != a->self_mntns)
			a->n.unknown_ctr++;
		return true; /* never block what is not a known container */
	}
	a->n.handled++;
	switch (ev->kind) {
	case AGENT_FAN_EXEC:
		return fan_exec(a, cs, ev);
	case AGENT_FAN_OPEN:
		return fan_open(a, cs, ev);
	case AGENT_FAN_WRITTEN:
		fan_written(a, cs, ev);
		return true;
	}
	return true;
}

/* ---- policy --------------------------------------------------------------- */

/* After the policy set changed: every group's policy, every container's
 * group, and the watches its file rules need. */
static void policy_reresolve(struct agent *a)
{
	for (struct agent_group *g = a->groups; g; g = g->next)
		g->doc = doc_by_name(a, g->name);
	for (struct agent_cstate *cs = a->ctrs; cs; cs = cs->next) {
		struct agent_group *g = ctr_resolve_group(a, &cs->c);

		if (g)
			cs->g = g;
		ctr_place_watches(a, cs);
	}
	ctr_sync_marks(a);
}

static json_t *policy_names(const struct agent *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->policy.ndocs; i++)
		json_array_append_new(arr, bw_json_string_lossy(a->policy.docs[i].name));
	return arr;
}

static enum bw_err policy_reload(struct agent *a, struct bw_errbuf *eb)
{
	struct policy_set ns, old;
	enum bw_err result;
	json_t *ev;

	if (!a->opts->policy_dir)
		return bw_fail(eb, BW_ERR_USAGE, "no --policy directory to reload");
	policy_set_init(&ns);
	result = policy_load_dir(&ns, a->opts->policy_dir, eb);
	if (result != BW_OK) {
		policy_set_release(&ns);
		BW_ERROR("agent: policy %s rejected, the previous one stays: %s",
			 a->opts->policy_dir, eb->msg);
		ev = agent_event_new("policy.rejected");
		if (ev) {
			json_object_set_new(ev, "policy", json_pack("{s:s}", "dir",
								      a->opts->policy_dir));
			json_object_set_new(ev, "reason", bw_json_string_lossy(eb->msg));
		}
		emit(a, ev);
		return result;
	}
	old = a->policy;
	a->policy = ns;
	policy_reresolve(a); /* no pointer into old survives this */
	policy_set_release(&old);
	BW_INFO("agent: policy %s applied (%zu documents)", a->opts->policy_dir, a->policy.ndocs);
	ev = agent_event_new("policy.applied");
	if (ev)
		json_object_set_new(ev, "policy", json_pack("{s:s,s:o}", "dir", a->opts->policy_dir,
							      "documents", policy_names(a)));
	emit(a, ev);
	return BW_OK;
}

/* ---- control requests ----------------------------------------------------- */

static json_t *status_json(struct agent *a)
{
	json_t *st = json_object(), *ctrs = json_array(), *groups = json_array(), *cnt, *drop;
	uint64_t sseen = 0, sdrop = 0, fseen = 0, fdenied = 0, fdrop = 0, owr = 0, odrop = 0;

	json_object_set_new(st, "ok", json_true());
	json_object_set_new(st, "source", json_string(a->src ? agent_src_name(a->src) : "none"));
	json_object_set_new(st, "syscall_hooks",
			    json_boolean(a->src && agent_src_syscall_hooks(a->src)));
	for (struct agent_cstate *cs = a->ctrs; cs; cs = cs->next)
		json_array_append_new(
			ctrs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:b}", "id", cs->c.id, "runtime",
					cs->c.runtime, "name", cs->c.name[0] ? cs->c.name : cs->c.id,
					"group", cs->g ? cs->g->name : "",
					"mode", cs->g ? policy_mode_name(group_mode(a, cs->g)) : "",
					"init_pid", (int)cs->c.init_pid, "marked", cs->marked));
	json_object_set_new(st, "containers", ctrs);
	for (struct agent_group *g = a->groups; g; g = g->next)
		json_array_append_new(
			groups,
			json_pack("{s:s,s:s,s:o,s:{s:I,s:I,s:I}}", "name", g->name, "mode",
				  policy_mode_name(group_mode(a, g)), "policy",
				  g->doc && g->doc->file ? bw_json_string_lossy(g->doc->file)
							 : json_null(),
				  "profile", "execs", (json_int_t)g->profile.execs.n, "writes",
				  (json_int_t)g->profile.writes.n, "conns",
				  (json_int_t)g->profile.conns.n));
	json_object_set_new(st, "groups", groups);
	if (a->src)
		agent_src_stats(a->src, &sseen, &sdrop);
	agent_fan_stats(a->fan, &fseen, &fdenied, &fdrop);
	agent_evout_stats(a->out, &owr, &odrop);
	drop = json_pack("{s:I,s:I,s:I,s:I}", "source", (json_int_t)sdrop, "fanotify",
			 (json_int_t)fdrop, "output", (json_int_t)odrop, "unknown_container",
			 (json_int_t)a->n.unknown_ctr);
	cnt = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "events_seen", (json_int_t)(sseen + fseen),
			"events_handled", (json_int_t)a->n.handled, "events_written",
			(json_int_t)owr, "denied", (json_int_t)a->n.denied, "violations",
			(json_int_t)a->n.violations, "alerts", (json_int_t)a->n.alerts, "dropped",
			drop);
	json_object_set_new(st, "counters", cnt);
	return st;
}

static json_t *ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *ctl_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

static json_t *mode_request(struct agent *a, const json_t *req)
{
	const char *group = bw_json_str(req, "group"), *m = bw_json_str(req, "mode");
	enum policy_mode mode;
	struct agent_group *g;
	char reason[512];

	if (!group || !group[0] || strlen(group) > 256)
		return ctl_error("%s", "mode: \"group\" (a group name) is required");
	if (!m || !policy_mode_parse(m, &mode) || mode == POLICY_MODE_UNSET)
		return ctl_error("mode: '%s' is not discover, monitor or protect", m ? m : "");
	g = group_get(a, group);
	if (!g)
		return ctl_error("%s", "mode: too many groups");
	g->override = mode;
	ctr_sync_marks(a);
	snprintf(reason, sizeof(reason), "group %s set to %s at run time", group,
		 policy_mode_name(mode));
	BW_INFO("agent: %s", reason);
	emit_simple(a, "policy.applied", reason);
	return json_pack("{s:b,s:s,s:s}", "ok", 1, "group", group, "mode", policy_mode_name(mode));
}

static json_t *on_ctl(void *ctx, const json_t *req)
{
	struct agent *a = ctx;
	const char *cmd = bw_json_str(req, "cmd");

	if (!cmd)
		return ctl_error("%s", "request: \"cmd\" is required");
	if (strcmp(cmd, "status") == 0)
		return status_json(a);
	if (strcmp(cmd, "mode") == 0)
		return mode_request(a, req);
	if (strcmp(cmd, "reload") == 0) {
		struct bw_errbuf eb = {{0}};

		if (policy_reload(a, &eb) != BW_OK)
			return ctl_error("%s", eb.msg);
		return json_pack("{s:b}", "ok", 1);
	}
	return ctl_error("unknown command '%s' (status, mode, reload)", cmd);
}

/* ---- the loop --------------------------------------------------------------- */

static enum bw_err mkdirs(const char *path, mode_t mode, struct bw_errbuf *eb)
{
	char buf[1024];

	if (bw_strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return bw_fail(eb, BW_ERR_USAGE, "%s: path too long", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST)
			return bw_fail(eb, BW_ERR_IO, "%s: cannot create: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return bw_fail(eb, BW_ERR_IO, "%s: cannot create: %s", buf, strerror(errno));
	return BW_OK;
}

static enum bw_err epoll_add(struct agent *a, int fd, uint32_t tag, struct bw_errbuf *eb)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};

	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		return bw_fail(eb, BW_ERR_IO, "epoll: %s", strerror(errno));
	return BW_OK;
}

static void on_signal(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct bw_errbuf eb = {{0}};

			policy_reload(a, &eb);
		} else {
			a->stop = true;
		}
	}
}

static void on_tick(struct agent *a)
{
	uint64_t expirations, now = bw_time_mono_ns();

	if (read(a->timerfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		BW_DEBUG("agent: timer: %s", strerror(errno));
	/* fork and exit records are queued without a wakeup (bpf/proc.bpf.c):
	 * they are read here at the latest */
	if (a->src) {
		struct bw_errbuf seb = {{0}};

		if (agent_src_dispatch(a->src, &seb) != BW_OK)
			BW_DEBUG("agent: process events: %s", seb.msg);
	}
	groups_save(a, false);
	if (now - a->last_periodic_ns >= REFRESH_PERIOD_NS) {
		struct bw_errbuf eb = {{0}};

		a->last_periodic_ns = now;
		if (agent_ctrs_refresh(a->cs, &eb) != BW_OK)
			BW_DEBUG("agent: container rescan: %s", eb.msg);
	}
	agent_ctl_dispatch(a->ctl);
}

static void dispatch(struct agent *a, uint32_t tag)
{
	struct bw_errbuf eb = {{0}};

	switch (tag) {
	case TAG_SIG:
		on_signal(a);
		break;
	case TAG_TIMER:
		on_tick(a);
		break;
	case TAG_SRC:
		if (agent_src_dispatch(a->src, &eb) != BW_OK)
			BW_DEBUG("agent: process events: %s", eb.msg);
		break;
	case TAG_FAN:
		if (agent_fan_dispatch(a->fan, &eb) != BW_OK)
			BW_DEBUG("agent: fanotify: %s", eb.msg);
		break;
	case TAG_CTRS:
		if (agent_ctrs_dispatch(a->cs, &eb) != BW_OK)
			BW_DEBUG("agent: containers: %s", eb.msg);
		break;
	case TAG_CTL:
		agent_ctl_dispatch(a->ctl);
		break;
	}
}

static enum bw_err loop(struct agent *a, struct bw_errbuf *eb)
{
	while (!a->stop) {
		struct epoll_event evs[16];
		bool fan_ready = false;
		int n = epoll_wait(a->epfd, evs, 16, agent_evout_flush(a->out) ? 50 : -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bw_fail(eb, BW_ERR_IO, "epoll_wait: %s", strerror(errno));
		/* permission events first: an opener is waiting on each */
		for (int i = 0; i < n; i++)
			if (evs[i].data.u32 == TAG_FAN)
				fan_ready = true;
		if (fan_ready)
			dispatch(a, TAG_FAN);
		for (int i = 0; i < n; i++)
			if (evs[i].data.u32 != TAG_FAN)
				dispatch(a, evs[i].data.u32);
	}
	return BW_OK;
}

static enum agent_src_kind source_kind(const char *s)
{
	const char *nobpf = getenv("BULWARK_AGENT_NO_BPF");

	if (s && strcmp(s, "bpf") == 0)
		return AGENT_SRC_BPF;
	if (s && strcmp(s, "proc") == 0)
		return AGENT_SRC_PROC;
	if (nobpf && strcmp(nobpf, "1") == 0)
		return AGENT_SRC_PROC;
	return AGENT_SRC_AUTO;
}

static enum bw_err open_loop_fds(struct agent *a, struct bw_errbuf *eb)
{
	struct itimerspec it = {.it_interval = {0, TICK_MS * 1000000L},
				.it_value = {0, TICK_MS * 1000000L}};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return bw_fail(eb, BW_ERR_IO, "sigprocmask: %s", strerror(errno));
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->epfd < 0 || a->sigfd < 0 || a->timerfd < 0)
		return bw_fail(eb, BW_ERR_IO, "event loop: %s", strerror(errno));
	if (timerfd_settime(a->timerfd, 0, &it, NULL) != 0)
		return bw_fail(eb, BW_ERR_IO, "timerfd: %s", strerror(errno));
	if (epoll_add(a, a->sigfd, TAG_SIG, eb) != BW_OK ||
	    epoll_add(a, a->timerfd, TAG_TIMER, eb) != BW_OK)
		return BW_ERR_IO;
	return BW_OK;
}

static enum bw_err start(struct agent *a, struct bw_errbuf *eb)
{
	const struct agent_opts *o = a->opts;
	struct agent_src_opts sopts = {0};
	enum bw_err result;
	json_t *ev;

	if (o->policy_dir) {
		result = policy_load_dir(&a->policy, o->policy_dir, eb);
		if (result != BW_OK)
			return bw_fail_prefix(eb, result, "policy %s", o->policy_dir);
	}
	a->profiles_dir = bw_strfmt("%s/profiles", o->state_dir);
	if (!a->profiles_dir)
		return BW_ERR_NOMEM;
	result = mkdirs(a->profiles_dir, 0700, eb);
	if (result != BW_OK)
		return result;
	result = agent_evout_open(o->events_path, &a->out, eb);
	if (result != BW_OK)
		return result;
	result = open_loop_fds(a, eb);
	if (result != BW_OK)
		return result;
	a->det = agent_detect_new();
	if (!a->det)
		return BW_ERR_NOMEM;
	a->pcache = calloc(PCACHE_SLOTS, sizeof(*a->pcache)); /* NULL: no cache, /proc only */
	result = agent_fan_open(on_fan, a, &a->fan, eb);
	if (result != BW_OK)
		return bw_fail_prefix(eb, result, "fanotify");
	result = epoll_add(a, agent_fan_fd(a->fan), TAG_FAN, eb);
	if (result != BW_OK)
		return result;
	sopts.syscall_hooks = o->syscall_hooks ? strcmp(o->syscall_hooks, "on") == 0
					       : AGENT_SYSCALL_HOOKS_DEFAULT;
	result = agent_src_open_opts(source_kind(o->source), &sopts, on_proc, a, &a->src, eb);
	if (result != BW_OK)
		return bw_fail_prefix(eb, result, "process events");
	result = epoll_add(a, agent_src_fd(a->src), TAG_SRC, eb);
	if (result != BW_OK)
		return result;
	ev = agent_event_new("agent.start");
	if (ev)
		json_object_set_new(ev, "agent",
				    json_pack("{s:s,s:i,s:s,s:s?,s:o}", "version", bw_version(), "pid",
					      (int)a->self_pid, "source", agent_src_name(a->src),
					      "default_mode", policy_mode_name(o->default_mode),
					      "policies", policy_names(a)));
	emit(a, ev);
	/* containers already running come in as ADDED callbacks here */
	result = agent_ctrs_open(on_ctr, a, &a->cs, eb);
	if (result != BW_OK)
		return bw_fail_prefix(eb, result, "container discovery");
	a->last_periodic_ns = bw_time_mono_ns();
	result = epoll_add(a, agent_ctrs_fd(a->cs), TAG_CTRS, eb);
	if (result != BW_OK)
		return result;
	/* last: `agent status` answers once the initial scan is done */
	result = agent_ctl_listen(o->socket_path, on_ctl, a, &a->ctl, eb);
	if (result != BW_OK)
		return result;
	return epoll_add(a, agent_ctl_fd(a->ctl), TAG_CTL, eb);
}

static void shutdown_agent(struct agent *a, bool started)
{
	groups_save(a, true);
	if (started)
		emit_simple(a, "agent.stop", "signal");
	/* closing fanotify allows every pending permission event */
	agent_fan_free(a->fan);
	agent_src_free(a->src);
	agent_ctrs_free(a->cs);
	agent_ctl_free(a->ctl);
	agent_detect_free(a->det);
	free(a->pcache);
	agent_evout_close(a->out, 1000);
	while (a->ctrs) {
		struct agent_cstate *cs = a->ctrs;

		a->ctrs = cs->next;
		bw_strv_release(&cs->c.labels);
		free(cs->mnt_ids);
		free(cs);
	}
	while (a->groups) {
		struct agent_group *g = a->groups;

		a->groups = g->next;
		group_free(g);
	}
	policy_set_release(&a->policy);
	free(a->profiles_dir);
	if (a->timerfd >= 0)
		close(a->timerfd);
	if (a->sigfd >= 0)
		close(a->sigfd);
	if (a->epfd >= 0)
		close(a->epfd);
}

void agent_opts_init(struct agent_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->events_path = "-";
	o->source = "auto";
	o->default_mode = POLICY_MODE_DISCOVER;
	o->state_dir = AGENT_DEFAULT_STATE_DIR;
	o->socket_path = AGENT_DEFAULT_SOCKET;
}

enum bw_err agent_run(const struct agent_opts *opts, struct bw_errbuf *eb)
{
	struct agent a;
	enum bw_err result;

	memset(&a, 0, sizeof(a));
	a.opts = opts;
	a.epfd = a.sigfd = a.timerfd = -1;
	a.self_pid = getpid();
	a.self_mntns = self_mntns();
	policy_set_init(&a.policy);
	if (opts->source && strcmp(opts->source, "auto") != 0 && strcmp(opts->source, "bpf") != 0 &&
	    strcmp(opts->source, "proc") != 0)
		return bw_fail(eb, BW_ERR_USAGE, "source '%s': expected auto, bpf or proc",
			       opts->source);
	result = start(&a, eb);
	if (result == BW_OK) {
		BW_INFO("agent: running (source %s, %zu containers)", agent_src_name(a.src),
			agent_ctrs_count(a.cs));
		result = loop(&a, eb);
	}
	shutdown_agent(&a, a.ctl != NULL);
	return result;
}

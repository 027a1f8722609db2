/* container.c - the set of running containers, discovered from the state
 * directories of the container runtimes (see docs/agent-containers.md).
 *
 * agent_ctrs_fd() is an epoll fd that becomes readable when something may
 * have changed: the inotify fd (runtime state directories, their parents up
 * to /run so a runtime root created later is seen) and one pidfd per
 * container init process (readable when it exits). Every dispatch drains
 * them and rescans: state files of containers not yet known are parsed,
 * known ones are checked to be alive (pid alive, same mount namespace) and
 * removed otherwise. Everything read from the state dirs is hostile input
 * (ctr_parse.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent/ctr_int.h"

#define CTRS_MAX      4096 /* containers tracked */
#define SCAN_DIR_MAX  8192 /* entries looked at per state root */
#define TAG_INOTIFY   UINT64_MAX

enum layout {
	LAYOUT_RUNC,     /* ROOT/ID/state.json */
	LAYOUT_RUNC_NS,  /* ROOT/NAMESPACE/ID/state.json (containerd) */
	LAYOUT_CRUN,     /* ROOT/ID/status */
};

struct rt_root {
	const char *runtime; /* agent_ctr.runtime */
	const char *dir;
	enum layout layout;
};

/* Order matters: a mount namespace found twice is kept from the first. */
static const struct rt_root rt_roots[] = {
	{"docker", "/run/docker/runtime-runc/moby", LAYOUT_RUNC},
	{"containerd", "/run/containerd/runc", LAYOUT_RUNC_NS},
	{"runc", "/run/runc", LAYOUT_RUNC},
	{"crun", "/run/crun", LAYOUT_CRUN},
};

#define DOCKER_META "/var/lib/docker/containers"
#define PODMAN_META "/var/lib/containers/storage/overlay-containers/containers.json"

struct ctr_ent {
	struct agent_ctr c;
	uint64_t start_time; /* /proc/PID/stat field 22; 0 unknown */
	int pidfd;           /* -1 when pidfd_open is unavailable */
	bool seen;           /* found in the current scan */
};

struct agent_ctrs {
	agent_ctr_cb cb;
	void *ctx;
	int epfd, infd;
	uint64_t self_mntns;
	char cg2_mount[256]; /* cgroup v2 mount point ("" if none) */
	struct ctr_ent **v;
	size_t n, cap;
	/* BULWARK_AGENT_RUNTIME_ROOTS, scanned after rt_roots */
	struct ctr_root extra[CTR_ROOTS_MAX];
	struct rt_root extra_rt[CTR_ROOTS_MAX];
	size_t n_extra;
};

uint64_t agent_pid_mntns(pid_t pid)
{
	char p[64];
	struct stat st;

	if (pid <= 0)
		return 0;
	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	return stat(p, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Read a small regular file without following a final symlink, blocking on
 * a FIFO or reading a device. */
static enum bw_err read_small(const char *path, size_t max, struct bw_buf *b,
			      struct bw_errbuf *eb)
{
	enum bw_err result;
	struct stat st;
	int fd;

	bw_buf_init(b, max);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return bw_fail(eb, BW_ERR_LIMIT, "%s: larger than %zu bytes", path, max);
	}
	result = bw_buf_read_fd(b, fd, path, eb);
	close(fd);
	return result;
}

/* Field 22 (starttime) of /proc/PID/stat; 0 if unreadable. */
static uint64_t pid_start_time(pid_t pid)
{
	char p[64], buf[1024], *s, *end;
	ssize_t n;
	int fd, field;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	s = strrchr(buf, ')'); /* comm may hold spaces and ')' */
	if (!s)
		return 0;
	for (field = 2; field < 22 && s; field++)
		s = strchr(s + 1, ' ');
	if (!s)
		return 0;
	errno = 0;
	unsigned long long v = strtoull(s + 1, &end, 10);
	return errno || end == s + 1 ? 0 : (uint64_t)v;
}

static void find_cgroup2(struct agent_ctrs *cs)
{
	struct bw_errbuf eb = {0};
	struct bw_buf b;
	char *line, *save = NULL;

	cs->cg2_mount[0] = '\0';
	if (read_small("/proc/self/mounts", 1u << 20, &b, &eb) == BW_OK) {
		for (line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char dev[64], mnt[256], type[32];

			if (sscanf(line, "%63s %255s %31s", dev, mnt, type) == 3 &&
			    strcmp(type, "cgroup2") == 0 && !strchr(mnt, '\\')) {
				bw_strlcpy(cs->cg2_mount, mnt, sizeof(cs->cg2_mount));
				break;
			}
		}
	}
	bw_buf_release(&b);
}

/* cgroup v2 id of pid: the inode of its cgroup directory. */
static uint64_t pid_cgroup_id(const struct agent_ctrs *cs, pid_t pid)
{
	struct bw_errbuf eb = {0};
	struct bw_buf b;
	char p[64], *line, *save = NULL, full[PATH_MAX];
	struct stat st;
	uint64_t id = 0;

	if (!cs->cg2_mount[0])
		return 0;
	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)pid);
	if (read_small(p, 65536, &b, &eb) == BW_OK) {
		for (line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (!bw_str_starts_with(line, "0::/") || strstr(line, ".."))
				continue;
			if ((size_t)snprintf(full, sizeof(full), "%s%s", cs->cg2_mount, line + 3) <
				    sizeof(full) &&
			    stat(full, &st) == 0)
				id = (uint64_t)st.st_ino;
			break;
		}
	}
	bw_buf_release(&b);
	return id;
}

static void ent_free(struct ctr_ent *e)
{
	if (!e)
		return;
	if (e->pidfd >= 0)
		close(e->pidfd);
	bw_strv_release(&e->c.labels);
	free(e);
}

/* Names and images that live outside the bundle: Docker's config.v2.json in
 * the directory its /etc/hostname mount comes from (DATA_ROOT/containers/ID,
 * whatever --data-root is), Podman's containers.json next to the bundle
 * (STORE/DRIVER-containers/), else their default locations. cfg is the
 * bundle's config.json (may be empty). */
static void read_runtime_meta(struct agent_ctr *c, bool libpod, const struct bw_buf *cfg)
{
	struct bw_errbuf eb = {0};
	struct bw_buf b;
	char p[PATH_MAX], dir[PATH_MAX];

	if (strcmp(c->runtime, "docker") == 0) {
		if (!cfg->len ||
		    ctr_docker_meta_dir(cfg->data, cfg->len, c->id, dir, sizeof(dir), &eb) != BW_OK ||
		    (size_t)snprintf(p, sizeof(p), "%s/config.v2.json", dir) >= sizeof(p))
			snprintf(p, sizeof(p), DOCKER_META "/%s/config.v2.json", c->id);
		if (read_small(p, CTR_JSON_MAX, &b, &eb) == BW_OK &&
		    ctr_parse_docker_config(b.data, b.len, c, &eb) != BW_OK)
			BW_DEBUG("agent: %s", eb.msg);
		bw_buf_release(&b);
	} else if (libpod) {
		bw_strlcpy(c->runtime, "podman", sizeof(c->runtime));
		if (!ctr_podman_meta_path(c->bundle, c->id, p, sizeof(p)))
			bw_strlcpy(p, PODMAN_META, sizeof(p));
		if (read_small(p, CTR_PODMAN_MAX, &b, &eb) == BW_OK &&
		    ctr_parse_podman_containers(b.data, b.len, c, &eb) != BW_OK)
			BW_DEBUG("agent: podman container %s: %s", c->id, eb.msg);
		bw_buf_release(&b);
	}
}

/* Parse the state of one container; BW_ERR_NOT_FOUND when it is not
 * running (no state yet, init gone, or in the host's mount namespace). */
static enum bw_err load_ctr(struct agent_ctrs *cs, const struct rt_root *rt, const char *dir,
			    const char *id, struct ctr_ent **out, struct bw_errbuf *eb)
{
	struct ctr_ent *e;
	struct bw_buf b, cfg;
	char p[PATH_MAX];
	enum bw_err result;
	bool libpod = false;

	e = bw_calloc(1, sizeof(*e));
	if (!e)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory");
	e->pidfd = -1;
	bw_strlcpy(e->c.id, id, sizeof(e->c.id));
	bw_strlcpy(e->c.runtime, rt->runtime, sizeof(e->c.runtime));
	snprintf(p, sizeof(p), "%s/%s", dir, rt->layout == LAYOUT_CRUN ? "status" : "state.json");
	result = read_small(p, CTR_JSON_MAX, &b, eb);
	if (result == BW_OK)
		result = rt->layout == LAYOUT_CRUN
				 ? ctr_parse_crun_status(b.data, b.len, &e->c, &e->start_time, eb)
				 : ctr_parse_runc_state(b.data, b.len, &e->c, &e->start_time, eb);
	bw_buf_release(&b);
	if (result)
		goto out_free;
	e->c.mntns = agent_pid_mntns(e->c.init_pid);
	if (e->c.mntns == 0 || e->c.mntns == cs->self_mntns ||
	    (e->start_time && pid_start_time(e->c.init_pid) != e->start_time)) {
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "%s: init pid %d is gone or on the host", p,
				 (int)e->c.init_pid);
		goto out_free;
	}
	bw_buf_init(&cfg, CTR_JSON_MAX);
	if (e->c.bundle[0] &&
	    (size_t)snprintf(p, sizeof(p), "%s/config.json", e->c.bundle) < sizeof(p)) {
		struct bw_errbuf eb2 = {0};

		if (read_small(p, CTR_JSON_MAX, &cfg, &eb2) != BW_OK)
			cfg.len = 0;
		else if (ctr_parse_oci_config(cfg.data, cfg.len, &e->c, &libpod, &eb2) != BW_OK)
			BW_WARN("agent: container %s: %s", id, eb2.msg);
	}
	read_runtime_meta(&e->c, libpod, &cfg);
	bw_buf_release(&cfg);
	ctr_finish(&e->c);
	e->c.cgroup_id = pid_cgroup_id(cs, e->c.init_pid);
	e->pidfd = (int)syscall(SYS_pidfd_open, e->c.init_pid, 0);
	*out = e;
	return BW_OK;
out_free:
	ent_free(e);
	return result;
}

static bool ent_alive(const struct ctr_ent *e)
{
	if (agent_pid_mntns(e->c.init_pid) != e->c.mntns)
		return false;
	return !e->start_time || pid_start_time(e->c.init_pid) == e->start_time;
}

static void watch_dir(struct agent_ctrs *cs, const char *dir)
{
	/* runc renames state.json into place; crun writes status */
	(void)inotify_add_watch(cs->infd, dir,
				IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE |
					IN_ONLYDIR | IN_DONT_FOLLOW);
}

/* Watch dir, or its deepest existing ancestor below /run (so that it is
 * seen when the runtime creates it). */
static void watch_root(struct agent_ctrs *cs, const char *dir)
{
	char p[PATH_MAX];
	struct stat st;
	char *slash;

	bw_strlcpy(p, dir, sizeof(p));
	for (;;) {
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			watch_dir(cs, p);
			return;
		}
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			return;
		*slash = '\0';
	}
}

static bool runtime_matches(const struct ctr_ent *e, const struct rt_root *rt)
{
	/* podman containers are found in the runc/crun roots */
	return strcmp(e->c.runtime, rt->runtime) == 0 ||
	       (strcmp(e->c.runtime, "podman") == 0 &&
		(strcmp(rt->runtime, "runc") == 0 || strcmp(rt->runtime, "crun") == 0));
}

static void scan_one(struct agent_ctrs *cs, const struct rt_root *rt, const char *dir,
		     const char *id)
{
	struct bw_errbuf eb = {0};
	struct ctr_ent *e = NULL;
	size_t i;

	watch_dir(cs, dir);
	for (i = 0; i < cs->n; i++) {
		struct ctr_ent *k = cs->v[i];

		if (strcmp(k->c.id, id) == 0 && runtime_matches(k, rt)) {
			if (ent_alive(k))
				k->seen = true;
			return;
		}
	}
	if (cs->n >= CTRS_MAX) {
		BW_WARN("agent: more than %d containers; %s not tracked", CTRS_MAX, id);
		return;
	}
	if (load_ctr(cs, rt, dir, id, &e, &eb) != BW_OK) {
		BW_DEBUG("agent: %s", eb.msg);
		return;
	}
	if (agent_ctrs_by_mntns(cs, e->c.mntns)) {
		ent_free(e); /* same container seen through another runtime root */
		return;
	}
	if (bw_grow((void **)&cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v), CTRS_MAX) != BW_OK) {
		ent_free(e);
		return;
	}
	e->seen = true;
	cs->v[cs->n++] = e;
	if (e->pidfd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)e->pidfd};

		(void)epoll_ctl(cs->epfd, EPOLL_CTL_ADD, e->pidfd, &ev);
	}
	BW_INFO("agent: container %s (%s) init pid %d group %s", e->c.id, e->c.runtime,
		(int)e->c.init_pid, e->c.group);
	if (cs->cb)
		cs->cb(cs->ctx, AGENT_CTR_ADDED, &e->c);
}

static void scan_dir(struct agent_ctrs *cs, const struct rt_root *rt, const char *root,
		     bool nested)
{
	DIR *d;
	struct dirent *de;
	char p[PATH_MAX];
	size_t count = 0;

	d = opendir(root);
	if (!d)
		return;
	watch_dir(cs, root);
	while ((de = readdir(d)) != NULL && count++ < SCAN_DIR_MAX) {
		if (!ctr_id_valid(de->d_name))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", root, de->d_name) >= sizeof(p))
			continue;
		if (nested) {
			/* containerd: "moby" is Docker's namespace */
			struct rt_root sub = *rt;

			if (strcmp(de->d_name, "moby") == 0)
				sub.runtime = "docker";
			scan_dir(cs, &sub, p, false);
		} else {
			scan_one(cs, rt, p, de->d_name);
		}
	}
	closedir(d);
}

/* BULWARK_AGENT_RUNTIME_ROOTS: state roots a runtime was configured to
 * keep elsewhere (dockerd --exec-root E: docker=E/runtime-runc/moby). */
static void extra_roots(struct agent_ctrs *cs)
{
	struct bw_errbuf eb = {0};
	const char *env = getenv("BULWARK_AGENT_RUNTIME_ROOTS");
	size_t i;

	if (!env || !env[0])
		return;
	if (ctr_parse_roots(env, cs->extra, CTR_ROOTS_MAX, &cs->n_extra, &eb) != BW_OK)
		BW_WARN("agent: BULWARK_AGENT_RUNTIME_ROOTS: %s (entry ignored)", eb.msg);
	for (i = 0; i < cs->n_extra; i++) {
		struct rt_root *rt = &cs->extra_rt[i];

		rt->runtime = cs->extra[i].runtime;
		rt->dir = cs->extra[i].dir;
		rt->layout = strcmp(rt->runtime, "containerd") == 0 ? LAYOUT_RUNC_NS
			     : strcmp(rt->runtime, "crun") == 0	    ? LAYOUT_CRUN
								    : LAYOUT_RUNC;
		BW_INFO("agent: extra runtime root %s (%s)", rt->dir, rt->runtime);
	}
}

static enum bw_err rescan(struct agent_ctrs *cs)
{
	size_t i, j;

	for (i = 0; i < cs->n; i++)
		cs->v[i]->seen = false;
	for (i = 0; i < sizeof(rt_roots) / sizeof(rt_roots[0]); i++) {
		watch_root(cs, rt_roots[i].dir);
		scan_dir(cs, &rt_roots[i], rt_roots[i].dir, rt_roots[i].layout == LAYOUT_RUNC_NS);
	}
	for (i = 0; i < cs->n_extra; i++) {
		watch_root(cs, cs->extra_rt[i].dir);
		scan_dir(cs, &cs->extra_rt[i], cs->extra_rt[i].dir,
			 cs->extra_rt[i].layout == LAYOUT_RUNC_NS);
	}
	/* removals: state gone, or init gone */
	for (i = 0, j = 0; i < cs->n; i++) {
		struct ctr_ent *e = cs->v[i];

		if (e->seen && ent_alive(e)) {
			cs->v[j++] = e;
			continue;
		}
		BW_INFO("agent: container %s (%s) gone", e->c.id, e->c.runtime);
		if (cs->cb)
			cs->cb(cs->ctx, AGENT_CTR_REMOVED, &e->c);
		ent_free(e); /* closing the pidfd drops it from the epoll set */
	}
	cs->n = j;
	return BW_OK;
}

enum bw_err agent_ctrs_open(agent_ctr_cb cb, void *ctx, struct agent_ctrs **out,
			    struct bw_errbuf *eb)
{
	struct agent_ctrs *cs;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_INOTIFY};

	*out = NULL;
	cs = bw_calloc(1, sizeof(*cs));
	if (!cs)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory");
	cs->cb = cb;
	cs->ctx = ctx;
	cs->self_mntns = agent_pid_mntns(getpid());
	cs->infd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	cs->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (cs->infd < 0 || cs->epfd < 0 ||
	    epoll_ctl(cs->epfd, EPOLL_CTL_ADD, cs->infd, &ev) != 0) {
		int err = errno;

		agent_ctrs_free(cs);
		return bw_fail(eb, BW_ERR_IO, "container discovery: inotify/epoll: %s",
			       strerror(err));
	}
	find_cgroup2(cs);
	extra_roots(cs);
	rescan(cs);
	*out = cs;
	return BW_OK;
}

int agent_ctrs_fd(const struct agent_ctrs *cs)
{
	return cs->epfd;
}

enum bw_err agent_ctrs_dispatch(struct agent_ctrs *cs, struct bw_errbuf *eb)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct epoll_event evs[16];
	int rounds = 0;

	/* drain: the inotify queue (overflow just means rescan, which we do
	 * anyway); pidfds stay readable until their entry is freed */
	(void)epoll_wait(cs->epfd, evs, 16, 0);
	while (rounds++ < 64 && read(cs->infd, buf, sizeof(buf)) > 0)
		;
	(void)eb;
	return rescan(cs);
}

enum bw_err agent_ctrs_refresh(struct agent_ctrs *cs, struct bw_errbuf *eb)
{
	(void)eb;
	return rescan(cs);
}

const struct agent_ctr *agent_ctrs_by_mntns(const struct agent_ctrs *cs, uint64_t mntns)
{
	size_t i;

	if (mntns == 0)
		return NULL;
	for (i = 0; i < cs->n; i++)
		if (cs->v[i]->c.mntns == mntns)
			return &cs->v[i]->c;
	return NULL;
}

size_t agent_ctrs_count(const struct agent_ctrs *cs)
{
	return cs->n;
}

const struct agent_ctr *agent_ctrs_at(const struct agent_ctrs *cs, size_t i)
{
	return i < cs->n ? &cs->v[i]->c : NULL;
}

void agent_ctrs_free(struct agent_ctrs *cs)
{
	size_t i;

	if (!cs)
		return;
	for (i = 0; i < cs->n; i++)
		ent_free(cs->v[i]);
	free(cs->v);
	if (cs->infd >= 0)
		close(cs->infd);
	if (cs->epfd >= 0)
		close(cs->epfd);
	free(cs);
}

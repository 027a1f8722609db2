/* fan.c - fanotify: exec control on the mounts of each container and
 * open control on watched paths (see docs/agent-containers.md, "Marks").
 *
 * One fanotify group (FAN_CLASS_CONTENT: permission events) for the agent.
 * Marks are placed by a short-lived child that joins the container's mount
 * namespace (setns needs a single-threaded caller, and the agent itself never
 * leaves its own namespace), chroots to the container's root so that paths
 * and symlinks resolve as the container sees them, and calls fanotify_mark
 * on the inherited group fd. The host's mounts are never marked: the
 * agent's own mount namespace is refused, and every mount to mark must be
 * listed in the container's mountinfo and absent from the agent's.
 *
 * Safety: every permission event read is answered (FAN_ALLOW whenever
 * anything fails), and closing the group fd (agent_fan_free, or the agent's
 * death) makes the kernel allow every pending event.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "agent/agent_int.h"

#define FAN_READ_BUF     16384 /* bytes per read(2) of the group fd */
#define FAN_READS_MAX    32    /* reads per dispatch; the loop comes back */
#define FAN_MOUNTS_MAX   512   /* mounts per container */
#define FAN_MNTINFO_MAX  (1u << 20)
#define FAN_WATCH_DIRS   256   /* directories marked by one recursive watch */
#define FAN_CHILD_MS     5000  /* the marking child's deadline */
#define FAN_MTAB_MAX     AGENT_FAN_MNT_TABLE_MAX

/* mounts: FAN_OPEN_EXEC_PERM (protect) or FAN_OPEN_EXEC, and FAN_CLOSE_WRITE */

/* A marked mount (its global mount id, the first field of mountinfo) and
 * the mount namespace of the container it was marked for. */
struct fan_mnt_ent {
	uint64_t mnt_id;
	uint64_t mntns;
};

struct agent_fan {
	int fd;
	agent_fan_cb cb;
	void *ctx;
	pid_t self;
	uint64_t self_mntns;
	uint64_t seen, denied, dropped;
	struct fan_mnt_ent *mtab; /* sorted by mnt_id, at most FAN_MTAB_MAX */
	size_t nmtab, mtab_cap;
	bool mtab_full_logged;
	union {
		struct fanotify_event_metadata align;
		char b[FAN_READ_BUF];
	} buf;
};

struct fan_mnt {
	uint64_t id;
	char path[PATH_MAX];
};

/* A container's mount namespace, held open while we work on it. */
struct fan_target {
	pid_t pid;
	int nsfd;
	int rootfd;
	ino_t ino;
};

enum bw_err agent_fan_open(agent_fan_cb cb, void *ctx, struct agent_fan **out,
			   struct bw_errbuf *eb)
{
	struct agent_fan *f;

	*out = NULL;
	f = bw_calloc(1, sizeof(*f));
	if (!f)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory");
	f->fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
			      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (f->fd < 0) {
		int err = errno;

		free(f);
		return bw_fail(eb, err == EPERM ? BW_ERR_USAGE : BW_ERR_UNSUPPORTED,
			       "fanotify_init(FAN_CLASS_CONTENT): %s%s", strerror(err),
			       err == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
	}
	f->cb = cb;
	f->ctx = ctx;
	f->self = getpid();
	f->self_mntns = agent_pid_mntns(f->self);
	*out = f;
	return BW_OK;
}

int agent_fan_fd(const struct agent_fan *f)
{
	return f->fd;
}

void agent_fan_stats(const struct agent_fan *f, uint64_t *seen, uint64_t *denied,
		     uint64_t *dropped)
{
	if (seen)
		*seen = f->seen;
	if (denied)
		*denied = f->denied;
	if (dropped)
		*dropped = f->dropped;
}

void agent_fan_free(struct agent_fan *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd); /* the kernel allows every pending permission event */
	free(f->mtab);
	free(f);
}

/* ---- marked mounts -> container --------------------------------------- */

/* Index of the first entry with mnt_id >= id. */
static size_t mtab_lower(const struct agent_fan *f, uint64_t id)
{
	size_t lo = 0, hi = f->nmtab;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->mtab[mid].mnt_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* 0: not a marked mount. */
static uint64_t mtab_find(const struct agent_fan *f, uint64_t mnt_id)
{
	size_t i;

	if (mnt_id == 0 || f->nmtab == 0)
		return 0;
	i = mtab_lower(f, mnt_id);
	return i < f->nmtab && f->mtab[i].mnt_id == mnt_id ? f->mtab[i].mntns : 0;
}

/* Record (or re-assign: mount ids are reused once a mount is gone) a
 * marked mount. False when the table is full or memory is short: events
 * on that mount then fall back to the opener's namespace. */
static bool mtab_put(struct agent_fan *f, uint64_t mnt_id, uint64_t mntns)
{
	size_t i = mtab_lower(f, mnt_id);

	if (i < f->nmtab && f->mtab[i].mnt_id == mnt_id) {
		f->mtab[i].mntns = mntns;
		return true;
	}
	if (f->nmtab >= FAN_MTAB_MAX)
		return false;
	if (f->nmtab == f->mtab_cap) {
		size_t cap = f->mtab_cap ? f->mtab_cap * 2 : 64;
		struct fan_mnt_ent *n;

		if (cap > FAN_MTAB_MAX)
			cap = FAN_MTAB_MAX;
		n = realloc(f->mtab, cap * sizeof(*n));
		if (!n)
			return false;
		f->mtab = n;
		f->mtab_cap = cap;
	}
	memmove(&f->mtab[i + 1], &f->mtab[i], (f->nmtab - i) * sizeof(*f->mtab));
	f->mtab[i].mnt_id = mnt_id;
	f->mtab[i].mntns = mntns;
	f->nmtab++;
	return true;
}

void agent_fan_forget_container(struct agent_fan *f, uint64_t mntns)
{
	size_t i, j;

	if (!f || mntns == 0)
		return;
	for (i = 0, j = 0; i < f->nmtab; i++)
		if (f->mtab[i].mntns != mntns)
			f->mtab[j++] = f->mtab[i];
	f->nmtab = j;
	if (j < FAN_MTAB_MAX)
		f->mtab_full_logged = false;
}

/* ---- the container's namespace ---------------------------------------- */

static void target_close(struct fan_target *t)
{
	if (t->nsfd >= 0)
		close(t->nsfd);
	if (t->rootfd >= 0)
		close(t->rootfd);
	t->nsfd = t->rootfd = -1;
}

static enum bw_err target_open(struct fan_target *t, pid_t pid, struct bw_errbuf *eb)
{
	char p[64];
	struct stat st, self;

	t->pid = pid;
	t->nsfd = t->rootfd = -1;
	if (pid <= 0)
		return bw_fail(eb, BW_ERR_USAGE, "fanotify: invalid init pid %d", (int)pid);
	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	t->nsfd = open(p, O_RDONLY | O_CLOEXEC);
	if (t->nsfd < 0 || fstat(t->nsfd, &st) != 0) {
		int err = errno;

		target_close(t);
		return bw_fail(eb, err == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "fanotify: %s: %s",
			       p, strerror(err));
	}
	if (stat("/proc/self/ns/mnt", &self) != 0) {
		target_close(t);
		return bw_fail(eb, BW_ERR_IO, "fanotify: /proc/self/ns/mnt: %s", strerror(errno));
	}
	if (st.st_ino == self.st_ino && st.st_dev == self.st_dev) {
		target_close(t);
		return bw_fail(eb, BW_ERR_USAGE,
			       "fanotify: pid %d is in the agent's own mount namespace "
			       "(mnt:[%llu]): the host is never marked",
			       (int)pid, (unsigned long long)st.st_ino);
	}
	t->ino = st.st_ino;
	snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
	t->rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0) {
		int err = errno;

		target_close(t);
		return bw_fail(eb, BW_ERR_IO, "fanotify: %s: %s", p, strerror(err));
	}
	return BW_OK;
}

/* The pid still names the namespace we opened (no pid reuse meanwhile). */
static bool target_same(const struct fan_target *t)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)t->pid);
	return stat(p, &st) == 0 && st.st_ino == t->ino;
}

typedef void (*fan_child_fn)(struct agent_fan *f, void *arg, int out);

static void child_put(int out, int32_t v)
{
	while (write(out, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* Run fn in a child inside the target's mount namespace, chrooted to the
 * container's root. The child writes int32 results to the pipe: first 0 or
 * the errno of its setup, then what fn writes. Returns the results read. */
static enum bw_err run_in_ns(struct agent_fan *f, struct fan_target *t, fan_child_fn fn,
			     void *arg, int32_t *res, size_t nres, size_t *got,
			     struct bw_errbuf *eb)
{
	int pfd[2], status;
	size_t have = 0, want = (nres + 1) * sizeof(int32_t);
	char *raw;
	pid_t child;
	uint64_t deadline = bw_time_mono_ns() + (uint64_t)FAN_CHILD_MS * 1000000u;
	enum bw_err result = BW_OK;

	*got = 0;
	raw = bw_calloc(nres + 1, sizeof(int32_t));
	if (!raw)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory");
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		free(raw);
		return bw_fail(eb, BW_ERR_IO, "fanotify: pipe: %s", strerror(errno));
	}
	child = fork();
	if (child < 0) {
		result = bw_fail(eb, BW_ERR_IO, "fanotify: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		free(raw);
		return result;
	}
	if (child == 0) {
		close(pfd[0]);
		if (setns(t->nsfd, CLONE_NEWNS) != 0 || fchdir(t->rootfd) != 0 || chroot(".") != 0 ||
		    chdir("/") != 0) {
			child_put(pfd[1], errno ? errno : EINVAL);
			_exit(1);
		}
		child_put(pfd[1], 0);
		fn(f, arg, pfd[1]);
		_exit(0);
	}
	close(pfd[1]);
	while (have < want) {
		uint64_t now = bw_time_mono_ns();
		struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
		ssize_t n;

		if (now >= deadline || poll(&pf, 1, (int)((deadline - now) / 1000000u) + 1) == 0) {
			kill(child, SIGKILL);
			result = bw_fail(eb, BW_ERR_IO, "fanotify: marking in pid %d's namespace "
					 "timed out after %d ms", (int)t->pid, FAN_CHILD_MS);
			break;
		}
		n = read(pfd[0], raw + have, want - have);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	close(pfd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (result == BW_OK) {
		int32_t setup = -1;

		if (have >= sizeof(int32_t))
			memcpy(&setup, raw, sizeof(setup));
		if (setup != 0)
			result = bw_fail(eb, BW_ERR_IO, "fanotify: entering pid %d's mount namespace: %s",
					 (int)t->pid, setup > 0 ? strerror(setup) : "child failed");
		else {
			*got = have / sizeof(int32_t) - 1;
			memcpy(res, raw + sizeof(int32_t), *got * sizeof(int32_t));
		}
	}
	free(raw);
	return result;
}

/* ---- mount marks ----------------------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

static bool fstype_skipped(const char *t)
{
	static const char *const skip[] = {"proc", "sysfs", "cgroup", "cgroup2", "devpts",
					   "mqueue", "securityfs", "debugfs", "tracefs", "bpf",
					   "pstore", "configfs", "fusectl", "binfmt_misc",
					   "hugetlbfs", "efivarfs", "nsfs", "autofs", NULL};
	size_t i;

	for (i = 0; skip[i]; i++)
		if (strcmp(t, skip[i]) == 0)
			return true;
	return false;
}

static bool under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* Parse mountinfo text: ids of every mount into ids (if given), and the
 * mounts to mark into mnts (if given). */
static size_t parse_mountinfo(char *text, uint64_t *ids, size_t idmax, size_t *nids,
			      struct fan_mnt *mnts, size_t mmax)
{
	char *line, *save = NULL;
	size_t n = 0;

	if (nids)
		*nids = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fld[6], *s = line, *sep, *fstype, *end;
		unsigned long long id;
		int k;

		for (k = 0; k < 6 && s; k++) {
			fld[k] = s;
			s = strchr(s, ' ');
			if (s)
				*s++ = '\0';
		}
		if (k < 6 || !s)
			continue;
		errno = 0;
		id = strtoull(fld[0], &end, 10);
		if (errno || *end)
			continue;
		if (ids && *nids < idmax)
			ids[(*nids)++] = id;
		sep = strstr(s, "- ");
		if (!mnts || !sep || (sep != s && sep[-1] != ' '))
			continue;
		fstype = sep + 2;
		end = strchr(fstype, ' ');
		if (end)
			*end = '\0';
		unescape(fld[4]);
		if (fstype_skipped(fstype) || under(fld[4], "/proc") || under(fld[4], "/sys") ||
		    fld[4][0] != '/' || n >= mmax)
			continue;
		mnts[n].id = id;
		bw_strlcpy(mnts[n].path, fld[4], sizeof(mnts[n].path));
		n++;
	}
	return n;
}

struct mark_arg {
	struct fan_mnt *mnts;
	size_t n;
	uint64_t mask;   /* added */
	uint64_t unmask; /* removed afterwards (0: nothing) */
};

static void child_mark_mounts(struct agent_fan *f, void *arg, int out)
{
	struct mark_arg *a = arg;
	size_t i;

	for (i = 0; i < a->n; i++) {
		struct statx sx;
		int32_t err = 0;

		/* the path must still lead to that very mount */
		if (statx(AT_FDCWD, a->mnts[i].path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
			  STATX_MNT_ID, &sx) != 0)
			err = errno;
		else if (!(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id != a->mnts[i].id)
			err = ESTALE;
		else if (fanotify_mark(f->fd, FAN_MARK_ADD | FAN_MARK_MOUNT | FAN_MARK_DONT_FOLLOW,
				       a->mask, AT_FDCWD, a->mnts[i].path) != 0)
			err = errno;
		/* the new exec bit is on this mount: the old one may go (ENOENT
		 * when it was not there is fine) */
		else if (a->unmask)
			(void)fanotify_mark(f->fd,
					    FAN_MARK_REMOVE | FAN_MARK_MOUNT | FAN_MARK_DONT_FOLLOW,
					    a->unmask, AT_FDCWD, a->mnts[i].path);
		child_put(out, err);
	}
}

static enum bw_err read_text(const char *path, struct bw_buf *b, struct bw_errbuf *eb)
{
	bw_buf_init(b, FAN_MNTINFO_MAX);
	return bw_buf_read_file(b, path, eb);
}

static bool id_in(uint64_t id, const uint64_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

enum bw_err agent_fan_mark_container(struct agent_fan *f, pid_t init_pid, struct bw_errbuf *eb)
{
	return agent_fan_mark_container_exec(f, init_pid, true, eb);
}

enum bw_err agent_fan_mark_container_exec(struct agent_fan *f, pid_t init_pid, bool perm,
					  struct bw_errbuf *eb)
{
	struct fan_target t;
	struct bw_buf ctr = {0}, self = {0};
	struct fan_mnt *mnts = NULL;
	uint64_t *own = NULL;
	int32_t *res = NULL;
	size_t n, nown, i, j, got = 0, marked = 0;
	struct mark_arg a;
	char p[64];
	enum bw_err result;

	result = target_open(&t, init_pid, eb);
	if (result)
		return result;
	mnts = bw_calloc(FAN_MOUNTS_MAX, sizeof(*mnts));
	own = bw_calloc(FAN_MOUNTS_MAX * 8, sizeof(*own));
	res = bw_calloc(FAN_MOUNTS_MAX, sizeof(*res));
	if (!mnts || !own || !res) {
		result = bw_fail(eb, BW_ERR_NOMEM, "out of memory");
		goto out_free;
	}
	snprintf(p, sizeof(p), "/proc/%d/mountinfo", (int)init_pid);
	result = read_text(p, &ctr, eb);
	if (!result)
		result = read_text("/proc/self/mountinfo", &self, eb);
	if (result)
		goto out_free;
	if (!target_same(&t)) {
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "fanotify: pid %d exited", (int)init_pid);
		goto out_free;
	}
	n = parse_mountinfo(ctr.data, NULL, 0, NULL, mnts, FAN_MOUNTS_MAX);
	parse_mountinfo(self.data, own, FAN_MOUNTS_MAX * 8, &nown, NULL, 0);
	/* a mount id belongs to one namespace: never mark one of ours */
	for (i = 0, j = 0; i < n; i++) {
		if (id_in(mnts[i].id, own, nown)) {
			BW_WARN("agent: pid %d: mount %s (id %llu) is the host's; not marked",
				(int)init_pid, mnts[i].path, (unsigned long long)mnts[i].id);
			continue;
		}
		mnts[j++] = mnts[i];
	}
	n = j;
	if (n == 0) {
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "fanotify: pid %d: no mount to mark",
				 (int)init_pid);
		goto out_free;
	}
	a.mnts = mnts;
	a.n = n;
	a.mask = (perm ? FAN_OPEN_EXEC_PERM : FAN_OPEN_EXEC) | FAN_CLOSE_WRITE;
	a.unmask = perm ? FAN_OPEN_EXEC : FAN_OPEN_EXEC_PERM;
	result = run_in_ns(f, &t, child_mark_mounts, &a, res, n, &got, eb);
	if (result)
		goto out_free;
	for (i = 0; i < got; i++) {
		if (res[i] == 0)
			marked++;
		else
			BW_DEBUG("agent: pid %d: mount %s not marked: %s", (int)init_pid,
				 mnts[i].path, strerror(res[i]));
	}
	/* remember which container each marked mount belongs to: a write
	 * notification names the mount even when the writer has exited */
	agent_fan_forget_container(f, (uint64_t)t.ino);
	for (i = 0; i < got; i++) {
		if (res[i] != 0 || mtab_put(f, mnts[i].id, (uint64_t)t.ino))
			continue;
		if (!f->mtab_full_logged)
			BW_WARN("agent: pid %d: mount %s (id %llu) marked but not recorded (%zu "
				"mounts recorded, at most %d): its events are attributed by the "
				"writer's namespace only", (int)init_pid, mnts[i].path,
				(unsigned long long)mnts[i].id, f->nmtab, FAN_MTAB_MAX);
		f->mtab_full_logged = true;
	}
	/* the root mount is what matters most: failing it is an error */
	for (i = 0, j = 0; i < got; i++)
		if (res[i] == 0 && strcmp(mnts[i].path, "/") == 0)
			j++;
	if (j == 0)
		result = bw_fail(eb, BW_ERR_IO, "fanotify: pid %d: the root mount was not marked",
				 (int)init_pid);
	else
		BW_DEBUG("agent: pid %d: %zu of %zu mounts marked", (int)init_pid, marked, n);
out_free:
	bw_buf_release(&ctr);
	bw_buf_release(&self);
	free(mnts);
	free(own);
	free(res);
	target_close(&t);
	return result;
}

/* ---- watched paths --------------------------------------------------- */

struct watch_arg {
	const char *path;
	bool recursive;
	char (*queue)[PATH_MAX]; /* FAN_WATCH_DIRS entries, allocated by the parent */
};

static int mark_inode(struct agent_fan *f, int dirfd, const char *name, bool dir)
{
	uint64_t mask = FAN_OPEN_PERM | (dir ? FAN_EVENT_ON_CHILD : 0);
	unsigned flags = FAN_MARK_ADD | (dir ? FAN_MARK_ONLYDIR | FAN_MARK_DONT_FOLLOW : 0);

	return fanotify_mark(f->fd, flags, mask, dirfd, name) == 0 ? 0 : errno;
}

/* Results: one int32 per directory or file marked (0 or errno); ENOENT
 * alone for a missing path. */
static void child_watch(struct agent_fan *f, void *arg, int out)
{
	struct watch_arg *a = arg;
	struct stat st;
	size_t head = 0, tail = 0;

	if (stat(a->path, &st) != 0) {
		child_put(out, errno);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		child_put(out, mark_inode(f, AT_FDCWD, a->path, false));
		return;
	}
	bw_strlcpy(a->queue[tail++], a->path, PATH_MAX);
	while (head < tail) {
		const char *dir = a->queue[head++];
		int dfd, err;

		err = mark_inode(f, AT_FDCWD, dir, true);
		child_put(out, err);
		if (err || !a->recursive)
			continue;
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0)
			continue;
		/* getdents64, not readdir: no malloc in a child of fork() */
		while (tail < FAN_WATCH_DIRS) {
			char dents[4096] __attribute__((aligned(8)));
			long nb = syscall(SYS_getdents64, dfd, dents, sizeof(dents));
			long off;

			if (nb <= 0)
				break;
			for (off = 0; off < nb && tail < FAN_WATCH_DIRS;) {
				struct linux_dirent64 {
					uint64_t d_ino;
					int64_t d_off;
					unsigned short d_reclen;
					unsigned char d_type;
					char d_name[];
				} *de = (void *)(dents + off);
				bool isdir = de->d_type == DT_DIR;

				off += de->d_reclen;
				if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
					continue;
				if (de->d_type == DT_UNKNOWN)
					isdir = fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
						S_ISDIR(st.st_mode);
				if (isdir && (size_t)snprintf(a->queue[tail], PATH_MAX, "%s%s%s", dir,
							      strcmp(dir, "/") ? "/" : "",
							      de->d_name) < PATH_MAX)
					tail++;
			}
		}
		close(dfd);
	}
}

enum bw_err agent_fan_watch(struct agent_fan *f, pid_t init_pid, const char *path,
			    bool recursive, struct bw_errbuf *eb)
{
	struct fan_target t;
	struct watch_arg a = {.path = path, .recursive = recursive};
	int32_t *res = NULL;
	size_t got = 0, i;
	enum bw_err result;

	if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
		return bw_fail(eb, BW_ERR_USAGE, "fanotify: watch path \"%s\" is not absolute",
			       path ? path : "");
	result = target_open(&t, init_pid, eb);
	if (result)
		return result;
	a.queue = bw_calloc(FAN_WATCH_DIRS, sizeof(*a.queue));
	res = bw_calloc(FAN_WATCH_DIRS, sizeof(*res));
	if (!a.queue || !res) {
		result = bw_fail(eb, BW_ERR_NOMEM, "out of memory");
		goto out_free;
	}
	result = run_in_ns(f, &t, child_watch, &a, res, FAN_WATCH_DIRS, &got, eb);
	if (result)
		goto out_free;
	if (got == 1 && (res[0] == ENOENT || res[0] == ENOTDIR)) {
		BW_DEBUG("agent: pid %d: %s absent, not watched", (int)init_pid, path);
		goto out_free;
	}
	if (got == 0 || res[0] != 0) {
		result = bw_fail(eb, BW_ERR_IO, "fanotify: pid %d: watching %s: %s", (int)init_pid,
				 path, got ? strerror(res[0]) : "no result");
		goto out_free;
	}
	for (i = 1; i < got; i++)
		if (res[i])
			BW_DEBUG("agent: pid %d: a directory below %s not watched: %s",
				 (int)init_pid, path, strerror(res[i]));
out_free:
	free(a.queue);
	free(res);
	target_close(&t);
	return result;
}

/* ---- events ---------------------------------------------------------- */

/* The access mode of an open that waits on FAN_OPEN_PERM. The event fd is
 * the agent's own open (O_RDONLY), not the opener's, so the opener's flags
 * come from the system call it is blocked in (/proc/TID/syscall: number and
 * arguments). Unknown -> read. */
static unsigned flags_access(long flags)
{
	unsigned acc = 0;

	switch (flags & O_ACCMODE) {
	case O_WRONLY: acc = AGENT_ACC_WRITE; break;
	case O_RDWR: acc = AGENT_ACC_READ | AGENT_ACC_WRITE; break;
	default: acc = AGENT_ACC_READ; break;
	}
	if (flags & (O_TRUNC | O_CREAT))
		acc |= AGENT_ACC_WRITE;
	return acc;
}

static unsigned syscall_access(pid_t pid, const char *file)
{
	char buf[256], *s, *end;
	unsigned long long a[7];
	ssize_t n;
	int fd, i;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	s = buf;
	for (i = 0; i < 7; i++) {
		errno = 0;
		a[i] = strtoull(s, &end, i == 0 ? 10 : 16);
		if (errno || end == s)
			return 0;
		s = end;
	}
	switch ((long)a[0]) {
#ifdef SYS_open
	case SYS_open: return flags_access((long)a[2]);
#endif
#ifdef SYS_creat
	case SYS_creat: return AGENT_ACC_WRITE;
#endif
	case SYS_openat: return flags_access((long)a[3]);
#ifdef SYS_openat2
	case SYS_openat2: {
		uint64_t how_flags;
		struct iovec local = {&how_flags, sizeof(how_flags)};
		struct iovec remote = {(void *)(uintptr_t)a[3], sizeof(how_flags)};

		if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof(how_flags))
			return 0;
		return flags_access((long)how_flags);
	}
#endif
	case SYS_execve:
	case SYS_execveat: return AGENT_ACC_EXEC | AGENT_ACC_READ;
	default: return 0;
	}
}

static unsigned opener_access(pid_t pid)
{
	char p[96], self[16];
	unsigned acc;
	DIR *d;
	struct dirent *de;
	int k = 0;

	snprintf(self, sizeof(self), "%d", (int)pid);
	snprintf(p, sizeof(p), "/proc/%d/syscall", (int)pid);
	acc = syscall_access(pid, p);
	if (acc)
		return acc;
	/* another thread of the process is the opener */
	snprintf(p, sizeof(p), "/proc/%d/task", (int)pid);
	d = opendir(p);
	if (!d)
		return AGENT_ACC_READ;
	while (!acc && (de = readdir(d)) != NULL && k++ < 64) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, self) == 0)
			continue;
		if ((size_t)snprintf(p, sizeof(p), "/proc/%d/task/%.16s/syscall", (int)pid,
				     de->d_name) < sizeof(p))
			acc = syscall_access(pid, p);
	}
	closedir(d);
	return acc ? acc : AGENT_ACC_READ;
}

/* The mount of an event fd: statx, else the "mnt_id:" line of fdinfo.
 * 0 if unknown. */
static uint64_t fd_mnt_id(int fd)
{
	struct statx sx;
	char p[64], buf[1024], *s, *end;
	unsigned long long v;
	ssize_t n;
	int ifd;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) == 0 && (sx.stx_mask & STATX_MNT_ID))
		return sx.stx_mnt_id;
	snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
	ifd = open(p, O_RDONLY | O_CLOEXEC);
	if (ifd < 0)
		return 0;
	n = read(ifd, buf, sizeof(buf) - 1);
	close(ifd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (s = buf; s; s = strchr(s, '\n')) {
		if (*s == '\n')
			s++;
		if (strncmp(s, "mnt_id:", 7) != 0)
			continue;
		errno = 0;
		v = strtoull(s + 7, &end, 10);
		return errno || end == s + 7 ? 0 : (uint64_t)v;
	}
	return 0;
}

/* The container an event belongs to. EXEC and WRITTEN events come from the
 * mount marks: the marked mount names the container, whether or not the
 * process is still alive (a FAN_CLOSE_WRITE is often read after the writer
 * exited). One exception: a live opener of a permission event that is in
 * the agent's own namespace (a host process reaching the container's files
 * through /proc/PID/root) stays the host's, which is never blocked. OPEN
 * events come from inode marks, which a host process also meets through
 * the host's own mount: the opener's namespace (it is alive, waiting). */
/* agent_pid_mntns for the permission path: readlink of /proc/PID/ns/mnt
 * ("mnt:[INODE]") costs about a third of the stat that follows the link
 * into nsfs; the same inode. 0 if the pid is gone. */
static uint64_t pid_mntns_fast(pid_t pid)
{
	char p[64], link[64], *end;
	unsigned long long v;
	ssize_t n;

	if (pid <= 0)
		return 0;
	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	if (strncmp(link, "mnt:[", 5) != 0)
		return agent_pid_mntns(pid);
	errno = 0;
	v = strtoull(link + 5, &end, 10);
	if (errno || end == link + 5 || *end != ']')
		return agent_pid_mntns(pid);
	return (uint64_t)v;
}

static uint64_t event_mntns(const struct agent_fan *f, const struct agent_fan_ev *ev)
{
	uint64_t by_mount = 0, by_pid;

	if (ev->kind != AGENT_FAN_OPEN)
		by_mount = mtab_find(f, ev->mnt_id);
	if (by_mount && !ev->perm)
		return by_mount;
	by_pid = pid_mntns_fast(ev->pid);
	if (by_mount && by_pid != f->self_mntns)
		return by_mount;
	return by_pid;
}

static void respond(struct agent_fan *f, int fd, bool allow)
{
	struct fanotify_response r = {.fd = fd, .response = allow ? FAN_ALLOW : FAN_DENY};

	while (write(f->fd, &r, sizeof(r)) < 0) {
		if (errno != EINTR) {
			BW_ERROR("agent: fanotify response: %s", strerror(errno));
			return;
		}
	}
	if (!allow)
		f->denied++;
}

static void handle_event(struct agent_fan *f, const struct fanotify_event_metadata *m)
{
	char link[64], path[PATH_MAX];
	struct agent_fan_ev ev = {0};
	bool perm = (m->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) != 0;
	bool allow = true;
	ssize_t n;

	f->seen++;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", m->fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n > 0 && m->pid != f->self) {
		path[n] = '\0';
		ev.perm = perm;
		ev.pid = m->pid;
		ev.path = path;
		if (!perm && (m->mask & FAN_OPEN_EXEC) && (m->mask & FAN_CLOSE_WRITE)) {
			/* notifications about one file by one process may be
			 * merged: the write came first (a dropped binary run) */
			ev.kind = AGENT_FAN_WRITTEN;
			ev.access = AGENT_ACC_WRITE;
			ev.mnt_id = fd_mnt_id(m->fd);
			ev.mntns = event_mntns(f, &ev);
			if (f->cb)
				(void)f->cb(f->ctx, &ev);
		}
		if (m->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_EXEC)) {
			ev.kind = AGENT_FAN_EXEC;
			ev.access = AGENT_ACC_EXEC;
		} else if (m->mask & FAN_OPEN_PERM) {
			ev.kind = AGENT_FAN_OPEN;
			ev.access = opener_access(m->pid);
		} else {
			ev.kind = AGENT_FAN_WRITTEN;
			ev.access = AGENT_ACC_WRITE;
		}
		ev.mnt_id = fd_mnt_id(m->fd);
		ev.mntns = event_mntns(f, &ev);
		if (f->cb && !f->cb(f->ctx, &ev) && perm)
			allow = false;
	}
	if (perm)
		respond(f, m->fd, allow);
	close(m->fd);
}

enum bw_err agent_fan_dispatch(struct agent_fan *f, struct bw_errbuf *eb)
{
	int reads;

	for (reads = 0; reads < FAN_READS_MAX; reads++) {
		ssize_t len = read(f->fd, f->buf.b, sizeof(f->buf.b));
		const struct fanotify_event_metadata *m = &f->buf.align;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return BW_OK;
			return bw_fail(eb, BW_ERR_IO, "fanotify: read: %s", strerror(errno));
		}
		if (len == 0)
			return BW_OK;
		for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->mask & FAN_Q_OVERFLOW) {
				f->dropped++;
				continue;
			}
			if (m->fd < 0)
				continue;
			if (BW_NEVER(m->vers != FANOTIFY_METADATA_VERSION)) {
				if (m->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM))
					respond(f, m->fd, true);
				close(m->fd);
				continue;
			}
			handle_event(f, m);
		}
	}
	return BW_OK;
}

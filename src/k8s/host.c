/* host.c - what the benchmark reads from a host or a fake/mounted host root:
 * processes (/proc/PID/cmdline, cwd, environ), file metadata (lstat inside
 * the root: RESOLVE_IN_ROOT keeps absolute symlinks in a mounted root from
 * escaping to the auditing machine's files), file contents, and user and
 * group names from the root's own /etc/passwd and /etc/group. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "k8s/bench_int.h"

#define PROC_MAX 100000
#define CMDLINE_MAX (1u << 20)
#define ENVIRON_MAX (1u << 20)

static void proc_release(struct k8s_proc *p)
{
	bw_strv_release(&p->argv);
	free(p->cwd);
	free(p->environ_text);
}

void k8s_host_release(struct k8s_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nprocs; i++)
		proc_release(&h->procs[i]);
	free(h->procs);
	if (h->rootfd >= 0)
		close(h->rootfd);
	free(h->root);
	memset(h, 0, sizeof(*h));
	h->rootfd = -1;
}

/* Open path (absolute, host view) below the root. flags: O_PATH etc. */
int k8s_host_open(const struct k8s_host *h, const char *path, int flags)
{
	struct open_how how;
	const char *rel = path;
	int fd;

	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, h->rootfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(h->rootfd, rel, flags | O_CLOEXEC);
	return fd;
}

enum bw_err k8s_host_lstat(const struct k8s_host *h, const char *path, struct stat *st,
			   struct bw_errbuf *eb)
{
	int fd = k8s_host_open(h, path, O_PATH | O_NOFOLLOW);

	if (fd < 0)
		return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", path,
			       strerror(errno));
	if (fstat(fd, st) != 0) {
		int e = errno;

		close(fd);
		return bw_fail(eb, BW_ERR_IO, "%s: %s", path, strerror(e));
	}
	close(fd);
	return BW_OK;
}

bool k8s_host_exists(const struct k8s_host *h, const char *path)
{
	int fd = k8s_host_open(h, path, O_PATH);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

enum bw_err k8s_host_read(const struct k8s_host *h, const char *path, struct bw_buf *out,
			  struct bw_errbuf *eb)
{
	int fd = k8s_host_open(h, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	enum bw_err result;
	struct stat st;

	if (fd < 0)
		return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bw_fail(eb, BW_ERR_IO, "%s: not a regular file", path);
	}
	result = bw_buf_read_fd(out, fd, path, eb);
	close(fd);
	return result;
}

/* Name of uid/gid from the root's passwd/group file (field 3 is the id). */
static void id_name(const struct k8s_host *h, const char *file, unsigned id, char *out, size_t sz)
{
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	char *line, *save = NULL;

	snprintf(out, sz, "UNKNOWN");
	bw_buf_init(&b, 4u << 20);
	if (k8s_host_read(h, file, &b, &eb) == BW_OK && b.data) {
		for (line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *f[4] = {0};
			char *p = line;
			uint64_t v;

			for (int i = 0; i < 4 && p; i++) {
				f[i] = p;
				p = strchr(p, ':');
				if (p)
					*p++ = '\0';
			}
			if (f[2] && bw_parse_u64(f[2], UINT32_MAX, &v) == BW_OK && v == id) {
				bw_strlcpy(out, f[0], sz);
				break;
			}
		}
	}
	if (id == 0 && strcmp(out, "UNKNOWN") == 0)
		snprintf(out, sz, "root"); /* uid/gid 0 is root by definition */
	bw_buf_release(&b);
}

void k8s_host_user(const struct k8s_host *h, unsigned uid, char *out, size_t sz)
{
	id_name(h, "/etc/passwd", uid, out, sz);
}

void k8s_host_group(const struct k8s_host *h, unsigned gid, char *out, size_t sz)
{
	id_name(h, "/etc/group", gid, out, sz);
}

/* Read a small /proc file relative to the root into a buffer. */
static enum bw_err read_proc(const struct k8s_host *h, const char *pid, const char *name,
			     size_t max, struct bw_buf *b)
{
	char path[128];
	struct bw_errbuf eb = {{0}};

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, name);
	bw_buf_init(b, max);
	return k8s_host_read(h, path, b, &eb);
}

static enum bw_err load_proc(struct k8s_host *h, const char *pid, struct k8s_proc *p)
{
	struct bw_buf b;
	enum bw_err result;
	char path[128], target[4096];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	result = read_proc(h, pid, "cmdline", CMDLINE_MAX, &b);
	if (result != BW_OK || b.len == 0) {
		bw_buf_release(&b);
		return BW_ERR_NOT_FOUND; /* kernel threads, gone processes */
	}
	for (size_t i = 0; i < b.len;) {
		size_t l = strnlen(b.data + i, b.len - i);
		char *arg = bw_strndup(b.data + i, l);

		/* push_owned frees arg when it fails */
		if (bw_strv_push_owned(&p->argv, arg) != BW_OK) {
			bw_buf_release(&b);
			bw_strv_release(&p->argv);
			return BW_ERR_NOMEM;
		}
		i += l + 1;
	}
	bw_buf_release(&b);
	p->pid = (int)strtol(pid, NULL, 10);
	/* cwd: a symlink; in a fake root a captured one whose target is the
	 * host path (resolved below the root when used). */
	snprintf(path, sizeof(path), "proc/%s/cwd", pid);
	n = readlinkat(h->rootfd, path, target, sizeof(target) - 1);
	if (n > 0 && target[0] == '/') {
		target[n] = '\0';
		p->cwd = bw_strdup(target);
	}
	if (read_proc(h, pid, "environ", ENVIRON_MAX, &b) == BW_OK && b.data) {
		for (size_t i = 0; i < b.len; i++)
			if (b.data[i] == '\0')
				b.data[i] = '\n';
		p->environ_text = bw_buf_detach(&b, NULL);
	}
	bw_buf_release(&b);
	return BW_OK;
}

enum bw_err k8s_host_open_root(struct k8s_host *h, const char *root, struct bw_errbuf *eb)
{
	DIR *d;
	struct dirent *de;
	int pfd;
	enum bw_err result = BW_OK;

	memset(h, 0, sizeof(*h));
	h->rootfd = -1;
	h->root = bw_strdup(root ? root : "/");
	if (!h->root)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory");
	h->rootfd = open(h->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (h->rootfd < 0)
		return bw_fail(eb, BW_ERR_IO, "--root %s: %s", h->root, strerror(errno));
	pfd = k8s_host_open(h, "/proc", O_RDONLY | O_DIRECTORY);
	if (pfd < 0)
		return BW_OK; /* no /proc: no processes (checks say so) */
	d = fdopendir(pfd);
	if (!d) {
		close(pfd);
		return BW_OK;
	}
	h->proc_present = true;
	while ((de = readdir(d)) != NULL) {
		struct k8s_proc p;
		bool digits = de->d_name[0] != '\0';

		for (const char *c = de->d_name; *c; c++)
			if (!isdigit((unsigned char)*c))
				digits = false;
		if (!digits)
			continue;
		if (h->nprocs >= PROC_MAX) {
			result = bw_fail(eb, BW_ERR_LIMIT, "%s/proc: more than %d processes", h->root,
					 PROC_MAX);
			break;
		}
		if (load_proc(h, de->d_name, &p) != BW_OK)
			continue;
		result = bw_grow((void **)&h->procs, &h->capprocs, h->nprocs + 1, sizeof(*h->procs),
				 PROC_MAX);
		if (result != BW_OK) {
			proc_release(&p);
			result = bw_fail(eb, result, "out of memory");
			break;
		}
		h->procs[h->nprocs++] = p;
	}
	closedir(d);
	return result;
}

/* kube-bench's `ps -ef | grep BIN`: BIN is "name" or "wrapper sub"
 * (hyperkube apiserver). The program is matched by the base name of
 * argv[0], not a substring of the whole line. */
const struct k8s_proc *k8s_host_find_proc(const struct k8s_host *h, const char *bin)
{
	char first[256];
	const char *sub = strchr(bin, ' ');
	size_t fl = sub ? (size_t)(sub - bin) : strlen(bin);

	if (fl == 0 || fl >= sizeof(first))
		return NULL;
	memcpy(first, bin, fl);
	first[fl] = '\0';
	if (sub)
		while (*sub == ' ')
			sub++;
	for (size_t i = 0; i < h->nprocs; i++) {
		const struct k8s_proc *p = &h->procs[i];
		const char *a0, *base;

		if (p->argv.n == 0)
			continue;
		a0 = p->argv.v[0];
		base = strrchr(a0, '/');
		base = base ? base + 1 : a0;
		if (strcmp(base, first) != 0)
			continue;
		if (sub && *sub && !(p->argv.n > 1 && strcmp(p->argv.v[1], sub) == 0))
			continue;
		return p;
	}
	return NULL;
}

/* test_agent_src.c - the process event sources (src/agent/src*.c) against
 * the real kernel. Needs root (eBPF and the proc connector); skipped with a
 * message otherwise.
 *
 * The test process is "the agent": its own actions are filtered out by the
 * sources, so every scenario runs in a forked driver process, which forks
 * the children that exec, exit, ptrace, setuid, mount, ... and reports their
 * pids (fork's return), wait statuses and socket ports (getsockname /
 * accept) through a pipe. Expected values come from those calls and from the
 * kernel's own files (stat of /proc/self/ns/mnt, /sys/fs/cgroup), never from
 * the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/agent_int.h"
#include "agent/src_int.h"

#define MAX_KEEP 20000
#define DEADLINE_MS 3000
#define FLOOD_N 2000
#define OVERFLOW_N 20000
#define MEMFD_NAME "bw-src-test"
#define SELF_MEMFD_NAME "bw-src-self"
#define MEMFD_FD 99

extern char **environ;

/* ------------------------------------------------------------------ */
/* collecting events                                                  */

struct coll {
	struct agent_proc_ev *evs;
	size_t n;
};

static void keep_cb(void *ctx, const struct agent_proc_ev *ev)
{
	struct coll *c = ctx;

	if (c->n < MAX_KEEP)
		c->evs[c->n++] = *ev;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll and dispatch for up to ms milliseconds. */
static void pump(struct agent_src *s, int ms)
{
	int64_t end = now_ms() + ms;
	struct bw_errbuf eb = {{0}};

	do {
		struct pollfd pfd = { .fd = agent_src_fd(s), .events = POLLIN };
		int left = (int)(end - now_ms());

		(void)poll(&pfd, 1, left > 0 ? (left < 50 ? left : 50) : 0);
		assert_int_equal(agent_src_dispatch(s, &eb), BW_OK);
	} while (now_ms() < end);
}

static const struct agent_proc_ev *find(const struct coll *c, enum agent_ev_type type, pid_t pid)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->evs[i].type == type && c->evs[i].pid == pid)
			return &c->evs[i];
	return NULL;
}

static const struct agent_proc_ev *find_net(const struct coll *c, enum agent_ev_type type,
					    pid_t pid, int family)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->evs[i].type == type && c->evs[i].pid == pid &&
		    c->evs[i].u.net.family == family)
			return &c->evs[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* the driver: runs in its own process, reports through a pipe        */

struct scen {
	pid_t driver;
	pid_t exec_child;
	int exec_status;
	pid_t exit_child;
	int exit_status;
	pid_t tracee, tracer;
	int tracer_status;
	pid_t setuid_child;
	int setuid_status;
	pid_t memfd_child;
	int memfd_status;
	pid_t connector;
	uint16_t lport, cport;
	pid_t connector6;
	uint16_t lport6, cport6; /* 0: no IPv6 loopback here */
	pid_t mounter;
	int mount_status;
	pid_t moduler;
};

static const char *const exec_argv_true[] = { "true", "bw-src-test", "x y", NULL };
/* the proc connector reads /proc after the event: that child must live on */
static const char *const exec_argv_sleep[] = { "sleep", "1", NULL };

static int wait_status(pid_t pid)
{
	int st = -1;

	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
	return st;
}

static void child_memfd_exec(void)
{
	int fd = memfd_create(MEMFD_NAME, 0), in = open("/bin/true", O_RDONLY);
	char buf[65536];
	ssize_t n;
	char *const argv[] = { (char *)"true", NULL };

	if (fd < 0 || in < 0)
		_exit(10);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			_exit(11);
	close(in);
	if (dup2(fd, MEMFD_FD) < 0)
		_exit(12);
	fexecve(MEMFD_FD, argv, environ);
	_exit(13);
}

static void child_mount(void)
{
	if (unshare(CLONE_NEWNS) != 0)
		_exit(20);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		_exit(21);
	if (mount(MEMFD_NAME, "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") != 0)
		_exit(22);
	_exit(0);
}

static void driver_net(struct scen *r)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), fd;
	char c;

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		_exit(30);
	r->lport = ntohs(a.sin_port);
	r->connector = fork();
	if (r->connector == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
			_exit(31);
		(void)read(s, &c, 1); /* until the driver closes */
		_exit(0);
	}
	alen = sizeof(a);
	fd = accept(l, (struct sockaddr *)&a, &alen);
	if (fd < 0)
		_exit(32);
	r->cport = ntohs(a.sin_port); /* the connector's source port */
	close(fd);
	close(l);
	(void)wait_status(r->connector);
}

/* The same over [::1]; skipped (ports 0) when IPv6 is not available. */
static void driver_net6(struct scen *r)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET6, SOCK_STREAM, 0), fd;
	char c;

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&a, &alen)) {
		if (l >= 0)
			close(l);
		return;
	}
	r->connector6 = fork();
	if (r->connector6 == 0) {
		int s = socket(AF_INET6, SOCK_STREAM, 0);

		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
			_exit(31);
		(void)read(s, &c, 1);
		_exit(0);
	}
	r->lport6 = ntohs(a.sin6_port);
	alen = sizeof(a);
	fd = accept(l, (struct sockaddr *)&a, &alen);
	if (fd < 0)
		_exit(33);
	r->cport6 = ntohs(a.sin6_port);
	close(fd);
	close(l);
	(void)wait_status(r->connector6);
}

static void run_scenarios(struct scen *r, bool with_bpf_only)
{
	r->driver = getpid();

	r->exec_child = fork();
	if (r->exec_child == 0) {
		if (with_bpf_only)
			execv("/bin/true", (char *const *)exec_argv_true);
		else
			execv("/bin/sleep", (char *const *)exec_argv_sleep);
		_exit(127);
	}
	r->exit_child = fork();
	if (r->exit_child == 0)
		_exit(7);
	r->exit_status = wait_status(r->exit_child);

	r->tracee = fork();
	if (r->tracee == 0) {
		sleep(10);
		_exit(0);
	}
	r->tracer = fork();
	if (r->tracer == 0) {
		if (ptrace(PTRACE_ATTACH, r->tracee, NULL, NULL) != 0)
			_exit(40);
		(void)waitpid(r->tracee, NULL, __WALL);
		(void)ptrace(PTRACE_DETACH, r->tracee, NULL, NULL);
		_exit(0);
	}
	r->tracer_status = wait_status(r->tracer);
	kill(r->tracee, SIGKILL);
	(void)wait_status(r->tracee);

	r->setuid_child = fork();
	if (r->setuid_child == 0) {
		if (!with_bpf_only)
			usleep(300000); /* stay for the /proc reads */
		_exit(setuid(65534) == 0 ? 0 : 50);
	}
	if (with_bpf_only) {
		r->memfd_child = fork();
		if (r->memfd_child == 0)
			child_memfd_exec();
		r->memfd_status = wait_status(r->memfd_child);
		driver_net(r);
		driver_net6(r);
		r->mounter = fork();
		if (r->mounter == 0)
			child_mount();
		r->mount_status = wait_status(r->mounter);
		r->moduler = fork();
		if (r->moduler == 0) {
			int fd = open("/dev/null", O_RDONLY);

			(void)syscall(SYS_finit_module, fd, "", 0);
			_exit(0);
		}
		(void)wait_status(r->moduler);
	}
	r->setuid_status = wait_status(r->setuid_child);
	r->exec_status = wait_status(r->exec_child);
}

/* Fork the driver; returns its pid, the read end of its pipe in *rfd. */
static pid_t start_driver(bool with_bpf_only, int *rfd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct scen r;

		memset(&r, 0, sizeof(r));
		close(p[0]);
		run_scenarios(&r, with_bpf_only);
		_exit(write(p[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* Dispatch while the driver runs; read its report. */
static void drive(struct agent_src *s, bool with_bpf_only, struct scen *r)
{
	int rfd;
	pid_t d = start_driver(with_bpf_only, &rfd);
	int64_t end = now_ms() + 15000;
	size_t got = 0;

	while (got < sizeof(*r) && now_ms() < end) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		ssize_t n;

		pump(s, 20);
		if (poll(&pfd, 1, 0) == 1) {
			n = read(rfd, (char *)r + got, sizeof(*r) - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	close(rfd);
	assert_int_equal(got, sizeof(*r));
	assert_int_equal(wait_status(d), 0);
	assert_int_equal(r->driver, d);
}

/* ------------------------------------------------------------------ */
/* independent expectations                                           */

static uint64_t self_mntns(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/self/ns/mnt", &st), 0);
	return st.st_ino;
}

/* The cgroup v2 id of this process: the inode number of its cgroup v2
 * directory (the kernel's cgroup id), found through mountinfo and the "0::"
 * line of /proc/self/cgroup. */
static uint64_t self_cgroup_id(void)
{
	char line[1024], mnt[512] = "", rel[512] = "", path[1100];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	struct stat st;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char root[256], mp[512];
		char *sep = strstr(line, " - cgroup2 ");

		if (sep && sscanf(line, "%*s %*s %*s %255s %511s", root, mp) == 2 &&
		    strcmp(root, "/") == 0) {
			snprintf(mnt, sizeof(mnt), "%s", mp);
			break;
		}
	}
	fclose(f);
	f = fopen("/proc/self/cgroup", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0)
			sscanf(line + 3, "%511s", rel);
	fclose(f);
	if (!mnt[0] || !rel[0])
		return 0;
	snprintf(path, sizeof(path), "%s%s", mnt, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	print_message("test_agent_src: not root; eBPF and the proc connector need root, skipped\n");
	return false;
}

static bool all_bpf_events(const struct coll *c, const struct scen *r)
{
	return find(c, AGENT_EV_EXEC, r->exec_child) && find(c, AGENT_EV_FORK, r->exec_child) &&
	       find(c, AGENT_EV_EXIT, r->exit_child) && find(c, AGENT_EV_PTRACE, r->tracer) &&
	       find(c, AGENT_EV_SETID, r->setuid_child) && find(c, AGENT_EV_MEMFD, r->memfd_child) &&
	       find(c, AGENT_EV_EXEC, r->memfd_child) && find(c, AGENT_EV_CONNECT, r->connector) &&
	       find_net(c, AGENT_EV_ACCEPT, r->driver, AF_INET) && find(c, AGENT_EV_MOUNT, r->mounter) &&
	       find(c, AGENT_EV_MODULE, r->moduler) && find(c, AGENT_EV_EXIT, r->exec_child) &&
	       (!r->cport6 || (find(c, AGENT_EV_CONNECT, r->connector6) &&
			       find_net(c, AGENT_EV_ACCEPT, r->driver, AF_INET6)));
}

static void wait_until(struct agent_src *s, struct coll *c, const struct scen *r,
		       bool (*done)(const struct coll *, const struct scen *))
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (!done(c, r) && now_ms() < end)
		pump(s, 50);
}

static void assert_loopback(const struct agent_net *n, uint16_t sport, uint16_t dport)
{
	uint8_t lo[4] = { 127, 0, 0, 1 };

	assert_int_equal(n->family, AF_INET);
	assert_int_equal(n->proto, IPPROTO_TCP);
	assert_memory_equal(n->saddr, lo, 4);
	assert_memory_equal(n->daddr, lo, 4);
	assert_int_equal(n->sport, sport);
	assert_int_equal(n->dport, dport);
}

/* What both sources must report the same way: the two exits (status as
 * waitpid gave it, the parent), the ptrace attach and the uid change. */
static void check_exit_ptrace(const struct coll *c, const struct scen *r)
{
	const struct agent_proc_ev *e;

	e = find(c, AGENT_EV_EXIT, r->exec_child);
	assert_non_null(e);
	assert_int_equal(e->u.exit.code, r->exec_status);
	e = find(c, AGENT_EV_EXIT, r->exit_child);
	assert_non_null(e);
	assert_int_equal(r->exit_status, 7 << 8);
	assert_int_equal(e->u.exit.code, r->exit_status);
	assert_int_equal(e->ppid, r->driver);

	assert_int_equal(r->tracer_status, 0);
	e = find(c, AGENT_EV_PTRACE, r->tracer);
	assert_non_null(e);
	assert_int_equal(e->u.ptrace.target, r->tracee);
	assert_int_equal(e->u.ptrace.request, PTRACE_ATTACH);
}

static const struct agent_proc_ev *check_setid(const struct coll *c, const struct scen *r)
{
	const struct agent_proc_ev *e;

	assert_int_equal(r->setuid_status, 0);
	e = find(c, AGENT_EV_SETID, r->setuid_child);
	assert_non_null(e);
	return e;
}

static void test_bpf_events(void **state)
{
	struct coll c = { .evs = calloc(MAX_KEEP, sizeof(struct agent_proc_ev)) };
	struct bw_errbuf eb = {{0}};
	struct agent_src *s = NULL;
	const struct agent_proc_ev *e;
	struct scen r;
	static const char want_args[] = "true\0bw-src-test\0x y"; /* + its final NUL */
	int self_fd;

	if (!need_root()) {
		free(c.evs);
		skip();
	}
	assert_non_null(c.evs);
	assert_int_equal(agent_src_open(AGENT_SRC_BPF, keep_cb, &c, &s, &eb), BW_OK);
	assert_string_equal(agent_src_name(s), "bpf");
	/* the agent's own memfd must not be reported */
	self_fd = memfd_create(SELF_MEMFD_NAME, 0);
	assert_true(self_fd >= 0);
	drive(s, true, &r);
	wait_until(s, &c, &r, all_bpf_events);

	e = find(&c, AGENT_EV_FORK, r.exec_child);
	assert_non_null(e);
	assert_int_equal(e->ppid, r.driver);
	e = find(&c, AGENT_EV_EXEC, r.exec_child);
	assert_non_null(e);
	assert_int_equal(e->ppid, r.driver);
	assert_string_equal(e->filename, "/bin/true");
	assert_string_equal(e->comm, "true");
	assert_int_equal(e->args_len, sizeof(want_args));
	assert_memory_equal(e->args, want_args, sizeof(want_args));
	assert_int_equal(e->uid, geteuid());
	assert_int_equal(e->gid, getegid());
	assert_int_equal(e->mntns, self_mntns());
	assert_int_equal(e->cgroup_id, self_cgroup_id());
	assert_true(e->cgroup_id != 0);
	assert_true(e->ts_ns > 0);
	check_exit_ptrace(&c, &r);
	e = check_setid(&c, &r);
	assert_int_equal(e->u.cred.old_uid, 0);
	assert_int_equal(e->u.cred.new_uid, 65534);
	assert_int_equal(e->uid, 65534);

	assert_int_equal(r.memfd_status, 0);
	e = find(&c, AGENT_EV_MEMFD, r.memfd_child);
	assert_non_null(e);
	assert_string_equal(e->filename, MEMFD_NAME);
	e = find(&c, AGENT_EV_EXEC, r.memfd_child);
	assert_non_null(e);
	/* fexecve = execveat(fd, "", AT_EMPTY_PATH): the kernel names it /dev/fd/N */
	assert_string_equal(e->filename, "/dev/fd/99");

	e = find(&c, AGENT_EV_CONNECT, r.connector);
	assert_non_null(e);
	assert_loopback(&e->u.net, r.cport, r.lport);
	e = find_net(&c, AGENT_EV_ACCEPT, r.driver, AF_INET);
	assert_non_null(e);
	assert_loopback(&e->u.net, r.lport, r.cport);
	if (r.cport6) {
		static const uint8_t lo6[16] = { [15] = 1 };
		const struct agent_proc_ev *acc6;

		e = find(&c, AGENT_EV_CONNECT, r.connector6);
		assert_non_null(e);
		assert_int_equal(e->u.net.family, AF_INET6);
		assert_memory_equal(e->u.net.saddr, lo6, 16);
		assert_memory_equal(e->u.net.daddr, lo6, 16);
		assert_int_equal(e->u.net.sport, r.cport6);
		assert_int_equal(e->u.net.dport, r.lport6);
		acc6 = find_net(&c, AGENT_EV_ACCEPT, r.driver, AF_INET6);
		assert_non_null(acc6);
		assert_memory_equal(acc6->u.net.saddr, lo6, 16);
		assert_int_equal(acc6->u.net.sport, r.lport6);
		assert_int_equal(acc6->u.net.dport, r.cport6);
	} else {
		print_message("test_agent_src: no IPv6 loopback, IPv6 connect/accept not checked\n");
	}

	assert_int_equal(r.mount_status, 0);
	e = find(&c, AGENT_EV_MOUNT, r.mounter);
	assert_non_null(e);
	for (size_t i = 0; i < c.n && strcmp(e->u.mount.fstype, "tmpfs") != 0; i++)
		if (c.evs[i].type == AGENT_EV_MOUNT && c.evs[i].pid == r.mounter)
			e = &c.evs[i];
	assert_string_equal(e->filename, "/tmp");
	assert_string_equal(e->u.mount.source, MEMFD_NAME);
	assert_string_equal(e->u.mount.fstype, "tmpfs");
	assert_int_equal(e->u.mount.flags, MS_NOSUID | MS_NODEV);
	e = find(&c, AGENT_EV_MODULE, r.moduler);
	assert_non_null(e);
	assert_string_equal(e->filename, "null");

	/* nothing from the agent itself */
	for (size_t i = 0; i < c.n; i++) {
		assert_int_not_equal(c.evs[i].pid, getpid());
		if (c.evs[i].type == AGENT_EV_MEMFD)
			assert_string_not_equal(c.evs[i].filename, SELF_MEMFD_NAME);
	}
	close(self_fd);
	agent_src_free(s);
	free(c.evs);
}

static bool all_proc_events(const struct coll *c, const struct scen *r)
{
	return find(c, AGENT_EV_EXEC, r->exec_child) && find(c, AGENT_EV_FORK, r->exec_child) &&
	       find(c, AGENT_EV_EXIT, r->exit_child) && find(c, AGENT_EV_PTRACE, r->tracer) &&
	       find(c, AGENT_EV_SETID, r->setuid_child) && find(c, AGENT_EV_EXIT, r->exec_child);
}

static void test_proc_events(void **state)
{
	struct coll c = { .evs = calloc(MAX_KEEP, sizeof(struct agent_proc_ev)) };
	struct bw_errbuf eb = {{0}};
	struct agent_src *s = NULL;
	const struct agent_proc_ev *e;
	char sleep_path[PATH_MAX];
	struct scen r;

	if (!need_root()) {
		free(c.evs);
		skip();
	}
	assert_non_null(c.evs);
	assert_non_null(realpath("/bin/sleep", sleep_path));
	assert_int_equal(agent_src_open(AGENT_SRC_PROC, keep_cb, &c, &s, &eb), BW_OK);
	assert_string_equal(agent_src_name(s), "proc");
	drive(s, false, &r);
	wait_until(s, &c, &r, all_proc_events);

	e = find(&c, AGENT_EV_FORK, r.exec_child);
	assert_non_null(e);
	assert_int_equal(e->ppid, r.driver);
	e = find(&c, AGENT_EV_EXEC, r.exec_child);
	assert_non_null(e);
	assert_int_equal(e->ppid, r.driver);
	/* the proc connector has no argv and no execve path: /proc/PID/exe */
	assert_string_equal(e->filename, sleep_path);
	assert_int_equal(e->args_len, 0);
	assert_string_equal(e->comm, "sleep");
	assert_int_equal(e->uid, geteuid());
	assert_int_equal(e->gid, getegid());
	assert_int_equal(e->mntns, self_mntns());
	assert_int_equal(e->cgroup_id, self_cgroup_id());
	check_exit_ptrace(&c, &r);
	e = check_setid(&c, &r);
	assert_int_equal(e->u.cred.new_uid, 65534);
	assert_int_equal(e->u.cred.old_uid, UINT32_MAX); /* not known to this source */

	for (size_t i = 0; i < c.n; i++)
		assert_int_not_equal(c.evs[i].pid, getpid());
	agent_src_free(s);
	free(c.evs);
}

static void noop_cb(void *ctx, const struct agent_proc_ev *ev)
{
	(void)ctx;
	(void)ev;
}

/* Without the system call hooks: exec, fork, exit and connect still come
 * from eBPF; ptrace and the uid change from the filtered proc connector,
 * the change's old uid from the fork record (the kernel's proc connector
 * event has only the new ids); no mount, module, memfd or accept record. */
static bool no_hooks_events(const struct coll *c, const struct scen *r)
{
	return find(c, AGENT_EV_EXEC, r->exec_child) && find(c, AGENT_EV_FORK, r->exec_child) &&
	       find(c, AGENT_EV_EXIT, r->exit_child) && find(c, AGENT_EV_PTRACE, r->tracer) &&
	       find(c, AGENT_EV_SETID, r->setuid_child) && find(c, AGENT_EV_CONNECT, r->connector) &&
	       find(c, AGENT_EV_EXIT, r->exec_child) && find(c, AGENT_EV_EXIT, r->moduler);
}

static void test_bpf_no_hooks(void **state)
{
	struct coll c = { .evs = calloc(MAX_KEEP, sizeof(struct agent_proc_ev)) };
	struct agent_src_opts o = { .syscall_hooks = false };
	struct bw_errbuf eb = {{0}};
	struct agent_src *s = NULL;
	const struct agent_proc_ev *e;
	struct scen r;

	if (!need_root()) {
		free(c.evs);
		skip();
	}
	assert_non_null(c.evs);
	assert_int_equal(agent_src_open_opts(AGENT_SRC_BPF, &o, keep_cb, &c, &s, &eb), BW_OK);
	assert_string_equal(agent_src_name(s), "bpf");
	assert_false(agent_src_syscall_hooks(s));
	drive(s, true, &r);
	wait_until(s, &c, &r, no_hooks_events);

	e = find(&c, AGENT_EV_EXEC, r.exec_child);
	assert_non_null(e);
	assert_string_equal(e->filename, "/bin/true");
	assert_int_equal(r.tracer_status, 0);
	e = find(&c, AGENT_EV_PTRACE, r.tracer);
	assert_non_null(e);
	assert_int_equal(e->u.ptrace.target, r.tracee);
	assert_int_equal(e->mntns, self_mntns());
	assert_int_equal(r.setuid_status, 0);
	e = find(&c, AGENT_EV_SETID, r.setuid_child);
	assert_non_null(e);
	assert_int_equal(e->u.cred.old_uid, 0); /* root before: from its fork record */
	assert_int_equal(e->u.cred.new_uid, 65534);
	e = find(&c, AGENT_EV_CONNECT, r.connector);
	assert_non_null(e);
	assert_loopback(&e->u.net, r.cport, r.lport);
	assert_int_equal(r.memfd_status, 0);
	assert_int_equal(r.mount_status, 0);
	/* what only the system call hooks see is absent, and the proc
	 * connector (filtered in the kernel) adds no second exec or fork */
	for (size_t i = 0, nexec = 0, nfork = 0; i < c.n; i++) {
		if (c.evs[i].pid == r.exec_child && c.evs[i].type == AGENT_EV_EXEC)
			assert_int_equal(++nexec, 1);
		if (c.evs[i].pid == r.exec_child && c.evs[i].type == AGENT_EV_FORK)
			assert_int_equal(++nfork, 1);
		assert_int_not_equal(c.evs[i].type, AGENT_EV_MOUNT);
		assert_int_not_equal(c.evs[i].type, AGENT_EV_MODULE);
		assert_int_not_equal(c.evs[i].type, AGENT_EV_MEMFD);
		assert_int_not_equal(c.evs[i].type, AGENT_EV_ACCEPT);
		assert_int_not_equal(c.evs[i].type, AGENT_EV_OPEN_ESCAPE);
	}
	agent_src_free(s);

	/* and with them: attached */
	o.syscall_hooks = true;
	assert_int_equal(agent_src_open_opts(AGENT_SRC_BPF, &o, keep_cb, &c, &s, &eb), BW_OK);
	assert_true(agent_src_syscall_hooks(s));
	agent_src_free(s);
	free(c.evs);
}

static void test_auto_fallback(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct agent_src *s = NULL;

	if (!need_root())
		skip();
	unsetenv("BULWARK_AGENT_NO_BPF");
	assert_int_equal(agent_src_open(AGENT_SRC_AUTO, noop_cb, NULL, &s, &eb), BW_OK);
	assert_string_equal(agent_src_name(s), "bpf");
	agent_src_free(s);
	setenv("BULWARK_AGENT_NO_BPF", "1", 1);
	assert_int_equal(agent_src_open(AGENT_SRC_AUTO, noop_cb, NULL, &s, &eb), BW_OK);
	assert_string_equal(agent_src_name(s), "proc");
	agent_src_free(s);
	/* an explicit kind ignores the variable */
	assert_int_equal(agent_src_open(AGENT_SRC_BPF, noop_cb, NULL, &s, &eb), BW_OK);
	assert_string_equal(agent_src_name(s), "bpf");
	agent_src_free(s);
	unsetenv("BULWARK_AGENT_NO_BPF");
}

/* ------------------------------------------------------------------ */
/* flood: FLOOD_N fork+exec with a slow consumer                      */

struct flood {
	uint8_t *exec_seen; /* bitmap over pids */
	size_t bits;
};

static void flood_cb(void *ctx, const struct agent_proc_ev *ev)
{
	struct flood *f = ctx;

	if (ev->type == AGENT_EV_EXEC && ev->pid > 0 && (size_t)ev->pid < f->bits)
		f->exec_seen[ev->pid / 8] |= (uint8_t)(1u << (ev->pid % 8));
	usleep(20); /* a consumer slower than the producer */
}

/* n fork+exec of /bin/true in a driver while a slow consumer dispatches. */
static void flood(enum agent_src_kind kind, int n_execs)
{
	struct flood f = { .bits = 1u << 22 };
	struct bw_errbuf eb = {{0}};
	struct agent_src *s = NULL;
	pid_t *pids = calloc(n_execs, sizeof(*pids));
	uint64_t seen = 0, dropped = 0;
	size_t got = 0, found = 0;
	int p[2];
	pid_t d;
	int64_t end;

	f.exec_seen = calloc(f.bits / 8, 1);
	assert_non_null(f.exec_seen);
	assert_non_null(pids);
	assert_int_equal(agent_src_open(kind, flood_cb, &f, &s, &eb), BW_OK);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	d = fork();
	assert_true(d >= 0);
	if (d == 0) {
		close(p[0]);
		for (int i = 0; i < n_execs; i++) {
			pid_t c = fork();

			if (c == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			pids[i] = c;
			(void)wait_status(c);
		}
		_exit(write(p[1], pids, n_execs * sizeof(*pids)) ==
				      (ssize_t)(n_execs * sizeof(*pids)) ? 0 : 1);
	}
	close(p[1]);
	end = now_ms() + 60000;
	while (got < n_execs * sizeof(*pids) && now_ms() < end) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		ssize_t n;

		usleep(200);
		assert_int_equal(agent_src_dispatch(s, &eb), BW_OK);
		if (poll(&pfd, 1, 0) == 1) {
			n = read(p[0], (char *)pids + got, n_execs * sizeof(*pids) - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	close(p[0]);
	assert_int_equal(got, n_execs * sizeof(*pids));
	assert_int_equal(wait_status(d), 0);
	pump(s, 500);
	for (int i = 0; i < n_execs; i++)
		if (pids[i] > 0 && (size_t)pids[i] < f.bits &&
		    (f.exec_seen[pids[i] / 8] & (1u << (pids[i] % 8))))
			found++;
	agent_src_stats(s, &seen, &dropped);
	print_message("flood %s: %zu of %d execs seen, %llu events seen, %llu dropped\n",
		      agent_src_name(s), found, n_execs, (unsigned long long)seen,
		      (unsigned long long)dropped);
	assert_true(found > 0);
	assert_true(found + dropped >= (size_t)n_execs);
	assert_true(seen >= found);
	agent_src_free(s);
	free(f.exec_seen);
	free(pids);
}

static void test_flood_bpf(void **state)
{
	if (!need_root())
		skip();
	flood(AGENT_SRC_BPF, FLOOD_N);
}

static void test_flood_proc(void **state)
{
	if (!need_root())
		skip();
	flood(AGENT_SRC_PROC, FLOOD_N);
}

static void count_memfd_cb(void *ctx, const struct agent_proc_ev *ev)
{
	size_t *n = ctx;

	if (ev->type == AGENT_EV_MEMFD && strcmp(ev->filename, "bw-src-overflow") == 0)
		(*n)++;
}

/* Nobody consumes while a driver calls memfd_create OVERFLOW_N times:
 * OVERFLOW_N records of ~600 bytes do not fit the 4 MiB ring buffer, so some
 * are lost, and each loss is counted. */
static void test_overflow_bpf(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct agent_src *s = NULL;
	uint64_t seen = 0, dropped = 0;
	size_t found = 0;
	pid_t d;

	if (!need_root())
		skip();
	assert_int_equal(agent_src_open(AGENT_SRC_BPF, count_memfd_cb, &found, &s, &eb), BW_OK);
	d = fork();
	assert_true(d >= 0);
	if (d == 0) {
		for (int i = 0; i < OVERFLOW_N; i++) {
			int fd = memfd_create("bw-src-overflow", 0);

			if (fd < 0)
				_exit(1);
			close(fd);
		}
		_exit(0);
	}
	assert_int_equal(wait_status(d), 0);
	pump(s, 300);
	agent_src_stats(s, &seen, &dropped);
	print_message("overflow: %zu of %d memfd events seen, %llu dropped\n", found, OVERFLOW_N,
		      (unsigned long long)dropped);
	assert_true(found > 0);
	assert_true(found < OVERFLOW_N);
	assert_true(dropped > 0);
	assert_true(found + dropped >= OVERFLOW_N);
	/* after a drain the ring buffer takes events again */
	found = 0;
	d = fork();
	assert_true(d >= 0);
	if (d == 0) {
		int fd = memfd_create("bw-src-overflow", 0);

		_exit(fd >= 0 ? 0 : 1);
	}
	assert_int_equal(wait_status(d), 0);
	pump(s, 200);
	assert_int_equal(found, 1);
	agent_src_free(s);
}

/* ------------------------------------------------------------------ */
/* the proc connector parser on hand-built messages (no root needed)  */

struct cn_out {
	struct agent_proc_ev ev[8];
	size_t n;
};

static void cn_keep(void *ctx, struct agent_proc_ev *ev)
{
	struct cn_out *o = ctx;

	if (o->n < 8)
		o->ev[o->n++] = *ev;
}

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

/* One netlink message as the kernel's proc connector sends it. */
static size_t build_msg(uint8_t *buf, const struct proc_event *pe)
{
	struct nlmsghdr nh = { .nlmsg_type = NLMSG_DONE };
	struct cn_msg cn = { .id = { CN_IDX_PROC, CN_VAL_PROC }, .len = sizeof(*pe) };

	nh.nlmsg_len = NLMSG_LENGTH(sizeof(cn) + sizeof(*pe));
	memcpy(buf, &nh, sizeof(nh));
	memcpy(buf + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(buf + NLMSG_HDRLEN + sizeof(cn), pe, sizeof(*pe));
	return NLMSG_ALIGN(nh.nlmsg_len);
}

static void test_cn_parse(void **state)
{
	uint8_t buf[1024];
	struct proc_event pe;
	struct cn_out o = { .n = 0 };
	struct bw_errbuf eb = {{0}};
	size_t len = 0, n = 0;

	memset(buf, 0, sizeof(buf));
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_FORK;
	pe.timestamp_ns = 42;
	pe.event_data.fork.parent_pid = 100;
	pe.event_data.fork.parent_tgid = 100;
	pe.event_data.fork.child_pid = 200;
	pe.event_data.fork.child_tgid = 200;
	len += build_msg(buf + len, &pe);
	pe.event_data.fork.child_pid = 201; /* a thread of 200: skipped */
	len += build_msg(buf + len, &pe);
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXIT;
	pe.event_data.exit.process_pid = 200;
	pe.event_data.exit.process_tgid = 200;
	pe.event_data.exit.exit_code = 3 << 8;
	pe.event_data.exit.parent_tgid = 100;
	len += build_msg(buf + len, &pe);
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_PTRACE;
	pe.event_data.ptrace.process_pid = 300;
	pe.event_data.ptrace.process_tgid = 300;
	pe.event_data.ptrace.tracer_pid = 301;
	pe.event_data.ptrace.tracer_tgid = 301;
	len += build_msg(buf + len, &pe);
	pe.event_data.ptrace.tracer_pid = 0; /* detach: skipped */
	pe.event_data.ptrace.tracer_tgid = 0;
	len += build_msg(buf + len, &pe);
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_UID;
	pe.event_data.id.process_pid = 400;
	pe.event_data.id.process_tgid = 400;
	pe.event_data.id.r.ruid = 65534;
	pe.event_data.id.e.euid = 65533;
	len += build_msg(buf + len, &pe);

	assert_int_equal(agent_cn_parse(buf, len, cn_keep, &o, &n, &eb), BW_OK);
	assert_int_equal(n, 4);
	assert_int_equal(o.n, 4);
	assert_int_equal(o.ev[0].type, AGENT_EV_FORK);
	assert_int_equal(o.ev[0].pid, 200);
	assert_int_equal(o.ev[0].ppid, 100);
	assert_int_equal(o.ev[0].ts_ns, 42);
	assert_int_equal(o.ev[1].type, AGENT_EV_EXIT);
	assert_int_equal(o.ev[1].u.exit.code, 3 << 8);
	assert_int_equal(o.ev[1].ppid, 100);
	assert_int_equal(o.ev[2].type, AGENT_EV_PTRACE);
	assert_int_equal(o.ev[2].pid, 301);
	assert_int_equal(o.ev[2].u.ptrace.target, 300);
	assert_int_equal(o.ev[3].type, AGENT_EV_SETID);
	assert_int_equal(o.ev[3].pid, 400);
	assert_int_equal(o.ev[3].u.cred.new_uid, 65533); /* effective */

	/* malformed: every truncation of the first message is refused or
	 * yields nothing, never a read past the end */
	for (size_t cut = 1; cut < NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(pe)); cut++) {
		o.n = 0;
		n = 0;
		assert_int_equal(agent_cn_parse(buf, cut, cn_keep, &o, &n, &eb), BW_ERR_FORMAT);
		assert_int_equal(n, 0);
	}
	/* nlmsg_len larger than the datagram */
	{
		struct nlmsghdr nh;

		memcpy(&nh, buf, sizeof(nh));
		nh.nlmsg_len = 4096;
		memcpy(buf, &nh, sizeof(nh));
		assert_int_equal(agent_cn_parse(buf, len, cn_keep, &o, NULL, &eb), BW_ERR_FORMAT);
		assert_non_null(strstr(eb.msg, "length 4096"));
	}
}

/* ------------------------------------------------------------------ */
/* eBPF: stdio sockets at exec time, write opens of escape files       */

struct stdio_scen {
	pid_t sock_in, pipe_in, sock_out; /* exec /bin/true with that stdio */
	pid_t esc_write, esc_rel, esc_read, other_write;
};

/* A child whose fd `fd` is `with`, then exec /bin/true and exit at once. */
static pid_t exec_true_with(int fd, int with)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *const argv[] = { (char *)"true", NULL };

		if (dup2(with, fd) < 0)
			_exit(126);
		execv("/bin/true", argv);
		_exit(127);
	}
	return pid;
}

/* A child that opens path with flags (relative to dir if not NULL). */
static pid_t open_in_child(const char *dir, const char *path, int flags)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		if (dir && chdir(dir) != 0)
			_exit(3);
		fd = open(path, flags, 0600);
		if (fd >= 0)
			close(fd);
		_exit(0);
	}
	return pid;
}

static void run_stdio_scen(struct stdio_scen *r, const char *dir)
{
	int sv[2], pp[2];
	char path[600];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(pp) != 0)
		_exit(20);
	r->sock_in = exec_true_with(0, sv[0]);
	r->pipe_in = exec_true_with(0, pp[0]);
	r->sock_out = exec_true_with(1, sv[1]);
	/* a directory of our own: the names are what matters, not the files */
	snprintf(path, sizeof(path), "%s/release_agent", dir);
	r->esc_write = open_in_child(NULL, path, O_WRONLY | O_CREAT | O_TRUNC);
	r->esc_rel = open_in_child(dir, "core_pattern", O_RDWR | O_CREAT);
	r->esc_read = open_in_child(dir, "core_pattern", O_RDONLY);
	snprintf(path, sizeof(path), "%s/release_agent.txt", dir);
	r->other_write = open_in_child(NULL, path, O_WRONLY | O_CREAT);
	(void)wait_status(r->sock_in);
	(void)wait_status(r->pipe_in);
	(void)wait_status(r->sock_out);
	(void)wait_status(r->esc_write);
	(void)wait_status(r->esc_rel);
	(void)wait_status(r->esc_read);
	(void)wait_status(r->other_write);
}

static bool stdio_done(const struct coll *c, const struct stdio_scen *r)
{
	return find(c, AGENT_EV_EXEC, r->sock_in) && find(c, AGENT_EV_EXEC, r->pipe_in) &&
	       find(c, AGENT_EV_EXEC, r->sock_out) && find(c, AGENT_EV_OPEN_ESCAPE, r->esc_write) &&
	       find(c, AGENT_EV_OPEN_ESCAPE, r->esc_rel) && find(c, AGENT_EV_EXIT, r->other_write) &&
	       find(c, AGENT_EV_EXIT, r->esc_read);
}

static void test_bpf_stdio_and_escape_open(void **state)
{
	struct coll c = { .evs = calloc(MAX_KEEP, sizeof(struct agent_proc_ev)) };
	char dir[] = "/tmp/bw-src-esc-XXXXXX";
	struct bw_errbuf eb = {{0}};
	struct agent_src *s = NULL;
	const struct agent_proc_ev *e;
	struct stdio_scen r;
	int p[2];
	pid_t d;
	int64_t end;
	size_t got = 0;
	char path[600];

	(void)state;
	if (!need_root()) {
		free(c.evs);
		skip();
	}
	assert_non_null(c.evs);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(agent_src_open(AGENT_SRC_BPF, keep_cb, &c, &s, &eb), BW_OK);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	d = fork();
	assert_true(d >= 0);
	if (d == 0) {
		memset(&r, 0, sizeof(r));
		close(p[0]);
		run_stdio_scen(&r, dir);
		_exit(write(p[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	end = now_ms() + 15000;
	while (got < sizeof(r) && now_ms() < end) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		ssize_t n;

		pump(s, 20);
		if (poll(&pfd, 1, 0) == 1) {
			n = read(p[0], (char *)&r + got, sizeof(r) - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	close(p[0]);
	assert_int_equal(got, sizeof(r));
	assert_int_equal(wait_status(d), 0);
	end = now_ms() + DEADLINE_MS;
	while (!stdio_done(&c, &r) && now_ms() < end)
		pump(s, 50);

	/* the children have exited long before: the flags come from exec time */
	e = find(&c, AGENT_EV_EXEC, r.sock_in);
	assert_non_null(e);
	assert_true(e->fd_socket & AGENT_FDSOCK_CHECKED);
	assert_true(e->fd_socket & AGENT_FDSOCK_0);
	assert_false(e->fd_socket & AGENT_FDSOCK_1);
	e = find(&c, AGENT_EV_EXEC, r.pipe_in);
	assert_non_null(e);
	assert_true(e->fd_socket & AGENT_FDSOCK_CHECKED);
	assert_false(e->fd_socket & AGENT_FDSOCK_0);
	e = find(&c, AGENT_EV_EXEC, r.sock_out);
	assert_non_null(e);
	assert_int_equal(e->fd_socket & (AGENT_FDSOCK_0 | AGENT_FDSOCK_1),
			 AGENT_FDSOCK_1);

	e = find(&c, AGENT_EV_OPEN_ESCAPE, r.esc_write);
	assert_non_null(e);
	snprintf(path, sizeof(path), "%s/release_agent", dir);
	assert_string_equal(e->filename, path);
	assert_int_equal(e->u.open.flags & (O_ACCMODE | O_CREAT | O_TRUNC),
			 O_WRONLY | O_CREAT | O_TRUNC);
	assert_true(e->u.open.ret >= 0);
	e = find(&c, AGENT_EV_OPEN_ESCAPE, r.esc_rel);
	assert_non_null(e);
	assert_string_equal(e->filename, "core_pattern"); /* as given */
	assert_int_equal(e->u.open.flags & O_ACCMODE, O_RDWR);
	/* a read-only open and another name: nothing */
	assert_null(find(&c, AGENT_EV_OPEN_ESCAPE, r.esc_read));
	assert_null(find(&c, AGENT_EV_OPEN_ESCAPE, r.other_write));

	agent_src_free(s);
	free(c.evs);
	snprintf(path, sizeof(path), "%s/release_agent", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/core_pattern", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/release_agent.txt", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cn_parse),
		cmocka_unit_test(test_bpf_events),
		cmocka_unit_test(test_bpf_stdio_and_escape_open),
		cmocka_unit_test(test_bpf_no_hooks),
		cmocka_unit_test(test_proc_events),
		cmocka_unit_test(test_auto_fallback),
		cmocka_unit_test(test_flood_bpf),
		cmocka_unit_test(test_flood_proc),
		cmocka_unit_test(test_overflow_bpf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

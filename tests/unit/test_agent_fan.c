/* test_agent_fan.c - fanotify marks on a real runc container (busybox
 * rootfs, one hard link per applet): exec of /bin/nc denied with EPERM
 * (the shell's own "Operation not permitted", exit 126) while other
 * programs run; the host's exec of the very same file is never seen; a
 * watched /etc refuses writes and allows reads; the agent's own mount
 * namespace is refused; closing the group releases a waiting exec.
 * A write whose writer has exited before the event is read is still
 * attributed to the container (by the marked mount), and no longer once
 * agent_fan_forget_container dropped it.
 * Expected outcomes come from the programs' own exit codes and messages;
 * the container's namespace from /proc/INIT/ns/mnt.
 * Needs root, runc and busybox; skipped with a message otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_int.h"
#include "agent_ctr_test.h"

static const char *skip_why;
static char tmpdir[] = "/tmp/bw-fan-XXXXXX";
static bool tmpdir_made;
static char id[160], id_base[160];
static pid_t init_pid;
static struct agent_fan *fan;
static pthread_t thr;
static atomic_bool thr_run;
static bool thr_started;

/* what the callback saw */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ev_total, ev_nc, ev_rootfs_path, ev_etc_write, ev_etc_read, ev_bad_mntns;
static uint64_t ctr_mntns;
static bool deny_etc_writes;
static bool ctr_forgotten;  /* its writes are expected without a namespace */
static int w_seen;          /* WRITTEN events on /tmp/w */
static uint64_t w_mntns;    /* the last one's mntns */
static pid_t w_pid;         /* and pid */
static int hx_seen;         /* EXEC events on /bin/uname (host exec via /proc/PID/root) */
static uint64_t hx_mntns;

static bool cb(void *ctx, const struct agent_fan_ev *ev)
{
	bool allow = true;

	(void)ctx;
	pthread_mutex_lock(&mu);
	ev_total++;
	if (getenv("BW_TEST_VERBOSE"))
		fprintf(stderr, "ev kind %d perm %d pid %d acc %u %s\n", ev->kind, ev->perm,
			(int)ev->pid, ev->access, ev->path);
	if (strstr(ev->path, tmpdir))
		ev_rootfs_path++; /* a host path: must never be reported */
	if (ev->mntns != ctr_mntns && ev->kind != AGENT_FAN_OPEN && !ctr_forgotten) {
		if (!ev_bad_mntns)
			fprintf(stderr, "first mntns mismatch: pid %d %s mntns %llu, container %llu\n",
				(int)ev->pid, ev->path, (unsigned long long)ev->mntns,
				(unsigned long long)ctr_mntns);
		ev_bad_mntns++;
	}
	if (ev->kind == AGENT_FAN_WRITTEN && strcmp(ev->path, "/tmp/w") == 0) {
		w_seen++;
		w_mntns = ev->mntns;
		w_pid = ev->pid;
	}
	if (ev->kind == AGENT_FAN_EXEC && strcmp(ev->path, "/bin/uname") == 0) {
		hx_seen++;
		hx_mntns = ev->mntns;
	}
	if (ev->kind == AGENT_FAN_EXEC && strcmp(ev->path, "/bin/nc") == 0) {
		ev_nc++;
		allow = false;
	}
	if (ev->kind == AGENT_FAN_OPEN && strncmp(ev->path, "/etc/", 5) == 0) {
		if (ev->access & AGENT_ACC_WRITE) {
			ev_etc_write++;
			allow = !deny_etc_writes;
		} else {
			ev_etc_read++;
		}
	}
	pthread_mutex_unlock(&mu);
	return allow;
}

static void *dispatch_loop(void *arg)
{
	struct agent_fan *f = arg;

	while (atomic_load(&thr_run)) {
		struct pollfd pf = {.fd = agent_fan_fd(f), .events = POLLIN};
		struct bw_errbuf eb = {0};

		if (poll(&pf, 1, 50) > 0)
			agent_fan_dispatch(f, &eb);
	}
	return NULL;
}

static void stop_thread(void)
{
	if (thr_started) {
		atomic_store(&thr_run, false);
		pthread_join(thr, NULL);
		thr_started = false;
	}
}

static void start_thread(void)
{
	atomic_store(&thr_run, true);
	assert_int_equal(pthread_create(&thr, NULL, dispatch_loop, fan), 0);
	thr_started = true;
}

/* first thing on a signal: nothing may be left waiting on the agent */
static void release_fan(void)
{
	if (fan)
		close(agent_fan_fd(fan));
}

static void cleanup(void)
{
	stop_thread();
	agent_fan_free(fan); /* before the containers: nothing left waiting */
	fan = NULL;
	ctr_test_cleanup();
	if (tmpdir_made) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup: %s failed\n", cmd);
		tmpdir_made = false;
	}
}

static int setup(void **state)
{
	struct stat st;
	char p[64];

	(void)state;
	if (!ctr_test_env(&skip_why))
		return 0;
	atexit(cleanup);
	ctr_test_watchdog(280, release_fan);
	if (!mkdtemp(tmpdir))
		return -1;
	tmpdir_made = true;
	if (ctr_test_start("runc", tmpdir, "fan", NULL, id, sizeof(id)) != 0)
		return -1;
	if (ctr_test_start("runc", tmpdir, "fanbase", NULL, id_base, sizeof(id_base)) != 0)
		return -1;
	init_pid = ctr_test_pid("runc", id);
	if (init_pid <= 0)
		return -1;
	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)init_pid);
	if (stat(p, &st) != 0)
		return -1;
	ctr_mntns = (uint64_t)st.st_ino;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cleanup();
	return 0;
}

#define NEED_ENV()                                                                              \
	do {                                                                                    \
		if (skip_why) {                                                                 \
			fprintf(stderr, "skipped: %s\n", skip_why);                             \
			skip();                                                                 \
		}                                                                               \
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 2000 fork+exec of /bin/true inside container cid, timed inside it with
 * /proc/uptime (10 ms resolution), in seconds. */
static double exec_round(const char *cid)
{
	char out[256];
	double a = 0, b = 0;
	int rc = ctr_sh(out, sizeof(out),
			"ctr_exec runc %s sh -c 'read a x </proc/uptime; i=0; "
			"while [ $i -lt 2000 ]; do /bin/true; i=$((i+1)); done; "
			"read b x </proc/uptime; echo $a $b'",
			cid);

	assert_int_equal(rc, 0);
	assert_int_equal(sscanf(out, "%lf %lf", &a, &b), 2);
	assert_true(b >= a);
	return b - a;
}

/* Runs first: open + mark + dispatch thread for the tests that follow.
 * The overhead: the same loop in the marked container and in an unmarked
 * twin, alternated (the machine is shared: alternating cancels drift),
 * best of four each. Printed, not asserted: it is a measurement. */
static void test_mark_and_overhead(void **state)
{
	struct bw_errbuf eb = {0};
	double base = 1e9, marked = 1e9, t;
	int seen_before, round;

	(void)state;
	NEED_ENV();
	assert_int_equal(agent_fan_open(cb, NULL, &fan, &eb), BW_OK);
	assert_int_equal(agent_fan_mark_container(fan, init_pid, &eb), BW_OK);
	start_thread();
	pthread_mutex_lock(&mu);
	seen_before = ev_total;
	pthread_mutex_unlock(&mu);
	for (round = 0; round < 4; round++) {
		t = exec_round(id_base);
		base = t < base ? t : base;
		t = exec_round(id);
		marked = t < marked ? t : marked;
	}
	pthread_mutex_lock(&mu);
	seen_before = ev_total - seen_before;
	pthread_mutex_unlock(&mu);
	/* every exec of /bin/true in the marked container went through the agent,
	 * none of the twin's */
	assert_true(seen_before >= 4 * 2000);
	assert_true(seen_before < 2 * 4 * 2000);
	fprintf(stderr,
		"exec overhead: 2000 execs in %.2f s unmarked, %.2f s marked (best of 4): "
		"%.0f vs %.0f us per exec, %+.0f us\n",
		base, marked, base * 1e6 / 2000, marked * 1e6 / 2000, (marked - base) * 1e6 / 2000.0);
}

static void test_exec_denied(void **state)
{
	uint64_t seen, denied, dropped;
	int nc, rootfs_path, bad_mntns;
	char out[1024];
	int rc;

	(void)state;
	NEED_ENV();
	assert_non_null(fan);
	/* busybox sh runs "nc" as a built-in applet; a path makes it exec */
	rc = ctr_sh(out, sizeof(out), "ctr_exec runc %s sh -c /bin/nc", id);
	if (rc != 126)
		fprintf(stderr, "sh -c /bin/nc: rc %d: %s\n", rc, out);
	assert_int_equal(rc, 126);
	assert_non_null(strstr(out, "Operation not permitted"));
	/* runc's own exec of it fails the same way */
	rc = ctr_sh(out, sizeof(out), "ctr_exec runc %s nc", id);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(out, "operation not permitted"));
	rc = ctr_sh(out, sizeof(out), "ctr_exec runc %s ls /bin/nc", id);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "/bin/nc"));
	pthread_mutex_lock(&mu);
	nc = ev_nc;
	rootfs_path = ev_rootfs_path;
	bad_mntns = ev_bad_mntns;
	pthread_mutex_unlock(&mu);
	assert_true(nc >= 1);              /* reported with the container's path */
	assert_int_equal(rootfs_path, 0);  /* never the host's path */
	assert_int_equal(bad_mntns, 0);

	agent_fan_stats(fan, &seen, &denied, &dropped);
	assert_true(denied >= 1);
	assert_true(seen >= denied);
}

static void test_host_exec_unseen(void **state)
{
	char out[256];
	int before, after, rc;

	(void)state;
	NEED_ENV();
	assert_non_null(fan);
	pthread_mutex_lock(&mu);
	before = ev_total;
	pthread_mutex_unlock(&mu);
	/* the same inode as the container's /bin/nc, by its host path */
	rc = ctr_sh(out, sizeof(out), "%s/rootfs/bin/nc --help >/dev/null 2>&1; %s/rootfs/bin/echo ok",
		    tmpdir, tmpdir);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "ok"));
	usleep(200 * 1000);
	pthread_mutex_lock(&mu);
	after = ev_total;
	pthread_mutex_unlock(&mu);
	assert_int_equal(after, before);
}

static void test_watch_etc(void **state)
{
	struct bw_errbuf eb = {0};
	char out[1024];
	int rc;

	(void)state;
	NEED_ENV();
	assert_non_null(fan);
	deny_etc_writes = true;
	assert_int_equal(agent_fan_watch(fan, init_pid, "/etc", false, &eb), BW_OK);
	assert_int_equal(agent_fan_watch(fan, init_pid, "/no/such/dir", true, &eb), BW_OK);
	assert_int_equal(agent_fan_watch(fan, init_pid, "/root", true, &eb), BW_OK);
	rc = ctr_sh(out, sizeof(out), "ctr_exec runc %s sh -c 'echo x > /etc/x'", id);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(out, "Operation not permitted"));
	rc = ctr_sh(out, sizeof(out), "ctr_exec runc %s sh -c 'echo x >> /etc/passwd'", id);
	assert_int_not_equal(rc, 0);
	rc = ctr_sh(out, sizeof(out), "ctr_exec runc %s cat /etc/passwd", id);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "root:x:0:0:"));
	/* recursive watch: /root/.ssh is a subdirectory of /root */
	rc = ctr_sh(out, sizeof(out), "ctr_exec runc %s cat /root/.ssh/id_rsa", id);
	assert_int_equal(rc, 0);
	pthread_mutex_lock(&mu);
	rc = ev_etc_write >= 2 && ev_etc_read >= 1;
	pthread_mutex_unlock(&mu);
	assert_true(rc);
	/* the file the denied open created is there, empty; passwd unchanged */
	rc = ctr_sh(out, sizeof(out), "wc -l < %s/rootfs/etc/passwd", tmpdir);
	assert_int_equal(rc, 0);
	assert_int_equal(strtol(out, NULL, 10), 2);
	deny_etc_writes = false;
}

static bool file_nonempty(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size > 0;
}

/* `sh -c 'echo x > /tmp/w'` in the container, its FAN_CLOSE_WRITE read
 * only after the writer exited. The shell is started while the dispatch
 * thread answers its exec; it then waits on a fifo (no more execs) while
 * the thread is stopped; released, it writes and exits; only after runc
 * exec returned (the process is gone) is the group read. *pid: the
 * writer, *mntns: what the event said. */
static void write_after_exit(uint64_t *mntns, pid_t *pid)
{
	char p_ready[256], p_go[256], p_w[256], cmd[1024];
	pid_t child;
	int fd = -1, i, status, seen;

	snprintf(p_ready, sizeof(p_ready), "%s/rootfs/tmp/ready", tmpdir);
	snprintf(p_go, sizeof(p_go), "%s/rootfs/tmp/go", tmpdir);
	snprintf(p_w, sizeof(p_w), "%s/rootfs/tmp/w", tmpdir);
	unlink(p_ready);
	unlink(p_go);
	unlink(p_w);
	assert_int_equal(mkfifo(p_go, 0600), 0);
	snprintf(cmd, sizeof(cmd),
		 ". %s; ctr_exec runc %s sh -c 'echo r > /tmp/ready; read l < /tmp/go; "
		 "echo x > /tmp/w' >/dev/null 2>&1", CTR_LIB, id);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && !file_nonempty(p_ready); i++)
		usleep(50 * 1000);
	assert_true(file_nonempty(p_ready));
	stop_thread(); /* from here on, nothing reads the group */
	pthread_mutex_lock(&mu);
	w_seen = 0;
	w_mntns = 0;
	w_pid = 0;
	pthread_mutex_unlock(&mu);
	for (i = 0; i < 200 && fd < 0; i++) {
		fd = open(p_go, O_WRONLY | O_NONBLOCK | O_CLOEXEC); /* ENXIO: no reader yet */
		if (fd < 0)
			usleep(50 * 1000);
	}
	if (fd >= 0) {
		assert_int_equal(write(fd, "go\n", 3), 3);
		close(fd);
	}
	for (i = 0; i < 300; i++) {
		if (waitpid(child, &status, WNOHANG) == child)
			break;
		usleep(50 * 1000);
	}
	if (i == 300 || fd < 0) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		start_thread();
		fail_msg("the writer did not finish (fifo %s)", fd < 0 ? "never opened" : "written");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(file_nonempty(p_w)); /* it did write */
	/* now read the group: the event waits there already */
	for (i = 0; i < 20; i++) {
		struct pollfd pf = {.fd = agent_fan_fd(fan), .events = POLLIN};
		struct bw_errbuf eb = {0};

		if (poll(&pf, 1, 50) > 0)
			assert_int_equal(agent_fan_dispatch(fan, &eb), BW_OK);
		pthread_mutex_lock(&mu);
		seen = w_seen;
		pthread_mutex_unlock(&mu);
		if (seen)
			break;
	}
	start_thread();
	pthread_mutex_lock(&mu);
	seen = w_seen;
	*mntns = w_mntns;
	*pid = w_pid;
	pthread_mutex_unlock(&mu);
	assert_int_equal(seen, 1);
	assert_true(*pid > 0);
	/* the writer was gone when the event was read: its namespace is unknown */
	assert_int_equal(kill(*pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	unlink(p_ready);
	unlink(p_go);
}

static void test_written_after_exit(void **state)
{
	struct bw_errbuf eb = {0};
	uint64_t mntns;
	pid_t pid;

	(void)state;
	NEED_ENV();
	assert_non_null(fan);
	write_after_exit(&mntns, &pid);
	assert_int_equal(mntns, ctr_mntns); /* by the marked mount */
	/* the container forgotten: only the opener's namespace is left, and it
	 * has exited */
	agent_fan_forget_container(fan, ctr_mntns);
	ctr_forgotten = true;
	write_after_exit(&mntns, &pid);
	ctr_forgotten = false;
	assert_int_equal(mntns, 0);
	/* marked again: attributed again */
	assert_int_equal(agent_fan_mark_container(fan, init_pid, &eb), BW_OK);
	write_after_exit(&mntns, &pid);
	assert_int_equal(mntns, ctr_mntns);
	agent_fan_forget_container(fan, 12345); /* another container: no effect */
	agent_fan_forget_container(NULL, ctr_mntns);
	write_after_exit(&mntns, &pid);
	assert_int_equal(mntns, ctr_mntns);
}

/* A host process exec'ing a container's file through /proc/INIT/root goes
 * through the container's marked mount, but it is a host process (never
 * blocked): its event carries the host's namespace, not the container's. */
static void test_host_exec_through_proc_root(void **state)
{
	char out[256];
	struct stat st;
	int rc, i, seen = 0;
	uint64_t mntns = 0;

	(void)state;
	NEED_ENV();
	assert_non_null(fan);
	assert_int_equal(stat("/proc/self/ns/mnt", &st), 0);
	rc = ctr_sh(out, sizeof(out), "/proc/%d/root/bin/uname -s", (int)init_pid);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "Linux"));
	for (i = 0; i < 40 && !seen; i++) {
		usleep(50 * 1000);
		pthread_mutex_lock(&mu);
		seen = hx_seen;
		mntns = hx_mntns;
		pthread_mutex_unlock(&mu);
	}
	assert_true(seen >= 1); /* the container's mount is marked: it is seen */
	assert_int_equal(mntns, (uint64_t)st.st_ino);
}

static void test_refuse_own_namespace(void **state)
{
	struct bw_errbuf eb = {0};
	struct agent_fan *f = NULL;

	(void)state;
	NEED_ENV();
	assert_int_equal(agent_fan_open(NULL, NULL, &f, &eb), BW_OK);
	assert_int_equal(agent_fan_mark_container(f, getpid(), &eb), BW_ERR_USAGE);
	assert_non_null(strstr(eb.msg, "agent's own mount namespace"));
	assert_int_equal(agent_fan_watch(f, getpid(), "/etc", false, &eb), BW_ERR_USAGE);
	agent_fan_free(f);
}

/* A group that never answers: the exec waits; closing the group releases
 * it within a second. */
static void test_free_releases_waiters(void **state)
{
	struct bw_errbuf eb = {0};
	struct agent_fan *f = NULL;
	pid_t child;
	int status = -1, i;
	double t0;

	(void)state;
	NEED_ENV();
	assert_int_equal(agent_fan_open(NULL, NULL, &f, &eb), BW_OK);
	assert_int_equal(agent_fan_mark_container(f, init_pid, &eb), BW_OK);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char cmd[512];

		/* exec at once: no malloc in a forked child of a threaded process */
		snprintf(cmd, sizeof(cmd), ". %s; ctr_exec runc %s /bin/true >/dev/null 2>&1", CTR_LIB, id);
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(700 * 1000);
	/* still waiting on the unanswered permission event */
	assert_int_equal(waitpid(child, &status, WNOHANG), 0);
	t0 = now_s();
	agent_fan_free(f);
	for (i = 0; i < 100; i++) {
		if (waitpid(child, &status, WNOHANG) == child)
			break;
		usleep(20 * 1000);
	}
	if (i == 100) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		fail_msg("the exec was not released after agent_fan_free");
	}
	assert_true(now_s() - t0 < 1.0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* exec events of /bin/true by kind: notification (perm false) or permission */
static int nx_note, nx_perm;

static bool cb_count(void *ctx, const struct agent_fan_ev *ev)
{
	(void)ctx;
	if (ev->kind == AGENT_FAN_EXEC && strcmp(ev->path, "/bin/true") == 0) {
		if (ev->perm)
			nx_perm++;
		else
			nx_note++;
	}
	return true;
}

/* ctr_exec /bin/true in the container in a child; its pid */
static pid_t spawn_true(void)
{
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd), ". %s; ctr_exec runc %s /bin/true >/dev/null 2>&1", CTR_LIB, id);
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return child;
}

/* Wait for child up to ms, dispatching f when dispatch; true if it exited 0. */
static bool reap(struct agent_fan *f, pid_t child, int ms, bool dispatch)
{
	struct bw_errbuf eb = {0};
	int status = -1;

	for (int i = 0; i < ms / 20; i++) {
		if (dispatch)
			assert_int_equal(agent_fan_dispatch(f, &eb), BW_OK);
		if (waitpid(child, &status, WNOHANG) == child)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		usleep(20 * 1000);
	}
	return false;
}

/* Notification marks (discover, monitor): an exec never waits, even on a
 * group nobody reads; switching to permission marks makes the next exec
 * wait for the answer, and back. */
static void test_notification_marks(void **state)
{
	struct bw_errbuf eb = {0};
	struct agent_fan *f = NULL;
	pid_t child;
	int status;

	(void)state;
	NEED_ENV();
	nx_note = nx_perm = 0;
	assert_int_equal(agent_fan_open(cb_count, NULL, &f, &eb), BW_OK);
	assert_int_equal(agent_fan_mark_container_exec(f, init_pid, false, &eb), BW_OK);
	/* nothing dispatches: it still runs to the end */
	child = spawn_true();
	if (!reap(f, child, 10000, false)) {
		agent_fan_free(f);
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		fail_msg("an exec waited on a notification mark");
	}
	assert_int_equal(agent_fan_dispatch(f, &eb), BW_OK);
	assert_true(nx_note >= 1);
	assert_int_equal(nx_perm, 0);

	/* to permission marks: the exec waits until the group answers */
	assert_int_equal(agent_fan_mark_container_exec(f, init_pid, true, &eb), BW_OK);
	nx_note = nx_perm = 0;
	child = spawn_true();
	usleep(700 * 1000);
	if (waitpid(child, &status, WNOHANG) != 0) {
		agent_fan_free(f);
		fail_msg("an exec did not wait on the permission mark");
	}
	assert_true(reap(f, child, 10000, true));
	assert_true(nx_perm >= 1);
	assert_int_equal(nx_note, 0); /* the notification bit is gone */

	/* and back: no waiting again */
	assert_int_equal(agent_fan_mark_container_exec(f, init_pid, false, &eb), BW_OK);
	assert_int_equal(agent_fan_dispatch(f, &eb), BW_OK);
	nx_note = nx_perm = 0;
	child = spawn_true();
	if (!reap(f, child, 10000, false)) {
		agent_fan_free(f);
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		fail_msg("an exec waited after switching back to notification marks");
	}
	assert_int_equal(agent_fan_dispatch(f, &eb), BW_OK);
	assert_true(nx_note >= 1);
	assert_int_equal(nx_perm, 0);
	agent_fan_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_and_overhead),
		cmocka_unit_test(test_exec_denied),
		cmocka_unit_test(test_host_exec_unseen),
		cmocka_unit_test(test_watch_etc),
		cmocka_unit_test(test_written_after_exit),
		cmocka_unit_test(test_host_exec_through_proc_root),
		cmocka_unit_test(test_refuse_own_namespace),
		cmocka_unit_test(test_free_releases_waiters),
		cmocka_unit_test(test_notification_marks),
	};

	return cmocka_run_group_tests_name("agent_fan", tests, setup, teardown);
}

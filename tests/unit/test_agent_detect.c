/* test_agent_detect.c - the built-in detections: for each one, a hand-made
 * event that must hit exactly that detection id and a near miss that must
 * not; the drift cap; the table itself (unique ids, ATT&CK ids well formed).
 * The expected ids are the ones documented in docs/agent-detections.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include <cmocka.h>

#include "agent/agent_int.h"

#define NS 4026532001ull
#define MAXH 8

static struct agent_det_hit hits[MAXH];

static struct agent_det_in ev_exec(const char *exe, const char *args, const char *parent)
{
	return (struct agent_det_in){.kind = AGENT_DET_EXEC, .mntns = NS, .pid = 100, .ppid = 99,
				     .exe = exe, .args = args, .parent_exe = parent};
}

static struct agent_det_in ev_file(const char *path, unsigned access)
{
	return (struct agent_det_in){.kind = AGENT_DET_FILE, .mntns = NS, .pid = 100,
				     .exe = "/bin/busybox", .args = "", .path = path,
				     .access = access};
}

static size_t run(struct agent_detect *d, const struct agent_det_in *in)
{
	memset(hits, 0, sizeof(hits));
	return agent_detect_eval(d, in, hits, MAXH);
}

static bool has(size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(hits[i].det->id, id) == 0)
			return true;
	return false;
}

/* Expect exactly the ids given (NULL-terminated), in any order. */
static void expect_ids(struct agent_detect *d, const struct agent_det_in *in, ...)
{
	size_t n = run(d, in);
	size_t want = 0;
	va_list ap;

	va_start(ap, in);
	for (const char *id = va_arg(ap, const char *); id; id = va_arg(ap, const char *)) {
		if (!has(n, id))
			fail_msg("%s %s: expected %s, got %zu hit(s)%s%s", in->exe ? in->exe : "",
				 in->path ? in->path : (in->args ? in->args : ""), id, n,
				 n ? ", first " : "", n ? hits[0].det->id : "");
		want++;
	}
	va_end(ap);
	if (n != want)
		fail_msg("%s %s: %zu hits, expected %zu (first: %s %s)", in->exe ? in->exe : "",
			 in->path ? in->path : (in->args ? in->args : ""), n, want,
			 hits[0].det->id, hits[0].detail);
}

static void test_table(void **state)
{
	size_t n;
	const struct agent_detection *t = agent_detections(&n);

	assert_int_equal(n, 17);
	for (size_t i = 0; i < n; i++) {
		char want[32];
		snprintf(want, sizeof(want), "BW-RT-%03zu", i + 1);
		assert_string_equal(t[i].id, want);
		assert_ptr_equal(agent_detection_find(want), &t[i]);
		assert_true(strlen(t[i].name) > 0 && strlen(t[i].mitre_name) > 0);
		/* T + 4 digits, optionally .3 digits */
		size_t l = strlen(t[i].mitre);
		assert_true(t[i].mitre[0] == 'T' && (l == 5 || (l == 9 && t[i].mitre[5] == '.')));
		assert_true(strcmp(t[i].severity, "low") == 0 || strcmp(t[i].severity, "medium") == 0 ||
			    strcmp(t[i].severity, "high") == 0 ||
			    strcmp(t[i].severity, "critical") == 0);
	}
	assert_null(agent_detection_find("BW-RT-000"));
	assert_null(agent_detection_find("BW-RT-018"));
	assert_null(agent_detection_find(NULL));
}

static void test_shell(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;

	in = ev_exec("/bin/sh", "sh -c id", "/usr/bin/python3");
	expect_ids(d, &in, "BW-RT-001", NULL);
	assert_non_null(strstr(hits[0].detail, "/bin/sh"));
	assert_non_null(strstr(hits[0].detail, "/usr/bin/python3"));
	in = ev_exec("/usr/bin/bash", "bash", "");
	expect_ids(d, &in, "BW-RT-001", NULL);
	/* busybox multi-call: the applet is argv[0], or argv[1] after "busybox" */
	in = ev_exec("/bin/busybox", "sh -c true", "/bin/busybox");
	expect_ids(d, &in, "BW-RT-001", NULL);
	in = ev_exec("/bin/busybox", "/bin/busybox ash", "");
	expect_ids(d, &in, "BW-RT-001", NULL);
	/* near misses: a name that only starts like a shell, busybox running ls */
	in = ev_exec("/usr/bin/shasum", "shasum x", "/bin/sh");
	expect_ids(d, &in, NULL);
	in = ev_exec("/bin/busybox", "ls -l", "/bin/sh");
	expect_ids(d, &in, NULL);
	in = ev_exec("/usr/bin/bashbug", "bashbug", "");
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
}

static void test_nettool(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;

	in = ev_exec("/bin/nc", "nc 10.0.0.1 80", "/bin/sh");
	expect_ids(d, &in, "BW-RT-002", NULL);
	assert_string_equal(hits[0].detail, "/bin/nc (nc) run by /bin/sh");
	in = ev_exec("/usr/bin/wget", "wget http://x/", "/bin/sh");
	expect_ids(d, &in, "BW-RT-002", NULL);
	in = ev_exec("/bin/busybox", "busybox nc -l -p 80", "");
	expect_ids(d, &in, "BW-RT-002", NULL);
	in = ev_exec("/usr/bin/ncdu", "ncdu", "/bin/sh");
	expect_ids(d, &in, NULL);
	in = ev_exec("/usr/bin/curl-config", "curl-config --libs", "/bin/sh");
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
}

static void test_revshell(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;

	in = ev_exec("/bin/sh", "sh", "/bin/nc");
	in.stdin_socket = true;
	in.stdout_socket = true;
	expect_ids(d, &in, "BW-RT-001", "BW-RT-003", NULL);
	in.stdin_socket = false; /* one is enough */
	expect_ids(d, &in, "BW-RT-001", "BW-RT-003", NULL);
	/* near miss: a socket on stdin of a program that is not a shell */
	in = ev_exec("/bin/cat", "cat", "/bin/nc");
	in.stdin_socket = true;
	expect_ids(d, &in, NULL);
	/* bash connecting by itself (/dev/tcp) */
	in = (struct agent_det_in){.kind = AGENT_DET_CONNECT, .mntns = NS, .pid = 7,
				   .exe = "/bin/bash", .args = "bash -i"};
	expect_ids(d, &in, "BW-RT-003", NULL);
	in.exe = "/usr/bin/curl";
	in.args = "curl http://x";
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
}

static void test_write_dirs(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;

	in = ev_file("/etc/passwd", AGENT_ACC_WRITE);
	expect_ids(d, &in, "BW-RT-004", NULL);
	assert_string_equal(hits[0].detail, "/etc/passwd written by /bin/busybox");
	in = ev_file("/etc/cron.d/x", AGENT_ACC_WRITE | AGENT_ACC_READ);
	expect_ids(d, &in, "BW-RT-004", NULL);
	static const char *const bins[] = {"/bin/x", "/sbin/x", "/usr/bin/x", "/usr/sbin/x",
					   "/lib/libc.so.6", "/usr/lib/x/y.so", "/lib64/ld.so"};
	for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]); i++) {
		in = ev_file(bins[i], AGENT_ACC_WRITE);
		expect_ids(d, &in, "BW-RT-005", NULL);
	}
	/* near misses: a sibling whose name starts the same, a read, /usr/local */
	in = ev_file("/etcfoo/x", AGENT_ACC_WRITE);
	expect_ids(d, &in, NULL);
	in = ev_file("/binx", AGENT_ACC_WRITE);
	expect_ids(d, &in, NULL);
	in = ev_file("/etc/passwd", AGENT_ACC_READ);
	expect_ids(d, &in, NULL);
	in = ev_file("/usr/local/bin/x", AGENT_ACC_WRITE);
	expect_ids(d, &in, NULL);
	in = ev_file("/tmp/etc/x", AGENT_ACC_WRITE);
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
}

static void test_sensitive_reads(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;
	static const struct {
		const char *path, *id;
	} hitlist[] = {
		{"/etc/shadow", "BW-RT-006"},
		{"/etc/gshadow", "BW-RT-006"},
		{"/etc/sudoers", "BW-RT-006"},
		{"/etc/sudoers.d/admins", "BW-RT-006"},
		{"/root/.ssh/id_rsa", "BW-RT-007"},
		{"/home/app/.ssh/id_ed25519", "BW-RT-007"},
		{"/etc/ssh/ssh_host_ecdsa_key", "BW-RT-007"},
		{"/root/.aws/credentials", "BW-RT-008"},
		{"/home/u/.config/gcloud/legacy_credentials/a@b/adc.json", "BW-RT-008"},
		{"/root/.config/gcloud/access_tokens.db", "BW-RT-008"},
		{"/root/.azure/msal_token_cache.json", "BW-RT-008"},
		{"/var/run/secrets/kubernetes.io/serviceaccount/token", "BW-RT-008"},
		{"/run/secrets/kubernetes.io/serviceaccount/..2024_01_01/token", "BW-RT-008"},
	};
	for (size_t i = 0; i < sizeof(hitlist) / sizeof(hitlist[0]); i++) {
		in = ev_file(hitlist[i].path, AGENT_ACC_READ);
		expect_ids(d, &in, hitlist[i].id, NULL);
	}
	in = ev_file("/etc/shadow", AGENT_ACC_READ);
	run(d, &in);
	assert_string_equal(hits[0].detail, "/etc/shadow read by /bin/busybox");
	/* near misses */
	static const char *const misses[] = {
		"/etc/shadowsocks.json", "/etc/passwd", "/root/.ssh/id_rsa.pub",
		"/root/.ssh/known_hosts", "/etc/ssh/ssh_host_rsa_key.pub", "/etc/ssh/sshd_config",
		"/root/.aws/config", "/root/.config/gcloudx/a",
		"/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
		"/srv/etc/shadow",
	};
	for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		in = ev_file(misses[i], AGENT_ACC_READ);
		expect_ids(d, &in, NULL);
	}
	/* writing /etc/shadow (O_WRONLY) is a write below /etc, not a read */
	in = ev_file("/etc/shadow", AGENT_ACC_WRITE);
	expect_ids(d, &in, "BW-RT-004", NULL);
	agent_detect_free(d);
}

static void test_pkgmgr(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;

	in = ev_exec("/usr/bin/dpkg", "dpkg --version", "/bin/sh");
	expect_ids(d, &in, "BW-RT-009", NULL);
	in = ev_exec("/usr/bin/apt-get", "apt-get install -y curl", "/bin/bash");
	expect_ids(d, &in, "BW-RT-009", NULL);
	in = ev_exec("/sbin/apk", "apk add curl", "/bin/sh");
	expect_ids(d, &in, "BW-RT-009", NULL);
	in = ev_exec("/usr/bin/pip3", "/usr/bin/python3 /usr/bin/pip3 install requests", "/bin/sh");
	expect_ids(d, &in, "BW-RT-009", NULL);
	in = ev_exec("/usr/bin/python3.11", "python3 -m pip -q install requests", "/bin/sh");
	expect_ids(d, &in, "BW-RT-009", NULL);
	in = ev_exec("/usr/bin/node", "node /usr/bin/npm i left-pad", "/bin/sh");
	expect_ids(d, &in, "BW-RT-009", NULL);
	/* near misses: npm start / pip list, dpkg run by apt-get (reported once),
	 * a name that merely starts like a package manager */
	in = ev_exec("/usr/bin/npm", "npm start", "/bin/sh");
	expect_ids(d, &in, NULL);
	in = ev_exec("/usr/bin/pip", "pip list", "/bin/sh");
	expect_ids(d, &in, NULL);
	in = ev_exec("/usr/bin/dpkg", "dpkg --unpack x.deb", "/usr/bin/apt-get");
	expect_ids(d, &in, NULL);
	in = ev_exec("/usr/bin/dpkg-query", "dpkg-query -W", "/bin/sh");
	expect_ids(d, &in, NULL);
	in = ev_exec("/usr/bin/python3", "python3 app.py", "/bin/sh");
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
}

static void test_drift_and_tmp(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;

	agent_detect_note_write(d, NS, "/usr/local/bin/tool");
	in = ev_exec("/usr/local/bin/tool", "tool", "/bin/sh");
	expect_ids(d, &in, "BW-RT-010", NULL);
	assert_string_equal(hits[0].detail,
			    "/usr/local/bin/tool was written in the container, then run by /bin/sh");
	/* same path in another container: not written there */
	in.mntns = NS + 1;
	expect_ids(d, &in, NULL);
	/* dropped in /tmp: drift and exec from /tmp */
	agent_detect_note_write(d, NS, "/tmp/x");
	in = ev_exec("/tmp/x", "/tmp/x true", "/bin/sh");
	expect_ids(d, &in, "BW-RT-010", "BW-RT-011", NULL);
	in = ev_exec("/dev/shm/a/b", "b", "/bin/sh");
	expect_ids(d, &in, "BW-RT-011", NULL);
	in = ev_exec("/var/tmp/y", "y", "/bin/sh");
	expect_ids(d, &in, "BW-RT-011", NULL);
	/* near misses */
	in = ev_exec("/tmpfoo/y", "y", "/bin/sh");
	expect_ids(d, &in, NULL);
	in = ev_exec("/usr/local/bin/other", "other", "/bin/sh");
	expect_ids(d, &in, NULL);
	/* the container goes away: its writes are forgotten */
	agent_detect_forget(d, NS);
	in = ev_exec("/usr/local/bin/tool", "tool", "/bin/sh");
	expect_ids(d, &in, NULL);
	uint64_t paths, dropped;
	agent_detect_stats(d, &paths, &dropped);
	assert_int_equal(paths, 0);
	/* host writes (mntns 0) and relative paths are ignored */
	agent_detect_note_write(d, 0, "/x");
	agent_detect_note_write(d, NS, "rel/x");
	agent_detect_stats(d, &paths, &dropped);
	assert_int_equal(paths, 0);
	agent_detect_free(d);
}

static void test_drift_cap(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;
	char p[64];
	uint64_t paths, dropped;

	for (int i = 0; i < AGENT_DETECT_DRIFT_MAX + 10; i++) {
		snprintf(p, sizeof(p), "/app/f%d", i);
		agent_detect_note_write(d, NS, p);
	}
	/* writing a remembered path again adds nothing */
	agent_detect_note_write(d, NS, "/app/f4000");
	agent_detect_stats(d, &paths, &dropped);
	assert_int_equal(paths, AGENT_DETECT_DRIFT_MAX);
	assert_int_equal(dropped, 10);
	/* the 10 oldest are gone, the 11th oldest and the newest are there */
	in = ev_exec("/app/f0", "f0", "");
	expect_ids(d, &in, NULL);
	in = ev_exec("/app/f9", "f9", "");
	expect_ids(d, &in, NULL);
	in = ev_exec("/app/f10", "f10", "");
	expect_ids(d, &in, "BW-RT-010", NULL);
	snprintf(p, sizeof(p), "/app/f%d", AGENT_DETECT_DRIFT_MAX + 9);
	in = ev_exec(p, "x", "");
	expect_ids(d, &in, "BW-RT-010", NULL);
	/* a second container has its own cap */
	agent_detect_note_write(d, NS + 1, "/app/f0");
	in = ev_exec("/app/f0", "f0", "");
	in.mntns = NS + 1;
	expect_ids(d, &in, "BW-RT-010", NULL);
	agent_detect_stats(d, &paths, &dropped);
	assert_int_equal(paths, AGENT_DETECT_DRIFT_MAX + 1);
	agent_detect_forget(d, NS);
	agent_detect_stats(d, &paths, &dropped);
	assert_int_equal(paths, 1);
	agent_detect_free(d);
}

static void test_memfd(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;

	/* the exe as /proc/PID/exe shows a memfd */
	in = ev_exec("/memfd:x (deleted)", "x", "/bin/sh");
	expect_ids(d, &in, "BW-RT-012", NULL);
	/* memfd_create, then fexecve by the same process */
	in = (struct agent_det_in){.kind = AGENT_DET_MEMFD, .mntns = NS, .pid = 55,
				   .exe = "/bin/loader", .path = "payload"};
	expect_ids(d, &in, NULL); /* memfd_create alone is not an alert */
	in = ev_exec("/dev/fd/3", "payload", "/bin/sh");
	in.pid = 55;
	expect_ids(d, &in, "BW-RT-012", NULL);
	assert_non_null(strstr(hits[0].detail, "payload"));
	/* near misses: fd exec by a process that made no memfd, a normal exec
	 * by the process that did */
	in.pid = 56;
	expect_ids(d, &in, NULL);
	in = ev_exec("/bin/true", "true", "/bin/loader");
	in.pid = 55;
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
}

static void test_ptrace_setid(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_proc_ev raw = {.type = AGENT_EV_PTRACE};
	struct agent_det_in in = {.kind = AGENT_DET_PTRACE, .mntns = NS, .pid = 10,
				  .exe = "/bin/gdb", .raw = &raw};

	raw.u.ptrace.target = 11;
	raw.u.ptrace.request = PTRACE_ATTACH;
	expect_ids(d, &in, "BW-RT-013", NULL);
	assert_string_equal(hits[0].detail, "/bin/gdb (pid 10) attached to pid 11");
	raw.u.ptrace.request = PTRACE_SEIZE;
	expect_ids(d, &in, "BW-RT-013", NULL);
	raw.u.ptrace.request = PTRACE_TRACEME; /* a child asking to be traced */
	expect_ids(d, &in, NULL);

	memset(&raw, 0, sizeof(raw));
	raw.type = AGENT_EV_SETID;
	in = (struct agent_det_in){.kind = AGENT_DET_SETID, .mntns = NS, .pid = 12,
				   .exe = "/bin/su", .raw = &raw};
	raw.u.cred.old_uid = 1000; /* non-root becomes root */
	raw.u.cred.new_uid = 0;
	raw.u.cred.old_gid = raw.u.cred.new_gid = 1000;
	expect_ids(d, &in, "BW-RT-014", NULL);
	assert_string_equal(hits[0].detail, "uid 1000 -> 0 by /bin/su (pid 12)");
	raw.u.cred.new_uid = 1000; /* gid only */
	raw.u.cred.new_gid = 0;
	expect_ids(d, &in, "BW-RT-014", NULL);
	/* near misses: root dropping to nobody, nothing changing */
	raw.u.cred.old_uid = 0;
	raw.u.cred.new_uid = 65534;
	raw.u.cred.old_gid = 0;
	raw.u.cred.new_gid = 65534;
	expect_ids(d, &in, NULL);
	raw.u.cred.old_uid = raw.u.cred.new_uid = 1000;
	raw.u.cred.old_gid = raw.u.cred.new_gid = 1000;
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
}

/* An open for write seen by the eBPF source: the path as the process gave it. */
static struct agent_det_in ev_open(const char *path)
{
	struct agent_det_in in = ev_file(path, AGENT_ACC_WRITE);

	in.kind = AGENT_DET_OPEN;
	return in;
}

static void test_escape_open(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;
	/* relative (the directory is not known: the trailing components
	 * decide), through "..", doubled slashes, a host /proc mounted elsewhere */
	static const char *const attempts[] = {
		"core_pattern", "kernel/core_pattern", "./sys/kernel/core_pattern",
		"release_agent", "../../fs/cgroup/release_agent", "notify_on_release",
		"sysrq-trigger", "uevent_helper", "/sys//kernel/uevent_helper",
		"/host/proc/sys/kernel/core_pattern", "/proc/./sys/kernel/modprobe",
		"/proc/sys/net/../kernel/core_pattern",
	};
	static const char *const misses[] = {
		"/core_pattern", "/etc/modprobe", "/usr/sbin/modprobe", "net/core_pattern",
		"/proc/sys/net/core_pattern", "sys/kernel/core_pattern/x", "my_release_agent",
		"/etc/shadow", "/etc/passwd", "", "/proc/sys/kernel/core_pattern2",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
		in = ev_open(attempts[i]);
		expect_ids(d, &in, "BW-RT-015", NULL);
	}
	in = ev_open("core_pattern");
	assert_int_equal(run(d, &in), 1);
	assert_non_null(strstr(hits[0].detail, "core_pattern opened for writing"));
	for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		in = ev_open(misses[i]);
		expect_ids(d, &in, NULL);
	}
	/* a relative path from fanotify-like FILE input is judged for escapes only */
	in = ev_file("etc/shadow", AGENT_ACC_READ);
	expect_ids(d, &in, NULL);
	in = ev_file("core_pattern", AGENT_ACC_WRITE);
	expect_ids(d, &in, "BW-RT-015", NULL);
	agent_detect_free(d);
}

static void test_escape(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;
	static const char *const writes[] = {
		"/sys/fs/cgroup/release_agent", "/tmp/cg/release_agent",
		"/tmp/cg/x/notify_on_release", "/proc/sys/kernel/core_pattern",
		"/proc/sysrq-trigger", "/proc/sys/kernel/modprobe",
	};
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		in = ev_file(writes[i], AGENT_ACC_WRITE);
		expect_ids(d, &in, "BW-RT-015", NULL);
	}
	/* near misses: reading them, a file that only ends like one */
	in = ev_file("/proc/sys/kernel/core_pattern", AGENT_ACC_READ);
	expect_ids(d, &in, NULL);
	in = ev_file("/sys/fs/cgroup/release_agent", AGENT_ACC_READ);
	expect_ids(d, &in, NULL);
	in = ev_file("/tmp/my_release_agent", AGENT_ACC_WRITE);
	expect_ids(d, &in, NULL);

	struct agent_proc_ev raw = {.type = AGENT_EV_MOUNT};
	in = (struct agent_det_in){.kind = AGENT_DET_MOUNT, .mntns = NS, .pid = 3,
				   .exe = "/bin/mount", .path = "/mnt", .raw = &raw};
	snprintf(raw.u.mount.source, sizeof(raw.u.mount.source), "/dev/sda1");
	snprintf(raw.u.mount.fstype, sizeof(raw.u.mount.fstype), "ext4");
	expect_ids(d, &in, "BW-RT-016", NULL);
	assert_string_equal(hits[0].detail, "mount of device /dev/sda1 as ext4 on /mnt by /bin/mount");
	snprintf(raw.u.mount.source, sizeof(raw.u.mount.source), "/dev/nvme0n1p2");
	expect_ids(d, &in, "BW-RT-016", NULL);
	snprintf(raw.u.mount.source, sizeof(raw.u.mount.source), "cgroup");
	snprintf(raw.u.mount.fstype, sizeof(raw.u.mount.fstype), "cgroup");
	expect_ids(d, &in, "BW-RT-016", NULL);
	snprintf(raw.u.mount.source, sizeof(raw.u.mount.source), "proc");
	snprintf(raw.u.mount.fstype, sizeof(raw.u.mount.fstype), "proc");
	expect_ids(d, &in, "BW-RT-016", NULL);
	/* near misses: tmpfs, a bind of /dev/shm, an unterminated fstype */
	snprintf(raw.u.mount.source, sizeof(raw.u.mount.source), "tmpfs");
	snprintf(raw.u.mount.fstype, sizeof(raw.u.mount.fstype), "tmpfs");
	expect_ids(d, &in, NULL);
	snprintf(raw.u.mount.source, sizeof(raw.u.mount.source), "/dev/shm");
	raw.u.mount.fstype[0] = '\0';
	expect_ids(d, &in, NULL);
	memset(raw.u.mount.fstype, 'x', sizeof(raw.u.mount.fstype));
	memset(raw.u.mount.source, 'y', sizeof(raw.u.mount.source));
	expect_ids(d, &in, NULL);

	in = (struct agent_det_in){.kind = AGENT_DET_MODULE, .mntns = NS, .pid = 4,
				   .exe = "/tmp/loader"};
	expect_ids(d, &in, "BW-RT-017", NULL);
	assert_string_equal(hits[0].detail, "kernel module load by /tmp/loader (pid 4)");
	agent_detect_free(d);
}

static void test_bounds(void **state)
{
	struct agent_detect *d = agent_detect_new();
	struct agent_det_in in;
	char longexe[600];

	/* max bounds the hits; NULL fields are tolerated */
	agent_detect_note_write(d, NS, "/tmp/sh");
	in = ev_exec("/tmp/sh", "sh", NULL);
	in.stdin_socket = true;
	assert_int_equal(agent_detect_eval(d, &in, hits, 2), 2);
	assert_int_equal(agent_detect_eval(d, &in, hits, 8), 4); /* 001 003 010 011 */
	in = (struct agent_det_in){.kind = AGENT_DET_EXEC, .mntns = NS};
	assert_int_equal(agent_detect_eval(d, &in, hits, 8), 0);
	in = (struct agent_det_in){.kind = AGENT_DET_FILE, .mntns = NS};
	assert_int_equal(agent_detect_eval(d, &in, hits, 8), 0);
	in = (struct agent_det_in){.kind = AGENT_DET_SETID, .mntns = NS};
	assert_int_equal(agent_detect_eval(d, &in, hits, 8), 0);
	assert_int_equal(agent_detect_eval(NULL, &in, hits, 8), 0);
	/* a detail longer than the buffer is cut, still terminated */
	memset(longexe, 'a', sizeof(longexe) - 1);
	longexe[0] = '/';
	longexe[sizeof(longexe) - 1] = '\0';
	in = ev_file("/etc/x", AGENT_ACC_WRITE);
	in.exe = longexe;
	assert_int_equal(run(d, &in), 1);
	assert_int_equal(strlen(hits[0].detail), sizeof(hits[0].detail) - 1);
	/* many arguments (more than the tokens looked at) */
	char args[AGENT_ARGS_LEN];
	memset(args, ' ', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	for (size_t i = 0; i + 2 < sizeof(args); i += 3)
		args[i] = 'a';
	in = ev_exec("/usr/bin/npm", args, "/bin/sh");
	expect_ids(d, &in, NULL);
	agent_detect_free(d);
	agent_detect_free(NULL);
	size_t n;
	assert_non_null(agent_detect_watches(&n));
	assert_true(n > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_nettool),
		cmocka_unit_test(test_revshell),
		cmocka_unit_test(test_write_dirs),
		cmocka_unit_test(test_sensitive_reads),
		cmocka_unit_test(test_pkgmgr),
		cmocka_unit_test(test_drift_and_tmp),
		cmocka_unit_test(test_drift_cap),
		cmocka_unit_test(test_memfd),
		cmocka_unit_test(test_ptrace_setid),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_open),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* agent_ctr_test.h - real runc/crun containers for the agent's unit tests,
 * through tests/integration/lib_ctr.sh (busybox rootfs with one hard link
 * per applet, bundles from `runc spec`). Every container a test starts is
 * recorded and removed by ctr_test_cleanup() (group teardown and atexit).
 * Every command is bounded by timeout(1). Include once per test file.
 */
#ifndef BW_AGENT_CTR_TEST_H
#define BW_AGENT_CTR_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define CTR_LIB BW_SOURCE_ROOT "/tests/integration/lib_ctr.sh"

static char ctr_test_ids[16][160]; /* "RUNTIME ID" */
static int ctr_test_n;

/* Run a bash snippet with lib_ctr.sh sourced; stdout+stderr into out (may
 * be NULL). Returns the exit status (128+signal when killed). */
__attribute__((format(printf, 3, 4))) static int ctr_sh(char *out, size_t outsz,
							  const char *fmt, ...)
{
	char cmd[4096], full[4400];
	va_list ap;
	FILE *p;
	size_t n = 0;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	setenv("BW_CTR_CMD", cmd, 1);
	snprintf(full, sizeof(full), "timeout 120 bash -c '. %s; eval \"$BW_CTR_CMD\"' 2>&1 </dev/null",
		 CTR_LIB);
	p = popen(full, "r");
	if (!p)
		return -1;
	if (out && outsz) {
		n = fread(out, 1, outsz - 1, p);
		out[n] = '\0';
	} else {
		char sink[4096];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	if (st < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static bool ctr_test_env(const char **why)
{
	if (geteuid() != 0) {
		*why = "needs root (runc/crun containers, fanotify)";
		return false;
	}
	if (ctr_sh(NULL, 0, "command -v runc && command -v jq && test -x /bin/busybox") != 0) {
		*why = "needs runc, jq and /bin/busybox";
		return false;
	}
	return true;
}

static void ctr_test_cleanup(void)
{
	int i;

	for (i = 0; i < ctr_test_n; i++) {
		char rt[16], id[140];

		if (sscanf(ctr_test_ids[i], "%15s %139s", rt, id) == 2)
			ctr_sh(NULL, 0, "ctr_stop %s %s", rt, id);
	}
	ctr_test_n = 0;
}

/* A watchdog: SIGALRM (armed by ctr_test_watchdog), SIGTERM or SIGINT
 * remove the containers and exit, so a stuck test never leaves them. */
static void (*ctr_test_extra_cleanup)(void);

static void ctr_test_on_signal(int sig)
{
	static const char msg[] = "test: stopped by a signal (watchdog); removing containers\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	if (ctr_test_extra_cleanup)
		ctr_test_extra_cleanup();
	ctr_test_cleanup();
	_exit(1);
}

static void ctr_test_watchdog(unsigned seconds, void (*extra)(void))
{
	ctr_test_extra_cleanup = extra;
	signal(SIGALRM, ctr_test_on_signal);
	signal(SIGTERM, ctr_test_on_signal);
	signal(SIGINT, ctr_test_on_signal);
	alarm(seconds);
}

/* Start a detached container RT ("runc"|"crun") named bwt-PID-NAME from a
 * bundle in DIR/NAME (rootfs DIR/rootfs, created once), running
 * `sleep 1000`; extra is passed to make_bundle (e.g. --annotation K=V).
 * Returns the exit status of ctr_start; the id is written to id. */
static int ctr_test_start(const char *rt, const char *dir, const char *name, const char *extra,
			  char *id, size_t idsz)
{
	char out[2048];
	int rc;

	snprintf(id, idsz, "bwt-%d-%s", (int)getpid(), name);
	if (ctr_test_n < 16)
		snprintf(ctr_test_ids[ctr_test_n++], sizeof(ctr_test_ids[0]), "%s %s", rt, id);
	rc = ctr_sh(out, sizeof(out),
		    "set -e; [ -e %s/rootfs/bin/busybox ] || busybox_rootfs %s/rootfs; "
		    "make_bundle %s/%s %s/rootfs %s -- sleep 1000; "
		    "[ %s = crun ] && crun_prepare; ctr_start %s %s %s/%s || { cat %s/%s/out.log; exit 1; }",
		    dir, dir, dir, name, dir, extra ? extra : "", rt, rt, id, dir, name, dir, name);
	if (rc != 0)
		fprintf(stderr, "ctr_test_start %s %s: rc %d: %s\n", rt, id, rc, out);
	return rc;
}

/* The init pid as the runtime itself reports it (`RT state ID`). */
static pid_t ctr_test_pid(const char *rt, const char *id)
{
	char out[64];
	long v;

	if (ctr_sh(out, sizeof(out), "ctr_pid %s %s", rt, id) != 0)
		return 0;
	v = strtol(out, NULL, 10);
	return v > 0 ? (pid_t)v : 0;
}

#endif

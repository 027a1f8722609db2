/* agent_loop.c - the workload of bench/agent.sh, compiled static and run
 * inside the benchmark container:
 *   agent_loop exec N          N x (fork, exec /bin/true, wait)
 *   agent_loop open N          N x (open, close) over 16 files in /data
 *   agent_loop pace RATE SECS  fork+exec /bin/true at RATE per second for
 *                              SECS seconds (paced in 10 ms slices)
 * Prints the elapsed wall time in seconds (exec/open) or the executions
 * done (pace) on stdout. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_true(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *argv[] = {"true", NULL};
		char *envp[] = {NULL};
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return 0;
}

static int do_exec(long n)
{
	double t = now();

	for (long i = 0; i < n; i++)
		if (run_true() != 0) {
			fprintf(stderr, "exec %ld failed\n", i);
			return 1;
		}
	printf("%.6f\n", now() - t);
	return 0;
}

static int do_open(long n)
{
	char path[16][32];
	double t;

	for (int i = 0; i < 16; i++)
		snprintf(path[i], sizeof(path[i]), "/data/f%d", i);
	t = now();
	for (long i = 0; i < n; i++) {
		int fd = open(path[i & 15], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(path[i & 15]);
			return 1;
		}
		close(fd);
	}
	printf("%.6f\n", now() - t);
	return 0;
}

static int do_pace(long rate, long secs)
{
	long done = 0, per_slice = rate / 100, slices = secs * 100;
	double start = now();

	if (per_slice < 1)
		per_slice = 1;
	for (long s = 0; s < slices; s++) {
		for (long i = 0; i < per_slice; i++)
			if (run_true() == 0)
				done++;
		double until = start + (double)(s + 1) / 100.0, left = until - now();
		if (left > 0) {
			struct timespec ts = {0, (long)(left * 1e9)};
			nanosleep(&ts, NULL);
		}
	}
	printf("%ld %.3f\n", done, now() - start);
	return 0;
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 1 || v > 100000000) {
		fprintf(stderr, "not a count: %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "exec") == 0)
		return do_exec(num(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "open") == 0)
		return do_open(num(argv[2]));
	if (argc >= 4 && strcmp(argv[1], "pace") == 0)
		return do_pace(num(argv[2]), num(argv[3]));
	fprintf(stderr, "usage: agent_loop exec N | open N | pace RATE SECS\n");
	return 2;
}

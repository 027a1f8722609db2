/* run.c - run a program without a shell and capture its output. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core.h"

extern char **environ;

enum bw_err bw_run(const char *const argv[], const void *in, size_t inlen, struct bw_buf *out,
		   int *status, struct bw_errbuf *eb)
{
	posix_spawn_file_actions_t fa;
	int opipe[2] = {-1, -1}, ipipe[2] = {-1, -1};
	enum bw_err result = BW_OK;
	size_t inoff = 0;
	pid_t pid;
	int rc, ws;

	if (pipe2(opipe, O_CLOEXEC) != 0 || pipe2(ipipe, O_CLOEXEC) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "%s: pipe: %s", argv[0], strerror(errno));
		goto out_close;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ipipe[0], 0);
	posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(ipipe[0]);
	close(opipe[1]);
	ipipe[0] = opipe[1] = -1;
	if (rc != 0) {
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "%s: cannot run: %s", argv[0], strerror(rc));
		goto out_close;
	}
	if (!in || inlen == 0) {
		close(ipipe[1]);
		ipipe[1] = -1;
	}
	for (;;) {
		struct pollfd pf[2] = {{opipe[0], POLLIN, 0}, {ipipe[1], POLLOUT, 0}};
		char chunk[16384];
		int nf = ipipe[1] >= 0 ? 2 : 1;

		if (poll(pf, (nfds_t)nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (nf == 2 && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(ipipe[1], (const char *)in + inoff, inlen - inoff);

			if (w > 0)
				inoff += (size_t)w;
			if (w < 0 || inoff >= inlen) {
				close(ipipe[1]);
				ipipe[1] = -1;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(opipe[0], chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (out && result == BW_OK && bw_buf_append(out, chunk, (size_t)n) != BW_OK)
				result = bw_fail(eb, BW_ERR_LIMIT, "%s: output larger than %zu bytes",
						 argv[0], out->max);
		}
	}
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (status)
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
out_close:
	for (int i = 0; i < 2; i++) {
		if (opipe[i] >= 0)
			close(opipe[i]);
		if (ipipe[i] >= 0)
			close(ipipe[i]);
	}
	return result;
}

/* ctl.c - the agent's control socket: a unix stream socket (0600, root),
 * one JSON request per connection, one JSON response line back.
 *
 * Server side: everything non-blocking inside the agent's loop, with its own
 * epoll fd (polled by the loop) over the listener and at most
 * AGENT_CTL_MAX_CONNS clients; a request is at most AGENT_CTL_MAX_REQUEST
 * bytes; a client that has not finished within 2 s is dropped.
 * Client side: agent_ctl_request() for the CLI.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "agent_core.h"

#define CTL_TIMEOUT_NS (2ull * 1000000000ull)
#define CTL_MAX_RESPONSE (16u << 20)

struct ctl_conn {
	int fd;                 /* -1: free slot */
	uint64_t started;
	char req[AGENT_CTL_MAX_REQUEST + 1];
	size_t req_len;
	char *resp;             /* being written */
	size_t resp_len, resp_off;
	bool drain;             /* answered before the whole request was read: discard
	                         * the rest until EOF (closing on unread bytes would
	                         * reset the connection and lose the answer) */
	bool draining;
};

struct agent_ctl {
	int epfd;
	int lfd;
	char *path;
	agent_ctl_handler handler;
	void *ctx;
	struct ctl_conn conns[AGENT_CTL_MAX_CONNS];
};

static enum bw_err make_addr(const char *path, struct sockaddr_un *sa, struct bw_errbuf *eb)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (bw_strlcpy(sa->sun_path, path, sizeof(sa->sun_path)) >= sizeof(sa->sun_path))
		return bw_fail(eb, BW_ERR_USAGE, "socket path %s: longer than %zu bytes", path,
			       sizeof(sa->sun_path) - 1);
	return BW_OK;
}

/* mkdir -p of path's directory (0755). */
static void make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	bw_strlcpy(dir, path, sizeof(dir));
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
}

/* true when something accepts connections at sa. */
static bool socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

enum bw_err agent_ctl_listen(const char *path, agent_ctl_handler h, void *ctx,
			     struct agent_ctl **out, struct bw_errbuf *eb)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct sockaddr_un sa;
	struct agent_ctl *c;
	struct stat st;
	enum bw_err result;
	mode_t old;

	result = make_addr(path, &sa, eb);
	if (result != BW_OK)
		return result;
	make_parent(path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return bw_fail(eb, BW_ERR_USAGE, "socket path %s: exists and is not a socket",
				       path);
		if (socket_alive(&sa))
			return bw_fail(eb, BW_ERR_USAGE,
				       "socket %s: another agent is running (it answers there)", path);
		unlink(path); /* stale, from an agent that died */
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return BW_ERR_NOMEM;
	for (size_t i = 0; i < AGENT_CTL_MAX_CONNS; i++)
		c->conns[i].fd = -1;
	c->handler = h;
	c->ctx = ctx;
	c->path = bw_strdup(path);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!c->path || c->epfd < 0 || c->lfd < 0) {
		result = bw_fail(eb, BW_ERR_IO, "control socket %s: %s", path, strerror(errno));
		goto out_free;
	}
	old = umask(0177); /* the socket file is born 0600 */
	if (bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(old);
		result = bw_fail(eb, BW_ERR_IO, "control socket %s: cannot bind: %s", path,
				 strerror(errno));
		goto out_free;
	}
	umask(old);
	if (chmod(path, 0600) != 0 || listen(c->lfd, AGENT_CTL_MAX_CONNS) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "control socket %s: %s", path, strerror(errno));
		goto out_unlink;
	}
	ev.data.ptr = NULL; /* the listener */
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->lfd, &ev) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "control socket %s: epoll: %s", path,
				 strerror(errno));
		goto out_unlink;
	}
	*out = c;
	return BW_OK;

out_unlink:
	unlink(path);
out_free:
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->epfd >= 0)
		close(c->epfd);
	free(c->path);
	free(c);
	return result;
}

int agent_ctl_fd(const struct agent_ctl *c)
{
	return c->epfd;
}

static void conn_close(struct agent_ctl *c, struct ctl_conn *k)
{
	if (k->fd < 0)
		return;
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, k->fd, NULL);
	close(k->fd);
	k->fd = -1;
	free(k->resp);
	k->resp = NULL;
}

static void conn_accept(struct agent_ctl *c)
{
	for (;;) {
		struct epoll_event ev = {.events = EPOLLIN};
		struct ctl_conn *k = NULL;
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return; /* EAGAIN or a transient error */
		for (size_t i = 0; i < AGENT_CTL_MAX_CONNS; i++)
			if (c->conns[i].fd < 0) {
				k = &c->conns[i];
				break;
			}
		if (!k) {
			close(fd); /* too many clients at once */
			continue;
		}
		memset(k, 0, sizeof(*k));
		k->fd = fd;
		k->started = bw_time_mono_ns();
		ev.data.ptr = k;
		if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
			conn_close(c, k);
	}
}

static void conn_respond(struct agent_ctl *c, struct ctl_conn *k, json_t *resp)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = k};
	char *s = resp ? json_dumps(resp, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(resp);
	if (!s) {
		s = bw_strdup("{\"ok\":false,\"error\":\"out of memory\"}");
		if (!s) {
			conn_close(c, k);
			return;
		}
	}
	k->resp_len = strlen(s);
	k->resp = s;
	k->resp_off = 0;
	epoll_ctl(c->epfd, EPOLL_CTL_MOD, k->fd, &ev);
}

static json_t *error_response(const char *msg)
{
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

static void conn_read(struct agent_ctl *c, struct ctl_conn *k)
{
	struct bw_errbuf eb = {{0}};
	json_t *req = NULL;
	bool done = false;

	for (;;) {
		ssize_t r = read(k->fd, k->req + k->req_len, AGENT_CTL_MAX_REQUEST - k->req_len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r < 0) {
			conn_close(c, k);
			return;
		}
		if (r == 0) {
			done = true;
			break;
		}
		k->req_len += (size_t)r;
		if (memchr(k->req + k->req_len - r, '\n', (size_t)r)) {
			done = true;
			break;
		}
		if (k->req_len == AGENT_CTL_MAX_REQUEST) {
			k->drain = true;
			conn_respond(c, k, error_response("request too large"));
			return;
		}
	}
	if (!done)
		return;
	k->req[k->req_len] = '\0';
	if (bw_json_parse(k->req, k->req_len, "control request", &req, &eb) != BW_OK) {
		conn_respond(c, k, error_response(eb.msg));
		return;
	}
	if (!json_is_object(req)) {
		json_decref(req);
		conn_respond(c, k, error_response("request: a JSON object was expected"));
		return;
	}
	conn_respond(c, k, c->handler(c->ctx, req));
	json_decref(req);
}

static void conn_write(struct agent_ctl *c, struct ctl_conn *k)
{
	while (k->resp_off < k->resp_len) {
		ssize_t w = send(k->fd, k->resp + k->resp_off, k->resp_len - k->resp_off,
				 MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) {
			conn_close(c, k);
			return;
		}
		k->resp_off += (size_t)w;
	}
	if (send(k->fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1 && errno == EAGAIN)
		return; /* retried on the next EPOLLOUT */
	if (k->drain) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = k};

		shutdown(k->fd, SHUT_WR);
		k->draining = true;
		epoll_ctl(c->epfd, EPOLL_CTL_MOD, k->fd, &ev);
		return;
	}
	conn_close(c, k);
}

static void conn_discard(struct agent_ctl *c, struct ctl_conn *k)
{
	char sink[4096];

	for (;;) {
		ssize_t r = read(k->fd, sink, sizeof(sink));

		if (r > 0)
			continue;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* more later, or the 2 s deadline */
		conn_close(c, k);
		return;
	}
}

void agent_ctl_dispatch(struct agent_ctl *c)
{
	struct epoll_event evs[AGENT_CTL_MAX_CONNS + 1];
	uint64_t now;
	int n = epoll_wait(c->epfd, evs, AGENT_CTL_MAX_CONNS + 1, 0);

	for (int i = 0; i < n; i++) {
		struct ctl_conn *k = evs[i].data.ptr;

		if (!k) {
			conn_accept(c);
			continue;
		}
		if (k->fd < 0)
			continue;
		if (k->draining) {
			conn_discard(c, k);
			continue;
		}
		if (k->resp)
			conn_write(c, k);
		else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			conn_read(c, k);
		if (k->fd >= 0 && k->resp && k->resp_off == 0 && !k->draining)
			conn_write(c, k); /* answer at once; EPOLLOUT finishes big ones */
	}
	now = bw_time_mono_ns();
	for (size_t i = 0; i < AGENT_CTL_MAX_CONNS; i++)
		if (c->conns[i].fd >= 0 && now > c->conns[i].started + CTL_TIMEOUT_NS)
			conn_close(c, &c->conns[i]);
}

void agent_ctl_free(struct agent_ctl *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < AGENT_CTL_MAX_CONNS; i++)
		conn_close(c, &c->conns[i]);
	close(c->lfd);
	close(c->epfd);
	unlink(c->path);
	free(c->path);
	free(c);
}

/* ---- client ------------------------------------------------------------ */

static enum bw_err wait_fd(int fd, short events, uint64_t deadline, const char *path,
			   struct bw_errbuf *eb)
{
	for (;;) {
		uint64_t now = bw_time_mono_ns();
		struct pollfd p = {.fd = fd, .events = events};
		int r;

		if (now >= deadline)
			return bw_fail(eb, BW_ERR_IO, "agent at %s: no answer within 5 s", path);
		r = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
		if (r > 0)
			return BW_OK;
		if (r < 0 && errno != EINTR)
			return bw_fail(eb, BW_ERR_IO, "agent at %s: %s", path, strerror(errno));
	}
}

enum bw_err agent_ctl_request(const char *socket_path, const char *request, char **response,
			      struct bw_errbuf *eb)
{
	uint64_t deadline = bw_time_mono_ns() + 5ull * 1000000000ull;
	size_t off = 0, len = strlen(request);
	struct sockaddr_un sa;
	struct bw_buf b;
	enum bw_err result;
	int fd;

	*response = NULL;
	result = make_addr(socket_path, &sa, eb);
	if (result != BW_OK)
		return result;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bw_fail(eb, BW_ERR_IO, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return bw_fail(eb, BW_ERR_NOT_FOUND, "no agent is running at %s (%s)",
				       socket_path, strerror(e));
		return bw_fail(eb, BW_ERR_IO, "agent at %s: cannot connect: %s", socket_path,
			       strerror(e));
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	bw_buf_init(&b, CTL_MAX_RESPONSE);
	while (off <= len) {
		const char *p = off < len ? request + off : "\n";
		size_t n = off < len ? len - off : 1;
		ssize_t w;

		result = wait_fd(fd, POLLOUT, deadline, socket_path, eb);
		if (result != BW_OK)
			goto out_close;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w < 0) {
			result = bw_fail(eb, BW_ERR_IO, "agent at %s: %s", socket_path,
					 strerror(errno));
			goto out_close;
		}
		off += (size_t)w;
	}
	for (;;) {
		char chunk[8192];
		ssize_t r;

		result = wait_fd(fd, POLLIN, deadline, socket_path, eb);
		if (result != BW_OK)
			goto out_close;
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0) {
			result = bw_fail(eb, BW_ERR_IO, "agent at %s: %s", socket_path,
					 strerror(errno));
			goto out_close;
		}
		if (r == 0)
			break;
		result = bw_buf_append(&b, chunk, (size_t)r);
		if (result != BW_OK) {
			bw_fail(eb, result, "agent at %s: response larger than %u bytes",
				socket_path, CTL_MAX_RESPONSE);
			goto out_close;
		}
	}
	if (b.len == 0) {
		result = bw_fail(eb, BW_ERR_IO, "agent at %s: closed without an answer",
				 socket_path);
		goto out_close;
	}
	*response = bw_buf_detach(&b, NULL);
	result = *response ? BW_OK : BW_ERR_NOMEM;
out_close:
	bw_buf_release(&b);
	close(fd);
	return result;
}

/* event.c - the agent's security events as JSON lines (docs/agent-events.md).
 *
 * One line per event. The loop never waits for the reader: a line the fd does
 * not take at once is kept in a bounded buffer (AGENT_EVOUT_MAX) and written
 * when the fd drains; past the bound, new lines are dropped and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_core.h"

struct agent_evout {
	int fd;
	bool own_fd;     /* a file we opened (closed at the end) */
	int saved_flags; /* stdout's flags before O_NONBLOCK, -1 if untouched */
	struct bw_buf pending;
	uint64_t written, dropped;
	bool broken;     /* EPIPE or another hard error: drop everything */
};

enum bw_err agent_evout_open(const char *path, struct agent_evout **out, struct bw_errbuf *eb)
{
	struct agent_evout *o = calloc(1, sizeof(*o));

	if (!o)
		return BW_ERR_NOMEM;
	o->saved_flags = -1;
	bw_buf_init(&o->pending, AGENT_EVOUT_MAX);
	if (!path || strcmp(path, "-") == 0) {
		int fl = fcntl(STDOUT_FILENO, F_GETFL);

		o->fd = STDOUT_FILENO;
		if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) == 0)
			o->saved_flags = fl;
	} else {
		o->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0640);
		if (o->fd < 0) {
			int e = errno;

			free(o);
			return bw_fail(eb, BW_ERR_IO, "events file %s: cannot open: %s", path,
				       strerror(e));
		}
		o->own_fd = true;
	}
	*out = o;
	return BW_OK;
}

json_t *agent_event_new(const char *type)
{
	struct timespec ts;
	struct tm tm;
	char buf[40];
	json_t *ev;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	ev = json_object();
	if (!ev)
		return NULL;
	if (json_object_set_new(ev, "time", json_string(buf)) != 0 ||
	    json_object_set_new(ev, "type", json_string(type)) != 0) {
		json_decref(ev);
		return NULL;
	}
	return ev;
}

/* Write what we can of p; returns bytes written, -1 on a hard error. */
static ssize_t write_some(struct agent_evout *o, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(o->fd, p + done, n - done);

		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return -1;
	}
	return (ssize_t)done;
}

bool agent_evout_flush(struct agent_evout *o)
{
	ssize_t w;

	if (!o || o->pending.len == 0)
		return false;
	if (o->broken) {
		bw_buf_reset(&o->pending);
		return false;
	}
	w = write_some(o, o->pending.data, o->pending.len);
	if (w < 0) {
		BW_WARN("agent: event output failed: %s; events are dropped from now on",
			strerror(errno));
		o->broken = true;
		bw_buf_reset(&o->pending);
		return false;
	}
	if ((size_t)w == o->pending.len) {
		bw_buf_reset(&o->pending);
		return false;
	}
	memmove(o->pending.data, o->pending.data + w, o->pending.len - (size_t)w);
	o->pending.len -= (size_t)w;
	o->pending.data[o->pending.len] = '\0';
	return true;
}

void agent_evout_emit(struct agent_evout *o, json_t *ev)
{
	char *line;
	size_t n;
	ssize_t w = 0;

	if (!ev) {
		o->dropped++;
		return;
	}
	line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(ev);
	if (!line || o->broken) {
		free(line);
		o->dropped++;
		return;
	}
	n = strlen(line);
	line[n++] = '\n'; /* replaces the NUL: n is the line's length now */
	agent_evout_flush(o);
	if (o->pending.len == 0 && !o->broken) {
		w = write_some(o, line, n); /* one write per line when the fd keeps up */
		if (w < 0) {
			BW_WARN("agent: event output failed: %s; events are dropped from now on",
				strerror(errno));
			o->broken = true;
			o->dropped++;
			free(line);
			return;
		}
	}
	if ((size_t)w < n) {
		/* Only whole lines are dropped: a partly written one is finished. */
		if (w == 0 && o->pending.len + n > AGENT_EVOUT_MAX) {
			o->dropped++;
			free(line);
			return;
		}
		if (bw_buf_append(&o->pending, line + w, n - (size_t)w) != BW_OK) {
			struct bw_buf big;

			/* the tail of a started line must go out: grow past the cap once */
			bw_buf_init(&big, o->pending.len + n + 1);
			if (bw_buf_append(&big, o->pending.data, o->pending.len) == BW_OK &&
			    bw_buf_append(&big, line + w, n - (size_t)w) == BW_OK) {
				bw_buf_release(&o->pending);
				big.max = AGENT_EVOUT_MAX;
				o->pending = big;
			} else {
				bw_buf_release(&big);
				o->broken = true;
			}
		}
	}
	o->written++;
	free(line);
}

void agent_evout_stats(const struct agent_evout *o, uint64_t *written, uint64_t *dropped)
{
	*written = o ? o->written : 0;
	*dropped = o ? o->dropped : 0;
}

void agent_evout_close(struct agent_evout *o, int timeout_ms)
{
	uint64_t end;

	if (!o)
		return;
	end = bw_time_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	while (agent_evout_flush(o) && bw_time_mono_ns() < end) {
		struct pollfd p = {.fd = o->fd, .events = POLLOUT};

		poll(&p, 1, 50);
	}
	if (o->saved_flags >= 0)
		fcntl(o->fd, F_SETFL, o->saved_flags);
	if (o->own_fd)
		close(o->fd);
	bw_buf_release(&o->pending);
	free(o);
}

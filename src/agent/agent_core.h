/* agent_core.h - private to the agent loop (agent.c): the event writer
 * (event.c) and the control socket (ctl.c). Not for other modules.
 */
#ifndef BW_AGENT_CORE_H
#define BW_AGENT_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"

/* ---- event output (event.c) ---------------------------------------- */

/* Bytes of JSON lines held while the reader is slow; past it lines are
 * dropped and counted. */
#define AGENT_EVOUT_MAX (4u << 20)

struct agent_evout; /* opaque */

/* path NULL or "-": standard output (made non-blocking); else a file opened
 * O_APPEND|O_CREAT (0640). */
enum bw_err agent_evout_open(const char *path, struct agent_evout **out, struct bw_errbuf *eb);
/* A new event object {"time": now (RFC 3339, ms, UTC), "type": type}.
 * NULL when memory ran out. */
json_t *agent_event_new(const char *type);
/* Write ev as one line and release it (ev is consumed, NULL is counted as a
 * drop). Never blocks: what the fd does not take now is buffered up to
 * AGENT_EVOUT_MAX, past that the line is dropped and counted. */
void agent_evout_emit(struct agent_evout *o, json_t *ev);
/* Try to write buffered lines; true while some remain. */
bool agent_evout_flush(struct agent_evout *o);
void agent_evout_stats(const struct agent_evout *o, uint64_t *written, uint64_t *dropped);
/* Flush for at most timeout_ms, then close. NULL-safe. */
void agent_evout_close(struct agent_evout *o, int timeout_ms);

/* ---- control socket, server side (ctl.c) ---------------------------- */

#define AGENT_CTL_MAX_REQUEST 4096
#define AGENT_CTL_MAX_CONNS   16

/* Answer one request: returns the response object (owned by the caller,
 * ctl.c releases it). req is borrowed. */
typedef json_t *(*agent_ctl_handler)(void *ctx, const json_t *req);

struct agent_ctl; /* opaque */

/* Listen on path (mode 0600; its directory is created 0755 if missing). A
 * stale socket (nobody answers) is replaced; a live one is BW_ERR_USAGE
 * ("another agent is running"). */
enum bw_err agent_ctl_listen(const char *path, agent_ctl_handler h, void *ctx,
			     struct agent_ctl **out, struct bw_errbuf *eb);
/* One fd for epoll (an epoll fd of its own over the listener and clients). */
int agent_ctl_fd(const struct agent_ctl *c);
/* Accept, read, answer; never blocks. Connections older than 2 s are closed. */
void agent_ctl_dispatch(struct agent_ctl *c);
/* Close everything and remove the socket file. NULL-safe. */
void agent_ctl_free(struct agent_ctl *c);

#endif

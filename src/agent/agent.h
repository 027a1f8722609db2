/* agent.h - the runtime agent's public interface: run it (the CLI's
 * `bulwark agent`) and talk to a running one over its control socket
 * (`bulwark agent status|mode`). Behaviour: docs/agent.md; event schema:
 * docs/agent-events.md.
 */
#ifndef BW_AGENT_H
#define BW_AGENT_H

#include <stdbool.h>

#include "core/core.h"
#include "policy/policy.h"

#define AGENT_DEFAULT_STATE_DIR "/var/lib/bulwark/agent"
#define AGENT_DEFAULT_SOCKET    "/run/bulwark/agent.sock"

struct agent_opts {
	const char *policy_dir;   /* SecurityPolicy YAML directory, NULL: none */
	const char *events_path;  /* JSON lines output; NULL or "-": stdout */
	const char *source;       /* "auto" | "bpf" | "proc" (NULL: auto) */
	enum policy_mode default_mode; /* mode of groups without a policy mode */
	const char *state_dir;    /* learned profiles go to STATE_DIR/profiles */
	const char *socket_path;  /* control socket */
	/* (A10 addition) "on" | "off": the eBPF source's system call hooks
	 * (mount, module, memfd, escape-file open, accept detections); NULL:
	 * the default (docs/agent.md, "Performance") */
	const char *syscall_hooks;
};

/* Defaults of the CLI contract (stdout, auto, discover, the paths above). */
void agent_opts_init(struct agent_opts *o);

/* Run the agent in the foreground until SIGTERM/SIGINT (BW_OK). SIGHUP
 * re-reads opts->policy_dir. Fails at start with BW_ERR_FORMAT when the
 * policy directory does not validate, BW_ERR_IO/USAGE when a source, the
 * socket or the event output cannot be opened. opts is borrowed for the run. */
enum bw_err agent_run(const struct agent_opts *opts, struct bw_errbuf *eb);

/* Control-socket client: send one JSON request ({"cmd":"status"},
 * {"cmd":"mode","group":G,"mode":M}, {"cmd":"reload"}) to the agent at
 * socket_path and return its JSON response in *response (caller frees).
 * Bounded: a 5 s timeout and a 16 MiB response cap. BW_ERR_NOT_FOUND when no
 * agent listens there. */
enum bw_err agent_ctl_request(const char *socket_path, const char *request, char **response,
			      struct bw_errbuf *eb);

#endif

/* src_int.h - the two process event sources behind agent_src_* (src.c).
 *
 * src_bpf.c: eBPF programs (bpf/proc.bpf.c) and their ring buffer.
 * src_proc.c: the netlink proc connector.
 * Each has the same shape: open (starts delivering to cb from dispatch),
 * fd for epoll, dispatch (never blocks), stats, free (NULL-safe).
 */
#ifndef BW_AGENT_SRC_INT_H
#define BW_AGENT_SRC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/agent_int.h"

struct agent_src_bpf;
enum bw_err agent_src_bpf_open(agent_proc_cb cb, void *ctx, struct agent_src_bpf **out,
			       struct bw_errbuf *eb);
/* (A10 addition) syscall_hooks false: the tp_btf sys_enter/sys_exit
 * programs are not loaded (no PTRACE, SETID, MODULE, MOUNT, MEMFD, ACCEPT or
 * OPEN_ESCAPE records; exec, fork, exit and connect remain). */
enum bw_err agent_src_bpf_open_hooks(agent_proc_cb cb, void *ctx, bool syscall_hooks,
				     struct agent_src_bpf **out, struct bw_errbuf *eb);
int agent_src_bpf_fd(const struct agent_src_bpf *b);
enum bw_err agent_src_bpf_dispatch(struct agent_src_bpf *b, struct bw_errbuf *eb);
void agent_src_bpf_stats(const struct agent_src_bpf *b, uint64_t *seen, uint64_t *dropped);
void agent_src_bpf_free(struct agent_src_bpf *b);

struct agent_src_proc;
enum bw_err agent_src_proc_open(agent_proc_cb cb, void *ctx, struct agent_src_proc **out,
				struct bw_errbuf *eb);
/* (A10 addition) The same, but the kernel delivers only the PROC_EVENT_*
 * kinds in the events mask (Linux 6.6+ filters before queueing: a fork or
 * exec costs this socket nothing; older kernels ignore the request and
 * deliver nothing). 0: every event, as agent_src_proc_open. */
enum bw_err agent_src_proc_open_filtered(agent_proc_cb cb, void *ctx, uint32_t events,
					 struct agent_src_proc **out, struct bw_errbuf *eb);
int agent_src_proc_fd(const struct agent_src_proc *p);
enum bw_err agent_src_proc_dispatch(struct agent_src_proc *p, struct bw_errbuf *eb);
void agent_src_proc_stats(const struct agent_src_proc *p, uint64_t *seen, uint64_t *dropped);
void agent_src_proc_free(struct agent_src_proc *p);

/* Parse one datagram received from the proc connector: a sequence of
 * netlink messages, each carrying a struct cn_msg with a struct proc_event.
 * Every length is checked against len before it is used (the bytes are
 * treated as untrusted). For each EXEC, FORK (processes, not threads), EXIT
 * (thread-group leaders), PTRACE (attach) and UID/GID change, fills *ev with
 * what the message says (type, pid, ppid where given, ids, exit code, ptrace
 * target; nothing from /proc) and calls cb; other events are skipped.
 * *nevents (may be NULL) gets the number of callbacks made.
 * Returns BW_ERR_FORMAT (with detail) on a malformed message; events before
 * it have been delivered. An NLMSG_ERROR message gives BW_ERR_IO. */
typedef void (*agent_cn_cb)(void *ctx, struct agent_proc_ev *ev);
enum bw_err agent_cn_parse(const void *buf, size_t len, agent_cn_cb cb, void *ctx,
			   size_t *nevents, struct bw_errbuf *eb);

#endif

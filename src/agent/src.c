/* src.c - agent_src_*: one process event source, eBPF (src_bpf.c) or the
 * netlink proc connector (src_proc.c). AUTO tries eBPF first and falls back
 * to the proc connector with a logged warning that says why; the environment
 * variable BULWARK_AGENT_NO_BPF=1 makes AUTO skip eBPF (to exercise the
 * fallback). See docs/agent-sources.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <linux/cn_proc.h>

#include "agent/agent_int.h"
#include "agent/src_int.h"

/* eBPF without the system call hooks: ptrace attach and uid/gid changes
 * come from the proc connector, filtered in the kernel to those kinds. */
#define HYBRID_EVENTS ((uint32_t)PROC_EVENT_PTRACE | (uint32_t)PROC_EVENT_UID | \
		       (uint32_t)PROC_EVENT_GID)
#define IDS_SLOTS 32768u /* per-pid effective ids (direct-mapped by pid) */
#define ID_UNKNOWN UINT32_MAX

struct ids_slot {
	pid_t pid;
	uint32_t uid, gid;
	uint64_t mntns;
};

struct agent_src {
	enum agent_src_kind kind; /* AGENT_SRC_BPF or AGENT_SRC_PROC once open */
	struct agent_src_bpf *bpf;
	struct agent_src_proc *proc;
	bool hooks;               /* eBPF: the system call programs are attached */
	/* hybrid (bpf and proc both open): one epoll fd over both */
	int epfd;
	agent_proc_cb cb;
	void *ctx;
	struct ids_slot *ids;     /* IDS_SLOTS: the ids each process had before
	                           * its last change (eBPF forks, proc connector
	                           * changes): a change's "old" ids */
};

static bool bpf_disabled_by_env(void)
{
	const char *v = getenv("BULWARK_AGENT_NO_BPF");

	return v && v[0] && strcmp(v, "0") != 0;
}

static struct ids_slot *ids_slot(struct agent_src *s, pid_t pid)
{
	return &s->ids[(uint32_t)pid % IDS_SLOTS];
}

/* Hybrid: every event from either source passes here. A fork records the
 * child's ids and mount namespace (inherited, known exactly from eBPF), an
 * exec the namespace (a process that joined a container's namespace execs
 * there); a uid/gid change from the proc connector takes its "old" ids from
 * there, then records the new ones. Exec events do not record ids: a set-uid
 * program's change arrives as its own event, in whichever order the two
 * sockets are read. A proc connector event whose process had exited before
 * /proc was read (mntns 0: a short-lived tracer) gets the recorded
 * namespace. */
static void hybrid_cb(void *ctx, const struct agent_proc_ev *ev)
{
	struct agent_src *s = ctx;
	struct ids_slot *sl = ids_slot(s, ev->pid);
	struct agent_proc_ev cp;

	switch (ev->type) {
	case AGENT_EV_FORK:
		sl->pid = ev->pid;
		sl->uid = ev->uid;
		sl->gid = ev->gid;
		sl->mntns = ev->mntns;
		break;
	case AGENT_EV_EXEC:
		if (sl->pid == ev->pid)
			sl->mntns = ev->mntns;
		break;
	case AGENT_EV_SETID:
	case AGENT_EV_PTRACE:
		cp = *ev;
		if (sl->pid == ev->pid) {
			if (!cp.mntns)
				cp.mntns = sl->mntns;
			if (ev->type == AGENT_EV_SETID && cp.u.cred.old_uid == ID_UNKNOWN)
				cp.u.cred.old_uid = sl->uid;
			if (ev->type == AGENT_EV_SETID && cp.u.cred.old_gid == ID_UNKNOWN)
				cp.u.cred.old_gid = sl->gid;
		}
		if (ev->type == AGENT_EV_SETID) {
			if (sl->pid != ev->pid) {
				sl->pid = ev->pid;
				sl->mntns = cp.mntns;
			}
			sl->uid = cp.u.cred.new_uid;
			sl->gid = cp.u.cred.new_gid;
		}
		s->cb(s->ctx, &cp);
		return;
	default:
		break;
	}
	s->cb(s->ctx, ev);
}

static enum bw_err epoll_in(int epfd, int fd, struct bw_errbuf *eb)
{
	struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		return bw_fail(eb, BW_ERR_IO, "process event source: epoll_ctl: %s",
			       strerror(errno));
	return BW_OK;
}

/* eBPF is open without its system call hooks: add the filtered proc
 * connector for ptrace and uid/gid changes. Its failure is not fatal (a
 * warning: those two detections are off). */
static void hybrid_open(struct agent_src *s)
{
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	s->ids = calloc(IDS_SLOTS, sizeof(*s->ids));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!s->ids || s->epfd < 0) {
		bw_log(BW_LOG_WARN, "process events: no memory or epoll for the proc connector; "
				    "ptrace and uid/gid change events are off");
		goto out_undo;
	}
	result = agent_src_proc_open_filtered(hybrid_cb, s, HYBRID_EVENTS, &s->proc, &eb);
	if (result == BW_OK)
		result = epoll_in(s->epfd, agent_src_bpf_fd(s->bpf), &eb);
	if (result == BW_OK)
		result = epoll_in(s->epfd, agent_src_proc_fd(s->proc), &eb);
	if (result == BW_OK)
		return;
	bw_log(BW_LOG_WARN, "process events: proc connector for ptrace and uid/gid changes: %s; "
			    "those events are off", bw_errmsg(&eb, result));
out_undo:
	agent_src_proc_free(s->proc);
	s->proc = NULL;
	if (s->epfd >= 0)
		close(s->epfd);
	s->epfd = -1;
	free(s->ids);
	s->ids = NULL;
}

static enum bw_err bpf_open(struct agent_src *s, bool hooks, struct bw_errbuf *eb)
{
	enum bw_err result;

	result = agent_src_bpf_open_hooks(hooks ? s->cb : hybrid_cb, hooks ? s->ctx : s, hooks,
					  &s->bpf, eb);
	if (result != BW_OK)
		return result;
	s->kind = AGENT_SRC_BPF;
	s->hooks = hooks;
	if (!hooks)
		hybrid_open(s);
	return BW_OK;
}

enum bw_err agent_src_open(enum agent_src_kind kind, agent_proc_cb cb, void *ctx,
			   struct agent_src **out, struct bw_errbuf *eb)
{
	struct agent_src_opts o = {.syscall_hooks = true};

	return agent_src_open_opts(kind, &o, cb, ctx, out, eb);
}

enum bw_err agent_src_open_opts(enum agent_src_kind kind, const struct agent_src_opts *o,
				agent_proc_cb cb, void *ctx, struct agent_src **out,
				struct bw_errbuf *eb)
{
	struct agent_src *s;
	struct bw_errbuf bpf_eb = {{0}};
	bool hooks = !o || o->syscall_hooks;
	enum bw_err result;

	*out = NULL;
	if (!cb || (kind != AGENT_SRC_AUTO && kind != AGENT_SRC_BPF && kind != AGENT_SRC_PROC))
		return bw_fail(eb, BW_ERR_USAGE, "agent_src_open: bad source kind %d or no callback",
			       (int)kind);
	s = calloc(1, sizeof(*s));
	if (!s)
		return bw_fail(eb, BW_ERR_NOMEM, "process event source: out of memory");
	s->epfd = -1;
	s->cb = cb;
	s->ctx = ctx;
	if (kind == AGENT_SRC_BPF) {
		result = bpf_open(s, hooks, eb);
		if (result != BW_OK)
			goto out_free;
		*out = s;
		return BW_OK;
	}
	if (kind == AGENT_SRC_AUTO) {
		if (bpf_disabled_by_env()) {
			bw_log(BW_LOG_WARN,
			       "process events: eBPF skipped (BULWARK_AGENT_NO_BPF is set); using the proc connector");
		} else {
			result = bpf_open(s, hooks, &bpf_eb);
			if (result == BW_OK) {
				*out = s;
				return BW_OK;
			}
			bw_log(BW_LOG_WARN,
			       "process events: eBPF unavailable (%s); falling back to the proc connector (no argv, network, mount, module or memfd events)",
			       bw_errmsg(&bpf_eb, result));
		}
	}
	result = agent_src_proc_open(cb, ctx, &s->proc, eb);
	if (result != BW_OK) {
		if (kind == AGENT_SRC_AUTO && bpf_eb.msg[0])
			bw_fail_prefix(eb, result, "no process event source (%s)", bpf_eb.msg);
		goto out_free;
	}
	s->kind = AGENT_SRC_PROC;
	*out = s;
	return BW_OK;

out_free:
	free(s);
	return result;
}

int agent_src_fd(const struct agent_src *s)
{
	if (s->epfd >= 0)
		return s->epfd;
	return s->kind == AGENT_SRC_BPF ? agent_src_bpf_fd(s->bpf) : agent_src_proc_fd(s->proc);
}

enum bw_err agent_src_dispatch(struct agent_src *s, struct bw_errbuf *eb)
{
	enum bw_err result;

	if (s->kind != AGENT_SRC_BPF)
		return agent_src_proc_dispatch(s->proc, eb);
	result = agent_src_bpf_dispatch(s->bpf, eb);
	if (result == BW_OK && s->proc)
		result = agent_src_proc_dispatch(s->proc, eb);
	return result;
}

void agent_src_dispatch_queued(struct agent_src *s)
{
	struct bw_errbuf eb = {{0}};

	if (s->kind == AGENT_SRC_BPF)
		(void)agent_src_bpf_dispatch(s->bpf, &eb);
}

bool agent_src_syscall_hooks(const struct agent_src *s)
{
	return s->kind == AGENT_SRC_BPF && s->hooks;
}

const char *agent_src_name(const struct agent_src *s)
{
	return s->kind == AGENT_SRC_BPF ? "bpf" : "proc";
}

void agent_src_stats(const struct agent_src *s, uint64_t *seen, uint64_t *dropped)
{
	uint64_t pseen = 0, pdropped = 0;

	if (s->kind == AGENT_SRC_BPF) {
		agent_src_bpf_stats(s->bpf, seen, dropped);
		if (s->proc) {
			agent_src_proc_stats(s->proc, &pseen, &pdropped);
			if (seen)
				*seen += pseen;
			if (dropped)
				*dropped += pdropped;
		}
	} else {
		agent_src_proc_stats(s->proc, seen, dropped);
	}
}

void agent_src_free(struct agent_src *s)
{
	if (!s)
		return;
	agent_src_bpf_free(s->bpf);
	agent_src_proc_free(s->proc);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->ids);
	free(s);
}

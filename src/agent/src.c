/* src.c - agent_src_*: one process event source, eBPF (src_bpf.c) or the
 * netlink proc connector (src_proc.c). AUTO tries eBPF first and falls back
 * to the proc connector with a logged warning that says why; the environment
 * variable BULWARK_AGENT_NO_BPF=1 makes AUTO skip eBPF (to exercise the
 * fallback). See docs/agent-sources.md. */
#include <stdlib.h>
#include <string.h>

#include "agent/agent_int.h"
#include "agent/src_int.h"

struct agent_src {
	enum agent_src_kind kind; /* AGENT_SRC_BPF or AGENT_SRC_PROC once open */
	struct agent_src_bpf *bpf;
	struct agent_src_proc *proc;
};

static bool bpf_disabled_by_env(void)
{
	const char *v = getenv("BULWARK_AGENT_NO_BPF");

	return v && v[0] && strcmp(v, "0") != 0;
}

enum bw_err agent_src_open(enum agent_src_kind kind, agent_proc_cb cb, void *ctx,
			   struct agent_src **out, struct bw_errbuf *eb)
{
	struct agent_src *s;
	struct bw_errbuf bpf_eb = {{0}};
	enum bw_err result;

	*out = NULL;
	if (!cb || (kind != AGENT_SRC_AUTO && kind != AGENT_SRC_BPF && kind != AGENT_SRC_PROC))
		return bw_fail(eb, BW_ERR_USAGE, "agent_src_open: bad source kind %d or no callback",
			       (int)kind);
	s = calloc(1, sizeof(*s));
	if (!s)
		return bw_fail(eb, BW_ERR_NOMEM, "process event source: out of memory");
	if (kind == AGENT_SRC_BPF) {
		result = agent_src_bpf_open(cb, ctx, &s->bpf, eb);
		if (result != BW_OK)
			goto out_free;
		s->kind = AGENT_SRC_BPF;
		*out = s;
		return BW_OK;
	}
	if (kind == AGENT_SRC_AUTO) {
		if (bpf_disabled_by_env()) {
			bw_log(BW_LOG_WARN,
			       "process events: eBPF skipped (BULWARK_AGENT_NO_BPF is set); using the proc connector");
		} else {
			result = agent_src_bpf_open(cb, ctx, &s->bpf, &bpf_eb);
			if (result == BW_OK) {
				s->kind = AGENT_SRC_BPF;
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
	return s->kind == AGENT_SRC_BPF ? agent_src_bpf_fd(s->bpf) : agent_src_proc_fd(s->proc);
}

enum bw_err agent_src_dispatch(struct agent_src *s, struct bw_errbuf *eb)
{
	if (s->kind == AGENT_SRC_BPF)
		return agent_src_bpf_dispatch(s->bpf, eb);
	return agent_src_proc_dispatch(s->proc, eb);
}

const char *agent_src_name(const struct agent_src *s)
{
	return s->kind == AGENT_SRC_BPF ? "bpf" : "proc";
}

void agent_src_stats(const struct agent_src *s, uint64_t *seen, uint64_t *dropped)
{
	if (s->kind == AGENT_SRC_BPF)
		agent_src_bpf_stats(s->bpf, seen, dropped);
	else
		agent_src_proc_stats(s->proc, seen, dropped);
}

void agent_src_free(struct agent_src *s)
{
	if (!s)
		return;
	agent_src_bpf_free(s->bpf);
	agent_src_proc_free(s->proc);
	free(s);
}

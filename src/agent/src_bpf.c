/* src_bpf.c - the eBPF process event source: loads bpf/proc.bpf.c (embedded
 * as a skeleton), attaches its tp_btf programs and reads its ring buffer.
 * See docs/agent-sources.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/src_int.h"
#include "proc.h"
#include "proc.skel.h"

#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"

struct agent_src_bpf {
	struct proc_bpf *skel;
	struct ring_buffer *rb;
	agent_proc_cb cb;
	void *ctx;
	uint64_t seen;
	uint64_t bad;         /* records of an unexpected size (a bug; counted as dropped) */
	int ncpu;
	uint64_t *percpu;     /* scratch for reading the per-CPU drop counter */
};

/* The last warning libbpf printed, for the error message when load fails. */
static char last_libbpf_warning[256];

__attribute__((format(printf, 2, 0)))
static int libbpf_to_bw_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
	if (level == LIBBPF_WARN && n)
		bw_strlcpy(last_libbpf_warning, line, sizeof(last_libbpf_warning));
	bw_log(BW_LOG_DEBUG, "libbpf: %s", line);
	return 0;
}

_Static_assert(BW_FDSOCK_0 == AGENT_FDSOCK_0 && BW_FDSOCK_1 == AGENT_FDSOCK_1 &&
		       BW_FDSOCK_2 == AGENT_FDSOCK_2 && BW_FDSOCK_CHECKED == AGENT_FDSOCK_CHECKED,
	       "proc.h and agent_int.h disagree on the fd socket bits");

static void copy_str(char *dst, size_t dstsz, const char *src, size_t srcsz)
{
	size_t n = strnlen(src, srcsz);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static size_t expected_size(uint32_t type)
{
	switch (type) {
	case BW_EV_EXEC: return BW_EV_SIZE(exec);
	case BW_EV_FORK: return sizeof(struct bw_ev_hdr);
	case BW_EV_EXIT: return BW_EV_SIZE(exit);
	case BW_EV_PTRACE: return BW_EV_SIZE(ptrace);
	case BW_EV_SETID: return BW_EV_SIZE(setid);
	case BW_EV_MODULE: return BW_EV_SIZE(module);
	case BW_EV_MOUNT: return BW_EV_SIZE(mount);
	case BW_EV_MEMFD: return BW_EV_SIZE(memfd);
	case BW_EV_CONNECT:
	case BW_EV_ACCEPT: return BW_EV_SIZE(net);
	case BW_EV_OPEN_ESCAPE: return BW_EV_SIZE(open);
	default: return 0;
	}
}

static void translate_payload(const struct bw_proc_event *r, struct agent_proc_ev *ev)
{
	switch (r->hdr.type) {
	case BW_EV_EXEC:
		copy_str(ev->filename, sizeof(ev->filename), r->u.exec.filename,
			 sizeof(r->u.exec.filename));
		ev->args_len = r->u.exec.args_len < sizeof(ev->args) - 1 ? r->u.exec.args_len
									  : sizeof(ev->args) - 1;
		memcpy(ev->args, r->u.exec.args, ev->args_len);
		ev->args[ev->args_len] = 0;
		ev->fd_socket = r->u.exec.fd_socket & BW_FDSOCK_CHECKED
					? r->u.exec.fd_socket & (AGENT_FDSOCK_CHECKED | AGENT_FDSOCK_0 |
								 AGENT_FDSOCK_1 | AGENT_FDSOCK_2)
					: 0;
		break;
	case BW_EV_OPEN_ESCAPE:
		copy_str(ev->filename, sizeof(ev->filename), r->u.open.path,
			 sizeof(r->u.open.path));
		ev->u.open.flags = (long)r->u.open.flags;
		ev->u.open.ret = (long)r->u.open.ret;
		break;
	case BW_EV_EXIT:
		ev->u.exit.code = r->u.exit.code;
		break;
	case BW_EV_PTRACE:
		ev->u.ptrace.target = (pid_t)r->u.ptrace.target;
		ev->u.ptrace.request = (long)r->u.ptrace.request;
		break;
	case BW_EV_SETID:
		ev->u.cred.old_uid = r->u.setid.old_uid;
		ev->u.cred.new_uid = r->u.setid.new_uid;
		ev->u.cred.old_gid = r->u.setid.old_gid;
		ev->u.cred.new_gid = r->u.setid.new_gid;
		break;
	case BW_EV_MODULE:
		copy_str(ev->filename, sizeof(ev->filename), r->u.module.name,
			 sizeof(r->u.module.name));
		break;
	case BW_EV_MOUNT:
		copy_str(ev->filename, sizeof(ev->filename), r->u.mount.target,
			 sizeof(r->u.mount.target));
		copy_str(ev->u.mount.source, sizeof(ev->u.mount.source), r->u.mount.source,
			 sizeof(r->u.mount.source));
		copy_str(ev->u.mount.fstype, sizeof(ev->u.mount.fstype), r->u.mount.fstype,
			 sizeof(r->u.mount.fstype));
		ev->u.mount.flags = (unsigned long)r->u.mount.flags;
		break;
	case BW_EV_MEMFD:
		copy_str(ev->filename, sizeof(ev->filename), r->u.memfd.name,
			 sizeof(r->u.memfd.name));
		break;
	case BW_EV_CONNECT:
	case BW_EV_ACCEPT:
		ev->u.net.family = (uint8_t)r->u.net.family;
		ev->u.net.proto = (uint8_t)r->u.net.proto;
		memcpy(ev->u.net.saddr, r->u.net.saddr, sizeof(ev->u.net.saddr));
		memcpy(ev->u.net.daddr, r->u.net.daddr, sizeof(ev->u.net.daddr));
		ev->u.net.sport = r->u.net.sport;
		ev->u.net.dport = r->u.net.dport;
		break;
	default:
		break;
	}
}

static int on_record(void *arg, void *data, size_t size)
{
	struct agent_src_bpf *b = arg;
	const struct bw_proc_event *r = data;
	struct agent_proc_ev ev;
	size_t want;

	if (size < sizeof(struct bw_ev_hdr)) {
		b->bad++;
		return 0;
	}
	want = expected_size(r->hdr.type);
	if (!want || size < want) {
		b->bad++; /* cannot happen: the BPF side reserves exactly want */
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = (enum agent_ev_type)r->hdr.type;
	ev.ts_ns = r->hdr.ts_ns;
	ev.pid = (pid_t)r->hdr.pid;
	ev.ppid = (pid_t)r->hdr.ppid;
	ev.uid = r->hdr.uid;
	ev.gid = r->hdr.gid;
	ev.mntns = r->hdr.mntns;
	ev.cgroup_id = r->hdr.cgroup_id;
	copy_str(ev.comm, sizeof(ev.comm), r->hdr.comm, sizeof(r->hdr.comm));
	translate_payload(r, &ev);
	b->seen++;
	b->cb(b->ctx, &ev);
	return 0;
}

static void set_config(struct proc_bpf *skel)
{
	skel->rodata->agent_tgid = (uint32_t)getpid();
	skel->rodata->nr_ptrace = SYS_ptrace;
	skel->rodata->nr_setuid = SYS_setuid;
	skel->rodata->nr_setgid = SYS_setgid;
	skel->rodata->nr_setreuid = SYS_setreuid;
	skel->rodata->nr_setregid = SYS_setregid;
	skel->rodata->nr_setresuid = SYS_setresuid;
	skel->rodata->nr_setresgid = SYS_setresgid;
	skel->rodata->nr_init_module = SYS_init_module;
	skel->rodata->nr_finit_module = SYS_finit_module;
	skel->rodata->nr_mount = SYS_mount;
	skel->rodata->nr_memfd_create = SYS_memfd_create;
#ifdef SYS_accept
	skel->rodata->nr_accept = SYS_accept;
#endif
	skel->rodata->nr_accept4 = SYS_accept4;
#ifdef SYS_open
	skel->rodata->nr_open = SYS_open;
#endif
#ifdef SYS_creat
	skel->rodata->nr_creat = SYS_creat;
#endif
	skel->rodata->nr_openat = SYS_openat;
#ifdef SYS_openat2
	skel->rodata->nr_openat2 = SYS_openat2;
#endif
}

static enum bw_err load_error(struct bw_errbuf *eb, const char *step, int err)
{
	int e = err < 0 ? -err : err;

	if (e == EPERM || e == EACCES)
		return bw_fail(eb, BW_ERR_UNSUPPORTED,
			       "eBPF: %s: %s (needs root, or CAP_BPF and CAP_PERFMON)", step,
			       strerror(e));
	if (last_libbpf_warning[0])
		return bw_fail(eb, BW_ERR_UNSUPPORTED, "eBPF: %s: %s (libbpf: %s)", step,
			       strerror(e), last_libbpf_warning);
	return bw_fail(eb, BW_ERR_UNSUPPORTED, "eBPF: %s: %s", step, strerror(e));
}

enum bw_err agent_src_bpf_open(agent_proc_cb cb, void *ctx, struct agent_src_bpf **out,
			       struct bw_errbuf *eb)
{
	return agent_src_bpf_open_hooks(cb, ctx, true, out, eb);
}

enum bw_err agent_src_bpf_open_hooks(agent_proc_cb cb, void *ctx, bool syscall_hooks,
				     struct agent_src_bpf **out, struct bw_errbuf *eb)
{
	struct agent_src_bpf *b;
	enum bw_err result;
	int err;

	*out = NULL;
	if (access(BTF_VMLINUX, R_OK) != 0)
		return bw_fail(eb, BW_ERR_UNSUPPORTED,
			       "eBPF: the kernel exposes no BTF (%s: %s); CO-RE programs cannot load",
			       BTF_VMLINUX, strerror(errno));
	b = calloc(1, sizeof(*b));
	if (!b)
		return bw_fail(eb, BW_ERR_NOMEM, "eBPF source: out of memory");
	b->cb = cb;
	b->ctx = ctx;
	b->ncpu = libbpf_num_possible_cpus();
	if (b->ncpu <= 0) {
		result = bw_fail(eb, BW_ERR_UNSUPPORTED, "eBPF: cannot count possible CPUs: %s",
				 strerror(-b->ncpu));
		goto out_free;
	}
	b->percpu = calloc((size_t)b->ncpu, sizeof(*b->percpu));
	if (!b->percpu) {
		result = bw_fail(eb, BW_ERR_NOMEM, "eBPF source: out of memory");
		goto out_free;
	}
	libbpf_set_print(libbpf_to_bw_log);
	last_libbpf_warning[0] = 0;
	b->skel = proc_bpf__open();
	if (!b->skel) {
		result = load_error(eb, "open", errno);
		goto out_free;
	}
	set_config(b->skel);
	if (!syscall_hooks) {
		/* not loaded, so not attached: no system call of the host takes
		 * the tracing slow path (docs/agent-sources.md, "Cost") */
		bpf_program__set_autoload(b->skel->progs.on_sys_enter, false);
		bpf_program__set_autoload(b->skel->progs.on_sys_exit, false);
	}
	err = proc_bpf__load(b->skel);
	if (err) {
		result = load_error(eb, "load", err);
		goto out_destroy;
	}
	err = proc_bpf__attach(b->skel);
	if (err) {
		result = load_error(eb, "attach", err);
		goto out_destroy;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_record, b, NULL);
	if (!b->rb) {
		result = load_error(eb, "ring buffer", errno);
		goto out_destroy;
	}
	*out = b;
	return BW_OK;

out_destroy:
	proc_bpf__destroy(b->skel);
out_free:
	free(b->percpu);
	free(b);
	return result;
}

int agent_src_bpf_fd(const struct agent_src_bpf *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

enum bw_err agent_src_bpf_dispatch(struct agent_src_bpf *b, struct bw_errbuf *eb)
{
	int n = ring_buffer__consume(b->rb);

	if (n < 0 && n != -EINTR)
		return bw_fail(eb, BW_ERR_IO, "eBPF ring buffer: %s", strerror(-n));
	return BW_OK;
}

void agent_src_bpf_stats(const struct agent_src_bpf *b, uint64_t *seen, uint64_t *dropped)
{
	uint32_t zero = 0;
	uint64_t sum = b->bad;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.drops), &zero, b->percpu) == 0) {
		for (int i = 0; i < b->ncpu; i++)
			sum += b->percpu[i];
	}
	if (seen)
		*seen = b->seen;
	if (dropped)
		*dropped = sum;
}

void agent_src_bpf_free(struct agent_src_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	proc_bpf__destroy(b->skel);
	free(b->percpu);
	free(b);
}

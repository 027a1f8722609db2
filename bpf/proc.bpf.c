// SPDX-License-Identifier: GPL-2.0
/* proc.bpf.c - process events for the runtime agent (src/agent/src_bpf.c).
 *
 * CO-RE against vmlinux.h generated from the running kernel at build time.
 * Only tp_btf programs (BTF-enabled raw tracepoints): kprobes and fentry do
 * not load on every kernel we target, classic tracepoints need tracefs.
 *
 *   tp_btf/sched_process_exec   EXEC: filename (bprm), argv (new mm), creds,
 *                               whether fds 0-2 are sockets (reverse shells)
 *   tp_btf/sched_process_fork   FORK: new processes (threads skipped)
 *   tp_btf/sched_process_exit   EXIT: thread-group leaders, wait(2) status
 *   tp_btf/sys_enter            PTRACE (attach/seize), MODULE; remembers the
 *                               creds before a set*id call
 *   tp_btf/sys_exit             SETID (successful, old -> new effective ids),
 *                               ACCEPT (the new fd's socket 5-tuple), MOUNT
 *                               and MEMFD (arguments read once the syscall
 *                               has faulted their pages in; attempts too),
 *                               OPEN_ESCAPE (open/openat/openat2/creat for
 *                               write of a kernel interface file; the flags
 *                               are checked first, the name only then)
 *   tp_btf/inet_sock_set_state  CONNECT: SYN_SENT in process context notes
 *                               the process; SYN_SENT -> ESTABLISHED emits
 *                               the 5-tuple (the source port exists by then)
 *
 * Every record goes into one ring buffer; when it is full the per-CPU
 * counter `drops` is incremented and the event is lost. FORK and EXIT
 * records do not wake the agent (submit_lazy). tp_btf/sys_enter and sys_exit
 * are loaded only with --syscall-hooks on (src_bpf.c): attached, they put
 * every system call of the host on the tracing slow path. Events caused by the
 * agent itself (agent_tgid) are not reported.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "proc.h"

char LICENSE[] SEC("license") = "GPL";

/* Read-only configuration, set by the loader before load. Syscall numbers
 * come from user space (<sys/syscall.h>) so this file has no per-arch table. */
const volatile __u32 agent_tgid = 0;
const volatile long nr_ptrace = -1;
const volatile long nr_setuid = -1, nr_setgid = -1, nr_setreuid = -1, nr_setregid = -1;
const volatile long nr_setresuid = -1, nr_setresgid = -1;
const volatile long nr_init_module = -1, nr_finit_module = -1;
const volatile long nr_mount = -1, nr_memfd_create = -1;
const volatile long nr_accept = -1, nr_accept4 = -1;
const volatile long nr_open = -1, nr_openat = -1, nr_openat2 = -1, nr_creat = -1;

#define BW_PTRACE_ATTACH 16
#define BW_PTRACE_SEIZE 0x4206
#define BW_AF_INET 2
#define BW_AF_INET6 10
#define BW_IPPROTO_TCP 6
#define BW_TCP_ESTABLISHED 1
#define BW_TCP_SYN_SENT 2
#define BW_S_IFMT 00170000
#define BW_S_IFSOCK 0140000
#define BW_O_ACCMODE 03
#define BW_O_CREAT 0100
#define BW_O_TRUNC 01000

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BW_RINGBUF_SIZE);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct cred_ids {
	__u32 uid, gid;
};

/* thread (pid_tgid) -> effective ids before its set*id syscall */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct cred_ids);
} setid_old SEC(".maps");

/* socket in SYN_SENT -> the connecting process (header filled then) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct bw_ev_hdr);
} connecting SEC(".maps");

/* scratch for the path of a write open, before it is known to matter */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[BW_PATH_LEN]);
} open_path SEC(".maps");

static __always_inline void *reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&drops, &zero);

		if (n)
			*n += 1;
	}
	return e;
}

/* Waking the agent costs a context switch on the traced task's path. Forks
 * and exits (most records, rarely urgent) are queued without a wakeup unless
 * the buffer is filling up: the next record submitted with submit_now(), or
 * the agent's periodic drain, delivers them. Every other record wakes the
 * agent (FORCE: the default "only when the consumer has caught up" never
 * fires while quiet records are queued in front). */
#define BW_LAZY_MAX_BYTES (BW_RINGBUF_SIZE / 8)

static __always_inline void submit_now(void *e)
{
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

static __always_inline void submit_lazy(void *e)
{
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > BW_LAZY_MAX_BYTES
				      ? BPF_RB_FORCE_WAKEUP
				      : BPF_RB_NO_WAKEUP);
}

static __always_inline bool is_agent(void)
{
	return agent_tgid && (__u32)(bpf_get_current_pid_tgid() >> 32) == agent_tgid;
}

static __always_inline void fill_hdr(struct bw_ev_hdr *h, struct task_struct *t, __u32 type)
{
	h->type = type;
	h->pid = BPF_CORE_READ(t, tgid);
	h->ppid = BPF_CORE_READ(t, real_parent, tgid);
	h->uid = BPF_CORE_READ(t, cred, euid.val);
	h->gid = BPF_CORE_READ(t, cred, egid.val);
	h->pad = 0;
	h->ts_ns = bpf_ktime_get_ns();
	h->mntns = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
	h->cgroup_id = bpf_get_current_cgroup_id();
	BPF_CORE_READ_STR_INTO(&h->comm, t, comm);
}

/* The struct file of descriptor fd of task t, NULL if none. */
static __always_inline struct file *task_file(struct task_struct *t, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) < 0)
		return NULL;
	return f;
}

static __always_inline bool is_socket(struct file *f)
{
	return f && (BPF_CORE_READ(f, f_inode, i_mode) & BW_S_IFMT) == BW_S_IFSOCK;
}

/* BW_FDSOCK_* for fds 0, 1, 2 of t (the new program: exec has closed the
 * close-on-exec ones already). */
static __always_inline __u32 stdio_sockets(struct task_struct *t)
{
	__u32 bits = BW_FDSOCK_CHECKED;

	if (!BPF_CORE_READ(t, files, fdt))
		return 0;
	if (is_socket(task_file(t, 0)))
		bits |= BW_FDSOCK_0;
	if (is_socket(task_file(t, 1)))
		bits |= BW_FDSOCK_1;
	if (is_socket(task_file(t, 2)))
		bits |= BW_FDSOCK_2;
	return bits;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct bw_proc_event *e;
	unsigned long start, end, len;

	if (is_agent())
		return 0;
	e = reserve(BW_EV_SIZE(exec));
	if (!e)
		return 0;
	fill_hdr(&e->hdr, p, BW_EV_EXEC);
	e->u.exec.fd_socket = stdio_sockets(p);
	if (bpf_probe_read_kernel_str(e->u.exec.filename, sizeof(e->u.exec.filename),
				      BPF_CORE_READ(bprm, filename)) < 0)
		e->u.exec.filename[0] = 0;
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	len = end > start ? end - start : 0;
	if (len > BW_ARGS_LEN - 1)
		len = BW_ARGS_LEN - 1;
	if (len && bpf_probe_read_user(e->u.exec.args, len, (const void *)start) < 0)
		len = 0;
	e->u.exec.args_len = len;
	submit_now(e);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct bw_ev_hdr *h;

	if (is_agent())
		return 0;
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0; /* a thread, not a process */
	h = reserve(sizeof(*h));
	if (!h)
		return 0;
	fill_hdr(h, child, BW_EV_FORK);
	h->ppid = BPF_CORE_READ(parent, tgid);
	submit_lazy(h);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	struct bw_proc_event *e;

	if (is_agent())
		return 0;
	if (BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid))
		return 0; /* only thread-group leaders */
	e = reserve(BW_EV_SIZE(exit));
	if (!e)
		return 0;
	fill_hdr(&e->hdr, p, BW_EV_EXIT);
	e->u.exit.code = BPF_CORE_READ(p, exit_code);
	e->u.exit.pad = 0;
	submit_lazy(e);
	return 0;
}

static __always_inline bool is_setid(long nr)
{
	return nr == nr_setuid || nr == nr_setgid || nr == nr_setreuid || nr == nr_setregid ||
	       nr == nr_setresuid || nr == nr_setresgid;
}

static __always_inline int emit_ptrace(struct pt_regs *regs, struct task_struct *t)
{
	long req = PT_REGS_PARM1_CORE_SYSCALL(regs);
	struct bw_proc_event *e;

	if (req != BW_PTRACE_ATTACH && req != BW_PTRACE_SEIZE)
		return 0;
	e = reserve(BW_EV_SIZE(ptrace));
	if (!e)
		return 0;
	fill_hdr(&e->hdr, t, BW_EV_PTRACE);
	e->u.ptrace.request = req;
	e->u.ptrace.target = PT_REGS_PARM2_CORE_SYSCALL(regs);
	submit_now(e);
	return 0;
}

static __always_inline int emit_mount(struct pt_regs *regs, struct task_struct *t)
{
	struct bw_proc_event *e = reserve(BW_EV_SIZE(mount));

	if (!e)
		return 0;
	fill_hdr(&e->hdr, t, BW_EV_MOUNT);
	if (bpf_probe_read_user_str(e->u.mount.source, sizeof(e->u.mount.source),
				    (const void *)PT_REGS_PARM1_CORE_SYSCALL(regs)) < 0)
		e->u.mount.source[0] = 0;
	if (bpf_probe_read_user_str(e->u.mount.target, sizeof(e->u.mount.target),
				    (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs)) < 0)
		e->u.mount.target[0] = 0;
	if (bpf_probe_read_user_str(e->u.mount.fstype, sizeof(e->u.mount.fstype),
				    (const void *)PT_REGS_PARM3_CORE_SYSCALL(regs)) < 0)
		e->u.mount.fstype[0] = 0;
	e->u.mount.flags = PT_REGS_PARM4_CORE_SYSCALL(regs);
	submit_now(e);
	return 0;
}

static __always_inline int emit_memfd(struct pt_regs *regs, struct task_struct *t)
{
	struct bw_proc_event *e = reserve(BW_EV_SIZE(memfd));

	if (!e)
		return 0;
	fill_hdr(&e->hdr, t, BW_EV_MEMFD);
	if (bpf_probe_read_user_str(e->u.memfd.name, sizeof(e->u.memfd.name),
				    (const void *)PT_REGS_PARM1_CORE_SYSCALL(regs)) < 0)
		e->u.memfd.name[0] = 0;
	submit_now(e);
	return 0;
}

static __always_inline int emit_module(struct pt_regs *regs, struct task_struct *t, bool by_fd)
{
	struct bw_proc_event *e = reserve(BW_EV_SIZE(module));
	struct file *f;

	if (!e)
		return 0;
	fill_hdr(&e->hdr, t, BW_EV_MODULE);
	e->u.module.name[0] = 0;
	if (by_fd) {
		f = task_file(t, (int)PT_REGS_PARM1_CORE_SYSCALL(regs));
		if (f && bpf_probe_read_kernel_str(e->u.module.name, sizeof(e->u.module.name),
						   BPF_CORE_READ(f, f_path.dentry, d_name.name)) < 0)
			e->u.module.name[0] = 0;
	}
	submit_now(e);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t;

	if (id != nr_ptrace && id != nr_init_module && id != nr_finit_module && !is_setid(id))
		return 0;
	if (is_agent())
		return 0;
	t = bpf_get_current_task_btf();
	if (id == nr_ptrace)
		return emit_ptrace(regs, t);
	if (id == nr_init_module || id == nr_finit_module)
		return emit_module(regs, t, id == nr_finit_module);
	{
		__u64 key = bpf_get_current_pid_tgid();
		struct cred_ids old = {
			.uid = BPF_CORE_READ(t, cred, euid.val),
			.gid = BPF_CORE_READ(t, cred, egid.val),
		};

		bpf_map_update_elem(&setid_old, &key, &old, BPF_ANY);
	}
	return 0;
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
#error "proc.bpf.c: syscall number of struct pt_regs unknown for this architecture"
#endif
}

static __always_inline void fill_net(struct bw_ev_net *n, const struct sock *sk, __u16 family)
{
	n->family = family;
	n->proto = BW_IPPROTO_TCP;
	n->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	n->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__builtin_memset(n->saddr, 0, sizeof(n->saddr));
	__builtin_memset(n->daddr, 0, sizeof(n->daddr));
	if (family == BW_AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)n->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)n->daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&n->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&n->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

static __always_inline int emit_accept(struct task_struct *t, long fd)
{
	struct file *f = task_file(t, fd);
	struct socket *sock;
	struct sock *sk;
	struct bw_proc_event *e;
	__u16 family;

	if (!is_socket(f))
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != BW_IPPROTO_TCP)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != BW_AF_INET && family != BW_AF_INET6)
		return 0;
	e = reserve(BW_EV_SIZE(net));
	if (!e)
		return 0;
	fill_hdr(&e->hdr, t, BW_EV_ACCEPT);
	fill_net(&e->u.net, sk, family);
	submit_now(e);
	return 0;
}

static __always_inline bool is_open(long nr)
{
	return nr >= 0 && (nr == nr_open || nr == nr_openat || nr == nr_openat2 || nr == nr_creat);
}

/* The last component of buf (a path of n bytes) is name (len bytes). */
static __always_inline bool tail_is(const char *buf, long n, const char *name, __u32 len)
{
	long start;

	if (n < len)
		return false;
	start = n - len;
	if (start > 0 && buf[(start - 1) & (BW_PATH_LEN - 1)] != '/')
		return false;
	for (__u32 i = 0; i < len; i++)
		if (buf[(start + i) & (BW_PATH_LEN - 1)] != name[i])
			return false;
	return true;
}

#define TAIL_IS(buf, n, lit) tail_is(buf, n, lit, sizeof(lit) - 1)

/* Kernel interface files a container writes to escape (docs/agent-detections.md,
 * BW-RT-015); user space matches the whole path. */
static __always_inline bool escape_name(const char *buf, long n)
{
	return TAIL_IS(buf, n, "release_agent") || TAIL_IS(buf, n, "notify_on_release") ||
	       TAIL_IS(buf, n, "core_pattern") || TAIL_IS(buf, n, "modprobe") ||
	       TAIL_IS(buf, n, "sysrq-trigger") || TAIL_IS(buf, n, "uevent_helper");
}

static __always_inline int emit_open(struct pt_regs *regs, struct task_struct *t, long id, long ret)
{
	const char *upath;
	struct bw_proc_event *e;
	__u32 zero = 0;
	long flags, n;
	char *buf;

	if (id == nr_creat) {
		upath = (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		flags = BW_O_CREAT | BW_O_TRUNC | 1; /* O_WRONLY */
	} else if (id == nr_open) {
		upath = (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		flags = PT_REGS_PARM2_CORE_SYSCALL(regs);
	} else if (id == nr_openat) {
		upath = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		flags = PT_REGS_PARM3_CORE_SYSCALL(regs);
	} else {
		__u64 how_flags = 0; /* struct open_how starts with __u64 flags */

		if (bpf_probe_read_user(&how_flags, sizeof(how_flags),
					(const void *)PT_REGS_PARM3_CORE_SYSCALL(regs)) < 0)
			return 0;
		upath = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		flags = (long)how_flags;
	}
	/* read-only opens (nearly all of them) stop here, before any string */
	if ((flags & BW_O_ACCMODE) == 0 && !(flags & (BW_O_CREAT | BW_O_TRUNC)))
		return 0;
	if (is_agent())
		return 0;
	buf = bpf_map_lookup_elem(&open_path, &zero);
	if (!buf)
		return 0;
	n = bpf_probe_read_user_str(buf, BW_PATH_LEN, upath);
	if (n <= 1 || n > BW_PATH_LEN)
		return 0;
	if (!escape_name(buf, n - 1))
		return 0;
	e = reserve(BW_EV_SIZE(open));
	if (!e)
		return 0;
	fill_hdr(&e->hdr, t, BW_EV_OPEN_ESCAPE);
	e->u.open.flags = flags;
	e->u.open.ret = ret;
	__builtin_memcpy(e->u.open.path, buf, BW_PATH_LEN);
	submit_now(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	long id = syscall_nr(regs);
	struct task_struct *t;
	struct bw_proc_event *e;
	struct cred_ids *old;
	__u64 key;

	if (is_open(id))
		return emit_open(regs, bpf_get_current_task_btf(), id, ret);
	if (id != nr_accept && id != nr_accept4 && id != nr_mount && id != nr_memfd_create &&
	    !is_setid(id))
		return 0;
	if (is_agent())
		goto out_forget;
	t = bpf_get_current_task_btf();
	/* user strings are read at exit: the syscall has faulted their pages
	 * in, and a non-sleepable program cannot */
	if (id == nr_mount)
		return emit_mount(regs, t);
	if (id == nr_memfd_create)
		return emit_memfd(regs, t);
	if (ret < 0)
		goto out_forget;
	if (id == nr_accept || id == nr_accept4)
		return emit_accept(t, ret);
	key = bpf_get_current_pid_tgid();
	old = bpf_map_lookup_elem(&setid_old, &key);
	if (!old)
		return 0;
	e = reserve(BW_EV_SIZE(setid));
	if (e) {
		fill_hdr(&e->hdr, t, BW_EV_SETID);
		e->u.setid.old_uid = old->uid;
		e->u.setid.old_gid = old->gid;
		e->u.setid.new_uid = e->hdr.uid;
		e->u.setid.new_gid = e->hdr.gid;
		submit_now(e);
	}
out_forget:
	if (is_setid(id)) {
		key = bpf_get_current_pid_tgid();
		bpf_map_delete_elem(&setid_old, &key);
	}
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_sock_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u64 key = (__u64)sk;
	struct bw_ev_hdr *pending;
	struct bw_proc_event *e;
	__u16 family;

	if (BPF_CORE_READ(sk, sk_protocol) != BW_IPPROTO_TCP)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != BW_AF_INET && family != BW_AF_INET6)
		return 0;
	if (newstate == BW_TCP_SYN_SENT) {
		/* connect(2): process context, the source port is not bound yet */
		struct bw_ev_hdr h;

		if (is_agent())
			return 0;
		fill_hdr(&h, bpf_get_current_task_btf(), BW_EV_CONNECT);
		bpf_map_update_elem(&connecting, &key, &h, BPF_ANY);
		return 0;
	}
	if (oldstate != BW_TCP_SYN_SENT)
		return 0;
	pending = bpf_map_lookup_elem(&connecting, &key);
	if (!pending)
		return 0;
	if (newstate == BW_TCP_ESTABLISHED) {
		e = reserve(BW_EV_SIZE(net));
		if (e) {
			__builtin_memcpy(&e->hdr, pending, sizeof(e->hdr));
			fill_net(&e->u.net, sk, family);
			submit_now(e);
		}
	}
	bpf_map_delete_elem(&connecting, &key);
	return 0;
}

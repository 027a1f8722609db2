/* proc.h - the records proc.bpf.c writes into its ring buffer and
 * src/agent/src_bpf.c reads. Only fixed-width types: this header is compiled
 * by clang -target bpf (with vmlinux.h) and by the host compiler.
 *
 * A record is a struct bw_ev_hdr followed by the payload of its type; the
 * BPF side reserves exactly BW_EV_SIZE(member) bytes, so user space checks the
 * record size against the type before reading the payload.
 */
#ifndef BW_BPF_PROC_H
#define BW_BPF_PROC_H

#ifndef __VMLINUX_H__
#include <stdint.h>
typedef uint8_t bw_u8;
typedef uint16_t bw_u16;
typedef uint32_t bw_u32;
typedef int32_t bw_s32;
typedef uint64_t bw_u64;
typedef int64_t bw_s64;
#else
typedef __u8 bw_u8;
typedef __u16 bw_u16;
typedef __u32 bw_u32;
typedef __s32 bw_s32;
typedef __u64 bw_u64;
typedef __s64 bw_s64;
#endif

#define BW_COMM_LEN 16
#define BW_PATH_LEN 512      /* exec filename, mount target */
#define BW_ARGS_LEN 512      /* argv bytes read, at most BW_ARGS_LEN - 1 */
#define BW_MNT_SRC_LEN 128
#define BW_MNT_FS_LEN 32
#define BW_RINGBUF_SIZE (4u << 20)

/* Record types: the values of enum agent_ev_type (src/agent/agent_int.h). */
enum bw_ev_type {
	BW_EV_EXEC = 1,
	BW_EV_FORK,
	BW_EV_EXIT,
	BW_EV_PTRACE,
	BW_EV_SETID,
	BW_EV_MODULE,
	BW_EV_MOUNT,
	BW_EV_MEMFD,
	BW_EV_CONNECT,
	BW_EV_ACCEPT,
	BW_EV_OPEN_ESCAPE,  /* open for write of a kernel interface file (escape attempt) */
};

struct bw_ev_hdr {
	bw_u32 type;        /* enum bw_ev_type */
	bw_u32 pid;         /* tgid of the process the event is about */
	bw_u32 ppid;        /* real parent's tgid */
	bw_u32 uid, gid;    /* effective ids */
	bw_u32 pad;
	bw_u64 ts_ns;       /* bpf_ktime_get_ns: CLOCK_MONOTONIC */
	bw_u64 mntns;       /* nsproxy->mnt_ns->ns.inum */
	bw_u64 cgroup_id;   /* cgroup v2 id */
	char comm[BW_COMM_LEN];
};

/* bw_ev_exec.fd_socket: fd 0 / 1 / 2 of the new program are sockets */
#define BW_FDSOCK_0 1u
#define BW_FDSOCK_1 2u
#define BW_FDSOCK_2 4u
#define BW_FDSOCK_CHECKED 0x80u /* the fd table was read (else the bits mean nothing) */

struct bw_ev_exec {
	bw_u32 args_len;    /* bytes of args used (NUL-separated argv) */
	bw_u32 fd_socket;   /* BW_FDSOCK_* at exec time */
	char filename[BW_PATH_LEN];
	char args[BW_ARGS_LEN];
};

struct bw_ev_exit {
	bw_s32 code;        /* task->exit_code: wait(2) status */
	bw_u32 pad;
};

struct bw_ev_ptrace {
	bw_s64 request;     /* PTRACE_ATTACH or PTRACE_SEIZE */
	bw_s64 target;      /* pid argument */
};

struct bw_ev_setid {
	bw_u32 old_uid, new_uid, old_gid, new_gid; /* effective ids */
};

struct bw_ev_module {
	char name[BW_PATH_LEN]; /* finit_module: the file's name (last component) */
};

struct bw_ev_mount {
	bw_u64 flags;
	char target[BW_PATH_LEN];
	char source[BW_MNT_SRC_LEN];
	char fstype[BW_MNT_FS_LEN];
};

struct bw_ev_memfd {
	char name[BW_PATH_LEN];
};

struct bw_ev_net {
	bw_u16 family;      /* AF_INET 2 | AF_INET6 10 */
	bw_u16 proto;       /* IPPROTO_TCP 6 */
	bw_u16 sport, dport;/* host byte order: local, remote */
	bw_u8 saddr[16];
	bw_u8 daddr[16];
};

/* open/openat/openat2/creat asking for write access (O_WRONLY, O_RDWR,
 * O_CREAT or O_TRUNC) of a file whose last component is one of the kernel
 * interface names proc.bpf.c lists; seen at syscall exit, so refused
 * attempts too (ret < 0). */
struct bw_ev_open {
	bw_s64 flags;       /* open flags as given */
	bw_s64 ret;         /* the syscall's return: fd, or -errno */
	char path[BW_PATH_LEN]; /* as given: possibly relative */
};

struct bw_proc_event {
	struct bw_ev_hdr hdr;
	union {
		struct bw_ev_exec exec;
		struct bw_ev_exit exit;
		struct bw_ev_ptrace ptrace;
		struct bw_ev_setid setid;
		struct bw_ev_module module;
		struct bw_ev_mount mount;
		struct bw_ev_memfd memfd;
		struct bw_ev_net net;
		struct bw_ev_open open;
	} u;
};

/* Bytes of a record whose payload is member m of the union. */
#define BW_EV_SIZE(m) (sizeof(struct bw_ev_hdr) + sizeof(((struct bw_proc_event *)0)->u.m))

#endif

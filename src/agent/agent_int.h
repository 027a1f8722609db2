/* agent_int.h - the runtime agent's internal interfaces.
 *
 * The agent is one epoll loop (agent.c) over four kinds of file descriptor:
 *
 *   process events  (src.c: src_bpf.c eBPF ring buffer, or src_proc.c the
 *                    netlink proc connector)        -> struct agent_proc_ev
 *   file/exec events (fan.c: fanotify, permission and notification events
 *                    on the mounts of each container) -> struct agent_fan_ev
 *   container changes (container.c: runtime state dirs, inotify)
 *   the control socket (ctl.c: status, mode switch, profile)
 *
 * Every event about a process is resolved to a container by the process's
 * mount namespace (the container key: the inode of /proc/PID/ns/mnt; 0 means
 * "host, not a container"), then to the container's group, whose mode
 * (discover | monitor | protect) decides learn, alert or block.
 *
 * Ownership: structs passed to callbacks are borrowed for the duration of the
 * call only; copy what you keep.
 */
#ifndef BW_AGENT_INT_H
#define BW_AGENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/core.h"

#define AGENT_COMM_LEN 16
#define AGENT_PATH_LEN 512   /* exec/mount paths carried by process events */
#define AGENT_ARGS_LEN 512   /* argv bytes (NUL-separated, may be truncated) */

/* ------------------------------------------------------------------ */
/* Process events (src.c, src_bpf.c, src_proc.c)                      */

enum agent_ev_type {
	AGENT_EV_EXEC = 1, /* execve completed: filename, argv */
	AGENT_EV_FORK,     /* new process: pid = child, ppid = parent */
	AGENT_EV_EXIT,     /* process (thread group) exited: u.exit */
	AGENT_EV_PTRACE,   /* ptrace attach/seize: u.ptrace */
	AGENT_EV_SETID,    /* uid/gid change: u.cred (old -> new) */
	AGENT_EV_MODULE,   /* init_module / finit_module called */
	AGENT_EV_MOUNT,    /* mount(2) called: filename = target, u.mount */
	AGENT_EV_MEMFD,    /* memfd_create called: filename = its name */
	AGENT_EV_CONNECT,  /* outgoing connection: u.net */
	AGENT_EV_ACCEPT,   /* accepted connection: u.net */
	/* (A7 addition) eBPF only: an open for write (O_WRONLY, O_RDWR, O_CREAT,
	 * O_TRUNC) of a file named release_agent, notify_on_release,
	 * core_pattern, modprobe, sysrq-trigger or uevent_helper, refused or
	 * not: filename = the path as given (possibly relative), u.open */
	AGENT_EV_OPEN_ESCAPE,
};

struct agent_net {
	uint8_t family;        /* AF_INET | AF_INET6 */
	uint8_t proto;         /* IPPROTO_TCP | IPPROTO_UDP */
	uint8_t saddr[16];     /* local address (v4 in the first 4 bytes) */
	uint8_t daddr[16];     /* remote address */
	uint16_t sport, dport; /* host byte order; local, remote */
};

struct agent_proc_ev {
	enum agent_ev_type type;
	uint64_t ts_ns;        /* CLOCK_MONOTONIC */
	pid_t pid;             /* thread group id (the process) */
	pid_t ppid;            /* parent's tgid; 0 if unknown */
	uint32_t uid, gid;     /* effective ids after the event */
	uint64_t mntns;        /* mount namespace inode; 0 if the source cannot tell */
	uint64_t cgroup_id;    /* cgroup v2 id; 0 if unknown */
	char comm[AGENT_COMM_LEN];
	char filename[AGENT_PATH_LEN]; /* EXEC: path given to execve; MOUNT: target; MEMFD: name */
	char args[AGENT_ARGS_LEN];     /* EXEC: argv, NUL-separated */
	uint32_t args_len;             /* 0: not known (the loop reads /proc/PID/cmdline) */
	union {
		struct { int code; } exit;                       /* exit status as wait(2) gives it */
		struct { pid_t target; long request; } ptrace;
		struct { uint32_t old_uid, new_uid, old_gid, new_gid; } cred;
		struct { char source[128]; char fstype[32]; unsigned long flags; } mount;
		struct agent_net net;
		struct { long flags; long ret; } open; /* (A7) OPEN_ESCAPE: flags, fd or -errno */
	} u;
	/* (A7 addition) EXEC from eBPF: AGENT_FDSOCK_* of the new program's
	 * fds 0-2 read at exec time; 0 (no AGENT_FDSOCK_CHECKED): not known
	 * (proc connector), the loop looks at /proc/PID/fd instead. */
	uint32_t fd_socket;
};
#define AGENT_FDSOCK_0 1u
#define AGENT_FDSOCK_1 2u
#define AGENT_FDSOCK_2 4u
#define AGENT_FDSOCK_CHECKED 0x80u

enum agent_src_kind {
	AGENT_SRC_AUTO = 0, /* eBPF, else the proc connector (logged) */
	AGENT_SRC_BPF,
	AGENT_SRC_PROC,
};

typedef void (*agent_proc_cb)(void *ctx, const struct agent_proc_ev *ev);

struct agent_src; /* opaque */

/* Open a process event source and start it. cb is called from
 * agent_src_dispatch() only. The proc connector delivers EXEC, FORK, EXIT,
 * PTRACE and SETID (no argv, no mntns: the loop reads /proc). */
enum bw_err agent_src_open(enum agent_src_kind kind, agent_proc_cb cb, void *ctx,
			   struct agent_src **out, struct bw_errbuf *eb);
int agent_src_fd(const struct agent_src *s);               /* for epoll (EPOLLIN) */
enum bw_err agent_src_dispatch(struct agent_src *s, struct bw_errbuf *eb); /* never blocks */
const char *agent_src_name(const struct agent_src *s);      /* "bpf" | "proc" */
/* seen: events delivered; dropped: lost before delivery (ring buffer full,
 * netlink ENOBUFS), counted, never fatal. */
void agent_src_stats(const struct agent_src *s, uint64_t *seen, uint64_t *dropped);
void agent_src_free(struct agent_src *s);                   /* NULL-safe; detaches */
/* (A10 addition) Options. syscall_hooks false: the eBPF source does not
 * attach its tp_btf sys_enter/sys_exit programs (which put every system call
 * of the host on the tracing slow path); ptrace attach and uid/gid changes
 * then come from the proc connector (kernel-filtered to those kinds, Linux
 * 6.6+), and MODULE, MOUNT, MEMFD, ACCEPT and OPEN_ESCAPE are not reported.
 * No effect on the proc connector source. agent_src_open = hooks on. */
struct agent_src_opts {
	bool syscall_hooks;
};
enum bw_err agent_src_open_opts(enum agent_src_kind kind, const struct agent_src_opts *o,
				agent_proc_cb cb, void *ctx, struct agent_src **out,
				struct bw_errbuf *eb);
/* (A10 addition) Deliver what the eBPF ring buffer holds now (no system
 * call; nothing for the proc connector): e.g. the fork records queued
 * without a wakeup, before an exec notification that needs them. */
void agent_src_dispatch_queued(struct agent_src *s);
/* (A10 addition) true when the eBPF system call hooks are attached. */
bool agent_src_syscall_hooks(const struct agent_src *s);

/* ------------------------------------------------------------------ */
/* fanotify (fan.c)                                                   */

enum agent_fan_kind {
	AGENT_FAN_EXEC = 1, /* FAN_OPEN_EXEC_PERM: a program (or its interpreter) is about to run */
	AGENT_FAN_OPEN,     /* FAN_OPEN_PERM on a watched path (agent_fan_watch) */
	AGENT_FAN_WRITTEN,  /* FAN_CLOSE_WRITE notification: a file was written */
};

#define AGENT_ACC_READ  1u
#define AGENT_ACC_WRITE 2u
#define AGENT_ACC_EXEC  4u

struct agent_fan_ev {
	enum agent_fan_kind kind;
	bool perm;           /* a permission event: the callback's answer is enforced */
	pid_t pid;           /* the process opening (for EXEC: the one calling execve) */
	uint64_t mntns;      /* mount namespace of pid (0 if it already exited) */
	const char *path;    /* the file, as seen inside the container */
	unsigned access;     /* AGENT_ACC_* from the open flags */
	uint64_t mnt_id;     /* mount of the file (statx STATX_MNT_ID; 0 if unknown): finds
	                      * the container when pid has already exited (mntns 0) */
};

/* Return true to allow. For notification events the return is ignored.
 * Must not block: the opener waits for the answer. */
typedef bool (*agent_fan_cb)(void *ctx, const struct agent_fan_ev *ev);

struct agent_fan; /* opaque */

enum bw_err agent_fan_open(agent_fan_cb cb, void *ctx, struct agent_fan **out,
			   struct bw_errbuf *eb);
int agent_fan_fd(const struct agent_fan *f);
/* Mark every mount of the container whose init process is init_pid (its
 * root, volumes, tmpfs) for FAN_OPEN_EXEC_PERM and FAN_CLOSE_WRITE, from
 * inside its mount namespace (setns). Refuses (BW_ERR_USAGE)
 * when that mount namespace is the agent's own: the host is never marked. */
enum bw_err agent_fan_mark_container(struct agent_fan *f, pid_t init_pid, struct bw_errbuf *eb);
/* (A10 addition) The same, choosing the exec mask: perm true marks
 * FAN_OPEN_EXEC_PERM (every exec waits for the agent's answer: protect),
 * false FAN_OPEN_EXEC (a notification: discover and monitor, nothing
 * waits); FAN_CLOSE_WRITE either way. On a container already marked with
 * the other kind it switches: each mount gets the new bit before the old one
 * is removed, so there is no moment when a mount has neither.
 * agent_fan_mark_container = perm true. Events from FAN_OPEN_EXEC arrive as
 * AGENT_FAN_EXEC with perm false (read after the program started: the
 * opener may already run the new image). */
enum bw_err agent_fan_mark_container_exec(struct agent_fan *f, pid_t init_pid, bool perm,
					  struct bw_errbuf *eb);
/* FAN_OPEN_PERM on one path inside the container (a file, or a directory
 * and its direct children with FAN_EVENT_ON_CHILD; subdirectories up to a
 * bound when recursive). Used for file rules and sensitive-file detections;
 * cheap because only those inodes are marked. Missing paths are skipped. */
enum bw_err agent_fan_watch(struct agent_fan *f, pid_t init_pid, const char *path,
			    bool recursive, struct bw_errbuf *eb);
/* Reads all pending events; calls cb; ALWAYS answers a permission event
 * (FAN_ALLOW when anything fails), closes every event fd. Never blocks. */
enum bw_err agent_fan_dispatch(struct agent_fan *f, struct bw_errbuf *eb);
void agent_fan_stats(const struct agent_fan *f, uint64_t *seen, uint64_t *denied,
		     uint64_t *dropped);
/* (A6 addition) agent_fan_mark_container records each mount it marked (its
 * global mount id) with the container's mount namespace; for EXEC and
 * WRITTEN events agent_fan_ev.mntns then comes from the event's mount, so a
 * write is attributed to its container even when the writer has exited
 * (a host process exec'ing through /proc/PID/root keeps its own namespace).
 * At most AGENT_FAN_MNT_TABLE_MAX mounts are recorded (beyond that: a
 * warning, and the opener's namespace as before). Call
 * agent_fan_forget_container when the container is removed. */
#define AGENT_FAN_MNT_TABLE_MAX 16384
void agent_fan_forget_container(struct agent_fan *f, uint64_t mntns); /* NULL-safe */
/* Closing the fanotify fd makes the kernel allow every pending permission
 * event: a dead agent never leaves a process stuck. */
void agent_fan_free(struct agent_fan *f); /* NULL-safe */

/* ------------------------------------------------------------------ */
/* Containers (container.c)                                           */

struct agent_ctr {
	char id[128];           /* runtime's container id */
	char runtime[16];       /* "runc" | "crun" | "containerd" | "docker" | "podman" */
	pid_t init_pid;
	uint64_t mntns;         /* the container key */
	uint64_t cgroup_id;     /* 0 if unknown */
	char bundle[512];       /* OCI bundle dir ("" if unknown) */
	char rootfs[512];       /* host path of the root filesystem ("" if unknown) */
	char name[128];         /* container name (k8s container name, docker/podman name, else id) */
	char image[256];        /* image reference if known ("" if not) */
	char k8s_namespace[64]; /* from CRI annotations ("" if not a pod) */
	char k8s_pod[128];
	char k8s_workload[128]; /* owning workload: pod name without the ReplicaSet/Job hash suffixes */
	struct bw_strv labels;  /* "key=value": pod labels / OCI annotations that are labels */
	char group[192];        /* default group: "NS.WORKLOAD" for pods, else the image
	                         * repository, else the container name */
};

enum agent_ctr_change { AGENT_CTR_ADDED = 1, AGENT_CTR_REMOVED };
typedef void (*agent_ctr_cb)(void *ctx, enum agent_ctr_change what, const struct agent_ctr *c);

struct agent_ctrs; /* opaque: the set of known containers */

/* Watches the state dirs of runc (/run/runc), crun (/run/crun),
 * containerd (/run/containerd/runc/NS), Docker (/run/docker/runtime-runc/moby)
 * and Podman; finds containers already running at open (cb ADDED for each). */
enum bw_err agent_ctrs_open(agent_ctr_cb cb, void *ctx, struct agent_ctrs **out,
			    struct bw_errbuf *eb);
int agent_ctrs_fd(const struct agent_ctrs *cs);            /* inotify fd for epoll */
enum bw_err agent_ctrs_dispatch(struct agent_ctrs *cs, struct bw_errbuf *eb); /* rescan */
/* Rescan now (e.g. an exec event came from an unknown mount namespace). */
enum bw_err agent_ctrs_refresh(struct agent_ctrs *cs, struct bw_errbuf *eb);
const struct agent_ctr *agent_ctrs_by_mntns(const struct agent_ctrs *cs, uint64_t mntns);
size_t agent_ctrs_count(const struct agent_ctrs *cs);
const struct agent_ctr *agent_ctrs_at(const struct agent_ctrs *cs, size_t i);
void agent_ctrs_free(struct agent_ctrs *cs);
/* The mount namespace inode of a pid, 0 if gone. */
uint64_t agent_pid_mntns(pid_t pid);

/* ------------------------------------------------------------------ */
/* Built-in detections (detect.c)                                     */

struct agent_detection {
	const char *id;        /* "BW-RT-001" ... stable */
	const char *name;      /* "shell in container" */
	const char *severity;  /* "low" | "medium" | "high" | "critical" */
	const char *mitre;     /* ATT&CK technique id, "T1059.004" */
	const char *mitre_name;
};
const struct agent_detection *agent_detections(size_t *n);
const struct agent_detection *agent_detection_find(const char *id);

/* What detections look at: one event about a process in a container. */
enum agent_det_kind {
	AGENT_DET_EXEC = 1, AGENT_DET_FILE, AGENT_DET_PTRACE, AGENT_DET_SETID,
	AGENT_DET_MODULE, AGENT_DET_MOUNT, AGENT_DET_MEMFD, AGENT_DET_CONNECT,
	/* (A7 addition) an open for write seen at the system call (eBPF
	 * AGENT_EV_OPEN_ESCAPE), refused or not: path as given, possibly
	 * relative; access AGENT_ACC_WRITE. Judged like FILE (a relative path
	 * only against the escape files, BW-RT-015). */
	AGENT_DET_OPEN,
};
struct agent_det_in {
	enum agent_det_kind kind;
	uint64_t mntns;          /* the container key */
	pid_t pid, ppid;
	uint32_t uid;
	const char *exe;         /* the process's executable (for EXEC: the new program) */
	const char *args;        /* argv joined by spaces ("" if unknown) */
	const char *parent_exe;  /* "" if unknown */
	bool stdin_socket, stdout_socket; /* EXEC: fd 0 / fd 1 are sockets */
	const char *path;        /* FILE: the file; MOUNT: target; MEMFD: name */
	unsigned access;         /* FILE: AGENT_ACC_* */
	const struct agent_proc_ev *raw; /* the process event when there is one, else NULL */
};
struct agent_det_hit {
	const struct agent_detection *det;
	char detail[256];        /* what triggered it, for the event */
};
struct agent_detect; /* opaque: per-container state (files written, for drift) */
struct agent_detect *agent_detect_new(void);
void agent_detect_free(struct agent_detect *d);
/* A file was written in container mntns (drift: executing it later alerts). */
void agent_detect_note_write(struct agent_detect *d, uint64_t mntns, const char *path);
void agent_detect_forget(struct agent_detect *d, uint64_t mntns); /* container gone */
/* Evaluate; returns the number of hits written to hits (at most max). */
size_t agent_detect_eval(struct agent_detect *d, const struct agent_det_in *in,
			 struct agent_det_hit *hits, size_t max);
/* (A5 additions) Drift bookkeeping: at most AGENT_DETECT_DRIFT_MAX written
 * paths are remembered per container (the oldest is dropped first), for at
 * most AGENT_DETECT_CTR_MAX containers. paths: remembered now; dropped:
 * forgotten because of either cap. */
#define AGENT_DETECT_DRIFT_MAX 4096
#define AGENT_DETECT_CTR_MAX 1024
void agent_detect_stats(const struct agent_detect *d, uint64_t *paths, uint64_t *dropped);
/* (A5 addition) Paths, as seen inside a container, that the sensitive-file
 * and escape detections need FAN_OPEN_PERM marks on (agent_fan_watch with
 * the given recursive flag; missing paths are skipped there): call it for
 * each container once it is marked. The array is static. */
struct agent_detect_watch {
	const char *path;
	bool recursive;
};
const struct agent_detect_watch *agent_detect_watches(size_t *n);

#endif

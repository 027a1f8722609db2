/* src_proc.c - the fallback process event source: the netlink proc connector
 * (NETLINK_CONNECTOR, CN_IDX_PROC). It says that a pid forked, exec'd,
 * exited, changed ids or was ptrace-attached; everything else (comm, ids,
 * parent, mount namespace, cgroup, executable) is read from /proc/PID right
 * away, so it is filled only while the process still exists. No argv, no
 * network, mount, module or memfd events: see docs/agent-sources.md. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "agent/src_int.h"

#define PROC_RCVBUF (4 << 20)     /* socket receive buffer asked for */
#define PROC_RECV_BUF 65536       /* one datagram */
#define PROC_MAX_RECV 4096        /* datagrams per dispatch: the loop stays fair */
#define ID_UNKNOWN UINT32_MAX

struct agent_src_proc {
	int fd;
	pid_t self;
	agent_proc_cb cb;
	void *ctx;
	uint64_t seen, dropped, malformed;
	char cgroup2[256];        /* where cgroup v2 is mounted ("" if nowhere) */
	uint8_t buf[PROC_RECV_BUF] __attribute__((aligned(8)));
};

/* ------------------------------------------------------------------ */
/* Parser: bytes in, agent_proc_ev out. No system calls here.          */

#define EV_DATA_OFF offsetof(struct proc_event, event_data)
#define NEED(member) (EV_DATA_OFF + sizeof(((struct proc_event *)0)->event_data.member))

static const char *what_name(uint32_t what)
{
	switch (what) {
	case PROC_EVENT_FORK: return "fork";
	case PROC_EVENT_EXEC: return "exec";
	case PROC_EVENT_UID: return "uid";
	case PROC_EVENT_GID: return "gid";
	case PROC_EVENT_PTRACE: return "ptrace";
	case PROC_EVENT_EXIT: return "exit";
	default: return "event";
	}
}

/* Fill ev from pe (cn.len bytes of it are valid: checked by the caller
 * against NEED()). Returns false when the event is not reported. */
static bool translate(const struct proc_event *pe, struct agent_proc_ev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = pe->timestamp_ns;
	switch (pe->what) {
	case PROC_EVENT_FORK:
		if (pe->event_data.fork.child_pid != pe->event_data.fork.child_tgid)
			return false; /* a new thread */
		ev->type = AGENT_EV_FORK;
		ev->pid = pe->event_data.fork.child_tgid;
		ev->ppid = pe->event_data.fork.parent_tgid;
		return true;
	case PROC_EVENT_EXEC:
		ev->type = AGENT_EV_EXEC;
		ev->pid = pe->event_data.exec.process_tgid;
		return true;
	case PROC_EVENT_EXIT:
		if (pe->event_data.exit.process_pid != pe->event_data.exit.process_tgid)
			return false; /* a thread */
		ev->type = AGENT_EV_EXIT;
		ev->pid = pe->event_data.exit.process_tgid;
		ev->ppid = pe->event_data.exit.parent_tgid;
		ev->u.exit.code = (int)pe->event_data.exit.exit_code;
		return true;
	case PROC_EVENT_UID:
	case PROC_EVENT_GID:
		ev->type = AGENT_EV_SETID;
		ev->pid = pe->event_data.id.process_tgid;
		ev->u.cred.old_uid = ev->u.cred.old_gid = ID_UNKNOWN;
		ev->u.cred.new_uid = ev->u.cred.new_gid = ID_UNKNOWN;
		if (pe->what == PROC_EVENT_UID)
			ev->u.cred.new_uid = ev->uid = pe->event_data.id.e.euid;
		else
			ev->u.cred.new_gid = ev->gid = pe->event_data.id.e.egid;
		return true;
	case PROC_EVENT_PTRACE:
		if (pe->event_data.ptrace.tracer_pid == 0)
			return false; /* detach */
		ev->type = AGENT_EV_PTRACE;
		ev->pid = pe->event_data.ptrace.tracer_tgid;
		ev->u.ptrace.target = pe->event_data.ptrace.process_pid;
		ev->u.ptrace.request = PTRACE_ATTACH;
		return true;
	default:
		return false;
	}
}

static size_t need_for(uint32_t what)
{
	switch (what) {
	case PROC_EVENT_FORK: return NEED(fork);
	case PROC_EVENT_EXEC: return NEED(exec);
	case PROC_EVENT_EXIT: return NEED(exit);
	case PROC_EVENT_UID:
	case PROC_EVENT_GID: return NEED(id);
	case PROC_EVENT_PTRACE: return NEED(ptrace);
	default: return 0; /* not reported: no payload needed */
	}
}

/* One cn_msg payload of plen bytes at p. */
static enum bw_err parse_cn(const uint8_t *p, size_t plen, size_t off, agent_cn_cb cb, void *ctx,
			    size_t *nevents, struct bw_errbuf *eb)
{
	struct cn_msg cn;
	struct proc_event pe;
	struct agent_proc_ev ev;
	size_t need;

	if (plen < sizeof(cn))
		return bw_fail(eb, BW_ERR_FORMAT,
			       "proc connector: message at offset %zu: %zu bytes, too short for cn_msg",
			       off, plen);
	memcpy(&cn, p, sizeof(cn));
	if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC)
		return BW_OK; /* another connector: not ours */
	if (cn.len > plen - sizeof(cn))
		return bw_fail(eb, BW_ERR_FORMAT,
			       "proc connector: message at offset %zu: cn_msg.len %u exceeds its %zu payload bytes",
			       off, (unsigned)cn.len, plen - sizeof(cn));
	if (cn.len < EV_DATA_OFF)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "proc connector: message at offset %zu: cn_msg.len %u too short for proc_event",
			       off, (unsigned)cn.len);
	memset(&pe, 0, sizeof(pe));
	memcpy(&pe, p + sizeof(cn), cn.len < sizeof(pe) ? cn.len : sizeof(pe));
	need = need_for(pe.what);
	if (need == 0)
		return BW_OK;
	if (cn.len < need)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "proc connector: %s event at offset %zu: %u bytes, needs %zu",
			       what_name(pe.what), off, (unsigned)cn.len, need);
	if (translate(&pe, &ev)) {
		if (nevents)
			(*nevents)++;
		cb(ctx, &ev);
	}
	return BW_OK;
}

enum bw_err agent_cn_parse(const void *buf, size_t len, agent_cn_cb cb, void *ctx,
			   size_t *nevents, struct bw_errbuf *eb)
{
	const uint8_t *p = buf;
	size_t off = 0;
	enum bw_err result;

	while (len - off > 0) {
		struct nlmsghdr nh;
		size_t step;

		if (len - off < sizeof(nh))
			return bw_fail(eb, BW_ERR_FORMAT,
				       "proc connector: %zu trailing bytes at offset %zu, too short for a netlink header",
				       len - off, off);
		memcpy(&nh, p + off, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > len - off)
			return bw_fail(eb, BW_ERR_FORMAT,
				       "proc connector: netlink message at offset %zu: length %u outside [%zu, %zu]",
				       off, (unsigned)nh.nlmsg_len, (size_t)NLMSG_HDRLEN, len - off);
		if (nh.nlmsg_type == NLMSG_ERROR)
			return bw_fail(eb, BW_ERR_IO,
				       "proc connector: netlink error message at offset %zu", off);
		if (nh.nlmsg_type != NLMSG_NOOP && nh.nlmsg_type != NLMSG_OVERRUN) {
			result = parse_cn(p + off + NLMSG_HDRLEN, nh.nlmsg_len - NLMSG_HDRLEN, off, cb,
					  ctx, nevents, eb);
			if (result != BW_OK)
				return result;
		}
		step = NLMSG_ALIGN(nh.nlmsg_len);
		if (step > len - off)
			step = len - off; /* the last message needs no padding */
		off += step;
	}
	return BW_OK;
}

/* ------------------------------------------------------------------ */
/* /proc enrichment                                                    */

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* Value of "Key:\t..." in a /proc status text, NULL if absent. */
static const char *status_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			line += klen + 1;
			while (*line == '\t' || *line == ' ')
				line++;
			return line;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/* The n-th (0-based) whitespace-separated unsigned number of s. */
static bool nth_u32(const char *s, int n, uint32_t *out)
{
	for (int i = 0; s && *s && *s != '\n'; i++) {
		char *end;
		unsigned long v;

		while (*s == ' ' || *s == '\t')
			s++;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (end == s || errno || v > UINT32_MAX)
			return false;
		if (i == n) {
			*out = (uint32_t)v;
			return true;
		}
		s = end;
	}
	return false;
}

static uint64_t path_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* The mount point of cgroup v2 (mounted at its root) from
 * /proc/self/mountinfo: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid
 * hosts. "" when there is none. */
static void find_cgroup2(char *out, size_t outsz)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPEROPTS */
		char *sep = strstr(line, " - "), *fields[5], *save = NULL, *tok;
		int n = 0;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		*sep = 0;
		for (tok = strtok_r(line, " ", &save); tok && n < 5; tok = strtok_r(NULL, " ", &save))
			fields[n++] = tok;
		if (n == 5 && strcmp(fields[3], "/") == 0 && !strchr(fields[4], '\\') &&
		    strlen(fields[4]) < outsz) {
			bw_strlcpy(out, fields[4], outsz);
			break;
		}
	}
	fclose(f);
}

/* cgroup v2 id of pid: the inode of its cgroup directory (the "0::" line
 * of /proc/PID/cgroup under the cgroup2 mount). 0 if unknown. */
static uint64_t pid_cgroup_id(const char *cgroup2, pid_t pid)
{
	char path[64], text[4096], dir[1400];
	char *rel, *nl;

	if (!cgroup2[0])
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_small(path, text, sizeof(text)) <= 0)
		return 0;
	if (strncmp(text, "0::", 3) == 0)
		rel = text + 3;
	else if ((rel = strstr(text, "\n0::")))
		rel += 4;
	else
		return 0;
	nl = strchr(rel, '\n');
	if (nl)
		*nl = 0;
	if (rel[0] != '/' || strstr(rel, "/.."))
		return 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", cgroup2, rel) >= sizeof(dir))
		return 0;
	return path_ino(dir);
}

static void enrich(const struct agent_src_proc *p, struct agent_proc_ev *ev)
{
	char path[64], text[4096];
	const char *v;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)ev->pid);
	if (read_small(path, text, sizeof(text)) < 0)
		return; /* gone already */
	v = status_field(text, "Name");
	if (v) {
		size_t len = strcspn(v, "\n");

		if (len >= sizeof(ev->comm))
			len = sizeof(ev->comm) - 1;
		memcpy(ev->comm, v, len);
		ev->comm[len] = 0;
	}
	if (ev->ppid == 0) {
		uint32_t ppid;

		v = status_field(text, "PPid");
		if (v && nth_u32(v, 0, &ppid))
			ev->ppid = (pid_t)ppid;
	}
	v = status_field(text, "Uid");
	if (v)
		(void)nth_u32(v, 1, &ev->uid);
	v = status_field(text, "Gid");
	if (v)
		(void)nth_u32(v, 1, &ev->gid);
	if (ev->type == AGENT_EV_SETID) {
		if (ev->u.cred.new_uid == ID_UNKNOWN)
			ev->u.cred.new_uid = ev->uid;
		if (ev->u.cred.new_gid == ID_UNKNOWN)
			ev->u.cred.new_gid = ev->gid;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)ev->pid);
	ev->mntns = path_ino(path);
	ev->cgroup_id = pid_cgroup_id(p->cgroup2, ev->pid);
	if (ev->type == AGENT_EV_EXEC) {
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)ev->pid);
		n = readlink(path, ev->filename, sizeof(ev->filename) - 1);
		ev->filename[n > 0 ? n : 0] = 0;
	}
}

/* ------------------------------------------------------------------ */
/* Socket                                                              */

static void on_parsed(void *arg, struct agent_proc_ev *ev)
{
	struct agent_src_proc *p = arg;

	/* the agent's own actions are not reported (as in the eBPF source) */
	if (ev->pid == p->self || (ev->type == AGENT_EV_FORK && ev->ppid == p->self))
		return;
	if (ev->type != AGENT_EV_EXIT)
		enrich(p, ev);
	p->seen++;
	p->cb(p->ctx, ev);
}

/* PROC_CN_MCAST_LISTEN / IGNORE. events != 0: the Linux 6.6+ form (struct
 * proc_input: the op, then a mask of PROC_EVENT_* the kernel filters on
 * before queueing anything to this socket); 0: the classic form (every event). */
static int send_mcast_op_events(int fd, enum proc_cn_mcast_op op, uint32_t events)
{
	uint8_t msg[NLMSG_HDRLEN + sizeof(struct cn_msg) + 2 * sizeof(uint32_t)]
		__attribute__((aligned(4)));
	uint32_t data[2] = { (uint32_t)op, events };
	size_t dlen = events ? 2 * sizeof(uint32_t) : sizeof(uint32_t);
	struct nlmsghdr nh = {
		.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + sizeof(struct cn_msg) + dlen),
		.nlmsg_type = NLMSG_DONE,
		.nlmsg_pid = (uint32_t)getpid(),
	};
	struct cn_msg cn = {
		.id = { .idx = CN_IDX_PROC, .val = CN_VAL_PROC },
		.len = (uint16_t)dlen,
	};
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	memset(msg, 0, sizeof(msg));
	memcpy(msg, &nh, sizeof(nh));
	memcpy(msg + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(msg + NLMSG_HDRLEN + sizeof(cn), data, dlen);
	if (sendto(fd, msg, nh.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

static int send_mcast_op(int fd, enum proc_cn_mcast_op op)
{
	return send_mcast_op_events(fd, op, 0);
}

enum bw_err agent_src_proc_open(agent_proc_cb cb, void *ctx, struct agent_src_proc **out,
				struct bw_errbuf *eb)
{
	return agent_src_proc_open_filtered(cb, ctx, 0, out, eb);
}

enum bw_err agent_src_proc_open_filtered(agent_proc_cb cb, void *ctx, uint32_t events,
					 struct agent_src_proc **out, struct bw_errbuf *eb)
{
	struct agent_src_proc *p;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int size = PROC_RCVBUF, err;
	enum bw_err result;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return bw_fail(eb, BW_ERR_NOMEM, "proc connector: out of memory");
	p->cb = cb;
	p->ctx = ctx;
	p->self = getpid();
	find_cgroup2(p->cgroup2, sizeof(p->cgroup2));
	p->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (p->fd < 0) {
		result = bw_fail(eb, BW_ERR_UNSUPPORTED, "proc connector: netlink socket: %s",
				 strerror(errno));
		goto out_free;
	}
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(p->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		result = bw_fail(eb, errno == EPERM ? BW_ERR_UNSUPPORTED : BW_ERR_IO,
				 "proc connector: bind to CN_IDX_PROC: %s%s", strerror(errno),
				 errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		goto out_close_fd;
	}
	err = send_mcast_op_events(p->fd, PROC_CN_MCAST_LISTEN, events);
	if (err) {
		result = bw_fail(eb, BW_ERR_IO, "proc connector: PROC_CN_MCAST_LISTEN: %s",
				 strerror(-err));
		goto out_close_fd;
	}
	*out = p;
	return BW_OK;

out_close_fd:
	close(p->fd);
out_free:
	free(p);
	return result;
}

int agent_src_proc_fd(const struct agent_src_proc *p)
{
	return p->fd;
}

enum bw_err agent_src_proc_dispatch(struct agent_src_proc *p, struct bw_errbuf *eb)
{
	for (int i = 0; i < PROC_MAX_RECV; i++) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);
		struct bw_errbuf perr = {{0}};
		ssize_t n;

		n = recvfrom(p->fd, p->buf, sizeof(p->buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &fromlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return BW_OK;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* the socket overflowed: at least one event lost */
				p->dropped++;
				continue;
			}
			return bw_fail(eb, BW_ERR_IO, "proc connector: recv: %s", strerror(errno));
		}
		if (fromlen < sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
			continue; /* not from the kernel */
		if (agent_cn_parse(p->buf, (size_t)n, on_parsed, p, NULL, &perr) != BW_OK) {
			p->malformed++;
			p->dropped++;
			bw_log(BW_LOG_DEBUG, "%s", perr.msg);
		}
	}
	return BW_OK;
}

void agent_src_proc_stats(const struct agent_src_proc *p, uint64_t *seen, uint64_t *dropped)
{
	if (seen)
		*seen = p->seen;
	if (dropped)
		*dropped = p->dropped;
}

void agent_src_proc_free(struct agent_src_proc *p)
{
	if (!p)
		return;
	(void)send_mcast_op(p->fd, PROC_CN_MCAST_IGNORE);
	close(p->fd);
	free(p);
}

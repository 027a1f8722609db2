/* detect.c - the built-in runtime detections (docs/agent-detections.md).
 *
 * Every detection is a row of a table: the detection itself (id, name,
 * severity, ATT&CK technique) in `detections`, and what triggers it in the
 * rule tables below (program names, path prefixes, path globs, mount
 * sources). agent_detect_eval() walks the tables for one event and reports
 * every detection that matches; it never blocks anything.
 *
 * The only state is per container (keyed by mount namespace): the set of
 * files written since the container started (drift), bounded to
 * AGENT_DETECT_DRIFT_MAX paths with the oldest dropped first, and a short
 * ring of processes that called memfd_create (memfd exec).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "agent/agent_int.h"

/* ------------------------------------------------------------------ */
/* The detections                                                     */

enum det_index {
	DET_SHELL,
	DET_NETTOOL,
	DET_REVSHELL,
	DET_WRITE_ETC,
	DET_WRITE_BIN,
	DET_READ_SHADOW,
	DET_READ_SSHKEY,
	DET_READ_CLOUD,
	DET_PKGMGR,
	DET_DRIFT,
	DET_EXEC_TMP,
	DET_EXEC_MEMFD,
	DET_PTRACE,
	DET_SETID,
	DET_ESCAPE_WRITE,
	DET_ESCAPE_MOUNT,
	DET_MODULE,
	DET_COUNT,
};

static const struct agent_detection detections[DET_COUNT] = {
	[DET_SHELL] = {"BW-RT-001", "shell started in a container", "medium",
		       "T1059.004", "Command and Scripting Interpreter: Unix Shell"},
	[DET_NETTOOL] = {"BW-RT-002", "network tool started in a container", "medium",
			 "T1105", "Ingress Tool Transfer"},
	[DET_REVSHELL] = {"BW-RT-003", "reverse shell", "critical",
			  "T1059.004", "Command and Scripting Interpreter: Unix Shell"},
	[DET_WRITE_ETC] = {"BW-RT-004", "write below /etc", "high",
			   "T1098", "Account Manipulation"},
	[DET_WRITE_BIN] = {"BW-RT-005", "write below a binary or library directory", "high",
			   "T1554", "Compromise Host Software Binary"},
	[DET_READ_SHADOW] = {"BW-RT-006", "read of a password or sudoers file", "high",
			     "T1003.008", "OS Credential Dumping: /etc/passwd and /etc/shadow"},
	[DET_READ_SSHKEY] = {"BW-RT-007", "read of an SSH private key", "high",
			     "T1552.004", "Unsecured Credentials: Private Keys"},
	[DET_READ_CLOUD] = {"BW-RT-008", "read of cloud or Kubernetes credentials", "high",
			    "T1552.001", "Unsecured Credentials: Credentials In Files"},
	[DET_PKGMGR] = {"BW-RT-009", "package manager run in a container", "medium",
			"T1546.016", "Event Triggered Execution: Installer Packages"},
	[DET_DRIFT] = {"BW-RT-010", "binary written in the container then executed (drift)", "high",
		       "T1105", "Ingress Tool Transfer"},
	[DET_EXEC_TMP] = {"BW-RT-011", "execution from /tmp, /var/tmp or /dev/shm", "high",
			  "T1204.002", "User Execution: Malicious File"},
	[DET_EXEC_MEMFD] = {"BW-RT-012", "execution from a memfd (fileless)", "critical",
			    "T1620", "Reflective Code Loading"},
	[DET_PTRACE] = {"BW-RT-013", "ptrace attach", "high",
			"T1055.008", "Process Injection: Ptrace System Calls"},
	[DET_SETID] = {"BW-RT-014", "setuid/setgid privilege change", "high",
		       "T1548.001", "Abuse Elevation Control Mechanism: Setuid and Setgid"},
	[DET_ESCAPE_WRITE] = {"BW-RT-015", "container escape: write to a host kernel interface",
			      "critical", "T1611", "Escape to Host"},
	[DET_ESCAPE_MOUNT] = {"BW-RT-016", "container escape: mount of a host device, cgroupfs or procfs",
			      "critical", "T1611", "Escape to Host"},
	[DET_MODULE] = {"BW-RT-017", "kernel module load", "critical",
			"T1547.006", "Boot or Logon Autostart Execution: Kernel Modules and Extensions"},
};

const struct agent_detection *agent_detections(size_t *n)
{
	if (n)
		*n = DET_COUNT;
	return detections;
}

const struct agent_detection *agent_detection_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < DET_COUNT; i++)
		if (strcmp(detections[i].id, id) == 0)
			return &detections[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Rule tables                                                        */

static const char *const shells[] = {
	"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", NULL,
};

static const char *const net_tools[] = {
	"nc", "ncat", "netcat", "socat", "curl", "wget", "nmap", "telnet",
	"ssh", "scp", "sftp", "tcpdump", NULL,
};

/* Interpreters whose first operand is the program really being run
 * ("python3 /usr/bin/pip install", "python3 -m pip install", "node npm"). */
static const char *const interpreters[] = {
	"python", "python2", "python3", "node", "nodejs", "ruby", "perl", NULL,
};

/* Package managers. subcmds NULL: every run alerts (an OS package manager
 * has no business running in an immutable container, even "dpkg
 * --version"). Language package managers also start applications ("npm
 * start", "pip list" in health checks), so for them only the subcommands
 * that change what is installed alert. */
static const char *const pip_install[] = {"install", "download", "uninstall", "wheel", NULL};
static const char *const npm_install[] = {"install", "i", "add", "ci", "update", "upgrade",
					  "uninstall", "remove", "rm", "un", "link", NULL};
static const char *const gem_install[] = {"install", "update", "uninstall", NULL};

static const struct pkg_mgr {
	const char *name;
	const char *const *subcmds;
} pkg_mgrs[] = {
	{"apt", NULL},      {"apt-get", NULL}, {"aptitude", NULL}, {"dpkg", NULL},
	{"apk", NULL},      {"yum", NULL},     {"dnf", NULL},      {"rpm", NULL},
	{"microdnf", NULL}, {"zypper", NULL},  {"pip", pip_install}, {"pip3", pip_install},
	{"npm", npm_install}, {"npm-cli.js", npm_install}, {"yarn", npm_install},
	{"gem", gem_install}, {NULL, NULL},
};

/* Writes below these directories (the path itself or anything under it). */
static const struct dir_rule {
	const char *dir;
	enum det_index det;
} write_dirs[] = {
	{"/etc", DET_WRITE_ETC},
	{"/bin", DET_WRITE_BIN},      {"/sbin", DET_WRITE_BIN},
	{"/usr/bin", DET_WRITE_BIN},  {"/usr/sbin", DET_WRITE_BIN},
	{"/lib", DET_WRITE_BIN},      {"/lib32", DET_WRITE_BIN},
	{"/lib64", DET_WRITE_BIN},    {"/usr/lib", DET_WRITE_BIN},
	{"/usr/lib32", DET_WRITE_BIN}, {"/usr/lib64", DET_WRITE_BIN},
	{NULL, DET_COUNT},
};

/* Executables below these directories are "run from a temp dir". */
static const char *const tmp_dirs[] = {"/tmp", "/var/tmp", "/dev/shm", "/run/shm", NULL};

/* Path globs (bw_path_match on the path without its leading '/').
 * access: the AGENT_ACC_* bits that trigger; skip_suffix: names ending so
 * are not matches (public keys). */
static const struct glob_rule {
	const char *glob;
	unsigned access;
	const char *skip_suffix;
	enum det_index det;
} path_rules[] = {
	{"etc/shadow", AGENT_ACC_READ, NULL, DET_READ_SHADOW},
	{"etc/gshadow", AGENT_ACC_READ, NULL, DET_READ_SHADOW},
	{"etc/shadow-", AGENT_ACC_READ, NULL, DET_READ_SHADOW},
	{"etc/sudoers", AGENT_ACC_READ, NULL, DET_READ_SHADOW},
	{"etc/sudoers.d/*", AGENT_ACC_READ, NULL, DET_READ_SHADOW},
	{"**/.ssh/id_*", AGENT_ACC_READ, ".pub", DET_READ_SSHKEY},
	{"etc/ssh/ssh_host_*_key", AGENT_ACC_READ, NULL, DET_READ_SSHKEY},
	{"**/.aws/credentials", AGENT_ACC_READ, NULL, DET_READ_CLOUD},
	{"**/.config/gcloud/**/*", AGENT_ACC_READ, NULL, DET_READ_CLOUD},
	{"**/.azure/**/*", AGENT_ACC_READ, NULL, DET_READ_CLOUD},
	{"run/secrets/kubernetes.io/serviceaccount/**/token", AGENT_ACC_READ, NULL, DET_READ_CLOUD},
	{"var/run/secrets/kubernetes.io/serviceaccount/**/token", AGENT_ACC_READ, NULL,
	 DET_READ_CLOUD},
	{NULL, 0, NULL, DET_COUNT},
};

/* Escape (BW-RT-015): writes to these kernel interface files. Matched on the
 * path's trailing components (escape_match), so a host /proc mounted
 * elsewhere (/host/proc/sys/kernel/core_pattern) and a relative path as the
 * eBPF source reports it ("core_pattern" opened from /proc/sys/kernel) count:
 * the cgroup v1 release agent (wherever the hierarchy is mounted), the core
 * dump and module helpers, sysrq, the uevent helper. */
static const char *const escape_tails[] = {
	"release_agent", "notify_on_release", "proc/sys/kernel/core_pattern",
	"proc/sys/kernel/modprobe", "proc/sysrq-trigger", "sys/kernel/uevent_helper", NULL,
};

static const struct agent_detect_watch watches[] = {
	{"/etc/shadow", false},       {"/etc/gshadow", false},
	{"/etc/sudoers", false},      {"/etc/sudoers.d", false},
	{"/etc/ssh", false},          {"/root/.ssh", false},
	{"/home", true},              {"/root/.aws", false},
	{"/root/.config/gcloud", true}, {"/root/.azure", true},
	{"/run/secrets/kubernetes.io/serviceaccount", true},
	{"/var/run/secrets/kubernetes.io/serviceaccount", true},
	{"/proc/sys/kernel/core_pattern", false}, {"/proc/sys/kernel/modprobe", false},
	{"/proc/sysrq-trigger", false}, {"/sys/kernel/uevent_helper", false},
	/* Not /sys/fs/cgroup: a cgroup v1 hierarchy has one superblock for the
	 * whole host, so an inode mark there would make host processes (systemd,
	 * the kubelet, the runtime) wait on the agent. Writes to release_agent
	 * and notify_on_release are caught by the eBPF open-for-write check. */
};

const struct agent_detect_watch *agent_detect_watches(size_t *n)
{
	if (n)
		*n = sizeof(watches) / sizeof(watches[0]);
	return watches;
}

/* Mounts: file system types that expose host or kernel control files, and
 * device names (below /dev/) of block devices. */
static const char *const escape_fstypes[] = {"cgroup", "cgroup2", "proc", "debugfs",
					     "securityfs", NULL};
static const char *const block_devs[] = {"sd", "vd", "xvd", "hd", "nvme", "mmcblk", "dm-",
					 "md", "loop", "mapper/", "disk/", "root", NULL};

/* ------------------------------------------------------------------ */
/* Per-container state                                                */

#define DRIFT_BUCKETS 1024u /* power of two */
#define MEMFD_RING 64u

struct drift_ent {
	char *path;      /* NULL: free slot */
	uint64_t hash;
	uint32_t next;   /* chain in the bucket: index + 1, 0 ends */
};

struct det_ctr {
	uint64_t mntns;
	struct drift_ent *ring;  /* AGENT_DETECT_DRIFT_MAX slots, allocated at first write */
	uint32_t buckets[DRIFT_BUCKETS]; /* index + 1 of the chain head, 0 empty */
	uint32_t head;           /* next slot to (re)use */
	uint32_t count;
};

struct memfd_note {
	uint64_t mntns;
	pid_t pid;
	char name[64];
};

struct agent_detect {
	struct det_ctr **ctrs;
	size_t nctrs;
	uint64_t paths;
	uint64_t dropped;
	struct memfd_note memfd[MEMFD_RING];
	unsigned memfd_next;
};

struct agent_detect *agent_detect_new(void)
{
	return bw_calloc(1, sizeof(struct agent_detect));
}

static void ctr_free(struct det_ctr *c)
{
	if (!c)
		return;
	if (c->ring)
		for (uint32_t i = 0; i < AGENT_DETECT_DRIFT_MAX; i++)
			free(c->ring[i].path);
	free(c->ring);
	free(c);
}

void agent_detect_free(struct agent_detect *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nctrs; i++)
		ctr_free(d->ctrs[i]);
	free(d->ctrs);
	free(d);
}

static struct det_ctr *ctr_find(const struct agent_detect *d, uint64_t mntns)
{
	for (size_t i = 0; i < d->nctrs; i++)
		if (d->ctrs[i]->mntns == mntns)
			return d->ctrs[i];
	return NULL;
}

static struct det_ctr *ctr_get(struct agent_detect *d, uint64_t mntns)
{
	struct det_ctr *c = ctr_find(d, mntns);

	if (c)
		return c;
	if (d->nctrs >= AGENT_DETECT_CTR_MAX)
		return NULL;
	c = bw_calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ring = bw_calloc(AGENT_DETECT_DRIFT_MAX, sizeof(*c->ring));
	if (!c->ring)
		goto out_free_ctr;
	struct det_ctr **n = bw_reallocarray(d->ctrs, d->nctrs + 1, sizeof(*n));
	if (!n)
		goto out_free_ctr;
	d->ctrs = n;
	c->mntns = mntns;
	d->ctrs[d->nctrs++] = c;
	return c;

out_free_ctr:
	ctr_free(c);
	return NULL;
}

/* FNV-1a, 64 bit */
static uint64_t path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static bool drift_has(const struct det_ctr *c, const char *path)
{
	uint64_t h = path_hash(path);

	for (uint32_t i = c->buckets[h & (DRIFT_BUCKETS - 1)]; i; i = c->ring[i - 1].next) {
		const struct drift_ent *e = &c->ring[i - 1];

		if (e->hash == h && strcmp(e->path, path) == 0)
			return true;
	}
	return false;
}

/* Unlink slot from its bucket chain and free its path. */
static void drift_evict(struct det_ctr *c, uint32_t slot)
{
	struct drift_ent *e = &c->ring[slot];
	uint32_t *link = &c->buckets[e->hash & (DRIFT_BUCKETS - 1)];

	while (*link && *link != slot + 1)
		link = &c->ring[*link - 1].next;
	if (*link) /* cannot fail: every used slot is in its chain */
		*link = e->next;
	free(e->path);
	e->path = NULL;
	e->next = 0;
	c->count--;
}

void agent_detect_note_write(struct agent_detect *d, uint64_t mntns, const char *path)
{
	if (!d || mntns == 0 || !path || path[0] != '/')
		return;
	struct det_ctr *c = ctr_get(d, mntns);
	if (!c) {
		d->dropped++;
		return;
	}
	if (drift_has(c, path))
		return;
	char *copy = bw_strdup(path);
	if (!copy) {
		d->dropped++;
		return;
	}
	uint32_t slot = c->head;
	if (c->ring[slot].path) {
		drift_evict(c, slot);
		d->paths--;
		d->dropped++;
	}
	struct drift_ent *e = &c->ring[slot];
	e->path = copy;
	e->hash = path_hash(path);
	uint32_t *bucket = &c->buckets[e->hash & (DRIFT_BUCKETS - 1)];
	e->next = *bucket;
	*bucket = slot + 1;
	c->head = (slot + 1) % AGENT_DETECT_DRIFT_MAX;
	c->count++;
	d->paths++;
}

void agent_detect_forget(struct agent_detect *d, uint64_t mntns)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nctrs; i++) {
		if (d->ctrs[i]->mntns != mntns)
			continue;
		d->paths -= d->ctrs[i]->count;
		ctr_free(d->ctrs[i]);
		d->ctrs[i] = d->ctrs[--d->nctrs];
		break;
	}
	for (unsigned i = 0; i < MEMFD_RING; i++)
		if (d->memfd[i].mntns == mntns)
			memset(&d->memfd[i], 0, sizeof(d->memfd[i]));
}

void agent_detect_stats(const struct agent_detect *d, uint64_t *paths, uint64_t *dropped)
{
	if (paths)
		*paths = d ? d->paths : 0;
	if (dropped)
		*dropped = d ? d->dropped : 0;
}

/* ------------------------------------------------------------------ */
/* Matching helpers                                                   */

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* p is dir itself or below it ("/etc" covers "/etc/x", not "/etcfoo"). */
static bool below(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

#define MAX_TOKENS 16

/* argv (joined by spaces) split into tokens, in a private copy */
struct argv_view {
	char buf[AGENT_ARGS_LEN];
	const char *tok[MAX_TOKENS];
	int n;
};

static void argv_split(struct argv_view *v, const char *args)
{
	char *save = NULL;

	v->n = 0;
	bw_strlcpy(v->buf, args ? args : "", sizeof(v->buf));
	for (char *t = strtok_r(v->buf, " ", &save); t && v->n < MAX_TOKENS;
	     t = strtok_r(NULL, " ", &save))
		v->tok[v->n++] = t;
}

/* The command a process runs: the executable's name, the applet of a
 * busybox multi-call binary (argv[0], or argv[1] after "busybox"), or the
 * script/module an interpreter runs ("python3 -m pip", "node .../npm").
 * *argi is set to the index of the first argument after the command. */
static const char *prog_name(const char *exe, const struct argv_view *v, int *argi)
{
	const char *name = base_name(exe);
	int i = 1;

	if (strcmp(name, "busybox") == 0 && v->n > 0) {
		name = base_name(v->tok[0]);
		if (strcmp(name, "busybox") == 0 && v->n > 1) {
			name = base_name(v->tok[1]);
			i = 2;
		}
	} else if (in_list(interpreters, name) || bw_str_starts_with(name, "python3.")) {
		for (; i < v->n; i++) {
			const char *t = v->tok[i];

			if (strcmp(t, "-m") == 0 && i + 1 < v->n) {
				name = v->tok[i + 1];
				i += 2;
				break;
			}
			if (t[0] != '-') {
				name = base_name(t);
				i++;
				break;
			}
		}
	} else if (v->n > 1 && strcmp(base_name(v->tok[1]), name) == 0) {
		i = 2; /* "python3 /usr/bin/pip install": argv of the interpreter */
	}
	*argi = i;
	return name;
}

/* The first argument from index i that is not an option. */
static const char *first_operand(const struct argv_view *v, int i)
{
	for (; i < v->n; i++)
		if (v->tok[i][0] != '-')
			return v->tok[i];
	return NULL;
}

static const struct pkg_mgr *pkg_find(const char *name)
{
	for (const struct pkg_mgr *p = pkg_mgrs; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct hits {
	struct agent_det_hit *out;
	size_t max, n;
};

static void hit(struct hits *h, enum det_index det, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void hit(struct hits *h, enum det_index det, const char *fmt, ...)
{
	va_list ap;

	for (size_t i = 0; i < h->n; i++)
		if (h->out[i].det == &detections[det])
			return; /* one hit per detection and event */
	if (h->n >= h->max)
		return;
	struct agent_det_hit *o = &h->out[h->n++];
	o->det = &detections[det];
	va_start(ap, fmt);
	vsnprintf(o->detail, sizeof(o->detail), fmt, ap);
	va_end(ap);
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "an unknown process";
}

/* ------------------------------------------------------------------ */
/* Evaluation by event kind                                           */

static bool memfd_noted(const struct agent_detect *d, uint64_t mntns, pid_t pid,
			const char **name)
{
	for (unsigned i = 0; i < MEMFD_RING; i++) {
		const struct memfd_note *m = &d->memfd[i];

		if (m->pid == pid && m->pid != 0 && m->mntns == mntns) {
			*name = m->name;
			return true;
		}
	}
	return false;
}

/* An exec through a file descriptor (fexecve, execveat AT_EMPTY_PATH) */
static bool exec_by_fd(const char *exe)
{
	return exe[0] == '\0' || bw_str_starts_with(exe, "/dev/fd/") ||
	       bw_str_starts_with(exe, "/proc/self/fd/") ||
	       (bw_str_starts_with(exe, "/proc/") && strstr(exe, "/fd/"));
}

static void eval_exec(struct agent_detect *d, const struct agent_det_in *in, struct hits *h)
{
	const char *exe = in->exe ? in->exe : "";
	const char *parent = or_unknown(in->parent_exe);
	struct argv_view v;
	int argi;

	argv_split(&v, in->args);
	const char *name = prog_name(exe, &v, &argi);

	if (in_list(shells, name)) {
		hit(h, DET_SHELL, "%s (%s) run by %s", exe, name, parent);
		if (in->stdin_socket || in->stdout_socket)
			hit(h, DET_REVSHELL, "%s with %s on a socket, run by %s", exe,
			    in->stdin_socket && in->stdout_socket ? "stdin and stdout"
			    : in->stdin_socket ? "stdin" : "stdout", parent);
	}
	if (in_list(net_tools, name))
		hit(h, DET_NETTOOL, "%s (%s) run by %s", exe, name, parent);

	const struct pkg_mgr *pm = pkg_find(name);
	if (pm) {
		const char *sub = first_operand(&v, argi);
		/* children of a package manager (apt-get running dpkg) are part
		 * of the run already reported */
		bool child = in->parent_exe && pkg_find(base_name(in->parent_exe));

		if (!child && (!pm->subcmds || (sub && in_list(pm->subcmds, sub))))
			hit(h, DET_PKGMGR, "%s (%s%s%s) run by %s", exe, name, sub ? " " : "",
			    sub ? sub : "", parent);
	}

	struct det_ctr *c = ctr_find(d, in->mntns);
	if (c && exe[0] && drift_has(c, exe))
		hit(h, DET_DRIFT, "%s was written in the container, then run by %s", exe, parent);

	for (const char *const *t = tmp_dirs; *t; t++)
		if (below(exe, *t) && strcmp(exe, *t) != 0)
			hit(h, DET_EXEC_TMP, "%s run from %s by %s", exe, *t, parent);

	const char *mname = NULL;
	if (bw_str_starts_with(exe, "/memfd:"))
		hit(h, DET_EXEC_MEMFD, "%s run by %s", exe, parent);
	else if (exec_by_fd(exe) && memfd_noted(d, in->mntns, in->pid, &mname))
		hit(h, DET_EXEC_MEMFD, "memfd \"%s\" executed through %s by pid %d", mname,
		    exe[0] ? exe : "a file descriptor", (int)in->pid);
}

#define ESC_MAX_COMPONENTS 64

/* p (a path, absolute or relative) names the file tail names: after
 * dropping empty and "." components and everything up to the last "..",
 * the remaining components end with all of tail's; or, when p was relative
 * or went up with "..", they are the last components of tail (the
 * directory they are relative to is not known). */
static bool escape_match(const char *p, const char *tail)
{
	const char *comp[ESC_MAX_COMPONENTS];
	size_t clen[ESC_MAX_COMPONENTS], n = 0, tn = 0;
	const char *tcomp[8];
	size_t tlen[8];
	bool loose = p[0] != '/';

	for (const char *s = p; *s;) {
		size_t len = strcspn(s, "/");

		if (len == 2 && s[0] == '.' && s[1] == '.') {
			n = 0;
			loose = true;
		} else if (len > 0 && !(len == 1 && s[0] == '.')) {
			if (n == ESC_MAX_COMPONENTS)
				return false;
			comp[n] = s;
			clen[n++] = len;
		}
		s += len;
		while (*s == '/')
			s++;
	}
	for (const char *s = tail; *s && tn < 8;) {
		size_t len = strcspn(s, "/");

		tcomp[tn] = s;
		tlen[tn++] = len;
		s += len;
		while (*s == '/')
			s++;
	}
	if (n == 0 || tn == 0 || (n < tn && !loose))
		return false;
	for (size_t i = 1; i <= tn && i <= n; i++)
		if (clen[n - i] != tlen[tn - i] || memcmp(comp[n - i], tcomp[tn - i], tlen[tn - i]))
			return false;
	return true;
}

static void eval_file(const struct agent_det_in *in, struct hits *h)
{
	const char *path = in->path;
	const char *exe = or_unknown(in->exe);

	if (!path || !path[0])
		return;
	if (in->access & AGENT_ACC_WRITE)
		for (const char *const *t = escape_tails; *t; t++)
			if (escape_match(path, *t)) {
				hit(h, DET_ESCAPE_WRITE, "%s %s by %s", path,
				    in->kind == AGENT_DET_OPEN ? "opened for writing" : "written", exe);
				break;
			}
	/* an open attempt is judged for escapes only (the write itself, if
	 * it happens, comes as FILE); and so is a relative path */
	if (in->kind == AGENT_DET_OPEN || path[0] != '/')
		return;
	if (in->access & AGENT_ACC_WRITE)
		for (const struct dir_rule *r = write_dirs; r->dir; r++)
			if (below(path, r->dir))
				hit(h, r->det, "%s written by %s", path, exe);
	for (const struct glob_rule *r = path_rules; r->glob; r++) {
		if (!(in->access & r->access) || !bw_path_match(r->glob, path + 1))
			continue;
		if (r->skip_suffix && bw_str_ends_with(path, r->skip_suffix))
			continue;
		hit(h, r->det, "%s %s by %s", path, r->access & AGENT_ACC_WRITE ? "written" : "read",
		    exe);
	}
}

static bool block_device(const char *src)
{
	if (!bw_str_starts_with(src, "/dev/"))
		return false;
	for (const char *const *b = block_devs; *b; b++)
		if (bw_str_starts_with(src + 5, *b))
			return true;
	return false;
}

static void eval_mount(const struct agent_det_in *in, struct hits *h)
{
	const char *exe = or_unknown(in->exe);
	const char *target = in->path && *in->path ? in->path : "?";

	if (!in->raw)
		return;
	const char *src = in->raw->u.mount.source;
	const char *fstype = in->raw->u.mount.fstype;
	/* bounded copies: the event's arrays may lack a terminator */
	char s[sizeof(in->raw->u.mount.source)], t[sizeof(in->raw->u.mount.fstype)];
	bw_strlcpy(s, src, sizeof(s));
	bw_strlcpy(t, fstype, sizeof(t));

	if (in_list(escape_fstypes, t))
		hit(h, DET_ESCAPE_MOUNT, "mount of %s (%s) on %s by %s", t, s[0] ? s : "none",
		    target, exe);
	else if (block_device(s))
		hit(h, DET_ESCAPE_MOUNT, "mount of device %s%s%s on %s by %s", s, t[0] ? " as " : "",
		    t, target, exe);
}

static void eval_setid(const struct agent_det_in *in, struct hits *h)
{
	if (!in->raw)
		return;
	uint32_t ou = in->raw->u.cred.old_uid, nu = in->raw->u.cred.new_uid;
	uint32_t og = in->raw->u.cred.old_gid, ng = in->raw->u.cred.new_gid;
	const char *exe = or_unknown(in->exe);

	/* Root dropping privileges (servers switching to their user) is the
	 * normal case; a process that was not root taking another identity
	 * (root, through a setuid binary or a capability, or another user) is
	 * not. */
	if (ou != 0 && nu != ou)
		hit(h, DET_SETID, "uid %u -> %u by %s (pid %d)", ou, nu, exe, (int)in->pid);
	else if (ou != 0 && ng != og)
		hit(h, DET_SETID, "gid %u -> %u by %s (pid %d)", og, ng, exe, (int)in->pid);
}

static void eval_ptrace(const struct agent_det_in *in, struct hits *h)
{
	long req = in->raw ? in->raw->u.ptrace.request : PTRACE_ATTACH;
	pid_t target = in->raw ? in->raw->u.ptrace.target : 0;

	if (req != PTRACE_ATTACH && req != PTRACE_SEIZE)
		return;
	hit(h, DET_PTRACE, "%s (pid %d) %s pid %d", or_unknown(in->exe), (int)in->pid,
	    req == PTRACE_SEIZE ? "seized" : "attached to", (int)target);
}

static void eval_memfd(struct agent_detect *d, const struct agent_det_in *in)
{
	struct memfd_note *m = &d->memfd[d->memfd_next];

	d->memfd_next = (d->memfd_next + 1) % MEMFD_RING;
	m->mntns = in->mntns;
	m->pid = in->pid;
	bw_strlcpy(m->name, in->path ? in->path : "", sizeof(m->name));
}

static void eval_connect(const struct agent_det_in *in, struct hits *h)
{
	struct argv_view v;
	int argi;
	const char *exe = in->exe ? in->exe : "";

	argv_split(&v, in->args);
	const char *name = prog_name(exe, &v, &argi);
	/* a shell opening a connection itself: bash's /dev/tcp */
	if (in_list(shells, name))
		hit(h, DET_REVSHELL, "%s (%s) opened a network connection", exe, name);
}

size_t agent_detect_eval(struct agent_detect *d, const struct agent_det_in *in,
			 struct agent_det_hit *hits, size_t max)
{
	struct hits h = {.out = hits, .max = max, .n = 0};

	if (!d || !in || !hits || max == 0)
		return 0;
	switch (in->kind) {
	case AGENT_DET_EXEC:
		eval_exec(d, in, &h);
		break;
	case AGENT_DET_FILE:
	case AGENT_DET_OPEN:
		eval_file(in, &h);
		break;
	case AGENT_DET_PTRACE:
		eval_ptrace(in, &h);
		break;
	case AGENT_DET_SETID:
		eval_setid(in, &h);
		break;
	case AGENT_DET_MODULE:
		hit(&h, DET_MODULE, "kernel module load by %s (pid %d)", or_unknown(in->exe),
		    (int)in->pid);
		break;
	case AGENT_DET_MOUNT:
		eval_mount(in, &h);
		break;
	case AGENT_DET_MEMFD:
		eval_memfd(d, in);
		break;
	case AGENT_DET_CONNECT:
		eval_connect(in, &h);
		break;
	}
	return h.n;
}

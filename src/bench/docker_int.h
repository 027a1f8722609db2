/* docker_int.h - private interface of the CIS Docker benchmark.
 *
 * Data collection (the running dockerd's command line merged with
 * daemon.json, systemd units, file modes, audit rules, the Engine API) is
 * separate from the checks, which read only struct dk_ctx. Tests and fuzz
 * targets include this header; other modules include bench.h only.
 */
#ifndef BW_BENCH_DOCKER_INT_H
#define BW_BENCH_DOCKER_INT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "bench.h"

struct json_t;

/* ---- daemon configuration: command line + daemon.json ------------------- */

enum dk_src {
	DK_SRC_NONE,    /* not set anywhere: the default applies */
	DK_SRC_FLAG,    /* dockerd command line */
	DK_SRC_FILE,    /* daemon.json */
};

struct dk_conf {
	struct bw_strv args;     /* dockerd arguments, argv[1..] */
	char *args_from;         /* "/proc/123/cmdline", "ExecStart in FILE", ... */
	struct json_t *json;     /* daemon.json top-level object, or NULL */
	char *json_path;         /* the daemon.json path that applies */
	char *json_error;        /* why daemon.json could not be used (NULL: ok
				  * or absent) */
	bool json_absent;        /* daemon.json does not exist */
};

/* One resolved setting. vals holds every value (multi-valued options such
 * as insecure-registries collect all; single ones keep the last). */
struct dk_value {
	struct bw_strv vals;
	enum dk_src src;
	char where[320];         /* "--icc=false in /proc/1/cmdline" */
};

void dk_conf_init(struct dk_conf *c);
void dk_conf_release(struct dk_conf *c);

/* Split a NUL-separated command line (/proc/PID/cmdline) into c->args,
 * skipping argv[0]. At most 4096 arguments of 64 KiB total. */
enum bw_err dk_conf_set_cmdline(struct dk_conf *c, const char *data, size_t n, const char *from,
				struct bw_errbuf *eb);
/* Parse daemon.json bytes (must be a JSON object; at most 1 MiB). On a
 * format error, c->json_error is set and BW_ERR_FORMAT returned. */
enum bw_err dk_conf_set_json(struct dk_conf *c, const char *data, size_t n, const char *path,
			     struct bw_errbuf *eb);

/* The value of --FLAG (aliases: short, e.g. "H" for host; may be NULL) or
 * daemon.json KEY. Precedence: command line, then daemon.json, then unset
 * (src DK_SRC_NONE). Boolean flags given bare ("--icc") read "true".
 * Values of JSON arrays are collected; objects give "key=value" items
 * (default-ulimits give "nofile=1024:2048"). Release out with
 * dk_value_release. */
enum bw_err dk_conf_get(const struct dk_conf *c, const char *flag, const char *shortf,
			const char *key, struct dk_value *out);
void dk_value_release(struct dk_value *v);
/* Last value, or NULL when unset. */
const char *dk_value_last(const struct dk_value *v);
/* Boolean value: true/false when set and parseable; dflt when unset. *bad
 * is set when a value is present but not a boolean. */
bool dk_value_bool(const struct dk_value *v, bool dflt, bool *bad);

/* ---- systemd units ---------------------------------------------------------- */

struct dk_unit {
	char *path;              /* host path of the unit file (without root), NULL: none */
	bool masked;             /* symlink to /dev/null */
	struct bw_strv dropins;  /* host paths of NAME.d/ *.conf, in load order */
};

/* Find NAME (e.g. "docker.service") below root ("" for the live host) the
 * way systemd does: the first directory of the search path holding the
 * file wins; drop-ins are gathered from every directory, a file name in an
 * earlier directory hiding the same name in later ones, sorted by name. */
enum bw_err dk_unit_find(const char *root, const char *name, struct dk_unit *u,
			 struct bw_errbuf *eb);
void dk_unit_release(struct dk_unit *u);
/* The effective value of KEY= in [Section] of the unit and its drop-ins
 * (last assignment wins, an empty assignment resets). Multi-line values
 * with trailing backslash are joined. NULL when unset; caller frees. */
char *dk_unit_get(const char *root, const struct dk_unit *u, const char *section,
		  const char *key);
/* Split an ExecStart= value into arguments (quotes honoured, systemd
 * prefixes "-@:+!" dropped). Returns the NUL-separated form in out. */
enum bw_err dk_exec_split(const char *line, struct bw_buf *out);

extern const char *const dk_unit_dirs[];

/* ---- files ------------------------------------------------------------------- */

/* Result of a mode/owner check on one file. */
struct dk_file {
	char path[4096];         /* host path as shown to the user */
	bool exists;
	int err;                 /* errno of a failed stat other than ENOENT */
	struct stat st;
};

/* lstat-free stat of root+path (follows symlinks, like systemd and the
 * daemon do). */
void dk_file_stat(const char *root, const char *path, struct dk_file *f);
/* true when mode has no permission bit outside allowed (e.g. 0644). */
bool dk_mode_ok(mode_t mode, mode_t allowed);

/* ---- audit rules ------------------------------------------------------------- */

struct dk_audit {
	bool loaded;             /* rules were read */
	bool live;               /* from `auditctl -l` (active rules) */
	bool daemon_running;     /* auditd seen in /proc */
	char *source;            /* "auditctl -l", "/etc/audit/rules.d/x.rules, ..." */
	char *error;             /* why nothing could be read */
	struct bw_strv lines;    /* rule lines, comments removed */
};

void dk_audit_release(struct dk_audit *a);
/* Parse rules text (auditctl -l output or a rules file) into a->lines. */
enum bw_err dk_audit_add_text(struct dk_audit *a, const char *text, size_t n);
/* The rule line that watches path ("-w PATH" or "-F path=PATH" /
 * "-F dir=PATH", compared as whole tokens), or NULL. */
const char *dk_audit_find(const struct dk_audit *a, const char *path);

/* ---- the collected host state ------------------------------------------------- */

struct dk_group {
	bool found;
	gid_t gid;
	char *members;           /* comma-separated, as in /etc/group */
};

struct dk_ctx {
	const struct bench_docker_opts *o;
	const char *root;        /* "" when live */
	bool offline;            /* --root given */
	char proc[256];

	/* the daemon process */
	pid_t pid;               /* 0: no running dockerd found */
	uid_t uid;
	bool rootless;
	char *exe;               /* /proc/PID/exe target */
	char *daemon_note;       /* how the daemon was found or why not */
	struct dk_conf conf;

	struct dk_unit svc;      /* docker.service */
	struct dk_unit sock;     /* docker.socket */
	struct dk_audit audit;
	struct dk_group docker_group;

	/* Engine API */
	char *api_socket;
	size_t api_budget;       /* bytes of API responses still allowed */
	char *api_error;         /* NULL when the API answered */
	struct json_t *info;
	struct json_t *version;
	struct json_t *containers;  /* array of container inspect objects */
	struct json_t *images;      /* array of image inspect objects */
	struct json_t *networks;    /* array */
	struct json_t *swarm;       /* /swarm, or NULL (not a manager) */
	struct json_t *execs;       /* object: exec id -> exec inspect */
	struct json_t *histories;   /* object: image id -> /images/ID/history array */
	char *containers_note;      /* truncation or partial errors */
};

void dk_ctx_release(struct dk_ctx *c);

/* Collect everything the checks need (never fails on missing data: it is
 * recorded in the context and the checks report it). */
enum bw_err dk_collect(struct dk_ctx *c, const struct bench_docker_opts *o, struct bw_errbuf *eb);

/* Engine API: GET path over the unix socket into a parsed JSON value
 * (responses above max bytes are refused). *nbytes (may be NULL) gets the
 * size of the body received, also on failure. */
enum bw_err dk_api_get(const char *socket, const char *path, size_t max, struct json_t **out,
		       long *http_status, size_t *nbytes, struct bw_errbuf *eb);

/* ---- checks -------------------------------------------------------------------- */

struct dk_check {
	const char *id;
	const char *title;
	bool automated;
	int level;
	const char *remediation;
	/* Sets the status and appends evidence to detail. */
	void (*run)(struct dk_ctx *c, enum bench_status *st, struct bw_buf *detail);
};

/* The checks of sections 1-3 (docker_checks_host.c) and 4-7
 * (docker_checks_ct.c), in CIS order. */
extern const struct dk_check dk_checks_host[];
extern const size_t dk_checks_host_n;
extern const struct dk_check dk_checks_ct[];
extern const size_t dk_checks_ct_n;

/* Append one line of evidence to d (a newline separates lines). */
void dk_add(struct bw_buf *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* false (status ERROR, reason in d) when the Engine API gave nothing. */
bool dk_need_api(const struct dk_ctx *c, enum bench_status *st, struct bw_buf *d);
/* Resolve a daemon setting; false (status ERROR, reason in d) when the
 * data to decide is missing. Release v with dk_value_release. */
bool dk_setting(const struct dk_ctx *c, const char *flag, const char *shortf, const char *key,
		struct dk_value *v, enum bench_status *st, struct bw_buf *d);
/* Evidence text for v: "VALUE (from WHERE)" or "not set (default D): ...". */
void dk_describe(const struct dk_ctx *c, const char *name, const struct dk_value *v,
		 const char *dflt, struct bw_buf *d);

/* The section title for a check id ("2.3" -> "2 Docker daemon configuration"). */
const char *dk_section(const char *id);

/* Evaluate one container inspect object against the container checks of
 * section 5 (and 4.1): appends "ID: problem" lines per failing check to
 * out (for tests and the fuzz target). */
enum bw_err dk_eval_container(const struct dk_ctx *c, const struct json_t *inspect,
			      struct bw_buf *out);

#endif

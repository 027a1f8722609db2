/* bench_int.h - private to the Kubernetes benchmark: the host view
 * (host.c), the evidence a check is judged on and the test-item evaluation
 * (bench_eval.c), component defaults (defaults.c). */
#ifndef BW_K8S_BENCH_INT_H
#define BW_K8S_BENCH_INT_H

#include <jansson.h>
#include <sys/stat.h>

#include "k8s/k8s.h"

/* ---- host ------------------------------------------------------------------ */

struct k8s_proc {
	int pid;
	struct bw_strv argv;
	char *cwd;          /* host path or NULL */
	char *environ_text; /* "K=V\n..." or NULL */
};

struct k8s_host {
	char *root;
	int rootfd;
	bool proc_present;
	struct k8s_proc *procs;
	size_t nprocs, capprocs;
};

/* Open root and read its /proc. */
enum bw_err k8s_host_open_root(struct k8s_host *h, const char *root, struct bw_errbuf *eb);
void k8s_host_release(struct k8s_host *h);
int k8s_host_open(const struct k8s_host *h, const char *path, int flags);
enum bw_err k8s_host_lstat(const struct k8s_host *h, const char *path, struct stat *st,
			   struct bw_errbuf *eb);
bool k8s_host_exists(const struct k8s_host *h, const char *path);
enum bw_err k8s_host_read(const struct k8s_host *h, const char *path, struct bw_buf *out,
			  struct bw_errbuf *eb);
void k8s_host_user(const struct k8s_host *h, unsigned uid, char *out, size_t sz);
void k8s_host_group(const struct k8s_host *h, unsigned gid, char *out, size_t sz);
/* The process running BIN ("kube-apiserver", "hyperkube apiserver"). */
const struct k8s_proc *k8s_host_find_proc(const struct k8s_host *h, const char *bin);

/* ---- evidence ---------------------------------------------------------------- */

/* One line of audit output split into whitespace tokens (a process command
 * line keeps its argv as tokens), with where it came from. */
struct k8s_row {
	struct bw_strv tok;
	char *src;      /* "kube-apiserver command line (pid 42)", "/etc/x.yaml" */
};

struct k8s_evidence {
	struct k8s_row *rows;
	size_t nrows, caprows;
	bool have_rows;         /* audit gave output to search (even if no rows) */
	json_t *config;         /* parsed audit_config output or NULL */
	char *config_src;       /* where it came from: "config file PATH (origin)" */
	char *env_text;         /* audit_env output or NULL */
	char *env_src;
	const char *component;  /* binary whose defaults apply, or NULL */
	bool multi;             /* use_multiple_values: command output line by line */
	char *error;            /* data could not be gathered: the check is ERROR */
	char *na;               /* the check does not apply (file absent): NA */
};

void k8s_evidence_release(struct k8s_evidence *ev);
enum bw_err k8s_evidence_add_row(struct k8s_evidence *ev, const char *src);
/* Tokens appended to the last row. */
enum bw_err k8s_evidence_add_text(struct k8s_evidence *ev, const char *text);

/* Evaluate a check's tests against the evidence. *pass gets the verdict,
 * detail (appended) says per item what was found where and what was
 * expected. Returns BW_ERR_NOMEM only. */
enum bw_err k8s_eval_tests(const struct k8s_check_def *c, const struct k8s_evidence *ev,
			   bool *pass, struct bw_buf *detail);

/* kube-bench compare.op on strings (check/test.go compareOp). */
bool k8s_compare(const char *op, const char *actual, const char *want);

/* Evaluate a kube-bench/kubectl JSONPath "{.a.b[0].c}" on v; the result is
 * formatted like kubectl (strings raw, other values as JSON). Returns a new
 * string or NULL when the path does not resolve / is unsupported. */
char *k8s_jsonpath(const json_t *v, const char *path);

/* Documented default of a component setting: by flag (when no config file is
 * used) or by config path (KubeletConfiguration etc. when one is).
 * Returns the value and sets *src to the source text, or NULL. */
const char *k8s_default_value(const char *component, const char *flag, const char *path,
			      bool config_in_use, const char **src);

/* ---- a benchmark run (bench_run.c) and its audits (bench_audit.c) ------- */

struct k8s_brun {
	const struct k8s_bench_opts *o;
	struct k8s_host host;
	struct k8s_vars vars;
	struct k8s_vars origins;   /* var name -> where its value came from */
	json_t *config;            /* config.yaml */
	const char *bench;
	struct bw_errbuf *eb;
};

/* Gather evidence for one audit string of a check into ev.
 * kind: 0 audit, 1 audit_config, 2 audit_env. Data that cannot be had is
 * ev->error / ev->na, not a failure; errors are memory only. */
enum bw_err k8s_audit_gather(struct k8s_brun *b, struct k8s_evidence *ev, const char *audit,
			     int kind);
/* Value of a flag in an argv ("--f=v" or "--f v"); the last one wins. */
const char *k8s_argv_flag(const struct bw_strv *argv, const char *flag);

#endif

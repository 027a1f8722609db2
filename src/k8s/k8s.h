/* k8s.h - Kubernetes: manifest audits (Pod Security Standards and best
 * practice) and the CIS Kubernetes benchmark (kube-bench compatible checks).
 *
 * Two engines share this header:
 *
 *  - the manifest audit: k8s_yaml_load() turns YAML or JSON bytes into
 *    jansson values (bounded: size, depth, node count including alias
 *    expansion), k8s_audit_object() audits one parsed object into findings.
 *    The admission controller calls k8s_audit_object() on the object of an
 *    AdmissionReview; the CLI (`bulwark audit k8s`) calls both.
 *
 *  - the benchmark: k8s_cfg_* load kube-bench format controls files and
 *    config.yaml (the embedded defaults or a directory), k8s_bench_run()
 *    evaluates them against a host (or a fake root) into bench results.
 *
 * Ownership: every struct here owns its strings; *_release frees the insides
 * and leaves the struct reusable (zeroed); NULL is accepted everywhere.
 */
#ifndef BW_K8S_H
#define BW_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

struct json_t;

/* ---- YAML / JSON reading --------------------------------------------- */

/* Limits applied to hostile manifests. */
#define K8S_YAML_MAX_BYTES (16u * 1024 * 1024) /* one input file */
#define K8S_YAML_MAX_DEPTH 64                  /* nesting of collections */
#define K8S_YAML_MAX_NODES 200000              /* nodes of one document, aliases expanded */
#define K8S_YAML_MAX_TOTAL_NODES 2000000       /* nodes of all documents of a stream */
#define K8S_YAML_MAX_DOCS 10000                /* documents in one stream */

/* Parse data[0..n) as a stream of YAML documents (JSON is YAML) into a new
 * JSON array with one element per document (empty documents are skipped,
 * their index is still counted: see k8s_yaml_doc_index). Scalars follow the
 * rules Kubernetes' YAML reader applies (YAML 1.1 booleans yes/no/on/off,
 * null/~, integers, floats; quoted scalars are strings). Aliases are
 * expanded and charged to the node budget; "<<" merge keys are applied.
 * On success *docs is a new reference the caller json_decref()s; docidx (may
 * be NULL) receives a new malloc'd array of each element's 0-based document
 * index in the stream. On failure eb names `what`, the document and the
 * line/column where the parser stopped. */
enum bw_err k8s_yaml_load(const char *data, size_t n, const char *what, struct json_t **docs,
			  size_t **docidx, struct bw_errbuf *eb);

/* The same, one document at a time: fn gets each non-empty document (a
 * borrowed reference, valid during the call) and its index; a non-BW_OK
 * return stops the walk and is returned. Memory stays one document. */
typedef enum bw_err (*k8s_yaml_doc_fn)(struct json_t *doc, size_t index, void *ud,
				       struct bw_errbuf *eb);
enum bw_err k8s_yaml_each(const char *data, size_t n, const char *what, k8s_yaml_doc_fn fn,
			  void *ud, struct bw_errbuf *eb);

/* ---- manifest audit ------------------------------------------------------ */

/* Which rule set a finding comes from. PSS levels are cumulative: checking
 * "restricted" runs the baseline checks too, and each finding names the
 * lowest level it breaks. */
enum k8s_level {
	K8S_LEVEL_BEST_PRACTICE = 0, /* not a PSS control */
	K8S_LEVEL_BASELINE,
	K8S_LEVEL_RESTRICTED,
};

enum k8s_severity { K8S_SEV_LOW = 0, K8S_SEV_MEDIUM, K8S_SEV_HIGH, K8S_SEV_CRITICAL };

const char *k8s_level_name(enum k8s_level level);       /* "baseline", ... */
const char *k8s_severity_name(enum k8s_severity sev);   /* "high", ... */
/* Parse "low|medium|high|critical" (and "baseline|restricted" below). */
enum bw_err k8s_severity_parse(const char *s, enum k8s_severity *out);
enum bw_err k8s_level_parse(const char *s, enum k8s_level *out);

struct k8s_finding {
	const char *check;     /* static: "pss.baseline.privileged", "bp.image-tag", ... */
	const char *title;     /* static: the control's name */
	enum k8s_level level;
	enum k8s_severity severity;
	char *kind;            /* object: "Deployment" */
	char *ns;              /* "" when the manifest has no namespace */
	char *name;
	char *file;            /* opts->file or "" */
	size_t doc;            /* document index in the file (0-based) */
	char *container;       /* NULL for pod-level findings */
	char *field;           /* "spec.template.spec.containers[0].securityContext.privileged" */
	char *detail;          /* what is wrong, with the value */
};

struct k8s_findings {
	struct k8s_finding *v;
	size_t n;
	size_t cap;
};

void k8s_findings_release(struct k8s_findings *f);

struct k8s_audit_opts {
	enum k8s_level level;   /* K8S_LEVEL_BASELINE or K8S_LEVEL_RESTRICTED */
	bool best_practice;     /* also run the best-practice checks */
	const char *file;       /* names the source in findings (may be NULL) */
	size_t doc;             /* document index for findings */
};

/* Audit one parsed object (a Pod, a workload with a pod template, a
 * PodTemplate, or a List of those). *audited (may be NULL) gets the number
 * of objects audited: 0 for other kinds (no finding), the items for a List. Findings are appended to out.
 * Returns BW_ERR_FORMAT (with eb naming the field) when a field the checks
 * need has the wrong type (e.g. containers not a list), BW_ERR_LIMIT past
 * K8S_AUDIT_MAX_FINDINGS. obj is only read. */
#define K8S_AUDIT_MAX_FINDINGS 500000
enum bw_err k8s_audit_object(const struct json_t *obj, const struct k8s_audit_opts *opts,
			     struct k8s_findings *out, size_t *audited, struct bw_errbuf *eb);

/* Audit every document of a YAML/JSON stream (k8s_yaml_load + audit).
 * *objects (may be NULL) is incremented per audited object. */
enum bw_err k8s_audit_stream(const char *data, size_t n, const char *what,
			     const struct k8s_audit_opts *opts, struct k8s_findings *out,
			     size_t *objects, struct bw_errbuf *eb);

/* Writers. objects/files are counts for the summary. */
enum bw_err k8s_findings_write_table(const struct k8s_findings *f, size_t objects, FILE *out,
				     struct bw_errbuf *eb);
enum bw_err k8s_findings_write_json(const struct k8s_findings *f, size_t objects, FILE *out,
				    struct bw_errbuf *eb);
enum bw_err k8s_findings_write_sarif(const struct k8s_findings *f, FILE *out,
				     struct bw_errbuf *eb);

/* ---- CIS Kubernetes benchmark (kube-bench compatible definitions) ------ */

struct bench_report;
struct bench_filter;

/* One test_item of a check (kube-bench check/test.go). */
struct k8s_test_item {
	char *flag;     /* "--anonymous-auth", "permissions", "root:root" (NULL: none) */
	char *path;     /* "{.authentication.anonymous.enabled}" */
	char *env;      /* "ETCD_CERT_FILE" */
	bool set;       /* default true */
	char *op;       /* eq noteq gt gte lt lte has nothave regex valid_elements bitmask; NULL */
	char *value;    /* compare.value ("" when absent) */
};

struct k8s_check_def {
	char *id, *text, *type;         /* type: "" | "manual" | "skip" */
	char *audit, *audit_config, *audit_env;
	char *remediation;
	bool scored;
	bool multiple;                  /* use_multiple_values: each output line must pass */
	bool has_tests;
	bool bin_or;                    /* bin_op: or (default and) */
	struct k8s_test_item *items;
	size_t nitems;
};

struct k8s_group {
	char *id, *text;
	bool skip;                      /* group type: skip */
	struct k8s_check_def *checks;
	size_t n;
};

struct k8s_controls {
	char *version, *id, *text, *type; /* type: master node etcd controlplane policies */
	struct k8s_group *groups;
	size_t n;
};

void k8s_controls_release(struct k8s_controls *c);

/* $variable substitution for a controls file: name -> value pairs
 * ("apiserverbin" -> "kube-apiserver"). Longest names are substituted
 * first, so $kubeletkubeconfig is not read as $kubeletkube... */
struct k8s_vars {
	struct bw_strv names;
	struct bw_strv values;
};
enum bw_err k8s_vars_set(struct k8s_vars *v, const char *name, const char *value);
const char *k8s_vars_get(const struct k8s_vars *v, const char *name);
void k8s_vars_release(struct k8s_vars *v);

/* Parse a kube-bench controls file (YAML) after substituting vars (may be
 * NULL) into out. Unknown keys are ignored (kube-bench ignores them too);
 * wrong types, unknown compare ops and limits give BW_ERR_FORMAT/LIMIT
 * naming what, the field path ("groups[1].checks[4].tests.test_items[0]
 * .compare.op") and the value. */
#define K8S_CFG_MAX_CHECKS 5000
#define K8S_CFG_MAX_ITEMS 64
enum bw_err k8s_controls_parse(const char *data, size_t n, const char *what,
			       const struct k8s_vars *vars, struct k8s_controls *out,
			       struct bw_errbuf *eb);

/* Node roles the benchmark targets (bitmask). */
enum {
	K8S_NODE_MASTER = 1u << 0,   /* master.yaml + controlplane.yaml */
	K8S_NODE_WORKER = 1u << 1,   /* node.yaml */
	K8S_NODE_ETCD = 1u << 2,     /* etcd.yaml */
	K8S_NODE_POLICIES = 1u << 3, /* policies.yaml */
};
/* "master|worker|node|etcd|policies|auto" ("auto" gives 0). */
enum bw_err k8s_node_parse(const char *s, unsigned *mask);

struct k8s_bench_opts {
	const char *root;        /* host root ("/" when NULL): files and /proc below it */
	const char *config_dir;  /* kube-bench style cfg dir (config.yaml + BENCH/...);
				    NULL: the definitions built into the binary */
	const char *benchmark;   /* folder of the definitions; NULL: "cis-1.8" */
	unsigned nodes;          /* K8S_NODE_* mask; 0: auto (from the running binaries) */
	const struct bench_filter *filter; /* --check / --skip; NULL: all */
	bool allow_exec;         /* run audit commands not evaluated natively (sh -c) */
};

/* Run the benchmark and append one result per check to r (initialised by
 * the caller; its benchmark/target strings are set here). Returns BW_OK when
 * checks ran, whatever their verdicts; errors mean definitions could not be
 * loaded or memory ran out. *nodes_out (may be NULL) gets the roles used. */
enum bw_err k8s_bench_run(const struct k8s_bench_opts *o, struct bench_report *r,
			  unsigned *nodes_out, struct bw_errbuf *eb);

/* The definitions built into the binary: name ("config.yaml",
 * "cis-1.8/master.yaml") -> contents; NULL when absent. */
const char *k8s_embedded_file(const char *name, size_t *len);

#endif

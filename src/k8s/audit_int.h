/* audit_int.h - private to the manifest audit: the walk context shared by
 * the PSS checks (audit_pss.c), the best-practice checks (audit_bp.c) and
 * the driver (audit.c). */
#ifndef BW_K8S_AUDIT_INT_H
#define BW_K8S_AUDIT_INT_H

#include <jansson.h>

#include "k8s/k8s.h"

struct k8s_check {
	const char *id;
	const char *title;
	enum k8s_level level;
	enum k8s_severity severity;
};

/* One container of the pod spec, as the checks see it. */
struct actr {
	const json_t *c;        /* the container object */
	const json_t *sc;       /* its securityContext or NULL */
	const char *name;       /* "" when unnamed */
	char path[96];          /* "containers[0]", "initContainers[1]", ... */
	enum { CTR_REGULAR, CTR_INIT, CTR_EPHEMERAL } type;
};

struct actx {
	const struct k8s_audit_opts *opts;
	struct k8s_findings *out;
	struct bw_errbuf *eb;
	enum bw_err result;     /* sticky: first error stops adding findings */
	const char *kind, *ns, *name;
	const json_t *spec;     /* pod spec */
	const json_t *psc;      /* pod securityContext or NULL */
	const json_t *meta;     /* pod (template) metadata or NULL */
	char spec_path[64];     /* "spec.template.spec" */
	char meta_path[64];     /* "spec.template.metadata" */
	bool windows;           /* spec.os.name == "windows" */
	bool batch;             /* Job / CronJob: run to completion */
	struct actr *ctrs;
	size_t nctrs;
};

/* Append a finding. container may be NULL (pod level); the field path is
 * "<spec_path>.<field>" unless field starts with '@' (then "<meta_path>.").
 * detail is printf-formatted. Errors are kept in a->result. */
void k8s_audit_add(struct actx *a, const struct k8s_check *chk, const struct actr *ctr,
		   const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void k8s_audit_pss(struct actx *a);
void k8s_audit_bp(struct actx *a);

/* JSON helpers that tolerate absent/mistyped values. */
const json_t *k8s_jget(const json_t *o, const char *key);             /* object member or NULL */
const json_t *k8s_jobj(const json_t *o, const char *key);             /* member if an object */
bool k8s_jtrue(const json_t *o, const char *key);                      /* member is true */
const char *k8s_jstr(const json_t *o, const char *key);               /* member if a string */
/* Short text of a value for messages (static buffer per call site: buf). */
const char *k8s_jtext(const json_t *v, char *buf, size_t sz);

#endif

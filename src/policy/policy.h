/* policy.h - security policy as code: the SecurityPolicy model, YAML
 * parsing with positioned errors, selection, decisions, learned profiles and
 * their export as policy YAML. Schema: docs/policy.md.
 *
 * A SecurityPolicy (apiVersion bulwark.dev/v1) names a group (metadata.name),
 * selects the containers that belong to it, sets its mode and lists process,
 * file and network rules plus detection settings. The agent calls
 * policy_select() for each container, policy_check_exec()/policy_check_file()
 * for each event, and policy_detection_enabled() for each detection hit.
 *
 * Ownership: every pointer returned points into the set/doc/profile it came
 * from and lives until that is released.
 */
#ifndef BW_POLICY_H
#define BW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

enum policy_mode {
	POLICY_MODE_UNSET = 0,
	POLICY_MODE_DISCOVER,
	POLICY_MODE_MONITOR,
	POLICY_MODE_PROTECT,
};
const char *policy_mode_name(enum policy_mode m);            /* "discover" ... ; "unset" */
bool policy_mode_parse(const char *s, enum policy_mode *out);

enum policy_action { POLICY_ACTION_ALLOW = 1, POLICY_ACTION_DENY };

#define POLICY_ACC_READ  1u
#define POLICY_ACC_WRITE 2u
#define POLICY_ACC_EXEC  4u

struct policy_proc_rule {
	char *path;            /* glob (bw_path_match: *, **, ?) */
	char *parent;          /* glob or NULL: restricts the rule to this parent executable */
	enum policy_action action;
	int line;
};

struct policy_file_rule {
	char *path;            /* glob */
	unsigned access;       /* POLICY_ACC_* bits the rule covers */
	enum policy_action action;
	int line;
};

struct policy_net_rule {   /* stored now, enforced by the network firewall */
	bool egress;           /* false: ingress */
	char *group;           /* peer group, or NULL */
	char *cidr;            /* peer address/prefix, or NULL */
	struct bw_strv ports;  /* "5432/tcp", "53/udp", "any" */
	char *app;             /* L7 protocol name or NULL */
	enum policy_action action;
	int line;
};

struct policy_det_except {
	char *id;              /* detection id, "*" for all */
	char *process;         /* glob on the executable, or NULL */
	char *path;            /* glob on the file path, or NULL */
};

/* What a policy may select on: one container. */
struct policy_target {
	const char *group;     /* the container's default group */
	const char *name;      /* container name */
	const char *image;     /* image reference, "" if unknown */
	const char *k8s_namespace; /* "" if not a pod */
	const struct bw_strv *labels; /* "key=value" */
};

struct policy_doc {
	char *name;            /* metadata.name: the group this policy defines */
	char *namespace;       /* metadata.namespace or NULL */
	char *file;            /* where it came from */
	int line;              /* line of the document start */
	/* selector (all present fields must match; an empty selector matches
	 * containers whose default group equals name) */
	char *sel_group;       /* glob on the default group */
	char *sel_image;       /* glob */
	char *sel_namespace;   /* glob */
	char *sel_container;   /* glob on the container name */
	struct bw_strv sel_labels; /* "key=value", all must be present */
	enum policy_mode mode; /* POLICY_MODE_UNSET: the agent's default */
	struct policy_proc_rule *procs; size_t nprocs;
	struct policy_file_rule *files; size_t nfiles;
	struct policy_net_rule *nets;   size_t nnets;
	struct bw_strv det_disabled;    /* detection ids */
	struct policy_det_except *det_except; size_t ndet_except;
};

struct policy_set {
	struct policy_doc *docs;
	size_t ndocs;
};

void policy_set_init(struct policy_set *ps);
void policy_set_release(struct policy_set *ps);

/* Parse one YAML file (one or more documents separated by ---) and append
 * its documents to ps. On error nothing is appended and eb says
 * "FILE:LINE:COL: what was expected, what was found". BW_ERR_FORMAT for a bad
 * policy, BW_ERR_IO when the file cannot be read. */
enum bw_err policy_load_file(struct policy_set *ps, const char *path, struct bw_errbuf *eb);
/* Same for bytes in memory (name is used in messages). */
enum bw_err policy_load_mem(struct policy_set *ps, const char *name, const char *data,
			    size_t len, struct bw_errbuf *eb);
/* Every *.yaml / *.yml file of dir (sorted, not recursive); all or nothing:
 * on any error ps is left unchanged. Two documents with the same group name
 * are an error naming both files. */
enum bw_err policy_load_dir(struct policy_set *ps, const char *dir, struct bw_errbuf *eb);

/* The policy whose selector matches t (first in load order), or NULL. */
const struct policy_doc *policy_select(const struct policy_set *ps, const struct policy_target *t);

enum policy_verdict {
	POLICY_VERDICT_NONE = 0, /* no rule says anything */
	POLICY_VERDICT_ALLOW,
	POLICY_VERDICT_DENY,
};
/* First matching rule wins (rules are evaluated in file order). doc may be NULL. */
enum policy_verdict policy_check_exec(const struct policy_doc *doc, const char *exe,
				      const char *parent_exe);
enum policy_verdict policy_check_file(const struct policy_doc *doc, const char *path,
				      unsigned access);
/* False when the policy disables the detection or an exception matches. */
bool policy_detection_enabled(const struct policy_doc *doc, const char *id, const char *exe,
			      const char *path);

/* ------------------------------------------------------------------ */
/* Learned profiles (discover mode)                                   */

struct policy_profile {
	char *group;
	struct bw_strv execs;   /* "EXE\tPARENT" (PARENT "" if unknown), unique */
	struct bw_strv writes;  /* paths written, unique */
	struct bw_strv conns;   /* "egress|ingress\tPEER\tPORT/PROTO", unique */
	uint64_t updated;       /* epoch seconds of the last change */
};
void policy_profile_init(struct policy_profile *p, const char *group);
void policy_profile_release(struct policy_profile *p);
/* Each returns true when the entry is new. Bounded: past a cap (documented)
 * entries are not added and false is returned. */
bool policy_profile_add_exec(struct policy_profile *p, const char *exe, const char *parent);
bool policy_profile_add_write(struct policy_profile *p, const char *path);
bool policy_profile_add_conn(struct policy_profile *p, bool egress, const char *peer,
			     unsigned port, const char *proto);
bool policy_profile_has_exec(const struct policy_profile *p, const char *exe);
bool policy_profile_has_write(const struct policy_profile *p, const char *path);
/* JSON on disk (atomic write). Loading rejects malformed files with a clear error. */
enum bw_err policy_profile_save(const struct policy_profile *p, const char *path,
				struct bw_errbuf *eb);
enum bw_err policy_profile_load(struct policy_profile *p, const char *path, struct bw_errbuf *eb);
/* Write the profile as a SecurityPolicy YAML document (metadata.name = group,
 * selector.group = group, the given mode, one allow rule per executable and
 * per written path, egress/ingress rules per connection) that
 * policy_load_file() reads back to the same decisions. */
enum bw_err policy_export_yaml(const struct policy_profile *p, enum policy_mode mode, FILE *f,
			       struct bw_errbuf *eb);

#endif

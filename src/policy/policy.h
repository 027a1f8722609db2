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

/* Caps on hostile or runaway input (docs/policy.md). */
#define POLICY_MAX_FILE_BYTES (4u << 20)  /* one policy file */
#define POLICY_MAX_DOCS 256               /* documents in one file */
#define POLICY_MAX_SET_DOCS 4096          /* documents in a set (a directory) */
#define POLICY_MAX_DIR_FILES 4096         /* .yaml and .yml files in a directory */
#define POLICY_MAX_RULES 8192             /* entries of any one list */
#define POLICY_MAX_NODES 200000           /* YAML nodes per file, aliases expanded */
#define POLICY_MAX_DEPTH 32               /* nesting of YAML collections */
#define POLICY_MAX_STR 4096               /* bytes of one string value */
#define POLICY_MAX_ERRORS 100             /* messages collected per file */

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
	size_t nskipped;       /* documents of kinds read elsewhere (AdmissionPolicy ...), skipped */
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
/* policy_load_file, collecting every error: each message
 * ("FILE:LINE:COL: field.path: what") is pushed onto errors (at most
 * POLICY_MAX_ERRORS, then one "N more errors" line). A document whose group
 * name is already in ps is an error naming both files. eb gets the first
 * error. Nothing is appended on error. */
enum bw_err policy_load_file_all(struct policy_set *ps, const char *path, struct bw_strv *errors,
				 struct bw_errbuf *eb);
/* The *.yaml / *.yml regular files of dir, sorted, as "dir/name" (appended
 * to files, caller-owned). Hidden files are skipped. */
enum bw_err policy_dir_files(const char *dir, struct bw_strv *files, struct bw_errbuf *eb);
/* The document defining group name, or NULL. */
const struct policy_doc *policy_set_find(const struct policy_set *ps, const char *name);

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

/* Profile caps: past them add_* returns false and nothing is stored. */
#define POLICY_PROFILE_MAX_EXECS 4096
#define POLICY_PROFILE_MAX_WRITES 4096
#define POLICY_PROFILE_MAX_CONNS 1024
#define POLICY_PROFILE_MAX_ENTRY 1024        /* bytes of one path or peer */
#define POLICY_PROFILE_MAX_BYTES (2u << 20)  /* all entries together */
#define POLICY_PROFILE_MAX_FILE (8u << 20)   /* the JSON file */

struct policy_profile_index; /* private: hash sets over the lists below */

struct policy_profile {
	char *group;
	struct bw_strv execs;   /* "EXE\tPARENT" (PARENT "" if unknown), unique */
	struct bw_strv writes;  /* paths written, unique */
	struct bw_strv conns;   /* "egress|ingress\tPEER\tPORT/PROTO", unique */
	uint64_t updated;       /* epoch seconds of the last change */
	size_t bytes;           /* string bytes held (capped at POLICY_PROFILE_MAX_BYTES) */
	struct policy_profile_index *idx; /* keep the lists in step: change them only
					   * through policy_profile_add_* */
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
/* p must be initialised (policy_profile_init, any group); on success its
 * contents are replaced by the file's (group included), on error p is
 * unchanged. BW_ERR_NOT_FOUND when the file does not exist. */
enum bw_err policy_profile_load(struct policy_profile *p, const char *path, struct bw_errbuf *eb);
/* File name (no directory) of a group's profile: the group with every byte
 * outside [A-Za-z0-9._-] replaced by '_', plus ".json"; a group longer than
 * 200 bytes keeps its first 200 plus "-" and 16 hex digits of its SHA-256.
 * malloc'd; NULL when memory runs out. */
char *policy_profile_filename(const char *group);
/* Write the profile as a SecurityPolicy YAML document (metadata.name = group,
 * selector.group = group, the given mode, one allow rule per executable and
 * per written path, egress/ingress rules per connection) that
 * policy_load_file() reads back to the same decisions. */
enum bw_err policy_export_yaml(const struct policy_profile *p, enum policy_mode mode, FILE *f,
			       struct bw_errbuf *eb);

#endif

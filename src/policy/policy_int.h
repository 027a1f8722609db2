/* policy_int.h - private to src/policy: the positioned YAML tree the
 * schema reader walks, and the glob and name checks shared by the reader
 * and the exporter. */
#ifndef BW_POLICY_INT_H
#define BW_POLICY_INT_H

#include "policy/policy.h"

/* ---- YAML tree (yaml.c) --------------------------------------------- */

enum pnode_type { PNODE_SCALAR = 1, PNODE_MAP, PNODE_SEQ };

/* One node with its 1-based position. An alias is the anchored node
 * itself (shared), so a walker charges every visit to a budget. */
struct pnode {
	enum pnode_type type;
	int line, col;
	char *text;            /* SCALAR: the value (may hold NUL: see len) */
	size_t len;
	bool plain;            /* SCALAR: plain style (null/bool resolution applies) */
	struct pnode **kids;   /* MAP: key, value, key, value ...; SEQ: items */
	size_t nkids, cap;
	struct pnode *all_next; /* every node of a stream, for freeing */
};

struct pdoc {
	struct pnode *root;    /* NULL: an empty document */
	int line, col;         /* where the document starts */
};

struct pstream {
	struct pdoc *docs;
	size_t ndocs, cap;
	struct pnode *all;
};

/* Parse YAML text into documents. On a syntax error or a cap, eb says
 * "NAME:LINE:COL: what" and the stream is released. */
enum bw_err policy_yaml_parse(const char *name, const char *data, size_t len, struct pstream *ps,
			      struct bw_errbuf *eb);
void policy_yaml_release(struct pstream *ps);
/* A plain scalar that YAML resolves to null ("", "~", "null"). */
bool policy_yaml_is_null(const struct pnode *n);

/* Free the insides of one document (parse.c). */
void policy_doc_release(struct policy_doc *d);

/* ---- checks shared by the reader and the exporter (check.c) ---------- */

/* NULL when s is a valid absolute path glob, else why not. */
const char *policy_path_glob_error(const char *s);
/* NULL when s is a valid selector glob (group, image, namespace, name). */
const char *policy_sel_glob_error(const char *s);
/* Group name syntax: 1-253 bytes of [A-Za-z0-9._:/-], alphanumeric at both ends. */
bool policy_group_name_valid(const char *s);
/* "PORT/PROTO", "LO-HI/PROTO" (tcp, udp) or "any". */
const char *policy_port_error(const char *s);
/* "ADDR/PREFIX" or a bare address, IPv4 or IPv6, host bits zero. */
const char *policy_cidr_error(const char *s, char *hint, size_t hintsz);
/* Match an absolute path against an absolute path glob. */
bool policy_path_matches(const char *glob, const char *path);
/* The candidate closest to s (edit distance <= 2), or NULL. */
const char *policy_near_miss(const char *s, const char *const *candidates);

#endif

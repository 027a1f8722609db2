/* decide.c - which policy a container gets, and what its rules say about
 * one exec, one file access, one detection hit. */
#include <string.h>

#include "policy/policy_int.h"

static bool sel_match(const char *glob, const char *value)
{
	return bw_path_match(glob, value ? value : "");
}

static bool labels_match(const struct bw_strv *want, const struct bw_strv *have)
{
	for (size_t i = 0; i < want->n; i++)
		if (!have || !bw_strv_contains(have, want->v[i]))
			return false;
	return true;
}

static bool doc_selects(const struct policy_doc *d, const struct policy_target *t)
{
	bool empty = !d->sel_group && !d->sel_image && !d->sel_namespace && !d->sel_container &&
		     d->sel_labels.n == 0;

	/* a namespaced policy applies only to pods of its namespace */
	if (d->namespace && strcmp(d->namespace, t->k8s_namespace ? t->k8s_namespace : "") != 0)
		return false;
	if (empty)
		return t->group && d->name && strcmp(t->group, d->name) == 0;
	if (d->sel_group && !sel_match(d->sel_group, t->group))
		return false;
	if (d->sel_image && !sel_match(d->sel_image, t->image))
		return false;
	if (d->sel_namespace && !sel_match(d->sel_namespace, t->k8s_namespace))
		return false;
	if (d->sel_container && !sel_match(d->sel_container, t->name))
		return false;
	return labels_match(&d->sel_labels, t->labels);
}

const struct policy_doc *policy_select(const struct policy_set *ps, const struct policy_target *t)
{
	for (size_t i = 0; ps && t && i < ps->ndocs; i++)
		if (doc_selects(&ps->docs[i], t))
			return &ps->docs[i];
	return NULL;
}

enum policy_verdict policy_check_exec(const struct policy_doc *doc, const char *exe,
				      const char *parent_exe)
{
	if (!doc || !exe)
		return POLICY_VERDICT_NONE;
	for (size_t i = 0; i < doc->nprocs; i++) {
		const struct policy_proc_rule *r = &doc->procs[i];

		if (!r->path || !policy_path_matches(r->path, exe))
			continue;
		if (r->parent && !(parent_exe && policy_path_matches(r->parent, parent_exe)))
			continue;
		return r->action == POLICY_ACTION_DENY ? POLICY_VERDICT_DENY : POLICY_VERDICT_ALLOW;
	}
	return POLICY_VERDICT_NONE;
}

/* Each access bit asked for is decided by the first rule that matches the
 * path and covers that bit. Any bit denied: DENY; every bit allowed:
 * ALLOW; otherwise NONE. */
enum policy_verdict policy_check_file(const struct policy_doc *doc, const char *path,
				      unsigned access)
{
	static const unsigned bits[] = {POLICY_ACC_READ, POLICY_ACC_WRITE, POLICY_ACC_EXEC};
	bool all_allowed = true;

	if (!doc || !path || access == 0)
		return POLICY_VERDICT_NONE;
	for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
		enum policy_verdict v = POLICY_VERDICT_NONE;

		if (!(access & bits[b]))
			continue;
		for (size_t i = 0; i < doc->nfiles; i++) {
			const struct policy_file_rule *r = &doc->files[i];

			if ((r->access & bits[b]) && r->path && policy_path_matches(r->path, path)) {
				v = r->action == POLICY_ACTION_DENY ? POLICY_VERDICT_DENY
								    : POLICY_VERDICT_ALLOW;
				break;
			}
		}
		if (v == POLICY_VERDICT_DENY)
			return POLICY_VERDICT_DENY;
		if (v != POLICY_VERDICT_ALLOW)
			all_allowed = false;
	}
	return all_allowed ? POLICY_VERDICT_ALLOW : POLICY_VERDICT_NONE;
}

bool policy_detection_enabled(const struct policy_doc *doc, const char *id, const char *exe,
			      const char *path)
{
	if (!doc || !id)
		return true;
	if (bw_strv_contains(&doc->det_disabled, id) || bw_strv_contains(&doc->det_disabled, "*"))
		return false;
	for (size_t i = 0; i < doc->ndet_except; i++) {
		const struct policy_det_except *x = &doc->det_except[i];

		if (!x->id || (strcmp(x->id, "*") != 0 && strcmp(x->id, id) != 0))
			continue;
		if (x->process && !(exe && policy_path_matches(x->process, exe)))
			continue;
		if (x->path && !(path && policy_path_matches(x->path, path)))
			continue;
		return false;
	}
	return true;
}

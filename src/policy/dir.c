/* dir.c - a directory of policy files, loaded all or nothing. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/policy_int.h"

static int want_name(const struct dirent *e)
{
	return e->d_name[0] != '.' &&
	       (bw_str_ends_with(e->d_name, ".yaml") || bw_str_ends_with(e->d_name, ".yml"));
}

enum bw_err policy_dir_files(const char *dir, struct bw_strv *files, struct bw_errbuf *eb)
{
	struct dirent **ents = NULL;
	enum bw_err result = BW_OK;
	size_t kept = 0;
	int n;

	n = scandir(dir, &ents, want_name, alphasort);
	if (n < 0)
		return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", dir,
			       strerror(errno));
	for (int i = 0; i < n; i++) {
		struct stat st;
		char *p;

		if (result != BW_OK)
			continue;
		p = bw_strfmt("%s/%s", dir, ents[i]->d_name);
		if (!p) {
			result = bw_fail(eb, BW_ERR_NOMEM, "out of memory");
			continue;
		}
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (++kept > POLICY_MAX_DIR_FILES) {
			free(p);
			result = bw_fail(eb, BW_ERR_LIMIT, "%s: more than %d policy files", dir,
					 POLICY_MAX_DIR_FILES);
			continue;
		}
		result = bw_strv_push_owned(files, p);
		if (result != BW_OK)
			result = bw_fail(eb, result, "out of memory");
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return result;
}

enum bw_err policy_load_dir(struct policy_set *ps, const char *dir, struct bw_errbuf *eb)
{
	struct policy_set tmp;
	struct bw_strv files = {0};
	enum bw_err result;

	policy_set_init(&tmp);
	result = policy_dir_files(dir, &files, eb);
	if (result != BW_OK)
		goto out_release;
	/* existing documents take part in the duplicate check: borrow them */
	tmp.docs = ps->docs;
	tmp.ndocs = ps->ndocs;
	for (size_t i = 0; i < files.n && result == BW_OK; i++)
		result = policy_load_file(&tmp, files.v[i], eb);
	if (result != BW_OK) {
		/* drop what this call added; the array may have moved */
		for (size_t i = ps->ndocs; i < tmp.ndocs; i++)
			policy_doc_release(&tmp.docs[i]);
		ps->docs = tmp.docs;
		goto out_release;
	}
	ps->docs = tmp.docs;
	ps->ndocs = tmp.ndocs;
	ps->nskipped += tmp.nskipped;
out_release:
	bw_strv_release(&files);
	return result;
}

/* nsp.c - the legacy Node Security Platform advisories kept by the Node.js
 * security working group (vuln/npm/<n>.json, and index.json holding them
 * all): {id, module_name, title, cves[], vulnerable_versions,
 * patched_versions, publish_date, updated_at, cvss_vector, cvss_score}.
 * Stored under the ID "NSWG-ECO-<id>" (the working group's own naming) with
 * the node-semver ranges kept as written: the matcher evaluates them. */
#include <string.h>

#include "vulndb/vulndb_int.h"

#define NSP_MAX_CVES 256

static enum bw_err nsp_record(struct vdb_builder *b, const char *name, const json_t *rec,
			      struct bw_errbuf *eb)
{
	enum bw_err result;
	struct bw_strv aliases = {0};
	struct vdb_b_adv a = {0};
	struct vdb_b_aff f = {0};
	json_t *cves = json_object_get(rec, "cves"), *v, *cvss = NULL, *data = NULL;
	const char *module = vdb_jstr(rec, "module_name"), *vuln = vdb_jstr(rec, "vulnerable_versions");
	const char *patched = vdb_jstr(rec, "patched_versions"), *vector = vdb_jstr(rec, "cvss_vector");
	char idbuf[64], num[64], dkey[80];
	const char *idnum = vdb_jscalar(json_object_get(rec, "id"), num, sizeof(num));
	int64_t row = 0;
	size_t i;

	if (!idnum || strlen(idnum) > 32)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: advisory without a usable \"id\"", name);
	if (!module || !*module || !vuln)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "%s: advisory %s: module_name or vulnerable_versions missing", name,
			       idnum);
	snprintf(idbuf, sizeof(idbuf), "NSWG-ECO-%s", idnum);
	snprintf(dkey, sizeof(dkey), "nsp:%s", idnum);
	json_array_foreach(cves, i, v) {
		if (i >= NSP_MAX_CVES)
			break;
		if (json_is_string(v) && json_string_length(v) < 64 &&
		    !bw_strv_contains(&aliases, json_string_value(v))) {
			result = bw_strv_push(&aliases, json_string_value(v));
			if (result != BW_OK)
				goto out_release;
		}
	}
	bw_strv_sort(&aliases);
	cvss = json_array();
	data = json_pack("{s:[s], s:[]}", "vulnerable", vuln, "patched");
	if (!cvss || !data) {
		result = BW_ERR_NOMEM;
		goto out_release;
	}
	if (patched && *patched)
		json_array_append_new(json_object_get(data, "patched"), json_string(patched));
	if (vector || json_is_number(json_object_get(rec, "cvss_score"))) {
		double score = json_is_number(json_object_get(rec, "cvss_score"))
				       ? json_number_value(json_object_get(rec, "cvss_score"))
				       : -1;
		int ver = vector && bw_str_starts_with(vector, "CVSS:3") ? 3
			  : vector && bw_str_starts_with(vector, "CVSS:4") ? 4
			  : vector ? 2 : 3;

		result = vdb_cvss_append(cvss, ver, vector, score, "nsp");
		if (result != BW_OK)
			goto out_release;
	}
	a.id = idbuf;
	a.aliases = &aliases;
	a.summary = vdb_jstr(rec, "title");
	a.published = vdb_jstr(rec, "publish_date");
	a.modified = vdb_jstr(rec, "updated_at");
	a.cvss = cvss;
	a.dkey = dkey;
	a.kind = VDB_K_NSP;
	a.prio = 2;
	result = vdb_b_advisory(b, &a, &row, eb);
	if (result == BW_OK && row) {
		f.ecosystem = "npm";
		f.name = module;
		f.data = data;
		result = vdb_b_affected(b, row, &f, eb);
	}
out_release:
	json_decref(cvss);
	json_decref(data);
	bw_strv_release(&aliases);
	return result;
}

enum bw_err vdb_read_nsp(struct vdb_builder *b, const char *name, json_t *root,
			 struct bw_errbuf *eb)
{
	const char *k;
	json_t *v;

	if (json_object_get(root, "module_name"))
		return nsp_record(b, name, root, eb);
	/* index.json: {"<id>": {advisory}, ...} */
	json_object_foreach(root, k, v) {
		struct bw_errbuf reb = {{0}};
		enum bw_err r = nsp_record(b, name, v, &reb);

		if (r == BW_ERR_DB || r == BW_ERR_NOMEM)
			return bw_fail(eb, r, "%s", bw_errmsg(&reb, r));
		if (r != BW_OK)
			BW_WARN("%s (key %s)", bw_errmsg(&reb, r), k);
	}
	return BW_OK;
}

/* rubysec.c - ruby-advisory-db YAML (gems/<gem>/<id>.yml): {gem, cve, ghsa,
 * title, date, cvss_v2/v3/v4 (scores only), patched_versions,
 * unaffected_versions (lists of RubyGems requirement strings)}. The ID is
 * CVE-<cve> when there is one, else GHSA-<ghsa>; the other becomes an alias.
 * Records for Ruby interpreters (rubies/, key "engine") have no gem and are
 * not read: they are not RubyGems packages. */
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

#define RUBYSEC_MAX_REQS 256

static enum bw_err req_list(const char *name, const json_t *rec, const char *key, json_t *out,
			    struct bw_errbuf *eb)
{
	json_t *l = json_object_get(rec, key), *v;
	size_t i;

	if (!l || json_is_null(l))
		return BW_OK;
	if (!json_is_array(l) || json_array_size(l) > RUBYSEC_MAX_REQS)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"%s\" is not a list of requirements", name,
			       key);
	json_array_foreach(l, i, v) {
		char num[64];
		const char *s = vdb_jscalar(v, num, sizeof(num));

		if (!s || strlen(s) > 256)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: %s[%zu] is not a requirement string",
				       name, key, i);
		if (json_array_append_new(out, json_string(s)) != 0)
			return BW_ERR_NOMEM;
	}
	return BW_OK;
}

static double score_of(const json_t *rec, const char *key)
{
	const char *s = vdb_jstr(rec, key);
	char *end;
	double d;

	if (!s || !*s)
		return -1;
	d = strtod(s, &end);
	return (*end == '\0' && d >= 0 && d <= 10) ? d : -1;
}

enum bw_err vdb_read_rubysec(struct vdb_builder *b, const char *name, json_t *root,
			     struct bw_errbuf *eb)
{
	enum bw_err result;
	struct bw_strv aliases = {0};
	struct vdb_b_adv a = {0};
	struct vdb_b_aff f = {0};
	const char *gem = vdb_jstr(root, "gem"), *cve = vdb_jstr(root, "cve");
	const char *ghsa = vdb_jstr(root, "ghsa");
	char id[96], alias[96], *dkey = NULL;
	json_t *cvss = NULL, *data = NULL;
	int64_t row = 0;
	double s;

	if (!gem || !*gem)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no \"gem\"", name);
	if (cve && *cve && strlen(cve) < 40)
		snprintf(id, sizeof(id), "CVE-%s", cve);
	else if (ghsa && *ghsa && strlen(ghsa) < 40)
		snprintf(id, sizeof(id), "GHSA-%s", ghsa);
	else {
		const char *base = strrchr(name, '/');

		base = base ? base + 1 : name;
		snprintf(id, sizeof(id), "RUBYSEC-%.40s", base);
		char *dot = strrchr(id, '.');

		if (dot && dot > id + 8)
			*dot = '\0';
	}
	if (cve && *cve && ghsa && *ghsa && strlen(ghsa) < 40) {
		snprintf(alias, sizeof(alias), "GHSA-%s", ghsa);
		result = bw_strv_push(&aliases, alias);
		if (result != BW_OK)
			goto out_release;
	}
	cvss = json_array();
	data = json_pack("{s:[], s:[]}", "patched", "unaffected");
	dkey = bw_strfmt("rubysec:%s:%s", gem, id);
	if (!cvss || !data || !dkey) {
		result = BW_ERR_NOMEM;
		goto out_release;
	}
	result = req_list(name, root, "patched_versions", json_object_get(data, "patched"), eb);
	if (result == BW_OK)
		result = req_list(name, root, "unaffected_versions",
				  json_object_get(data, "unaffected"), eb);
	if (result == BW_OK && (s = score_of(root, "cvss_v4")) >= 0)
		result = vdb_cvss_append(cvss, 4, NULL, s, "rubysec");
	if (result == BW_OK && (s = score_of(root, "cvss_v3")) >= 0)
		result = vdb_cvss_append(cvss, 3, NULL, s, "rubysec");
	if (result == BW_OK && (s = score_of(root, "cvss_v2")) >= 0)
		result = vdb_cvss_append(cvss, 2, NULL, s, "rubysec");
	if (result != BW_OK)
		goto out_release;
	a.id = id;
	a.aliases = &aliases;
	a.summary = vdb_jstr(root, "title");
	a.published = vdb_jstr(root, "date");
	a.cvss = cvss;
	a.dkey = dkey;
	a.kind = VDB_K_RUBYSEC;
	a.prio = 2;
	result = vdb_b_advisory(b, &a, &row, eb);
	if (result == BW_OK && row) {
		f.ecosystem = "RubyGems";
		f.name = gem;
		f.data = data;
		result = vdb_b_affected(b, row, &f, eb);
	}
out_release:
	json_decref(cvss);
	json_decref(data);
	free(dkey);
	bw_strv_release(&aliases);
	return result;
}

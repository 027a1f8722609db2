/* osv.c - OSV records (https://ossf.github.io/osv-schema/), from JSON files,
 * YAML files (converted by yaml.c) and all.zip members.
 *
 * Kept: id, aliases, summary (else the first line of details), published,
 * modified, severity[] CVSS vectors, database_specific.severity (GHSA's
 * text), and per affected[] package: ranges (type, repo, events in order),
 * versions, database_specific.informational (RustSec). Withdrawn records are
 * counted and left out. */
#include <string.h>

#include "vulndb/vulndb_int.h"

#define OSV_MAX_ALIASES  1024
#define OSV_MAX_AFFECTED 100000
#define OSV_MAX_RANGES   1024
#define OSV_MAX_EVENTS   16384
#define OSV_MAX_VERSIONS 200000
#define OSV_SUMMARY_MAX  240

static enum vdb_kind kind_of(const char *id)
{
	if (bw_str_starts_with(id, "GHSA-"))
		return VDB_K_OSV_GHSA;
	if (bw_str_starts_with(id, "GO-"))
		return VDB_K_OSV_GO;
	if (bw_str_starts_with(id, "PYSEC-"))
		return VDB_K_OSV_PYPA;
	if (bw_str_starts_with(id, "RUSTSEC-"))
		return VDB_K_OSV_RUSTSEC;
	return VDB_K_OSV_OTHER;
}

/* First line of details, cut at a UTF-8 character boundary. */
static char *summary_from_details(const char *d)
{
	size_t n = strcspn(d, "\r\n");

	if (n > OSV_SUMMARY_MAX) {
		n = OSV_SUMMARY_MAX;
		while (n > 0 && ((unsigned char)d[n] & 0xc0) == 0x80)
			n--;
	}
	return n ? bw_strndup(d, n) : NULL;
}

static enum bw_err osv_cvss(const json_t *rec, json_t *arr)
{
	json_t *sev = json_object_get(rec, "severity"), *s;
	size_t i;

	if (!json_is_array(sev))
		return BW_OK;
	json_array_foreach(sev, i, s) {
		const char *type = vdb_jstr(s, "type"), *score = vdb_jstr(s, "score");
		int ver;

		if (i >= 16 || !type || !score)
			break;
		if (strcmp(type, "CVSS_V2") == 0)
			ver = 2;
		else if (strcmp(type, "CVSS_V3") == 0)
			ver = 3;
		else if (strcmp(type, "CVSS_V4") == 0)
			ver = 4;
		else
			continue;
		if (vdb_cvss_append(arr, ver, score, -1, "osv") != BW_OK)
			return BW_ERR_NOMEM;
	}
	return BW_OK;
}

/* Validated copy of ranges[] and versions[] into data. */
static enum bw_err osv_ranges(const char *name, const char *id, const json_t *aff, json_t *data,
			      struct bw_errbuf *eb)
{
	json_t *ranges = json_object_get(aff, "ranges"), *versions = json_object_get(aff, "versions");
	json_t *out_r = json_array(), *out_v = json_array(), *r, *v;
	size_t i;

	if (!out_r || !out_v)
		goto out_nomem;
	json_object_set_new(data, "ranges", out_r);
	json_object_set_new(data, "versions", out_v);
	if (ranges && !json_is_array(ranges))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: affected.ranges is not an array", name, id);
	if (json_array_size(ranges) > OSV_MAX_RANGES)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: %s: more than %d ranges", name, id,
			       OSV_MAX_RANGES);
	json_array_foreach(ranges, i, r) {
		const char *type = vdb_jstr(r, "type"), *repo = vdb_jstr(r, "repo");
		json_t *evs = json_object_get(r, "events"), *ev, *nr, *ne;
		size_t j;

		if (!type || (strcmp(type, "SEMVER") && strcmp(type, "ECOSYSTEM") &&
			      strcmp(type, "GIT")))
			return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: ranges[%zu].type %s unknown", name,
				       id, i, type ? type : "missing");
		if (!json_is_array(evs) || json_array_size(evs) > OSV_MAX_EVENTS)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: ranges[%zu].events missing or too long",
				       name, id, i);
		nr = json_pack("{s:s, s:[]}", "type", type, "events");
		if (!nr)
			goto out_nomem;
		if (repo)
			json_object_set_new(nr, "repo", json_string(repo));
		json_array_append_new(out_r, nr);
		ne = json_object_get(nr, "events");
		json_array_foreach(evs, j, ev) {
			static const char *const keys[] = {"introduced", "fixed", "last_affected",
							   "limit"};
			bool found = false;

			for (size_t k = 0; k < 4 && !found; k++) {
				const char *val = vdb_jstr(ev, keys[k]);

				if (!val)
					continue;
				found = true;
				if (json_array_append_new(ne, json_pack("{s:s}", keys[k], val)) != 0)
					goto out_nomem;
			}
			if (!found)
				return bw_fail(eb, BW_ERR_FORMAT,
					       "%s: %s: ranges[%zu].events[%zu] has no known event",
					       name, id, i, j);
		}
	}
	if (versions && !json_is_array(versions))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: affected.versions is not an array", name,
			       id);
	if (json_array_size(versions) > OSV_MAX_VERSIONS)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: %s: more than %d versions", name, id,
			       OSV_MAX_VERSIONS);
	json_array_foreach(versions, i, v) {
		char num[64];
		const char *s = vdb_jscalar(v, num, sizeof(num));

		if (!s)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: versions[%zu] is not a string", name,
				       id, i);
		if (json_array_append_new(out_v, json_string(s)) != 0)
			goto out_nomem;
	}
	return BW_OK;

out_nomem:
	return BW_ERR_NOMEM;
}

static enum bw_err osv_record(struct vdb_builder *b, const char *name, const json_t *rec,
			      struct bw_errbuf *eb)
{
	enum bw_err result;
	struct bw_strv aliases = {0};
	struct vdb_b_adv a = {0};
	json_t *al, *v, *affected, *cvss = NULL, *dbs;
	char *summary = NULL, *dkey = NULL, sevsrc[32];
	int64_t row = 0;
	size_t i;

	a.id = vdb_jstr(rec, "id");
	if (!a.id || !*a.id)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: OSV record without a string \"id\"", name);
	if (json_object_get(rec, "withdrawn") && !json_is_null(json_object_get(rec, "withdrawn"))) {
		vdb_b_withdrawn(b);
		return BW_OK;
	}
	affected = json_object_get(rec, "affected");
	if (affected && !json_is_array(affected))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: \"affected\" is not an array", name, a.id);
	if (json_array_size(affected) > OSV_MAX_AFFECTED)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: %s: too many affected packages", name, a.id);
	al = json_object_get(rec, "aliases");
	json_array_foreach(al, i, v) {
		if (i >= OSV_MAX_ALIASES)
			break;
		if (json_is_string(v) && json_string_length(v) < 256 &&
		    strcmp(json_string_value(v), a.id) != 0 &&
		    !bw_strv_contains(&aliases, json_string_value(v))) {
			result = bw_strv_push(&aliases, json_string_value(v));
			if (result != BW_OK)
				goto out_release;
		}
	}
	bw_strv_sort(&aliases);
	a.aliases = &aliases;
	a.summary = vdb_jstr(rec, "summary");
	if ((!a.summary || !*a.summary) && vdb_jstr(rec, "details")) {
		summary = summary_from_details(vdb_jstr(rec, "details"));
		a.summary = summary;
	}
	a.published = vdb_jstr(rec, "published");
	a.modified = vdb_jstr(rec, "modified");
	dbs = json_object_get(rec, "database_specific");
	a.severity = vdb_jstr(dbs, "severity");
	if (a.severity) {
		size_t n = strcspn(a.id, "-");

		snprintf(sevsrc, sizeof(sevsrc), "%.*s", (int)(n < 16 ? n : 16), a.id);
		for (char *p = sevsrc; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		a.severity_source = sevsrc;
	}
	cvss = json_array();
	if (!cvss || osv_cvss(rec, cvss) != BW_OK) {
		result = BW_ERR_NOMEM;
		goto out_release;
	}
	a.cvss = cvss;
	dkey = bw_strfmt("osv:%s", a.id);
	if (!dkey) {
		result = BW_ERR_NOMEM;
		goto out_release;
	}
	a.dkey = dkey;
	a.kind = kind_of(a.id);
	a.prio = 0;
	result = vdb_b_advisory(b, &a, &row, eb);
	if (result != BW_OK || !row)
		goto out_release;
	json_array_foreach(affected, i, v) {
		json_t *pkg = json_object_get(v, "package"), *data;
		struct vdb_b_aff f = {0};
		struct bw_errbuf aeb = {{0}};
		enum bw_err r;

		f.ecosystem = vdb_jstr(pkg, "ecosystem");
		f.name = vdb_jstr(pkg, "name");
		if (!f.ecosystem || !f.name) {
			BW_WARN("%s: %s: affected[%zu].package has no ecosystem/name, skipped", name,
				a.id, i);
			continue;
		}
		f.informational = vdb_jstr(json_object_get(v, "database_specific"), "informational");
		/* OSV's Debian records carry the tracker's urgency here. */
		f.urgency = vdb_jstr(json_object_get(v, "ecosystem_specific"), "urgency");
		data = json_object();
		if (!data) {
			result = BW_ERR_NOMEM;
			break;
		}
		r = osv_ranges(name, a.id, v, data, &aeb);
		if (r == BW_OK) {
			f.data = data;
			r = vdb_b_affected(b, row, &f, &aeb);
		}
		json_decref(data);
		if (r == BW_ERR_DB || r == BW_ERR_NOMEM) {
			result = bw_fail(eb, r, "%s", bw_errmsg(&aeb, r));
			break;
		}
		if (r != BW_OK)
			BW_WARN("%s (affected[%zu] skipped)", bw_errmsg(&aeb, r), i);
	}
out_release:
	json_decref(cvss);
	free(summary);
	free(dkey);
	bw_strv_release(&aliases);
	return result;
}

enum bw_err vdb_read_osv_json(struct vdb_builder *b, const char *name, json_t *root,
			      struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	size_t i, bad = 0;
	json_t *rec;

	if (json_is_object(root))
		return osv_record(b, name, root, eb);
	json_array_foreach(root, i, rec) {
		struct bw_errbuf reb = {{0}};
		enum bw_err r = json_is_object(rec)
					? osv_record(b, name, rec, &reb)
					: bw_fail(&reb, BW_ERR_FORMAT, "%s: [%zu] is not an object", name, i);

		if (r == BW_ERR_DB || r == BW_ERR_NOMEM)
			return bw_fail(eb, r, "%s", bw_errmsg(&reb, r));
		if (r != BW_OK) {
			BW_WARN("%s", bw_errmsg(&reb, r));
			bad++;
		}
	}
	if (bad && bad == json_array_size(root))
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no record could be read", name);
	return result;
}

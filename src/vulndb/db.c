/* db.c - the read side: open a built database read-only, look up entries
 * by (ecosystem, package), KEV, EPSS, NVD CVSS, metadata and info. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vulndb/vulndb_int.h"

struct vdb {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st_lookup;
	sqlite3_stmt *st_kev;
	sqlite3_stmt *st_epss;
	sqlite3_stmt *st_nvd;
	sqlite3_stmt *st_eco;
	bool has_nvd; /* nvd_cvss has rows: else lookups skip its queries */
};

static enum bw_err rd_fail(struct vdb *db, struct bw_errbuf *eb, const char *what)
{
	return bw_fail(eb, BW_ERR_DB, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->db));
}

char *vdb_meta_get(struct vdb *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = bw_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

void vdb_close(struct vdb *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->st_lookup);
	sqlite3_finalize(db->st_kev);
	sqlite3_finalize(db->st_epss);
	sqlite3_finalize(db->st_nvd);
	sqlite3_finalize(db->st_eco);
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

enum bw_err vdb_open(const char *path, struct vdb **out, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	struct vdb *db;
	struct stat sb;
	char *ver = NULL;
	int64_t v;

	*out = NULL;
	if (!path || stat(path, &sb) != 0)
		return bw_fail(eb, BW_ERR_NOT_FOUND,
			       "%s: no vulnerability database (run `bulwark db update` or "
			       "`bulwark db build --from DIR`)",
			       path ? path : "(no path)");
	db = bw_calloc(1, sizeof(*db));
	if (!db)
		return BW_ERR_NOMEM;
	db->path = bw_strdup(path);
	if (!db->path) {
		free(db);
		return BW_ERR_NOMEM;
	}
	if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		result = rd_fail(db, eb, "open");
		goto out_close;
	}
	ver = vdb_meta_get(db, "schema_version");
	if (!ver) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a Bulwark vulnerability database", path);
		goto out_close;
	}
	if (bw_parse_i64(ver, 0, 1000000, &v) != BW_OK || v != VDB_SCHEMA_VERSION) {
		result = bw_fail(eb, BW_ERR_UNSUPPORTED,
				 "%s: schema version %s, this bulwark reads %d (rebuild it)", path, ver,
				 VDB_SCHEMA_VERSION);
		goto out_close;
	}
	if (sqlite3_prepare_v2(db->db,
			       "SELECT a.adv_id, a.aliases, f.grp, s.name, a.summary, a.published,"
			       " a.modified, a.severity, a.severity_source, a.cvss, f.informational,"
			       " f.data, f.status, f.fixed, f.urgency, f.pkg"
			       " FROM affected f JOIN advisories a ON a.id = f.adv"
			       " JOIN sources s ON s.id = a.source"
			       " WHERE f.ecosystem = ? AND f.name = ? ORDER BY f.grp, a.prio, a.adv_id",
			       -1, &db->st_lookup, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db, "SELECT date_added, ransomware FROM kev WHERE cve = ?", -1,
			       &db->st_kev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db, "SELECT score, percentile FROM epss WHERE cve = ?", -1,
			       &db->st_epss, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db,
			       "SELECT version, vector, score FROM nvd_cvss WHERE cve = ?"
			       " ORDER BY version DESC",
			       -1, &db->st_nvd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db, "SELECT 1 FROM affected WHERE ecosystem = ? LIMIT 1", -1,
			       &db->st_eco, NULL) != SQLITE_OK) {
		result = rd_fail(db, eb, "prepare");
		goto out_close;
	}
	free(ver);
	{
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM nvd_cvss LIMIT 1", -1, &st, NULL) ==
		    SQLITE_OK)
			db->has_nvd = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	*out = db;
	return BW_OK;

out_close:
	free(ver);
	vdb_close(db);
	return result;
}

int64_t vdb_age_seconds(struct vdb *db)
{
	char *s = vdb_meta_get(db, "built_at_epoch");
	int64_t t;

	if (!s)
		return -1;
	if (bw_parse_i64(s, 0, INT64_MAX, &t) != BW_OK) {
		free(s);
		return -1;
	}
	free(s);
	return (int64_t)time(NULL) - t;
}

bool vdb_has_ecosystem(struct vdb *db, const char *ecosystem)
{
	bool found;

	sqlite3_bind_text(db->st_eco, 1, ecosystem, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(db->st_eco) == SQLITE_ROW;
	sqlite3_reset(db->st_eco);
	return found;
}

/* ---- entries ---------------------------------------------------------------- */

void vdb_cvss_list_free(struct vdb_cvss *cvss, size_t n)
{
	for (size_t i = 0; cvss && i < n; i++) {
		free(cvss[i].vector);
		free(cvss[i].source);
	}
	free(cvss);
}

void vdb_entry_release(struct vdb_entry *e)
{
	if (!e)
		return;
	free(e->id);
	bw_strv_release(&e->aliases);
	free(e->group);
	free(e->source);
	free(e->summary);
	free(e->published);
	free(e->modified);
	free(e->severity);
	free(e->severity_source);
	vdb_cvss_list_free(e->cvss, e->n_cvss);
	free(e->informational);
	free(e->ecosystem);
	free(e->package);
	for (size_t i = 0; i < e->n_ranges; i++) {
		free(e->ranges[i].repo);
		for (size_t j = 0; j < e->ranges[i].n_events; j++)
			free(e->ranges[i].events[j].version);
		free(e->ranges[i].events);
	}
	free(e->ranges);
	bw_strv_release(&e->versions);
	bw_strv_release(&e->vulnerable);
	bw_strv_release(&e->patched);
	bw_strv_release(&e->unaffected);
	free(e->fixed_version);
	free(e->urgency);
	memset(e, 0, sizeof(*e));
}

void vdb_entry_list_release(struct vdb_entry_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		vdb_entry_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? bw_strdup(s) : NULL;
}

static enum bw_err strv_from_json(struct bw_strv *sv, const json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && bw_strv_push(sv, json_string_value(v)) != BW_OK)
			return BW_ERR_NOMEM;
	}
	return BW_OK;
}

static enum bw_err cvss_push(struct vdb_entry *e, int version, const char *vector, double score,
			     const char *source)
{
	struct vdb_cvss *n = bw_reallocarray(e->cvss, e->n_cvss + 1, sizeof(*n));

	if (!n)
		return BW_ERR_NOMEM;
	e->cvss = n;
	n = &e->cvss[e->n_cvss];
	memset(n, 0, sizeof(*n));
	n->version = (enum vdb_cvss_version)version;
	n->vector = vector ? bw_strdup(vector) : NULL;
	n->score = score;
	n->source = bw_strdup(source ? source : "?");
	e->n_cvss++;
	return BW_OK;
}

static enum bw_err add_nvd(struct vdb *db, struct vdb_entry *e, const char *cve)
{
	enum bw_err result = BW_OK;

	if (!db->has_nvd || !vdb_is_cve(cve))
		return BW_OK;
	sqlite3_bind_text(db->st_nvd, 1, cve, -1, SQLITE_TRANSIENT);
	while (result == BW_OK && sqlite3_step(db->st_nvd) == SQLITE_ROW) {
		result = cvss_push(e, sqlite3_column_int(db->st_nvd, 0),
				   (const char *)sqlite3_column_text(db->st_nvd, 1),
				   sqlite3_column_type(db->st_nvd, 2) == SQLITE_NULL
					   ? -1
					   : sqlite3_column_double(db->st_nvd, 2),
				   "nvd");
	}
	sqlite3_reset(db->st_nvd);
	return result;
}

static enum bw_err parse_ranges(struct vdb_entry *e, const json_t *ranges)
{
	size_t i, j;
	json_t *r, *ev;

	if (!json_array_size(ranges))
		return BW_OK;
	e->ranges = bw_calloc(json_array_size(ranges), sizeof(*e->ranges));
	if (!e->ranges)
		return BW_ERR_NOMEM;
	json_array_foreach(ranges, i, r) {
		struct vdb_range *vr = &e->ranges[e->n_ranges++];
		const char *type = vdb_jstr(r, "type");
		json_t *evs = json_object_get(r, "events");

		vr->type = type && strcmp(type, "SEMVER") == 0  ? VDB_RANGE_SEMVER
			   : type && strcmp(type, "GIT") == 0 ? VDB_RANGE_GIT
							      : VDB_RANGE_ECOSYSTEM;
		vr->repo = vdb_jstr(r, "repo") ? bw_strdup(vdb_jstr(r, "repo")) : NULL;
		if (!json_array_size(evs))
			continue;
		vr->events = bw_calloc(json_array_size(evs), sizeof(*vr->events));
		if (!vr->events)
			return BW_ERR_NOMEM;
		json_array_foreach(evs, j, ev) {
			static const char *const keys[] = {"introduced", "fixed", "last_affected",
							   "limit"};

			for (int k = 0; k < 4; k++) {
				const char *val = vdb_jstr(ev, keys[k]);

				if (!val)
					continue;
				vr->events[vr->n_events].kind = (enum vdb_event_kind)k;
				vr->events[vr->n_events].version = bw_strdup(val);
				if (!vr->events[vr->n_events].version)
					return BW_ERR_NOMEM;
				vr->n_events++;
				break;
			}
		}
	}
	return BW_OK;
}

static enum bw_err fill_entry(struct vdb *db, sqlite3_stmt *st, const char *ecosystem,
			      struct vdb_entry *e)
{
	enum bw_err result = BW_OK;
	json_t *j;

	e->id = col_dup(st, 0);
	e->group = col_dup(st, 2);
	e->source = col_dup(st, 3);
	e->summary = col_dup(st, 4);
	e->published = col_dup(st, 5);
	e->modified = col_dup(st, 6);
	e->severity = col_dup(st, 7);
	e->severity_source = col_dup(st, 8);
	e->informational = col_dup(st, 10);
	e->status = (enum vdb_fix_status)sqlite3_column_int(st, 12);
	e->fixed_version = col_dup(st, 13);
	e->urgency = col_dup(st, 14);
	e->ecosystem = bw_strdup(ecosystem);
	e->package = col_dup(st, 15);
	if (!e->id || !e->ecosystem || !e->package)
		return BW_ERR_NOMEM;
	if (!e->group)
		e->group = bw_strdup(e->id);
	j = sqlite3_column_text(st, 1) ? json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL)
				       : NULL;
	result = strv_from_json(&e->aliases, j);
	json_decref(j);
	j = sqlite3_column_text(st, 9) ? json_loads((const char *)sqlite3_column_text(st, 9), 0, NULL)
				       : NULL;
	if (result == BW_OK && json_is_array(j)) {
		size_t i;
		json_t *c;

		json_array_foreach(j, i, c) {
			json_t *sc = json_object_get(c, "score");

			result = cvss_push(e, (int)bw_json_int(c, "version", 3), vdb_jstr(c, "vector"),
					   json_is_number(sc) ? json_number_value(sc) : -1,
					   vdb_jstr(c, "source"));
			if (result != BW_OK)
				break;
		}
	}
	json_decref(j);
	if (result == BW_OK)
		result = add_nvd(db, e, e->id);
	for (size_t i = 0; result == BW_OK && i < e->aliases.n; i++)
		result = add_nvd(db, e, e->aliases.v[i]);
	j = sqlite3_column_text(st, 11) ? json_loads((const char *)sqlite3_column_text(st, 11), 0, NULL)
					: NULL;
	if (result == BW_OK && j) {
		result = parse_ranges(e, json_object_get(j, "ranges"));
		if (result == BW_OK)
			result = strv_from_json(&e->versions, json_object_get(j, "versions"));
		if (result == BW_OK)
			result = strv_from_json(&e->vulnerable, json_object_get(j, "vulnerable"));
		if (result == BW_OK)
			result = strv_from_json(&e->patched, json_object_get(j, "patched"));
		if (result == BW_OK)
			result = strv_from_json(&e->unaffected, json_object_get(j, "unaffected"));
	}
	json_decref(j);
	return result;
}

enum bw_err vdb_lookup(struct vdb *db, const char *ecosystem, const char *name,
		       struct vdb_entry_list *out, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	char key[1024];
	int rc;

	if (!ecosystem || !name)
		return bw_fail(eb, BW_ERR_USAGE, "vdb_lookup: no ecosystem or name");
	if (strlen(name) >= sizeof(key))
		return BW_OK; /* no stored name is that long */
	vdb_name_key(ecosystem, name, key, sizeof(key));
	sqlite3_bind_text(db->st_lookup, 1, ecosystem, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(db->st_lookup, 2, key, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(db->st_lookup)) == SQLITE_ROW) {
		struct vdb_entry *n = bw_reallocarray(out->v, out->n + 1, sizeof(*n));

		if (!n) {
			result = BW_ERR_NOMEM;
			break;
		}
		out->v = n;
		memset(&out->v[out->n], 0, sizeof(*n));
		result = fill_entry(db, db->st_lookup, ecosystem, &out->v[out->n]);
		out->n++;
		if (result != BW_OK)
			break;
	}
	if (result == BW_OK && rc != SQLITE_DONE)
		result = rd_fail(db, eb, "lookup");
	sqlite3_reset(db->st_lookup);
	return result;
}

enum bw_err vdb_kev_get(struct vdb *db, const char *cve, struct vdb_kev *out,
			struct bw_errbuf *eb)
{
	enum bw_err result = BW_ERR_NOT_FOUND;
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_text(db->st_kev, 1, cve, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(db->st_kev);
	if (rc == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(db->st_kev, 0);
		const char *r = (const char *)sqlite3_column_text(db->st_kev, 1);

		bw_strlcpy(out->date_added, d ? d : "", sizeof(out->date_added));
		bw_strlcpy(out->ransomware, r ? r : "", sizeof(out->ransomware));
		out->known_ransomware = r && strcmp(r, "Known") == 0;
		result = BW_OK;
	} else if (rc != SQLITE_DONE) {
		result = rd_fail(db, eb, "kev");
	}
	sqlite3_reset(db->st_kev);
	return result;
}

enum bw_err vdb_epss_get(struct vdb *db, const char *cve, double *score, double *percentile,
			 struct bw_errbuf *eb)
{
	enum bw_err result = BW_ERR_NOT_FOUND;
	int rc;

	sqlite3_bind_text(db->st_epss, 1, cve, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(db->st_epss);
	if (rc == SQLITE_ROW) {
		*score = sqlite3_column_double(db->st_epss, 0);
		*percentile = sqlite3_column_double(db->st_epss, 1);
		result = BW_OK;
	} else if (rc != SQLITE_DONE) {
		result = rd_fail(db, eb, "epss");
	}
	sqlite3_reset(db->st_epss);
	return result;
}

enum bw_err vdb_nvd_cvss(struct vdb *db, const char *cve, struct vdb_cvss **cvss, size_t *n,
			 struct bw_errbuf *eb)
{
	struct vdb_entry tmp = {0};
	enum bw_err result;

	(void)eb;
	tmp.cvss = *cvss;
	tmp.n_cvss = *n;
	result = add_nvd(db, &tmp, cve);
	*cvss = tmp.cvss;
	*n = tmp.n_cvss;
	return result;
}

/* ---- info -------------------------------------------------------------------- */

static json_int_t count_of(struct vdb *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	json_int_t n = 0;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

enum bw_err vdb_info_json(struct vdb *db, json_t **out, struct bw_errbuf *eb)
{
	json_t *o, *counts, *ecos, *srcs;
	sqlite3_stmt *st = NULL;
	char *built = vdb_meta_get(db, "built_at"), *ver = vdb_meta_get(db, "schema_version");
	struct stat sb;

	*out = NULL;
	o = json_object();
	counts = json_object();
	ecos = json_object();
	srcs = json_array();
	if (!o || !counts || !ecos || !srcs) {
		json_decref(o);
		json_decref(counts);
		json_decref(ecos);
		json_decref(srcs);
		free(built);
		free(ver);
		return BW_ERR_NOMEM;
	}
	json_object_set_new(o, "path", json_string(db->path));
	{
		int64_t v = 0;

		if (ver && bw_parse_i64(ver, 0, 1000000, &v) != BW_OK)
			v = 0;
		json_object_set_new(o, "schema_version", json_integer(v));
	}
	json_object_set_new(o, "built_at", built ? json_string(built) : json_null());
	json_object_set_new(o, "age_seconds", json_integer(vdb_age_seconds(db)));
	json_object_set_new(o, "size", json_integer(stat(db->path, &sb) == 0 ? sb.st_size : -1));
	json_object_set_new(counts, "advisories", json_integer(count_of(db, "SELECT count(*) FROM advisories")));
	json_object_set_new(counts, "affected", json_integer(count_of(db, "SELECT count(*) FROM affected")));
	json_object_set_new(counts, "kev", json_integer(count_of(db, "SELECT count(*) FROM kev")));
	json_object_set_new(counts, "epss", json_integer(count_of(db, "SELECT count(*) FROM epss")));
	json_object_set_new(counts, "nvd", json_integer(count_of(db, "SELECT count(DISTINCT cve) FROM nvd_cvss")));
	json_object_set_new(o, "counts", counts);
	if (sqlite3_prepare_v2(db->db, "SELECT name, affected FROM ecosystems ORDER BY name", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(ecos, (const char *)sqlite3_column_text(st, 0),
					    json_integer(sqlite3_column_int64(st, 1)));
	}
	sqlite3_finalize(st);
	st = NULL;
	json_object_set_new(o, "ecosystems", ecos);
	if (sqlite3_prepare_v2(db->db,
			       "SELECT name, kinds, path, url, repo, commit_id, license, attribution,"
			       " files, bad_files, records, withdrawn FROM sources ORDER BY id",
			       -1, &st, NULL) == SQLITE_OK) {
		static const char *const keys[] = {"name",	  "kind",	  "path",    "url",
						   "repo",	  "commit",	  "license", "attribution",
						   "files",	  "bad_files", "records", "withdrawn"};

		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *s = json_object();

			for (int i = 0; s && i < 12; i++)
				json_object_set_new(s, keys[i], col_json(st, i));
			json_array_append_new(srcs, s);
		}
	}
	sqlite3_finalize(st);
	json_object_set_new(o, "sources", srcs);
	free(built);
	free(ver);
	(void)eb;
	*out = o;
	return BW_OK;
}

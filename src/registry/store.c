/* store.c - results of `bulwark registry scan` in SQLite, by manifest
 * digest: each digest is scanned once; tags point at digests. Each image
 * row records which vulnerability database its findings came from (db_id,
 * db_built_at), so a newer database re-matches the stored SBOM instead of
 * downloading the image again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "registry.h"

struct registry_store {
	sqlite3 *db;
	char *path;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE IF NOT EXISTS images ("
	" digest TEXT PRIMARY KEY, scanned_at TEXT NOT NULL, sbom_json TEXT NOT NULL,"
	" packages INTEGER NOT NULL, matched INTEGER NOT NULL, findings_json TEXT,"
	" critical INTEGER, high INTEGER, medium INTEGER, low INTEGER, negligible INTEGER,"
	" unknown INTEGER);"
	"CREATE TABLE IF NOT EXISTS tags ("
	" host TEXT NOT NULL, repo TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,"
	" seen_at TEXT NOT NULL, PRIMARY KEY (host, repo, tag));";

/* Columns added after the first release of the store, added to older files
 * when they are opened. */
static const char *const added_columns[][2] = {
	{"db_id", "ALTER TABLE images ADD COLUMN db_id TEXT"},
	{"db_built_at", "ALTER TABLE images ADD COLUMN db_built_at TEXT"},
	{"matched_at", "ALTER TABLE images ADD COLUMN matched_at TEXT"},
};

char *registry_store_default_path(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");

	if (x && x[0] == '/')
		return bw_strfmt("%s/bulwark/registry.sqlite", x);
	if (h && *h)
		return bw_strfmt("%s/.cache/bulwark/registry.sqlite", h);
	return NULL;
}

void registry_store_close(struct registry_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static enum bw_err db_fail(struct registry_store *s, struct bw_errbuf *eb, const char *what)
{
	return bw_fail(eb, BW_ERR_DB, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* mkdir of path's parent (one level, the cache dir's bulwark/). */
static void make_parent(const char *path)
{
	char dir[4096];

	bw_strlcpy(dir, path, sizeof(dir));
	char *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno == ENOENT) {
			char *up = strrchr(dir, '/');

			if (up && up != dir) {
				*up = '\0';
				(void)mkdir(dir, 0755);
				*up = '/';
				(void)mkdir(dir, 0755);
			}
		}
	}
}

static bool has_column(struct registry_store *s, const char *name)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM pragma_table_info('images') WHERE name = ?",
			       -1, &st, NULL))
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

enum bw_err registry_store_open(const char *path, bool create, struct registry_store **out,
				struct bw_errbuf *eb)
{
	struct registry_store *s;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	char *err = NULL;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = bw_strdup(path))) {
		free(s);
		return BW_ERR_NOMEM;
	}
	if (create)
		make_parent(path);
	else if (access(path, F_OK) != 0) {
		registry_store_close(s);
		return bw_fail(eb, BW_ERR_NOT_FOUND, "%s: no registry store (run `bulwark registry "
				     "scan` first)", path);
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		enum bw_err result = db_fail(s, eb, "open");

		registry_store_close(s);
		return result;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if (sqlite3_exec(s->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		enum bw_err result = bw_fail(eb, BW_ERR_DB, "%s: schema: %s", path,
					     err ? err : "error");

		sqlite3_free(err);
		registry_store_close(s);
		return result;
	}
	for (size_t i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]); i++) {
		if (has_column(s, added_columns[i][0]))
			continue;
		if (sqlite3_exec(s->db, added_columns[i][1], NULL, NULL, NULL) != SQLITE_OK) {
			enum bw_err result = db_fail(s, eb, "add column");

			registry_store_close(s);
			return result;
		}
	}
	*out = s;
	return BW_OK;
}

bool registry_store_has(struct registry_store *s, const char *digest)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM images WHERE digest = ?", -1, &st, NULL))
		return false;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Binds an image's match result to the ten parameters from first on, in the
 * images table's column order: findings_json, critical, high, medium, low,
 * negligible, unknown, db_id, db_built_at, matched_at (now). The last three
 * stay NULL when the image was not matched against a database. */
static void bind_match(sqlite3_stmt *st, int first, const struct registry_store_image *im,
		       const char *now)
{
	if (im->findings_json)
		sqlite3_bind_text(st, first, im->findings_json, -1, SQLITE_STATIC);
	for (int i = 0; i < 6; i++)
		sqlite3_bind_int64(st, first + 1 + i, (sqlite3_int64)im->counts[5 - i]);
	if (im->matched && im->db_id) {
		sqlite3_bind_text(st, first + 7, im->db_id, -1, SQLITE_STATIC);
		if (im->db_built_at)
			sqlite3_bind_text(st, first + 8, im->db_built_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, first + 9, now, -1, SQLITE_STATIC);
	}
}

enum bw_err registry_store_put_image(struct registry_store *s,
				     const struct registry_store_image *im, struct bw_errbuf *eb)
{
	sqlite3_stmt *st;
	char now[40];
	int rc;

	bw_time_rfc3339(now, sizeof(now));
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO images (digest, scanned_at, sbom_json, "
			       "packages, matched, findings_json, critical, high, medium, low, "
			       "negligible, unknown, db_id, db_built_at, matched_at) "
			       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL))
		return db_fail(s, eb, "insert image");
	sqlite3_bind_text(st, 1, im->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, im->sbom_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)im->packages);
	sqlite3_bind_int(st, 5, im->matched);
	bind_match(st, 6, im, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? BW_OK : db_fail(s, eb, "insert image");
}

enum bw_err registry_store_put_match(struct registry_store *s,
				     const struct registry_store_image *im, struct bw_errbuf *eb)
{
	sqlite3_stmt *st;
	char now[40];
	int rc;

	bw_time_rfc3339(now, sizeof(now));
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE images SET matched = ?, findings_json = ?, critical = ?, "
			       "high = ?, medium = ?, low = ?, negligible = ?, unknown = ?, "
			       "db_id = ?, db_built_at = ?, matched_at = ? WHERE digest = ?",
			       -1, &st, NULL))
		return db_fail(s, eb, "update findings");
	sqlite3_bind_int(st, 1, im->matched);
	bind_match(st, 2, im, now);
	sqlite3_bind_text(st, 12, im->digest, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, eb, "update findings");
	if (sqlite3_changes(s->db) != 1)
		return bw_fail(eb, BW_ERR_NOT_FOUND, "%s: %s is not in the store", s->path,
			       im->digest);
	return BW_OK;
}

enum bw_err registry_store_get_image(struct registry_store *s, const char *digest,
				     char **sbom_json, char **db_id, struct bw_errbuf *eb)
{
	sqlite3_stmt *st;
	enum bw_err result = BW_OK;
	int rc;

	*sbom_json = NULL;
	if (db_id)
		*db_id = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT sbom_json, db_id, matched FROM images WHERE digest = ?",
			       -1, &st, NULL))
		return db_fail(s, eb, "read image");
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *j = (const char *)sqlite3_column_text(st, 0);
		const char *d = (const char *)sqlite3_column_text(st, 1);

		if (!(*sbom_json = bw_strdup(j ? j : "")))
			result = BW_ERR_NOMEM;
		if (!result && db_id && d && sqlite3_column_int(st, 2) && !(*db_id = bw_strdup(d)))
			result = BW_ERR_NOMEM;
	} else if (rc == SQLITE_DONE) {
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "%s: %s is not in the store", s->path, digest);
	} else {
		result = db_fail(s, eb, "read image");
	}
	sqlite3_finalize(st);
	if (result) {
		free(*sbom_json);
		*sbom_json = NULL;
		if (db_id) {
			free(*db_id);
			*db_id = NULL;
		}
	}
	return result;
}

enum bw_err registry_store_tags(struct registry_store *s, const char *host,
				registry_store_tag_fn fn, void *ctx, struct bw_errbuf *eb)
{
	sqlite3_stmt *st;
	enum bw_err result = BW_OK;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT repo, tag, digest FROM tags WHERE host = ? ORDER BY repo, tag",
			       -1, &st, NULL))
		return db_fail(s, eb, "list tags");
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	while (!result && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *repo = (const char *)sqlite3_column_text(st, 0);
		const char *tag = (const char *)sqlite3_column_text(st, 1);
		const char *digest = (const char *)sqlite3_column_text(st, 2);

		result = fn(ctx, repo ? repo : "", tag ? tag : "", digest ? digest : "", eb);
	}
	if (!result && rc != SQLITE_DONE)
		result = db_fail(s, eb, "list tags");
	sqlite3_finalize(st);
	return result;
}

enum bw_err registry_store_put_tag(struct registry_store *s, const char *host, const char *repo,
				   const char *tag, const char *digest, struct bw_errbuf *eb)
{
	sqlite3_stmt *st;
	char now[40];
	int rc;

	bw_time_rfc3339(now, sizeof(now));
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO tags (host, repo, tag, digest, seen_at) "
			       "VALUES (?,?,?,?,?)",
			       -1, &st, NULL))
		return db_fail(s, eb, "insert tag");
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, repo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? BW_OK : db_fail(s, eb, "insert tag");
}

enum bw_err registry_store_report(struct registry_store *s, const char *host,
				  registry_store_row_fn fn, void *ctx, struct bw_errbuf *eb)
{
	sqlite3_stmt *st;
	enum bw_err result = BW_OK;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT t.repo, t.tag, t.digest, i.packages, i.matched, "
			       "i.critical, i.high, i.medium, i.low, i.negligible, i.unknown, "
			       "i.findings_json FROM tags t JOIN images i ON i.digest = t.digest "
			       "WHERE t.host = ? ORDER BY t.repo, t.tag",
			       -1, &st, NULL))
		return db_fail(s, eb, "report");
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !result) {
		struct registry_store_image im = {0};
		const char *repo = (const char *)sqlite3_column_text(st, 0);
		const char *tag = (const char *)sqlite3_column_text(st, 1);

		im.digest = (const char *)sqlite3_column_text(st, 2);
		im.packages = (size_t)sqlite3_column_int64(st, 3);
		im.matched = sqlite3_column_int(st, 4);
		for (int i = 0; i < 6; i++)
			im.counts[5 - i] = (size_t)sqlite3_column_int64(st, 5 + i);
		im.findings_json = (const char *)sqlite3_column_text(st, 11);
		result = fn(ctx, repo ? repo : "", tag ? tag : "", &im, eb);
	}
	if (!result && rc != SQLITE_DONE && rc != SQLITE_ROW)
		result = db_fail(s, eb, "report");
	sqlite3_finalize(st);
	return result;
}

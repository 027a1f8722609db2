/* rpm_sqlite.c - rpm's SQLite package database (rpmdb.sqlite: rpm >= 4.16,
 * Fedora 33+, RHEL 9, CBL-Mariner, Amazon Linux 2023).
 *
 * rpm's lib/backend/sqlite.c keeps the headers in
 *   CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,
 *                          blob BLOB NOT NULL)
 * and the secondary indexes (Name, Basenames, ...) in other tables we do
 * not need.
 *
 * The file is hostile: it is opened from memory with sqlite3_deserialize
 * (no temporary file, nothing written), read-only, with the defensive
 * flag, no extension loading, untrusted schema, bounded lengths and a
 * progress handler that stops runaway queries. rpm leaves its databases in
 * WAL mode; a deserialized database must not be, so the copy we hand to
 * SQLite has the WAL bytes of its header (18, 19) set back to 1. Pages still
 * in an rpmdb.sqlite-wal file are not seen (rpm checkpoints on close).
 */
#include <sqlite3.h>
#include <string.h>
#include <strings.h>

#include "sbom/rpm_int.h"
#include "sbom/sbom.h"

/* SQLite virtual-machine steps between progress callbacks, and how many
 * callbacks a scan may take: generous for the largest real rpmdb
 * (thousands of rows), far below a hostile endless query. */
#define SQL_PROGRESS_STEPS 10000
#define SQL_PROGRESS_MAX 10000

struct sql_budget {
	unsigned calls;
};

static int sql_progress(void *arg)
{
	struct sql_budget *b = arg;

	return ++b->calls > SQL_PROGRESS_MAX;
}

static enum bw_err sql_open(const char *data, size_t n, const char *path, sqlite3 **out,
			    struct sql_budget *budget, struct bw_errbuf *eb)
{
	unsigned char *copy;
	sqlite3 *db = NULL;
	int rc;

	*out = NULL;
	if (n < 100 || memcmp(data, "SQLite format 3", 16) != 0)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not an SQLite 3 database (bad header)", path);
	rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_PRIVATECACHE,
			     NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return bw_fail(eb, rc == SQLITE_NOMEM ? BW_ERR_NOMEM : BW_ERR_DB,
			       "%s: sqlite3_open: %s", path, sqlite3_errstr(rc));
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)SBOM_RPM_HEADER_MAX);
	sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_progress_handler(db, SQL_PROGRESS_STEPS, sql_progress, budget);

	copy = sqlite3_malloc64(n);
	if (!copy) {
		sqlite3_close(db);
		return BW_ERR_NOMEM;
	}
	memcpy(copy, data, n);
	/* file format write/read versions: 2 = WAL, 1 = rollback journal */
	if (copy[18] == 2)
		copy[18] = 1;
	if (copy[19] == 2)
		copy[19] = 1;
	rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)n, (sqlite3_int64)n,
				 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
	if (rc != SQLITE_OK) {
		/* with FREEONCLOSE the copy is SQLite's even on failure */
		sqlite3_close(db);
		return bw_fail(eb, rc == SQLITE_NOMEM ? BW_ERR_NOMEM : BW_ERR_FORMAT,
			       "%s: sqlite3_deserialize: %s", path, sqlite3_errstr(rc));
	}
	/* SQLite's advice for untrusted files ("Defense Against the Dark
	 * Arts"): check cell sizes as pages are read, so corruption is
	 * caught early */
	rc = sqlite3_exec(db, "PRAGMA cell_size_check = ON", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return bw_fail(eb, rc == SQLITE_NOMEM ? BW_ERR_NOMEM : BW_ERR_DB,
			       "%s: PRAGMA cell_size_check: %s", path, sqlite3_errstr(rc));
	}
	*out = db;
	return BW_OK;
}

static enum bw_err sql_error(sqlite3 *db, int rc, const char *path, const char *what,
			     struct bw_errbuf *eb)
{
	if (rc == SQLITE_NOMEM)
		return BW_ERR_NOMEM;
	if (rc == SQLITE_INTERRUPT)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: %s: query stopped (work limit)", path, what);
	return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

/* The Packages table must be an ordinary table (not a view, not a virtual
 * table whose module would run on hostile data). */
static enum bw_err sql_check_schema(sqlite3 *db, const char *path, struct bw_errbuf *eb)
{
	enum bw_err result;
	sqlite3_stmt *st = NULL;
	const char *sql;
	int rc;

	rc = sqlite3_prepare_v2(db,
				"SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'Packages'",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_error(db, rc, path, "reading the schema", eb);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no Packages table", path);
		goto out_stmt;
	}
	if (rc != SQLITE_ROW) {
		result = sql_error(db, rc, path, "reading the schema", eb);
		goto out_stmt;
	}
	sql = (const char *)sqlite3_column_text(st, 0);
	if (!sql || strncasecmp(sql, "CREATE TABLE", 12) != 0) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: Packages is not an ordinary table", path);
		goto out_stmt;
	}
	result = BW_OK;
out_stmt:
	sqlite3_finalize(st);
	return result;
}

enum bw_err sbom_parse_rpm_sqlite(struct sbom *sb, const char *data, size_t n, const char *path,
			const char *layer, struct bw_errbuf *eb)
{
	struct sbom_rpm_sink sk = { .sb = sb, .layer = layer };

	if (BW_NEVER(!sb))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_parse_rpm_sqlite: NULL argument");
	return sbom_rpm_read_sqlite(&sk, data, n, path, eb);
}

enum bw_err sbom_rpm_read_sqlite(const struct sbom_rpm_sink *sk, const char *data, size_t n,
		      const char *path, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct sql_budget budget = { 0 };
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc;

	if (BW_NEVER(!sk || !sk->sb || (!data && n)))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_rpm_read_sqlite: NULL argument");
	if (!path)
		path = "rpmdb.sqlite";
	result = sql_open(data, n, path, &db, &budget, eb);
	if (result != BW_OK)
		return result;
	result = sql_check_schema(db, path, eb);
	if (result != BW_OK)
		goto out_db;
	rc = sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		result = sql_error(db, rc, path, "Packages", eb);
		goto out_db;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 hnum = sqlite3_column_int64(st, 0);
		const void *blob = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1);

		if (len <= 0 || !blob) {
			sbom_rpm_sink_warn(sk, "%s: record %lld: empty blob; record skipped",
				      path, (long long)hnum);
			continue;
		}
		result = sbom_rpm_sink_record(sk, blob, (size_t)len, path, "record",
					     (unsigned long long)hnum);
		if (result != BW_OK) {
			if (result == BW_ERR_LIMIT)
				result = bw_fail(eb, result, "%s: more packages than an sbom holds",
						 path);
			goto out_stmt;
		}
	}
	if (rc != SQLITE_DONE) {
		result = sql_error(db, rc, path, "reading Packages", eb);
		goto out_stmt;
	}
	result = BW_OK;
out_stmt:
	sqlite3_finalize(st);
out_db:
	sqlite3_close(db);
	return result;
}

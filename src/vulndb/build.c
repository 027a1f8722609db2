/* build.c - the database builder: schema, record inserts (one transaction,
 * prepared statements), walking feed paths, provenance, alias groups and the
 * atomic swap into place. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vulndb/vulndb_int.h"

#define VDB_MAX_WALK_DEPTH 32

struct vdb_builder {
	sqlite3 *db;
	char *path;
	char *tmp;
	sqlite3_stmt *st_adv;
	sqlite3_stmt *st_aff;
	sqlite3_stmt *st_kev;
	sqlite3_stmt *st_epss;
	sqlite3_stmt *st_nvd;
	sqlite3_stmt *st_dkey;
	sqlite3_stmt *st_del_aff;
	sqlite3_stmt *st_del_adv;
	int64_t source;          /* current sources row */
	unsigned kinds;          /* bit per enum vdb_kind seen in the source */
	struct vdb_build_stats src; /* counts of the current source */
	struct vdb_build_stats st;  /* totals */
};

static const char *const schema_sql =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE sources(id INTEGER PRIMARY KEY, name TEXT, path TEXT, url TEXT,"
	" repo TEXT, commit_id TEXT, license TEXT, attribution TEXT, kinds TEXT,"
	" files INTEGER, bad_files INTEGER, records INTEGER, withdrawn INTEGER);"
	"CREATE TABLE advisories(id INTEGER PRIMARY KEY, source INTEGER NOT NULL,"
	" adv_id TEXT NOT NULL, aliases TEXT, summary TEXT, published TEXT, modified TEXT,"
	" severity TEXT, severity_source TEXT, cvss TEXT, prio INTEGER, dkey TEXT UNIQUE);"
	"CREATE TABLE affected(id INTEGER PRIMARY KEY, adv INTEGER NOT NULL,"
	" ecosystem TEXT NOT NULL, name TEXT NOT NULL, pkg TEXT, grp TEXT,"
	" informational TEXT, data TEXT, status INTEGER, fixed TEXT, urgency TEXT);"
	"CREATE INDEX affected_adv ON affected(adv);"
	"CREATE TABLE kev(cve TEXT PRIMARY KEY, date_added TEXT, ransomware TEXT,"
	" name TEXT) WITHOUT ROWID;"
	"CREATE TABLE epss(cve TEXT PRIMARY KEY, score REAL, percentile REAL) WITHOUT ROWID;"
	"CREATE TABLE nvd_cvss(cve TEXT NOT NULL, version INTEGER, vector TEXT, score REAL,"
	" severity TEXT);"
	"CREATE TABLE ecosystems(name TEXT PRIMARY KEY, affected INTEGER) WITHOUT ROWID;";

static enum bw_err db_fail(struct vdb_builder *b, struct bw_errbuf *eb, const char *what)
{
	return bw_fail(eb, BW_ERR_DB, "%s: %s: %s", b->tmp ? b->tmp : "vulndb", what,
		       sqlite3_errmsg(b->db));
}

static enum bw_err prep(struct vdb_builder *b, const char *sql, sqlite3_stmt **st,
			struct bw_errbuf *eb)
{
	if (sqlite3_prepare_v2(b->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(b, eb, "prepare");
	return BW_OK;
}

static enum bw_err exec(struct vdb_builder *b, const char *sql, struct bw_errbuf *eb)
{
	if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(b, eb, sql);
	return BW_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void builder_free(struct vdb_builder *b)
{
	if (!b)
		return;
	sqlite3_finalize(b->st_adv);
	sqlite3_finalize(b->st_aff);
	sqlite3_finalize(b->st_kev);
	sqlite3_finalize(b->st_epss);
	sqlite3_finalize(b->st_nvd);
	sqlite3_finalize(b->st_dkey);
	sqlite3_finalize(b->st_del_aff);
	sqlite3_finalize(b->st_del_adv);
	sqlite3_close(b->db);
	free(b->path);
	free(b->tmp);
	free(b);
}

/* Open file (the temporary path, or ":memory:") and prepare the schema and
 * the statements. */
static enum bw_err builder_open(struct vdb_builder *b, const char *file, struct bw_errbuf *eb)
{
	enum bw_err result;

	if (sqlite3_open_v2(file, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		return db_fail(b, eb, "open");
	result = exec(b, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
		      " PRAGMA page_size=8192; PRAGMA cache_size=-65536;", eb);
	if (result == BW_OK)
		result = exec(b, schema_sql, eb);
	if (result == BW_OK)
		result = exec(b, "BEGIN", eb);
	if (result == BW_OK)
		result = prep(b, "INSERT INTO advisories(source, adv_id, aliases, summary,"
			      " published, modified, severity, severity_source, cvss, prio, dkey)"
			      " VALUES(?,?,?,?,?,?,?,?,?,?,?)", &b->st_adv, eb);
	if (result == BW_OK)
		result = prep(b, "INSERT INTO affected(adv, ecosystem, name, pkg, informational,"
			      " data, status, fixed, urgency) VALUES(?,?,?,?,?,?,?,?,?)",
			      &b->st_aff, eb);
	if (result == BW_OK)
		result = prep(b, "INSERT OR REPLACE INTO kev(cve, date_added, ransomware, name)"
			      " VALUES(?,?,?,?)", &b->st_kev, eb);
	if (result == BW_OK)
		result = prep(b, "INSERT OR REPLACE INTO epss(cve, score, percentile) VALUES(?,?,?)",
			      &b->st_epss, eb);
	if (result == BW_OK)
		result = prep(b, "INSERT INTO nvd_cvss(cve, version, vector, score, severity)"
			      " VALUES(?,?,?,?,?)", &b->st_nvd, eb);
	if (result == BW_OK)
		result = prep(b, "SELECT id, modified FROM advisories WHERE dkey = ?", &b->st_dkey,
			      eb);
	if (result == BW_OK)
		result = prep(b, "DELETE FROM affected WHERE adv = ?", &b->st_del_aff, eb);
	if (result == BW_OK)
		result = prep(b, "DELETE FROM advisories WHERE id = ?", &b->st_del_adv, eb);
	return result;
}

enum bw_err vdb_b_begin_scratch(struct vdb_builder **out, struct bw_errbuf *eb)
{
	struct vdb_builder *b = bw_calloc(1, sizeof(*b));
	enum bw_err result;

	*out = NULL;
	if (!b)
		return BW_ERR_NOMEM;
	result = builder_open(b, ":memory:", eb);
	if (result != BW_OK) {
		builder_free(b);
		return result;
	}
	*out = b;
	return BW_OK;
}

enum bw_err vdb_build_begin(const char *path, struct vdb_builder **out, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct vdb_builder *b;
	int fd;

	*out = NULL;
	if (!path || !*path)
		return bw_fail(eb, BW_ERR_USAGE, "vulndb: no database path");
	b = bw_calloc(1, sizeof(*b));
	if (!b)
		return BW_ERR_NOMEM;
	b->path = bw_strdup(path);
	b->tmp = bw_strfmt("%s.tmp-XXXXXX", path);
	if (!b->path || !b->tmp) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	fd = mkstemp(b->tmp);
	if (fd < 0) {
		result = bw_fail(eb, BW_ERR_IO, "%s: cannot create temporary database: %s", path,
				 strerror(errno));
		free(b->tmp);
		b->tmp = NULL;
		goto out_free;
	}
	close(fd);
	result = builder_open(b, b->tmp, eb);
	if (result != BW_OK)
		goto out_unlink;
	*out = b;
	return BW_OK;

out_unlink:
	unlink(b->tmp);
out_free:
	builder_free(b);
	return result;
}

void vdb_build_abort(struct vdb_builder *b)
{
	if (!b)
		return;
	if (b->tmp)
		unlink(b->tmp);
	builder_free(b);
}

void vdb_build_get_stats(const struct vdb_builder *b, struct vdb_build_stats *st)
{
	*st = b->st;
}

/* ---- records ---------------------------------------------------------------- */

static enum bw_err step_done(struct vdb_builder *b, sqlite3_stmt *st, struct bw_errbuf *eb,
			     const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_fail(b, eb, what);
	return BW_OK;
}

static char *aliases_json(const struct bw_strv *al)
{
	json_t *arr = json_array();
	char *s;

	if (!arr)
		return NULL;
	for (size_t i = 0; al && i < al->n; i++)
		json_array_append_new(arr, json_string(al->v[i]));
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

/* A duplicate key: keep the newer record. *skip is set when the new one loses. */
static enum bw_err dedupe(struct vdb_builder *b, const struct vdb_b_adv *a, bool *skip,
			  struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	int64_t old = 0;
	char *oldmod = NULL;
	int rc;

	*skip = false;
	sqlite3_bind_text(b->st_dkey, 1, a->dkey, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(b->st_dkey);
	if (rc == SQLITE_ROW) {
		old = sqlite3_column_int64(b->st_dkey, 0);
		oldmod = bw_strdup((const char *)sqlite3_column_text(b->st_dkey, 1));
	}
	sqlite3_reset(b->st_dkey);
	sqlite3_clear_bindings(b->st_dkey);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(b, eb, "dedupe");
	if (!old)
		return BW_OK;
	/* RFC 3339 UTC strings compare in time order. */
	if (!a->modified || (oldmod && strcmp(a->modified, oldmod) <= 0)) {
		*skip = true;
		goto out_free;
	}
	sqlite3_bind_int64(b->st_del_aff, 1, old);
	result = step_done(b, b->st_del_aff, eb, "delete");
	if (result == BW_OK) {
		sqlite3_bind_int64(b->st_del_adv, 1, old);
		result = step_done(b, b->st_del_adv, eb, "delete");
	}
	if (result == BW_OK && b->src.advisories > 0) {
		b->src.advisories--;
		b->st.advisories--;
	}
out_free:
	free(oldmod);
	return result;
}

enum bw_err vdb_b_advisory(struct vdb_builder *b, const struct vdb_b_adv *a, int64_t *adv_row,
			   struct bw_errbuf *eb)
{
	enum bw_err result;
	char *aliases = NULL, *cvss = NULL;
	bool skip = false;

	*adv_row = 0;
	if (!a->id || !*a->id)
		return bw_fail(eb, BW_ERR_FORMAT, "advisory without an id");
	if (a->dkey) {
		result = dedupe(b, a, &skip, eb);
		if (result != BW_OK || skip)
			return result;
	}
	aliases = aliases_json(a->aliases);
	if (!aliases)
		return BW_ERR_NOMEM;
	if (a->cvss && json_array_size(a->cvss) > 0) {
		cvss = json_dumps(a->cvss, JSON_COMPACT);
		if (!cvss) {
			free(aliases);
			return BW_ERR_NOMEM;
		}
	}
	sqlite3_bind_int64(b->st_adv, 1, b->source);
	bind_text(b->st_adv, 2, a->id);
	bind_text(b->st_adv, 3, aliases);
	bind_text(b->st_adv, 4, a->summary);
	bind_text(b->st_adv, 5, a->published);
	bind_text(b->st_adv, 6, a->modified);
	bind_text(b->st_adv, 7, a->severity);
	bind_text(b->st_adv, 8, a->severity_source);
	bind_text(b->st_adv, 9, cvss);
	sqlite3_bind_int(b->st_adv, 10, a->prio);
	bind_text(b->st_adv, 11, a->dkey);
	result = step_done(b, b->st_adv, eb, "insert advisory");
	free(aliases);
	free(cvss);
	if (result != BW_OK)
		return result;
	*adv_row = sqlite3_last_insert_rowid(b->db);
	if (a->kind < VDB_K__COUNT)
		b->kinds |= 1u << a->kind;
	b->src.advisories++;
	b->st.advisories++;
	return BW_OK;
}

enum bw_err vdb_b_affected(struct vdb_builder *b, int64_t adv_row, const struct vdb_b_aff *f,
			   struct bw_errbuf *eb)
{
	enum bw_err result;
	char key[1024];
	char *data = NULL;

	if (!adv_row)
		return BW_OK;
	if (!f->ecosystem || !*f->ecosystem || !f->name || !*f->name)
		return bw_fail(eb, BW_ERR_FORMAT, "affected package without ecosystem or name");
	if (strlen(f->name) >= sizeof(key) || strlen(f->ecosystem) >= 256)
		return bw_fail(eb, BW_ERR_LIMIT, "package name longer than %zu bytes",
			       sizeof(key) - 1);
	vdb_name_key(f->ecosystem, f->name, key, sizeof(key));
	if (f->data) {
		data = json_dumps(f->data, JSON_COMPACT);
		if (!data)
			return BW_ERR_NOMEM;
	}
	sqlite3_bind_int64(b->st_aff, 1, adv_row);
	bind_text(b->st_aff, 2, f->ecosystem);
	bind_text(b->st_aff, 3, key);
	bind_text(b->st_aff, 4, f->name);
	bind_text(b->st_aff, 5, f->informational);
	bind_text(b->st_aff, 6, data);
	sqlite3_bind_int(b->st_aff, 7, (int)f->status);
	bind_text(b->st_aff, 8, f->fixed);
	bind_text(b->st_aff, 9, f->urgency);
	result = step_done(b, b->st_aff, eb, "insert affected");
	free(data);
	return result;
}

enum bw_err vdb_b_kev(struct vdb_builder *b, const char *cve, const char *date_added,
		      const char *ransomware, const char *name, struct bw_errbuf *eb)
{
	enum bw_err result;

	bind_text(b->st_kev, 1, cve);
	bind_text(b->st_kev, 2, date_added);
	bind_text(b->st_kev, 3, ransomware);
	bind_text(b->st_kev, 4, name);
	result = step_done(b, b->st_kev, eb, "insert kev");
	if (result == BW_OK) {
		b->kinds |= 1u << VDB_K_KEV;
		b->src.advisories++;
	}
	return result;
}

enum bw_err vdb_b_epss(struct vdb_builder *b, const char *cve, double score, double pct,
		       struct bw_errbuf *eb)
{
	enum bw_err result;

	bind_text(b->st_epss, 1, cve);
	sqlite3_bind_double(b->st_epss, 2, score);
	sqlite3_bind_double(b->st_epss, 3, pct);
	result = step_done(b, b->st_epss, eb, "insert epss");
	if (result == BW_OK) {
		b->kinds |= 1u << VDB_K_EPSS;
		b->src.advisories++;
	}
	return result;
}

enum bw_err vdb_b_nvd(struct vdb_builder *b, const char *cve, int version, const char *vector,
		      double score, const char *severity, struct bw_errbuf *eb)
{
	enum bw_err result;

	bind_text(b->st_nvd, 1, cve);
	sqlite3_bind_int(b->st_nvd, 2, version);
	bind_text(b->st_nvd, 3, vector);
	if (score >= 0)
		sqlite3_bind_double(b->st_nvd, 4, score);
	bind_text(b->st_nvd, 5, severity);
	result = step_done(b, b->st_nvd, eb, "insert nvd");
	if (result == BW_OK)
		b->kinds |= 1u << VDB_K_NVD;
	return result;
}

void vdb_b_withdrawn(struct vdb_builder *b)
{
	b->src.withdrawn++;
	b->st.withdrawn++;
}

enum bw_err vdb_build_set_meta(struct vdb_builder *b, const char *key, const char *value,
			       struct bw_errbuf *eb)
{
	sqlite3_stmt *st = NULL;
	enum bw_err result;

	result = prep(b, "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", &st, eb);
	if (result != BW_OK)
		return result;
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	result = step_done(b, st, eb, "meta");
	sqlite3_finalize(st);
	return result;
}

/* ---- sources and provenance --------------------------------------------- */

/* Value after "Label:" on a SOURCE.txt line (first match), trimmed and cut at
 * the first space for repo/commit (want_word). */
static char *source_field(const char *txt, const char *label, bool want_word)
{
	const char *p = txt;
	size_t ll = strlen(label);

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (n > ll && strncasecmp(p, label, ll) == 0) {
			const char *v = p + ll;
			size_t vn = n - ll;

			while (vn && (*v == ' ' || *v == '\t')) {
				v++;
				vn--;
			}
			if (want_word) {
				size_t w = 0;

				while (w < vn && v[w] != ' ' && v[w] != '\t')
					w++;
				vn = w;
			}
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\r'))
				vn--;
			if (vn > 512)
				vn = 512;
			return bw_strndup(v, vn);
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static enum bw_err source_begin(struct vdb_builder *b, const char *path, const char *name,
				const char *url, bool is_dir, struct bw_errbuf *eb)
{
	enum bw_err result;
	sqlite3_stmt *st = NULL;
	char clean[4096], *txtpath = NULL, *repo = NULL, *commit = NULL, *lic = NULL;
	const char *base;
	struct bw_buf txt;
	size_t n;

	bw_strlcpy(clean, path, sizeof(clean));
	n = strlen(clean);
	while (n > 1 && clean[n - 1] == '/')
		clean[--n] = '\0';
	base = strrchr(clean, '/');
	base = base ? base + 1 : clean;
	if (name)
		base = name;

	/* SOURCE.txt in the directory, or beside the file. */
	if (is_dir) {
		txtpath = bw_strfmt("%s/SOURCE.txt", clean);
	} else {
		char dir[4096];

		bw_strlcpy(dir, clean, sizeof(dir));
		char *slash = strrchr(dir, '/');

		if (slash)
			*slash = '\0';
		else
			bw_strlcpy(dir, ".", sizeof(dir));
		txtpath = bw_strfmt("%s/SOURCE.txt", dir);
	}
	bw_buf_init(&txt, 1 << 20);
	if (txtpath && bw_buf_read_file(&txt, txtpath, NULL) == BW_OK) {
		repo = source_field(txt.data, "Source repository:", true);
		commit = source_field(txt.data, "Commit:", true);
		lic = source_field(txt.data, "License:", false);
		if (!lic)
			lic = source_field(txt.data, "Licence:", false);
	}
	bw_buf_release(&txt);
	free(txtpath);

	result = prep(b, "INSERT INTO sources(name, path, url, repo, commit_id, license)"
		      " VALUES(?,?,?,?,?,?)", &st, eb);
	if (result == BW_OK) {
		bind_text(st, 1, base);
		bind_text(st, 2, url ? NULL : clean);
		bind_text(st, 3, url);
		bind_text(st, 4, repo);
		bind_text(st, 5, commit);
		bind_text(st, 6, lic);
		result = step_done(b, st, eb, "insert source");
	}
	sqlite3_finalize(st);
	free(repo);
	free(commit);
	free(lic);
	if (result != BW_OK)
		return result;
	b->source = sqlite3_last_insert_rowid(b->db);
	b->kinds = 0;
	memset(&b->src, 0, sizeof(b->src));
	return BW_OK;
}

static enum bw_err source_end(struct vdb_builder *b, struct bw_errbuf *eb)
{
	enum bw_err result;
	sqlite3_stmt *st = NULL;
	struct bw_buf kinds, attr;

	bw_buf_init(&kinds, 4096);
	bw_buf_init(&attr, 8192);
	for (int k = 0; k < VDB_K__COUNT; k++) {
		if (!(b->kinds & (1u << k)))
			continue;
		bw_buf_appendf(&kinds, "%s%s", kinds.len ? "," : "", vdb_kind_name(k));
		bw_buf_appendf(&attr, "%s%s", attr.len ? "; " : "", vdb_kind_attribution(k));
	}
	result = prep(b, "UPDATE sources SET kinds=?, attribution=?, files=?, bad_files=?,"
		      " records=?, withdrawn=? WHERE id=?", &st, eb);
	if (result == BW_OK) {
		bind_text(st, 1, kinds.len ? kinds.data : "");
		bind_text(st, 2, attr.len ? attr.data : "");
		sqlite3_bind_int64(st, 3, (int64_t)b->src.files);
		sqlite3_bind_int64(st, 4, (int64_t)b->src.bad_files);
		sqlite3_bind_int64(st, 5, (int64_t)b->src.advisories);
		sqlite3_bind_int64(st, 6, (int64_t)b->src.withdrawn);
		sqlite3_bind_int64(st, 7, b->source);
		result = step_done(b, st, eb, "update source");
	}
	sqlite3_finalize(st);
	bw_buf_release(&kinds);
	bw_buf_release(&attr);
	return result;
}

/* ---- walking ------------------------------------------------------------- */

static bool skip_name(const char *base)
{
	static const char *const names[] = {"SOURCE.txt", "NOTICES", "MANIFEST.tsv", "index.html"};

	if (base[0] == '.')
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	return bw_str_starts_with(base, "LICENSE") || bw_str_starts_with(base, "LICENCE") ||
	       bw_str_starts_with(base, "README") || bw_str_ends_with(base, ".md") ||
	       bw_str_ends_with(base, ".txt") || bw_str_ends_with(base, ".tsv") ||
	       bw_str_ends_with(base, "schema.json");
}

static void read_one(struct vdb_builder *b, const char *path)
{
	struct bw_errbuf eb = {{0}};
	struct bw_buf buf;
	enum bw_err result;

	bw_buf_init(&buf, VDB_MAX_FILE_BYTES);
	result = bw_buf_read_file(&buf, path, &eb);
	if (result == BW_OK)
		result = vdb_read_any(b, path, buf.data ? buf.data : "", buf.len, 0, &eb);
	bw_buf_release(&buf);
	if (result == BW_ERR_UNSUPPORTED) {
		BW_DEBUG("%s: not a feed file this build recognises, skipped", path);
		b->src.skipped++;
		b->st.skipped++;
		return;
	}
	if (result != BW_OK) {
		BW_WARN("%s", bw_errmsg(&eb, result));
		b->src.bad_files++;
		b->st.bad_files++;
		return;
	}
	b->src.files++;
	b->st.files++;
}

static int cmp_str(const void *a, const void *c)
{
	return strcmp(*(char *const *)a, *(char *const *)c);
}

static enum bw_err walk(struct vdb_builder *b, const char *dir, int depth, struct bw_errbuf *eb);

static bool has_source_txt(const char *dir)
{
	char *p = bw_strfmt("%s/SOURCE.txt", dir);
	bool found = p && access(p, R_OK) == 0;

	free(p);
	return found;
}

/* A subdirectory with its own SOURCE.txt (vulndata/osv-go inside vulndata)
 * is recorded as a source of its own; the parent's counts resume after it. */
static enum bw_err nested_source(struct vdb_builder *b, const char *dir, int depth,
				 struct bw_errbuf *eb)
{
	int64_t parent = b->source;
	unsigned kinds = b->kinds;
	struct vdb_build_stats src = b->src;
	enum bw_err result;

	result = source_end(b, eb);
	if (result == BW_OK)
		result = source_begin(b, dir, NULL, NULL, true, eb);
	if (result == BW_OK)
		result = walk(b, dir, depth, eb);
	if (result == BW_OK)
		result = source_end(b, eb);
	b->source = parent;
	b->kinds = kinds;
	b->src = src;
	return result;
}

static enum bw_err walk(struct vdb_builder *b, const char *dir, int depth, struct bw_errbuf *eb)
{
	struct bw_strv names = {0};
	struct dirent *de;
	enum bw_err result = BW_OK;
	DIR *d;

	if (depth > VDB_MAX_WALK_DEPTH) {
		BW_WARN("%s: directories nested deeper than %d, not read", dir, VDB_MAX_WALK_DEPTH);
		return BW_OK;
	}
	d = opendir(dir);
	if (!d) {
		BW_WARN("%s: cannot open directory: %s", dir, strerror(errno));
		return BW_OK;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		result = bw_strv_push(&names, de->d_name);
		if (result != BW_OK)
			break;
	}
	closedir(d);
	if (result == BW_OK && names.n)
		qsort(names.v, names.n, sizeof(names.v[0]), cmp_str);
	for (size_t i = 0; result == BW_OK && i < names.n; i++) {
		char *p = bw_strfmt("%s/%s", dir, names.v[i]);
		struct stat sb;

		if (!p) {
			result = BW_ERR_NOMEM;
			break;
		}
		if (lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode) && has_source_txt(p))
				result = nested_source(b, p, depth + 1, eb);
			else if (S_ISDIR(sb.st_mode))
				result = walk(b, p, depth + 1, eb);
			else if (S_ISREG(sb.st_mode) && !skip_name(names.v[i]))
				read_one(b, p);
		}
		free(p);
	}
	bw_strv_release(&names);
	return result;
}

enum bw_err vdb_build_add_path(struct vdb_builder *b, const char *path, const char *url,
			       struct bw_errbuf *eb)
{
	return vdb_b_add_path_as(b, path, NULL, url, eb);
}

enum bw_err vdb_b_add_path_as(struct vdb_builder *b, const char *path, const char *source_name,
			      const char *url, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct stat sb;

	if (stat(path, &sb) != 0)
		return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", path,
			       strerror(errno));
	result = source_begin(b, path, source_name, url, S_ISDIR(sb.st_mode), eb);
	if (result != BW_OK)
		return result;
	if (S_ISDIR(sb.st_mode))
		result = walk(b, path, 0, eb);
	else
		read_one(b, path);
	if (result == BW_OK)
		result = source_end(b, eb);
	return result;
}

enum bw_err vdb_build_add_memory(struct vdb_builder *b, const char *name, const void *data,
				 size_t len, struct bw_errbuf *eb)
{
	enum bw_err result;

	if (!b->source) {
		result = source_begin(b, name, NULL, NULL, false, eb);
		if (result != BW_OK)
			return result;
	}
	struct bw_buf copy;

	bw_buf_init(&copy, VDB_MAX_FILE_BYTES);
	result = bw_buf_append(&copy, data, len);
	if (result == BW_OK)
		result = vdb_read_any(b, name, copy.data ? copy.data : "", copy.len, 0, eb);
	bw_buf_release(&copy);
	if (result == BW_OK) {
		b->src.files++;
		b->st.files++;
	}
	return result;
}

/* ---- alias groups ----------------------------------------------------------- */

struct grp_id {
	const char *s;
	size_t ent;
};

struct grp_ent {
	int64_t row;
	size_t parent;
	json_t *ids; /* array of strings: id then aliases */
};

static bool bundle_id(const char *s)
{
	return bw_str_starts_with(s, "DSA-") || bw_str_starts_with(s, "DLA-") ||
	       bw_str_starts_with(s, "DTSA-");
}

static size_t uf_find(struct grp_ent *e, size_t i)
{
	while (e[i].parent != i) {
		e[i].parent = e[e[i].parent].parent;
		i = e[i].parent;
	}
	return i;
}

/* Join the sets of a and b; returns the new root (the smaller index). */
static size_t uf_union(struct grp_ent *e, size_t a, size_t b)
{
	size_t r1 = uf_find(e, a), r2 = uf_find(e, b);

	if (r1 == r2)
		return r1;
	if (r1 > r2) {
		e[r1].parent = r2;
		return r2;
	}
	e[r2].parent = r1;
	return r1;
}

static int cmp_gid(const void *a, const void *c)
{
	const struct grp_id *x = a, *y = c;
	int r = strcmp(x->s, y->s);

	if (r)
		return r;
	return (x->ent > y->ent) - (x->ent < y->ent);
}

/* Better group name: a CVE over anything else, then the smaller string. */
static bool better_name(const char *cand, const char *cur)
{
	bool cc = vdb_is_cve(cand), uc = cur && vdb_is_cve(cur);

	if (!cur)
		return true;
	if (cc != uc)
		return cc;
	return strcmp(cand, cur) < 0;
}

static enum bw_err groups_flush(struct vdb_builder *b, sqlite3_stmt *upd, struct grp_ent *e,
				size_t n, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	struct grp_id *ids = NULL;
	const char **name = NULL;
	size_t nids = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k = json_array_size(e[i].ids);

		e[i].parent = i;
		cap += k;
	}
	ids = bw_calloc(cap ? cap : 1, sizeof(*ids));
	name = bw_calloc(n ? n : 1, sizeof(*name));
	if (!ids || !name) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k;
		json_t *v;

		json_array_foreach(e[i].ids, k, v) {
			/* A DSA/DLA bundles many CVEs: it must not join them. */
			if (json_is_string(v) && !bundle_id(json_string_value(v))) {
				ids[nids].s = json_string_value(v);
				ids[nids].ent = i;
				nids++;
			}
		}
	}
	qsort(ids, nids, sizeof(*ids), cmp_gid);
	/* Pass 1: entries sharing a CVE are one vulnerability. */
	for (size_t i = 1; i < nids; i++)
		if (vdb_is_cve(ids[i].s) && strcmp(ids[i].s, ids[i - 1].s) == 0)
			uf_union(e, ids[i].ent, ids[i - 1].ent);
	/* Each component's smallest CVE (its CVE representative). */
	for (size_t i = 0; i < nids; i++) {
		size_t r = uf_find(e, ids[i].ent);

		if (vdb_is_cve(ids[i].s) && (!name[r] || strcmp(ids[i].s, name[r]) < 0))
			name[r] = ids[i].s;
	}
	/* Pass 2: other shared IDs (GHSA, ...) join components, but never two
	 * that carry different CVEs: an upstream alias list naming a GHSA that
	 * covers two CVEs must not make them one finding. */
	for (size_t i = 1; i < nids; i++) {
		size_t r1, r2;

		if (vdb_is_cve(ids[i].s) || strcmp(ids[i].s, ids[i - 1].s) != 0)
			continue;
		r1 = uf_find(e, ids[i].ent);
		r2 = uf_find(e, ids[i - 1].ent);
		if (r1 == r2 || (name[r1] && name[r2] && strcmp(name[r1], name[r2]) != 0))
			continue;
		{
			const char *cve = name[r1] ? name[r1] : name[r2];
			size_t r = uf_union(e, r1, r2);

			name[r] = cve;
		}
	}
	memset(name, 0, n * sizeof(*name));
	for (size_t i = 0; i < nids; i++) {
		size_t r = uf_find(e, ids[i].ent);

		if (better_name(ids[i].s, name[r]))
			name[r] = ids[i].s;
	}
	for (size_t i = 0; i < n && result == BW_OK; i++) {
		const char *g = name[uf_find(e, i)];

		if (!g)
			g = json_string_value(json_array_get(e[i].ids, 0));

		bind_text(upd, 1, g ? g : "?");
		sqlite3_bind_int64(upd, 2, e[i].row);
		result = step_done(b, upd, eb, "update group");
	}
out_free:
	free(ids);
	free(name);
	return result;
}

static enum bw_err compute_groups(struct vdb_builder *b, struct bw_errbuf *eb)
{
	enum bw_err result;
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct grp_ent *e = NULL;
	size_t n = 0, cap = 0;
	char *cur_eco = NULL, *cur_name = NULL;
	int rc;

	result = prep(b, "SELECT f.id, f.ecosystem, f.name, a.adv_id, a.aliases FROM affected f"
		      " JOIN advisories a ON a.id = f.adv ORDER BY f.ecosystem, f.name", &sel, eb);
	if (result == BW_OK)
		result = prep(b, "UPDATE affected SET grp = ? WHERE id = ?", &upd, eb);
	while (result == BW_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *eco = (const char *)sqlite3_column_text(sel, 1);
		const char *nm = (const char *)sqlite3_column_text(sel, 2);
		const char *id = (const char *)sqlite3_column_text(sel, 3);
		const char *al = (const char *)sqlite3_column_text(sel, 4);
		json_t *ids;

		if (!eco || !nm || !id)
			continue;
		if (!cur_eco || strcmp(eco, cur_eco) || strcmp(nm, cur_name)) {
			if (n)
				result = groups_flush(b, upd, e, n, eb);
			for (size_t i = 0; i < n; i++)
				json_decref(e[i].ids);
			n = 0;
			free(cur_eco);
			free(cur_name);
			cur_eco = bw_strdup(eco);
			cur_name = bw_strdup(nm);
			if (!cur_eco || !cur_name)
				result = BW_ERR_NOMEM;
			if (result != BW_OK)
				break;
		}
		result = bw_grow((void **)&e, &cap, n + 1, sizeof(*e), SIZE_MAX / sizeof(*e));
		if (result != BW_OK)
			break;
		ids = al ? json_loads(al, 0, NULL) : NULL;
		if (!json_is_array(ids)) {
			json_decref(ids);
			ids = json_array();
		}
		json_array_insert_new(ids, 0, json_string(id));
		e[n].row = sqlite3_column_int64(sel, 0);
		e[n].ids = ids;
		n++;
	}
	if (result == BW_OK && n)
		result = groups_flush(b, upd, e, n, eb);
	for (size_t i = 0; i < n; i++)
		json_decref(e[i].ids);
	free(e);
	free(cur_eco);
	free(cur_name);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return result;
}

enum bw_err vdb_build_commit(struct vdb_builder *b, struct bw_errbuf *eb)
{
	enum bw_err result;
	char now[64], ver[32], epoch[32];
	int fd;

	if (!b->tmp) {
		vdb_build_abort(b);
		return bw_fail(eb, BW_ERR_USAGE, "vulndb: a scratch database is never committed");
	}
	bw_time_rfc3339(now, sizeof(now));
	snprintf(ver, sizeof(ver), "%d", VDB_SCHEMA_VERSION);
	snprintf(epoch, sizeof(epoch), "%lld", (long long)time(NULL));
	result = exec(b, "CREATE INDEX affected_pkg ON affected(ecosystem, name);"
		      "CREATE INDEX nvd_cve ON nvd_cvss(cve);", eb);
	if (result == BW_OK)
		result = compute_groups(b, eb);
	if (result == BW_OK)
		result = exec(b, "INSERT INTO ecosystems(name, affected) SELECT ecosystem, count(*)"
			      " FROM affected GROUP BY ecosystem;"
			      "DELETE FROM sources WHERE files = 0 AND bad_files = 0 AND records = 0"
			      " AND NOT EXISTS (SELECT 1 FROM advisories WHERE source = sources.id)",
			      eb);
	if (result == BW_OK)
		result = vdb_build_set_meta(b, "schema_version", ver, eb);
	if (result == BW_OK)
		result = vdb_build_set_meta(b, "built_at", now, eb);
	if (result == BW_OK)
		result = vdb_build_set_meta(b, "built_at_epoch", epoch, eb);
	if (result == BW_OK)
		result = vdb_build_set_meta(b, "generator", "bulwark " BW_VERSION, eb);
	if (result == BW_OK)
		result = exec(b, "COMMIT", eb);
	if (result == BW_OK)
		result = exec(b, "ANALYZE", eb);
	if (result != BW_OK)
		goto out_abort;
	sqlite3_finalize(b->st_adv);
	sqlite3_finalize(b->st_aff);
	sqlite3_finalize(b->st_kev);
	sqlite3_finalize(b->st_epss);
	sqlite3_finalize(b->st_nvd);
	sqlite3_finalize(b->st_dkey);
	sqlite3_finalize(b->st_del_aff);
	sqlite3_finalize(b->st_del_adv);
	b->st_adv = b->st_aff = b->st_kev = b->st_epss = b->st_nvd = NULL;
	b->st_dkey = b->st_del_aff = b->st_del_adv = NULL;
	if (sqlite3_close(b->db) != SQLITE_OK) {
		result = db_fail(b, eb, "close");
		goto out_abort;
	}
	b->db = NULL;
	fd = open(b->tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "%s: fsync: %s", b->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out_abort;
	}
	close(fd);
	chmod(b->tmp, 0644);
	if (rename(b->tmp, b->path) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "%s: cannot move the new database into place: %s",
				 b->path, strerror(errno));
		goto out_abort;
	}
	free(b->tmp);
	b->tmp = NULL;
	builder_free(b);
	return BW_OK;

out_abort:
	vdb_build_abort(b);
	return result;
}

/* lang_rust.c - the Rust cataloger: Cargo.lock (binaries built with
 * cargo-auditable are another cataloger's).
 *
 * Cargo.lock is TOML (docs/lang-ruby-php-dotnet-rust-go.md): a top-level
 * `version = 3` or `4` (none in v1 and v2), then one [[package]] table per
 * crate with name, version, source (absent for the workspace's own crates
 * and path dependencies), checksum and a dependencies array; v1 adds a
 * [metadata] table of checksums, and [[patch.unused]] tables name patches
 * that were not used. Reported: every [[package]] with a source, as
 * pkg:cargo/NAME@VERSION; crates without a source are the project's own
 * code and are left out.
 *
 * TOML is read by the shared bounded reader in toml.c (nesting of arrays
 * and inline tables capped); values other than name, version and source
 * are read and dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* Parser over bytes in memory, for tests and fuzz targets (its prototype
 * belongs in sbom.h with the other parsers). */

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define CARGO_NAME_MAX 128
#define CARGO_VERSION_MAX 256
#define CARGO_MAX_CRATES ((size_t)100000)

static const struct image_want rust_wants[] = {
	{"**/Cargo.lock", 32 * MiB},
};

/* ---- Cargo.lock --------------------------------------------------------------- */

struct cargo_crate {
	char name[CARGO_NAME_MAX + 1];
	char version[CARGO_VERSION_MAX + 1];
	bool has_name, has_version, has_source;
	size_t line;
};

struct cargo_entry {
	char *name;
	char *version;
};

struct cargo_list {
	struct cargo_entry *v;
	size_t n, cap;
};

static void cargo_list_release(struct cargo_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].version);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cargo_entry_cmp(const void *pa, const void *pb)
{
	const struct cargo_entry *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : strcmp(a->version, b->version);
}

/* Printable ASCII without spaces, 1..max bytes. */
static bool cargo_text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* The crate of the [[package]] table that just ended. */
static enum bw_err cargo_finish(struct cargo_list *l, struct cargo_crate *c, const char *path,
				struct bw_errbuf *eb)
{
	enum bw_err result;
	char q[80];

	if (!c->line)
		return BW_OK;
	if (!c->has_name || !c->has_version)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: line %zu: [[package]] without %s", path,
			       c->line, c->has_name ? "version" : "name");
	if (!cargo_text_ok(c->name, CARGO_NAME_MAX) || !cargo_text_ok(c->version, CARGO_VERSION_MAX))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: line %zu: bad crate name or version \"%s\"",
			       path, c->line, sbom_quote(q, sizeof(q), c->name, strlen(c->name), 40));
	if (!c->has_source)
		return BW_OK; /* a workspace member or a path dependency */
	result = bw_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), CARGO_MAX_CRATES);
	if (result == BW_ERR_LIMIT)
		return bw_fail(eb, result, "%s: more than %zu crates", path, CARGO_MAX_CRATES);
	if (result != BW_OK)
		return result;
	l->v[l->n].name = bw_strdup(c->name);
	l->v[l->n].version = bw_strdup(c->version);
	if (!l->v[l->n].name || !l->v[l->n].version) {
		free(l->v[l->n].name);
		free(l->v[l->n].version);
		return BW_ERR_NOMEM;
	}
	l->n++;
	return BW_OK;
}

static enum bw_err cargo_add(struct sbom *sb, const struct cargo_entry *e, const char *path,
			     const char *layer)
{
	struct sbom_pkg pkg = {.type = SBOM_PKG_CARGO};

	pkg.name = bw_strdup(e->name);
	pkg.version = bw_strdup(e->version);
	pkg.found_path = bw_strdup(path);
	if (layer)
		pkg.layer_digest = bw_strdup(layer);
	pkg.purl = sbom_purl_build("cargo", NULL, e->name, e->version, NULL, 0);
	if (!pkg.name || !pkg.version || !pkg.found_path || !pkg.purl ||
	    (layer && !pkg.layer_digest)) {
		sbom_pkg_release(&pkg);
		return BW_ERR_NOMEM;
	}
	return sbom_add(sb, &pkg);
}

/* A key = value line inside a [[package]] table (c NULL: another table). */
static enum bw_err cargo_keyval(struct sbom_toml *t, struct cargo_crate *c)
{
	struct sbom_toml_val *v;
	char key[256], *dst = NULL;
	size_t dstsz = 0;
	bool *flag = NULL;
	enum bw_err result;

	result = sbom_toml_key(t, key, sizeof(key));
	if (result != BW_OK)
		return result;
	if (t->p >= t->end || *t->p != '=')
		return sbom_toml_err(t, "expected '=' after a key");
	t->p++;
	sbom_toml_ws(t);
	if (c && strcmp(key, "name") == 0) {
		dst = c->name, dstsz = sizeof(c->name), flag = &c->has_name;
	} else if (c && strcmp(key, "version") == 0) {
		dst = c->version, dstsz = sizeof(c->version), flag = &c->has_version;
	} else if (c && strcmp(key, "source") == 0) {
		c->has_source = true;
	}
	if (dst && (t->p >= t->end || (*t->p != '"' && *t->p != '\'')))
		return sbom_toml_err(t, "name and version must be strings");
	v = bw_calloc(1, sizeof(*v));
	if (!v)
		return BW_ERR_NOMEM;
	result = sbom_toml_value(t, v, 0);
	if (result == BW_OK && dst) {
		if (v->truncated || strlen(v->str) >= dstsz)
			result = sbom_toml_err(t, "string too long");
		else {
			memcpy(dst, v->str, strlen(v->str) + 1);
			*flag = true;
		}
	}
	free(v);
	/* deep nesting: a Cargo.lock Cargo cannot have written, like any
	 * other malformed one */
	if (result == BW_ERR_LIMIT)
		result = BW_ERR_FORMAT;
	return result == BW_OK ? sbom_toml_eol(t) : result;
}

enum bw_err sbom_parse_cargo_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				  const char *layer, struct bw_errbuf *eb)
{
	struct sbom_toml t = {.p = data, .end = data + n, .line = 1, .path = path, .eb = eb};
	struct cargo_crate *c;
	struct cargo_list l = {0};
	bool in_package = false;
	enum bw_err result = BW_OK;

	c = bw_calloc(1, sizeof(*c));
	if (!c)
		return BW_ERR_NOMEM;
	for (;;) {
		sbom_toml_ws_nl(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[') {
			bool array = t.end - t.p >= 2 && t.p[1] == '[';
			char key[256];

			result = cargo_finish(&l, c, path, eb);
			if (result != BW_OK)
				goto out_list;
			memset(c, 0, sizeof(*c));
			t.p += array ? 2 : 1;
			result = sbom_toml_key(&t, key, sizeof(key));
			if (result != BW_OK)
				goto out_list;
			if (t.end - t.p < (array ? 2 : 1) || t.p[0] != ']' || (array && t.p[1] != ']')) {
				result = sbom_toml_err(&t, "expected ']' after a table name");
				goto out_list;
			}
			t.p += array ? 2 : 1;
			in_package = array && strcmp(key, "package") == 0;
			if (in_package)
				c->line = t.line;
			result = sbom_toml_eol(&t);
			if (result != BW_OK)
				goto out_list;
			continue;
		}
		result = cargo_keyval(&t, in_package ? c : NULL);
		if (result != BW_OK)
			goto out_list;
	}
	result = cargo_finish(&l, c, path, eb);
	if (result != BW_OK)
		goto out_list;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cargo_entry_cmp);
	for (size_t i = 0; i < l.n && result == BW_OK; i++) {
		if (i && cargo_entry_cmp(&l.v[i - 1], &l.v[i]) == 0)
			continue; /* the same crate from two sources */
		result = cargo_add(sb, &l.v[i], path, layer);
	}
out_list:
	cargo_list_release(&l);
	free(c);
	return result;
}

/* ---- the cataloger ----------------------------------------------------------- */

/* Cargo's caches of downloaded crates (CARGO_HOME/registry/src/INDEX/
 * CRATE-VER/ and CARGO_HOME/git/checkouts/NAME/REV/) hold other crates'
 * own lockfiles. */
static bool rust_foreign_lock(const char *path)
{
	static const char *const dirs[] = {"registry/src/", "git/checkouts/"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (const char *p = path; (p = strstr(p, dirs[i])); p++)
			if (p == path || p[-1] == '/')
				return true;
	return false;
}

static enum bw_err rust_parse(struct sbom *sb, const struct image_fs *fs,
			      const struct image_file *f, struct bw_errbuf *eb)
{
	(void)fs;
	if (rust_foreign_lock(f->path))
		return BW_OK;
	return sbom_parse_cargo_lock(sb, f->data, f->size, f->path, f->layer_digest, eb);
}

const struct sbom_lang_cataloger sbom_cat_rust = {
	.name = "rust",
	.wants = rust_wants,
	.nwants = sizeof(rust_wants) / sizeof(rust_wants[0]),
	.parse = rust_parse,
};

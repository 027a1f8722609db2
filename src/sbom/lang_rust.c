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
 * The TOML reader here is small and bounded: it understands what Cargo
 * writes (tables, arrays of tables, bare and quoted keys, basic and literal
 * strings, arrays, inline tables, numbers and booleans) and skips values it
 * does not need. Nesting of arrays and inline tables is capped.
 */
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* Parser over bytes in memory, for tests and fuzz targets (its prototype
 * belongs in sbom.h with the other parsers). */

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define CARGO_STR_MAX 4096
#define CARGO_NAME_MAX 128
#define CARGO_VERSION_MAX 256
#define CARGO_MAX_DEPTH 32
#define CARGO_MAX_CRATES ((size_t)100000)

static const struct image_want rust_wants[] = {
	{"**/Cargo.lock", 32 * MiB},
};

/* ---- a small TOML reader ------------------------------------------------- */

struct toml {
	const char *p, *end;
	size_t line;
	const char *why; /* the problem when a function returns false */
};

static bool toml_eof(const struct toml *t)
{
	return t->p >= t->end;
}

/* Spaces and tabs. */
static void toml_skip_blank(struct toml *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Blanks, comments and newlines (inside arrays). */
static void toml_skip_ws(struct toml *t)
{
	while (t->p < t->end) {
		if (*t->p == ' ' || *t->p == '\t' || *t->p == '\r') {
			t->p++;
		} else if (*t->p == '\n') {
			t->p++;
			t->line++;
		} else if (*t->p == '#') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		} else {
			break;
		}
	}
}

/* After a statement: blanks, an optional comment, then a newline or EOF. */
static bool toml_end_of_line(struct toml *t)
{
	toml_skip_blank(t);
	if (t->p < t->end && *t->p == '\r')
		t->p++;
	if (t->p < t->end && *t->p == '#')
		while (t->p < t->end && *t->p != '\n')
			t->p++;
	if (t->p < t->end && *t->p != '\n') {
		t->why = "unexpected text after a value";
		return false;
	}
	if (t->p < t->end) {
		t->p++;
		t->line++;
	}
	return true;
}

/* A basic ("...") or literal ('...') string on one line, into out (NULL:
 * skip it). Escapes: \" \\ \/ \b \t \n \f \r and \uXXXX / \UXXXXXXXX as
 * '?' (Cargo never needs them in names, versions or sources). Multi-line
 * strings ("""/''') are skipped whole when out is NULL. */
static bool toml_string(struct toml *t, char *out, size_t outsz, size_t *outlen)
{
	char q = *t->p;
	size_t o = 0;

	if (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q) {
		const char *close;

		if (out) {
			t->why = "multi-line string where a value is needed";
			return false;
		}
		t->p += 3;
		for (close = t->p; close + 3 <= t->end; close++) {
			if (close[0] == q && close[1] == q && close[2] == q)
				break;
			if (q == '"' && close[0] == '\\')
				close++;
		}
		if (close + 3 > t->end) {
			t->why = "unterminated multi-line string";
			return false;
		}
		for (const char *c = t->p; c < close; c++)
			t->line += *c == '\n';
		t->p = close + 3;
		return true;
	}
	t->p++;
	while (t->p < t->end && *t->p != q && *t->p != '\n') {
		char c = *t->p++;

		if (c == '\\' && q == '"') {
			if (t->p >= t->end) {
				break;
			}
			c = *t->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 't': c = '\t'; break;
			case 'n': c = '\n'; break;
			case 'f': c = '\f'; break;
			case 'r': c = '\r'; break;
			case 'u':
			case 'U': {
				size_t k = c == 'u' ? 4 : 8;

				if ((size_t)(t->end - t->p) < k) {
					t->why = "short \\u escape";
					return false;
				}
				t->p += k;
				c = '?';
				break;
			}
			default:
				t->why = "unknown escape in a string";
				return false;
			}
		}
		if (out) {
			if (o + 1 >= outsz) {
				t->why = "string too long";
				return false;
			}
			out[o++] = c;
		}
	}
	if (t->p >= t->end || *t->p != q) {
		t->why = "unterminated string";
		return false;
	}
	t->p++;
	if (out) {
		out[o] = '\0';
		*outlen = o;
	}
	return true;
}

/* A key: bare (A-Za-z0-9_-) or quoted, dotted parts joined with '.'. */
static bool toml_key(struct toml *t, char *out, size_t outsz)
{
	size_t o = 0;

	for (;;) {
		toml_skip_blank(t);
		if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
			size_t l;

			if (!toml_string(t, out + o, outsz - o, &l))
				return false;
			o += l;
		} else {
			const char *s = t->p;

			while (t->p < t->end &&
			       ((*t->p >= 'a' && *t->p <= 'z') || (*t->p >= 'A' && *t->p <= 'Z') ||
				(*t->p >= '0' && *t->p <= '9') || *t->p == '_' || *t->p == '-'))
				t->p++;
			if (t->p == s) {
				t->why = "expected a key";
				return false;
			}
			if ((size_t)(t->p - s) + o + 1 >= outsz) {
				t->why = "key too long";
				return false;
			}
			memcpy(out + o, s, (size_t)(t->p - s));
			o += (size_t)(t->p - s);
		}
		toml_skip_blank(t);
		if (t->p >= t->end || *t->p != '.')
			break;
		t->p++;
		if (o + 2 >= outsz) {
			t->why = "key too long";
			return false;
		}
		out[o++] = '.';
	}
	out[o] = '\0';
	return true;
}

/* Skip one value (strings, arrays and inline tables nested up to
 * CARGO_MAX_DEPTH, bare words: numbers, booleans, dates). Iterative. */
static bool toml_skip_value(struct toml *t)
{
	char stack[CARGO_MAX_DEPTH];
	size_t depth = 0;
	bool expect_key = false; /* after '{' or ',' inside an inline table */

	for (;;) {
		if (depth)
			toml_skip_ws(t);
		if (toml_eof(t)) {
			t->why = depth ? "unterminated array or inline table" : "expected a value";
			return false;
		}
		if (depth && *t->p == stack[depth - 1]) {
			t->p++;
			depth--;
			expect_key = false;
		} else if (depth && *t->p == ',') {
			t->p++;
			expect_key = stack[depth - 1] == '}';
			continue;
		} else if (expect_key) {
			/* KEY = inside an inline table; its value comes next */
			char key[256];

			if (!toml_key(t, key, sizeof(key)))
				return false;
			if (t->p >= t->end || *t->p != '=') {
				t->why = "expected '=' in an inline table";
				return false;
			}
			t->p++;
			toml_skip_blank(t);
			expect_key = false;
			continue;
		} else if (*t->p == '[' || *t->p == '{') {
			if (depth == CARGO_MAX_DEPTH) {
				t->why = "arrays nested too deeply";
				return false;
			}
			expect_key = *t->p == '{';
			stack[depth++] = *t->p == '[' ? ']' : '}';
			t->p++;
			continue;
		} else if (*t->p == '"' || *t->p == '\'') {
			if (!toml_string(t, NULL, 0, NULL))
				return false;
		} else {
			const char *s = t->p;

			while (t->p < t->end && ((*t->p >= 'a' && *t->p <= 'z') ||
						 (*t->p >= 'A' && *t->p <= 'Z') ||
						 (*t->p >= '0' && *t->p <= '9') || *t->p == '_' ||
						 *t->p == '-' || *t->p == '+' || *t->p == '.' ||
						 *t->p == ':'))
				t->p++;
			if (t->p == s) {
				t->why = "expected a value";
				return false;
			}
		}
		if (depth == 0)
			return true;
	}
}

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
static bool cargo_keyval(struct toml *t, struct cargo_crate *c)
{
	char key[256], *dst = NULL;
	size_t dstsz = 0, l;
	bool *flag = NULL;

	if (!toml_key(t, key, sizeof(key)))
		return false;
	if (t->p >= t->end || *t->p != '=') {
		t->why = "expected '=' after a key";
		return false;
	}
	t->p++;
	toml_skip_blank(t);
	if (c && strcmp(key, "name") == 0) {
		dst = c->name, dstsz = sizeof(c->name), flag = &c->has_name;
	} else if (c && strcmp(key, "version") == 0) {
		dst = c->version, dstsz = sizeof(c->version), flag = &c->has_version;
	} else if (c && strcmp(key, "source") == 0) {
		c->has_source = true;
	}
	if (dst) {
		if (t->p >= t->end || (*t->p != '"' && *t->p != '\'')) {
			t->why = "name and version must be strings";
			return false;
		}
		if (!toml_string(t, dst, dstsz, &l))
			return false;
		*flag = true;
	} else if (!toml_skip_value(t)) {
		return false;
	}
	return toml_end_of_line(t);
}

enum bw_err sbom_parse_cargo_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				  const char *layer, struct bw_errbuf *eb)
{
	struct toml t = {.p = data, .end = data + n, .line = 1};
	struct cargo_crate *c;
	struct cargo_list l = {0};
	bool in_package = false;
	enum bw_err result = BW_OK;

	c = bw_calloc(1, sizeof(*c));
	if (!c)
		return BW_ERR_NOMEM;
	for (;;) {
		toml_skip_ws(&t);
		if (toml_eof(&t))
			break;
		if (*t.p == '[') {
			bool array = t.end - t.p >= 2 && t.p[1] == '[';
			char key[256];

			result = cargo_finish(&l, c, path, eb);
			if (result != BW_OK)
				goto out_list;
			memset(c, 0, sizeof(*c));
			t.p += array ? 2 : 1;
			if (!toml_key(&t, key, sizeof(key)))
				goto out_format;
			if (t.end - t.p < (array ? 2 : 1) || t.p[0] != ']' || (array && t.p[1] != ']')) {
				t.why = "expected ']' after a table name";
				goto out_format;
			}
			t.p += array ? 2 : 1;
			in_package = array && strcmp(key, "package") == 0;
			if (in_package)
				c->line = t.line;
			if (!toml_end_of_line(&t))
				goto out_format;
			continue;
		}
		if (!cargo_keyval(&t, in_package ? c : NULL))
			goto out_format;
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
	goto out_list;
out_format:
	result = bw_fail(eb, BW_ERR_FORMAT, "%s: line %zu: %s", path, t.line,
			 t.why ? t.why : "malformed TOML");
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

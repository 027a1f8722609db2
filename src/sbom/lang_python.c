/* lang_python.c - the Python cataloger: installed distributions and
 * lock/requirement files.
 *
 * Sources (docs/lang-npm-python.md has the details and the rules):
 *   - installed: DIR/NAME-VER.dist-info/METADATA, DIR/NAME-VER.egg-info/
 *     PKG-INFO and a bare DIR/NAME-VER.egg-info file: core metadata (PEP 566
 *     / PEP 643, RFC 822 headers up to the first blank line). Name and
 *     Version required; licences from License-Expression, else a one-line
 *     License, else the "License ::" classifiers.
 *   - requirements*.txt (and requirements/ *.txt): only "name==version"
 *     pins (extras, markers, hashes allowed); options and includes are not
 *     followed.
 *   - poetry.lock and uv.lock ([[package]] name/version; poetry's
 *     category = "dev"; uv's own project, source editable/virtual, is not a
 *     dependency), Pipfile.lock (JSON "default" and "develop").
 *
 * TOML is read by a small bounded reader of the subset these files use:
 * tables, arrays of tables, strings (basic, literal, multi-line), numbers,
 * booleans, dates, inline tables and arrays nested at most TOML_MAX_DEPTH.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* Parsers over bytes in memory, for tests and fuzz targets (their
 * prototypes belong in sbom.h with the other parsers). */

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define PY_NAME_MAX 256
#define PY_VERSION_MAX 128
#define PY_LICENSE_MAX 256
#define PY_MAX_LICENSES 16
#define TOML_MAX_DEPTH 32
#define TOML_STR_MAX 1024

static const struct image_want python_wants[] = {
	{"**/*.dist-info/METADATA", 1 * MiB},
	{"**/*.egg-info/PKG-INFO", 1 * MiB},
	{"**/*.egg-info", 1 * MiB},
	{"**/requirements*.txt", 4 * MiB},
	{"**/requirements/*.txt", 4 * MiB},
	{"**/poetry.lock", 64 * MiB},
	{"**/uv.lock", 64 * MiB},
	{"**/Pipfile.lock", 64 * MiB},
	{"**/pyproject.toml", 1 * MiB}, /* roots of a poetry.lock, for dev marks */
};

/* ---- names and packages ------------------------------------------------ */

/* PEP 508 names: ASCII letters, digits, '.', '_', '-', starting and ending
 * with a letter or digit. */
static bool py_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > PY_NAME_MAX || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static bool py_version_ok(const char *s, size_t n)
{
	if (n == 0 || n > PY_VERSION_MAX || !bw_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* PEP 503: lowercase, runs of "-_." become one "-". malloc'd. */
char *sbom_python_normalize(const char *name)
{
	size_t n = strlen(name), o = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c == '-' || c == '_' || c == '.') {
			while (i + 1 < n && (name[i + 1] == '-' || name[i + 1] == '_' || name[i + 1] == '.'))
				i++;
			out[o++] = '-';
		} else {
			out[o++] = (char)tolower((unsigned char)c);
		}
	}
	out[o] = '\0';
	return out;
}

/* Add one package (copies name/version; takes licenses, may be NULL). */
static enum bw_err py_add(struct sbom *sb, const char *name, size_t nl, const char *version,
			  size_t vl, bool dev, const char *path, const char *layer,
			  struct bw_strv *licenses)
{
	struct sbom_pkg pkg = {.type = SBOM_PKG_PYPI, .dev = dev};
	char *norm = NULL;

	if (licenses) {
		pkg.licenses = *licenses;
		memset(licenses, 0, sizeof(*licenses));
	}
	if (!py_name_ok(name, nl) || !py_version_ok(version, vl)) {
		sbom_pkg_release(&pkg);
		return BW_OK;
	}
	pkg.name = bw_strndup(name, nl);
	pkg.version = bw_strndup(version, vl);
	pkg.found_path = bw_strdup(path);
	if (layer)
		pkg.layer_digest = bw_strdup(layer);
	if (pkg.name)
		norm = sbom_python_normalize(pkg.name);
	if (norm && pkg.version)
		pkg.purl = sbom_purl_build("pypi", NULL, norm, pkg.version, NULL, 0);
	free(norm);
	if (!pkg.name || !pkg.version || !pkg.found_path || !pkg.purl ||
	    (layer && !pkg.layer_digest)) {
		sbom_pkg_release(&pkg);
		return BW_ERR_NOMEM;
	}
	return sbom_add(sb, &pkg);
}

/* ---- lines ---------------------------------------------------------------- */

struct py_lines {
	const char *p, *end;
	size_t lineno;
};

/* Next line without its newline and a trailing CR. */
static bool py_next_line(struct py_lines *it, const char **s, size_t *n)
{
	const char *nl;

	if (it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	if (!nl)
		nl = it->end;
	*s = it->p;
	*n = (size_t)(nl - it->p);
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	it->p = nl + 1;
	it->lineno++;
	return true;
}

static void py_trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* ---- core metadata ----------------------------------------------------------- */

struct py_field {
	const char *p;
	size_t n;
};

static bool py_key_is(const char *s, size_t n, const char *key)
{
	return strlen(key) == n && strncasecmp(s, key, n) == 0;
}

static enum bw_err py_license_push(struct bw_strv *sv, const char *s, size_t n)
{
	char buf[PY_LICENSE_MAX + 1];

	py_trim(&s, &n);
	if (n == 0 || n > PY_LICENSE_MAX || !bw_utf8_valid(s, n) || sv->n >= PY_MAX_LICENSES)
		return BW_OK;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcasecmp(buf, "UNKNOWN") == 0 || bw_strv_contains(sv, buf))
		return BW_OK;
	return bw_strv_push(sv, buf);
}

enum bw_err sbom_parse_python_metadata(struct sbom *sb, const char *data, size_t n,
				       const char *path, const char *layer, struct bw_errbuf *eb)
{
	struct py_lines it = {.p = data, .end = data + n};
	struct py_field name = {0}, version = {0}, lic = {0}, expr = {0};
	struct bw_strv classifiers = {0}, licenses = {0};
	enum bw_err result = BW_OK;
	bool lic_multi = false, last_license = false;
	const char *s;
	size_t len;

	while (result == BW_OK && py_next_line(&it, &s, &len)) {
		const char *colon, *v;
		size_t vl;

		if (len == 0)
			break; /* the body (description) follows */
		if (*s == ' ' || *s == '\t') {
			if (last_license)
				lic_multi = true;
			continue; /* a continuation line */
		}
		last_license = false;
		colon = memchr(s, ':', len);
		if (!colon) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: line %zu: not a \"Key: value\" header",
					 path, it.lineno);
			break;
		}
		v = colon + 1;
		vl = len - (size_t)(v - s);
		py_trim(&v, &vl);
		if (py_key_is(s, (size_t)(colon - s), "Name") && !name.p)
			name = (struct py_field){v, vl};
		else if (py_key_is(s, (size_t)(colon - s), "Version") && !version.p)
			version = (struct py_field){v, vl};
		else if (py_key_is(s, (size_t)(colon - s), "License-Expression"))
			expr = (struct py_field){v, vl};
		else if (py_key_is(s, (size_t)(colon - s), "License")) {
			lic = (struct py_field){v, vl};
			last_license = true;
		} else if (py_key_is(s, (size_t)(colon - s), "Classifier") && vl > 11 &&
			   memcmp(v, "License :: ", 11) == 0) {
			const char *last = v;

			for (size_t i = 0; i + 4 <= vl; i++)
				if (memcmp(v + i, " :: ", 4) == 0)
					last = v + i + 4;
			result = py_license_push(&classifiers, last, vl - (size_t)(last - v));
		}
	}
	if (result == BW_OK && (!name.p || !version.p))
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no %s field", path,
				 !name.p ? "Name" : "Version");
	if (result == BW_OK && (!py_name_ok(name.p, name.n) || !py_version_ok(version.p, version.n))) {
		char q[80];

		result = bw_fail(eb, BW_ERR_FORMAT, "%s: bad %s \"%s\"", path,
				 !py_name_ok(name.p, name.n) ? "Name" : "Version",
				 !py_name_ok(name.p, name.n)
					 ? sbom_quote(q, sizeof(q), name.p, name.n, 60)
					 : sbom_quote(q, sizeof(q), version.p, version.n, 60));
	}
	if (result == BW_OK) {
		if (expr.p && expr.n)
			result = py_license_push(&licenses, expr.p, expr.n);
		else if (lic.p && lic.n && !lic_multi && lic.n <= 64)
			result = py_license_push(&licenses, lic.p, lic.n);
		else {
			licenses = classifiers;
			memset(&classifiers, 0, sizeof(classifiers));
		}
	}
	if (result == BW_OK)
		result = py_add(sb, name.p, name.n, version.p, version.n, false, path, layer,
				&licenses);
	bw_strv_release(&licenses);
	bw_strv_release(&classifiers);
	return result;
}

/* ---- requirements.txt ---------------------------------------------------------- */

/* One logical line (continuations joined, comment removed). */
static enum bw_err py_requirement(struct sbom *sb, const char *s, size_t n, const char *path,
				  const char *layer, bool dev)
{
	size_t i = 0, nl, vs;

	py_trim(&s, &n);
	if (n == 0 || *s == '-')
		return BW_OK; /* options: -r, -c, -e, -i, --hash ... are not followed */
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-'))
		i++;
	nl = i;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '[') {
		const char *close = memchr(s + i, ']', n - i);

		if (!close)
			return BW_OK;
		i = (size_t)(close - s) + 1;
		while (i < n && isspace((unsigned char)s[i]))
			i++;
	}
	if (i + 2 > n || s[i] != '=' || s[i + 1] != '=')
		return BW_OK; /* not a pin */
	i += 2;
	if (i < n && s[i] == '=')
		i++; /* "===" arbitrary equality */
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	vs = i;
	while (i < n && !isspace((unsigned char)s[i]) && s[i] != ';' && s[i] != ',' && s[i] != '#')
		i++;
	if (i == vs || memchr(s + vs, '*', i - vs))
		return BW_OK; /* "==1.*" is a range */
	return py_add(sb, s, nl, s + vs, i - vs, dev, path, layer, NULL);
}

enum bw_err sbom_parse_python_requirements(struct sbom *sb, const char *data, size_t n,
					   const char *path, const char *layer, bool dev,
					   struct bw_errbuf *eb)
{
	struct py_lines it = {.p = data, .end = data + n};
	struct bw_buf line;
	enum bw_err result = BW_OK;
	const char *s;
	size_t len;

	if (!bw_utf8_valid(data, n))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not UTF-8 text", path);
	bw_buf_init(&line, 64 * KiB);
	while (result == BW_OK && py_next_line(&it, &s, &len)) {
		bool cont;

		/* a comment starts at '#' at the line start or after blanks */
		for (size_t i = 0; i < len; i++)
			if (s[i] == '#' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
				len = i;
				break;
			}
		cont = len && s[len - 1] == '\\';
		result = bw_buf_append(&line, s, cont ? len - 1 : len);
		if (result == BW_ERR_LIMIT) {
			result = bw_fail(eb, result, "%s: line %zu: longer than 64 KiB", path,
					 it.lineno);
			break;
		}
		if (result != BW_OK || cont)
			continue;
		result = py_requirement(sb, line.data ? line.data : "", line.len, path, layer, dev);
		bw_buf_reset(&line);
	}
	if (result == BW_OK && line.len)
		result = py_requirement(sb, line.data, line.len, path, layer, dev);
	bw_buf_release(&line);
	return result;
}

/* ---- Pipfile.lock ---------------------------------------------------------------- */

enum bw_err sbom_parse_pipfile_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				    const char *layer, struct bw_errbuf *eb)
{
	static const char *const sections[] = {"default", "develop"};
	json_t *root = NULL;
	enum bw_err result;

	result = bw_json_parse(data, n, path, &root, eb);
	if (result != BW_OK)
		return result;
	if (!json_is_object(root)) {
		json_decref(root);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not a JSON object", path);
	}
	for (size_t s = 0; s < 2 && result == BW_OK; s++) {
		const json_t *sec = json_object_get(root, sections[s]), *v;
		const char *key;

		if (!json_is_object(sec))
			continue;
		json_object_foreach((json_t *)sec, key, v) {
			const char *ver = bw_json_str(v, "version");

			if (!ver || strncmp(ver, "==", 2) != 0)
				continue; /* editable, git, path: no pinned release */
			ver += 2;
			if (*ver == '=')
				ver++;
			result = py_add(sb, key, strlen(key), ver, strlen(ver), s == 1, path, layer,
					NULL);
			if (result != BW_OK)
				break;
		}
	}
	json_decref(root);
	return result;
}

/* ---- a bounded TOML reader ------------------------------------------------------------ */

struct toml {
	const char *p, *end;
	size_t line;
	const char *path;
	struct bw_errbuf *eb;
	/* when set: the "name" strings of the inline tables directly inside
	 * the value being read (uv's `dependencies = [{ name = "x" }, ...]`) */
	struct bw_strv *names;
	/* when set: the strings directly inside the array being read */
	struct bw_strv *strings;
	enum bw_err names_result;
};

enum toml_type { TOML_OTHER, TOML_STRING, TOML_TABLE };

struct toml_val {
	enum toml_type type;
	char str[TOML_STR_MAX]; /* a string (truncated flag below) */
	bool truncated;
	char first_key[64];     /* an inline table's first key */
};

static enum bw_err toml_err(struct toml *t, const char *what)
{
	return bw_fail(t->eb, BW_ERR_FORMAT, "%s: line %zu: %s", t->path, t->line, what);
}

static void toml_ws(struct toml *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Blanks, newlines and comments (inside arrays). */
static void toml_ws_nl(struct toml *t)
{
	for (;;) {
		toml_ws(t);
		if (t->p < t->end && *t->p == '#') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		}
		if (t->p < t->end && (*t->p == '\n' || *t->p == '\r')) {
			if (*t->p == '\n')
				t->line++;
			t->p++;
			continue;
		}
		return;
	}
}

/* After a value or header: blanks, a comment, then a newline or the end. */
static enum bw_err toml_eol(struct toml *t)
{
	toml_ws(t);
	if (t->p < t->end && *t->p == '#')
		while (t->p < t->end && *t->p != '\n')
			t->p++;
	if (t->p < t->end && *t->p == '\r')
		t->p++;
	if (t->p < t->end && *t->p != '\n')
		return toml_err(t, "unexpected text after a value");
	if (t->p < t->end) {
		t->p++;
		t->line++;
	}
	return BW_OK;
}

static void toml_putc(struct toml_val *v, size_t *o, char c)
{
	if (*o + 1 < sizeof(v->str))
		v->str[(*o)++] = c;
	else
		v->truncated = true;
}

/* A string at t->p (one of " ' """ '''); decoded into v->str. */
static enum bw_err toml_string(struct toml *t, struct toml_val *v)
{
	char q = *t->p;
	bool multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
	size_t o = 0;

	v->type = TOML_STRING;
	t->p += multi ? 3 : 1;
	if (multi && t->p < t->end && *t->p == '\n') {
		t->p++;
		t->line++;
	}
	for (;;) {
		char c;

		if (t->p >= t->end)
			return toml_err(t, "unterminated string");
		c = *t->p;
		if (c == q && (!multi || (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q))) {
			t->p += multi ? 3 : 1;
			break;
		}
		if (c == '\n') {
			if (!multi)
				return toml_err(t, "newline in a string");
			t->line++;
		}
		if (c == '\\' && q == '"') {
			if (t->end - t->p < 2)
				return toml_err(t, "unterminated string");
			c = t->p[1];
			t->p += 2;
			switch (c) {
			case 'n': toml_putc(v, &o, '\n'); break;
			case 't': toml_putc(v, &o, '\t'); break;
			case 'r': toml_putc(v, &o, '\r'); break;
			case 'b': toml_putc(v, &o, '\b'); break;
			case 'f': toml_putc(v, &o, '\f'); break;
			case 'e': toml_putc(v, &o, 0x1b); break;
			case '"': toml_putc(v, &o, '"'); break;
			case '\\': toml_putc(v, &o, '\\'); break;
			case 'u':
			case 'U': {
				size_t nd = c == 'u' ? 4 : 8;

				if ((size_t)(t->end - t->p) < nd)
					return toml_err(t, "short \\u escape");
				for (size_t i = 0; i < nd; i++)
					if (!isxdigit((unsigned char)t->p[i]))
						return toml_err(t, "bad \\u escape");
				t->p += nd;
				toml_putc(v, &o, '?'); /* names and versions are ASCII */
				break;
			}
			default:
				if (multi && (c == '\n' || c == ' ' || c == '\t' || c == '\r')) {
					/* line-ending backslash: skip the whitespace */
					t->p--;
					while (t->p < t->end && isspace((unsigned char)*t->p)) {
						if (*t->p == '\n')
							t->line++;
						t->p++;
					}
					break;
				}
				return toml_err(t, "bad escape in a string");
			}
			continue;
		}
		toml_putc(v, &o, c);
		t->p++;
	}
	v->str[o] = '\0';
	return BW_OK;
}

static bool toml_bare_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* A key (bare or quoted, dotted parts joined by '.') into out. */
static enum bw_err toml_key(struct toml *t, char *out, size_t outsz)
{
	size_t o = 0;

	for (;;) {
		toml_ws(t);
		if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
			struct toml_val kv = {0};
			enum bw_err result = toml_string(t, &kv);
			size_t kl = strlen(kv.str);

			if (result != BW_OK)
				return result;
			if (o + kl + 1 < outsz) {
				memcpy(out + o, kv.str, kl);
				o += kl;
			}
		} else {
			const char *s = t->p;

			while (t->p < t->end && toml_bare_char(*t->p))
				t->p++;
			if (t->p == s)
				return toml_err(t, "expected a key");
			if (o + (size_t)(t->p - s) + 1 < outsz) {
				memcpy(out + o, s, (size_t)(t->p - s));
				o += (size_t)(t->p - s);
			}
		}
		toml_ws(t);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			if (o + 2 < outsz)
				out[o++] = '.';
			continue;
		}
		break;
	}
	out[o] = '\0';
	return BW_OK;
}

static enum bw_err toml_value(struct toml *t, struct toml_val *v, int depth);

static enum bw_err toml_array(struct toml *t, int depth)
{
	t->p++; /* '[' */
	for (;;) {
		struct toml_val item;
		enum bw_err result;

		toml_ws_nl(t);
		if (t->p >= t->end)
			return toml_err(t, "unterminated array");
		if (*t->p == ']') {
			t->p++;
			return BW_OK;
		}
		result = toml_value(t, &item, depth + 1);
		if (result != BW_OK)
			return result;
		if (t->strings && depth == 0 && item.type == TOML_STRING && !item.truncated &&
		    t->strings->n < 100000 && t->names_result == BW_OK)
			t->names_result = bw_strv_push(t->strings, item.str);
		toml_ws_nl(t);
		if (t->p < t->end && *t->p == ',')
			t->p++;
		else if (t->p < t->end && *t->p != ']')
			return toml_err(t, "expected ',' or ']' in an array");
	}
}

static enum bw_err toml_inline_table(struct toml *t, struct toml_val *v, int depth)
{
	bool first = true;

	v->type = TOML_TABLE;
	t->p++; /* '{' */
	for (;;) {
		struct toml_val item;
		char key[256];
		enum bw_err result;

		toml_ws(t);
		if (t->p >= t->end)
			return toml_err(t, "unterminated inline table");
		if (*t->p == '}') {
			t->p++;
			return BW_OK;
		}
		result = toml_key(t, key, sizeof(key));
		if (result != BW_OK)
			return result;
		if (first)
			bw_strlcpy(v->first_key, key, sizeof(v->first_key));
		first = false;
		toml_ws(t);
		if (t->p >= t->end || *t->p != '=')
			return toml_err(t, "expected '=' in an inline table");
		t->p++;
		toml_ws(t);
		result = toml_value(t, &item, depth + 1);
		if (result != BW_OK)
			return result;
		if (t->names && depth == 1 && strcmp(key, "name") == 0 && item.type == TOML_STRING &&
		    !item.truncated && t->names->n < 100000 && t->names_result == BW_OK)
			t->names_result = bw_strv_push(t->names, item.str);
		toml_ws(t);
		if (t->p < t->end && *t->p == ',')
			t->p++;
		else if (t->p < t->end && *t->p != '}')
			return toml_err(t, "expected ',' or '}' in an inline table");
	}
}

/* A value at t->p: strings, arrays and inline tables are parsed; numbers,
 * booleans and dates are taken as bare words. */
static enum bw_err toml_value(struct toml *t, struct toml_val *v, int depth)
{
	v->type = TOML_OTHER;
	v->str[0] = '\0';
	v->truncated = false;
	v->first_key[0] = '\0';
	if (depth > TOML_MAX_DEPTH)
		return bw_fail(t->eb, BW_ERR_LIMIT, "%s: line %zu: values nested deeper than %d",
			       t->path, t->line, TOML_MAX_DEPTH);
	if (t->p >= t->end)
		return toml_err(t, "expected a value");
	switch (*t->p) {
	case '"':
	case '\'':
		return toml_string(t, v);
	case '[':
		return toml_array(t, depth);
	case '{':
		return toml_inline_table(t, v, depth);
	default: {
		const char *s = t->p;

		while (t->p < t->end && (isalnum((unsigned char)*t->p) || *t->p == '+' ||
					 *t->p == '-' || *t->p == '.' || *t->p == ':' || *t->p == '_' ||
					 (*t->p == ' ' && t->p > s && isdigit((unsigned char)t->p[-1]) &&
					  t->end - t->p > 1 && isdigit((unsigned char)t->p[1]))))
			t->p++;
		if (t->p == s)
			return toml_err(t, "expected a value");
		return BW_OK;
	}
	}
}

/* One [[package]] being read. */
struct toml_pkg {
	char name[PY_NAME_MAX + 1];
	char version[PY_VERSION_MAX + 1];
	bool dev, local, open;
	size_t line;
	struct bw_strv deps; /* uv: dependencies and optional-dependencies names */
};

/* uv's graph: edges from each package to its dependencies (by normalised
 * name); the local packages (the project, workspace members) are the roots. */
struct toml_graph {
	struct bw_strv from, to, roots;
};

static void toml_graph_release(struct toml_graph *g)
{
	bw_strv_release(&g->from);
	bw_strv_release(&g->to);
	bw_strv_release(&g->roots);
}

static enum bw_err toml_pkg_flush(struct sbom *sb, struct toml_pkg *p, struct toml_graph *g,
				  const char *path, const char *layer)
{
	enum bw_err result = BW_OK;
	char *norm = p->name[0] ? sbom_python_normalize(p->name) : NULL;

	if (p->name[0] && !norm)
		result = BW_ERR_NOMEM;
	if (result == BW_OK && p->open && p->name[0] && p->version[0] && !p->local)
		result = py_add(sb, p->name, strlen(p->name), p->version, strlen(p->version), p->dev,
				path, layer, NULL);
	if (result == BW_OK && norm && p->local)
		result = bw_strv_push(&g->roots, norm);
	for (size_t i = 0; result == BW_OK && norm && i < p->deps.n; i++) {
		char *to = sbom_python_normalize(p->deps.v[i]);

		if (!to)
			result = BW_ERR_NOMEM;
		else if (g->from.n >= 1000000)
			result = BW_ERR_LIMIT;
		if (result == BW_OK)
			result = bw_strv_push(&g->from, norm);
		if (result == BW_OK)
			result = bw_strv_push_owned(&g->to, to);
		else
			free(to);
	}
	free(norm);
	bw_strv_release(&p->deps);
	memset(p, 0, sizeof(*p));
	return result;
}

static int toml_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct toml_edge {
	const char *from, *to;
};

static int toml_edge_cmp(const void *a, const void *b)
{
	return strcmp(((const struct toml_edge *)a)->from, ((const struct toml_edge *)b)->from);
}

/* Index of s in the sorted unique nodes, or -1. */
static ptrdiff_t toml_node(const struct bw_strv *nodes, const char *s)
{
	char **hit = bsearch(&s, nodes->v, nodes->n, sizeof(*nodes->v), toml_strcmp);

	return hit ? hit - nodes->v : -1;
}

/* uv records dev-ness only as the local packages' dev-dependencies: a
 * package no local package reaches through dependencies (and optional
 * dependencies, which are production extras) is dev. Marks sb->pkgs[first..]
 * (nothing when the lockfile has no local package). */
static enum bw_err toml_mark_dev(struct sbom *sb, size_t first, struct toml_graph *g)
{
	struct bw_strv nodes = {0};
	struct toml_edge *edges = NULL;
	size_t ne = g->from.n, *queue = NULL, qn = 0;
	bool *seen = NULL;
	enum bw_err result = BW_OK;

	if (!g->roots.n)
		return BW_OK;
	for (size_t i = 0; i < ne && result == BW_OK; i++)
		if ((result = bw_strv_push(&nodes, g->from.v[i])) == BW_OK)
			result = bw_strv_push(&nodes, g->to.v[i]);
	for (size_t i = 0; i < g->roots.n && result == BW_OK; i++)
		result = bw_strv_push(&nodes, g->roots.v[i]);
	if (result != BW_OK)
		goto out_free;
	bw_strv_sort(&nodes);
	{
		size_t k = 0;

		for (size_t i = 0; i < nodes.n; i++) {
			if (k && strcmp(nodes.v[k - 1], nodes.v[i]) == 0) {
				free(nodes.v[i]);
				continue;
			}
			nodes.v[k++] = nodes.v[i];
		}
		nodes.n = k;
	}
	edges = bw_calloc(ne + 1, sizeof(*edges));
	seen = bw_calloc(nodes.n + 1, sizeof(*seen));
	queue = bw_calloc(nodes.n + 1, sizeof(*queue));
	if (!edges || !seen || !queue) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < ne; i++)
		edges[i] = (struct toml_edge){g->from.v[i], g->to.v[i]};
	qsort(edges, ne, sizeof(*edges), toml_edge_cmp);
	for (size_t i = 0; i < g->roots.n; i++) {
		ptrdiff_t k = toml_node(&nodes, g->roots.v[i]);

		if (k >= 0 && !seen[k]) {
			seen[k] = true;
			queue[qn++] = (size_t)k;
		}
	}
	for (size_t q = 0; q < qn; q++) {
		const char *cur = nodes.v[queue[q]];
		size_t lo = 0, hi = ne;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(edges[mid].from, cur) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ne && strcmp(edges[lo].from, cur) == 0; lo++) {
			ptrdiff_t k = toml_node(&nodes, edges[lo].to);

			if (k >= 0 && !seen[k]) {
				seen[k] = true;
				queue[qn++] = (size_t)k;
			}
		}
	}
	for (size_t i = first; i < sb->npkgs; i++) {
		char *norm = sbom_python_normalize(sb->pkgs[i].name);
		ptrdiff_t k;

		if (!norm) {
			result = BW_ERR_NOMEM;
			break;
		}
		k = toml_node(&nodes, norm);
		sb->pkgs[i].dev = !(k >= 0 && seen[k]);
		free(norm);
	}
out_free:
	free(queue);
	free(seen);
	free(edges);
	bw_strv_release(&nodes);
	return result;
}

/* roots: the production dependencies named by the pyproject.toml beside a
 * poetry.lock (NULL: none), used when the lockfile has no local package
 * and no poetry < 1.5 "category". */
static enum bw_err toml_lock_parse(struct sbom *sb, const char *data, size_t n,
				   const struct bw_strv *roots, const char *path, const char *layer,
				   struct bw_errbuf *eb)
{
	struct toml t = {.p = data, .end = data + n, .line = 1, .path = path, .eb = eb};
	struct toml_pkg pkg = {0};
	struct toml_graph g = {0};
	enum bw_err result = BW_OK;
	size_t first = sb->npkgs;
	bool in_pkg = false, in_optional = false, in_deps = false, any_category = false;
	struct bw_strv groups = {0};
	char key[256];

	while (result == BW_OK) {
		toml_ws_nl(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[') {
			bool aot = t.end - t.p > 1 && t.p[1] == '[';

			t.p += aot ? 2 : 1;
			result = toml_key(&t, key, sizeof(key));
			if (result != BW_OK)
				break;
			if (t.end - t.p < (aot ? 2 : 1) || t.p[0] != ']' || (aot && t.p[1] != ']')) {
				result = toml_err(&t, "unterminated table header");
				break;
			}
			t.p += aot ? 2 : 1;
			result = toml_eol(&t);
			if (result != BW_OK)
				break;
			in_pkg = aot && strcmp(key, "package") == 0;
			in_optional = !aot && strcmp(key, "package.optional-dependencies") == 0 &&
				      pkg.open;
			in_deps = !aot && strcmp(key, "package.dependencies") == 0 && pkg.open;
			if (in_pkg) {
				result = toml_pkg_flush(sb, &pkg, &g, path, layer);
				pkg.open = true;
				pkg.line = t.line - 1;
			}
			continue;
		}
		{
			struct toml_val v;

			result = toml_key(&t, key, sizeof(key));
			if (result != BW_OK)
				break;
			toml_ws(&t);
			if (t.p >= t.end || *t.p != '=') {
				result = toml_err(&t, "expected '=' after a key");
				break;
			}
			t.p++;
			toml_ws(&t);
			t.names = in_optional || (in_pkg && strcmp(key, "dependencies") == 0)
					  ? &pkg.deps
					  : NULL;
			t.strings = in_pkg && strcmp(key, "groups") == 0 ? &groups : NULL;
			t.names_result = BW_OK;
			result = toml_value(&t, &v, 0);
			if (result == BW_OK)
				result = t.names_result;
			if (t.strings) {
				/* poetry 2 (lock 2.1): the groups a package is in */
				pkg.dev = groups.n && !bw_strv_contains(&groups, "main");
				any_category = true;
				bw_strv_release(&groups);
			}
			t.names = NULL;
			t.strings = NULL;
			if (result == BW_OK)
				result = toml_eol(&t);
			if (result == BW_OK && in_deps && pkg.deps.n < 100000)
				result = bw_strv_push(&pkg.deps, key); /* poetry: name = "range" */
			if (result != BW_OK || !in_pkg)
				continue;
			if (strcmp(key, "name") == 0 && v.type == TOML_STRING && !v.truncated)
				bw_strlcpy(pkg.name, v.str, sizeof(pkg.name));
			else if (strcmp(key, "version") == 0 && v.type == TOML_STRING && !v.truncated)
				bw_strlcpy(pkg.version, v.str, sizeof(pkg.version));
			else if (strcmp(key, "category") == 0 && v.type == TOML_STRING) {
				pkg.dev = strcmp(v.str, "dev") == 0;
				any_category = true;
			}
			else if (strcmp(key, "source") == 0 && v.type == TOML_TABLE)
				pkg.local = strcmp(v.first_key, "editable") == 0 ||
					    strcmp(v.first_key, "virtual") == 0;
		}
	}
	if (result == BW_OK)
		result = toml_pkg_flush(sb, &pkg, &g, path, layer);
	if (result == BW_OK && !g.roots.n && !any_category && roots)
		for (size_t i = 0; i < roots->n && result == BW_OK; i++) {
			char *norm = sbom_python_normalize(roots->v[i]);

			/* takes norm, frees it on failure; NULL gives BW_ERR_NOMEM */
			result = bw_strv_push_owned(&g.roots, norm);
		}
	if (result == BW_OK && !any_category)
		result = toml_mark_dev(sb, first, &g);
	else if (result == BW_ERR_LIMIT && !eb->msg[0])
		bw_fail(eb, result, "%s: more than 1000000 dependencies", path);
	bw_strv_release(&pkg.deps);
	bw_strv_release(&groups);
	toml_graph_release(&g);
	return result;
}

enum bw_err sbom_parse_python_toml_lock(struct sbom *sb, const char *data, size_t n,
					const char *path, const char *layer, struct bw_errbuf *eb)
{
	return toml_lock_parse(sb, data, n, NULL, path, layer, eb);
}

/* The production dependency names a pyproject.toml declares: PEP 621
 * [project] dependencies and optional-dependencies (PEP 508 strings), and
 * poetry's [tool.poetry.dependencies] keys but "python". Groups
 * ([tool.poetry.group.*], [dependency-groups]) are development. A file
 * that does not parse gives no roots. */
static enum bw_err py_pyproject_roots(const char *data, size_t n, struct bw_strv *roots)
{
	struct bw_errbuf eb = {{0}};
	struct toml t = {.p = data, .end = data + n, .line = 1, .path = "pyproject.toml", .eb = &eb};
	struct bw_strv strs = {0};
	enum bw_err result = BW_OK;
	int table = 0; /* 1 [project], 2 [project.optional-dependencies], 3 poetry deps */
	char key[256];

	while (result == BW_OK) {
		struct toml_val v;

		toml_ws_nl(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[') {
			bool aot = t.end - t.p > 1 && t.p[1] == '[';

			t.p += aot ? 2 : 1;
			result = toml_key(&t, key, sizeof(key));
			if (result != BW_OK || t.end - t.p < (aot ? 2 : 1) || t.p[0] != ']')
				break;
			t.p += aot ? 2 : 1;
			result = toml_eol(&t);
			table = aot ? 0
				: strcmp(key, "project") == 0 ? 1
				: strcmp(key, "project.optional-dependencies") == 0 ? 2
				: strcmp(key, "tool.poetry.dependencies") == 0 ? 3 : 0;
			continue;
		}
		result = toml_key(&t, key, sizeof(key));
		if (result != BW_OK)
			break;
		toml_ws(&t);
		if (t.p >= t.end || *t.p != '=')
			break;
		t.p++;
		toml_ws(&t);
		t.strings = table == 2 || (table == 1 && strcmp(key, "dependencies") == 0) ? &strs
											   : NULL;
		t.names_result = BW_OK;
		result = toml_value(&t, &v, 0);
		if (result == BW_OK)
			result = t.names_result;
		t.strings = NULL;
		if (result == BW_OK)
			result = toml_eol(&t);
		if (result == BW_OK && table == 3 && strcmp(key, "python") != 0 && roots->n < 100000)
			result = bw_strv_push(roots, key);
	}
	/* "requests[socks] >= 2; python_version > '3.8'": the name */
	for (size_t i = 0; i < strs.n && result != BW_ERR_NOMEM; i++) {
		size_t k = 0;

		while (strs.v[i][k] && (isalnum((unsigned char)strs.v[i][k]) || strs.v[i][k] == '-' ||
					strs.v[i][k] == '_' || strs.v[i][k] == '.'))
			k++;
		strs.v[i][k] = '\0';
		if (k && py_name_ok(strs.v[i], k))
			result = bw_strv_push(roots, strs.v[i]);
	}
	bw_strv_release(&strs);
	return result == BW_ERR_NOMEM ? result : BW_OK;
}

/* ---- the cataloger ------------------------------------------------------------------- */

/* Files shipped inside an installed package or a node_modules tree are the
 * package's own (tests, examples), not the image's dependencies. */
static bool py_inside_package(const char *path)
{
	static const char *const dirs[] = {"site-packages/", "dist-packages/", "node_modules/"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (const char *p = path; (p = strstr(p, dirs[i])); p++)
			if (p == path || p[-1] == '/')
				return true;
	return false;
}

/* requirements-dev.txt, dev-requirements.txt, requirements/test.txt ... */
static bool py_dev_requirements(const char *path)
{
	const char *base = bw_path_base(path);

	return strstr(base, "dev") || strstr(base, "test");
}

static enum bw_err python_parse(struct sbom *sb, const struct image_fs *fs,
				const struct image_file *f, struct bw_errbuf *eb)
{
	const char *base = bw_path_base(f->path);

	if (strcmp(base, "METADATA") == 0 || strcmp(base, "PKG-INFO") == 0 ||
	    bw_str_ends_with(base, ".egg-info"))
		return sbom_parse_python_metadata(sb, f->data, f->size, f->path, f->layer_digest, eb);
	if (py_inside_package(f->path))
		return BW_OK;
	if (strcmp(base, "uv.lock") == 0)
		return sbom_parse_python_toml_lock(sb, f->data, f->size, f->path, f->layer_digest,
						   eb);
	if (strcmp(base, "poetry.lock") == 0) {
		struct bw_strv roots = {0};
		const struct image_file *pp;
		char dir[4096], pj[4200];
		enum bw_err result = BW_OK;

		bw_path_dir(f->path, dir, sizeof(dir));
		snprintf(pj, sizeof(pj), "%s%spyproject.toml", dir, *dir ? "/" : "");
		pp = image_fs_get(fs, pj);
		if (pp)
			result = py_pyproject_roots(pp->data, pp->size, &roots);
		if (result == BW_OK)
			result = toml_lock_parse(sb, f->data, f->size, pp ? &roots : NULL, f->path,
						 f->layer_digest, eb);
		bw_strv_release(&roots);
		return result;
	}
	if (strcmp(base, "Pipfile.lock") == 0)
		return sbom_parse_pipfile_lock(sb, f->data, f->size, f->path, f->layer_digest, eb);
	if (bw_str_ends_with(base, ".txt"))
		return sbom_parse_python_requirements(sb, f->data, f->size, f->path,
						      f->layer_digest, py_dev_requirements(f->path),
						      eb);
	return BW_OK;
}

const struct sbom_lang_cataloger sbom_cat_python = {
	.name = "python",
	.wants = python_wants,
	.nwants = sizeof(python_wants) / sizeof(python_wants[0]),
	.parse = python_parse,
};

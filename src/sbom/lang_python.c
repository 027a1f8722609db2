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
 * TOML is read by the shared bounded reader in toml.c.
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

static const struct image_want python_wants[] = {
	{"**/*.dist-info/METADATA", 1 * MiB},
	{"**/*.dist-info/RECORD", 16 * MiB}, /* file ownership (owner.c) */
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
	struct sbom_toml t = {.p = data, .end = data + n, .line = 1, .path = path, .eb = eb};
	struct toml_pkg pkg = {0};
	struct toml_graph g = {0};
	enum bw_err result = BW_OK;
	size_t first = sb->npkgs;
	bool in_pkg = false, in_optional = false, in_deps = false, any_category = false;
	struct bw_strv groups = {0};
	char key[256];

	while (result == BW_OK) {
		sbom_toml_ws_nl(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[') {
			bool aot = t.end - t.p > 1 && t.p[1] == '[';

			t.p += aot ? 2 : 1;
			result = sbom_toml_key(&t, key, sizeof(key));
			if (result != BW_OK)
				break;
			if (t.end - t.p < (aot ? 2 : 1) || t.p[0] != ']' || (aot && t.p[1] != ']')) {
				result = sbom_toml_err(&t, "unterminated table header");
				break;
			}
			t.p += aot ? 2 : 1;
			result = sbom_toml_eol(&t);
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
			struct sbom_toml_val v;

			result = sbom_toml_key(&t, key, sizeof(key));
			if (result != BW_OK)
				break;
			sbom_toml_ws(&t);
			if (t.p >= t.end || *t.p != '=') {
				result = sbom_toml_err(&t, "expected '=' after a key");
				break;
			}
			t.p++;
			sbom_toml_ws(&t);
			t.names = in_optional || (in_pkg && strcmp(key, "dependencies") == 0)
					  ? &pkg.deps
					  : NULL;
			t.strings = in_pkg && strcmp(key, "groups") == 0 ? &groups : NULL;
			t.names_result = BW_OK;
			result = sbom_toml_value(&t, &v, 0);
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
				result = sbom_toml_eol(&t);
			if (result == BW_OK && in_deps && pkg.deps.n < 100000)
				result = bw_strv_push(&pkg.deps, key); /* poetry: name = "range" */
			if (result != BW_OK || !in_pkg)
				continue;
			if (strcmp(key, "name") == 0 && v.type == SBOM_TOML_STRING && !v.truncated)
				bw_strlcpy(pkg.name, v.str, sizeof(pkg.name));
			else if (strcmp(key, "version") == 0 && v.type == SBOM_TOML_STRING && !v.truncated)
				bw_strlcpy(pkg.version, v.str, sizeof(pkg.version));
			else if (strcmp(key, "category") == 0 && v.type == SBOM_TOML_STRING) {
				pkg.dev = strcmp(v.str, "dev") == 0;
				any_category = true;
			}
			else if (strcmp(key, "source") == 0 && v.type == SBOM_TOML_TABLE)
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
	struct sbom_toml t = {.p = data, .end = data + n, .line = 1, .path = "pyproject.toml", .eb = &eb};
	struct bw_strv strs = {0};
	enum bw_err result = BW_OK;
	int table = 0; /* 1 [project], 2 [project.optional-dependencies], 3 poetry deps */
	char key[256];

	while (result == BW_OK) {
		struct sbom_toml_val v;

		sbom_toml_ws_nl(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[') {
			bool aot = t.end - t.p > 1 && t.p[1] == '[';

			t.p += aot ? 2 : 1;
			result = sbom_toml_key(&t, key, sizeof(key));
			if (result != BW_OK || t.end - t.p < (aot ? 2 : 1) || t.p[0] != ']')
				break;
			t.p += aot ? 2 : 1;
			result = sbom_toml_eol(&t);
			table = aot ? 0
				: strcmp(key, "project") == 0 ? 1
				: strcmp(key, "project.optional-dependencies") == 0 ? 2
				: strcmp(key, "tool.poetry.dependencies") == 0 ? 3 : 0;
			continue;
		}
		result = sbom_toml_key(&t, key, sizeof(key));
		if (result != BW_OK)
			break;
		sbom_toml_ws(&t);
		if (t.p >= t.end || *t.p != '=')
			break;
		t.p++;
		sbom_toml_ws(&t);
		t.strings = table == 2 || (table == 1 && strcmp(key, "dependencies") == 0) ? &strs
											   : NULL;
		t.names_result = BW_OK;
		result = sbom_toml_value(&t, &v, 0);
		if (result == BW_OK)
			result = t.names_result;
		t.strings = NULL;
		if (result == BW_OK)
			result = sbom_toml_eol(&t);
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

/* ---- RECORD: the files an installed distribution wrote --------------------
 *
 * DIR/NAME-VER.dist-info/RECORD is CSV (Python's csv module, default
 * dialect: ',' separates, '"' quotes, "" inside quotes is a quote) with
 * rows "path,hash,size"; paths are relative to DIR (may climb out of it
 * with "../" to reach bin/) or absolute. Only the path is used. */

#define PY_RECORD_PATH_MAX 4096

enum bw_err sbom_python_record_paths(const char *data, size_t n, sbom_record_fn fn, void *ctx,
				     size_t *nrows)
{
	char field[PY_RECORD_PATH_MAX];
	size_t off = 0;
	enum bw_err result;

	*nrows = 0;
	while (off < n) {
		size_t fl = 0, fieldno = 0;
		bool toolong = false, row_end = false, any = false;

		while (!row_end) {
			/* one field; only the first is kept */
			if (off < n && data[off] == '"') {
				off++;
				any = true;
				for (;;) {
					char c;

					if (off >= n)
						return BW_ERR_FORMAT;
					c = data[off++];
					if (c == '"') {
						if (off < n && data[off] == '"')
							off++;
						else
							break;
					}
					if (fieldno == 0 && !toolong) {
						if (fl + 1 < sizeof(field))
							field[fl++] = c;
						else
							toolong = true;
					}
				}
			}
			/* unquoted text (or what follows a closing quote) */
			while (off < n && data[off] != ',' && data[off] != '\n' && data[off] != '\r') {
				any = true;
				if (fieldno == 0 && !toolong) {
					if (fl + 1 < sizeof(field))
						field[fl++] = data[off];
					else
						toolong = true;
				}
				off++;
			}
			if (off < n && data[off] == ',') {
				off++;
				fieldno++;
				any = true;
				continue;
			}
			/* end of the row: "\n", "\r\n", "\r" or the end */
			if (off < n && data[off] == '\r')
				off++;
			if (off < n && data[off] == '\n')
				off++;
			row_end = true;
		}
		if (!any)
			continue; /* an empty line */
		(*nrows)++;
		if (fl == 0 || toolong)
			continue;
		result = fn(ctx, field, fl);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

struct py_record_ctx {
	struct sbom_owner_index *ix;
	const char *owner;
	size_t self;
	const char *dir; /* the directory RECORD paths are relative to ("" = root) */
};

static enum bw_err py_record_claim(void *ctx, const char *path, size_t len)
{
	struct py_record_ctx *c = ctx;
	char full[PY_RECORD_PATH_MAX * 2 + 2];
	size_t dl = strlen(c->dir), o = 0;

	if (path[0] != '/' && dl) {
		memcpy(full, c->dir, dl);
		full[dl] = '/';
		o = dl + 1;
	}
	memcpy(full + o, path, len);
	return sbom_owner_claim(c->ix, full, o + len, c->owner, SBOM_PKG_PYPI, c->self, false);
}

enum bw_err sbom_owners_from_python_records(struct sbom_owner_index *ix,
					    const struct sbom_list_file *records, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sbom_list_file *f = &records[i];
		char distinfo[PY_RECORD_PATH_MAX], site[PY_RECORD_PATH_MAX], meta[PY_RECORD_PATH_MAX + 16];
		struct py_record_ctx c = {.ix = ix, .dir = site};
		struct sbom_pkg *self;
		size_t rows = 0;
		enum bw_err result;

		if (!bw_str_ends_with(f->path, ".dist-info/RECORD") ||
		    strlen(f->path) >= sizeof(distinfo))
			continue;
		bw_path_dir(f->path, distinfo, sizeof(distinfo));
		bw_path_dir(distinfo, site, sizeof(site));
		snprintf(meta, sizeof(meta), "%s/METADATA", distinfo);
		c.self = sbom_owner_index_find(ix, meta, SBOM_PKG_PYPI);
		if (c.self == SIZE_MAX)
			continue; /* no distribution there: nobody to own the files */
		self = &sbom_owner_index_sbom(ix)->pkgs[c.self];
		c.owner = self->name;
		result = sbom_python_record_paths(f->data, f->size, py_record_claim, &c, &rows);
		if (result == BW_ERR_NOMEM)
			return result;
		self->nfiles = rows;
	}
	return BW_OK;
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

/* lang_npm.c - the npm cataloger: installed packages and lockfiles.
 *
 * Sources (see docs/lang-npm-python.md for the formats and the rules):
 *   - installed: DIR/node_modules/NAME/package.json and
 *     DIR/node_modules/@SCOPE/NAME/package.json at any depth (nested
 *     node_modules, pnpm's node_modules/.pnpm/X/node_modules/NAME). A
 *     package.json elsewhere (test fixtures inside a package, a project's
 *     own) is not a package; "name" and "version" are required.
 *   - workspaces: a project's package.json with "workspaces" whose
 *     node_modules is installed: every member package.json the globs name.
 *   - package-lock.json / npm-shrinkwrap.json v1 ("dependencies" tree) and
 *     v2/v3 ("packages" keyed by path), yarn.lock classic and berry,
 *     pnpm-lock.yaml v5/v6/v9.
 *
 * One project is counted once: when DIR/node_modules holds installed
 * packages, the lockfiles in DIR are not reported (the installed tree is
 * what the image runs); they then only mark installed packages as dev
 * (package-lock.json or node_modules/.package-lock.json by install path,
 * yarn.lock and pnpm-lock.yaml by name and version). Lockfiles inside a
 * node_modules directory (published with a package) are ignored: they list
 * the package's own development tree, not what is installed.
 *
 * Dev marks: npm and pnpm 5/6 lockfiles record them; for pnpm 9 and yarn
 * they are derived from the dependency graph (a package no production root
 * reaches is dev).
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
#define NPM_NAME_MAX 214    /* npm's own limit */
#define NPM_VERSION_MAX 256
#define NPM_V1_DEPTH 64     /* nesting of a v1 "dependencies" tree */
#define NPM_MAX_ENTRIES ((size_t)200000)
#define NPM_MAX_WORKSPACES 64  /* globs in "workspaces" */
#define NPM_MAX_MEMBERS 4096    /* member package.json files they match */

static const struct image_want npm_wants[] = {
	{"**/package.json", 1 * MiB},
	{"**/package-lock.json", 64 * MiB},
	{"**/npm-shrinkwrap.json", 64 * MiB},
	{"**/node_modules/.package-lock.json", 64 * MiB},
	{"**/yarn.lock", 64 * MiB},
	{"**/pnpm-lock.yaml", 64 * MiB},
};

/* ---- names, versions, packages ---------------------------------------- */

/* Printable UTF-8 without controls or spaces, 1..max bytes. */
static bool npm_text_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max || !bw_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A package name as npm allows it: "name" or "@scope/name", no leading
 * '.' or '_', no path tricks. */
static bool npm_name_ok(const char *s, size_t n)
{
	const char *slash;

	if (!npm_text_ok(s, n, NPM_NAME_MAX) || s[0] == '.' || s[0] == '_')
		return false;
	slash = memchr(s, '/', n);
	if (s[0] == '@') {
		size_t sl;

		if (!slash || slash == s + 1 || (size_t)(slash - s) + 1 >= n)
			return false;
		sl = n - (size_t)(slash - s) - 1;
		if (slash[1] == '.' || slash[1] == '_' || memchr(slash + 1, '/', sl))
			return false;
	} else if (slash) {
		return false;
	}
	return true;
}

struct npm_entry {
	char *name;
	char *version;
	bool dev;
};

struct npm_list {
	struct npm_entry *v;
	size_t n, cap;
};

static void npm_list_release(struct npm_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].version);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Append (copies). Entries with an unusable name or version are dropped
 * (a lockfile lists links and local paths too). */
static enum bw_err npm_list_add(struct npm_list *l, const char *name, size_t nl,
				const char *version, size_t vl, bool dev)
{
	enum bw_err result;
	struct npm_entry *e;

	if (!npm_name_ok(name, nl) || !npm_text_ok(version, vl, NPM_VERSION_MAX))
		return BW_OK;
	result = bw_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), NPM_MAX_ENTRIES);
	if (result != BW_OK)
		return result;
	e = &l->v[l->n];
	e->name = bw_strndup(name, nl);
	e->version = bw_strndup(version, vl);
	e->dev = dev;
	if (!e->name || !e->version) {
		free(e->name);
		free(e->version);
		return BW_ERR_NOMEM;
	}
	l->n++;
	return BW_OK;
}

static int npm_entry_cmp(const void *pa, const void *pb)
{
	const struct npm_entry *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : strcmp(a->version, b->version);
}

/* pkg:npm/%40scope/name@version */
static char *npm_purl(const char *name, const char *version)
{
	const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;
	char *ns = NULL, *out;

	if (slash && !(ns = bw_strndup(name, (size_t)(slash - name))))
		return NULL;
	out = sbom_purl_build("npm", ns, slash ? slash + 1 : name, version, NULL, 0);
	free(ns);
	return out;
}

/* Add one package; licenses (may be NULL) is taken over. */
static enum bw_err npm_add(struct sbom *sb, const char *name, const char *version, bool dev,
			   const char *path, const char *layer, struct bw_strv *licenses)
{
	struct sbom_pkg pkg = {.type = SBOM_PKG_NPM, .dev = dev};

	if (licenses) {
		pkg.licenses = *licenses;
		memset(licenses, 0, sizeof(*licenses));
	}
	pkg.name = bw_strdup(name);
	pkg.version = bw_strdup(version);
	pkg.found_path = bw_strdup(path);
	if (layer)
		pkg.layer_digest = bw_strdup(layer);
	if (pkg.name && pkg.version)
		pkg.purl = npm_purl(name, version);
	if (!pkg.name || !pkg.version || !pkg.found_path || !pkg.purl ||
	    (layer && !pkg.layer_digest)) {
		sbom_pkg_release(&pkg);
		return BW_ERR_NOMEM;
	}
	return sbom_add(sb, &pkg);
}

/* Sort, merge duplicates (a package is dev only when every occurrence
 * is), add them all. */
static enum bw_err npm_list_flush(struct sbom *sb, struct npm_list *l, const char *path,
				  const char *layer)
{
	enum bw_err result = BW_OK;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), npm_entry_cmp);
	for (size_t i = 0; i < l->n && result == BW_OK; i++) {
		bool dev = l->v[i].dev;
		size_t j = i + 1;

		for (; j < l->n && npm_entry_cmp(&l->v[i], &l->v[j]) == 0; j++)
			dev = dev && l->v[j].dev;
		result = npm_add(sb, l->v[i].name, l->v[i].version, dev, path, layer, NULL);
		i = j - 1;
	}
	return result;
}

/* ---- where a file sits -------------------------------------------------- */

/* Is one of the path's directory components "node_modules"? */
static bool npm_in_node_modules(const char *path)
{
	for (const char *p = path; (p = strstr(p, "node_modules/")); p++)
		if (p == path || p[-1] == '/')
			return true;
	return false;
}

/* The component of path[0..end) that ends at end: its start. */
static const char *npm_comp_start(const char *path, const char *end)
{
	while (end > path && end[-1] != '/')
		end--;
	return end;
}

/* For DIR/node_modules/NAME/package.json or DIR/node_modules/@S/NAME/
 * package.json: true, with the package's directory name in name. */
static bool npm_installed_name(const char *path, char *name, size_t namesz)
{
	static const char nm[] = "node_modules";
	const char *end, *base, *parent, *pend, *start;
	size_t len = strlen(path);

	if (len <= strlen("/package.json") || !bw_str_ends_with(path, "/package.json"))
		return false;
	end = path + len - strlen("/package.json");
	base = npm_comp_start(path, end);
	if (base == path)
		return false;
	pend = base - 1;
	parent = npm_comp_start(path, pend);
	start = base;
	if (*parent == '@') {
		start = parent;
		if (parent == path)
			return false;
		pend = parent - 1;
		parent = npm_comp_start(path, pend);
	}
	if ((size_t)(pend - parent) != sizeof(nm) - 1 || memcmp(parent, nm, sizeof(nm) - 1) != 0)
		return false;
	if ((size_t)(end - start) >= namesz || !npm_name_ok(start, (size_t)(end - start)))
		return false;
	memcpy(name, start, (size_t)(end - start));
	name[end - start] = '\0';
	return true;
}

/* First index i with fs path >= key (paths are sorted). */
static size_t npm_fs_lower_bound(const struct image_fs *fs, const char *key)
{
	size_t lo = 0, hi = image_fs_count(fs);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(image_fs_at(fs, mid)->path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does DIR/node_modules hold at least one installed package? */
static bool npm_installed_under(const struct image_fs *fs, const char *dir)
{
	char prefix[4096], name[NPM_NAME_MAX + 1];
	size_t pl;

	if ((size_t)snprintf(prefix, sizeof(prefix), "%s%snode_modules/", dir, *dir ? "/" : "") >=
	    sizeof(prefix))
		return false;
	pl = strlen(prefix);
	for (size_t i = npm_fs_lower_bound(fs, prefix); i < image_fs_count(fs); i++) {
		const struct image_file *f = image_fs_at(fs, i);

		if (strncmp(f->path, prefix, pl) != 0)
			break;
		if (npm_installed_name(f->path, name, sizeof(name)))
			return true;
	}
	return false;
}

/* ---- package.json --------------------------------------------------------- */

/* "license": "MIT" | {"type": "MIT"}; old "licenses": [{"type": ...}]. */
static enum bw_err npm_licenses(const json_t *root, struct bw_strv *sv)
{
	const json_t *l = json_object_get(root, "license"), *v;
	size_t i;

	if (json_is_object(l))
		l = json_object_get(l, "type");
	if (json_is_string(l) && json_string_length(l) && json_string_length(l) < 1024)
		return bw_strv_push(sv, json_string_value(l));
	l = json_object_get(root, "licenses");
	if (!json_is_array(l))
		return BW_OK;
	json_array_foreach(l, i, v) {
		const char *t = json_is_object(v) ? bw_json_str(v, "type") : json_string_value(v);

		if (i >= 32)
			break;
		if (t && *t && strlen(t) < 1024 && !bw_strv_contains(sv, t)) {
			enum bw_err result = bw_strv_push(sv, t);

			if (result != BW_OK)
				return result;
		}
	}
	return BW_OK;
}

/* One installed package.json (path names it). */
enum bw_err sbom_parse_npm_package_json(struct sbom *sb, const char *data, size_t n,
					const char *path, const char *layer, struct bw_errbuf *eb)
{
	struct bw_strv lic = {0};
	json_t *root = NULL;
	const char *name, *version;
	enum bw_err result;

	result = bw_json_parse(data, n, path, &root, eb);
	if (result != BW_OK)
		return result;
	name = bw_json_str(root, "name");
	version = bw_json_str(root, "version");
	if (!name || !version || !npm_name_ok(name, strlen(name)) ||
	    !npm_text_ok(version, strlen(version), NPM_VERSION_MAX)) {
		/* not a package (a template or fixture): nothing to report */
		json_decref(root);
		return BW_OK;
	}
	result = npm_licenses(root, &lic);
	if (result == BW_OK)
		result = npm_add(sb, name, version, false, path, layer, &lic);
	bw_strv_release(&lic);
	json_decref(root);
	return result;
}

/* The kept package.json files of a project's "workspaces" members (array,
 * or {"packages": [...]}): each is passed to fn. */
typedef enum bw_err (*npm_member_fn)(void *ctx, const struct image_file *m);
static enum bw_err npm_workspace_members(const struct image_fs *fs, const struct image_file *f,
					 const json_t *root, const char *dir, npm_member_fn fn,
					 void *ctx)
{
	const json_t *ws = json_object_get(root, "workspaces"), *g;
	size_t i;

	if (json_is_object(ws))
		ws = json_object_get(ws, "packages");
	if (!json_is_array(ws))
		return BW_OK;
	json_array_foreach(ws, i, g) {
		char pat[4096], clean[4096];

		if (i >= NPM_MAX_WORKSPACES || !json_is_string(g))
			break;
		if ((size_t)snprintf(pat, sizeof(pat), "%s%s%s/package.json", dir, *dir ? "/" : "",
				     json_string_value(g)) >= sizeof(pat) ||
		    bw_path_clean(pat, clean, sizeof(clean)) != BW_OK ||
		    strncmp(clean, dir, strlen(dir)) != 0 || npm_in_node_modules(clean))
			continue;
		for (size_t k = 0; k < image_fs_count(fs); k++) {
			const struct image_file *m = image_fs_at(fs, k);
			enum bw_err result;

			if (m == f || !bw_path_match(clean, m->path))
				continue;
			result = fn(ctx, m);
			if (result != BW_OK)
				return result;
		}
	}
	return BW_OK;
}

struct npm_ws_ctx {
	struct sbom *sb;
};

static enum bw_err npm_workspace_add(void *ctx, const struct image_file *m)
{
	struct npm_ws_ctx *c = ctx;
	struct bw_errbuf meb = {{0}};
	enum bw_err result;

	result = sbom_parse_npm_package_json(c->sb, m->data, m->size, m->path, m->layer_digest,
					     &meb);
	return result == BW_ERR_NOMEM ? result : BW_OK;
}

/* The members of a project's "workspaces" whose package.json was kept:
 * reported as packages. */
static enum bw_err npm_workspaces(struct sbom *sb, const struct image_fs *fs,
				  const struct image_file *f, const json_t *root, const char *dir)
{
	struct npm_ws_ctx c = {.sb = sb};

	return npm_workspace_members(fs, f, root, dir, npm_workspace_add, &c);
}

/* ---- package-lock.json ------------------------------------------------------ */

/* The name of a v2/v3 "packages" key: what follows its last "node_modules/". */
static const char *npm_key_name(const char *key)
{
	const char *last = NULL;

	for (const char *p = key; (p = strstr(p, "node_modules/")); p++)
		if (p == key || p[-1] == '/')
			last = p + strlen("node_modules/");
	return last;
}

/* A v1 "version" that names an alias ("npm:real@1.2.3") gives the real
 * name; local ones ("file:...", "link:...") are not packages. */
static enum bw_err npm_v1_add(struct npm_list *l, const char *name, const char *version,
			      bool dev)
{
	if (bw_str_starts_with(version, "npm:")) {
		const char *real = version + 4, *at = real[0] ? strchr(real + 1, '@') : NULL;

		if (!at)
			return BW_OK;
		return npm_list_add(l, real, (size_t)(at - real), at + 1, strlen(at + 1), dev);
	}
	if (bw_str_starts_with(version, "file:") || bw_str_starts_with(version, "link:"))
		return BW_OK;
	return npm_list_add(l, name, strlen(name), version, strlen(version), dev);
}

static enum bw_err npm_v1_deps(struct npm_list *l, const json_t *deps, int depth,
			       const char *path, struct bw_errbuf *eb)
{
	const char *key;
	const json_t *v;

	if (!json_is_object(deps))
		return BW_OK;
	if (depth > NPM_V1_DEPTH)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: \"dependencies\" nested deeper than %d levels",
			       path, NPM_V1_DEPTH);
	json_object_foreach((json_t *)deps, key, v) {
		const char *version = bw_json_str(v, "version");
		enum bw_err result;

		if (!json_is_object(v))
			continue;
		if (version) {
			result = npm_v1_add(l, key, version, bw_json_bool(v, "dev", false));
			if (result != BW_OK)
				return result;
		}
		result = npm_v1_deps(l, json_object_get(v, "dependencies"), depth + 1, path, eb);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

static enum bw_err npm_v2_packages(struct npm_list *l, const json_t *pkgs)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)pkgs, key, v) {
		const char *name, *version = bw_json_str(v, "version");
		enum bw_err result;

		if (!json_is_object(v) || !*key || !version || bw_json_bool(v, "link", false))
			continue;
		/* "name" is set for aliases and workspace members; else the key says */
		name = bw_json_str(v, "name");
		if (!name)
			name = npm_key_name(key);
		if (!name) /* a workspace member: npm omits a name equal to its folder's */
			name = bw_path_base(key);
		result = npm_list_add(l, name, strlen(name), version, strlen(version),
				      bw_json_bool(v, "dev", false));
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

enum bw_err sbom_parse_npm_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				const char *layer, struct bw_errbuf *eb)
{
	struct npm_list l = {0};
	const json_t *pkgs;
	json_t *root = NULL;
	enum bw_err result;

	result = bw_json_parse(data, n, path, &root, eb);
	if (result != BW_OK)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a JSON object", path);
		goto out_root;
	}
	pkgs = json_object_get(root, "packages");
	if (json_is_object(pkgs))
		result = npm_v2_packages(&l, pkgs);
	else
		result = npm_v1_deps(&l, json_object_get(root, "dependencies"), 0, path, eb);
	if (result == BW_OK)
		result = npm_list_flush(sb, &l, path, layer);
	else if (result == BW_ERR_LIMIT && !eb->msg[0])
		bw_fail(eb, result, "%s: more than %zu packages", path, NPM_MAX_ENTRIES);
	npm_list_release(&l);
out_root:
	json_decref(root);
	return result;
}

/* The installed tree at DIR is reported; the lockfile only marks dev
 * packages (v2/v3 "packages" keys are the install paths). */
static enum bw_err npm_lock_mark_dev(struct sbom *sb, const struct image_file *f, const char *dir,
				     struct bw_errbuf *eb)
{
	const json_t *pkgs;
	json_t *root = NULL;
	size_t dl = strlen(dir);
	enum bw_err result;

	result = bw_json_parse(f->data, f->size, f->path, &root, eb);
	if (result != BW_OK)
		return result;
	pkgs = json_object_get(root, "packages");
	for (size_t i = 0; json_is_object(pkgs) && i < sb->npkgs; i++) {
		struct sbom_pkg *p = &sb->pkgs[i];
		const char *rel;
		char key[4096];
		size_t kl;

		if (p->type != SBOM_PKG_NPM || !p->found_path)
			continue;
		rel = p->found_path;
		if (dl) {
			if (strncmp(rel, dir, dl) != 0 || rel[dl] != '/')
				continue;
			rel += dl + 1;
		}
		if (!bw_str_starts_with(rel, "node_modules/") ||
		    !bw_str_ends_with(rel, "/package.json"))
			continue;
		kl = strlen(rel) - strlen("/package.json");
		if (kl >= sizeof(key))
			continue;
		memcpy(key, rel, kl);
		key[kl] = '\0';
		p->dev = bw_json_bool(json_object_get(pkgs, key), "dev", false);
	}
	json_decref(root);
	return BW_OK;
}

/* DIR/node_modules/.package-lock.json (npm 7+) marks dev when DIR has no
 * package-lock.json or npm-shrinkwrap.json of its own. */
static enum bw_err npm_hidden_lock_dev(struct sbom *sb, const struct image_fs *fs,
				       const char *dir, struct bw_errbuf *eb)
{
	static const char *const own[] = {"package-lock.json", "npm-shrinkwrap.json"};
	const struct image_file *hidden;
	char p[4096];

	for (size_t i = 0; i < 2; i++) {
		if ((size_t)snprintf(p, sizeof(p), "%s%s%s", dir, *dir ? "/" : "", own[i]) >=
			    sizeof(p) ||
		    image_fs_get(fs, p))
			return BW_OK;
	}
	if ((size_t)snprintf(p, sizeof(p), "%s%snode_modules/.package-lock.json", dir,
			     *dir ? "/" : "") >= sizeof(p))
		return BW_OK;
	hidden = image_fs_get(fs, p);
	return hidden ? npm_lock_mark_dev(sb, hidden, dir, eb) : BW_OK;
}

/* ---- yarn.lock ------------------------------------------------------------- */

/* Lines of a text file, with numbers, without the newline and trailing CR
 * and blanks. */
struct npm_lines {
	const char *p, *end;
	size_t lineno;
};

static bool npm_next_line(struct npm_lines *it, const char **s, size_t *n)
{
	const char *nl;

	if (it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	if (!nl)
		nl = it->end;
	*s = it->p;
	*n = (size_t)(nl - it->p);
	while (*n && ((*s)[*n - 1] == '\r' || (*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
	it->p = nl + 1;
	it->lineno++;
	return true;
}

static size_t npm_indent(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* Strip one pair of surrounding quotes. */
static void npm_unquote(const char **s, size_t *n)
{
	if (*n >= 2 && ((**s == '"' && (*s)[*n - 1] == '"') || (**s == '\'' && (*s)[*n - 1] == '\''))) {
		(*s)++;
		*n -= 2;
	}
}

/* "name@range" (name may be "@scope/name"): split at the '@' after the
 * first character. false when there is none. */
static bool npm_split_at(const char *s, size_t n, size_t *namelen)
{
	const char *at = n > 1 ? memchr(s + 1, '@', n - 1) : NULL;

	if (!at)
		return false;
	*namelen = (size_t)(at - s);
	return true;
}

/* Copy a value into a fixed field; false when it does not fit. */
static bool yarn_set(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n == 0 || n >= dstsz)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* Dev-ness from a dependency graph (pnpm 9 and yarn record no dev flag):
 * the production roots (pnpm 9: the importers' dependencies and
 * optionalDependencies; yarn: package.json's) and the edges (pnpm 9:
 * snapshots; yarn: spec -> entry -> its dependencies' specs); a package no
 * production root reaches is dev. */
struct pnpm_graph {
	struct bw_strv prod;  /* "name@version" roots */
	struct bw_strv from;  /* edges: from[i] -> to[i] */
	struct bw_strv to;
	bool any_importer;
};

static void pnpm_graph_release(struct pnpm_graph *g)
{
	bw_strv_release(&g->prod);
	bw_strv_release(&g->from);
	bw_strv_release(&g->to);
}

#define PNPM_MAX_EDGES ((size_t)1000000)

/* The node "name@version" of a dependency "name: ref": ref is a version
 * with peers "(...)", an alias "real@1.0.0", or link:/file: (no node). */
static char *pnpm_node(const char *name, size_t nl, const char *ref, size_t rl)
{
	size_t al;

	npm_unquote(&name, &nl);
	npm_unquote(&ref, &rl);
	for (size_t i = 0; i < rl; i++)
		if (ref[i] == '(') {
			rl = i;
			break;
		}
	if (rl == 0 || memchr(ref, ':', rl))
		return NULL;
	if (!isdigit((unsigned char)ref[0]) && npm_split_at(ref, rl, &al))
		return bw_strndup(ref, rl);
	return bw_strfmt("%.*s@%.*s", (int)nl, name, (int)rl, ref);
}

static int pnpm_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct pnpm_pair {
	const char *from;
	size_t i;
};

static int pnpm_pair_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pnpm_pair *)a)->from, ((const struct pnpm_pair *)b)->from);
}

/* Mark every entry of l that no production root reaches as dev. */
static enum bw_err pnpm_mark_dev(struct npm_list *l, struct pnpm_graph *g)
{
	size_t ne = g->from.n, *order = NULL, *queue = NULL, qn = 0;
	struct bw_strv nodes = {0};
	bool *seen = NULL;
	enum bw_err result = BW_OK;

	/* every node name once, sorted */
	for (size_t i = 0; i < ne && result == BW_OK; i++)
		result = bw_strv_push(&nodes, g->from.v[i]);
	for (size_t i = 0; i < ne && result == BW_OK; i++)
		result = bw_strv_push(&nodes, g->to.v[i]);
	for (size_t i = 0; i < g->prod.n && result == BW_OK; i++)
		result = bw_strv_push(&nodes, g->prod.v[i]);
	if (result != BW_OK)
		goto out_nodes;
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
	seen = bw_calloc(nodes.n + 1, sizeof(*seen));
	queue = bw_calloc(nodes.n + 1, sizeof(*queue));
	order = bw_calloc(ne + 1, sizeof(*order));
	if (!seen || !queue || !order) {
		result = BW_ERR_NOMEM;
		goto out_nodes;
	}
	/* edges sorted by their source: order[] indexes g->from/g->to */
	{
		struct pnpm_pair *pairs = bw_calloc(ne + 1, sizeof(*pairs));

		if (!pairs) {
			result = BW_ERR_NOMEM;
			goto out_nodes;
		}
		for (size_t i = 0; i < ne; i++)
			pairs[i] = (struct pnpm_pair){g->from.v[i], i};
		qsort(pairs, ne, sizeof(*pairs), pnpm_pair_cmp);
		for (size_t i = 0; i < ne; i++)
			order[i] = pairs[i].i;
		free(pairs);
	}
	for (size_t i = 0; i < g->prod.n; i++) {
		char **hit = bsearch(&g->prod.v[i], nodes.v, nodes.n, sizeof(char *), pnpm_strcmp);

		if (hit && !seen[hit - nodes.v]) {
			seen[hit - nodes.v] = true;
			queue[qn++] = (size_t)(hit - nodes.v);
		}
	}
	for (size_t qi = 0; qi < qn; qi++) {
		const char *cur = nodes.v[queue[qi]];
		size_t lo = 0, hi = ne;

		while (lo < hi) { /* first edge from cur */
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(g->from.v[order[mid]], cur) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ne && strcmp(g->from.v[order[lo]], cur) == 0; lo++) {
			char **hit = bsearch(&g->to.v[order[lo]], nodes.v, nodes.n, sizeof(char *),
					     pnpm_strcmp);

			if (hit && !seen[hit - nodes.v]) {
				seen[hit - nodes.v] = true;
				queue[qn++] = (size_t)(hit - nodes.v);
			}
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		char *key = bw_strfmt("%s@%s", l->v[i].name, l->v[i].version), **hit;

		if (!key) {
			result = BW_ERR_NOMEM;
			break;
		}
		hit = bsearch(&key, nodes.v, nodes.n, sizeof(char *), pnpm_strcmp);
		l->v[i].dev = !(hit && seen[hit - nodes.v]);
		free(key);
	}
out_nodes:
	free(order);
	free(queue);
	free(seen);
	bw_strv_release(&nodes);
	return result;
}

struct yarn_entry {
	char name[NPM_NAME_MAX + 1];
	char version[NPM_VERSION_MAX + 1];
	bool have_name, have_version, skip, in_deps;
	struct bw_strv specs; /* the header's specs, normalised */
	struct bw_strv deps;  /* its dependencies' specs */
};

/* A spec "name@range" as the graph names it: berry writes dependency
 * ranges without the "npm:" its headers carry, so a range without a
 * protocol gets one there. malloc'd; NULL when out of memory. */
static char *yarn_spec(const char *name, size_t nl, const char *range, size_t rl, bool berry)
{
	npm_unquote(&name, &nl);
	npm_unquote(&range, &rl);
	if (berry && !memchr(range, ':', rl))
		return bw_strfmt("%.*s@npm:%.*s", (int)nl, name, (int)rl, range);
	return bw_strfmt("%.*s@%.*s", (int)nl, name, (int)rl, range);
}

/* Flush one entry into l and, with a graph, its edges. */
static enum bw_err yarn_flush(struct npm_list *l, struct yarn_entry *e, struct pnpm_graph *g)
{
	enum bw_err result = BW_OK;

	if (e->have_name && e->have_version && !e->skip) {
		char *node;

		result = npm_list_add(l, e->name, strlen(e->name), e->version, strlen(e->version),
				      false);
		node = result == BW_OK ? bw_strfmt("%s@%s", e->name, e->version) : NULL;
		if (result == BW_OK && !node)
			result = BW_ERR_NOMEM;
		if (g && g->from.n + e->specs.n + e->deps.n > PNPM_MAX_EDGES)
			result = BW_ERR_LIMIT;
		for (size_t i = 0; g && result == BW_OK && i < e->specs.n; i++) {
			result = bw_strv_push(&g->from, e->specs.v[i]);
			if (result == BW_OK)
				result = bw_strv_push(&g->to, node);
		}
		for (size_t i = 0; g && result == BW_OK && i < e->deps.n; i++) {
			result = bw_strv_push(&g->from, node);
			if (result == BW_OK)
				result = bw_strv_push(&g->to, e->deps.v[i]);
		}
		free(node);
	}
	bw_strv_release(&e->specs);
	bw_strv_release(&e->deps);
	memset(e, 0, sizeof(*e));
	return result;
}

/* Entry header: "spec[, spec...]:" where a spec is "name@range", quoted or
 * not (berry quotes the whole list). The first spec names the package;
 * classic's alias "alias@npm:real@range" names real. Every spec is kept
 * for the graph. */
static enum bw_err yarn_header(struct yarn_entry *e, const char *s, size_t n, bool berry)
{
	const char *first = NULL;
	size_t fl = 0, nl;

	n--; /* the ':' */
	while (n) {
		const char *comma = memchr(s, ',', n);
		size_t pl = comma ? (size_t)(comma - s) : n;
		const char *p = s;

		while (pl && (*p == ' ' || *p == '"' || *p == '\'')) {
			p++;
			pl--;
		}
		while (pl && (p[pl - 1] == ' ' || p[pl - 1] == '"' || p[pl - 1] == '\''))
			pl--;
		if (!first) {
			first = p;
			fl = pl;
		}
		if (npm_split_at(p, pl, &nl) && e->specs.n < 4096) {
			/* push_owned takes spec (frees it on failure, NULL is NOMEM) */
			if (bw_strv_push_owned(&e->specs,
					       yarn_spec(p, nl, p + nl + 1, pl - nl - 1, berry)) != BW_OK)
				return BW_ERR_NOMEM;
		}
		if (!comma)
			break;
		n -= (size_t)(comma - s) + 1;
		s = comma + 1;
	}
	if (!first || !npm_split_at(first, fl, &nl))
		return BW_OK;
	if (fl - nl > 5 && memcmp(first + nl + 1, "npm:", 4) == 0) {
		const char *real = first + nl + 5;
		size_t rl = fl - nl - 5, rnl;

		if (npm_split_at(real, rl, &rnl)) {
			e->have_name = yarn_set(e->name, sizeof(e->name), real, rnl);
			return BW_OK;
		}
	}
	e->have_name = yarn_set(e->name, sizeof(e->name), first, nl);
	return BW_OK;
}

/* berry: resolution "name@npm:1.2.3"; other protocols (workspace:, link:,
 * portal:, patch: of a package listed anyway, file:, exec:) are not
 * registry packages. */
static void yarn_resolution(struct yarn_entry *e, const char *s, size_t n)
{
	size_t nl;

	npm_unquote(&s, &n);
	if (!npm_split_at(s, n, &nl) || n - nl < 5 || memcmp(s + nl + 1, "npm:", 4) != 0) {
		e->skip = true;
		return;
	}
	e->have_name = yarn_set(e->name, sizeof(e->name), s, nl);
}

/* A dependency line: classic `name "range"`, berry `name: range`. */
static enum bw_err yarn_dep(struct yarn_entry *e, const char *s, size_t len, bool berry)
{
	size_t kl = 0, vs;
	char *spec;

	if (len && (*s == '"' || *s == '\'')) {
		const char *q = memchr(s + 1, *s, len - 1);

		if (!q)
			return BW_OK;
		kl = (size_t)(q - s) + 1;
	} else {
		while (kl < len && s[kl] != ' ' && s[kl] != ':')
			kl++;
	}
	vs = kl;
	if (vs < len && s[vs] == ':')
		vs++;
	while (vs < len && s[vs] == ' ')
		vs++;
	if (vs >= len || kl == 0 || e->deps.n >= 4096)
		return BW_OK;
	spec = yarn_spec(s, kl, s + vs, len - vs, berry);
	return bw_strv_push_owned(&e->deps, spec) == BW_OK ? BW_OK : BW_ERR_NOMEM;
}

/* A package.json's text (the project's, or a workspace member's). */
struct npm_text {
	const char *data;
	size_t n;
};

/* One package.json's production roots: dependencies and
 * optionalDependencies. */
static enum bw_err yarn_roots_of(struct pnpm_graph *g, const json_t *root, bool berry)
{
	static const char *const prod[] = {"dependencies", "optionalDependencies"};
	enum bw_err result = BW_OK;

	for (size_t i = 0; i < 2 && result == BW_OK; i++) {
		const json_t *deps = json_object_get(root, prod[i]), *v;
		const char *key;

		if (!json_is_object(deps))
			continue;
		json_object_foreach((json_t *)deps, key, v) {
			char *spec;

			if (!json_is_string(v) || g->prod.n >= PNPM_MAX_EDGES)
				continue;
			spec = yarn_spec(key, strlen(key), json_string_value(v),
					 json_string_length(v), berry);
			result = bw_strv_push_owned(&g->prod, spec); /* takes spec */
			if (result != BW_OK)
				break;
		}
	}
	return result;
}

/* Production roots: the project's package.json (pj) and, when it has
 * "workspaces", every member's (a member is a production root of the
 * project as npm and yarn install it: its devDependencies are dev, its
 * dependencies are not). usable is false when dev-ness cannot be told (no
 * package.json; a berry lockfile with workspaces that pj does not declare:
 * other_ws). */
static enum bw_err yarn_roots(struct pnpm_graph *g, const struct npm_text *pj,
			      const struct npm_text *members, size_t nmembers, bool berry,
			      bool other_ws, bool *usable)
{
	json_t *root = NULL;
	enum bw_err result = BW_OK;
	bool has_ws;

	*usable = false;
	if (!pj || !pj->data || bw_json_parse(pj->data, pj->n, "package.json", &root, NULL) != BW_OK)
		return BW_OK;
	if (!json_is_object(root))
		goto out_root;
	has_ws = json_object_get(root, "workspaces") != NULL;
	if (other_ws && !has_ws)
		goto out_root;
	result = yarn_roots_of(g, root, berry);
	for (size_t i = 0; has_ws && result == BW_OK && i < nmembers; i++) {
		json_t *m = NULL;

		if (bw_json_parse(members[i].data, members[i].n, "package.json", &m, NULL) != BW_OK)
			continue; /* a broken member: its own entry warns */
		if (json_is_object(m))
			result = yarn_roots_of(g, m, berry);
		json_decref(m);
	}
	*usable = result == BW_OK;
out_root:
	json_decref(root);
	return result;
}

static bool npm_contains(const char *s, size_t n, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = 0; s && i + nl <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, nl) == 0)
			return true;
	return false;
}

/* pj: the package.json beside the lockfile (NULL: none; then nothing is
 * marked dev); members: its workspaces' package.json files. */
static enum bw_err yarn_parse(struct sbom *sb, const char *data, size_t n,
			      const struct npm_text *pj, const struct npm_text *members,
			      size_t nmembers, const char *path, const char *layer,
			      struct bw_errbuf *eb)
{
	struct npm_lines it = {.p = data, .end = data + n};
	struct yarn_entry e = {0};
	struct pnpm_graph g = {0};
	struct npm_list l = {0};
	enum bw_err result = BW_OK;
	bool berry = false, in_entry = false, other_workspace = false, usable = false;
	const char *s;
	size_t len;

	berry = npm_contains(data, n, "\n__metadata:") ||
		(n >= 11 && memcmp(data, "__metadata:", 11) == 0);
	while (result == BW_OK && npm_next_line(&it, &s, &len)) {
		size_t ind = npm_indent(s, len);

		if (len == 0 || s[ind] == '#')
			continue;
		if (ind == 0) {
			result = yarn_flush(&l, &e, &g);
			in_entry = false;
			if (result != BW_OK)
				break;
			if (s[len - 1] != ':') {
				result = bw_fail(eb, BW_ERR_FORMAT,
						 "%s: line %zu: an entry header does not end in ':'",
						 path, it.lineno);
				break;
			}
			if (len == 11 && memcmp(s, "__metadata:", 11) == 0)
				continue;
			result = yarn_header(&e, s, len, berry);
			in_entry = true;
			if (berry && npm_contains(s, len, "@workspace:") &&
			    !npm_contains(s, len, "@workspace:.\""))
				other_workspace = true;
			continue;
		}
		if (!in_entry)
			continue;
		s += ind;
		len -= ind;
		if (ind == 2) {
			e.in_deps = (len == 13 && memcmp(s, "dependencies:", 13) == 0) ||
				    (len == 21 && memcmp(s, "optionalDependencies:", 21) == 0);
			if (!berry && len > 8 && memcmp(s, "version ", 8) == 0) {
				const char *v = s + 8;
				size_t vl = len - 8;

				npm_unquote(&v, &vl);
				e.have_version = yarn_set(e.version, sizeof(e.version), v, vl);
			} else if (berry && len > 9 && memcmp(s, "version: ", 9) == 0) {
				const char *v = s + 9;
				size_t vl = len - 9;

				npm_unquote(&v, &vl);
				e.have_version = yarn_set(e.version, sizeof(e.version), v, vl);
			} else if (berry && len > 12 && memcmp(s, "resolution: ", 12) == 0) {
				yarn_resolution(&e, s + 12, len - 12);
			}
		} else if (ind == 4 && e.in_deps) {
			result = yarn_dep(&e, s, len, berry);
		}
	}
	if (result == BW_OK)
		result = yarn_flush(&l, &e, &g);
	if (result == BW_OK)
		result = yarn_roots(&g, pj, members, nmembers, berry, other_workspace, &usable);
	if (result == BW_OK && usable)
		result = pnpm_mark_dev(&l, &g);
	if (result == BW_OK)
		result = npm_list_flush(sb, &l, path, layer);
	else if (result == BW_ERR_LIMIT)
		bw_fail(eb, result, "%s: more than %zu packages or dependencies", path,
			NPM_MAX_ENTRIES);
	bw_strv_release(&e.specs);
	bw_strv_release(&e.deps);
	pnpm_graph_release(&g);
	npm_list_release(&l);
	return result;
}

enum bw_err sbom_parse_yarn_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				 const char *layer, struct bw_errbuf *eb)
{
	return yarn_parse(sb, data, n, NULL, NULL, 0, path, layer, eb);
}

/* ---- pnpm-lock.yaml --------------------------------------------------------- */

struct pnpm_entry {
	char name[NPM_NAME_MAX + 1];
	char version[NPM_VERSION_MAX + 1];
	bool have_name, have_version, dev, open;
};

static enum bw_err pnpm_flush(struct npm_list *l, struct pnpm_entry *e)
{
	enum bw_err result = BW_OK;

	if (e->open && e->have_name && e->have_version && isdigit((unsigned char)e->version[0]))
		result = npm_list_add(l, e->name, strlen(e->name), e->version, strlen(e->version),
				      e->dev);
	memset(e, 0, sizeof(*e));
	return result;
}

/* A key under "packages:": v5 "/name/1.0.0_peers", "/@s/name/1.0.0";
 * v6 "/name@1.0.0(peers)"; v9 "name@1.0.0". */
static void pnpm_key(struct pnpm_entry *e, const char *s, size_t n, int major)
{
	size_t nl, vl;
	const char *v;

	npm_unquote(&s, &n);
	if (n && *s == '/') {
		s++;
		n--;
	}
	if (major < 6 && major > 0) {
		const char *slash = NULL;

		for (size_t i = n; i > 0; i--)
			if (s[i - 1] == '/') {
				slash = s + i - 1;
				break;
			}
		if (!slash)
			return;
		nl = (size_t)(slash - s);
		v = slash + 1;
		vl = n - nl - 1;
		for (size_t i = 0; i < vl; i++)
			if (v[i] == '_' || v[i] == '(') {
				vl = i;
				break;
			}
	} else {
		if (!npm_split_at(s, n, &nl))
			return;
		v = s + nl + 1;
		vl = n - nl - 1;
		for (size_t i = 0; i < vl; i++)
			if (v[i] == '(') {
				vl = i;
				break;
			}
	}
	e->have_name = yarn_set(e->name, sizeof(e->name), s, nl);
	e->have_version = yarn_set(e->version, sizeof(e->version), v, vl);
}

enum pnpm_section { PNPM_OTHER, PNPM_IMPORTERS, PNPM_PACKAGES, PNPM_SNAPSHOTS };

struct pnpm_state {
	enum pnpm_section section;
	int major;
	int dep_kind;      /* importers: 0 none, 1 production, 2 dev */
	bool snap_deps;    /* snapshots: inside dependencies/optionalDependencies */
	char dep[NPM_NAME_MAX + 3];
	char from[NPM_NAME_MAX + NPM_VERSION_MAX + 2];
};

/* One line of importers: or snapshots: (pnpm 9). */
static enum bw_err pnpm_graph_line(struct pnpm_state *st, struct pnpm_graph *g, const char *s,
				   size_t len, size_t ind)
{
	const char *colon;
	char *node = NULL;
	enum bw_err result = BW_OK;

	s += ind;
	len -= ind;
	if (st->section == PNPM_IMPORTERS) {
		if (ind == 2) {
			g->any_importer = true;
			st->dep_kind = 0;
		} else if (ind == 4) {
			st->dep_kind = (len == 13 && memcmp(s, "dependencies:", 13) == 0) ||
						       (len == 21 &&
							memcmp(s, "optionalDependencies:", 21) == 0)
					       ? 1
				       : (len == 16 && memcmp(s, "devDependencies:", 16) == 0) ? 2
												   : 0;
		} else if (ind == 6 && st->dep_kind && s[len - 1] == ':') {
			if (!yarn_set(st->dep, sizeof(st->dep), s, len - 1))
				st->dep[0] = '\0';
		} else if (ind == 8 && st->dep_kind == 1 && st->dep[0] && len > 9 &&
			   memcmp(s, "version: ", 9) == 0) {
			node = pnpm_node(st->dep, strlen(st->dep), s + 9, len - 9);
			if (node && g->prod.n < PNPM_MAX_EDGES)
				result = bw_strv_push_owned(&g->prod, node);
			else
				free(node);
		}
		return result;
	}
	/* snapshots */
	if (ind == 2) {
		size_t kl = len;
		const char *k = s;

		colon = NULL;
		for (size_t i = len; i > 0; i--)
			if (s[i - 1] == ':' && (i == len || s[i] == ' ')) {
				colon = s + i - 1;
				break;
			}
		st->from[0] = '\0';
		st->snap_deps = false;
		if (!colon)
			return BW_OK;
		kl = (size_t)(colon - s);
		npm_unquote(&k, &kl);
		for (size_t i = 0; i < kl; i++)
			if (k[i] == '(') {
				kl = i;
				break;
			}
		if (!yarn_set(st->from, sizeof(st->from), k, kl))
			st->from[0] = '\0';
	} else if (ind == 4) {
		st->snap_deps = (len == 13 && memcmp(s, "dependencies:", 13) == 0) ||
				(len == 21 && memcmp(s, "optionalDependencies:", 21) == 0);
	} else if (ind == 6 && st->snap_deps && st->from[0]) {
		colon = NULL;
		for (size_t i = 1; i + 1 < len; i++)
			if (s[i] == ':' && s[i + 1] == ' ') {
				colon = s + i;
				break;
			}
		if (!colon)
			return BW_OK;
		node = pnpm_node(s, (size_t)(colon - s), colon + 2, len - (size_t)(colon - s) - 2);
		if (!node)
			return BW_OK;
		if (g->from.n >= PNPM_MAX_EDGES) {
			free(node);
			return BW_ERR_LIMIT;
		}
		result = bw_strv_push(&g->from, st->from);
		if (result == BW_OK)
			result = bw_strv_push_owned(&g->to, node);
		else
			free(node);
	}
	return result;
}

enum bw_err sbom_parse_pnpm_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				 const char *layer, struct bw_errbuf *eb)
{
	struct npm_lines it = {.p = data, .end = data + n};
	struct pnpm_entry e = {0};
	struct pnpm_state st = {0};
	struct pnpm_graph g = {0};
	struct npm_list l = {0};
	enum bw_err result = BW_OK;
	const char *s;
	size_t len;

	while (result == BW_OK && npm_next_line(&it, &s, &len)) {
		size_t ind = npm_indent(s, len);

		if (len == 0 || s[ind] == '#')
			continue;
		if (ind == 0) {
			result = pnpm_flush(&l, &e);
			st.section = len == 9 && memcmp(s, "packages:", 9) == 0     ? PNPM_PACKAGES
				     : len == 10 && memcmp(s, "importers:", 10) == 0 ? PNPM_IMPORTERS
				     : len == 10 && memcmp(s, "snapshots:", 10) == 0 ? PNPM_SNAPSHOTS
										     : PNPM_OTHER;
			if (len > 17 && memcmp(s, "lockfileVersion: ", 17) == 0) {
				const char *v = s + 17;
				size_t vl = len - 17;

				npm_unquote(&v, &vl);
				st.major = 0;
				for (size_t i = 0; i < vl && isdigit((unsigned char)v[i]) && st.major < 1000; i++)
					st.major = st.major * 10 + (v[i] - '0');
				if (st.major == 0 || st.major > 9)
					result = bw_fail(eb, BW_ERR_UNSUPPORTED,
							 "%s: line %zu: lockfileVersion %.*s not supported",
							 path, it.lineno, (int)(vl > 16 ? 16 : vl), v);
			}
			continue;
		}
		if (st.major >= 9 && (st.section == PNPM_IMPORTERS || st.section == PNPM_SNAPSHOTS)) {
			result = pnpm_graph_line(&st, &g, s, len, ind);
			continue;
		}
		if (st.section != PNPM_PACKAGES)
			continue;
		if (ind == 2) {
			result = pnpm_flush(&l, &e);
			if (result != BW_OK || s[len - 1] != ':')
				continue;
			e.open = true;
			pnpm_key(&e, s + 2, len - 3, st.major);
		} else if (ind == 4 && e.open) {
			s += 4;
			len -= 4;
			if (len == 9 && memcmp(s, "dev: true", 9) == 0) {
				e.dev = true;
			} else if (len > 6 && memcmp(s, "name: ", 6) == 0) {
				const char *v = s + 6;
				size_t vl = len - 6;

				npm_unquote(&v, &vl);
				e.have_name = yarn_set(e.name, sizeof(e.name), v, vl);
			} else if (len > 9 && memcmp(s, "version: ", 9) == 0) {
				const char *v = s + 9;
				size_t vl = len - 9;

				npm_unquote(&v, &vl);
				e.have_version = yarn_set(e.version, sizeof(e.version), v, vl);
			}
		}
	}
	if (result == BW_OK)
		result = pnpm_flush(&l, &e);
	if (result == BW_OK && st.major == 0)
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no lockfileVersion", path);
	if (result == BW_OK && st.major >= 9 && g.any_importer)
		result = pnpm_mark_dev(&l, &g);
	if (result == BW_OK)
		result = npm_list_flush(sb, &l, path, layer);
	else if (result == BW_ERR_LIMIT)
		bw_fail(eb, result, "%s: more than %zu packages or dependencies", path,
			NPM_MAX_ENTRIES);
	pnpm_graph_release(&g);
	npm_list_release(&l);
	return result;
}

struct npm_members {
	struct npm_text *v;
	size_t n;
};

static enum bw_err npm_member_text(void *ctx, const struct image_file *m)
{
	struct npm_members *ms = ctx;

	if (ms->n >= NPM_MAX_MEMBERS)
		return BW_OK;
	ms->v[ms->n++] = (struct npm_text){m->data, m->size};
	return BW_OK;
}

/* A yarn.lock with the package.json beside it (pf, may be NULL) and, when
 * that declares workspaces, its members' package.json files. */
static enum bw_err npm_yarn_project(struct sbom *sb, const struct image_fs *fs,
				    const struct image_file *f, const struct image_file *pf,
				    const char *dir, struct bw_errbuf *eb)
{
	struct npm_text pj = {pf ? pf->data : NULL, pf ? pf->size : 0};
	struct npm_members ms = {0};
	json_t *root = NULL;
	enum bw_err result = BW_OK;

	if (pf && strstr(pf->data, "\"workspaces\"") &&
	    bw_json_parse(pf->data, pf->size, pf->path, &root, NULL) == BW_OK &&
	    json_is_object(root)) {
		ms.v = bw_calloc(NPM_MAX_MEMBERS, sizeof(*ms.v));
		if (!ms.v) {
			json_decref(root);
			return BW_ERR_NOMEM;
		}
		result = npm_workspace_members(fs, pf, root, dir, npm_member_text, &ms);
	}
	json_decref(root);
	if (result == BW_OK)
		result = yarn_parse(sb, f->data, f->size, pf ? &pj : NULL, ms.v, ms.n, f->path,
				    f->layer_digest, eb);
	free(ms.v);
	return result;
}

static int npm_pkg_key_cmp(const void *pa, const void *pb)
{
	const struct sbom_pkg *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : strcmp(a->version, b->version);
}

/* The installed packages of DIR take the dev mark a yarn or pnpm lockfile
 * gives their (name, version) (from, parsed into its own sbom, one entry
 * per pair). */
static void npm_mark_dev_from(struct sbom *sb, struct sbom *from, const char *dir)
{
	size_t dl = strlen(dir);

	if (from->npkgs)
		qsort(from->pkgs, from->npkgs, sizeof(*from->pkgs), npm_pkg_key_cmp);
	for (size_t i = 0; i < sb->npkgs; i++) {
		struct sbom_pkg *p = &sb->pkgs[i];
		const struct sbom_pkg *hit;
		const char *rel = p->found_path;

		if (p->type != SBOM_PKG_NPM || !rel || !p->name || !p->version)
			continue;
		if (dl) {
			if (strncmp(rel, dir, dl) != 0 || rel[dl] != '/')
				continue;
			rel += dl + 1;
		}
		if (!bw_str_starts_with(rel, "node_modules/"))
			continue;
		hit = bsearch(p, from->pkgs, from->npkgs, sizeof(*from->pkgs), npm_pkg_key_cmp);
		if (hit)
			p->dev = hit->dev;
	}
}

/* ---- the cataloger ------------------------------------------------------------ */

static enum bw_err npm_parse(struct sbom *sb, const struct image_fs *fs,
			     const struct image_file *f, struct bw_errbuf *eb)
{
	const char *base = bw_path_base(f->path);
	char dir[4096], name[NPM_NAME_MAX + 1];
	bool installed;

	bw_path_dir(f->path, dir, sizeof(dir));
	if (strcmp(base, "package.json") == 0) {
		json_t *root = NULL;
		enum bw_err result;

		if (npm_installed_name(f->path, name, sizeof(name)))
			return sbom_parse_npm_package_json(sb, f->data, f->size, f->path,
							   f->layer_digest, eb);
		/* a project whose node_modules is installed: its workspaces count,
		 * and without a package-lock.json npm's hidden lockfile marks dev
		 * (the installed packages sort before DIR/package.json, so they
		 * are all there) */
		if (npm_in_node_modules(f->path) || !npm_installed_under(fs, dir))
			return BW_OK;
		result = npm_hidden_lock_dev(sb, fs, dir, eb);
		if (result != BW_OK || !strstr(f->data, "\"workspaces\""))
			return result;
		result = bw_json_parse(f->data, f->size, f->path, &root, eb);
		if (result != BW_OK)
			return result;
		result = npm_workspaces(sb, fs, f, root, dir);
		json_decref(root);
		return result;
	}
	if (strcmp(base, ".package-lock.json") == 0)
		return BW_OK; /* read through the project's package.json */
	if (npm_in_node_modules(f->path))
		return BW_OK; /* a lockfile published inside a package */
	installed = npm_installed_under(fs, dir);
	if (strcmp(base, "package-lock.json") == 0 || strcmp(base, "npm-shrinkwrap.json") == 0) {
		if (installed)
			return npm_lock_mark_dev(sb, f, dir, eb);
		return sbom_parse_npm_lock(sb, f->data, f->size, f->path, f->layer_digest, eb);
	}
	if (strcmp(base, "yarn.lock") == 0 || strcmp(base, "pnpm-lock.yaml") == 0) {
		struct sbom *target = installed ? sbom_new() : sb;
		const struct image_file *pf = NULL;
		enum bw_err result;
		char pj[4096];

		if (!target)
			return BW_ERR_NOMEM;
		if ((size_t)snprintf(pj, sizeof(pj), "%s%spackage.json", dir, *dir ? "/" : "") <
		    sizeof(pj))
			pf = image_fs_get(fs, pj);
		if (base[0] == 'y')
			result = npm_yarn_project(target, fs, f, pf, dir, eb);
		else
			result = sbom_parse_pnpm_lock(target, f->data, f->size, f->path,
						      f->layer_digest, eb);
		/* installed: the lockfile only marks the installed packages dev */
		if (installed && result == BW_OK)
			npm_mark_dev_from(sb, target, dir);
		if (installed)
			sbom_free(target);
		return result;
	}
	return BW_OK;
}

const struct sbom_lang_cataloger sbom_cat_npm = {
	.name = "npm",
	.wants = npm_wants,
	.nwants = sizeof(npm_wants) / sizeof(npm_wants[0]),
	.parse = npm_parse,
};

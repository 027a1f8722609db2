/* lang_dotnet.c - the .NET cataloger: *.deps.json and packages.lock.json.
 *
 * Sources (docs/lang-ruby-php-dotnet-rust-go.md):
 *   - APP.deps.json, written next to a built or published application: its
 *     "libraries" object has one "NAME/VERSION" key per library with a
 *     "type": "package" entries are NuGet packages and are reported;
 *     "project" (the application and its own projects), "reference" and
 *     "runtimepack" (the .NET runtime, which is not a NuGet dependency of
 *     the app) are not;
 *   - packages.lock.json (NuGet lock files, version 1 and 2): "dependencies"
 *     per target framework ("net6.0", "net6.0/linux-x64"), each package with
 *     "type" Direct, Transitive or CentralTransitive and its "resolved"
 *     version; "Project" entries are the solution's own projects. A package
 *     locked for several frameworks is one package.
 * Every package is pkg:nuget/NAME@VERSION with the name's case as written.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* Parsers over bytes in memory, for tests and fuzz targets (their
 * prototypes belong in sbom.h with the other parsers). */

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define NUGET_NAME_MAX 256
#define NUGET_VERSION_MAX 128
#define NUGET_MAX_ENTRIES ((size_t)200000)

static const struct image_want dotnet_wants[] = {
	{"**/*.deps.json", 32 * MiB},
	{"**/packages.lock.json", 32 * MiB},
};

/* Printable ASCII without spaces or '/', 1..max bytes. */
static bool nuget_text_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '/')
			return false;
	return true;
}

struct nuget_entry {
	char *name;
	char *version;
};

struct nuget_list {
	struct nuget_entry *v;
	size_t n, cap;
};

static void nuget_list_release(struct nuget_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].version);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Copies; entries with an unusable name or version are dropped. */
static enum bw_err nuget_list_add(struct nuget_list *l, const char *name, size_t nl,
				  const char *version, size_t vl)
{
	enum bw_err result;

	if (!nuget_text_ok(name, nl, NUGET_NAME_MAX) ||
	    !nuget_text_ok(version, vl, NUGET_VERSION_MAX))
		return BW_OK;
	result = bw_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), NUGET_MAX_ENTRIES);
	if (result != BW_OK)
		return result;
	l->v[l->n].name = bw_strndup(name, nl);
	l->v[l->n].version = bw_strndup(version, vl);
	if (!l->v[l->n].name || !l->v[l->n].version) {
		free(l->v[l->n].name);
		free(l->v[l->n].version);
		return BW_ERR_NOMEM;
	}
	l->n++;
	return BW_OK;
}

static int nuget_entry_cmp(const void *pa, const void *pb)
{
	const struct nuget_entry *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : strcmp(a->version, b->version);
}

static enum bw_err nuget_add(struct sbom *sb, const struct nuget_entry *e, const char *path,
			     const char *layer)
{
	struct sbom_pkg pkg = {.type = SBOM_PKG_NUGET};

	pkg.name = bw_strdup(e->name);
	pkg.version = bw_strdup(e->version);
	pkg.found_path = bw_strdup(path);
	if (layer)
		pkg.layer_digest = bw_strdup(layer);
	pkg.purl = sbom_purl_build("nuget", NULL, e->name, e->version, NULL, 0);
	if (!pkg.name || !pkg.version || !pkg.found_path || !pkg.purl ||
	    (layer && !pkg.layer_digest)) {
		sbom_pkg_release(&pkg);
		return BW_ERR_NOMEM;
	}
	return sbom_add(sb, &pkg);
}

/* Sort, drop duplicates, add. */
static enum bw_err nuget_flush(struct sbom *sb, struct nuget_list *l, const char *path,
			       const char *layer)
{
	enum bw_err result = BW_OK;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), nuget_entry_cmp);
	for (size_t i = 0; i < l->n && result == BW_OK; i++) {
		if (i && nuget_entry_cmp(&l->v[i - 1], &l->v[i]) == 0)
			continue;
		result = nuget_add(sb, &l->v[i], path, layer);
	}
	return result;
}

enum bw_err sbom_parse_dotnet_deps(struct sbom *sb, const char *data, size_t n,
				   const char *path, const char *layer, struct bw_errbuf *eb)
{
	struct nuget_list l = {0};
	json_t *root = NULL;
	const json_t *libs, *v;
	const char *key;
	enum bw_err result;

	result = bw_json_parse(data, n, path, &root, eb);
	if (result != BW_OK)
		return result;
	libs = json_object_get(root, "libraries");
	if (!json_is_object(root) || !json_is_object(libs)) {
		json_decref(root);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no \"libraries\" object", path);
	}
	json_object_foreach((json_t *)libs, key, v) {
		const char *type = bw_json_str(v, "type"), *slash = strrchr(key, '/');

		if (!type || strcmp(type, "package") != 0 || !slash)
			continue;
		result = nuget_list_add(&l, key, (size_t)(slash - key), slash + 1, strlen(slash + 1));
		if (result != BW_OK)
			break;
	}
	if (result == BW_OK)
		result = nuget_flush(sb, &l, path, layer);
	else if (result == BW_ERR_LIMIT)
		result = bw_fail(eb, result, "%s: more than %zu libraries", path, NUGET_MAX_ENTRIES);
	nuget_list_release(&l);
	json_decref(root);
	return result;
}

enum bw_err sbom_parse_nuget_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				  const char *layer, struct bw_errbuf *eb)
{
	struct nuget_list l = {0};
	json_t *root = NULL;
	const json_t *deps, *tfm;
	const char *fw;
	enum bw_err result;

	result = bw_json_parse(data, n, path, &root, eb);
	if (result != BW_OK)
		return result;
	deps = json_object_get(root, "dependencies");
	if (!json_is_object(root) || !json_is_object(deps)) {
		json_decref(root);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no \"dependencies\" object", path);
	}
	json_object_foreach((json_t *)deps, fw, tfm) {
		const char *name;
		const json_t *v;

		if (!json_is_object(tfm))
			continue;
		json_object_foreach((json_t *)tfm, name, v) {
			const char *type = bw_json_str(v, "type"), *resolved = bw_json_str(v, "resolved");

			if (!type || !resolved || strcmp(type, "Project") == 0)
				continue;
			result = nuget_list_add(&l, name, strlen(name), resolved, strlen(resolved));
			if (result != BW_OK)
				goto out_done;
		}
	}
out_done:
	if (result == BW_OK)
		result = nuget_flush(sb, &l, path, layer);
	else if (result == BW_ERR_LIMIT)
		result = bw_fail(eb, result, "%s: more than %zu packages", path, NUGET_MAX_ENTRIES);
	nuget_list_release(&l);
	json_decref(root);
	return result;
}

/* ---- the cataloger ----------------------------------------------------------- */

static enum bw_err dotnet_parse(struct sbom *sb, const struct image_fs *fs,
				const struct image_file *f, struct bw_errbuf *eb)
{
	(void)fs;
	if (strcmp(bw_path_base(f->path), "packages.lock.json") == 0)
		return sbom_parse_nuget_lock(sb, f->data, f->size, f->path, f->layer_digest, eb);
	return sbom_parse_dotnet_deps(sb, f->data, f->size, f->path, f->layer_digest, eb);
}

const struct sbom_lang_cataloger sbom_cat_dotnet = {
	.name = "dotnet",
	.wants = dotnet_wants,
	.nwants = sizeof(dotnet_wants) / sizeof(dotnet_wants[0]),
	.parse = dotnet_parse,
};

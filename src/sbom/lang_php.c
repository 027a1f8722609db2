/* lang_php.c - the PHP cataloger: Composer's installed.json and
 * composer.lock.
 *
 * Sources (docs/lang-ruby-php-dotnet-rust-go.md):
 *   - DIR/vendor/composer/installed.json, what `composer install` put into
 *     DIR/vendor: Composer 1 writes an array of packages, Composer 2 an
 *     object {"packages": [...], "dev": BOOL, "dev-package-names": [...]};
 *     a package named in dev-package-names is a dev dependency;
 *   - DIR/composer.lock: "packages" and "packages-dev" (dev). When
 *     DIR/vendor/composer/installed.json is there too, the installed tree is
 *     what runs and the lock is not reported (one project counted once).
 *     A composer.lock inside a vendor/ directory (shipped with a package) is
 *     that package's own development lock: ignored.
 * Each package is "vendor/name" with its "version" as written ("v1.2.3",
 * "1.2.3", "dev-main"): pkg:composer/vendor/name@version. Entries without a
 * vendor/name or a version are skipped.
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
#define PHP_NAME_MAX 256
#define PHP_VERSION_MAX 256
#define PHP_MAX_LICENSES 16

static const struct image_want php_wants[] = {
	{"**/vendor/composer/installed.json", 64 * MiB},
	{"**/composer.lock", 64 * MiB},
};

/* "vendor/name": printable ASCII, no spaces, exactly one '/' with text on
 * both sides. */
static bool php_name_ok(const char *s)
{
	size_t n = strlen(s);
	const char *slash = strchr(s, '/');

	if (n == 0 || n > PHP_NAME_MAX || !slash || slash == s || !slash[1] ||
	    strchr(slash + 1, '/'))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static bool php_version_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PHP_VERSION_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* "license": ["MIT"] or "MIT". */
static enum bw_err php_licenses(const json_t *pkg, struct bw_strv *sv)
{
	const json_t *lic = json_object_get(pkg, "license"), *v;
	size_t i;

	if (json_is_string(lic))
		return bw_strv_push(sv, json_string_value(lic));
	if (!json_is_array(lic))
		return BW_OK;
	json_array_foreach(lic, i, v) {
		const char *s = json_string_value(v);

		if (i >= PHP_MAX_LICENSES)
			break;
		if (s && *s && !bw_strv_contains(sv, s) && bw_strv_push(sv, s) != BW_OK)
			return BW_ERR_NOMEM;
	}
	bw_strv_sort(sv);
	return BW_OK;
}

static enum bw_err php_add(struct sbom *sb, const json_t *p, bool dev, const char *path,
			   const char *layer)
{
	const char *name = bw_json_str(p, "name"), *version = bw_json_str(p, "version");
	struct sbom_pkg pkg = {.type = SBOM_PKG_COMPOSER, .dev = dev};
	const char *slash;
	char *ns;

	if (!name || !version || !php_name_ok(name) || !php_version_ok(version))
		return BW_OK;
	if (php_licenses(p, &pkg.licenses) != BW_OK)
		goto out_nomem;
	pkg.name = bw_strdup(name);
	pkg.version = bw_strdup(version);
	pkg.found_path = bw_strdup(path);
	if (layer)
		pkg.layer_digest = bw_strdup(layer);
	slash = strchr(name, '/');
	ns = bw_strndup(name, (size_t)(slash - name));
	if (ns)
		pkg.purl = sbom_purl_build("composer", ns, slash + 1, version, NULL, 0);
	free(ns);
	if (!pkg.name || !pkg.version || !pkg.found_path || !pkg.purl ||
	    (layer && !pkg.layer_digest))
		goto out_nomem;
	return sbom_add(sb, &pkg);
out_nomem:
	sbom_pkg_release(&pkg);
	return BW_ERR_NOMEM;
}

static int php_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every package object of arr; dev when dev_all or named in dev_names
 * (sorted, may be NULL). */
static enum bw_err php_add_array(struct sbom *sb, const json_t *arr, bool dev_all,
				 const struct bw_strv *dev_names, const char *path,
				 const char *layer)
{
	const json_t *p;
	size_t i;

	json_array_foreach(arr, i, p) {
		const char *name = bw_json_str(p, "name");
		enum bw_err result;
		bool dev = dev_all;

		if (!json_is_object(p))
			continue;
		if (!dev && name && dev_names && dev_names->n)
			dev = bsearch(&name, dev_names->v, dev_names->n, sizeof(char *),
				      php_strcmp) != NULL;
		result = php_add(sb, p, dev, path, layer);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

/* Composer 2's "dev-package-names" as a sorted list. */
static enum bw_err php_dev_names(const json_t *arr, struct bw_strv *sv)
{
	const json_t *d;
	size_t i;

	json_array_foreach(arr, i, d)
		if (json_is_string(d) && bw_strv_push(sv, json_string_value(d)) != BW_OK)
			return BW_ERR_NOMEM;
	bw_strv_sort(sv);
	return BW_OK;
}

enum bw_err sbom_parse_composer_installed(struct sbom *sb, const char *data, size_t n,
					  const char *path, const char *layer,
					  struct bw_errbuf *eb)
{
	json_t *root = NULL;
	const json_t *pkgs;
	enum bw_err result;

	result = bw_json_parse(data, n, path, &root, eb);
	if (result != BW_OK)
		return result;
	if (json_is_array(root)) {
		result = php_add_array(sb, root, false, NULL, path, layer);
	} else if (json_is_object(root) && json_is_array(pkgs = json_object_get(root, "packages"))) {
		struct bw_strv dev = {0};

		result = php_dev_names(json_object_get(root, "dev-package-names"), &dev);
		if (result == BW_OK)
			result = php_add_array(sb, pkgs, false, &dev, path, layer);
		bw_strv_release(&dev);
	} else {
		result = bw_fail(eb, BW_ERR_FORMAT,
				 "%s: neither an array of packages nor an object with \"packages\"",
				 path);
	}
	json_decref(root);
	return result;
}

enum bw_err sbom_parse_composer_lock(struct sbom *sb, const char *data, size_t n,
				     const char *path, const char *layer, struct bw_errbuf *eb)
{
	json_t *root = NULL;
	const json_t *pkgs, *dev;
	enum bw_err result;

	result = bw_json_parse(data, n, path, &root, eb);
	if (result != BW_OK)
		return result;
	pkgs = json_object_get(root, "packages");
	dev = json_object_get(root, "packages-dev");
	if (!json_is_object(root) || (!json_is_array(pkgs) && !json_is_array(dev))) {
		json_decref(root);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no \"packages\" array", path);
	}
	result = php_add_array(sb, pkgs, false, NULL, path, layer);
	if (result == BW_OK)
		result = php_add_array(sb, dev, true, NULL, path, layer);
	json_decref(root);
	return result;
}

/* ---- the cataloger ----------------------------------------------------------- */

static bool php_in_vendor(const char *path)
{
	for (const char *p = path; (p = strstr(p, "vendor/")); p++)
		if (p == path || p[-1] == '/')
			return true;
	return false;
}

static enum bw_err php_parse(struct sbom *sb, const struct image_fs *fs,
			     const struct image_file *f, struct bw_errbuf *eb)
{
	char dir[4096], installed[4096 + 40];

	if (bw_str_ends_with(f->path, "vendor/composer/installed.json"))
		return sbom_parse_composer_installed(sb, f->data, f->size, f->path,
						     f->layer_digest, eb);
	if (php_in_vendor(f->path))
		return BW_OK;
	bw_path_dir(f->path, dir, sizeof(dir));
	if ((size_t)snprintf(installed, sizeof(installed), "%s%svendor/composer/installed.json",
			     dir, *dir ? "/" : "") < sizeof(installed) &&
	    image_fs_get(fs, installed))
		return BW_OK;
	return sbom_parse_composer_lock(sb, f->data, f->size, f->path, f->layer_digest, eb);
}

const struct sbom_lang_cataloger sbom_cat_php = {
	.name = "php",
	.wants = php_wants,
	.nwants = sizeof(php_wants) / sizeof(php_wants[0]),
	.parse = php_parse,
};

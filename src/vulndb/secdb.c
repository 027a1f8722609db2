/* secdb.c - Alpine secdb, JSON (secdb.alpinelinux.org/<vX.Y>/<repo>.json)
 * and the older YAML (alpine-secdb repository): {distroversion: "v3.10",
 * reponame, packages: [{pkg: {name, secfixes: {"<fixed pkgver-rN>":
 * ["CVE-...", ...]}}}]}. name is the origin (source) package. A version key
 * "0" means the branch was never affected. One stored advisory per (CVE,
 * package, branch), ecosystem "Alpine:v3.10".
 *
 * Also the source secdb is generated from: the "# secfixes:" comment block of
 * an aports APKBUILD (read from the APKBUILD itself, or saved as YAML as
 * <pkg>.yaml). It names no branch: aports master is edge, so these go under
 * "Alpine:edge"; the package is the APKBUILD's directory (or the YAML file's
 * name). */
#include <ctype.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

#define SECDB_MAX_PACKAGES 200000
#define SECDB_MAX_IDS      100000

/* First whitespace-separated token of an entry ("CVE-2019-1 (note)"). */
static bool first_token(const char *s, char *out, size_t outsz)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strcspn(s, " \t\r\n(");
	if (n == 0 || n >= outsz)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

static enum bw_err secdb_fix(struct vdb_builder *b, const char *eco, const char *pkg,
			     const char *ver, const char *vid, struct bw_errbuf *eb)
{
	struct vdb_b_adv a = {0};
	struct vdb_b_aff f = {0};
	enum bw_err result;
	int64_t row = 0;

	a.id = vid;
	a.kind = VDB_K_ALPINE;
	a.prio = 1;
	result = vdb_b_advisory(b, &a, &row, eb);
	if (result != BW_OK)
		return result;
	f.ecosystem = eco;
	f.name = pkg;
	if (strcmp(ver, "0") == 0) {
		f.status = VDB_FIX_NOT_AFFECTED;
	} else {
		f.status = VDB_FIX_FIXED;
		f.fixed = ver;
	}
	return vdb_b_affected(b, row, &f, eb);
}

/* Every "version: [IDs]" of one package's secfixes mapping. */
static enum bw_err secfixes(struct vdb_builder *b, const char *name, const char *eco,
			    const char *pname, json_t *fixes, struct bw_errbuf *eb)
{
	enum bw_err result;
	const char *ver;
	json_t *ids;

	json_object_foreach(fixes, ver, ids) {
		json_t *idv;
		size_t j;

		if (strlen(ver) > 256) {
			BW_WARN("%s: %s: fixed version longer than 256 bytes, skipped", name, pname);
			continue;
		}
		if (json_is_null(ids))
			continue; /* "7.4.0-r0:" with no IDs (in the real v3.6 data) */
		if (!json_is_array(ids) || json_array_size(ids) > SECDB_MAX_IDS) {
			BW_WARN("%s: %s %s: fixed IDs are not a list, skipped", name, pname, ver);
			continue;
		}
		json_array_foreach(ids, j, idv) {
			char vid[128];

			if (!json_is_string(idv) ||
			    !first_token(json_string_value(idv), vid, sizeof(vid))) {
				BW_WARN("%s: %s %s: entry %zu is not an ID, skipped", name, pname, ver,
					j);
				continue;
			}
			result = secdb_fix(b, eco, pname, ver, vid, eb);
			if (result == BW_ERR_DB || result == BW_ERR_NOMEM)
				return result;
			if (result != BW_OK)
				BW_WARN("%s: %s %s: %s", name, pname, ver, bw_errmsg(eb, result));
		}
	}
	return BW_OK;
}

enum bw_err vdb_read_secfixes(struct vdb_builder *b, const char *name, const char *pkg,
			      json_t *root, struct bw_errbuf *eb)
{
	json_t *fixes = json_object_get(root, "secfixes");

	if (!pkg || !*pkg || strlen(pkg) > 128)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no package name for the secfixes", name);
	if (!json_is_object(fixes))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"secfixes\" is not a mapping", name);
	return secfixes(b, name, "Alpine:edge", pkg, fixes, eb);
}

enum bw_err vdb_read_secdb(struct vdb_builder *b, const char *name, json_t *root,
			   struct bw_errbuf *eb)
{
	const char *dv = vdb_jstr(root, "distroversion");
	json_t *pkgs = json_object_get(root, "packages"), *p;
	enum bw_err result;
	char eco[64];
	size_t i;

	if (!dv || strlen(dv) > 32 || dv[0] != 'v')
		return bw_fail(eb, BW_ERR_FORMAT, "%s: distroversion %s is not like \"v3.10\"", name,
			       dv ? dv : "missing");
	if (!json_is_array(pkgs) && !json_is_null(pkgs))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"packages\" is not a list", name);
	if (json_array_size(pkgs) > SECDB_MAX_PACKAGES)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: more than %d packages", name,
			       SECDB_MAX_PACKAGES);
	snprintf(eco, sizeof(eco), "Alpine:%s", dv);
	json_array_foreach(pkgs, i, p) {
		json_t *pkg = json_object_get(p, "pkg"), *fixes;
		const char *pname = vdb_jstr(pkg, "name");

		fixes = json_object_get(pkg, "secfixes");
		if (!pname || !*pname) {
			BW_WARN("%s: packages[%zu].pkg.name missing, skipped", name, i);
			continue;
		}
		if (!fixes || json_is_null(fixes))
			continue;
		if (!json_is_object(fixes)) {
			BW_WARN("%s: %s: secfixes is not a mapping, skipped", name, pname);
			continue;
		}
		result = secfixes(b, name, eco, pname, fixes, eb);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

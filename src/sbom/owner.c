/* owner.c - which package installed the file a language package was found
 * in (docs/sbom-model.md, "Language packages owned by other packages").
 *
 * A language package whose file a distro package installed (Debian's
 * python3-yaml ships PyYAML's METADATA, runc's Go binary is in the runc
 * .deb, Alpine's py3-* ship dist-info directories) is tied to that package:
 * pkg->owner names it and the scan leaves its matching to the distro's
 * data. A language package whose file a Python distribution's RECORD lists
 * (a vendored dist-info, a Go binary or jar shipped in a wheel) gets that
 * Python package as owner (owner_type pypi) when no distro package owns it.
 *
 * The owner index holds every non-distro package by the file it came from
 * (the outermost archive of an "a.war!b.jar" path), sorted; each file list
 * (dpkg *.list, apk's F:/R: lines, rpm's BASENAMES/DIRNAMES, RECORD) claims
 * its paths through sbom_owner_claim. The first claim of a package wins.
 */
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

#define OWNER_PATH_MAX 4096

struct owned_path {
	char *path; /* clean, no leading '/' */
	size_t pkg; /* index into sb->pkgs */
};

struct sbom_owner_index {
	struct sbom *sb;
	struct owned_path *v;
	size_t n;
};

static int cmp_owned(const void *a, const void *b)
{
	return strcmp(((const struct owned_path *)a)->path, ((const struct owned_path *)b)->path);
}

static bool is_distro(enum sbom_pkg_type t)
{
	return t == SBOM_PKG_DEB || t == SBOM_PKG_APK || t == SBOM_PKG_RPM;
}

void sbom_owner_index_free(struct sbom_owner_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++)
		free(ix->v[i].path);
	free(ix->v);
	free(ix);
}

enum bw_err sbom_owner_index_new(struct sbom *sb, struct sbom_owner_index **out)
{
	struct sbom_owner_index *ix;

	*out = NULL;
	ix = bw_calloc(1, sizeof(*ix));
	if (!ix)
		return BW_ERR_NOMEM;
	ix->sb = sb;
	ix->v = bw_calloc(sb->npkgs ? sb->npkgs : 1, sizeof(*ix->v));
	if (!ix->v) {
		free(ix);
		return BW_ERR_NOMEM;
	}
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (is_distro(p->type) || !p->found_path)
			continue;
		/* a nested archive "a.war!WEB-INF/lib/b.jar" is owned through
		 * its outermost archive */
		ix->v[ix->n].path = bw_strndup(p->found_path, strcspn(p->found_path, "!"));
		if (!ix->v[ix->n].path) {
			sbom_owner_index_free(ix);
			return BW_ERR_NOMEM;
		}
		ix->v[ix->n++].pkg = i;
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), cmp_owned);
	*out = ix;
	return BW_OK;
}

struct sbom *sbom_owner_index_sbom(const struct sbom_owner_index *ix)
{
	return ix->sb;
}

bool sbom_owner_index_empty(const struct sbom_owner_index *ix)
{
	return !ix || ix->n == 0;
}

/* The first entry at exactly path, or NULL. */
static struct owned_path *index_first(const struct sbom_owner_index *ix, const char *path)
{
	struct owned_path key = {.path = (char *)path}, *hit;

	if (ix->n == 0)
		return NULL;
	hit = bsearch(&key, ix->v, ix->n, sizeof(*ix->v), cmp_owned);
	if (!hit)
		return NULL;
	while (hit > ix->v && strcmp(hit[-1].path, path) == 0)
		hit--;
	return hit;
}

size_t sbom_owner_index_find(const struct sbom_owner_index *ix, const char *path,
			     enum sbom_pkg_type type)
{
	for (const struct owned_path *hit = index_first(ix, path);
	     hit && hit < ix->v + ix->n && strcmp(hit->path, path) == 0; hit++)
		if (ix->sb->pkgs[hit->pkg].type == type)
			return hit->pkg;
	return SIZE_MAX;
}

/* Give every unowned package at clean path (other than self) the owner. */
static enum bw_err claim_clean(struct sbom_owner_index *ix, const char *path, const char *owner,
			       enum sbom_pkg_type type, size_t self, size_t *nclaimed)
{
	for (struct owned_path *hit = index_first(ix, path);
	     hit && hit < ix->v + ix->n && strcmp(hit->path, path) == 0; hit++) {
		struct sbom_pkg *p = &ix->sb->pkgs[hit->pkg];

		if (p->owner || hit->pkg == self)
			continue;
		p->owner = bw_strdup(owner);
		if (!p->owner)
			return BW_ERR_NOMEM;
		p->owner_type = type;
		if (nclaimed)
			(*nclaimed)++;
	}
	return BW_OK;
}

enum bw_err sbom_owner_claim(struct sbom_owner_index *ix, const char *path, size_t len,
			     const char *owner, enum sbom_pkg_type type, size_t self, bool usrmerge)
{
	char raw[OWNER_PATH_MAX], clean[OWNER_PATH_MAX + 4];
	enum bw_err result;

	if (ix->n == 0 || len == 0 || len >= sizeof(raw) || memchr(path, '\0', len))
		return BW_OK;
	memcpy(raw, path, len);
	raw[len] = '\0';
	if (bw_path_clean(raw, clean, sizeof(raw)) != BW_OK || !clean[0])
		return BW_OK; /* climbs above the root, or is the root */
	result = claim_clean(ix, clean, owner, type, self, NULL);
	/* merged /usr: a list may name /bin/x for what the image has at
	 * usr/bin/x, so try that spelling too */
	if (result == BW_OK && usrmerge && !bw_str_starts_with(clean, "usr/")) {
		memmove(clean + 4, clean, strlen(clean) + 1);
		memcpy(clean, "usr/", 4);
		result = claim_clean(ix, clean, owner, type, self, NULL);
	}
	return result;
}

/* ---- dpkg: var/lib/dpkg/info/PKG[:ARCH].list, one absolute path a line ---- */

static enum bw_err claim_from_list(struct sbom_owner_index *ix, const struct sbom_list_file *f)
{
	char pkgname[256];
	const char *base = bw_path_base(f->path);
	size_t bl = strlen(base), off = 0;

	if (!bw_str_ends_with(base, ".list"))
		return BW_OK;
	bl -= strlen(".list");
	/* "libc6:amd64.list" -> "libc6" */
	if (bl == 0 || bl >= sizeof(pkgname))
		return BW_OK;
	memcpy(pkgname, base, bl);
	pkgname[bl] = '\0';
	pkgname[strcspn(pkgname, ":")] = '\0';
	while (off < f->size) {
		const char *line = f->data + off, *nl = memchr(line, '\n', f->size - off);
		size_t len = nl ? (size_t)(nl - line) : f->size - off;
		enum bw_err result;

		off += len + (nl ? 1 : 0);
		result = sbom_owner_claim(ix, line, len, pkgname, SBOM_PKG_DEB, SIZE_MAX, true);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

enum bw_err sbom_owners_from_dpkg_lists_ix(struct sbom_owner_index *ix,
					  const struct sbom_list_file *lists, size_t nlists)
{
	enum bw_err result = BW_OK;

	for (size_t i = 0; result == BW_OK && i < nlists; i++)
		result = claim_from_list(ix, &lists[i]);
	return result;
}

enum bw_err sbom_owners_from_dpkg_lists(struct sbom *sb, const struct sbom_list_file *lists,
				       size_t nlists)
{
	struct sbom_owner_index *ix;
	enum bw_err result;

	result = sbom_owner_index_new(sb, &ix);
	if (result == BW_OK)
		result = sbom_owners_from_dpkg_lists_ix(ix, lists, nlists);
	sbom_owner_index_free(ix);
	return result;
}

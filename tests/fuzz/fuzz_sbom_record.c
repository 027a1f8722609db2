/* fuzz_sbom_record.c - the file lists of the ownership pass, all bytes from
 * an image: a Python RECORD (CSV), apk's installed database (F:/R: lines)
 * and an rpm header's file list (BASENAMES/DIRNAMES/DIRINDEXES). The first
 * input byte picks the reader (0-1: RECORD, 2: apk, 3: rpm), the rest is
 * the file. Checks: no crash or leak; an owner is only ever set with the
 * reader's own type, never on a distro package, and RECORD's owner is the
 * distribution beside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/rpm_int.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SP "usr/lib/python3/site-packages"

static void add(struct sbom *sb, enum sbom_pkg_type t, const char *name, const char *path)
{
	struct sbom_pkg p = {0};

	p.type = t;
	p.name = bw_strdup(name);
	p.version = bw_strdup("1.0");
	p.found_path = bw_strdup(path);
	(void)sbom_add(sb, &p);
}

static enum bw_err count_file(void *ctx, const char *name, const char *dir, size_t dl,
			      const char *base, size_t bl)
{
	(void)name;
	(void)dir;
	(void)base;
	*(size_t *)ctx += dl + bl;
	return BW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbom *sb;
	struct sbom_owner_index *ix = NULL;
	enum sbom_pkg_type want;
	const char *d = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (size == 0)
		return 0;
	sb = sbom_new();
	if (!sb)
		return 0;
	add(sb, SBOM_PKG_PYPI, "demo", SP "/demo-1.0.dist-info/METADATA");
	add(sb, SBOM_PKG_PYPI, "vend", SP "/demo/_vendor/vend-1.0.dist-info/METADATA");
	add(sb, SBOM_PKG_GOLANG, "stdlib", "usr/bin/gotool");
	add(sb, SBOM_PKG_MAVEN, "g:a", SP "/demo/a.war!WEB-INF/lib/b.jar");
	add(sb, SBOM_PKG_NPM, "x", "usr/lib/node_modules/x/package.json");
	add(sb, SBOM_PKG_APK, "musl", "lib/apk/db/installed");
	if (sbom_owner_index_new(sb, &ix) != BW_OK)
		goto out_sb;
	switch (data[0] & 3) {
	case 0:
	case 1: {
		struct sbom_list_file rec = {SP "/demo-1.0.dist-info/RECORD", d, n};

		want = SBOM_PKG_PYPI;
		(void)sbom_owners_from_python_records(ix, &rec, 1);
		if (sb->pkgs[0].owner)
			abort(); /* never its own owner */
		break;
	}
	case 2:
		want = SBOM_PKG_APK;
		(void)sbom_owners_from_apk_db(ix, d, n);
		break;
	default: {
		struct bw_errbuf eb = {{0}};
		size_t total = 0;

		want = SBOM_PKG_RPM;
		(void)sbom_rpm_header_files((const unsigned char *)d, n, count_file, &total, &eb);
		break;
	}
	}
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (!p->owner)
			continue;
		if (p->type == SBOM_PKG_APK || p->owner_type != want)
			abort();
		if (want == SBOM_PKG_PYPI && strcmp(p->owner, "demo") != 0)
			abort();
	}
	sbom_owner_index_free(ix);
out_sb:
	sbom_free(sb);
	return 0;
}

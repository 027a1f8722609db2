/* fuzz_sbom_distroowner.c - the apk and rpm file lists that tie language
 * packages to the distro package that installed their file (bytes from an
 * image layer: attacker-controlled). The first byte picks the reader:
 * 0 lib/apk/db/installed, 1 rpm Berkeley DB (Packages), 2 rpm NDB
 * (Packages.db), 3 rpm SQLite (rpmdb.sqlite); the rest is the database.
 * Checks: no crash or leak, an owner is never empty, always comes with the
 * reader's owner type, and distro packages are never owned. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add(struct sbom *sb, enum sbom_pkg_type t, const char *name, const char *path)
{
	struct sbom_pkg p = {0};

	p.type = t;
	p.name = bw_strdup(name);
	p.version = bw_strdup("1.0");
	p.found_path = bw_strdup(path);
	(void)sbom_add(sb, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rpm_paths[] = {
		"var/lib/rpm/Packages", "var/lib/rpm/Packages.db", "var/lib/rpm/rpmdb.sqlite",
	};
	struct sbom *sb;
	struct sbom_owner_index *ix = NULL;
	enum sbom_pkg_type want;

	if (size < 1 || data[0] > 3)
		return 0;
	bw_log_set_level(BW_LOG_ERROR);
	sb = sbom_new();
	if (!sb)
		return 0;
	add(sb, SBOM_PKG_PYPI, "x", "usr/lib/python3.11/site-packages/x-1.0.dist-info/METADATA");
	add(sb, SBOM_PKG_NPM, "y", "usr/lib/node_modules/y/package.json");
	add(sb, SBOM_PKG_GOLANG, "stdlib", "usr/bin/tool");
	add(sb, SBOM_PKG_APK, "musl", "lib/apk/db/installed");
	add(sb, SBOM_PKG_RPM, "bash", "var/lib/rpm/Packages");
	if (sbom_owner_index_new(sb, &ix) != BW_OK)
		goto out_free;
	if (data[0] == 0) {
		want = SBOM_PKG_APK;
		(void)sbom_owners_from_apk_db(ix, (const char *)data + 1, size - 1);
	} else {
		want = SBOM_PKG_RPM;
		(void)sbom_owners_from_rpm_db(ix, (const char *)data + 1, size - 1,
					      rpm_paths[data[0] - 1]);
	}
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (p->owner && (!p->owner[0] || p->owner_type != want))
			abort();
		if ((p->type == SBOM_PKG_APK || p->type == SBOM_PKG_RPM) && p->owner)
			abort(); /* distro packages are never owned */
	}
	sbom_owner_index_free(ix);
out_free:
	sbom_free(sb);
	return 0;
}

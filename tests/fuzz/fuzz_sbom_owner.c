/* fuzz_sbom_owner.c - the dpkg file-list reader that ties language packages
 * to the distro package that installed their file (bytes from an image
 * layer: attacker-controlled). The input is one list,
 * var/lib/dpkg/info/runc:amd64.list. Checks: no crash or leak, and the only
 * owner ever assigned is the list's package name without ":ARCH". */
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
	struct sbom *sb = sbom_new();
	struct sbom_list_file lists[2] = {
		{"var/lib/dpkg/info/runc:amd64.list", (const char *)data, size},
		{"var/lib/dpkg/info/not-a-list.md5sums", (const char *)data, size},
	};

	if (!sb)
		return 0;
	add(sb, SBOM_PKG_GOLANG, "stdlib", "usr/bin/runc");
	add(sb, SBOM_PKG_GOLANG, "stdlib", "usr/bin/runc"); /* two packages, one file */
	add(sb, SBOM_PKG_PYPI, "x", "usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA");
	add(sb, SBOM_PKG_MAVEN, "g:a", "usr/share/java/app.war!WEB-INF/lib/b.jar");
	add(sb, SBOM_PKG_DEB, "runc", "var/lib/dpkg/status");
	(void)sbom_owners_from_dpkg_lists(sb, lists, 2);
	for (size_t i = 0; i < sb->npkgs; i++) {
		const char *o = sb->pkgs[i].owner;

		if (o && strcmp(o, "runc") != 0)
			abort();
		if (sb->pkgs[i].type == SBOM_PKG_DEB && o)
			abort(); /* distro packages are never owned */
	}
	sbom_free(sb);
	return 0;
}

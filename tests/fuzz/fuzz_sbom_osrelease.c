/* fuzz_sbom_osrelease.c - distro detection over hostile files: the
 * os-release parser directly, then sbom_distro_from_files with the input
 * standing in for one of the distro files (chosen by the first byte), and
 * the Debian codename derivation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct one_file {
	const char *path;
	const char *data;
	size_t n;
};

static const char *one_get(void *ctx, const char *path, size_t *n)
{
	const struct one_file *f = ctx;

	if (strcmp(path, f->path) != 0)
		return NULL;
	*n = f->n;
	return f->data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"etc/os-release",	"usr/lib/os-release", "etc/alpine-release",
		"etc/debian_version", "etc/redhat-release", "etc/centos-release",
		"etc/fedora-release", "etc/system-release", "etc/lsb-release",
	};
	struct sbom_distro d = {0};
	struct bw_errbuf eb = {{0}};
	char *copy;
	struct one_file f;
	struct sbom_files files = {.get = one_get, .ctx = &f};

	(void)sbom_parse_os_release((const char *)data, size, "etc/os-release", &d, &eb);
	sbom_distro_release(&d);
	if (size == 0)
		return 0;
	/* the walker hands catalogers NUL-terminated content */
	copy = bw_strndup((const char *)data + 1, size - 1);
	if (!copy)
		return 0;
	f = (struct one_file){.path = names[data[0] % 9], .data = copy, .n = size - 1};
	if (sbom_distro_from_files(&files, &d, NULL) == BW_OK && d.id) {
		struct sbom_pkg p = {.type = SBOM_PKG_DEB, .name = "x", .version = "1"};
		char *purl = sbom_purl(&p, &d);

		if (!purl || !d.source_path)
			abort();
		free(purl);
	}
	sbom_distro_release(&d);
	free(sbom_debian_codename(copy));
	free(copy);
	return 0;
}

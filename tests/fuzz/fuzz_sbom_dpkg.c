/* fuzz_sbom_dpkg.c - the dpkg status parser (both the status file and the
 * distroless status.d/ rules), the DEP-5 copyright licence reader and purl
 * building over whatever packages come out. Input: a status file or a
 * copyright file (both read from image layers, attacker-controlled). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void purls(const struct sbom *sb)
{
	static const struct sbom_distro d = {.id = "debian", .version_id = "12"};

	for (size_t i = 0; i < sb->npkgs; i++) {
		char *p = sbom_purl(&sb->pkgs[i], &d);

		/* every installed package has a name, so a purl */
		if (!p)
			abort();
		free(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"var/lib/dpkg/status", "var/lib/dpkg/status.d/x"};
	struct bw_strv lic = {0};

	for (size_t i = 0; i < 2; i++) {
		struct sbom *sb = sbom_new();
		struct bw_errbuf eb = {{0}};
		enum bw_err result;

		if (!sb)
			return 0;
		result = sbom_parse_dpkg_status(sb, (const char *)data, size, paths[i], "sha256:0",
						&eb);
		/* an error always comes with a message naming the file */
		if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb.msg, paths[i]))
			abort();
		purls(sb);
		sbom_free(sb);
	}
	if (sbom_dpkg_copyright_licenses((const char *)data, size, &lic) == BW_OK && lic.n > 64)
		abort();
	bw_strv_release(&lic);
	return 0;
}

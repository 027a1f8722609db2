/* fuzz_sbom_apk.c - the apk installed-database parser and purl building over
 * its packages. Input: a lib/apk/db/installed file (attacker-controlled). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sbom_distro d = {.id = "alpine", .version_id = "3.19.1"};
	static const char path[] = "lib/apk/db/installed";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	if (!sb)
		return 0;
	result = sbom_parse_apk_installed(sb, (const char *)data, size, path, NULL, &eb);
	if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb.msg, path))
		abort();
	for (size_t i = 0; i < sb->npkgs; i++) {
		char *p = sbom_purl(&sb->pkgs[i], &d);

		if (!p || !sb->pkgs[i].name[0] || !sb->pkgs[i].version[0])
			abort();
		free(p);
	}
	sbom_free(sb);
	return 0;
}

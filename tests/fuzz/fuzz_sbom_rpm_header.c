/* fuzz_sbom_rpm_header.c - the rpm database reader for one rpm header blob (the form every rpmdb stores)
 * on hostile bytes. Invariants checked: every package it reports has a
 * name and a version, and the sbom frees cleanly. */
#include <stdint.h>
#include <stdlib.h>

#include "core/core.h"
#include "sbom/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };

	/* damaged records are logged with BW_WARN: keep the output quiet */
	bw_log_set_level(BW_LOG_ERROR);
	if (!sb)
		return 0;
	(void)sbom_parse_rpm_header(sb, data, size, "fuzz", NULL, &eb);
	for (size_t i = 0; i < sb->npkgs; i++)
		if (!sb->pkgs[i].name || !sb->pkgs[i].name[0] || !sb->pkgs[i].version)
			abort();
	sbom_free(sb);
	return 0;
}

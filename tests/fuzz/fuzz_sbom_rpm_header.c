/* fuzz_sbom_rpm_header.c - the rpm database reader for one rpm header blob
 * (the form every rpmdb stores) on hostile bytes. Invariants checked:
 * every package it reports is an rpm with a name, a version that starts with
 * its epoch, and a path, and the sbom frees cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (p->type != SBOM_PKG_RPM || !p->name || !p->name[0] || !p->version ||
		    !p->found_path)
			abort();
		/* "[epoch:]version-release": the epoch leads when there is one */
		if (p->epoch && (strncmp(p->version, p->epoch, strlen(p->epoch)) != 0 ||
				 p->version[strlen(p->epoch)] != ':'))
			abort();
	}
	sbom_free(sb);
	return 0;
}

/* fuzz_sbom_parse.h - the shared body of the fuzz targets for the SBOM
 * module's byte parsers (lockfiles, manifests, package databases).
 * Checks on attacker-controlled bytes: no crash or leak (ASan), an error
 * names the file, and every package added has a name, a version, a purl
 * and the file it came from. */
#ifndef BW_FUZZ_SBOM_PARSE_H
#define BW_FUZZ_SBOM_PARSE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef enum bw_err (*fuzz_sbom_parse_fn)(struct sbom *, const char *, size_t, const char *,
					  const char *, struct bw_errbuf *);

static inline void fuzz_sbom_parse(fuzz_sbom_parse_fn parse, const char *path,
				   const uint8_t *data, size_t size)
{
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	if (!sb)
		return;
	result = parse(sb, (const char *)data, size, path, "sha256:ff", &eb);
	if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb.msg, path))
		abort();
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (!p->name || !p->name[0] || !p->version || !p->version[0] || !p->purl ||
		    strncmp(p->purl, "pkg:", 4) != 0 || strcmp(p->found_path, path) != 0)
			abort();
	}
	sbom_free(sb);
}

#endif

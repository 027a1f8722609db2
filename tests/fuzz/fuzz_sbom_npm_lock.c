/* fuzz_sbom_npm_lock.c - the package-lock.json / npm-shrinkwrap.json parser (v1 tree, v2/v3 packages) and the installed package.json reader.
 * Input: attacker-controlled file bytes. Every error must name the file;
 * every package added must have a name, a version and a purl. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(struct sbom *sb, enum bw_err result, const struct bw_errbuf *eb,
		  const char *path)
{
	if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb->msg, path))
		abort();
	for (size_t i = 0; i < sb->npkgs; i++)
		if (!sb->pkgs[i].name[0] || !sb->pkgs[i].version[0] || !sb->pkgs[i].purl)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	if (!sb)
		return 0;
	result = sbom_parse_npm_lock(sb, (const char *)data, size, "package-lock.json", NULL, &eb);
	check(sb, result, &eb, "package-lock.json");
	memset(&eb, 0, sizeof(eb));
	result = sbom_parse_npm_package_json(sb, (const char *)data, size,
					     "node_modules/x/package.json", "sha256:00", &eb);
	check(sb, result, &eb, "node_modules/x/package.json");
	sbom_free(sb);
	return 0;
}

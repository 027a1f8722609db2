/* fuzz_sbom_toml.c - the bounded TOML reader under poetry.lock and uv.lock.
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
	result = sbom_parse_python_toml_lock(sb, (const char *)data, size, "poetry.lock", NULL, &eb);
	check(sb, result, &eb, "poetry.lock");
	sbom_free(sb);
	return 0;
}

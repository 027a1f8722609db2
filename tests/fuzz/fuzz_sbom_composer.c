/* fuzz_sbom_composer.c - Composer's installed.json (v1, v2) and composer.lock readers, on attacker-controlled bytes (checks: fuzz_sbom_parse.h). */
#include "fuzz_sbom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sbom_parse(sbom_parse_composer_installed, "vendor/composer/installed.json", data, size);
	fuzz_sbom_parse(sbom_parse_composer_lock, "vendor/composer/installed.json", data, size);
	return 0;
}

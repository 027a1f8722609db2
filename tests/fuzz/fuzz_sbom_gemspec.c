/* fuzz_sbom_gemspec.c - the installed-gem specification reader, on attacker-controlled bytes (checks: fuzz_sbom_parse.h). */
#include "fuzz_sbom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sbom_parse(sbom_parse_gemspec, "gems/specifications/x-1.gemspec", data, size);
	return 0;
}

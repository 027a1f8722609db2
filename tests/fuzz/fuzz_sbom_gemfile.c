/* fuzz_sbom_gemfile.c - the Gemfile.lock parser, on attacker-controlled bytes (checks: fuzz_sbom_parse.h). */
#include "fuzz_sbom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sbom_parse(sbom_parse_gemfile_lock, "app/Gemfile.lock", data, size);
	return 0;
}

/* fuzz_sbom_gomod.c - the go.mod and go.sum readers, on attacker-controlled bytes (checks: fuzz_sbom_parse.h). */
#include "fuzz_sbom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sbom_parse(sbom_parse_go_mod, "src/go.mod", data, size);
	fuzz_sbom_parse(sbom_parse_go_sum, "src/go.mod", data, size);
	return 0;
}

/* fuzz_sbom_cargo.c - the Cargo.lock reader (with its small TOML reader), on attacker-controlled bytes (checks: fuzz_sbom_parse.h). */
#include "fuzz_sbom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sbom_parse(sbom_parse_cargo_lock, "app/Cargo.lock", data, size);
	return 0;
}

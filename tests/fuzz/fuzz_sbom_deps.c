/* fuzz_sbom_deps.c - the .NET *.deps.json and packages.lock.json readers, on attacker-controlled bytes (checks: fuzz_sbom_parse.h). */
#include "fuzz_sbom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sbom_parse(sbom_parse_dotnet_deps, "app/x.deps.json", data, size);
	fuzz_sbom_parse(sbom_parse_nuget_lock, "app/x.deps.json", data, size);
	return 0;
}

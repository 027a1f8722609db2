/* fuzz_registry_manifest.c - manifest and index JSON as a registry sends it, and platform selection. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {0};
	char *s;

	if (size > 1 << 20)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	{
		struct registry_manifest m;
		struct image_platform p = {"linux", "amd64", ""};

		if (registry_manifest_parse(s, size, "application/vnd.oci.image.index.v1+json", "fuzz", &m,
					    &eb) == BW_OK) {
			ssize_t k = registry_manifest_select(&m, &p);

			if (k >= (ssize_t)m.nentries)
				abort();
			registry_manifest_release(&m);
		}
	}
	free(s);
	return 0;
}

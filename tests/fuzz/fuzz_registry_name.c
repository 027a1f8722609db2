/* fuzz_registry_name.c - the registry reference parser (host, repository, tag, digest). */
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
		struct registry_name n;

		if (registry_name_parse(s, &n, &eb) == BW_OK) {
			if (!n.host || !n.repo || (!n.tag && !n.digest))
				abort();
			registry_name_release(&n);
		}
	}
	free(s);
	return 0;
}

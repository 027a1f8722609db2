/* fuzz_registry_link.c - the Link header parser used for catalog and tag
 * list pagination: whatever it returns must be a /v2/ path. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {0};
	char out[2100];
	char *s;

	if (size > 8192)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (registry_link_next(s, "registry.example:5000", out, sizeof(out), &eb) == BW_OK &&
	    out[0] && (strncmp(out, "/v2/", 4) || strpbrk(out, " \t\r\n\\")))
		abort();
	free(s);
	return 0;
}

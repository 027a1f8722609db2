/* fuzz_registry_challenge.c - the WWW-Authenticate challenge parser. */
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
		struct registry_challenge ch;

		if (registry_challenge_parse(s, &ch, &eb) == BW_OK)
			registry_challenge_release(&ch);
	}
	free(s);
	return 0;
}

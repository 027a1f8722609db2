/* fuzz_registry_events.c - push notification envelopes as the webhook
 * receives them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {0};
	struct registry_push *p = NULL;
	size_t n = 0;

	if (size > 1 << 20)
		return 0;
	if (registry_events_parse((const char *)data, size, &p, &n, &eb) == BW_OK) {
		for (size_t i = 0; i < n; i++)
			if (!p[i].repo || !p[i].digest || !bw_digest_valid(p[i].digest))
				abort();
		registry_pushes_free(p, n);
	}
	return 0;
}

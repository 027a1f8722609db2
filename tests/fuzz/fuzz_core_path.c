/* fuzz_core_path.c - bw_path_clean and bw_path_match on hostile paths and
 * patterns (archive entry names are attacker-controlled). Input: a pattern
 * and a path separated by the first NUL byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	char *pat = bw_strndup((const char *)data, plen);
	char *path = bw_strndup(nul ? (const char *)nul + 1 : "", nul ? size - plen - 1 : 0);
	char *clean = NULL;

	if (!pat || !path)
		goto out_free;
	clean = malloc(strlen(path) + 1);
	if (!clean)
		goto out_free;
	if (bw_path_clean(path, clean, strlen(path) + 1) == BW_OK) {
		char again[4096];

		/* invariants: no leading '/', no "." or ".." component, and
		 * cleaning is idempotent */
		if (clean[0] == '/' || strstr(clean, "//"))
			abort();
		if (strlen(clean) < sizeof(again) &&
		    (bw_path_clean(clean, again, sizeof(again)) != BW_OK || strcmp(again, clean) != 0))
			abort();
		(void)bw_path_match(pat, clean);
		(void)bw_path_base(clean);
	}
	/* patterns with many "**" must stay bounded in time: cap their length */
	if (plen < 256)
		(void)bw_path_match(pat, path);
out_free:
	free(pat);
	free(path);
	free(clean);
	return 0;
}

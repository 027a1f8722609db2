/* fuzz_agent_ctrmeta.c - the runtime-location helpers of ctr_parse.c on
 * hostile input: Docker's metadata directory from a bundle config.json,
 * Podman's containers.json from a bundle path, BULWARK_AGENT_RUNTIME_ROOTS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/ctr_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {0};
	struct ctr_root roots[CTR_ROOTS_MAX];
	char out[256], *s;
	size_t n = 0, i;

	if (size > CTR_JSON_MAX)
		return 0;
	if (ctr_docker_meta_dir((const char *)data, size, "0b58f702e0e2", out, sizeof(out), &eb) ==
		    BW_OK &&
	    (out[0] != '/' || strlen(out) >= sizeof(out)))
		__builtin_trap();
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ctr_podman_meta_path(s, "56e5", out, sizeof(out)) &&
	    (out[0] != '/' || strstr(out, "/containers.json") == NULL))
		__builtin_trap();
	(void)ctr_parse_roots(s, roots, CTR_ROOTS_MAX, &n, &eb);
	if (n > CTR_ROOTS_MAX)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (roots[i].dir[0] != '/' || strlen(roots[i].runtime) >= sizeof(roots[i].runtime))
			__builtin_trap();
	free(s);
	return 0;
}

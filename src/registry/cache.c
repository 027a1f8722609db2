/* cache.c - where the registry source's layer cache lives and how big it
 * may grow. What is cached is each layer's catalogued result, not the
 * layer (src/image/layercache.c, docs/image.md "Layer cache"): a second
 * scan of an image that shares layers downloads and reads only the new
 * ones. */
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

#define CACHE_DEFAULT_MAX (512ull << 20)

/* BULWARK_REGISTRY_CACHE: a directory, or "off". Default
 * $XDG_CACHE_HOME/bulwark/layers or ~/.cache/bulwark/layers. */
char *registry_cache_dir(void)
{
	const char *e = getenv("BULWARK_REGISTRY_CACHE");
	const char *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");

	if (e && !strcmp(e, "off"))
		return NULL;
	if (e && e[0] == '/')
		return bw_strfmt("%s/layers", e);
	if (x && x[0] == '/')
		return bw_strfmt("%s/bulwark/layers", x);
	if (h && h[0] == '/')
		return bw_strfmt("%s/.cache/bulwark/layers", h);
	return NULL;
}

/* BULWARK_REGISTRY_CACHE_MAX: bytes (default 512 MiB). */
uint64_t registry_cache_max(void)
{
	const char *e = getenv("BULWARK_REGISTRY_CACHE_MAX");
	uint64_t n;

	if (e && bw_parse_u64(e, UINT64_MAX, &n) == BW_OK)
		return n;
	if (e)
		BW_WARN("BULWARK_REGISTRY_CACHE_MAX=%.40s is not a number of bytes: using %llu", e,
			(unsigned long long)CACHE_DEFAULT_MAX);
	return CACHE_DEFAULT_MAX;
}

/* mem.c - overflow-checked allocation helpers. */
#include <stdlib.h>

#include "core.h"

void *bw_calloc(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		return calloc(1, 1);
	return calloc(n, size);
}

void *bw_reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total))
		return NULL;
	return realloc(p, total ? total : 1);
}

enum bw_err bw_grow(void **arr, size_t *cap, size_t need, size_t elsize, size_t max)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return BW_OK;
	if (need > max)
		return BW_ERR_LIMIT;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > max / 2) {
			ncap = max;
			break;
		}
		ncap *= 2;
	}
	p = bw_reallocarray(*arr, ncap, elsize);
	if (!p)
		return BW_ERR_NOMEM;
	*arr = p;
	*cap = ncap;
	return BW_OK;
}

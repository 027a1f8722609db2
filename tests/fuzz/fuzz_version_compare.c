/* fuzz_version_compare.c - version_compare / version_valid on hostile
 * strings. Input: one byte selecting the scheme, then A '\n' B. Checks
 * that comparison is antisymmetric and reflexive on valid versions and
 * that PEP 440 normalisation is stable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"
#include "version/version_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int x)
{
	return x < 0 ? -1 : x > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	enum version_scheme s = (enum version_scheme)(data[0] % (VERSION__COUNT + 1));
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	char *a = buf, *b = strchr(buf, '\n');
	if (b)
		*b++ = '\0';
	else
		b = a + strlen(a);
	enum bw_err e1, e2;
	int r1 = version_compare(s, a, b, &e1);
	int r2 = version_compare(s, b, a, &e2);
	bool va = version_valid(s, a), vb = version_valid(s, b);
	if (va && vb && e1 == BW_OK && sign(r1) != -sign(r2))
		__builtin_trap();
	if (va && version_compare(s, a, a, NULL) != 0)
		__builtin_trap();
	if (s == VERSION_PEP440 && va) {
		char n1[4096], n2[4096];
		if (version_pep440_normalize(a, n1, sizeof(n1))) {
			if (!version_pep440_normalize(n1, n2, sizeof(n2)) || strcmp(n1, n2) != 0)
				__builtin_trap();
			if (version_compare(s, a, n1, NULL) != 0)
				__builtin_trap();
		}
	}
	if (s == VERSION_APK)
		(void)version_apk_match(a, "<~", b);
	free(buf);
	return 0;
}

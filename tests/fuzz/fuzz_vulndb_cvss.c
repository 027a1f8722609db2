/* fuzz_vulndb_cvss.c - vdb_cvss_compute on hostile vector strings; a
 * successful parse must give a score in 0.0 - 10.0. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/cvss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vdb_cvss_result r;
	struct bw_errbuf eb = {0};

	if (size > 2048)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (vdb_cvss_compute(s, &r, &eb) == BW_OK) {
		if (r.score10 < 0 || r.score10 > 100 || (r.major != 2 && r.major != 3 && r.major != 4))
			__builtin_trap();
	}
	free(s);
	return 0;
}

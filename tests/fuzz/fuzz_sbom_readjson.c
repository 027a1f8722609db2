/* fuzz_sbom_readjson.c - sbom_read_json() on any bytes. A document it
 * accepts must survive write -> read -> write unchanged (the property the
 * registry store relies on when it re-matches stored SBOMs). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *render(const struct sbom *sb, size_t *len)
{
	struct bw_errbuf eb = {0};
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	if (!f)
		abort();
	if (sbom_write(sb, SBOM_FMT_JSON, f, &eb) != BW_OK) {
		fclose(f);
		free(out);
		return NULL;
	}
	fclose(f);
	*len = n;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {0};
	struct sbom *sb = NULL, *back = NULL;
	char *one, *two;
	size_t n1 = 0, n2 = 0;

	if (size > 1 << 20)
		return 0;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	if (sbom_read_json((const char *)data, size, "fuzz.json", &sb, &eb) != BW_OK) {
		if (sb || !eb.msg[0])
			abort(); /* an error leaves nothing behind and says why */
		return 0;
	}
	one = render(sb, &n1);
	if (one) {
		if (sbom_read_json(one, n1, "fuzz.json (written)", &back, &eb) != BW_OK)
			abort(); /* what the writer wrote must read back */
		two = render(back, &n2);
		if (!two || n1 != n2 || memcmp(one, two, n1) != 0)
			abort();
		free(two);
		sbom_free(back);
		free(one);
	}
	sbom_free(sb);
	return 0;
}

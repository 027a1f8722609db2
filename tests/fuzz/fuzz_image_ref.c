/* fuzz_image_ref.c - the image reference and platform parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_ref ref;
	struct image_platform p;
	struct bw_errbuf eb = {0};
	char *s;

	if (size > 8192)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* keep the parser off the host's files: only references that do not
	 * name an existing path are interesting here */
	if (image_ref_parse(s, &ref, &eb) == BW_OK) {
		(void)image_ref_kind_name(ref.kind);
		image_ref_release(&ref);
	}
	(void)image_platform_parse(s, &p, &eb);
	free(s);
	return 0;
}

/* fuzz_image_manifest.c - the manifest, index and config JSON readers.
 *
 * The same bytes go to each reader (an input that is a valid manifest is
 * an invalid index, and so on); the config reader runs against the layer
 * count the manifest reader found, as image_open does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/image_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_info info;
	struct image_desc_list dl = {0};
	struct bw_errbuf eb = {0};
	char *cd = NULL;

	if (size > IMAGE_MAX_INDEX_BYTES)
		return 0;
	memset(&info, 0, sizeof(info));
	if (image_manifest_parse((const char *)data, size, "fuzz", &info, &cd, &eb) == BW_OK)
		(void)image_config_parse((const char *)data, size, "fuzz", &info, &eb);
	free(cd);
	image_info_release(&info);
	memset(&info, 0, sizeof(info));
	(void)image_config_parse((const char *)data, size, "fuzz", &info, &eb);
	image_info_release(&info);
	if (image_index_parse((const char *)data, size, "fuzz", &dl, &eb) == BW_OK) {
		for (size_t i = 0; i < dl.n; i++)
			(void)image_name_matches("library/x:1", dl.d[i].ref_name);
		image_desc_list_release(&dl);
	}
	return 0;
}

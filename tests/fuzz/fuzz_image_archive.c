/* fuzz_image_archive.c - a whole hostile archive: the outer tar index, then
 * the docker-archive and oci-archive sources over it (manifest.json,
 * index.json, blobs by digest) and the walk of whatever opens. The input
 * is put in a memfd so the sources read it as they read a file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct image_want want = {"**", 4096};
	static const enum image_ref_kind kinds[] = {IMAGE_REF_DOCKER_ARCHIVE, IMAGE_REF_OCI_ARCHIVE};
	char path[64];
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (size_t k = 0; k < 2; k++) {
		struct image_ref ref = {kinds[k], path, NULL, path};
		struct image_open_opts opts = {0};
		struct image *img = NULL;
		struct image_fs *fs = NULL;
		struct image_limits lim;
		struct bw_errbuf eb = {0};

		image_platform_parse("linux/amd64", &opts.platform, &eb);
		opts.platform_set = true;
		if (image_open(&ref, &opts, &img, &eb) != BW_OK)
			continue;
		image_limits_default(&lim);
		lim.max_total_kept = 1 << 20;
		lim.max_entries = 20000;
		lim.max_layer_size = 64u << 20;
		if (image_walk(img, &want, 1, &lim, &fs, &eb) == BW_OK)
			image_fs_free(fs);
		image_free(img);
	}
	close(fd);
	return 0;
}

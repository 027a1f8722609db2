/* fuzz_image_tar.c - the layer walker over arbitrary bytes.
 *
 * Input: [2 bytes cut, little endian] [bytes]. A cut inside the bytes splits
 * them into two layers there (so whiteouts, opaque markers and replacements
 * across layers are exercised); 0 or past the end: one layer. Every
 * compression the walker detects (gzip, zstd, xz, none) is reachable. The
 * walk keeps some paths with small caps; the view is then queried.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "image/image.h"
#include "image/image_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* not everything is wanted, so hard links to unkept targets (the
	 * re-read pass) and unwanted-but-replacing entries are exercised */
	static const struct image_want wants[] = {{"*", 4096}, {"w/**", 4096}, {"etc/**", 1 << 16}};
	struct image_mem_layer ls[2];
	struct image_limits lim;
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};
	size_t n = 1, cut;

	if (size < 2)
		return 0;
	cut = (size_t)data[0] | (size_t)data[1] << 8;
	data += 2;
	size -= 2;
	memset(ls, 0, sizeof(ls));
	ls[0].data = data;
	ls[0].len = size;
	if (cut > 0 && cut < size) {
		ls[0].len = cut;
		ls[1].data = data + cut;
		ls[1].len = size - cut;
		n = 2;
	}
	image_limits_default(&lim);
	lim.max_total_kept = 1 << 20;
	lim.max_entries = 20000;
	lim.max_layer_size = 64u << 20;
	lim.max_symlinks = 1000;
	lim.max_files = 1000;
	if (image_open_mem(ls, n, &img, &eb) != BW_OK)
		return 0;
	if (image_walk(img, wants, 3, &lim, &fs, &eb) == BW_OK) {
		for (size_t i = 0; i < image_fs_count(fs); i++) {
			const struct image_file *f = image_fs_at(fs, i);

			(void)image_fs_get(fs, f->path);
		}
		(void)image_fs_get(fs, "etc/os-release");
		(void)image_fs_get(fs, "a/b/c/d");
		(void)image_fs_warnings(fs);
	}
	image_fs_free(fs);
	image_free(img);
	return 0;
}

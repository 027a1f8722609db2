/* fuzz_image_layercache.c - the layer cache's reader: a cache entry is a
 * file in a directory others may write, so its bytes are hostile.
 *
 * Input: [1 byte mode] [bytes].
 *   mode even: bytes are the items of a record (docs/image.md, "Layer
 *     cache"); the target wraps them the way the cache writes them (header,
 *     deflate, SHA-256 trailer) so every item parser is reached;
 *   mode odd: bytes are a whole cache file, checksum not checked (header,
 *     compressed stream and trailer handling).
 * The record is replayed into a walk with kept and streamed wants; the
 * stream callback reads a few ranges or, for a sequential stream, all of
 * it, as the binary and archive catalogers do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "image/image.h"
#include "image/image_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum bw_err on_stream(void *ctx, size_t want, const struct image_stream *st,
			     struct bw_errbuf *eb)
{
	unsigned char buf[64];

	(void)ctx;
	(void)want;
	(void)eb;
	if (st->read) {
		while (st->read(st, buf, sizeof(buf)) > 0)
			;
		return BW_OK;
	}
	(void)image_stream_read(st, buf, st->size < 16 ? (size_t)st->size : 16, 0, NULL);
	if (st->size > 8)
		(void)image_stream_read(st, buf, 4, st->size - 4, NULL);
	return BW_OK;
}

static void put_varint(FILE *f, uint64_t v)
{
	do {
		unsigned char b = (unsigned char)(v & 0x7f);

		v >>= 7;
		if (v)
			b |= 0x80;
		fputc(b, f);
	} while (v);
}

/* header + deflate(items) + SHA-256 trailer, as layercache.c writes them */
static int wrap(const uint8_t *items, size_t n, const char *digest)
{
	uLongf zn = compressBound((uLong)n);
	unsigned char *z = malloc(zn), sum[32];
	char hex[65];
	char *buf = NULL;
	size_t blen = 0;
	FILE *f;
	int fd;

	if (!z || compress2(z, &zn, items, (uLong)n, 1) != Z_OK) {
		free(z);
		return -1;
	}
	f = open_memstream(&buf, &blen);
	if (!f) {
		free(z);
		return -1;
	}
	fwrite("BWLAYER\n", 1, 8, f);
	fputc(IMAGE_LCACHE_VERSION, f);
	for (int i = 0; i < 64; i++)
		fputc('0', f);
	put_varint(f, strlen(digest) + 1);
	fwrite(digest, 1, strlen(digest), f);
	fwrite(z, 1, zn, f);
	fclose(f);
	free(z);
	if (bw_hash_hex(BW_HASH_SHA256, buf, blen, hex, sizeof(hex)) != BW_OK) {
		free(buf);
		return -1;
	}
	for (int i = 0; i < 32; i++) {
		unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0'
								: hex[2 * i + 1] - 'a' + 10);

		sum[i] = (unsigned char)(hi << 4 | lo);
	}
	fd = memfd_create("lcache", MFD_CLOEXEC);
	if (fd >= 0 && (write(fd, buf, blen) != (ssize_t)blen || write(fd, sum, 32) != 32)) {
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char digest[] =
		"sha256:0000000000000000000000000000000000000000000000000000000000000000";
	static const struct image_want wants[] = {
		{"etc/*.conf", 1024}, {"var/lib/pkgs/*", 1024}, {"big/*", 4}};
	static const struct image_stream_want swants[] = {
		{"**", 1 << 20, "\x7f" "ELF", 4, 0},
		{"**/*.jar", 1 << 20, "PK\x03\x04", 4, IMAGE_STREAM_SEQUENTIAL},
	};
	struct image_mem_layer ls[1];
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct image_lplay *p = NULL;
	struct bw_errbuf eb = {0};
	int fd;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		fd = memfd_create("lcache", MFD_CLOEXEC);
		if (fd < 0)
			return 0;
		if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
			close(fd);
			return 0;
		}
	} else {
		fd = wrap(data + 1, size - 1, digest);
		if (fd < 0)
			return 0;
	}
	if (image_lplay_fd(fd, !(data[0] & 1), NULL, NULL, "fuzz", &p, &eb) != BW_OK)
		return 0;
	memset(ls, 0, sizeof(ls));
	ls[0].data = "";
	ls[0].digest = digest;
	if (image_open_mem(ls, 1, &img, &eb) == BW_OK &&
	    image_walk_replay(img, p, wants, 3, swants, 2, on_stream, NULL, &fs, &eb) == BW_OK) {
		for (size_t i = 0; i < image_fs_count(fs); i++)
			(void)image_fs_get(fs, image_fs_at(fs, i)->path);
		(void)image_fs_has_version(fs, "bin/a", 0);
		(void)image_fs_get(fs, "etc/link.conf");
	}
	image_fs_free(fs);
	image_free(img);
	image_lplay_close(p);
	return 0;
}

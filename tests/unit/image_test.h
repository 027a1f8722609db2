/* image_test.h - shared by the image unit tests (test_image*.c): layer
 * tarballs made in memory with libarchive's writer. Include after cmocka.h.
 *
 *   struct ent  one tar entry: type 'f' file (data is its content), 'd'
 *               directory, 'l' symlink and 'h' hard link (data is the
 *               target), 'c' character device 1,3
 *   image_test_tar(ents, n, filter, perm, uid_base)
 *               the tar of ents (filter F_NONE, F_GZIP or F_ZSTD): every
 *               entry but directories (0755) has permissions perm; with a
 *               nonzero uid_base, entry i is owned by uid_base + i. The
 *               result's digest is "sha256:HEX" of its bytes; free(m.p). */
#ifndef BW_IMAGE_TEST_H
#define BW_IMAGE_TEST_H

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/core.h"

enum { F_NONE, F_GZIP, F_ZSTD };

struct ent {
	const char *path;
	char type;
	const char *data;
};

struct mem {
	unsigned char *p;
	size_t n;
	char digest[80];
};

static inline struct mem image_test_tar(const struct ent *ents, size_t n, int filter, mode_t perm,
					unsigned uid_base)
{
	struct archive *a = archive_write_new();
	size_t cap = 1 << 20, used = 0;
	char hex[65];
	struct mem m;

	m.p = malloc(cap);
	assert_non_null(m.p);
	archive_write_set_format_pax_restricted(a);
	if (filter == F_GZIP)
		archive_write_add_filter_gzip(a);
	else if (filter == F_ZSTD)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, m.p, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, ents[i].path);
		archive_entry_set_perm(e, perm);
		if (uid_base)
			archive_entry_set_uid(e, uid_base + i);
		switch (ents[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].data);
			archive_entry_set_size(e, 0);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, 0x0103);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].type == 'f')
			archive_write_data(a, ents[i].data, strlen(ents[i].data));
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	m.n = used;
	assert_int_equal(bw_hash_hex(BW_HASH_SHA256, m.p, m.n, hex, sizeof(hex)), BW_OK);
	snprintf(m.digest, sizeof(m.digest), "sha256:%s", hex);
	return m;
}

#endif

/* test_image_stream.c - streamed wants of the layer walker: files found by
 * pattern and magic are handed to a callback during the walk, leave a
 * metadata-only record, and later layers' whiteouts and overwrites decide
 * which streamed versions survive (image_fs_has_version). Layers are made
 * here with libarchive's writer; a dir: source is made in a temp dir. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/image.h"
#include "image/image_int.h"
#include "image_test.h"

/* gzip, mode 0755 */
static struct mem make_tar(const struct ent *ents, size_t n)
{
	return image_test_tar(ents, n, F_GZIP, 0755, 0);
}

/* What the callback saw, one line per call: "W LAYER PATH CONTENT". */
struct seen {
	char log[4096];
	bool data_null;
	int calls;
	int sequential;
};

static enum bw_err record(void *ctx, size_t want, const struct image_stream *st,
			  struct bw_errbuf *eb)
{
	struct seen *s = ctx;
	char buf[256];
	size_t n = st->size < sizeof(buf) - 1 ? (size_t)st->size : sizeof(buf) - 1;
	size_t used = strlen(s->log);

	if (st->read_at) {
		assert_int_equal(image_stream_read(st, buf, n, 0, eb), BW_OK);
	} else {
		/* sequential: front to back in 3-byte steps, then the end */
		size_t got = 0;
		ssize_t r;

		assert_null(st->data);
		s->sequential++;
		while (got < n && (r = st->read(st, buf + got, n - got < 3 ? n - got : 3)) > 0)
			got += (size_t)r;
		assert_int_equal(got, n);
		assert_int_equal(st->read(st, buf + got, 1), 0);
		assert_int_equal(image_stream_read(st, buf, 1, 0, eb), BW_ERR_USAGE);
	}
	buf[n] = '\0';
	if (!st->data)
		s->data_null = true;
	s->calls++;
	snprintf(s->log + used, sizeof(s->log) - used, "%zu %zu %s %s\n", want, st->layer_index,
		 st->path, buf);
	return BW_OK;
}

static const struct image_stream_want swants[] = {
	{"**", 1 << 20, "\x7f" "ELF", 4, 0},
	{"**/*.jar", 1 << 20, NULL, 0, 0},
};

static struct image_fs *walk_layers(struct mem *m, size_t n, const struct image_want *wants,
				    size_t nwants, const struct image_stream_want *sw, size_t nsw,
				    struct seen *seen)
{
	struct image_mem_layer ls[4];
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {{0}};

	memset(ls, 0, sizeof(ls));
	for (size_t i = 0; i < n; i++) {
		ls[i].data = m[i].p;
		ls[i].len = m[i].n;
	}
	assert_int_equal(image_open_mem(ls, n, &img, &eb), BW_OK);
	assert_int_equal(image_walk_stream(img, wants, nwants, sw, nsw, record, seen, NULL, &fs, &eb),
			 BW_OK);
	image_free(img);
	return fs;
}

static void test_layers_whiteouts(void **state)
{
	static const struct ent l1[] = {
		{"bin/a", 'f', "\x7f" "ELF-a1"},
		{"bin/b", 'f', "\x7f" "ELF-b1"},
		{"etc/x", 'f', "not an elf"},
		{"lib/", 'd', NULL},
		{"lib/c.jar", 'f', "PK-c"},
		{"opt/d", 'f', "\x7f" "ELF-d"},
		{"opt/e.jar", 'f', "PK-e"},
	};
	static const struct ent l2[] = {
		{"bin/.wh.a", 'f', ""},
		{"bin/b", 'f', "\x7f" "ELF-b2"},
		{"opt/e.jar", 'f', "plain text now"}, /* replaced by a non-ELF: still a .jar */
		{"lib/.wh..wh..opq", 'f', ""},
	};
	static const struct image_want keep[] = {{"opt/d", 1024}};
	struct mem m[2] = {make_tar(l1, 7), make_tar(l2, 4)};
	struct seen seen;
	struct image_fs *fs;
	const struct image_file *f;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	fs = walk_layers(m, 2, keep, 1, swants, 2, &seen);
	assert_string_equal(seen.log, "0 0 bin/a \x7f" "ELF-a1\n"
				      "0 0 bin/b \x7f" "ELF-b1\n"
				      "1 0 lib/c.jar PK-c\n"
				      "0 0 opt/d \x7f" "ELF-d\n"
				      "1 0 opt/e.jar PK-e\n"
				      "0 1 bin/b \x7f" "ELF-b2\n"
				      "1 1 opt/e.jar plain text now\n");
	assert_false(seen.data_null); /* layer entries are in memory */
	assert_false(image_fs_has_version(fs, "bin/a", 0)); /* whiteout */
	assert_false(image_fs_has_version(fs, "bin/b", 0)); /* overwritten */
	assert_true(image_fs_has_version(fs, "bin/b", 1));
	assert_false(image_fs_has_version(fs, "lib/c.jar", 0)); /* opaque dir */
	assert_true(image_fs_has_version(fs, "opt/d", 0));
	assert_false(image_fs_has_version(fs, "opt/e.jar", 0));
	assert_true(image_fs_has_version(fs, "opt/e.jar", 1));
	assert_false(image_fs_has_version(fs, "etc/x", 0)); /* neither kept nor streamed */
	/* records are not files: only the kept one is listed, with content */
	assert_int_equal(image_fs_count(fs), 1);
	f = image_fs_at(fs, 0);
	assert_string_equal(f->path, "opt/d");
	assert_int_equal(f->size, 6);
	assert_memory_equal(f->data, "\x7f" "ELF-d", 7);
	assert_null(image_fs_get(fs, "bin/b")); /* a record has no content */
	image_fs_free(fs);
	free(m[0].p);
	free(m[1].p);
}

static void test_caps(void **state)
{
	static const struct ent l1[] = {
		{"big", 'f', "\x7f" "ELF and then some more bytes"},
		{"small", 'f', "\x7f" "ELF"},
		{"short", 'f', "\x7f" "E"},
		{"empty", 'f', ""},
	};
	static const struct image_stream_want capped[] = {{"**", 8, "\x7f" "ELF", 4, 0}};
	struct mem m = make_tar(l1, 4);
	struct seen seen;
	struct image_fs *fs;
	const struct bw_strv *wv;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	fs = walk_layers(&m, 1, NULL, 0, capped, 1, &seen);
	assert_string_equal(seen.log, "0 0 small \x7f" "ELF\n");
	wv = image_fs_warnings(fs);
	assert_int_equal(wv->n, 1);
	assert_non_null(strstr(wv->v[0], "big is 29 bytes, over the cap for streamed files"));
	image_fs_free(fs);
	free(m.p);
}

/* Sequential wants: a file with the magic is read front to back, one
 * without it is handed buffered; a file also kept is buffered. */
static void test_sequential(void **state)
{
	static const struct ent l1[] = {
		{"a.jar", 'f', "PK\x03\x04 zip content"},
		{"b.jar", 'f', "#!/bin/sh stub then PK"},
		{"c.jar", 'f', "PK\x03\x04 kept too"},
		{"d.jar", 'f', "PK"},
	};
	static const struct image_stream_want seq[] = {
		{"**/*.jar", 1 << 20, "PK\x03\x04", 4, IMAGE_STREAM_SEQUENTIAL},
	};
	static const struct image_want keep[] = {{"c.jar", 1024}};
	struct mem m = make_tar(l1, 4);
	struct seen seen;
	struct image_fs *fs;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	fs = walk_layers(&m, 1, keep, 1, seq, 1, &seen);
	assert_string_equal(seen.log, "0 0 a.jar PK\x03\x04 zip content\n"
				      "0 0 b.jar #!/bin/sh stub then PK\n"
				      "0 0 c.jar PK\x03\x04 kept too\n"
				      "0 0 d.jar PK\n");
	assert_int_equal(seen.sequential, 1); /* a.jar only */
	assert_true(image_fs_has_version(fs, "a.jar", 0));
	assert_true(image_fs_has_version(fs, "b.jar", 0));
	assert_int_equal(image_fs_count(fs), 1); /* c.jar, kept */
	image_fs_free(fs);
	free(m.p);
}

static void test_dir_source(void **state)
{
	char root[] = "/tmp/bw-stream-XXXXXX", p[256], text[64];
	struct image_ref ref;
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {{0}};
	struct seen seen;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/usr", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/usr/prog", root);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("\x7f" "ELF-prog", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/usr/text", root);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("hello", f);
	fclose(f);
	snprintf(text, sizeof(text), "dir:%s", root);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(image_ref_parse(text, &ref, &eb), BW_OK);
	assert_int_equal(image_open(&ref, NULL, &img, &eb), BW_OK);
	assert_int_equal(image_walk_stream(img, NULL, 0, swants, 2, record, &seen, NULL, &fs, &eb),
			 BW_OK);
	assert_string_equal(seen.log, "0 0 usr/prog \x7f" "ELF-prog\n");
	assert_true(seen.data_null); /* read with pread, not buffered */
	assert_true(image_fs_has_version(fs, "usr/prog", 0));
	image_fs_free(fs);
	image_free(img);
	image_ref_release(&ref);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

static void test_stream_read_bounds(void **state)
{
	struct image_stream st;
	struct bw_errbuf eb = {{0}};
	char buf[8];

	(void)state;
	image_stream_mem(&st, "x", "abcdef", 6);
	assert_int_equal(image_stream_read(&st, buf, 6, 0, &eb), BW_OK);
	assert_int_equal(image_stream_read(&st, buf, 2, 4, &eb), BW_OK);
	assert_memory_equal(buf, "ef", 2);
	assert_int_equal(image_stream_read(&st, buf, 3, 4, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "x: 3 bytes at offset 4: past the end (6 bytes)"));
	assert_int_equal(image_stream_read(&st, buf, 1, UINT64_MAX, &eb), BW_ERR_FORMAT);
	assert_int_equal(image_stream_read(&st, buf, 0, 6, &eb), BW_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers_whiteouts),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_dir_source),
		cmocka_unit_test(test_stream_read_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

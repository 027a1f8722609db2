/* test_image_cache.c - the layer cache: a walk records what it keeps from
 * each layer, and a later walk of any image with that layer replays the
 * record instead of reading the blob. The truth for every check is the same
 * walk with no cache (the result must be the same, byte for byte); that a
 * layer was replayed and not read is shown by handing the second walk a
 * blob that does not match its digest (reading it would fail the walk).
 * Layers are made here with libarchive's writer. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
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

/* gzip, mode 0755, entry i owned by uid 1000 + i */
static struct mem make_tar(const struct ent *ents, size_t n)
{
	return image_test_tar(ents, n, F_GZIP, 0755, 1000);
}

/* What the stream callback saw. The ELF want reads a few ranges (as the Go
 * and Rust catalogers do); the jar want (sequential) reads all of it. */
struct seen {
	char log[8192];
	bool wide; /* read other ranges than when recorded */
	bool read_failed;
};

static enum bw_err on_stream(void *ctx, size_t want, const struct image_stream *st,
			     struct bw_errbuf *eb)
{
	struct seen *s = ctx;
	char buf[256];
	size_t used = strlen(s->log), n = 0;

	(void)eb;
	if (st->read) {
		ssize_t r;

		while (n < sizeof(buf) - 1 && (r = st->read(st, buf + n, 2)) > 0)
			n += (size_t)r;
	} else if (s->wide) {
		n = st->size < 8 ? (size_t)st->size : 8;
		if (image_stream_read(st, buf, n, 0, NULL) != BW_OK)
			s->read_failed = true;
	} else {
		/* bytes 4..6 and the last one */
		if (st->size >= 8 && image_stream_read(st, buf, 3, 4, NULL) == BW_OK &&
		    image_stream_read(st, buf + 3, 1, st->size - 1, NULL) == BW_OK)
			n = 4;
	}
	buf[n] = '\0';
	snprintf(s->log + used, sizeof(s->log) - used, "%zu %zu %s mode=%o [%s]\n", want,
		 st->layer_index, st->path, (unsigned)st->mode, buf);
	return BW_OK;
}

static const struct image_want wants[] = {
	{"etc/*.conf", 1024},
	{"var/lib/pkgs/*", 1024},
	{"big/*", 4},
};
static const struct image_stream_want swants[] = {
	{"**", 1 << 20, "\x7f" "ELF", 4, 0},
	{"**/*.jar", 1 << 20, "PK\x03\x04", 4, IMAGE_STREAM_SEQUENTIAL},
};
static const char *const probe[] = {
	"bin/a", "bin/b", "lib/x.so", "opt/app.jar", "opt/other.jar", "etc/a.conf", "etc/b.conf",
	"var/lib/pkgs/db", "var/lib/pkgs/link", "usr/lib/c", "etc/gone.conf", NULL,
};

/* Everything a walk gives: files, warnings, versions, the callback log. */
static char *dump(struct image_fs *fs, const struct seen *s)
{
	struct bw_buf b;
	const struct bw_strv *wv = image_fs_warnings(fs);

	bw_buf_init(&b, 1 << 20);
	for (size_t i = 0; i < image_fs_count(fs); i++) {
		const struct image_file *f = image_fs_at(fs, i);

		bw_buf_appendf(&b, "file %s %zu %o %u L%zu %s [%.*s]\n", f->path, f->size,
			       (unsigned)f->mode, (unsigned)f->uid, f->layer_index,
			       f->layer_digest ? f->layer_digest + 7 : "-", (int)f->size, f->data);
	}
	for (size_t i = 0; i < wv->n; i++)
		bw_buf_appendf(&b, "warn %s\n", wv->v[i]);
	for (size_t i = 0; probe[i]; i++)
		for (size_t l = 0; l < 3; l++)
			if (image_fs_has_version(fs, probe[i], l))
				bw_buf_appendf(&b, "version %s L%zu\n", probe[i], l);
	{
		const struct image_file *f = image_fs_get(fs, "etc/via-link.conf");

		bw_buf_appendf(&b, "resolved %s\n", f ? f->path : "-");
	}
	bw_buf_appendf(&b, "%s", s->log);
	return bw_buf_detach(&b, NULL);
}

/* Walk layers (blob bytes from data[i], digests from m[i]) with the cache
 * at dir (NULL: none); returns the dump, or NULL when the walk failed. */
static char *walk(struct mem *m, struct mem *data, size_t n, const char *dir, uint64_t max,
		  bool wide, enum bw_err *res)
{
	struct image_mem_layer ls[4];
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {{0}};
	struct seen s;
	char *out = NULL;

	memset(&s, 0, sizeof(s));
	s.wide = wide;
	memset(ls, 0, sizeof(ls));
	for (size_t i = 0; i < n; i++) {
		ls[i].data = data[i].p;
		ls[i].len = data[i].n;
		ls[i].digest = m[i].digest;
	}
	assert_int_equal(image_open_mem(ls, n, &img, &eb), BW_OK);
	if (dir)
		image_set_layer_cache(img, dir, max);
	*res = image_walk_stream(img, wants, 3, swants, 2, on_stream, &s, NULL, &fs, &eb);
	if (*res == BW_OK)
		out = dump(fs, &s);
	else
		print_message("walk: %s\n", eb.msg);
	image_fs_free(fs);
	image_free(img);
	return out;
}

static const struct ent base[] = {
	{"bin/", 'd', NULL},
	{"bin/a", 'f', "\x7f" "ELF-a-base-binary"},
	{"bin/b", 'f', "\x7f" "ELF-b-base-binary"},
	{"bin/text", 'f', "just text, no magic"},
	{"etc/a.conf", 'f', "a=1\n"},
	{"etc/gone.conf", 'f', "gone=1\n"},
	{"etc/via-link.conf", 'l', "a.conf"},
	{"lib", 'l', "usr/lib"},
	{"usr/lib/c", 'f', "\x7f" "ELF-c-library-x"},
	{"opt/app.jar", 'f', "PK\x03\x04 a jar body of some length"},
	{"opt/other.jar", 'f', "not a zip"},
	{"var/lib/pkgs/db", 'f', "pkg one\npkg two\n"},
	{"var/lib/pkgs/link", 'h', "var/lib/pkgs/db"},
	{"big/huge", 'f', "more than four bytes"},
	{"dev/null", 'c', NULL},
	{"/abs/path", 'f', "x"},
	{"../up/and/out", 'f', "x"},
};
#define NBASE (sizeof(base) / sizeof(base[0]))

static const struct ent upper[] = {
	{"bin/.wh.a", 'f', ""},
	{"bin/b", 'f', "\x7f" "ELF-b-upper-binary"},
	{"etc/.wh.gone.conf", 'f', ""},
	{"etc/b.conf", 'f', "b=2\n"},
	{"opt/.wh..wh..opq", 'f', ""},
	{"opt/app.jar", 'f', "PK\x03\x04 the upper jar"},
	/* a hard link to a file that is not kept: the layer is read twice */
	{"usr/share/blob", 'f', "content of an unwanted file"},
	{"var/lib/pkgs/late", 'h', "usr/share/blob"},
};
#define NUPPER (sizeof(upper) / sizeof(upper[0]))

struct fixture {
	char dir[64];
	struct mem m[2];
	struct mem bad[2]; /* same length, other bytes */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/bw-lcache-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	fx->m[0] = make_tar(base, NBASE);
	fx->m[1] = make_tar(upper, NUPPER);
	for (int i = 0; i < 2; i++) {
		fx->bad[i].n = fx->m[i].n;
		fx->bad[i].p = calloc(1, fx->m[i].n);
		assert_non_null(fx->bad[i].p);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	DIR *d = opendir(fx->dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(fx->dir);
	for (int i = 0; i < 2; i++) {
		free(fx->m[i].p);
		free(fx->bad[i].p);
	}
	free(fx);
	return 0;
}

static size_t count_entries(const char *dir, uint64_t *total)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	*total = 0;
	while (d && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0))
			continue;
		n++;
		/* what du counts: the blocks it takes (at least its length) */
		*total += (uint64_t)st.st_blocks * 512 > (uint64_t)st.st_size
				  ? (uint64_t)st.st_blocks * 512 : (uint64_t)st.st_size;
	}
	if (d)
		closedir(d);
	return n;
}

/* Image X = [base], image Y = [base, upper]: X fills the cache with base;
 * Y replays base (its blob is garbage here) and records upper; Y again
 * replays both. Every result equals the uncached walk. */
static void test_shared_layer_replayed(void **state)
{
	struct fixture *fx = *state;
	enum bw_err r;
	char *truth_x, *truth_y, *got;
	uint64_t total;

	truth_x = walk(fx->m, fx->m, 1, NULL, 0, false, &r);
	assert_int_equal(r, BW_OK);
	truth_y = walk(fx->m, fx->m, 2, NULL, 0, false, &r);
	assert_int_equal(r, BW_OK);
	/* the truth itself shows what the record must carry */
	assert_non_null(strstr(truth_y, "file etc/b.conf"));
	assert_null(strstr(truth_y, "file etc/gone.conf"));
	assert_non_null(strstr(truth_y, "file var/lib/pkgs/late 27"));
	assert_non_null(strstr(truth_y, "version bin/b L1"));
	assert_null(strstr(truth_y, "version bin/a"));
	assert_non_null(strstr(truth_y, "1 1 opt/app.jar mode=100755 [PK\x03\x04 the upper jar]"));
	assert_non_null(strstr(truth_x, "0 0 usr/lib/c mode=100755 [-c-x]"));
	assert_non_null(strstr(truth_x, "resolved etc/a.conf"));
	assert_non_null(strstr(truth_x, "1 device, fifo or socket entries skipped"));
	assert_non_null(strstr(truth_x, "absolute path /abs/path: skipped"));

	got = walk(fx->m, fx->m, 1, fx->dir, 1 << 20, false, &r); /* cold: records base */
	assert_int_equal(r, BW_OK);
	assert_string_equal(got, truth_x);
	free(got);
	assert_int_equal(count_entries(fx->dir, &total), 1);

	{
		/* Y: base from the cache (its blob is garbage), upper from its blob */
		struct mem data[2] = {fx->bad[0], fx->m[1]};

		got = walk(fx->m, data, 2, fx->dir, 1 << 20, false, &r);
		assert_int_equal(r, BW_OK);
		assert_string_equal(got, truth_y);
		free(got);
	}
	assert_int_equal(count_entries(fx->dir, &total), 2);
	got = walk(fx->m, fx->bad, 2, fx->dir, 1 << 20, false, &r); /* both replayed */
	assert_int_equal(r, BW_OK);
	assert_string_equal(got, truth_y);
	free(got);
	got = walk(fx->m, fx->bad, 1, fx->dir, 1 << 20, false, &r);
	assert_int_equal(r, BW_OK);
	assert_string_equal(got, truth_x);
	free(got);
	/* without the cache the garbage blob fails: the replays above did not read it */
	got = walk(fx->m, fx->bad, 1, NULL, 0, false, &r);
	assert_int_equal(r, BW_ERR_DIGEST);
	assert_null(got);
	free(truth_x);
	free(truth_y);
}

/* Damage one byte or cut the file: the entry is dropped with a warning, the
 * blob is read again, the result is the same, and a good entry is back. */
static void test_corrupt_entry(void **state)
{
	struct fixture *fx = *state;
	enum bw_err r;
	char *truth, *got, path[256];
	DIR *d;
	struct dirent *de;
	uint64_t total;

	truth = walk(fx->m, fx->m, 1, NULL, 0, false, &r);
	got = walk(fx->m, fx->m, 1, fx->dir, 1 << 20, false, &r);
	free(got);
	for (int how = 0; how < 2; how++) {
		int fd;

		d = opendir(fx->dir);
		path[0] = '\0';
		while ((de = readdir(d)))
			if (strncmp(de->d_name, fx->m[0].digest + 7, 64) == 0)
				snprintf(path, sizeof(path), "%s/%s", fx->dir, de->d_name);
		closedir(d);
		assert_true(path[0]);
		fd = open(path, O_RDWR);
		assert_true(fd >= 0);
		if (how == 0)
			assert_int_equal(pwrite(fd, "X", 1, 120), 1);
		else
			assert_int_equal(ftruncate(fd, 100), 0);
		close(fd);
		/* the garbage blob would fail: the walk reads the real one */
		got = walk(fx->m, fx->bad, 1, fx->dir, 1 << 20, false, &r);
		assert_int_equal(r, BW_ERR_DIGEST); /* proves the entry was not used */
		assert_null(got);
		got = walk(fx->m, fx->m, 1, fx->dir, 1 << 20, false, &r);
		assert_int_equal(r, BW_OK);
		assert_string_equal(got, truth);
		free(got);
		got = walk(fx->m, fx->bad, 1, fx->dir, 1 << 20, false, &r); /* re-recorded */
		assert_int_equal(r, BW_OK);
		assert_string_equal(got, truth);
		free(got);
	}
	assert_int_equal(count_entries(fx->dir, &total), 1);
	free(truth);
}

/* A replay serves only the bytes a callback read when the record was made;
 * a callback that reads elsewhere gets a read error and the walk fails
 * naming the cache file. */
static void test_replay_serves_recorded_reads(void **state)
{
	struct fixture *fx = *state;
	enum bw_err r;
	char *got;

	got = walk(fx->m, fx->m, 1, fx->dir, 1 << 20, false, &r);
	assert_int_equal(r, BW_OK);
	free(got);
	got = walk(fx->m, fx->bad, 1, fx->dir, 1 << 20, true, &r);
	assert_int_equal(r, BW_ERR_FORMAT);
	assert_null(got);
}

/* A cap too small for an entry keeps nothing; the walk is the same. */
static void test_cap(void **state)
{
	struct fixture *fx = *state;
	enum bw_err r;
	char *truth, *got;
	uint64_t total, got_total;

	truth = walk(fx->m, fx->m, 2, NULL, 0, false, &r);
	got = walk(fx->m, fx->m, 2, fx->dir, 200, false, &r);
	assert_int_equal(r, BW_OK);
	assert_string_equal(got, truth);
	free(got);
	assert_int_equal(count_entries(fx->dir, &total), 0);
	/* a cap that holds one of the two: the total stays under it */
	got = walk(fx->m, fx->m, 2, fx->dir, 1 << 20, false, &r);
	free(got);
	assert_int_equal(count_entries(fx->dir, &total), 2);
	got = walk(fx->m, fx->m, 1, fx->dir, total - 1, false, &r);
	assert_int_equal(r, BW_OK);
	free(got);
	assert_int_equal(count_entries(fx->dir, &got_total), 1);
	assert_true(got_total <= total - 1);
	free(truth);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shared_layer_replayed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_serves_recorded_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

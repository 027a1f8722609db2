/* test_image.c - unit tests of src/image with real small archives made here
 * by libarchive (the writer, independent of the walker's reader code).
 *
 * Also a tool for the end-to-end tests: `test_image --walk REF [PATTERN...]`
 * opens REF, walks it keeping PATTERN (default "**") and prints one line per
 * kept file: "sha256-of-content size path", then "warning: ..." lines on
 * stderr. Exit 0 ok, 2 on error (message on stderr). `test_image --info REF`
 * prints the manifest, config and layer digests, the platform and tags.
 */
#include <archive.h>
#include <archive_entry.h>
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

/* ---- the --walk tool ---- */

static int walk_tool(int argc, char **argv)
{
	struct bw_errbuf eb = {0};
	struct image_ref ref;
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct image_want *wants;
	struct image_open_opts opts = {0};
	enum bw_err result;
	int first = 2, nw;

	if (argc >= 4 && strcmp(argv[2], "--platform") == 0) {
		if (image_platform_parse(argv[3], &opts.platform, &eb)) {
			fprintf(stderr, "%s\n", eb.msg);
			return 2;
		}
		opts.platform_set = true;
		first = 4;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: test_image --walk [--platform P] REF [PATTERN...]\n");
		return 2;
	}
	nw = argc - first - 1;
	wants = calloc(nw > 0 ? (size_t)nw : 1, sizeof(*wants));
	if (!wants)
		return 2;
	for (int i = 0; i < nw; i++) {
		wants[i].pattern = argv[first + 1 + i];
		wants[i].max_size = 64u << 20;
	}
	if (nw == 0) {
		wants[0].pattern = "**";
		wants[0].max_size = 64u << 20;
		nw = 1;
	}
	result = image_ref_parse(argv[first], &ref, &eb);
	if (!result)
		result = image_open(&ref, &opts, &img, &eb);
	if (!result && strcmp(argv[1], "--info") == 0) {
		const struct image_info *in = image_get_info(img);

		printf("manifest %s\nconfig %s\nplatform %s/%s%s%s\n",
		       in->manifest_digest ? in->manifest_digest : "-",
		       in->config_digest ? in->config_digest : "-", in->platform.os, in->platform.arch,
		       in->platform.variant[0] ? "/" : "", in->platform.variant);
		for (size_t i = 0; i < in->nlayers; i++)
			printf("layer %s\n", in->layers[i].digest ? in->layers[i].digest : "-");
		for (size_t i = 0; i < in->repo_tags.n; i++)
			printf("tag %s\n", in->repo_tags.v[i]);
		image_free(img);
		image_ref_release(&ref);
		free(wants);
		return 0;
	}
	if (!result) {
		struct image_limits lim;

		image_limits_default(&lim);
		lim.max_total_kept = 1u << 30;
		result = image_walk(img, wants, (size_t)nw, &lim, &fs, &eb);
	}
	if (result) {
		fprintf(stderr, "error: %s\n", bw_errmsg(&eb, result));
	} else {
		const struct bw_strv *wv = image_fs_warnings(fs);

		for (size_t i = 0; i < image_fs_count(fs); i++) {
			const struct image_file *f = image_fs_at(fs, i);
			char hex[65];

			bw_hash_hex(BW_HASH_SHA256, f->data, f->size, hex, sizeof(hex));
			printf("%s %zu %s\n", hex, f->size, f->path);
		}
		for (size_t i = 0; i < wv->n; i++)
			fprintf(stderr, "warning: %s\n", wv->v[i]);
	}
	image_fs_free(fs);
	image_free(img);
	image_ref_release(&ref);
	free(wants);
	return result ? 2 : 0;
}

/* ---- building layers ---- */

/* files 0644 (directories 0755), owned by root */
static struct mem make_tar(const struct ent *ents, size_t n, int filter)
{
	return image_test_tar(ents, n, filter, 0644, 0);
}

static char *sha256_digest(const void *p, size_t n)
{
	char hex[65];

	assert_int_equal(bw_hash_hex(BW_HASH_SHA256, p, n, hex, sizeof(hex)), BW_OK);
	return bw_strfmt("sha256:%s", hex);
}

/* Walk layers (blobs in memory) keeping "**". */
static enum bw_err walk_mem(struct image_mem_layer *ls, size_t n, struct image_fs **fs,
			    struct bw_errbuf *eb)
{
	static const struct image_want all = {"**", 1 << 20};
	struct image *img = NULL;
	enum bw_err result = image_open_mem(ls, n, &img, eb);

	if (result)
		return result;
	result = image_walk(img, &all, 1, NULL, fs, eb);
	image_free(img);
	return result;
}

static const char *content(const struct image_fs *fs, const char *path)
{
	const struct image_file *f = image_fs_get(fs, path);

	return f ? f->data : NULL;
}

static bool has_warning(const struct image_fs *fs, const char *needle)
{
	const struct bw_strv *w = image_fs_warnings(fs);

	for (size_t i = 0; i < w->n; i++)
		if (strstr(w->v[i], needle))
			return true;
	return false;
}

/* ---- the walker ---- */

static void test_whiteouts(void **state)
{
	/* Lower: etc/a, etc/b, usr/share/doc/pkg/{x,y}, keep. Upper: .wh.a in
	 * etc removes etc/a only; .wh.pkg removes the whole pkg directory; the
	 * upper layer also adds etc/c. Expected by the OCI layer spec. */
	static const struct ent lower[] = {
		{"etc/", 'd', NULL},         {"etc/a", 'f', "A"},
		{"etc/b", 'f', "B"},         {"usr/share/doc/pkg/x", 'f', "X"},
		{"usr/share/doc/pkg/y", 'f', "Y"}, {"keep", 'f', "K"},
	};
	static const struct ent upper[] = {
		{"etc/.wh.a", 'f', ""}, {"etc/c", 'f', "C"}, {"usr/share/doc/.wh.pkg", 'f', ""},
	};
	struct mem l0 = make_tar(lower, 6, F_GZIP), l1 = make_tar(upper, 3, F_NONE);
	struct image_mem_layer ls[2] = {{l0.p, l0.n, NULL, NULL}, {l1.p, l1.n, NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(walk_mem(ls, 2, &fs, &eb), BW_OK);
	assert_null(image_fs_get(fs, "etc/a"));
	assert_string_equal(content(fs, "etc/b"), "B");
	assert_string_equal(content(fs, "etc/c"), "C");
	assert_null(image_fs_get(fs, "usr/share/doc/pkg/x"));
	assert_null(image_fs_get(fs, "usr/share/doc/pkg/y"));
	assert_string_equal(content(fs, "keep"), "K");
	assert_int_equal(image_fs_count(fs), 3); /* etc/b etc/c keep */
	assert_string_equal(image_fs_at(fs, 0)->path, "etc/b");
	assert_int_equal(image_fs_at(fs, 1)->layer_index, 1);
	image_fs_free(fs);
	free(l0.p);
	free(l1.p);
}

static void test_opaque(void **state)
{
	/* Layer 1 makes etc opaque and adds etc/new in the SAME layer (before
	 * and after the marker): everything lower under etc is hidden, etc/new of layer 1 is
	 * not (the marker only hides lower layers). opt/ is untouched. */
	static const struct ent lower[] = {
		{"etc/old", 'f', "O"}, {"etc/sub/deep", 'f', "D"}, {"opt/z", 'f', "Z"},
	};
	static const struct ent upper[] = {
		{"etc/early", 'f', "E"}, {"etc/.wh..wh..opq", 'f', ""}, {"etc/new", 'f', "N"},
	};
	struct mem l0 = make_tar(lower, 3, F_NONE), l1 = make_tar(upper, 3, F_GZIP);
	struct image_mem_layer ls[2] = {{l0.p, l0.n, NULL, NULL}, {l1.p, l1.n, NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(walk_mem(ls, 2, &fs, &eb), BW_OK);
	assert_null(image_fs_get(fs, "etc/old"));
	assert_null(image_fs_get(fs, "etc/sub/deep"));
	assert_string_equal(content(fs, "etc/new"), "N");
	assert_string_equal(content(fs, "etc/early"), "E");
	assert_string_equal(content(fs, "opt/z"), "Z");
	assert_int_equal(image_fs_count(fs), 3);
	image_fs_free(fs);
	free(l0.p);
	free(l1.p);
}

static void test_replace_and_dir_over_file(void **state)
{
	/* Upper replaces a file's content, turns lower file "x" into a
	 * directory, and lower directory "d" into a file (hiding d/inner). */
	static const struct ent lower[] = {
		{"f", 'f', "old"}, {"x", 'f', "file"}, {"d/inner", 'f', "I"},
	};
	static const struct ent upper[] = {
		{"f", 'f', "new"}, {"x/", 'd', NULL}, {"x/y", 'f', "Y"}, {"d", 'f', "now a file"},
	};
	struct mem l0 = make_tar(lower, 3, F_NONE), l1 = make_tar(upper, 4, F_NONE);
	struct image_mem_layer ls[2] = {{l0.p, l0.n, NULL, NULL}, {l1.p, l1.n, NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(walk_mem(ls, 2, &fs, &eb), BW_OK);
	assert_string_equal(content(fs, "f"), "new");
	assert_null(image_fs_get(fs, "x"));
	assert_string_equal(content(fs, "x/y"), "Y");
	assert_string_equal(content(fs, "d"), "now a file");
	assert_null(image_fs_get(fs, "d/inner"));
	image_fs_free(fs);
	free(l0.p);
	free(l1.p);
}

static void test_hardlinks(void **state)
{
	/* b is a hard link to a (same layer, a kept): it has a's content.
	 * want/l links to skip/t, which is not wanted: the layer is re-read
	 * once for it. want/gone links to a file that is not in the layer:
	 * warning. want/late links to a file that comes only after it (tar
	 * links point backwards): warning. want/replaced is a link replaced
	 * later in the layer by a regular file: the file's content. skip/t is
	 * replaced after the link: the link keeps the earlier content, as on
	 * extraction. */
	static const struct ent ents[] = {
		{"a", 'f', "shared"},          {"b", 'h', "a"},
		{"skip/t", 'f', "T"},          {"want/l", 'h', "skip/t"},
		{"skip/t", 'f', "T2"},         {"want/gone", 'h', "nowhere"},
		{"want/late", 'h', "skip/u"},  {"skip/u", 'f', "U"},
		{"want/replaced", 'h', "skip/t"}, {"want/replaced", 'f', "R"},
	};
	static const struct image_want wants[] = {{"a", 100}, {"b", 100}, {"want/*", 100}};
	struct mem l0 = make_tar(ents, 10, F_GZIP);
	char *dg = sha256_digest(l0.p, l0.n);
	struct image_mem_layer ls[1] = {{l0.p, l0.n, dg, NULL}};
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(image_open_mem(ls, 1, &img, &eb), BW_OK);
	assert_int_equal(image_walk(img, wants, 3, NULL, &fs, &eb), BW_OK);
	assert_string_equal(content(fs, "b"), "shared");
	assert_int_equal(image_fs_get(fs, "b")->size, 6);
	assert_string_equal(content(fs, "want/l"), "T");
	assert_null(image_fs_get(fs, "want/gone"));
	assert_true(has_warning(fs, "want/gone -> nowhere"));
	assert_null(image_fs_get(fs, "want/late"));
	assert_true(has_warning(fs, "want/late -> skip/u"));
	assert_string_equal(content(fs, "want/replaced"), "R");
	assert_null(image_fs_get(fs, "skip/t"));
	assert_int_equal(image_fs_count(fs), 4); /* a b want/l want/replaced */
	image_fs_free(fs);
	image_free(img);
	free(dg);
	free(l0.p);
}

static void test_symlinks(void **state)
{
	/* Resolution inside the image: absolute targets start at the image
	 * root; ".." at the root stays there (so ../../../etc/passwd is the
	 * image's etc/passwd, never the host's); a loop gives NULL. */
	static const struct ent ents[] = {
		{"usr/lib/os-release", 'f', "ID=debian\n"},
		{"etc/os-release", 'l', "../usr/lib/os-release"},
		{"lib", 'l', "usr/lib"},
		{"abs", 'l', "/usr/lib/os-release"},
		{"etc/passwd", 'f', "root:x:0:0\n"},
		{"esc", 'l', "../../../../etc/passwd"},
		{"loop1", 'l', "loop2"},
		{"loop2", 'l', "loop1"},
		{"dangling", 'l', "nothing/here"},
	};
	struct mem l0 = make_tar(ents, 9, F_NONE);
	struct image_mem_layer ls[1] = {{l0.p, l0.n, NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(walk_mem(ls, 1, &fs, &eb), BW_OK);
	assert_string_equal(content(fs, "etc/os-release"), "ID=debian\n");
	assert_string_equal(content(fs, "lib/os-release"), "ID=debian\n");
	assert_string_equal(content(fs, "abs"), "ID=debian\n");
	assert_string_equal(content(fs, "esc"), "root:x:0:0\n");
	assert_null(image_fs_get(fs, "loop1"));
	assert_null(image_fs_get(fs, "loop1/x"));
	assert_null(image_fs_get(fs, "dangling"));
	assert_int_equal(image_fs_count(fs), 2); /* symlinks are records, not files */
	image_fs_free(fs);
	free(l0.p);
}

static void test_hostile_entries(void **state)
{
	/* Climbing and absolute names, a device: skipped with warnings; the
	 * rest of the layer is still read. */
	static const struct ent ents[] = {
		{"../../etc/evil", 'f', "E"}, {"/abs/evil", 'f', "A"}, {"dev/null", 'c', NULL},
		{"a/../../b", 'f', "B"},      {"ok", 'f', "fine"},
	};
	struct mem l0 = make_tar(ents, 5, F_NONE);
	struct image_mem_layer ls[1] = {{l0.p, l0.n, NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(walk_mem(ls, 1, &fs, &eb), BW_OK);
	assert_int_equal(image_fs_count(fs), 1);
	assert_string_equal(content(fs, "ok"), "fine");
	assert_true(has_warning(fs, "climbs above the root"));
	assert_true(has_warning(fs, "absolute path /abs/evil"));
	assert_true(has_warning(fs, "1 device, fifo or socket"));
	image_fs_free(fs);
	free(l0.p);
}

static void test_caps(void **state)
{
	/* A file over its want's cap is not kept (warning); max_files and
	 * max_warnings bound the rest. */
	static const struct ent ents[] = {
		{"big", 'f', "0123456789"}, {"f1", 'f', "1"}, {"f2", 'f', "2"}, {"f3", 'f', "3"},
	};
	static const struct image_want wants[] = {{"big", 5}, {"f*", 100}};
	struct mem l0 = make_tar(ents, 4, F_NONE);
	struct image_mem_layer ls[1] = {{l0.p, l0.n, NULL, NULL}};
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct image_limits lim;
	struct bw_errbuf eb = {0};

	(void)state;
	image_limits_default(&lim);
	lim.max_files = 2;
	assert_int_equal(image_open_mem(ls, 1, &img, &eb), BW_OK);
	assert_int_equal(image_walk(img, wants, 2, &lim, &fs, &eb), BW_OK);
	assert_null(image_fs_get(fs, "big"));
	assert_true(has_warning(fs, "big is 10 bytes, over its 5-byte cap"));
	assert_int_equal(image_fs_count(fs), 2);
	assert_null(image_fs_get(fs, "f3"));
	assert_true(has_warning(fs, "cap of 2 kept files"));
	image_fs_free(fs);
	image_free(img);
	free(l0.p);
}

static void test_digests(void **state)
{
	/* Right blob digest and diff_id pass; one flipped byte in the stored
	 * gzip stream (in the trailer's CRC, so gzip itself may not notice
	 * first) fails with an error naming the layer digest. A wrong diff_id
	 * is named as such. */
	static const struct ent ents[] = {{"x", 'f', "hello"}};
	struct mem gz = make_tar(ents, 1, F_GZIP), raw = make_tar(ents, 1, F_NONE);
	char *dg = sha256_digest(gz.p, gz.n), *diff = sha256_digest(raw.p, raw.n);
	struct image_mem_layer ls[1] = {{gz.p, gz.n, dg, diff}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(walk_mem(ls, 1, &fs, &eb), BW_OK);
	image_fs_free(fs);
	fs = NULL;

	ls[0].diff_id = dg; /* wrong on purpose */
	assert_int_equal(walk_mem(ls, 1, &fs, &eb), BW_ERR_DIGEST);
	assert_non_null(strstr(eb.msg, "diff_id"));
	ls[0].diff_id = diff;

	gz.p[gz.n / 2] ^= 0x01;
	memset(&eb, 0, sizeof(eb));
	assert_int_not_equal(walk_mem(ls, 1, &fs, &eb), BW_OK);
	assert_null(fs);
	assert_non_null(strstr(eb.msg, dg)); /* names the layer */
	free(dg);
	free(diff);
	free(gz.p);
	free(raw.p);
}

static void test_truncated_gzip(void **state)
{
	static const struct ent ents[] = {{"a", 'f', "some content here"}, {"b", 'f', "more"}};
	struct mem gz = make_tar(ents, 2, F_GZIP);
	struct image_mem_layer ls[1] = {{gz.p, gz.n / 2, NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(walk_mem(ls, 1, &fs, &eb), BW_ERR_FORMAT);
	assert_null(fs);
	assert_non_null(strstr(eb.msg, "layer 1"));
	free(gz.p);
}

static void test_zstd_layer(void **state)
{
	static const struct ent ents[] = {{"usr/lib/os-release", 'f', "ID=alpine\n"}};
	struct mem z = make_tar(ents, 1, F_ZSTD);
	struct image_mem_layer ls[1] = {{z.p, z.n, NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	/* zstd frame magic 28 b5 2f fd (RFC 8878): the blob really is zstd */
	assert_true(z.n > 4 && z.p[0] == 0x28 && z.p[1] == 0xb5 && z.p[2] == 0x2f && z.p[3] == 0xfd);
	assert_int_equal(walk_mem(ls, 1, &fs, &eb), BW_OK);
	assert_string_equal(content(fs, "usr/lib/os-release"), "ID=alpine\n");
	image_fs_free(fs);
	free(z.p);
}

static void test_not_a_tar(void **state)
{
	static const char junk[] = "this is not a tar archive at all, just text............";
	struct image_mem_layer ls[1] = {{junk, sizeof(junk), NULL, NULL}};
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_not_equal(walk_mem(ls, 1, &fs, &eb), BW_OK);
	assert_non_null(strstr(eb.msg, "layer 1"));
}

/* ---- OCI layouts and docker archives on disk ---- */

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* Store p as a blob of the layout in dir; returns "sha256:HEX" (free it). */
static char *put_blob(const char *dir, const void *p, size_t n)
{
	char *dg = sha256_digest(p, n), name[128];

	snprintf(name, sizeof(name), "blobs/sha256/%s", dg + 7);
	write_file(dir, name, p, n);
	return dg;
}

/* One image for arch: a layer with file "arch" holding arch; returns the
 * manifest digest and stores its size in *msize. */
static char *put_image(const char *dir, const char *arch, size_t *msize, bool break_config)
{
	struct ent ents[1] = {{"arch", 'f', arch}};
	struct mem gz = make_tar(ents, 1, F_GZIP), raw = make_tar(ents, 1, F_NONE);
	char *ldg = put_blob(dir, gz.p, gz.n), *diff = sha256_digest(raw.p, raw.n), *cdg, *mdg;
	char *cfg = bw_strfmt("{\"architecture\":\"%s\",\"os\":\"linux\",\"rootfs\":{\"type\":"
			      "\"layers\",\"diff_ids\":[\"%s\"]}}", arch, diff);
	char *man;

	cdg = put_blob(dir, cfg, strlen(cfg));
	if (break_config) { /* the stored config no longer matches its digest */
		char name[128];

		snprintf(name, sizeof(name), "blobs/sha256/%s", cdg + 7);
		write_file(dir, name, "{}", 2);
	}
	man = bw_strfmt("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
			"\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer."
			"v1.tar+gzip\",\"digest\":\"%s\",\"size\":%zu}]}", cdg, strlen(cfg), ldg, gz.n);
	mdg = put_blob(dir, man, strlen(man));
	*msize = strlen(man);
	free(man);
	free(cfg);
	free(cdg);
	free(ldg);
	free(diff);
	free(gz.p);
	free(raw.p);
	return mdg;
}

/* A layout: "multi" -> nested index (amd64, arm64/v8), "single" -> 386. */
static void make_layout(const char *dir, bool break_config)
{
	char sub[512];
	size_t s1, s2, s3;
	char *m1, *m2, *m3, *idx, *idg, *top;

	snprintf(sub, sizeof(sub), "%s/blobs/sha256", dir);
	assert_int_equal(bw_run((const char *const[]){"mkdir", "-p", sub, NULL}, NULL, 0, NULL,
				&(int){0}, NULL), BW_OK);
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	m1 = put_image(dir, "amd64", &s1, break_config);
	m2 = put_image(dir, "arm64", &s2, false);
	m3 = put_image(dir, "386", &s3, false);
	idx = bw_strfmt("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
			"\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			"\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"architecture\":\"amd64\","
			"\"os\":\"linux\"}},{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			"\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"architecture\":\"arm64\","
			"\"os\":\"linux\",\"variant\":\"v8\"}}]}", m1, s1, m2, s2);
	idg = put_blob(dir, idx, strlen(idx));
	top = bw_strfmt("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci."
			"image.index.v1+json\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"org."
			"opencontainers.image.ref.name\":\"multi\"}},{\"mediaType\":\"application/vnd.oci."
			"image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"org."
			"opencontainers.image.ref.name\":\"single\"}}]}", idg, strlen(idx), m3, s3);
	write_file(dir, "index.json", top, strlen(top));
	free(m1);
	free(m2);
	free(m3);
	free(idx);
	free(idg);
	free(top);
}

/* Open ref with platform (NULL: host), walk, return the "arch" file's text. */
static enum bw_err open_arch(const char *ref_text, const char *platform, char *out, size_t outsz,
			     struct bw_errbuf *eb)
{
	static const struct image_want want = {"arch", 100};
	struct image_open_opts opts = {0};
	struct image_ref ref;
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	enum bw_err result;

	out[0] = '\0';
	if (platform) {
		assert_int_equal(image_platform_parse(platform, &opts.platform, eb), BW_OK);
		opts.platform_set = true;
	}
	result = image_ref_parse(ref_text, &ref, eb);
	if (result)
		return result;
	result = image_open(&ref, &opts, &img, eb);
	if (!result)
		result = image_walk(img, &want, 1, NULL, &fs, eb);
	if (!result && image_fs_get(fs, "arch"))
		bw_strlcpy(out, image_fs_get(fs, "arch")->data, outsz);
	image_fs_free(fs);
	image_free(img);
	image_ref_release(&ref);
	return result;
}

static void test_oci_platforms(void **state)
{
	char dir[128], ref[200], got[32];
	struct bw_errbuf eb = {0};

	(void)state;
	snprintf(dir, sizeof(dir), "%s/layout", tmpdir);
	make_layout(dir, false);
	snprintf(ref, sizeof(ref), "oci:%s:multi", dir);
	assert_int_equal(open_arch(ref, "linux/arm64", got, sizeof(got), &eb), BW_OK);
	assert_string_equal(got, "arm64");
	assert_int_equal(open_arch(ref, "linux/amd64", got, sizeof(got), &eb), BW_OK);
	assert_string_equal(got, "amd64");
	assert_int_equal(open_arch(ref, "linux/s390x", got, sizeof(got), &eb), BW_ERR_NOT_FOUND);
	assert_non_null(strstr(eb.msg, "linux/amd64"));
	assert_non_null(strstr(eb.msg, "linux/arm64/v8"));
	/* the single-manifest image has no platform in the index: taken as is */
	snprintf(ref, sizeof(ref), "oci:%s:single", dir);
	assert_int_equal(open_arch(ref, "linux/amd64", got, sizeof(got), &eb), BW_OK);
	assert_string_equal(got, "386");
	/* several tags and none chosen: the error lists them */
	snprintf(ref, sizeof(ref), "oci:%s", dir);
	assert_int_equal(open_arch(ref, "linux/amd64", got, sizeof(got), &eb), BW_ERR_USAGE);
	assert_non_null(strstr(eb.msg, "multi, single"));
	snprintf(ref, sizeof(ref), "oci:%s:nope", dir);
	assert_int_equal(open_arch(ref, NULL, got, sizeof(got), &eb), BW_ERR_NOT_FOUND);
	assert_non_null(strstr(eb.msg, "multi, single"));
	/* a bare path with an oci-layout file is an OCI layout */
	snprintf(ref, sizeof(ref), "%s:single", dir);
	assert_int_equal(open_arch(ref, NULL, got, sizeof(got), &eb), BW_OK);
	assert_string_equal(got, "386");
}

static void test_oci_config_digest(void **state)
{
	char dir[128], ref[200], got[32];
	struct bw_errbuf eb = {0};

	(void)state;
	snprintf(dir, sizeof(dir), "%s/badcfg", tmpdir);
	make_layout(dir, true);
	snprintf(ref, sizeof(ref), "oci:%s:multi", dir);
	assert_int_equal(open_arch(ref, "linux/amd64", got, sizeof(got), &eb), BW_ERR_DIGEST);
	assert_non_null(strstr(eb.msg, "config"));
	/* the arm64 image is intact */
	assert_int_equal(open_arch(ref, "linux/arm64", got, sizeof(got), &eb), BW_OK);
}

/* A docker archive with two images, written by libarchive: manifest.json,
 * HEX.json configs, HEX.tar uncompressed layers (the layout skopeo writes). */
static void add_member(struct archive *a, const char *name, const void *p, size_t n)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, p, n), (la_ssize_t)n);
	archive_entry_free(e);
}

static void test_docker_archive_tags(void **state)
{
	char path[128], ref[256], got[32], name[128];
	const char *arches[2] = {"one", "two"};
	char *cfgd[2], *lay[2], *man;
	struct archive *a = archive_write_new();
	struct bw_errbuf eb = {0};

	(void)state;
	snprintf(path, sizeof(path), "%s/two.tar", tmpdir);
	archive_write_set_format_ustar(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (int i = 0; i < 2; i++) {
		struct ent ents[1] = {{"arch", 'f', arches[i]}};
		struct mem raw = make_tar(ents, 1, F_NONE);
		char *cfg;

		lay[i] = sha256_digest(raw.p, raw.n);
		cfg = bw_strfmt("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
				"\"layers\",\"diff_ids\":[\"%s\"]}}", lay[i]);
		cfgd[i] = sha256_digest(cfg, strlen(cfg));
		snprintf(name, sizeof(name), "%s.tar", lay[i] + 7);
		add_member(a, name, raw.p, raw.n);
		snprintf(name, sizeof(name), "%s.json", cfgd[i] + 7);
		add_member(a, name, cfg, strlen(cfg));
		free(cfg);
		free(raw.p);
	}
	man = bw_strfmt("[{\"Config\":\"%s.json\",\"RepoTags\":[\"a:1\"],\"Layers\":[\"%s.tar\"]},"
			"{\"Config\":\"%s.json\",\"RepoTags\":[\"example.org/b:2\"],\"Layers\":[\"%s.tar\"]}]",
			cfgd[0] + 7, lay[0] + 7, cfgd[1] + 7, lay[1] + 7);
	add_member(a, "manifest.json", man, strlen(man));
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);

	snprintf(ref, sizeof(ref), "docker-archive:%s:a:1", path);
	assert_int_equal(open_arch(ref, NULL, got, sizeof(got), &eb), BW_OK);
	assert_string_equal(got, "one");
	/* docker.io/library/ is implied for short names */
	snprintf(ref, sizeof(ref), "docker-archive:%s:docker.io/library/a:1", path);
	assert_int_equal(open_arch(ref, NULL, got, sizeof(got), &eb), BW_OK);
	assert_string_equal(got, "one");
	snprintf(ref, sizeof(ref), "%s:example.org/b:2", path); /* bare path, by content */
	assert_int_equal(open_arch(ref, NULL, got, sizeof(got), &eb), BW_OK);
	assert_string_equal(got, "two");
	snprintf(ref, sizeof(ref), "docker-archive:%s", path);
	assert_int_equal(open_arch(ref, NULL, got, sizeof(got), &eb), BW_ERR_USAGE);
	assert_non_null(strstr(eb.msg, "a:1, example.org/b:2"));
	for (int i = 0; i < 2; i++) {
		free(cfgd[i]);
		free(lay[i]);
	}
	free(man);
}

static void test_dir_source(void **state)
{
	/* A rootfs dir whose symlinks point at host paths (absolute and
	 * climbing) and which holds a fifo: the walk never reads outside the
	 * root nor blocks; the links resolve inside the root. */
	char root[128], ref[160], p[256];
	struct image_ref r;
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};
	static const struct image_want all = {"**", 1 << 20};

	(void)state;
	snprintf(root, sizeof(root), "%s/rootfs", tmpdir);
	snprintf(p, sizeof(p), "%s/etc", root);
	assert_int_equal(bw_run((const char *const[]){"mkdir", "-p", p, NULL}, NULL, 0, NULL,
				&(int){0}, NULL), BW_OK);
	write_file(root, "etc/passwd", "inside\n", 7);
	snprintf(p, sizeof(p), "%s/abs", root);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/etc/climb", root);
	assert_int_equal(symlink("../../../../../../etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/hostdir", root);
	assert_int_equal(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", root);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(ref, sizeof(ref), "dir:%s", root);
	assert_int_equal(image_ref_parse(ref, &r, &eb), BW_OK);
	assert_int_equal(image_open(&r, NULL, &img, &eb), BW_OK);
	assert_int_equal(image_walk(img, &all, 1, NULL, &fs, &eb), BW_OK);
	assert_int_equal(image_fs_count(fs), 1); /* only etc/passwd is a file */
	assert_string_equal(content(fs, "abs"), "inside\n");
	assert_string_equal(content(fs, "etc/climb"), "inside\n");
	assert_string_equal(content(fs, "hostdir/passwd"), "inside\n");
	assert_null(image_fs_get(fs, "hostdir/hostname")); /* not the host's /etc */
	assert_null(image_get_info(img)->layers);
	image_fs_free(fs);
	image_free(img);
	image_ref_release(&r);
}

/* A registry source plugged in through the public interface: image_open
 * routes REGISTRY references to it and the walker streams its blob (and
 * checks its digest). */
static struct mem fake_layer;
static char *fake_digest;

struct fake_blob {
	struct image_blob b;
	size_t off;
};

static ssize_t fake_read(struct image_blob *b, void *buf, size_t n, struct bw_errbuf *eb)
{
	struct fake_blob *fb = (struct fake_blob *)b;
	size_t left = fake_layer.n - fb->off;

	(void)eb;
	if (n > left)
		n = left;
	memcpy(buf, fake_layer.p + fb->off, n);
	fb->off += n;
	return (ssize_t)n;
}

static void fake_blob_close(struct image_blob *b)
{
	free(b);
}

static enum bw_err fake_open(const struct image_ref *ref, const struct image_open_opts *opts,
			     struct image_info *info, struct image_source **src_out,
			     struct bw_errbuf *eb)
{
	(void)opts;
	(void)eb;
	assert_string_equal(ref->path, "example.org/team/app:1.0");
	info->layers = calloc(1, sizeof(*info->layers));
	assert_non_null(info->layers);
	info->nlayers = 1;
	info->layers[0].digest = bw_strdup(fake_digest);
	info->layers[0].size = (int64_t)fake_layer.n;
	*src_out = calloc(1, sizeof(struct image_source));
	return BW_OK;
}

static enum bw_err fake_open_layer(struct image_source *src, size_t i, struct image_blob **out,
				   struct bw_errbuf *eb)
{
	struct fake_blob *fb = calloc(1, sizeof(*fb));

	(void)src;
	(void)eb;
	assert_int_equal(i, 0);
	assert_non_null(fb);
	fb->b.read = fake_read;
	fb->b.close = fake_blob_close;
	*out = &fb->b;
	return BW_OK;
}

static void fake_close(struct image_source *src)
{
	free(src);
}

static void test_registry_plugin(void **state)
{
	static const struct image_source_ops ops = {"fake-registry", fake_open, fake_open_layer, NULL,
						    fake_close};
	static const struct ent ents[] = {{"etc/os-release", 'f', "ID=fake\n"}};
	static const struct image_want want = {"etc/*", 100};
	struct image_ref r;
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	fake_layer = make_tar(ents, 1, F_GZIP);
	fake_digest = sha256_digest(fake_layer.p, fake_layer.n);
	image_register_registry_source(&ops);
	assert_int_equal(image_ref_parse("example.org/team/app:1.0", &r, &eb), BW_OK);
	assert_int_equal(image_open(&r, NULL, &img, &eb), BW_OK);
	assert_int_equal(image_walk(img, &want, 1, NULL, &fs, &eb), BW_OK);
	assert_string_equal(content(fs, "etc/os-release"), "ID=fake\n");
	assert_string_equal(image_fs_get(fs, "etc/os-release")->layer_digest, fake_digest);
	image_fs_free(fs);
	image_free(img);
	/* a corrupted byte in what the registry serves is caught by the walker */
	fake_layer.p[fake_layer.n - 5] ^= 0x40;
	assert_int_equal(image_open(&r, NULL, &img, &eb), BW_OK);
	assert_int_not_equal(image_walk(img, &want, 1, NULL, &fs, &eb), BW_OK);
	assert_non_null(strstr(eb.msg, fake_digest));
	image_free(img);
	image_ref_release(&r);
	image_register_registry_source(NULL);
	free(fake_layer.p);
	free(fake_digest);
}

static void test_outer_tar_forms(void **state)
{
	/* Archives written by Python's tarfile (tests/fuzz/corpus/image_archive,
	 * GNU 'L' long names and pax 'x' path records over 100 bytes, a nested
	 * OCI index, symlink/hard-link/loop entries): both the docker and the
	 * OCI view open and give the layer's two files, whose content the
	 * generator wrote ("ID=x\n", "Package: a\n"). */
	static const char *const seeds[] = {"gnu_longnames_both_forms.tar",
					    "pax_longnames_both_forms.tar"};
	static const struct image_want want = {"**", 100};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		for (int k = 0; k < 2; k++) {
			char ref[512];
			struct image_ref r;
			struct image *img = NULL;
			struct image_fs *fs = NULL;
			struct bw_errbuf eb = {0};

			snprintf(ref, sizeof(ref), "%s:%s/tests/fuzz/corpus/image_archive/%s%s",
				 k ? "oci-archive" : "docker-archive", BW_SOURCE_ROOT, seeds[i],
				 k ? ":1" : ":c:2");
			assert_int_equal(image_ref_parse(ref, &r, &eb), BW_OK);
			assert_int_equal(image_open(&r, NULL, &img, &eb), BW_OK);
			assert_int_equal(image_walk(img, &want, 1, NULL, &fs, &eb), BW_OK);
			assert_int_equal(image_fs_count(fs), 2);
			assert_string_equal(content(fs, "etc/os-release"), "ID=x\n");
			assert_string_equal(content(fs, "var/lib/dpkg/status"), "Package: a\n");
			image_fs_free(fs);
			image_free(img);
			image_ref_release(&r);
		}
	}
}

static void test_entry_and_size_caps(void **state)
{
	/* max_entries: the rest of the layer is not catalogued (warning) but
	 * still read for its digest, which passes. max_layer_size below the
	 * uncompressed size (4 entries of ustar: at least 4 * 1024 bytes): a
	 * limit error naming the layer. */
	static const struct ent ents[] = {
		{"a", 'f', "1"}, {"b", 'f', "2"}, {"c", 'f', "3"}, {"d", 'f', "4"},
	};
	static const struct image_want all = {"**", 100};
	struct mem l0 = make_tar(ents, 4, F_GZIP);
	char *dg = sha256_digest(l0.p, l0.n);
	struct image_mem_layer ls[1] = {{l0.p, l0.n, dg, NULL}};
	struct image *img = NULL;
	struct image_fs *fs = NULL;
	struct image_limits lim;
	struct bw_errbuf eb = {0};

	(void)state;
	image_limits_default(&lim);
	lim.max_entries = 2;
	assert_int_equal(image_open_mem(ls, 1, &img, &eb), BW_OK);
	assert_int_equal(image_walk(img, &all, 1, &lim, &fs, &eb), BW_OK);
	assert_int_equal(image_fs_count(fs), 2);
	assert_non_null(image_fs_get(fs, "b"));
	assert_null(image_fs_get(fs, "c"));
	assert_true(has_warning(fs, "more than 2 entries"));
	image_fs_free(fs);
	fs = NULL;
	image_limits_default(&lim);
	lim.max_layer_size = 2048;
	assert_int_equal(image_walk(img, &all, 1, &lim, &fs, &eb), BW_ERR_LIMIT);
	assert_null(fs);
	assert_non_null(strstr(eb.msg, dg));
	image_free(img);
	free(dg);
	free(l0.p);
}

static int setup_tmp(void **state)
{
	(void)state;
	bw_strlcpy(tmpdir, "/tmp/bw-test-image.XXXXXX", sizeof(tmpdir));
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	return bw_run((const char *const[]){"rm", "-rf", tmpdir, NULL}, NULL, 0, NULL, &(int){0},
		      NULL) == BW_OK ? 0 : -1;
}

/* ---- the reference parser ---- */

static void test_ref_parse(void **state)
{
	struct image_ref r;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(image_ref_parse("docker-archive:/nonexistent/x.tar:repo/name:1.0", &r, &eb),
			 BW_OK);
	assert_int_equal(r.kind, IMAGE_REF_DOCKER_ARCHIVE);
	assert_string_equal(r.path, "/nonexistent/x.tar");
	assert_string_equal(r.selector, "repo/name:1.0");
	image_ref_release(&r);

	assert_int_equal(image_ref_parse("oci:/nonexistent/dir", &r, &eb), BW_OK);
	assert_int_equal(r.kind, IMAGE_REF_OCI_DIR);
	assert_null(r.selector);
	image_ref_release(&r);

	assert_int_equal(image_ref_parse("oci-archive:/nonexistent/o.tar:v2", &r, &eb), BW_OK);
	assert_int_equal(r.kind, IMAGE_REF_OCI_ARCHIVE);
	assert_string_equal(r.selector, "v2");
	image_ref_release(&r);

	assert_int_equal(image_ref_parse("dir:/a:b", &r, &eb), BW_OK);
	assert_int_equal(r.kind, IMAGE_REF_DIR);
	assert_string_equal(r.path, "/a:b");
	image_ref_release(&r);

	assert_int_equal(image_ref_parse("alpine:3.19", &r, &eb), BW_OK);
	assert_int_equal(r.kind, IMAGE_REF_REGISTRY);
	image_ref_release(&r);
	assert_int_equal(image_ref_parse("registry.example:5000/shop/web@sha256:"
					 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
					 &r, &eb),
			 BW_OK);
	assert_int_equal(r.kind, IMAGE_REF_REGISTRY);
	image_ref_release(&r);

	/* bare directory: a plain one is dir: */
	assert_int_equal(image_ref_parse("/", &r, &eb), BW_OK);
	assert_int_equal(r.kind, IMAGE_REF_DIR);
	image_ref_release(&r);

	assert_int_not_equal(image_ref_parse("", &r, &eb), BW_OK);
	assert_int_not_equal(image_ref_parse("Upper/Case", &r, &eb), BW_OK);
	assert_int_not_equal(image_ref_parse("/no/such/path.tar", &r, &eb), BW_OK);
	assert_int_not_equal(image_ref_parse("oci-archive:", &r, &eb), BW_OK);
	assert_int_not_equal(image_ref_parse("bad@sha256:xyz", &r, &eb), BW_OK);
}

static void test_registry_unsupported(void **state)
{
	struct image_ref r;
	struct image *img = NULL;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(image_ref_parse("debian:12", &r, &eb), BW_OK);
	assert_int_equal(image_open(&r, NULL, &img, &eb), BW_ERR_UNSUPPORTED);
	assert_non_null(strstr(eb.msg, "registry module"));
	image_ref_release(&r);
}

static void test_platform_parse(void **state)
{
	struct image_platform p;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(image_platform_parse("linux/arm/v7", &p, &eb), BW_OK);
	assert_string_equal(p.os, "linux");
	assert_string_equal(p.arch, "arm");
	assert_string_equal(p.variant, "v7");
	assert_int_equal(image_platform_parse("linux/x86_64", &p, &eb), BW_OK);
	assert_string_equal(p.arch, "amd64");
	assert_int_not_equal(image_platform_parse("linux", &p, &eb), BW_OK);
	assert_int_not_equal(image_platform_parse("linux//v7", &p, &eb), BW_OK);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whiteouts),
		cmocka_unit_test(test_opaque),
		cmocka_unit_test(test_replace_and_dir_over_file),
		cmocka_unit_test(test_hardlinks),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_hostile_entries),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_zstd_layer),
		cmocka_unit_test(test_not_a_tar),
		cmocka_unit_test(test_ref_parse),
		cmocka_unit_test(test_registry_unsupported),
		cmocka_unit_test(test_platform_parse),
		cmocka_unit_test(test_oci_platforms),
		cmocka_unit_test(test_oci_config_digest),
		cmocka_unit_test(test_docker_archive_tags),
		cmocka_unit_test(test_dir_source),
		cmocka_unit_test(test_registry_plugin),
		cmocka_unit_test(test_outer_tar_forms),
		cmocka_unit_test(test_entry_and_size_caps),
	};

	if (argc >= 2 && (strcmp(argv[1], "--walk") == 0 || strcmp(argv[1], "--info") == 0))
		return walk_tool(argc, argv);
	return cmocka_run_group_tests_name("image", tests, setup_tmp, teardown_tmp);
}

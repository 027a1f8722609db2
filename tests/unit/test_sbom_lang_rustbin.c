/* test_sbom_lang_rustbin.c - cargo-auditable's .dep-v0 section: ELF files
 * built here byte by byte with the section holding zlib-compressed JSON
 * (compressed here with zlib's compress()); the expected crates are the
 * JSON's runtime entries, written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

static void wr(unsigned char *p, size_t n, uint64_t v, bool be)
{
	for (size_t i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* A 64-bit ELF (byte order be) with sections: [1] .dep-v0 = sec, [2]
 * .shstrtab. */
static unsigned char *build_elf(bool be, const unsigned char *sec, size_t slen, size_t *outlen)
{
	static const char shstr[] = "\0.dep-v0\0.shstrtab"; /* 19 bytes with the NUL */
	size_t secoff = 0x40, stroff = (secoff + slen + 15) & ~(size_t)15, shoff = stroff + 32;
	size_t total = shoff + 3 * 64;
	unsigned char *b = calloc(1, total), *sh;

	assert_non_null(b);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = 2;
	b[5] = be ? 2 : 1;
	b[6] = 1;
	wr(b + 0x28, 8, shoff, be);
	wr(b + 0x36, 2, 56, be);
	wr(b + 0x3a, 2, 64, be);
	wr(b + 0x3c, 2, 3, be);
	wr(b + 0x3e, 2, 2, be);
	memcpy(b + secoff, sec, slen);
	memcpy(b + stroff, shstr, sizeof(shstr));
	sh = b + shoff + 64;
	wr(sh, 4, 1, be);
	wr(sh + 4, 4, 1, be);
	wr(sh + 24, 8, secoff, be);
	wr(sh + 32, 8, slen, be);
	sh += 64;
	wr(sh, 4, 9, be);
	wr(sh + 4, 4, 3, be);
	wr(sh + 24, 8, stroff, be);
	wr(sh + 32, 8, sizeof(shstr), be);
	*outlen = total;
	return b;
}

static unsigned char *zip_json(const char *json, size_t *n)
{
	uLongf zl = compressBound((uLong)strlen(json));
	unsigned char *z = malloc(zl);

	assert_non_null(z);
	assert_int_equal(compress(z, &zl, (const Bytef *)json, (uLong)strlen(json)), Z_OK);
	*n = zl;
	return z;
}

static char *run(bool be, const unsigned char *sec, size_t slen, enum bw_err want, char *msg,
		 size_t msgsz)
{
	size_t n;
	unsigned char *elf = build_elf(be, sec, slen, &n);
	struct image_stream st;
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	struct bw_buf b;

	image_stream_mem(&st, "usr/bin/rapp", elf, n);
	assert_int_equal(sbom_parse_rust_auditable(sb, &st, &eb), want);
	if (msg)
		bw_strlcpy(msg, eb.msg, msgsz);
	bw_buf_init(&b, 1 << 20);
	for (size_t i = 0; i < sb->npkgs; i++)
		bw_buf_appendf(&b, "%s %s %s %s\n", sb->pkgs[i].name, sb->pkgs[i].version,
			       sb->pkgs[i].purl, sb->pkgs[i].found_path);
	sbom_free(sb);
	free(elf);
	return bw_buf_detach(&b, NULL);
}

static const char deps[] =
	"{\"packages\":["
	"{\"name\":\"rapp\",\"version\":\"0.3.1\",\"source\":\"local\",\"dependencies\":[1,2,3],\"root\":true},"
	"{\"name\":\"serde\",\"version\":\"1.0.188\",\"source\":\"crates.io\"},"
	"{\"name\":\"regex\",\"version\":\"1.9.5\",\"source\":\"crates.io\",\"kind\":\"runtime\"},"
	"{\"name\":\"cc\",\"version\":\"1.0.83\",\"source\":\"crates.io\",\"kind\":\"build\"},"
	"{\"name\":\"my-fork\",\"version\":\"2.0.0-rc.1+build.5\",\"source\":\"git\"}"
	"]}";

static void test_runtime_crates(void **state)
{
	size_t zl;
	unsigned char *z = zip_json(deps, &zl);
	char *got;

	(void)state;
	for (int be = 0; be < 2; be++) {
		got = run(be, z, zl, BW_OK, NULL, 0);
		assert_string_equal(got,
			"rapp 0.3.1 pkg:cargo/rapp@0.3.1 usr/bin/rapp\n"
			"serde 1.0.188 pkg:cargo/serde@1.0.188 usr/bin/rapp\n"
			"regex 1.9.5 pkg:cargo/regex@1.9.5 usr/bin/rapp\n"
			"my-fork 2.0.0-rc.1+build.5 pkg:cargo/my-fork@2.0.0-rc.1%2Bbuild.5 usr/bin/rapp\n");
		free(got);
	}
	free(z);
}

static void test_bad_input(void **state)
{
	size_t zl;
	unsigned char *z = zip_json(deps, &zl);
	char msg[1024], *got;
	unsigned char *bomb;
	uLongf bl;
	char *zeros;

	(void)state;
	/* truncated zlib stream */
	got = run(false, z, zl / 2, BW_ERR_FORMAT, msg, sizeof(msg));
	assert_string_equal(got, "");
	assert_non_null(strstr(msg, "usr/bin/rapp: .dep-v0 at offset 64: not a complete zlib stream"));
	free(got);
	/* not zlib at all */
	got = run(false, (const unsigned char *)"{\"packages\":[]}", 15, BW_ERR_FORMAT, msg, sizeof(msg));
	free(got);
	free(z);
	/* JSON without packages, and a package without a version */
	z = zip_json("{\"format\":1}", &zl);
	got = run(false, z, zl, BW_ERR_FORMAT, msg, sizeof(msg));
	assert_non_null(strstr(msg, "no \"packages\" array"));
	free(got);
	free(z);
	z = zip_json("{\"packages\":[{\"name\":\"a\"}]}", &zl);
	got = run(false, z, zl, BW_ERR_FORMAT, msg, sizeof(msg));
	assert_non_null(strstr(msg, "package 0: name or version missing"));
	free(got);
	free(z);
	/* a zlib bomb: 65 MiB of spaces */
	zeros = malloc(65u << 20);
	assert_non_null(zeros);
	memset(zeros, ' ', 65u << 20);
	bl = compressBound(65u << 20);
	bomb = malloc(bl);
	assert_non_null(bomb);
	assert_int_equal(compress(bomb, &bl, (const Bytef *)zeros, 65u << 20), Z_OK);
	got = run(false, bomb, bl, BW_ERR_LIMIT, msg, sizeof(msg));
	assert_non_null(strstr(msg, "expands past 67108864 bytes"));
	free(got);
	free(bomb);
	free(zeros);
}

static void test_no_section(void **state)
{
	struct image_stream st;
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	size_t n;
	unsigned char *elf = build_elf(false, (const unsigned char *)"x", 1, &n);

	(void)state;
	memcpy(elf + n - 2 * 64, "\x02\0\0\0", 4); /* section [1] now named "dep-v0" */
	image_stream_mem(&st, "bin/plain", elf, n);
	assert_int_equal(sbom_parse_rust_auditable(sb, &st, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 0);
	/* truncations: no crash */
	for (size_t k = 0; k < n; k++) {
		image_stream_mem(&st, "bin/plain", elf, k);
		(void)sbom_parse_rust_auditable(sb, &st, &eb);
	}
	sbom_free(sb);
	free(elf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtime_crates),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_no_section),
	};

	bw_log_set_level(BW_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

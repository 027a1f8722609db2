/* test_sbom_lang_gobin.c - Go build info from ELF files built here byte by
 * byte (64-bit little-endian with a .go.buildinfo section and the Go 1.18+
 * inline strings; 32-bit big-endian without sections and the older pointer
 * form), the module info lines, and the ELF reader's bounds. Expected
 * values are worked by hand from the bytes written. Real binaries are
 * compared with `go version -m` in tests/integration/sbom_lang_binaries.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "image/image_int.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

static const char sentinel_start[] = "\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char sentinel_end[] = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

static const char modtext[] =
	"path\texample.com/app/cmd/app\n"
	"mod\texample.com/app\t(devel)\t\n"
	"dep\tgithub.com/a/b\tv1.2.3\th1:abc=\n"
	"dep\tgolang.org/x/sys\tv0.1.0\th1:x=\n"
	"=>\tgithub.com/fork/sys\tv0.2.0\th1:y=\n"
	"dep\texample.com/local\tv0.0.0\n"
	"=>\t../local\t(devel)\t\n"
	"build\t-compiler=gc\n";

static void wr(unsigned char *p, size_t n, uint64_t v, bool be)
{
	for (size_t i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* The framed module info: sentinel + text + sentinel. */
static size_t framed(char *out, const char *text)
{
	size_t n = strlen(text);

	memcpy(out, sentinel_start, 16);
	memcpy(out + 16, text, n);
	memcpy(out + 16 + n, sentinel_end, 16);
	return n + 32;
}

#define DATA_OFF 0x100u
#define VADDR    0x400000u

/* An ELF with one writable PT_LOAD holding data at file offset 0x100
 * (address VADDR+0x100) and, when sections, .go.buildinfo over it. */
static unsigned char *build_elf(bool is64, bool be, bool sections, const unsigned char *data,
				size_t dlen, size_t *outlen)
{
	static const char shstr[] = "\0.go.buildinfo\0.shstrtab"; /* 25 bytes with the NUL */
	size_t stroff = (DATA_OFF + dlen + 15) & ~(size_t)15, shoff = stroff + 32;
	size_t shent = is64 ? 64 : 40, total = shoff + 3 * shent;
	unsigned char *b = calloc(1, total), *ph, *sh;

	assert_non_null(b);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = be ? 2 : 1;
	b[6] = 1;
	memcpy(b + DATA_OFF, data, dlen);
	memcpy(b + stroff, shstr, sizeof(shstr));
	if (is64) {
		wr(b + 0x20, 8, 0x40, be);                  /* e_phoff */
		wr(b + 0x28, 8, sections ? shoff : 0, be);  /* e_shoff */
		wr(b + 0x36, 2, 56, be);
		wr(b + 0x38, 2, 1, be);
		wr(b + 0x3a, 2, 64, be);
		wr(b + 0x3c, 2, sections ? 3 : 0, be);
		wr(b + 0x3e, 2, sections ? 2 : 0, be);
		ph = b + 0x40;
		wr(ph, 4, 1, be);                            /* PT_LOAD */
		wr(ph + 4, 4, 6, be);                        /* PF_R|PF_W */
		wr(ph + 8, 8, DATA_OFF, be);
		wr(ph + 16, 8, VADDR + DATA_OFF, be);
		wr(ph + 32, 8, dlen, be);
		wr(ph + 40, 8, dlen, be);
		sh = b + shoff + 64;                         /* [1] .go.buildinfo */
		wr(sh, 4, 1, be);
		wr(sh + 4, 4, 1, be);
		wr(sh + 16, 8, VADDR + DATA_OFF, be);
		wr(sh + 24, 8, DATA_OFF, be);
		wr(sh + 32, 8, dlen, be);
		sh += 64;                                    /* [2] .shstrtab */
		wr(sh, 4, 15, be);
		wr(sh + 4, 4, 3, be);
		wr(sh + 24, 8, stroff, be);
		wr(sh + 32, 8, sizeof(shstr), be);
	} else {
		wr(b + 0x1c, 4, 0x34, be);
		wr(b + 0x20, 4, sections ? shoff : 0, be);
		wr(b + 0x2a, 2, 32, be);
		wr(b + 0x2c, 2, 1, be);
		wr(b + 0x2e, 2, 40, be);
		wr(b + 0x30, 2, sections ? 3 : 0, be);
		wr(b + 0x32, 2, sections ? 2 : 0, be);
		ph = b + 0x34;
		wr(ph, 4, 1, be);
		wr(ph + 4, 4, DATA_OFF, be);
		wr(ph + 8, 4, VADDR + DATA_OFF, be);
		wr(ph + 16, 4, dlen, be);
		wr(ph + 20, 4, dlen, be);
		wr(ph + 24, 4, 6, be);
		sh = b + shoff + 40;
		wr(sh, 4, 1, be);
		wr(sh + 4, 4, 1, be);
		wr(sh + 12, 4, VADDR + DATA_OFF, be);
		wr(sh + 16, 4, DATA_OFF, be);
		wr(sh + 20, 4, dlen, be);
		sh += 40;
		wr(sh, 4, 15, be);
		wr(sh + 4, 4, 3, be);
		wr(sh + 16, 4, stroff, be);
		wr(sh + 20, 4, sizeof(shstr), be);
	}
	*outlen = total;
	return b;
}

/* Go 1.18+ data: header (flags 2) + uvarint strings. */
static size_t inline_data(unsigned char *d, const char *ver, const char *text)
{
	char mod[1024];
	size_t ml = framed(mod, text), vl = strlen(ver), n = 32;

	memset(d, 0, 32);
	memcpy(d, "\xff Go buildinf:", 14);
	d[14] = 8;
	d[15] = 2;
	d[n++] = (unsigned char)vl;
	memcpy(d + n, ver, vl);
	n += vl;
	d[n++] = (unsigned char)(0x80 | (ml & 0x7f)); /* two-byte uvarint */
	d[n++] = (unsigned char)(ml >> 7);
	memcpy(d + n, mod, ml);
	return n + ml;
}

/* Go <= 1.17 data, 32-bit: header with two pointers to string headers. */
static size_t pointer_data(unsigned char *d, bool be, const char *ver, const char *text)
{
	char mod[1024];
	size_t ml = framed(mod, text), vl = strlen(ver);
	uint64_t base = VADDR + DATA_OFF;

	memset(d, 0, 48);
	memcpy(d, "\xff Go buildinf:", 14);
	d[14] = 4;
	d[15] = be ? 1 : 0;
	wr(d + 16, 4, base + 32, be); /* -> version string header */
	wr(d + 20, 4, base + 40, be); /* -> module string header */
	wr(d + 32, 4, base + 48, be);
	wr(d + 36, 4, vl, be);
	wr(d + 40, 4, base + 48 + vl, be);
	wr(d + 44, 4, ml, be);
	memcpy(d + 48, ver, vl);
	memcpy(d + 48 + vl, mod, ml);
	return 48 + vl + ml;
}

static char *pkgs_text(const struct sbom *sb)
{
	struct bw_buf b;

	bw_buf_init(&b, 1 << 20);
	for (size_t i = 0; i < sb->npkgs; i++)
		bw_buf_appendf(&b, "%s %s %s %s\n", sb->pkgs[i].name, sb->pkgs[i].version,
			       sb->pkgs[i].purl, sb->pkgs[i].found_path);
	return bw_buf_detach(&b, NULL);
}

static const char want_pkgs[] =
	"stdlib go1.20.1 pkg:golang/stdlib@1.20.1 usr/bin/app\n"
	"github.com/a/b v1.2.3 pkg:golang/github.com/a/b@v1.2.3 usr/bin/app\n"
	"github.com/fork/sys v0.2.0 pkg:golang/github.com/fork/sys@v0.2.0 usr/bin/app\n";

static void check_elf(bool is64, bool be, bool sections, bool inl)
{
	unsigned char d[2048];
	size_t dl = inl ? inline_data(d, "go1.20.1", modtext) : pointer_data(d, be, "go1.20.1", modtext);
	size_t n;
	unsigned char *elf = build_elf(is64, be, sections, d, dl, &n);
	struct image_stream st;
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	char *got;

	image_stream_mem(&st, "usr/bin/app", elf, n);
	assert_int_equal(sbom_parse_gobin(sb, &st, &eb), BW_OK);
	got = pkgs_text(sb);
	assert_string_equal(got, want_pkgs);
	free(got);
	sbom_free(sb);
	free(elf);
}

static void test_inline_le64_sections(void **state)
{
	(void)state;
	check_elf(true, false, true, true);
}

static void test_inline_le64_stripped(void **state)
{
	(void)state;
	check_elf(true, false, false, true);
}

static void test_pointer_be32_stripped(void **state)
{
	(void)state;
	check_elf(false, true, false, false);
}

static void test_pointer_le32_sections(void **state)
{
	(void)state;
	check_elf(false, false, true, false);
}

static void test_inline_be64(void **state)
{
	(void)state;
	check_elf(true, true, true, true);
}

static void test_modinfo_main_module(void **state)
{
	static const char text[] = "path\tex.com/m\nmod\tex.com/m\tv1.4.0\th1:z=\n"
				   "dep\tex.com/Upper/x\tv2.0.0+incompatible\n";
	struct image_stream st;
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	char *got;

	(void)state;
	image_stream_mem(&st, "app", "", 0);
	assert_int_equal(sbom_parse_go_modinfo(sb, "go1.21.0 X:boringcrypto", text, strlen(text),
					       &st, &eb), BW_OK);
	got = pkgs_text(sb);
	assert_string_equal(got, "stdlib go1.21.0 pkg:golang/stdlib@1.21.0 app\n"
				 "ex.com/m v1.4.0 pkg:golang/ex.com/m@v1.4.0 app\n"
				 "ex.com/Upper/x v2.0.0+incompatible "
				 "pkg:golang/ex.com/Upper/x@v2.0.0%2Bincompatible app\n");
	free(got);
	sbom_free(sb);
	/* a toolchain built from source has no release: no stdlib */
	sb = sbom_new();
	assert_int_equal(sbom_parse_go_modinfo(sb, "devel go1.22-abc", "", 0, &st, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 0);
	sbom_free(sb);
}

static void test_not_go_and_hostile(void **state)
{
	unsigned char d[2048];
	size_t dl = inline_data(d, "go1.20.1", modtext), n;
	unsigned char *elf;
	struct image_stream st;
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();

	(void)state;
	/* no magic: not a Go binary, no error */
	memset(d, 'x', 16);
	elf = build_elf(true, false, true, d, dl, &n);
	image_stream_mem(&st, "bin/c", elf, n);
	assert_int_equal(sbom_parse_gobin(sb, &st, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 0);
	free(elf);
	/* a string length past the data */
	dl = inline_data(d, "go1.20.1", modtext);
	d[32] = 0xff; /* uvarint 0x1fffff */
	d[33] = 0xff;
	d[34] = 0x7f;
	elf = build_elf(true, false, true, d, dl, &n);
	image_stream_mem(&st, "bin/c", elf, n);
	assert_int_equal(sbom_parse_gobin(sb, &st, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "bin/c"));
	/* every truncation of a valid file: no crash, no packages past the end */
	dl = inline_data(d, "go1.20.1", modtext);
	free(elf);
	elf = build_elf(true, false, true, d, dl, &n);
	for (size_t k = 0; k < n; k += 7) {
		image_stream_mem(&st, "bin/c", elf, k);
		(void)sbom_parse_gobin(sb, &st, &eb);
	}
	/* a pointer that leads outside every segment */
	dl = pointer_data(d, false, "go1.20.1", modtext);
	wr(d + 16, 4, 0x10, false);
	free(elf);
	elf = build_elf(false, false, false, d, dl, &n);
	image_stream_mem(&st, "bin/p", elf, n);
	assert_int_equal(sbom_parse_gobin(sb, &st, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "bin/p: build info: string header at address 0x10"));
	free(elf);
	sbom_free(sb);
}

/* A tar layer in memory: (path, bytes, len) triples; len 0: strlen. */
struct tent {
	const char *path;
	const void *data;
	size_t len;
};

static unsigned char *make_tar(const struct tent *ents, size_t n, size_t *outlen)
{
	struct archive *a = archive_write_new();
	size_t cap = 1 << 20, used = 0;
	unsigned char *m = malloc(cap);

	assert_non_null(m);
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, m, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = ents[i].len ? ents[i].len : strlen(ents[i].data);

		archive_entry_set_pathname(e, ents[i].path);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0755);
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		archive_write_data(a, ents[i].data, len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*outlen = used;
	return m;
}

/* A jar with one pom.properties (libarchive's zip writer). */
static unsigned char *make_jar(size_t *outlen)
{
	static const char pom[] = "groupId=g\nartifactId=a\nversion=1\n";
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = 1 << 16, used = 0;
	unsigned char *m = malloc(cap);

	assert_non_null(m);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, m, cap, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, "META-INF/maven/g/a/pom.properties");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(pom));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	archive_write_data(a, pom, strlen(pom));
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*outlen = used;
	return m;
}

/* sbom_catalog over two layers: the upper one whites out one binary,
 * replaces one by a script and one by another Go binary; a path repeated
 * in one layer counts once, as its last entry. Only the surviving
 * versions' packages remain. */
static void test_catalog_layers(void **state)
{
	static const char modtext2[] = "path\tex.com/tool\nmod\tex.com/tool\tv2.0.0\th1:q=\n";
	unsigned char d1[2048], d2[2048], *e1, *e2, *t1, *t2, *jar;
	size_t n1, n2, l1, l2, jl;
	struct image_mem_layer ls[2];
	struct image *img = NULL;
	struct sbom *sb = NULL;
	struct bw_errbuf eb = {{0}};
	char *got;

	(void)state;
	e1 = build_elf(true, false, true, d1, inline_data(d1, "go1.20.1", modtext), &n1);
	e2 = build_elf(true, false, false, d2, inline_data(d2, "go1.21.0", modtext2), &n2);
	jar = make_jar(&jl);
	{
		/* opt/c twice in the lower layer: the second entry is the file */
		const struct tent lower[] = {
			{"usr/bin/a", e1, n1}, {"usr/bin/b", e1, n1}, {"opt/c", e1, n1},
			{"opt/d", e1, n1}, {"opt/d", e2, n2},
			{"opt/app.jar", jar, jl}, {"opt/e", e1, n1}, /* a jar, then an ELF */
		};
		const struct tent upper[] = {
			{"usr/bin/.wh.a", "", 0}, {"usr/bin/b", "#!/bin/sh\n", 0}, {"opt/c", e2, n2},
			{"opt/.wh.app.jar", "", 0},
		};

		t1 = make_tar(lower, 7, &l1);
		t2 = make_tar(upper, 4, &l2);
	}
	memset(ls, 0, sizeof(ls));
	ls[0].data = t1;
	ls[0].len = l1;
	ls[1].data = t2;
	ls[1].len = l2;
	assert_int_equal(image_open_mem(ls, 2, &img, &eb), BW_OK);
	assert_int_equal(sbom_catalog(img, NULL, &sb, &eb), BW_OK);
	got = pkgs_text(sb);
	assert_string_equal(got, "ex.com/tool v2.0.0 pkg:golang/ex.com/tool@v2.0.0 opt/c\n"
				 "ex.com/tool v2.0.0 pkg:golang/ex.com/tool@v2.0.0 opt/d\n"
				 "github.com/a/b v1.2.3 pkg:golang/github.com/a/b@v1.2.3 opt/e\n"
				 "github.com/fork/sys v0.2.0 pkg:golang/github.com/fork/sys@v0.2.0 opt/e\n"
				 "stdlib go1.20.1 pkg:golang/stdlib@1.20.1 opt/e\n"
				 "stdlib go1.21.0 pkg:golang/stdlib@1.21.0 opt/c\n"
				 "stdlib go1.21.0 pkg:golang/stdlib@1.21.0 opt/d\n");
	free(got);
	sbom_free(sb);
	image_free(img);
	free(t1);
	free(t2);
	free(e1);
	free(e2);
	free(jar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_le64_sections),
		cmocka_unit_test(test_inline_le64_stripped),
		cmocka_unit_test(test_pointer_be32_stripped),
		cmocka_unit_test(test_pointer_le32_sections),
		cmocka_unit_test(test_inline_be64),
		cmocka_unit_test(test_modinfo_main_module),
		cmocka_unit_test(test_not_go_and_hostile),
		cmocka_unit_test(test_catalog_layers),
	};

	bw_log_set_level(BW_LOG_ERROR); /* the warnings tested are in the sbom */
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_sbom_rpm.c - the rpm database readers (header blob, SQLite, Berkeley
 * DB hash, NDB).
 *
 * Independent truth:
 *  - ../shared/fixtures/rpmdb (real databases from go-rpmdb's test suite):
 *    the expected lists there were taken from go-rpmdb's own test code
 *    (see SOURCE.txt), the SQLite one's names from the database's own Name
 *    index table;
 *  - rpm itself: when `rpm` is installed, `rpm -qa --dbpath` on copies of
 *    the fixtures (Debian's rpm reads sqlite and, with the bdb_ro backend,
 *    Berkeley DB);
 *  - headers built by hand in this file, with the expected package worked
 *    out in comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/rpm_int.h"
#include "sbom/sbom_int.h"

#define FIXTURES BW_SOURCE_ROOT "/../shared/fixtures/rpmdb"

/* ---- helpers ------------------------------------------------------------ */

static struct bw_buf read_fixture(const char *rel)
{
	struct bw_buf b;
	struct bw_errbuf eb = { { 0 } };
	char *path = bw_strfmt("%s/%s", FIXTURES, rel);

	assert_non_null(path);
	bw_buf_init(&b, (size_t)64 * 1024 * 1024);
	if (bw_buf_read_file(&b, path, &eb) != BW_OK)
		fail_msg("cannot read %s: %s", path, eb.msg);
	free(path);
	return b;
}

static const struct sbom_pkg *find_pkg(const struct sbom *sb, const char *name)
{
	for (size_t i = 0; i < sb->npkgs; i++)
		if (strcmp(sb->pkgs[i].name, name) == 0)
			return &sb->pkgs[i];
	return NULL;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Split a tab-separated line in place into at most max fields. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

/* Check pkg against one row of the fixtures' expected*.tsv: name version
 * release epoch arch sourcerpm size license ... */
static void check_tsv_row(const struct sbom *sb, char **f, const char *found_path)
{
	const struct sbom_pkg *p = find_pkg(sb, f[0]);
	char *want_version, *srpm;

	if (!p)
		fail_msg("package %s missing", f[0]);
	assert_int_equal(p->type, SBOM_PKG_RPM);
	/* [epoch:]version-release, epoch only when the column has one */
	want_version = f[3][0] ? bw_strfmt("%s:%s-%s", f[3], f[1], f[2])
			       : bw_strfmt("%s-%s", f[1], f[2]);
	assert_string_equal(p->version, want_version);
	free(want_version);
	assert_string_equal(or_empty(p->epoch), f[3]);
	assert_string_equal(p->release, f[2]);
	assert_string_equal(p->arch, f[4]);
	/* the source rpm name is name-version-release.src.rpm of the source
	 * package: rebuilding it from our two fields must give the column */
	srpm = bw_strfmt("%s-%s.src.rpm", or_empty(p->source_name), or_empty(p->source_version));
	assert_string_equal(srpm, f[5]);
	free(srpm);
	assert_int_equal(p->licenses.n, 1);
	assert_string_equal(p->licenses.v[0], f[7]);
	assert_string_equal(p->found_path, found_path);
}

/* Compare sb with every row of an expected*.tsv file (and its length). */
static void check_tsv(const struct sbom *sb, const char *rel, const char *found_path)
{
	char *path = bw_strfmt("%s/%s", FIXTURES, rel);
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t rows = 0;

	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *fields[12];

		if (line[0] == '#')
			continue;
		assert_true(split_tabs(line, fields, 12) >= 8);
		check_tsv_row(sb, fields, found_path);
		rows++;
	}
	fclose(f);
	free(path);
	assert_int_equal(sb->npkgs, rows);
}

static char *pkg_line(const struct sbom_pkg *p)
{
	/* the shape of rpm -qa --qf '%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\t%{ARCH}':
	 * our version is "[epoch:]version-release", rpm prints "(none)" for
	 * a missing epoch or arch */
	return bw_strfmt("%s\t%s:%s\t%s", p->name, p->epoch ? p->epoch : "(none)",
			 p->version + (p->epoch ? strlen(p->epoch) + 1 : 0),
			 p->arch ? p->arch : "(none)");
}

/* Our packages as sorted "name\tE:V-R\tarch" lines joined by '\n'. */
static char *sbom_listing(const struct sbom *sb)
{
	struct bw_strv lines = { 0 };
	struct bw_buf out;

	bw_buf_init(&out, (size_t)16 * 1024 * 1024);
	for (size_t i = 0; i < sb->npkgs; i++)
		assert_int_equal(bw_strv_push_owned(&lines, pkg_line(&sb->pkgs[i])), BW_OK);
	bw_strv_sort(&lines);
	for (size_t i = 0; i < lines.n; i++)
		assert_int_equal(bw_buf_appendf(&out, "%s\n", lines.v[i]), BW_OK);
	bw_strv_release(&lines);
	return bw_buf_detach(&out, NULL);
}

/* ---- hand-built headers --------------------------------------------------- */

enum { T_INT32 = 4, T_STRING = 6, T_BIN = 7, T_STRING_ARRAY = 8, T_I18N = 9 };

struct hb_entry {
	uint32_t tag;
	uint32_t type;
	const char *str; /* for strings: one NUL-terminated string */
	uint32_t num;    /* for INT32 */
};

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Build a header blob the way rpm lays one out: il, dl, the index, then the
 * data store with INT32 values 4-byte aligned. Returns its size. */
static size_t build_header(unsigned char *out, size_t cap, const struct hb_entry *e, size_t ne)
{
	size_t dl = 0, hdr = 8 + 16 * ne;

	for (size_t i = 0; i < ne; i++) {
		uint32_t off;

		if (e[i].type == T_INT32) {
			while (dl % 4)
				out[hdr + dl++] = 0;
			off = (uint32_t)dl;
			assert_true(hdr + dl + 4 <= cap);
			put_be32(out + hdr + dl, e[i].num);
			dl += 4;
		} else {
			size_t len = strlen(e[i].str) + 1;

			off = (uint32_t)dl;
			assert_true(hdr + dl + len <= cap);
			memcpy(out + hdr + dl, e[i].str, len);
			dl += len;
		}
		put_be32(out + 8 + 16 * i, e[i].tag);
		put_be32(out + 8 + 16 * i + 4, e[i].type);
		put_be32(out + 8 + 16 * i + 8, off);
		put_be32(out + 8 + 16 * i + 12, 1);
	}
	put_be32(out, (uint32_t)ne);
	put_be32(out + 4, (uint32_t)dl);
	return hdr + dl;
}

static const struct hb_entry full_pkg[] = {
	{ 1000, T_STRING, "foo", 0 },
	{ 1001, T_STRING, "1.0", 0 },
	{ 1002, T_STRING, "3.el9", 0 },
	{ 1003, T_INT32, NULL, 2 },
	{ 1014, T_STRING, "MIT and BSD", 0 },
	{ 1022, T_STRING, "x86_64", 0 },
	{ 1044, T_STRING, "foo-src-1.0-3.el9.src.rpm", 0 },
};

static void test_header_handmade(void **state)
{
	unsigned char blob[1024];
	size_t n = build_header(blob, sizeof(blob), full_pkg, 7);
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };
	const struct sbom_pkg *p;

	assert_int_equal(sbom_parse_rpm_header(sb, blob, n, "var/lib/rpm/rpmdb.sqlite",
					       "sha256:abc", &eb), BW_OK);
	assert_int_equal(sb->npkgs, 1);
	p = &sb->pkgs[0];
	/* epoch 2, version 1.0, release 3.el9 -> rpm's EVR "2:1.0-3.el9" */
	assert_int_equal(p->type, SBOM_PKG_RPM);
	assert_string_equal(p->name, "foo");
	assert_string_equal(p->version, "2:1.0-3.el9");
	assert_string_equal(p->epoch, "2");
	assert_string_equal(p->release, "3.el9");
	assert_string_equal(p->arch, "x86_64");
	/* "foo-src-1.0-3.el9.src.rpm": the last two dashes split name,
	 * version and release: foo-src / 1.0 / 3.el9 */
	assert_string_equal(p->source_name, "foo-src");
	assert_string_equal(p->source_version, "1.0-3.el9");
	/* the licence string is kept whole, as rpm records it */
	assert_int_equal(p->licenses.n, 1);
	assert_string_equal(p->licenses.v[0], "MIT and BSD");
	assert_string_equal(p->found_path, "var/lib/rpm/rpmdb.sqlite");
	assert_string_equal(p->layer_digest, "sha256:abc");
	sbom_free(sb);
}

static void test_header_no_epoch_dribble_latin1(void **state)
{
	/* no EPOCH tag: version is "1.0-3.el9" and epoch stays NULL. NAME
	 * appears twice: rpm's headerImport lets the later (dribble) entry
	 * replace the region one, so the name is "bar". The licence holds
	 * Latin-1 0xe9 (e acute), which must come out as UTF-8 c3 a9. No
	 * ARCH (like gpg-pubkey headers): arch NULL. An unparsable SOURCERPM
	 * gives no source fields but is not an error. */
	const struct hb_entry e[] = {
		{ 1000, T_STRING, "foo", 0 },	 { 1001, T_STRING, "1.0", 0 },
		{ 1002, T_STRING, "3.el9", 0 },	 { 1014, T_STRING, "Licence \xe9", 0 },
		{ 1044, T_STRING, "nodash", 0 }, { 1000, T_STRING, "bar", 0 },
	};
	unsigned char blob[1024];
	size_t n = build_header(blob, sizeof(blob), e, 6);
	struct sbom *sb = sbom_new();
	const struct sbom_pkg *p;

	assert_int_equal(sbom_parse_rpm_header(sb, blob, n, "x", NULL, NULL), BW_OK);
	assert_int_equal(sb->npkgs, 1);
	p = &sb->pkgs[0];
	assert_string_equal(p->name, "bar");
	assert_string_equal(p->version, "1.0-3.el9");
	assert_null(p->epoch);
	assert_null(p->arch);
	assert_null(p->source_name);
	assert_null(p->source_version);
	assert_null(p->layer_digest);
	assert_string_equal(p->licenses.v[0], "Licence \xc3\xa9");
	sbom_free(sb);
}

static void expect_header_error(const unsigned char *blob, size_t n, const char *needle)
{
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };

	assert_int_equal(sbom_parse_rpm_header(sb, blob, n, "hdr.bin", NULL, &eb), BW_ERR_FORMAT);
	assert_int_equal(sb->npkgs, 0);
	/* the message names the input and what was wrong */
	if (strncmp(eb.msg, "hdr.bin: ", 9) != 0 || !strstr(eb.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", eb.msg, needle);
	sbom_free(sb);
}

static void test_header_hostile(void **state)
{
	unsigned char good[1024], b[1024];
	size_t n = build_header(good, sizeof(good), full_pkg, 7);
	/* index starts at 8; entry i is at 8 + 16 i; the data store at
	 * 8 + 16 * 7 = 120. full_pkg's strings: "foo\0" at 0, "1.0\0" at 4,
	 * "3.el9\0" at 8, epoch INT32 aligned at 16, ... */
	size_t data = 8 + 16 * 7;

	expect_header_error(good, 7, "shorter than");
	/* il = 0 */
	memcpy(b, good, n);
	put_be32(b, 0);
	expect_header_error(b, n, "index count 0");
	/* il = 0x10000: over rpm's limit */
	put_be32(b, 0x10000);
	expect_header_error(b, n, "index count 65536");
	/* one byte short: size no longer 8 + 16 il + dl */
	expect_header_error(good, n - 1, "does not match");
	/* dl = 0x7fffffff: over 256 MiB */
	memcpy(b, good, n);
	put_be32(b + 4, 0x7fffffff);
	expect_header_error(b, n, "data length");
	/* NAME offset far past the data store */
	memcpy(b, good, n);
	put_be32(b + 8 + 8, 0xfffffff0);
	expect_header_error(b, n, "past the");
	/* EPOCH (entry 3) INT32 count 2^30: overruns the data store */
	memcpy(b, good, n);
	put_be32(b + 8 + 16 * 3 + 12, 0x40000000);
	expect_header_error(b, n, "overrun");
	/* unknown type 10 on ARCH (entry 5) */
	memcpy(b, good, n);
	put_be32(b + 8 + 16 * 5 + 4, 10);
	expect_header_error(b, n, "unknown type 10");
	/* EPOCH typed STRING */
	memcpy(b, good, n);
	put_be32(b + 8 + 16 * 3 + 4, T_STRING);
	expect_header_error(b, n, "EPOCH");
	/* NAME typed INT32 */
	memcpy(b, good, n);
	put_be32(b + 8 + 4, T_INT32);
	expect_header_error(b, n, "NAME");
	/* no NAME: retag entry 0 */
	memcpy(b, good, n);
	put_be32(b + 8, 999);
	expect_header_error(b, n, "no NAME");
	/* last string without its NUL: the SOURCERPM string ends the data
	 * store; overwrite the final NUL */
	memcpy(b, good, n);
	b[n - 1] = 'x';
	expect_header_error(b, n, "no NUL");
	/* empty NAME */
	memcpy(b, good, n);
	b[data] = '\0';
	expect_header_error(b, n, "empty NAME");
	/* NULL with 0 bytes is an error, not a crash */
	expect_header_error(NULL, 0, "shorter than");
}

/* go-rpmdb's blob.bin: one real header (Fedora 35 publicsuffix-list-dafsa).
 * Expected values: `rpm --nodigest --nosignature -qa --qf ...` on an
 * rpmdb.sqlite holding this blob as its only record printed
 * "publicsuffix-list-dafsa (none):20210518-2.fc35 noarch MPLv2.0
 *  publicsuffix-list-20210518-2.fc35.src.rpm" (rpm without --nodigest
 * skips it: its region digest does not match; we do not check digests). */
static void test_header_blob_fixture(void **state)
{
	struct bw_buf b = read_fixture("blob/blob.bin");
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };
	const struct sbom_pkg *p;

	assert_int_equal(sbom_parse_rpm_header(sb, (unsigned char *)b.data, b.len, "blob.bin",
					       NULL, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 1);
	p = &sb->pkgs[0];
	assert_string_equal(p->name, "publicsuffix-list-dafsa");
	assert_string_equal(p->version, "20210518-2.fc35");
	assert_null(p->epoch);
	assert_string_equal(p->arch, "noarch");
	assert_string_equal(p->licenses.v[0], "MPLv2.0");
	assert_string_equal(p->source_name, "publicsuffix-list");
	assert_string_equal(p->source_version, "20210518-2.fc35");
	sbom_free(sb);
	bw_buf_release(&b);
}

/* ---- NDB ------------------------------------------------------------------ */

static void test_ndb_sle15(void **state)
{
	struct bw_buf b = read_fixture("sle15-bci/Packages.db");
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };

	assert_int_equal(sbom_parse_rpm_ndb(sb, b.data, b.len, "var/lib/rpm/Packages.db", NULL,
					    &eb), BW_OK);
	assert_int_equal(sb->warnings.n, 0);
	/* all 35 rows of go-rpmdb's SLE15WithNDB list, field by field */
	check_tsv(sb, "sle15-bci/expected.tsv", "var/lib/rpm/Packages.db");
	/* hand-checked split of a source rpm with '+' and many dots:
	 * gcc11-11.2.1+git610-1.3.9.src.rpm -> gcc11 / 11.2.1+git610-1.3.9 */
	assert_string_equal(find_pkg(sb, "libgcc_s1")->source_name, "gcc11");
	assert_string_equal(find_pkg(sb, "libgcc_s1")->source_version, "11.2.1+git610-1.3.9");
	sbom_free(sb);
	bw_buf_release(&b);
}

static void test_ndb_corrupt(void **state)
{
	struct bw_buf b = read_fixture("sle15-bci/Packages.db");
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };
	char save;

	/* The first slot (offset 32, from xxd: "Slot", pkgidx 1, blkoff
	 * 0x100, blkcnt 0x104) puts package 1's blob at 0x100 * 16 = 4096.
	 * One flipped byte inside its header breaks the adler32: that
	 * package is skipped with a warning, the other 34 are read. */
	b.data[4096 + 16 + 200] ^= 0x55;
	assert_int_equal(sbom_parse_rpm_ndb(sb, b.data, b.len, "Packages.db", NULL, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 34);
	assert_int_equal(sb->warnings.n, 1);
	assert_non_null(strstr(sb->warnings.v[0], "adler32"));
	assert_non_null(strstr(sb->warnings.v[0], "package 1"));
	sbom_free(sb);
	b.data[4096 + 16 + 200] ^= 0x55;

	/* truncated: the last slots point past the end of the file */
	sb = sbom_new();
	assert_int_equal(sbom_parse_rpm_ndb(sb, b.data, b.len / 2, "Packages.db", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "outside the blob area"));
	sbom_free(sb);

	/* bad file magic */
	sb = sbom_new();
	save = b.data[0];
	b.data[0] = 'X';
	assert_int_equal(sbom_parse_rpm_ndb(sb, b.data, b.len, "Packages.db", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "RpmP"));
	b.data[0] = save;
	sbom_free(sb);

	/* slot 3 (offset 48) made to overlap slot 2's blob */
	sb = sbom_new();
	memcpy(b.data + 48 + 8, b.data + 32 + 8, 4);
	assert_int_equal(sbom_parse_rpm_ndb(sb, b.data, b.len, "Packages.db", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "overlap"));
	sbom_free(sb);

	/* a few bytes: error, no crash */
	sb = sbom_new();
	assert_int_equal(sbom_parse_rpm_ndb(sb, b.data, 20, "Packages.db", NULL, &eb),
			 BW_ERR_FORMAT);
	sbom_free(sb);
	bw_buf_release(&b);
}

/* ---- Berkeley DB ---------------------------------------------------------- */

static void test_bdb_libuuid(void **state)
{
	struct bw_buf b = read_fixture("libuuid/Packages");
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };

	assert_int_equal(sbom_parse_rpm_bdb(sb, b.data, b.len, "var/lib/rpm/Packages", NULL, &eb),
			 BW_OK);
	assert_int_equal(sb->warnings.n, 0);
	check_tsv(sb, "libuuid/expected-package.tsv", "var/lib/rpm/Packages");
	sbom_free(sb);
	bw_buf_release(&b);
}

static void swap32_at(unsigned char *p)
{
	unsigned char t = p[0];

	p[0] = p[3];
	p[3] = t;
	t = p[1];
	p[1] = p[2];
	p[2] = t;
}

static void swap16_at(unsigned char *p)
{
	unsigned char t = p[0];

	p[0] = p[1];
	p[1] = t;
}

/* Turn the little-endian libuuid file into what a big-endian machine
 * (s390x) writes: metadata words, page headers, item offsets, off-page
 * references and the 4-byte header-number keys byte-swapped (the same
 * fields rpm's bdb_ro.c swaps back). Page layout is known from the file:
 * page 0 metadata, pages 1-2 hash, 3-22 overflow (python dump). */
static void to_big_endian(unsigned char *d, size_t n, uint32_t ps)
{
	for (size_t off = 8; off < 224; off += 4)
		if (off != 24) /* bytes 24..27 are single-byte fields */
			swap32_at(d + off);
	for (size_t pg = 1; (pg + 1) * ps <= n; pg++) {
		unsigned char *p = d + pg * ps;
		uint16_t nent = (uint16_t)(p[20] | p[21] << 8);

		swap32_at(p + 8);
		swap32_at(p + 12);
		swap32_at(p + 16);
		swap16_at(p + 20);
		swap16_at(p + 22);
		if (p[25] != 13 && p[25] != 2)
			continue;
		for (uint16_t i = 0; i < nent; i++) {
			unsigned char *ip = p + 26 + 2 * i;
			uint16_t off = (uint16_t)(ip[0] | ip[1] << 8);

			swap16_at(ip);
			if (p[off] == 3) {
				swap32_at(p + off + 4);
				swap32_at(p + off + 8);
			} else if (i % 2 == 0) {
				swap32_at(p + off + 1); /* the hnum key */
			}
		}
	}
}

static void test_bdb_big_endian(void **state)
{
	struct bw_buf b = read_fixture("libuuid/Packages");
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };

	to_big_endian((unsigned char *)b.data, b.len, 4096);
	assert_int_equal(sbom_parse_rpm_bdb(sb, b.data, b.len, "Packages", NULL, &eb), BW_OK);
	check_tsv(sb, "libuuid/expected-package.tsv", "Packages");
	sbom_free(sb);
	bw_buf_release(&b);
}

static void test_bdb_corrupt(void **state)
{
	struct bw_buf b = read_fixture("libuuid/Packages");
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };
	unsigned char *page5 = (unsigned char *)b.data + 5 * 4096;
	enum bw_err result;

	/* overflow page 5 (chain 3 -> 4 -> ... -> 22) made to point back to
	 * page 4: a loop; the record is skipped with a warning */
	page5[16] = 4;
	assert_int_equal(sbom_parse_rpm_bdb(sb, b.data, b.len, "Packages", NULL, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 0);
	assert_int_equal(sb->warnings.n, 1);
	assert_non_null(strstr(sb->warnings.v[0], "page 4 reached twice"));
	sbom_free(sb);
	page5[16] = 6;

	/* truncated in the middle of the overflow chain: the page numbers
	 * past the end are refused; never a crash */
	sb = sbom_new();
	result = sbom_parse_rpm_bdb(sb, b.data, 10 * 4096, "Packages", NULL, &eb);
	assert_true(result == BW_ERR_FORMAT || (result == BW_OK && sb->warnings.n == 1));
	assert_int_equal(sb->npkgs, 0);
	sbom_free(sb);

	/* not a hash database */
	sb = sbom_new();
	b.data[12] = 0x62;
	assert_int_equal(sbom_parse_rpm_bdb(sb, b.data, b.len, "Packages", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "magic"));
	b.data[12] = 0x61;
	sbom_free(sb);

	/* a hash page whose item offsets point outside the page */
	sb = sbom_new();
	b.data[2 * 4096 + 26] = 0xff;
	b.data[2 * 4096 + 27] = 0xff;
	assert_int_equal(sbom_parse_rpm_bdb(sb, b.data, b.len, "Packages", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "page 2"));
	sbom_free(sb);
	bw_buf_release(&b);
}

/* ---- SQLite --------------------------------------------------------------- */

static void test_sqlite_mariner(void **state)
{
	struct bw_buf b = read_fixture("cbl-mariner-2.0/rpmdb.sqlite");
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = { { 0 } };
	struct bw_strv ours = { 0 }, want = { 0 };
	char *path = bw_strfmt("%s/cbl-mariner-2.0/names-from-sqlite-Name-index.txt", FIXTURES);
	FILE *f = fopen(path, "r");
	char line[512];
	const struct sbom_pkg *curl;

	assert_int_equal(sbom_parse_rpm_sqlite(sb, b.data, b.len, "var/lib/rpm/rpmdb.sqlite",
					       NULL, &eb), BW_OK);
	assert_int_equal(sb->warnings.n, 0);
	/* 129 rows in Packages; the names are the keys of the db's own Name
	 * index (read by Python's sqlite3, see SOURCE.txt) */
	assert_int_equal(sb->npkgs, 129);
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			assert_int_equal(bw_strv_push(&want, line), BW_OK);
	}
	fclose(f);
	for (size_t i = 0; i < sb->npkgs; i++)
		assert_int_equal(bw_strv_push(&ours, sb->pkgs[i].name), BW_OK);
	bw_strv_sort(&ours);
	bw_strv_sort(&want);
	assert_int_equal(ours.n, want.n);
	for (size_t i = 0; i < ours.n; i++)
		assert_string_equal(ours.v[i], want.v[i]);
	/* go-rpmdb's assertion for this db: curl, field by field */
	curl = find_pkg(sb, "curl");
	assert_non_null(curl);
	assert_string_equal(curl->version, "7.76.0-6.cm2");
	assert_null(curl->epoch);
	assert_string_equal(curl->arch, "x86_64");
	assert_string_equal(curl->licenses.v[0], "MIT");
	assert_string_equal(curl->source_name, "curl");
	assert_string_equal(curl->source_version, "7.76.0-6.cm2");
	bw_strv_release(&ours);
	bw_strv_release(&want);
	free(path);
	sbom_free(sb);
	bw_buf_release(&b);
}

/* Build an SQLite database in memory with the statements given and return
 * its serialized bytes (sqlite3_free them). */
static unsigned char *make_sqlite(const char *sql, const unsigned char *blob, size_t bloblen,
				  sqlite3_int64 *size)
{
	sqlite3 *db;
	unsigned char *out;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	if (blob) {
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES (?)",
						    -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_bind_blob(st, 1, blob, (int)bloblen, SQLITE_STATIC),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	out = sqlite3_serialize(db, "main", size, 0);
	assert_non_null(out);
	sqlite3_close(db);
	return out;
}

static void test_sqlite_hostile(void **state)
{
	unsigned char blob[1024];
	size_t n = build_header(blob, sizeof(blob), full_pkg, 7);
	sqlite3_int64 size;
	unsigned char *db;
	struct sbom *sb;
	struct bw_errbuf eb = { { 0 } };
	uint64_t t0;

	/* rpm's schema, one good header and one garbage blob: the package
	 * is read, the garbage record skipped with a warning naming it */
	db = make_sqlite("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, "
			 "blob BLOB NOT NULL);"
			 "INSERT INTO Packages(blob) VALUES (x'00000001deadbeef');",
			 blob, n, &size);
	sb = sbom_new();
	assert_int_equal(sbom_parse_rpm_sqlite(sb, (const char *)db, (size_t)size, "rpmdb.sqlite",
					       NULL, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 1);
	assert_string_equal(sb->pkgs[0].version, "2:1.0-3.el9");
	assert_int_equal(sb->warnings.n, 1);
	assert_non_null(strstr(sb->warnings.v[0], "rpmdb.sqlite: record 1: header:"));
	sbom_free(sb);
	sqlite3_free(db);

	/* Packages as an endless recursive view: refused (views are off and
	 * it is no table), and quickly */
	db = make_sqlite("CREATE VIEW Packages AS WITH RECURSIVE c(hnum, blob) AS "
			 "(SELECT 1, x'00' UNION ALL SELECT hnum + 1, blob FROM c) "
			 "SELECT hnum, blob FROM c;",
			 NULL, 0, &size);
	sb = sbom_new();
	t0 = bw_time_mono_ns();
	assert_int_equal(sbom_parse_rpm_sqlite(sb, (const char *)db, (size_t)size, "rpmdb.sqlite",
					       NULL, &eb), BW_ERR_FORMAT);
	assert_true(bw_time_mono_ns() - t0 < 2000000000ull);
	assert_non_null(strstr(eb.msg, "no Packages table"));
	sbom_free(sb);
	sqlite3_free(db);

	/* no Packages table at all */
	db = make_sqlite("CREATE TABLE Other (x);", NULL, 0, &size);
	sb = sbom_new();
	assert_int_equal(sbom_parse_rpm_sqlite(sb, (const char *)db, (size_t)size, "rpmdb.sqlite",
					       NULL, &eb), BW_ERR_FORMAT);
	sbom_free(sb);
	sqlite3_free(db);

	/* SQLite magic followed by garbage */
	{
		unsigned char junk[4096];

		memset(junk, 0xa5, sizeof(junk));
		memcpy(junk, "SQLite format 3", 16);
		sb = sbom_new();
		assert_int_equal(sbom_parse_rpm_sqlite(sb, (const char *)junk, sizeof(junk),
						       "rpmdb.sqlite", NULL, &eb), BW_ERR_FORMAT);
		assert_int_equal(sb->npkgs, 0);
		sbom_free(sb);
		sb = sbom_new();
		assert_int_equal(sbom_parse_rpm_sqlite(sb, (const char *)junk, 50, "rpmdb.sqlite",
						       NULL, &eb), BW_ERR_FORMAT);
		sbom_free(sb);
	}
}

/* ---- against rpm itself --------------------------------------------------- */

static bool have_rpm(void)
{
	const char *argv[] = { "rpm", "--version", NULL };
	struct bw_buf out;
	int status = -1;

	bw_buf_init(&out, 4096);
	if (bw_run(argv, NULL, 0, &out, &status, NULL) != BW_OK)
		status = -1;
	bw_buf_release(&out);
	return status == 0;
}

/* `rpm -qa` on a copy of fixture dir `dir` (rpm wants to write lock and
 * WAL files next to the db), backend as given; lines sorted. */
static char *rpm_qa_qf(const char *dir, const char *file, const char *backend, const char *qf);

static char *rpm_qa(const char *dir, const char *file, const char *backend)
{
	return rpm_qa_qf(dir, file, backend, "%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n");
}

/* The same with rpm's --qf format qf. */
static char *rpm_qa_qf(const char *dir, const char *file, const char *backend, const char *qf)
{
	char tmpl[] = "/tmp/bw-rpmqa.XXXXXX";
	char *tmp = mkdtemp(tmpl), *src, *dst, *dbpath, *define;
	struct bw_buf data, out;
	struct bw_errbuf eb = { { 0 } };
	struct bw_strv lines = { 0 };
	FILE *f;
	int status = -1;
	char *save = NULL, *line;

	assert_non_null(tmp);
	src = bw_strfmt("%s/%s/%s", FIXTURES, dir, file);
	dst = bw_strfmt("%s/%s", tmp, file);
	bw_buf_init(&data, (size_t)64 * 1024 * 1024);
	assert_int_equal(bw_buf_read_file(&data, src, &eb), BW_OK);
	f = fopen(dst, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data.data, 1, data.len, f), data.len);
	fclose(f);
	dbpath = bw_strfmt("--dbpath=%s", tmp);
	define = bw_strfmt("_db_backend %s", backend);
	{
		const char *argv[] = { "rpm",	       "--define",
				       define,	       dbpath,
				       "-qa",	       "--qf",
				       qf,	       NULL };

		bw_buf_init(&out, (size_t)16 * 1024 * 1024);
		assert_int_equal(bw_run(argv, NULL, 0, &out, &status, &eb), BW_OK);
		assert_int_equal(status, 0);
	}
	assert_non_null(out.data); /* rpm printed something */
	for (line = strtok_r(out.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_int_equal(bw_strv_push(&lines, line), BW_OK);
	bw_strv_sort(&lines);
	bw_buf_reset(&out);
	for (size_t i = 0; i < lines.n; i++)
		assert_int_equal(bw_buf_appendf(&out, "%s\n", lines.v[i]), BW_OK);
	{
		/* clean the copy (and anything rpm created beside it) */
		const char *argv[] = { "rm", "-rf", tmp, NULL };
		struct bw_buf ignored;

		bw_buf_init(&ignored, 4096);
		(void)bw_run(argv, NULL, 0, &ignored, &status, NULL);
		bw_buf_release(&ignored);
	}
	bw_strv_release(&lines);
	bw_buf_release(&data);
	free(src);
	free(dst);
	free(dbpath);
	free(define);
	return bw_buf_detach(&out, NULL);
}

static void test_against_rpm_qa(void **state)
{
	struct bw_errbuf eb = { { 0 } };
	struct sbom *sb;
	struct bw_buf b;
	char *want, *got;

	if (!have_rpm()) {
		skip();
		return;
	}
	/* SQLite: all 129 packages, epochs included (ca-certificates-* 1:) */
	b = read_fixture("cbl-mariner-2.0/rpmdb.sqlite");
	sb = sbom_new();
	assert_int_equal(sbom_parse_rpm_sqlite(sb, b.data, b.len, "rpmdb.sqlite", NULL, &eb),
			 BW_OK);
	want = rpm_qa("cbl-mariner-2.0", "rpmdb.sqlite", "sqlite");
	/* rpm really listed them (not two empty lists) */
	assert_non_null(strstr(want, "\ncurl\t(none):7.76.0-6.cm2\tx86_64\n"));
	assert_non_null(strstr(want, "\nca-certificates-base\t1:2.0.0-1.cm2\tnoarch\n"));
	got = sbom_listing(sb);
	assert_string_equal(got, want);
	free(want);
	free(got);
	sbom_free(sb);
	bw_buf_release(&b);

	/* Berkeley DB through rpm's bdb_ro backend */
	b = read_fixture("libuuid/Packages");
	sb = sbom_new();
	assert_int_equal(sbom_parse_rpm_bdb(sb, b.data, b.len, "Packages", NULL, &eb), BW_OK);
	want = rpm_qa("libuuid", "Packages", "bdb_ro");
	assert_string_equal(want, "libuuid\t(none):2.32.1-42.el8_8\tx86_64\n");
	got = sbom_listing(sb);
	assert_string_equal(got, want);
	free(want);
	free(got);
	sbom_free(sb);
	bw_buf_release(&b);
}

/* ---- file lists for ownership ------------------------------------------- */

static void add_lang_at(struct sbom *sb, const char *path)
{
	struct sbom_pkg p = {.type = SBOM_PKG_GOLANG};

	p.name = bw_strdup("stdlib");
	p.version = bw_strdup("1");
	p.found_path = bw_strdup(path);
	assert_int_equal(sbom_add(sb, &p), BW_OK);
}

/* Every file rpm lists for the CBL-Mariner database (rpm -qa
 * --qf '[%{FILENAMES}\t%{=NAME}\n]'): a language package at that path is
 * owned by one of the packages rpm names for it. */
static void test_rpm_owners_vs_rpm(void **state)
{
	struct bw_buf b;
	struct sbom *sb;
	struct sbom_owner_index *ix;
	struct bw_strv pairs = {0};
	char *listing, *save = NULL, *line;
	size_t nfiles;

	(void)state;
	if (!have_rpm()) {
		skip();
		return;
	}
	listing = rpm_qa_qf("cbl-mariner-2.0", "rpmdb.sqlite", "sqlite", "[%{FILENAMES}\\t%{=NAME}\\n]");
	b = read_fixture("cbl-mariner-2.0/rpmdb.sqlite");
	sb = sbom_new();
	for (line = strtok_r(listing, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		assert_non_null(tab);
		if (line[0] != '/')
			continue; /* "(none)": a package without files */
		assert_int_equal(bw_strv_push(&pairs, line + 1), BW_OK);
		*tab = '\0';
		/* one language package per path (a repeat right after is skipped) */
		if (sb->npkgs == 0 || strcmp(sb->pkgs[sb->npkgs - 1].found_path, line + 1) != 0)
			add_lang_at(sb, line + 1);
	}
	nfiles = sb->npkgs;
	/* rpm really listed files */
	assert_true(nfiles > 1000);
	add_lang_at(sb, "usr/local/bin/not-from-rpm");
	assert_int_equal(sbom_owner_index_new(sb, &ix), BW_OK);
	assert_int_equal(sbom_owners_from_rpm_db(ix, b.data, b.len, "var/lib/rpm/rpmdb.sqlite"),
			 BW_OK);
	sbom_owner_index_free(ix);
	bw_strv_sort(&pairs);
	for (size_t i = 0; i < nfiles; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];
		char *pair;

		if (!p->owner)
			fail_msg("/%s: no owner, rpm lists it", p->found_path);
		assert_int_equal(p->owner_type, SBOM_PKG_RPM);
		pair = bw_strfmt("%s\t%s", p->found_path, p->owner);
		if (!bw_strv_contains(&pairs, pair))
			fail_msg("/%s: owner %s, not one rpm names", p->found_path, p->owner);
		free(pair);
	}
	assert_null(sb->pkgs[nfiles].owner);
	bw_strv_release(&pairs);
	free(listing);
	sbom_free(sb);
	bw_buf_release(&b);
}

/* A header with file lists laid out by hand: entries given as raw data
 * with their type and count. */
struct raw_entry {
	uint32_t tag, type, count;
	const char *data;
	size_t len;
};

static size_t build_raw_header(unsigned char *out, size_t cap, const struct raw_entry *e,
			       size_t ne)
{
	size_t dl = 0, hdr = 8 + 16 * ne;

	for (size_t i = 0; i < ne; i++) {
		if (e[i].type == T_INT32)
			while (dl % 4)
				out[hdr + dl++] = 0;
		assert_true(hdr + dl + e[i].len <= cap);
		memcpy(out + hdr + dl, e[i].data, e[i].len);
		put_be32(out + 8 + 16 * i, e[i].tag);
		put_be32(out + 8 + 16 * i + 4, e[i].type);
		put_be32(out + 8 + 16 * i + 8, (uint32_t)dl);
		put_be32(out + 8 + 16 * i + 12, e[i].count);
		dl += e[i].len;
	}
	put_be32(out, (uint32_t)ne);
	put_be32(out + 4, (uint32_t)dl);
	return hdr + dl;
}

struct files_seen {
	struct bw_strv v;
};

static enum bw_err note_file(void *ctx, const char *name, const char *dir, size_t dl,
			     const char *base, size_t bl)
{
	struct files_seen *fs = ctx;

	return bw_strv_push_owned(&fs->v, bw_strfmt("%s:%.*s%.*s", name, (int)dl, dir, (int)bl,
						    base));
}

/* Hand-worked: dirs ["/usr/bin/", "/usr/lib/python3.9/site-packages/d-1.0.dist-info/"],
 * bases ["gotool", "METADATA", "RECORD"], indexes [0, 1, 1] ->
 * /usr/bin/gotool, .../METADATA, .../RECORD. A directory index past the
 * dirnames is an error; OLDFILENAMES (rpm 3) lists whole paths. */
static void test_rpm_header_files(void **state)
{
	static const char dirs[] = "/usr/bin/\0/usr/lib/python3.9/site-packages/d-1.0.dist-info/";
	static const char bases[] = "gotool\0METADATA\0RECORD";
	static const char idx[] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1};
	static const char bad_idx[] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2};
	static const char old[] = "/opt/a\0/opt/b";
	struct raw_entry e[] = {
		{1000, T_STRING, 1, "py3-d", 6},
		{1116, T_INT32, 3, idx, sizeof(idx)},
		{1117, T_STRING_ARRAY, 3, bases, sizeof(bases)},
		{1118, T_STRING_ARRAY, 2, dirs, sizeof(dirs)},
	};
	struct raw_entry o[] = {
		{1000, T_STRING, 1, "old", 4},
		{1027, T_STRING_ARRAY, 2, old, sizeof(old)},
	};
	unsigned char blob[1024];
	struct files_seen seen = {{0}};
	struct bw_errbuf eb = {{0}};
	size_t n;

	(void)state;
	n = build_raw_header(blob, sizeof(blob), e, 4);
	assert_int_equal(sbom_rpm_header_files(blob, n, note_file, &seen, &eb), BW_OK);
	assert_int_equal(seen.v.n, 3);
	assert_string_equal(seen.v.v[0], "py3-d:/usr/bin/gotool");
	assert_string_equal(seen.v.v[1],
			    "py3-d:/usr/lib/python3.9/site-packages/d-1.0.dist-info/METADATA");
	assert_string_equal(seen.v.v[2],
			    "py3-d:/usr/lib/python3.9/site-packages/d-1.0.dist-info/RECORD");
	bw_strv_release(&seen.v);
	e[1].data = bad_idx;
	n = build_raw_header(blob, sizeof(blob), e, 4);
	assert_int_equal(sbom_rpm_header_files(blob, n, note_file, &seen, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "directory index 2 of 2"));
	bw_strv_release(&seen.v);
	/* DIRNAMES (last in the data store) claims 3 strings but holds 2 */
	e[1].data = idx;
	e[3].count = 3;
	n = build_raw_header(blob, sizeof(blob), e, 4);
	assert_int_equal(sbom_rpm_header_files(blob, n, note_file, &seen, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "runs past the data store"));
	bw_strv_release(&seen.v);
	n = build_raw_header(blob, sizeof(blob), o, 2);
	assert_int_equal(sbom_rpm_header_files(blob, n, note_file, &seen, &eb), BW_OK);
	assert_int_equal(seen.v.n, 2);
	assert_string_equal(seen.v.v[0], "old:/opt/a");
	assert_string_equal(seen.v.v[1], "old:/opt/b");
	bw_strv_release(&seen.v);
}

/* ---- deterministic mutations -------------------------------------------- */

typedef enum bw_err (*parse_fn)(struct sbom *, const char *, size_t, const char *, const char *,
				struct bw_errbuf *);

static enum bw_err parse_header_bytes(struct sbom *sb, const char *d, size_t n, const char *path,
				      const char *layer, struct bw_errbuf *eb)
{
	return sbom_parse_rpm_header(sb, (const unsigned char *)d, n, path, layer, eb);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Damage a small real database (the fuzz seeds) in 300 seeded ways: flipped
 * bytes, overwritten 32-bit fields, truncation. Each run must end in a
 * result, never a crash (ASan/UBSan build), and whatever packages come out
 * must be whole. The fuzz targets do this at length; this keeps a fixed
 * sample in every unit-test run. */
static void mutate_and_parse(const char *seed, parse_fn parse)
{
	char *path = bw_strfmt("%s/tests/fuzz/corpus/%s", BW_SOURCE_ROOT, seed);
	struct bw_buf orig;
	struct bw_errbuf eb = { { 0 } };
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char *copy;

	bw_buf_init(&orig, (size_t)4 * 1024 * 1024);
	if (bw_buf_read_file(&orig, path, &eb) != BW_OK)
		fail_msg("cannot read %s: %s", path, eb.msg);
	copy = malloc(orig.len);
	assert_non_null(copy);
	for (int round = 0; round < 300; round++) {
		struct sbom *sb = sbom_new();
		size_t n = orig.len;
		int edits = 1 + (int)(xorshift(&rng) % 8);

		memcpy(copy, orig.data, orig.len);
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)(xorshift(&rng) % orig.len);
			uint64_t r = xorshift(&rng);

			if (r % 3 == 0 && at + 4 <= orig.len)
				memcpy(copy + at, &r, 4); /* a wild 32-bit field */
			else
				copy[at] = (char)(copy[at] ^ (1 + r % 255));
		}
		if (xorshift(&rng) % 5 == 0)
			n = (size_t)(xorshift(&rng) % orig.len);
		(void)parse(sb, copy, n, seed, NULL, &eb);
		for (size_t i = 0; i < sb->npkgs; i++) {
			assert_non_null(sb->pkgs[i].name);
			assert_true(sb->pkgs[i].name[0] != '\0');
			assert_non_null(sb->pkgs[i].version);
		}
		sbom_free(sb);
	}
	free(copy);
	free(path);
	bw_buf_release(&orig);
}

static void test_mutations(void **state)
{
	mutate_and_parse("sbom_rpm_header/blob.bin", parse_header_bytes);
	mutate_and_parse("sbom_rpm_bdb/two-headers-512.db", sbom_parse_rpm_bdb);
	mutate_and_parse("sbom_rpm_ndb/sle15-two-packages.db", sbom_parse_rpm_ndb);
	mutate_and_parse("sbom_rpm_sqlite/mariner-two-packages-wal.sqlite", sbom_parse_rpm_sqlite);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_handmade),
		cmocka_unit_test(test_header_no_epoch_dribble_latin1),
		cmocka_unit_test(test_header_hostile),
		cmocka_unit_test(test_header_blob_fixture),
		cmocka_unit_test(test_ndb_sle15),
		cmocka_unit_test(test_ndb_corrupt),
		cmocka_unit_test(test_bdb_libuuid),
		cmocka_unit_test(test_bdb_big_endian),
		cmocka_unit_test(test_bdb_corrupt),
		cmocka_unit_test(test_sqlite_mariner),
		cmocka_unit_test(test_sqlite_hostile),
		cmocka_unit_test(test_against_rpm_qa),
		cmocka_unit_test(test_rpm_owners_vs_rpm),
		cmocka_unit_test(test_rpm_header_files),
		cmocka_unit_test(test_mutations),
	};

	/* skipped records are also logged to stderr; the tests read them
	 * from sb->warnings */
	bw_log_set_level(BW_LOG_ERROR);
	return cmocka_run_group_tests_name("sbom_rpm", tests, NULL, NULL);
}

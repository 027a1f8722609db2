/* test_sbom_model.c - the package model: sbom_new/add/sort/warn/free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

static void add(struct sbom *sb, enum sbom_pkg_type t, const char *name, const char *ver,
		const char *arch)
{
	struct sbom_pkg p = {.type = t,
			     .name = bw_strdup(name),
			     .version = bw_strdup(ver),
			     .arch = bw_strdup(arch)};

	assert_int_equal(bw_strv_push(&p.licenses, "MIT"), BW_OK);
	assert_int_equal(sbom_add(sb, &p), BW_OK);
	/* ownership moved: the caller's struct is zeroed */
	assert_null(p.name);
	assert_null(p.licenses.v);
}

static void test_new_add_sort(void **state)
{
	struct sbom *sb = sbom_new();

	assert_non_null(sb);
	assert_string_equal(sb->tool_name, "bulwark");
	assert_string_equal(sb->tool_version, bw_version());
	assert_int_equal(sb->npkgs, 0);
	add(sb, SBOM_PKG_RPM, "bash", "5.1-1", "x86_64");
	add(sb, SBOM_PKG_DEB, "zlib1g", "1:1.2.13", "amd64");
	add(sb, SBOM_PKG_DEB, "libc6", "2.36-9", "i386");
	add(sb, SBOM_PKG_DEB, "libc6", "2.36-9", "amd64");
	add(sb, SBOM_PKG_APK, "musl", "1.2.4-r2", NULL);
	assert_int_equal(sb->npkgs, 5);
	sbom_sort(sb);
	/* by type (enum order deb, apk, rpm), then name, version, arch (NULL first) */
	assert_string_equal(sb->pkgs[0].name, "libc6");
	assert_string_equal(sb->pkgs[0].arch, "amd64");
	assert_string_equal(sb->pkgs[1].name, "libc6");
	assert_string_equal(sb->pkgs[1].arch, "i386");
	assert_string_equal(sb->pkgs[2].name, "zlib1g");
	assert_string_equal(sb->pkgs[3].name, "musl");
	assert_string_equal(sb->pkgs[4].name, "bash");
	sbom_free(sb);
	sbom_free(NULL);
	sbom_sort(NULL);
	sbom_pkg_release(NULL);
}

static void test_many_packages(void **state)
{
	struct sbom *sb = sbom_new();
	char name[32];

	/* growth keeps every entry */
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "p%05d", 4999 - i);
		add(sb, SBOM_PKG_DEB, name, "1", "all");
	}
	sbom_sort(sb);
	assert_int_equal(sb->npkgs, 5000);
	assert_string_equal(sb->pkgs[0].name, "p00000");
	assert_string_equal(sb->pkgs[4999].name, "p04999");
	sbom_free(sb);
}

static void test_warn(void **state)
{
	struct sbom *sb = sbom_new();

	sbom_warn(sb, "%s: line %d: bad", "var/lib/dpkg/status", 3);
	assert_int_equal(sb->warnings.n, 1);
	assert_string_equal(sb->warnings.v[0], "var/lib/dpkg/status: line 3: bad");
	/* bounded: a hostile image cannot grow the list without end */
	for (int i = 0; i < 20000; i++)
		sbom_warn(sb, "w%d", i);
	assert_true(sb->warnings.n <= 10000);
	assert_string_equal(sb->warnings.v[sb->warnings.n - 1],
			    "too many warnings; the rest are not recorded");
	sbom_warn(NULL, "x");
	sbom_free(sb);
}

static void test_type_names(void **state)
{
	/* purl types (purl-spec PURL-TYPES) */
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_DEB), "deb");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_APK), "apk");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_RPM), "rpm");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_NPM), "npm");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_PYPI), "pypi");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_GOLANG), "golang");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_MAVEN), "maven");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_GEM), "gem");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_CARGO), "cargo");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_COMPOSER), "composer");
	assert_string_equal(sbom_pkg_type_name(SBOM_PKG_NUGET), "nuget");
	assert_string_equal(sbom_pkg_type_name((enum sbom_pkg_type)99), "unknown");
}


/* Hostile bytes in messages: printable ASCII stays, the rest becomes \xHH
 * (ESC is 0x1b, backslash 0x5c, 0xff stays a byte), cut at max_in with
 * "...", never past the buffer. */
static void test_quote(void **state)
{
	char out[64];

	assert_string_equal(sbom_quote(out, sizeof(out), "ab\x1b[31m\\\xff", 9, 100),
			    "ab\\x1b[31m\\x5c\\xff");
	assert_string_equal(sbom_quote(out, sizeof(out), "abcdef", 6, 3), "abc...");
	assert_string_equal(sbom_quote(out, 5, "abcdefgh", 8, 100), "abcd");
	assert_string_equal(sbom_quote(out, 6, "a\x01", 2, 100), "a\\x01");
	assert_string_equal(sbom_quote(out, 5, "a\x01", 2, 100), "a");
	assert_string_equal(sbom_quote(out, sizeof(out), "", 0, 10), "");
}

static void add_lang(struct sbom *sb, enum sbom_pkg_type t, const char *name, const char *path)
{
	struct sbom_pkg p = {0};

	p.type = t;
	p.name = bw_strdup(name);
	p.version = bw_strdup("1.0");
	p.found_path = bw_strdup(path);
	assert_int_equal(sbom_add(sb, &p), BW_OK);
}

/* dpkg file lists -> owner. Hand-worked: runc.list names /bin/runc, which
 * a merged-/usr image has at usr/bin/runc (tried as "usr/" + path); the
 * war is owned through its outermost archive; a file no list names stays
 * unowned; a deb package is never given an owner; ":amd64" is not part of
 * the package name; a file not ending in .list is not read. */
static void test_owners_from_lists(void **state)
{
	static const char runc[] = "/.\n/bin\n/bin/runc\n/usr/share/doc/runc/copyright\n";
	static const char java[] = "/usr/share/java/app.war\n";
	static const char md5[] = "/usr/lib/other/tool\n";
	const struct sbom_list_file lists[] = {
		{"var/lib/dpkg/info/runc:amd64.list", runc, sizeof(runc) - 1},
		{"var/lib/dpkg/info/libapp-java.list", java, sizeof(java) - 1},
		{"var/lib/dpkg/info/other.md5sums", md5, sizeof(md5) - 1},
	};
	struct sbom *sb = sbom_new();

	(void)state;
	add_lang(sb, SBOM_PKG_GOLANG, "stdlib", "usr/bin/runc");
	add_lang(sb, SBOM_PKG_MAVEN, "g:a", "usr/share/java/app.war!WEB-INF/lib/b.jar");
	add_lang(sb, SBOM_PKG_PYPI, "x", "usr/local/lib/python3.11/x-1.0.dist-info/METADATA");
	add_lang(sb, SBOM_PKG_GOLANG, "tool", "usr/lib/other/tool");
	add_lang(sb, SBOM_PKG_DEB, "runc", "usr/bin/runc");
	assert_int_equal(sbom_owners_from_dpkg_lists(sb, lists, 3), BW_OK);
	assert_string_equal(sb->pkgs[0].owner, "runc");
	assert_string_equal(sb->pkgs[1].owner, "libapp-java");
	assert_null(sb->pkgs[2].owner);
	assert_null(sb->pkgs[3].owner);
	assert_null(sb->pkgs[4].owner);
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_add_sort),
		cmocka_unit_test(test_many_packages),
		cmocka_unit_test(test_warn),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_owners_from_lists),
	};

	return cmocka_run_group_tests_name("sbom_model", tests, NULL, NULL);
}

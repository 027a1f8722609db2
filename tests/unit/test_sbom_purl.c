/* test_sbom_purl.c - package URLs.
 *
 * Expected strings come from the purl-spec test suite
 * (github.com/package-url/purl-spec),
 * the "build" cases), from the Syft fixture's expected PURL (read at run
 * time from expected.tsv) and from hand-worked examples with the reasoning
 * in comments.
 */
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

#define PKGDB BW_SOURCE_ROOT "/../shared/fixtures/pkgdb"

static void check_build(const char *type, const char *ns, const char *name, const char *version,
			const struct sbom_purl_qual *q, size_t nq, const char *want)
{
	char *got = sbom_purl_build(type, ns, name, version, q, nq);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* purl-spec tests/types/{deb,rpm,apk}-test.json, test_type "build" (commit d40a6ae4 for
 * deb, b9830434 for rpm, 3b0b3015 for apk). */
static void test_spec_build_cases(void **state)
{
	check_build("deb", "debian", "curl", "7.50.3-1",
		    (const struct sbom_purl_qual[]){{"arch", "i386"}, {"distro", "jessie"}}, 2,
		    "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie");
	check_build("deb", "debian", "dpkg", "1.19.0.4",
		    (const struct sbom_purl_qual[]){{"arch", "amd64"}, {"distro", "stretch"}}, 2,
		    "pkg:deb/debian/dpkg@1.19.0.4?arch=amd64&distro=stretch");
	check_build("deb", "ubuntu", "dpkg", "1.19.0.4",
		    (const struct sbom_purl_qual[]){{"arch", "amd64"}}, 1,
		    "pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64");
	check_build("deb", "debian", "attr", "1:2.4.47-2",
		    (const struct sbom_purl_qual[]){{"arch", "source"}}, 1,
		    "pkg:deb/debian/attr@1:2.4.47-2?arch=source");
	check_build("deb", "debian", "attr", "1:2.4.47-2+b1",
		    (const struct sbom_purl_qual[]){{"arch", "amd64"}}, 1,
		    "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64");
	check_build("rpm", "fedora", "curl", "7.50.3-1.fc25",
		    (const struct sbom_purl_qual[]){{"arch", "i386"}, {"distro", "fedora-25"}}, 2,
		    "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25");
	/* qualifiers given out of order come out sorted by key */
	check_build("rpm", "fedora", "centerim", "4.22.10-1.el6",
		    (const struct sbom_purl_qual[]){
			    {"arch", "i686"}, {"epoch", "1"}, {"distro", "fedora-25"}},
		    3, "pkg:rpm/fedora/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1");
	/* the "advanced" roundtrip: type and keys are canonically lowercase */
	check_build("Rpm", "fedora", "curl", "7.50.3-1.fc25",
		    (const struct sbom_purl_qual[]){{"Arch", "i386"}, {"Distro", "fedora-25"}}, 2,
		    "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25");
	check_build("apk", "alpine", "curl", "7.83.0-r0",
		    (const struct sbom_purl_qual[]){{"arch", "x86"}}, 1,
		    "pkg:apk/alpine/curl@7.83.0-r0?arch=x86");
	check_build("apk", "alpine", "apk", "2.12.9-r3",
		    (const struct sbom_purl_qual[]){{"arch", "x86"}}, 1,
		    "pkg:apk/alpine/apk@2.12.9-r3?arch=x86");
}

/* Encoding rules (docs/standard/characters-and-encoding.md): alphanumerics,
 * ".-_~" and ':' stay; everything else is %XX with uppercase hex; UTF-8
 * bytes one by one; empty qualifier values are left out. */
static void test_encoding(void **state)
{
	/* ' ' -> %20, '/' -> %2F, '@' -> %40, '?' -> %3F, '#' -> %23, '&' -> %26,
	 * '=' -> %3D, '+' -> %2B; "é" is C3 A9 in UTF-8 */
	check_build("rpm", "x", "a b/c@d", "1?2#3",
		    (const struct sbom_purl_qual[]){{"k", "v&w=x+y"}, {"e", ""}, {"n", NULL}}, 3,
		    "pkg:rpm/x/a%20b%2Fc%40d@1%3F2%233?k=v%26w%3Dx%2By");
	check_build("rpm", NULL, "caf\xc3\xa9", "~1.0_x", NULL, 0, "pkg:rpm/caf%C3%A9@~1.0_x");
	/* deb names are lowercased; rpm names are case-sensitive */
	check_build("deb", "Debian", "LibFoo", "1", NULL, 0, "pkg:deb/debian/libfoo@1");
	check_build("rpm", "Fedora", "LibFoo", "1", NULL, 0, "pkg:rpm/fedora/LibFoo@1");
	/* no version: no '@' */
	check_build("deb", "debian", "x", NULL, NULL, 0, "pkg:deb/debian/x");
	assert_null(sbom_purl_build("deb", "debian", "", "1", NULL, 0));
	assert_null(sbom_purl_build(NULL, "debian", "x", "1", NULL, 0));
}

/* sbom_purl over model packages, worked by hand from the rules in purl.c's
 * header comment. */
static void test_pkg_purls(void **state)
{
	struct sbom_distro deb12 = {.id = "debian", .version_id = "12", .codename = "bookworm"};
	struct sbom_distro alp = {.id = "alpine", .version_id = "3.19.1"};
	struct sbom_distro fed = {.id = "fedora", .version_id = "25"};
	struct sbom_distro sid = {.id = "debian", .codename = "sid"};
	struct sbom_pkg p = {0};
	char *s;

	/* Source with its own version (Trivy's corrupsed fixture, libgcc1):
	 * version 1:5.1.1-12ubuntu1, Source "gcc-5 (5.1.1-12ubuntu1)" ->
	 * upstream=gcc-5@5.1.1-12ubuntu1 with '@' encoded */
	p = (struct sbom_pkg){.type = SBOM_PKG_DEB, .name = "libgcc1", .version = "1:5.1.1-12ubuntu1",
			      .arch = "amd64", .source_name = "gcc-5",
			      .source_version = "5.1.1-12ubuntu1"};
	s = sbom_purl(&p, &deb12);
	assert_string_equal(s, "pkg:deb/debian/libgcc1@1:5.1.1-12ubuntu1?arch=amd64&distro=debian-12&upstream=gcc-5%405.1.1-12ubuntu1");
	free(s);
	/* source equal to the name: no upstream */
	p = (struct sbom_pkg){.type = SBOM_PKG_DEB, .name = "tar", .version = "1.34+dfsg-1",
			      .arch = "amd64", .source_name = "tar", .source_version = "1.34+dfsg-1"};
	s = sbom_purl(&p, &deb12);
	assert_string_equal(s, "pkg:deb/debian/tar@1.34%2Bdfsg-1?arch=amd64&distro=debian-12");
	free(s);
	/* no VERSION_ID (sid): the codename stands in */
	s = sbom_purl(&p, &sid);
	assert_string_equal(s, "pkg:deb/debian/tar@1.34%2Bdfsg-1?arch=amd64&distro=debian-sid");
	free(s);
	/* unknown distro: namespace defaults to debian, no distro qualifier */
	s = sbom_purl(&p, NULL);
	assert_string_equal(s, "pkg:deb/debian/tar@1.34%2Bdfsg-1?arch=amd64");
	free(s);
	/* apk: origin differs from name (Syft fixture alpine/single) */
	p = (struct sbom_pkg){.type = SBOM_PKG_APK, .name = "musl-utils", .version = "1.1.24-r2",
			      .arch = "x86_64", .source_name = "musl", .source_version = "1.1.24-r2"};
	s = sbom_purl(&p, &alp);
	assert_string_equal(s, "pkg:apk/alpine/musl-utils@1.1.24-r2?arch=x86_64&distro=alpine-3.19.1&upstream=musl");
	free(s);
	/* rpm: the epoch leaves the version for the epoch qualifier; this is the
	 * spec's centerim example built from a package */
	p = (struct sbom_pkg){.type = SBOM_PKG_RPM, .name = "centerim", .version = "1:4.22.10-1.el6",
			      .epoch = "1", .release = "1.el6", .arch = "i686"};
	s = sbom_purl(&p, &fed);
	assert_string_equal(s, "pkg:rpm/fedora/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1");
	free(s);
	p.name = NULL;
	assert_null(sbom_purl(&p, &fed));
}

/* Syft's TestDpkgCataloger "image-dpkg": the PURL in expected.tsv's note,
 * built from the fixture's own status and os-release files. */
static void test_syft_fixture_purl(void **state)
{
	struct bw_buf st, osr, tsv;
	struct sbom *sb = sbom_new();
	struct sbom_distro d = {0};
	struct bw_errbuf eb = {{0}};
	const char *want;
	char *s, wantbuf[512];

	bw_buf_init(&st, 1 << 20);
	bw_buf_init(&osr, 1 << 20);
	bw_buf_init(&tsv, 1 << 20);
	assert_int_equal(bw_buf_read_file(&st, PKGDB "/syft/debian/image-dpkg/var/lib/dpkg/status", &eb), BW_OK);
	assert_int_equal(bw_buf_read_file(&osr, PKGDB "/syft/debian/image-dpkg/etc/os-release", &eb), BW_OK);
	assert_int_equal(bw_buf_read_file(&tsv, PKGDB "/syft/expected.tsv", &eb), BW_OK);
	assert_int_equal(sbom_parse_dpkg_status(sb, st.data, st.len, "var/lib/dpkg/status", NULL, &eb), BW_OK);
	assert_int_equal(sbom_parse_os_release(osr.data, osr.len, "etc/os-release", &d, &eb), BW_OK);
	want = strstr(tsv.data, "PURL pkg:");
	assert_non_null(want);
	want += 5;
	snprintf(wantbuf, sizeof(wantbuf), "%.*s", (int)strcspn(want, "; \t\r\n"), want);
	assert_int_equal(sb->npkgs, 1);
	s = sbom_purl(&sb->pkgs[0], &d);
	assert_non_null(s);
	assert_string_equal(s, wantbuf);
	free(s);
	sbom_distro_release(&d);
	sbom_free(sb);
	bw_buf_release(&st);
	bw_buf_release(&osr);
	bw_buf_release(&tsv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_build_cases),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_pkg_purls),
		cmocka_unit_test(test_syft_fixture_purl),
	};

	return cmocka_run_group_tests_name("sbom_purl", tests, NULL, NULL);
}

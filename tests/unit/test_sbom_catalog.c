/* test_sbom_catalog.c - sbom_catalog() end to end over real images:
 *
 *  - dir: roots assembled from the Syft fixtures (expected lists and PURL
 *    read at run time from ../shared/fixtures/pkgdb/syft/expected.tsv);
 *  - a corrupt database next to a good one: a warning naming the file and
 *    the good packages still catalogued;
 *  - the debootstrap Debian 12 rootfs (or a root holding the host's dpkg
 *    database when it is absent) and its docker-archive form, against
 *    dpkg-query --admindir.
 */
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

#include "core/core.h"
#include "image/image.h"
#include "sbom/sbom.h"

#define PKGDB BW_SOURCE_ROOT "/../shared/fixtures/pkgdb"
#define FIXTURES BW_SOURCE_ROOT "/build/fixtures"

static char tmpdir[256];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bw-catalog.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static struct sbom *catalog(const char *reftext)
{
	struct image_ref ref = {0};
	struct image_open_opts oo = {0};
	struct image *img = NULL;
	struct sbom *sb = NULL;
	struct bw_errbuf eb = {{0}};

	if (image_ref_parse(reftext, &ref, &eb) != BW_OK)
		fail_msg("%s: %s", reftext, eb.msg);
	if (image_open(&ref, &oo, &img, &eb) != BW_OK)
		fail_msg("%s: %s", reftext, eb.msg);
	if (sbom_catalog(img, NULL, &sb, &eb) != BW_OK)
		fail_msg("%s: %s", reftext, eb.msg);
	image_free(img);
	image_ref_release(&ref);
	return sb;
}

static const struct sbom_pkg *find(const struct sbom *sb, const char *name)
{
	for (size_t i = 0; i < sb->npkgs; i++)
		if (strcmp(sb->pkgs[i].name, name) == 0)
			return &sb->pkgs[i];
	return NULL;
}

/* The note column of expected.tsv for fixture/name. */
static char *expected_note(const char *fixture, const char *name)
{
	struct bw_buf b;
	char *save = NULL, *line, *out = NULL;

	bw_buf_init(&b, 1 << 20);
	assert_int_equal(bw_buf_read_file(&b, PKGDB "/syft/expected.tsv", NULL), BW_OK);
	for (line = strtok_r(b.data, "\n", &save); line && !out; line = strtok_r(NULL, "\n", &save)) {
		char *f[6] = {0};
		size_t n = 0;

		for (char *p = line; p && n < 6; n++) {
			f[n] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (n == 6 && strcmp(f[0], fixture) == 0 && strcmp(f[1], name) == 0)
			out = bw_strdup(f[5]);
	}
	bw_buf_release(&b);
	assert_non_null(out);
	return out;
}

/* Syft's image-dpkg fixture as a dir: image: the package, its licences
 * from the copyright file and the PURL Syft's test expects. */
static void test_syft_image_dpkg(void **state)
{
	struct sbom *sb = catalog("dir:" PKGDB "/syft/debian/image-dpkg");
	const struct sbom_pkg *p;
	char *note = expected_note("debian/image-dpkg/var/lib/dpkg/status", "libpam-runtime");
	const char *purl = strstr(note, "PURL ");
	char want[512];

	assert_int_equal(sb->npkgs, 1);
	p = &sb->pkgs[0];
	assert_string_equal(p->name, "libpam-runtime");
	assert_string_equal(p->version, "1.1.8-3.6");
	assert_string_equal(p->found_path, "var/lib/dpkg/status");
	assert_null(p->layer_digest); /* dir: has no layers */
	assert_non_null(purl);
	snprintf(want, sizeof(want), "%.*s", (int)strcspn(purl + 5, " ;\t"), purl + 5);
	assert_string_equal(p->purl, want);
	/* note: "licenses from copyright: GPL-1, GPL-2, LGPL-2.1" */
	assert_int_equal(p->licenses.n, 3);
	assert_true(bw_strv_contains(&p->licenses, "GPL-1"));
	assert_true(bw_strv_contains(&p->licenses, "GPL-2"));
	assert_true(bw_strv_contains(&p->licenses, "LGPL-2.1"));
	assert_string_equal(sb->distro.id, "debian");
	assert_string_equal(sb->distro.version_id, "12");
	assert_string_equal(sb->distro.codename, "bookworm");
	assert_string_equal(sb->distro.source_path, "etc/os-release");
	assert_int_equal(sb->warnings.n, 0);
	free(note);
	sbom_free(sb);
}

/* Distroless: status.d/ with a .md5sums file beside the stanza file. */
static void test_syft_distroless(void **state)
{
	struct sbom *sb = catalog("dir:" PKGDB "/syft/debian/image-distroless-deb");
	const struct sbom_pkg *p;

	/* expected.tsv: libsqlite3-0 3.34.1-3 arm64 source sqlite3; licences
	 * public-domain, GPL-2+, GPL-2 */
	assert_int_equal(sb->npkgs, 1);
	p = &sb->pkgs[0];
	assert_string_equal(p->name, "libsqlite3-0");
	assert_string_equal(p->version, "3.34.1-3");
	assert_string_equal(p->arch, "arm64");
	assert_string_equal(p->source_name, "sqlite3");
	assert_string_equal(p->found_path, "var/lib/dpkg/status.d/libsqlite3-0");
	assert_int_equal(p->licenses.n, 3);
	assert_true(bw_strv_contains(&p->licenses, "public-domain"));
	assert_true(bw_strv_contains(&p->licenses, "GPL-2+"));
	assert_true(bw_strv_contains(&p->licenses, "GPL-2"));
	/* no os-release: unknown distro, purl without distro (rules in purl.c) */
	assert_null(sb->distro.id);
	assert_string_equal(p->purl, "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&upstream=sqlite3");
	sbom_free(sb);
}

/* Alpine: the multiple-1 database in an Alpine root. */
static void test_alpine_root(void **state)
{
	struct sbom *sb;
	const struct sbom_pkg *p;

	sh("rm -rf %s/alpine && mkdir -p %s/alpine/lib/apk/db %s/alpine/etc && "
	   "cp %s/syft/alpine/multiple-1/lib/apk/db/installed %s/alpine/lib/apk/db/ && "
	   "printf '3.19.1\\n' > %s/alpine/etc/alpine-release",
	   tmpdir, tmpdir, tmpdir, PKGDB, tmpdir, tmpdir);
	{
		char ref[512];

		snprintf(ref, sizeof(ref), "dir:%s/alpine", tmpdir);
		sb = catalog(ref);
	}
	/* expected.tsv rows for alpine/multiple-1: bash, busybox-binsh, musl, readline */
	assert_int_equal(sb->npkgs, 4);
	assert_non_null(find(sb, "bash"));
	assert_non_null(find(sb, "musl"));
	assert_non_null(find(sb, "readline"));
	p = find(sb, "busybox-binsh");
	assert_non_null(p);
	assert_string_equal(p->version, "1.36.1-r15");
	assert_string_equal(p->source_name, "busybox");
	assert_string_equal(sb->distro.id, "alpine");
	assert_string_equal(sb->distro.source_path, "etc/alpine-release");
	/* purl rules: origin differs from the name -> upstream */
	assert_string_equal(p->purl, "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox");
	sbom_free(sb);
}

/* A corrupt status.d file beside a good one: a warning that names the bad
 * file and line, and the good package still there. */
static void test_corrupt_warns(void **state)
{
	struct sbom *sb;
	char ref[512];
	bool named = false;

	sh("rm -rf %s/bad && mkdir -p %s/bad/var/lib/dpkg/status.d %s/bad/lib/apk/db && "
	   "cp %s/syft/debian/var/lib/dpkg/status.d/corrupt %s/syft/debian/var/lib/dpkg/status.d/single "
	   "%s/bad/var/lib/dpkg/status.d/ && "
	   "cp %s/syft/alpine/corrupt/lib/apk/db/installed %s/bad/lib/apk/db/",
	   tmpdir, tmpdir, tmpdir, PKGDB, PKGDB, tmpdir, PKGDB, tmpdir);
	snprintf(ref, sizeof(ref), "dir:%s/bad", tmpdir);
	sb = catalog(ref);
	/* single: apt 1.8.2; the corrupt apk db's good records still count */
	assert_non_null(find(sb, "apt"));
	assert_string_equal(find(sb, "apt")->version, "1.8.2");
	assert_non_null(find(sb, "alpine-baselayout-data"));
	for (size_t i = 0; i < sb->warnings.n; i++) {
		if (strstr(sb->warnings.v[i], "var/lib/dpkg/status.d/corrupt: line 5"))
			named = true;
	}
	assert_true(named);
	named = false;
	for (size_t i = 0; i < sb->warnings.n; i++)
		if (strstr(sb->warnings.v[i], "lib/apk/db/installed: line 1"))
			named = true;
	assert_true(named);
	sbom_free(sb);
}

static void dpkg_query_rows(const char *admindir, struct bw_strv *out)
{
	char cmd[1024], line[4096];
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "dpkg-query --admindir='%s' -W -f '${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\n'",
		 admindir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "ii \t", 4) != 0 && strncmp(line, "hi \t", 4) != 0)
			continue;
		assert_int_equal(bw_strv_push(out, line + 4), BW_OK);
	}
	assert_int_equal(pclose(p), 0);
}

static void compare_sbom_dpkg(const struct sbom *sb, const char *admindir)
{
	struct bw_strv got = {0}, want = {0};

	dpkg_query_rows(admindir, &want);
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		assert_int_equal(p->type, SBOM_PKG_DEB);
		assert_non_null(p->purl);
		assert_true(bw_str_starts_with(p->purl, "pkg:deb/debian/"));
		bw_strv_push_owned(&got, bw_strfmt("%s\t%s\t%s", p->name, p->version,
						   p->arch ? p->arch : ""));
	}
	bw_strv_sort(&got);
	bw_strv_sort(&want);
	assert_true(want.n > 50);
	for (size_t i = 0; i < got.n || i < want.n; i++) {
		if (i >= got.n || i >= want.n || strcmp(got.v[i], want.v[i]) != 0)
			fail_msg("row %zu: got '%s' want '%s'", i, i < got.n ? got.v[i] : "",
				 i < want.n ? want.v[i] : "");
	}
	bw_strv_release(&got);
	bw_strv_release(&want);
}

/* The Debian 12 rootfs (dir:) and, when built, its docker-archive. */
static void test_debian_rootfs(void **state)
{
	struct stat st;
	struct sbom *sb;
	char ref[512], admindir[512];

	if (stat(FIXTURES "/debian-rootfs/.complete", &st) == 0) {
		snprintf(ref, sizeof(ref), "dir:%s", FIXTURES "/debian-rootfs");
		snprintf(admindir, sizeof(admindir), "%s", FIXTURES "/debian-rootfs/var/lib/dpkg");
	} else {
		/* unit tests run before the integration fixtures are built:
		 * a root holding the host's (Debian) database instead */
		print_message("# debian-rootfs absent: using the host's dpkg database\n");
		sh("rm -rf %s/host && mkdir -p %s/host/var/lib/dpkg %s/host/etc && "
		   "cp /var/lib/dpkg/status %s/host/var/lib/dpkg/ && cp /etc/os-release %s/host/etc/",
		   tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
		snprintf(ref, sizeof(ref), "dir:%s/host", tmpdir);
		snprintf(admindir, sizeof(admindir), "/var/lib/dpkg");
	}
	sb = catalog(ref);
	compare_sbom_dpkg(sb, admindir);
	assert_string_equal(sb->distro.id, "debian");
	assert_string_equal(sb->distro.codename, "bookworm");
	sbom_free(sb);

	if (stat(FIXTURES "/images/debian-docker.tar", &st) != 0 ||
	    stat(FIXTURES "/debian-rootfs/.complete", &st) != 0) {
		print_message("# docker-archive fixture absent: skipped that part\n");
		return;
	}
	sb = catalog("docker-archive:" FIXTURES "/images/debian-docker.tar");
	compare_sbom_dpkg(sb, admindir);
	assert_non_null(sb->image_id);
	assert_true(sb->layer_digests.n >= 1);
	/* every package names a layer of the image */
	for (size_t i = 0; i < sb->npkgs; i++) {
		assert_non_null(sb->pkgs[i].layer_digest);
		assert_true(bw_strv_contains(&sb->layer_digests, sb->pkgs[i].layer_digest));
	}
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syft_image_dpkg),
		cmocka_unit_test(test_syft_distroless),
		cmocka_unit_test(test_alpine_root),
		cmocka_unit_test(test_corrupt_warns),
		cmocka_unit_test(test_debian_rootfs),
	};

	return cmocka_run_group_tests_name("sbom_catalog", tests, setup, teardown);
}

/* test_sbom_distro.c - distro detection.
 *
 * os-release(5) files are shell-compatible assignments, so /bin/sh sourcing
 * the same file is the independent truth for the parser (quoting, escapes,
 * comments). The os-release texts below are the distros' published files
 * (trimmed of URLs that do not matter); fallback files are the distros'
 * one-line release files.
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
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* ---- a directory as the walked file set ---------------------------------- */

struct dir_files {
	const char *root;
	char *bufs[16];
	size_t nbufs;
};

static const char *dir_get(void *ctx, const char *path, size_t *n)
{
	struct dir_files *df = ctx;
	char full[1024];
	struct bw_buf b;

	snprintf(full, sizeof(full), "%s/%s", df->root, path);
	if (access(full, R_OK) != 0 || df->nbufs == 16)
		return NULL;
	bw_buf_init(&b, 1 << 20);
	if (bw_buf_read_file(&b, full, NULL) != BW_OK) {
		bw_buf_release(&b);
		return NULL;
	}
	df->bufs[df->nbufs++] = bw_buf_detach(&b, n);
	return df->bufs[df->nbufs - 1];
}

static void dir_files_release(struct dir_files *df)
{
	for (size_t i = 0; i < df->nbufs; i++)
		free(df->bufs[i]);
	df->nbufs = 0;
}

static char tmpdir[256];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bw-distro.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Fresh root with the given files (path, content pairs, NULL-terminated). */
static void make_root(const char *const *files)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/root && mkdir -p '%s'/root/etc '%s'/root/usr/lib",
		 tmpdir, tmpdir, tmpdir);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; files[i]; i += 2) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/root/%s", tmpdir, files[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(files[i + 1], f);
		fclose(f);
	}
}

static void detect(struct sbom_distro *d)
{
	char root[512];
	struct dir_files df = {.root = root};
	struct sbom_files files = {.get = dir_get, .ctx = &df};

	snprintf(root, sizeof(root), "%s/root", tmpdir);
	assert_int_equal(sbom_distro_from_files(&files, d, NULL), BW_OK);
	dir_files_release(&df);
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want || !*want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* What /bin/sh makes of an os-release file: ID, VERSION_ID,
 * VERSION_CODENAME, PRETTY_NAME, ID_LIKE, UBUNTU_CODENAME, one per line. */
static void sh_truth(const char *file, char out[6][256])
{
	char cmd[1024], line[256];
	FILE *p;
	size_t i = 0;

	snprintf(cmd, sizeof(cmd),
		 "sh -c '. \"$0\"; printf \"%%s\\n\" \"$ID\" \"$VERSION_ID\" \"$VERSION_CODENAME\" "
		 "\"$PRETTY_NAME\" \"$ID_LIKE\" \"$UBUNTU_CODENAME\"' '%s'",
		 file);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (i < 6 && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		bw_strlcpy(out[i++], line, 256);
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(i, 6);
}

/* Parse file with sbom_parse_os_release and compare with sh. */
static void check_against_sh(const char *file)
{
	char truth[6][256];
	struct sbom_distro d = {0};
	struct bw_errbuf eb = {{0}};
	struct bw_buf b;

	sh_truth(file, truth);
	bw_buf_init(&b, 1 << 20);
	assert_int_equal(bw_buf_read_file(&b, file, NULL), BW_OK);
	assert_int_equal(sbom_parse_os_release(b.data, b.len, file, &d, &eb), BW_OK);
	assert_str_or_null(d.id, truth[0]);
	assert_str_or_null(d.version_id, truth[1]);
	/* codename: VERSION_CODENAME, else UBUNTU_CODENAME */
	assert_str_or_null(d.codename, *truth[2] ? truth[2] : truth[5]);
	assert_str_or_null(d.pretty_name, truth[3]);
	assert_str_or_null(d.id_like, truth[4]);
	sbom_distro_release(&d);
	bw_buf_release(&b);
}

static const char alpine_osrel[] = "NAME=\"Alpine Linux\"\n"
				   "ID=alpine\n"
				   "VERSION_ID=3.19.1\n"
				   "PRETTY_NAME=\"Alpine Linux v3.19\"\n"
				   "HOME_URL=\"https://alpinelinux.org/\"\n"
				   "BUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n";

static const char ubuntu_osrel[] = "PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\n"
				   "NAME=\"Ubuntu\"\n"
				   "VERSION_ID=\"22.04\"\n"
				   "VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\n"
				   "VERSION_CODENAME=jammy\n"
				   "ID=ubuntu\n"
				   "ID_LIKE=debian\n"
				   "HOME_URL=\"https://www.ubuntu.com/\"\n"
				   "UBUNTU_CODENAME=jammy\n";

static const char rhel_osrel[] = "NAME=\"Red Hat Enterprise Linux\"\n"
				 "VERSION=\"9.3 (Plow)\"\n"
				 "ID=\"rhel\"\n"
				 "ID_LIKE=\"fedora\"\n"
				 "VERSION_ID=\"9.3\"\n"
				 "PLATFORM_ID=\"platform:el9\"\n"
				 "PRETTY_NAME=\"Red Hat Enterprise Linux 9.3 (Plow)\"\n"
				 "ANSI_COLOR=\"0;31\"\n"
				 "LOGO=\"fedora-logo-icon\"\n"
				 "CPE_NAME=\"cpe:/o:redhat:enterprise_linux:9::baseos\"\n"
				 "REDHAT_SUPPORT_PRODUCT=\"Red Hat Enterprise Linux\"\n"
				 "REDHAT_SUPPORT_PRODUCT_VERSION=\"9.3\"\n";

static const char centos7_osrel[] = "NAME=\"CentOS Linux\"\n"
				    "VERSION=\"7 (Core)\"\n"
				    "ID=\"centos\"\n"
				    "ID_LIKE=\"rhel fedora\"\n"
				    "VERSION_ID=\"7\"\n"
				    "PRETTY_NAME=\"CentOS Linux 7 (Core)\"\n"
				    "ANSI_COLOR=\"0;31\"\n"
				    "CPE_NAME=\"cpe:/o:centos:centos:7\"\n"
				    "HOME_URL=\"https://www.centos.org/\"\n"
				    "BUG_REPORT_URL=\"https://bugs.centos.org/\"\n"
				    "\n"
				    "CENTOS_MANTISBT_PROJECT=\"CentOS-7\"\n"
				    "CENTOS_MANTISBT_PROJECT_VERSION=\"7\"\n"
				    "REDHAT_SUPPORT_PRODUCT=\"centos\"\n"
				    "REDHAT_SUPPORT_PRODUCT_VERSION=\"7\"\n";

/* Debian 8 predates VERSION_CODENAME. */
static const char jessie_osrel[] = "PRETTY_NAME=\"Debian GNU/Linux 8 (jessie)\"\n"
				   "NAME=\"Debian GNU/Linux\"\n"
				   "VERSION_ID=\"8\"\n"
				   "VERSION=\"8 (jessie)\"\n"
				   "ID=debian\n"
				   "HOME_URL=\"http://www.debian.org/\"\n";

/* Hand-written: every quoting form os-release(5) allows. */
static const char tricky_osrel[] = "# a comment\n"
				   "  # an indented comment\n"
				   "\n"
				   "ID='single quoted'\n"
				   "VERSION_ID=1\\ 2\n"
				   "PRETTY_NAME=\"say \\\"hi\\\" \\$HOME \\\\ \\`x\\` \\q\"\n"
				   "ID_LIKE=\"a b\"'c d'e\n"
				   "VERSION_CODENAME=trailing # comment after a space\n";

static void test_osrelease_vs_sh(void **state)
{
	const struct {
		const char *name, *text;
	} cases[] = {
		{"alpine", alpine_osrel}, {"ubuntu", ubuntu_osrel}, {"rhel", rhel_osrel},
		{"centos7", centos7_osrel}, {"jessie", jessie_osrel}, {"tricky", tricky_osrel},
	};
	char path[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", tmpdir, cases[i].name);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(cases[i].text, f);
		fclose(f);
		if (strcmp(cases[i].name, "jessie") == 0)
			continue; /* the codename is derived, checked below */
		check_against_sh(path);
	}
	check_against_sh("/etc/os-release");
	check_against_sh(BW_SOURCE_ROOT
			 "/../shared/fixtures/pkgdb/syft/debian/image-dpkg/etc/os-release");
}

static void expect(const char *const *files, const char *id, const char *ver, const char *code,
		   const char *src)
{
	struct sbom_distro d = {0};

	make_root(files);
	detect(&d);
	assert_str_or_null(d.id, id);
	assert_str_or_null(d.version_id, ver);
	assert_str_or_null(d.codename, code);
	assert_str_or_null(d.source_path, src);
	sbom_distro_release(&d);
}

static void test_detect_os_release(void **state)
{
	/* values as written in the files above */
	expect((const char *const[]){"etc/os-release", alpine_osrel, NULL}, "alpine", "3.19.1",
	       NULL, "etc/os-release");
	expect((const char *const[]){"etc/os-release", ubuntu_osrel, NULL}, "ubuntu", "22.04",
	       "jammy", "etc/os-release");
	expect((const char *const[]){"etc/os-release", rhel_osrel, NULL}, "rhel", "9.3", NULL,
	       "etc/os-release");
	/* CentOS 7 has no VERSION_CODENAME and none is made up */
	expect((const char *const[]){"etc/os-release", centos7_osrel, NULL}, "centos", "7", NULL,
	       "etc/os-release");
	/* Debian 8: codename from VERSION="8 (jessie)" */
	expect((const char *const[]){"etc/os-release", jessie_osrel, NULL}, "debian", "8",
	       "jessie", "etc/os-release");
	/* usr/lib/os-release when etc/ has none (os-release(5)) */
	expect((const char *const[]){"usr/lib/os-release", alpine_osrel, NULL}, "alpine",
	       "3.19.1", NULL, "usr/lib/os-release");
	/* etc/os-release wins over usr/lib/os-release */
	expect((const char *const[]){"etc/os-release", ubuntu_osrel, "usr/lib/os-release",
				     alpine_osrel, NULL},
	       "ubuntu", "22.04", "jammy", "etc/os-release");
	/* Ubuntu 16.04-era file with only UBUNTU_CODENAME */
	expect((const char *const[]){"etc/os-release",
				     "NAME=\"Ubuntu\"\nVERSION_ID=\"16.04\"\nID=ubuntu\n"
				     "UBUNTU_CODENAME=xenial\n",
				     NULL},
	       "ubuntu", "16.04", "xenial", "etc/os-release");
	/* Debian sid os-release has no VERSION_ID; debian_version names it */
	expect((const char *const[]){"etc/os-release",
				     "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n"
				     "NAME=\"Debian GNU/Linux\"\nID=debian\n",
				     "etc/debian_version", "trixie/sid\n", NULL},
	       "debian", NULL, "sid", "etc/os-release");
	/* os-release without ID is ignored in favour of the distro files */
	expect((const char *const[]){"etc/os-release", "NAME=x\n", "etc/alpine-release",
				     "3.18.4\n", NULL},
	       "alpine", "3.18.4", NULL, "etc/alpine-release");
}

static void test_detect_fallbacks(void **state)
{
	/* Debian major version -> codename (debian.org/releases) */
	static const char *const deb[][2] = {
		{"7.11", "wheezy"},   {"8.11", "jessie"},	{"9.13", "stretch"},
		{"10.13", "buster"},  {"11.9", "bullseye"}, {"12.4", "bookworm"},
		{"13.0", "trixie"},
	};
	for (size_t i = 0; i < sizeof(deb) / sizeof(deb[0]); i++) {
		char content[32], major[8];

		snprintf(content, sizeof(content), "%s\n", deb[i][0]);
		snprintf(major, sizeof(major), "%.*s", (int)strcspn(deb[i][0], "."), deb[i][0]);
		expect((const char *const[]){"etc/debian_version", content, NULL}, "debian", major,
		       deb[i][1], "etc/debian_version");
	}
	expect((const char *const[]){"etc/debian_version", "bookworm/sid\n", NULL}, "debian",
	       NULL, "sid", "etc/debian_version");
	expect((const char *const[]){"etc/debian_version", "6.0.10\n", NULL}, "debian", "6",
	       NULL, "etc/debian_version");
	expect((const char *const[]){"etc/alpine-release", "3.19.1\n", NULL}, "alpine", "3.19.1",
	       NULL, "etc/alpine-release");
	/* CentOS 7's os-release says VERSION_ID="7": the major only */
	expect((const char *const[]){"etc/centos-release",
				     "CentOS Linux release 7.9.2009 (Core)\n", NULL},
	       "centos", "7", NULL, "etc/centos-release");
	expect((const char *const[]){"etc/redhat-release",
				     "Red Hat Enterprise Linux release 8.9 (Ootpa)\n", NULL},
	       "rhel", "8.9", NULL, "etc/redhat-release");
	expect((const char *const[]){"etc/fedora-release", "Fedora release 39 (Thirty Nine)\n",
				     NULL},
	       "fedora", "39", NULL, "etc/fedora-release");
	expect((const char *const[]){"etc/system-release", "Amazon Linux release 2 (Karoo)\n",
				     NULL},
	       "amzn", "2", NULL, "etc/system-release");
	expect((const char *const[]){"etc/lsb-release",
				     "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\n"
				     "DISTRIB_CODENAME=focal\n"
				     "DISTRIB_DESCRIPTION=\"Ubuntu 20.04.6 LTS\"\n",
				     NULL},
	       "ubuntu", "20.04", "focal", "etc/lsb-release");
	/* nothing known */
	expect((const char *const[]){NULL}, NULL, NULL, NULL, NULL);
	expect((const char *const[]){"etc/redhat-release", "Something else\n", NULL}, NULL,
	       NULL, NULL, NULL);
}

static void test_osrelease_malformed(void **state)
{
	struct sbom_distro d = {0};
	struct bw_errbuf eb = {{0}};
	const char bad[] = "ID=debian\nthis line has no equals sign\nVERSION_ID=\"12\n";

	/* the error names the file and the first bad line; good lines still count */
	assert_int_equal(sbom_parse_os_release(bad, sizeof(bad) - 1, "etc/os-release", &d, &eb),
			 BW_ERR_FORMAT);
	assert_string_equal(eb.msg, "etc/os-release: line 2: expected KEY=value");
	assert_string_equal(d.id, "debian");
	assert_null(d.version_id); /* unterminated quote: line 3 dropped */
	sbom_distro_release(&d);
	sbom_distro_release(NULL);
	/* an empty file and binary garbage give no distro and no crash */
	assert_int_equal(sbom_parse_os_release("", 0, "x", &d, NULL), BW_OK);
	assert_null(d.id);
	assert_int_equal(sbom_parse_os_release("\0\0=\0", 4, "x", &d, NULL), BW_ERR_FORMAT);
	assert_null(d.id);
	sbom_distro_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osrelease_vs_sh),
		cmocka_unit_test(test_detect_os_release),
		cmocka_unit_test(test_detect_fallbacks),
		cmocka_unit_test(test_osrelease_malformed),
	};

	return cmocka_run_group_tests_name("sbom_distro", tests, setup, teardown);
}

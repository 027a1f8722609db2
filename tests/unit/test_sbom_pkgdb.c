/* test_sbom_pkgdb.c - the dpkg and apk catalogers against independent truth:
 *
 *  - the Syft and Trivy fixtures in ../shared/fixtures/pkgdb, compared with
 *    the expected lists transcribed from their upstream Go tests
 *    (expected.tsv, expected-errors.txt, expected-relationships.tsv), read at
 *    run time;
 *  - the host's /var/lib/dpkg/status against dpkg-query's own listing;
 *  - the debootstrap'ed Debian 12 rootfs (build/fixtures/debian-rootfs)
 *    against dpkg-query --admindir.
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

#define PKGDB BW_SOURCE_ROOT "/../shared/fixtures/pkgdb"
#define ROOTFS BW_SOURCE_ROOT "/build/fixtures/debian-rootfs"

static char *read_all(const char *path, size_t *n)
{
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	char *p;

	bw_buf_init(&b, 256u << 20);
	if (bw_buf_read_file(&b, path, &eb) != BW_OK) {
		print_error("cannot read %s: %s\n", path, eb.msg);
		bw_buf_release(&b);
		return NULL;
	}
	p = bw_buf_detach(&b, n);
	return p;
}

/* Split a TSV line in place into at most max fields. */
static size_t split_tab(char *line, char **f, size_t max)
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
	for (size_t i = n; i < max; i++)
		f[i] = "";
	return n;
}

/* Sort and compare two lists of rows; prints every difference. */
static void compare_rows(struct bw_strv *got, struct bw_strv *want, const char *what)
{
	size_t i = 0, j = 0, diffs = 0;

	bw_strv_sort(got);
	bw_strv_sort(want);
	while (i < got->n || j < want->n) {
		int c = i == got->n ? 1 : j == want->n ? -1 : strcmp(got->v[i], want->v[j]);

		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			print_error("%s: unexpected: %s\n", what, got->v[i++]);
			diffs++;
		} else {
			print_error("%s: missing:    %s\n", what, want->v[j++]);
			diffs++;
		}
	}
	if (diffs)
		fail_msg("%s: %zu differences (got %zu rows, want %zu)", what, diffs, got->n,
			 want->n);
}

static struct sbom *parse_file(const char *rel, bool apk, enum bw_err want_result)
{
	char path[1024];
	size_t n = 0;
	char *data;
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	assert_non_null(sb);
	snprintf(path, sizeof(path), "%s/%s", PKGDB, rel);
	data = read_all(path, &n);
	assert_non_null(data);
	result = apk ? sbom_parse_apk_installed(sb, data, n, rel, "sha256:layer", &eb)
		     : sbom_parse_dpkg_status(sb, data, n, rel, "sha256:layer", &eb);
	if (result != want_result)
		fail_msg("%s: result %d (%s), want %d", rel, result, eb.msg, want_result);
	free(data);
	return sb;
}

/* ---- Syft ------------------------------------------------------------------ */

/* expected.tsv columns: fixture, name, version, arch, source_or_origin, note */
static void syft_check(bool apk)
{
	char *data, *save = NULL, *line, *fixtures[64];
	size_t n, nfix = 0;

	data = read_all(PKGDB "/syft/expected.tsv", &n);
	assert_non_null(data);
	/* the fixtures this cataloger handles, in file order, once each */
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6];
		bool seen = false;

		if (line[0] == '#')
			continue;
		split_tab(line, f, 6);
		if (bw_str_starts_with(f[0], "alpine/") != apk)
			continue;
		for (size_t i = 0; i < nfix; i++)
			seen |= strcmp(fixtures[i], f[0]) == 0;
		if (!seen && nfix < 64)
			fixtures[nfix++] = f[0];
	}
	assert_true(nfix >= 4);
	for (size_t k = 0; k < nfix; k++) {
		struct bw_strv got = {0}, want = {0};
		char *copy, *s2 = NULL, rel[600];
		size_t m;
		struct sbom *sb;

		snprintf(rel, sizeof(rel), "syft/%s", fixtures[k]);
		sb = parse_file(rel, apk, BW_OK);

		for (size_t i = 0; i < sb->npkgs; i++) {
			const struct sbom_pkg *p = &sb->pkgs[i];

			assert_string_equal(p->found_path, rel);
			assert_string_equal(p->layer_digest, "sha256:layer");
			assert_int_equal(p->type, apk ? SBOM_PKG_APK : SBOM_PKG_DEB);
			assert_int_equal(bw_strv_push_owned(
						 &got, bw_strfmt("%s\t%s\t%s\t%s", p->name, p->version,
								 p->arch ? p->arch : "",
								 p->source_name ? p->source_name : "")),
					 BW_OK);
		}
		copy = read_all(PKGDB "/syft/expected.tsv", &m);
		for (line = strtok_r(copy, "\n", &s2); line; line = strtok_r(NULL, "\n", &s2)) {
			char *f[6];

			if (line[0] == '#')
				continue;
			split_tab(line, f, 6);
			if (strcmp(f[0], fixtures[k]) != 0)
				continue;
			assert_int_equal(bw_strv_push_owned(&want, bw_strfmt("%s\t%s\t%s\t%s", f[1],
									     f[2], f[3], f[4])),
					 BW_OK);
			/* licences recorded in the database itself, from the note */
			const char *lic = strstr(f[5], "License=");
			if (lic) {
				char buf[256];

				lic += 8;
				if (*lic == '"')
					snprintf(buf, sizeof(buf), "%.*s",
						 (int)strcspn(lic + 1, "\""), lic + 1);
				else
					snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(lic, ";"),
						 lic);
				for (size_t i = 0; i < sb->npkgs; i++) {
					if (strcmp(sb->pkgs[i].name, f[1]) != 0)
						continue;
					struct bw_buf b;

					bw_buf_init(&b, 1024);
					for (size_t l = 0; l < sb->pkgs[i].licenses.n; l++)
						bw_buf_appendf(&b, "%s%s", l ? " " : "",
							       sb->pkgs[i].licenses.v[l]);
					assert_string_equal(b.len ? b.data : "", buf);
					bw_buf_release(&b);
				}
			}
		}
		compare_rows(&got, &want, fixtures[k]);
		bw_strv_release(&got);
		bw_strv_release(&want);
		free(copy);
		sbom_free(sb);
	}
	free(data);
}

static void test_syft_dpkg(void **state)
{
	syft_check(false);
}

static void test_syft_apk(void **state)
{
	syft_check(true);
}

/* Licence lists from the notes: "licenses MIT, BSD, GPL2+; ..." (apk, the
 * database's L: field) and "licenses from copyright: GPL-1, GPL-2, ..."
 * (dpkg, the DEP-5 copyright file). Compared as sets. */
static void note_licenses(const char *note, const char *marker, struct bw_strv *out)
{
	const char *p = strstr(note, marker);
	size_t end;

	assert_non_null(p);
	p += strlen(marker);
	end = strcspn(p, ";");
	while (end) {
		size_t l = strcspn(p, ",;");

		if (l > end)
			l = end;
		char *s = bw_strndup(p, l);
		assert_int_equal(bw_strv_push_owned(out, bw_strdup(bw_str_trim(s))), BW_OK);
		free(s);
		p += l;
		end -= l;
		if (end && *p == ',') {
			p++;
			end--;
		}
	}
}

static void test_syft_licenses(void **state)
{
	static const struct {
		const char *fixture, *file, *marker;
		bool apk;
	} cases[] = {
		{"debian/image-dpkg/var/lib/dpkg/status",
		 "debian/image-dpkg/usr/share/doc/libpam-runtime/copyright",
		 "licenses from copyright: ", false},
		{"debian/image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0",
		 "debian/image-distroless-deb/usr/share/doc/libsqlite3-0/copyright",
		 "licenses from copyright: ", false},
		{"alpine/single", NULL, "licenses ", true},
		{"alpine/base", NULL, "license ", true},
		{"alpine/empty-deps-and-provides", NULL, "license ", true},
	};
	char *data, *save = NULL, *line;
	size_t n, checked = 0;

	data = read_all(PKGDB "/syft/expected.tsv", &n);
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6];

		split_tab(line, f, 6);
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			struct bw_strv want = {0}, got = {0};

			if (strcmp(f[0], cases[c].fixture) != 0)
				continue;
			note_licenses(f[5], cases[c].marker, &want);
			if (cases[c].file) {
				char path[1024];
				char *cp;
				size_t cn;

				snprintf(path, sizeof(path), "%s/syft/%s", PKGDB, cases[c].file);
				cp = read_all(path, &cn);
				assert_non_null(cp);
				assert_int_equal(sbom_dpkg_copyright_licenses(cp, cn, &got), BW_OK);
				free(cp);
			} else {
				char rel[256];
				struct sbom *sb;

				snprintf(rel, sizeof(rel), "syft/%s", cases[c].fixture);
				sb = parse_file(rel, true, BW_OK);
				assert_int_equal(sb->npkgs, 1);
				for (size_t l = 0; l < sb->pkgs[0].licenses.n; l++)
					bw_strv_push(&got, sb->pkgs[0].licenses.v[l]);
				sbom_free(sb);
			}
			compare_rows(&got, &want, cases[c].fixture);
			bw_strv_release(&want);
			bw_strv_release(&got);
			checked++;
		}
	}
	assert_int_equal(checked, sizeof(cases) / sizeof(cases[0]));
	free(data);
}

/* expected-errors.txt: the fixtures upstream expects to fail. */
static void test_syft_corrupt(void **state)
{
	static const struct {
		const char *rel;
		bool apk;
	} cases[] = {
		{"syft/debian/var/lib/dpkg/status.d/corrupt", false},
		{"syft/alpine/corrupt/lib/apk/db/installed", true},
	};
	char *errs;
	size_t n;

	errs = read_all(PKGDB "/syft/expected-errors.txt", &n);
	assert_non_null(errs);
	for (size_t c = 0; c < 2; c++) {
		char path[1024];
		struct bw_errbuf eb = {{0}};
		struct sbom *sb = sbom_new();
		char *data;
		size_t dn;
		enum bw_err result;

		/* the case is listed by upstream as a failure */
		assert_non_null(strstr(errs, cases[c].rel + 5));
		snprintf(path, sizeof(path), "%s/%s", PKGDB, cases[c].rel);
		data = read_all(path, &dn);
		assert_non_null(data);
		result = cases[c].apk ? sbom_parse_apk_installed(sb, data, dn, cases[c].rel, NULL, &eb)
				      : sbom_parse_dpkg_status(sb, data, dn, cases[c].rel, NULL, &eb);
		assert_int_equal(result, BW_ERR_FORMAT);
		/* the message names the file and a line */
		assert_non_null(strstr(eb.msg, cases[c].rel));
		assert_non_null(strstr(eb.msg, ": line "));
		free(data);
		sbom_free(sb);
	}
	free(errs);
}

/* Every package named in expected-relationships.tsv for a fixture (either
 * column) is catalogued from that fixture. */
static void test_syft_relationship_names(void **state)
{
	char *data, *save = NULL, *line;
	size_t n, checked = 0;
	char last[512] = "";
	struct sbom *sb = NULL;

	data = read_all(PKGDB "/syft/expected-relationships.tsv", &n);
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[3], rel[600];

		if (line[0] == '#')
			continue;
		split_tab(line, f, 3);
		if (strcmp(f[0], last) != 0) {
			sbom_free(sb);
			bw_strlcpy(last, f[0], sizeof(last));
			snprintf(rel, sizeof(rel), "syft/%s", f[0]);
			sb = parse_file(rel, bw_str_starts_with(f[0], "alpine/"), BW_OK);
		}
		for (size_t c = 1; c < 3; c++) {
			bool found = false;

			for (size_t i = 0; i < sb->npkgs && !found; i++)
				found = strcmp(sb->pkgs[i].name, f[c]) == 0;
			if (!found)
				fail_msg("%s: package %s not catalogued", f[0], f[c]);
			checked++;
		}
	}
	sbom_free(sb);
	assert_true(checked >= 100);
	free(data);
}

/* TestExtraFileAttributes: exactly one package from that file. */
static void test_syft_apk_extra_attributes(void **state)
{
	struct sbom *sb = parse_file("syft/alpine/extra-file-attributes", true, BW_OK);

	assert_int_equal(sb->npkgs, 1);
	/* values read from the fixture's P:, V:, A:, o:, L: lines */
	assert_string_equal(sb->pkgs[0].name, "openjdk8-jre");
	assert_string_equal(sb->pkgs[0].version, "8.212.04-r0");
	assert_string_equal(sb->pkgs[0].arch, "x86_64");
	assert_string_equal(sb->pkgs[0].source_name, "openjdk8");
	sbom_free(sb);
}

/* ---- Trivy ---------------------------------------------------------------- */

/* dpkg/expected.tsv columns: fixture, name, full_version, version, release,
 * epoch, arch, src_name, src_version, src_release, src_epoch, ... */
static void test_trivy_dpkg(void **state)
{
	static const char *const fixtures[] = {"valid", "corrupsed", "only-apt",
					       "digest", "md5sums", "third-party"};
	char *data;
	size_t n;

	data = read_all(PKGDB "/trivy/dpkg/expected.tsv", &n);
	assert_non_null(data);
	for (size_t k = 0; k < sizeof(fixtures) / sizeof(fixtures[0]); k++) {
		char rel[256], *copy = bw_strdup(data), *save = NULL, *line;
		struct bw_strv got = {0}, want = {0};
		struct sbom *sb;

		snprintf(rel, sizeof(rel), "trivy/dpkg/%s/var/lib/dpkg/status", fixtures[k]);
		sb = parse_file(rel, false, BW_OK);
		for (size_t i = 0; i < sb->npkgs; i++) {
			const struct sbom_pkg *p = &sb->pkgs[i];

			/* Trivy fills the source from the binary when Source is absent */
			bw_strv_push_owned(&got, bw_strfmt("%s\t%s\t%s\t%s\t%s\t%s", p->name,
							   p->version, p->epoch ? p->epoch : "",
							   p->arch ? p->arch : "",
							   p->source_name ? p->source_name : p->name,
							   p->source_version ? p->source_version
									     : p->version));
		}
		for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *f[13], srcver[512];

			if (line[0] == '#')
				continue;
			split_tab(line, f, 13);
			if (strcmp(f[0], fixtures[k]) != 0)
				continue;
			/* [src_epoch:]src_version[-src_release], as dpkg writes it */
			snprintf(srcver, sizeof(srcver), "%s%s%s%s%s", f[10], *f[10] ? ":" : "", f[8],
				 *f[9] ? "-" : "", f[9]);
			bw_strv_push_owned(&want, bw_strfmt("%s\t%s\t%s\t%s\t%s\t%s", f[1], f[2],
							    f[5], f[6], f[7], srcver));
		}
		assert_true(want.n > 0);
		compare_rows(&got, &want, rel);
		bw_strv_release(&got);
		bw_strv_release(&want);
		free(copy);
		sbom_free(sb);
	}
	free(data);
}

/* apk/expected.tsv columns: name, version, arch, src_name, src_version, ... */
static void test_trivy_apk(void **state)
{
	struct sbom *sb = parse_file("trivy/apk/apk", true, BW_OK);
	struct bw_strv got = {0}, want = {0};
	char *data, *save = NULL, *line;
	size_t n;

	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		bw_strv_push_owned(&got, bw_strfmt("%s\t%s\t%s\t%s\t%s", p->name, p->version,
						   p->arch ? p->arch : "",
						   p->source_name ? p->source_name : "",
						   p->source_version ? p->source_version : ""));
	}
	data = read_all(PKGDB "/trivy/apk/expected.tsv", &n);
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7];

		if (line[0] == '#')
			continue;
		split_tab(line, f, 7);
		bw_strv_push_owned(&want, bw_strfmt("%s\t%s\t%s\t%s\t%s", f[0], f[1], f[2], f[3],
						    f[4]));
	}
	assert_int_equal(want.n, 15); /* SOURCE.txt: 15 packages */
	compare_rows(&got, &want, "trivy/apk/apk");
	bw_strv_release(&got);
	bw_strv_release(&want);
	free(data);
	sbom_free(sb);
}

/* ---- real dpkg databases against dpkg-query ------------------------------- */

static void compare_with_dpkg_query(const char *status_path, const char *admindir)
{
	char cmd[2048], linebuf[4096];
	struct bw_strv got = {0}, want = {0};
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	FILE *p;
	char *data;
	size_t n;

	data = read_all(status_path, &n);
	assert_non_null(data);
	if (sbom_parse_dpkg_status(sb, data, n, "var/lib/dpkg/status", NULL, &eb) != BW_OK)
		fail_msg("%s: %s", status_path, eb.msg);
	free(data);
	for (size_t i = 0; i < sb->npkgs; i++)
		bw_strv_push_owned(&got, bw_strfmt("%s\t%s\t%s", sb->pkgs[i].name,
						   sb->pkgs[i].version,
						   sb->pkgs[i].arch ? sb->pkgs[i].arch : ""));
	/* ${db:Status-Status} lets the listing say which packages are installed;
	 * dpkg-query -W alone also lists config-files remnants. */
	snprintf(cmd, sizeof(cmd),
		 "dpkg-query %s%s -W -f '${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\n'",
		 admindir ? "--admindir=" : "", admindir ? admindir : "");
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(linebuf, sizeof(linebuf), p)) {
		char *f[4];

		split_tab(linebuf, f, 4);
		/* "ii " installed, "hi " held; "rc " etc. are not installed */
		if (strcmp(f[0], "ii ") != 0 && strcmp(f[0], "hi ") != 0)
			continue;
		bw_strv_push_owned(&want, bw_strfmt("%s\t%s\t%s", f[1], f[2], f[3]));
	}
	assert_int_equal(pclose(p), 0);
	assert_true(want.n > 50);
	compare_rows(&got, &want, status_path);
	bw_strv_release(&got);
	bw_strv_release(&want);
	sbom_free(sb);
}

static void test_host_dpkg(void **state)
{
	if (access("/var/lib/dpkg/status", R_OK) != 0 || system("command -v dpkg-query >/dev/null") != 0) {
		print_message("# SKIP no dpkg on this host\n");
		skip();
	}
	compare_with_dpkg_query("/var/lib/dpkg/status", NULL);
}

/* The debootstrap minbase bookworm rootfs the integration tests build; unit
 * tests run first in CI, so without it the host's (also Debian 12) db is
 * used. */
static void test_debian_rootfs_dpkg(void **state)
{
	struct stat st;

	if (stat(ROOTFS "/.complete", &st) != 0) {
		print_message("# %s absent: comparing the host's dpkg database instead\n", ROOTFS);
		test_host_dpkg(state);
		return;
	}
	compare_with_dpkg_query(ROOTFS "/var/lib/dpkg/status", ROOTFS "/var/lib/dpkg");
}


/* ---- hostile and malformed input (hand-written; line numbers counted by
 * hand in the literals) ----------------------------------------------------- */

static void test_dpkg_malformed(void **state)
{
	static const char status[] =
		"Package: good1\n"			/* 1 */
		"Status: install ok installed\n"	/* 2 */
		"Version: 1:2.0-1\n"			/* 3 */
		"Source: src1 (2.0-0.1)\n"		/* 4 */
		"Architecture: amd64\n"			/* 5 */
		"\n"					/* 6 */
		"Package: dup\n"			/* 7 */
		"Package: dup\n"			/* 8: duplicate field */
		"\n"					/* 9 */
		"Package: badver\n"			/* 10 */
		"Status: install ok installed\n"	/* 11 */
		"Version: 1:5.#\n"			/* 12: '#' not in deb-version(7) */
		"\n"					/* 13 */
		" orphan continuation\n"		/* 14 */
		"\n"					/* 15 */
		"Version: 1\n"				/* 16: stanza without Package */
		"\n"					/* 17 */
		"Package: held\n"			/* 18 */
		"status: hold ok installed\n"		/* 19: field names are case-insensitive */
		"Version: 3\n"				/* 20 */
		"Description: x\n"			/* 21 */
		" more\n"				/* 22 */
		" .\n"					/* 23 */
		"\n"					/* 24 */
		"Package: rc\n"				/* 25 */
		"Status: deinstall ok config-files\n"	/* 26 */
		"Version: 4\n"				/* 27 */
		"\n"					/* 28 */
		"Package: noversion\n"			/* 29 */
		"Status: install ok installed\n";	/* 30: installed without Version */
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	assert_int_equal(sbom_parse_dpkg_status(sb, status, sizeof(status) - 1,
						"var/lib/dpkg/status", NULL, &eb),
			 BW_ERR_FORMAT);
	/* first problem: line 8; then 12, 14, 16, 29 = 4 more */
	assert_string_equal(eb.msg, "var/lib/dpkg/status: line 8: duplicate field Package "
				    "(+4 more problems in this file)");
	assert_int_equal(sb->npkgs, 2);
	assert_string_equal(sb->pkgs[0].name, "good1");
	assert_string_equal(sb->pkgs[0].version, "1:2.0-1");
	assert_string_equal(sb->pkgs[0].epoch, "1");
	assert_string_equal(sb->pkgs[0].source_name, "src1");
	assert_string_equal(sb->pkgs[0].source_version, "2.0-0.1");
	assert_string_equal(sb->pkgs[1].name, "held");
	assert_null(sb->pkgs[1].arch);
	assert_null(sb->pkgs[1].source_name);
	sbom_free(sb);

	/* a NUL byte: binary, not a status file */
	sb = sbom_new();
	assert_int_equal(sbom_parse_dpkg_status(sb, "Package: a\0b", 12, "s", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_string_equal(eb.msg, "s: NUL byte at offset 10: not a dpkg status file");
	assert_int_equal(sb->npkgs, 0);
	/* terminal escapes from the input never reach a message raw */
	assert_int_equal(sbom_parse_dpkg_status(sb, "\x1b]0;owned\x07\n", 11, "s", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_string_equal(eb.msg, "s: line 1: expected \"Field: value\", got \"\\x1b]0;owned\\x07\"");
	/* empty input and CRLF line ends */
	assert_int_equal(sbom_parse_dpkg_status(sb, "", 0, "s", NULL, &eb), BW_OK);
	assert_int_equal(sbom_parse_dpkg_status(
				 sb, "Package: crlf\r\nStatus: install ok installed\r\nVersion: 1\r\n\r\n",
				 59, "s", NULL, &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 1);
	assert_string_equal(sb->pkgs[0].version, "1");
	sbom_free(sb);
}

static void test_apk_malformed(void **state)
{
	static const char db[] = "P:a\n"	  /* 1 */
				 "V:1-r0\n"	  /* 2 */
				 "\n"		  /* 3 */
				 "P:b\n"	  /* 4 */
				 "V:1-r0\n"	  /* 5 */
				 "V:2-r0\n"	  /* 6: duplicate */
				 "\n"		  /* 7 */
				 "P:c\n"	  /* 8 */
				 "garbage\n"	  /* 9 */
				 "V:1\n"	  /* 10 */
				 "\n"		  /* 11 */
				 "P:noversion\n"  /* 12: skipped silently */
				 "\n"		  /* 13 */
				 "P:d\n"	  /* 14 */
				 "V:4-r1\n"	  /* 15 */
				 "L:MIT AND (BSD-2-Clause OR GPL-2.0-only)\n"; /* 16: no final newline pair */
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	assert_int_equal(sbom_parse_apk_installed(sb, db, sizeof(db) - 1, "lib/apk/db/installed",
						  NULL, &eb),
			 BW_ERR_FORMAT);
	assert_string_equal(eb.msg, "lib/apk/db/installed: line 6: duplicate V: in one record "
				    "(+1 more problems in this file)");
	assert_int_equal(sb->npkgs, 2);
	assert_string_equal(sb->pkgs[0].name, "a");
	assert_string_equal(sb->pkgs[1].name, "d");
	/* an SPDX expression is one licence entry */
	assert_int_equal(sb->pkgs[1].licenses.n, 1);
	assert_string_equal(sb->pkgs[1].licenses.v[0], "MIT AND (BSD-2-Clause OR GPL-2.0-only)");
	sbom_free(sb);
}

/* A database listing more packages than the model holds stops with a
 * limit error naming the file instead of growing without end. */
static void test_package_cap(void **state)
{
	static const char stanza[] = "Package: p\nStatus: install ok installed\nVersion: 1\n\n";
	size_t count = 600 * 1024, sl = sizeof(stanza) - 1;
	char *big = malloc(count * sl);
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	assert_non_null(big);
	for (size_t i = 0; i < count; i++)
		memcpy(big + i * sl, stanza, sl);
	assert_int_equal(sbom_parse_dpkg_status(sb, big, count * sl, "var/lib/dpkg/status", NULL,
						&eb),
			 BW_ERR_LIMIT);
	assert_non_null(strstr(eb.msg, "var/lib/dpkg/status: too many packages"));
	assert_int_equal(sb->npkgs, 512 * 1024); /* SBOM_MAX_PKGS in sbom.c */
	free(big);
	sbom_free(sb);
}

/* DEP-5 licence short names, lines as Debian 12's bash copyright file has
 * them: "GPL-3+ with Bison exception" is ONE licence (DEP-5 "with
 * exceptions"), "A and B" two, and the common-licenses reference adds the
 * file's name. Expected set by hand from these lines. */
static void test_dep5_exceptions(void **state)
{
	static const char text[] =
		"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
		"\n"
		"Files: *\n"
		"License: GPL-3+\n"
		"\n"
		"Files: lib/intl/*\n"
		"License: GPL-3+ with Bison exception\n"
		"\n"
		"Files: examples/*\n"
		"License: BSD-4-clause-UC and MIT-like\n"
		"\n"
		"Files: doc/*\n"
		"License: GPL-2+ with Texinfo exception, GPL-2+\n"
		" version 3 can be found in `/usr/share/common-licenses/GPL-3'.\n";
	static const char *const want[] = {"BSD-4-clause-UC", "GPL-2+", "GPL-2+ with Texinfo exception",
					   "GPL-3", "GPL-3+", "GPL-3+ with Bison exception", "MIT-like"};
	struct bw_strv sv = {0};

	assert_int_equal(sbom_dpkg_copyright_licenses(text, strlen(text), &sv), BW_OK);
	bw_strv_sort(&sv);
	assert_int_equal(sv.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sv.n; i++)
		assert_string_equal(sv.v[i], want[i]);
	bw_strv_release(&sv);
}

/* ---- apk file lists for ownership ------------------------------------ */

static void add_lang(struct sbom *sb, enum sbom_pkg_type t, const char *path)
{
	struct sbom_pkg p = {.type = t};

	p.name = bw_strdup("x");
	p.version = bw_strdup("1");
	p.found_path = bw_strdup(path);
	assert_int_equal(sbom_add(sb, &p), BW_OK);
}

/* Trivy's apk fixture with Trivy's own expected installed files (package,
 * path): a language package placed at each path is owned by that package. */
static void test_apk_owners_trivy(void **state)
{
	char *db, *tsv, *save = NULL, *line;
	size_t n, k = 0;
	struct sbom *sb = sbom_new();
	struct sbom_owner_index *ix;
	struct bw_strv want = {0};

	(void)state;
	db = read_all(PKGDB "/trivy/apk/apk", &n);
	tsv = read_all(PKGDB "/trivy/apk/expected-installed-files.tsv", NULL);
	assert_non_null(db);
	assert_non_null(tsv);
	for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		add_lang(sb, SBOM_PKG_GOLANG, tab + 1);
		assert_int_equal(bw_strv_push(&want, line), BW_OK);
	}
	add_lang(sb, SBOM_PKG_NPM, "usr/lib/node_modules/unlisted/package.json");
	assert_true(want.n > 70);
	assert_int_equal(sbom_owner_index_new(sb, &ix), BW_OK);
	assert_int_equal(sbom_owners_from_apk_db(ix, db, n), BW_OK);
	sbom_owner_index_free(ix);
	for (k = 0; k < want.n; k++) {
		if (!sb->pkgs[k].owner)
			fail_msg("%s: no owner, Trivy says %s", sb->pkgs[k].found_path, want.v[k]);
		assert_string_equal(sb->pkgs[k].owner, want.v[k]);
		assert_int_equal(sb->pkgs[k].owner_type, SBOM_PKG_APK);
	}
	assert_null(sb->pkgs[k].owner);
	bw_strv_release(&want);
	free(db);
	free(tsv);
	sbom_free(sb);
}

/* Hand-worked: R: lines before P: in a record still belong to its P:; an
 * R: before any F: has no directory (skipped); CRLF lines; a record
 * without P: owns nothing; no merged-/usr guessing for apk ("bin/x" does
 * not own usr/bin/x); a language package is never owned twice. */
static void test_apk_owners_handmade(void **state)
{
	static const char db[] =
		"C:Q1abc=\r\n"
		"R:orphan\r\n"
		"F:usr/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info\r\n"
		"R:METADATA\r\n"
		"R:RECORD\r\n"
		"F:usr/bin\r\n"
		"R:gotool\r\n"
		"P:py3-yaml\r\n"
		"V:6.0.1-r1\r\n"
		"\r\n"
		"V:1\n"
		"F:usr/share/java\n"
		"R:nobody.jar\n"
		"\n"
		"P:busybox\n"
		"V:1.36\n"
		"F:bin\n"
		"R:x\n"
		"F:\n"
		"R:orphan\n"
		"F:usr/bin\n"
		"R:gotool\n";
	struct sbom *sb = sbom_new();
	struct sbom_owner_index *ix;

	(void)state;
	add_lang(sb, SBOM_PKG_PYPI, "usr/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA");
	add_lang(sb, SBOM_PKG_GOLANG, "usr/bin/gotool");
	add_lang(sb, SBOM_PKG_MAVEN, "usr/share/java/nobody.jar");
	add_lang(sb, SBOM_PKG_GOLANG, "usr/bin/x");
	add_lang(sb, SBOM_PKG_GOLANG, "orphan");
	assert_int_equal(sbom_owner_index_new(sb, &ix), BW_OK);
	assert_int_equal(sbom_owners_from_apk_db(ix, db, sizeof(db) - 1), BW_OK);
	sbom_owner_index_free(ix);
	assert_string_equal(sb->pkgs[0].owner, "py3-yaml");
	assert_string_equal(sb->pkgs[1].owner, "py3-yaml"); /* busybox's later claim loses */
	assert_null(sb->pkgs[2].owner);
	assert_null(sb->pkgs[3].owner);
	assert_string_equal(sb->pkgs[4].owner, "busybox"); /* "F:" is the root */
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syft_dpkg),
		cmocka_unit_test(test_dep5_exceptions),
		cmocka_unit_test(test_syft_apk),
		cmocka_unit_test(test_syft_licenses),
		cmocka_unit_test(test_syft_corrupt),
		cmocka_unit_test(test_syft_relationship_names),
		cmocka_unit_test(test_syft_apk_extra_attributes),
		cmocka_unit_test(test_trivy_dpkg),
		cmocka_unit_test(test_trivy_apk),
		cmocka_unit_test(test_host_dpkg),
		cmocka_unit_test(test_debian_rootfs_dpkg),
		cmocka_unit_test(test_dpkg_malformed),
		cmocka_unit_test(test_apk_malformed),
		cmocka_unit_test(test_package_cap),
		cmocka_unit_test(test_apk_owners_trivy),
		cmocka_unit_test(test_apk_owners_handmade),
	};

	return cmocka_run_group_tests_name("sbom_pkgdb", tests, NULL, NULL);
}

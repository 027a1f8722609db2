/* test_version.c - the upstream vector files in ../shared/fixtures/version
 * (apk-tools, rpm, dpkg, node-semver, pypa packaging, maven test data; see
 * SOURCE.txt there), read at run time. Every vector of every file must
 * pass; each test prints "file: passed/total". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "version/version.h"
#include "version/version_int.h"

#define FIXTURES BW_SOURCE_ROOT "/../shared/fixtures/version"

/* Reads FIXTURES/name; calls fn for each data line split on TAB (fields
 * kept as they are: node-semver vectors have meaningful spaces). */
typedef bool (*row_fn)(char **f, int nf, int line);

static void run_file(const char *name, int want_fields, row_fn fn, int expect_rows)
{
	char path[512];
	struct bw_buf b;
	struct bw_errbuf eb = {0};
	int rows = 0, pass = 0, line = 0;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	bw_buf_init(&b, 1 << 20);
	enum bw_err result = bw_buf_read_file(&b, path, &eb);
	if (result != BW_OK)
		fail_msg("%s: %s", path, bw_errmsg(&eb, result));
	char *save = NULL;
	for (char *l = strtok_r(b.data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		line++;
		if (l[0] == '#' && line == 1)
			continue;
		char *f[8];
		int nf = 0;
		char *p = l;
		for (;;) {
			char *tab = strchr(p, '\t');
			if (nf < 8)
				f[nf++] = p;
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		if (nf != want_fields)
			fail_msg("%s:%d: %d fields", name, line, nf);
		rows++;
		if (fn(f, nf, line))
			pass++;
	}
	bw_buf_release(&b);
	printf("# %s: %d/%d vectors pass\n", name, pass, rows);
	assert_int_equal(rows, expect_rows);
	assert_int_equal(pass, rows);
}

static enum version_scheme cur_scheme;
static const char *cur_file;

static int sign(int x)
{
	return x < 0 ? -1 : x > 0;
}

static int op_sign(const char *op)
{
	if (strcmp(op, "<") == 0)
		return -1;
	if (strcmp(op, "=") == 0)
		return 0;
	if (strcmp(op, ">") == 0)
		return 1;
	fail_msg("bad op %s", op);
	return 2;
}

static bool cmp_row(char **f, int nf, int line)
{
	int want = op_sign(f[1]);
	int got = version_compare(cur_scheme, f[0], f[2], NULL);
	int rev = version_compare(cur_scheme, f[2], f[0], NULL);
	if (sign(got) != want || sign(rev) != -want) {
		printf("# FAIL %s:%d: %s %s %s: got %d (reverse %d)\n", cur_file, line, f[0], f[1], f[2],
		       got, rev);
		return false;
	}
	return true;
}

static void cmp_file(enum version_scheme s, const char *file, int rows)
{
	cur_scheme = s;
	cur_file = file;
	run_file(file, 3, cmp_row, rows);
}

static void t_dpkg(void **state)
{
	cmp_file(VERSION_DPKG, "dpkg.tsv", 62);
}

static void t_apk(void **state)
{
	cmp_file(VERSION_APK, "apk.tsv", 738);
}

static bool apk_fuzzy_row(char **f, int nf, int line)
{
	int r = version_apk_match(f[0], f[1], f[2]);
	if (r != 1) {
		printf("# FAIL apk-fuzzy.tsv:%d: %s %s %s: got %d\n", line, f[0], f[1], f[2], r);
		return false;
	}
	return true;
}

static void t_apk_fuzzy(void **state)
{
	run_file("apk-fuzzy.tsv", 3, apk_fuzzy_row, 16);
}

static bool apk_valid_row(char **f, int nf, int line)
{
	bool want = strcmp(f[1], "valid") == 0;
	if (version_valid(VERSION_APK, f[0]) != want) {
		printf("# FAIL apk-validity.tsv:%d: %s should be %s\n", line, f[0], f[1]);
		return false;
	}
	return true;
}

static void t_apk_validity(void **state)
{
	run_file("apk-validity.tsv", 2, apk_valid_row, 31);
}

static void t_rpm(void **state)
{
	cmp_file(VERSION_RPM, "rpm.tsv", 91);
}

static bool semver_loose;

static bool semver_row(char **f, int nf, int line)
{
	int want = op_sign(f[1]);
	bool va, vb;
	int got = version_semver_compare_opt(f[0], f[2], semver_loose, &va);
	int rev = version_semver_compare_opt(f[2], f[0], semver_loose, &vb);
	if (!va || sign(got) != want || sign(rev) != -want) {
		printf("# FAIL %s:%d: %s %s %s: got %d valid %d\n", cur_file, line, f[0], f[1], f[2], got,
		       va);
		return false;
	}
	return true;
}

static void t_semver(void **state)
{
	semver_loose = false;
	cur_file = "semver.tsv";
	run_file(cur_file, 3, semver_row, 22);
}

static void t_semver_loose(void **state)
{
	semver_loose = true;
	cur_file = "semver-loose.tsv";
	run_file(cur_file, 3, semver_row, 46);
}

static unsigned range_flags;

static bool range_row(char **f, int nf, int line)
{
	bool want = strcmp(f[2], "in") == 0, got = !want;
	struct bw_errbuf eb = {0};
	enum bw_err result = version_semver_satisfies(f[1], f[0], range_flags, &got, &eb);
	if (want && result != BW_OK) {
		printf("# FAIL %s:%d: range \"%s\": %s\n", cur_file, line, f[0], bw_errmsg(&eb, result));
		return false;
	}
	if (got != want) {
		printf("# FAIL %s:%d: \"%s\" satisfies \"%s\": got %d\n", cur_file, line, f[1], f[0], got);
		return false;
	}
	return true;
}

static void t_semver_ranges(void **state)
{
	range_flags = 0;
	cur_file = "semver-ranges.tsv";
	run_file(cur_file, 3, range_row, 176);
}

static void t_semver_ranges_loose(void **state)
{
	range_flags = VERSION_SEMVER_LOOSE;
	cur_file = "semver-ranges-loose.tsv";
	run_file(cur_file, 3, range_row, 13);
}

static void t_semver_ranges_prerelease(void **state)
{
	range_flags = VERSION_SEMVER_INCLUDE_PRERELEASE;
	cur_file = "semver-ranges-prerelease.tsv";
	run_file(cur_file, 3, range_row, 33);
}

static void t_pep440(void **state)
{
	cmp_file(VERSION_PEP440, "pep440.tsv", 92);
}

static bool norm_row(char **f, int nf, int line)
{
	char out[256];
	if (!version_pep440_normalize(f[0], out, sizeof(out)) || strcmp(out, f[1]) != 0) {
		printf("# FAIL pep440-normalize.tsv:%d: %s -> expected %s\n", line, f[0], f[1]);
		return false;
	}
	return true;
}

static void t_pep440_normalize(void **state)
{
	run_file("pep440-normalize.tsv", 2, norm_row, 100);
}

/* pep440-sorted.txt: ascending; upstream asserts every i < j pair. */
static void t_pep440_sorted(void **state)
{
	struct bw_buf b;
	struct bw_errbuf eb = {0};
	char *v[200];
	int n = 0, bad = 0, pairs = 0;

	bw_buf_init(&b, 1 << 20);
	assert_int_equal(bw_buf_read_file(&b, FIXTURES "/pep440-sorted.txt", &eb), BW_OK);
	char *save = NULL;
	for (char *l = strtok_r(b.data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '#')
			continue;
		assert_true(n < 200);
		v[n++] = l;
	}
	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			pairs++;
			if (version_compare(VERSION_PEP440, v[i], v[j], NULL) >= 0 ||
			    version_compare(VERSION_PEP440, v[j], v[i], NULL) <= 0) {
				if (bad++ < 10)
					printf("# FAIL pep440-sorted: %s < %s\n", v[i], v[j]);
			}
		}
	}
	printf("# pep440-sorted.txt: %d versions, %d/%d pairs pass\n", n, pairs - bad, pairs);
	bw_buf_release(&b);
	assert_int_equal(n, 92);
	assert_int_equal(bad, 0);
}

static void t_maven(void **state)
{
	cmp_file(VERSION_MAVEN, "maven.tsv", 208);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_dpkg),
		cmocka_unit_test(t_apk),
		cmocka_unit_test(t_apk_fuzzy),
		cmocka_unit_test(t_apk_validity),
		cmocka_unit_test(t_rpm),
		cmocka_unit_test(t_semver),
		cmocka_unit_test(t_semver_loose),
		cmocka_unit_test(t_semver_ranges),
		cmocka_unit_test(t_semver_ranges_loose),
		cmocka_unit_test(t_semver_ranges_prerelease),
		cmocka_unit_test(t_pep440),
		cmocka_unit_test(t_pep440_normalize),
		cmocka_unit_test(t_pep440_sorted),
		cmocka_unit_test(t_maven),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

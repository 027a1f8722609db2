/* test_version_schemes.c - schemes without shared upstream vectors (Go,
 * RubyGems, NuGet, crates.io, Composer), PEP 440 specifiers, RubyGems
 * requirements, OSV range evaluation and the ecosystem table. Every vector
 * cites the document it comes from; none is derived from this code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "version/version.h"
#include "version/version_int.h"

struct cmp_vec {
	const char *a;
	int op; /* -1 <, 0 =, 1 > */
	const char *b;
};

static void check_cmp(enum version_scheme s, const struct cmp_vec *v, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		enum bw_err err;
		int r = version_compare(s, v[i].a, v[i].b, &err);
		int rr = version_compare(s, v[i].b, v[i].a, NULL);
		if (err != BW_OK || r != v[i].op || rr != -v[i].op) {
			printf("# FAIL %s: %s vs %s: got %d/%d err %d, want %d\n", version_scheme_name(s), v[i].a,
			       v[i].b, r, rr, err, v[i].op);
			bad++;
		}
	}
	printf("# %s: %zu/%zu vectors pass\n", version_scheme_name(s), n - (size_t)bad, n);
	assert_int_equal(bad, 0);
}

static void check_invalid(enum version_scheme s, const char *const *v)
{
	for (; *v; v++) {
		enum bw_err err;
		if (version_valid(s, *v))
			fail_msg("%s: \"%s\" should be invalid", version_scheme_name(s), *v);
		version_compare(s, *v, *v, &err);
		assert_int_equal(err, BW_ERR_FORMAT);
	}
}

/* SemVer 2.0.0 section 11 (https://semver.org/#spec-item-11): "1.0.0-alpha <
 * 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 <
 * 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0" and "1.0.0 < 2.0.0 < 2.1.0 < 2.1.1";
 * section 10: build metadata MUST be ignored when determining precedence. */
#define SEMVER_SPEC(p)                                                       \
	{p "1.0.0-alpha", -1, p "1.0.0-alpha.1"},                            \
	{p "1.0.0-alpha.1", -1, p "1.0.0-alpha.beta"},                       \
	{p "1.0.0-alpha.beta", -1, p "1.0.0-beta"},                          \
	{p "1.0.0-beta", -1, p "1.0.0-beta.2"},                              \
	{p "1.0.0-beta.2", -1, p "1.0.0-beta.11"},                           \
	{p "1.0.0-beta.11", -1, p "1.0.0-rc.1"},                             \
	{p "1.0.0-rc.1", -1, p "1.0.0"},                                     \
	{p "1.0.0", -1, p "2.0.0"},                                          \
	{p "2.0.0", -1, p "2.1.0"},                                          \
	{p "2.1.0", -1, p "2.1.1"},                                          \
	{p "1.0.0+20130313144700", 0, p "1.0.0"},                            \
	{p "1.0.0-beta+exp.sha.5114f85", 0, p "1.0.0-beta"}

static void t_go(void **state)
{
	static const struct cmp_vec v[] = {
		SEMVER_SPEC("v"),
		/* golang.org/x/mod/semver package doc: "v1" and "v1.2" are
		 * shorthands for v1.0.0 and v1.2.0 */
		{"v1", 0, "v1.0.0"},
		{"v1.2", 0, "v1.2.0"},
		/* go.dev/ref/mod#incompatible-versions: +incompatible is build
		 * metadata, v2.0.0+incompatible is version v2.0.0 */
		{"v2.0.0+incompatible", 0, "v2.0.0"},
		{"v2.0.0+incompatible", 1, "v1.9.9"},
		/* go.dev/ref/mod#pseudo-versions: vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdefabcdef
		 * is above vX.Y.Z and below vX.Y.(Z+1); base-less ones are
		 * below v0.0.0 releases and ordered by time */
		{"v1.2.3", -1, "v1.2.4-0.20191109021931-daa7c04131f5"},
		{"v1.2.4-0.20191109021931-daa7c04131f5", -1, "v1.2.4"},
		{"v0.0.0-20191109021931-daa7c04131f5", -1, "v0.0.0-20191110000000-000000000000"},
		{"v0.0.0-20191109021931-daa7c04131f5", -1, "v0.0.1"},
		{"v1.2.4-pre.0.20191109021931-daa7c04131f5", 1, "v1.2.4-pre"},
		{"v10.0.0", 1, "v9.99.99"},
	};
	static const char *const invalid[] = {"1.2.3", "v1.2.03", "v01.2.3", "v1.2-pre", "v1.2.3-01", "v1.2.3-", "",
					      NULL};
	check_cmp(VERSION_GO, v, sizeof(v) / sizeof(v[0]));
	check_invalid(VERSION_GO, invalid);
	/* golang.org/x/mod/semver.Compare: "An invalid semantic version string
	 * is considered less than a valid one. All invalid semantic version
	 * strings compare equal to each other." */
	assert_int_equal(version_compare(VERSION_GO, "junk", "v0.0.0", NULL), -1);
	assert_int_equal(version_compare(VERSION_GO, "junk", "1.0.0", NULL), 0);
}

/* golang.org/x/mod semver/semver_test.go (commit 8b446299), the `tests`
 * table: inputs in ascending order with their canonical form ("" =
 * invalid); TestCompare asserts, for every pair, 0 when the canonical forms
 * are equal, else the table order. Plus its explicit extra cases. */
static void t_go_upstream(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{"bad", ""}, {"v1-alpha.beta.gamma", ""}, {"v1-pre", ""}, {"v1+meta", ""}, {"v1-pre+meta", ""},
		{"v1.2-pre", ""}, {"v1.2+meta", ""}, {"v1.2-pre+meta", ""}, {"v1.0.0-alpha", "v1.0.0-alpha"},
		{"v1.0.0-alpha.1", "v1.0.0-alpha.1"}, {"v1.0.0-alpha.beta", "v1.0.0-alpha.beta"},
		{"v1.0.0-beta", "v1.0.0-beta"}, {"v1.0.0-beta.2", "v1.0.0-beta.2"},
		{"v1.0.0-beta.11", "v1.0.0-beta.11"}, {"v1.0.0-rc.1", "v1.0.0-rc.1"}, {"v1", "v1.0.0"},
		{"v1.0", "v1.0.0"}, {"v1.0.0", "v1.0.0"}, {"v1.2", "v1.2.0"}, {"v1.2.0", "v1.2.0"},
		{"v1.2.3-456", "v1.2.3-456"}, {"v1.2.3-456.789", "v1.2.3-456.789"},
		{"v1.2.3-456-789", "v1.2.3-456-789"}, {"v1.2.3-456a", "v1.2.3-456a"}, {"v1.2.3-pre", "v1.2.3-pre"},
		{"v1.2.3-pre+meta", "v1.2.3-pre"}, {"v1.2.3-pre.1", "v1.2.3-pre.1"}, {"v1.2.3-zzz", "v1.2.3-zzz"},
		{"v1.2.3", "v1.2.3"}, {"v1.2.3+meta", "v1.2.3"}, {"v1.2.3+meta-pre", "v1.2.3"},
		{"v1.2.3+meta-pre.sha.256a", "v1.2.3"},
	};
	size_t n = sizeof(t) / sizeof(t[0]), pairs = 0, bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (version_valid(VERSION_GO, t[i].in) != (t[i].out[0] != '\0')) {
			printf("# FAIL go valid %s\n", t[i].in);
			bad++;
		}
		for (size_t j = 0; j < n; j++) {
			int want = strcmp(t[i].out, t[j].out) == 0 ? 0 : i < j ? -1 : 1;
			pairs++;
			if (version_compare(VERSION_GO, t[i].in, t[j].in, NULL) != want) {
				printf("# FAIL go %s vs %s, want %d\n", t[i].in, t[j].in, want);
				bad++;
			}
		}
	}
	printf("# go semver_test.go: %zu/%zu pairs pass\n", pairs - bad, pairs);
	assert_int_equal(bad, 0);
	assert_int_equal(version_compare(VERSION_GO, "v2", "v1", NULL), 1);
	assert_int_equal(version_compare(VERSION_GO, "v1.19", "v1.2", NULL), 1);
}

static void t_cargo(void **state)
{
	static const struct cmp_vec v[] = {
		SEMVER_SPEC(""),
		{"0.9.0", -1, "0.10.0"},
		{"18446744073709551615.0.0", 1, "18446744073709551614.9.9"},
	};
	/* semver.org 2 and 9: no leading zeros in numbers or numeric
	 * prerelease identifiers, identifiers non-empty; the semver crate
	 * takes no "v" and wants all three numbers */
	static const char *const invalid[] = {"1.0", "v1.0.0", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0-a..b",
					      "18446744073709551616.0.0", NULL};
	check_cmp(VERSION_CARGO, v, sizeof(v) / sizeof(v[0]));
	check_invalid(VERSION_CARGO, invalid);
}

/* dtolnay/semver tests/test_version.rs (the semver crate cargo uses):
 * test_parse's rejected and accepted strings, test_lt / test_gt ordering
 * (build-metadata tie-breaks excluded: see docs/version.md). */
static void t_cargo_upstream(void **state)
{
	static const char *const invalid[] = {"", "  ", "1", "1.2", "1.2.3-", "a.b.c", "1.2.3 abc", "1.2.3-01",
					      "5.1.5++", "07", "75774777777757777757", NULL};
	static const char *const valid[] = {"1.2.3", "1.2.3-alpha1", "1.2.3+build5", "1.2.3+5build",
					    "1.2.3-alpha1+build5", "1.2.3-1.alpha1.9+build5.7.3aedf",
					    "1.2.3-0a.alpha1.9+05build.7.3aedf", "0.4.0-beta.1+0851523",
					    "1.1.0-beta-10", NULL};
	check_invalid(VERSION_CARGO, invalid);
	for (const char *const *v = valid; *v; v++)
		if (!version_valid(VERSION_CARGO, *v))
			fail_msg("cargo: %s should be valid", *v);
	static const struct cmp_vec v[] = {
		{"0.0.0", -1, "1.2.3-alpha2"},       {"1.0.0", -1, "1.2.3-alpha2"},
		{"1.2.0", -1, "1.2.3-alpha2"},       {"1.2.3-alpha1", -1, "1.2.3"},
		{"1.2.3-alpha1", -1, "1.2.3-alpha2"}, {"1.2.3-alpha2", 0, "1.2.3-alpha2"},
		{"1.2.3", 1, "1.2.3-alpha2"},
	};
	check_cmp(VERSION_CARGO, v, sizeof(v) / sizeof(v[0]));
}

static void t_nuget(void **state)
{
	/* learn.microsoft.com/nuget/concepts/package-versioning: "1.0 ==
	 * 1.0.0 == 1.0.0.0" (normalisation), leading zeros removed ("1.01.1"
	 * is "1.1.1"), pre-release versions sort before the release, labels
	 * compare case-insensitively, numeric labels numerically (SemVer 2),
	 * metadata ignored, a fourth part orders */
	static const struct cmp_vec v[] = {
		SEMVER_SPEC(""),
		{"1.0", 0, "1.0.0"},
		{"1.0", 0, "1.0.0.0"},
		{"1.01.1", 0, "1.1.1"},
		{"1.0.0.1", 1, "1.0.0"},
		{"1.0.0-BETA", 0, "1.0.0-beta"},
		{"1.0.0-Alpha", -1, "1.0.0-beta"},
		{"1.0.0-alpha.2", -1, "1.0.0-alpha.10"},
		{"1.0.0+abc", 0, "1.0.0"},
		{"2.0.0-rc.1", 1, "1.9.9.9"},
	};
	static const char *const invalid[] = {"", "1.0.0.0.0", "v1.0.0", "1.0.0-", "1..0", "a.b", NULL};
	check_cmp(VERSION_NUGET, v, sizeof(v) / sizeof(v[0]));
	check_invalid(VERSION_NUGET, invalid);
}

/* NuGet.Client test/NuGet.Core.Tests/NuGet.Versioning.Test/
 * VersionComparerTests.cs: VersionComparisonDefaultEqual and
 * VersionComparisonDefaultLess (VersionComparer.Default). */
static void t_nuget_upstream(void **state)
{
	static const struct cmp_vec v[] = {
		{"1.0.0", 0, "1.0.0"},
		{"1.0.0-BETA", 0, "1.0.0-beta"},
		{"1.0.0-BETA+AA", 0, "1.0.0-beta+aa"},
		{"1.0.0-BETA.X.y.5.77.0+AA", 0, "1.0.0-beta.x.y.5.77.0+aa"},
		{"0.0.0", -1, "1.0.0"},
		{"1.0.0", -1, "1.1.0"},
		{"1.0.0", -1, "1.0.1"},
		{"1.999.9999", -1, "2.1.1"},
		{"1.0.0-BETA", -1, "1.0.0-beta2"},
		{"1.0.0-beta+AA", -1, "1.0.0+aa"},
		{"1.0.0-BETA", -1, "1.0.0-beta.1+AA"},
		{"1.0.0-BETA.X.y.5.77.0+AA", -1, "1.0.0-beta.x.y.5.79.0+aa"},
		{"1.0.0-BETA.X.y.5.79.0+AA", -1, "1.0.0-beta.x.y.5.790.0+abc"},
	};
	check_cmp(VERSION_NUGET, v, sizeof(v) / sizeof(v[0]));
}

static void t_gem(void **state)
{
	/* Gem::Version rdoc (rubygems lib/rubygems/version.rb): "Prereleases
	 * sort between real releases (newest to oldest): 1.0, 1.0.b1,
	 * 1.0.a.2, 0.9"; "1.0.a10 becomes 1.0.a.10, and is greater than
	 * 1.0.a9"; "1.0.0-rc1" is treated as "1.0.0.pre.rc1"; trailing zeros
	 * do not matter (1.0 == 1.0.0); a blank version is "0". */
	static const struct cmp_vec v[] = {
		{"0.9", -1, "1.0.a.2"},
		{"1.0.a.2", -1, "1.0.b1"},
		{"1.0.b1", -1, "1.0"},
		{"1.0.a10", 1, "1.0.a9"},
		{"1.0.0-rc1", 0, "1.0.0.pre.rc1"},
		{"1.0", 0, "1.0.0"},
		{"1.10", 1, "1.9"},
		{"", 0, "0"},
		{" 1.2 ", 0, "1.2"},
	};
	static const char *const invalid[] = {"a", "1..2", "1.2-", "1.2 3", "junk", NULL};
	check_cmp(VERSION_GEM, v, sizeof(v) / sizeof(v[0]));
	check_invalid(VERSION_GEM, invalid);
}

/* rubygems test/rubygems/test_gem_version.rb: test_spaceship, test_equals2,
 * test_initialize(_bad), the SemVer-style part of test_semver, and
 * test_bump / test_release read through "~>" (Gem::Requirement: "~> v"
 * is ">= v" and release < v.bump). */
static void t_gem_upstream(void **state)
{
	static const struct cmp_vec v[] = {
		{"1.0", 0, "1.0.0"},         {"1.0", 1, "1.0.a"},          {"1.8.2", 1, "0.0.0"},
		{"1.8.2", 1, "1.8.2.a"},     {"1.8.2.b", 1, "1.8.2.a"},    {"1.8.2.a", -1, "1.8.2"},
		{"1.8.2.a10", 1, "1.8.2.a9"}, {"", 0, "0"},                 {"1.2.b1", 0, "1.2.b.1"},
		{"1.0 ", 0, "1.0"},          {" 1.0 ", 0, "1.0"},          {"1.0\n", 0, "1.0"},
		{"\n1.0\n", 0, "1.0"},       {"1.0.0-alpha", -1, "1.0.0-alpha.1"},
		{"1.0.0-alpha.1", -1, "1.0.0-beta.2"}, {"1.0.0-beta.2", -1, "1.0.0-beta.11"},
		{"1.0.0-beta.11", -1, "1.0.0-rc.1"},
	};
	check_cmp(VERSION_GEM, v, sizeof(v) / sizeof(v[0]));
	static const char *const invalid[] = {"junk", "1.0\n2.0", NULL};
	check_invalid(VERSION_GEM, invalid);
	static const struct {
		const char *req, *in, *out;
	} bump[] = {
		{"~> 5.2.4", "5.2.99", "5.3"},     /* bump 5.2.4 = 5.3 */
		{"~> 5.2.4.a", "5.2.9", "5.3"},    /* bump 5.2.4.a = 5.3 */
		{"~> 5.2.4.a10", "5.2.9", "5.3.0.a"}, /* bump 5.2.4.a10 = 5.3 */
		{"~> 5.0.0", "5.0.9", "5.1"},      /* bump 5.0.0 = 5.1 */
		{"~> 5", "5.9", "6"},              /* bump 5 = 6 */
	};
	for (size_t i = 0; i < sizeof(bump) / sizeof(bump[0]); i++) {
		bool got = false;
		assert_int_equal(version_gem_satisfies(bump[i].in, bump[i].req, &got, NULL), BW_OK);
		if (!got)
			fail_msg("%s should satisfy %s", bump[i].in, bump[i].req);
		assert_int_equal(version_gem_satisfies(bump[i].out, bump[i].req, &got, NULL), BW_OK);
		if (got)
			fail_msg("%s should not satisfy %s", bump[i].out, bump[i].req);
	}
}

static void t_composer(void **state)
{
	/* getcomposer.org/doc/articles/versions.md and composer/semver
	 * VersionParser::normalize: "v1.0.0" is 1.0.0.0, missing parts are 0,
	 * stabilities dev < alpha < beta < RC < stable; b, a, p, pl are
	 * beta, alpha, patch; php.net/version_compare: "dev < alpha = a <
	 * beta = b < RC = rc < # < pl = p" */
	static const struct cmp_vec v[] = {
		{"v1.0.0", 0, "1.0.0"},
		{"1.0", 0, "1.0.0.0"},
		{"1.0.0-dev", -1, "1.0.0-alpha1"},
		{"1.0.0-alpha1", -1, "1.0.0-beta1"},
		{"1.0.0-b2", 0, "1.0.0-beta2"},
		{"1.0.0-beta2", -1, "1.0.0-RC1"},
		{"1.0.0-rc1", 0, "1.0.0-RC1"},
		{"1.0.0-RC1", -1, "1.0.0"},
		{"1.0.0", -1, "1.0.0-patch1"},
		{"1.0.0-pl1", 0, "1.0.0-patch1"},
		{"1.0.0-stable", 0, "1.0.0"},
		{"1.0.0-beta.2", -1, "1.0.0-beta.10"},
		{"2.0.0", 1, "1.99.99"},
		{"1.0.0+build5", 0, "1.0.0"},
	};
	static const char *const invalid[] = {"", "foo", "1.0.0-gamma", "1.0.0.0.0", NULL};
	check_cmp(VERSION_COMPOSER, v, sizeof(v) / sizeof(v[0]));
	check_invalid(VERSION_COMPOSER, invalid);
	assert_true(version_valid(VERSION_COMPOSER, "dev-main"));
}

/* composer/semver tests/VersionParserTest.php successfulNormalizedVersions
 * and failingNormalizedVersions (the cases whose result is the same in
 * composer/semver 1 to 3; "dev-master" handling changed across majors). */
static void t_composer_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"1.0.0", "1.0.0.0"}, {"1.2.3.4", "1.2.3.4"}, {"1.0.0RC1dev", "1.0.0.0-RC1-dev"},
		{"1.0.0-rC15-dev", "1.0.0.0-RC15-dev"}, {"1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"},
		{"1.0.0-rc1", "1.0.0.0-RC1"}, {"1.0.0.pl3-dev", "1.0.0.0-patch3-dev"}, {"1.0-dev", "1.0.0.0-dev"},
		{"0", "0.0.0.0"}, {"10.4.13-beta", "10.4.13.0-beta"}, {"10.4.13beta2", "10.4.13.0-beta2"},
		{"10.4.13beta.2", "10.4.13.0-beta2"}, {"10.4.13-b", "10.4.13.0-beta"},
		{"10.4.13-b5", "10.4.13.0-beta5"}, {"v1.0.0", "1.0.0.0"}, {"2010.01", "2010.01.0.0"},
		{"2010.01.02", "2010.01.02.0"}, {"2010.1.555", "2010.1.555.0"}, {"2010.10.200", "2010.10.200.0"},
		{"v20100102", "20100102"}, {"2010-01-02", "2010.01.02"}, {"2010-01-02.5", "2010.01.02.5"},
		{"20100102-203040", "20100102.203040"}, {"20150920.0.0", "20150920.0.0"},
		{"20100102203040-10", "20100102203040.10"}, {"20100102-203040-p1", "20100102.203040-patch1"},
		{"1.x-dev", "1.9999999.9999999.9999999-dev"}, {"dev-feature-foo", "dev-feature-foo"},
		{"DEV-FOOBAR", "dev-FOOBAR"}, {"dev-feature/foo", "dev-feature/foo"},
		{"dev-feature+issue-1", "dev-feature+issue-1"}, {"1.0.0-beta.5+foo", "1.0.0.0-beta5"},
		{"1.0.0+foo", "1.0.0.0"}, {"1.0.0-alpha.3.1+foo", "1.0.0.0-alpha3.1"},
		{"1.0.0-alpha2.1+foo", "1.0.0.0-alpha2.1"}, {"1.0.0-alpha-2.1-3+foo", "1.0.0.0-alpha2.1-3"},
		{"1.0.0+foo as 2.0", "1.0.0.0"},
	};
	size_t bad = 0, n = sizeof(v) / sizeof(v[0]);
	for (size_t i = 0; i < n; i++) {
		char out[256];
		if (!version_composer_normalize(v[i].in, out, sizeof(out)) || strcmp(out, v[i].out) != 0) {
			printf("# FAIL composer normalize %s: want %s\n", v[i].in, v[i].out);
			bad++;
		}
	}
	printf("# composer VersionParserTest: %zu/%zu normalisations pass\n", n - bad, n);
	assert_int_equal(bad, 0);
	static const char *const invalid[] = {"", "a", "1.0.0-meh", "1.0.0.0.0", "feature-foo", "1.0.0+foo bar", NULL};
	check_invalid(VERSION_COMPOSER, invalid);
}

struct sat_vec {
	const char *version, *constraint;
	bool want;
};

static void t_pep440_specifiers(void **state)
{
	/* PEP 440 "Version specifiers" section, each example's meaning:
	 * "~= 2.2" is ">= 2.2, == 2.*"; "~= 1.4.5" is ">= 1.4.5, == 1.4.*";
	 * "~= 2.2.post3" is ">= 2.2.post3, == 2.*"; "~=1.4.5a4" is
	 * ">= 1.4.5a4, == 1.4.*"... with packaging's reading of the prefix
	 * (release without its last part); "== 1.1.*" matches 1.1.post1 and
	 * "== 3.1.*" matches 3.1.0 ("padded"); "== 1.1" matches "1.1.0" (zero
	 * padding); "> V" excludes post-releases of V and "< V" excludes
	 * pre-releases of V; "!= 1.1.*"; "=== foobar"; local versions match
	 * "==" without a local label. Pre-releases are excluded unless asked or
	 * named by a specifier. */
	static const struct sat_vec v[] = {
		{"2.2", "~=2.2", true},
		{"2.9.1", "~=2.2", true},
		{"3.0", "~=2.2", false},
		{"2.1", "~=2.2", false},
		{"1.4.9", "~=1.4.5", true},
		{"1.5.0", "~=1.4.5", false},
		{"2.3", "~=2.2.post3", true},
		{"2.2.post2", "~=2.2.post3", false},
		{"1.1.post1", "==1.1.*", true},
		{"1.1a1", "==1.1.*", false}, /* pre-release not asked for */
		{"3.1.0", "==3.1.*", true},
		{"3.1", "== 3.1.*", true},
		{"3.10", "==3.1.*", false},
		{"1.1.0", "==1.1", true},
		{"1.1+local", "==1.1", true},
		{"1.1+local", "==1.1+local", true},
		{"1.1+other", "==1.1+local", false},
		{"1.1.post1", ">1.1", false},
		{"1.1.1", ">1.1", true},
		{"1.1+local", ">1.1", false},
		{"1.2.post1", ">1.1", true},
		{"1.1rc1", "<1.1", false},
		{"1.0", "<1.1", true},
		{"1.0rc1", "<1.1", false},
		{"1.0rc1", "<1.1rc2", true}, /* the specifier names a pre-release */
		{"1.5", "!=1.1.*", true},
		{"1.1.2", "!=1.1.*", false},
		{"foobar", "===foobar", true}, /* === compares the string as given, valid or not */
		{"1.0", "===1.0", true},
		{"1.0.0", "===1.0", false},
		{"1.5", ">=1.0, <2.0, !=1.5", false},
		{"1.6", ">=1.0,<2.0,!=1.5", true},
		{"2.0", "", true},
		{"2.0a1", "", false},
		{"1!1.0", ">=2.0", true}, /* epochs order first */
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bool got = !v[i].want;
		struct bw_errbuf eb = {0};
		enum bw_err r = version_pep440_satisfies(v[i].version, v[i].constraint, false, &got, &eb);
		if (r != BW_OK || got != v[i].want) {
			printf("# FAIL pep440 \"%s\" in \"%s\": got %d (%s)\n", v[i].version, v[i].constraint, got,
			       bw_errmsg(&eb, r));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	bool got = false;
	assert_int_equal(version_pep440_satisfies("1.1a1", "==1.1.*", true, &got, NULL), BW_OK);
	assert_true(got);
	/* PEP 440: "~=" needs two release parts; ".*" only with == and !=;
	 * local labels not with ordered comparisons */
	static const char *const bad_specs[] = {"~=1", ">=1.*", "<1.0+local", "1.0", "=>1.0", "==", NULL};
	for (const char *const *s = bad_specs; *s; s++) {
		got = true;
		assert_int_equal(version_pep440_satisfies("1.0", *s, false, &got, NULL), BW_ERR_FORMAT);
		assert_false(got);
	}
}

/* pypa/packaging tests/test_specifiers.py (2026): test_specifiers (every
 * row, Specifier(spec, prereleases=True)), the prereleases=None/None rows of
 * test_specifier_prereleases_set / _contains tables read with
 * prereleases=True (what packaging's default is for one version),
 * test_arbitrary_equality(_normalization) string rows, test_invalid_version,
 * and test_specifiers_invalid. */
static void t_pep440_upstream(void **state)
{
	static const struct sat_vec v[] = {
		{"2.0", "==2", true},
		{"2.0", "==2.0", true},
		{"2.0", "==2.0.0", true},
		{"2.0+deadbeef", "==2", true},
		{"2.0+deadbeef", "==2.0", true},
		{"2.0+deadbeef", "==2.0.0", true},
		{"2.0+deadbeef", "==2+deadbeef", true},
		{"2.0+deadbeef", "==2.0+deadbeef", true},
		{"2.0+deadbeef", "==2.0.0+deadbeef", true},
		{"2.0+deadbeef.0", "==2.0.0+deadbeef.00", true},
		{"2.dev1", "==2.*", true},
		{"2a1", "==2.*", true},
		{"2a1.post1", "==2.*", true},
		{"2b1", "==2.*", true},
		{"2b1.dev1", "==2.*", true},
		{"2c1", "==2.*", true},
		{"2c1.post1.dev1", "==2.*", true},
		{"2c1.post1.dev1", "==2.0.*", true},
		{"2rc1", "==2.*", true},
		{"2rc1", "==2.0.*", true},
		{"2", "==2.*", true},
		{"2", "==2.0.*", true},
		{"2", "==2.0.0.*", true},
		{"2", "==0!2.*", true},
		{"0!2", "==2.*", true},
		{"2.0", "==2.*", true},
		{"2.0.0", "==2.*", true},
		{"2.0.0.0", "==2.0.*", true},
		{"2.1+local.version", "==2.1.*", true},
		{"2.1", "!=2", true},
		{"2.1", "!=2.0", true},
		{"2.0.1", "!=2", true},
		{"2.0.1", "!=2.0", true},
		{"2.0.1", "!=2.0.0", true},
		{"2.0", "!=2.0+deadbeef", true},
		{"2.0", "!=3.*", true},
		{"2.1", "!=2.0.*", true},
		{"3", "!=2.0.0.*", true},
		{"2.1.0.0", "!=2.0.*", true},
		{"2.0", ">=2", true},
		{"2.0", ">=2.0", true},
		{"2.0", ">=2.0.0", true},
		{"2.0.post1", ">=2", true},
		{"2.0.post1.dev1", ">=2", true},
		{"3", ">=2", true},
		{"3.0.0a8", ">=3.0.0a7", true},
		{"2.0", "<=2", true},
		{"2.0", "<=2.0", true},
		{"2.0", "<=2.0.0", true},
		{"2.0.dev1", "<=2", true},
		{"2.0a1", "<=2", true},
		{"2.0a1.dev1", "<=2", true},
		{"2.0b1", "<=2", true},
		{"2.0b1.post1", "<=2", true},
		{"2.0c1", "<=2", true},
		{"2.0c1.post1.dev1", "<=2", true},
		{"2.0rc1", "<=2", true},
		{"1", "<=2", true},
		{"3.0.0a7", "<=3.0.0a8", true},
		{"3", ">2", true},
		{"2.1", ">2.0", true},
		{"2.0.1", ">2", true},
		{"2.1.post1", ">2", true},
		{"2.1+local.version", ">2", true},
		{"3.0.0a8", ">3.0.0a7", true},
		{"1", "<2", true},
		{"2.0", "<2.1", true},
		{"2.0.dev0", "<2.1", true},
		{"3.0.0a7", "<3.0.0a8", true},
		{"1", "~=1.0", true},
		{"1.0.1", "~=1.0", true},
		{"1.1", "~=1.0", true},
		{"1.9999999", "~=1.0", true},
		{"1.1", "~=1.0a1", true},
		{"2022.01.01", "~=2022.01.01", true},
		{"2!1.0", "~=2!1.0", true},
		{"2!1.0", "==2!1.*", true},
		{"2!1.0", "==2!1.0", true},
		{"2!1.0", "!=1.0", true},
		{"2!1.0.0", "==2!1.0.0.0.*", true},
		{"2!1.0.0", "==2!1.0.*", true},
		{"2!1.0.0", "==2!1.*", true},
		{"1.0", "!=2!1.0", true},
		{"1.0", "<=2!0.1", true},
		{"2!1.0", ">=2.0", true},
		{"1.0", "<2!0.1", true},
		{"2!1.0", ">2.0", true},
		{"2.0.5", ">2.0dev", true},
		{"1.0+local", ">1.0.dev1", true},
		{"4.1.0a2.dev1235+local", ">4.1.0a2.dev1234", true},
		{"1.0a2+local", ">1.0a1", true},
		{"1.0b2+local", ">1.0b1", true},
		{"1.0rc2+local", ">1.0rc1", true},
		{"1.0.post2+local", ">1.0.post1", true},
		{"1.0.dev2+local", ">1.0.dev1", true},
		{"1.0a1.dev2+local", ">1.0a1.dev1", true},
		{"1.0.post1.dev2+local", ">1.0.post1.dev1", true},
		{"2.1", "==2", false},
		{"2.1", "==2.0", false},
		{"2.1", "==2.0.0", false},
		{"2.0", "==2.0+deadbeef", false},
		{"2.0", "==3.*", false},
		{"2.1", "==2.0.*", false},
		{"3", "==2.0.0.*", false},
		{"2.1.0.0", "==2.0.*", false},
		{"2.0", "!=2", false},
		{"2.0", "!=2.0", false},
		{"2.0", "!=2.0.0", false},
		{"2.0+deadbeef", "!=2", false},
		{"2.0+deadbeef", "!=2.0", false},
		{"2.0+deadbeef", "!=2.0.0", false},
		{"2.0+deadbeef", "!=2+deadbeef", false},
		{"2.0+deadbeef", "!=2.0+deadbeef", false},
		{"2.0+deadbeef", "!=2.0.0+deadbeef", false},
		{"2.0+deadbeef.0", "!=2.0.0+deadbeef.00", false},
		{"2.dev1", "!=2.*", false},
		{"2a1", "!=2.*", false},
		{"2a1.post1", "!=2.*", false},
		{"2b1", "!=2.*", false},
		{"2b1.dev1", "!=2.*", false},
		{"2c1", "!=2.*", false},
		{"2c1.post1.dev1", "!=2.*", false},
		{"2c1.post1.dev1", "!=2.0.*", false},
		{"2rc1", "!=2.*", false},
		{"2rc1", "!=2.0.*", false},
		{"2", "!=2.*", false},
		{"2", "!=2.0.*", false},
		{"2", "!=2.0.0.*", false},
		{"2.0", "!=2.*", false},
		{"2.0.0", "!=2.*", false},
		{"2.0.0.0", "!=2.0.*", false},
		{"2.0.dev1", ">=2", false},
		{"2.0a1", ">=2", false},
		{"2.0a1.dev1", ">=2", false},
		{"2.0b1", ">=2", false},
		{"2.0b1.post1", ">=2", false},
		{"2.0c1", ">=2", false},
		{"2.0c1.post1.dev1", ">=2", false},
		{"2.0rc1", ">=2", false},
		{"1", ">=2", false},
		{"2.0.post1", "<=2", false},
		{"2.0.post1.dev1", "<=2", false},
		{"3", "<=2", false},
		{"1", ">2", false},
		{"2.0.dev1", ">2", false},
		{"2.0a1", ">2", false},
		{"2.0a1.post1", ">2", false},
		{"2.0b1", ">2", false},
		{"2.0b1.dev1", ">2", false},
		{"2.0c1", ">2", false},
		{"2.0c1.post1.dev1", ">2", false},
		{"2.0rc1", ">2", false},
		{"2.0", ">2", false},
		{"2.0.post1", ">2", false},
		{"2.0.post1.dev1", ">2", false},
		{"2.0+local.version", ">2", false},
		{"4.1.0a2.dev1234+local", ">4.1.0a2.dev1234", false},
		{"1.0a1+local", ">1.0a1", false},
		{"1.0b1+local", ">1.0b1", false},
		{"1.0rc1+local", ">1.0rc1", false},
		{"1.0.post1+local", ">1.0.post1", false},
		{"1.0.dev1+local", ">1.0.dev1", false},
		{"1.0a1.dev1+local", ">1.0a1.dev1", false},
		{"1.0.post1.dev1+local", ">1.0.post1.dev1", false},
		{"2.0.dev1", "<2", false},
		{"2.0a1", "<2", false},
		{"2.0a1.post1", "<2", false},
		{"2.0b1", "<2", false},
		{"2.0b2.dev1", "<2", false},
		{"2.0c1", "<2", false},
		{"2.0c1.post1.dev1", "<2", false},
		{"2.0rc1", "<2", false},
		{"2.0", "<2", false},
		{"2.post1", "<2", false},
		{"2.post1.dev1", "<2", false},
		{"3", "<2", false},
		{"2.0", "~=1.0", false},
		{"1.1.0", "~=1.0.0", false},
		{"1.1.post1", "~=1.0.0", false},
		{"1.0", "~=2!1.0", false},
		{"2!1.0", "~=1.0", false},
		{"2!1.0", "==1.0", false},
		{"1.0", "==2!1.0", false},
		{"2!1.0", "==1.0.0.*", false},
		{"1.0", "==2!1.0.0.*", false},
		{"2!1.0", "==1.*", false},
		{"1.0", "==2!1.*", false},
		{"2!1.0", "!=2!1.0", false},
		{"1.0.dev0", ">1.0.dev1", false},
		{"1.0.dev2", ">1.0.dev1", true},
		{"1.0.post0", ">1.0.dev1", true},
		{"1.0.post1", ">1.0.dev1", true},
		{"1.0.post0", ">1.0.dev0", true},
		{"1.0.post0", ">1.0a1", true},
		{"1.0.post0", ">1.0b1", true},
		{"1.0.post0", ">1.0rc1", true},
		{"1.0a1.post0", ">1.0a1", false},
		{"1.0b2.post0", ">1.0b2", false},
		{"1.0rc1.post0", ">1.0rc1", false},
		{"1.0a2.post0", ">1.0a1", true},
		{"1.0b2.post0", ">1.0b1", true},
		{"1.0", ">1.0.dev1", true},
		{"1.0a1", ">1.0.dev1", true},
		{"1.1", ">1.0.dev1", true},
		{"1.0.post0", ">1.0", false},
		{"1.0.post1", ">1.0", false},
		{"2.0.post0", ">1.0", true},
		{"0.9.post0", ">1.0", false},
		{"1.1.post0", ">1.0.dev1", true},
		{"0.9.post0", ">1.0.dev1", false},
		{"1.0.post1.dev0", "<1.0.post1", false},
		{"1.0.post0.dev0", "<1.0.post0", false},
		{"1.0.dev0", "<1.0.post1", true},
		{"1.0a1", "<1.0.post1", true},
		{"1.0rc1", "<1.0.post1", true},
		{"1.0.dev0", "<1.0.post0", true},
		{"1.0a1", "<1.0.post0", true},
		{"1.0b1", "<1.0.post0", true},
		{"1.0rc2", "<1.0.post0", true},
		{"1.0.post0.dev0", "<1.0.post1", true},
		{"1.0.post1.dev0", "<1.0.post2", true},
		{"1.0", "<1.0.post1", true},
		{"1.0.post0", "<1.0.post1", true},
		{"0.9", "<1.0.post1", true},
		{"1.0", "<1.0.post0", true},
		{"2.0.dev1", ">=1.0", true},
		{"2.0a1", ">=2.0.dev1", true},
		{"2.0a1.dev1", "==2.0.*", true},
		{"1.0.dev1", "<=2.0", true},
		{"1.0a1", "<=2.0.dev1", true},
		{"2.0a1", "<2.0", false},
		{"2.0a1", "<2.0a2", true},
		{"1.0.0", "===1.0", false},
		{"1.0.dev0", "===1.0", false},
		{"1.0", "===1.0", true},
		{"1.0.dev0", "===1.0.dev0", true},
		{"1.0+downstream1", "===1.0", false},
		{"1.0", "===1.0+downstream1", false},
		{"foobar", "===foobar", true},
		{"foobar", "===baz", false},
		{"1.0a1", "===1.0A1", true},
		{"1.0A1", "===1.0a1", true},
		{"1.0.POST1", "===1.0.post1", true},
		{"1.0+AbC", "===1.0+abc", true},
		{"lolwat", "===LOLWAT", true},
		{"LoLWaT", "===lOlwAt", true},
		{"1.01", "===1.1", false},
		{"1.1", "===1.01", false},
		{"1.01", "===1.01", true},
		{"1.a1", "===1.a1", true},
		{"1.a1", "===1a1", false},
		{"0!1.0", "===0!1.0", true},
		{"1.0", "===0!1.0", false},
		{"01.0", "===01.0", true},
		{"1.0-1", "===1.0-1", true},
		{"1.0.post1", "===1.0-1", false},
		{"1.0.dev01", "===1.0.dev01", true},
		{"1.0.dev1", "===1.0.dev01", false},
		{"invalid", "===invalid", true},
		{"invalid", "===foobar", false},
		{"not a valid version", "==1.0", false},
		{"not a valid version", "==1.*", false},
		{"not a valid version", ">=1.0", false},
		{"not a valid version", "~=1.0", false},
		{"not a valid version", "!=1.0", false},
		{"not a valid version", "!=1.*", false},
	};
	size_t n = sizeof(v) / sizeof(v[0]), bad = 0;
	for (size_t i = 0; i < n; i++) {
		bool got = !v[i].want;
		struct bw_errbuf eb = {0};
		enum bw_err r = version_pep440_satisfies(v[i].version, v[i].constraint, true, &got, &eb);
		if (r != BW_OK || got != v[i].want) {
			printf("# FAIL pep440 \"%s\" in \"%s\": got %d (%s)\n", v[i].version, v[i].constraint, got,
			       bw_errmsg(&eb, r));
			bad++;
		}
	}
	printf("# packaging test_specifiers.py: %zu/%zu vectors pass\n", n - bad, n);
	assert_int_equal(bad, 0);
	static const char *const invalid[] = {"2.0", "=>2.0", "==", "~=1.0+5", ">=1.0+deadbeef", "<=1.0+abc123", ">1.0+watwat", "<1.0+1.0", "~=1.0.*", ">=1.0.*", "<=1.0.*", ">1.0.*", "<1.0.*", "==1.0.*+5", "!=1.0.*+deadbeef", "==2.0a1.*", "!=2.0a1.*", "==2.0.post1.*", "!=2.0.post1.*", "==2.0.dev1.*", "!=2.0.dev1.*", "==1.0+5.*", "!=1.0+deadbeef.*", "==1.0.*.5", "~=1", "==1.0.dev1.*", "!=1.0.dev1.*", NULL};
	for (const char *const *sp = invalid; *sp; sp++) {
		bool got = true;
		if (version_pep440_satisfies("1.0", *sp, true, &got, NULL) != BW_ERR_FORMAT || got)
			fail_msg("specifier \"%s\" should be invalid", *sp);
	}
}

static void t_gem_requirements(void **state)
{
	/* guides.rubygems.org/patterns ("Pessimistic version constraint"):
	 * "~> 2.2" is ">= 2.2" and "< 3.0"; "~> 2.2.0" is ">= 2.2.0" and
	 * "< 2.3.0"; Gem::Requirement rdoc: no operator means "=", several
	 * requirements must all hold. Prerelease versions compare by their
	 * release for the upper bound (Gem::Requirement "~>" uses
	 * version.release < requirement.bump). */
	static const struct sat_vec v[] = {
		{"2.2", "~> 2.2", true},
		{"2.9.9", "~> 2.2", true},
		{"3.0", "~> 2.2", false},
		{"2.1", "~> 2.2", false},
		{"2.2.9", "~> 2.2.0", true},
		{"2.3.0", "~> 2.2.0", false},
		{"4.2.5.1", "~> 4.2.5, >= 4.2.5.1", true},
		{"4.2.5", "~> 4.2.5, >= 4.2.5.1", false},
		{"1.0", "1.0", true},
		{"1.0.0", "= 1.0", true},
		{"1.1", "!= 1.0", true},
		{"1.0.a", "< 1.0", true},
		{"5.0.0.beta1.1", ">= 5.0.0.beta1.1", true},
		{"5.0.0.beta1", ">= 5.0.0.beta1.1", false},
		{"3.0.0.rc1", "~> 2.2", false},
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bool got = !v[i].want;
		struct bw_errbuf eb = {0};
		enum bw_err r = version_gem_satisfies(v[i].version, v[i].constraint, &got, &eb);
		if (r != BW_OK || got != v[i].want) {
			printf("# FAIL gem \"%s\" in \"%s\": got %d (%s)\n", v[i].version, v[i].constraint, got,
			       bw_errmsg(&eb, r));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	bool got = true;
	assert_int_equal(version_gem_satisfies("1.0", "~> junk", &got, NULL), BW_ERR_FORMAT);
	assert_false(got);
	assert_int_equal(version_gem_satisfies("1.0", ">= 1.0, ", &got, NULL), BW_ERR_FORMAT);
}

static bool osv(enum version_scheme s, const char *v, const struct version_event *e, size_t n)
{
	bool aff = false;
	struct bw_errbuf eb = {0};
	enum bw_err r = version_in_osv_range(s, v, e, n, &aff, &eb);
	if (r != BW_OK)
		fail_msg("osv range %s: %s", v, bw_errmsg(&eb, r));
	return aff;
}

static void t_osv_ranges(void **state)
{
	/* OSV schema, "Evaluation" (ossf.github.io/osv-schema/#evaluation):
	 * introduced <= v sets affected, fixed <= v clears it, last_affected
	 * < v clears it, events taken in version order, "0" is before every
	 * version, and with limit events v must be below one of them. Worked
	 * by hand for each case below. */
	const struct version_event r1[] = {
		{VERSION_EVENT_INTRODUCED, "0"},
		{VERSION_EVENT_FIXED, "1.0.2"},
	};
	assert_true(osv(VERSION_SEMVER, "0.0.1", r1, 2));
	assert_true(osv(VERSION_SEMVER, "1.0.1", r1, 2));
	assert_false(osv(VERSION_SEMVER, "1.0.2", r1, 2));
	assert_false(osv(VERSION_SEMVER, "2.0.0", r1, 2));
	/* two intervals given out of order: [1.0, 1.2) and [2.0, 2.0.3) */
	const struct version_event r2[] = {
		{VERSION_EVENT_INTRODUCED, "2.0"},
		{VERSION_EVENT_FIXED, "2.0.3"},
		{VERSION_EVENT_INTRODUCED, "1.0"},
		{VERSION_EVENT_FIXED, "1.2"},
	};
	assert_false(osv(VERSION_PEP440, "0.9", r2, 4));
	assert_true(osv(VERSION_PEP440, "1.1", r2, 4));
	assert_false(osv(VERSION_PEP440, "1.5", r2, 4));
	assert_true(osv(VERSION_PEP440, "2.0.2", r2, 4));
	assert_false(osv(VERSION_PEP440, "2.0.3", r2, 4));
	/* last_affected is inclusive */
	const struct version_event r3[] = {
		{VERSION_EVENT_INTRODUCED, "1:1.0-1"},
		{VERSION_EVENT_LAST_AFFECTED, "1:1.4-2"},
	};
	assert_false(osv(VERSION_DPKG, "1.9-1", r3, 2)); /* epoch 0 < 1 */
	assert_true(osv(VERSION_DPKG, "1:1.4-2", r3, 2));
	assert_false(osv(VERSION_DPKG, "1:1.4-2+deb12u1", r3, 2));
	/* limit: only versions below a limit */
	const struct version_event r4[] = {
		{VERSION_EVENT_INTRODUCED, "0"},
		{VERSION_EVENT_LIMIT, "1.5.0"},
	};
	assert_true(osv(VERSION_CARGO, "1.4.9", r4, 2));
	assert_false(osv(VERSION_CARGO, "1.5.0", r4, 2));
	const struct version_event r5[] = {
		{VERSION_EVENT_INTRODUCED, "0"},
		{VERSION_EVENT_LIMIT, "*"},
	};
	assert_true(osv(VERSION_CARGO, "99.0.0", r5, 2));
	/* Debian backport (issue 3): fixed in 1.1.1n-0+deb11u4, so that
	 * version is not affected though it sorts below upstream 1.1.1o */
	const struct version_event r6[] = {
		{VERSION_EVENT_INTRODUCED, "0"},
		{VERSION_EVENT_FIXED, "1.1.1n-0+deb11u4"},
	};
	assert_false(osv(VERSION_DPKG, "1.1.1n-0+deb11u4", r6, 2));
	assert_true(osv(VERSION_DPKG, "1.1.1n-0+deb11u3", r6, 2));
	/* many intervals given in scrambled order: [1.0.2k, 1.0.2k+1) for
	 * k < 500, so 1.0.N is affected exactly when N is even (N < 1000) */
	static struct version_event many[1000];
	static char names[1000][16];
	for (int i = 0; i < 1000; i++) {
		int n = (i * 7919) % 1000; /* 7919 is prime: a permutation of 0..999 */
		snprintf(names[i], sizeof(names[i]), "1.0.%d", n);
		many[i].kind = n % 2 ? VERSION_EVENT_FIXED : VERSION_EVENT_INTRODUCED;
		many[i].version = names[i];
	}
	assert_true(osv(VERSION_SEMVER, "1.0.0", many, 1000));
	assert_false(osv(VERSION_SEMVER, "1.0.1", many, 1000));
	assert_true(osv(VERSION_SEMVER, "1.0.998", many, 1000));
	assert_false(osv(VERSION_SEMVER, "1.0.999", many, 1000));
	assert_false(osv(VERSION_SEMVER, "1.0.1000", many, 1000));
	assert_false(osv(VERSION_SEMVER, "0.9.9", many, 1000));
	/* errors name the event */
	const struct version_event bad[] = {
		{VERSION_EVENT_INTRODUCED, "0"},
		{VERSION_EVENT_FIXED, "not-a-version"},
	};
	bool aff = true;
	struct bw_errbuf eb = {0};
	assert_int_equal(version_in_osv_range(VERSION_SEMVER, "1.0.0", bad, 2, &aff, &eb), BW_ERR_FORMAT);
	assert_false(aff);
	assert_non_null(strstr(eb.msg, "event 1 (fixed)"));
	assert_int_equal(version_in_osv_range(VERSION_SEMVER, "x", r1, 2, &aff, &eb), BW_ERR_FORMAT);
	assert_int_equal(version_in_osv_range(VERSION_UNKNOWN, "1", r1, 2, &aff, &eb), BW_ERR_USAGE);
	assert_int_equal(version_in_osv_range(VERSION_SEMVER, "1.0.0", r1, 4097, &aff, &eb), BW_ERR_LIMIT);
}

static void t_ecosystems(void **state)
{
	/* OSV ecosystem names (ossf.github.io/osv-schema/#affectedpackage-field) */
	static const struct {
		const char *eco;
		enum version_scheme s;
	} v[] = {
		{"npm", VERSION_SEMVER},     {"PyPI", VERSION_PEP440},        {"Go", VERSION_GO},
		{"Maven", VERSION_MAVEN},    {"RubyGems", VERSION_GEM},       {"NuGet", VERSION_NUGET},
		{"crates.io", VERSION_CARGO}, {"Packagist", VERSION_COMPOSER}, {"Debian", VERSION_DPKG},
		{"Debian:12", VERSION_DPKG}, {"Ubuntu:22.04:LTS", VERSION_DPKG}, {"Alpine", VERSION_APK},
		{"Alpine:v3.19", VERSION_APK}, {"Rocky Linux:9", VERSION_RPM}, {"AlmaLinux", VERSION_RPM},
		{"Red Hat", VERSION_RPM},    {"SUSE", VERSION_RPM},           {"GIT", VERSION_UNKNOWN},
		{"Linux", VERSION_UNKNOWN},  {"", VERSION_UNKNOWN},           {"npmx", VERSION_UNKNOWN},
		{"Debia", VERSION_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (version_scheme_for_ecosystem(v[i].eco) != v[i].s)
			fail_msg("ecosystem %s", v[i].eco);
	assert_int_equal(version_scheme_for_ecosystem(NULL), VERSION_UNKNOWN);
}

static void t_errors(void **state)
{
	enum bw_err err = BW_OK;
	char big[VERSION_MAX_LEN + 10];

	assert_int_equal(version_compare(VERSION_DPKG, NULL, "1", &err), 0);
	assert_int_equal(err, BW_ERR_USAGE);
	version_compare(VERSION_UNKNOWN, "1", "1", &err);
	assert_int_equal(err, BW_ERR_USAGE);
	version_compare((enum version_scheme)999, "1", "1", &err);
	assert_int_equal(err, BW_ERR_USAGE);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int s = VERSION_DPKG; s < VERSION__COUNT; s++) {
		assert_false(version_valid((enum version_scheme)s, big));
		assert_false(version_valid((enum version_scheme)s, NULL));
		/* an over-long version sorts before a valid one */
		assert_int_equal(version_compare((enum version_scheme)s, big, "1", &err), -1);
		assert_int_equal(err, BW_ERR_FORMAT);
	}
	/* dpkg: what dpkg refuses (parseversion errors) */
	assert_false(version_valid(VERSION_DPKG, ""));
	assert_false(version_valid(VERSION_DPKG, "a:1.0"));
	assert_false(version_valid(VERSION_DPKG, "1.0-"));
	assert_false(version_valid(VERSION_DPKG, "1.0 2"));
	assert_true(version_valid(VERSION_DPKG, "1:2.30-1+deb12u2"));
	assert_string_equal(version_scheme_name(VERSION_PEP440), "pep440");
	assert_string_equal(version_scheme_name((enum version_scheme)77), "unknown");
	/* npm: invalid range is an error, invalid version simply no match */
	bool got = true;
	assert_int_equal(version_semver_satisfies("1.0.0", ">=1.0.0 <=junk", 0, &got, NULL), BW_ERR_FORMAT);
	assert_false(got);
	got = true;
	assert_int_equal(version_semver_satisfies("junk", ">=1.0.0", 0, &got, NULL), BW_OK);
	assert_false(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_go),
		cmocka_unit_test(t_go_upstream),
		cmocka_unit_test(t_cargo),
		cmocka_unit_test(t_cargo_upstream),
		cmocka_unit_test(t_nuget),
		cmocka_unit_test(t_nuget_upstream),
		cmocka_unit_test(t_gem),
		cmocka_unit_test(t_gem_upstream),
		cmocka_unit_test(t_composer),
		cmocka_unit_test(t_composer_normalize),
		cmocka_unit_test(t_pep440_specifiers),
		cmocka_unit_test(t_pep440_upstream),
		cmocka_unit_test(t_gem_requirements),
		cmocka_unit_test(t_osv_ranges),
		cmocka_unit_test(t_ecosystems),
		cmocka_unit_test(t_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

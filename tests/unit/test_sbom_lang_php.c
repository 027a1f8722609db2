/* test_sbom_lang_php.c - Composer's installed.json (v1 and v2) and
 * composer.lock.
 *
 * Truth, in tests/data/lang2/php: v2/vendor/composer/installed.json and
 * lock/composer.lock were written by Composer 2.5 (Debian 12's composer)
 * running `composer install` offline over path repositories; the expected
 * lists are Composer's own `composer show --format=json` (all packages)
 * with dev marked for those `composer show --no-dev` leaves out.
 * v1/vendor/composer/installed.json is Composer 1's shape (the bare array
 * of the same package objects); Composer 1 records no dev names.
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

#define DATA BW_SOURCE_ROOT "/tests/data/lang2/php"
#define LT_TYPE SBOM_PKG_COMPOSER
#define LT_DEV 1
#include "sbom_lang_test.h"

static void test_installed_v2(void **state)
{
	(void)state;
	check_file(sbom_parse_composer_installed, "v2/vendor/composer/installed.json");
}

static void test_installed_v1(void **state)
{
	(void)state;
	check_file(sbom_parse_composer_installed, "v1/vendor/composer/installed.json");
}

static void test_lock(void **state)
{
	(void)state;
	check_file(sbom_parse_composer_lock, "lock/composer.lock");
}

/* Licences as the package declares them (array or string), sorted. */
static void test_licenses(void **state)
{
	static const char lock[] =
		"{\"packages\": [{\"name\": \"a/b\", \"version\": \"1\", \"license\": \"MIT\"},"
		"{\"name\": \"c/d\", \"version\": \"dev-main\", \"license\": [\"MIT\", \"Apache-2.0\", \"MIT\"]},"
		"{\"name\": \"nodash\", \"version\": \"1\"}, {\"name\": \"e/f\"}, 7, "
		"{\"name\": \"g/h/i\", \"version\": \"1\"}, {\"name\": \"j/k\", \"version\": \"1 2\"}]}";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	(void)state;
	assert_int_equal(sbom_parse_composer_lock(sb, lock, sizeof(lock) - 1, "composer.lock", NULL,
						  &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 2);
	assert_string_equal(sb->pkgs[0].licenses.v[0], "MIT");
	assert_int_equal(sb->pkgs[1].licenses.n, 2);
	assert_string_equal(sb->pkgs[1].licenses.v[0], "Apache-2.0");
	assert_string_equal(sb->pkgs[1].licenses.v[1], "MIT");
	assert_string_equal(sb->pkgs[1].purl, "pkg:composer/c/d@dev-main");
	sbom_free(sb);
}

static void test_malformed(void **state)
{
	static const struct {
		parse_fn parse;
		const char *text;
		const char *want;
	} cases[] = {
		{sbom_parse_composer_installed, "{\"packages\": 3}",
		 "bad.json: neither an array of packages nor an object"},
		{sbom_parse_composer_installed, "[1, 2", "bad.json"},
		{sbom_parse_composer_lock, "{}", "bad.json: no \"packages\" array"},
		{sbom_parse_composer_lock, "[]", "bad.json: no \"packages\" array"},
		{sbom_parse_composer_lock, "{\"packages\": [}", "bad.json"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbom *sb = sbom_new();
		struct bw_errbuf eb = {{0}};

		assert_int_equal(cases[i].parse(sb, cases[i].text, strlen(cases[i].text), "bad.json",
						NULL, &eb),
				 BW_ERR_FORMAT);
		if (!strstr(eb.msg, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, eb.msg, cases[i].want);
		assert_int_equal(sb->npkgs, 0);
		sbom_free(sb);
	}
}

/* The cataloger over the fixture tree: each installed.json once; the
 * composer.lock in lock/ (no vendor/ beside it) too. */
static void test_catalog_dir(void **state)
{
	static const char *const files[] = {"lock/composer.lock",
					    "v1/vendor/composer/installed.json",
					    "v2/vendor/composer/installed.json"};

	(void)state;
	sbom_free(check_catalog_dir(files, sizeof(files) / sizeof(files[0])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_installed_v2), cmocka_unit_test(test_installed_v1),
		cmocka_unit_test(test_lock),	     cmocka_unit_test(test_licenses),
		cmocka_unit_test(test_malformed),    cmocka_unit_test(test_catalog_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_sbom_lang_dotnet.c - .NET *.deps.json and NuGet packages.lock.json.
 *
 * Truth, in tests/data/lang2/dotnet, written by hand from the formats'
 * documentation (dotnet/runtime docs/design/features/host-runtime-
 * information.md for deps.json, NuGet's lock file docs): app/bin/
 * ShopApi.deps.json (a self-contained publish: project, runtimepack,
 * referenceassembly and package libraries) and src/packages.lock.json
 * (version 2, two frameworks, Direct, Transitive, CentralTransitive and
 * Project entries); the expected lists were worked by hand.
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

#define DATA BW_SOURCE_ROOT "/tests/data/lang2/dotnet"
#define LT_TYPE SBOM_PKG_NUGET
#define LT_DEV 0
#include "sbom_lang_test.h"

static void test_deps_json(void **state)
{
	(void)state;
	check_file(sbom_parse_dotnet_deps, "app/bin/ShopApi.deps.json");
}

static void test_packages_lock(void **state)
{
	(void)state;
	check_file(sbom_parse_nuget_lock, "src/packages.lock.json");
}

static void test_purl(void **state)
{
	static const char deps[] = "{\"libraries\": {\"Microsoft.AspNetCore.App/2.1.0-preview1-final\": "
				   "{\"type\": \"package\"}, \"NoSlash\": {\"type\": \"package\"}, "
				   "\"a/b/1.0\": {\"type\": \"package\"}, \"Bad Name/1.0\": {\"type\": \"package\"}, "
				   "\"X/\": {\"type\": \"package\"}, \"Y/1\": 5, \"Z/1\": {\"type\": 5}}}";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	(void)state;
	assert_int_equal(sbom_parse_dotnet_deps(sb, deps, sizeof(deps) - 1, "x.deps.json", NULL, &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 1);
	assert_string_equal(sb->pkgs[0].name, "Microsoft.AspNetCore.App");
	assert_string_equal(sb->pkgs[0].version, "2.1.0-preview1-final");
	assert_string_equal(sb->pkgs[0].purl, "pkg:nuget/Microsoft.AspNetCore.App@2.1.0-preview1-final");
	assert_int_equal(sb->pkgs[0].type, SBOM_PKG_NUGET);
	sbom_free(sb);
}

static void test_malformed(void **state)
{
	static const struct {
		parse_fn parse;
		const char *text;
		const char *want;
	} cases[] = {
		{sbom_parse_dotnet_deps, "{\"targets\": {}}", "bad.json: no \"libraries\" object"},
		{sbom_parse_dotnet_deps, "[]", "bad.json: no \"libraries\" object"},
		{sbom_parse_dotnet_deps, "{\"libraries\": {", "bad.json"},
		{sbom_parse_nuget_lock, "{\"version\": 1}", "bad.json: no \"dependencies\" object"},
		{sbom_parse_nuget_lock, "{\"dependencies\": [1]}", "no \"dependencies\" object"},
		{sbom_parse_nuget_lock, "\"x\"", "bad.json: invalid JSON"},
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

/* The cataloger over the fixture tree: both files found and read. */
static void test_catalog_dir(void **state)
{
	static const char *const files[] = {"app/bin/ShopApi.deps.json", "src/packages.lock.json"};

	(void)state;
	sbom_free(check_catalog_dir(files, sizeof(files) / sizeof(files[0])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deps_json), cmocka_unit_test(test_packages_lock),
		cmocka_unit_test(test_purl),	  cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_catalog_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

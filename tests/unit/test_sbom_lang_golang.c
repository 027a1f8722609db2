/* test_sbom_lang_golang.c - Go modules in source trees (go.mod, go.sum).
 *
 * Truth, in tests/data/lang2/go:
 *   - containerd/go.mod is Debian 12's (golang-github-containerd-containerd-dev
 *     1.6.20~ds1-1+deb12u3); its go.mod.expected was made by the go command
 *     (`go mod edit -json`, Go's own go.mod parser) with the replace and
 *     exclude rule applied by jq (tests/data/lang2/gomod.jq);
 *   - syntax/go.mod uses every statement; its expected list was worked by
 *     hand and agrees with the same go mod edit + jq listing;
 *   - sumonly/go.sum (no go.mod beside it): hand-written list of the
 *     modules with a content hash.
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

#define DATA BW_SOURCE_ROOT "/tests/data/lang2/go"
#define LT_TYPE SBOM_PKG_GOLANG
#define LT_DEV 0
#include "sbom_lang_test.h"

static void test_containerd(void **state)
{
	(void)state;
	check_file(sbom_parse_go_mod, "containerd/go.mod");
}

static void test_syntax(void **state)
{
	(void)state;
	check_file(sbom_parse_go_mod, "syntax/go.mod");
}

static void test_go_sum(void **state)
{
	(void)state;
	check_file(sbom_parse_go_sum, "sumonly/go.sum");
}

/* Statements newer than Debian's go (toolchain, godebug), CRLF, comments
 * everywhere, quoted paths; purls keep the case and the
 * slashes of the module path. Hand-worked. */
static void test_newer_and_purl(void **state)
{
	static const char mod[] = "module x\r\n\r\ngo 1.22.1\r\ntoolchain go1.22.3\r\n"
				  "godebug (\r\n\tpanicnil=1\r\n)\r\n"
				  "require github.com/BurntSushi/toml v1.3.2 // indirect\r\n"
				  "require (\r\n\t// nothing here\r\n\t\"gopkg.in/yaml.v2\" v2.0.0+incompatible\r\n)\r\n";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	(void)state;
	assert_int_equal(sbom_parse_go_mod(sb, mod, sizeof(mod) - 1, "go.mod", NULL, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 2);
	sbom_sort(sb);
	assert_string_equal(sb->pkgs[0].name, "github.com/BurntSushi/toml");
	assert_string_equal(sb->pkgs[0].version, "v1.3.2");
	assert_string_equal(sb->pkgs[0].purl, "pkg:golang/github.com/BurntSushi/toml@v1.3.2");
	assert_string_equal(sb->pkgs[1].name, "gopkg.in/yaml.v2");
	assert_string_equal(sb->pkgs[1].purl, "pkg:golang/gopkg.in/yaml.v2@v2.0.0%2Bincompatible");
	assert_int_equal(sb->pkgs[1].type, SBOM_PKG_GOLANG);
	assert_false(sb->pkgs[1].dev);
	sbom_free(sb);
}

static void test_malformed(void **state)
{
	static const struct {
		parse_fn parse;
		const char *text;
		const char *want;
	} cases[] = {
		{sbom_parse_go_mod, "module x\nrequire a\n", "bad.mod: line 2: expected MODULE VERSION"},
		{sbom_parse_go_mod, "require (\n a v1\n", "bad.mod: require block not closed"},
		{sbom_parse_go_mod, "require `a` v1\n", "line 1: unquoted string cannot contain quote"},
		{sbom_parse_go_mod, "require \"a v1\n", "line 1: unterminated quoted string"},
		{sbom_parse_go_mod, "require \"a\\n\" v1\n", "unsupported escape"},
		{sbom_parse_go_mod, "\n\nreplace a => \n", "line 3: expected MODULE [VERSION] => MODULE"},
		{sbom_parse_go_mod, "replace a v1 v2 => b v1\n", "expected MODULE [VERSION] => MODULE"},
		{sbom_parse_go_mod, ")\n", "line 1: unexpected parenthesis"},
		{sbom_parse_go_mod, "require ( a v1\n", "a block opens with VERB ("},
		{sbom_parse_go_mod, "require a b c d e f g h i\n", "too many words"},
		{sbom_parse_go_mod, "require a\x01 v1\n", "expected MODULE VERSION"},
		{sbom_parse_go_mod, "require \"a\\\"b\" v1\n", "expected MODULE VERSION"},
		{sbom_parse_go_sum, "a v1 h1:x\nb v2\n", "bad.mod: line 2: expected MODULE VERSION HASH"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbom *sb = sbom_new();
		struct bw_errbuf eb = {{0}};

		assert_int_equal(cases[i].parse(sb, cases[i].text, strlen(cases[i].text), "bad.mod",
						NULL, &eb),
				 BW_ERR_FORMAT);
		if (!strstr(eb.msg, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, eb.msg, cases[i].want);
		assert_int_equal(sb->npkgs, 0);
		sbom_free(sb);
	}
}

/* The cataloger over the fixture directory as a dir: image: go.mod files
 * everywhere but vendor/ and testdata/; a go.sum only where no go.mod is. */
static void test_catalog_dir(void **state)
{
	static const char *const files[] = {"containerd/go.mod", "syntax/go.mod",
					    "sumonly/go.sum"};
	struct sbom *sb;

	(void)state;
	sb = check_catalog_dir(files, sizeof(files) / sizeof(files[0]));
	for (size_t i = 0; i < sb->npkgs; i++)
		if (sb->pkgs[i].type == SBOM_PKG_GOLANG)
			assert_null(strstr(sb->pkgs[i].name, "should/not-appear"));
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containerd),  cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_go_sum),	    cmocka_unit_test(test_newer_and_purl),
		cmocka_unit_test(test_malformed),   cmocka_unit_test(test_catalog_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

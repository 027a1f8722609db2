/* test_sbom_lang_ruby.c - the Ruby cataloger (installed gemspecs and
 * Gemfile.lock) against fixtures in tests/data/lang2/ruby whose expected
 * lists (*.expected) were written by hand from the files' text: the
 * gemspecs are RubyGems' generated shape (new and old) and real Debian ones
 * (ruby-rack's, Ruby's default json gem), the Gemfile.lock follows Bundler's
 * lockfile format (GIT, PATH, GEM with platform variants); bundler/ holds
 * a Gemfile.lock written by Bundler itself, its expected list from
 * `bundle list`.
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

#define DATA BW_SOURCE_ROOT "/tests/data/lang2/ruby"

/* In lang_ruby.c (prototypes to move to sbom.h). */

typedef enum bw_err (*parse_fn)(struct sbom *sb, const char *data, size_t n, const char *path,
				const char *layer, struct bw_errbuf *eb);

static char *read_all(const char *path, size_t *n)
{
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};

	bw_buf_init(&b, 64u << 20);
	if (bw_buf_read_file(&b, path, &eb) != BW_OK) {
		print_error("cannot read %s: %s\n", path, eb.msg);
		bw_buf_release(&b);
		return NULL;
	}
	return bw_buf_detach(&b, n);
}

/* "name version[ lic,lic]" per package, sorted, one a line. */
static char *render(struct sbom *sb, bool licenses)
{
	struct bw_buf b;

	sbom_sort(sb);
	bw_buf_init(&b, 16u << 20);
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		assert_int_equal(bw_buf_appendf(&b, "%s %s", p->name, p->version), BW_OK);
		for (size_t j = 0; licenses && j < p->licenses.n; j++)
			assert_int_equal(bw_buf_appendf(&b, "%c%s", j ? ',' : ' ', p->licenses.v[j]),
					 BW_OK);
		assert_int_equal(bw_buf_appends(&b, "\n"), BW_OK);
	}
	return bw_buf_detach(&b, NULL);
}

static void check_file(parse_fn parse, const char *file, const char *expected, bool licenses)
{
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	size_t n;
	char *data = read_all(file, &n), *want = read_all(expected, NULL), *got;

	assert_non_null(sb);
	assert_non_null(data);
	assert_non_null(want);
	assert_int_equal(parse(sb, data, n, "x/Gemfile.lock", "sha256:aa", &eb), BW_OK);
	got = render(sb, licenses);
	assert_string_equal(got, want);
	for (size_t i = 0; i < sb->npkgs; i++) {
		assert_int_equal(sb->pkgs[i].type, SBOM_PKG_GEM);
		assert_string_equal(sb->pkgs[i].layer_digest, "sha256:aa");
		assert_false(sb->pkgs[i].dev);
	}
	free(got);
	free(want);
	free(data);
	sbom_free(sb);
}

static void test_gemfile_lock(void **state)
{
	(void)state;
	check_file(sbom_parse_gemfile_lock, DATA "/Gemfile.lock", DATA "/Gemfile.lock.expected",
		   false);
}

/* Written by Bundler 2.3.7 (`bundle lock --local` in the Debian root of
 * sbom_lang_ruby.sh); expected: `bundle list` of the same project. */
static void test_gemfile_lock_bundler(void **state)
{
	(void)state;
	check_file(sbom_parse_gemfile_lock, DATA "/bundler/Gemfile.lock",
		   DATA "/bundler/Gemfile.lock.expected", false);
}

/* Every gemspec of the fixture's specifications/ (and default/) together. */
static void test_gemspecs(void **state)
{
	static const char *const files[] = {
		"specifications/rack-3.0.8.gemspec",
		"specifications/nokogiri-1.15.4-x86_64-linux.gemspec",
		"specifications/rake-0.8.7.gemspec",
		"specifications/ruby-rack-debian.gemspec",
		"specifications/default/json-2.6.1.gemspec",
	};
	struct sbom *sb = sbom_new();
	char *want = read_all(DATA "/specifications.expected", NULL), *got;

	(void)state;
	assert_non_null(sb);
	assert_non_null(want);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		struct bw_errbuf eb = {{0}};
		size_t n;
		char *data;

		snprintf(path, sizeof(path), "%s/%s", DATA, files[i]);
		data = read_all(path, &n);
		assert_non_null(data);
		assert_int_equal(sbom_parse_gemspec(sb, data, n, files[i], NULL, &eb), BW_OK);
		free(data);
	}
	got = render(sb, true);
	assert_string_equal(got, want);
	free(got);
	free(want);
	sbom_free(sb);
}

static void test_purl(void **state)
{
	static const char spec[] = "Gem::Specification.new do |spec|\n"
				   "  spec.name = 'my_gem'\n"
				   "  spec.version = \"1.0.0.pre.1\"\n"
				   "  spec.license = \"Apache-2.0\"\n"
				   "end\n";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	(void)state;
	assert_int_equal(sbom_parse_gemspec(sb, spec, sizeof(spec) - 1, "s/x.gemspec", NULL, &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 1);
	assert_string_equal(sb->pkgs[0].purl, "pkg:gem/my_gem@1.0.0.pre.1");
	assert_string_equal(sb->pkgs[0].found_path, "s/x.gemspec");
	assert_null(sb->pkgs[0].layer_digest);
	assert_int_equal(sb->pkgs[0].licenses.n, 1);
	assert_string_equal(sb->pkgs[0].licenses.v[0], "Apache-2.0");
	sbom_free(sb);
}

/* Hostile or broken input: an error naming the file and line, no package. */
static void test_malformed(void **state)
{
	static const struct {
		parse_fn parse;
		const char *text;
		const char *want; /* in the message */
	} cases[] = {
		{sbom_parse_gemspec, "Gem::Specification.new do |s|\n  s.version = \"1\"\nend\n",
		 "bad.file: no usable gem name"},
		{sbom_parse_gemspec, "  s.name = \"a b\"\n  s.version = \"1\"\n", "no usable gem name"},
		{sbom_parse_gemspec, "  s.name = \"ok\"\n  s.version = Foo::VERSION\n",
		 "gem ok: no usable version"},
		{sbom_parse_gemspec, "  s.name = \"ok\"\n  s.version = \"1 2\"\n", "no usable version"},
		{sbom_parse_gemfile_lock, "GEM\n  specs:\n    rack 2.2.8\n",
		 "bad.file: line 3: not a gem spec"},
		{sbom_parse_gemfile_lock, "GEM\n  specs:\n    ra\x01" "ck (1)\n", "line 3: not a gem spec: \"ra\\x01ck (1)\""},
		{sbom_parse_gemfile_lock, "    rack (1.0)\n", "no Gemfile.lock sections"},
		{sbom_parse_gemfile_lock, "GEM\n  specs:\n<<<<<<< HEAD\n", "line 3: not a section header: \"<<<<<<< HEAD\""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbom *sb = sbom_new();
		struct bw_errbuf eb = {{0}};

		assert_int_equal(cases[i].parse(sb, cases[i].text, strlen(cases[i].text), "bad.file",
						NULL, &eb),
				 BW_ERR_FORMAT);
		if (!strstr(eb.msg, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, eb.msg, cases[i].want);
		assert_int_equal(sb->npkgs, 0);
		sbom_free(sb);
	}
}

/* Edge cases read by hand: CRLF lines, an empty file, a lock with only
 * PATH specs, a NUL byte inside (no crash, no package from it), a
 * licence list with an unterminated literal. */
static void test_edges(void **state)
{
	static const char crlf[] = "GEM\r\n  remote: https://rubygems.org/\r\n  specs:\r\n"
				   "    rack (2.2.8)\r\n      x (>= 1)\r\n\r\nDEPENDENCIES\r\n  rack\r\n";
	static const char path_only[] = "PATH\n  remote: .\n  specs:\n    app (0.1.0)\n\n"
					"DEPENDENCIES\n  app!\n";
	static const char nul[] = "GEM\n  specs:\n    a (1.0)\n\0    b (2.0)\n";
	static const char shortest[] = "GEM\n  specs:\n    a (1)\n";
	static const char unterminated[] = "s.name = \"x\"\ns.version = \"2\"\n"
					   "s.licenses = [\"MIT\".freeze, \"GPL";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	(void)state;
	assert_int_equal(sbom_parse_gemfile_lock(sb, crlf, sizeof(crlf) - 1, "a", NULL, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 1);
	assert_string_equal(sb->pkgs[0].name, "rack");
	assert_string_equal(sb->pkgs[0].version, "2.2.8");
	assert_int_equal(sbom_parse_gemfile_lock(sb, "", 0, "b", NULL, &eb), BW_OK);
	assert_int_equal(sbom_parse_gemfile_lock(sb, path_only, sizeof(path_only) - 1, "c", NULL,
						 &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 1);
	assert_int_equal(sbom_parse_gemfile_lock(sb, nul, sizeof(nul) - 1, "d", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(sb->npkgs, 1);
	assert_int_equal(sbom_parse_gemspec(sb, unterminated, sizeof(unterminated) - 1, "e", NULL,
					    &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 2);
	assert_int_equal(sb->pkgs[1].licenses.n, 1);
	assert_string_equal(sb->pkgs[1].licenses.v[0], "MIT");
	assert_int_equal(sbom_parse_gemfile_lock(sb, shortest, sizeof(shortest) - 1, "f", NULL, &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 3);
	assert_string_equal(sb->pkgs[2].name, "a");
	assert_string_equal(sb->pkgs[2].version, "1");
	sbom_free(sb);
}

/* The cataloger over the fixture tree: the Gemfile.lock and every gemspec
 * (default/ too); the Gemfile.lock inside an installed gem's directory
 * (gems/rack-3.0.8/) is that gem's own and is skipped. */
static void test_catalog_dir(void **state)
{
	struct sbom *sb = NULL;
	struct bw_errbuf eb = {{0}};
	size_t lock = 0, specs = 0;
	char *want_lock = read_all(DATA "/Gemfile.lock.expected", NULL);
	char *want_bundler = read_all(DATA "/bundler/Gemfile.lock.expected", NULL);
	char *want_specs = read_all(DATA "/specifications.expected", NULL);

	(void)state;
	assert_non_null(want_lock);
	assert_non_null(want_bundler);
	assert_non_null(want_specs);
	if (sbom_catalog_ref("dir:" DATA, NULL, NULL, &sb, &eb) != BW_OK)
		fail_msg("%s", eb.msg);
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (p->type != SBOM_PKG_GEM)
			continue;
		assert_string_not_equal(p->name, "should-not-appear");
		if (strcmp(p->found_path, "Gemfile.lock") == 0 ||
		    strcmp(p->found_path, "bundler/Gemfile.lock") == 0)
			lock++;
		else if (bw_str_starts_with(p->found_path, "specifications/"))
			specs++;
		else
			fail_msg("unexpected %s from %s", p->name, p->found_path);
	}
	for (char *c = want_lock; (c = strchr(c, '\n')); c++)
		lock--;
	for (char *c = want_bundler; (c = strchr(c, '\n')); c++)
		lock--;
	for (char *c = want_specs; (c = strchr(c, '\n')); c++)
		specs--;
	assert_int_equal(lock, 0);
	assert_int_equal(specs, 0);
	assert_int_equal(sb->warnings.n, 0);
	free(want_lock);
	free(want_bundler);
	free(want_specs);
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gemfile_lock), cmocka_unit_test(test_gemfile_lock_bundler),
		cmocka_unit_test(test_gemspecs),
		cmocka_unit_test(test_purl),	     cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_edges),	     cmocka_unit_test(test_catalog_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

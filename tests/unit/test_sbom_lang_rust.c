/* test_sbom_lang_rust.c - Cargo.lock v1-v4.
 *
 * Truth, in tests/data/lang2/rust:
 *   - v3/ and v4/Cargo.lock were written by cargo 1.95 itself
 *     (`cargo generate-lockfile` over a project with registry crates from a
 *     local directory source, a git dependency from a local repository, a
 *     path dependency, two versions of one crate); their .expected lists are
 *     cargo's own `cargo metadata` packages with a source;
 *   - v1/ (with [metadata] checksums) and v2/ (with [[patch.unused]] and a
 *     sparse registry) follow the older formats Cargo documents; their
 *     expected lists were written by hand.
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

#define DATA BW_SOURCE_ROOT "/tests/data/lang2/rust"

/* In lang_rust.c (prototype to move to sbom.h). */

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

static char *render(struct sbom *sb)
{
	struct bw_buf b;

	sbom_sort(sb);
	bw_buf_init(&b, 16u << 20);
	for (size_t i = 0; i < sb->npkgs; i++)
		assert_int_equal(bw_buf_appendf(&b, "%s %s\n", sb->pkgs[i].name, sb->pkgs[i].version),
				 BW_OK);
	return bw_buf_detach(&b, NULL);
}

static void check_lock(const char *dir)
{
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	char file[512], expected[512], *data, *want, *got;
	size_t n;

	snprintf(file, sizeof(file), "%s/%s/Cargo.lock", DATA, dir);
	snprintf(expected, sizeof(expected), "%s/%s/Cargo.lock.expected", DATA, dir);
	data = read_all(file, &n);
	want = read_all(expected, NULL);
	assert_non_null(sb);
	assert_non_null(data);
	assert_non_null(want);
	if (sbom_parse_cargo_lock(sb, data, n, "app/Cargo.lock", "sha256:cc", &eb) != BW_OK)
		fail_msg("%s: %s", dir, eb.msg);
	got = render(sb);
	assert_string_equal(got, want);
	for (size_t i = 0; i < sb->npkgs; i++) {
		char purl[512];

		assert_int_equal(sb->pkgs[i].type, SBOM_PKG_CARGO);
		assert_string_equal(sb->pkgs[i].found_path, "app/Cargo.lock");
		assert_string_equal(sb->pkgs[i].layer_digest, "sha256:cc");
		snprintf(purl, sizeof(purl), "pkg:cargo/%s@%s", sb->pkgs[i].name,
			 sb->pkgs[i].version);
		assert_string_equal(sb->pkgs[i].purl, purl);
	}
	free(got);
	free(want);
	free(data);
	sbom_free(sb);
}

static void test_v1(void **state)
{
	(void)state;
	check_lock("v1");
}

static void test_v2(void **state)
{
	(void)state;
	check_lock("v2");
}

static void test_v3(void **state)
{
	(void)state;
	check_lock("v3");
}

static void test_v4(void **state)
{
	(void)state;
	check_lock("v4");
}

/* TOML Cargo does not write but a lockfile may hold: inline tables,
 * literal and multi-line strings, quoted and dotted keys, comments after
 * values, CRLF, escapes. Hand-worked: two crates. */
static void test_toml_shapes(void **state)
{
	static const char lock[] =
		"version = 4 # a comment\r\n"
		"[\"meta\".x]\r\nk = { a = [1, 2, {b = true}], c = 'lit' }\r\n"
		"doc = \"\"\"\r\n[[package]]\r\nname = \"fake\"\r\n\"\"\"\r\n"
		"[[package]]\r\n"
		"name = 'lit-name'\r\nversion = \"1.0.0\"   # trailing\r\n"
		"source = \"registry+x\"\r\n"
		"extra = { git = \"https://h/x\", rev = \"r\" }\r\n"
		"dependencies = [\r\n \"a\", # c\r\n \"b\",\r\n]\r\n"
		"[[package]]\n  name   =   \"esc\\u0041pe\"\nversion = \"0.1.0-rc.1+b\"\nsource = \"s\"\n";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};

	(void)state;
	if (sbom_parse_cargo_lock(sb, lock, sizeof(lock) - 1, "Cargo.lock", NULL, &eb) != BW_OK)
		fail_msg("%s", eb.msg);
	assert_int_equal(sb->npkgs, 2);
	sbom_sort(sb);
	assert_string_equal(sb->pkgs[0].name, "esc?pe");
	assert_string_equal(sb->pkgs[0].purl, "pkg:cargo/esc%3Fpe@0.1.0-rc.1%2Bb");
	assert_string_equal(sb->pkgs[1].name, "lit-name");
	assert_string_equal(sb->pkgs[1].version, "1.0.0");
	assert_null(sb->pkgs[1].layer_digest);
	sbom_free(sb);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"[[package]]\nname = \"a\"\nsource = \"s\"\n", "bad.lock: line 1: [[package]] without version"},
		{"version = 3\n\n[[package]]\nversion = \"1\"\n", "line 3: [[package]] without name"},
		{"[[package]]\nname = \"a\nversion = \"1\"\n", "line 2: unterminated string"},
		{"[[package]]\nname = 3\n", "line 2: name and version must be strings"},
		{"[[package]\nname = \"a\"\n", "line 1: expected ']' after a table name"},
		{"[[package]]\nname \"a\"\n", "line 2: expected '=' after a key"},
		{"x = [1, 2\n", "unterminated array or inline table"},
		{"x = \"\"\"abc\n", "unterminated multi-line string"},
		{"x = 1 2\n", "line 1: unexpected text after a value"},
		{"x = \"\\q\"\n", "unknown escape"},
		{"x = \"\\u12\"", "short \\u escape"},
		{"[[package]]\nname = \"a b\"\nversion = \"1\"\nsource = \"s\"\n",
		 "line 1: bad crate name or version \"a b\""},
		{"x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
		 "nested too deeply"},
		{"= 1\n", "expected a key"},
		{"x =\n", "expected a value"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbom *sb = sbom_new();
		struct bw_errbuf eb = {{0}};

		assert_int_equal(sbom_parse_cargo_lock(sb, cases[i].text, strlen(cases[i].text),
						       "bad.lock", NULL, &eb),
				 BW_ERR_FORMAT);
		if (!strstr(eb.msg, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, eb.msg, cases[i].want);
		assert_int_equal(sb->npkgs, 0);
		sbom_free(sb);
	}
}

/* The cataloger over the fixture tree: every Cargo.lock but the one in
 * Cargo's registry source cache (home/.cargo/registry/src/...). */
static void test_catalog_dir(void **state)
{
	static const char *const dirs[] = {"v1", "v2", "v3", "v4", "vuln"};
	struct sbom *sb = NULL;
	struct bw_errbuf eb = {{0}};
	size_t total = 0, got = 0;

	(void)state;
	if (sbom_catalog_ref("dir:" DATA, NULL, NULL, &sb, &eb) != BW_OK)
		fail_msg("%s", eb.msg);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char expected[512], lock[64], *want;
		struct bw_buf b;

		snprintf(expected, sizeof(expected), "%s/%s/Cargo.lock.expected", DATA, dirs[i]);
		snprintf(lock, sizeof(lock), "%s/Cargo.lock", dirs[i]);
		want = read_all(expected, NULL);
		assert_non_null(want);
		bw_buf_init(&b, 1u << 20);
		for (size_t k = 0; k < sb->npkgs; k++)
			if (sb->pkgs[k].type == SBOM_PKG_CARGO && strcmp(sb->pkgs[k].found_path, lock) == 0)
				assert_int_equal(bw_buf_appendf(&b, "%s %s\n", sb->pkgs[k].name,
								sb->pkgs[k].version),
						 BW_OK);
		assert_string_equal(b.data ? b.data : "", want);
		for (char *c = want; (c = strchr(c, '\n')); c++)
			total++;
		bw_buf_release(&b);
		free(want);
	}
	for (size_t k = 0; k < sb->npkgs; k++)
		got += sb->pkgs[k].type == SBOM_PKG_CARGO;
	assert_int_equal(got, total);
	assert_int_equal(sb->warnings.n, 0);
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),	    cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v3),	    cmocka_unit_test(test_v4),
		cmocka_unit_test(test_toml_shapes), cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_catalog_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

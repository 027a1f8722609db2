/* sbom_lang_test.h - shared by the language-cataloger unit tests: read a
 * fixture, parse it, and compare the packages with the fixture's
 * hand-written FILE.expected ("name version[ dev|-]" lines, sorted).
 * Include after cmocka.h; each test file defines LT_TYPE (its package type)
 * and LT_DEV (1 when the .expected lines carry the dev column). */
#ifndef BW_SBOM_LANG_TEST_H
#define BW_SBOM_LANG_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"

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

/* The packages of LT_TYPE found in `path` (NULL: all), sorted, one a line. */
static char *render(struct sbom *sb, const char *path)
{
	struct bw_buf b;

	sbom_sort(sb);
	bw_buf_init(&b, 16u << 20);
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (p->type != LT_TYPE || (path && strcmp(p->found_path, path) != 0))
			continue;
		if (LT_DEV)
			assert_int_equal(bw_buf_appendf(&b, "%s %s %s\n", p->name, p->version,
							p->dev ? "dev" : "-"),
					 BW_OK);
		else
			assert_int_equal(bw_buf_appendf(&b, "%s %s\n", p->name, p->version), BW_OK);
	}
	return bw_buf_detach(&b, NULL);
}

/* Parse DATA/rel and compare with DATA/rel.expected; every package names
 * the file and the layer it came from and has a purl. */
static void check_file(parse_fn parse, const char *rel)
{
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	char file[512], expected[512], *data, *want, *got;
	size_t n;

	snprintf(file, sizeof(file), "%s/%s", DATA, rel);
	snprintf(expected, sizeof(expected), "%s/%s.expected", DATA, rel);
	data = read_all(file, &n);
	want = read_all(expected, NULL);
	assert_non_null(sb);
	assert_non_null(data);
	assert_non_null(want);
	if (parse(sb, data, n, rel, "sha256:ee", &eb) != BW_OK)
		fail_msg("%s: %s", rel, eb.msg);
	got = render(sb, NULL);
	assert_string_equal(got, want);
	for (size_t i = 0; i < sb->npkgs; i++) {
		assert_string_equal(sb->pkgs[i].found_path, rel);
		assert_string_equal(sb->pkgs[i].layer_digest, "sha256:ee");
		assert_non_null(sb->pkgs[i].purl);
	}
	free(got);
	free(want);
	free(data);
	sbom_free(sb);
}

/* Catalogue the whole fixture tree as dir:DATA and check that each of
 * files[] yields exactly its .expected list, that nothing else of LT_TYPE
 * was found, and that there were no warnings. Returns the SBOM for further
 * checks (caller sbom_free's it). */
static struct sbom *check_catalog_dir(const char *const *files, size_t nfiles)
{
	struct sbom *sb = NULL;
	struct bw_errbuf eb = {{0}};
	size_t total = 0, got = 0;

	if (sbom_catalog_ref("dir:" DATA, NULL, NULL, &sb, &eb) != BW_OK)
		fail_msg("%s", eb.msg);
	for (size_t i = 0; i < nfiles; i++) {
		char expected[512], *want, *list;

		snprintf(expected, sizeof(expected), "%s/%s.expected", DATA, files[i]);
		want = read_all(expected, NULL);
		assert_non_null(want);
		list = render(sb, files[i]);
		assert_string_equal(list, want);
		for (char *p = want; (p = strchr(p, '\n')); p++)
			total++;
		free(list);
		free(want);
	}
	for (size_t i = 0; i < sb->npkgs; i++)
		got += sb->pkgs[i].type == LT_TYPE;
	assert_int_equal(got, total);
	assert_int_equal(sb->warnings.n, 0);
	return sb;
}

#endif

/* test_sbom_lang_python.c - the Python cataloger.
 *
 * Expected values come from outside the code under test: the fixtures in
 * tests/data/lang/python/X/ with X.expected.tsv written by hand from each
 * file's text; core metadata samples with hand-worked results; PEP 503
 * normalisation examples from the PEP; hostile inputs.
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

#define DATA BW_SOURCE_ROOT "/tests/data/lang/python"

/* The parsers (their prototypes are in lang_python.c until sbom.h has them). */

static char *read_all(const char *path)
{
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};

	bw_buf_init(&b, 16u << 20);
	if (bw_buf_read_file(&b, path, &eb) != BW_OK) {
		print_error("cannot read %s: %s\n", path, eb.msg);
		bw_buf_release(&b);
		return NULL;
	}
	return bw_buf_detach(&b, NULL);
}

/* Sorted unique "normalised-name\tversion\tdev\n" rows of pypi packages. */
static char *py_rows(const struct sbom *sb)
{
	struct bw_strv rows = {0};
	struct bw_buf b;

	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];
		char *norm, *r;

		if (p->type != SBOM_PKG_PYPI)
			continue;
		norm = sbom_python_normalize(p->name);
		assert_non_null(norm);
		r = bw_strfmt("%s\t%s\t%s\n", norm, p->version, p->dev ? "true" : "false");
		free(norm);
		assert_non_null(r);
		if (!bw_strv_contains(&rows, r))
			assert_int_equal(bw_strv_push(&rows, r), BW_OK);
		free(r);
	}
	bw_strv_sort(&rows);
	bw_buf_init(&b, 64u << 20);
	for (size_t i = 0; i < rows.n; i++)
		assert_int_equal(bw_buf_appends(&b, rows.v[i]), BW_OK);
	bw_strv_release(&rows);
	return bw_buf_detach(&b, NULL);
}

static char *expected_rows(const char *path)
{
	char *text = read_all(path), *save = NULL, *line;
	struct bw_strv v = {0};
	struct bw_buf b;

	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *r = bw_strfmt("%s\n", line);

		assert_non_null(r);
		assert_int_equal(bw_strv_push_owned(&v, r), BW_OK);
	}
	bw_strv_sort(&v);
	bw_buf_init(&b, 1u << 20);
	for (size_t i = 0; i < v.n; i++)
		assert_int_equal(bw_buf_appends(&b, v.v[i]), BW_OK);
	bw_strv_release(&v);
	free(text);
	return bw_buf_detach(&b, NULL);
}

static void check_fixture(const char *name)
{
	char ref[512], exp[512];
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = NULL;
	char *got, *want;

	snprintf(ref, sizeof(ref), "dir:%s/%s", DATA, name);
	snprintf(exp, sizeof(exp), "%s/%s.expected.tsv", DATA, name);
	if (sbom_catalog_ref(ref, NULL, NULL, &sb, &eb) != BW_OK)
		fail_msg("sbom of %s: %s", ref, eb.msg);
	got = py_rows(sb);
	want = expected_rows(exp);
	assert_string_equal(got, want);
	assert_int_equal(sb->warnings.n, 0);
	free(got);
	free(want);
	sbom_free(sb);
}

static void test_poetry(void **state) { (void)state; check_fixture("poetry"); }
static void test_poetry_legacy(void **state) { (void)state; check_fixture("poetry-legacy"); }
static void test_poetry2(void **state) { (void)state; check_fixture("poetry2"); }
static void test_uv(void **state) { (void)state; check_fixture("uv"); }
static void test_pipfile(void **state) { (void)state; check_fixture("pipfile"); }
static void test_requirements(void **state) { (void)state; check_fixture("requirements"); }

/* PEP 503's own examples: all of these normalise to the same name. */
static void test_normalize(void **state)
{
	static const char *const same[] = {"friendly-bard", "Friendly-Bard", "FRIENDLY-BARD",
					   "friendly.bard", "friendly_bard", "friendly--bard",
					   "FrIeNdLy-._.-bArD"};

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *n = sbom_python_normalize(same[i]);

		assert_non_null(n);
		assert_string_equal(n, "friendly-bard");
		free(n);
	}
}

static void test_metadata(void **state)
{
	/* a wheel's METADATA (Metadata-Version 2.4, PEP 639 licence expression) */
	static const char meta[] = "Metadata-Version: 2.4\r\n"
				   "Name: Zope.Interface\r\n"
				   "Version: 7.1.0\r\n"
				   "Summary: Interfaces for Python\r\n"
				   "License-Expression: ZPL-2.1\r\n"
				   "Classifier: License :: OSI Approved :: Zope Public License\r\n"
				   "Requires-Dist: setuptools\r\n"
				   "\r\n"
				   "Name: not-a-header-this-is-the-body\r\n";
	/* an egg's PKG-INFO: multi-line License text falls back to classifiers */
	static const char pkginfo[] =
		"Metadata-Version: 1.2\n"
		"Name: python-dateutil\n"
		"Version: 2.8.2\n"
		"License: Dual License\n"
		"        Apache 2.0 and BSD 3-Clause\n"
		"Classifier: License :: OSI Approved :: BSD License\n"
		"Classifier: License :: OSI Approved :: Apache Software License\n"
		"Classifier: Programming Language :: Python\n";
	static const char nover[] = "Metadata-Version: 2.1\nName: x\n\n";
	static const char garbage[] = "Metadata-Version: 2.1\nName x\n";
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	const struct sbom_pkg *p;

	(void)state;
	assert_int_equal(sbom_parse_python_metadata(sb, meta, sizeof(meta) - 1,
						    "a/zope.interface-7.1.0.dist-info/METADATA",
						    "sha256:ab", &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 1);
	p = &sb->pkgs[0];
	assert_string_equal(p->name, "Zope.Interface");
	assert_string_equal(p->version, "7.1.0");
	assert_string_equal(p->purl, "pkg:pypi/zope-interface@7.1.0");
	assert_string_equal(p->found_path, "a/zope.interface-7.1.0.dist-info/METADATA");
	assert_string_equal(p->layer_digest, "sha256:ab");
	assert_int_equal(p->licenses.n, 1);
	assert_string_equal(p->licenses.v[0], "ZPL-2.1");

	assert_int_equal(sbom_parse_python_metadata(sb, pkginfo, sizeof(pkginfo) - 1, "PKG-INFO",
						    NULL, &eb),
			 BW_OK);
	p = &sb->pkgs[1];
	assert_string_equal(p->purl, "pkg:pypi/python-dateutil@2.8.2");
	assert_int_equal(p->licenses.n, 2);
	assert_string_equal(p->licenses.v[0], "BSD License");
	assert_string_equal(p->licenses.v[1], "Apache Software License");

	assert_int_equal(sbom_parse_python_metadata(sb, nover, sizeof(nover) - 1, "x/METADATA",
						    NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "x/METADATA: no Version field"));
	assert_int_equal(sbom_parse_python_metadata(sb, garbage, sizeof(garbage) - 1, "y/METADATA",
						    NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "y/METADATA: line 2"));
	assert_int_equal(sb->npkgs, 2);
	sbom_free(sb);
}

/* TOML the reader must get right, and TOML it must refuse. */
static void test_toml(void **state)
{
	static const char ok[] =
		"version = 1\n"
		"date = 1979-05-27T07:32:00Z\n"
		"when = 1979-05-27 07:32:00\n"
		"flags = [true, false, +1.5e3, 0x1F, [\"nested\", ['x']], {a = {b = 1}}]\n"
		"[\"quoted.table\"]\n"
		"k = \"\"\"\nmulti \\\n   line \"quoted\" \"\"\"\n"
		"[[package]]  # a comment\n"
		"name = 'lit\\eral'\n"
		"version = \"1.0\\u00e9\"\n"
		"[[package]]\n"
		"\"name\" = \"b\"\n"
		"version = '''2.0'''\n"
		"source = { git = \"https://x\", rev = \"abc\" }\n"
		"[package.dependencies]\n"
		"name = \"not-a-package-field\"\n"
		"[[package]]\n"
		"name = \"root\"\n"
		"version = \"0.1.0\"\n"
		"source = { virtual = \".\" }\n"
		"dependencies = [\n  { name = \"B\" },  # normalised: b\n]\n"
		"[package.dev-dependencies]\n"
		"dev = [{ name = \"lit-eral\" }]\n";
	static const char *const bad[] = {
		"[[package]]\nname = \"x\nversion = \"1\"\n",     /* newline in a string */
		"[[package]]\nname = \"x\" junk\n",                /* text after a value */
		"[[package]\nname = \"x\"\n",                      /* header */
		"a = [1, 2\n",                                     /* unterminated array */
		"a = {b = 1\n",                                    /* unterminated inline table */
		"= 1\n",                                           /* no key */
		"a = \"\\q\"\n",                                   /* bad escape */
	};
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	struct bw_buf deep;
	char *got;

	(void)state;
	assert_int_equal(sbom_parse_python_toml_lock(sb, ok, sizeof(ok) - 1, "uv.lock", NULL, &eb),
			 BW_OK);
	got = py_rows(sb);
	/* 'lit\eral' is not a PEP 508 name; "1.0\u00e9" decodes to a version
	 * with a non-ASCII char (kept: versions are only checked for blanks);
	 * root is the project itself; b is reached from it, so not dev */
	assert_string_equal(got, "b\t2.0\tfalse\n");
	free(got);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&eb, 0, sizeof(eb));
		assert_int_equal(sbom_parse_python_toml_lock(sb, bad[i], strlen(bad[i]), "poetry.lock",
							     NULL, &eb),
				 BW_ERR_FORMAT);
		assert_non_null(strstr(eb.msg, "poetry.lock: line "));
	}
	/* arrays nested 10000 deep: a limit, not a stack overflow */
	bw_buf_init(&deep, 1u << 20);
	assert_int_equal(bw_buf_appends(&deep, "a = "), BW_OK);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(bw_buf_appends(&deep, "["), BW_OK);
	assert_int_equal(sbom_parse_python_toml_lock(sb, deep.data, deep.len, "uv.lock", NULL, &eb),
			 BW_ERR_LIMIT);
	assert_non_null(strstr(eb.msg, "uv.lock: line 1"));
	bw_buf_release(&deep);
	sbom_free(sb);
}

static void test_requirements_lines(void **state)
{
	static const char req[] = "A==1\n"
				  "b == 2 ; python_version < '3'\n"
				  "c[x,y]==3 --hash=sha256:00\n"
				  "d==4.*\n"
				  "e>=5\n"
				  "f==\n"
				  "  # only a comment\n"
				  "g==7 \\\n  --hash=sha256:11\n"
				  "h===8\n"
				  "-r other.txt\n"
				  "--requirement=../../etc/passwd\n"
				  "i @ https://x/i-9.tar.gz\n"
				  "j==10";
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	char *got;

	(void)state;
	assert_int_equal(sbom_parse_python_requirements(sb, req, sizeof(req) - 1, "requirements.txt",
							NULL, false, &eb),
			 BW_OK);
	got = py_rows(sb);
	assert_string_equal(got, "a\t1\tfalse\nb\t2\tfalse\nc\t3\tfalse\ng\t7\tfalse\n"
				 "h\t8\tfalse\nj\t10\tfalse\n");
	free(got);
	assert_int_equal(sbom_parse_python_requirements(sb, "\xff\xfe", 2, "r.txt", NULL, false, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "r.txt"));
	sbom_free(sb);
}

static void test_pipfile_bad(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();

	(void)state;
	assert_int_equal(sbom_parse_pipfile_lock(sb, "{\"default\": ", 12, "Pipfile.lock", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "Pipfile.lock"));
	assert_int_equal(sbom_parse_pipfile_lock(sb, "{\"default\": {\"x\": {\"version\": 1}}}", 34,
						 "Pipfile.lock", NULL, &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 0);
	sbom_free(sb);
}

/* ---- RECORD ----------------------------------------------------------- */

static enum bw_err collect_path(void *ctx, const char *path, size_t len)
{
	return bw_strv_push_owned(ctx, bw_strndup(path, len));
}

/* CSV as Python's csv module reads it, worked by hand: a quoted field with
 * a comma and a doubled quote, CRLF and bare LF rows, an empty line (no
 * row), a row without hash/size, a quoted field followed by more text. */
static void test_record_csv(void **state)
{
	static const char rec[] =
		"pkg/__init__.py,sha256=abc,12\r\n"
		"\"pkg/a,b.py\",sha256=def,3\n"
		"\"pkg/say \"\"hi\"\".txt\",,\n"
		"\n"
		"../../../bin/tool,sha256=x,9\n"
		"pkg-1.0.dist-info/RECORD,,\n"
		"\"pkg/q\"rest,,\n"
		"/etc/pkg.conf";
	static const char *const want[] = {
		"pkg/__init__.py", "pkg/a,b.py", "pkg/say \"hi\".txt", "../../../bin/tool",
		"pkg-1.0.dist-info/RECORD", "pkg/qrest", "/etc/pkg.conf",
	};
	struct bw_strv got = {0};
	size_t rows = 0;

	(void)state;
	assert_int_equal(sbom_python_record_paths(rec, sizeof(rec) - 1, collect_path, &got, &rows),
			 BW_OK);
	assert_int_equal(rows, 7);
	assert_int_equal(got.n, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(got.v[i], want[i]);
	bw_strv_release(&got);
	/* an unterminated quote: the rows before it were read */
	rows = 0;
	assert_int_equal(sbom_python_record_paths("a,,\n\"b,,\n", 9, collect_path, &got, &rows),
			 BW_ERR_FORMAT);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.v[0], "a");
	bw_strv_release(&got);
}

static void add_pkg(struct sbom *sb, enum sbom_pkg_type t, const char *name, const char *path,
		    const char *owner)
{
	struct sbom_pkg p = {.type = t};

	p.name = bw_strdup(name);
	p.version = bw_strdup("1.0");
	p.found_path = bw_strdup(path);
	if (owner)
		p.owner = bw_strdup(owner);
	assert_int_equal(sbom_add(sb, &p), BW_OK);
}

/* RECORD -> owner, worked by hand. SP is the site-packages directory.
 *   0 demo (SP/demo-1.0.dist-info/METADATA): the RECORD's owner; it lists
 *     its own METADATA, which does not make it its own owner
 *   1 vendored dist-info inside demo, listed: owner demo
 *   2 a Go binary reached by "../../../bin/gotool" from SP: owner demo
 *   3 a jar nested in a listed war: owned through the outer archive
 *   4 an npm package whose package.json is not listed: no owner
 *   5 a Go binary listed, but already owned by a deb: stays the deb's
 *   6 a path that climbs above the root in RECORD is ignored: no owner
 */
static void test_record_owners(void **state)
{
#define SP "opt/venv/lib/python3.11/site-packages"
	static const char record[] =
		"demo/__init__.py,sha256=a,1\n"
		"demo/_vendor/vend-2.0.dist-info/METADATA,sha256=b,2\n"
		"\"../../../bin/gotool\",sha256=c,3\n"
		"demo/app.war,sha256=d,4\n"
		"demo/owned-by-deb,sha256=e,5\n"
		"../../../../../../../../etc/evil,,\n"
		"demo-1.0.dist-info/METADATA,,\n"
		"demo-1.0.dist-info/RECORD,,\n";
	struct sbom_list_file recs[] = {
		{SP "/demo-1.0.dist-info/RECORD", record, sizeof(record) - 1},
		{SP "/nobody-1.0.dist-info/RECORD", record, sizeof(record) - 1}, /* no METADATA pkg */
		{SP "/demo-1.0.dist-info/NOT-RECORD", record, sizeof(record) - 1},
	};
	struct sbom *sb = sbom_new();
	struct sbom_owner_index *ix;

	(void)state;
	assert_non_null(sb);
	add_pkg(sb, SBOM_PKG_PYPI, "demo", SP "/demo-1.0.dist-info/METADATA", NULL);
	add_pkg(sb, SBOM_PKG_PYPI, "vend", SP "/demo/_vendor/vend-2.0.dist-info/METADATA", NULL);
	add_pkg(sb, SBOM_PKG_GOLANG, "stdlib", "opt/venv/bin/gotool", NULL);
	add_pkg(sb, SBOM_PKG_MAVEN, "g:a", SP "/demo/app.war!WEB-INF/lib/a.jar", NULL);
	add_pkg(sb, SBOM_PKG_NPM, "left-pad", SP "/demo/node_modules/left-pad/package.json", NULL);
	add_pkg(sb, SBOM_PKG_GOLANG, "stdlib", SP "/demo/owned-by-deb", "python3-demo");
	add_pkg(sb, SBOM_PKG_GOLANG, "stdlib", "etc/evil", NULL);
	assert_int_equal(sbom_owner_index_new(sb, &ix), BW_OK);
	assert_int_equal(sbom_owners_from_python_records(ix, recs, 3), BW_OK);
	sbom_owner_index_free(ix);
	assert_null(sb->pkgs[0].owner);
	assert_int_equal(sb->pkgs[0].nfiles, 8);
	for (size_t i = 1; i <= 3; i++) {
		assert_string_equal(sb->pkgs[i].owner, "demo");
		assert_int_equal(sb->pkgs[i].owner_type, SBOM_PKG_PYPI);
	}
	assert_null(sb->pkgs[4].owner);
	assert_string_equal(sb->pkgs[5].owner, "python3-demo");
	assert_int_equal(sb->pkgs[5].owner_type, SBOM_PKG_DEB);
	assert_null(sb->pkgs[6].owner);
	assert_int_equal(sb->pkgs[1].nfiles, 0);
	sbom_free(sb);
#undef SP
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poetry),	    cmocka_unit_test(test_poetry_legacy),
		cmocka_unit_test(test_poetry2),
		cmocka_unit_test(test_uv),	    cmocka_unit_test(test_pipfile),
		cmocka_unit_test(test_requirements), cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_metadata),    cmocka_unit_test(test_toml),
		cmocka_unit_test(test_requirements_lines), cmocka_unit_test(test_pipfile_bad),
		cmocka_unit_test(test_record_csv),  cmocka_unit_test(test_record_owners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

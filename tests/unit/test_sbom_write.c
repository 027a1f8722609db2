/* test_sbom_write.c - the SBOM writers: table, JSON, CycloneDX, SPDX, and
 * the SPDX licence expression check they share.
 *
 * The sboms here are built by hand, so every expected value is known from
 * the input: a name written in is the name read back. Licence expression
 * results are worked by hand from the grammar in SPDX 2.3 annex D (the
 * reasoning is next to each case). Schema validity of real output is
 * checked end to end by tests/integration/sbom_schema.sh with the published
 * schemas; here we check what the schemas cannot (uniqueness, mapping).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/write_int.h"

/* ---- building sboms -------------------------------------------------------- */

static void add_pkg(struct sbom *sb, enum sbom_pkg_type type, const char *name,
		    const char *version, const char *arch, const char *purl, const char *lic1,
		    const char *lic2)
{
	struct sbom_pkg p = {0};

	p.type = type;
	p.name = bw_strdup(name);
	p.version = bw_strdup(version);
	p.arch = bw_strdup(arch);
	p.purl = bw_strdup(purl);
	p.found_path = bw_strdup("var/lib/dpkg/status");
	p.layer_digest = bw_strdup("sha256:1111111111111111111111111111111111111111111111111111111111111111");
	if (lic1)
		assert_int_equal(bw_strv_push(&p.licenses, lic1), BW_OK);
	if (lic2)
		assert_int_equal(bw_strv_push(&p.licenses, lic2), BW_OK);
	assert_int_equal(sbom_add(sb, &p), BW_OK);
}

/* Two Debian packages, as in a bookworm image. */
static struct sbom *debian_sbom(void)
{
	struct sbom *sb = sbom_new();

	assert_non_null(sb);
	sb->target = bw_strdup("oci:/tmp/img:latest");
	sb->target_kind = bw_strdup("oci");
	sb->image_digest = bw_strdup("sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	sb->image_id = bw_strdup("sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	assert_int_equal(bw_strv_push(&sb->layer_digests,
				      "sha256:1111111111111111111111111111111111111111111111111111111111111111"),
			 BW_OK);
	sb->distro.id = bw_strdup("debian");
	sb->distro.version_id = bw_strdup("12");
	sb->distro.codename = bw_strdup("bookworm");
	sb->distro.pretty_name = bw_strdup("Debian GNU/Linux 12 (bookworm)");
	add_pkg(sb, SBOM_PKG_DEB, "libc6", "2.36-9+deb12u4", "amd64",
		"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12", "LGPL-2.1", NULL);
	add_pkg(sb, SBOM_PKG_DEB, "libstdc++6", "12.2.0-14", "amd64",
		"pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12", NULL, NULL);
	return sb;
}

/* Write sb in fmt into a malloc'd string. */
static char *render(const struct sbom *sb, enum sbom_format fmt)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	struct bw_errbuf eb = {0};

	assert_non_null(f);
	assert_int_equal(sbom_write(sb, fmt, f, &eb), BW_OK);
	assert_int_equal(fclose(f), 0);
	return out;
}

static json_t *render_json(const struct sbom *sb, enum sbom_format fmt)
{
	char *out = render(sb, fmt);
	json_error_t je;
	json_t *doc = json_loads(out, 0, &je);

	if (!doc)
		fail_msg("output is not JSON: %s at line %d\n%s", je.text, je.line, out);
	free(out);
	return doc;
}

static const char *jpath_str(json_t *v, const char *a, const char *b)
{
	v = json_object_get(v, a);
	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

/* ---- format names -------------------------------------------------------- */

static void test_format_parse(void **state)
{
	enum sbom_format f;

	(void)state;
	assert_int_equal(sbom_format_parse("table", &f), BW_OK);
	assert_int_equal(f, SBOM_FMT_TABLE);
	assert_int_equal(sbom_format_parse("json", &f), BW_OK);
	assert_int_equal(f, SBOM_FMT_JSON);
	assert_int_equal(sbom_format_parse("cyclonedx", &f), BW_OK);
	assert_int_equal(f, SBOM_FMT_CYCLONEDX);
	assert_int_equal(sbom_format_parse("spdx-json", &f), BW_OK);
	assert_int_equal(f, SBOM_FMT_SPDX_JSON);
	assert_int_equal(sbom_format_parse("xml", &f), BW_ERR_USAGE);
	assert_int_equal(sbom_format_parse("", &f), BW_ERR_USAGE);
	assert_int_equal(sbom_format_parse("JSON", &f), BW_ERR_USAGE);
	assert_int_equal(sbom_format_parse(NULL, &f), BW_ERR_USAGE);
}

/* ---- SPDX licence expressions ------------------------------------------------ */

static void expect_expr(const char *in, const char *want, bool want_compound)
{
	bool compound = !want_compound;
	char *got = sbom_spdx_expression(in, &compound);

	if (!want) {
		if (got)
			fail_msg("'%s' should be invalid, got '%s'", in, got);
		return;
	}
	if (!got)
		fail_msg("'%s' should be valid", in);
	assert_string_equal(got, want);
	assert_int_equal(compound, want_compound);
	free(got);
}

static void test_spdx_expression(void **state)
{
	char deep[200];
	size_t n = 0;

	(void)state;
	/* a listed id; ids match without regard to case (annex D.2) */
	expect_expr("MIT", "MIT", false);
	expect_expr("mit", "MIT", false);
	expect_expr("apache-2.0", "Apache-2.0", false);
	/* "+" after a listed id is "or later" */
	expect_expr("LGPL-2.1+", "LGPL-2.1+", false);
	/* operators: upper or lower case, canonical upper; AND/OR at the top
	 * level make it compound, WITH alone does not */
	expect_expr("MIT or Apache-2.0", "MIT OR Apache-2.0", true);
	expect_expr("GPL-2.0-or-later WITH Classpath-exception-2.0",
		    "GPL-2.0-or-later WITH Classpath-exception-2.0", false);
	/* operators inside parentheses do not count at the top level */
	expect_expr("(MIT OR Apache-2.0)", "(MIT OR Apache-2.0)", false);
	expect_expr("(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause",
		    true);
	/* licence references: idstring is letters, digits, '.' and '-' */
	expect_expr("LicenseRef-my.licence-1", "LicenseRef-my.licence-1", false);
	expect_expr("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
		    "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", false);
	/* not on the list: Fedora's old names, Debian's short names */
	expect_expr("GPLv2+", NULL, false);
	expect_expr("GPL-2+", NULL, false);
	expect_expr("public-domain", NULL, false);
	/* grammar errors */
	expect_expr("", NULL, false);
	expect_expr("MIT AND", NULL, false);
	expect_expr("AND MIT", NULL, false);
	expect_expr("MIT WITH", NULL, false);
	expect_expr("(MIT", NULL, false);
	expect_expr("MIT)", NULL, false);
	expect_expr("MIT Apache-2.0", NULL, false);
	expect_expr("LicenseRef-", NULL, false);
	expect_expr("LicenseRef-a_b", NULL, false);
	/* WITH takes a simple expression on its left, not a parenthesis */
	expect_expr("(MIT) WITH Classpath-exception-2.0", NULL, false);
	/* the right of WITH is an exception id from the list, and an
	 * exception is no licence on its own */
	expect_expr("MIT WITH no-such-exception", NULL, false);
	expect_expr("MIT WITH Apache-2.0", NULL, false);
	expect_expr("Linux-syscall-note", NULL, false);
	expect_expr("GPL-2.0-only WITH linux-syscall-note", "GPL-2.0-only WITH Linux-syscall-note",
		    false);
	/* 32 levels of parentheses are allowed, 33 are not */
	for (int i = 0; i < 32; i++)
		deep[n++] = '(';
	memcpy(deep + n, "MIT", 3);
	n += 3;
	for (int i = 0; i < 32; i++)
		deep[n++] = ')';
	deep[n] = '\0';
	{
		char *got = sbom_spdx_expression(deep, NULL);

		assert_non_null(got);
		assert_string_equal(got, deep);
		free(got);
	}
	memmove(deep + 1, deep, n + 1);
	deep[0] = '(';
	memcpy(deep + n + 1, ")", 2);
	assert_null(sbom_spdx_expression(deep, NULL));
}

static void test_spdx_license_id(void **state)
{
	(void)state;
	/* first, last and middle of the list, and case folding */
	assert_string_equal(sbom_spdx_license_id("0bsd", 4), "0BSD");
	assert_string_equal(sbom_spdx_license_id("zpl-2.1", 7), "ZPL-2.1");
	assert_string_equal(sbom_spdx_license_id("GPL-2.0-only", 12), "GPL-2.0-only");
	/* the length given is used, not the NUL */
	assert_string_equal(sbom_spdx_license_id("MIT AND x", 3), "MIT");
	assert_null(sbom_spdx_license_id("MI", 2));
	assert_null(sbom_spdx_license_id("", 0));
	assert_null(sbom_spdx_license_id("Expat", 5));
	/* exceptions are a list of their own (SPDX 2.3 annex D: WITH takes a
	 * license-exception-id) */
	assert_null(sbom_spdx_license_id("Linux-syscall-note", 18));
	assert_string_equal(sbom_spdx_exception_id("linux-syscall-note", 18), "Linux-syscall-note");
	assert_null(sbom_spdx_exception_id("MIT", 3));
}

/* ---- table ------------------------------------------------------------------ */

static void test_table(void **state)
{
	struct sbom *sb = debian_sbom();
	char *out;

	(void)state;
	out = render(sb, SBOM_FMT_TABLE);
	/* Hand-worked: NAME is as wide as "libstdc++6" (10), VERSION as
	 * "2.36-9+deb12u4" (14), ARCH as "amd64" (5); two spaces between
	 * columns; the last column is not padded. */
	assert_string_equal(out, "Distro: Debian GNU/Linux 12 (bookworm)    Packages: 2\n"
				 "NAME        VERSION         ARCH   TYPE\n"
				 "libc6       2.36-9+deb12u4  amd64  deb\n"
				 "libstdc++6  12.2.0-14       amd64  deb\n");
	free(out);
	sbom_free(sb);
}

static void test_table_escapes_control_chars(void **state)
{
	struct sbom *sb = sbom_new();
	char *out;

	(void)state;
	add_pkg(sb, SBOM_PKG_APK, "evil\x1b[2Jname", "1\n2", NULL, NULL, NULL, NULL);
	out = render(sb, SBOM_FMT_TABLE);
	/* no distro: "unknown"; ESC and newline print as '?', the missing
	 * arch as an empty cell */
	assert_string_equal(out, "Distro: unknown    Packages: 1\n"
				 "NAME          VERSION  ARCH  TYPE\n"
				 "evil?[2Jname  1?2            apk\n");
	free(out);
	sbom_free(sb);
}

static void test_table_utf8(void **state)
{
	struct sbom *sb = sbom_new();
	char *out;

	(void)state;
	/* U+009B (C2 9B) is the C1 CSI: as dangerous as ESC [ */
	add_pkg(sb, SBOM_PKG_APK, "a\xc2\x9b[2Jb", "1", NULL, NULL, NULL, NULL);
	/* a lone 0xe9 (Latin-1) is not UTF-8: one '?' */
	add_pkg(sb, SBOM_PKG_APK, "caf\xe9", "1", NULL, NULL, NULL, NULL);
	/* valid UTF-8 is kept, and takes one column per character */
	add_pkg(sb, SBOM_PKG_APK, "caf\xc3\xa9", "1", NULL, NULL, NULL, NULL);
	out = render(sb, SBOM_FMT_TABLE);
	/* NAME is 6 wide ("a?[2Jb"), VERSION 7 ("VERSION"), ARCH 4 */
	assert_string_equal(out, "Distro: unknown    Packages: 3\n"
				 "NAME    VERSION  ARCH  TYPE\n"
				 "a?[2Jb  1              apk\n"
				 "caf?    1              apk\n"
				 "caf\xc3\xa9"
				 "    1              apk\n");
	free(out);
	sbom_free(sb);
}

/* ---- JSON --------------------------------------------------------------------- */

static void test_json(void **state)
{
	struct sbom *sb = debian_sbom();
	json_t *doc, *pkgs, *p;

	(void)state;
	doc = render_json(sb, SBOM_FMT_JSON);
	assert_int_equal(json_integer_value(json_object_get(doc, "schema_version")), 1);
	assert_string_equal(jpath_str(doc, "tool", "name"), "bulwark");
	assert_string_equal(jpath_str(doc, "tool", "version"), BW_VERSION);
	assert_string_equal(jpath_str(doc, "target", "ref"), "oci:/tmp/img:latest");
	assert_string_equal(jpath_str(doc, "target", "kind"), "oci");
	assert_string_equal(jpath_str(doc, "distro", "codename"), "bookworm");
	pkgs = json_object_get(doc, "packages");
	assert_int_equal(json_array_size(pkgs), 2);
	p = json_array_get(pkgs, 1);
	assert_string_equal(jpath_str(p, "name", NULL), "libstdc++6");
	assert_string_equal(jpath_str(p, "version", NULL), "12.2.0-14");
	assert_string_equal(jpath_str(p, "arch", NULL), "amd64");
	assert_string_equal(jpath_str(p, "type", NULL), "deb");
	assert_string_equal(jpath_str(p, "path", NULL), "var/lib/dpkg/status");
	/* absent values are left out, not null */
	assert_null(json_object_get(p, "epoch"));
	assert_int_equal(json_array_size(json_object_get(p, "licenses")), 0);
	json_decref(doc);
	sbom_free(sb);
}

static void test_json_invalid_utf8(void **state)
{
	struct sbom *sb = sbom_new();
	json_t *doc;

	(void)state;
	/* 0xe9 alone is not UTF-8 (Latin-1 e-acute): it becomes U+FFFD */
	add_pkg(sb, SBOM_PKG_APK, "caf\xe9", "1.0-r0", "x86_64", "pkg:apk/alpine/caf%E9@1.0-r0",
		NULL, NULL);
	doc = render_json(sb, SBOM_FMT_JSON);
	assert_string_equal(jpath_str(json_array_get(json_object_get(doc, "packages"), 0), "name",
				      NULL),
			    "caf\xef\xbf\xbd");
	assert_true(json_is_null(json_object_get(doc, "distro")));
	json_decref(doc);
	sbom_free(sb);
}

/* ---- CycloneDX ------------------------------------------------------------------- */

static bool is_uuid_v4(const char *s)
{
	/* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx (RFC 4122 section 4.4) */
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!strchr("0123456789abcdef", s[i])) {
			return false;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]);
}

static json_t *find_component(json_t *comps, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(comps, i, c)
		if (json_string_value(json_object_get(c, "name")) &&
		    strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return c;
	fail_msg("no component %s", name);
	return NULL;
}

static const char *property(json_t *c, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(c, "properties"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
			return json_string_value(json_object_get(p, "value"));
	return NULL;
}

static void test_cyclonedx(void **state)
{
	struct sbom *sb = debian_sbom();
	json_t *doc, *doc2, *comps, *os, *c, *tool;
	const char *serial;

	(void)state;
	doc = render_json(sb, SBOM_FMT_CYCLONEDX);
	doc2 = render_json(sb, SBOM_FMT_CYCLONEDX);
	assert_string_equal(jpath_str(doc, "bomFormat", NULL), "CycloneDX");
	assert_string_equal(jpath_str(doc, "specVersion", NULL), "1.5");
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	serial = jpath_str(doc, "serialNumber", NULL);
	assert_non_null(serial);
	assert_true(bw_str_starts_with(serial, "urn:uuid:"));
	assert_true(is_uuid_v4(serial + 9));
	/* a new serial number per document */
	assert_string_not_equal(serial, jpath_str(doc2, "serialNumber", NULL));

	tool = json_array_get(json_object_get(json_object_get(json_object_get(doc, "metadata"),
							      "tools"),
					      "components"),
			      0);
	assert_string_equal(jpath_str(tool, "name", NULL), "bulwark");
	assert_string_equal(jpath_str(tool, "version", NULL), BW_VERSION);
	c = json_object_get(json_object_get(doc, "metadata"), "component");
	assert_string_equal(jpath_str(c, "type", NULL), "container");
	assert_string_equal(jpath_str(c, "name", NULL), "oci:/tmp/img:latest");
	assert_string_equal(jpath_str(c, "version", NULL), sb->image_digest);
	assert_string_equal(jpath_str(json_array_get(json_object_get(c, "hashes"), 0), "content",
				      NULL),
			    sb->image_digest + 7);

	comps = json_object_get(doc, "components");
	assert_int_equal(json_array_size(comps), 3);
	os = json_array_get(comps, 0);
	assert_string_equal(jpath_str(os, "type", NULL), "operating-system");
	assert_string_equal(jpath_str(os, "name", NULL), "debian");
	assert_string_equal(jpath_str(os, "version", NULL), "12");
	assert_string_equal(jpath_str(os, "purl", NULL), "pkg:generic/debian@12");

	c = find_component(comps, "libc6");
	assert_string_equal(jpath_str(c, "type", NULL), "library");
	assert_string_equal(jpath_str(c, "version", NULL), "2.36-9+deb12u4");
	assert_string_equal(jpath_str(c, "purl", NULL), sb->pkgs[0].purl);
	assert_string_equal(jpath_str(c, "bom-ref", NULL), sb->pkgs[0].purl);
	assert_string_equal(property(c, "bulwark:arch"), "amd64");
	assert_string_equal(property(c, "bulwark:path"), "var/lib/dpkg/status");
	assert_string_equal(property(c, "bulwark:layer"), sb->pkgs[0].layer_digest);
	/* a deb package's "LGPL-2.1" is DEP-5's name for version 2.1 only */
	assert_string_equal(jpath_str(json_object_get(json_array_get(json_object_get(c, "licenses"),
								     0),
						      "license"),
				      "id", NULL),
			    "LGPL-2.1-only");
	/* no licences: no key */
	assert_null(json_object_get(find_component(comps, "libstdc++6"), "licenses"));
	json_decref(doc);
	json_decref(doc2);
	sbom_free(sb);
}

static void test_cyclonedx_licenses_and_refs(void **state)
{
	struct sbom *sb = sbom_new();
	json_t *doc, *comps, *lic;
	const char *r0, *r1;

	(void)state;
	/* the same purl twice (the same package in status and status.d) */
	add_pkg(sb, SBOM_PKG_APK, "a", "1-r0", "x86_64", "pkg:apk/alpine/a@1-r0", "mit", "GPLv2+");
	add_pkg(sb, SBOM_PKG_APK, "b", "1-r0", "x86_64", "pkg:apk/alpine/a@1-r0",
		"MIT", "Apache-2.0 OR BSD-3-Clause");
	add_pkg(sb, SBOM_PKG_APK, "c", "1-r0", "x86_64", NULL, "MPL-2.0 AND MIT", NULL);
	/* blank licences are left out: no "licenses" at all */
	add_pkg(sb, SBOM_PKG_APK, "d", "1-r0", "x86_64", NULL, "", " ");
	doc = render_json(sb, SBOM_FMT_CYCLONEDX);
	comps = json_object_get(doc, "components");
	/* no distro: no operating-system component */
	assert_int_equal(json_array_size(comps), 4);
	assert_null(json_object_get(json_array_get(comps, 3), "licenses"));
	r0 = jpath_str(json_array_get(comps, 0), "bom-ref", NULL);
	r1 = jpath_str(json_array_get(comps, 1), "bom-ref", NULL);
	assert_string_equal(r0, "pkg:apk/alpine/a@1-r0");
	assert_string_not_equal(r0, r1);
	/* a package without a purl still gets a bom-ref */
	assert_non_null(jpath_str(json_array_get(comps, 2), "bom-ref", NULL));

	/* "mit" is listed (case folded to MIT); "GPLv2+" is not: by name */
	lic = json_object_get(json_array_get(comps, 0), "licenses");
	assert_int_equal(json_array_size(lic), 2);
	assert_string_equal(jpath_str(json_array_get(lic, 0), "license", "id"), "MIT");
	assert_string_equal(jpath_str(json_array_get(lic, 1), "license", "name"), "GPLv2+");
	/* both valid and one compound: one expression, the compound one in
	 * parentheses so that AND does not bind into it */
	lic = json_object_get(json_array_get(comps, 1), "licenses");
	assert_int_equal(json_array_size(lic), 1);
	assert_string_equal(jpath_str(json_array_get(lic, 0), "expression", NULL),
			    "MIT AND (Apache-2.0 OR BSD-3-Clause)");
	lic = json_object_get(json_array_get(comps, 2), "licenses");
	assert_string_equal(jpath_str(json_array_get(lic, 0), "expression", NULL),
			    "MPL-2.0 AND MIT");
	json_decref(doc);
	sbom_free(sb);
}

static void test_timestamp_source_date_epoch(void **state)
{
	struct sbom *sb = debian_sbom();
	json_t *doc;

	(void)state;
	/* 365 days of 86400 s after the epoch: 1971-01-01 (1970 was not a
	 * leap year) */
	setenv("SOURCE_DATE_EPOCH", "31536000", 1);
	doc = render_json(sb, SBOM_FMT_CYCLONEDX);
	assert_string_equal(jpath_str(json_object_get(doc, "metadata"), "timestamp", NULL),
			    "1971-01-01T00:00:00Z");
	json_decref(doc);
	doc = render_json(sb, SBOM_FMT_SPDX_JSON);
	assert_string_equal(jpath_str(doc, "creationInfo", "created"), "1971-01-01T00:00:00Z");
	json_decref(doc);
	unsetenv("SOURCE_DATE_EPOCH");
	sbom_free(sb);
}

/* ---- SPDX ----------------------------------------------------------------------- */

static bool is_spdxid(const char *s)
{
	/* SPDX 2.3 clause 3.2: "SPDXRef-" then letters, digits, '.' and '-' */
	if (!s || !bw_str_starts_with(s, "SPDXRef-") || !s[8])
		return false;
	for (s += 8; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", *s))
			return false;
	return true;
}

static void test_spdx(void **state)
{
	struct sbom *sb = debian_sbom();
	json_t *doc, *doc2, *pkgs, *rels, *p, *r;
	struct bw_strv ids = {0};
	size_t i, describes = 0, contains = 0;
	const char *ns;

	(void)state;
	doc = render_json(sb, SBOM_FMT_SPDX_JSON);
	doc2 = render_json(sb, SBOM_FMT_SPDX_JSON);
	assert_string_equal(jpath_str(doc, "spdxVersion", NULL), "SPDX-2.3");
	assert_string_equal(jpath_str(doc, "dataLicense", NULL), "CC0-1.0");
	assert_string_equal(jpath_str(doc, "SPDXID", NULL), "SPDXRef-DOCUMENT");
	assert_string_equal(jpath_str(doc, "name", NULL), "oci:/tmp/img:latest");
	ns = jpath_str(doc, "documentNamespace", NULL);
	assert_true(bw_str_starts_with(ns, "https://"));
	assert_null(strchr(ns, '#'));
	assert_string_not_equal(ns, jpath_str(doc2, "documentNamespace", NULL));
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(doc, "creationInfo"), "creators"),
				    0)),
			    "Tool: bulwark-" BW_VERSION);

	pkgs = json_object_get(doc, "packages");
	/* image + operating system + 2 packages */
	assert_int_equal(json_array_size(pkgs), 4);
	json_array_foreach(pkgs, i, p) {
		const char *id = jpath_str(p, "SPDXID", NULL);

		if (!is_spdxid(id))
			fail_msg("bad SPDXID '%s'", id ? id : "(none)");
		assert_false(bw_strv_contains(&ids, id));
		assert_int_equal(bw_strv_push(&ids, id), BW_OK);
		assert_string_equal(jpath_str(p, "downloadLocation", NULL), "NOASSERTION");
		assert_true(json_is_false(json_object_get(p, "filesAnalyzed")));
	}
	p = json_array_get(pkgs, 2);
	assert_string_equal(jpath_str(p, "name", NULL), "libc6");
	assert_string_equal(jpath_str(p, "versionInfo", NULL), "2.36-9+deb12u4");
	/* DEP-5 "LGPL-2.1" (a deb package): version 2.1 only */
	assert_string_equal(jpath_str(p, "licenseDeclared", NULL), "LGPL-2.1-only");
	assert_string_equal(jpath_str(p, "licenseConcluded", NULL), "NOASSERTION");
	r = json_array_get(json_object_get(p, "externalRefs"), 0);
	assert_string_equal(jpath_str(r, "referenceCategory", NULL), "PACKAGE-MANAGER");
	assert_string_equal(jpath_str(r, "referenceType", NULL), "purl");
	assert_string_equal(jpath_str(r, "referenceLocator", NULL), sb->pkgs[0].purl);
	/* "libstdc++6": '+' is not in an idstring */
	assert_string_equal(jpath_str(json_array_get(pkgs, 3), "SPDXID", NULL),
			    "SPDXRef-Package-deb-libstdc--6-1");
	assert_string_equal(jpath_str(json_array_get(pkgs, 3), "licenseDeclared", NULL),
			    "NOASSERTION");

	rels = json_object_get(doc, "relationships");
	json_array_foreach(rels, i, r) {
		const char *type = jpath_str(r, "relationshipType", NULL);

		assert_true(bw_strv_contains(&ids, jpath_str(r, "relatedSpdxElement", NULL)));
		if (strcmp(type, "DESCRIBES") == 0) {
			describes++;
			assert_string_equal(jpath_str(r, "spdxElementId", NULL), "SPDXRef-DOCUMENT");
			assert_string_equal(jpath_str(r, "relatedSpdxElement", NULL), "SPDXRef-Image");
		} else if (strcmp(type, "CONTAINS") == 0) {
			contains++;
			assert_string_equal(jpath_str(r, "spdxElementId", NULL), "SPDXRef-Image");
		}
	}
	assert_int_equal(describes, 1);
	assert_int_equal(contains, 3); /* the OS and the two packages */
	bw_strv_release(&ids);
	json_decref(doc);
	json_decref(doc2);
	sbom_free(sb);
}

static void test_spdx_license_refs(void **state)
{
	struct sbom *sb = sbom_new();
	json_t *doc, *pkgs, *ex;

	(void)state;
	/* Fedora's old names are no SPDX ids: LicenseRef- with the text made
	 * an idstring ('+' is not allowed: '-'); "GPLv3-" makes the same
	 * idstring from another text, so it gets "-2"; the same text in
	 * another package reuses its ref. */
	add_pkg(sb, SBOM_PKG_RPM, "bash", "5.1.8-6.el9", "x86_64", "pkg:rpm/redhat/bash@5.1.8-6.el9",
		"GPLv3+", NULL);
	add_pkg(sb, SBOM_PKG_RPM, "odd", "1-1", "x86_64", "pkg:rpm/redhat/odd@1-1", "GPLv3-", NULL);
	add_pkg(sb, SBOM_PKG_RPM, "sed", "4.8-9.el9", "x86_64", "pkg:rpm/redhat/sed@4.8-9.el9",
		"GPLv3+", "MIT");
	/* only blank licences: NOASSERTION, no "LicenseRef-" */
	add_pkg(sb, SBOM_PKG_RPM, "zz", "1-1", "x86_64", "pkg:rpm/redhat/zz@1-1", "", "\t");
	doc = render_json(sb, SBOM_FMT_SPDX_JSON);
	pkgs = json_object_get(doc, "packages");
	/* image + 4 packages: no OS without a distro */
	assert_int_equal(json_array_size(pkgs), 5);
	assert_string_equal(jpath_str(json_array_get(pkgs, 4), "licenseDeclared", NULL),
			    "NOASSERTION");
	assert_string_equal(jpath_str(json_array_get(pkgs, 1), "licenseDeclared", NULL),
			    "LicenseRef-GPLv3-");
	assert_string_equal(jpath_str(json_array_get(pkgs, 2), "licenseDeclared", NULL),
			    "LicenseRef-GPLv3--2");
	assert_string_equal(jpath_str(json_array_get(pkgs, 3), "licenseDeclared", NULL),
			    "LicenseRef-GPLv3- AND MIT");
	ex = json_object_get(doc, "hasExtractedLicensingInfos");
	assert_int_equal(json_array_size(ex), 2);
	assert_string_equal(jpath_str(json_array_get(ex, 0), "licenseId", NULL), "LicenseRef-GPLv3-");
	assert_string_equal(jpath_str(json_array_get(ex, 0), "extractedText", NULL), "GPLv3+");
	assert_string_equal(jpath_str(json_array_get(ex, 1), "licenseId", NULL), "LicenseRef-GPLv3--2");
	assert_string_equal(jpath_str(json_array_get(ex, 1), "extractedText", NULL), "GPLv3-");
	assert_string_equal(jpath_str(doc, "name", NULL), "unknown");
	json_decref(doc);
	sbom_free(sb);
}

static void expect_dep5(enum sbom_pkg_type type, const char *in, const char *want)
{
	struct sbom_pkg p = {.type = type};
	bool compound = true;
	char *got = sbom_spdx_license(&p, in, &compound);

	if (!want) {
		if (got)
			fail_msg("'%s' should have no SPDX form, got '%s'", in, got);
		return;
	}
	if (!got)
		fail_msg("'%s' should map to '%s'", in, want);
	assert_string_equal(got, want);
	assert_false(compound);
	free(got);
}

static void test_dep5_names(void **state)
{
	struct sbom *sb = debian_sbom();
	json_t *doc, *lic;

	(void)state;
	/* DEP-5 (debian/copyright format 1.0), "License short name": a
	 * trailing "+" means "or any later version", no "+" that version
	 * only; SPDX spells these -or-later / -only with a full version. */
	expect_dep5(SBOM_PKG_DEB, "GPL-2+", "GPL-2.0-or-later");
	expect_dep5(SBOM_PKG_DEB, "GPL-2", "GPL-2.0-only");
	expect_dep5(SBOM_PKG_DEB, "GPL-3+", "GPL-3.0-or-later");
	expect_dep5(SBOM_PKG_DEB, "LGPL-2.1+", "LGPL-2.1-or-later");
	expect_dep5(SBOM_PKG_DEB, "LGPL-2", "LGPL-2.0-only");
	expect_dep5(SBOM_PKG_DEB, "AGPL-3", "AGPL-3.0-only");
	expect_dep5(SBOM_PKG_DEB, "GFDL-1.3+", "GFDL-1.3-or-later");
	/* GFDL-NIV: no invariant sections */
	expect_dep5(SBOM_PKG_DEB, "GFDL-NIV-1.3", "GFDL-1.3-no-invariants-only");
	/* "Expat" is the MIT licence as Debian names it */
	expect_dep5(SBOM_PKG_DEB, "Expat", "MIT");
	expect_dep5(SBOM_PKG_DEB, "Apache-2", "Apache-2.0");
	expect_dep5(SBOM_PKG_DEB, "MPL-1.1", "MPL-1.1");
	/* SPDX ids up to case */
	expect_dep5(SBOM_PKG_DEB, "BSD-3-clause", "BSD-3-Clause");
	/* not licences SPDX lists, or not versions that exist */
	expect_dep5(SBOM_PKG_DEB, "public-domain", NULL);
	expect_dep5(SBOM_PKG_DEB, "GPL", NULL);
	expect_dep5(SBOM_PKG_DEB, "GPL-9+", NULL);
	expect_dep5(SBOM_PKG_DEB, "GPL-2.", NULL);
	expect_dep5(SBOM_PKG_DEB, "GPL-2+x", NULL);
	expect_dep5(SBOM_PKG_DEB, "Apache-2+", NULL);
	/* the mapping is Debian's: an apk package's "GPL-2+" is left alone */
	expect_dep5(SBOM_PKG_APK, "GPL-2+", NULL);

	/* CycloneDX: one entry per licence, ids mapped, duplicates dropped */
	assert_int_equal(bw_strv_push(&sb->pkgs[1].licenses, "BSD-3-clause"), BW_OK);
	assert_int_equal(bw_strv_push(&sb->pkgs[1].licenses, "BSD-3-Clause"), BW_OK);
	assert_int_equal(bw_strv_push(&sb->pkgs[1].licenses, "GPL-3+"), BW_OK);
	assert_int_equal(bw_strv_push(&sb->pkgs[1].licenses, "public-domain"), BW_OK);
	doc = render_json(sb, SBOM_FMT_CYCLONEDX);
	lic = json_object_get(find_component(json_object_get(doc, "components"), "libstdc++6"),
			      "licenses");
	assert_int_equal(json_array_size(lic), 3);
	assert_string_equal(jpath_str(json_array_get(lic, 0), "license", "id"), "BSD-3-Clause");
	assert_string_equal(jpath_str(json_array_get(lic, 1), "license", "id"), "GPL-3.0-or-later");
	assert_string_equal(jpath_str(json_array_get(lic, 2), "license", "name"), "public-domain");
	json_decref(doc);
	/* SPDX: the same, ANDed, the unlisted one as a LicenseRef */
	doc = render_json(sb, SBOM_FMT_SPDX_JSON);
	assert_string_equal(jpath_str(json_array_get(json_object_get(doc, "packages"), 3),
				      "licenseDeclared", NULL),
			    "BSD-3-Clause AND GPL-3.0-or-later AND LicenseRef-public-domain");
	json_decref(doc);
	sbom_free(sb);
}

static void test_write_error(void **state)
{
	struct sbom *sb = debian_sbom();
	struct bw_errbuf eb = {0};
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	/* /dev/full fails every write with ENOSPC: the table writer says so */
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(sbom_write(sb, SBOM_FMT_TABLE, f, &eb), BW_ERR_IO);
	assert_int_equal(sbom_write(sb, SBOM_FMT_CYCLONEDX, f, &eb), BW_ERR_IO);
	fclose(f);
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_spdx_expression),
		cmocka_unit_test(test_spdx_license_id),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_escapes_control_chars),
		cmocka_unit_test(test_table_utf8),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_cyclonedx),
		cmocka_unit_test(test_cyclonedx_licenses_and_refs),
		cmocka_unit_test(test_timestamp_source_date_epoch),
		cmocka_unit_test(test_spdx),
		cmocka_unit_test(test_spdx_license_refs),
		cmocka_unit_test(test_dep5_names),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

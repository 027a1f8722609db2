/* test_sbom_readjson.c - sbom_read_json(): Bulwark's JSON SBOM read back.
 *
 * The round trip is checked on real SBOMs: write -> read -> write must give
 * the same bytes, for roots catalogued from the Syft fixtures
 * and Trivy's (../shared/fixtures/pkgdb), the Debian 12 rootfs and its language
 * fixtures when the integration fixtures are built (else a root holding the
 * host's dpkg database), and a hand-built SBOM that sets every field
 * (including bad UTF-8, which the first write replaces by U+FFFD). Then
 * hostile documents: each is refused with an error naming the input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/core.h"
#include "image/image.h"
#include "sbom/sbom.h"

#define PKGDB BW_SOURCE_ROOT "/../shared/fixtures/pkgdb"
#define FIXTURES BW_SOURCE_ROOT "/build/fixtures"

static char *render(const struct sbom *sb, size_t *len)
{
	struct bw_errbuf eb = {0};
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	assert_int_equal(sbom_write(sb, SBOM_FMT_JSON, f, &eb), BW_OK);
	assert_int_equal(fclose(f), 0);
	*len = n;
	return out;
}

/* write -> read -> write of sb: the same bytes, the same packages. */
static void round_trip(const struct sbom *sb, const char *what)
{
	struct bw_errbuf eb = {0};
	struct sbom *back = NULL;
	size_t n1, n2;
	char *one = render(sb, &n1), *two;
	enum bw_err result = sbom_read_json(one, n1, what, &back, &eb);

	if (result != BW_OK)
		fail_msg("%s: %s", what, eb.msg);
	assert_int_equal(back->npkgs, sb->npkgs);
	two = render(back, &n2);
	if (n1 != n2 || memcmp(one, two, n1) != 0)
		fail_msg("%s: the second write differs from the first (%zu vs %zu bytes)", what, n1,
			 n2);
	print_message("# %s: %zu packages, %zu bytes round-tripped\n", what, sb->npkgs, n1);
	free(one);
	free(two);
	sbom_free(back);
}

static void catalog_round_trip(const char *ref)
{
	struct bw_errbuf eb = {0};
	struct sbom *sb = NULL;

	if (sbom_catalog_ref(ref, NULL, NULL, &sb, &eb) != BW_OK)
		fail_msg("%s: %s", ref, eb.msg);
	round_trip(sb, ref);
	sbom_free(sb);
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static void test_syft_fixtures(void **state)
{
	static const char *const roots[] = {"syft/debian/image-dpkg",
					    "syft/debian/image-distroless-deb",
					    "syft/alpine/multiple-1", "trivy/dpkg/valid"};
	static const char *const apk_dbs[] = {"syft/alpine/base", "syft/alpine/single",
					      "trivy/apk/apk"};
	char ref[512];

	(void)state;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(ref, sizeof(ref), "dir:%s/%s", PKGDB, roots[i]);
		catalog_round_trip(ref);
	}
	/* apk databases are single files: parsed straight into a model */
	for (size_t i = 0; i < sizeof(apk_dbs) / sizeof(apk_dbs[0]); i++) {
		struct bw_errbuf eb = {0};
		struct bw_buf b;
		struct sbom *sb = sbom_new();

		assert_non_null(sb);
		snprintf(ref, sizeof(ref), "%s/%s", PKGDB, apk_dbs[i]);
		bw_buf_init(&b, 1 << 24);
		if (bw_buf_read_file(&b, ref, &eb) != BW_OK)
			fail_msg("%s", eb.msg);
		if (sbom_parse_apk_installed(sb, b.data, b.len, "lib/apk/db/installed",
					     "sha256:0123", &eb) != BW_OK)
			fail_msg("%s: %s", ref, eb.msg);
		sbom_sort(sb);
		round_trip(sb, ref);
		bw_buf_release(&b);
		sbom_free(sb);
	}
}

static void test_debian_fixtures(void **state)
{
	static const char *const roots[] = {"debian-rootfs", "debian-python", "debian-ruby",
					    "debian-gomod"};
	char ref[512], tmp[] = "/tmp/bw-readjson.XXXXXX", cmd[1024];
	int done = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(ref, sizeof(ref), "dir:%s/%s", FIXTURES, roots[i]);
		if (!exists(ref + 4))
			continue;
		catalog_round_trip(ref);
		done++;
	}
	snprintf(ref, sizeof(ref), "docker-archive:%s/images/debian-docker.tar", FIXTURES);
	if (exists(ref + strlen("docker-archive:")))
		catalog_round_trip(ref); /* with layer digests and an image id */
	if (done)
		return;
	/* unit tests may run before the integration fixtures are built */
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/var/lib/dpkg %s/etc && cp /var/lib/dpkg/status %s/var/lib/dpkg/ && "
		 "cp /etc/os-release %s/etc/",
		 tmp, tmp, tmp, tmp);
	assert_int_equal(system(cmd), 0);
	snprintf(ref, sizeof(ref), "dir:%s", tmp);
	catalog_round_trip(ref);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
}

static void set(char **field, const char *v)
{
	*field = bw_strdup(v);
	assert_non_null(*field);
}

/* Every field the model has, set. */
static void test_every_field(void **state)
{
	struct sbom *sb = sbom_new();
	struct sbom_pkg p = {0};
	struct bw_errbuf eb = {0};
	struct sbom *back = NULL;
	size_t n;
	char *text;

	(void)state;
	assert_non_null(sb);
	set(&sb->target, "127.0.0.1:5000/a/b@sha256:aa");
	set(&sb->target_kind, "registry");
	set(&sb->image_digest, "sha256:aaaa");
	set(&sb->image_id, "sha256:bbbb");
	assert_int_equal(bw_strv_push(&sb->layer_digests, "sha256:1111"), BW_OK);
	assert_int_equal(bw_strv_push(&sb->layer_digests, "sha256:2222"), BW_OK);
	set(&sb->distro.id, "rocky");
	set(&sb->distro.version_id, "9.3");
	set(&sb->distro.pretty_name, "Rocky Linux 9.3 (Blue Onyx)");
	set(&sb->distro.id_like, "rhel centos fedora");
	set(&sb->distro.source_path, "etc/os-release");
	assert_int_equal(bw_strv_push(&sb->warnings, "var/lib/rpm/rpmdb.sqlite: truncated"), BW_OK);
	p.type = SBOM_PKG_RPM;
	set(&p.name, "openssl-libs");
	set(&p.version, "1:3.0.7-24.el9");
	set(&p.epoch, "1");
	set(&p.release, "24.el9");
	set(&p.arch, "x86_64");
	set(&p.source_name, "openssl");
	set(&p.source_version, "3.0.7-24.el9");
	assert_int_equal(bw_strv_push(&p.licenses, "ASL 2.0"), BW_OK);
	set(&p.purl, "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1");
	set(&p.layer_digest, "sha256:2222");
	set(&p.found_path, "var/lib/rpm/rpmdb.sqlite");
	assert_int_equal(sbom_add(sb, &p), BW_OK);
	memset(&p, 0, sizeof(p));
	p.type = SBOM_PKG_MAVEN;
	set(&p.name, "bad-\xff\xfe-utf8 \"quoted\" \\ name");
	set(&p.version, "1.0");
	set(&p.owner, "libfoo-java");
	p.owner_type = SBOM_PKG_RPM;
	p.nfiles = 12;
	set(&p.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	p.dev = true;
	assert_int_equal(sbom_add(sb, &p), BW_OK);
	round_trip(sb, "every field");

	/* the values themselves came back */
	text = render(sb, &n);
	assert_int_equal(sbom_read_json(text, n, "every field", &back, &eb), BW_OK);
	assert_string_equal(back->pkgs[0].epoch, "1");
	assert_string_equal(back->pkgs[0].source_version, "3.0.7-24.el9");
	assert_string_equal(back->pkgs[0].licenses.v[0], "ASL 2.0");
	assert_int_equal(back->pkgs[1].type, SBOM_PKG_MAVEN);
	assert_true(back->pkgs[1].dev);
	assert_false(back->pkgs[0].dev);
	assert_string_equal(back->pkgs[1].name, "bad-\xef\xbf\xbd\xef\xbf\xbd-utf8 \"quoted\" \\ name");
	assert_string_equal(back->pkgs[1].owner, "libfoo-java");
	assert_int_equal(back->pkgs[1].owner_type, SBOM_PKG_RPM);
	assert_int_equal(back->pkgs[1].nfiles, 12);
	assert_string_equal(back->distro.id_like, "rhel centos fedora");
	assert_null(back->distro.codename);
	assert_int_equal(back->layer_digests.n, 2);
	assert_string_equal(back->warnings.v[0], "var/lib/rpm/rpmdb.sqlite: truncated");
	free(text);
	sbom_free(back);
	sbom_free(sb);
}

static void refused(const char *doc, enum bw_err want, const char *msg_part)
{
	struct bw_errbuf eb = {0};
	struct sbom *sb = (struct sbom *)1;
	enum bw_err result = sbom_read_json(doc, strlen(doc), "t.json", &sb, &eb);

	if (result != want)
		fail_msg("%s: got %d (%s), want %d", doc, (int)result, eb.msg, (int)want);
	assert_null(sb);
	if (!strstr(eb.msg, msg_part) || !strstr(eb.msg, "t.json"))
		fail_msg("%s: message \"%s\" lacks \"%s\"", doc, eb.msg, msg_part);
}

static void test_hostile(void **state)
{
	(void)state;
	refused("", BW_ERR_FORMAT, "invalid JSON");
	refused("[]", BW_ERR_FORMAT, "not a JSON object");
	refused("{\"packages\":[]}", BW_ERR_FORMAT, "schema_version 1");
	refused("{\"schema_version\":2,\"packages\":[]}", BW_ERR_FORMAT, "schema_version 1");
	refused("{\"schema_version\":1}", BW_ERR_FORMAT, "no \"packages\" array");
	refused("{\"schema_version\":1,\"packages\":[1]}", BW_ERR_FORMAT, "package 0 is not an object");
	refused("{\"schema_version\":1,\"packages\":[{\"name\":\"x\"}]}", BW_ERR_FORMAT,
		"no \"type\"");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\\u0000\",\"name\":\"x\"}]}",
		BW_ERR_FORMAT, "\"type\": unknown package type \"deb\\x00\"");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"snap\",\"name\":\"x\"}]}",
		BW_ERR_FORMAT, "unknown package type \"snap\"");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\"}]}", BW_ERR_FORMAT,
		"no \"name\"");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\",\"name\":\"a\\u0000b\"}]}",
		BW_ERR_FORMAT, "\"name\" holds a NUL byte");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\",\"name\":7}]}",
		BW_ERR_FORMAT, "\"name\" is not a string");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\",\"name\":\"x\","
		"\"licenses\":[\"a\",1]}]}",
		BW_ERR_FORMAT, "\"licenses\"[1] is not a string");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\",\"name\":\"x\",\"files\":-1}]}",
		BW_ERR_FORMAT, "\"files\" is not a count");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\",\"name\":\"x\",\"owner\":\"y\","
		"\"owner_type\":\"zzz\"}]}",
		BW_ERR_FORMAT, "\"owner_type\": unknown package type \"zzz\"");
	refused("{\"schema_version\":1,\"packages\":[{\"type\":\"deb\",\"name\":\"x\",\"dev\":1}]}",
		BW_ERR_FORMAT, "\"dev\" is not a boolean");
	refused("{\"schema_version\":1,\"distro\":\"debian\",\"packages\":[]}", BW_ERR_FORMAT,
		"\"distro\" is not an object");
	refused("{\"schema_version\":1,\"distro\":{},\"packages\":[]}", BW_ERR_FORMAT,
		"distro: no \"id\"");
	refused("{\"schema_version\":1,\"target\":{\"layers\":\"x\"},\"packages\":[]}",
		BW_ERR_FORMAT, "\"layers\" is not an array");
	refused("{\"schema_version\":1,\"schema_version\":1,\"packages\":[]}", BW_ERR_FORMAT,
		"invalid JSON");
}

static void test_long_string(void **state)
{
	size_t n = 70 * 1024;
	char *doc = malloc(n + 100), *p;
	struct bw_errbuf eb = {0};
	struct sbom *sb = NULL;

	(void)state;
	assert_non_null(doc);
	p = doc + snprintf(doc, 100, "{\"schema_version\":1,\"packages\":[{\"type\":\"npm\",\"name\":\"");
	memset(p, 'a', n);
	p += n;
	memcpy(p, "\"}]}", 5);
	assert_int_equal(sbom_read_json(doc, strlen(doc), "long.json", &sb, &eb), BW_ERR_LIMIT);
	assert_null(sb);
	assert_non_null(strstr(eb.msg, "longer than 65536 bytes"));
	free(doc);
}

/* The minimal document: unknown keys are ignored, absent lists are empty. */
static void test_minimal(void **state)
{
	const char *doc = "{\"schema_version\":1,\"future\":{\"x\":[1]},\"distro\":null,"
			  "\"packages\":[{\"type\":\"npm\",\"name\":\"left-pad\","
			  "\"version\":\"1.3.0\",\"new_key\":true}]}";
	struct bw_errbuf eb = {0};
	struct sbom *sb = NULL;

	(void)state;
	assert_int_equal(sbom_read_json(doc, strlen(doc), "min.json", &sb, &eb), BW_OK);
	assert_int_equal(sb->npkgs, 1);
	assert_int_equal(sb->pkgs[0].type, SBOM_PKG_NPM);
	assert_string_equal(sb->pkgs[0].version, "1.3.0");
	assert_null(sb->pkgs[0].purl);
	assert_null(sb->distro.id);
	assert_null(sb->target);
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syft_fixtures), cmocka_unit_test(test_debian_fixtures),
		cmocka_unit_test(test_every_field),   cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_long_string),   cmocka_unit_test(test_minimal),
	};

	/* the document's "created" must not change between the two writes */
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

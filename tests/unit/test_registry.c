/* test_registry.c - registry references, WWW-Authenticate challenges and
 * manifests. Expected values come from the distribution spec and Docker's
 * documentation (the normalisation of "alpine" to
 * registry-1.docker.io/library/alpine:latest, the token auth example
 * challenge), and the OCI image-spec's example manifest and index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "registry/registry.h"
#include "registry/registry_int.h"

#define D64 "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"

static void check_name(const char *text, const char *host, const char *repo, const char *tag,
		       const char *digest)
{
	struct registry_name n;
	struct bw_errbuf eb = {0};

	assert_int_equal(registry_name_parse(text, &n, &eb), BW_OK);
	assert_string_equal(n.host, host);
	assert_string_equal(n.repo, repo);
	if (tag)
		assert_string_equal(n.tag, tag);
	else
		assert_null(n.tag);
	if (digest)
		assert_string_equal(n.digest, digest);
	else
		assert_null(n.digest);
	registry_name_release(&n);
}

static void test_name_docker_hub(void **state)
{
	(void)state;
	check_name("alpine:3.19", "registry-1.docker.io", "library/alpine", "3.19", NULL);
	check_name("alpine", "registry-1.docker.io", "library/alpine", "latest", NULL);
	check_name("docker.io/alpine", "registry-1.docker.io", "library/alpine", "latest", NULL);
	check_name("bitnami/redis:7.2", "registry-1.docker.io", "bitnami/redis", "7.2", NULL);
	check_name("docker://index.docker.io/user/app:v1", "registry-1.docker.io", "user/app",
		   "v1", NULL);
}

static void test_name_hosts(void **state)
{
	(void)state;
	check_name("127.0.0.1:5000/repo:tag", "127.0.0.1:5000", "repo", "tag", NULL);
	check_name("registry:ghcr.io/ns/sub/app:1.0-rc_1", "ghcr.io", "ns/sub/app", "1.0-rc_1",
		   NULL);
	check_name("localhost/foo", "localhost", "foo", "latest", NULL);
	check_name("quay.io/org/app@" D64, "quay.io", "org/app", NULL, D64);
	check_name("host:443/a/b:t@" D64, "host:443", "a/b", "t", D64);
	/* "foo/bar": foo has no '.' or ':' and is not localhost: a Hub namespace */
	check_name("foo/bar", "registry-1.docker.io", "foo/bar", "latest", NULL);
}

static void test_name_errors(void **state)
{
	static const char *bad[] = {
		"",
		"Upper/Case",
		"host:5000/repo:",
		"repo:-tag",
		"repo@sha256:abc",
		"host:5000//repo",
		"repo/",
		"_repo",
		"repo:t@g",
		"host:5000/re$po",
	};
	struct registry_name n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bw_errbuf eb = {0};

		if (registry_name_parse(bad[i], &n, &eb) == BW_OK)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(eb.msg[0] != '\0');
	}
}

/* The example of the distribution spec's token authentication page. */
static void test_challenge_bearer(void **state)
{
	struct registry_challenge ch;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(registry_challenge_parse(
				 "Bearer realm=\"https://auth.docker.io/token\","
				 "service=\"registry.docker.io\","
				 "scope=\"repository:samalba/my-app:pull,push\"",
				 &ch, &eb),
			 BW_OK);
	assert_string_equal(ch.scheme, "bearer");
	assert_string_equal(ch.realm, "https://auth.docker.io/token");
	assert_string_equal(ch.service, "registry.docker.io");
	assert_string_equal(ch.scope, "repository:samalba/my-app:pull,push");
	registry_challenge_release(&ch);

	/* case-insensitive names, spaces, token values, escapes, unknown params */
	assert_int_equal(registry_challenge_parse("BEARER  Realm = \"https://a/t\\\"x\" , "
						  "error=insufficient_scope, service=svc",
						  &ch, &eb),
			 BW_OK);
	assert_string_equal(ch.realm, "https://a/t\"x");
	assert_string_equal(ch.service, "svc");
	assert_null(ch.scope);
	registry_challenge_release(&ch);
}

static void test_challenge_basic(void **state)
{
	struct registry_challenge ch;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(registry_challenge_parse("Basic realm=\"Registry Realm\"", &ch, &eb),
			 BW_OK);
	assert_string_equal(ch.scheme, "basic");
	assert_string_equal(ch.realm, "Registry Realm");
	registry_challenge_release(&ch);
	assert_int_equal(registry_challenge_parse("Basic", &ch, &eb), BW_OK);
	assert_null(ch.realm);
	registry_challenge_release(&ch);
}

static void test_challenge_errors(void **state)
{
	static const char *bad[] = {
		"",
		"Bearer realm=\"https://x",
		"Bearer realm=\"a\",realm=\"b\"",
		"Bearer realm",
		"Bearer realm=\"a\" service=\"b\"",
		"Bearer realm=\"a\x01\"",
		"Bearer =x",
		"Bear\"er realm=x",
	};
	char big[5000];
	struct registry_challenge ch;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bw_errbuf eb = {0};

		if (registry_challenge_parse(bad[i], &ch, &eb) == BW_OK)
			fail_msg("accepted '%s'", bad[i]);
		assert_null(ch.realm);
	}
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "Bearer realm=", 13);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(registry_challenge_parse(big, &ch, NULL), BW_ERR_FORMAT);
}

/* OCI image-spec, manifest.md "Example Image Manifest" (config and the
 * first two layers). */
static const char oci_manifest[] =
	"{\"schemaVersion\": 2,"
	" \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\","
	" \"config\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\","
	"  \"digest\": \"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7\","
	"  \"size\": 7023},"
	" \"layers\": ["
	"  {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\","
	"   \"digest\": \"sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0\","
	"   \"size\": 32654},"
	"  {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\","
	"   \"digest\": \"sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b\","
	"   \"size\": 16724}],"
	" \"annotations\": {\"com.example.key1\": \"value1\"}}";

/* OCI image-spec, image-index.md "Example Image Index". */
static const char oci_index[] =
	"{\"schemaVersion\": 2,"
	" \"mediaType\": \"application/vnd.oci.image.index.v1+json\","
	" \"manifests\": ["
	"  {\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"size\": 7143,"
	"   \"digest\": \"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f\","
	"   \"platform\": {\"architecture\": \"ppc64le\", \"os\": \"linux\"}},"
	"  {\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"size\": 7682,"
	"   \"digest\": \"sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270\","
	"   \"platform\": {\"architecture\": \"amd64\", \"os\": \"linux\"}}],"
	" \"annotations\": {\"com.example.key1\": \"value1\"}}";

static void test_manifest_oci(void **state)
{
	struct registry_manifest m;
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(registry_manifest_parse(oci_manifest, strlen(oci_manifest), NULL, "t", &m,
						 &eb),
			 BW_OK);
	assert_int_equal(m.kind, REGISTRY_MANIFEST_IMAGE);
	assert_string_equal(m.config.digest, "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7");
	assert_int_equal(m.config.size, 7023);
	assert_int_equal(m.nentries, 2);
	assert_string_equal(m.entries[1].digest, "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b");
	assert_int_equal(m.entries[1].size, 16724);
	assert_string_equal(m.entries[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
	registry_manifest_release(&m);
}

static void test_manifest_index_select(void **state)
{
	struct registry_manifest m;
	struct bw_errbuf eb = {0};
	struct image_platform p = {"linux", "amd64", ""};
	struct image_platform arm = {"linux", "arm64", "v8"};
	struct image_platform ppc = {"linux", "ppc64le", ""};

	(void)state;
	assert_int_equal(registry_manifest_parse(oci_index, strlen(oci_index), NULL, "t", &m, &eb),
			 BW_OK);
	assert_int_equal(m.kind, REGISTRY_MANIFEST_INDEX);
	assert_int_equal(m.nentries, 2);
	assert_int_equal(registry_manifest_select(&m, &p), 1);
	assert_int_equal(registry_manifest_select(&m, &ppc), 0);
	assert_int_equal(registry_manifest_select(&m, &arm), -1);
	registry_manifest_release(&m);
}

static void test_manifest_errors(void **state)
{
	static const char *bad[] = {
		"{\"schemaVersion\": 1, \"fsLayers\": []}",
		"[]",
		"{\"schemaVersion\": 2}",
		"{\"schemaVersion\": 2, \"config\": {\"digest\": \"sha256:00\", \"size\": 1}, "
		"\"layers\": []}",
		"{\"schemaVersion\": 2, \"mediaType\": \"text/plain\", \"manifests\": []}",
		"{\"schemaVersion\": 2, \"manifests\": [{\"digest\": \"" D64 "\", \"size\": -1}]}",
		"{\"schemaVersion\": 2, \"manifests\": []}",
		"{\"schemaVersion\": 2, \"manifests\": [{\"digest\": \"md5:abc\", \"size\": 1}]}",
	};
	struct registry_manifest m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bw_errbuf eb = {0};

		if (registry_manifest_parse(bad[i], strlen(bad[i]), NULL, "where", &m, &eb) == BW_OK)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(eb.msg, "where"));
	}
}

/* Link headers: the distribution spec's pagination example, RFC 8288
 * forms, and links that must not be followed. */
static void test_link_next(void **state)
{
	char out[256];
	struct bw_errbuf eb = {0};

	(void)state;
	assert_int_equal(registry_link_next("</v2/_catalog?n=2&last=b>; rel=\"next\"", "r:5000", out,
					    sizeof(out), &eb),
			 BW_OK);
	assert_string_equal(out, "/v2/_catalog?n=2&last=b");
	assert_int_equal(registry_link_next("<https://r:5000/v2/a/tags/list?last=x>; REL=next", "r:5000",
					    out, sizeof(out), &eb),
			 BW_OK);
	assert_string_equal(out, "/v2/a/tags/list?last=x");
	assert_int_equal(registry_link_next("</v2/p>; rel=\"prev\", </v2/n>; title=\"a,b\"; rel=\"next\"",
					    "h", out, sizeof(out), &eb),
			 BW_OK);
	assert_string_equal(out, "/v2/n");
	assert_int_equal(registry_link_next("</v2/p>; rel=\"prev\"", "h", out, sizeof(out), &eb), BW_OK);
	assert_string_equal(out, "");
	assert_int_equal(registry_link_next(NULL, "h", out, sizeof(out), &eb), BW_OK);
	assert_string_equal(out, "");
	/* credentials must not follow a link to another host or path */
	assert_int_equal(registry_link_next("<https://evil.example/v2/x>; rel=next", "r:5000", out,
					    sizeof(out), &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(registry_link_next("<https://r:50000/v2/x>; rel=next", "r:5000", out,
					    sizeof(out), &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(registry_link_next("</token?x>; rel=next", "h", out, sizeof(out), &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(registry_link_next("</v2/a b>; rel=next", "h", out, sizeof(out), &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(registry_link_next("/v2/x; rel=next", "h", out, sizeof(out), &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(registry_link_next("</v2/x; rel=next", "h", out, sizeof(out), &eb),
			 BW_ERR_FORMAT);
}

/* RFC 4648 section 10 test vectors, and Docker's "auth" of user:pass. */
static void test_base64(void **state)
{
	static const char *vec[][2] = {
		{"", ""},         {"Zg==", "f"},     {"Zm8=", "fo"},       {"Zm9v", "foo"},
		{"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"},
		{"dXNlcjpwYXNz", "user:pass"},
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		assert_int_equal(registry_base64_decode(vec[i][0], out, sizeof(out), NULL), BW_OK);
		assert_string_equal(out, vec[i][1]);
	}
	assert_int_equal(registry_base64_decode("Zm9v!", out, sizeof(out), NULL), BW_ERR_FORMAT);
	assert_int_equal(registry_base64_decode("Zg==Zg", out, sizeof(out), NULL), BW_ERR_FORMAT);
	assert_int_equal(registry_base64_decode("Zm9vYmFy", out, 4, NULL), BW_ERR_LIMIT);
}

/* The example envelope of the distribution spec's notifications page: a
 * manifest push (kept) and a layer push (skipped). */
static void test_events(void **state)
{
	static const char env[] = "{\"events\":[{\"id\":\"asdf-asdf-asdf-asdf-0\",\"timestamp\":\"2006-01-02T15:04:05Z\",\"action\":\"push\",\"target\":{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":1,\"digest\":\"sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf\",\"length\":1,\"repository\":\"library/test\",\"url\":\"https://example.com/v2/library/test/manifests/sha256:c3b3692957d439ac1928219a83fac91e7bf96c153725526874673ae1f2023f8d5\",\"tag\":\"latest\"},\"request\":{\"id\":\"asdfasdf\",\"addr\":\"client.local\",\"host\":\"registrycluster.local\",\"method\":\"PUT\",\"useragent\":\"test/0.1\"},\"actor\":{\"name\":\"test-actor\"},\"source\":{\"addr\":\"hostname.local:port\"}},{\"id\":\"asdf-asdf-asdf-asdf-1\",\"timestamp\":\"2006-01-02T15:05:05Z\",\"action\":\"push\",\"target\":{\"mediaType\":\"application/vnd.docker.container.image.rootfs.diff+x-gtar\",\"size\":2,\"digest\":\"sha256:c3b3692957d439ac1928219a83fac91e7bf96c153725526874673ae1f2023f8d\",\"length\":2,\"repository\":\"library/test\",\"url\":\"https://example.com/v2/library/test/blobs/sha256:c3b3692957d439ac1928219a83fac91e7bf96c153725526874673ae1f2023f8d5\"},\"request\":{\"id\":\"asdfasdf\",\"addr\":\"client.local\",\"host\":\"registrycluster.local\",\"method\":\"PUT\",\"useragent\":\"test/0.1\"},\"actor\":{\"name\":\"test-actor\"},\"source\":{\"addr\":\"hostname.local:port\"}}]}";
	struct registry_push *p;
	struct bw_errbuf eb = {0};
	size_t n;

	(void)state;
	assert_int_equal(registry_events_parse(env, strlen(env), &p, &n, &eb), BW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].repo, "library/test");
	assert_string_equal(p[0].tag, "latest");
	assert_string_equal(p[0].digest,
			    "sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf");
	registry_pushes_free(p, n);
	assert_int_equal(registry_events_parse("{}", 2, &p, &n, &eb), BW_ERR_FORMAT);
	assert_int_equal(registry_events_parse("{\"events\":[{\"action\":\"push\",\"target\":{"
					       "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
					       "\"digest\":\"sha256:x\",\"repository\":\"a\"}}]}",
					       strlen("{\"events\":[{\"action\":\"push\",\"target\":{"
						      "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
						      "\"digest\":\"sha256:x\",\"repository\":\"a\"}}]}"),
					       &p, &n, &eb),
			 BW_ERR_FORMAT);
}

static void test_opts_arg(void **state)
{
	char *argv[] = {"sbom", "--insecure", "--ca-file", "/ca.pem", "--username=u", "--ca-file",
			"--other"};
	struct registry_opts o = {0};
	struct bw_errbuf eb = {0};
	bool m;
	int i = 1;

	(void)state;
	assert_int_equal(registry_opts_arg(&o, 7, argv, &i, &m, &eb), BW_OK);
	assert_true(m && o.insecure && i == 1);
	i = 2;
	assert_int_equal(registry_opts_arg(&o, 7, argv, &i, &m, &eb), BW_OK);
	assert_true(m);
	assert_int_equal(i, 3);
	assert_string_equal(o.ca_file, "/ca.pem");
	i = 4;
	assert_int_equal(registry_opts_arg(&o, 7, argv, &i, &m, &eb), BW_OK);
	assert_string_equal(o.username, "u");
	i = 6;
	assert_int_equal(registry_opts_arg(&o, 7, argv, &i, &m, &eb), BW_OK);
	assert_false(m);
	i = 5;
	assert_int_equal(registry_opts_arg(&o, 6, argv, &i, &m, &eb), BW_ERR_USAGE);
}

static void test_opts_from_env(void **state)
{
	struct registry_opts o;

	(void)state;
	setenv("BULWARK_REGISTRY_INSECURE", "true", 1);
	setenv("BULWARK_REGISTRY_CA_FILE", "/x/ca.pem", 1);
	setenv("BULWARK_REGISTRY_USERNAME", "u", 1);
	setenv("BULWARK_REGISTRY_PASSWORD", "p", 1);
	registry_opts_from_env(&o);
	assert_true(o.insecure);
	assert_string_equal(o.ca_file, "/x/ca.pem");
	assert_string_equal(o.username, "u");
	assert_string_equal(o.password, "p");
	setenv("BULWARK_REGISTRY_INSECURE", "0", 1);
	unsetenv("BULWARK_REGISTRY_USERNAME");
	registry_opts_from_env(&o);
	assert_false(o.insecure);
	assert_null(o.username);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_docker_hub),
		cmocka_unit_test(test_name_hosts),
		cmocka_unit_test(test_name_errors),
		cmocka_unit_test(test_challenge_bearer),
		cmocka_unit_test(test_challenge_basic),
		cmocka_unit_test(test_challenge_errors),
		cmocka_unit_test(test_manifest_oci),
		cmocka_unit_test(test_manifest_index_select),
		cmocka_unit_test(test_manifest_errors),
		cmocka_unit_test(test_link_next),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_opts_arg),
		cmocka_unit_test(test_opts_from_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

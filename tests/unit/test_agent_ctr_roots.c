/* test_agent_ctr_roots.c - runtime state found where a runtime was told to
 * keep it: BULWARK_AGENT_RUNTIME_ROOTS parsing, Docker's metadata directory
 * from the bundle's /etc/hostname mount, Podman's containers.json next to
 * its bundle, and Podman's "localhost/" image prefix in the group rule.
 * Expected values are worked by hand from the shapes dockerd 20.10 and
 * podman 4.3 wrote here (tests/integration/agent_runtimes.sh runs them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "agent/ctr_int.h"

static void test_roots(void **state)
{
	struct ctr_root r[CTR_ROOTS_MAX];
	struct bw_errbuf eb = {0};
	size_t n = 99;

	(void)state;
	assert_int_equal(ctr_parse_roots("docker=/tmp/d/exec/runtime-runc/moby/:crun=/x/crun", r,
					 CTR_ROOTS_MAX, &n, &eb),
			 BW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].runtime, "docker");
	assert_string_equal(r[0].dir, "/tmp/d/exec/runtime-runc/moby"); /* trailing '/' dropped */
	assert_string_equal(r[1].runtime, "crun");
	assert_string_equal(r[1].dir, "/x/crun");

	/* empty entries are ignored */
	assert_int_equal(ctr_parse_roots("::containerd=/a::", r, CTR_ROOTS_MAX, &n, &eb), BW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].runtime, "containerd");
	assert_int_equal(ctr_parse_roots("", r, CTR_ROOTS_MAX, &n, &eb), BW_OK);
	assert_int_equal(n, 0);

	/* bad entries are skipped and named; good ones kept */
	assert_int_equal(ctr_parse_roots("podman=/a:runc=/b", r, CTR_ROOTS_MAX, &n, &eb),
			 BW_ERR_USAGE);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].dir, "/b");
	assert_non_null(strstr(eb.msg, "podman=/a"));
	assert_int_equal(ctr_parse_roots("runc=relative", r, CTR_ROOTS_MAX, &n, &eb),
			 BW_ERR_USAGE);
	assert_int_equal(n, 0);
	assert_int_equal(ctr_parse_roots("runc=/a/../etc", r, CTR_ROOTS_MAX, &n, &eb),
			 BW_ERR_USAGE);
	assert_int_equal(ctr_parse_roots("runc=/", r, CTR_ROOTS_MAX, &n, &eb), BW_ERR_USAGE);
	assert_int_equal(ctr_parse_roots("runc", r, CTR_ROOTS_MAX, &n, &eb), BW_ERR_USAGE);
	assert_int_equal(ctr_parse_roots("=/a", r, CTR_ROOTS_MAX, &n, &eb), BW_ERR_USAGE);
	assert_int_equal(n, 0);

	/* the cap */
	assert_int_equal(ctr_parse_roots("runc=/a:runc=/b:runc=/c", r, 2, &n, &eb), BW_ERR_LIMIT);
	assert_int_equal(n, 2);
}

static void test_docker_meta_dir(void **state)
{
	const char *id = "0b58f702e0e2";
	char out[256];
	struct bw_errbuf eb = {0};
	/* the shape of a dockerd 20.10 bundle config.json (mounts only) */
	const char *cfg =
		"{\"mounts\":["
		"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		"{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\","
		"\"source\":\"/d/data/containers/0b58f702e0e2/resolv.conf\"},"
		"{\"destination\":\"/etc/hostname\",\"type\":\"bind\","
		"\"source\":\"/d/data/containers/0b58f702e0e2/hostname\"}]}";
	const char *other = "{\"mounts\":[{\"destination\":\"/etc/hostname\","
			    "\"source\":\"/d/data/containers/ffff/hostname\"}]}";
	const char *dotdot = "{\"mounts\":[{\"destination\":\"/etc/hostname\","
			     "\"source\":\"/d/../0b58f702e0e2/hostname\"}]}";
	const char *suffix = "{\"mounts\":[{\"destination\":\"/etc/hosts\","
			     "\"source\":\"/d/x0b58f702e0e2/hosts\"}]}";
	const char *hosts = "{\"mounts\":[{\"destination\":\"/etc/hosts\","
			    "\"source\":\"/v/0b58f702e0e2/hosts\"}]}";

	(void)state;
	assert_int_equal(ctr_docker_meta_dir(cfg, strlen(cfg), id, out, sizeof(out), &eb), BW_OK);
	assert_string_equal(out, "/d/data/containers/0b58f702e0e2");
	assert_int_equal(ctr_docker_meta_dir(hosts, strlen(hosts), id, out, sizeof(out), &eb),
			 BW_OK);
	assert_string_equal(out, "/v/0b58f702e0e2");
	assert_int_equal(ctr_docker_meta_dir(other, strlen(other), id, out, sizeof(out), &eb),
			 BW_ERR_NOT_FOUND);
	assert_int_equal(ctr_docker_meta_dir(dotdot, strlen(dotdot), id, out, sizeof(out), &eb),
			 BW_ERR_NOT_FOUND);
	assert_int_equal(ctr_docker_meta_dir(suffix, strlen(suffix), id, out, sizeof(out), &eb),
			 BW_ERR_NOT_FOUND);
	assert_int_equal(ctr_docker_meta_dir("{}", 2, id, out, sizeof(out), &eb), BW_ERR_NOT_FOUND);
	assert_int_equal(ctr_docker_meta_dir("[1]", 3, id, out, sizeof(out), &eb), BW_ERR_NOT_FOUND);
	assert_int_not_equal(ctr_docker_meta_dir("{", 1, id, out, sizeof(out), &eb), BW_OK);
	/* does not fit */
	assert_int_equal(ctr_docker_meta_dir(cfg, strlen(cfg), id, out, 10, &eb), BW_ERR_NOT_FOUND);
}

static void test_podman_meta_path(void **state)
{
	char out[256];

	(void)state;
	assert_true(ctr_podman_meta_path("/tmp/p/vfs-containers/56e5/userdata", "56e5", out,
					 sizeof(out)));
	assert_string_equal(out, "/tmp/p/vfs-containers/containers.json");
	assert_true(ctr_podman_meta_path(
		"/var/lib/containers/storage/overlay-containers/ab/userdata", "ab", out, sizeof(out)));
	assert_string_equal(out, "/var/lib/containers/storage/overlay-containers/containers.json");
	assert_false(ctr_podman_meta_path("/tmp/p/vfs-containers/56e5/userdata", "56e6", out,
					  sizeof(out)));
	assert_false(ctr_podman_meta_path("/tmp/p/vfs-containers/x56e5/userdata", "56e5", out,
					  sizeof(out)));
	assert_false(ctr_podman_meta_path("/tmp/p/vfs/56e5/userdata", "56e5", out, sizeof(out)));
	assert_false(ctr_podman_meta_path("/tmp/p/vfs-containers/56e5/data", "56e5", out,
					  sizeof(out)));
	assert_false(ctr_podman_meta_path("/x/../vfs-containers/56e5/userdata", "56e5", out,
					  sizeof(out)));
	assert_false(ctr_podman_meta_path("56e5/userdata", "56e5", out, sizeof(out)));
	assert_false(ctr_podman_meta_path("/56e5/userdata", "56e5", out, sizeof(out)));
	assert_false(ctr_podman_meta_path("", "56e5", out, sizeof(out)));
	assert_false(ctr_podman_meta_path("/tmp/p/vfs-containers/56e5/userdata", "56e5", out, 20));
}

static void test_localhost_repo(void **state)
{
	char out[128];

	(void)state;
	ctr_image_repo("localhost/bwtest/pod:1", out, sizeof(out));
	assert_string_equal(out, "bwtest/pod");
	ctr_image_repo("localhost:5000/bwtest/pod:1", out, sizeof(out));
	assert_string_equal(out, "localhost:5000/bwtest/pod");
	ctr_image_repo("localhost/", out, sizeof(out));
	assert_string_equal(out, "localhost/");
	ctr_image_repo("bwtest/dock:1", out, sizeof(out));
	assert_string_equal(out, "bwtest/dock");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_docker_meta_dir),
		cmocka_unit_test(test_podman_meta_path),
		cmocka_unit_test(test_localhost_repo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

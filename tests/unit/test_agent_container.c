/* test_agent_container.c - container discovery and the group rule.
 *
 * Without root: the state parsers on files captured from real runc and crun
 * runs here (tests/fuzz/corpus/agent_state; expected values read from those
 * files by hand), the workload and repository rules on worked examples.
 * With root: real runc and crun containers (tests/integration/lib_ctr.sh):
 * found at open with the init pid `runc/crun state` reports and the mount
 * namespace stat(2) gives, grouped from the annotations set; a container
 * started later is ADDED through inotify; killed or deleted ones are REMOVED
 * within a bounded time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/ctr_int.h"
#include "agent_ctr_test.h"

#define CORPUS BW_SOURCE_ROOT "/tests/fuzz/corpus/agent_state/"

static char *slurp(const char *path, size_t *n)
{
	struct bw_errbuf eb = {0};
	struct bw_buf b;

	bw_buf_init(&b, 1 << 20);
	assert_int_equal(bw_buf_read_file(&b, path, &eb), BW_OK);
	return bw_buf_detach(&b, n);
}

/* ---- parsers (no root) ------------------------------------------------ */

static void test_parse_runc_state(void **state)
{
	struct bw_errbuf eb = {0};
	struct agent_ctr c;
	uint64_t start = 0;
	size_t n;
	char *s = slurp(CORPUS "runc_state.json", &n);

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(ctr_parse_runc_state(s, n, &c, &start, &eb), BW_OK);
	assert_int_equal(c.init_pid, 16139);
	assert_int_equal(start, 981879);
	assert_string_equal(c.rootfs, "/tmp/a2/rootfs");
	assert_string_equal(c.bundle, "/tmp/a2/b1");
	free(s);
	/* hostile shapes */
	assert_int_equal(ctr_parse_runc_state("[]", 2, &c, &start, &eb), BW_ERR_FORMAT);
	assert_int_equal(ctr_parse_runc_state("{\"init_process_pid\":\"12\"}", 25, &c, &start, &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(ctr_parse_runc_state("{\"init_process_pid\":-4}", 23, &c, &start, &eb),
			 BW_ERR_FORMAT);
	memset(&c, 0, sizeof(c));
	s = "{\"init_process_pid\":7,\"config\":{\"rootfs\":\"/a/../../etc\",\"labels\":[1,\"bundle=rel\"]}}";
	assert_int_equal(ctr_parse_runc_state(s, strlen(s), &c, &start, &eb), BW_OK);
	assert_string_equal(c.rootfs, "");
	assert_string_equal(c.bundle, "");
}

static void test_parse_crun_status(void **state)
{
	struct bw_errbuf eb = {0};
	struct agent_ctr c;
	uint64_t start = 0;
	size_t n;
	char *s = slurp(CORPUS "crun_status", &n);

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(ctr_parse_crun_status(s, n, &c, &start, &eb), BW_OK);
	assert_int_equal(c.init_pid, 16150);
	assert_int_equal(start, 981885);
	assert_string_equal(c.bundle, "/tmp/a2/b2");
	assert_string_equal(c.rootfs, "/tmp/a2/rootfs");
	free(s);
}

static void test_parse_oci_config(void **state)
{
	struct bw_errbuf eb = {0};
	struct agent_ctr c;
	bool libpod = true;
	size_t n;
	char *s = slurp(CORPUS "oci_config_cri.json", &n);

	(void)state;
	memset(&c, 0, sizeof(c));
	bw_strlcpy(c.id, "abc", sizeof(c.id));
	assert_int_equal(ctr_parse_oci_config(s, n, &c, &libpod, &eb), BW_OK);
	assert_false(libpod);
	ctr_finish(&c);
	assert_string_equal(c.k8s_namespace, "shop");
	assert_string_equal(c.k8s_pod, "web-5d4f8c7b9-x2k4q");
	assert_string_equal(c.k8s_workload, "web");
	assert_string_equal(c.name, "nginx");
	assert_string_equal(c.group, "shop.web");
	assert_true(bw_strv_contains(&c.labels, "io.kubernetes.cri.container-name=nginx"));
	bw_strv_release(&c.labels);
	free(s);

	s = slurp(CORPUS "oci_config_crio.json", &n);
	memset(&c, 0, sizeof(c));
	assert_int_equal(ctr_parse_oci_config(s, n, &c, &libpod, &eb), BW_OK);
	ctr_finish(&c);
	assert_string_equal(c.group, "shop.cart"); /* StatefulSet pod cart-0 */
	assert_string_equal(c.name, "cart");
	assert_string_equal(c.image, "quay.io/shop/cart:2.1");
	assert_true(bw_strv_contains(&c.labels, "app=cart"));
	bw_strv_release(&c.labels);
	free(s);

	s = slurp(CORPUS "oci_config_podman.json", &n);
	memset(&c, 0, sizeof(c));
	assert_int_equal(ctr_parse_oci_config(s, n, &c, &libpod, &eb), BW_OK);
	assert_true(libpod);
	bw_strv_release(&c.labels);
	free(s);
	s = slurp(CORPUS "podman_containers.json", &n);
	memset(&c, 0, sizeof(c));
	bw_strlcpy(c.id, "0f3a9c", sizeof(c.id));
	assert_int_equal(ctr_parse_podman_containers(s, n, &c, &eb), BW_OK);
	ctr_finish(&c);
	assert_string_equal(c.name, "db1");
	assert_string_equal(c.group, "docker.io/library/postgres");
	bw_strlcpy(c.id, "other", sizeof(c.id));
	assert_int_equal(ctr_parse_podman_containers(s, n, &c, &eb), BW_ERR_NOT_FOUND);
	free(s);

	s = slurp(CORPUS "docker_config_v2.json", &n);
	memset(&c, 0, sizeof(c));
	assert_int_equal(ctr_parse_docker_config(s, n, &c, &eb), BW_OK);
	ctr_finish(&c);
	assert_string_equal(c.name, "web1");
	assert_string_equal(c.group, "nginx");
	free(s);

	memset(&c, 0, sizeof(c));
	s = "{\"annotations\":[1]}";
	assert_int_equal(ctr_parse_oci_config(s, strlen(s), &c, &libpod, &eb), BW_ERR_FORMAT);
}

static void test_workload_rule(void **state)
{
	static const char *const cases[][2] = {
		{"web-5d4f8c7b9-x2k4q", "web"},          /* Deployment -> ReplicaSet pod */
		{"api-server-7c9d8b6f5-qq2zx", "api-server"},
		{"fluentd-x7k2p", "fluentd"},            /* DaemonSet */
		{"backup-28938740-ml8kq", "backup"},     /* CronJob -> Job pod */
		{"migrate-zt6fh", "migrate"},            /* Job */
		{"cart-0", "cart"},                      /* StatefulSet ordinal */
		{"redis-12", "redis"},
		{"nginx", "nginx"},                      /* a bare pod */
		{"my-server-abcde", "my-server-abcde"},  /* vowels: not a k8s suffix */
		{"-x2k4q", "-x2k4q"},
	};
	char out[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctr_k8s_workload(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	ctr_image_repo("bwtest/web:1", out, sizeof(out));
	assert_string_equal(out, "bwtest/web");
	ctr_image_repo("registry:5000/shop/web", out, sizeof(out));
	assert_string_equal(out, "registry:5000/shop/web");
	ctr_image_repo("registry:5000/shop/web:2@sha256:abcd", out, sizeof(out));
	assert_string_equal(out, "registry:5000/shop/web");
	ctr_image_repo("alpine", out, sizeof(out));
	assert_string_equal(out, "alpine");
	assert_true(ctr_id_valid("bwt-1-a_b.c"));
	assert_false(ctr_id_valid(".."));
	assert_false(ctr_id_valid("a/b"));
	assert_false(ctr_id_valid(""));
}

/* ---- real containers (root) ------------------------------------------ */

static const char *skip_why;
static char tmpdir[] = "/tmp/bw-ctr-XXXXXX";
static bool tmpdir_made;
static char id_pod[160], id_img[160], id_late[160];
static bool have_crun;
static struct agent_ctrs *cs;

static struct {
	int added, removed;
	char last_added[128], last_removed[128];
} seen;

static void on_change(void *ctx, enum agent_ctr_change what, const struct agent_ctr *c)
{
	(void)ctx;
	if (what == AGENT_CTR_ADDED) {
		seen.added++;
		bw_strlcpy(seen.last_added, c->id, sizeof(seen.last_added));
	} else {
		seen.removed++;
		bw_strlcpy(seen.last_removed, c->id, sizeof(seen.last_removed));
	}
}

static void cleanup(void)
{
	agent_ctrs_free(cs);
	cs = NULL;
	ctr_test_cleanup();
	if (tmpdir_made) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup: %s failed\n", cmd);
		tmpdir_made = false;
	}
}

static int setup(void **state)
{
	(void)state;
	if (!ctr_test_env(&skip_why))
		return 0;
	have_crun = ctr_sh(NULL, 0, "command -v crun") == 0;
	atexit(cleanup);
	ctr_test_watchdog(240, NULL);
	if (!mkdtemp(tmpdir))
		return -1;
	tmpdir_made = true;
	if (ctr_test_start("runc", tmpdir, "pod", "--annotation io.kubernetes.cri.sandbox-namespace=shop "
			   "--annotation io.kubernetes.cri.sandbox-name=web-5d4f8c7b9-x2k4q "
			   "--annotation io.kubernetes.cri.container-name=nginx",
			   id_pod, sizeof(id_pod)) != 0)
		return -1;
	if (ctr_test_start(have_crun ? "crun" : "runc", tmpdir, "img",
			   "--annotation org.opencontainers.image.ref.name=bwtest/web:1", id_img,
			   sizeof(id_img)) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cleanup();
	return 0;
}

#define NEED_ENV()                                                                              \
	do {                                                                                    \
		if (skip_why) {                                                                 \
			fprintf(stderr, "skipped: %s\n", skip_why);                             \
			skip();                                                                 \
		}                                                                               \
	} while (0)

static const struct agent_ctr *by_id(const char *id)
{
	size_t i;

	for (i = 0; i < agent_ctrs_count(cs); i++)
		if (strcmp(agent_ctrs_at(cs, i)->id, id) == 0)
			return agent_ctrs_at(cs, i);
	return NULL;
}

static uint64_t stat_mntns(pid_t pid)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	assert_int_equal(stat(p, &st), 0);
	return (uint64_t)st.st_ino;
}

/* Dispatch on readiness until cond() or timeout_ms. */
static bool pump_until(bool (*cond)(void), int timeout_ms)
{
	struct bw_errbuf eb = {0};
	int waited = 0;

	while (!cond() && waited < timeout_ms) {
		struct pollfd pf = {.fd = agent_ctrs_fd(cs), .events = POLLIN};

		if (poll(&pf, 1, 100) > 0)
			agent_ctrs_dispatch(cs, &eb);
		waited += 100;
	}
	return cond();
}

static void test_found_at_open(void **state)
{
	struct bw_errbuf eb = {0};
	const struct agent_ctr *c;
	const char *rt_img = have_crun ? "crun" : "runc";
	char path[PATH_MAX], real[PATH_MAX];

	(void)state;
	NEED_ENV();
	assert_int_equal(agent_ctrs_open(on_change, NULL, &cs, &eb), BW_OK);
	assert_true(seen.added >= 2);

	c = by_id(id_pod);
	assert_non_null(c);
	assert_string_equal(c->runtime, "runc");
	assert_int_equal(c->init_pid, ctr_test_pid("runc", id_pod));
	assert_true(c->mntns != 0);
	assert_int_equal(c->mntns, stat_mntns(c->init_pid));
	assert_ptr_equal(agent_ctrs_by_mntns(cs, c->mntns), c);
	assert_string_equal(c->group, "shop.web");
	assert_string_equal(c->name, "nginx");
	assert_string_equal(c->k8s_namespace, "shop");
	assert_string_equal(c->k8s_pod, "web-5d4f8c7b9-x2k4q");
	snprintf(path, sizeof(path), "%s/pod", tmpdir);
	assert_string_equal(c->bundle, path);
	snprintf(path, sizeof(path), "%s/rootfs", tmpdir);
	assert_non_null(realpath(path, real));
	assert_string_equal(c->rootfs, real);

	c = by_id(id_img);
	assert_non_null(c);
	assert_string_equal(c->runtime, rt_img);
	assert_int_equal(c->init_pid, ctr_test_pid(rt_img, id_img));
	assert_int_equal(c->mntns, stat_mntns(c->init_pid));
	assert_string_equal(c->image, "bwtest/web:1");
	assert_string_equal(c->group, "bwtest/web");
	assert_string_equal(c->name, id_img);

	assert_null(agent_ctrs_by_mntns(cs, stat_mntns(getpid())));
	assert_null(agent_ctrs_by_mntns(cs, 0));
}

static bool late_added(void)
{
	return by_id(id_late) != NULL;
}

static void test_added_later(void **state)
{
	const struct agent_ctr *c;
	int before = seen.added;

	(void)state;
	NEED_ENV();
	assert_non_null(cs);
	assert_int_equal(ctr_test_start("runc", tmpdir, "late", NULL, id_late, sizeof(id_late)), 0);
	assert_true(pump_until(late_added, 10000));
	assert_true(seen.added > before);
	c = by_id(id_late);
	assert_int_equal(c->init_pid, ctr_test_pid("runc", id_late));
	assert_string_equal(c->group, id_late); /* no image, no pod: the name (= id) */
}

static bool late_gone(void)
{
	return by_id(id_late) == NULL;
}

static bool img_gone(void)
{
	return by_id(id_img) == NULL;
}

static void test_removed(void **state)
{
	int before = seen.removed;

	(void)state;
	NEED_ENV();
	assert_non_null(cs);
	assert_non_null(by_id(id_late));
	/* killed but not deleted: the state dir stays, the init pid is gone */
	assert_int_equal(ctr_sh(NULL, 0, "runc kill %s KILL", id_late), 0);
	assert_true(pump_until(late_gone, 10000));
	assert_int_equal(seen.removed, before + 1);
	assert_string_equal(seen.last_removed, id_late);
	/* killed and deleted */
	assert_int_equal(ctr_sh(NULL, 0, "ctr_stop %s %s", have_crun ? "crun" : "runc", id_img), 0);
	assert_true(pump_until(img_gone, 10000));
	assert_string_equal(seen.last_removed, id_img);
	assert_non_null(by_id(id_pod)); /* the other one stays */
	/* a refresh finds nothing new and keeps the survivor */
	struct bw_errbuf eb = {0};

	assert_int_equal(agent_ctrs_refresh(cs, &eb), BW_OK);
	assert_non_null(by_id(id_pod));
	assert_null(by_id(id_late));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_runc_state),
		cmocka_unit_test(test_parse_crun_status),
		cmocka_unit_test(test_parse_oci_config),
		cmocka_unit_test(test_workload_rule),
		cmocka_unit_test(test_found_at_open),
		cmocka_unit_test(test_added_later),
		cmocka_unit_test(test_removed),
	};

	return cmocka_run_group_tests_name("agent_container", tests, setup, teardown);
}

/* test_bench.c - the benchmark report model, its writers, check selection,
 * and the Docker benchmark's data layer: dockerd flags merged with
 * daemon.json, systemd unit search, modes, audit rules, container
 * evaluation. Expected values are worked out by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/docker_int.h"

/* ---- helpers ---------------------------------------------------------------- */

static void add(struct bench_report *r, const char *id, bool automated, enum bench_status st,
		const char *detail)
{
	struct bench_result x;

	memset(&x, 0, sizeof(x));
	x.id = (char *)id;
	x.title = (char *)"title";
	x.section = (char *)(id[0] == '2' ? "2 Daemon" : "3 Files");
	x.automated = automated;
	x.level = 1;
	x.status = st;
	x.detail = (char *)detail;
	x.remediation = (char *)"fix <it> & go";
	assert_int_equal(bench_report_add(r, &x), BW_OK);
}

/* Run a writer into memory; caller frees. */
static char *render(const struct bench_report *r, enum bench_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(bench_write(r, fmt, f, NULL), BW_OK);
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void mkdirs(const char *root, const char *rel)
{
	char p[4096], *s;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, 0755);
}

/* ---- report model ------------------------------------------------------------------ */

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(bench_status_name(BENCH_PASS), "PASS");
	assert_string_equal(bench_status_name(BENCH_NA), "NOT_APPLICABLE");
	assert_string_equal(bench_status_name(BENCH_ERROR), "ERROR");
	assert_string_equal(bench_status_name((enum bench_status)99), "ERROR");
}

static void test_sanitize(void **state)
{
	struct bench_report r;

	(void)state;
	assert_int_equal(bench_report_init(&r, "B", "t"), BW_OK);
	/* \x01 is a control character, \xff is never valid UTF-8, "\xc3\xa9" is
	 * e-acute (valid), \n is kept */
	add(&r, "2.1", true, BENCH_PASS, "a\x01" "b\xff" "c\xc3\xa9\nd");
	assert_string_equal(r.results[0].detail, "a?b?c\xc3\xa9\nd");
	/* a truncated 3-byte sequence becomes one '?' per byte */
	add(&r, "2.2", true, BENCH_PASS, "x\xe2\x82");
	assert_string_equal(r.results[1].detail, "x??");
	bench_report_release(&r);
	bench_report_release(NULL);
}

static void test_exit_code(void **state)
{
	struct bench_report r;
	size_t counts[BENCH_STATUS__COUNT];

	(void)state;
	assert_int_equal(bench_report_init(&r, "B", NULL), BW_OK);
	add(&r, "2.1", false, BENCH_FAIL, "manual fail");     /* manual: ignored */
	add(&r, "2.2", true, BENCH_ERROR, "unreadable");     /* only with errors_fail */
	add(&r, "3.1", true, BENCH_PASS, "");
	assert_int_equal(bench_exit_code(&r, false), 0);
	assert_int_equal(bench_exit_code(&r, true), 1);
	add(&r, "3.2", true, BENCH_FAIL, "mode 0666");
	assert_int_equal(bench_exit_code(&r, false), 1);
	bench_report_count(&r, counts);
	assert_int_equal(counts[BENCH_FAIL], 2);
	assert_int_equal(counts[BENCH_ERROR], 1);
	assert_int_equal(counts[BENCH_PASS], 1);
	bench_report_release(&r);
}

static void test_id_matches(void **state)
{
	struct bench_filter f;

	(void)state;
	assert_true(bench_id_matches("2", "2.1"));
	assert_true(bench_id_matches("2", "2.15"));
	assert_true(bench_id_matches("2.1", "2.1"));
	assert_true(bench_id_matches("1.1", "1.1.18"));
	assert_false(bench_id_matches("2.1", "2.10"));
	assert_false(bench_id_matches("2", "22.1"));
	assert_false(bench_id_matches("", "2.1"));
	assert_false(bench_id_matches("2.1.1", "2.1"));

	memset(&f, 0, sizeof(f));
	assert_true(bench_filter_selects(NULL, "5.1"));
	assert_true(bench_filter_selects(&f, "5.1"));
	assert_int_equal(bw_strv_push(&f.only, "5"), BW_OK);
	assert_int_equal(bw_strv_push(&f.skip, "5.2"), BW_OK);
	assert_true(bench_filter_selects(&f, "5.1"));
	assert_true(bench_filter_selects(&f, "5.20"));
	assert_false(bench_filter_selects(&f, "5.2"));
	assert_false(bench_filter_selects(&f, "4.1"));
	bench_filter_release(&f);
}

static void test_format_parse(void **state)
{
	enum bench_format fmt;
	struct bw_errbuf eb = {{0}};

	(void)state;
	assert_int_equal(bench_format_parse("junit", &fmt, NULL), BW_OK);
	assert_int_equal(fmt, BENCH_FORMAT_JUNIT);
	assert_int_equal(bench_format_parse("xml", &fmt, &eb), BW_ERR_USAGE);
	assert_non_null(strstr(eb.msg, "'xml'"));
}

/* ---- writers ------------------------------------------------------------------ */

static void test_write_json(void **state)
{
	struct bench_report r;
	char *out;
	json_t *v, *res;
	json_error_t je;

	(void)state;
	assert_int_equal(bench_report_init(&r, "CIS X", "host \"a\""), BW_OK);
	add(&r, "2.2", true, BENCH_FAIL, "icc = true (from --icc=true)");
	add(&r, "3.1", false, BENCH_WARN, "look");
	out = render(&r, BENCH_FORMAT_JSON);
	v = json_loads(out, 0, &je);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "benchmark")), "CIS X");
	assert_string_equal(json_string_value(json_object_get(v, "target")), "host \"a\"");
	res = json_object_get(v, "results");
	assert_int_equal(json_array_size(res), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "status")), "FAIL");
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "detail")),
			    "icc = true (from --icc=true)");
	assert_true(json_is_false(json_object_get(json_array_get(res, 1), "automated")));
	/* one automated FAIL: summary FAIL 1, WARN 1, exit code 1 */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "summary"), "FAIL")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "summary"), "WARN")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "summary"), "exit_code")), 1);
	json_decref(v);
	free(out);
	bench_report_release(&r);
}

static void test_write_junit(void **state)
{
	struct bench_report r;
	char *out;

	(void)state;
	assert_int_equal(bench_report_init(&r, "B&B", "t"), BW_OK);
	add(&r, "2.2", true, BENCH_FAIL, "<a href=\"x\">'&'</a>");
	add(&r, "2.3", true, BENCH_PASS, "ok");
	add(&r, "3.1", true, BENCH_ERROR, "no");
	add(&r, "3.2", true, BENCH_NA, "line1\nline2");
	out = render(&r, BENCH_FORMAT_JUNIT);
	/* two sections -> two suites; totals: 4 tests, 1 failure, 1 error, 1 skipped */
	assert_non_null(strstr(out, "<testsuites name=\"B&amp;B\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\">"));
	assert_non_null(strstr(out, "<testsuite name=\"2 Daemon\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
	assert_non_null(strstr(out, "<testsuite name=\"3 Files\" tests=\"2\" failures=\"0\" errors=\"1\" skipped=\"1\""));
	/* every special character escaped, in attributes and text */
	assert_non_null(strstr(out, "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"));
	assert_null(strstr(out, "<a href"));
	/* the target goes in a property of each suite */
	assert_non_null(strstr(out, "<properties><property name=\"target\" value=\"t\"/></properties>"));
	assert_non_null(strstr(out, "<failure message=\"FAIL: "));
	assert_non_null(strstr(out, "<error message=\"ERROR: no\" type=\"ERROR\">fix &lt;it&gt; &amp; go</error>"));
	assert_non_null(strstr(out, "<skipped message=\"NOT_APPLICABLE: line1&#10;line2\"/>"));
	free(out);
	bench_report_release(&r);
}

static void test_write_table(void **state)
{
	struct bench_report r;
	char *out;

	(void)state;
	assert_int_equal(bench_report_init(&r, "B", "t"), BW_OK);
	add(&r, "2.2", true, BENCH_FAIL, "first\nsecond");
	add(&r, "3.1", true, BENCH_NA, "");
	out = render(&r, BENCH_FORMAT_TABLE);
	assert_non_null(strstr(out, "== 2 Daemon\n[FAIL] 2.2     title (Automated, L1)\n"));
	/* the detail's second line is indented under the first */
	assert_non_null(strstr(out, "               first\n               second\n"));
	assert_non_null(strstr(out, "[N/A ] 3.1 "));
	assert_non_null(strstr(out, "2 checks: 0 PASS, 1 FAIL, 0 WARN, 0 INFO, 1 NOT_APPLICABLE, 0 ERROR"));
	free(out);
	bench_report_release(&r);
}

/* ---- dockerd flags + daemon.json -------------------------------------------------- */

static const char cmdline[] =
	"/usr/bin/dockerd\0--icc=false\0-H\0unix:///a.sock\0--host=tcp://0.0.0.0:2375\0"
	"--debug\0--log-level\0warn\0-Hunix:///b.sock\0--live-restore\0--userland-proxy=false\0"
	"--data-root\0/srv/docker";

static void load_conf(struct dk_conf *c, const char *json)
{
	dk_conf_init(c);
	assert_int_equal(dk_conf_set_cmdline(c, cmdline, sizeof(cmdline), "/proc/7/cmdline", NULL),
			 BW_OK);
	if (json)
		assert_int_equal(dk_conf_set_json(c, json, strlen(json), "/etc/docker/daemon.json", NULL),
				 BW_OK);
}

static void test_conf_flags(void **state)
{
	struct dk_conf c;
	struct dk_value v;
	bool bad;

	(void)state;
	load_conf(&c, NULL);
	/* argv[0] is skipped: 12 arguments follow it */
	assert_int_equal(c.args.n, 12);

	assert_int_equal(dk_conf_get(&c, "icc", NULL, "icc", &v), BW_OK);
	assert_int_equal(v.src, DK_SRC_FLAG);
	assert_false(dk_value_bool(&v, true, &bad));
	assert_false(bad);
	assert_string_equal(v.where, "--icc=false in /proc/7/cmdline");
	dk_value_release(&v);

	/* -H value, --host=value and -Hvalue: three hosts in order */
	assert_int_equal(dk_conf_get(&c, "host", "H", "hosts", &v), BW_OK);
	assert_int_equal(v.vals.n, 3);
	assert_string_equal(v.vals.v[0], "unix:///a.sock");
	assert_string_equal(v.vals.v[1], "tcp://0.0.0.0:2375");
	assert_string_equal(v.vals.v[2], "unix:///b.sock");
	dk_value_release(&v);

	/* bare boolean flags do not eat the next argument */
	assert_int_equal(dk_conf_get(&c, "debug", "D", "debug", &v), BW_OK);
	assert_true(dk_value_bool(&v, false, NULL));
	dk_value_release(&v);
	assert_int_equal(dk_conf_get(&c, "log-level", "l", "log-level", &v), BW_OK);
	assert_string_equal(dk_value_last(&v), "warn");
	assert_string_equal(v.where, "--log-level warn in /proc/7/cmdline");
	dk_value_release(&v);
	assert_int_equal(dk_conf_get(&c, "live-restore", NULL, "live-restore", &v), BW_OK);
	assert_true(dk_value_bool(&v, false, NULL));
	dk_value_release(&v);
	assert_int_equal(dk_conf_get(&c, "data-root", NULL, "data-root", &v), BW_OK);
	assert_string_equal(dk_value_last(&v), "/srv/docker");
	dk_value_release(&v);

	/* not set anywhere */
	assert_int_equal(dk_conf_get(&c, "userns-remap", NULL, "userns-remap", &v), BW_OK);
	assert_int_equal(v.src, DK_SRC_NONE);
	assert_null(dk_value_last(&v));
	assert_true(dk_value_bool(&v, true, NULL)); /* the default */
	dk_value_release(&v);
	dk_conf_release(&c);
}

static void test_conf_precedence(void **state)
{
	struct dk_conf c;
	struct dk_value v;

	(void)state;
	load_conf(&c, "{\"icc\": true, \"insecure-registries\": [\"r1:5000\", \"r2\"],"
		      " \"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Soft\": 10, \"Hard\": 20}},"
		      " \"userns-remap\": \"default\", \"no-new-privileges\": \"yes\"}");
	/* the flag wins over daemon.json, and the conflict is named */
	assert_int_equal(dk_conf_get(&c, "icc", NULL, "icc", &v), BW_OK);
	assert_int_equal(v.src, DK_SRC_FLAG);
	assert_string_equal(dk_value_last(&v), "false");
	assert_non_null(strstr(v.where, "also \"icc\" in /etc/docker/daemon.json"));
	dk_value_release(&v);
	/* daemon.json when no flag: arrays give every element */
	assert_int_equal(dk_conf_get(&c, "insecure-registry", NULL, "insecure-registries", &v), BW_OK);
	assert_int_equal(v.src, DK_SRC_FILE);
	assert_int_equal(v.vals.n, 2);
	assert_string_equal(v.vals.v[1], "r2");
	assert_string_equal(v.where, "\"insecure-registries\": [\"r1:5000\",\"r2\"] in /etc/docker/daemon.json");
	dk_value_release(&v);
	assert_int_equal(dk_conf_get(&c, "default-ulimit", NULL, "default-ulimits", &v), BW_OK);
	assert_string_equal(dk_value_last(&v), "nofile=10:20");
	dk_value_release(&v);
	assert_int_equal(dk_conf_get(&c, "userns-remap", NULL, "userns-remap", &v), BW_OK);
	assert_string_equal(dk_value_last(&v), "default");
	dk_value_release(&v);
	/* "yes" is not a Go boolean: flagged, default kept */
	{
		bool bad = false;

		assert_int_equal(dk_conf_get(&c, "no-new-privileges", NULL, "no-new-privileges", &v), BW_OK);
		assert_false(dk_value_bool(&v, false, &bad));
		assert_true(bad);
		dk_value_release(&v);
	}
	dk_conf_release(&c);
}

static void test_conf_bad_json(void **state)
{
	struct dk_conf c;
	struct bw_errbuf eb = {{0}};

	(void)state;
	dk_conf_init(&c);
	assert_int_equal(dk_conf_set_json(&c, "{\"icc\": ", 8, "/x/daemon.json", &eb), BW_ERR_FORMAT);
	assert_non_null(c.json_error);
	assert_non_null(strstr(eb.msg, "/x/daemon.json"));
	assert_null(c.json);
	assert_int_equal(dk_conf_set_json(&c, "[1]", 3, "/x/daemon.json", &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(c.json_error, "not a JSON object"));
	dk_conf_release(&c);
}

/* ---- systemd units --------------------------------------------------------------- */

static void test_units(void **state)
{
	char root[] = "/tmp/bw-unit-XXXXXX", p[4096];
	struct dk_unit u;
	char *exec;
	struct bw_buf split;

	(void)state;
	assert_non_null(mkdtemp(root));
	mkdirs(root, "etc/systemd/system/docker.service.d");
	mkdirs(root, "lib/systemd/system/docker.service.d");
	mkdirs(root, "run/systemd/system/docker.service.d");
	mkdirs(root, "usr/lib/systemd/system");
	/* /etc has priority over /lib for the unit file itself */
	snprintf(p, sizeof(p), "%s/lib/systemd/system/docker.service", root);
	write_file(p, "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n", 0644);
	snprintf(p, sizeof(p), "%s/etc/systemd/system/docker.service", root);
	write_file(p, "[Unit]\nExecStart=/not/this\n[Service]\nExecStart=/usr/bin/dockerd --etc\n", 0644);
	/* a.conf in /etc hides a.conf in /lib; b.conf from /run; c.conf from
	 * /lib; order by name: a (etc), b (run), c (lib) */
	snprintf(p, sizeof(p), "%s/etc/systemd/system/docker.service.d/a.conf", root);
	write_file(p, "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n  --icc=false\n", 0644);
	snprintf(p, sizeof(p), "%s/lib/systemd/system/docker.service.d/a.conf", root);
	write_file(p, "[Service]\nExecStart=/hidden\n", 0644);
	snprintf(p, sizeof(p), "%s/run/systemd/system/docker.service.d/b.conf", root);
	write_file(p, "[Service]\nEnvironment=X=1\n", 0644);
	snprintf(p, sizeof(p), "%s/lib/systemd/system/docker.service.d/c.conf", root);
	write_file(p, "# nothing\n", 0644);
	snprintf(p, sizeof(p), "%s/lib/systemd/system/docker.service.d/skip.txt", root);
	write_file(p, "[Service]\nExecStart=/ignored\n", 0644);

	assert_int_equal(dk_unit_find(root, "docker.service", &u, NULL), BW_OK);
	assert_string_equal(u.path, "/etc/systemd/system/docker.service");
	assert_false(u.masked);
	assert_int_equal(u.dropins.n, 3);
	assert_string_equal(u.dropins.v[0], "/etc/systemd/system/docker.service.d/a.conf");
	assert_string_equal(u.dropins.v[1], "/run/systemd/system/docker.service.d/b.conf");
	assert_string_equal(u.dropins.v[2], "/lib/systemd/system/docker.service.d/c.conf");
	/* the empty assignment resets; the continuation line is joined */
	exec = dk_unit_get(root, &u, "Service", "ExecStart");
	assert_non_null(exec);
	assert_string_equal(exec, "/usr/bin/dockerd    --icc=false");
	bw_buf_init(&split, 4096);
	assert_int_equal(dk_exec_split(exec, &split), BW_OK);
	/* "/usr/bin/dockerd\0--icc=false\0" */
	assert_int_equal(split.len, 17 + 12);
	assert_string_equal(split.data + 17, "--icc=false");
	bw_buf_release(&split);
	free(exec);
	dk_unit_release(&u);

	/* no docker.socket anywhere */
	assert_int_equal(dk_unit_find(root, "docker.socket", &u, NULL), BW_OK);
	assert_null(u.path);
	dk_unit_release(&u);

	/* masked: a symlink to /dev/null in /etc */
	snprintf(p, sizeof(p), "%s/etc/systemd/system/docker.socket", root);
	assert_int_equal(symlink("/dev/null", p), 0);
	assert_int_equal(dk_unit_find(root, "docker.socket", &u, NULL), BW_OK);
	assert_true(u.masked);
	assert_null(dk_unit_get(root, &u, "Socket", "ListenStream"));
	dk_unit_release(&u);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

static void test_exec_split(void **state)
{
	struct bw_buf b;

	(void)state;
	bw_buf_init(&b, 4096);
	assert_int_equal(dk_exec_split("-/usr/bin/dockerd --label \"a b\" 'c d' x\\ y", &b), BW_OK);
	/* "/usr/bin/dockerd" "--label" "a b" "c d" "x y" */
	assert_int_equal(b.len, 17 + 8 + 4 + 4 + 4);
	assert_string_equal(b.data, "/usr/bin/dockerd");
	assert_string_equal(b.data + 17 + 8, "a b");
	assert_string_equal(b.data + 17 + 8 + 4, "c d");
	assert_string_equal(b.data + 17 + 8 + 8, "x y");
	bw_buf_release(&b);
}

/* ---- modes, audit rules --------------------------------------------------------- */

static void test_modes(void **state)
{
	(void)state;
	assert_true(dk_mode_ok(0644, 0644));
	assert_true(dk_mode_ok(0600, 0644));
	assert_true(dk_mode_ok(0400, 0400));
	assert_false(dk_mode_ok(0664, 0644));  /* group write */
	assert_false(dk_mode_ok(0666, 0660));  /* other read/write */
	assert_false(dk_mode_ok(0440, 0400));  /* group read on a key */
	assert_false(dk_mode_ok(04755, 0755)); /* setuid is beyond 755 */
	assert_true(dk_mode_ok(S_IFREG | 0444, 0444)); /* the file type is ignored */
}

static void test_file_modes_offline(void **state)
{
	char root[] = "/tmp/bw-root-XXXXXX", p[4096];
	struct bench_report r;
	struct bench_docker_opts o;
	struct bench_filter f;

	(void)state;
	assert_non_null(mkdtemp(root));
	mkdirs(root, "etc/docker/certs.d/reg:5000");
	snprintf(p, sizeof(p), "%s/etc/docker", root);
	assert_int_equal(chmod(p, 0775), 0); /* 3.6: group write, too open */
	snprintf(p, sizeof(p), "%s/etc/docker/daemon.json", root);
	write_file(p, "{\"icc\": false}", 0600); /* 3.18: 600 is within 644 */
	snprintf(p, sizeof(p), "%s/etc/docker/certs.d/reg:5000/ca.crt", root);
	write_file(p, "x", 0644); /* 3.8: 644 is beyond 444 */
	memset(&o, 0, sizeof(o));
	memset(&f, 0, sizeof(f));
	assert_int_equal(bw_strv_push(&f.only, "3.6"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "3.8"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "3.18"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "3.21"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "2.2"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "5.5"), BW_OK);
	o.root = root;
	o.filter = &f;
	assert_int_equal(bench_report_init(&r, "B", NULL), BW_OK);
	assert_int_equal(bench_docker_run(&o, &r, NULL), BW_OK);
	assert_int_equal(r.n, 6);
	/* table order: 2.2, 3.6, 3.8, 3.18, 3.21, 5.5 */
	assert_string_equal(r.results[0].id, "2.2");
	assert_int_equal(r.results[0].status, BENCH_PASS); /* icc false from daemon.json */
	assert_int_equal(r.results[1].status, BENCH_FAIL);
	assert_non_null(strstr(r.results[1].detail, "mode 0775 (too permissive)"));
	assert_int_equal(r.results[2].status, BENCH_FAIL);
	assert_non_null(strstr(r.results[2].detail, "certs.d/reg:5000/ca.crt: mode 0644"));
	assert_int_equal(r.results[3].status, BENCH_PASS);
	assert_int_equal(r.results[4].status, BENCH_NA); /* no /etc/sysconfig/docker */
	assert_int_equal(r.results[5].status, BENCH_ERROR); /* offline: no Engine API */
	assert_non_null(strstr(r.results[5].detail, "offline"));
	bench_report_release(&r);
	bench_filter_release(&f);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

/* A rootless daemon seen through a fake /proc: found by comm, its flags
 * from cmdline, its uid from status, its daemon.json from the environment's
 * XDG_CONFIG_HOME. */
static void test_rootless_fake_proc(void **state)
{
	char dir[] = "/tmp/bw-proc-XXXXXX", p[4096], host[4200];
	struct bench_report r;
	struct bench_docker_opts o;
	struct bench_filter f;
	FILE *fp;
	static const char cmd[] = "dockerd\0--icc=false";
	char env[512];
	int n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	mkdirs(dir, "proc/4242");
	mkdirs(dir, "proc/77");
	mkdirs(dir, "cfg/docker");
	snprintf(p, sizeof(p), "%s/proc/77/comm", dir);
	write_file(p, "bash\n", 0644);
	snprintf(p, sizeof(p), "%s/proc/4242/comm", dir);
	write_file(p, "dockerd\n", 0644);
	snprintf(p, sizeof(p), "%s/proc/4242/status", dir);
	write_file(p, "Name:\tdockerd\nUid:\t1000\t1000\t1000\t1000\n", 0644);
	snprintf(p, sizeof(p), "%s/proc/4242/cmdline", dir);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fwrite(cmd, 1, sizeof(cmd), fp);
	fclose(fp);
	n = snprintf(env, sizeof(env), "HOME=/nonexistent%cXDG_CONFIG_HOME=%s/cfg%c", 0, dir, 0);
	snprintf(p, sizeof(p), "%s/proc/4242/environ", dir);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fwrite(env, 1, (size_t)n, fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s/cfg/docker/daemon.json", dir);
	write_file(p, "{\"live-restore\": true}", 0644);

	memset(&o, 0, sizeof(o));
	memset(&f, 0, sizeof(f));
	snprintf(p, sizeof(p), "%s/proc", dir);
	snprintf(host, sizeof(host), "unix://%s/none.sock", dir);
	o.proc = p;
	o.docker_host = host;
	o.filter = &f;
	assert_int_equal(bw_strv_push(&f.only, "2.1"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "2.2"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "2.9"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "2.15"), BW_OK);
	assert_int_equal(bw_strv_push(&f.only, "5.5"), BW_OK);
	assert_int_equal(bench_report_init(&r, "B", NULL), BW_OK);
	assert_int_equal(bench_docker_run(&o, &r, NULL), BW_OK);
	assert_int_equal(r.n, 5);
	assert_non_null(strstr(r.target, "dockerd pid 4242"));
	assert_non_null(strstr(r.target, "(rootless)"));
	assert_int_equal(r.results[0].status, BENCH_WARN); /* 2.1 is manual */
	assert_non_null(strstr(r.results[0].detail, "runs as uid 1000: rootless mode"));
	assert_int_equal(r.results[1].status, BENCH_PASS); /* --icc=false */
	assert_non_null(strstr(r.results[1].detail, "--icc=false in "));
	assert_int_equal(r.results[2].status, BENCH_PASS); /* rootless: user namespace */
	assert_int_equal(r.results[3].status, BENCH_PASS); /* from $XDG_CONFIG_HOME/docker/daemon.json */
	assert_non_null(strstr(r.results[3].detail, "/cfg/docker/daemon.json"));
	assert_int_equal(r.results[4].status, BENCH_ERROR); /* no API at none.sock */
	assert_non_null(strstr(r.results[4].detail, "none.sock"));
	bench_report_release(&r);
	bench_filter_release(&f);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

static void test_audit_rules(void **state)
{
	struct dk_audit a;
	const char *rules =
		"# -w /etc/docker -k docker\n"
		"-w /usr/bin/dockerd -k docker\n"
		"-a exit,always -F path=/usr/bin/runc -F perm=x -k docker\n"
		"-a exit,always -F dir=/var/lib/docker -F perm=wa\n"
		"-w /usr/bin/containerd-shim -k docker\n"
		"-W /etc/default/docker\n";

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(dk_audit_add_text(&a, rules, strlen(rules)), BW_OK);
	assert_int_equal(a.lines.n, 5); /* the comment is dropped */
	assert_non_null(dk_audit_find(&a, "/usr/bin/dockerd"));
	assert_non_null(dk_audit_find(&a, "/usr/bin/runc"));
	assert_non_null(dk_audit_find(&a, "/var/lib/docker"));
	/* whole tokens only: containerd-shim is not containerd */
	assert_null(dk_audit_find(&a, "/usr/bin/containerd"));
	assert_null(dk_audit_find(&a, "/etc/docker"));          /* commented out */
	assert_null(dk_audit_find(&a, "/etc/default/docker"));  /* -W removes */
	assert_null(dk_audit_find(&a, "/usr/bin/docker"));
	dk_audit_release(&a);
}

/* ---- container evaluation ------------------------------------------------------- */

static void test_eval_container(void **state)
{
	struct dk_ctx c;
	struct bw_buf out;
	json_t *bad, *good;
	json_error_t je;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.offline = true; /* no /proc lookups */
	bad = json_loads(
		"{\"Name\": \"/x\", \"State\": {\"Status\": \"created\"}, \"Config\": {\"User\": \"\"},"
		" \"HostConfig\": {\"Privileged\": true, \"NetworkMode\": \"host\", \"PidMode\": \"host\","
		"  \"CapAdd\": [\"NET_ADMIN\"], \"Binds\": [\"/etc/:/e:ro\", \"/var/run/docker.sock:/s\"],"
		"  \"PortBindings\": {\"80/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"80\"}]},"
		"  \"RestartPolicy\": {\"Name\": \"on-failure\", \"MaximumRetryCount\": 0}}}",
		0, &je);
	assert_non_null(bad);
	bw_buf_init(&out, 65536);
	assert_int_equal(dk_eval_container(&c, bad, &out), BW_OK);
	/* worked out from the JSON above */
	assert_non_null(strstr(out.data, "4.1: runs as root (Config.User empty)\n"));
	assert_non_null(strstr(out.data, "5.4: privileged: every capability\n"));
	assert_non_null(strstr(out.data, "5.5: Privileged=true\n"));
	assert_non_null(strstr(out.data, "5.6: host /etc/ mounted at /e\n"));
	assert_non_null(strstr(out.data, "5.8: host port 80 -> 80/tcp\n"));
	assert_non_null(strstr(out.data, "5.10: NetworkMode=host\n"));
	assert_non_null(strstr(out.data, "5.14: 80/tcp published on all interfaces (HostIp '')\n"));
	assert_non_null(strstr(out.data, "5.15: RestartPolicy=on-failure:0\n"));
	assert_non_null(strstr(out.data, "5.16: PidMode=host\n"));
	assert_non_null(strstr(out.data, "5.22: privileged: runs without seccomp\n"));
	assert_non_null(strstr(out.data, "5.32: /var/run/docker.sock mounted at /s\n"));
	assert_null(strstr(out.data, "5.17:")); /* IpcMode unset */

	good = json_loads(
		"{\"Name\": \"/g\", \"State\": {\"Status\": \"running\"}, \"Config\": {\"User\": \"1000\","
		"  \"Healthcheck\": {\"Test\": [\"CMD\", \"true\"]}},"
		" \"AppArmorProfile\": \"docker-default\", \"ProcessLabel\": \"l\","
		" \"HostConfig\": {\"Memory\": 1048576, \"CpuShares\": 512, \"ReadonlyRootfs\": true,"
		"  \"PidsLimit\": 10, \"NetworkMode\": \"n\", \"CapDrop\": [\"ALL\"],"
		"  \"SecurityOpt\": [\"no-new-privileges\"], \"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": 1, \"Hard\": 2}],"
		"  \"PortBindings\": {\"8080/tcp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"8080\"}]},"
		"  \"RestartPolicy\": {\"Name\": \"on-failure\", \"MaximumRetryCount\": 5}}}",
		0, &je);
	assert_non_null(good);
	bw_buf_reset(&out);
	assert_int_equal(dk_eval_container(&c, good, &out), BW_OK);
	assert_int_equal(out.len, 0);
	bw_buf_release(&out);
	json_decref(bad);
	json_decref(good);
}

static const struct dk_check *find_check(const char *id)
{
	for (size_t i = 0; i < dk_checks_ct_n; i++)
		if (strcmp(dk_checks_ct[i].id, id) == 0)
			return &dk_checks_ct[i];
	return NULL;
}

/* 4.7 and 4.9 (manual) list what the image build history shows. */
static void test_image_history(void **state)
{
	struct dk_ctx c;
	struct bw_buf d;
	enum bench_status st = BENCH_PASS;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.offline = true;
	c.info = json_loads("{}", 0, NULL);
	c.images = json_loads("[{\"Id\": \"sha256:aa\", \"RepoTags\": [\"app:1\"]}]", 0, NULL);
	c.histories = json_loads(
		"{\"sha256:aa\": ["
		"{\"CreatedBy\": \"/bin/sh -c apt-get update\"},"
		"{\"CreatedBy\": \"/bin/sh -c apt-get update && apt-get install -y curl\"},"
		"{\"CreatedBy\": \"/bin/sh -c #(nop) ADD file:abc in / \"},"
		"{\"CreatedBy\": \"/bin/sh -c #(nop) ADD https://x/y.tgz /opt/\"}]}", 0, NULL);
	assert_non_null(c.info);
	assert_non_null(c.images);
	assert_non_null(c.histories);
	bw_buf_init(&d, 65536);
	find_check("4.7")->run(&c, &st, &d);
	assert_int_equal(st, BENCH_WARN);
	/* only the first layer updates without installing */
	assert_non_null(strstr(d.data, "image app:1: update instruction(s) without an install: /bin/sh -c apt-get update\n"));
	assert_non_null(strstr(d.data, "1 update instruction(s) without an install found"));
	bw_buf_reset(&d);
	find_check("4.9")->run(&c, &st, &d);
	/* the base image's "ADD file:... in / " is not counted, the URL one is */
	assert_non_null(strstr(d.data, "ADD https://x/y.tgz /opt/"));
	assert_non_null(strstr(d.data, "1 ADD instruction(s) found"));
	bw_buf_release(&d);
	dk_ctx_release(&c);
}

static void test_check_table(void **state)
{
	size_t manual = 0;

	(void)state;
	/* CIS Docker Benchmark v1.6.0 has 117 recommendations: 20 + 18 + 24 +
	 * 12 + 32 + 2 + 9 by section */
	assert_int_equal(bench_docker_check_count(), 117);
	assert_int_equal(dk_checks_host_n, 20 + 18 + 24);
	assert_int_equal(dk_checks_ct_n, 12 + 32 + 2 + 9);
	for (size_t i = 0; i < dk_checks_host_n; i++)
		manual += !dk_checks_host[i].automated;
	for (size_t i = 0; i < dk_checks_ct_n; i++)
		manual += !dk_checks_ct[i].automated;
	/* manual ones: 1.2.1 1.2.2 2.1 2.8 2.17 2.18 4.2 4.3 4.4 4.7 4.8 4.9 4.10
	 * 4.11 4.12 5.9 5.18 5.19 5.24 5.28 5.30 6.1 6.2 7.4 7.6 7.7 7.8 7.9 */
	assert_int_equal(manual, 28);
	assert_string_equal(dk_checks_ct[dk_checks_ct_n - 1].id, "7.9");
	assert_string_equal(dk_section("1.1.4"), "1.1 Linux hosts specific configuration");
	assert_string_equal(dk_section("5.31"), "5 Container runtime configuration");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_exit_code),
		cmocka_unit_test(test_id_matches),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_write_json),
		cmocka_unit_test(test_write_junit),
		cmocka_unit_test(test_write_table),
		cmocka_unit_test(test_conf_flags),
		cmocka_unit_test(test_conf_precedence),
		cmocka_unit_test(test_conf_bad_json),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_exec_split),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_file_modes_offline),
		cmocka_unit_test(test_rootless_fake_proc),
		cmocka_unit_test(test_audit_rules),
		cmocka_unit_test(test_eval_container),
		cmocka_unit_test(test_image_history),
		cmocka_unit_test(test_check_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

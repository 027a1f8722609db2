/* test_k8s_bench.c - the Kubernetes benchmark engine: compare operators
 * (expected values worked by hand from kube-bench check/test.go semantics),
 * the JSONPath subset, the controls loader, flag/env/config lookup with
 * defaults, and a run on an empty root (missing data is never PASS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "k8s/bench_int.h"

static void test_compare(void **state)
{
	static const struct {
		const char *op, *actual, *want;
		bool result;
	} cases[] = {
		/* eq: booleans case-insensitive on the found value only */
		{"eq", "False", "false", true},
		{"eq", "false", "false", true},
		{"eq", "abc", "ABC", false},
		{"eq", "10255", "0", false},
		{"noteq", "0", "0", false},
		{"noteq", "5m0s", "0", true},
		/* numbers: integers only, anything else fails */
		{"gt", "10", "5", true},
		{"gte", "30", "30", true},
		{"gte", "7", "30", false},
		{"lt", "abc", "5", false},
		{"lte", " 5 ", "5", true},
		{"has", "Node,RBAC", "RBAC", true},
		{"has", "AlwaysAllow", "RBAC", false},
		{"nothave", "Node,RBAC", "AlwaysAllow", true},
		{"regex", "60s", "^[0-9]+s$", true},
		{"regex", "1m", "^[0-9]+s$", false},
		/* valid_elements: every found element in the allowed list */
		{"valid_elements", "a,b", "a,b,c", true},
		{"valid_elements", "a, b,", "a,b,c", true},
		{"valid_elements", "a,d", "a,b,c", false},
		{"valid_elements", "", "", true},
		{"valid_elements", "", "a", false},
		/* bitmask: (allowed & found) == found, octal:
		 * 600 & 644 = 600 != 644 -> false; 644 & 600 = 600 -> true;
		 * 600 & 400 = 400 -> true; 600 & 700 = 600 != 700 -> false */
		{"bitmask", "644", "600", false},
		{"bitmask", "600", "644", true},
		{"bitmask", "400", "600", true},
		{"bitmask", "700", "600", false},
		{"bitmask", "abc", "600", false},
		{"bitmask", "600", "9", false},
		{"unknown", "a", "a", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (k8s_compare(cases[i].op, cases[i].actual, cases[i].want) != cases[i].result)
			fail_msg("%s '%s' '%s': expected %d", cases[i].op, cases[i].actual, cases[i].want,
				 cases[i].result);
}

static void test_jsonpath(void **state)
{
	json_t *v = json_loads("{\"a\": {\"b\": \"x\", \"n\": 5, \"t\": true, \"x.y\": \"dot\"},"
			       " \"arr\": [1, {\"c\": \"z\"}], \"o\": {\"k\": [1]}}", 0, NULL);
	char *s;

	(void)state;
	assert_non_null(v);
	s = k8s_jsonpath(v, "{.a.b}");
	assert_string_equal(s, "x");
	free(s);
	s = k8s_jsonpath(v, "{.a.n}");
	assert_string_equal(s, "5");
	free(s);
	s = k8s_jsonpath(v, "{.a.t}");
	assert_string_equal(s, "true");
	free(s);
	s = k8s_jsonpath(v, "{.arr[1].c}");
	assert_string_equal(s, "z");
	free(s);
	s = k8s_jsonpath(v, "{.a['x.y']}");
	assert_string_equal(s, "dot");
	free(s);
	s = k8s_jsonpath(v, "{.o}");
	assert_string_equal(s, "{\"k\":[1]}");
	free(s);
	assert_null(k8s_jsonpath(v, "{.a.missing}"));
	assert_null(k8s_jsonpath(v, "{.arr[7]}"));
	assert_null(k8s_jsonpath(v, ".a.b"));  /* no braces */
	assert_null(k8s_jsonpath(v, "{.a.b"));
	json_decref(v);
}

static const char controls_text[] =
	"---\n"
	"controls:\n"
	"version: \"t-1\"\n"
	"id: 4\n"
	"text: \"Worker\"\n"
	"type: \"node\"\n"
	"groups:\n"
	"  - id: 4.2\n"
	"    text: \"Kubelet\"\n"
	"    checks:\n"
	"      - id: 4.2.1\n"
	"        text: \"anon\"\n"
	"        audit: \"/bin/ps -fC $kubeletbin\"\n"
	"        audit_config: \"/bin/cat $kubeletconf $kubeletkubeconfig\"\n"
	"        tests:\n"
	"          bin_op: or\n"
	"          test_items:\n"
	"            - flag: \"--anonymous-auth\"\n"
	"              path: '{.authentication.anonymous.enabled}'\n"
	"              compare:\n"
	"                op: eq\n"
	"                value: false\n"
	"            - flag: \"--x\"\n"
	"              set: false\n"
	"        remediation: \"r\"\n"
	"        scored: true\n"
	"      - id: 4.2.2\n"
	"        text: \"manual\"\n"
	"        type: manual\n";

static void test_controls_parse(void **state)
{
	struct k8s_vars vars = {0};
	struct k8s_controls c;
	struct bw_errbuf eb = {{0}};
	const struct k8s_check_def *ck;

	(void)state;
	assert_int_equal(k8s_vars_set(&vars, "kubeletbin", "kubelet"), BW_OK);
	assert_int_equal(k8s_vars_set(&vars, "kubeletconf", "/var/lib/kubelet/config.yaml"), BW_OK);
	assert_int_equal(k8s_vars_set(&vars, "kubeletkubeconfig", "/etc/kubernetes/kubelet.conf"), BW_OK);
	assert_int_equal(k8s_controls_parse(controls_text, strlen(controls_text), "t.yaml", &vars, &c, &eb),
			 BW_OK);
	assert_string_equal(c.id, "4");
	assert_string_equal(c.type, "node");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.groups[0].id, "4.2");
	assert_int_equal(c.groups[0].n, 2);
	ck = &c.groups[0].checks[0];
	assert_string_equal(ck->id, "4.2.1");
	assert_string_equal(ck->audit, "/bin/ps -fC kubelet");
	/* the longest variable name wins: $kubeletkubeconfig is not $kubeletkube... */
	assert_string_equal(ck->audit_config,
			    "/bin/cat /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.conf");
	assert_true(ck->scored);
	assert_true(ck->bin_or);
	assert_int_equal(ck->nitems, 2);
	assert_string_equal(ck->items[0].flag, "--anonymous-auth");
	assert_string_equal(ck->items[0].path, "{.authentication.anonymous.enabled}");
	assert_true(ck->items[0].set); /* default true */
	assert_string_equal(ck->items[0].op, "eq");
	assert_string_equal(ck->items[0].value, "false");
	assert_false(ck->items[1].set);
	assert_null(ck->items[1].op);
	assert_string_equal(c.groups[0].checks[1].type, "manual");
	assert_false(c.groups[0].checks[1].scored);
	k8s_controls_release(&c);
	k8s_vars_release(&vars);
}

static void test_controls_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"groups:\n- id: 1\n  checks:\n  - id: 1.1\n    tests:\n      test_items:\n"
		 "      - flag: x\n        compare: {op: equals, value: 1}\n",
		 "t.yaml: groups[0].checks[0].tests.test_items[0].compare.op: 'equals' is not a known operator"},
		{"groups:\n- id: 1\n  checks:\n  - text: no id\n", "t.yaml: groups[0].checks[0]: check has no id"},
		{"groups:\n- id: 1\n  checks:\n  - id: 1.1\n    tests: {test_items: 5}\n",
		 "t.yaml: groups[0].checks[0].tests.test_items: expected a list"},
		{"groups:\n- id: 1\n  checks:\n  - id: 1.1\n    tests: {bin_op: xor, test_items: []}\n",
		 "t.yaml: groups[0].checks[0].tests.bin_op: 'xor' is not and/or"},
		{"groups:\n- id: 1\n  checks:\n  - id: 1.1\n    tests: {test_items: [{set: true}]}\n",
		 "t.yaml: groups[0].checks[0].tests.test_items[0]: test item has no flag, path or env"},
		{"groups: 3\n", "t.yaml: groups: expected a list"},
		{"- a\n", "t.yaml: not a controls mapping"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct k8s_controls c;
		struct bw_errbuf eb = {{0}};

		assert_int_not_equal(k8s_controls_parse(cases[i].text, strlen(cases[i].text), "t.yaml", NULL,
							&c, &eb),
				     BW_OK);
		if (strcmp(eb.msg, cases[i].msg) != 0)
			fail_msg("case %zu: got '%s', expected '%s'", i, eb.msg, cases[i].msg);
	}
}

/* Build a check with one item. */
static void one_item(struct k8s_check_def *c, struct k8s_test_item *t, const char *flag,
		     const char *path, const char *env, const char *op, const char *value, bool set)
{
	memset(c, 0, sizeof(*c));
	memset(t, 0, sizeof(*t));
	t->flag = (char *)flag;
	t->path = (char *)path;
	t->env = (char *)env;
	t->op = (char *)op;
	t->value = (char *)(value ? value : "");
	t->set = set;
	c->items = t;
	c->nitems = 1;
	c->has_tests = true;
}

static bool eval(const struct k8s_check_def *c, const struct k8s_evidence *ev, char *detail,
		 size_t sz)
{
	struct bw_buf d;
	bool pass = false;

	bw_buf_init(&d, 1 << 16);
	assert_int_equal(k8s_eval_tests(c, ev, &pass, &d), BW_OK);
	bw_strlcpy(detail, d.data ? d.data : "", sz);
	bw_buf_release(&d);
	return pass;
}

static void test_flags(void **state)
{
	static const char *const argv[] = {
		"kube-apiserver", "--kubelet-client-ca-file=/y", "--profiling=true", "--audit-log-maxage",
		"30", "--enable-bool", "--profiling=false", "--authorization-mode", "--next=1", NULL};
	struct k8s_evidence ev;
	struct k8s_check_def c;
	struct k8s_test_item t;
	char d[2048];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(k8s_evidence_add_row(&ev, "kube-apiserver command line (pid 1)"), BW_OK);
	for (size_t i = 0; argv[i]; i++)
		assert_int_equal(bw_strv_push(&ev.rows[0].tok, argv[i]), BW_OK);
	/* a whole-token match only: --client-ca-file is not --kubelet-client-ca-file */
	one_item(&c, &t, "--client-ca-file", NULL, NULL, NULL, NULL, true);
	assert_false(eval(&c, &ev, d, sizeof(d)));
	/* the last occurrence wins, as with pflag */
	one_item(&c, &t, "--profiling", NULL, NULL, "eq", "false", true);
	assert_true(eval(&c, &ev, d, sizeof(d)));
	/* "--flag value" with a compare op */
	one_item(&c, &t, "--audit-log-maxage", NULL, NULL, "gte", "30", true);
	assert_true(eval(&c, &ev, d, sizeof(d)));
	assert_non_null(strstr(d, "--audit-log-maxage=30"));
	/* a bare flag is "true"; a following "--next" is not its value */
	one_item(&c, &t, "--enable-bool", NULL, NULL, "eq", "true", true);
	assert_true(eval(&c, &ev, d, sizeof(d)));
	one_item(&c, &t, "--authorization-mode", NULL, NULL, "eq", "true", true);
	assert_true(eval(&c, &ev, d, sizeof(d)));
	/* set: false */
	one_item(&c, &t, "--token-auth-file", NULL, NULL, NULL, NULL, false);
	assert_true(eval(&c, &ev, d, sizeof(d)));
	one_item(&c, &t, "--profiling", NULL, NULL, NULL, NULL, false);
	assert_false(eval(&c, &ev, d, sizeof(d)));
	/* unset with a documented default: kube-apiserver --anonymous-auth is true */
	ev.component = "kube-apiserver";
	one_item(&c, &t, "--anonymous-auth", NULL, NULL, "eq", "false", true);
	assert_false(eval(&c, &ev, d, sizeof(d)));
	assert_non_null(strstr(d, "from default: kube-apiserver --anonymous-auth"));
	k8s_evidence_release(&ev);
}

static void test_config_env_defaults(void **state)
{
	struct k8s_evidence ev;
	struct k8s_check_def c;
	struct k8s_test_item t;
	char d[2048];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(k8s_evidence_add_row(&ev, "kubelet command line (pid 2)"), BW_OK);
	assert_int_equal(bw_strv_push(&ev.rows[0].tok, "kubelet"), BW_OK);
	assert_int_equal(bw_strv_push(&ev.rows[0].tok, "--read-only-port=10255"), BW_OK);
	ev.component = "kubelet";
	/* no config file: the kubelet's flag default (anonymous auth on) */
	one_item(&c, &t, "--anonymous-auth", "{.authentication.anonymous.enabled}", NULL, "eq", "false", true);
	assert_false(eval(&c, &ev, d, sizeof(d)));
	assert_non_null(strstr(d, "kubelet --anonymous-auth"));
	/* with a config file not naming it: the KubeletConfiguration default (off) */
	ev.config = json_loads("{\"readOnlyPort\": 0, \"authorization\": {\"mode\": \"Webhook\"}}", 0, NULL);
	ev.config_src = bw_strdup("config file /var/lib/kubelet/config.yaml");
	assert_true(eval(&c, &ev, d, sizeof(d)));
	assert_non_null(strstr(d, "KubeletConfiguration v1beta1 authentication.anonymous.enabled"));
	/* the command line wins over the config file */
	one_item(&c, &t, "--read-only-port", "{.readOnlyPort}", NULL, "eq", "0", true);
	assert_false(eval(&c, &ev, d, sizeof(d)));
	/* a config value */
	one_item(&c, &t, "--authorization-mode", "{.authorization.mode}", NULL, "nothave", "AlwaysAllow", true);
	assert_true(eval(&c, &ev, d, sizeof(d)));
	assert_non_null(strstr(d, "{.authorization.mode}=Webhook (from config file /var/lib/kubelet/config.yaml)"));
	/* environment */
	ev.env_text = bw_strdup("PATH=/bin\nETCD_CERT_FILE=/pki/server.crt\nETCD_X=\n");
	ev.env_src = bw_strdup("etcd (pid 3)");
	one_item(&c, &t, "--cert-file", NULL, "ETCD_CERT_FILE", NULL, NULL, true);
	assert_true(eval(&c, &ev, d, sizeof(d)));
	one_item(&c, &t, "--x", NULL, "ETCD_X", NULL, NULL, true);
	assert_false(eval(&c, &ev, d, sizeof(d))); /* empty value is not set */
	k8s_evidence_release(&ev);
}

static void test_multirow(void **state)
{
	struct k8s_evidence ev;
	struct k8s_check_def c;
	struct k8s_test_item t;
	char d[4096];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(k8s_evidence_add_row(&ev, "stat of /pki/a.key"), BW_OK);
	assert_int_equal(k8s_evidence_add_text(&ev, "permissions=600"), BW_OK);
	assert_int_equal(k8s_evidence_add_row(&ev, "stat of /pki/b.key"), BW_OK);
	assert_int_equal(k8s_evidence_add_text(&ev, "permissions=644"), BW_OK);
	one_item(&c, &t, "permissions", NULL, NULL, "bitmask", "600", true);
	/* every row must pass: b.key is 644 */
	assert_false(eval(&c, &ev, d, sizeof(d)));
	assert_non_null(strstr(d, "NOT OK permissions: permissions=644 (from stat of /pki/b.key)"));
	k8s_evidence_release(&ev);
}

static void test_run_empty_root(void **state)
{
	char dir[] = "/tmp/bw-k8s-unit.XXXXXX";
	struct k8s_bench_opts o;
	struct bench_report r;
	struct bw_errbuf eb = {{0}};
	size_t counts[BENCH_STATUS__COUNT];
	unsigned nodes = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&o, 0, sizeof(o));
	o.root = dir;
	o.nodes = K8S_NODE_MASTER;
	assert_int_equal(bench_report_init(&r, "x", NULL), BW_OK);
	assert_int_equal(k8s_bench_run(&o, &r, &nodes, &eb), BW_OK);
	/* CIS 1.8 section 1: 1.1.1-1.1.21, 1.2.1-1.2.30, 1.3.1-1.3.7, 1.4.1-1.4.2 */
	assert_int_equal(r.n, 21 + 30 + 7 + 2);
	bench_report_count(&r, counts);
	/* nothing exists and nothing runs: never a PASS, never a FAIL */
	assert_int_equal(counts[BENCH_PASS], 0);
	assert_int_equal(counts[BENCH_FAIL], 0);
	assert_true(counts[BENCH_ERROR] > 0);
	assert_string_equal(r.results[0].id, "1.1.1");
	assert_int_equal(r.results[0].status, BENCH_NA);
	bench_report_release(&r);
	/* auto with nothing running is an error that says why */
	o.nodes = 0;
	assert_int_equal(bench_report_init(&r, "x", NULL), BW_OK);
	assert_int_equal(k8s_bench_run(&o, &r, NULL, &eb), BW_ERR_NOT_FOUND);
	assert_non_null(strstr(eb.msg, "no Kubernetes component is running"));
	bench_report_release(&r);
	rmdir(dir);
}

static void test_embedded(void **state)
{
	size_t len = 0;
	const char *names[] = {"config.yaml", "cis-1.8/master.yaml", "cis-1.8/etcd.yaml",
			       "cis-1.8/node.yaml", "cis-1.8/policies.yaml"};

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		const char *d = k8s_embedded_file(names[i], &len);

		assert_non_null(d);
		assert_true(len > 100);
		assert_int_equal(strlen(d), len);
	}
	assert_null(k8s_embedded_file("cis-1.8/nope.yaml", &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_jsonpath),
		cmocka_unit_test(test_controls_parse),
		cmocka_unit_test(test_controls_errors),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_config_env_defaults),
		cmocka_unit_test(test_multirow),
		cmocka_unit_test(test_run_empty_root),
		cmocka_unit_test(test_embedded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

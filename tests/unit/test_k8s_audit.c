/* test_k8s_audit.c - the manifest audit: YAML reading limits, the PSS
 * fixtures (tests/data/k8s/pss, each naming the findings the upstream text
 * implies in its "# expect:" lines), field paths, best-practice checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s.h"

#define PSS_DIR BW_SOURCE_ROOT "/tests/data/k8s/pss"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Audit text; findings returned. */
static enum bw_err audit_text(const char *text, enum k8s_level level, bool bp,
			      struct k8s_findings *f, size_t *objects)
{
	struct k8s_audit_opts o = {.level = level, .best_practice = bp, .file = "t.yaml"};
	struct bw_errbuf eb = {{0}};

	return k8s_audit_stream(text, strlen(text), "t.yaml", &o, f, objects, &eb);
}

static size_t count_check(const struct k8s_findings *f, const char *check)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].check, check) == 0)
			n++;
	return n;
}

static const struct k8s_finding *find_check(const struct k8s_findings *f, const char *check)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].check, check) == 0)
			return &f->v[i];
	return NULL;
}

/* ---- the PSS fixtures -------------------------------------------------- */

static void check_fixture(const char *name)
{
	char path[512];
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	struct k8s_findings f = {0};
	struct k8s_audit_opts o = {.best_practice = false};
	struct bw_strv want = {0}, got = {0};
	char *save = NULL, *line, *copy;
	bool level_seen = false, expect_seen = false;
	size_t objects = 0;

	snprintf(path, sizeof(path), "%s/%s", PSS_DIR, name);
	bw_buf_init(&b, 1 << 20);
	assert_int_equal(bw_buf_read_file(&b, path, &eb), BW_OK);
	copy = bw_strdup(b.data);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# level: ", 9) == 0) {
			assert_int_equal(k8s_level_parse(line + 9, &o.level), BW_OK);
			level_seen = true;
		} else if (strncmp(line, "# expect: ", 10) == 0) {
			expect_seen = true;
			if (strcmp(line + 10, "none") != 0)
				assert_int_equal(bw_strv_push(&want, line + 10), BW_OK);
		}
	}
	free(copy);
	if (!level_seen || !expect_seen)
		fail_msg("%s: no '# level:' or '# expect:' line", name);
	o.file = name;
	assert_int_equal(k8s_audit_stream(b.data, b.len, name, &o, &f, &objects, &eb), BW_OK);
	assert_int_equal(objects, 1);
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(bw_strv_push(&got, f.v[i].check), BW_OK);
	if (want.n)
		qsort(want.v, want.n, sizeof(char *), cmp_str);
	if (got.n)
		qsort(got.v, got.n, sizeof(char *), cmp_str);
	if (want.n != got.n) {
		for (size_t i = 0; i < f.n; i++)
			print_message("  %s: got %s %s: %s\n", name, f.v[i].check, f.v[i].field,
				      f.v[i].detail);
		fail_msg("%s: %zu findings, expected %zu", name, got.n, want.n);
	}
	for (size_t i = 0; i < want.n; i++)
		if (strcmp(want.v[i], got.v[i]) != 0)
			fail_msg("%s: got %s, expected %s", name, got.v[i], want.v[i]);
	bw_strv_release(&want);
	bw_strv_release(&got);
	k8s_findings_release(&f);
	bw_buf_release(&b);
}

static void test_pss_fixtures(void **state)
{
	struct dirent **ents;
	int n = scandir(PSS_DIR, &ents, NULL, alphasort);
	int checked = 0, failing = 0;

	(void)state;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (bw_str_ends_with(ents[i]->d_name, ".yaml")) {
			check_fixture(ents[i]->d_name);
			checked++;
			if (strstr(ents[i]->d_name, "-fail"))
				failing++;
		}
		free(ents[i]);
	}
	free(ents);
	/* every control has failing and passing fixtures: 52 written */
	assert_true(checked >= 50);
	assert_true(failing >= 25);
}

/* ---- field paths per workload kind -------------------------------------- */

static void test_workload_paths(void **state)
{
	static const struct {
		const char *doc;
		const char *field;
	} cases[] = {
		{"kind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  template:\n    spec:\n"
		 "      containers: [{name: c, image: x:1, securityContext: {privileged: true}}]\n",
		 "spec.template.spec.containers[0].securityContext.privileged"},
		{"kind: CronJob\nmetadata: {name: cj}\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
		 "        spec:\n          containers: [{name: c, image: x:1, securityContext: {privileged: true}}]\n",
		 "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"},
		{"kind: PodTemplate\nmetadata: {name: pt}\ntemplate:\n  spec:\n"
		 "    initContainers: [{name: i, image: x:1}]\n"
		 "    containers: [{name: a, image: x:1}, {name: c, image: x:1, securityContext: {privileged: true}}]\n",
		 "template.spec.containers[1].securityContext.privileged"},
		{"kind: StatefulSet\nmetadata: {name: s}\nspec: {template: {spec: {containers: [{name: c, image: x:1, "
		 "securityContext: {privileged: true}}]}}}\n",
		 "spec.template.spec.containers[0].securityContext.privileged"},
		{"{\"kind\": \"DaemonSet\", \"metadata\": {\"name\": \"j\"}, \"spec\": {\"template\": {\"spec\": "
		 "{\"containers\": [{\"name\": \"c\", \"image\": \"x:1\", \"securityContext\": {\"privileged\": true}}]}}}}",
		 "spec.template.spec.containers[0].securityContext.privileged"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct k8s_findings f = {0};
		const struct k8s_finding *x;
		size_t objects = 0;

		assert_int_equal(audit_text(cases[i].doc, K8S_LEVEL_BASELINE, false, &f, &objects), BW_OK);
		assert_int_equal(objects, 1);
		assert_int_equal(f.n, 1);
		x = find_check(&f, "pss.baseline.privileged");
		assert_non_null(x);
		assert_string_equal(x->field, cases[i].field);
		assert_string_equal(x->container, "c");
		k8s_findings_release(&f);
	}
}

static void test_list_and_multidoc(void **state)
{
	const char *text = "---\n# empty document first\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
			   "---\napiVersion: v1\nkind: List\nitems:\n"
			   "- {kind: Pod, metadata: {name: a, namespace: ns1}, spec: {hostPID: true, containers: [{name: x, image: i:1}]}}\n"
			   "- {kind: Service, metadata: {name: s}}\n";
	struct k8s_findings f = {0};
	const struct k8s_finding *x;
	size_t objects = 0;

	(void)state;
	assert_int_equal(audit_text(text, K8S_LEVEL_BASELINE, false, &f, &objects), BW_OK);
	assert_int_equal(objects, 1); /* the List's Pod; ConfigMap and Service are not audited */
	assert_int_equal(f.n, 1);
	x = &f.v[0];
	assert_string_equal(x->check, "pss.baseline.host-namespaces");
	assert_string_equal(x->kind, "Pod");
	assert_string_equal(x->ns, "ns1");
	assert_string_equal(x->name, "a");
	assert_string_equal(x->field, "spec.hostPID");
	assert_null(x->container);
	/* documents: 0 empty, 1 ConfigMap, 2 the List */
	assert_int_equal(x->doc, 2);
	k8s_findings_release(&f);
}

/* ---- YAML reading -------------------------------------------------------- */

static void test_yaml_scalars(void **state)
{
	const char *text = "a: yes\nb: \"true\"\nc: 0x1F\nd: ~\ne: 1.5\nf: off\ng: '0'\nh: 10\n";
	json_t *docs = NULL, *d;
	size_t *idx = NULL;
	struct bw_errbuf eb = {{0}};

	(void)state;
	assert_int_equal(k8s_yaml_load(text, strlen(text), "t", &docs, &idx, &eb), BW_OK);
	assert_int_equal(json_array_size(docs), 1);
	d = json_array_get(docs, 0);
	assert_true(json_is_true(json_object_get(d, "a")));
	assert_string_equal(json_string_value(json_object_get(d, "b")), "true");
	assert_int_equal(json_integer_value(json_object_get(d, "c")), 31);
	assert_true(json_is_null(json_object_get(d, "d")));
	assert_true(json_is_real(json_object_get(d, "e")));
	assert_true(json_is_false(json_object_get(d, "f")));
	assert_string_equal(json_string_value(json_object_get(d, "g")), "0");
	assert_int_equal(json_integer_value(json_object_get(d, "h")), 10);
	assert_int_equal(idx[0], 0);
	free(idx);
	json_decref(docs);
}

static void test_yaml_merge_key(void **state)
{
	/* the merged securityContext carries privileged: true */
	const char *text = "kind: Pod\nmetadata: {name: m}\nspec:\n  containers:\n  - name: c\n    image: x:1\n"
			   "    securityContext:\n      <<: &priv {privileged: true}\n      runAsUser: 5\n";
	struct k8s_findings f = {0};

	(void)state;
	assert_int_equal(audit_text(text, K8S_LEVEL_BASELINE, false, &f, NULL), BW_OK);
	assert_int_equal(count_check(&f, "pss.baseline.privileged"), 1);
	k8s_findings_release(&f);
}

static void test_yaml_billion_laughs(void **state)
{
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	json_t *docs = NULL;
	uint64_t t0;

	(void)state;
	bw_buf_init(&b, 1 << 20);
	assert_int_equal(bw_buf_appends(&b, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"), BW_OK);
	for (int i = 1; i < 12; i++)
		assert_int_equal(bw_buf_appendf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
						i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1),
				 BW_OK);
	t0 = bw_time_mono_ns();
	assert_int_equal(k8s_yaml_load(b.data, b.len, "laughs", &docs, NULL, &eb), BW_ERR_LIMIT);
	assert_null(docs);
	assert_non_null(strstr(eb.msg, "nodes"));
	/* stopped by the budget, not by running out of time or memory */
	assert_true(bw_time_mono_ns() - t0 < 5000000000ull);
	bw_buf_release(&b);
}

static void test_yaml_depth(void **state)
{
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	json_t *docs = NULL;

	(void)state;
	bw_buf_init(&b, 1 << 20);
	for (int i = 0; i < 200; i++)
		assert_int_equal(bw_buf_appends(&b, "["), BW_OK);
	for (int i = 0; i < 200; i++)
		assert_int_equal(bw_buf_appends(&b, "]"), BW_OK);
	assert_int_not_equal(k8s_yaml_load(b.data, b.len, "deep", &docs, NULL, &eb), BW_OK);
	assert_null(docs);
	bw_buf_release(&b);
}

static void test_yaml_error_names_input(void **state)
{
	const char *text = "kind: Pod\nspec: [unclosed\n";
	struct bw_errbuf eb = {{0}};
	json_t *docs = NULL;

	(void)state;
	assert_int_equal(k8s_yaml_load(text, strlen(text), "bad.yaml", &docs, NULL, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "bad.yaml"));
	assert_non_null(strstr(eb.msg, "document 0"));
}

static void test_bad_types(void **state)
{
	const char *text = "kind: Pod\nmetadata: {name: p}\nspec: {containers: notalist}\n";
	struct k8s_findings f = {0};
	struct bw_errbuf eb = {{0}};
	struct k8s_audit_opts o = {.level = K8S_LEVEL_RESTRICTED};

	(void)state;
	assert_int_equal(k8s_audit_stream(text, strlen(text), "t.yaml", &o, &f, NULL, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "spec.containers is not a list"));
	k8s_findings_release(&f);
}

/* ---- best practice -------------------------------------------------------- */

static void test_best_practice(void **state)
{
	/* c0: everything wrong; c1: everything right */
	const char *text =
		"kind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
		"      containers:\n"
		"      - name: c0\n        image: registry.example:5000/app\n"
		"        env:\n        - {name: API_TOKEN, value: abc123}\n        - {name: MODE, value: prod}\n"
		"        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: s, key: k}}}\n"
		"      - name: c1\n        image: app@sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
		"        securityContext: {readOnlyRootFilesystem: true}\n"
		"        resources: {limits: {cpu: 100m, memory: 64Mi}}\n"
		"        livenessProbe: {tcpSocket: {port: 80}}\n        readinessProbe: {tcpSocket: {port: 80}}\n"
		"      - name: c2\n        image: app:latest\n"
		"        securityContext: {readOnlyRootFilesystem: true, capabilities: {add: [NET_BIND_SERVICE]}}\n"
		"        resources: {limits: {cpu: 1, memory: 1Gi}}\n"
		"        livenessProbe: {tcpSocket: {port: 80}}\n        readinessProbe: {tcpSocket: {port: 80}}\n";
	struct k8s_findings f = {0};
	const struct k8s_finding *x;

	(void)state;
	assert_int_equal(audit_text(text, K8S_LEVEL_RESTRICTED, true, &f, NULL), BW_OK);
	/* c0 has no tag ("registry.example:5000" is a port), c2 says latest */
	assert_int_equal(count_check(&f, "bp.image-tag"), 2);
	x = find_check(&f, "bp.env-secret");
	assert_non_null(x);
	assert_int_equal(count_check(&f, "bp.env-secret"), 1);
	assert_string_equal(x->field, "spec.template.spec.containers[0].env[0].value");
	assert_null(strstr(x->detail, "abc123")); /* the secret is not echoed */
	assert_int_equal(count_check(&f, "bp.resource-limits"), 2); /* c0: cpu, memory */
	assert_int_equal(count_check(&f, "bp.probes"), 2);          /* c0: liveness, readiness */
	assert_int_equal(count_check(&f, "bp.read-only-root-fs"), 1);
	assert_int_equal(count_check(&f, "bp.sa-token-automount"), 1);
	assert_int_equal(count_check(&f, "bp.added-capabilities"), 1); /* c2 NET_BIND_SERVICE */
	k8s_findings_release(&f);
}

static void test_bp_job_no_probes(void **state)
{
	const char *text = "kind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n"
			   "      automountServiceAccountToken: false\n"
			   "      containers: [{name: c, image: x:1}]\n";
	struct k8s_findings f = {0};

	(void)state;
	assert_int_equal(audit_text(text, K8S_LEVEL_BASELINE, true, &f, NULL), BW_OK);
	assert_int_equal(count_check(&f, "bp.probes"), 0); /* run-to-completion pods */
	assert_int_equal(count_check(&f, "bp.sa-token-automount"), 0);
	assert_int_equal(count_check(&f, "bp.resource-limits"), 2);
	k8s_findings_release(&f);
}

static void test_writers(void **state)
{
	const char *text = "kind: Pod\nmetadata: {name: \"p\\u001bq\"}\nspec: {hostIPC: true, containers: [{name: c, image: x:1}]}\n";
	struct k8s_findings f = {0};
	struct bw_errbuf eb = {{0}};
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	json_t *j;

	(void)state;
	assert_int_equal(audit_text(text, K8S_LEVEL_BASELINE, false, &f, NULL), BW_OK);
	assert_int_equal(f.n, 1);
	m = open_memstream(&buf, &len);
	assert_int_equal(k8s_findings_write_table(&f, 1, m, &eb), BW_OK);
	fclose(m);
	assert_null(strchr(buf, 0x1b)); /* control characters are not echoed */
	assert_non_null(strstr(buf, "Pod/p?q"));
	free(buf);
	m = open_memstream(&buf, &len);
	assert_int_equal(k8s_findings_write_json(&f, 1, m, &eb), BW_OK);
	fclose(m);
	assert_int_equal(bw_json_parse(buf, len, "out", &j, &eb), BW_OK);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "high")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "findings"), 0), "field")),
			    "spec.hostIPC");
	json_decref(j);
	free(buf);
	m = open_memstream(&buf, &len);
	assert_int_equal(k8s_findings_write_sarif(&f, m, &eb), BW_OK);
	fclose(m);
	assert_int_equal(bw_json_parse(buf, len, "sarif", &j, &eb), BW_OK);
	assert_string_equal(json_string_value(json_object_get(j, "version")), "2.1.0");
	json_decref(j);
	free(buf);
	k8s_findings_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pss_fixtures),
		cmocka_unit_test(test_workload_paths),
		cmocka_unit_test(test_list_and_multidoc),
		cmocka_unit_test(test_yaml_scalars),
		cmocka_unit_test(test_yaml_merge_key),
		cmocka_unit_test(test_yaml_billion_laughs),
		cmocka_unit_test(test_yaml_depth),
		cmocka_unit_test(test_yaml_error_names_input),
		cmocka_unit_test(test_bad_types),
		cmocka_unit_test(test_best_practice),
		cmocka_unit_test(test_bp_job_no_probes),
		cmocka_unit_test(test_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_policy.c - SecurityPolicy reading (good documents, every error class
 * with the FILE:LINE:COL worked out by hand from the fixture text), limits
 * (anchor bombs, depth), directories, selection, decisions, detection
 * settings, learned profiles (caps, JSON save/load, hostile files) and the
 * export round trip. */
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

#include "policy/policy.h"

#define HDR "apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata:\n  name: web\nspec:\n"

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	bw_strlcpy(tmpdir, "/tmp/bw-test-policy-XXXXXX", sizeof(tmpdir));
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char *cmd = bw_strfmt("rm -rf '%s'", tmpdir);

	(void)state;
	if (cmd && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
	return 0;
}

static char *write_tmp(const char *name, const char *text)
{
	char *p = bw_strfmt("%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* Load text; returns the result, message in eb. */
static enum bw_err load(struct policy_set *ps, const char *text, struct bw_errbuf *eb)
{
	return policy_load_mem(ps, "t.yaml", text, strlen(text), eb);
}

static void expect_error(const char *text, enum bw_err code, const char *msg)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};

	policy_set_init(&ps);
	assert_int_equal(load(&ps, text, &eb), code);
	assert_string_equal(eb.msg, msg);
	assert_int_equal(ps.ndocs, 0);
	policy_set_release(&ps);
}

/* ---- reading ---------------------------------------------------------- */

static const char good_doc[] =
	"apiVersion: bulwark.dev/v1\n"
	"kind: SecurityPolicy\n"
	"metadata:\n"
	"  name: shop-web\n"
	"  namespace: shop\n"
	"spec:\n"
	"  selector: {labels: {app: web}, image: \"registry.example/shop/web:*\"}\n"
	"  mode: protect\n"
	"  process:\n"
	"    - {path: /usr/sbin/nginx, action: allow}\n"
	"    - path: /bin/*\n"
	"      parent: /usr/sbin/nginx\n"
	"      action: deny\n"
	"  file:\n"
	"    - {path: \"/etc/nginx/**\", access: read, action: allow}\n"
	"    - {path: \"/etc/**\", access: [write, exec], action: deny}\n"
	"    - {path: /data/**}\n"
	"  network:\n"
	"    egress:\n"
	"      - {to: {group: shop-db}, ports: [\"5432/tcp\"], app: postgresql}\n"
	"    ingress:\n"
	"      - from: {cidr: 10.0.0.0/8}\n"
	"        ports: [\"8080/tcp\", \"9000-9010/udp\"]\n"
	"        action: deny\n"
	"  detections:\n"
	"    disable: [BW-RT-001]\n"
	"    exceptions:\n"
	"      - {id: BW-RT-004, process: /usr/bin/apt}\n"
	"---\n"
	"apiVersion: bulwark.dev/v1\n"
	"kind: AdmissionPolicy\n"
	"metadata: {name: other}\n"
	"---\n"
	"apiVersion: bulwark.dev/v1\n"
	"kind: SecurityPolicy\n"
	"metadata: {name: db}\n";

static void test_parse_good(void **state)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};
	const struct policy_doc *d;

	(void)state;
	policy_set_init(&ps);
	assert_int_equal(load(&ps, good_doc, &eb), BW_OK);
	assert_int_equal(ps.ndocs, 2);
	assert_int_equal(ps.nskipped, 1);
	d = &ps.docs[0];
	assert_string_equal(d->name, "shop-web");
	assert_string_equal(d->namespace, "shop");
	assert_string_equal(d->file, "t.yaml");
	assert_int_equal(d->line, 1);
	assert_string_equal(d->sel_image, "registry.example/shop/web:*");
	assert_null(d->sel_group);
	assert_int_equal(d->sel_labels.n, 1);
	assert_string_equal(d->sel_labels.v[0], "app=web");
	assert_int_equal(d->mode, POLICY_MODE_PROTECT);
	assert_int_equal(d->nprocs, 2);
	assert_string_equal(d->procs[0].path, "/usr/sbin/nginx");
	assert_null(d->procs[0].parent);
	assert_int_equal(d->procs[0].action, POLICY_ACTION_ALLOW);
	assert_int_equal(d->procs[0].line, 10);
	assert_string_equal(d->procs[1].parent, "/usr/sbin/nginx");
	assert_int_equal(d->procs[1].action, POLICY_ACTION_DENY);
	assert_int_equal(d->procs[1].line, 11);
	assert_int_equal(d->nfiles, 3);
	assert_int_equal(d->files[0].access, POLICY_ACC_READ);
	assert_int_equal(d->files[1].access, POLICY_ACC_WRITE | POLICY_ACC_EXEC);
	assert_int_equal(d->files[1].action, POLICY_ACTION_DENY);
	/* no access: any; no action: allow */
	assert_int_equal(d->files[2].access, POLICY_ACC_READ | POLICY_ACC_WRITE | POLICY_ACC_EXEC);
	assert_int_equal(d->files[2].action, POLICY_ACTION_ALLOW);
	assert_int_equal(d->nnets, 2);
	assert_true(d->nets[0].egress);
	assert_string_equal(d->nets[0].group, "shop-db");
	assert_null(d->nets[0].cidr);
	assert_string_equal(d->nets[0].app, "postgresql");
	assert_int_equal(d->nets[0].ports.n, 1);
	assert_string_equal(d->nets[0].ports.v[0], "5432/tcp");
	assert_false(d->nets[1].egress);
	assert_string_equal(d->nets[1].cidr, "10.0.0.0/8");
	assert_int_equal(d->nets[1].ports.n, 2);
	assert_string_equal(d->nets[1].ports.v[1], "9000-9010/udp");
	assert_int_equal(d->nets[1].action, POLICY_ACTION_DENY);
	assert_int_equal(d->nets[1].line, 22);
	assert_int_equal(d->det_disabled.n, 1);
	assert_string_equal(d->det_disabled.v[0], "BW-RT-001");
	assert_int_equal(d->ndet_except, 1);
	assert_string_equal(d->det_except[0].process, "/usr/bin/apt");
	assert_null(d->det_except[0].path);
	/* third document: explicit "---" on line 33 */
	assert_string_equal(ps.docs[1].name, "db");
	assert_int_equal(ps.docs[1].line, 33);
	assert_int_equal(ps.docs[1].mode, POLICY_MODE_UNSET);
	assert_ptr_equal(policy_set_find(&ps, "db"), &ps.docs[1]);
	assert_null(policy_set_find(&ps, "nope"));
	policy_set_release(&ps);
}

static void test_parse_aliases_and_nulls(void **state)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};

	(void)state;
	policy_set_init(&ps);
	assert_int_equal(load(&ps,
			      HDR "  mode: ~\n"
				  "  process:\n"
				  "    - &r {path: /bin/sh, parent: null}\n"
				  "    - *r\n"
				  "  file:\n"
				  "---\n",
			      &eb),
			 BW_OK);
	assert_int_equal(ps.ndocs, 1);
	assert_int_equal(ps.docs[0].mode, POLICY_MODE_UNSET);
	assert_int_equal(ps.docs[0].nprocs, 2);
	assert_string_equal(ps.docs[0].procs[1].path, "/bin/sh");
	assert_null(ps.docs[0].procs[1].parent);
	assert_int_equal(ps.docs[0].nfiles, 0);
	policy_set_release(&ps);
	/* empty input: nothing, no error */
	policy_set_init(&ps);
	assert_int_equal(load(&ps, "", &eb), BW_OK);
	assert_int_equal(ps.ndocs, 0);
	policy_set_release(&ps);
}

static void test_errors_fields(void **state)
{
	(void)state;
	expect_error(HDR "  proces: []\n", BW_ERR_FORMAT,
		     "t.yaml:6:3: spec: unknown field \"proces\", did you mean \"process\"?");
	expect_error(HDR "  colour: red\n", BW_ERR_FORMAT,
		     "t.yaml:6:3: spec: unknown field \"colour\"; expected one of selector, mode, "
		     "process, file, network, detections");
	expect_error(HDR "  process: {path: /bin/sh}\n", BW_ERR_FORMAT,
		     "t.yaml:6:12: spec.process: expected a sequence, found a mapping");
	expect_error(HDR "  selector: web\n", BW_ERR_FORMAT,
		     "t.yaml:6:13: spec.selector: expected a mapping, found \"web\"");
	expect_error(HDR "  process:\n    - {path: /bin/ls, action: alow}\n", BW_ERR_FORMAT,
		     "t.yaml:7:31: spec.process[0].action: expected one of allow, deny, found \"alow\"");
	expect_error(HDR "  mode: protekt\n", BW_ERR_FORMAT,
		     "t.yaml:6:9: spec.mode: expected one of discover, monitor, protect, found \"protekt\"");
	expect_error(HDR "  process:\n    - {parent: /bin/sh}\n", BW_ERR_FORMAT,
		     "t.yaml:7:7: spec.process[0]: missing required field \"path\"");
	expect_error(HDR "  mode: monitor\n  mode: protect\n", BW_ERR_FORMAT,
		     "t.yaml:7:3: spec: field \"mode\" given twice (first at line 6 column 3)");
	expect_error(HDR "  file:\n    - {path: /etc, access: [read, writ]}\n", BW_ERR_FORMAT,
		     "t.yaml:7:35: spec.file[0].access[1]: expected one of read, write, exec, rw, "
		     "any, found \"writ\"");
	expect_error("apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata:\n  name: Web App\n",
		     BW_ERR_FORMAT,
		     "t.yaml:4:9: metadata.name: expected a group name (1-253 letters, digits, '.', "
		     "'-', '_', ':', '/', starting and ending with a letter or digit), found \"Web App\"");
	expect_error("apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nspec: {}\n", BW_ERR_FORMAT,
		     "t.yaml:1:1: missing required field \"metadata\"");
}

static void test_errors_values(void **state)
{
	(void)state;
	expect_error(HDR "  file:\n    - path: \"/etc/[abc\"\n", BW_ERR_FORMAT,
		     "t.yaml:7:13: spec.file[0].path: bad path glob \"/etc/[abc\": character classes "
		     "([...]) are not supported: globs use *, ** and ?");
	expect_error(HDR "  process:\n  - path: usr/bin/*\n", BW_ERR_FORMAT,
		     "t.yaml:7:11: spec.process[0].path: bad path glob \"usr/bin/*\": must be an "
		     "absolute path (starting with '/')");
	expect_error(HDR "  process:\n  - path: /usr/**bin\n", BW_ERR_FORMAT,
		     "t.yaml:7:11: spec.process[0].path: bad path glob \"/usr/**bin\": \"**\" must be a "
		     "whole path component (\"/a/**/b\"); use \"*\" inside a name");
	expect_error(HDR "  network:\n    egress:\n      - ports: [\"80/tcp\", \"80/icmp\"]\n",
		     BW_ERR_FORMAT,
		     "t.yaml:8:27: spec.network.egress[0].ports[1]: protocol must be tcp or udp, found "
		     "\"80/icmp\"");
	expect_error(HDR "  network:\n    ingress:\n      - from: {cidr: 192.168.1.0/33}\n",
		     BW_ERR_FORMAT,
		     "t.yaml:8:22: spec.network.ingress[0].from.cidr: bad CIDR \"192.168.1.0/33\": IPv4 "
		     "prefix length is at most 32");
	expect_error(HDR "  network:\n    egress:\n      - to: {cidr: 10.1.2.3/8}\n", BW_ERR_FORMAT,
		     "t.yaml:8:20: spec.network.egress[0].to.cidr: bad CIDR \"10.1.2.3/8\": host bits "
		     "are set after the prefix; did you mean \"10.0.0.0/8\"?");
	expect_error(HDR "  detections:\n    disable: [shell]\n", BW_ERR_FORMAT,
		     "t.yaml:7:15: spec.detections.disable[0]: expected a detection id like "
		     "\"BW-RT-001\" or \"*\", found \"shell\"");
	expect_error("apiVersion: bulwark.dev/v2\nkind: SecurityPolicy\nmetadata: {name: web}\n",
		     BW_ERR_FORMAT,
		     "t.yaml:1:13: apiVersion: \"bulwark.dev/v2\" is not supported; this version reads "
		     "bulwark.dev/v1");
	expect_error("apiVersion: bulwark.dev/v1\nkind: SecurityPolcy\nmetadata: {name: web}\n",
		     BW_ERR_FORMAT,
		     "t.yaml:2:7: kind: unknown kind \"SecurityPolcy\", did you mean \"SecurityPolicy\"?");
	expect_error("- just\n- a list\n", BW_ERR_FORMAT,
		     "t.yaml:1:1: expected a SecurityPolicy mapping (apiVersion, kind, metadata, "
		     "spec), found a sequence");
}

static void test_errors_yaml(void **state)
{
	(void)state;
	/* the unclosed '[' is noticed at the end of the input: line 3 column 1 */
	expect_error("apiVersion: bulwark.dev/v1\nkind: [SecurityPolicy\n", BW_ERR_FORMAT,
		     "t.yaml:3:1: YAML syntax error: flow sequence without a closing bracket");
	expect_error(HDR "  mode: *m\n", BW_ERR_FORMAT,
		     "t.yaml:6:9: alias *m names no anchor defined before it");
	{
		struct policy_set ps;
		struct bw_errbuf eb = {{0}};

		/* "a: 1\n" is bytes 0-4: the NUL at offset 5 starts line 2 */
		policy_set_init(&ps);
		assert_int_equal(policy_load_mem(&ps, "t.yaml", "a: 1\n\0b: 2\n", 11, &eb),
				 BW_ERR_FORMAT);
		assert_string_equal(eb.msg, "t.yaml:2:1: NUL byte: not a YAML text");
		policy_set_release(&ps);
	}
}

/* Several errors are all reported, in order, and counted. */
static void test_errors_all(void **state)
{
	struct policy_set ps;
	struct bw_strv errs = {0};
	struct bw_errbuf eb = {{0}};
	char *p = write_tmp("bad.yaml", HDR "  proces: []\n"             /* 6 */
					    "  mode: protekt\n"               /* 7 */
					    "  process:\n"                    /* 8 */
					    "    - {path: bin/sh}\n"          /* 9 */
					    "    - {path: /bin/ls, action: alow}\n"); /* 10 */
	char *want;

	(void)state;
	policy_set_init(&ps);
	assert_int_equal(policy_load_file_all(&ps, p, &errs, &eb), BW_ERR_FORMAT);
	assert_int_equal(errs.n, 4);
	want = bw_strfmt("%s:10:31: spec.process[1].action: expected one of allow, deny, found \"alow\"", p);
	assert_string_equal(errs.v[3], want);
	free(want);
	want = bw_strfmt("%s:9:14: spec.process[0].path: bad path glob \"bin/sh\": must be an absolute path (starting with '/')", p);
	assert_string_equal(errs.v[2], want);
	free(want);
	assert_non_null(strstr(eb.msg, "(and 3 more errors)"));
	assert_int_equal(ps.ndocs, 0);
	bw_strv_release(&errs);
	/* a missing file is an IO error */
	assert_int_equal(policy_load_file_all(&ps, "/nonexistent/x.yaml", &errs, &eb), BW_ERR_IO);
	bw_strv_release(&errs);
	policy_set_release(&ps);
	free(p);
}

static void test_limits(void **state)
{
	struct bw_buf b;
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};

	(void)state;
	/* anchor bomb: 1000 ports aliased by 1000 rules = 1,000,000 visits */
	bw_buf_init(&b, 1 << 20);
	bw_buf_appends(&b, HDR "  network:\n    egress:\n      - ports: &p [");
	for (int i = 0; i < 1000; i++)
		bw_buf_appendf(&b, "%s\"%d/tcp\"", i ? ", " : "", i + 1);
	bw_buf_appends(&b, "]\n");
	for (int i = 0; i < 1000; i++)
		bw_buf_appends(&b, "      - ports: *p\n");
	policy_set_init(&ps);
	assert_int_equal(policy_load_mem(&ps, "bomb.yaml", b.data, b.len, &eb), BW_ERR_LIMIT);
	assert_non_null(strstr(eb.msg, "more than 200000 YAML nodes visited"));
	assert_int_equal(ps.ndocs, 0);
	bw_buf_release(&b);
	/* nesting */
	bw_buf_init(&b, 1 << 10);
	bw_buf_appends(&b, HDR "  x: ");
	for (int i = 0; i < 40; i++)
		bw_buf_appends(&b, "[");
	for (int i = 0; i < 40; i++)
		bw_buf_appends(&b, "]");
	bw_buf_appends(&b, "\n");
	assert_int_equal(policy_load_mem(&ps, "deep.yaml", b.data, b.len, &eb), BW_ERR_LIMIT);
	assert_non_null(strstr(eb.msg, "nested deeper than 32"));
	bw_buf_release(&b);
	/* size */
	assert_int_equal(policy_load_mem(&ps, "big.yaml", "a", POLICY_MAX_FILE_BYTES + 1, &eb),
			 BW_ERR_LIMIT);
	policy_set_release(&ps);
}

static void test_dir(void **state)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};
	char *d = bw_strfmt("%s/pol", tmpdir), *p;

	(void)state;
	assert_int_equal(mkdir(d, 0755), 0);
	free(write_tmp("pol/b.yml", "apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: b}\n"));
	free(write_tmp("pol/a.yaml", "apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: a}\n"));
	free(write_tmp("pol/notes.txt", "not a policy"));
	policy_set_init(&ps);
	assert_int_equal(policy_load_dir(&ps, d, &eb), BW_OK);
	assert_int_equal(ps.ndocs, 2);
	assert_string_equal(ps.docs[0].name, "a");
	assert_string_equal(ps.docs[1].name, "b");
	policy_set_release(&ps);
	/* same group in two files: error naming both; nothing applied */
	free(write_tmp("pol/c.yaml", "# comment\napiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata:\n  name: a\n"));
	policy_set_init(&ps);
	assert_int_equal(policy_load_dir(&ps, d, &eb), BW_ERR_FORMAT);
	p = bw_strfmt("%s/c.yaml:5:9: metadata.name: group \"a\" is already defined by the document at %s/a.yaml:1",
		      d, d);
	assert_string_equal(eb.msg, p);
	free(p);
	assert_int_equal(ps.ndocs, 0);
	policy_set_release(&ps);
	free(d);
}

/* ---- selection and decisions ------------------------------------------ */

static const char sel_doc[] =
	"apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: web}\n"
	"---\n"
	"apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: db}\n"
	"spec: {selector: {image: \"registry.example/shop/db:*\"}}\n"
	"---\n"
	"apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: shop-api, namespace: shop}\n"
	"spec: {selector: {labels: {app: api, tier: backend}}}\n"
	"---\n"
	"apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: catchall}\n"
	"spec: {selector: {group: \"**\"}}\n";

static const char *select_name(const struct policy_set *ps, const char *group, const char *image,
				const char *ns, const struct bw_strv *labels)
{
	struct policy_target t = {.group = group, .name = "c1", .image = image, .k8s_namespace = ns,
				  .labels = labels};
	const struct policy_doc *d = policy_select(ps, &t);

	return d ? d->name : "(none)";
}

static void test_select(void **state)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};
	struct bw_strv l3 = {0}, l1 = {0};

	(void)state;
	policy_set_init(&ps);
	assert_int_equal(load(&ps, sel_doc, &eb), BW_OK);
	bw_strv_push(&l3, "app=api");
	bw_strv_push(&l3, "x=y");
	bw_strv_push(&l3, "tier=backend");
	bw_strv_push(&l1, "app=api");
	assert_string_equal(select_name(&ps, "web", "", "", NULL), "web");
	assert_string_equal(select_name(&ps, "x", "registry.example/shop/db:1.2", "", NULL), "db");
	/* '*' stays inside one component */
	assert_string_equal(select_name(&ps, "x", "registry.example/shop/db/x:1", "", NULL), "catchall");
	assert_string_equal(select_name(&ps, "x", "", "shop", &l3), "shop-api");
	assert_string_equal(select_name(&ps, "x", "", "other", &l3), "catchall");
	assert_string_equal(select_name(&ps, "x", "", "shop", &l1), "catchall");
	/* "**" crosses '/' */
	assert_string_equal(select_name(&ps, "bwtest/web", "", "", NULL), "catchall");
	bw_strv_release(&l3);
	bw_strv_release(&l1);
	policy_set_release(&ps);
	/* no catch-all: nothing */
	policy_set_init(&ps);
	assert_int_equal(load(&ps, "apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: web}\n", &eb), BW_OK);
	assert_string_equal(select_name(&ps, "web2", "", "", NULL), "(none)");
	policy_set_release(&ps);
}

static const char rules_doc[] = HDR
	"  process:\n"
	"    - {path: /bin/sh, parent: /usr/bin/env, action: deny}\n"
	"    - {path: /bin/*, action: allow}\n"
	"    - {path: \"/usr/**/python3*\"}\n"
	"    - {path: /tmp/**, action: deny}\n"
	"  file:\n"
	"    - {path: \"/etc/nginx/**\", access: read, action: allow}\n"
	"    - {path: \"/etc/**\", access: write, action: deny}\n"
	"    - {path: \"/var/log/*.log\", access: rw}\n"
	"  detections:\n"
	"    disable: [BW-RT-001]\n"
	"    exceptions:\n"
	"      - {id: BW-RT-004, process: \"/usr/bin/apt*\"}\n"
	"      - {id: \"*\", path: \"/var/cache/**\"}\n"
	"      - {id: BW-RT-009, process: /bin/sh, path: /etc/shadow}\n";

static void test_decisions(void **state)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};
	const struct policy_doc *d;
	const unsigned R = POLICY_ACC_READ, W = POLICY_ACC_WRITE, X = POLICY_ACC_EXEC;

	(void)state;
	policy_set_init(&ps);
	assert_int_equal(load(&ps, rules_doc, &eb), BW_OK);
	d = &ps.docs[0];
	assert_int_equal(policy_check_exec(d, "/bin/sh", "/usr/bin/env"), POLICY_VERDICT_DENY);
	assert_int_equal(policy_check_exec(d, "/bin/sh", "/bin/bash"), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_exec(d, "/bin/sh", NULL), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_exec(d, "/bin/x/y", NULL), POLICY_VERDICT_NONE);
	assert_int_equal(policy_check_exec(d, "/usr/local/bin/python3.11", NULL), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_exec(d, "/usr/python3", NULL), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_exec(d, "/tmp/a/b", NULL), POLICY_VERDICT_DENY);
	assert_int_equal(policy_check_exec(d, "/sbin/init", NULL), POLICY_VERDICT_NONE);
	assert_int_equal(policy_check_exec(d, NULL, NULL), POLICY_VERDICT_NONE);
	assert_int_equal(policy_check_exec(NULL, "/bin/sh", NULL), POLICY_VERDICT_NONE);

	assert_int_equal(policy_check_file(d, "/etc/nginx/nginx.conf", R), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_file(d, "/etc/nginx/nginx.conf", W), POLICY_VERDICT_DENY);
	assert_int_equal(policy_check_file(d, "/etc/nginx/nginx.conf", R | W), POLICY_VERDICT_DENY);
	assert_int_equal(policy_check_file(d, "/etc/passwd", R), POLICY_VERDICT_NONE);
	assert_int_equal(policy_check_file(d, "/var/log/a.log", R | W), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_file(d, "/var/log/a.log", X), POLICY_VERDICT_NONE);
	assert_int_equal(policy_check_file(d, "/var/log/a.log", R | X), POLICY_VERDICT_NONE);
	assert_int_equal(policy_check_file(d, "/var/log/x/a.log", R), POLICY_VERDICT_NONE);

	assert_false(policy_detection_enabled(d, "BW-RT-001", "/bin/sh", NULL));
	assert_true(policy_detection_enabled(d, "BW-RT-002", "/bin/sh", NULL));
	assert_false(policy_detection_enabled(d, "BW-RT-004", "/usr/bin/apt-get", NULL));
	assert_true(policy_detection_enabled(d, "BW-RT-004", "/bin/sh", NULL));
	assert_false(policy_detection_enabled(d, "BW-RT-007", "/bin/x", "/var/cache/a"));
	assert_false(policy_detection_enabled(d, "BW-RT-009", "/bin/sh", "/etc/shadow"));
	assert_true(policy_detection_enabled(d, "BW-RT-009", "/bin/sh", "/etc/passwd"));
	assert_true(policy_detection_enabled(d, "BW-RT-009", NULL, "/etc/shadow"));
	assert_true(policy_detection_enabled(NULL, "BW-RT-001", "/bin/sh", NULL));
	policy_set_release(&ps);
}

static void test_modes(void **state)
{
	enum policy_mode m = POLICY_MODE_UNSET;

	(void)state;
	assert_true(policy_mode_parse("monitor", &m));
	assert_int_equal(m, POLICY_MODE_MONITOR);
	assert_false(policy_mode_parse("Monitor", &m));
	assert_string_equal(policy_mode_name(POLICY_MODE_PROTECT), "protect");
	assert_string_equal(policy_mode_name(POLICY_MODE_UNSET), "unset");
}

/* ---- profiles --------------------------------------------------------- */

static void test_profile_caps(void **state)
{
	struct policy_profile p;
	char path[1100];

	(void)state;
	policy_profile_init(&p, "g");
	assert_true(policy_profile_add_exec(&p, "/bin/sh", "/usr/bin/env"));
	assert_false(policy_profile_add_exec(&p, "/bin/sh", "/usr/bin/env"));
	assert_true(policy_profile_add_exec(&p, "/bin/sh", NULL));
	assert_true(policy_profile_has_exec(&p, "/bin/sh"));
	assert_false(policy_profile_has_exec(&p, "/bin/s"));
	assert_false(policy_profile_add_exec(&p, "/bin/a\tb", NULL));
	assert_false(policy_profile_add_exec(&p, "", NULL));
	assert_false(policy_profile_add_exec(&p, "/bin/\xff", NULL));
	assert_false(policy_profile_add_conn(&p, true, "10.0.0.1", 70000, "tcp"));
	assert_false(policy_profile_add_conn(&p, true, "10.0.0.1", 80, "icmp"));
	assert_true(policy_profile_add_conn(&p, true, "10.0.0.1", 80, "tcp"));
	assert_false(policy_profile_add_conn(&p, true, "10.0.0.1", 80, "tcp"));
	assert_true(policy_profile_add_conn(&p, false, "10.0.0.1", 80, "tcp"));
	assert_string_equal(p.conns.v[1], "ingress\t10.0.0.1\t80/tcp");
	assert_true(p.updated > 0);
	policy_profile_release(&p);

	policy_profile_init(&p, "g");
	for (int i = 0; i < POLICY_PROFILE_MAX_EXECS; i++) {
		snprintf(path, sizeof(path), "/bin/e%d", i);
		assert_true(policy_profile_add_exec(&p, path, NULL));
	}
	assert_false(policy_profile_add_exec(&p, "/bin/one-more", NULL));
	assert_false(policy_profile_has_exec(&p, "/bin/one-more"));
	assert_true(policy_profile_has_exec(&p, "/bin/e4095"));
	for (int i = 0; i < POLICY_PROFILE_MAX_CONNS; i++)
		assert_true(policy_profile_add_conn(&p, true, "10.0.0.1", (unsigned)i + 1, "udp"));
	assert_false(policy_profile_add_conn(&p, true, "10.0.0.2", 1, "udp"));
	policy_profile_release(&p);

	/* bytes: 1000-byte paths, 2 MiB = 2097152 bytes: 2097 fit */
	policy_profile_init(&p, "g");
	memset(path, 'a', 1000);
	path[0] = '/';
	path[1000] = '\0';
	for (int i = 0; i < 3000; i++) {
		snprintf(path + 1, 6, "%05d", i);
		path[6] = 'a';
		if (!policy_profile_add_write(&p, path))
			break;
	}
	assert_int_equal(p.writes.n, 2097);
	memset(path, 'a', 1025);
	path[0] = '/';
	path[1025] = '\0';
	policy_profile_release(&p);
	policy_profile_init(&p, "g");
	assert_false(policy_profile_add_write(&p, path)); /* 1025 bytes */
	policy_profile_release(&p);
}

static void test_profile_save_load(void **state)
{
	struct policy_profile p, q;
	struct bw_errbuf eb = {{0}};
	char *path = bw_strfmt("%s/prof.json", tmpdir);
	json_t *j;
	json_error_t je;

	(void)state;
	policy_profile_init(&p, "bwtest/web");
	policy_profile_add_exec(&p, "/bin/sh", "/usr/bin/env");
	policy_profile_add_exec(&p, "/bin/sh", "");
	policy_profile_add_exec(&p, "/bin/\"quoted\"", NULL);
	policy_profile_add_write(&p, "/tmp/x");
	policy_profile_add_conn(&p, true, "10.0.0.5", 5432, "tcp");
	policy_profile_add_conn(&p, false, "shop-lb", 8080, "tcp");
	assert_int_equal(policy_profile_save(&p, path, &eb), BW_OK);
	/* what is on disk, read by jansson itself */
	j = json_load_file(path, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "group")), "bwtest/web");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "execs"), 0), "parent")), "/usr/bin/env");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "conns"), 0), "port")), 5432);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "conns"), 1), "direction")), "ingress");
	json_decref(j);

	policy_profile_init(&q, "other");
	assert_int_equal(policy_profile_load(&q, path, &eb), BW_OK);
	assert_string_equal(q.group, "bwtest/web");
	assert_int_equal(q.execs.n, 3);
	assert_string_equal(q.execs.v[1], "/bin/sh\t");
	assert_true(policy_profile_has_exec(&q, "/bin/\"quoted\""));
	assert_true(policy_profile_has_write(&q, "/tmp/x"));
	assert_int_equal(q.conns.n, 2);
	assert_string_equal(q.conns.v[0], "egress\t10.0.0.5\t5432/tcp");
	assert_string_equal(q.conns.v[1], "ingress\tshop-lb\t8080/tcp");
	assert_int_equal(q.updated, p.updated);
	policy_profile_release(&p);
	free(path);

	/* hostile files: each refused, q untouched */
	static const struct {
		const char *text;
		enum bw_err code;
	} bad[] = {
		{"not json", BW_ERR_FORMAT},
		{"[]", BW_ERR_FORMAT},
		{"{\"version\": 2, \"group\": \"g\"}", BW_ERR_FORMAT},
		{"{\"version\": 1}", BW_ERR_FORMAT},
		{"{\"version\": 1, \"group\": \"g\", \"execs\": {}}", BW_ERR_FORMAT},
		{"{\"version\": 1, \"group\": \"g\", \"writes\": [\"/a\\u0001b\"]}", BW_ERR_FORMAT},
		{"{\"version\": 1, \"group\": \"g\", \"writes\": [\"/a\\u0000b\"]}", BW_ERR_FORMAT},
		{"{\"version\": 1, \"group\": \"g\", \"execs\": [{\"exe\": 1}]}", BW_ERR_FORMAT},
		{"{\"version\": 1, \"group\": \"g\", \"conns\": [{\"direction\": \"up\", \"peer\": \"x\", \"port\": 1, \"proto\": \"tcp\"}]}", BW_ERR_FORMAT},
		{"{\"version\": 1, \"group\": \"g\", \"conns\": [{\"direction\": \"egress\", \"peer\": \"x\", \"port\": 65536, \"proto\": \"tcp\"}]}", BW_ERR_FORMAT},
		{"{\"version\": 1, \"version\": 1, \"group\": \"g\"}", BW_ERR_FORMAT},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *f = write_tmp("bad.json", bad[i].text);

		assert_int_equal(policy_profile_load(&q, f, &eb), bad[i].code);
		assert_non_null(strstr(eb.msg, f));
		free(f);
	}
	{
		struct bw_buf b;
		char *f;

		bw_buf_init(&b, 1 << 20);
		bw_buf_appends(&b, "{\"version\": 1, \"group\": \"g\", \"writes\": [");
		for (int i = 0; i <= POLICY_PROFILE_MAX_WRITES; i++)
			bw_buf_appendf(&b, "%s\"/w%d\"", i ? "," : "", i);
		bw_buf_appends(&b, "]}");
		f = write_tmp("big.json", b.data);
		assert_int_equal(policy_profile_load(&q, f, &eb), BW_ERR_LIMIT);
		free(f);
		bw_buf_release(&b);
	}
	assert_int_equal(policy_profile_load(&q, "/nonexistent/p.json", &eb), BW_ERR_NOT_FOUND);
	assert_string_equal(q.group, "bwtest/web");
	assert_int_equal(q.execs.n, 3);
	policy_profile_release(&q);
}

static void test_profile_filename(void **state)
{
	char *f;
	char group[251];

	(void)state;
	f = policy_profile_filename("bwtest/web");
	assert_string_equal(f, "bwtest_web.json");
	free(f);
	f = policy_profile_filename("shop.web-1_x");
	assert_string_equal(f, "shop.web-1_x.json");
	free(f);
	f = policy_profile_filename("a b:c");
	assert_string_equal(f, "a_b_c.json");
	free(f);
	memset(group, 'a', 250);
	group[250] = '\0';
	f = policy_profile_filename(group);
	/* sha256 of 250 'a' bytes, computed with Python's hashlib */
	assert_int_equal(strlen(f), 200 + 1 + 16 + 5);
	assert_string_equal(f + 200, "-3f3e35e0a775d9b1.json");
	free(f);
}

/* Learn, export, read back: every learned executable is allowed and
 * nothing else is (hand-chosen list). */
static void test_export_round_trip(void **state)
{
	static const char *const learned[] = {"/bin/sh", "/bin/busybox", "/usr/bin/python3.11",
					       "/opt/app/run*me", "/opt/we[ird]/x", "/app/bin/server",
					       NULL};
	static const char *const others[] = {"/bin/ls", "/bin/sh2", "/usr/bin/python3",
					     "/opt/app/run", "/app/bin/server2", "/tmp/out.txt",
					     "/bin", NULL};
	struct policy_profile p;
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const struct policy_doc *d;
	struct policy_target t = {.group = "bwtest/web", .name = "c", .image = "", .k8s_namespace = ""};
	bool seen_cidr = false, seen_group = false, seen_in = false;

	(void)state;
	policy_profile_init(&p, "bwtest/web");
	for (size_t i = 0; learned[i]; i++)
		assert_true(policy_profile_add_exec(&p, learned[i], "/bin/sh"));
	assert_true(policy_profile_add_exec(&p, "/app/bin/server", "/sbin/init"));
	policy_profile_add_write(&p, "/tmp/out.txt");
	policy_profile_add_write(&p, "/var/log/app.log");
	policy_profile_add_conn(&p, true, "10.0.0.5", 5432, "tcp");
	policy_profile_add_conn(&p, true, "10.0.0.5", 5433, "tcp");
	policy_profile_add_conn(&p, true, "shop-db", 6379, "tcp");
	policy_profile_add_conn(&p, false, "192.168.1.10", 8080, "tcp");
	assert_int_equal(policy_export_yaml(&p, POLICY_MODE_PROTECT, f, &eb), BW_OK);
	fclose(f);
	policy_set_init(&ps);
	if (policy_load_mem(&ps, "export.yaml", text, len, &eb) != BW_OK)
		fail_msg("export does not load back: %s\n%s", eb.msg, text);
	assert_int_equal(ps.ndocs, 1);
	d = policy_select(&ps, &t);
	assert_non_null(d);
	assert_string_equal(d->name, "bwtest/web");
	assert_int_equal(d->mode, POLICY_MODE_PROTECT);
	assert_int_equal(d->nprocs, 6); /* one rule per executable */
	for (size_t i = 0; learned[i]; i++)
		assert_int_equal(policy_check_exec(d, learned[i], NULL), POLICY_VERDICT_ALLOW);
	for (size_t i = 0; others[i]; i++)
		if (policy_check_exec(d, others[i], NULL) != POLICY_VERDICT_NONE)
			fail_msg("%s is allowed by the export", others[i]);
	assert_int_equal(policy_check_file(d, "/tmp/out.txt", POLICY_ACC_WRITE), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_file(d, "/var/log/app.log", POLICY_ACC_WRITE), POLICY_VERDICT_ALLOW);
	assert_int_equal(policy_check_file(d, "/tmp/other", POLICY_ACC_WRITE), POLICY_VERDICT_NONE);
	assert_int_equal(policy_check_file(d, "/tmp/out.txt", POLICY_ACC_EXEC), POLICY_VERDICT_NONE);
	assert_int_equal(d->nnets, 3);
	for (size_t i = 0; i < d->nnets; i++) {
		const struct policy_net_rule *r = &d->nets[i];

		if (r->egress && r->cidr && strcmp(r->cidr, "10.0.0.5") == 0 && r->ports.n == 2 &&
		    strcmp(r->ports.v[0], "5432/tcp") == 0 && strcmp(r->ports.v[1], "5433/tcp") == 0)
			seen_cidr = true;
		if (r->egress && r->group && strcmp(r->group, "shop-db") == 0 && r->ports.n == 1)
			seen_group = true;
		if (!r->egress && r->cidr && strcmp(r->cidr, "192.168.1.10") == 0)
			seen_in = true;
	}
	assert_true(seen_cidr && seen_group && seen_in);
	policy_set_release(&ps);
	policy_profile_release(&p);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_aliases_and_nulls),
		cmocka_unit_test(test_errors_fields),
		cmocka_unit_test(test_errors_values),
		cmocka_unit_test(test_errors_yaml),
		cmocka_unit_test(test_errors_all),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_profile_caps),
		cmocka_unit_test(test_profile_save_load),
		cmocka_unit_test(test_profile_filename),
		cmocka_unit_test(test_export_round_trip),
	};

	bw_log_set_level(BW_LOG_ERROR);
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}

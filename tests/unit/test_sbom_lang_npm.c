/* test_sbom_lang_npm.c - the npm cataloger.
 *
 * Expected lists come from outside the code under test:
 *  - tests/data/lang/npm/X/ hold lockfiles written by the real tools (npm 11
 *    --lockfile-version 1 and 2, yarn 1.22.22, yarn 4.5.3 (berry), pnpm
 *    8.15.9 (lockfile 6.0) and 9.15.0 (9.0)) for one small project; X.expected.tsv
 *    lists (name, version, dev) written by hand from each lockfile's text;
 *  - an installed node_modules tree the test writes itself, with the
 *    expectation worked out by hand (which package.json files are packages);
 *  - hostile inputs: errors name the file and line, limits hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

#define DATA BW_SOURCE_ROOT "/tests/data/lang/npm"

/* The parsers (their prototypes are in lang_npm.c until sbom.h has them). */

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

/* "name\tversion\tdev\n" rows of the sbom's npm packages, sorted, unique;
 * a (name, version) is dev only when every copy is. */
static char *npm_rows(const struct sbom *sb)
{
	struct bw_strv rows = {0}, out = {0};
	struct bw_buf b;

	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];
		char *r;

		if (p->type != SBOM_PKG_NPM)
			continue;
		r = bw_strfmt("%s\t%s\t%s\n", p->name, p->version, p->dev ? "true" : "false");
		assert_non_null(r);
		assert_int_equal(bw_strv_push_owned(&rows, r), BW_OK);
	}
	bw_strv_sort(&rows);
	for (size_t i = 0; i < rows.n; i++) {
		/* "n\tv\ttrue" sorts after "n\tv\tfalse": keep the false one */
		if (out.n) {
			const char *prev = out.v[out.n - 1];
			size_t pl = strrchr(prev, '\t') - prev, cl = strrchr(rows.v[i], '\t') - rows.v[i];

			if (pl == cl && strncmp(prev, rows.v[i], pl) == 0)
				continue;
		}
		assert_int_equal(bw_strv_push(&out, rows.v[i]), BW_OK);
	}
	bw_buf_init(&b, 64u << 20);
	for (size_t i = 0; i < out.n; i++)
		assert_int_equal(bw_buf_appends(&b, out.v[i]), BW_OK);
	bw_strv_release(&rows);
	bw_strv_release(&out);
	return bw_buf_detach(&b, NULL);
}

/* The expected file, sorted (it is written in lockfile order). */
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

static struct sbom *catalog_dir(const char *dir)
{
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = NULL;
	char *ref = bw_strfmt("dir:%s", dir);

	assert_non_null(ref);
	if (sbom_catalog_ref(ref, NULL, NULL, &sb, &eb) != BW_OK)
		fail_msg("sbom of %s: %s", ref, eb.msg);
	free(ref);
	return sb;
}

static void check_fixture(const char *name)
{
	char dir[512], exp[512];
	struct sbom *sb;
	char *got, *want;

	snprintf(dir, sizeof(dir), "%s/%s", DATA, name);
	snprintf(exp, sizeof(exp), "%s/%s.expected.tsv", DATA, name);
	sb = catalog_dir(dir);
	got = npm_rows(sb);
	want = expected_rows(exp);
	assert_string_equal(got, want);
	assert_int_equal(sb->warnings.n, 0);
	free(got);
	free(want);
	sbom_free(sb);
}

static void test_lock_v1(void **state) { (void)state; check_fixture("lock-v1"); }
static void test_lock_v2(void **state) { (void)state; check_fixture("lock-v2"); }
static void test_yarn_classic(void **state) { (void)state; check_fixture("yarn-classic"); }
static void test_yarn_berry(void **state) { (void)state; check_fixture("yarn-berry"); }
static void test_pnpm_v6(void **state) { (void)state; check_fixture("pnpm-v6"); }
static void test_pnpm_v9(void **state) { (void)state; check_fixture("pnpm-v9"); }

/* ---- an installed tree written by the test ---- */

static const struct {
	const char *path, *text;
} tree[] = {
	{"package.json", "{\"name\":\"proj\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"1.0.0\"}}"},
	{"node_modules/a/package.json",
	 "{\"name\":\"a\",\"version\":\"1.0.0\",\"license\":\"ISC\"}"},
	{"node_modules/@s/b/package.json",
	 "{\"name\":\"@s/b\",\"version\":\"2.0.0\",\"license\":{\"type\":\"MIT\"}}"},
	{"node_modules/a/node_modules/c/package.json",
	 "{\"name\":\"c\",\"version\":\"3.0.0\",\"licenses\":[{\"type\":\"MIT\"},{\"type\":\"Apache-2.0\"}]}"},
	/* not packages: a fixture inside a package, no version, a hidden dir */
	{"node_modules/a/test/fixtures/package.json", "{\"name\":\"fixture\",\"version\":\"9.9.9\"}"},
	{"node_modules/d/package.json", "{\"name\":\"d\"}"},
	{"node_modules/.cache/x/package.json", "{\"name\":\"x\",\"version\":\"1.0.0\"}"},
	/* a lockfile published inside a package: ignored */
	{"node_modules/a/yarn.lock", "# yarn lockfile v1\n\n\nevil@^1.0.0:\n  version \"1.0.0\"\n"},
	/* the project's lockfile: marks c dev; zzz is not installed */
	{"package-lock.json",
	 "{\"name\":\"proj\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"proj\"},"
	 "\"node_modules/a\":{\"version\":\"1.0.0\"},"
	 "\"node_modules/a/node_modules/c\":{\"version\":\"3.0.0\",\"dev\":true},"
	 "\"node_modules/@s/b\":{\"version\":\"2.0.0\"},"
	 "\"node_modules/zzz\":{\"version\":\"0.0.1\"}}}"},
};

static void write_tree(const char *root, bool with_node_modules)
{
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		char path[1024], *slash;
		FILE *f;

		if (!with_node_modules && bw_str_starts_with(tree[i].path, "node_modules/"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, tree[i].path);
		for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
			*slash = '\0';
			mkdir(path, 0755);
			*slash = '/';
		}
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(tree[i].text, f);
		fclose(f);
	}
}

static void rm_tree(const char *root)
{
	char *cmd = bw_strfmt("rm -rf '%s'", root);

	assert_non_null(cmd);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_installed(void **state)
{
	char root[] = "/tmp/bw-npm-test.XXXXXX";
	struct sbom *sb;
	char *got;
	size_t nb = 0;

	(void)state;
	assert_non_null(mkdtemp(root));
	write_tree(root, true);
	sb = catalog_dir(root);
	got = npm_rows(sb);
	/* worked by hand from the tree: three packages, c dev by the lockfile;
	 * the fixture, the versionless one, the hidden dir, the published
	 * yarn.lock and the lockfile's uninstalled zzz are not listed */
	assert_string_equal(got, "@s/b\t2.0.0\tfalse\na\t1.0.0\tfalse\nc\t3.0.0\ttrue\n");
	free(got);
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (p->type != SBOM_PKG_NPM)
			continue;
		if (strcmp(p->name, "@s/b") == 0) {
			nb++;
			assert_string_equal(p->purl, "pkg:npm/%40s/b@2.0.0");
			assert_string_equal(p->found_path, "node_modules/@s/b/package.json");
			assert_int_equal(p->licenses.n, 1);
			assert_string_equal(p->licenses.v[0], "MIT");
			assert_null(p->layer_digest);
		} else if (strcmp(p->name, "c") == 0) {
			nb++;
			assert_string_equal(p->purl, "pkg:npm/c@3.0.0");
			assert_int_equal(p->licenses.n, 2);
			assert_string_equal(p->licenses.v[0], "MIT");
			assert_string_equal(p->licenses.v[1], "Apache-2.0");
		}
	}
	assert_int_equal(nb, 2);
	sbom_free(sb);
	rm_tree(root);

	/* no package-lock.json: npm's hidden lockfile in node_modules marks dev */
	memcpy(root, "/tmp/bw-npm-test.XXXXXX", sizeof(root));
	assert_non_null(mkdtemp(root));
	write_tree(root, true);
	{
		char from[1100], to[1100];

		snprintf(from, sizeof(from), "%s/package-lock.json", root);
		snprintf(to, sizeof(to), "%s/node_modules/.package-lock.json", root);
		assert_int_equal(rename(from, to), 0);
	}
	sb = catalog_dir(root);
	got = npm_rows(sb);
	assert_string_equal(got, "@s/b\t2.0.0\tfalse\na\t1.0.0\tfalse\nc\t3.0.0\ttrue\n");
	free(got);
	sbom_free(sb);
	rm_tree(root);

	/* the same project without node_modules: the lockfile is the source */
	memcpy(root, "/tmp/bw-npm-test.XXXXXX", sizeof(root));
	assert_non_null(mkdtemp(root));
	write_tree(root, false);
	sb = catalog_dir(root);
	got = npm_rows(sb);
	assert_string_equal(got, "@s/b\t2.0.0\tfalse\na\t1.0.0\tfalse\nc\t3.0.0\ttrue\n"
				 "zzz\t0.0.1\tfalse\n");
	free(got);
	sbom_free(sb);
	rm_tree(root);
}

/* yarn.lock records no dev flag: the package.json beside it gives the roots.
 * With workspaces but no member package.json kept, the root's roots still
 * count (test_yarn_workspaces has members). */
static void test_yarn_roots(void **state)
{
	static const char *const pj[] = {
		"{\"name\":\"p\",\"dependencies\":{\"debug\":\"4.3.4\"},"
		"\"devDependencies\":{\"ms\":\"2.1.3\"}}",
		"{\"name\":\"p\",\"workspaces\":[\"packages/*\"],"
		"\"dependencies\":{\"debug\":\"4.3.4\"},\"devDependencies\":{\"ms\":\"2.1.3\"}}",
	};
	/* hand-worked: debug -> ms@2.1.2 is production, ms@2.1.3 only dev */
	static const char *const want[] = {
		"debug\t4.3.4\tfalse\nms\t2.1.2\tfalse\nms\t2.1.3\ttrue\n",
		"debug\t4.3.4\tfalse\nms\t2.1.2\tfalse\nms\t2.1.3\ttrue\n",
	};
	static const char lock[] = "# yarn lockfile v1\n\n\n"
				   "debug@4.3.4:\n  version \"4.3.4\"\n  dependencies:\n    ms \"2.1.2\"\n\n"
				   "ms@2.1.2:\n  version \"2.1.2\"\n\n"
				   "ms@2.1.3:\n  version \"2.1.3\"\n";

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char root[] = "/tmp/bw-npm-test.XXXXXX", path[1100];
		struct sbom *sb;
		FILE *f;
		char *got;

		assert_non_null(mkdtemp(root));
		snprintf(path, sizeof(path), "%s/package.json", root);
		assert_non_null(f = fopen(path, "w"));
		fputs(pj[i], f);
		fclose(f);
		snprintf(path, sizeof(path), "%s/yarn.lock", root);
		assert_non_null(f = fopen(path, "w"));
		fputs(lock, f);
		fclose(f);
		sb = catalog_dir(root);
		got = npm_rows(sb);
		assert_string_equal(got, want[i]);
		free(got);
		sbom_free(sb);
		if (i == 0) {
			/* installed by yarn: node_modules is reported, yarn.lock marks dev */
			static const char *const inst[][2] = {
				{"node_modules/debug", "{\"name\":\"debug\",\"version\":\"4.3.4\"}"},
				{"node_modules/ms", "{\"name\":\"ms\",\"version\":\"2.1.3\"}"},
				{"node_modules/debug/node_modules",
				 NULL},
				{"node_modules/debug/node_modules/ms",
				 "{\"name\":\"ms\",\"version\":\"2.1.2\"}"},
			};

			snprintf(path, sizeof(path), "%s/node_modules", root);
			assert_int_equal(mkdir(path, 0755), 0);
			for (size_t k = 0; k < sizeof(inst) / sizeof(inst[0]); k++) {
				snprintf(path, sizeof(path), "%s/%s", root, inst[k][0]);
				assert_int_equal(mkdir(path, 0755), 0);
				if (!inst[k][1])
					continue;
				snprintf(path, sizeof(path), "%s/%s/package.json", root, inst[k][0]);
				assert_non_null(f = fopen(path, "w"));
				fputs(inst[k][1], f);
				fclose(f);
			}
			sb = catalog_dir(root);
			got = npm_rows(sb);
			assert_string_equal(got, want[0]);
			free(got);
			for (size_t k = 0; k < sb->npkgs; k++)
				if (sb->pkgs[k].type == SBOM_PKG_NPM)
					assert_true(bw_str_starts_with(sb->pkgs[k].found_path,
								       "node_modules/"));
			sbom_free(sb);
		}
		rm_tree(root);
	}
}

static void put_file(const char *root, const char *rel, const char *text)
{
	char path[1100], dir[1100];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		(void)mkdir(dir, 0755);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* Workspaces: every member's dependencies are production roots, its
 * devDependencies are not. Hand-worked for both lockfile flavours:
 *   root: dependencies debug, devDependencies ms@2.1.3
 *   packages/a: dependencies is-odd (-> is-number), devDependencies ms@2.1.3
 *   packages/b: devDependencies left-pad only
 * -> debug, ms@2.1.2 (debug's), is-odd, is-number production; ms@2.1.3 and
 *    left-pad dev. */
static void test_yarn_workspaces(void **state)
{
	static const char want[] = "debug\t4.3.4\tfalse\nis-number\t6.0.0\tfalse\n"
				   "is-odd\t3.0.1\tfalse\nleft-pad\t1.3.0\ttrue\n"
				   "ms\t2.1.2\tfalse\nms\t2.1.3\ttrue\n";
	static const char classic[] =
		"# yarn lockfile v1\n\n\n"
		"debug@4.3.4:\n  version \"4.3.4\"\n  dependencies:\n    ms \"2.1.2\"\n\n"
		"is-number@^6.0.0:\n  version \"6.0.0\"\n\n"
		"is-odd@3.0.1:\n  version \"3.0.1\"\n  dependencies:\n    is-number \"^6.0.0\"\n\n"
		"left-pad@1.3.0:\n  version \"1.3.0\"\n\n"
		"ms@2.1.2:\n  version \"2.1.2\"\n\n"
		"ms@2.1.3:\n  version \"2.1.3\"\n";
	static const char berry[] =
		"__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"
		"\"a@workspace:packages/a\":\n  version: 0.0.0-use.local\n"
		"  resolution: \"a@workspace:packages/a\"\n  dependencies:\n"
		"    is-odd: \"npm:3.0.1\"\n    ms: \"npm:2.1.3\"\n  languageName: unknown\n"
		"  linkType: soft\n\n"
		"\"b@workspace:packages/b\":\n  version: 0.0.0-use.local\n"
		"  resolution: \"b@workspace:packages/b\"\n  dependencies:\n"
		"    left-pad: \"npm:1.3.0\"\n  languageName: unknown\n  linkType: soft\n\n"
		"\"debug@npm:4.3.4\":\n  version: 4.3.4\n  resolution: \"debug@npm:4.3.4\"\n"
		"  dependencies:\n    ms: \"npm:2.1.2\"\n\n"
		"\"is-number@npm:^6.0.0\":\n  version: 6.0.0\n  resolution: \"is-number@npm:6.0.0\"\n\n"
		"\"is-odd@npm:3.0.1\":\n  version: 3.0.1\n  resolution: \"is-odd@npm:3.0.1\"\n"
		"  dependencies:\n    is-number: \"npm:^6.0.0\"\n\n"
		"\"left-pad@npm:1.3.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n\n"
		"\"ms@npm:2.1.2\":\n  version: 2.1.2\n  resolution: \"ms@npm:2.1.2\"\n\n"
		"\"ms@npm:2.1.3\":\n  version: 2.1.3\n  resolution: \"ms@npm:2.1.3\"\n\n"
		"\"ws-root@workspace:.\":\n  version: 0.0.0-use.local\n"
		"  resolution: \"ws-root@workspace:.\"\n  dependencies:\n"
		"    debug: \"npm:4.3.4\"\n    ms: \"npm:2.1.3\"\n  languageName: unknown\n"
		"  linkType: soft\n";
	const char *locks[] = {classic, berry};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char root[] = "/tmp/bw-npm-test.XXXXXX";
		struct sbom *sb;
		char *got;

		assert_non_null(mkdtemp(root));
		put_file(root, "package.json",
			 "{\"name\":\"ws-root\",\"private\":true,\"workspaces\":[\"packages/*\"],"
			 "\"dependencies\":{\"debug\":\"4.3.4\"},\"devDependencies\":{\"ms\":\"2.1.3\"}}");
		put_file(root, "packages/a/package.json",
			 "{\"name\":\"a\",\"dependencies\":{\"is-odd\":\"3.0.1\"},"
			 "\"devDependencies\":{\"ms\":\"2.1.3\"}}");
		put_file(root, "packages/b/package.json",
			 "{\"name\":\"b\",\"devDependencies\":{\"left-pad\":\"1.3.0\"}}");
		put_file(root, "yarn.lock", locks[i]);
		sb = catalog_dir(root);
		got = npm_rows(sb);
		assert_string_equal(got, want);
		free(got);
		sbom_free(sb);
		rm_tree(root);
	}
}

/* pnpm lockfile 5.4 (pnpm 7): "/name/version_peers" keys; hand-written
 * from the format pnpm 7 writes. */
static void test_pnpm_v5(void **state)
{
	static const char lock[] =
		"lockfileVersion: 5.4\n\nspecifiers:\n  react-dom: ^17.0.2\n\n"
		"dependencies:\n  react-dom: 17.0.2_react@17.0.2\n\n"
		"packages:\n\n"
		"  /@babel/code-frame/7.18.6:\n"
		"    resolution: {integrity: sha512-x}\n"
		"    engines: {node: '>=6.9.0'}\n"
		"    dependencies:\n      '@babel/highlight': 7.18.6\n"
		"    dev: true\n\n"
		"  /react-dom/17.0.2_react@17.0.2:\n"
		"    resolution: {integrity: sha512-y}\n"
		"    peerDependencies:\n      react: 17.0.2\n"
		"    dev: false\n\n"
		"  github.com/user/repo/0123456789abcdef:\n"
		"    resolution: {tarball: https://codeload.github.com/user/repo/tar.gz/0123}\n"
		"    name: repo\n    version: 1.2.3\n    dev: false\n";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	char *got;

	(void)state;
	assert_int_equal(sbom_parse_pnpm_lock(sb, lock, sizeof(lock) - 1, "pnpm-lock.yaml", NULL, &eb),
			 BW_OK);
	got = npm_rows(sb);
	assert_string_equal(got, "@babel/code-frame\t7.18.6\ttrue\nreact-dom\t17.0.2\tfalse\n"
				 "repo\t1.2.3\tfalse\n");
	free(got);
	sbom_free(sb);
}

/* ---- hostile input ---- */

static void test_hostile(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = sbom_new();
	struct bw_buf deep;
	static const char trunc[] = "{\"lockfileVersion\": 3, \"packages\": {";
	static const char noyarn[] = "# yarn lockfile v1\n\nfoo@^1:\n  version \"1\"\nbar@^2\n";
	static const char pnpm_future[] = "lockfileVersion: '99.0'\npackages:\n";
	static const char notobj[] = "[1,2,3]";
	static const char badnames[] =
		"{\"lockfileVersion\":3,\"packages\":{"
		"\"node_modules/../../etc\":{\"version\":\"1.0.0\"},"
		"\"node_modules/ok\":{\"version\":\"1.0.0 bad\"},"
		"\"node_modules/x\":{\"version\":7},"
		"\"node_modules/y\":{\"version\":\"\"},"
		"\"node_modules/@/z\":{\"version\":\"1.0.0\"},"
		"\"node_modules/good\":{\"version\":\"1.0.0\"}}}";
	char *got;

	(void)state;
	assert_non_null(sb);
	assert_int_equal(sbom_parse_npm_lock(sb, trunc, sizeof(trunc) - 1, "app/package-lock.json",
					     NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "app/package-lock.json"));
	assert_int_equal(sbom_parse_npm_lock(sb, notobj, sizeof(notobj) - 1, "p.json", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_int_equal(sbom_parse_yarn_lock(sb, noyarn, sizeof(noyarn) - 1, "yarn.lock", NULL, &eb),
			 BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "yarn.lock: line 5"));
	assert_int_equal(sbom_parse_pnpm_lock(sb, pnpm_future, sizeof(pnpm_future) - 1,
					      "pnpm-lock.yaml", NULL, &eb),
			 BW_ERR_UNSUPPORTED);
	assert_non_null(strstr(eb.msg, "pnpm-lock.yaml: line 1"));
	assert_int_equal(sb->npkgs, 0);

	/* names and versions that are not npm's are dropped */
	assert_int_equal(sbom_parse_npm_lock(sb, badnames, sizeof(badnames) - 1, "p.json", NULL, &eb),
			 BW_OK);
	got = npm_rows(sb);
	assert_string_equal(got, "good\t1.0.0\tfalse\n");
	free(got);

	/* a v1 tree nested 200 deep: a limit, not a stack overflow */
	bw_buf_init(&deep, 1u << 20);
	assert_int_equal(bw_buf_appends(&deep, "{\"lockfileVersion\":1,\"dependencies\":"), BW_OK);
	for (int i = 0; i < 200; i++)
		assert_int_equal(bw_buf_appends(&deep, "{\"a\":{\"version\":\"1.0.0\",\"dependencies\":"),
				 BW_OK);
	assert_int_equal(bw_buf_appends(&deep, "{}"), BW_OK);
	for (int i = 0; i < 200; i++)
		assert_int_equal(bw_buf_appends(&deep, "}}"), BW_OK);
	assert_int_equal(bw_buf_appends(&deep, "}"), BW_OK);
	assert_int_equal(sbom_parse_npm_lock(sb, deep.data, deep.len, "deep.json", NULL, &eb),
			 BW_ERR_LIMIT);
	assert_non_null(strstr(eb.msg, "deep.json"));
	bw_buf_release(&deep);

	/* package.json that is not a package: no error, nothing added */
	sbom_free(sb);
	sb = sbom_new();
	assert_int_equal(sbom_parse_npm_package_json(sb, "{\"name\":1}", 10, "x/package.json", NULL,
						     &eb),
			 BW_OK);
	assert_int_equal(sb->npkgs, 0);
	sbom_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_v1),	      cmocka_unit_test(test_lock_v2),
		cmocka_unit_test(test_yarn_classic),  cmocka_unit_test(test_yarn_berry),
		cmocka_unit_test(test_pnpm_v6),	      cmocka_unit_test(test_pnpm_v9),
		cmocka_unit_test(test_pnpm_v5),	      cmocka_unit_test(test_installed),
		cmocka_unit_test(test_hostile),	      cmocka_unit_test(test_yarn_roots),
		cmocka_unit_test(test_yarn_workspaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

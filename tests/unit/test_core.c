/* test_core.c - unit tests for src/core. Expected values are worked by hand
 * (reasoning in comments) or come from an independent tool (sha256sum). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/core.h"

static void test_errors(void **state)
{
	struct bw_errbuf eb = {{0}};

	assert_int_equal(bw_fail(&eb, BW_ERR_FORMAT, "%s: line %d: bad", "status", 7), BW_ERR_FORMAT);
	assert_string_equal(eb.msg, "status: line 7: bad");
	assert_int_equal(bw_fail_prefix(&eb, BW_ERR_FORMAT, "layer %s", "sha256:ab"), BW_ERR_FORMAT);
	assert_string_equal(eb.msg, "layer sha256:ab: status: line 7: bad");
	assert_string_equal(bw_strerror(BW_ERR_DIGEST), "digest mismatch");
	assert_string_equal(bw_strerror((enum bw_err)999), "unknown error");
	/* DESIGN.md exit codes: input problems 2, internal 3 */
	assert_int_equal(bw_exit_code(BW_OK), 0);
	assert_int_equal(bw_exit_code(BW_ERR_FORMAT), 2);
	assert_int_equal(bw_exit_code(BW_ERR_NOT_FOUND), 2);
	assert_int_equal(bw_exit_code(BW_ERR_INTERNAL), 3);
	assert_int_equal(bw_exit_code(BW_ERR_NOMEM), 3);
	/* a NULL errbuf is allowed */
	assert_int_equal(bw_fail(NULL, BW_ERR_IO, "x"), BW_ERR_IO);
	memset(&eb, 0, sizeof(eb));
	assert_string_equal(bw_errmsg(&eb, BW_ERR_AUTH), "authentication failed");
}

static void test_buf_bounded(void **state)
{
	struct bw_buf b;
	char *p;
	size_t n;

	bw_buf_init(&b, 10);
	assert_int_equal(bw_buf_appends(&b, "hello"), BW_OK);
	assert_int_equal(bw_buf_appendf(&b, "%d", 12345), BW_OK); /* exactly 10 */
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "hello12345");
	/* one byte more is refused and the content is unchanged */
	assert_int_equal(bw_buf_append(&b, "x", 1), BW_ERR_LIMIT);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "hello12345");
	/* a huge length must not overflow the size computation */
	assert_int_equal(bw_buf_append(&b, "x", SIZE_MAX), BW_ERR_LIMIT);
	p = bw_buf_detach(&b, &n);
	assert_int_equal(n, 10);
	assert_string_equal(p, "hello12345");
	free(p);
	assert_null(b.data);
	p = bw_buf_detach(&b, &n); /* empty buffer detaches as "" */
	assert_string_equal(p, "");
	free(p);
	bw_buf_release(&b);
}

static void test_buf_read_file_limit(void **state)
{
	char path[] = "/tmp/bw-test-core-XXXXXX";
	struct bw_errbuf eb = {{0}};
	struct bw_buf b;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	bw_buf_init(&b, 9);
	assert_int_equal(bw_buf_read_file(&b, path, &eb), BW_ERR_LIMIT);
	assert_non_null(strstr(eb.msg, path));
	bw_buf_release(&b);
	bw_buf_init(&b, 10);
	assert_int_equal(bw_buf_read_file(&b, path, &eb), BW_OK);
	assert_memory_equal(b.data, "0123456789", 10);
	bw_buf_release(&b);
	unlink(path);
	bw_buf_init(&b, 10);
	assert_int_equal(bw_buf_read_file(&b, path, &eb), BW_ERR_NOT_FOUND);
	assert_non_null(strstr(eb.msg, path));
	bw_buf_release(&b);
}

static void check_clean(const char *in, const char *want)
{
	char out[256];

	assert_int_equal(bw_path_clean(in, out, sizeof(out)), BW_OK);
	assert_string_equal(out, want);
}

static void test_path_clean(void **state)
{
	char out[64];
	char small[8];

	check_clean("/etc/os-release", "etc/os-release");
	check_clean("./var//lib/./dpkg/status", "var/lib/dpkg/status");
	check_clean("usr/lib/../share/doc", "usr/share/doc");
	check_clean("a/b/../../c", "c");
	check_clean("./", "");
	check_clean("", "");
	check_clean("a/..", "");
	/* climbing above the root is refused, whatever comes after */
	assert_int_equal(bw_path_clean("../etc/passwd", out, sizeof(out)), BW_ERR_FORMAT);
	assert_int_equal(bw_path_clean("a/../../b", out, sizeof(out)), BW_ERR_FORMAT);
	assert_int_equal(bw_path_clean("/..", out, sizeof(out)), BW_ERR_FORMAT);
	/* output too small */
	assert_int_equal(bw_path_clean("abcdefghijk", small, sizeof(small)), BW_ERR_LIMIT);
	assert_string_equal(bw_path_base("usr/lib/os-release"), "os-release");
	assert_string_equal(bw_path_base("x"), "x");
	bw_path_dir("usr/lib/os-release", out, sizeof(out));
	assert_string_equal(out, "usr/lib");
	bw_path_dir("x", out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_path_match(void **state)
{
	assert_true(bw_path_match("var/lib/dpkg/status", "var/lib/dpkg/status"));
	assert_false(bw_path_match("var/lib/dpkg/status", "var/lib/dpkg/status.d/x"));
	assert_true(bw_path_match("var/lib/dpkg/status.d/*", "var/lib/dpkg/status.d/libc6"));
	/* '*' never crosses '/' */
	assert_false(bw_path_match("var/lib/dpkg/status.d/*", "var/lib/dpkg/status.d/a/b"));
	assert_false(bw_path_match("usr/share/doc/*", "usr/share/doc"));
	assert_true(bw_path_match("usr/share/doc/*/copyright", "usr/share/doc/libc6/copyright"));
	/* '**' matches zero or more whole components */
	assert_true(bw_path_match("**/package.json", "package.json"));
	assert_true(bw_path_match("**/package.json", "app/node_modules/a/package.json"));
	assert_false(bw_path_match("**/package.json", "app/package.json.bak"));
	assert_true(bw_path_match("usr/**/*.jar", "usr/share/java/x.jar"));
	assert_true(bw_path_match("usr/**/*.jar", "usr/x.jar"));
	assert_false(bw_path_match("usr/**/*.jar", "opt/x.jar"));
	assert_true(bw_path_match("opt/**", "opt/a/b/c"));
	assert_true(bw_path_match("*.wh", "a.wh"));
	assert_true(bw_path_match("a?c", "abc"));
	assert_false(bw_path_match("a?c", "a/c"));
	assert_true(bw_path_match("**", "anything/at/all"));
	assert_true(bw_path_match("a/**/b/**/c", "a/x/b/y/z/c"));
	assert_false(bw_path_match("a/**/b/**/c", "a/x/b/y/z/d"));
	assert_false(bw_path_match("", "x"));
	assert_true(bw_path_match("", ""));
}

/* Found by fuzz_core_path: a pattern with many "**" against a long path of
 * near-misses took exponential time. It must now answer at once: 30 "**"
 * components and a path of 200 "a" components that never ends in "b". */
static void test_path_match_pathological(void **state)
{
	char pat[256] = "", path[512] = "";
	uint64_t t0;

	for (int i = 0; i < 30; i++)
		bw_strlcpy(pat + strlen(pat), "**/a/", sizeof(pat) - strlen(pat));
	bw_strlcpy(pat + strlen(pat), "b", sizeof(pat) - strlen(pat));
	for (int i = 0; i < 200; i++)
		bw_strlcpy(path + strlen(path), i ? "/a" : "a", sizeof(path) - strlen(path));
	t0 = bw_time_mono_ns();
	assert_false(bw_path_match(pat, path));
	/* generous bound (sanitizer builds); the exponential version never returns */
	assert_true(bw_time_mono_ns() - t0 < 2000000000ull);
}

static void test_strings(void **state)
{
	char buf[6];
	char trim[] = "  \tpkg \n";
	uint64_t u;
	int64_t i;
	struct bw_strv sv = {0};

	assert_int_equal(bw_strlcpy(buf, "abcdefgh", sizeof(buf)), 8);
	assert_string_equal(buf, "abcde");
	assert_string_equal(bw_str_trim(trim), "pkg");
	assert_true(bw_str_starts_with("sha256:ab", "sha256:"));
	assert_false(bw_str_ends_with("a", "abc"));
	assert_int_equal(bw_parse_u64("18446744073709551615", UINT64_MAX, &u), BW_OK);
	assert_true(u == UINT64_MAX);
	assert_int_equal(bw_parse_u64("18446744073709551616", UINT64_MAX, &u), BW_ERR_FORMAT);
	assert_int_equal(bw_parse_u64("-1", 10, &u), BW_ERR_FORMAT);
	assert_int_equal(bw_parse_u64("11", 10, &u), BW_ERR_LIMIT);
	assert_int_equal(bw_parse_u64("1x", 10, &u), BW_ERR_FORMAT);
	assert_int_equal(bw_parse_i64("-5", -10, 10, &i), BW_OK);
	assert_int_equal(i, -5);
	assert_int_equal(bw_parse_i64("", -10, 10, &i), BW_ERR_FORMAT);
	/* UTF-8: "é" is C3 A9; a lone continuation byte, a truncated sequence,
	 * an overlong "/" (C0 AF) and a surrogate (ED A0 80) are invalid */
	assert_true(bw_utf8_valid("caf\xc3\xa9", 5));
	assert_false(bw_utf8_valid("\xa9", 1));
	assert_false(bw_utf8_valid("\xc3", 1));
	assert_false(bw_utf8_valid("\xc0\xaf", 2));
	assert_false(bw_utf8_valid("\xed\xa0\x80", 3));
	assert_false(bw_utf8_valid("a\0b", 3));
	assert_true(bw_utf8_valid("\xf0\x9f\x98\x80", 4)); /* U+1F600 */
	assert_int_equal(bw_strv_push(&sv, "b"), BW_OK);
	assert_int_equal(bw_strv_push(&sv, "a"), BW_OK);
	bw_strv_sort(&sv);
	assert_string_equal(sv.v[0], "a");
	assert_null(sv.v[2]);
	assert_true(bw_strv_contains(&sv, "b"));
	bw_strv_release(&sv);
}

static void test_hash(void **state)
{
	char hex[129];

	/* `printf abc | sha256sum` = ba7816bf...; FIPS 180-2 example */
	assert_int_equal(bw_hash_hex(BW_HASH_SHA256, "abc", 3, hex, sizeof(hex)), BW_OK);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* `printf '' | sha1sum` */
	assert_int_equal(bw_hash_hex(BW_HASH_SHA1, "", 0, hex, sizeof(hex)), BW_OK);
	assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	assert_int_equal(bw_hash_hex(BW_HASH_SHA256, "abc", 3, hex, 64), BW_ERR_LIMIT);
	assert_true(bw_digest_valid(
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(bw_digest_valid(
		"sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(bw_digest_valid("sha256:abc"));
	assert_false(bw_digest_valid("md5:d41d8cd98f00b204e9800998ecf8427e"));
}

static void test_time(void **state)
{
	int64_t t;

	/* 2024-01-01T00:00:00Z = 19723 days * 86400 = 1704067200 */
	assert_int_equal(bw_time_parse("2024-01-01T00:00:00Z", &t), BW_OK);
	assert_true(t == 1704067200);
	assert_int_equal(bw_time_parse("2024-01-01", &t), BW_OK);
	assert_true(t == 1704067200);
	/* +02:00 means two hours earlier in UTC */
	assert_int_equal(bw_time_parse("2024-01-01T02:00:00.123+02:00", &t), BW_OK);
	assert_true(t == 1704067200);
	assert_int_equal(bw_time_parse("2024-13-01", &t), BW_ERR_FORMAT);
	assert_int_equal(bw_time_parse("2024-01-01T00:00:00Zjunk", &t), BW_ERR_FORMAT);
	assert_int_equal(bw_time_parse("yesterday", &t), BW_ERR_FORMAT);
}

static void test_json(void **state)
{
	struct bw_errbuf eb = {{0}};
	json_t *v = NULL;
	const char *doc = "{\"a\":\"x\",\"n\":3,\"b\":true}";

	assert_int_equal(bw_json_parse(doc, strlen(doc), "t.json", &v, &eb), BW_OK);
	assert_string_equal(bw_json_str(v, "a"), "x");
	assert_null(bw_json_str(v, "n"));
	assert_int_equal(bw_json_int(v, "n", -1), 3);
	assert_int_equal(bw_json_int(v, "a", -1), -1);
	assert_true(bw_json_bool(v, "b", false));
	json_decref(v);
	/* errors name the input and the position */
	assert_int_equal(bw_json_parse("{\"a\":", 5, "manifest.json", &v, &eb), BW_ERR_FORMAT);
	assert_non_null(strstr(eb.msg, "manifest.json"));
	assert_non_null(strstr(eb.msg, "line 1"));
	/* bytes from images that are not UTF-8 still give a string */
	v = bw_json_string_lossy("a\xff" "b\xc3\xa9");
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "a\xef\xbf\xbd" "b" "\xc3\xa9");
	json_decref(v);
	v = bw_json_string_lossy(NULL);
	assert_true(json_is_null(v));
	json_decref(v);
	/* duplicate keys are refused (ambiguous input) */
	assert_int_equal(bw_json_parse("{\"a\":1,\"a\":2}", 13, "d.json", &v, &eb), BW_ERR_FORMAT);
}

static void test_out_atomic(void **state)
{
	char dir[] = "/tmp/bw-test-out-XXXXXX";
	struct bw_errbuf eb = {{0}};
	struct bw_out o;
	char path[256];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.json", dir);
	/* an aborted write leaves nothing behind */
	assert_int_equal(bw_out_open(&o, path, &eb), BW_OK);
	fputs("partial", o.f);
	bw_out_abort(&o);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(bw_out_open(&o, path, &eb), BW_OK);
	fputs("done\n", o.f);
	assert_int_equal(bw_out_commit(&o, &eb), BW_OK);
	assert_int_equal(access(path, R_OK), 0);
	unlink(path);
	rmdir(dir);
	/* /dev/null stays the device: written in place, never renamed over */
	{
		struct stat st;

		assert_int_equal(bw_out_open(&o, "/dev/null", &eb), BW_OK);
		fputs("discarded\n", o.f);
		assert_int_equal(bw_out_commit(&o, &eb), BW_OK);
		assert_int_equal(stat("/dev/null", &st), 0);
		assert_true(S_ISCHR(st.st_mode));
	}
	/* a directory that does not exist is named in the error */
	assert_int_equal(bw_out_open(&o, "/nonexistent-dir/x.json", &eb), BW_ERR_IO);
	assert_non_null(strstr(eb.msg, "/nonexistent-dir/x.json"));
}

static void test_run(void **state)
{
	const char *argv_echo[] = {"sh", "-c", "printf out; printf err >&2; exit 3", NULL};
	const char *argv_cat[] = {"cat", NULL};
	const char *argv_missing[] = {"bulwark-no-such-program", NULL};
	struct bw_errbuf eb = {{0}};
	struct bw_buf out;
	int status = -1;

	bw_buf_init(&out, 1024);
	assert_int_equal(bw_run(argv_echo, NULL, 0, &out, &status, &eb), BW_OK);
	assert_string_equal(out.data, "out");
	assert_int_equal(status, 3);
	bw_buf_reset(&out);
	assert_int_equal(bw_run(argv_cat, "piped", 5, &out, &status, &eb), BW_OK);
	assert_string_equal(out.data, "piped");
	assert_int_equal(status, 0);
	assert_int_equal(bw_run(argv_missing, NULL, 0, &out, &status, &eb), BW_ERR_NOT_FOUND);
	assert_non_null(strstr(eb.msg, "bulwark-no-such-program"));
	bw_buf_release(&out);
}

static void test_grow(void **state)
{
	int *arr = NULL;
	size_t cap = 0;

	assert_int_equal(bw_grow((void **)&arr, &cap, 5, sizeof(*arr), 100), BW_OK);
	assert_true(cap >= 5);
	assert_int_equal(bw_grow((void **)&arr, &cap, 101, sizeof(*arr), 100), BW_ERR_LIMIT);
	assert_int_equal(bw_grow((void **)&arr, &cap, 100, sizeof(*arr), 100), BW_OK);
	assert_int_equal(cap, 100);
	free(arr);
	assert_null(bw_reallocarray(NULL, SIZE_MAX, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_buf_bounded),
		cmocka_unit_test(test_buf_read_file_limit),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_path_match),
		cmocka_unit_test(test_path_match_pathological),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_out_atomic),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_grow),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}

/* fuzz_bench_daemonjson.c - dockerd command line merged with daemon.json,
 * and the section 1-3 checks that read the merged configuration.
 *
 * Input: daemon.json bytes, then "\0\0\0", then a NUL-separated command
 * line (as in /proc/PID/cmdline). Files are looked up below a root that
 * does not exist, so no host file is read. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/docker_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[][3] = {
	{"icc", NULL, "icc"},
	{"host", "H", "hosts"},
	{"log-level", "l", "log-level"},
	{"insecure-registry", NULL, "insecure-registries"},
	{"default-ulimit", NULL, "default-ulimits"},
	{"debug", "D", "debug"},
	{"log-opt", NULL, "log-opts"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *sep = NULL;
	struct dk_ctx c;
	struct bench_docker_opts o;

	for (size_t i = 0; i + 3 <= size; i++)
		if (p[i] == '\0' && p[i + 1] == '\0' && p[i + 2] == '\0') {
			sep = p + i;
			break;
		}
	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	o.root = "/nonexistent-bulwark-fuzz-root";
	c.o = &o;
	c.root = o.root;
	c.offline = true;
	bw_strlcpy(c.proc, "/nonexistent-bulwark-fuzz-root/proc", sizeof(c.proc));
	dk_conf_init(&c.conf);
	if (sep) {
		(void)dk_conf_set_json(&c.conf, p, (size_t)(sep - p), "daemon.json", NULL);
		(void)dk_conf_set_cmdline(&c.conf, sep + 3, size - (size_t)(sep - p) - 3, "cmdline", NULL);
	} else {
		(void)dk_conf_set_json(&c.conf, p, size, "daemon.json", NULL);
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct dk_value v;

		if (dk_conf_get(&c.conf, keys[i][0], keys[i][1], keys[i][2], &v) == BW_OK) {
			(void)dk_value_bool(&v, false, NULL);
			(void)dk_value_last(&v);
		}
		dk_value_release(&v);
	}
	for (size_t i = 0; i < dk_checks_host_n; i++) {
		struct bw_buf d;
		enum bench_status st = BENCH_ERROR;

		bw_buf_init(&d, 1 << 20);
		dk_checks_host[i].run(&c, &st, &d);
		bw_buf_release(&d);
	}
	dk_ctx_release(&c);
	return 0;
}

/* fuzz_policy_yaml.c - the SecurityPolicy reader (libfyaml events, our
 * tree with shared alias nodes, the schema walk with its visit budget) and,
 * for what it accepts, selection and every decision function. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};
	struct bw_strv labels = {0};
	static int quiet;

	if (!quiet) {
		bw_log_set_level(BW_LOG_ERROR);
		quiet = 1;
	}
	policy_set_init(&ps);
	if (policy_load_mem(&ps, "fuzz.yaml", (const char *)data, size, &eb) == BW_OK) {
		struct policy_target t = {.group = "web", .name = "c1", .image = "registry/x/web:1",
					  .k8s_namespace = "shop", .labels = &labels};

		bw_strv_push(&labels, "app=web");
		policy_select(&ps, &t);
		for (size_t i = 0; i < ps.ndocs; i++) {
			const struct policy_doc *d = &ps.docs[i];

			policy_check_exec(d, "/bin/sh", "/usr/bin/env");
			policy_check_exec(d, "/usr/local/lib/x/y/z", NULL);
			policy_check_file(d, "/etc/shadow", POLICY_ACC_READ | POLICY_ACC_WRITE);
			policy_check_file(d, "/", POLICY_ACC_EXEC);
			policy_detection_enabled(d, "BW-RT-001", "/bin/sh", "/etc/passwd");
		}
		bw_strv_release(&labels);
	}
	policy_set_release(&ps);
	return 0;
}

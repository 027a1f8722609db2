/* fuzz_agent_state.c - the container runtime state parsers (runc
 * state.json, crun status, OCI config.json annotations, Docker
 * config.v2.json, Podman containers.json) and the group rule, all fed the
 * same bytes: every state file the agent reads is hostile input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agent/ctr_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {0};
	struct agent_ctr c;
	uint64_t start = 0;
	bool libpod = false;
	const char *s = (const char *)data;

	if (size > CTR_JSON_MAX)
		return 0;
	memset(&c, 0, sizeof(c));
	bw_strlcpy(c.id, "0f3a9c", sizeof(c.id));
	(void)ctr_parse_runc_state(s, size, &c, &start, &eb);
	(void)ctr_parse_crun_status(s, size, &c, &start, &eb);
	(void)ctr_parse_oci_config(s, size, &c, &libpod, &eb);
	(void)ctr_parse_docker_config(s, size, &c, &eb);
	(void)ctr_parse_podman_containers(s, size, &c, &eb);
	ctr_finish(&c);
	/* the fields are NUL-terminated and within their arrays */
	if (strlen(c.group) >= sizeof(c.group) || strlen(c.k8s_workload) >= sizeof(c.k8s_workload))
		__builtin_trap();
	bw_strv_release(&c.labels);
	/* the name rules on raw strings */
	{
		char in[300], out[128];
		size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1;

		memcpy(in, data, n);
		in[n] = '\0';
		ctr_k8s_workload(in, out, sizeof(out));
		ctr_image_repo(in, out, sizeof(out));
		ctr_image_repo(in, out, 1);
	}
	return 0;
}

/* fuzz_bench_inspect.c - evaluation of container inspect JSON (GET
 * /containers/ID/json) by the section 4-7 checks.
 *
 * Input: one inspect object, or an array of them (the list the checks
 * iterate). No process or file of the host is read (offline context). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/docker_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = NULL;
	struct dk_ctx c;
	struct bench_docker_opts o;
	struct bw_buf out;

	if (bw_json_parse((const char *)data, size, "inspect", &v, NULL) != BW_OK)
		return 0;
	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	c.o = &o;
	c.root = "";
	c.offline = true;
	bw_strlcpy(c.proc, "/nonexistent-bulwark-fuzz-root/proc", sizeof(c.proc));
	dk_conf_init(&c.conf);
	c.info = json_loads("{\"SecurityOptions\": [\"name=apparmor\", \"name=selinux\", "
			    "\"name=seccomp,profile=default\"], \"Swarm\": {\"LocalNodeState\": "
			    "\"active\", \"ControlAvailable\": true}}", 0, NULL);
	c.execs = json_object();
	if (json_is_array(v)) {
		c.containers = json_incref(v);
		c.images = json_incref(v);
		c.networks = json_incref(v);
	} else {
		c.containers = json_array();
		json_array_append(c.containers, v);
		c.images = json_incref(c.containers);
		c.swarm = json_incref(v);
	}
	/* every image's build history is the input array itself */
	c.histories = json_object();
	{
		size_t i;
		json_t *e;

		json_array_foreach(c.images, i, e) {
			const char *id = bw_json_str(e, "Id");

			if (id && json_is_array(v))
				json_object_set(c.histories, id, v);
		}
	}
	bw_buf_init(&out, 1 << 20);
	(void)dk_eval_container(&c, v, &out);
	bw_buf_release(&out);
	for (size_t i = 0; i < dk_checks_ct_n; i++) {
		struct bw_buf d;
		enum bench_status st = BENCH_ERROR;

		bw_buf_init(&d, 1 << 20);
		dk_checks_ct[i].run(&c, &st, &d);
		bw_buf_release(&d);
	}
	dk_ctx_release(&c);
	json_decref(v);
	return 0;
}

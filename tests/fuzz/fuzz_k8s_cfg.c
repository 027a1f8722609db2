/* fuzz_k8s_cfg.c - the kube-bench controls loader ($variable substitution,
 * YAML, field validation) and, for what it accepts, the test-item
 * evaluation (flag/path/env lookup, JSONPath, compare ops including regex)
 * against fixed evidence. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "k8s/bench_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const argv[] = {"kubelet", "--anonymous-auth=false", "--read-only-port",
					   "10255", "--feature-gates=A=true,B=false", "permissions=644",
					   "root:root", NULL};
	struct k8s_vars vars = {0};
	struct k8s_controls c;
	struct bw_errbuf eb = {{0}};
	struct k8s_evidence ev;

	if (size > 1 << 20)
		return 0;
	k8s_vars_set(&vars, "kubeletbin", "kubelet");
	k8s_vars_set(&vars, "kubeletconf", "/var/lib/kubelet/config.yaml");
	k8s_vars_set(&vars, "kubeletkubeconfig", "/etc/kubernetes/kubelet.conf");
	if (k8s_controls_parse((const char *)data, size, "fuzz", &vars, &c, &eb) == BW_OK) {
		memset(&ev, 0, sizeof(ev));
		k8s_evidence_add_row(&ev, "fuzz");
		for (size_t i = 0; argv[i] && ev.nrows; i++)
			bw_strv_push(&ev.rows[0].tok, argv[i]);
		ev.config = json_loads("{\"authentication\":{\"anonymous\":{\"enabled\":false}},"
				       "\"readOnlyPort\":0,\"list\":[1,\"a\",{\"b\":null}]}",
				       0, NULL);
		ev.config_src = bw_strdup("config");
		ev.env_text = bw_strdup("ETCD_CERT_FILE=/x\nA=\n");
		ev.component = "kubelet";
		for (size_t g = 0; g < c.n; g++)
			for (size_t i = 0; i < c.groups[g].n; i++) {
				struct bw_buf d;
				bool pass;

				bw_buf_init(&d, 1 << 16);
				k8s_eval_tests(&c.groups[g].checks[i], &ev, &pass, &d);
				bw_buf_release(&d);
			}
		k8s_evidence_release(&ev);
		k8s_controls_release(&c);
	}
	k8s_vars_release(&vars);
	return 0;
}

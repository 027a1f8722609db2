/* fuzz_k8s_manifest.c - the manifest reader (YAML/JSON to jansson, bounded)
 * and the audit over whatever it accepts, both levels, plus the writers. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "k8s/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k8s_audit_opts o = {.level = K8S_LEVEL_RESTRICTED, .best_practice = true};
	struct k8s_findings f = {0};
	struct bw_errbuf eb = {{0}};
	size_t objects = 0;
	FILE *null;

	if (size > 1 << 20)
		return 0;
	o.file = "fuzz";
	if (k8s_audit_stream((const char *)data, size, "fuzz", &o, &f, &objects, &eb) == BW_OK) {
		null = fopen("/dev/null", "w");
		if (null) {
			k8s_findings_write_table(&f, objects, null, &eb);
			k8s_findings_write_json(&f, objects, null, &eb);
			k8s_findings_write_sarif(&f, null, &eb);
			fclose(null);
		}
	}
	k8s_findings_release(&f);
	o.level = K8S_LEVEL_BASELINE;
	o.best_practice = false;
	k8s_audit_stream((const char *)data, size, "fuzz", &o, &f, &objects, &eb);
	k8s_findings_release(&f);
	return 0;
}

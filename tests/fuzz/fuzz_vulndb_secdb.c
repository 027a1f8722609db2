/* fuzz_vulndb_secdb.c - the Alpine secdb reader (secdb.c), JSON or YAML
 * (through yaml.c), and aports secfixes blocks (YAML, or an APKBUILD when the
 * input starts with '#').
 * Records go into a scratch database per input, never committed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fresh in-memory scratch database per input: runs stay independent and
 * leak checking sees balanced allocations. */
static struct vdb_builder *builder(void)
{
	struct vdb_builder *b = NULL;

	bw_log_set_level(BW_LOG_ERROR);
	if (vdb_b_begin_scratch(&b, NULL) != BW_OK)
		abort(); /* the harness itself, not the input */
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vdb_builder *b = builder();
	struct bw_errbuf eb = {{0}};
	json_t *root = NULL;
	char *s;

	if (size > (1u << 20)) {
		vdb_build_abort(b);
		return 0;
	}
	s = bw_strndup((const char *)data, size); /* readers get NUL-terminated bytes */
	if (!s) {
		vdb_build_abort(b);
		return 0;
	}
	if (size && s[0] == '#') {
		/* an APKBUILD: its "# secfixes:" comment block */
		(void)vdb_read_any(b, "fuzz/pkg/APKBUILD", s, size, 0, &eb);
	} else {
		if (bw_json_parse(s, size, "fuzz.json", &root, &eb) != BW_OK)
			(void)vdb_yaml_to_json(s, size, "fuzz.yaml", &root, &eb);
		if (json_is_object(root) && json_object_get(root, "distroversion"))
			(void)vdb_read_secdb(b, "fuzz", root, &eb);
		else if (json_is_object(root))
			(void)vdb_read_secfixes(b, "fuzz", "pkg", root, &eb);
	}
	json_decref(root);
	free(s);
	vdb_build_abort(b);
	return 0;
}

/* fuzz_vulndb_osv.c - the OSV JSON reader (osv.c) on hostile records.
 * Records go into one scratch database per process (never committed; the
 * temporary file is removed at exit). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vdb_builder *fuzz_b;

static void fuzz_cleanup(void)
{
	vdb_build_abort(fuzz_b);
	fuzz_b = NULL;
}

static struct vdb_builder *builder(void)
{
	char path[128];

	if (fuzz_b)
		return fuzz_b;
	bw_log_set_level(BW_LOG_ERROR);
	snprintf(path, sizeof(path), "/tmp/bw-fuzz-vulndb-%d.sqlite", (int)getpid());
	if (vdb_build_begin(path, &fuzz_b, NULL) != BW_OK)
		abort(); /* the harness itself, not the input */
	atexit(fuzz_cleanup);
	return fuzz_b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vdb_builder *b = builder();
	struct bw_errbuf eb = {{0}};
	json_t *root = NULL;
	char *s;

	if (size > (1u << 20))
		return 0;
	s = bw_strndup((const char *)data, size); /* readers get NUL-terminated bytes */
	if (!s)
		return 0;
	if (bw_json_parse(s, size, "fuzz.json", &root, &eb) == BW_OK &&
	    (json_is_object(root) || json_is_array(root)))
		(void)vdb_read_osv_json(b, "fuzz.json", root, &eb);
	json_decref(root);
	free(s);
	return 0;
}

/* fuzz_vulndb_feed.c - a whole feed file through the dispatcher (detect.c):
 * format recognition, zip members and gzip through libarchive, JSON
 * classification, KEV and EPSS CSV, NVD, rubysec YAML, then the readers.
 * Records go into a scratch database per input, never committed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vdb_builder *b = NULL;
	struct bw_errbuf eb = {{0}};
	char *s;

	if (size > (1u << 20))
		return 0;
	bw_log_set_level(BW_LOG_ERROR);
	if (vdb_b_begin_scratch(&b, NULL) != BW_OK)
		abort(); /* the harness itself, not the input */
	s = bw_strndup((const char *)data, size); /* readers get NUL-terminated bytes */
	if (s)
		(void)vdb_read_any(b, "fuzz/feed.yaml", s, size, 0, &eb);
	free(s);
	vdb_build_abort(b);
	return 0;
}

/* fuzz_vulndb_debian.c - the Debian readers (debian.c): the security tracker
 * JSON when the input parses as a JSON object, else the DSA/DLA list format;
 * and always the tracker's member-by-member reader (jsonscan.c).
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
	if (bw_json_parse(s, size, "fuzz.json", &root, &eb) == BW_OK) {
		if (json_is_object(root))
			(void)vdb_read_debian_json(b, "fuzz.json", root, &eb);
	} else {
		(void)vdb_read_debian_list(b, "fuzz-list", s, size, &eb);
	}
	/* The member-by-member reader (jsonscan.c) on the same bytes, valid
	 * JSON or not. */
	(void)vdb_read_debian_stream(b, "fuzz.json", s, size, &eb);
	json_decref(root);
	free(s);
	vdb_build_abort(b);
	return 0;
}

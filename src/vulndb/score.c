/* score.c - CVSS entries stored with advisories: {version, vector, score,
 * source}. Base scores are computed from the vector at build time by
 * cvss.c when the feed does not give one. */
#include <string.h>

#include "vulndb/vulndb_int.h"
#if __has_include("vulndb/cvss.h")
#include "vulndb/cvss.h"
#endif

static double base_score(int version, const char *vector)
{
	(void)version;
	(void)vector;
	/* Filled in once cvss.h's API is in the tree (vdb_cvss_*). */
	return -1;
}

enum bw_err vdb_cvss_append(json_t *arr, int version, const char *vector, double score,
			    const char *source)
{
	json_t *o;

	if (vector && strlen(vector) > 512)
		return BW_OK; /* not a vector: ignore */
	if (score < 0 && vector)
		score = base_score(version, vector);
	if (score > 10.0)
		score = -1;
	o = json_pack("{s:i, s:s?, s:s?}", "version", version, "vector", vector, "source", source);
	if (!o)
		return BW_ERR_NOMEM;
	json_object_set_new(o, "score", score >= 0 ? json_real(score) : json_null());
	if (json_array_append_new(arr, o) != 0)
		return BW_ERR_NOMEM;
	return BW_OK;
}

/* score.c - CVSS entries stored with advisories: {version, vector, score,
 * source}. Base scores are computed from the vector at build time by
 * cvss.c when the feed does not give one. */
#include <string.h>

#include "vulndb/vulndb_int.h"
#include "vulndb/cvss.h"

/* The vector's base score, or -1 when it does not parse (a feed's vector is
 * kept as written either way). */
static double base_score(int version, const char *vector)
{
	struct vdb_cvss_result r;

	if (vdb_cvss_compute(vector, &r, NULL) != BW_OK || r.major != version)
		return -1;
	return r.score;
}

enum bw_err vdb_cvss_append(json_t *arr, int version, const char *vector, double score,
			    const char *source)
{
	json_t *o;

	if (vector && strlen(vector) > 512)
		return BW_OK; /* not a vector: ignore */
	/* The score computed from the vector wins over the one the feed states:
	 * feeds get it wrong (NSWG 516 says 7.4 for a vector that scores 6.3). */
	if (vector) {
		double computed = base_score(version, vector);

		if (computed >= 0)
			score = computed;
	}
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

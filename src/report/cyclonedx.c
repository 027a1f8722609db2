/* cyclonedx.c - a scan as CycloneDX 1.5: the image's SBOM (the same document
 * `bulwark sbom --format cyclonedx` writes) plus a vulnerabilities array
 * whose affects[] point at the packages' bom-refs. */
#include <jansson.h>
#include <string.h>

#include "report/report_int.h"

static const char *cdx_severity(enum match_severity s)
{
	static const char *const names[] = {"unknown", "info", "low", "medium", "high", "critical"};

	return s <= MATCH_SEV_CRITICAL ? names[s] : "unknown";
}

static const char *cdx_method(const char *vector)
{
	if (!vector)
		return "other";
	if (bw_str_starts_with(vector, "CVSS:4"))
		return "CVSSv4";
	if (bw_str_starts_with(vector, "CVSS:3.1"))
		return "CVSSv31";
	if (bw_str_starts_with(vector, "CVSS:3"))
		return "CVSSv3";
	return "CVSSv2";
}

enum bw_err report_write_cyclonedx(const struct sbom *sb, const struct match_result *res,
				   const struct report_meta *meta, FILE *f, struct bw_errbuf *eb)
{
	json_t *doc = NULL, *vulns, *refs = NULL;
	enum bw_err result;

	result = sbom_cyclonedx_doc(sb, &doc, &refs, eb);
	if (result)
		return result;
	vulns = json_array();
	for (size_t i = 0; i < res->n; i++) {
		const struct match_finding *x = &res->v[i];
		json_t *v = json_object(), *ratings = json_array(), *rating = json_object();
		json_t *ref = json_array_get(refs, x->pkg_index);

		if (x->suppressed)
			continue;
		json_object_set_new(v, "id", bw_json_string_lossy(x->id));
		json_object_set_new(v, "source",
				    json_pack("{s:o}", "name", bw_json_string_lossy(x->source)));
		json_object_set_new(rating, "severity", json_string(cdx_severity(x->severity)));
		if (x->cvss_score >= 0) {
			json_object_set_new(rating, "score", json_real(x->cvss_score));
			json_object_set_new(rating, "method", json_string(cdx_method(x->cvss_vector)));
			if (x->cvss_vector)
				json_object_set_new(rating, "vector", bw_json_string_lossy(x->cvss_vector));
		}
		json_array_append_new(ratings, rating);
		json_object_set_new(v, "ratings", ratings);
		if (x->title)
			json_object_set_new(v, "description", bw_json_string_lossy(x->title));
		if (x->fixed_versions.n) {
			char *rec = bw_strfmt("Upgrade to %s", x->fixed_versions.v[0]);

			json_object_set_new(v, "recommendation", bw_json_string_lossy(rec));
			free(rec);
		}
		if (x->aliases.n) {
			json_t *refsarr = json_array();

			for (size_t k = 0; k < x->aliases.n; k++)
				json_array_append_new(refsarr,
					json_pack("{s:o,s:{s:s}}", "id", bw_json_string_lossy(x->aliases.v[k]),
						  "source", "name", "alias"));
			json_object_set_new(v, "references", refsarr);
		}
		if (json_is_string(ref))
			json_object_set_new(v, "affects",
					    json_pack("[{s:O}]", "ref", ref));
		json_array_append_new(vulns, v);
	}
	json_object_set_new(doc, "vulnerabilities", vulns);
	(void)meta;
	result = bw_json_write(doc, f, eb);
	json_decref(doc);
	json_decref(refs);
	return result;
}

/* nvd.c - NVD CVE API 2.0 JSON (the /rest/json/cves/2.0 response and the
 * nvdcve-2.0-*.json data feeds): {format: "NVD_CVE", version: "2.0",
 * vulnerabilities: [{cve: {id, metrics: {cvssMetricV40, cvssMetricV31,
 * cvssMetricV30, cvssMetricV2: [{source, type: "Primary"|"Secondary",
 * cvssData: {version, vectorString, baseScore, baseSeverity}, baseSeverity
 * (v2)}]}}}]}. Kept: per CVE and CVSS version, the Primary metric (else the
 * first one listed). */
#include <string.h>

#include "vulndb/vulndb_int.h"

static const struct {
	const char *key;
	int version;
} metric_keys[] = {
	{"cvssMetricV40", 4},
	{"cvssMetricV31", 3},
	{"cvssMetricV30", 3},
	{"cvssMetricV2", 2},
};

static enum bw_err nvd_cve(struct vdb_builder *b, const char *name, const json_t *cve,
			   struct bw_errbuf *eb)
{
	const char *id = vdb_jstr(cve, "id");
	json_t *metrics = json_object_get(cve, "metrics");
	bool have_v3 = false;

	if (!vdb_is_cve(id) || strlen(id) > 32)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: cve.id %s is not a CVE ID", name,
			       id ? id : "missing");
	for (size_t k = 0; k < sizeof(metric_keys) / sizeof(metric_keys[0]); k++) {
		json_t *list = json_object_get(metrics, metric_keys[k].key), *m, *pick = NULL;
		json_t *cd, *score;
		const char *vec, *sev;
		enum bw_err result;
		size_t i;

		if (!json_is_array(list))
			continue;
		if (metric_keys[k].version == 3 && have_v3)
			continue; /* v3.1 already stored: skip v3.0 */
		json_array_foreach(list, i, m) {
			if (!pick)
				pick = m;
			if (vdb_jstr(m, "type") && strcmp(vdb_jstr(m, "type"), "Primary") == 0) {
				pick = m;
				break;
			}
		}
		cd = json_object_get(pick, "cvssData");
		vec = vdb_jstr(cd, "vectorString");
		if (!vec || strlen(vec) > 512) {
			if (pick)
				BW_WARN("%s: %s: %s without cvssData.vectorString, skipped", name, id,
					metric_keys[k].key);
			continue;
		}
		score = json_object_get(cd, "baseScore");
		sev = vdb_jstr(cd, "baseSeverity");
		if (!sev)
			sev = vdb_jstr(pick, "baseSeverity");
		result = vdb_b_nvd(b, id, metric_keys[k].version, vec,
				   json_is_number(score) && json_number_value(score) <= 10.0
					   ? json_number_value(score)
					   : -1,
				   sev, eb);
		if (result != BW_OK)
			return result;
		if (metric_keys[k].version == 3)
			have_v3 = true;
	}
	return BW_OK;
}

enum bw_err vdb_read_nvd(struct vdb_builder *b, const char *name, json_t *root,
			 struct bw_errbuf *eb)
{
	json_t *vulns = json_object_get(root, "vulnerabilities"), *v;
	const char *fmt = vdb_jstr(root, "format");
	enum bw_err result;
	size_t i;

	if (fmt && strcmp(fmt, "NVD_CVE") != 0)
		return bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: format %s is not NVD_CVE", name, fmt);
	if (!json_is_array(vulns))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"vulnerabilities\" is not an array", name);
	json_array_foreach(vulns, i, v) {
		struct bw_errbuf reb = {{0}};

		result = nvd_cve(b, name, json_object_get(v, "cve"), &reb);
		if (result == BW_ERR_DB || result == BW_ERR_NOMEM)
			return bw_fail(eb, result, "%s", bw_errmsg(&reb, result));
		if (result != BW_OK)
			BW_WARN("%s (vulnerabilities[%zu] skipped)", bw_errmsg(&reb, result), i);
	}
	return BW_OK;
}

/* kev.c - CISA Known Exploited Vulnerabilities, JSON
 * ({catalogVersion, vulnerabilities: [{cveID, dateAdded,
 * knownRansomwareCampaignUse, vulnerabilityName, ...}]}) and CSV (RFC 4180,
 * header row naming the same columns). Only the columns a finding shows are
 * kept. */
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

#define KEV_MAX_FIELDS 64

static bool kev_valid(const char *name, const char *cve, const char *date, size_t n)
{
	if (!vdb_is_cve(cve) || strlen(cve) > 32) {
		BW_WARN("%s: record %zu: cveID %s is not a CVE ID, skipped", name, n,
			cve ? cve : "missing");
		return false;
	}
	if (date && strlen(date) > 15) {
		BW_WARN("%s: %s: dateAdded too long, skipped", name, cve);
		return false;
	}
	return true;
}

enum bw_err vdb_read_kev_json(struct vdb_builder *b, const char *name, json_t *root,
			      struct bw_errbuf *eb)
{
	json_t *vulns = json_object_get(root, "vulnerabilities"), *v;
	enum bw_err result;
	size_t i;

	if (!json_is_array(vulns))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"vulnerabilities\" is not an array", name);
	json_array_foreach(vulns, i, v) {
		const char *cve = vdb_jstr(v, "cveID"), *date = vdb_jstr(v, "dateAdded");

		if (!kev_valid(name, cve, date, i))
			continue;
		result = vdb_b_kev(b, cve, date, vdb_jstr(v, "knownRansomwareCampaignUse"),
				   vdb_jstr(v, "vulnerabilityName"), eb);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

/* One RFC 4180 record from *pp (up to end) into fields (pointers into buf,
 * which is rewritten in place: quotes removed). Returns the field count, 0
 * at the end, -1 on a malformed record. */
static int csv_record(char **pp, char *end, char **fields, int max)
{
	char *p = *pp, *w;
	int n = 0;

	if (p >= end)
		return 0;
	for (;;) {
		if (n == max)
			return -1;
		fields[n++] = w = p;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end)
					return -1;
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
		} else {
			while (p < end && *p != ',' && *p != '\n' && *p != '\r')
				*w++ = *p++;
		}
		if (p < end && *p == ',') {
			*w = '\0';
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		else if (p < end)
			return -1;
		*w = '\0';
		break;
	}
	*pp = p;
	return n;
}

static int col(char **hdr, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return i;
	return -1;
}

enum bw_err vdb_read_kev_csv(struct vdb_builder *b, const char *name, const char *data,
			     size_t len, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	char *copy = bw_strndup(data, len), *p, *end, *hdr[KEV_MAX_FIELDS], *f[KEV_MAX_FIELDS];
	int nh, c_cve, c_date, c_rw, c_name;
	size_t line = 1;

	if (!copy)
		return BW_ERR_NOMEM;
	p = copy;
	end = copy + len;
	nh = csv_record(&p, end, hdr, KEV_MAX_FIELDS);
	c_cve = nh > 0 ? col(hdr, nh, "cveID") : -1;
	c_date = nh > 0 ? col(hdr, nh, "dateAdded") : -1;
	c_rw = nh > 0 ? col(hdr, nh, "knownRansomwareCampaignUse") : -1;
	c_name = nh > 0 ? col(hdr, nh, "vulnerabilityName") : -1;
	if (c_cve < 0 || c_date < 0) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: line 1: no cveID/dateAdded column", name);
		goto out_free;
	}
	for (;;) {
		int n = csv_record(&p, end, f, KEV_MAX_FIELDS);

		line++;
		if (n == 0)
			break;
		if (n < 0) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: record %zu: malformed CSV", name, line);
			break;
		}
		if (n == 1 && f[0][0] == '\0')
			continue;
		if (n != nh) {
			BW_WARN("%s: record %zu: %d fields, header has %d; skipped", name, line, n, nh);
			continue;
		}
		if (!kev_valid(name, f[c_cve], f[c_date], line))
			continue;
		result = vdb_b_kev(b, f[c_cve], f[c_date], c_rw >= 0 ? f[c_rw] : NULL,
				   c_name >= 0 ? f[c_name] : NULL, eb);
		if (result != BW_OK)
			break;
	}
out_free:
	free(copy);
	return result;
}

/* sarif.c - SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab).
 * One rule per vulnerability ID, one result per (package, vulnerability);
 * the location is the package database (or lockfile) the package came
 * from, and the security-severity property carries the CVSS score GitHub
 * uses to rank results. */
#include <jansson.h>
#include <string.h>

#include "report/report_int.h"

static const char *sarif_level(enum match_severity s)
{
	switch (s) {
	case MATCH_SEV_CRITICAL:
	case MATCH_SEV_HIGH:
		return "error";
	case MATCH_SEV_MEDIUM:
		return "warning";
	default:
		return "note";
	}
}

/* GitHub maps security-severity >= 9 critical, 7 high, 4 medium, else low;
 * without a CVSS score, use the middle of the severity's band. */
static double security_severity(const struct match_finding *f)
{
	static const double band[] = {0.0, 0.1, 2.0, 5.5, 8.0, 9.5};

	if (f->cvss_score >= 0)
		return f->cvss_score;
	return band[f->severity <= MATCH_SEV_CRITICAL ? f->severity : 0];
}

static json_t *rule_for(const struct match_finding *f)
{
	json_t *rule = json_object(), *props = json_object(), *tags = json_array();
	char sev[16];
	char *help;

	json_object_set_new(rule, "id", bw_json_string_lossy(f->id));
	json_object_set_new(rule, "name", bw_json_string_lossy(f->id));
	json_object_set_new(rule, "shortDescription",
			    json_pack("{s:o}", "text", bw_json_string_lossy(f->title ? f->title : f->id)));
	help = bw_strfmt("%s (%s). Fixed in: %s%s", f->id, match_severity_name(f->severity),
			 f->fixed_versions.n ? f->fixed_versions.v[0] : "no fix yet",
			 f->kev ? ". Listed in CISA KEV: known exploited." : "");
	json_object_set_new(rule, "help", json_pack("{s:o}", "text", bw_json_string_lossy(help)));
	free(help);
	snprintf(sev, sizeof(sev), "%.1f", security_severity(f));
	json_object_set_new(props, "security-severity", json_string(sev));
	json_array_append_new(tags, json_string("security"));
	json_array_append_new(tags, json_string("vulnerability"));
	json_array_append_new(tags, json_string(match_severity_name(f->severity)));
	json_object_set_new(props, "tags", tags);
	json_object_set_new(rule, "properties", props);
	return rule;
}

enum bw_err report_write_sarif(const struct sbom *sb, const struct match_result *res,
			       const struct report_meta *meta, FILE *f, struct bw_errbuf *eb)
{
	json_t *root = json_object(), *run = json_object(), *driver = json_object();
	json_t *rules = json_array(), *results = json_array(), *index = json_object();
	enum bw_err result;

	json_object_set_new(root, "$schema",
			    json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(driver, "name", json_string("bulwark"));
	json_object_set_new(driver, "version", json_string(bw_version()));
	json_object_set_new(driver, "semanticVersion", json_string(bw_version()));
	for (size_t i = 0; i < res->n; i++) {
		const struct match_finding *x = &res->v[i];
		const struct sbom_pkg *p = &sb->pkgs[x->pkg_index];
		json_t *r = json_object(), *loc, *ruleidx = json_object_get(index, x->id);
		char *msg;

		if (x->suppressed)
			continue;
		if (!ruleidx) {
			ruleidx = json_integer((json_int_t)json_array_size(rules));
			json_object_set_new(index, x->id, ruleidx);
			json_array_append_new(rules, rule_for(x));
		}
		json_object_set_new(r, "ruleId", bw_json_string_lossy(x->id));
		json_object_set_new(r, "ruleIndex", json_integer(json_integer_value(ruleidx)));
		json_object_set_new(r, "level", json_string(sarif_level(x->severity)));
		msg = bw_strfmt("Package %s %s is affected by %s (%s). Fixed version: %s.", p->name,
				p->version ? p->version : "?", x->id, match_severity_name(x->severity),
				x->fixed_versions.n ? x->fixed_versions.v[0] : "none yet");
		json_object_set_new(r, "message", json_pack("{s:o}", "text", bw_json_string_lossy(msg)));
		free(msg);
		loc = json_pack("{s:{s:{s:o}}}", "physicalLocation", "artifactLocation", "uri",
				bw_json_string_lossy(p->found_path ? p->found_path
								   : (sb->target ? sb->target : "image")));
		json_object_set_new(r, "locations", json_pack("[o]", loc));
		json_object_set_new(r, "partialFingerprints",
				    json_pack("{s:o}", "bulwark/v1",
					      bw_json_string_lossy(p->purl ? p->purl : p->name)));
		json_array_append_new(results, r);
	}
	json_object_set_new(driver, "rules", rules);
	json_object_set_new(run, "tool", json_pack("{s:o}", "driver", driver));
	json_object_set_new(run, "results", results);
	json_object_set_new(root, "runs", json_pack("[o]", run));
	json_decref(index);
	(void)meta;
	result = bw_json_write(root, f, eb);
	json_decref(root);
	return result;
}

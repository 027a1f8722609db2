/* report.c - format dispatch and the JSON report (the stable document other
 * formats are derived from). Schema: docs/scan.md. */
#include <jansson.h>
#include <string.h>

#include "report/report.h"
#include "report/report_int.h"

enum bw_err report_format_parse(const char *s, enum report_format *out)
{
	static const char *const names[] = {"table", "json", "sarif", "cyclonedx"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum report_format)i;
			return BW_OK;
		}
	}
	return BW_ERR_USAGE;
}

static json_t *jstr(const char *s)
{
	return bw_json_string_lossy(s);
}

static json_t *strv_json(const struct bw_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, bw_json_string_lossy(sv->v[i]));
	return a;
}

json_t *report_pkg_json(const struct sbom_pkg *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", jstr(p->name));
	json_object_set_new(o, "version", jstr(p->version));
	json_object_set_new(o, "type", json_string(sbom_pkg_type_name(p->type)));
	json_object_set_new(o, "purl", jstr(p->purl));
	if (p->arch)
		json_object_set_new(o, "arch", jstr(p->arch));
	if (p->source_name)
		json_object_set_new(o, "source_name", jstr(p->source_name));
	if (p->source_version)
		json_object_set_new(o, "source_version", jstr(p->source_version));
	json_object_set_new(o, "layer", jstr(p->layer_digest));
	json_object_set_new(o, "path", jstr(p->found_path));
	return o;
}

json_t *report_finding_json(const struct sbom *sb, const struct match_finding *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", jstr(f->id));
	json_object_set_new(o, "aliases", strv_json(&f->aliases));
	json_object_set_new(o, "package", report_pkg_json(&sb->pkgs[f->pkg_index]));
	json_object_set_new(o, "severity", json_string(match_severity_name(f->severity)));
	json_object_set_new(o, "severity_source", jstr(f->severity_source));
	if (f->cvss_score >= 0) {
		json_t *c = json_object();

		json_object_set_new(c, "vector", jstr(f->cvss_vector));
		json_object_set_new(c, "score", json_real(f->cvss_score));
		json_object_set_new(o, "cvss", c);
	} else {
		json_object_set_new(o, "cvss", json_null());
	}
	json_object_set_new(o, "fixed_versions", strv_json(&f->fixed_versions));
	json_object_set_new(o, "fix_state", jstr(f->fix_state));
	json_object_set_new(o, "kev", json_boolean(f->kev));
	if (f->kev_date_added)
		json_object_set_new(o, "kev_date_added", jstr(f->kev_date_added));
	json_object_set_new(o, "epss", f->epss >= 0 ? json_real(f->epss) : json_null());
	json_object_set_new(o, "epss_percentile",
			    f->epss_percentile >= 0 ? json_real(f->epss_percentile) : json_null());
	json_object_set_new(o, "title", jstr(f->title));
	json_object_set_new(o, "source", jstr(f->source));
	if (f->informational)
		json_object_set_new(o, "informational", json_true());
	if (f->suppressed)
		json_object_set_new(o, "suppressed_by", jstr(f->suppressed_by));
	return o;
}

json_t *report_json(const struct sbom *sb, const struct match_result *res,
		    const struct report_meta *meta)
{
	json_t *root = json_object(), *tool = json_object(), *target = json_object();
	json_t *summary = json_object(), *findings = json_array(), *suppressed = json_array();
	json_t *distro = json_object(), *db = json_object();
	size_t counts[MATCH_SEV_CRITICAL + 1] = {0}, nsup = 0;

	json_object_set_new(tool, "name", json_string("bulwark"));
	json_object_set_new(tool, "version", json_string(bw_version()));
	json_object_set_new(root, "tool", tool);
	json_object_set_new(target, "ref", jstr(sb->target));
	json_object_set_new(target, "kind", jstr(sb->target_kind));
	json_object_set_new(target, "image_digest", jstr(sb->image_digest));
	json_object_set_new(target, "image_id", jstr(sb->image_id));
	json_object_set_new(distro, "id", jstr(sb->distro.id));
	json_object_set_new(distro, "version_id", jstr(sb->distro.version_id));
	json_object_set_new(distro, "codename", jstr(sb->distro.codename));
	json_object_set_new(target, "distro", distro);
	json_object_set_new(target, "packages", json_integer((json_int_t)sb->npkgs));
	json_object_set_new(root, "target", target);
	json_object_set_new(db, "path", jstr(meta ? meta->db_path : NULL));
	json_object_set_new(db, "age_seconds",
			    meta && meta->db_age_seconds >= 0 ? json_integer(meta->db_age_seconds)
							      : json_null());
	json_object_set_new(root, "database", db);
	for (size_t i = 0; i < res->n; i++) {
		const struct match_finding *f = &res->v[i];

		if (f->suppressed) {
			nsup++;
			json_array_append_new(suppressed, report_finding_json(sb, f));
		} else {
			counts[f->severity]++;
			json_array_append_new(findings, report_finding_json(sb, f));
		}
	}
	json_object_set_new(summary, "total", json_integer((json_int_t)(res->n - nsup)));
	for (int s = MATCH_SEV_CRITICAL; s >= MATCH_SEV_UNKNOWN; s--)
		json_object_set_new(summary, match_severity_name((enum match_severity)s),
				    json_integer((json_int_t)counts[s]));
	json_object_set_new(summary, "suppressed", json_integer((json_int_t)nsup));
	json_object_set_new(summary, "failed", json_boolean(meta && meta->failed));
	json_object_set_new(summary, "fail_on", jstr(meta ? meta->fail_on : NULL));
	json_object_set_new(root, "summary", summary);
	json_object_set_new(root, "missing_data", strv_json(&res->missing_ecosystems));
	json_object_set_new(root, "findings", findings);
	json_object_set_new(root, "suppressed", suppressed);
	json_object_set_new(root, "warnings", strv_json(&res->warnings));
	return root;
}

enum bw_err report_write(enum report_format fmt, const struct sbom *sb,
			 const struct match_result *res, const struct report_meta *meta, FILE *f,
			 struct bw_errbuf *eb)
{
	json_t *doc;
	enum bw_err result;

	switch (fmt) {
	case REPORT_TABLE:
		return report_write_table(sb, res, meta, f, eb);
	case REPORT_SARIF:
		return report_write_sarif(sb, res, meta, f, eb);
	case REPORT_CYCLONEDX:
		return report_write_cyclonedx(sb, res, meta, f, eb);
	case REPORT_JSON:
		break;
	}
	doc = report_json(sb, res, meta);
	if (!doc)
		return bw_fail(eb, BW_ERR_NOMEM, "building the JSON report");
	result = bw_json_write(doc, f, eb);
	json_decref(doc);
	return result;
}

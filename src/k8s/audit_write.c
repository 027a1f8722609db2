/* audit_write.c - manifest audit findings as a table, JSON or SARIF 2.1.0. */
#include <jansson.h>
#include <string.h>

#include "k8s/k8s.h"

/* Print s with control characters replaced: names come from manifests. */
static void put_clean(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void object_name(const struct k8s_finding *f, FILE *out)
{
	put_clean(out, f->kind);
	fputc('/', out);
	if (f->ns[0]) {
		put_clean(out, f->ns);
		fputc('/', out);
	}
	put_clean(out, f->name);
}

enum bw_err k8s_findings_write_table(const struct k8s_findings *f, size_t objects, FILE *out,
				     struct bw_errbuf *eb)
{
	size_t by_sev[4] = {0};

	for (size_t i = 0; i < f->n; i++) {
		const struct k8s_finding *x = &f->v[i];

		by_sev[x->severity]++;
		fprintf(out, "%-8s %-13s %-36s ", k8s_severity_name(x->severity),
			k8s_level_name(x->level), x->check);
		object_name(x, out);
		if (x->container) {
			fputs(" container=", out);
			put_clean(out, x->container);
		}
		fputs("\n    ", out);
		put_clean(out, x->field);
		fputs(": ", out);
		put_clean(out, x->detail);
		fputs("\n    at ", out);
		put_clean(out, x->file[0] ? x->file : "-");
		fprintf(out, " document %zu\n", x->doc);
	}
	fprintf(out, "%zu object%s audited, %zu finding%s (critical %zu, high %zu, medium %zu, low %zu)\n",
		objects, objects == 1 ? "" : "s", f->n, f->n == 1 ? "" : "s", by_sev[3], by_sev[2],
		by_sev[1], by_sev[0]);
	if (ferror(out))
		return bw_fail(eb, BW_ERR_IO, "writing the report failed");
	return BW_OK;
}

static json_t *finding_json(const struct k8s_finding *x)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:I, s:s?, s:s, s:s}",
			 "check", x->check, "title", x->title, "level", k8s_level_name(x->level),
			 "severity", k8s_severity_name(x->severity), "object", "kind", x->kind,
			 "namespace", x->ns, "name", x->name, "file", x->file, "document",
			 (json_int_t)x->doc, "container", x->container, "field", x->field,
			 "detail", x->detail);
}

/* Streamed: one finding serialised at a time, so a large report does not
 * hold a second copy of every finding as a JSON tree. */
enum bw_err k8s_findings_write_json(const struct k8s_findings *f, size_t objects, FILE *out,
				    struct bw_errbuf *eb)
{
	size_t by_sev[4] = {0};

	fputs("{\n  \"findings\": [", out);
	for (size_t i = 0; i < f->n; i++) {
		json_t *j = finding_json(&f->v[i]);

		by_sev[f->v[i].severity]++;
		if (!j)
			return bw_fail(eb, BW_ERR_NOMEM, "out of memory writing the report");
		fputs(i ? ",\n    " : "\n    ", out);
		if (json_dumpf(j, out, JSON_COMPACT | JSON_SORT_KEYS) != 0) {
			json_decref(j);
			return bw_fail(eb, BW_ERR_IO, "writing the report failed");
		}
		json_decref(j);
	}
	fprintf(out,
		"%s],\n  \"summary\": {\"critical\": %zu, \"findings\": %zu, \"high\": %zu, "
		"\"low\": %zu, \"medium\": %zu, \"objects\": %zu}\n}\n",
		f->n ? "\n  " : "", by_sev[3], f->n, by_sev[2], by_sev[0], by_sev[1], objects);
	if (ferror(out))
		return bw_fail(eb, BW_ERR_IO, "writing the report failed");
	return BW_OK;
}

static const char *sarif_level(enum k8s_severity s)
{
	return s >= K8S_SEV_HIGH ? "error" : s == K8S_SEV_MEDIUM ? "warning" : "note";
}

enum bw_err k8s_findings_write_sarif(const struct k8s_findings *f, FILE *out,
				     struct bw_errbuf *eb)
{
	enum bw_err result;
	json_t *rules = json_array(), *results = json_array(), *root;
	struct bw_strv seen = {0};

	if (!rules || !results)
		goto out_nomem;
	for (size_t i = 0; i < f->n; i++) {
		const struct k8s_finding *x = &f->v[i];
		char *fqn, *msg;
		json_t *r;

		if (!bw_strv_contains(&seen, x->check)) {
			if (bw_strv_push(&seen, x->check) != BW_OK)
				goto out_nomem;
			r = json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s}}", "id", x->check, "name",
				      x->title, "shortDescription", "text", x->title, "properties",
				      "level", k8s_level_name(x->level), "severity",
				      k8s_severity_name(x->severity));
			if (!r || json_array_append_new(rules, r) != 0)
				goto out_nomem;
		}
		fqn = bw_strfmt("%s/%s%s%s%s%s", x->kind, x->ns, x->ns[0] ? "/" : "", x->name,
				x->container ? "/" : "", x->container ? x->container : "");
		msg = bw_strfmt("%s: %s", x->field, x->detail);
		if (!fqn || !msg) {
			free(fqn);
			free(msg);
			goto out_nomem;
		}
		r = json_pack("{s:s, s:s, s:{s:s}, s:[{s:{s:{s:s}}, s:[{s:s, s:s}]}], s:{s:I}}",
			      "ruleId", x->check, "level", sarif_level(x->severity), "message",
			      "text", msg, "locations", "physicalLocation", "artifactLocation",
			      "uri", x->file[0] ? x->file : "stdin", "logicalLocations",
			      "fullyQualifiedName", fqn, "kind", "resource", "properties",
			      "document", (json_int_t)x->doc);
		free(fqn);
		free(msg);
		if (!r || json_array_append_new(results, r) != 0)
			goto out_nomem;
	}
	bw_strv_release(&seen);
	root = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
			 "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
			 "tool", "driver", "name", "bulwark", "version", bw_version(),
			 "informationUri", "https://github.com/bulwark", "rules", rules, "results",
			 results);
	if (!root)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory writing the report");
	result = bw_json_write(root, out, eb);
	json_decref(root);
	return result;

out_nomem:
	bw_strv_release(&seen);
	json_decref(rules);
	json_decref(results);
	return bw_fail(eb, BW_ERR_NOMEM, "out of memory writing the report");
}

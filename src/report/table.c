/* table.c - the human report: a summary line, then one row per finding,
 * highest severity first. */
#include <string.h>

#include "report/report_int.h"

static int width(const char *s)
{
	return s ? (int)strlen(s) : 1;
}

enum bw_err report_write_table(const struct sbom *sb, const struct match_result *res,
			       const struct report_meta *meta, FILE *f, struct bw_errbuf *eb)
{
	size_t counts[MATCH_SEV_CRITICAL + 1] = {0}, shown = 0, nsup = 0;
	int wp = 7, wv = 7, wi = 13;
	char fixed[256];

	for (size_t i = 0; i < res->n; i++) {
		const struct match_finding *x = &res->v[i];
		const struct sbom_pkg *p = &sb->pkgs[x->pkg_index];

		if (x->suppressed) {
			nsup++;
			continue;
		}
		counts[x->severity]++;
		shown++;
		if (width(p->name) > wp)
			wp = width(p->name) > 40 ? 40 : width(p->name);
		if (width(p->version) > wv)
			wv = width(p->version) > 32 ? 32 : width(p->version);
		if (width(x->id) > wi)
			wi = width(x->id) > 24 ? 24 : width(x->id);
	}
	fprintf(f, "%s (%s%s%s%s) %zu packages\n", sb->target ? sb->target : "?",
		sb->distro.id ? sb->distro.id : "unknown distro", sb->distro.version_id ? " " : "",
		sb->distro.version_id ? sb->distro.version_id : "",
		sb->distro.codename ? "" : "", sb->npkgs);
	fprintf(f, "Vulnerabilities: %zu (critical %zu, high %zu, medium %zu, low %zu, negligible %zu, unknown %zu)",
		shown, counts[MATCH_SEV_CRITICAL], counts[MATCH_SEV_HIGH], counts[MATCH_SEV_MEDIUM],
		counts[MATCH_SEV_LOW], counts[MATCH_SEV_NEGLIGIBLE], counts[MATCH_SEV_UNKNOWN]);
	if (nsup)
		fprintf(f, ", %zu suppressed", nsup);
	fputc('\n', f);
	for (size_t i = 0; i < res->missing_ecosystems.n; i++)
		fprintf(f, "No vulnerability data for %s in the database: its packages were not checked.\n",
			res->missing_ecosystems.v[i]);
	if (shown) {
		fprintf(f, "\n%-*s  %-*s  %-*s  %-10s  %-3s  %s\n", wp, "PACKAGE", wv, "VERSION", wi,
			"VULNERABILITY", "SEVERITY", "KEV", "FIXED IN");
		for (size_t i = 0; i < res->n; i++) {
			const struct match_finding *x = &res->v[i];
			const struct sbom_pkg *p = &sb->pkgs[x->pkg_index];
			size_t o = 0;

			if (x->suppressed)
				continue;
			fixed[0] = '\0';
			for (size_t k = 0; k < x->fixed_versions.n && o < sizeof(fixed); k++)
				o += (size_t)snprintf(fixed + o, sizeof(fixed) - o, "%s%s", k ? ", " : "",
						      x->fixed_versions.v[k]);
			fprintf(f, "%-*.*s  %-*.*s  %-*.*s  %-10s  %-3s  %s\n", wp, wp, p->name, wv, wv,
				p->version ? p->version : "-", wi, wi, x->id,
				match_severity_name(x->severity), x->kev ? "yes" : "", *fixed ? fixed : "(no fix)");
		}
	}
	for (size_t i = 0; i < res->warnings.n && i < 20; i++)
		fprintf(f, "warning: %s\n", res->warnings.v[i]);
	if (meta && meta->fail_on)
		fprintf(f, "\nGate --fail-on %s: %s\n", meta->fail_on, meta->failed ? "FAILED" : "passed");
	if (ferror(f))
		return bw_fail(eb, BW_ERR_IO, "writing the report failed");
	return BW_OK;
}

/* cmd_scan.c - `bulwark scan REF`: the CI gate. Catalogue the image, match
 * its packages against the vulnerability database, apply the ignore file,
 * VEX and severity filters, write the report, and exit 1 when a finding at
 * or above --fail-on remains. Argument parsing only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "match/match.h"
#include "registry/registry.h"
#include "report/report.h"
#include "sbom/sbom.h"
#include "vulndb/vulndb.h"

static const char scan_usage[] =
	"Usage: bulwark scan [OPTIONS] REF\n"
	"\n"
	"Scan an image or root filesystem for known vulnerabilities and gate a CI\n"
	"build on them. REF is what `bulwark sbom` takes (docker-archive:, oci:,\n"
	"oci-archive:, dir:, or a path recognised by its content).\n"
	"\n"
	"Options:\n"
	"      --db FILE            vulnerability database (default:\n"
	"                           $XDG_CACHE_HOME/bulwark/vulndb.sqlite); build it with\n"
	"                           `bulwark db build` or `bulwark db update`\n"
	"      --fail-on SEVERITY   exit 1 when a finding at or above SEVERITY remains\n"
	"                           (negligible, low, medium, high, critical)\n"
	"      --severity LIST      report only these severities (comma-separated)\n"
	"      --ignore-unfixed     leave out findings that have no fixed version\n"
	"      --ignorefile FILE    entries 'ID [pkg=GLOB] [exp=YYYY-MM-DD] [# reason]'\n"
	"                           (default: ./.bulwarkignore when it exists)\n"
	"      --vex FILE           OpenVEX document: not_affected/fixed statements\n"
	"                           suppress findings, with their justification kept\n"
	"      --include-informational  also report RustSec unmaintained/unsound notices\n"
	"      --db-max-age DAYS    warn when the database is older (default 7)\n"
	"  -f, --format FORMAT      table (default), json, sarif, cyclonedx\n"
	"  -o, --output FILE        write the report to FILE (complete or not at all)\n"
	"      --platform OS/ARCH[/VARIANT]  image to pick from a multi-platform index\n"
	"      --insecure, --ca-file FILE, --username USER   registry access (see\n"
	"                           `bulwark help sbom`)\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit codes: 0 no finding over the threshold, 1 --fail-on threshold reached,\n"
	"2 usage or input error (no database, unreadable image), 3 internal error.\n";

struct scan_args {
	const char *ref, *db, *output, *platform, *ignorefile, *vex, *format, *fail_on;
	const char *severity;
	bool ignore_unfixed, informational;
	uint64_t max_age_days;
	struct registry_opts ropts;
};

static int parse_severities(const char *list, unsigned *mask)
{
	char buf[256], *tok, *save = NULL;

	if (bw_strlcpy(buf, list, sizeof(buf)) >= sizeof(buf))
		return cli_usage_error("scan", "--severity list too long");
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum match_severity s;

		if (match_severity_parse(bw_str_trim(tok), &s) != BW_OK)
			return cli_usage_error("scan", "--severity: unknown severity '%s'", tok);
		*mask |= 1u << s;
	}
	if (!*mask)
		return cli_usage_error("scan", "--severity needs at least one severity");
	return -1;
}

static int parse_args(int argc, char **argv, struct scan_args *a)
{
	memset(a, 0, sizeof(*a));
	a->format = "table";
	a->max_age_days = 7;
	registry_opts_from_env(&a->ropts);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, **slot = NULL;
		struct bw_errbuf reb = {{0}};
		bool matched = false;

		if (registry_opts_arg(&a->ropts, argc, argv, &i, &matched, &reb) != BW_OK)
			return cli_usage_error("scan", "%s", reb.msg);
		if (matched)
			continue;

		if (arg[0] != '-') {
			if (a->ref)
				return cli_usage_error("scan", "one REF expected, got '%s' and '%s'",
						       a->ref, arg);
			a->ref = arg;
			continue;
		}
		if (cli_opt_is(arg, NULL, "--ignore-unfixed", &eq) && !eq) {
			a->ignore_unfixed = true;
			continue;
		}
		if (cli_opt_is(arg, NULL, "--include-informational", &eq) && !eq) {
			a->informational = true;
			continue;
		}
		if (cli_opt_is(arg, NULL, "--db-max-age", &eq)) {
			const char *v = cli_opt_value(argc, argv, &i, eq);

			if (!v || bw_parse_u64(v, 36500, &a->max_age_days) != BW_OK)
				return cli_usage_error("scan", "--db-max-age needs a number of days");
			continue;
		}
		if (cli_opt_is(arg, NULL, "--db", &eq))
			slot = &a->db;
		else if (cli_opt_is(arg, "-o", "--output", &eq))
			slot = &a->output;
		else if (cli_opt_is(arg, "-f", "--format", &eq))
			slot = &a->format;
		else if (cli_opt_is(arg, NULL, "--platform", &eq))
			slot = &a->platform;
		else if (cli_opt_is(arg, NULL, "--ignorefile", &eq))
			slot = &a->ignorefile;
		else if (cli_opt_is(arg, NULL, "--vex", &eq))
			slot = &a->vex;
		else if (cli_opt_is(arg, NULL, "--fail-on", &eq))
			slot = &a->fail_on;
		else if (cli_opt_is(arg, NULL, "--severity", &eq))
			slot = &a->severity;
		else
			return cli_usage_error("scan", "unknown option '%s'", arg);
		*slot = cli_opt_value(argc, argv, &i, eq);
		if (!*slot || !**slot)
			return cli_usage_error("scan", "%s needs a value", arg);
	}
	if (!a->ref)
		return cli_usage_error("scan", "no image given (REF)");
	return -1;
}

static int scan_gate_setup(const struct scan_args *a, struct match_gate *g)
{
	int rc;

	memset(g, 0, sizeof(*g));
	g->ignore_unfixed = a->ignore_unfixed;
	g->vexfile = a->vex;
	g->ignorefile = a->ignorefile;
	if (!g->ignorefile && access(".bulwarkignore", R_OK) == 0)
		g->ignorefile = ".bulwarkignore";
	if (a->fail_on) {
		if (match_severity_parse(a->fail_on, &g->fail_on) != BW_OK)
			return cli_usage_error("scan", "--fail-on: unknown severity '%s'", a->fail_on);
		g->fail_on_set = true;
	}
	if (a->severity && (rc = parse_severities(a->severity, &g->severities)) >= 0)
		return rc;
	return -1;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_args a;
	struct match_gate gate;
	struct report_meta meta = {0};
	struct match_opts mopts = {0};
	struct match_result res = {0};
	enum report_format fmt;
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = NULL;
	struct vdb *db = NULL;
	struct bw_out out;
	char *dbpath = NULL;
	enum bw_err result;
	bool failed = false;
	uint64_t t0, t1, t2;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(scan_usage, stdout);
		return BW_EXIT_OK;
	}
	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if (report_format_parse(a.format, &fmt) != BW_OK)
		return cli_usage_error("scan", "unknown format '%s' (table, json, sarif, cyclonedx)",
				       a.format);
	if ((rc = scan_gate_setup(&a, &gate)) >= 0)
		return rc;
	dbpath = a.db ? bw_strdup(a.db) : vdb_default_path();
	if (!dbpath)
		return cli_usage_error("scan", "no database path: give --db FILE (HOME is not set)");
	result = vdb_open(dbpath, &db, &eb);
	if (result == BW_ERR_NOT_FOUND) {
		fprintf(stderr,
			"bulwark scan: no vulnerability database at %s: build one with "
			"`bulwark db build --from DIR` or `bulwark db update`\n",
			dbpath);
		free(dbpath);
		return BW_EXIT_INPUT;
	}
	if (result)
		goto out_fail;
	meta.db_path = dbpath;
	meta.db_age_seconds = vdb_age_seconds(db);
	if (meta.db_age_seconds > (int64_t)a.max_age_days * 86400)
		BW_WARN("the vulnerability database %s is %lld days old: run `bulwark db update`",
			dbpath, (long long)(meta.db_age_seconds / 86400));
	registry_set_default_opts(&a.ropts);
	t0 = bw_time_mono_ns();
	result = sbom_catalog_ref(a.ref, a.platform, NULL, &sb, &eb);
	if (result)
		goto out_fail;
	t1 = bw_time_mono_ns();
	mopts.include_informational = a.informational;
	result = match_sbom(db, sb, &mopts, &res, &eb);
	if (result)
		goto out_fail;
	t2 = bw_time_mono_ns();
	/* bench/scan.sh reads these two lines (with -v) */
	BW_INFO("timing: catalogue %.3f ms (%zu packages)", (double)(t1 - t0) / 1e6, sb->npkgs);
	BW_INFO("timing: match %.3f ms (%zu findings)", (double)(t2 - t1) / 1e6, res.n);
	for (size_t i = 0; i < res.missing_ecosystems.n; i++)
		BW_WARN("no vulnerability data for %s in %s: those packages were not checked",
			res.missing_ecosystems.v[i], dbpath);
	result = match_gate_apply(&gate, sb, &res, &failed, &eb);
	if (result)
		goto out_fail;
	match_sort(&res, sb);
	meta.failed = failed;
	meta.fail_on = gate.fail_on_set ? match_severity_name(gate.fail_on) : NULL;
	result = bw_out_open(&out, a.output, &eb);
	if (result)
		goto out_fail;
	result = report_write(fmt, sb, &res, &meta, out.f, &eb);
	if (result) {
		bw_out_abort(&out);
		goto out_fail;
	}
	result = bw_out_commit(&out, &eb);
	if (result)
		goto out_fail;
	rc = failed ? BW_EXIT_POLICY : BW_EXIT_OK;
	goto out_free;
out_fail:
	rc = cli_fail("scan", result, &eb);
out_free:
	match_result_release(&res);
	sbom_free(sb);
	vdb_close(db);
	free(dbpath);
	return rc;
}

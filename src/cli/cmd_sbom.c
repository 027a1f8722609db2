/* cmd_sbom.c - `bulwark sbom REF`: list the packages in an image or a root
 * filesystem (SBOM) as a table, Bulwark's JSON, CycloneDX or SPDX.
 *
 * Argument parsing only: the image module opens and walks the image, the
 * sbom module catalogues and writes. The output file is written through
 * bw_out (temporary file + rename), so a failed run leaves no partial file.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "image/image.h"
#include "registry/registry.h"
#include "sbom/sbom.h"

static const char sbom_usage[] =
	"Usage: bulwark sbom [OPTIONS] REF\n"
	"\n"
	"List the OS packages (dpkg, apk, rpm) in an image or a root filesystem.\n"
	"\n"
	"REF is one of:\n"
	"  docker-archive:FILE[:TAG]  a `docker save` / `podman save` archive\n"
	"  oci-archive:FILE[:TAG]     a tar of an OCI image layout\n"
	"  oci:DIR[:TAG]              an OCI image layout directory\n"
	"  dir:PATH                   an unpacked root filesystem\n"
	"  PATH                       any of the above, recognised by its content\n"
	"  HOST[:PORT]/REPO[:TAG|@sha256:DIGEST], NAME[:TAG], registry:REF\n"
	"                             an image in a registry (alpine:3.19 is Docker Hub)\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT      table (default), json, cyclonedx, spdx-json\n"
	"  -o, --output FILE        write to FILE instead of standard output; the file\n"
	"                           appears only when the SBOM is complete\n"
	"      --platform OS/ARCH[/VARIANT]\n"
	"                           the image to pick from a multi-platform index\n"
	"                           (default: the host's, e.g. linux/amd64)\n"
	"      --insecure           plain HTTP to the registry (never the default)\n"
	"      --ca-file FILE       trust the CAs in FILE for the registry's TLS\n"
	"      --username USER      registry user (password from BULWARK_REGISTRY_PASSWORD;\n"
	"                           else Docker's config.json and credential helpers)\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit codes: 0 done, 2 usage or input error (unreadable or corrupt image),\n"
	"3 internal error. Problems with single package databases are warnings on\n"
	"standard error; the rest of the image is still catalogued.\n";

struct sbom_args {
	const char *ref;
	const char *output;
	const char *platform;
	enum sbom_format format;
	struct registry_opts ropts;
};

/* Returns -1 when parsing succeeded, else the exit code. */
static int parse_args(int argc, char **argv, struct sbom_args *a)
{
	bool options_done = false;
	const char *format = "table";

	memset(a, 0, sizeof(*a));
	registry_opts_from_env(&a->ropts);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *v;
		struct bw_errbuf reb = {{0}};
		bool matched = false;

		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (a->ref)
				return cli_usage_error("sbom", "one REF expected, got '%s' and '%s'",
						       a->ref, arg);
			a->ref = arg;
			continue;
		}
		if (registry_opts_arg(&a->ropts, argc, argv, &i, &matched, &reb) != BW_OK)
			return cli_usage_error("sbom", "%s", reb.msg);
		if (matched)
			continue;
		if (strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (cli_opt_is(arg, "-f", "--format", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("sbom", "%s needs a value", arg);
			format = v;
		} else if (cli_opt_is(arg, "-o", "--output", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)) || !v[0])
				return cli_usage_error("sbom", "%s needs a file name", arg);
			a->output = v;
		} else if (cli_opt_is(arg, NULL, "--platform", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("sbom", "%s needs a value (os/arch[/variant])",
						       arg);
			a->platform = v;
		} else {
			return cli_usage_error("sbom", "unknown option '%s'", arg);
		}
	}
	if (sbom_format_parse(format, &a->format) != BW_OK)
		return cli_usage_error("sbom",
				       "unknown format '%s' (expected table, json, cyclonedx or "
				       "spdx-json)",
				       format);
	if (!a->ref)
		return cli_usage_error("sbom", "no image given (REF)");
	return -1;
}

static enum bw_err write_output(const struct sbom *sb, const struct sbom_args *a,
				struct bw_errbuf *eb)
{
	struct bw_out out;
	enum bw_err result;

	result = bw_out_open(&out, a->output, eb);
	if (result != BW_OK)
		return result;
	result = sbom_write(sb, a->format, out.f, eb);
	if (result != BW_OK) {
		if (a->output)
			bw_fail_prefix(eb, result, "%s", a->output);
		bw_out_abort(&out);
		return result;
	}
	return bw_out_commit(&out, eb);
}

int cmd_sbom(int argc, char **argv)
{
	struct sbom_args a;
	struct bw_errbuf eb = {{0}};
	struct sbom *sb = NULL;
	enum bw_err result;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(sbom_usage, stdout);
		return BW_EXIT_OK;
	}
	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	registry_set_default_opts(&a.ropts);
	result = sbom_catalog_ref(a.ref, a.platform, NULL, &sb, &eb);
	if (result == BW_OK)
		result = write_output(sb, &a, &eb);
	sbom_free(sb);
	if (result != BW_OK)
		return cli_fail("sbom", result, &eb);
	return BW_EXIT_OK;
}

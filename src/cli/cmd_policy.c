/* cmd_policy.c - `bulwark policy validate|export`: SecurityPolicy YAML
 * (src/policy). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "policy/policy.h"

#define POLICY_DEFAULT_STATE_DIR "/var/lib/bulwark/agent"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bulwark policy validate FILE|DIR ...\n"
		"       bulwark policy export --group G [--state-dir DIR] [--mode M] [-o FILE]\n"
		"\n"
		"Security policy as code (SecurityPolicy YAML, docs/policy.md).\n"
		"\n"
		"Commands:\n"
		"  validate   check policy files (a directory: its *.yaml and *.yml files)\n"
		"  export     write a group's learned profile as a SecurityPolicy\n"
		"\n"
		"Run 'bulwark policy COMMAND --help' for a command's options.\n");
}

static void usage_validate(FILE *f)
{
	fprintf(f,
		"Usage: bulwark policy validate FILE|DIR ...\n"
		"\n"
		"Check SecurityPolicy files the way 'bulwark agent --policy DIR' reads them.\n"
		"A directory means its *.yaml and *.yml files (sorted, not recursive); a\n"
		"group defined twice in one directory is an error naming both places.\n"
		"Prints one line per valid file and every error of an invalid one as\n"
		"FILE:LINE:COLUMN: field: what was expected, what was found\n"
		"(at most %d per file).\n"
		"\n"
		"Exit codes: 0 every file valid, 2 an error in some file or usage error.\n",
		POLICY_MAX_ERRORS);
}

static void usage_export(FILE *f)
{
	fprintf(f,
		"Usage: bulwark policy export --group G [--state-dir DIR] [--mode M] [-o FILE]\n"
		"\n"
		"Write the profile the agent learned for group G (discover mode) as a\n"
		"SecurityPolicy: one allow rule per executable, per written path and per\n"
		"connection peer. Reads STATE_DIR/profiles/<group>.json (characters other\n"
		"than letters, digits, '.', '_' and '-' in the group become '_').\n"
		"\n"
		"Options:\n"
		"  --group G          the group (required)\n"
		"  --state-dir DIR    the agent's state directory (default %s)\n"
		"  --mode M           spec.mode of the policy: discover, monitor, protect\n"
		"                     (default protect) or unset (no mode line)\n"
		"  -o, --output FILE  write to FILE, atomically (default stdout)\n"
		"\n"
		"Exit codes: 0 written, 2 usage error or no/malformed profile, 3 internal error.\n",
		POLICY_DEFAULT_STATE_DIR);
}

/* Validate one file into ps; prints its summary or its errors. */
static bool validate_file(struct policy_set *ps, const char *path)
{
	struct bw_strv errors = {0};
	struct bw_errbuf eb = {{0}};
	size_t before = ps->ndocs, skipped = ps->nskipped;
	enum bw_err result = policy_load_file_all(ps, path, &errors, &eb);

	if (result != BW_OK) {
		if (errors.n == 0)
			fprintf(stderr, "%s\n", bw_errmsg(&eb, result));
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		bw_strv_release(&errors);
		return false;
	}
	bw_strv_release(&errors);
	if (!cli_quiet) {
		printf("%s: valid, %zu polic%s", path, ps->ndocs - before,
		       ps->ndocs - before == 1 ? "y" : "ies");
		for (size_t i = before; i < ps->ndocs; i++)
			printf("%s%s", i == before ? " (" : ", ", ps->docs[i].name);
		printf("%s", ps->ndocs > before ? ")" : "");
		if (ps->nskipped > skipped)
			printf(", %zu document%s of other kinds skipped", ps->nskipped - skipped,
			       ps->nskipped - skipped == 1 ? "" : "s");
		printf("\n");
	}
	return true;
}

static bool validate_arg(const char *arg)
{
	struct policy_set ps;
	struct bw_strv files = {0};
	struct bw_errbuf eb = {{0}};
	struct stat st;
	bool ok = true;

	if (stat(arg, &st) != 0) {
		fprintf(stderr, "bulwark policy: %s: %s\n", arg, strerror(errno));
		return false;
	}
	policy_set_init(&ps);
	if (S_ISDIR(st.st_mode)) {
		enum bw_err result = policy_dir_files(arg, &files, &eb);

		if (result != BW_OK) {
			fprintf(stderr, "bulwark policy: %s\n", bw_errmsg(&eb, result));
			ok = false;
		} else if (files.n == 0 && !cli_quiet) {
			printf("%s: no .yaml or .yml files\n", arg);
		}
		/* one set per directory: groups must be unique across its files */
		for (size_t i = 0; i < files.n; i++)
			if (!validate_file(&ps, files.v[i]))
				ok = false;
	} else {
		ok = validate_file(&ps, arg);
	}
	bw_strv_release(&files);
	policy_set_release(&ps);
	return ok;
}

static int cmd_validate(int argc, char **argv)
{
	bool ok = true;
	int n = 0;

	if (cli_wants_help(argc, argv)) {
		usage_validate(stdout);
		return BW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc; i++, n++)
				ok = validate_arg(argv[i]) && ok;
			break;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error("policy validate", "unknown option '%s'", argv[i]);
		ok = validate_arg(argv[i]) && ok;
		n++;
	}
	if (n == 0)
		return cli_usage_error("policy validate", "give at least one FILE or DIR");
	return ok ? BW_EXIT_OK : BW_EXIT_INPUT;
}

static int cmd_export(int argc, char **argv)
{
	const char *group = NULL, *state_dir = POLICY_DEFAULT_STATE_DIR, *output = NULL;
	enum policy_mode mode = POLICY_MODE_PROTECT;
	struct policy_profile prof;
	struct bw_errbuf eb = {{0}};
	struct bw_out out = {0};
	char *file = NULL, *path = NULL;
	enum bw_err result;
	int rc = BW_EXIT_OK;

	if (cli_wants_help(argc, argv)) {
		usage_export(stdout);
		return BW_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		const char *eq, *v;

		if (cli_opt_is(argv[i], NULL, "--group", &eq)) {
			if (!(group = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("policy export", "--group needs a value");
		} else if (cli_opt_is(argv[i], NULL, "--state-dir", &eq)) {
			if (!(state_dir = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("policy export", "--state-dir needs a value");
		} else if (cli_opt_is(argv[i], "-o", "--output", &eq)) {
			if (!(output = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("policy export", "--output needs a value");
		} else if (cli_opt_is(argv[i], NULL, "--mode", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("policy export", "--mode needs a value");
			if (strcmp(v, "unset") == 0)
				mode = POLICY_MODE_UNSET;
			else if (!policy_mode_parse(v, &mode))
				return cli_usage_error("policy export",
						       "--mode: '%s' is not discover, monitor, protect or unset",
						       v);
		} else {
			return cli_usage_error("policy export", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!group || !*group)
		return cli_usage_error("policy export", "--group G is required");
	file = policy_profile_filename(group);
	path = file ? bw_strfmt("%s/profiles/%s", state_dir, file) : NULL;
	if (!path) {
		rc = cli_fail("policy export", BW_ERR_NOMEM, NULL);
		goto out_free;
	}
	policy_profile_init(&prof, group);
	result = policy_profile_load(&prof, path, &eb);
	if (result == BW_ERR_NOT_FOUND) {
		fprintf(stderr,
			"bulwark policy export: no learned profile for group \"%s\": %s does not exist\n"
			"(the agent writes it while the group is in discover mode; check --state-dir)\n",
			group, path);
		rc = BW_EXIT_INPUT;
		goto out_release;
	}
	if (result != BW_OK) {
		rc = cli_fail("policy export", result, &eb);
		goto out_release;
	}
	if (strcmp(prof.group, group) != 0) {
		fprintf(stderr,
			"bulwark policy export: %s holds the profile of group \"%s\", not \"%s\" (their file names collide)\n",
			path, prof.group, group);
		rc = BW_EXIT_INPUT;
		goto out_release;
	}
	result = bw_out_open(&out, output, &eb);
	if (result == BW_OK) {
		result = policy_export_yaml(&prof, mode, out.f, &eb);
		if (result == BW_OK)
			result = bw_out_commit(&out, &eb);
		else
			bw_out_abort(&out);
	}
	if (result != BW_OK)
		rc = cli_fail("policy export", result, &eb);
out_release:
	policy_profile_release(&prof);
out_free:
	free(file);
	free(path);
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_INPUT : BW_EXIT_OK;
	}
	if (strcmp(argv[1], "validate") == 0)
		return cmd_validate(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return cmd_export(argc - 1, argv + 1);
	return cli_usage_error("policy", "unknown command '%s' (validate, export)", argv[1]);
}

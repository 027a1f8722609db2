/* main.c - `bulwark`: global flags, dispatch to a subcommand, help. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "registry/registry.h"

bool cli_quiet;

struct command {
	const char *name;
	cli_cmd_fn *fn; /* address of a weak symbol: NULL when not built */
	const char *summary;
};

/* The order is the order of the pipeline (DESIGN.md). */
static cli_cmd_fn fn_sbom, fn_scan, fn_db, fn_registry, fn_bench, fn_audit, fn_policy, fn_agent,
	fn_server, fn_admission;

static struct command commands[] = {
	{"sbom", &fn_sbom, "list the packages in an image or directory (SBOM)"},
	{"scan", &fn_scan, "scan an image for vulnerabilities; gate a CI build"},
	{"db", &fn_db, "build, update and inspect the vulnerability database"},
	{"registry", &fn_registry, "scan whole registries and receive push events"},
	{"bench", &fn_bench, "CIS benchmarks for Docker and Kubernetes hosts"},
	{"audit", &fn_audit, "audit Kubernetes manifests against Pod Security Standards"},
	{"policy", &fn_policy, "validate, export and diff security policy YAML"},
	{"agent", &fn_agent, "run the runtime agent on a host"},
	{"server", &fn_server, "run the management server"},
	{"admission", &fn_admission, "run the Kubernetes admission webhook"},
};

static void bind_commands(void)
{
	fn_sbom = cmd_sbom;
	fn_scan = cmd_scan;
	fn_db = cmd_db;
	fn_registry = cmd_registry;
	fn_bench = cmd_bench;
	fn_audit = cmd_audit;
	fn_policy = cmd_policy;
	fn_agent = cmd_agent;
	fn_server = cmd_server;
	fn_admission = cmd_admission;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bulwark %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'bulwark help %s'.\n", cmd);
	return BW_EXIT_INPUT;
}

int cli_fail(const char *cmd, enum bw_err result, const struct bw_errbuf *eb)
{
	fprintf(stderr, "bulwark %s: %s\n", cmd, bw_errmsg(eb, result));
	return bw_exit_code(result);
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

bool cli_opt_is(const char *arg, const char *shortname, const char *longname, const char **eq)
{
	size_t n = strlen(longname);

	*eq = NULL;
	if (shortname && strcmp(arg, shortname) == 0)
		return true;
	if (strncmp(arg, longname, n) != 0)
		return false;
	if (arg[n] == '=') {
		*eq = arg + n;
		return true;
	}
	return arg[n] == '\0';
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *eq)
{
	if (eq)
		return eq + 1;
	if (*i + 1 >= argc)
		return NULL;
	(*i)++;
	return argv[*i];
}

bool cli_is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

const char *cli_opt_arg(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0' || *i + 1 >= argc)
		return NULL;
	(*i)++;
	return argv[*i];
}

enum bw_err cli_split_list(struct bw_strv *sv, const char *list)
{
	char *copy = bw_strdup(list), *save = NULL, *tok;
	enum bw_err result = BW_OK;

	if (!copy)
		return BW_ERR_NOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok && result == BW_OK; tok = strtok_r(NULL, ", ", &save))
		if (*tok)
			result = bw_strv_push(sv, tok);
	free(copy);
	return result;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bulwark [-q|--quiet] [-v|--verbose] COMMAND [ARGS]\n"
		"\n"
		"Bulwark %s, container security from the build to production.\n"
		"\n"
		"Commands:\n",
		bw_version());
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (*commands[i].fn)
			fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"  %-10s %s\n"
		"  %-10s %s\n"
		"\n"
		"Exit codes: 0 clean, 1 policy failed (findings over the threshold),\n"
		"2 usage or input error, 3 internal error.\n"
		"Run 'bulwark help COMMAND' for a command's options.\n",
		"version", "print the version", "help", "show help for a command");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0 && *commands[i].fn)
			return &commands[i];
	return NULL;
}

static int run(const struct command *c, int argc, char **argv)
{
	return (*c->fn)(argc, argv);
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i = 1;

	signal(SIGPIPE, SIG_IGN); /* EPIPE is handled where writes happen */
	registry_init();          /* registry references for sbom, scan, ... */
	bind_commands();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
			cli_quiet = true;
			bw_log_set_level(BW_LOG_ERROR);
		} else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			bw_log_set_level(bw_log_get_level() < BW_LOG_INFO ? BW_LOG_INFO : BW_LOG_DEBUG);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return BW_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("bulwark %s\n", bw_version());
			return BW_EXIT_OK;
		} else {
			fprintf(stderr, "bulwark: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return BW_EXIT_INPUT;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return BW_EXIT_INPUT;
	}
	if (strcmp(argv[i], "version") == 0) {
		printf("bulwark %s\n", bw_version());
		return BW_EXIT_OK;
	}
	if (strcmp(argv[i], "help") == 0) {
		char *hargv[3];

		if (i + 1 >= argc) {
			usage(stdout);
			return BW_EXIT_OK;
		}
		if (strcmp(argv[i + 1], "version") == 0 || strcmp(argv[i + 1], "help") == 0) {
			usage(stdout);
			return BW_EXIT_OK;
		}
		c = find(argv[i + 1]);
		if (!c) {
			fprintf(stderr, "bulwark: no such command '%s'\n", argv[i + 1]);
			return BW_EXIT_INPUT;
		}
		hargv[0] = argv[i + 1];
		hargv[1] = "--help";
		hargv[2] = NULL;
		return run(c, 2, hargv);
	}
	c = find(argv[i]);
	if (!c) {
		fprintf(stderr, "bulwark: no such command '%s'\n", argv[i]);
		usage(stderr);
		return BW_EXIT_INPUT;
	}
	return run(c, argc - i, argv + i);
}

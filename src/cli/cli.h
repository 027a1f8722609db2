/* cli.h - the bulwark command line: one file per subcommand.
 *
 * A command is `int cmd_NAME(int argc, char **argv)`; argv[0] is the command
 * name. It returns a process exit code (BW_EXIT_*). `--help` prints its usage
 * on stdout and returns 0. Commands parse arguments and call the modules'
 * public APIs only.
 */
#ifndef BW_CLI_H
#define BW_CLI_H

#include <stdbool.h>

#include "core/core.h"

typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Print "bulwark CMD: message" to stderr; returns BW_EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a module error for cmd and return its exit code. */
int cli_fail(const char *cmd, enum bw_err result, const struct bw_errbuf *eb);
/* true when argv has -h or --help before a "--". */
bool cli_wants_help(int argc, char **argv);

/* Option parsing shared by the commands. cli_opt_is: true when arg is
 * shortname (may be NULL) or longname, alone or as "longname=value" (then
 * *eq points at the '='). cli_opt_value: the value of that option, from
 * after the '=' or the next argument (advancing *i); NULL when missing. */
bool cli_opt_is(const char *arg, const char *shortname, const char *longname, const char **eq);
const char *cli_opt_value(int argc, char **argv, int *i, const char *eq);

/* The same for a long option matched by name: cli_is_opt(a, "--format")
 * is true for "--format" and "--format=x"; cli_opt_arg returns the value
 * from after the '=' or the next argument (advancing *i), and NULL when
 * argv[*i] is not that option or the value is missing. */
bool cli_is_opt(const char *arg, const char *name);
const char *cli_opt_arg(int argc, char **argv, int *i, const char *name);
/* Append the items of a comma- or space-separated list ("2.1,2.2") to sv,
 * trimmed, empty items skipped. */
enum bw_err cli_split_list(struct bw_strv *sv, const char *list);

/* Shared global flags parsed by main (before the command): -q/--quiet, -v. */
extern bool cli_quiet;

int cmd_sbom(int argc, char **argv) __attribute__((weak));
int cmd_scan(int argc, char **argv) __attribute__((weak));
int cmd_db(int argc, char **argv) __attribute__((weak));
int cmd_registry(int argc, char **argv) __attribute__((weak));
int cmd_bench(int argc, char **argv) __attribute__((weak));
int cmd_audit(int argc, char **argv) __attribute__((weak));
int cmd_policy(int argc, char **argv) __attribute__((weak));
int cmd_agent(int argc, char **argv) __attribute__((weak));
int cmd_server(int argc, char **argv) __attribute__((weak));
int cmd_admission(int argc, char **argv) __attribute__((weak));

#endif

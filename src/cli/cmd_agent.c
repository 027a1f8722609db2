/* cmd_agent.c - `bulwark agent`: run the runtime agent in the foreground,
 * and `agent status|mode|reload` to talk to a running one over its control
 * socket. Argument parsing only; the agent module does the work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agent/agent.h"
#include "cli.h"

static const char agent_usage[] =
	"Usage: bulwark agent [OPTIONS]            run the agent (foreground)\n"
	"       bulwark agent status [--socket PATH] [--format table|json]\n"
	"       bulwark agent mode GROUP discover|monitor|protect [--socket PATH]\n"
	"       bulwark agent reload [--socket PATH]\n"
	"\n"
	"The runtime agent: discovers the containers of this host (runc, crun,\n"
	"containerd, Docker, Podman, Kubernetes pods), learns what each group of\n"
	"containers runs and writes (discover), reports what is outside that\n"
	"profile and the policy (monitor) or denies it before it runs (protect).\n"
	"Built-in detections alert in every mode. Runs until SIGTERM or SIGINT;\n"
	"SIGHUP re-reads the policy directory (a policy that does not validate is\n"
	"not applied; the previous one stays). Must run as root.\n"
	"\n"
	"Options:\n"
	"      --policy DIR         SecurityPolicy YAML files (*.yaml, *.yml) to apply;\n"
	"                           invalid at start: exit 2 with the error\n"
	"      --events FILE|-      security events as JSON lines (default -: stdout;\n"
	"                           a file is appended to)\n"
	"      --source auto|bpf|proc\n"
	"                           process events from eBPF or the netlink proc\n"
	"                           connector (default auto: eBPF, else the connector;\n"
	"                           BULWARK_AGENT_NO_BPF=1 forces the connector)\n"
	"      --default-mode discover|monitor|protect\n"
	"                           mode of groups whose policy sets none (default discover)\n"
	"      --state-dir DIR      learned profiles in DIR/profiles (default\n"
	"                           " AGENT_DEFAULT_STATE_DIR ")\n"
	"      --socket PATH        control socket (default " AGENT_DEFAULT_SOCKET ")\n"
	"      --syscall-hooks on|off\n"
	"                           eBPF hooks on every system call for the mount,\n"
	"                           module-load, memfd, escape-file-open and accept\n"
	"                           events (default off: they slow every system call\n"
	"                           of the host; docs/agent.md, \"Performance\")\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit codes: 0 stopped by a signal, 2 usage or input error (bad policy, not\n"
	"root, cannot open a source), 3 internal error.\n";

static const char status_usage[] =
	"Usage: bulwark agent status [--socket PATH] [--format table|json]\n"
	"\n"
	"Show the running agent's containers, groups, modes and counters (events\n"
	"seen, handled and dropped by reason). Exit 0 once the agent is up and its\n"
	"first container scan is done; 2 when no agent answers at the socket.\n";

static const char mode_usage[] =
	"Usage: bulwark agent mode GROUP discover|monitor|protect [--socket PATH]\n"
	"\n"
	"Switch GROUP's mode in the running agent at once, without a restart. It\n"
	"overrides the policy's mode until the agent stops.\n";

static const char reload_usage[] =
	"Usage: bulwark agent reload [--socket PATH]\n"
	"\n"
	"Re-read the agent's --policy directory (like SIGHUP), and report whether\n"
	"it was applied.\n";

static int need_root(const char *cmd)
{
	if (geteuid() == 0)
		return -1;
	fprintf(stderr,
		"bulwark %s: must run as root (the agent uses fanotify and eBPF, and its "
		"control socket is root-only)\n",
		cmd);
	return BW_EXIT_INPUT;
}

static int run_agent(int argc, char **argv)
{
	struct agent_opts o;
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	int rc;

	agent_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *v;

		if (cli_opt_is(arg, NULL, "--policy", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)) || !v[0])
				return cli_usage_error("agent", "%s needs a directory", arg);
			o.policy_dir = v;
		} else if (cli_opt_is(arg, NULL, "--events", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)) || !v[0])
				return cli_usage_error("agent", "%s needs a file name or -", arg);
			o.events_path = v;
		} else if (cli_opt_is(arg, NULL, "--source", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("agent", "%s needs a value", arg);
			if (strcmp(v, "auto") != 0 && strcmp(v, "bpf") != 0 && strcmp(v, "proc") != 0)
				return cli_usage_error("agent",
						       "unknown source '%s' (expected auto, bpf or proc)",
						       v);
			o.source = v;
		} else if (cli_opt_is(arg, NULL, "--default-mode", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("agent", "%s needs a value", arg);
			if (!policy_mode_parse(v, &o.default_mode) ||
			    o.default_mode == POLICY_MODE_UNSET)
				return cli_usage_error("agent",
						       "unknown mode '%s' (expected discover, monitor "
						       "or protect)",
						       v);
		} else if (cli_opt_is(arg, NULL, "--state-dir", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)) || !v[0])
				return cli_usage_error("agent", "%s needs a directory", arg);
			o.state_dir = v;
		} else if (cli_opt_is(arg, NULL, "--socket", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)) || !v[0])
				return cli_usage_error("agent", "%s needs a path", arg);
			o.socket_path = v;
		} else if (cli_opt_is(arg, NULL, "--syscall-hooks", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error("agent", "%s needs a value", arg);
			if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
				return cli_usage_error("agent",
						       "--syscall-hooks: '%s' (expected on or off)", v);
			o.syscall_hooks = v;
		} else {
			return cli_usage_error("agent", "unknown option or command '%s'", arg);
		}
	}
	rc = need_root("agent");
	if (rc >= 0)
		return rc;
	result = agent_run(&o, &eb);
	if (result != BW_OK)
		return cli_fail("agent", result, &eb);
	return BW_EXIT_OK;
}

/* Send req; on success *resp is the parsed response object. */
static int ctl_call(const char *cmd, const char *socket_path, json_t *req, json_t **resp)
{
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	char *reqs = json_dumps(req, JSON_COMPACT), *out = NULL;
	const char *err;

	*resp = NULL;
	if (!reqs)
		return cli_fail(cmd, BW_ERR_NOMEM, &eb);
	result = agent_ctl_request(socket_path, reqs, &out, &eb);
	free(reqs);
	if (result == BW_OK)
		result = bw_json_parse(out, strlen(out), "agent response", resp, &eb);
	free(out);
	if (result != BW_OK) {
		fprintf(stderr, "bulwark %s: %s\n", cmd, bw_errmsg(&eb, result));
		return BW_EXIT_INPUT; /* no agent answering is an input problem for the CLI */
	}
	if (!json_is_object(*resp) || !bw_json_bool(*resp, "ok", false)) {
		err = json_is_object(*resp) ? bw_json_str(*resp, "error") : NULL;
		fprintf(stderr, "bulwark %s: the agent refused: %s\n", cmd,
			err ? err : "malformed response");
		json_decref(*resp);
		*resp = NULL;
		return BW_EXIT_INPUT;
	}
	return -1;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = bw_json_str(o, k);

	return s ? s : "-";
}

static void print_status_table(const json_t *st)
{
	const json_t *arr, *v, *cnt, *drop;
	const char *k;
	size_t i;

	printf("source: %s\n\n", jstr(st, "source"));
	printf("%-28s %-8s %-24s %-9s %8s %s\n", "CONTAINER", "RUNTIME", "GROUP", "MODE", "PID",
	       "MARKED");
	arr = json_object_get(st, "containers");
	json_array_foreach(arr, i, v)
		printf("%-28s %-8s %-24s %-9s %8lld %s\n", jstr(v, "id"), jstr(v, "runtime"),
		       jstr(v, "group"), jstr(v, "mode"), (long long)bw_json_int(v, "init_pid", 0),
		       bw_json_bool(v, "marked", false) ? "yes" : "no");
	printf("\n%-28s %-9s %6s %6s %6s %s\n", "GROUP", "MODE", "EXECS", "WRITES", "CONNS",
	       "POLICY");
	arr = json_object_get(st, "groups");
	json_array_foreach(arr, i, v) {
		const json_t *p = json_object_get(v, "profile");

		printf("%-28s %-9s %6lld %6lld %6lld %s\n", jstr(v, "name"), jstr(v, "mode"),
		       (long long)bw_json_int(p, "execs", 0), (long long)bw_json_int(p, "writes", 0),
		       (long long)bw_json_int(p, "conns", 0), jstr(v, "policy"));
	}
	cnt = json_object_get(st, "counters");
	printf("\nevents: %lld seen, %lld handled, %lld denied, %lld violations, %lld alerts\n",
	       (long long)bw_json_int(cnt, "events_seen", 0),
	       (long long)bw_json_int(cnt, "events_handled", 0),
	       (long long)bw_json_int(cnt, "denied", 0), (long long)bw_json_int(cnt, "violations", 0),
	       (long long)bw_json_int(cnt, "alerts", 0));
	printf("dropped:");
	drop = json_object_get(cnt, "dropped");
	json_object_foreach((json_t *)drop, k, v)
		printf(" %s %lld", k, (long long)json_integer_value(v));
	printf("\n");
}

/* Options shared by the client commands: --socket, --format; the rest are
 * positional. Returns -1 when parsing succeeded, else the exit code. */
static int parse_client(const char *cmd, int argc, char **argv, const char **sock,
			const char **format, const char **pos, int maxpos, int *npos)
{
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *v;

		if (cli_opt_is(arg, NULL, "--socket", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)) || !v[0])
				return cli_usage_error(cmd, "%s needs a path", arg);
			*sock = v;
		} else if (format && cli_opt_is(arg, "-f", "--format", &eq)) {
			if (!(v = cli_opt_value(argc, argv, &i, eq)))
				return cli_usage_error(cmd, "%s needs a value", arg);
			if (strcmp(v, "table") != 0 && strcmp(v, "json") != 0)
				return cli_usage_error(cmd, "unknown format '%s' (table or json)", v);
			*format = v;
		} else if (arg[0] == '-') {
			return cli_usage_error(cmd, "unknown option '%s'", arg);
		} else if (*npos >= maxpos) {
			return cli_usage_error(cmd, "unexpected argument '%s'", arg);
		} else {
			pos[(*npos)++] = arg;
		}
	}
	return -1;
}

static int cmd_status(int argc, char **argv)
{
	const char *sock = AGENT_DEFAULT_SOCKET, *format = "table";
	json_t *req, *resp;
	int npos, rc;

	if (cli_wants_help(argc, argv)) {
		fputs(status_usage, stdout);
		return BW_EXIT_OK;
	}
	rc = parse_client("agent status", argc, argv, &sock, &format, NULL, 0, &npos);
	if (rc >= 0)
		return rc;
	rc = need_root("agent status");
	if (rc >= 0)
		return rc;
	req = json_pack("{s:s}", "cmd", "status");
	rc = ctl_call("agent status", sock, req, &resp);
	json_decref(req);
	if (rc >= 0)
		return rc;
	json_object_del(resp, "ok");
	if (strcmp(format, "json") == 0) {
		struct bw_errbuf eb = {{0}};

		if (bw_json_write(resp, stdout, &eb) != BW_OK) {
			json_decref(resp);
			return cli_fail("agent status", BW_ERR_IO, &eb);
		}
	} else {
		print_status_table(resp);
	}
	json_decref(resp);
	return BW_EXIT_OK;
}

static int cmd_mode(int argc, char **argv)
{
	const char *sock = AGENT_DEFAULT_SOCKET, *pos[2];
	enum policy_mode m;
	json_t *req, *resp;
	int npos, rc;

	if (cli_wants_help(argc, argv)) {
		fputs(mode_usage, stdout);
		return BW_EXIT_OK;
	}
	rc = parse_client("agent mode", argc, argv, &sock, NULL, pos, 2, &npos);
	if (rc >= 0)
		return rc;
	if (npos != 2)
		return cli_usage_error("agent mode", "GROUP and MODE expected");
	if (!policy_mode_parse(pos[1], &m) || m == POLICY_MODE_UNSET)
		return cli_usage_error("agent mode",
				       "unknown mode '%s' (expected discover, monitor or protect)",
				       pos[1]);
	rc = need_root("agent mode");
	if (rc >= 0)
		return rc;
	req = json_pack("{s:s,s:s,s:s}", "cmd", "mode", "group", pos[0], "mode", pos[1]);
	rc = ctl_call("agent mode", sock, req, &resp);
	json_decref(req);
	if (rc >= 0)
		return rc;
	if (!cli_quiet)
		printf("group %s: %s\n", pos[0], policy_mode_name(m));
	json_decref(resp);
	return BW_EXIT_OK;
}

static int cmd_reload(int argc, char **argv)
{
	const char *sock = AGENT_DEFAULT_SOCKET;
	json_t *req, *resp;
	int npos, rc;

	if (cli_wants_help(argc, argv)) {
		fputs(reload_usage, stdout);
		return BW_EXIT_OK;
	}
	rc = parse_client("agent reload", argc, argv, &sock, NULL, NULL, 0, &npos);
	if (rc >= 0)
		return rc;
	rc = need_root("agent reload");
	if (rc >= 0)
		return rc;
	req = json_pack("{s:s}", "cmd", "reload");
	rc = ctl_call("agent reload", sock, req, &resp);
	json_decref(req);
	if (rc >= 0)
		return rc;
	if (!cli_quiet)
		printf("policy applied\n");
	json_decref(resp);
	return BW_EXIT_OK;
}

int cmd_agent(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "mode") == 0)
		return cmd_mode(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "reload") == 0)
		return cmd_reload(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "run") == 0) {
		argc--;
		argv++;
	}
	if (cli_wants_help(argc, argv)) {
		fputs(agent_usage, stdout);
		return BW_EXIT_OK;
	}
	return run_agent(argc, argv);
}

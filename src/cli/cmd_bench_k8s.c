/* cmd_bench_k8s.c - `bulwark bench k8s`: the CIS Kubernetes benchmark with
 * kube-bench compatible check definitions (src/k8s). Called by cmd_bench.c. */
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "cli.h"
#include "k8s/k8s.h"

int cli_bench_k8s(int argc, char **argv);

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bulwark bench k8s [OPTIONS]\n"
		"\n"
		"CIS Kubernetes Benchmark checks of this node (or of a host root given with\n"
		"--root), from kube-bench format definitions: the built-in cis-1.8 set, or\n"
		"your own or kube-bench's with --config-dir.\n"
		"\n"
		"Options:\n"
		"  --node master|worker|etcd|policies|auto\n"
		"                       which node checks to run (repeatable; default auto:\n"
		"                       kube-apiserver running -> master and policies, etcd ->\n"
		"                       etcd, kubelet -> worker)\n"
		"  --root DIR           audit the host root DIR (a mounted or fake root):\n"
		"                       files and /proc are read below DIR\n"
		"  --config-dir DIR     kube-bench style cfg directory (config.yaml and\n"
		"                       BENCHMARK/*.yaml) instead of the built-in definitions\n"
		"  --benchmark NAME     definitions folder to use (default cis-1.8)\n"
		"  --check ID...        run only these checks (\"1.2\" selects 1.2.*)\n"
		"  --skip ID...         skip these checks\n"
		"  --allow-exec         run audit commands that are not evaluated natively\n"
		"                       (through sh -c; never with --root)\n"
		"  --format table|json|junit   output format (default table)\n"
		"  -o, --output FILE    write the report to FILE\n"
		"  --fail-on-error      exit 1 also when a scored check is ERROR\n"
		"\n"
		"Exit codes: 0 no scored check FAILed, 1 some did, 2 usage or input error,\n"
		"3 internal error.\n");
}

int cli_bench_k8s(int argc, char **argv)
{
	struct bench_filter filter;
	struct k8s_bench_opts o;
	struct bench_report r;
	enum bench_format fmt = BENCH_FORMAT_TABLE;
	const char *output = NULL;
	bool errors_fail = false;
	struct bw_errbuf eb = {{0}};
	struct bw_out out;
	enum bw_err result;
	int rc = BW_EXIT_INPUT;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return BW_EXIT_OK;
	}
	memset(&filter, 0, sizeof(filter));
	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v, *eq;

		if (cli_is_opt(a, "--check") || cli_is_opt(a, "--skip")) {
			struct bw_strv *sv = cli_is_opt(a, "--check") ? &filter.only : &filter.skip;
			size_t before = sv->n;

			if (strchr(a, '=') && cli_split_list(sv, strchr(a, '=') + 1) != BW_OK)
				goto out_nomem;
			while (i + 1 < argc && argv[i + 1][0] != '-')
				if (cli_split_list(sv, argv[++i]) != BW_OK)
					goto out_nomem;
			if (sv->n == before) {
				rc = cli_usage_error("bench k8s", "%s needs at least one check ID", a);
				goto out_filter;
			}
		} else if (cli_is_opt(a, "--node")) {
			unsigned m;

			v = cli_opt_arg(argc, argv, &i, "--node");
			if (!v || k8s_node_parse(v, &m) != BW_OK) {
				rc = cli_usage_error("bench k8s",
						     "--node: '%s' is not master, worker, etcd, policies or auto",
						     v ? v : "");
				goto out_filter;
			}
			o.nodes |= m;
		} else if (cli_is_opt(a, "--format")) {
			v = cli_opt_arg(argc, argv, &i, "--format");
			if (bench_format_parse(v, &fmt, &eb) != BW_OK) {
				rc = cli_usage_error("bench k8s", "%s", eb.msg);
				goto out_filter;
			}
		} else if (cli_opt_is(a, "-o", "--output", &eq)) {
			output = cli_opt_value(argc, argv, &i, eq);
			if (!output || !*output) {
				rc = cli_usage_error("bench k8s", "%s needs a FILE", a);
				goto out_filter;
			}
		} else if (cli_is_opt(a, "--root")) {
			o.root = cli_opt_arg(argc, argv, &i, "--root");
			if (!o.root || !*o.root) {
				rc = cli_usage_error("bench k8s", "--root needs a DIR");
				goto out_filter;
			}
		} else if (cli_is_opt(a, "--config-dir")) {
			o.config_dir = cli_opt_arg(argc, argv, &i, "--config-dir");
			if (!o.config_dir || !*o.config_dir) {
				rc = cli_usage_error("bench k8s", "--config-dir needs a DIR");
				goto out_filter;
			}
		} else if (cli_is_opt(a, "--benchmark")) {
			o.benchmark = cli_opt_arg(argc, argv, &i, "--benchmark");
			if (!o.benchmark || !*o.benchmark) {
				rc = cli_usage_error("bench k8s", "--benchmark needs a NAME");
				goto out_filter;
			}
		} else if (strcmp(a, "--allow-exec") == 0) {
			o.allow_exec = true;
		} else if (strcmp(a, "--fail-on-error") == 0) {
			errors_fail = true;
		} else {
			rc = cli_usage_error("bench k8s", "unknown argument '%s'", a);
			goto out_filter;
		}
	}
	o.filter = &filter;
	if (bench_report_init(&r, "CIS Kubernetes Benchmark", NULL) != BW_OK) {
		rc = BW_EXIT_INTERNAL;
		goto out_filter;
	}
	result = k8s_bench_run(&o, &r, NULL, &eb);
	if (result != BW_OK) {
		rc = cli_fail("bench k8s", result, &eb);
		goto out_report;
	}
	if (r.n == 0) {
		rc = cli_usage_error("bench k8s", "--check/--skip selected no check");
		goto out_report;
	}
	result = bw_out_open(&out, output, &eb);
	if (result == BW_OK) {
		result = bench_write(&r, fmt, out.f, &eb);
		if (result == BW_OK)
			result = bw_out_commit(&out, &eb);
		else
			bw_out_abort(&out);
	}
	if (result != BW_OK) {
		rc = cli_fail("bench k8s", result, &eb);
		goto out_report;
	}
	rc = bench_exit_code(&r, errors_fail);
out_report:
	bench_report_release(&r);
out_filter:
	bench_filter_release(&filter);
	return rc;

out_nomem:
	bench_filter_release(&filter);
	return cli_fail("bench k8s", BW_ERR_NOMEM, NULL);
}

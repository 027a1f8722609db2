/* cmd_bench.c - `bulwark bench docker|k8s`: CIS benchmarks of the host.
 * Argument parsing only; the checks live in src/bench. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/bench.h"
#include "cli.h"

/* Defined by src/cli/cmd_bench_k8s.c when the Kubernetes benchmark is built. */
extern int cli_bench_k8s(int, char **) __attribute__((weak));

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bulwark bench docker [OPTIONS]\n"
		"       bulwark bench k8s [OPTIONS]   (see 'bulwark bench k8s --help')\n"
		"\n"
		"Audit this host against the CIS Docker Benchmark v1.6.0 (117 checks).\n"
		"\n"
		"Options of 'bench docker':\n"
		"  --check ID...        run only these checks; an ID is exact (\"2.2\") or a\n"
		"                       section prefix (\"5\", \"1.1\"); comma or space separated,\n"
		"                       repeatable\n"
		"  --skip ID...         skip these checks (same matching)\n"
		"  --format FMT         table (default), json or junit\n"
		"  --output FILE        write the report to FILE (atomically) instead of stdout\n"
		"  --root DIR           audit a mounted host file system offline: files below DIR,\n"
		"                       no process or Engine API (those checks give ERROR or\n"
		"                       NOT_APPLICABLE with the reason)\n"
		"  --docker-host URL    Engine API endpoint, unix:///path (default: $DOCKER_HOST,\n"
		"                       else the running dockerd's -H socket, else\n"
		"                       /var/run/docker.sock)\n"
		"  --fail-on-error      exit 1 also when an automated check gives ERROR\n"
		"  -h, --help           this help\n"
		"\n"
		"Statuses: PASS, FAIL, WARN (manual check: review the evidence), INFO,\n"
		"NOT_APPLICABLE, ERROR (data needed for the verdict could not be read).\n"
		"Exit codes: 0 no automated check FAILs, 1 an automated check FAILs,\n"
		"2 usage or input error, 3 internal error.\n");
}

/* Write the report to output (NULL or "-": stdout) through bw_out: a
 * regular file is replaced atomically, /dev/null or a FIFO written in place. */
static enum bw_err write_report(const struct bench_report *r, enum bench_format fmt,
				const char *output, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct bw_out out;

	result = bw_out_open(&out, output, eb);
	if (result != BW_OK)
		return result;
	result = bench_write(r, fmt, out.f, eb);
	if (result != BW_OK) {
		bw_out_abort(&out);
		return result;
	}
	return bw_out_commit(&out, eb);
}

static int bench_docker(int argc, char **argv)
{
	struct bench_filter filter;
	struct bench_docker_opts o;
	struct bench_report r;
	enum bench_format fmt = BENCH_FORMAT_TABLE;
	const char *output = NULL;
	bool errors_fail = false;
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	int rc = BW_EXIT_INPUT;

	memset(&filter, 0, sizeof(filter));
	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v, *eq;

		if (cli_is_opt(a, "--check") || cli_is_opt(a, "--skip")) {
			struct bw_strv *sv = cli_is_opt(a, "--check") ? &filter.only : &filter.skip;
			const char *name = cli_is_opt(a, "--check") ? "--check" : "--skip";
			size_t before = sv->n;

			if (strchr(a, '=')) {
				if (cli_split_list(sv, strchr(a, '=') + 1) != BW_OK)
					goto out_filter;
			}
			while (i + 1 < argc && argv[i + 1][0] != '-')
				if (cli_split_list(sv, argv[++i]) != BW_OK)
					goto out_filter;
			if (sv->n == before) {
				rc = cli_usage_error("bench docker", "%s needs at least one check ID", name);
				goto out_filter;
			}
		} else if (cli_is_opt(a, "--format")) {
			v = cli_opt_arg(argc, argv, &i, "--format");
			if (bench_format_parse(v, &fmt, &eb) != BW_OK) {
				rc = cli_usage_error("bench docker", "%s", eb.msg);
				goto out_filter;
			}
		} else if (cli_opt_is(a, "-o", "--output", &eq)) {
			output = cli_opt_value(argc, argv, &i, eq);
			if (!output) {
				rc = cli_usage_error("bench docker", "%s needs a FILE", a);
				goto out_filter;
			}
		} else if (cli_is_opt(a, "--root")) {
			o.root = cli_opt_arg(argc, argv, &i, "--root");
			if (!o.root) {
				rc = cli_usage_error("bench docker", "--root needs a DIR");
				goto out_filter;
			}
		} else if (cli_is_opt(a, "--docker-host")) {
			o.docker_host = cli_opt_arg(argc, argv, &i, "--docker-host");
			if (!o.docker_host || !bw_str_starts_with(o.docker_host, "unix://")) {
				rc = cli_usage_error("bench docker",
						     "--docker-host needs a unix:///path URL, got '%s'",
						     o.docker_host ? o.docker_host : "");
				goto out_filter;
			}
		} else if (strcmp(a, "--fail-on-error") == 0) {
			errors_fail = true;
		} else {
			rc = cli_usage_error("bench docker", "unknown argument '%s'", a);
			goto out_filter;
		}
	}
	if ((output && !*output) || (o.root && !*o.root)) {
		rc = cli_usage_error("bench docker", "--output and --root need a value");
		goto out_filter;
	}
	o.filter = &filter;
	if (bench_report_init(&r, "CIS Docker Benchmark v1.6.0", NULL) != BW_OK) {
		rc = BW_EXIT_INTERNAL;
		goto out_filter;
	}
	result = bench_docker_run(&o, &r, &eb);
	if (result != BW_OK) {
		rc = cli_fail("bench docker", result, &eb);
		goto out_report;
	}
	if (r.n == 0) {
		rc = cli_usage_error("bench docker", "--check/--skip selected no check");
		goto out_report;
	}
	result = write_report(&r, fmt, output, &eb);
	if (result != BW_OK) {
		rc = cli_fail("bench docker", result, &eb);
		goto out_report;
	}
	rc = bench_exit_code(&r, errors_fail);
out_report:
	bench_report_release(&r);
out_filter:
	bench_filter_release(&filter);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_INPUT : BW_EXIT_OK;
	}
	if (strcmp(argv[1], "docker") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			usage(stdout);
			return BW_EXIT_OK;
		}
		return bench_docker(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "k8s") == 0) {
		if (!cli_bench_k8s) {
			fprintf(stderr, "bulwark bench: bench k8s is not built\n");
			return BW_EXIT_INPUT;
		}
		return cli_bench_k8s(argc - 1, argv + 1);
	}
	return cli_usage_error("bench", "unknown benchmark '%s' (expected docker or k8s)", argv[1]);
}

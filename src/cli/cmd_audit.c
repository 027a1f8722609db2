/* cmd_audit.c - `bulwark audit k8s FILE|DIR|-...`: Kubernetes manifests
 * against the Pod Security Standards and best practice (src/k8s). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "k8s/k8s.h"

#define AUDIT_MAX_FILES 100000
#define AUDIT_MAX_DIR_DEPTH 32

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bulwark audit k8s [OPTIONS] FILE|DIR|- ...\n"
		"\n"
		"Audit Kubernetes manifests (Pod, Deployment, StatefulSet, DaemonSet,\n"
		"ReplicaSet, Job, CronJob, ReplicationController, PodTemplate, *List;\n"
		"multi-document YAML or JSON) against the Pod Security Standards and\n"
		"best practice. A directory is read recursively (*.yaml, *.yml, *.json).\n"
		"\n"
		"Options:\n"
		"  --level baseline|restricted  PSS level to check (default restricted;\n"
		"                               each finding names the level it breaks)\n"
		"  --no-best-practice           only the Pod Security Standards checks\n"
		"  --format table|json|sarif    output format (default table)\n"
		"  -o, --output FILE            write the report to FILE (default stdout)\n"
		"  --fail-on low|medium|high|critical\n"
		"                               exit 1 when a finding has this severity or\n"
		"                               higher (default: findings do not fail)\n"
		"\n"
		"Exit codes: 0 no finding at the --fail-on threshold, 1 some, 2 usage or\n"
		"input error (unreadable or malformed manifest), 3 internal error.\n");
}

struct audit_run {
	struct k8s_audit_opts opts;
	struct k8s_findings findings;
	size_t objects;
	size_t files;
	bool input_error;
};

static void audit_bytes(struct audit_run *r, const char *data, size_t n, const char *what)
{
	struct bw_errbuf eb = {{0}};
	enum bw_err result = k8s_audit_stream(data, n, what, &r->opts, &r->findings, &r->objects, &eb);

	r->files++;
	if (result != BW_OK) {
		fprintf(stderr, "bulwark audit: %s\n", bw_errmsg(&eb, result));
		r->input_error = true;
	}
}

static void audit_file(struct audit_run *r, const char *path)
{
	struct bw_buf b;
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	bw_buf_init(&b, K8S_YAML_MAX_BYTES);
	if (strcmp(path, "-") == 0)
		result = bw_buf_read_fd(&b, 0, "stdin", &eb);
	else
		result = bw_buf_read_file(&b, path, &eb);
	if (result != BW_OK) {
		fprintf(stderr, "bulwark audit: %s\n", bw_errmsg(&eb, result));
		r->input_error = true;
	} else {
		audit_bytes(r, b.data ? b.data : "", b.len, strcmp(path, "-") == 0 ? "stdin" : path);
	}
	bw_buf_release(&b);
}

static bool manifest_name(const char *name)
{
	return bw_str_ends_with(name, ".yaml") || bw_str_ends_with(name, ".yml") ||
	       bw_str_ends_with(name, ".json");
}

/* Collect manifest files below dir (sorted per directory, symlinked
 * directories not followed). */
static enum bw_err walk(const char *dir, int depth, struct bw_strv *files, struct bw_errbuf *eb)
{
	struct dirent **ents = NULL;
	int n;
	enum bw_err result = BW_OK;

	if (depth > AUDIT_MAX_DIR_DEPTH)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: directories nested deeper than %d", dir,
			       AUDIT_MAX_DIR_DEPTH);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return bw_fail(eb, BW_ERR_IO, "%s: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		struct stat st;
		char *p;

		if (result != BW_OK || nm[0] == '.')
			continue;
		p = bw_strfmt("%s/%s", dir, nm);
		if (!p) {
			result = bw_fail(eb, BW_ERR_NOMEM, "out of memory");
			continue;
		}
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			result = walk(p, depth + 1, files, eb);
			free(p);
		} else if (manifest_name(nm) && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			if (files->n >= AUDIT_MAX_FILES)
				result = bw_fail(eb, BW_ERR_LIMIT, "%s: more than %d manifest files",
						 dir, AUDIT_MAX_FILES);
			else {
				result = bw_strv_push_owned(files, p); /* takes p, even on failure */
				p = NULL;
			}
			free(p);
		} else {
			free(p);
		}
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return result;
}

static int audit_k8s(int argc, char **argv)
{
	struct audit_run r;
	const char *format = "table", *output = NULL;
	bool fail_set = false;
	enum k8s_severity fail_on = K8S_SEV_LOW;
	struct bw_strv inputs = {0};
	struct bw_out out = {0};
	struct bw_errbuf eb = {{0}};
	enum bw_err result;
	int rc = BW_EXIT_OK;
	int i;

	memset(&r, 0, sizeof(r));
	r.opts.level = K8S_LEVEL_RESTRICTED;
	r.opts.best_practice = true;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		const char *eq = bw_str_starts_with(a, "--") ? strchr(a, '=') : NULL;
		char name[32];

		if (eq) { /* --opt=value */
			size_t n = (size_t)(eq - a);

			if (n >= sizeof(name)) {
				rc = cli_usage_error("audit", "unknown option '%s'", a);
				goto out_release;
			}
			memcpy(name, a, n);
			name[n] = '\0';
			a = name;
			val = eq + 1;
		}
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-") == 0 || a[0] != '-') {
			if (bw_strv_push(&inputs, a) != BW_OK)
				goto out_nomem;
			continue;
		}
		if (strcmp(a, "--no-best-practice") == 0 && !eq) {
			r.opts.best_practice = false;
			continue;
		}
		if (!val) {
			rc = cli_usage_error("audit", "option '%s' needs a value or is unknown", a);
			goto out_release;
		}
		if (!eq)
			i++;
		if (strcmp(a, "--level") == 0) {
			if (k8s_level_parse(val, &r.opts.level) != BW_OK) {
				rc = cli_usage_error("audit", "--level: '%s' is not baseline or restricted", val);
				goto out_release;
			}
		} else if (strcmp(a, "--format") == 0) {
			if (strcmp(val, "table") && strcmp(val, "json") && strcmp(val, "sarif")) {
				rc = cli_usage_error("audit", "--format: '%s' is not table, json or sarif", val);
				goto out_release;
			}
			format = val;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			output = val;
		} else if (strcmp(a, "--fail-on") == 0) {
			if (k8s_severity_parse(val, &fail_on) != BW_OK) {
				rc = cli_usage_error("audit", "--fail-on: '%s' is not low, medium, high or critical", val);
				goto out_release;
			}
			fail_set = true;
		} else {
			rc = cli_usage_error("audit", "unknown option '%s'", a);
			goto out_release;
		}
	}
	for (; i < argc; i++)
		if (bw_strv_push(&inputs, argv[i]) != BW_OK)
			goto out_nomem;
	if (inputs.n == 0) {
		rc = cli_usage_error("audit", "k8s: no FILE, DIR or - given");
		goto out_release;
	}

	for (size_t k = 0; k < inputs.n; k++) {
		struct stat st;
		const char *in = inputs.v[k];

		if (strcmp(in, "-") != 0 && stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
			struct bw_strv files = {0};

			result = walk(in, 0, &files, &eb);
			if (result != BW_OK) {
				fprintf(stderr, "bulwark audit: %s\n", bw_errmsg(&eb, result));
				r.input_error = true;
			}
			for (size_t j = 0; j < files.n; j++)
				audit_file(&r, files.v[j]);
			bw_strv_release(&files);
		} else {
			audit_file(&r, in);
		}
	}

	result = bw_out_open(&out, output, &eb);
	if (result != BW_OK) {
		rc = cli_fail("audit", result, &eb);
		goto out_release;
	}
	if (strcmp(format, "json") == 0)
		result = k8s_findings_write_json(&r.findings, r.objects, out.f, &eb);
	else if (strcmp(format, "sarif") == 0)
		result = k8s_findings_write_sarif(&r.findings, out.f, &eb);
	else
		result = k8s_findings_write_table(&r.findings, r.objects, out.f, &eb);
	if (result == BW_OK)
		result = bw_out_commit(&out, &eb);
	else
		bw_out_abort(&out);
	if (result != BW_OK) {
		rc = cli_fail("audit", result, &eb);
		goto out_release;
	}
	if (r.input_error) {
		rc = BW_EXIT_INPUT;
	} else if (fail_set) {
		for (size_t k = 0; k < r.findings.n; k++)
			if (r.findings.v[k].severity >= fail_on)
				rc = BW_EXIT_POLICY;
	}
	goto out_release;

out_nomem:
	rc = cli_fail("audit", BW_ERR_NOMEM, NULL);
out_release:
	bw_strv_release(&inputs);
	k8s_findings_release(&r.findings);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_INPUT : BW_EXIT_OK;
	}
	if (strcmp(argv[1], "k8s") == 0 || strcmp(argv[1], "kubernetes") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			usage(stdout);
			return BW_EXIT_OK;
		}
		return audit_k8s(argc - 1, argv + 1);
	}
	return cli_usage_error("audit", "unknown target '%s' (known: k8s)", argv[1]);
}

/* cmd_registry.c - `bulwark registry scan|report`: whole-registry scanning.
 *
 * scan walks the catalog (or --repo), each repository's tags, resolves
 * every tag to its manifest digest and catalogues each digest once: the
 * SBOM (JSON) and, when a vulnerability database is there, the findings
 * go into a SQLite store keyed by digest. report prints the store.
 *
 * This file also plugs the registry image source into image_open() at
 * start-up, so `bulwark sbom` and `bulwark scan` accept registry
 * references (main.c may call registry_init() itself; it is idempotent).
 */
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "image/image.h"
#include "match/match.h"
#include "registry/registry.h"
#include "sbom/sbom.h"
#include "vulndb/vulndb.h"

static const char registry_usage[] =
	"Usage: bulwark registry scan HOST [OPTIONS]\n"
	"       bulwark registry report HOST [--store FILE] [--format table|json]\n"
	"       bulwark registry listen HOST --listen ADDR:PORT [OPTIONS]\n"
	"\n"
	"scan lists the registry's repositories (/v2/_catalog) and their tags, and\n"
	"catalogues each image (manifest digest) once, storing its SBOM and its\n"
	"vulnerabilities; report prints them per repository and tag. listen takes\n"
	"the registry's push notifications (its `notifications: endpoints:` webhook)\n"
	"and scans each pushed image the same way (a shared secret in\n"
	"BULWARK_REGISTRY_WEBHOOK_TOKEN is required as \"Authorization: Bearer\").\n"
	"\n"
	"Options:\n"
	"      --repo GLOB          only repositories matching GLOB (repeatable; a\n"
	"                           name without wildcards skips the catalog)\n"
	"      --tag GLOB           only tags matching GLOB (repeatable)\n"
	"      --store FILE         results database (default:\n"
	"                           ~/.cache/bulwark/registry.sqlite)\n"
	"      --db FILE            vulnerability database (default: bulwark db's)\n"
	"      --rescan             catalogue digests already in the store again\n"
	"      --platform OS/ARCH   image to pick from multi-platform indexes\n"
	"      --insecure           plain HTTP\n"
	"      --ca-file FILE       trust the CAs in FILE\n"
	"      --username USER      with the password from BULWARK_REGISTRY_PASSWORD\n"
	"                           or --password-stdin\n"
	"      --password-stdin     read the password from standard input\n"
	"  -h, --help               show this help\n"
	"\n"
	"The same settings are read from BULWARK_REGISTRY_INSECURE,\n"
	"BULWARK_REGISTRY_CA_FILE, BULWARK_REGISTRY_USERNAME/PASSWORD and\n"
	"Docker's config.json (auths, credHelpers, credsStore).\n";

struct reg_args {
	const char *sub;
	const char *host;
	struct bw_strv repos;
	struct bw_strv tags;
	const char *store;
	const char *db;
	const char *platform;
	const char *format;
	const char *listen;
	bool rescan;
	bool password_stdin;
	struct registry_opts ropts;
};

static int parse_args(int argc, char **argv, struct reg_args *a)
{
	registry_opts_from_env(&a->ropts);
	a->format = "table";
	for (int i = 2; i < argc; i++) {
		const char *v;

		if (cli_is_opt(argv[i], "--repo")) {
			if (!(v = cli_opt_arg(argc, argv, &i, "--repo")) || bw_strv_push(&a->repos, v))
				return cli_usage_error("registry", "--repo needs a value");
		} else if (cli_is_opt(argv[i], "--tag")) {
			if (!(v = cli_opt_arg(argc, argv, &i, "--tag")) || bw_strv_push(&a->tags, v))
				return cli_usage_error("registry", "--tag needs a value");
		} else if (cli_is_opt(argv[i], "--store")) {
			if (!(a->store = cli_opt_arg(argc, argv, &i, "--store")))
				return cli_usage_error("registry", "--store needs a file");
		} else if (cli_is_opt(argv[i], "--db")) {
			if (!(a->db = cli_opt_arg(argc, argv, &i, "--db")))
				return cli_usage_error("registry", "--db needs a file");
		} else if (cli_is_opt(argv[i], "--platform")) {
			if (!(a->platform = cli_opt_arg(argc, argv, &i, "--platform")))
				return cli_usage_error("registry", "--platform needs OS/ARCH");
		} else if (cli_is_opt(argv[i], "--format")) {
			if (!(a->format = cli_opt_arg(argc, argv, &i, "--format")))
				return cli_usage_error("registry", "--format needs table or json");
		} else if (cli_is_opt(argv[i], "--listen")) {
			if (!(a->listen = cli_opt_arg(argc, argv, &i, "--listen")))
				return cli_usage_error("registry", "--listen needs ADDR:PORT");
		} else if (cli_is_opt(argv[i], "--ca-file")) {
			if (!(a->ropts.ca_file = cli_opt_arg(argc, argv, &i, "--ca-file")))
				return cli_usage_error("registry", "--ca-file needs a file");
		} else if (cli_is_opt(argv[i], "--username")) {
			if (!(a->ropts.username = cli_opt_arg(argc, argv, &i, "--username")))
				return cli_usage_error("registry", "--username needs a value");
		} else if (!strcmp(argv[i], "--insecure")) {
			a->ropts.insecure = true;
		} else if (!strcmp(argv[i], "--rescan")) {
			a->rescan = true;
		} else if (!strcmp(argv[i], "--password-stdin")) {
			a->password_stdin = true;
		} else if (argv[i][0] == '-') {
			return cli_usage_error("registry", "unknown option '%s'", argv[i]);
		} else if (!a->host) {
			a->host = argv[i];
		} else {
			return cli_usage_error("registry", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!a->host)
		return cli_usage_error("registry", "%s: which registry? (HOST[:PORT])", a->sub);
	if (strchr(a->host, '/'))
		return cli_usage_error("registry", "%s: give the registry host only, not a repository",
				       a->host);
	if (strcmp(a->format, "table") && strcmp(a->format, "json"))
		return cli_usage_error("registry", "unknown format '%s' (table, json)", a->format);
	return -1;
}

static bool glob_any(const struct bw_strv *globs, const char *s)
{
	if (globs->n == 0)
		return true;
	for (size_t i = 0; i < globs->n; i++)
		if (fnmatch(globs->v[i], s, 0) == 0)
			return true;
	return false;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* ---- scan ---- */

struct scan_ctx {
	struct reg_args *a;
	struct registry_store *store;
	struct vdb *db;
	struct image_platform platform;
	bool platform_set;
	size_t scanned, cached, failed;
};

static char *findings_json(const struct sbom *sb, const struct match_result *res)
{
	json_t *arr = json_array();
	char *s;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < res->n; i++) {
		const struct match_finding *f = &res->v[i];
		const struct sbom_pkg *p = f->pkg_index < sb->npkgs ? &sb->pkgs[f->pkg_index] : NULL;
		json_t *fixed = json_array();

		for (size_t j = 0; fixed && j < f->fixed_versions.n; j++)
			json_array_append_new(fixed, json_string(f->fixed_versions.v[j]));
		json_array_append_new(
			arr, json_pack("{s:o, s:o, s:o, s:s, s:o}", "id", bw_json_string_lossy(f->id),
				       "package", bw_json_string_lossy(p ? p->name : NULL), "version",
				       bw_json_string_lossy(p ? p->version : NULL), "severity",
				       match_severity_name(f->severity), "fixed",
				       fixed ? fixed : json_null()));
	}
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static enum bw_err catalogue(struct scan_ctx *x, const char *repo, const char *digest,
			     struct bw_errbuf *eb)
{
	struct image_ref ref = {0};
	struct image_open_opts oopts = {0};
	struct image *img = NULL;
	struct sbom *sb = NULL;
	struct match_result res = {0};
	struct registry_store_image im = {0};
	char *text, *sbom_text = NULL, *fjson = NULL;
	size_t sbom_len = 0;
	FILE *mem;
	enum bw_err result;

	text = bw_strfmt("%s/%s@%s", x->a->host, repo, digest);
	if (!text)
		return BW_ERR_NOMEM;
	oopts.registry_opts = &x->a->ropts;
	oopts.platform = x->platform;
	oopts.platform_set = x->platform_set;
	result = image_ref_parse(text, &ref, eb);
	if (result)
		goto out_text;
	if (ref.kind != IMAGE_REF_REGISTRY) {
		result = bw_fail(eb, BW_ERR_USAGE, "%s: not a registry reference", text);
		goto out_ref;
	}
	result = image_open(&ref, &oopts, &img, eb);
	if (result)
		goto out_ref;
	result = sbom_catalog(img, NULL, &sb, eb);
	if (result)
		goto out_image;
	sbom_sort(sb);
	if (!sb->target && !(sb->target = bw_strdup(text)))
		result = BW_ERR_NOMEM;
	if (!result && !sb->image_digest && !(sb->image_digest = bw_strdup(digest)))
		result = BW_ERR_NOMEM;
	if (result)
		goto out_sbom;
	mem = open_memstream(&sbom_text, &sbom_len);
	if (!mem) {
		result = BW_ERR_NOMEM;
		goto out_sbom;
	}
	result = sbom_write(sb, SBOM_FMT_JSON, mem, eb);
	if (fclose(mem) != 0 && !result)
		result = BW_ERR_NOMEM;
	if (result)
		goto out_sbom;
	im.digest = digest;
	im.sbom_json = sbom_text;
	im.packages = sb->npkgs;
	if (x->db) {
		result = match_sbom(x->db, sb, NULL, &res, eb);
		if (result)
			goto out_sbom;
		im.matched = 1;
		for (size_t i = 0; i < res.n; i++)
			if ((unsigned)res.v[i].severity < 6)
				im.counts[res.v[i].severity]++;
		fjson = findings_json(sb, &res);
		im.findings_json = fjson;
	}
	result = registry_store_put_image(x->store, &im, eb);
out_sbom:
	match_result_release(&res);
	free(fjson);
	free(sbom_text);
	sbom_free(sb);
out_image:
	image_free(img);
out_ref:
	image_ref_release(&ref);
out_text:
	free(text);
	return result;
}

static void scan_tag(struct scan_ctx *x, const char *repo, const char *tag)
{
	struct bw_errbuf eb = {0};
	char digest[80];
	enum bw_err result;
	bool cached;

	result = registry_resolve(x->a->host, repo, tag, &x->a->ropts, digest, &eb);
	if (result)
		goto out_fail;
	cached = !x->a->rescan && registry_store_has(x->store, digest);
	if (!cached) {
		result = catalogue(x, repo, digest, &eb);
		if (result)
			goto out_fail;
		x->scanned++;
	} else {
		x->cached++;
	}
	result = registry_store_put_tag(x->store, x->a->host, repo, tag, digest, &eb);
	if (result)
		goto out_fail;
	if (!cli_quiet)
		fprintf(stderr, "%s/%s:%s %s %s\n", x->a->host, repo, tag, digest,
			cached ? "(already scanned)" : "scanned");
	return;
out_fail:
	x->failed++;
	fprintf(stderr, "bulwark registry: %s/%s:%s: %s\n", x->a->host, repo, tag,
		bw_errmsg(&eb, result));
}

static int do_scan(struct reg_args *a)
{
	struct scan_ctx x = {.a = a};
	struct bw_strv repos = {0};
	struct bw_errbuf eb = {0};
	char *store_path = NULL, *dbpath = NULL;
	enum bw_err result;
	bool catalog = a->repos.n == 0;
	int rc = BW_EXIT_OK;

	if (a->platform) {
		result = image_platform_parse(a->platform, &x.platform, &eb);
		if (result)
			return cli_fail("registry", result, &eb);
		x.platform_set = true;
	}
	for (size_t i = 0; i < a->repos.n; i++)
		if (has_wildcard(a->repos.v[i]))
			catalog = true;
	store_path = a->store ? bw_strdup(a->store) : registry_store_default_path();
	if (!store_path)
		return cli_usage_error("registry", "no store path: give --store FILE");
	result = registry_store_open(store_path, true, &x.store, &eb);
	if (result)
		goto out_fail;
	dbpath = a->db ? bw_strdup(a->db) : vdb_default_path();
	if (dbpath) {
		result = vdb_open(dbpath, &x.db, &eb);
		if (result == BW_ERR_NOT_FOUND && !a->db) {
			BW_WARN("no vulnerability database at %s: storing SBOMs only", dbpath);
			result = BW_OK;
		}
		if (result)
			goto out_fail;
	}
	if (catalog) {
		result = registry_list_repos(a->host, &a->ropts, &repos, &eb);
		if (result)
			goto out_fail;
	} else {
		for (size_t i = 0; i < a->repos.n; i++)
			if ((result = bw_strv_push(&repos, a->repos.v[i])))
				goto out_fail;
	}
	bw_strv_sort(&repos);
	for (size_t i = 0; i < repos.n; i++) {
		struct bw_strv tags = {0};

		if (!glob_any(&a->repos, repos.v[i]))
			continue;
		eb.msg[0] = '\0';
		result = registry_list_tags(a->host, repos.v[i], &a->ropts, &tags, &eb);
		if (result) {
			x.failed++;
			fprintf(stderr, "bulwark registry: %s\n", bw_errmsg(&eb, result));
			bw_strv_release(&tags);
			continue;
		}
		bw_strv_sort(&tags);
		for (size_t j = 0; j < tags.n; j++)
			if (glob_any(&a->tags, tags.v[j]))
				scan_tag(&x, repos.v[i], tags.v[j]);
		bw_strv_release(&tags);
	}
	result = BW_OK;
	if (!cli_quiet)
		fprintf(stderr, "bulwark registry: %zu image(s) scanned, %zu already in %s, %zu failed\n",
			x.scanned, x.cached, store_path, x.failed);
	if (x.failed)
		rc = BW_EXIT_INPUT;
out_fail:
	if (result)
		rc = cli_fail("registry", result, &eb);
	bw_strv_release(&repos);
	vdb_close(x.db);
	registry_store_close(x.store);
	free(dbpath);
	free(store_path);
	return rc;
}

/* ---- listen ---- */

static volatile sig_atomic_t stop_listening;

static void on_signal(int sig)
{
	(void)sig;
	stop_listening = 1;
}

static void scan_push(struct scan_ctx *x, const struct registry_push *p)
{
	struct bw_errbuf eb = {0};
	enum bw_err result = BW_OK;
	bool cached = !x->a->rescan && registry_store_has(x->store, p->digest);

	if (!glob_any(&x->a->repos, p->repo) || (p->tag && !glob_any(&x->a->tags, p->tag)))
		return;
	if (!cached && !(result = catalogue(x, p->repo, p->digest, &eb)))
		x->scanned++;
	if (!result && p->tag)
		result = registry_store_put_tag(x->store, x->a->host, p->repo, p->tag, p->digest,
						&eb);
	if (result) {
		x->failed++;
		fprintf(stderr, "bulwark registry: push %s/%s@%s: %s\n", x->a->host, p->repo,
			p->digest, bw_errmsg(&eb, result));
		return;
	}
	if (!cli_quiet)
		fprintf(stderr, "%s/%s%s%s %s %s\n", x->a->host, p->repo, p->tag ? ":" : "",
			p->tag ? p->tag : "", p->digest, cached ? "(already scanned)" : "scanned");
}

static int do_listen(struct reg_args *a)
{
	struct scan_ctx x = {.a = a};
	struct registry_listener *l = NULL;
	struct bw_errbuf eb = {0};
	char addr[64], *store_path = NULL, *dbpath = NULL, *colon;
	const char *token = getenv("BULWARK_REGISTRY_WEBHOOK_TOKEN");
	uint64_t port;
	enum bw_err result;
	int rc = BW_EXIT_OK;

	if (!a->listen)
		return cli_usage_error("registry", "listen needs --listen ADDR:PORT");
	if (!token || !*token)
		return cli_usage_error("registry", "listen needs a shared secret in "
						   "BULWARK_REGISTRY_WEBHOOK_TOKEN");
	bw_strlcpy(addr, a->listen, sizeof(addr));
	colon = strrchr(addr, ':');
	if (!colon || bw_parse_u64(colon + 1, 65535, &port) || port == 0)
		return cli_usage_error("registry", "--listen %s: expected ADDR:PORT", a->listen);
	*colon = '\0';
	if (a->platform) {
		result = image_platform_parse(a->platform, &x.platform, &eb);
		if (result)
			return cli_fail("registry", result, &eb);
		x.platform_set = true;
	}
	store_path = a->store ? bw_strdup(a->store) : registry_store_default_path();
	if (!store_path)
		return cli_usage_error("registry", "no store path: give --store FILE");
	result = registry_store_open(store_path, true, &x.store, &eb);
	if (result)
		goto out_fail;
	dbpath = a->db ? bw_strdup(a->db) : vdb_default_path();
	if (dbpath) {
		result = vdb_open(dbpath, &x.db, &eb);
		if (result == BW_ERR_NOT_FOUND && !a->db) {
			BW_WARN("no vulnerability database at %s: storing SBOMs only", dbpath);
			result = BW_OK;
		}
		if (result)
			goto out_fail;
	}
	result = registry_listen_start(addr, (unsigned)port, token, &l, &eb);
	if (result)
		goto out_fail;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!cli_quiet)
		fprintf(stderr, "bulwark registry: listening on %s:%llu for pushes to %s\n", addr,
			(unsigned long long)port, a->host);
	while (!stop_listening) {
		struct registry_push p;

		if (!registry_listen_next(l, &p, 200))
			continue;
		scan_push(&x, &p);
		free(p.repo);
		free(p.tag);
		free(p.digest);
	}
out_fail:
	if (result)
		rc = cli_fail("registry", result, &eb);
	registry_listen_stop(l);
	vdb_close(x.db);
	registry_store_close(x.store);
	free(dbpath);
	free(store_path);
	return rc;
}

/* ---- report ---- */

struct report_ctx {
	bool json;
	json_t *arr;
	size_t rows;
};

static enum bw_err report_row(void *ctx, const char *repo, const char *tag,
			      const struct registry_store_image *im, struct bw_errbuf *eb)
{
	struct report_ctx *r = ctx;

	r->rows++;
	if (r->json) {
		json_t *findings = NULL, *o;

		if (im->findings_json)
			findings = json_loads(im->findings_json, 0, NULL);
		o = json_pack("{s:s, s:s, s:s, s:I, s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
			      "repository", repo, "tag", tag, "digest", im->digest, "packages",
			      (json_int_t)im->packages, "matched", im->matched, "counts", "critical",
			      (json_int_t)im->counts[5], "high", (json_int_t)im->counts[4],
			      "medium", (json_int_t)im->counts[3], "low", (json_int_t)im->counts[2],
			      "negligible", (json_int_t)im->counts[1], "unknown",
			      (json_int_t)im->counts[0], "findings",
			      findings ? findings : json_array());
		if (!o || json_array_append_new(r->arr, o))
			return BW_ERR_NOMEM;
		return BW_OK;
	}
	if (r->rows == 1)
		printf("%-30s %-16s %-19s %8s %5s %5s %5s %5s %5s\n", "REPOSITORY", "TAG", "DIGEST",
		       "PACKAGES", "CRIT", "HIGH", "MED", "LOW", "OTHER");
	if (im->matched)
		printf("%-30s %-16s %-19.19s %8zu %5zu %5zu %5zu %5zu %5zu\n", repo, tag, im->digest,
		       im->packages, im->counts[5], im->counts[4], im->counts[3], im->counts[2],
		       im->counts[1] + im->counts[0]);
	else
		printf("%-30s %-16s %-19.19s %8zu %29s\n", repo, tag, im->digest, im->packages,
		       "(not matched: no database)");
	return BW_OK;
}

static int do_report(struct reg_args *a)
{
	struct registry_store *store = NULL;
	struct report_ctx r = {.json = !strcmp(a->format, "json")};
	struct bw_errbuf eb = {0};
	char *store_path;
	enum bw_err result;
	int rc = BW_EXIT_OK;

	store_path = a->store ? bw_strdup(a->store) : registry_store_default_path();
	if (!store_path)
		return cli_usage_error("registry", "no store path: give --store FILE");
	result = registry_store_open(store_path, false, &store, &eb);
	if (result)
		goto out_fail;
	if (r.json && !(r.arr = json_array())) {
		result = BW_ERR_NOMEM;
		goto out_fail;
	}
	result = registry_store_report(store, a->host, report_row, &r, &eb);
	if (result)
		goto out_fail;
	if (r.json) {
		json_t *doc = json_pack("{s:s, s:O}", "registry", a->host, "images", r.arr);

		result = doc ? bw_json_write(doc, stdout, &eb) : BW_ERR_NOMEM;
		json_decref(doc);
		if (result)
			goto out_fail;
	} else if (r.rows == 0) {
		fprintf(stderr, "bulwark registry: nothing stored for %s in %s\n", a->host,
			store_path);
	}
out_fail:
	if (result)
		rc = cli_fail("registry", result, &eb);
	json_decref(r.arr);
	registry_store_close(store);
	free(store_path);
	return rc;
}

int cmd_registry(int argc, char **argv)
{
	struct reg_args a = {0};
	char pw[1024];
	int rc;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(registry_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_INPUT : BW_EXIT_OK;
	}
	a.sub = argv[1];
	if (strcmp(a.sub, "scan") && strcmp(a.sub, "report") && strcmp(a.sub, "listen"))
		return cli_usage_error("registry", "unknown subcommand '%s' (scan, report, listen)",
				       a.sub);
	if ((rc = parse_args(argc, argv, &a)) >= 0)
		goto out_args;
	if (a.password_stdin) {
		size_t n = fread(pw, 1, sizeof(pw) - 1, stdin);

		pw[n] = '\0';
		while (n && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
			pw[--n] = '\0';
		a.ropts.password = pw;
	}
	rc = !strcmp(a.sub, "scan")     ? do_scan(&a)
	     : !strcmp(a.sub, "listen") ? do_listen(&a)
					: do_report(&a);
	explicit_bzero(pw, sizeof(pw));
out_args:
	bw_strv_release(&a.repos);
	bw_strv_release(&a.tags);
	return rc;
}

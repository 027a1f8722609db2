/* cmd_db.c - `bulwark db build|update|info`: the vulnerability database
 * (src/vulndb). Argument parsing and printing only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "vulndb/vulndb.h"

#define DB_MAX_FROM 256
#define DB_MAX_FEEDS 256

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bulwark db build --from PATH... [--db FILE] [--strict]\n"
		"       bulwark db update [--db FILE] [--feed NAME=URL]... [--config FILE]\n"
		"       bulwark db info [--db FILE] [--format table|json]\n"
		"\n"
		"The vulnerability database is one SQLite file, by default\n"
		"$XDG_CACHE_HOME/bulwark/vulndb.sqlite (else ~/.cache/bulwark/vulndb.sqlite).\n"
		"Run 'bulwark db COMMAND --help' for a command's options. See docs/vulndb.md.\n");
}

static void usage_build(FILE *f)
{
	fprintf(f,
		"Usage: bulwark db build --from PATH [--from PATH]... [--db FILE] [--strict]\n"
		"\n"
		"Build the database from local feed files. Each PATH is a file or a directory\n"
		"read recursively; every file's format is recognised from its content: OSV\n"
		"JSON/YAML (also OSV's all.zip), Debian security tracker JSON and DSA/DLA\n"
		"lists, Alpine secdb JSON/YAML, ruby-advisory-db YAML, Node Security\n"
		"Platform JSON, NVD CVE JSON 2.0, CISA KEV JSON/CSV, EPSS CSV (.gz too).\n"
		"A SOURCE.txt in the directory gives the provenance recorded for it.\n"
		"The new database is written to a temporary file and renamed into place.\n"
		"\n"
		"Options:\n"
		"  --from PATH   feed file or directory (repeatable; also as bare arguments)\n"
		"  --db FILE     database to write (default: see 'bulwark db --help')\n"
		"  --strict      fail (exit 2, old database kept) when any file is bad\n"
		"\n"
		"Exit codes: 0 built (files that could not be read are warned about on\n"
		"stderr and counted in 'db info'), 2 a PATH is missing, nothing was\n"
		"recognised, or --strict and a file was bad, 3 database write error.\n");
}

static void usage_update(FILE *f)
{
	fprintf(f,
		"Usage: bulwark db update [--db FILE] [--feed NAME=URL]... [--config FILE]\n"
		"\n"
		"Download the feeds (conditional requests: ETag / Last-Modified), verify\n"
		"them, build a new database and swap it in atomically. A failed or\n"
		"interrupted update leaves the old database in place and working.\n"
		"\n"
		"Options:\n"
		"  --db FILE          database to update\n"
		"  --feed NAME=URL    use this feed (repeatable); when any --feed or --config\n"
		"                     is given only those feeds are used, else the official\n"
		"                     upstream feeds (see 'db update --list-feeds')\n"
		"  --config FILE      feeds from FILE: one 'NAME=URL' per line, '#' comments\n"
		"  --list-feeds       print the default feeds and exit\n"
		"  --max-size BYTES   refuse a feed larger than this (default 1 GiB)\n"
		"  --timeout SECONDS  per-feed transfer timeout (default 600)\n"
		"\n"
		"Exit codes: 0 updated or already current, 2 usage error, a feed failed\n"
		"(network, HTTP error, truncated or unreadable download; the old database\n"
		"is kept), 3 database write error.\n");
}

static void usage_info(FILE *f)
{
	fprintf(f,
		"Usage: bulwark db info [--db FILE] [--format table|json]\n"
		"\n"
		"Print the database's schema version, build time, age, counts per\n"
		"ecosystem and per source with the sources' provenance and attribution.\n"
		"\n"
		"Exit codes: 0 printed, 2 no database or not a Bulwark database.\n");
}

static char *db_path_or_default(const char *db)
{
	return db ? bw_strdup(db) : vdb_default_path();
}

static int mkdir_parent(const char *path)
{
	char dir[4096];
	char *slash;

	if (bw_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int db_build(int argc, char **argv)
{
	const char *from[DB_MAX_FROM], *db = NULL, *v;
	struct bw_errbuf eb = {{0}};
	struct vdb_build_stats st;
	struct vdb_builder *b = NULL;
	enum bw_err result = BW_OK;
	bool strict = false;
	size_t nfrom = 0;
	uint64_t t0 = bw_time_mono_ns();
	char *path;

	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_arg(argc, argv, &i, "--from")) ||
		    (argv[i][0] != '-' && (v = argv[i]))) {
			if (nfrom == DB_MAX_FROM)
				return cli_usage_error("db build", "more than %d paths", DB_MAX_FROM);
			from[nfrom++] = v;
		} else if ((v = cli_opt_arg(argc, argv, &i, "--db"))) {
			db = v;
		} else if (strcmp(argv[i], "--strict") == 0) {
			strict = true;
		} else {
			return cli_usage_error("db build", "unknown option %s", argv[i]);
		}
	}
	if (nfrom == 0)
		return cli_usage_error("db build", "no --from PATH given");
	path = db_path_or_default(db);
	if (!path)
		return cli_usage_error("db build", "no --db FILE and neither XDG_CACHE_HOME nor HOME set");
	if (mkdir_parent(path) != 0) {
		fprintf(stderr, "bulwark db build: %s: cannot create its directory: %s\n", path,
			strerror(errno));
		free(path);
		return BW_EXIT_INPUT;
	}
	result = vdb_build_begin(path, &b, &eb);
	for (size_t i = 0; result == BW_OK && i < nfrom; i++)
		result = vdb_build_add_path(b, from[i], NULL, &eb);
	if (result != BW_OK) {
		vdb_build_abort(b);
		free(path);
		return cli_fail("db build", result, &eb);
	}
	vdb_build_get_stats(b, &st);
	if (st.files == 0) {
		vdb_build_abort(b);
		free(path);
		return cli_usage_error("db build", "no feed file recognised under the given paths");
	}
	if (strict && st.bad_files) {
		vdb_build_abort(b);
		fprintf(stderr, "bulwark db build: %llu file(s) could not be read (--strict); "
				"database not replaced\n",
			(unsigned long long)st.bad_files);
		free(path);
		return BW_EXIT_INPUT;
	}
	result = vdb_build_commit(b, &eb);
	if (result != BW_OK) {
		free(path);
		return cli_fail("db build", result, &eb);
	}
	if (!cli_quiet)
		fprintf(stderr,
			"bulwark db build: %s: %llu advisories from %llu files (%llu bad, %llu not "
			"recognised, %llu withdrawn left out) in %.2f s\n",
			path, (unsigned long long)st.advisories, (unsigned long long)st.files,
			(unsigned long long)st.bad_files, (unsigned long long)st.skipped,
			(unsigned long long)st.withdrawn, (double)(bw_time_mono_ns() - t0) / 1e9);
	free(path);
	return BW_EXIT_OK;
}

static int add_feed(struct vdb_feed *feeds, size_t *n, char *spec, const char *what)
{
	char *eq = strchr(spec, '=');

	if (!eq || eq == spec || !eq[1])
		return cli_usage_error("db update", "%s: expected NAME=URL, got '%s'", what, spec);
	if (*n == DB_MAX_FEEDS)
		return cli_usage_error("db update", "more than %d feeds", DB_MAX_FEEDS);
	*eq = '\0';
	feeds[*n].name = spec;
	feeds[*n].url = eq + 1;
	(*n)++;
	return 0;
}

static int db_update(int argc, char **argv)
{
	struct vdb_feed feeds[DB_MAX_FEEDS];
	struct vdb_update_opts o = {0};
	struct vdb_update_result res;
	struct bw_errbuf eb = {{0}};
	struct bw_strv owned = {0};
	struct bw_buf conf;
	const char *db = NULL, *config = NULL, *v;
	enum bw_err result;
	size_t n = 0;
	char *path;
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		if ((v = cli_opt_arg(argc, argv, &i, "--db"))) {
			db = v;
		} else if ((v = cli_opt_arg(argc, argv, &i, "--feed"))) {
			if (bw_strv_push(&owned, v) != BW_OK)
				rc = BW_EXIT_INTERNAL;
			else
				rc = add_feed(feeds, &n, owned.v[owned.n - 1], "--feed");
		} else if ((v = cli_opt_arg(argc, argv, &i, "--config"))) {
			config = v;
		} else if ((v = cli_opt_arg(argc, argv, &i, "--max-size"))) {
			if (bw_parse_u64(v, UINT64_MAX, &o.max_feed_bytes) != BW_OK ||
			    !o.max_feed_bytes)
				rc = cli_usage_error("db update", "--max-size: not a byte count: %s", v);
		} else if ((v = cli_opt_arg(argc, argv, &i, "--timeout"))) {
			uint64_t t;

			if (bw_parse_u64(v, 86400, &t) != BW_OK || !t)
				rc = cli_usage_error("db update", "--timeout: not 1..86400: %s", v);
			o.timeout_seconds = (long)t;
		} else if (strcmp(argv[i], "--list-feeds") == 0) {
			size_t dn;
			const struct vdb_feed *df = vdb_default_feeds(&dn);

			for (size_t k = 0; k < dn; k++)
				printf("%s=%s\n", df[k].name, df[k].url);
			bw_strv_release(&owned);
			return BW_EXIT_OK;
		} else {
			rc = cli_usage_error("db update", "unknown option %s", argv[i]);
		}
	}
	bw_buf_init(&conf, 1 << 20);
	if (rc == 0 && config) {
		result = bw_buf_read_file(&conf, config, &eb);
		if (result != BW_OK)
			rc = cli_fail("db update", result, &eb);
		for (char *line = conf.data, *next; rc == 0 && line && *line; line = next) {
			char *t;

			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			t = bw_str_trim(line);
			if (!*t || *t == '#')
				continue;
			rc = add_feed(feeds, &n, t, config);
		}
	}
	if (rc != 0)
		goto out_release;
	path = db_path_or_default(db);
	if (!path) {
		rc = cli_usage_error("db update", "no --db FILE and neither XDG_CACHE_HOME nor HOME set");
		goto out_release;
	}
	if (mkdir_parent(path) != 0) {
		fprintf(stderr, "bulwark db update: %s: cannot create its directory: %s\n", path,
			strerror(errno));
		free(path);
		rc = BW_EXIT_INPUT;
		goto out_release;
	}
	if (n) {
		o.feeds = feeds;
		o.n_feeds = n;
	}
	o.quiet = cli_quiet;
	result = vdb_update(path, &o, &res, &eb);
	if (result != BW_OK) {
		fprintf(stderr, "bulwark db update: %s\n", bw_errmsg(&eb, result));
		fprintf(stderr, "bulwark db update: %s was not changed\n", path);
		rc = bw_exit_code(result);
	} else if (!cli_quiet) {
		fprintf(stderr, "bulwark db update: %s: %u feed(s) downloaded, %u not modified; %s\n",
			path, res.fetched, res.not_modified,
			res.rebuilt ? "database rebuilt" : "database already current");
	}
	free(path);
out_release:
	bw_buf_release(&conf);
	bw_strv_release(&owned);
	return rc;
}

static void print_age(int64_t s)
{
	if (s < 0)
		printf("unknown");
	else if (s < 3600)
		printf("%lld min", (long long)(s / 60));
	else if (s < 172800)
		printf("%lld h", (long long)(s / 3600));
	else
		printf("%lld days", (long long)(s / 86400));
}

static const char *js(const json_t *o, const char *k)
{
	const char *s = bw_json_str(o, k);

	return s && *s ? s : "-";
}

static void info_table(json_t *info)
{
	json_t *counts = json_object_get(info, "counts"), *ecos = json_object_get(info, "ecosystems");
	json_t *srcs = json_object_get(info, "sources"), *v;
	const char *k;
	size_t i;

	printf("Database:        %s\n", js(info, "path"));
	printf("Schema version:  %lld\n", (long long)bw_json_int(info, "schema_version", 0));
	printf("Built:           %s (", js(info, "built_at"));
	print_age(bw_json_int(info, "age_seconds", -1));
	printf(" ago)\n");
	printf("Size:            %lld bytes\n", (long long)bw_json_int(info, "size", 0));
	printf("Advisories:      %lld (%lld package entries)\n",
	       (long long)bw_json_int(counts, "advisories", 0),
	       (long long)bw_json_int(counts, "affected", 0));
	printf("KEV entries:     %lld\n", (long long)bw_json_int(counts, "kev", 0));
	printf("EPSS scores:     %lld\n", (long long)bw_json_int(counts, "epss", 0));
	printf("NVD CVEs:        %lld\n", (long long)bw_json_int(counts, "nvd", 0));
	printf("\nEcosystems:\n");
	json_object_foreach(ecos, k, v)
		printf("  %-24s %lld\n", k, (long long)json_integer_value(v));
	printf("\nSources:\n");
	json_array_foreach(srcs, i, v) {
		printf("  %s: %lld records, %lld files (%lld bad), %lld withdrawn left out\n",
		       js(v, "name"), (long long)bw_json_int(v, "records", 0),
		       (long long)bw_json_int(v, "files", 0), (long long)bw_json_int(v, "bad_files", 0),
		       (long long)bw_json_int(v, "withdrawn", 0));
		if (bw_json_str(v, "url"))
			printf("    url:         %s\n", js(v, "url"));
		if (bw_json_str(v, "path"))
			printf("    path:        %s\n", js(v, "path"));
		if (bw_json_str(v, "repo"))
			printf("    repository:  %s @ %s\n", js(v, "repo"), js(v, "commit"));
		if (bw_json_str(v, "license"))
			printf("    licence:     %s\n", js(v, "license"));
		printf("    attribution: %s\n", js(v, "attribution"));
	}
}

static int db_info(int argc, char **argv)
{
	const char *db = NULL, *format = "table", *v;
	struct bw_errbuf eb = {{0}};
	struct vdb *h = NULL;
	json_t *info = NULL;
	enum bw_err result;
	char *path;

	for (int i = 1; i < argc; i++) {
		if ((v = cli_opt_arg(argc, argv, &i, "--db")))
			db = v;
		else if ((v = cli_opt_arg(argc, argv, &i, "--format")))
			format = v;
		else
			return cli_usage_error("db info", "unknown option %s", argv[i]);
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_usage_error("db info", "--format must be table or json");
	path = db_path_or_default(db);
	if (!path)
		return cli_usage_error("db info", "no --db FILE and neither XDG_CACHE_HOME nor HOME set");
	result = vdb_open(path, &h, &eb);
	free(path);
	if (result == BW_OK)
		result = vdb_info_json(h, &info, &eb);
	vdb_close(h);
	if (result != BW_OK)
		return cli_fail("db info", result, &eb);
	if (strcmp(format, "json") == 0)
		result = bw_json_write(info, stdout, &eb);
	else
		info_table(info);
	json_decref(info);
	if (result != BW_OK)
		return cli_fail("db info", result, &eb);
	return BW_EXIT_OK;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BW_EXIT_INPUT : BW_EXIT_OK;
	}
	if (strcmp(argv[1], "build") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			usage_build(stdout);
			return BW_EXIT_OK;
		}
		return db_build(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "update") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			usage_update(stdout);
			return BW_EXIT_OK;
		}
		return db_update(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "info") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			usage_info(stdout);
			return BW_EXIT_OK;
		}
		return db_info(argc - 1, argv + 1);
	}
	return cli_usage_error("db", "unknown command '%s' (build, update, info)", argv[1]);
}

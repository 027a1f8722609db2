/* cmd_registry.c - `bulwark registry scan|rescan|report|listen`:
 * whole-registry scanning.
 *
 * scan walks the catalog (or --repo), each repository's tags, resolves
 * every tag to its manifest digest and catalogues each new digest once, in
 * worker processes (--concurrency): the SBOM (JSON) and, when a
 * vulnerability database is there, the findings go into a SQLite store
 * keyed by digest. A stored digest whose findings came from another
 * database is re-matched from its stored SBOM (sbom_read_json), with no
 * request for its manifest or blobs; rescan does that for the whole store
 * with no request at all. report prints the store.
 *
 * This file also plugs the registry image source into image_open() at
 * start-up, so `bulwark sbom` and `bulwark scan` accept registry
 * references (main.c may call registry_init() itself; it is idempotent).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
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
	"       bulwark registry rescan HOST [--store FILE] [--db FILE] [--repo GLOB] [--tag GLOB]\n"
	"       bulwark registry report HOST [--store FILE] [--format table|json]\n"
	"       bulwark registry listen HOST --listen ADDR:PORT [OPTIONS]\n"
	"\n"
	"scan lists the registry's repositories (/v2/_catalog) and their tags, and\n"
	"catalogues each image (manifest digest) once, storing its SBOM and its\n"
	"vulnerabilities; images already stored are not downloaded again, and their\n"
	"stored SBOMs are re-matched when the vulnerability database changed.\n"
	"rescan re-matches the stored SBOMs of HOST against the current database\n"
	"without any request to the registry. report prints the store per\n"
	"repository and tag. listen takes the registry's push notifications (its\n"
	"`notifications: endpoints:` webhook) and scans each pushed image the same\n"
	"way (a shared secret in BULWARK_REGISTRY_WEBHOOK_TOKEN is required as\n"
	"\"Authorization: Bearer\"). scan and rescan exit 2 when an image failed\n"
	"(the others are stored).\n"
	"\n"
	"Options:\n"
	"      --repo GLOB          only repositories matching GLOB (repeatable; a\n"
	"                           name without wildcards skips the catalog)\n"
	"      --tag GLOB           only tags matching GLOB (repeatable)\n"
	"      --store FILE         results database (default:\n"
	"                           ~/.cache/bulwark/registry.sqlite)\n"
	"      --db FILE            vulnerability database (default: bulwark db's)\n"
	"      --concurrency N      images downloaded and catalogued at once, each in\n"
	"                           a worker process (1-32, default 4)\n"
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

/* Worker processes of `registry scan` (--concurrency). */
#define SCAN_CONCURRENCY_DEFAULT 4
#define SCAN_CONCURRENCY_MAX 32

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
	unsigned concurrency;
	struct registry_opts ropts;
};

static int parse_args(int argc, char **argv, struct reg_args *a)
{
	registry_opts_from_env(&a->ropts);
	a->format = "table";
	a->concurrency = SCAN_CONCURRENCY_DEFAULT;
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
		} else if (cli_is_opt(argv[i], "--concurrency")) {
			uint64_t n;

			if (!(v = cli_opt_arg(argc, argv, &i, "--concurrency")) ||
			    bw_parse_u64(v, SCAN_CONCURRENCY_MAX, &n) || n == 0)
				return cli_usage_error("registry", "--concurrency needs a number "
						       "from 1 to %d", SCAN_CONCURRENCY_MAX);
			a->concurrency = (unsigned)n;
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
	char db_id[80];    /* identity of db (db_identity), "" without one */
	char *db_built_at; /* its built_at, or NULL */
	struct image_platform platform;
	bool platform_set;
	size_t scanned, cached, rematched, failed;
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

/* Which database the findings come from: the SHA-256 of what `bulwark db
 * info --format json` shows without its path and age (built_at, size,
 * counts, ecosystems, sources), so a rebuilt or updated database has
 * another identity even when it was built within the same second. */
static enum bw_err db_identity(struct scan_ctx *x, struct bw_errbuf *eb)
{
	json_t *info = NULL;
	char hex[65], *text;
	const char *built;
	enum bw_err result;

	result = vdb_info_json(x->db, &info, eb);
	if (result)
		return result;
	json_object_del(info, "path");
	json_object_del(info, "age_seconds");
	text = json_dumps(info, JSON_COMPACT | JSON_SORT_KEYS);
	built = bw_json_str(info, "built_at");
	if (!text || (built && !(x->db_built_at = bw_strdup(built)))) {
		result = BW_ERR_NOMEM;
		goto out_info;
	}
	result = bw_hash_hex(BW_HASH_SHA256, text, strlen(text), hex, sizeof(hex));
	if (!result)
		snprintf(x->db_id, sizeof(x->db_id), "sha256:%s", hex);
out_info:
	free(text);
	json_decref(info);
	return result;
}

/* Open the store and the vulnerability database (when there is one). */
static enum bw_err open_store_db(struct scan_ctx *x, bool need_db, char **store_path,
				 char **dbpath, struct bw_errbuf *eb)
{
	struct reg_args *a = x->a;
	enum bw_err result;

	*store_path = a->store ? bw_strdup(a->store) : registry_store_default_path();
	if (!*store_path)
		return bw_fail(eb, BW_ERR_USAGE, "no store path: give --store FILE");
	result = registry_store_open(*store_path, !need_db, &x->store, eb);
	if (result)
		return result;
	*dbpath = a->db ? bw_strdup(a->db) : vdb_default_path();
	if (!*dbpath)
		return need_db ? bw_fail(eb, BW_ERR_USAGE, "no database path: give --db FILE")
			       : BW_OK;
	result = vdb_open(*dbpath, &x->db, eb);
	if (result == BW_ERR_NOT_FOUND && !a->db && !need_db) {
		BW_WARN("no vulnerability database at %s: storing SBOMs only", *dbpath);
		return BW_OK;
	}
	if (!result)
		result = db_identity(x, eb);
	return result;
}

/* Releases what open_store_db opened (also after it failed half way) and
 * the two paths it made. */
static void close_store_db(struct scan_ctx *x, char *store_path, char *dbpath)
{
	vdb_close(x->db);
	registry_store_close(x->store);
	free(x->db_built_at);
	free(dbpath);
	free(store_path);
}

/* Match the JSON SBOM of digest (text, NUL-terminated) against the
 * database and store it: the whole image when fresh, else only the
 * findings. The SBOM is always read back from its JSON, so a first scan
 * and a later re-match give the same findings. */
static enum bw_err store_result(struct scan_ctx *x, const char *digest, const char *text,
				size_t len, bool fresh, struct bw_errbuf *eb)
{
	struct registry_store_image im = {0};
	struct match_result res = {0};
	struct sbom *sb = NULL;
	char where[160], *fjson = NULL;
	enum bw_err result;

	snprintf(where, sizeof(where), "SBOM of %s", digest);
	result = sbom_read_json(text, len, where, &sb, eb);
	if (result)
		return result;
	im.digest = digest;
	im.sbom_json = text;
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
		if (!fjson) {
			result = BW_ERR_NOMEM;
			goto out_sbom;
		}
		im.findings_json = fjson;
		im.db_id = x->db_id;
		im.db_built_at = x->db_built_at;
	}
	result = fresh ? registry_store_put_image(x->store, &im, eb)
		       : registry_store_put_match(x->store, &im, eb);
out_sbom:
	match_result_release(&res);
	free(fjson);
	sbom_free(sb);
	return result;
}

/* Download and catalogue HOST/repo@digest; *text gets its JSON SBOM. */
static enum bw_err catalogue(const struct scan_ctx *x, const char *repo, const char *digest,
			     char **text_out, size_t *len_out, struct bw_errbuf *eb)
{
	struct image_ref ref = {0};
	struct image_open_opts oopts = {0};
	struct image *img = NULL;
	struct sbom *sb = NULL;
	char *text, *sbom_text = NULL;
	size_t sbom_len = 0;
	FILE *mem;
	enum bw_err result;

	*text_out = NULL;
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
	if (result) {
		free(sbom_text);
		goto out_sbom;
	}
	*text_out = sbom_text;
	*len_out = sbom_len;
out_sbom:
	sbom_free(sb);
out_image:
	image_free(img);
out_ref:
	image_ref_release(&ref);
out_text:
	free(text);
	return result;
}

/* ---- worker processes ----
 *
 * Each digest to download is catalogued by a child process (fork), at most
 * --concurrency at a time. The child writes one frame to its pipe: magic,
 * result code, length, then the JSON SBOM (or the error message). The
 * parent alone matches and writes the store, in the order results arrive;
 * what it prints follows the sorted tag list whatever that order is. */

#define FRAME_MAGIC 0x42575231u /* "BWR1" */
#define FRAME_MAX ((size_t)SBOM_READ_JSON_MAX + 64)

#define WORKER_STDERR_MAX (64u * 1024u)

struct frame_head {
	uint32_t magic;
	int32_t result;
	uint64_t len;    /* the JSON SBOM or the error message */
	uint64_t errlen; /* then what the worker wrote to stderr (warnings) */
};

enum digest_state { D_PENDING, D_SCANNED, D_CACHED, D_REMATCHED, D_FAILED };

struct digest_job {
	char digest[80];
	const char *repo; /* the first repository that names it (borrowed) */
	enum digest_state state;
	bool fetch;      /* to catalogue (else: stored) */
	bool shown;      /* a tag row has printed its state */
	char *error;     /* D_FAILED: the message */
	char *warnings;  /* what its worker wrote on stderr, printed with its first row */
	pid_t pid;       /* running worker, or 0 */
	int fd;          /* its pipe, or -1 */
	struct bw_buf out;
};

struct tag_row {
	char *repo, *tag;
	size_t job;  /* index into jobs, or SIZE_MAX when resolving failed */
	char *error; /* resolve error */
	bool printed;
};

static bool write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

/* The child: catalogue j, send the frame, exit. Its stderr (warnings) goes
 * to a memory file sent along, so the parent prints it in tag order. */
static void __attribute__((noreturn))
worker_main(const struct scan_ctx *x, const struct digest_job *j, int fd)
{
	struct bw_errbuf eb = {0};
	struct frame_head h = {.magic = FRAME_MAGIC};
	static char warn[WORKER_STDERR_MAX];
	char *text = NULL;
	size_t len = 0;
	ssize_t nwarn = 0;
	int mfd = memfd_create("bulwark-worker-stderr", MFD_CLOEXEC);
	enum bw_err result;
	const char *payload;

	if (mfd >= 0)
		dup2(mfd, STDERR_FILENO);
	result = catalogue(x, j->repo, j->digest, &text, &len, &eb);
	payload = text;
	if (result) {
		payload = bw_errmsg(&eb, result);
		len = strlen(payload);
	}
	fflush(stderr);
	if (mfd >= 0 && lseek(mfd, 0, SEEK_SET) == 0)
		nwarn = pread(mfd, warn, sizeof(warn), 0);
	h.result = (int32_t)result;
	h.len = len;
	h.errlen = nwarn > 0 ? (uint64_t)nwarn : 0;
	_exit(write_all(fd, &h, sizeof(h)) && write_all(fd, payload, len) &&
			      write_all(fd, warn, (size_t)h.errlen)
		      ? 0
		      : 3);
}

static enum bw_err worker_start(const struct scan_ctx *x, struct digest_job *j,
				struct bw_errbuf *eb)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return bw_fail(eb, BW_ERR_IO, "pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	j->pid = fork();
	if (j->pid < 0) {
		close(p[0]);
		close(p[1]);
		j->pid = 0;
		return bw_fail(eb, BW_ERR_IO, "fork: %s", strerror(errno));
	}
	if (j->pid == 0) {
		close(p[0]);
		worker_main(x, j, p[1]);
	}
	close(p[1]);
	j->fd = p[0];
	bw_buf_init(&j->out, FRAME_MAX);
	return BW_OK;
}

/* The worker of j has closed its pipe: reap it and take its frame. */
static void worker_finish(struct scan_ctx *x, struct digest_job *j)
{
	struct bw_errbuf eb = {0};
	struct frame_head h;
	enum bw_err result = BW_OK;
	int status = 0;

	close(j->fd);
	j->fd = -1;
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	j->pid = 0;
	if (j->out.len < sizeof(h)) {
		if (WIFSIGNALED(status))
			result = bw_fail(&eb, BW_ERR_INTERNAL, "worker killed by signal %d",
					 WTERMSIG(status));
		else
			result = bw_fail(&eb, BW_ERR_INTERNAL, "worker exited (status %d) "
					 "without a result", WEXITSTATUS(status));
		goto out_done;
	}
	memcpy(&h, j->out.data, sizeof(h));
	if (h.magic != FRAME_MAGIC || h.errlen > WORKER_STDERR_MAX ||
	    h.len != j->out.len - sizeof(h) - h.errlen) {
		result = bw_fail(&eb, BW_ERR_INTERNAL, "worker sent a truncated result");
		goto out_done;
	}
	if (h.errlen && !(j->warnings = bw_strndup(j->out.data + sizeof(h) + h.len, h.errlen))) {
		result = BW_ERR_NOMEM;
		goto out_done;
	}
	if (h.result != BW_OK) {
		result = (enum bw_err)h.result;
		bw_fail(&eb, result, "%.*s", (int)(h.len < 1000 ? h.len : 1000),
			j->out.data + sizeof(h));
		goto out_done;
	}
	j->out.data[sizeof(h) + h.len] = '\0'; /* the warnings are copied already */
	result = store_result(x, j->digest, j->out.data + sizeof(h), (size_t)h.len, true, &eb);
out_done:
	bw_buf_release(&j->out);
	if (result) {
		j->state = D_FAILED;
		j->error = bw_strdup(bw_errmsg(&eb, result));
	} else {
		j->state = D_SCANNED;
	}
}

/* Read what is there from the running workers; finish those at EOF. */
static void workers_poll(struct scan_ctx *x, struct digest_job *jobs, size_t njobs)
{
	struct pollfd pfd[SCAN_CONCURRENCY_MAX];
	size_t idx[SCAN_CONCURRENCY_MAX], n = 0;
	char buf[65536];

	for (size_t i = 0; i < njobs && n < SCAN_CONCURRENCY_MAX; i++) {
		if (jobs[i].fd < 0)
			continue;
		pfd[n].fd = jobs[i].fd;
		pfd[n].events = POLLIN;
		idx[n++] = i;
	}
	if (n == 0 || poll(pfd, n, -1) < 0)
		return;
	for (size_t k = 0; k < n; k++) {
		struct digest_job *j = &jobs[idx[k]];
		ssize_t r;

		if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(j->fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0 && bw_buf_append(&j->out, buf, (size_t)r) == BW_OK)
			continue;
		if (r > 0) /* past FRAME_MAX: stop reading, the frame check fails */
			kill(j->pid, SIGKILL);
		worker_finish(x, j);
	}
}

static void print_rows(struct scan_ctx *x, struct tag_row *rows, size_t nrows,
		       struct digest_job *jobs, size_t *cursor)
{
	const char *what[] = {
		[D_SCANNED] = "scanned",
		[D_CACHED] = strcmp(x->a->sub, "rescan") ? "(already scanned)" : "(up to date)",
		[D_REMATCHED] = "(re-matched)",
	};

	for (; *cursor < nrows; ++*cursor) {
		struct tag_row *t = &rows[*cursor];
		struct digest_job *j = t->job == SIZE_MAX ? NULL : &jobs[t->job];
		struct bw_errbuf eb = {0};
		enum bw_err result;

		if (j && j->state == D_PENDING)
			return;
		if (!j) {
			fprintf(stderr, "bulwark registry: %s/%s:%s: %s\n", x->a->host, t->repo, t->tag,
				t->error);
			continue;
		}
		if (j->warnings) {
			fputs(j->warnings, stderr);
			free(j->warnings);
			j->warnings = NULL;
		}
		if (j->state == D_FAILED) {
			fprintf(stderr, "bulwark registry: %s/%s:%s (%s): %s\n", x->a->host, t->repo,
				t->tag, j->digest, j->error);
			x->failed++;
			continue;
		}
		result = registry_store_put_tag(x->store, x->a->host, t->repo, t->tag, j->digest,
						&eb);
		if (result) {
			fprintf(stderr, "bulwark registry: %s/%s:%s (%s): %s\n", x->a->host, t->repo,
				t->tag, j->digest, bw_errmsg(&eb, result));
			x->failed++;
			continue;
		}
		/* later tags of the same digest: it was done once, for the first */
		if (!cli_quiet)
			fprintf(stderr, "%s/%s:%s %s %s\n", x->a->host, t->repo, t->tag, j->digest,
				what[j->shown ? D_CACHED : j->state]);
		j->shown = true;
	}
}

/* A stored digest: re-match it when its findings came from another
 * database (or none). No request to the registry. */
static void rematch_stored(struct scan_ctx *x, struct digest_job *j)
{
	struct bw_errbuf eb = {0};
	char *text = NULL, *db_id = NULL;
	enum bw_err result;

	j->state = D_CACHED;
	if (!x->db)
		return;
	result = registry_store_get_image(x->store, j->digest, &text, &db_id, &eb);
	if (!result && db_id && !strcmp(db_id, x->db_id))
		goto out_text;
	if (!result)
		result = store_result(x, j->digest, text, strlen(text), false, &eb);
	if (result) {
		j->state = D_FAILED;
		j->error = bw_strdup(bw_errmsg(&eb, result));
	} else {
		j->state = D_REMATCHED;
		x->rematched++;
	}
out_text:
	free(text);
	free(db_id);
}

static size_t job_for(struct digest_job **jobs, size_t *njobs, size_t *cap, const char *digest,
		      const char *repo)
{
	struct digest_job *j;

	for (size_t i = 0; i < *njobs; i++)
		if (!strcmp((*jobs)[i].digest, digest))
			return i;
	if (bw_grow((void **)jobs, cap, *njobs + 1, sizeof(**jobs), SIZE_MAX / 2))
		return SIZE_MAX;
	j = &(*jobs)[*njobs];
	memset(j, 0, sizeof(*j));
	bw_strlcpy(j->digest, digest, sizeof(j->digest));
	j->repo = repo;
	j->fd = -1;
	return (*njobs)++;
}

/* Catalogue the jobs with fetch set, at most n at a time; print the tag
 * rows as they become ready. */
static void run_jobs(struct scan_ctx *x, struct digest_job *jobs, size_t njobs,
		     struct tag_row *rows, size_t nrows, unsigned n)
{
	size_t next = 0, running = 0, cursor = 0;
	bool first_done = false;

	print_rows(x, rows, nrows, jobs, &cursor);
	for (;;) {
		/* One worker until the first image is done: images of a registry
		 * mostly share their base layers, and with a cold cache N workers
		 * would each download them at once. */
		while (running < (first_done ? n : 1) && next < njobs) {
			struct digest_job *j = &jobs[next++];
			struct bw_errbuf eb = {0};
			enum bw_err result;

			if (!j->fetch)
				continue;
			result = worker_start(x, j, &eb);
			if (result) {
				j->state = D_FAILED;
				j->error = bw_strdup(bw_errmsg(&eb, result));
				continue;
			}
			running++;
		}
		if (running == 0)
			break;
		size_t before = running;

		workers_poll(x, jobs, njobs);
		running = 0;
		for (size_t i = 0; i < njobs; i++)
			if (jobs[i].fd >= 0)
				running++;
		if (running < before)
			first_done = true;
		print_rows(x, rows, nrows, jobs, &cursor);
	}
	print_rows(x, rows, nrows, jobs, &cursor);
}

/* List the repositories to scan and their tags, and resolve each tag. */
static enum bw_err collect_rows(struct scan_ctx *x, struct tag_row **rows_out, size_t *nrows_out,
				struct bw_errbuf *eb)
{
	struct reg_args *a = x->a;
	struct bw_strv repos = {0};
	struct tag_row *rows = NULL;
	size_t nrows = 0, cap = 0;
	bool catalog = a->repos.n == 0;
	enum bw_err result = BW_OK;

	for (size_t i = 0; i < a->repos.n; i++)
		if (has_wildcard(a->repos.v[i]))
			catalog = true;
	if (catalog)
		result = registry_list_repos(a->host, &a->ropts, &repos, eb);
	for (size_t i = 0; !catalog && !result && i < a->repos.n; i++)
		result = bw_strv_push(&repos, a->repos.v[i]);
	if (result)
		goto out_repos;
	bw_strv_sort(&repos);
	for (size_t i = 0; i < repos.n && !result; i++) {
		struct bw_strv tags = {0};
		struct bw_errbuf teb = {0};
		enum bw_err r;

		if (!glob_any(&a->repos, repos.v[i]))
			continue;
		r = registry_list_tags(a->host, repos.v[i], &a->ropts, &tags, &teb);
		if (r) {
			x->failed++;
			fprintf(stderr, "bulwark registry: %s\n", bw_errmsg(&teb, r));
			bw_strv_release(&tags);
			continue;
		}
		bw_strv_sort(&tags);
		for (size_t k = 0; k < tags.n && !result; k++) {
			struct tag_row *t;

			if (!glob_any(&a->tags, tags.v[k]))
				continue;
			result = bw_grow((void **)&rows, &cap, nrows + 1, sizeof(*rows), SIZE_MAX / 2);
			if (result)
				break;
			t = &rows[nrows++];
			memset(t, 0, sizeof(*t));
			t->repo = bw_strdup(repos.v[i]);
			t->tag = bw_strdup(tags.v[k]);
			t->job = SIZE_MAX;
			if (!t->repo || !t->tag)
				result = BW_ERR_NOMEM;
		}
		bw_strv_release(&tags);
	}
out_repos:
	bw_strv_release(&repos);
	*rows_out = rows;
	*nrows_out = nrows;
	return result;
}

static void rows_free(struct tag_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].repo);
		free(rows[i].tag);
		free(rows[i].error);
	}
	free(rows);
}

static void jobs_free(struct digest_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].error);
		free(jobs[i].warnings);
		bw_buf_release(&jobs[i].out);
	}
	free(jobs);
}

static int do_scan(struct reg_args *a)
{
	struct scan_ctx x = {.a = a};
	struct tag_row *rows = NULL;
	struct digest_job *jobs = NULL;
	size_t nrows = 0, njobs = 0, jcap = 0;
	struct bw_errbuf eb = {0};
	char *store_path = NULL, *dbpath = NULL;
	enum bw_err result;
	int rc = BW_EXIT_OK;

	if (a->platform) {
		result = image_platform_parse(a->platform, &x.platform, &eb);
		if (result)
			return cli_fail("registry", result, &eb);
		x.platform_set = true;
	}
	result = open_store_db(&x, false, &store_path, &dbpath, &eb);
	if (result)
		goto out_fail;
	result = collect_rows(&x, &rows, &nrows, &eb);
	if (result)
		goto out_fail;
	/* resolve each tag (one manifest request), one job per digest */
	for (size_t i = 0; i < nrows; i++) {
		struct tag_row *t = &rows[i];
		struct bw_errbuf reb = {0};
		char digest[80];
		enum bw_err r = registry_resolve(a->host, t->repo, t->tag, &a->ropts, digest, &reb);

		if (r) {
			x.failed++;
			if (!(t->error = bw_strdup(bw_errmsg(&reb, r)))) {
				result = BW_ERR_NOMEM;
				goto out_fail;
			}
			continue;
		}
		t->job = job_for(&jobs, &njobs, &jcap, digest, t->repo);
		if (t->job == SIZE_MAX) {
			result = BW_ERR_NOMEM;
			goto out_fail;
		}
	}
	for (size_t i = 0; i < njobs; i++) {
		if (a->rescan || !registry_store_has(x.store, jobs[i].digest))
			jobs[i].fetch = true;
		else
			rematch_stored(&x, &jobs[i]);
	}
	run_jobs(&x, jobs, njobs, rows, nrows, a->concurrency);
	for (size_t i = 0; i < njobs; i++) {
		x.scanned += jobs[i].state == D_SCANNED;
		x.cached += jobs[i].state == D_CACHED;
	}
	if (!cli_quiet)
		fprintf(stderr,
			"bulwark registry: %zu image(s) scanned, %zu re-matched, %zu already in %s, "
			"%zu failed\n",
			x.scanned, x.rematched, x.cached, store_path, x.failed);
	if (x.failed)
		rc = BW_EXIT_INPUT;
out_fail:
	if (result)
		rc = cli_fail("registry", result, &eb);
	rows_free(rows, nrows);
	jobs_free(jobs, njobs);
	close_store_db(&x, store_path, dbpath);
	return rc;
}

/* ---- rescan: re-match the store against the database, offline ---- */

struct rescan_ctx {
	struct scan_ctx *x;
	struct digest_job *jobs;
	size_t njobs, cap;
	struct tag_row *rows;
	size_t nrows, rcap;
};

static enum bw_err rescan_tag(void *ctx, const char *repo, const char *tag, const char *digest,
			      struct bw_errbuf *eb)
{
	struct rescan_ctx *r = ctx;
	struct reg_args *a = r->x->a;
	struct tag_row *t;
	enum bw_err result;

	if (!glob_any(&a->repos, repo) || !glob_any(&a->tags, tag))
		return BW_OK;
	result = bw_grow((void **)&r->rows, &r->rcap, r->nrows + 1, sizeof(*r->rows), SIZE_MAX / 2);
	if (result)
		return result;
	t = &r->rows[r->nrows++];
	memset(t, 0, sizeof(*t));
	t->repo = bw_strdup(repo);
	t->tag = bw_strdup(tag);
	t->job = SIZE_MAX;
	if (!t->repo || !t->tag)
		return BW_ERR_NOMEM;
	t->job = job_for(&r->jobs, &r->njobs, &r->cap, digest, t->repo);
	return t->job == SIZE_MAX ? BW_ERR_NOMEM : BW_OK;
}

static int do_rescan(struct reg_args *a)
{
	struct scan_ctx x = {.a = a};
	struct rescan_ctx r = {.x = &x};
	struct bw_errbuf eb = {0};
	char *store_path = NULL, *dbpath = NULL;
	size_t cursor = 0;
	enum bw_err result;
	int rc = BW_EXIT_OK;

	result = open_store_db(&x, true, &store_path, &dbpath, &eb);
	if (result)
		goto out_fail;
	result = registry_store_tags(x.store, a->host, rescan_tag, &r, &eb);
	if (result)
		goto out_fail;
	for (size_t i = 0; i < r.njobs; i++)
		rematch_stored(&x, &r.jobs[i]);
	print_rows(&x, r.rows, r.nrows, r.jobs, &cursor);
	for (size_t i = 0; i < r.njobs; i++)
		x.cached += r.jobs[i].state == D_CACHED;
	if (r.nrows == 0)
		fprintf(stderr, "bulwark registry: nothing stored for %s in %s\n", a->host,
			store_path);
	else if (!cli_quiet)
		fprintf(stderr, "bulwark registry: %zu image(s) re-matched, %zu up to date, "
				"%zu failed (no request to %s)\n",
			x.rematched, x.cached, x.failed, a->host);
	if (x.failed)
		rc = BW_EXIT_INPUT;
out_fail:
	if (result)
		rc = cli_fail("registry", result, &eb);
	rows_free(r.rows, r.nrows);
	jobs_free(r.jobs, r.njobs);
	close_store_db(&x, store_path, dbpath);
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
	if (!cached) {
		char *text = NULL;
		size_t len = 0;

		result = catalogue(x, p->repo, p->digest, &text, &len, &eb);
		if (!result)
			result = store_result(x, p->digest, text, len, true, &eb);
		free(text);
		if (!result)
			x->scanned++;
	}
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
	result = open_store_db(&x, false, &store_path, &dbpath, &eb);
	if (result)
		goto out_fail;
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
	close_store_db(&x, store_path, dbpath);
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
	if (strcmp(a.sub, "scan") && strcmp(a.sub, "rescan") && strcmp(a.sub, "report") &&
	    strcmp(a.sub, "listen"))
		return cli_usage_error("registry",
				       "unknown subcommand '%s' (scan, rescan, report, listen)", a.sub);
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
	     : !strcmp(a.sub, "rescan") ? do_rescan(&a)
	     : !strcmp(a.sub, "listen") ? do_listen(&a)
					: do_report(&a);
	explicit_bzero(pw, sizeof(pw));
out_args:
	bw_strv_release(&a.repos);
	bw_strv_release(&a.tags);
	return rc;
}

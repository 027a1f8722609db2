/* update.c - `bulwark db update`: download the feeds with libcurl, verify,
 * build a new database into a temporary file and swap it in.
 *
 * Downloaded feeds are kept in a cache directory beside the database
 * ("<db>.feeds/<name>.data") so that a feed answering 304 Not Modified can
 * be rebuilt from its cached copy. A new download goes to "<name>.part" and
 * replaces the cached copy only after the new database was built from it and
 * moved into place: a truncated or garbage download fails the build (the
 * reader reports the file as bad) and the old database and cache stay as
 * they were. ETag and Last-Modified of each feed are stored in the database
 * metadata ("feed.<name>.etag", "feed.<name>.last_modified"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "vulndb/vulndb_int.h"

#define UPDATE_DEFAULT_MAX (1ull << 30)
#define UPDATE_DEFAULT_TIMEOUT 600L

static const struct vdb_feed default_feeds[] = {
	{"osv-npm", "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"},
	{"osv-pypi", "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"},
	{"osv-go", "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip"},
	{"osv-crates", "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip"},
	{"osv-rubygems", "https://osv-vulnerabilities.storage.googleapis.com/RubyGems/all.zip"},
	{"osv-maven", "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip"},
	{"osv-nuget", "https://osv-vulnerabilities.storage.googleapis.com/NuGet/all.zip"},
	{"osv-packagist", "https://osv-vulnerabilities.storage.googleapis.com/Packagist/all.zip"},
	{"osv-debian", "https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip"},
	{"osv-alpine", "https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip"},
	{"debian-tracker", "https://security-tracker.debian.org/tracker/data/json"},
	{"alpine-v3.18-main", "https://secdb.alpinelinux.org/v3.18/main.json"},
	{"alpine-v3.18-community", "https://secdb.alpinelinux.org/v3.18/community.json"},
	{"alpine-v3.19-main", "https://secdb.alpinelinux.org/v3.19/main.json"},
	{"alpine-v3.19-community", "https://secdb.alpinelinux.org/v3.19/community.json"},
	{"alpine-v3.20-main", "https://secdb.alpinelinux.org/v3.20/main.json"},
	{"alpine-v3.20-community", "https://secdb.alpinelinux.org/v3.20/community.json"},
	{"alpine-v3.21-main", "https://secdb.alpinelinux.org/v3.21/main.json"},
	{"alpine-v3.21-community", "https://secdb.alpinelinux.org/v3.21/community.json"},
	{"alpine-v3.22-main", "https://secdb.alpinelinux.org/v3.22/main.json"},
	{"alpine-v3.22-community", "https://secdb.alpinelinux.org/v3.22/community.json"},
	{"alpine-edge-main", "https://secdb.alpinelinux.org/edge/main.json"},
	{"alpine-edge-community", "https://secdb.alpinelinux.org/edge/community.json"},
	{"kev", "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"},
	{"epss", "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"},
	{"nvd-modified", "https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-modified.json.gz"},
	{"nvd-recent", "https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-recent.json.gz"},
};

const struct vdb_feed *vdb_default_feeds(size_t *n)
{
	*n = sizeof(default_feeds) / sizeof(default_feeds[0]);
	return default_feeds;
}

struct fetch {
	FILE *f;
	uint64_t got;
	uint64_t max;
	bool too_big;
	char etag[256];
	char last_modified[128];
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
	struct fetch *ft = ud;
	size_t n = size * nmemb;

	if (ft->got + n > ft->max) {
		ft->too_big = true;
		return 0;
	}
	ft->got += n;
	return fwrite(p, 1, n, ft->f);
}

/* Copy a header value ("ETag: "x"") when the line names hdr. */
static void header_value(const char *line, size_t n, const char *hdr, char *out, size_t outsz)
{
	size_t hl = strlen(hdr);

	if (n <= hl || strncasecmp(line, hdr, hl) != 0)
		return;
	line += hl;
	n -= hl;
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
		n--;
	if (n >= outsz)
		return; /* too long to be a real validator: do not use it */
	memcpy(out, line, n);
	out[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct fetch *ft = ud;
	size_t n = size * nmemb;

	/* A new status line (redirects) resets what was seen. */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		ft->etag[0] = '\0';
		ft->last_modified[0] = '\0';
	}
	header_value(p, n, "ETag:", ft->etag, sizeof(ft->etag));
	header_value(p, n, "Last-Modified:", ft->last_modified, sizeof(ft->last_modified));
	return n;
}

/* Valid name for a cache file: letters, digits, "-._", not starting with ".". */
static bool feed_name_ok(const char *s)
{
	if (!s || !*s || *s == '.' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

struct feed_state {
	const struct vdb_feed *feed;
	char *data_path; /* cached copy */
	char *part_path; /* new download */
	long status;     /* 200, 304 */
	char etag[256];
	char last_modified[128];
};

static enum bw_err fetch_one(struct feed_state *fs, const char *old_etag, const char *old_lm,
			     const struct vdb_update_opts *o, struct bw_errbuf *eb)
{
	struct curl_slist *hdrs = NULL;
	struct fetch ft = {0};
	enum bw_err result = BW_OK;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode cc;
	bool cached = access(fs->data_path, R_OK) == 0;

	ft.max = o->max_feed_bytes ? o->max_feed_bytes : UPDATE_DEFAULT_MAX;
	ft.f = fopen(fs->part_path, "wbe");
	if (!ft.f)
		return bw_fail(eb, BW_ERR_IO, "%s: %s", fs->part_path, strerror(errno));
	c = curl_easy_init();
	if (!c) {
		fclose(ft.f);
		return BW_ERR_NOMEM;
	}
	if (cached && old_etag && *old_etag) {
		char *h = bw_strfmt("If-None-Match: %s", old_etag);

		if (h)
			hdrs = curl_slist_append(hdrs, h);
		free(h);
	}
	if (cached && old_lm && *old_lm) {
		char *h = bw_strfmt("If-Modified-Since: %s", old_lm);

		if (h)
			hdrs = curl_slist_append(hdrs, h);
		free(h);
	}
	curl_easy_setopt(c, CURLOPT_URL, fs->feed->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &ft);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &ft);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_seconds ? o->timeout_seconds
							       : UPDATE_DEFAULT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ft.max);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "bulwark/" BW_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &fs->status);
	if (fclose(ft.f) != 0 && cc == CURLE_OK)
		result = bw_fail(eb, BW_ERR_IO, "%s: write failed", fs->part_path);
	if (ft.too_big || cc == CURLE_FILESIZE_EXCEEDED)
		result = bw_fail(eb, BW_ERR_LIMIT, "feed %s (%s): larger than %llu bytes",
				 fs->feed->name, fs->feed->url, (unsigned long long)ft.max);
	else if (cc != CURLE_OK)
		result = bw_fail(eb, BW_ERR_NETWORK, "feed %s (%s): %s", fs->feed->name,
				 fs->feed->url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	else if (fs->status == 304 && !cached)
		result = bw_fail(eb, BW_ERR_NETWORK, "feed %s (%s): 304 without a cached copy",
				 fs->feed->name, fs->feed->url);
	else if (fs->status != 304 && (fs->status < 200 || fs->status > 299))
		result = bw_fail(eb, BW_ERR_NETWORK, "feed %s (%s): HTTP status %ld",
				 fs->feed->name, fs->feed->url, fs->status);
	else if (fs->status != 304 && ft.got == 0)
		result = bw_fail(eb, BW_ERR_FORMAT, "feed %s (%s): empty response", fs->feed->name,
				 fs->feed->url);
	if (result == BW_OK) {
		bw_strlcpy(fs->etag, fs->status == 304 && old_etag ? old_etag : ft.etag,
			   sizeof(fs->etag));
		bw_strlcpy(fs->last_modified, fs->status == 304 && old_lm ? old_lm : ft.last_modified,
			   sizeof(fs->last_modified));
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	if (result != BW_OK || fs->status == 304)
		unlink(fs->part_path);
	return result;
}

struct membuf {
	struct bw_buf b;
	bool too_big;
};

static size_t on_mem(char *p, size_t size, size_t nmemb, void *ud)
{
	struct membuf *m = ud;

	if (bw_buf_append(&m->b, p, size * nmemb) != BW_OK) {
		m->too_big = true;
		return 0;
	}
	return size * nmemb;
}

/* NVD publishes "<feed>.meta" beside each "<feed>.json.gz" with a line
 * "sha256:<HEX>" over the uncompressed JSON. When the feed URL has that
 * shape and the .meta can be fetched, the download must match it. A missing
 * .meta is not an error (mirrors need not carry it). */
static enum bw_err verify_meta(struct feed_state *fs, const struct vdb_update_opts *o,
			       struct bw_errbuf *eb)
{
	struct membuf m = {0};
	struct bw_buf file, plain;
	char *url = NULL, want[65] = "", got[BW_SHA256_HEX_LEN + 1];
	enum bw_err result = BW_OK;
	const char *line;
	long status = 0;
	size_t ul = strlen(fs->feed->url);
	CURL *c;

	if (ul < 9 || !bw_str_ends_with(fs->feed->url, ".json.gz"))
		return BW_OK;
	url = bw_strfmt("%.*s.meta", (int)(ul - 8), fs->feed->url);
	c = curl_easy_init();
	if (!url || !c) {
		free(url);
		if (c)
			curl_easy_cleanup(c);
		return BW_ERR_NOMEM;
	}
	bw_buf_init(&m.b, 4096);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_mem);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_seconds ? o->timeout_seconds : 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) != CURLE_OK ||
	    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200 ||
	    !m.b.data) {
		BW_DEBUG("feed %s: no checksum file at %s", fs->feed->name, url);
		goto out_free;
	}
	line = strstr(m.b.data, "sha256:");
	if (!line || strspn(line + 7, "0123456789abcdefABCDEF") != 64) {
		result = bw_fail(eb, BW_ERR_FORMAT, "feed %s: %s has no sha256 line", fs->feed->name,
				 url);
		goto out_free;
	}
	for (int i = 0; i < 64; i++)
		want[i] = (char)(line[7 + i] >= 'A' && line[7 + i] <= 'F' ? line[7 + i] - 'A' + 'a'
									    : line[7 + i]);
	bw_buf_init(&file, o->max_feed_bytes ? o->max_feed_bytes : UPDATE_DEFAULT_MAX);
	bw_buf_init(&plain, VDB_MAX_FILE_BYTES);
	result = bw_buf_read_file(&file, fs->part_path, eb);
	if (result == BW_OK)
		result = vdb_gunzip(file.data ? file.data : "", file.len, fs->feed->name, &plain, eb);
	if (result == BW_OK)
		result = bw_hash_hex(BW_HASH_SHA256, plain.data ? plain.data : "", plain.len, got,
				     sizeof(got));
	if (result == BW_OK && strcmp(got, want) != 0)
		result = bw_fail(eb, BW_ERR_DIGEST,
				 "feed %s (%s): sha256 %s does not match %s (%s)", fs->feed->name,
				 fs->feed->url, got, want, url);
	bw_buf_release(&file);
	bw_buf_release(&plain);
out_free:
	bw_buf_release(&m.b);
	curl_easy_cleanup(c);
	free(url);
	return result;
}

static enum bw_err mkdir_p(const char *dir, struct bw_errbuf *eb)
{
	char tmp[4096];
	size_t n = bw_strlcpy(tmp, dir, sizeof(tmp));

	if (n >= sizeof(tmp))
		return bw_fail(eb, BW_ERR_LIMIT, "%s: path too long", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return bw_fail(eb, BW_ERR_IO, "%s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return bw_fail(eb, BW_ERR_IO, "%s: %s", tmp, strerror(errno));
	return BW_OK;
}

static enum bw_err rebuild(const char *path, struct feed_state *fs, size_t n,
			   struct bw_errbuf *eb)
{
	struct vdb_builder *b = NULL;
	enum bw_err result;

	result = vdb_build_begin(path, &b, eb);
	if (result != BW_OK)
		return result;
	for (size_t i = 0; i < n && result == BW_OK; i++) {
		const char *file = fs[i].status == 304 ? fs[i].data_path : fs[i].part_path;
		struct vdb_build_stats before, after;
		char key[160];

		vdb_build_get_stats(b, &before);
		result = vdb_b_add_path_as(b, file, fs[i].feed->name, fs[i].feed->url, eb);
		vdb_build_get_stats(b, &after);
		/* Verification: the feed must be recognised and read without error. */
		if (result == BW_OK && (after.bad_files != before.bad_files ||
					after.files == before.files))
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "feed %s (%s): the download is not a readable feed (%s)",
					 fs[i].feed->name, fs[i].feed->url,
					 after.bad_files != before.bad_files ? "damaged"
									     : "format not recognised");
		snprintf(key, sizeof(key), "feed.%s.etag", fs[i].feed->name);
		if (result == BW_OK && fs[i].etag[0])
			result = vdb_build_set_meta(b, key, fs[i].etag, eb);
		snprintf(key, sizeof(key), "feed.%s.last_modified", fs[i].feed->name);
		if (result == BW_OK && fs[i].last_modified[0])
			result = vdb_build_set_meta(b, key, fs[i].last_modified, eb);
	}
	if (result != BW_OK) {
		vdb_build_abort(b);
		return result;
	}
	return vdb_build_commit(b, eb);
}

enum bw_err vdb_update(const char *path, const struct vdb_update_opts *opts,
		       struct vdb_update_result *res, struct bw_errbuf *eb)
{
	struct vdb_update_opts o = opts ? *opts : (struct vdb_update_opts){0};
	struct feed_state *fs = NULL;
	struct vdb *old = NULL;
	enum bw_err result = BW_OK;
	char *cache = NULL;
	int lockfd = -1;
	size_t n;

	memset(res, 0, sizeof(*res));
	if (!o.feeds)
		o.feeds = vdb_default_feeds(&o.n_feeds);
	n = o.n_feeds;
	if (n == 0)
		return bw_fail(eb, BW_ERR_USAGE, "no feeds configured");
	for (size_t i = 0; i < n; i++) {
		if (!feed_name_ok(o.feeds[i].name))
			return bw_fail(eb, BW_ERR_USAGE,
				       "feed name \"%s\": use letters, digits, '-', '_' and '.'",
				       o.feeds[i].name ? o.feeds[i].name : "");
		if (!o.feeds[i].url || (!bw_str_starts_with(o.feeds[i].url, "http://") &&
					!bw_str_starts_with(o.feeds[i].url, "https://")))
			return bw_fail(eb, BW_ERR_USAGE, "feed %s: URL must be http:// or https://",
				       o.feeds[i].name);
	}
	cache = bw_strfmt("%s.feeds", path);
	fs = bw_calloc(n, sizeof(*fs));
	if (!cache || !fs) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	result = mkdir_p(cache, eb);
	if (result != BW_OK)
		goto out_free;
	/* One update at a time per database: the feed cache is shared. */
	{
		char *lp = bw_strfmt("%s/.lock", cache);

		lockfd = lp ? open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
		free(lp);
		if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
			result = bw_fail(eb, BW_ERR_IO, "%s: another update is running (or the "
					 "feed cache is not writable)", cache);
			goto out_free;
		}
	}
	if (vdb_open(path, &old, NULL) != BW_OK)
		old = NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < n && result == BW_OK; i++) {
		char key[160], *etag = NULL, *lm = NULL;

		fs[i].feed = &o.feeds[i];
		fs[i].data_path = bw_strfmt("%s/%s.data", cache, o.feeds[i].name);
		fs[i].part_path = bw_strfmt("%s/%s.part", cache, o.feeds[i].name);
		if (!fs[i].data_path || !fs[i].part_path) {
			result = BW_ERR_NOMEM;
			break;
		}
		if (old) {
			snprintf(key, sizeof(key), "feed.%s.etag", o.feeds[i].name);
			etag = vdb_meta_get(old, key);
			snprintf(key, sizeof(key), "feed.%s.last_modified", o.feeds[i].name);
			lm = vdb_meta_get(old, key);
		}
		if (!o.quiet)
			BW_INFO("fetching %s (%s)", o.feeds[i].name, o.feeds[i].url);
		result = fetch_one(&fs[i], etag, lm, &o, eb);
		free(etag);
		free(lm);
		if (result != BW_OK) {
			res->failed++;
			break;
		}
		if (fs[i].status == 304) {
			res->not_modified++;
		} else {
			res->fetched++;
			result = verify_meta(&fs[i], &o, eb);
			if (result != BW_OK) {
				res->failed++;
				break;
			}
		}
	}
	vdb_close(old);
	old = NULL;
	if (result == BW_OK && res->fetched == 0 && access(path, R_OK) == 0) {
		/* Everything 304 and a database in place: nothing to do. */
		goto out_free;
	}
	if (result == BW_OK)
		result = rebuild(path, fs, n, eb);
	if (result == BW_OK) {
		res->rebuilt = true;
		for (size_t i = 0; i < n; i++)
			if (fs[i].status != 304 && rename(fs[i].part_path, fs[i].data_path) != 0)
				BW_WARN("%s: cannot keep the download: %s", fs[i].data_path,
					strerror(errno));
	}
out_free:
	for (size_t i = 0; fs && i < n; i++) {
		if (fs[i].part_path)
			unlink(fs[i].part_path);
		free(fs[i].data_path);
		free(fs[i].part_path);
	}
	free(fs);
	free(cache);
	if (lockfd >= 0)
		close(lockfd); /* releases the lock */
	return result;
}

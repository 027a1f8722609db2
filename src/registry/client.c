/* client.c - the OCI distribution client over libcurl: auth (anonymous,
 * basic, bearer tokens via the WWW-Authenticate challenge), retries with
 * back-off, bounded bodies and digest-verified blobs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "registry_int.h"

#define MANIFEST_MAX (4u << 20)
#define TOKEN_MAX (64u << 10)
#define ERRBODY_MAX 4096
#define HEADER_MAX 4096
#define MAX_ATTEMPTS 4
#define RETRY_AFTER_MAX_S 30

#define ACCEPT_MANIFESTS                                                                      \
	"Accept: application/vnd.oci.image.index.v1+json, "                                   \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                         \
	"application/vnd.oci.image.manifest.v1+json, "                                        \
	"application/vnd.docker.distribution.manifest.v2+json"

struct registry_client {
	char *host;
	char *repo;
	char *base; /* "https://host" */
	char *label; /* "host/repo" (or "host") for messages */
	struct registry_opts opts;
	CURL *curl;
	char *bearer;         /* current token (secret) */
	int64_t bearer_until; /* epoch seconds; 0: no expiry known */
	bool basic;           /* the registry asked for basic auth */
	char *user;           /* from opts or Docker's config (secret: pass) */
	char *pass;
	bool creds_looked_up; /* Docker's config is read at the first 401 */
};

/* Where a response body goes. */
struct sink {
	struct bw_buf *buf; /* memory, bounded by buf->max */
	int fd;             /* or a file (fd >= 0) */
	struct bw_hash *hash;
	uint64_t written;
	uint64_t max;        /* file sinks: 0 unlimited */
	struct bw_buf errbody; /* bodies of non-2xx responses */
	bool to_err;
	bool decided;
	bool over;
	bool ranged; /* this request asked for a Range */
	CURL *curl;
};

struct resp {
	long status;
	char www_auth[HEADER_MAX];
	char content_type[256];
	char retry_after[64];
	char content_range[128];
	char link[2048];
};

static enum bw_err curl_global(void)
{
	static bool done;

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return BW_ERR_INTERNAL;
		done = true;
	}
	return BW_OK;
}

void registry_client_free(struct registry_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	if (c->bearer) {
		explicit_bzero(c->bearer, strlen(c->bearer));
		free(c->bearer);
	}
	registry_secret_free(c->user);
	registry_secret_free(c->pass);
	free(c->host);
	free(c->repo);
	free(c->base);
	free(c->label);
	free(c);
}

enum bw_err registry_client_new(const char *host, const char *repo,
				const struct registry_opts *opts, struct registry_client **out,
				struct bw_errbuf *eb)
{
	struct registry_client *c;

	*out = NULL;
	if (curl_global())
		return bw_fail(eb, BW_ERR_INTERNAL, "curl_global_init failed");
	c = calloc(1, sizeof(*c));
	if (!c)
		return BW_ERR_NOMEM;
	if (opts)
		c->opts = *opts;
	c->host = bw_strdup(host);
	c->repo = bw_strdup(repo);
	c->base = bw_strfmt("%s://%s", c->opts.insecure ? "http" : "https", host);
	c->label = *repo ? bw_strfmt("%s/%s", host, repo) : bw_strdup(host);
	c->curl = curl_easy_init();
	if (!c->host || !c->repo || !c->base || !c->label || !c->curl) {
		registry_client_free(c);
		return BW_ERR_NOMEM;
	}
	if (c->opts.username) {
		c->user = bw_strdup(c->opts.username);
		c->pass = bw_strdup(c->opts.password ? c->opts.password : "");
		if (!c->user || !c->pass) {
			registry_client_free(c);
			return BW_ERR_NOMEM;
		}
		c->creds_looked_up = true;
	}
	*out = c;
	return BW_OK;
}

/* ---- one transfer ---- */

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = size * n, klen;
	const char *colon = memchr(p, ':', len);
	char *dst = NULL;
	size_t dstsz = 0, vlen;
	const char *v;

	if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
		/* a new response (redirect, 100-continue): forget the last one's headers */
		r->www_auth[0] = r->content_type[0] = r->retry_after[0] = r->content_range[0] = '\0';
		r->link[0] = '\0';
		return len;
	}
	if (!colon)
		return len;
	klen = (size_t)(colon - p);
#define HDR(name, field)                                                                     \
	if (klen == sizeof(name) - 1 && !strncasecmp(p, name, klen)) {                      \
		dst = r->field;                                                              \
		dstsz = sizeof(r->field);                                                    \
	}
	HDR("www-authenticate", www_auth)
	HDR("content-type", content_type)
	HDR("retry-after", retry_after)
	HDR("content-range", content_range)
	HDR("link", link)
#undef HDR
	if (!dst || dst[0]) /* keep the first challenge */
		return len;
	v = colon + 1;
	vlen = len - klen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= dstsz)
		vlen = dstsz - 1; /* over-long: truncated, then rejected by its parser */
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return len;
}

static size_t write_cb(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;

	if (!s->decided) {
		long code = 0;

		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		/* a 200 to a Range request is the whole blob again: not appended
		 * to what we have (the caller starts over) */
		s->to_err = (code != 200 && code != 206) || (code == 200 && s->ranged);
		s->decided = true;
	}
	if (s->to_err) {
		size_t room = ERRBODY_MAX > s->errbody.len ? ERRBODY_MAX - s->errbody.len : 0;

		bw_buf_append(&s->errbody, p, len < room ? len : room);
		return len;
	}
	if (s->max && s->written + len > s->max) {
		s->over = true;
		return 0;
	}
	if (s->buf) {
		if (bw_buf_append(s->buf, p, len)) {
			s->over = true;
			return 0;
		}
	} else {
		size_t off = 0;

		while (off < len) {
			ssize_t w = write(s->fd, p + off, len - off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return 0;
			}
			off += (size_t)w;
		}
	}
	if (s->hash)
		bw_hash_update(s->hash, p, len);
	s->written += len;
	return len;
}

/* One GET. Returns BW_ERR_NETWORK on transport errors (detail in eb),
 * BW_OK otherwise with r->status set. */
static enum bw_err do_get(struct registry_client *c, const char *url, const char *accept,
			  bool with_auth, uint64_t range_from, struct sink *s, struct resp *r,
			  struct bw_errbuf *eb)
{
	struct curl_slist *hdrs = NULL, *tmp;
	char errtext[CURL_ERROR_SIZE] = "";
	char range[48];
	CURLcode cc;
	enum bw_err result = BW_OK;

	memset(r, 0, sizeof(*r));
	s->decided = false;
	s->ranged = range_from != 0;
	s->curl = c->curl;
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, c->opts.insecure ? "http,https" : "https");
	curl_easy_setopt(c->curl, CURLOPT_REDIR_PROTOCOLS_STR,
			 c->opts.insecure ? "http,https" : "https");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c->curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errtext);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "bulwark/" BW_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	if (c->opts.ca_file)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->opts.ca_file);
	if (accept) {
		if (!(tmp = curl_slist_append(hdrs, accept)))
			goto out_nomem;
		hdrs = tmp;
	}
	if (with_auth && c->bearer) {
		char *h = bw_strfmt("Authorization: Bearer %s", c->bearer);

		tmp = h ? curl_slist_append(hdrs, h) : NULL;
		if (h) {
			explicit_bzero(h, strlen(h));
			free(h);
		}
		if (!tmp)
			goto out_nomem;
		hdrs = tmp;
	} else if (with_auth && c->basic && c->user) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(c->curl, CURLOPT_PASSWORD, c->pass ? c->pass : "");
	}
	if (range_from) {
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)range_from);
		curl_easy_setopt(c->curl, CURLOPT_RANGE, range);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (cc == CURLE_WRITE_ERROR && s->over)
		result = bw_fail(eb, BW_ERR_LIMIT, "%s: response larger than the %llu-byte limit",
				 url, (unsigned long long)(s->max ? s->max : s->buf->max));
	else if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
		 cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_UNSUPPORTED_PROTOCOL ||
		 cc == CURLE_URL_MALFORMAT)
		/* not transient: no retry */
		result = bw_fail(eb, BW_ERR_USAGE, "%s: %s%s", url,
				 errtext[0] ? errtext : curl_easy_strerror(cc),
				 cc == CURLE_PEER_FAILED_VERIFICATION
					 ? " (TLS: give the registry's CA with --ca-file or "
					   "BULWARK_REGISTRY_CA_FILE)"
				 : cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_UNSUPPORTED_PROTOCOL
					 ? " (TLS handshake failed; a plain-HTTP registry needs "
					   "--insecure or BULWARK_REGISTRY_INSECURE=1)"
					 : "");
	else if (cc != CURLE_OK)
		result = bw_fail(eb, BW_ERR_NETWORK, "%s: %s", url,
				 errtext[0] ? errtext : curl_easy_strerror(cc));
	/* the password must not stay in the handle longer than the transfer */
	curl_easy_setopt(c->curl, CURLOPT_PASSWORD, "");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	return result;
out_nomem:
	curl_slist_free_all(hdrs);
	return BW_ERR_NOMEM;
}

/* ---- auth ---- */

static enum bw_err fetch_token(struct registry_client *c, const struct registry_challenge *ch,
			       struct bw_errbuf *eb)
{
	struct bw_buf url, body;
	struct sink s = {.fd = -1};
	struct resp r;
	json_t *root = NULL;
	const char *tok;
	enum bw_err result;
	bool basic_saved = c->basic;
	char *bearer_saved = c->bearer;

	if (!ch->realm || !*ch->realm)
		return bw_fail(eb, BW_ERR_AUTH, "%s: bearer challenge without a realm", c->label);
	if (!bw_str_starts_with(ch->realm, "https://") &&
	    !(c->opts.insecure && bw_str_starts_with(ch->realm, "http://")))
		return bw_fail(eb, BW_ERR_AUTH,
			       "%s: token realm %.200s is not https (use --insecure to allow)",
			       c->label, ch->realm);
	bw_buf_init(&url, 8192);
	bw_buf_init(&body, TOKEN_MAX);
	bw_buf_init(&s.errbody, ERRBODY_MAX + 1);
	s.buf = &body;
	result = bw_buf_appends(&url, ch->realm);
	if (!result && (ch->service || ch->scope)) {
		char sep = strchr(ch->realm, '?') ? '&' : '?';

		if (ch->service) {
			char *e = curl_easy_escape(c->curl, ch->service, 0);

			result = e ? bw_buf_appendf(&url, "%cservice=%s", sep, e) : BW_ERR_NOMEM;
			curl_free(e);
			sep = '&';
		}
		if (!result && ch->scope) {
			char *e = curl_easy_escape(c->curl, ch->scope, 0);

			result = e ? bw_buf_appendf(&url, "%cscope=%s", sep, e) : BW_ERR_NOMEM;
			curl_free(e);
		}
	}
	if (result)
		goto out_bufs;
	/* the token request carries the basic credentials, never a token */
	c->bearer = NULL;
	c->basic = c->user != NULL;
	result = do_get(c, url.data, NULL, true, 0, &s, &r, eb);
	c->bearer = bearer_saved;
	c->basic = basic_saved;
	if (result) {
		bw_fail_prefix(eb, result, "%s: token request", c->label);
		goto out_bufs;
	}
	if (r.status == 401 || r.status == 403) {
		result = bw_fail(eb, BW_ERR_AUTH,
				 "%s: authentication failed at the token service (HTTP %ld)%s",
				 c->label, r.status, c->user ? "" : " (no credentials given)");
		goto out_bufs;
	}
	if (r.status != 200) {
		result = bw_fail(eb, BW_ERR_AUTH, "%s: token service answered HTTP %ld", c->label,
				 r.status);
		goto out_bufs;
	}
	result = bw_json_parse(body.data ? body.data : "", body.len, "token response", &root, eb);
	if (result)
		goto out_bufs;
	tok = bw_json_str(root, "token");
	if (!tok || !*tok)
		tok = bw_json_str(root, "access_token");
	if (!tok || !*tok || strlen(tok) > 16384) {
		result = bw_fail(eb, BW_ERR_AUTH, "%s: token response without a usable token",
				 c->label);
		goto out_root;
	}
	for (const char *p = tok; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			result = bw_fail(eb, BW_ERR_AUTH, "%s: token with control characters",
					 c->label);
			goto out_root;
		}
	if (c->bearer) {
		explicit_bzero(c->bearer, strlen(c->bearer));
		free(c->bearer);
	}
	c->bearer = bw_strdup(tok);
	if (!c->bearer) {
		result = BW_ERR_NOMEM;
		goto out_root;
	}
	{
		int64_t exp = bw_json_int(root, "expires_in", 60);

		if (exp < 10 || exp > 86400)
			exp = 60;
		c->bearer_until = (int64_t)time(NULL) + exp - 5;
	}
out_root:
	json_decref(root);
out_bufs:
	if (body.data)
		explicit_bzero(body.data, body.len);
	bw_buf_release(&body);
	bw_buf_release(&url);
	bw_buf_release(&s.errbody);
	return result;
}

/* React to a 401: pick basic or fetch a bearer token. */
static enum bw_err authenticate(struct registry_client *c, const struct resp *r,
				struct bw_errbuf *eb)
{
	struct registry_challenge ch;
	enum bw_err result;

	if (!c->creds_looked_up) {
		c->creds_looked_up = true;
		result = registry_creds_lookup(c->host, c->opts.docker_config, &c->user, &c->pass,
					       eb);
		if (result)
			return result;
	}
	if (!r->www_auth[0])
		return bw_fail(eb, BW_ERR_AUTH, "%s: HTTP 401 without a WWW-Authenticate challenge",
			       c->label);
	result = registry_challenge_parse(r->www_auth, &ch, eb);
	if (result)
		return bw_fail_prefix(eb, BW_ERR_AUTH, "%s", c->label);
	if (!strcmp(ch.scheme, "basic")) {
		if (!c->user)
			result = bw_fail(eb, BW_ERR_AUTH,
					 "%s: authentication required (basic) and no credentials "
					 "given",
					 c->label);
		c->basic = true;
	} else if (!strcmp(ch.scheme, "bearer")) {
		result = fetch_token(c, &ch, eb);
	} else {
		result = bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: unsupported auth scheme %.15s",
				 c->label, ch.scheme);
	}
	registry_challenge_release(&ch);
	return result;
}

/* The registry's error code from an error body ({"errors":[{"code":..}]}),
 * filtered to printable token characters. */
static void error_code(const struct bw_buf *b, char *out, size_t outsz)
{
	json_t *root = NULL;
	const char *code;
	size_t j = 0;

	out[0] = '\0';
	if (!b->len || bw_json_parse(b->data, b->len, "error", &root, NULL))
		return;
	code = bw_json_str(json_array_get(json_object_get(root, "errors"), 0), "code");
	for (; code && *code && j + 1 < outsz && j < 40; code++)
		if ((*code >= 'A' && *code <= 'Z') || *code == '_')
			out[j++] = *code;
	out[j] = '\0';
	json_decref(root);
}

static unsigned backoff_ms(const struct resp *r, int attempt)
{
	uint64_t secs;

	if (r->retry_after[0] && bw_parse_u64(r->retry_after, RETRY_AFTER_MAX_S, &secs) == BW_OK)
		return (unsigned)secs * 1000u;
	return 200u << attempt; /* 200, 400, 800 ms */
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* GET path (relative to /v2/<repo>/) with auth and retries. what names the
 * object in messages. On success r->status is 200 or 206. restart() is
 * called before a retry that cannot resume. */
static enum bw_err get_with_retries(struct registry_client *c, const char *path,
				    const char *accept, const char *what, bool resumable,
				    struct sink *s, struct resp *r,
				    enum bw_err (*restart)(struct sink *s), struct bw_errbuf *eb)
{
	char *url = path[0] == '/' ? bw_strfmt("%s%s", c->base, path)
				   : bw_strfmt("%s/v2/%s/%s", c->base, c->repo, path);
	bool authed = false;
	enum bw_err result = BW_OK;
	int attempt;

	if (!url)
		return BW_ERR_NOMEM;
	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		uint64_t from = resumable ? s->written : 0;

		if (!from && s->written && restart && (result = restart(s)))
			break;
		bw_buf_reset(&s->errbody);
		if (c->bearer && c->bearer_until && time(NULL) >= c->bearer_until) {
			explicit_bzero(c->bearer, strlen(c->bearer));
			free(c->bearer);
			c->bearer = NULL; /* expired: the next 401 fetches a new one */
		}
		result = do_get(c, url, accept, true, from, s, r, eb);
		/* the credentials worked: a token expiring later in this
		 * transfer's retries may be renewed again */
		if (r->status != 0 && r->status != 401)
			authed = false;
		if (result == BW_ERR_NETWORK) {
			if (attempt + 1 < MAX_ATTEMPTS) {
				BW_DEBUG("%s: %s; retrying", c->host, eb ? eb->msg : "network error");
				sleep_ms(backoff_ms(r, attempt));
				continue;
			}
			bw_fail_prefix(eb, result, "%s: %s (after %d attempts)", c->label,
				       what, MAX_ATTEMPTS);
			break;
		}
		if (result) {
			bw_fail_prefix(eb, result, "%s: %s", c->label, what);
			break;
		}
		if (r->status == 401) {
			if (authed) {
				/* refused right after authenticating */
				result = bw_fail(eb, BW_ERR_AUTH,
						 c->bearer ? "%s: %s: authentication failed (a new "
							     "token was refused: expired or "
							     "without pull access)"
							   : "%s: %s: authentication failed "
							     "(credentials refused)",
						 c->label, what);
				break;
			}
			result = authenticate(c, r, eb);
			if (result)
				break;
			authed = true;
			attempt--; /* not a failure of the registry */
			continue;
		}
		if (r->status == 429 || r->status >= 500) {
			if (attempt + 1 < MAX_ATTEMPTS) {
				sleep_ms(backoff_ms(r, attempt));
				continue;
			}
			result = bw_fail(eb, BW_ERR_NETWORK,
					 "%s: %s: HTTP %ld (after %d attempts)", c->label,
					 what, r->status, MAX_ATTEMPTS);
			break;
		}
		if (r->status == 200 || r->status == 206) {
			if (r->status == 206 && from) {
				char want[48];

				snprintf(want, sizeof(want), "bytes %llu-", (unsigned long long)from);
				if (!bw_str_starts_with(r->content_range, want)) {
					result = bw_fail(eb, BW_ERR_FORMAT,
							 "%s: %s: resumed at the wrong offset",
							 c->label, what);
					break;
				}
			}
			if (r->status == 200 && from) {
				/* the registry ignored the range: start over */
				resumable = false;
				attempt--;
				continue;
			}
			result = BW_OK;
			break;
		}
		{
			char code[48];

			error_code(&s->errbody, code, sizeof(code));
			result = bw_fail(eb,
					 r->status == 404 ? BW_ERR_NOT_FOUND
					 : r->status == 403 ? BW_ERR_AUTH
							    : BW_ERR_NETWORK,
					 "%s: %s: HTTP %ld%s%s%s", c->label, what,
					 r->status, code[0] ? " (" : "", code, code[0] ? ")" : "");
		}
		break;
	}
	free(url);
	return result;
}

static enum bw_err restart_mem(struct sink *s)
{
	bw_buf_reset(s->buf);
	s->written = 0;
	bw_hash_release(s->hash);
	return s->hash ? bw_hash_init(s->hash, BW_HASH_SHA256) : BW_OK;
}

static enum bw_err restart_fd(struct sink *s)
{
	if (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0)
		return BW_ERR_IO;
	s->written = 0;
	bw_hash_release(s->hash);
	return bw_hash_init(s->hash, BW_HASH_SHA256);
}

static enum bw_err check_digest(struct registry_client *c, struct bw_hash *h,
				const char *want, const char *what, char *got_out,
				struct bw_errbuf *eb)
{
	char hex[BW_SHA256_HEX_LEN + 1];
	enum bw_err result = bw_hash_final_hex(h, hex, sizeof(hex));

	if (result)
		return result;
	if (got_out)
		snprintf(got_out, 80, "sha256:%s", hex);
	if (want && (!bw_str_starts_with(want, "sha256:") || strcmp(want + 7, hex)))
		return bw_fail(eb, BW_ERR_DIGEST,
			       "%s: %s: content does not match its digest %s (got sha256:%s)",
			       c->label, what, want, hex);
	return BW_OK;
}

/* GET kind/ref ("manifests/..." or "blobs/...") into memory (at most max
 * bytes), hashing it on the way; the digest must equal want when given.
 * digest_out (may be NULL) gets the computed "sha256:..."; content_type
 * (may be NULL) the response's. *data is malloc'd (NUL-terminated). */
static enum bw_err get_verified_mem(struct registry_client *c, const char *kind, const char *ref,
				    const char *accept, size_t max, const char *want,
				    char *digest_out, char **content_type, char **data,
				    size_t *len, struct bw_errbuf *eb)
{
	struct bw_buf body;
	struct bw_hash h;
	struct sink s = {.fd = -1};
	struct resp r;
	char *path, *what;
	enum bw_err result;

	*data = NULL;
	*len = 0;
	if (content_type)
		*content_type = NULL;
	path = bw_strfmt("%ss/%s", kind, ref);
	what = bw_strfmt("%s %s", kind, ref);
	if (!path || !what) {
		free(path);
		free(what);
		return BW_ERR_NOMEM;
	}
	bw_buf_init(&body, max);
	bw_buf_init(&s.errbody, ERRBODY_MAX + 1);
	s.buf = &body;
	s.hash = &h;
	result = bw_hash_init(&h, BW_HASH_SHA256);
	if (result)
		goto out_bufs;
	result = get_with_retries(c, path, accept, what, false, &s, &r, restart_mem, eb);
	if (result) {
		bw_hash_release(&h);
		goto out_bufs;
	}
	result = check_digest(c, &h, want, what, digest_out, eb);
	if (result)
		goto out_bufs;
	if (content_type && r.content_type[0] && !(*content_type = bw_strdup(r.content_type))) {
		result = BW_ERR_NOMEM;
		goto out_bufs;
	}
	if (!body.data && (result = bw_buf_append(&body, "", 0)))
		goto out_bufs;
	*data = bw_buf_detach(&body, len);
out_bufs:
	bw_buf_release(&body);
	bw_buf_release(&s.errbody);
	free(path);
	free(what);
	return result;
}

enum bw_err registry_get_manifest(struct registry_client *c, const char *reference,
				  char **data, size_t *len, char **content_type,
				  char digest_out[80], struct bw_errbuf *eb)
{
	/* by digest, the bytes must hash to it; by tag, digest_out reports it */
	return get_verified_mem(c, "manifest", reference, ACCEPT_MANIFESTS, MANIFEST_MAX,
				bw_str_starts_with(reference, "sha256:") ? reference : NULL,
				digest_out, content_type, data, len, eb);
}

enum bw_err registry_get_blob_mem(struct registry_client *c, const char *digest, size_t max,
				  char **data, size_t *len, struct bw_errbuf *eb)
{
	return get_verified_mem(c, "blob", digest, NULL, max, digest, NULL, NULL, data, len, eb);
}

enum bw_err registry_get_blob_fd(struct registry_client *c, const char *digest, int64_t size,
				 int fd, struct bw_errbuf *eb)
{
	struct bw_hash h;
	struct sink s = {.fd = fd};
	struct resp r;
	char *path, *what;
	enum bw_err result;

	path = bw_strfmt("blobs/%s", digest);
	what = bw_strfmt("blob %s", digest);
	if (!path || !what) {
		free(path);
		free(what);
		return BW_ERR_NOMEM;
	}
	bw_buf_init(&s.errbody, ERRBODY_MAX + 1);
	s.hash = &h;
	s.max = size >= 0 ? (uint64_t)size : 0;
	result = bw_hash_init(&h, BW_HASH_SHA256);
	if (result)
		goto out_bufs;
	result = get_with_retries(c, path, NULL, what, true, &s, &r, restart_fd, eb);
	if (result) {
		bw_hash_release(&h);
		goto out_bufs;
	}
	if (size >= 0 && s.written != (uint64_t)size) {
		bw_hash_release(&h);
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s: got %llu bytes, manifest says %lld",
				 c->label, what, (unsigned long long)s.written,
				 (long long)size);
		goto out_bufs;
	}
	result = check_digest(c, &h, digest, what, NULL, eb);
out_bufs:
	bw_buf_release(&s.errbody);
	free(path);
	free(what);
	return result;
}

enum bw_err registry_get_json(struct registry_client *c, const char *path, const char *what,
			      size_t max, struct json_t **out, char *link, size_t linksz,
			      struct bw_errbuf *eb)
{
	struct bw_buf body;
	struct sink s = {.fd = -1};
	struct resp r;
	enum bw_err result;

	*out = NULL;
	if (link && linksz)
		link[0] = '\0';
	bw_buf_init(&body, max);
	bw_buf_init(&s.errbody, ERRBODY_MAX + 1);
	s.buf = &body;
	result = get_with_retries(c, path, "Accept: application/json", what, false, &s, &r,
				  restart_mem, eb);
	if (result)
		goto out_bufs;
	result = bw_json_parse(body.data ? body.data : "", body.len, what, out, eb);
	if (result) {
		bw_fail_prefix(eb, result, "%s", c->label);
		goto out_bufs;
	}
	if (link && linksz)
		bw_strlcpy(link, r.link, linksz);
out_bufs:
	bw_buf_release(&body);
	bw_buf_release(&s.errbody);
	return result;
}

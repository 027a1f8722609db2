/* listen.c - registry push notifications (the distribution "notifications"
 * webhook): an HTTP endpoint that takes event envelopes, keeps the pushes
 * of manifests in a bounded queue, and hands them to the caller's loop. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "registry.h"

#define BODY_MAX (1u << 20)
#define QUEUE_MAX 1024
#define EVENTS_MAX 1000

static const char *const manifest_types[] = {
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
};

void registry_pushes_free(struct registry_push *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].repo);
		free(p[i].tag);
		free(p[i].digest);
	}
	free(p);
}

enum bw_err registry_events_parse(const char *body, size_t len, struct registry_push **out,
				  size_t *n, struct bw_errbuf *eb)
{
	json_t *root = NULL, *events;
	struct registry_push *v = NULL;
	size_t cap = 0, cnt = 0;
	enum bw_err result;

	*out = NULL;
	*n = 0;
	result = bw_json_parse(body, len, "event envelope", &root, eb);
	if (result)
		return result;
	events = json_object_get(root, "events");
	if (!json_is_array(events)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "event envelope: no 'events' array");
		goto out_root;
	}
	if (json_array_size(events) > EVENTS_MAX) {
		result = bw_fail(eb, BW_ERR_LIMIT, "event envelope: more than %d events", EVENTS_MAX);
		goto out_root;
	}
	for (size_t i = 0; i < json_array_size(events); i++) {
		const json_t *e = json_array_get(events, i), *t = json_object_get(e, "target");
		const char *action = bw_json_str(e, "action"), *mt = bw_json_str(t, "mediaType");
		const char *repo = bw_json_str(t, "repository"), *tag = bw_json_str(t, "tag");
		const char *digest = bw_json_str(t, "digest");
		struct registry_name rn;
		char *text;
		bool manifest = false;

		if (!action || strcmp(action, "push") || !mt)
			continue;
		for (size_t k = 0; k < sizeof(manifest_types) / sizeof(manifest_types[0]); k++)
			if (!strcmp(mt, manifest_types[k]))
				manifest = true;
		if (!manifest)
			continue; /* blob pushes */
		if (!repo || !digest || !bw_digest_valid(digest)) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "event %zu: push without a valid repository and digest", i);
			goto out_v;
		}
		/* validate repository and tag with the reference grammar */
		text = bw_strfmt("h.example/%s%s%s@%s", repo, tag ? ":" : "", tag ? tag : "", digest);
		if (!text) {
			result = BW_ERR_NOMEM;
			goto out_v;
		}
		result = registry_name_parse(text, &rn, eb);
		free(text);
		if (result) {
			bw_fail_prefix(eb, BW_ERR_FORMAT, "event %zu", i);
			goto out_v;
		}
		registry_name_release(&rn);
		if ((result = bw_grow((void **)&v, &cap, cnt + 1, sizeof(*v), EVENTS_MAX)))
			goto out_v;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].repo = bw_strdup(repo);
		v[cnt].tag = tag ? bw_strdup(tag) : NULL;
		v[cnt].digest = bw_strdup(digest);
		cnt++;
		if (!v[cnt - 1].repo || (tag && !v[cnt - 1].tag) || !v[cnt - 1].digest) {
			result = BW_ERR_NOMEM;
			goto out_v;
		}
	}
	*out = v;
	*n = cnt;
	v = NULL;
out_v:
	registry_pushes_free(v, cnt);
out_root:
	json_decref(root);
	return result;
}

struct registry_listener {
	struct MHD_Daemon *d;
	char *token; /* "Bearer X" expected, or NULL */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct registry_push q[QUEUE_MAX];
	size_t head, len;
	size_t dropped;
};

struct conn {
	struct bw_buf body;
	bool too_big;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *text)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static void enqueue(struct registry_listener *l, struct registry_push *p, size_t n)
{
	pthread_mutex_lock(&l->mu);
	for (size_t i = 0; i < n; i++) {
		if (l->len >= QUEUE_MAX) {
			l->dropped++;
			free(p[i].repo);
			free(p[i].tag);
			free(p[i].digest);
		} else {
			l->q[(l->head + l->len) % QUEUE_MAX] = p[i];
			l->len++;
		}
		memset(&p[i], 0, sizeof(p[i]));
	}
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **state)
{
	struct registry_listener *l = cls;
	struct conn *cn = *state;
	struct registry_push *p = NULL;
	struct bw_errbuf eb = {0};
	size_t n = 0;

	if (!cn) {
		if (strcmp(method, "POST"))
			return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST event envelopes here\n");
		if (l->token) {
			const char *auth =
				MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

			if (!auth || strcmp(auth, l->token))
				return reply(c, MHD_HTTP_UNAUTHORIZED, "bad token\n");
		}
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		bw_buf_init(&cn->body, BODY_MAX);
		*state = cn;
		return MHD_YES;
	}
	if (*size) {
		if (!cn->too_big && bw_buf_append(&cn->body, data, *size))
			cn->too_big = true;
		*size = 0;
		return MHD_YES;
	}
	if (cn->too_big)
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "envelope too large\n");
	if (registry_events_parse(cn->body.data ? cn->body.data : "", cn->body.len, &p, &n, &eb)) {
		BW_WARN("registry webhook: %s", eb.msg);
		return reply(c, MHD_HTTP_BAD_REQUEST, "bad envelope\n");
	}
	enqueue(l, p, n);
	free(p);
	return reply(c, MHD_HTTP_OK, "ok\n");
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *state;

	if (cn) {
		bw_buf_release(&cn->body);
		free(cn);
		*state = NULL;
	}
}

enum bw_err registry_listen_start(const char *addr, unsigned port, const char *token,
				  struct registry_listener **out, struct bw_errbuf *eb)
{
	struct registry_listener *l;
	struct sockaddr_in sa = {0};

	*out = NULL;
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return bw_fail(eb, BW_ERR_USAGE, "%s: not an IPv4 address", addr);
	l = calloc(1, sizeof(*l));
	if (!l)
		return BW_ERR_NOMEM;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	if (token && !(l->token = bw_strfmt("Bearer %s", token))) {
		registry_listen_stop(l);
		return BW_ERR_NOMEM;
	}
	l->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
				NULL, NULL, handler, l, MHD_OPTION_SOCK_ADDR, &sa,
				MHD_OPTION_NOTIFY_COMPLETED, completed, l,
				MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT,
				30u, MHD_OPTION_END);
	if (!l->d) {
		registry_listen_stop(l);
		return bw_fail(eb, BW_ERR_IO, "cannot listen on %s:%u", addr, port);
	}
	*out = l;
	return BW_OK;
}

bool registry_listen_next(struct registry_listener *l, struct registry_push *out, int timeout_ms)
{
	struct timespec ts;
	bool got = false;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->mu);
	while (l->len == 0)
		if (pthread_cond_timedwait(&l->cv, &l->mu, &ts))
			break;
	if (l->len) {
		*out = l->q[l->head];
		l->head = (l->head + 1) % QUEUE_MAX;
		l->len--;
		got = true;
	}
	if (l->dropped) {
		BW_WARN("registry webhook: queue full, %zu push event(s) dropped", l->dropped);
		l->dropped = 0;
	}
	pthread_mutex_unlock(&l->mu);
	return got;
}

void registry_listen_stop(struct registry_listener *l)
{
	if (!l)
		return;
	if (l->d)
		MHD_stop_daemon(l->d);
	for (size_t i = 0; i < l->len; i++) {
		struct registry_push *p = &l->q[(l->head + i) % QUEUE_MAX];

		free(p->repo);
		free(p->tag);
		free(p->digest);
	}
	free(l->token);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}

/* docker_api.c - the Docker Engine API over its unix socket (libcurl).
 *
 * Responses are hostile input: the body is bounded (max), parsed with
 * jansson (which bounds nesting depth), and every field is read with the
 * typed getters that tolerate absence and wrong types.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <string.h>

#include "docker_int.h"

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct bw_buf *b = arg;

	if (bw_buf_append(b, p, size * n) != BW_OK)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	return size * n;
}

enum bw_err dk_api_get(const char *socket, const char *path, size_t max, json_t **out,
		       long *http_status, size_t *nbytes, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct bw_buf body;
	char url[1024];
	CURL *h;
	CURLcode rc;
	long status = 0;

	*out = NULL;
	if (nbytes)
		*nbytes = 0;
	if (http_status)
		*http_status = 0;
	if ((size_t)snprintf(url, sizeof(url), "http://docker%s", path) >= sizeof(url))
		return bw_fail(eb, BW_ERR_USAGE, "API path too long: %.64s...", path);
	h = curl_easy_init();
	if (!h)
		return BW_ERR_NOMEM;
	bw_buf_init(&body, max);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (nbytes)
		*nbytes = body.len;
	if (http_status)
		*http_status = status;
	if (rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED) {
		result = bw_fail(eb, BW_ERR_LIMIT, "%s%s: response larger than %zu bytes", socket,
				 path, max);
		goto out_curl;
	}
	if (rc != CURLE_OK) {
		result = bw_fail(eb, BW_ERR_NETWORK, "%s: GET %s: %s", socket, path,
				 curl_easy_strerror(rc));
		goto out_curl;
	}
	if (status < 200 || status > 299) {
		result = bw_fail(eb, status == 404 ? BW_ERR_NOT_FOUND : BW_ERR_NETWORK,
				 "%s: GET %s: HTTP %ld: %.200s", socket, path, status,
				 body.data ? body.data : "");
		goto out_curl;
	}
	result = bw_json_parse(body.data ? body.data : "", body.len, path, out, eb);
out_curl:
	curl_easy_cleanup(h);
	bw_buf_release(&body);
	return result;
}

/* catalog.c - the registry's repository catalog and tag lists, with Link
 * header pagination (RFC 8288; distribution spec "Pagination"). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "registry_int.h"

#define PAGE_MAX (8u << 20)
#define LIST_MAX 100000
#define PAGES_MAX 10000

/* Lowercase compare of n bytes. */
static bool ieq(const char *a, const char *b, size_t n)
{
	return strncasecmp(a, b, n) == 0;
}

enum bw_err registry_link_next(const char *link, const char *host, char *out, size_t outsz,
			       struct bw_errbuf *eb)
{
	const char *p = link;

	if (outsz)
		out[0] = '\0';
	if (!link)
		return BW_OK;
	if (strlen(link) > 2048)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: Link header longer than 2048 bytes", host);
	while (*p) {
		const char *lt, *gt, *params, *end;
		bool next = false;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p != '<')
			return bw_fail(eb, BW_ERR_FORMAT, "%s: Link header: expected '<'", host);
		lt = p + 1;
		gt = strchr(lt, '>');
		if (!gt)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: Link header: no closing '>'", host);
		params = gt + 1;
		/* params up to the next ',' outside quotes */
		end = params;
		{
			bool q = false;

			for (; *end && (q || *end != ','); end++)
				if (*end == '"')
					q = !q;
			if (q)
				return bw_fail(eb, BW_ERR_FORMAT, "%s: Link header: unterminated quote",
					       host);
		}
		for (const char *s = params; s < end; s++) {
			if (*s != ';')
				continue;
			s++;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if (end - s >= 3 && ieq(s, "rel", 3)) {
				const char *v = s + 3;

				while (v < end && (*v == ' ' || *v == '\t'))
					v++;
				if (v < end && *v == '=') {
					v++;
					while (v < end && (*v == ' ' || *v == '\t'))
						v++;
					if ((end - v >= 6 && ieq(v, "\"next\"", 6)) ||
					    (end - v >= 4 && ieq(v, "next", 4) &&
					     (end - v == 4 || v[4] == ';' || v[4] == ' ')))
						next = true;
				}
			}
		}
		if (next) {
			size_t n = (size_t)(gt - lt);
			const char *u = lt;
			char prefix[300];

			/* an absolute URL must stay on this registry */
			if (n >= 8 && (ieq(u, "https://", 8) || ieq(u, "http://", 7))) {
				size_t skip = ieq(u, "https://", 8) ? 8 : 7;
				int pn = snprintf(prefix, sizeof(prefix), "%s/", host);

				if (pn < 0 || (size_t)pn >= sizeof(prefix) || n - skip < (size_t)pn ||
				    strncmp(u + skip, prefix, (size_t)pn))
					return bw_fail(eb, BW_ERR_FORMAT,
						       "%s: Link header points to another host", host);
				u += skip + (size_t)pn - 1;
				n -= skip + (size_t)pn - 1;
			}
			if (n < 4 || strncmp(u, "/v2/", 4))
				return bw_fail(eb, BW_ERR_FORMAT,
					       "%s: Link header: next is not a /v2/ path", host);
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f || u[i] == '\\')
					return bw_fail(eb, BW_ERR_FORMAT,
						       "%s: Link header: bad character in the URL",
						       host);
			if (n + 1 > outsz)
				return bw_fail(eb, BW_ERR_LIMIT, "%s: Link header URL too long", host);
			memcpy(out, u, n);
			out[n] = '\0';
			return BW_OK;
		}
		p = end;
	}
	return BW_OK;
}

/* Entries per page asked of the registry: BULWARK_REGISTRY_PAGE_SIZE
 * (1..10000, for tests and slow registries), else 1000. */
static unsigned page_size(void)
{
	const char *v = getenv("BULWARK_REGISTRY_PAGE_SIZE");
	uint64_t n;

	if (v && bw_parse_u64(v, 10000, &n) == BW_OK && n > 0)
		return (unsigned)n;
	return 1000;
}

/* Page through path collecting the strings of array `key`. */
static enum bw_err list_paged(struct registry_client *c, const char *host, const char *first,
			      const char *key, const char *what, struct bw_strv *out,
			      struct bw_errbuf *eb)
{
	char path[2100], link[2048];
	enum bw_err result = BW_OK;
	size_t pages = 0;

	bw_strlcpy(path, first, sizeof(path));
	while (path[0]) {
		json_t *root = NULL, *arr;

		if (++pages > PAGES_MAX)
			return bw_fail(eb, BW_ERR_LIMIT, "%s: %s: more than %d pages", host, what,
				       PAGES_MAX);
		result = registry_get_json(c, path, what, PAGE_MAX, &root, link, sizeof(link), eb);
		if (result)
			return result;
		arr = json_object_get(root, key);
		if (!json_is_array(arr) && !json_is_null(arr)) {
			json_decref(root);
			return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: no '%s' array", host, what, key);
		}
		for (size_t i = 0; i < json_array_size(arr); i++) {
			const char *s = json_string_value(json_array_get(arr, i));

			if (!s || !*s || strlen(s) > 255) {
				result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s: entry %zu is not a name",
						 host, what, i);
				break;
			}
			if (out->n >= LIST_MAX) {
				result = bw_fail(eb, BW_ERR_LIMIT, "%s: %s: more than %d entries", host,
						 what, LIST_MAX);
				break;
			}
			if (!bw_strv_contains(out, s) && (result = bw_strv_push(out, s)))
				break;
		}
		json_decref(root);
		if (result)
			return result;
		result = registry_link_next(link, host, path, sizeof(path), eb);
		if (result)
			return result;
	}
	return BW_OK;
}

enum bw_err registry_list_repos(const char *host, const struct registry_opts *opts,
				struct bw_strv *out, struct bw_errbuf *eb)
{
	struct registry_client *c;
	enum bw_err result;

	char first[64];

	snprintf(first, sizeof(first), "/v2/_catalog?n=%u", page_size());
	result = registry_client_new(host, "", opts, &c, eb);
	if (result)
		return result;
	result = list_paged(c, host, first, "repositories", "catalog", out, eb);
	registry_client_free(c);
	return result;
}

enum bw_err registry_list_tags(const char *host, const char *repo,
			       const struct registry_opts *opts, struct bw_strv *out,
			       struct bw_errbuf *eb)
{
	struct registry_client *c;
	char *path, *what;
	enum bw_err result;

	path = bw_strfmt("/v2/%s/tags/list?n=%u", repo, page_size());
	what = bw_strfmt("%s tags", repo);
	if (!path || !what) {
		free(path);
		free(what);
		return BW_ERR_NOMEM;
	}
	result = registry_client_new(host, repo, opts, &c, eb);
	if (!result) {
		result = list_paged(c, host, path, "tags", what, out, eb);
		registry_client_free(c);
	}
	free(path);
	free(what);
	return result;
}

enum bw_err registry_resolve(const char *host, const char *repo, const char *tag,
			     const struct registry_opts *opts, char digest[80],
			     struct bw_errbuf *eb)
{
	struct registry_client *c;
	char *data = NULL;
	size_t len;
	enum bw_err result;

	result = registry_client_new(host, repo, opts, &c, eb);
	if (result)
		return result;
	result = registry_get_manifest(c, tag, &data, &len, NULL, digest, eb);
	free(data);
	registry_client_free(c);
	return result;
}

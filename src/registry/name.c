/* name.c - registry references as users type them. */
#include <stdlib.h>
#include <string.h>

#include "registry.h"

#define NAME_MAX_LEN 512

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-' || c == '/';
}

static bool host_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
}

static bool tag_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

void registry_name_release(struct registry_name *n)
{
	if (!n)
		return;
	free(n->host);
	free(n->repo);
	free(n->tag);
	free(n->digest);
	memset(n, 0, sizeof(*n));
}

static enum bw_err check_repo(const char *text, const char *repo, struct bw_errbuf *eb)
{
	size_t n = strlen(repo);

	if (n == 0 || n > 255)
		return bw_fail(eb, BW_ERR_USAGE, "%s: repository name empty or too long", text);
	if (repo[0] == '/' || repo[n - 1] == '/' || strstr(repo, "//"))
		return bw_fail(eb, BW_ERR_USAGE, "%s: empty path component in the repository", text);
	for (size_t i = 0; i < n; i++) {
		if (!name_char_ok(repo[i]))
			return bw_fail(eb, BW_ERR_USAGE,
				       "%s: repository names are lowercase letters, digits and . _ - /",
				       text);
		/* components start and end with an alphanumeric */
		if ((repo[i] == '.' || repo[i] == '_' || repo[i] == '-') &&
		    (i == 0 || repo[i - 1] == '/' || i + 1 == n || repo[i + 1] == '/'))
			return bw_fail(eb, BW_ERR_USAGE,
				       "%s: a repository component starts or ends with a separator",
				       text);
	}
	return BW_OK;
}

enum bw_err registry_name_parse(const char *text, struct registry_name *n, struct bw_errbuf *eb)
{
	char buf[NAME_MAX_LEN + 1];
	char *at, *slash, *colon, *name;
	enum bw_err result;

	memset(n, 0, sizeof(*n));
	if (!text || !*text)
		return bw_fail(eb, BW_ERR_USAGE, "empty registry reference");
	if (strlen(text) > NAME_MAX_LEN)
		return bw_fail(eb, BW_ERR_USAGE, "registry reference longer than %d bytes",
			       NAME_MAX_LEN);
	if (bw_str_starts_with(text, "registry:"))
		bw_strlcpy(buf, text + 9, sizeof(buf));
	else if (bw_str_starts_with(text, "docker://"))
		bw_strlcpy(buf, text + 9, sizeof(buf));
	else
		bw_strlcpy(buf, text, sizeof(buf));
	name = buf;
	at = strchr(name, '@');
	if (at) {
		*at = '\0';
		if (!bw_digest_valid(at + 1))
			return bw_fail(eb, BW_ERR_USAGE, "%s: malformed digest after '@'", text);
		if (!(n->digest = bw_strdup(at + 1)))
			goto out_nomem;
	}
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		size_t tn = strlen(colon + 1);

		*colon = '\0';
		if (tn == 0 || tn > 128 || colon[1] == '.' || colon[1] == '-')
			goto out_badtag;
		for (size_t i = 0; i < tn; i++)
			if (!tag_char_ok(colon[1 + i]))
				goto out_badtag;
		if (!(n->tag = bw_strdup(colon + 1)))
			goto out_nomem;
	}
	slash = strchr(name, '/');
	if (slash && (memchr(name, '.', (size_t)(slash - name)) ||
		      memchr(name, ':', (size_t)(slash - name)) ||
		      ((size_t)(slash - name) == 9 && !memcmp(name, "localhost", 9)))) {
		*slash = '\0';
		if (!*name) {
			registry_name_release(n);
			return bw_fail(eb, BW_ERR_USAGE, "%s: empty registry host", text);
		}
		for (const char *p = name; *p; p++)
			if (!host_char_ok(*p)) {
				registry_name_release(n);
				return bw_fail(eb, BW_ERR_USAGE, "%s: bad character in the registry host",
					       text);
			}
		if (!strcmp(name, "docker.io") || !strcmp(name, "index.docker.io"))
			n->host = bw_strdup("registry-1.docker.io");
		else
			n->host = bw_strdup(name);
		name = slash + 1;
		if (!n->host)
			goto out_nomem;
	} else {
		if (!(n->host = bw_strdup("registry-1.docker.io")))
			goto out_nomem;
	}
	if (!strcmp(n->host, "registry-1.docker.io") && !strchr(name, '/'))
		n->repo = bw_strfmt("library/%s", name);
	else
		n->repo = bw_strdup(name);
	if (!n->repo)
		goto out_nomem;
	result = check_repo(text, n->repo, eb);
	if (result) {
		registry_name_release(n);
		return result;
	}
	if (!n->tag && !n->digest && !(n->tag = bw_strdup("latest")))
		goto out_nomem;
	return BW_OK;
out_badtag:
	registry_name_release(n);
	return bw_fail(eb, BW_ERR_USAGE,
		       "%s: a tag is 1-128 of letters, digits, _ . - and does not start with . or -",
		       text);
out_nomem:
	registry_name_release(n);
	return BW_ERR_NOMEM;
}

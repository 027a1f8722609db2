/* challenge.c - WWW-Authenticate (RFC 7235) for the registry token flow. */
#include <stdlib.h>
#include <string.h>

#include "registry.h"

#define CHALLENGE_MAX 4096

void registry_challenge_release(struct registry_challenge *ch)
{
	if (!ch)
		return;
	free(ch->realm);
	free(ch->service);
	free(ch->scope);
	memset(ch, 0, sizeof(*ch));
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One value: a token or a quoted string with backslash escapes. */
static enum bw_err parse_value(const char **pp, struct bw_buf *val, struct bw_errbuf *eb)
{
	const char *p = *pp;
	enum bw_err result = BW_OK;

	if (*p == '"') {
		p++;
		while (*p && *p != '"' && !result) {
			if (*p == '\\') {
				p++;
				if (!*p)
					break;
			}
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return bw_fail(eb, BW_ERR_FORMAT,
					       "WWW-Authenticate: control character in a quoted value");
			result = bw_buf_append(val, p, 1);
			p++;
		}
		if (result)
			return result;
		if (*p != '"')
			return bw_fail(eb, BW_ERR_FORMAT, "WWW-Authenticate: unterminated quoted value");
		p++;
	} else {
		const char *s = p;

		while (is_tchar(*p) || *p == '/' || *p == ':' || *p == '=')
			p++;
		if (p == s)
			return bw_fail(eb, BW_ERR_FORMAT, "WWW-Authenticate: empty parameter value");
		result = bw_buf_append(val, s, (size_t)(p - s));
		if (result)
			return result;
	}
	if (!val->data && (result = bw_buf_append(val, "", 0)))
		return result;
	*pp = p;
	return BW_OK;
}

enum bw_err registry_challenge_parse(const char *header, struct registry_challenge *ch,
				     struct bw_errbuf *eb)
{
	const char *p;
	struct bw_buf val;
	size_t i = 0;
	enum bw_err result = BW_OK;

	memset(ch, 0, sizeof(*ch));
	if (!header)
		return bw_fail(eb, BW_ERR_FORMAT, "no WWW-Authenticate header");
	if (strlen(header) > CHALLENGE_MAX)
		return bw_fail(eb, BW_ERR_FORMAT, "WWW-Authenticate longer than %d bytes",
			       CHALLENGE_MAX);
	p = skip_ws(header);
	while (is_tchar(*p)) {
		if (i + 1 >= sizeof(ch->scheme))
			return bw_fail(eb, BW_ERR_FORMAT, "WWW-Authenticate: scheme too long");
		ch->scheme[i++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		p++;
	}
	ch->scheme[i] = '\0';
	if (i == 0)
		return bw_fail(eb, BW_ERR_FORMAT, "WWW-Authenticate: no scheme");
	if (*p && *p != ' ' && *p != '\t')
		return bw_fail(eb, BW_ERR_FORMAT, "WWW-Authenticate: bad character after the scheme");
	bw_buf_init(&val, CHALLENGE_MAX);
	p = skip_ws(p);
	while (*p) {
		char key[32];
		size_t kn = 0;
		char **slot = NULL;

		while (is_tchar(*p)) {
			if (kn + 1 >= sizeof(key)) {
				result = bw_fail(eb, BW_ERR_FORMAT,
						 "WWW-Authenticate: parameter name too long");
				goto out_val;
			}
			key[kn++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
			p++;
		}
		key[kn] = '\0';
		p = skip_ws(p);
		if (kn == 0 || *p != '=') {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "WWW-Authenticate: expected name=value at offset %zu",
					 (size_t)(p - header));
			goto out_val;
		}
		p = skip_ws(p + 1);
		bw_buf_reset(&val);
		result = parse_value(&p, &val, eb);
		if (result)
			goto out_val;
		if (!strcmp(key, "realm"))
			slot = &ch->realm;
		else if (!strcmp(key, "service"))
			slot = &ch->service;
		else if (!strcmp(key, "scope"))
			slot = &ch->scope;
		if (slot) {
			if (*slot) {
				result = bw_fail(eb, BW_ERR_FORMAT,
						 "WWW-Authenticate: duplicate %s parameter", key);
				goto out_val;
			}
			if (!(*slot = bw_strndup(val.data, val.len))) {
				result = BW_ERR_NOMEM;
				goto out_val;
			}
		}
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "WWW-Authenticate: expected ',' at offset %zu",
					 (size_t)(p - header));
			goto out_val;
		}
	}
out_val:
	bw_buf_release(&val);
	if (result)
		registry_challenge_release(ch);
	return result;
}

/* jsonscan.c - walk the members of a top-level JSON object without building
 * the whole document: each member's value is parsed on its own, so memory
 * follows the largest member, not the file (the Debian tracker JSON is tens
 * of megabytes of {package: {...}} members). No recursion: nesting is
 * tracked with a counter. */
#include <string.h>

#include "vulndb/vulndb_int.h"

#define SCAN_MAX_DEPTH 2048

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* p at '"': returns the byte after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* p at a value: returns the byte after it, or NULL when malformed. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
		       *p != '\r' && *p != '\t')
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[') {
			if (++depth > SCAN_MAX_DEPTH)
				return NULL;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
		p++;
	}
	return NULL;
}

enum bw_err vdb_json_members(const char *data, size_t len, const char *name, vdb_member_fn fn,
			     void *ud, struct bw_errbuf *eb)
{
	const char *p = data, *end = data + len;
	enum bw_err result;

	p = ws(p, end);
	if (p >= end || *p != '{')
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not a JSON object", name);
	p = ws(p + 1, end);
	if (p < end && *p == '}')
		return BW_OK;
	for (;;) {
		const char *k0 = p, *k1, *v0, *v1;
		json_t *key = NULL, *val = NULL;
		json_error_t je;

		if (p >= end || *p != '"' || !(k1 = skip_string(p, end)))
			return bw_fail(eb, BW_ERR_FORMAT, "%s: offset %zu: member name expected", name,
				       (size_t)(p - data));
		p = ws(k1, end);
		if (p >= end || *p != ':')
			return bw_fail(eb, BW_ERR_FORMAT, "%s: offset %zu: ':' expected", name,
				       (size_t)(p - data));
		v0 = ws(p + 1, end);
		v1 = skip_value(v0, end);
		if (!v1)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: offset %zu: unterminated value", name,
				       (size_t)(v0 - data));
		key = json_loadb(k0, (size_t)(k1 - k0), JSON_DECODE_ANY, &je);
		val = json_loadb(v0, (size_t)(v1 - v0), JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!json_is_string(key) || !val) {
			json_decref(key);
			json_decref(val);
			return bw_fail(eb, BW_ERR_FORMAT, "%s: offset %zu: %s", name,
				       (size_t)(v0 - data), val ? "bad member name" : je.text);
		}
		result = fn(json_string_value(key), val, ud, eb);
		json_decref(key);
		json_decref(val);
		if (result != BW_OK)
			return result;
		p = ws(v1, end);
		if (p < end && *p == ',') {
			p = ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			break;
		return bw_fail(eb, BW_ERR_FORMAT, "%s: offset %zu: ',' or '}' expected", name,
			       (size_t)(p - data));
	}
	p = ws(p + 1, end);
	if (p != end)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: offset %zu: data after the object", name,
			       (size_t)(p - data));
	return BW_OK;
}

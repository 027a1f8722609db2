/* json.c - jansson helpers with errors that name the input. */
#include <jansson.h>
#include <string.h>

#include "core.h"

enum bw_err bw_json_parse(const char *data, size_t n, const char *what, json_t **out,
			  struct bw_errbuf *eb)
{
	json_error_t je;
	json_t *v;

	/* jansson bounds nesting depth itself (JSON_PARSER_MAX_DEPTH). */
	v = json_loadb(data, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!v)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: invalid JSON at line %d, column %d: %s", what,
			       je.line, je.column, je.text);
	*out = v;
	return BW_OK;
}

const char *bw_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t bw_json_int(const json_t *obj, const char *key, int64_t dflt)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool bw_json_bool(const json_t *obj, const char *key, bool dflt)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

enum bw_err bw_json_write(json_t *v, FILE *f, struct bw_errbuf *eb)
{
	if (json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', f) == EOF)
		return bw_fail(eb, BW_ERR_IO, "writing JSON failed");
	return BW_OK;
}

json_t *bw_json_string_lossy(const char *s)
{
	struct bw_buf b;
	size_t n, i = 0;
	json_t *v;

	if (!s)
		return json_null();
	n = strlen(s);
	if (bw_utf8_valid(s, n))
		return json_stringn(s, n);
	bw_buf_init(&b, n * 3 + 1);
	while (i < n) {
		/* take the longest valid prefix of 1-4 bytes, else one bad byte */
		size_t k;

		for (k = 4; k >= 1; k--)
			if (i + k <= n && bw_utf8_valid(s + i, k))
				break;
		if (k == 0) {
			bw_buf_append(&b, "\xef\xbf\xbd", 3);
			i++;
		} else {
			bw_buf_append(&b, s + i, k);
			i += k;
		}
	}
	v = json_stringn(b.data ? b.data : "", b.len);
	bw_buf_release(&b);
	return v;
}

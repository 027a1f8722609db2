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

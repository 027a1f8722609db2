/* toml.c - a small bounded TOML reader shared by the lockfile catalogers
 * (poetry.lock and uv.lock in lang_python.c, Cargo.lock in lang_rust.c).
 *
 * It reads the subset those files use: [table] and [[array.of.tables]]
 * headers with bare, quoted and dotted keys; basic and literal strings,
 * single and multi-line, with escapes (\uXXXX decodes to '?': names and
 * versions are ASCII); integers, floats, booleans, dates and times as bare
 * words; arrays and inline tables nested at most SBOM_TOML_MAX_DEPTH deep
 * (BW_ERR_LIMIT past it; the recursion is bounded by that). A string is
 * decoded into a SBOM_TOML_STR_MAX field (longer ones are cut and flagged
 * truncated, never used as names). Every other problem is BW_ERR_FORMAT
 * "PATH: line N: what". The callers walk the lines themselves: headers,
 * `key = value`, then sbom_toml_eol.
 */
#include <ctype.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

enum bw_err sbom_toml_err(struct sbom_toml *t, const char *what)
{
	return bw_fail(t->eb, BW_ERR_FORMAT, "%s: line %zu: %s", t->path, t->line, what);
}

void sbom_toml_ws(struct sbom_toml *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Blanks, newlines and comments (inside arrays). */
void sbom_toml_ws_nl(struct sbom_toml *t)
{
	for (;;) {
		sbom_toml_ws(t);
		if (t->p < t->end && *t->p == '#') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		}
		if (t->p < t->end && (*t->p == '\n' || *t->p == '\r')) {
			if (*t->p == '\n')
				t->line++;
			t->p++;
			continue;
		}
		return;
	}
}

/* After a value or header: blanks, a comment, then a newline or the end. */
enum bw_err sbom_toml_eol(struct sbom_toml *t)
{
	sbom_toml_ws(t);
	if (t->p < t->end && *t->p == '#')
		while (t->p < t->end && *t->p != '\n')
			t->p++;
	if (t->p < t->end && *t->p == '\r')
		t->p++;
	if (t->p < t->end && *t->p != '\n')
		return sbom_toml_err(t, "unexpected text after a value");
	if (t->p < t->end) {
		t->p++;
		t->line++;
	}
	return BW_OK;
}

static void toml_putc(struct sbom_toml_val *v, size_t *o, char c)
{
	if (*o + 1 < sizeof(v->str))
		v->str[(*o)++] = c;
	else
		v->truncated = true;
}

/* A string at t->p (one of " ' """ '''); decoded into v->str. */
enum bw_err sbom_toml_string(struct sbom_toml *t, struct sbom_toml_val *v)
{
	char q = *t->p;
	bool multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
	size_t o = 0;

	v->type = SBOM_TOML_STRING;
	t->p += multi ? 3 : 1;
	if (multi && t->p < t->end && *t->p == '\n') {
		t->p++;
		t->line++;
	}
	for (;;) {
		char c;

		if (t->p >= t->end)
			return sbom_toml_err(t, multi ? "unterminated multi-line string"
						   : "unterminated string");
		c = *t->p;
		if (c == q && (!multi || (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q))) {
			t->p += multi ? 3 : 1;
			break;
		}
		if (c == '\n') {
			if (!multi)
				return sbom_toml_err(t, "unterminated string");
			t->line++;
		}
		if (c == '\\' && q == '"') {
			if (t->end - t->p < 2)
				return sbom_toml_err(t, "unterminated string");
			c = t->p[1];
			t->p += 2;
			switch (c) {
			case 'n': toml_putc(v, &o, '\n'); break;
			case 't': toml_putc(v, &o, '\t'); break;
			case 'r': toml_putc(v, &o, '\r'); break;
			case 'b': toml_putc(v, &o, '\b'); break;
			case 'f': toml_putc(v, &o, '\f'); break;
			case 'e': toml_putc(v, &o, 0x1b); break;
			case '"': toml_putc(v, &o, '"'); break;
			case '\\': toml_putc(v, &o, '\\'); break;
			case 'u':
			case 'U': {
				size_t nd = c == 'u' ? 4 : 8;

				if ((size_t)(t->end - t->p) < nd)
					return sbom_toml_err(t, "short \\u escape");
				for (size_t i = 0; i < nd; i++)
					if (!isxdigit((unsigned char)t->p[i]))
						return sbom_toml_err(t, "bad \\u escape");
				t->p += nd;
				toml_putc(v, &o, '?'); /* names and versions are ASCII */
				break;
			}
			default:
				if (multi && (c == '\n' || c == ' ' || c == '\t' || c == '\r')) {
					/* line-ending backslash: skip the whitespace */
					t->p--;
					while (t->p < t->end && isspace((unsigned char)*t->p)) {
						if (*t->p == '\n')
							t->line++;
						t->p++;
					}
					break;
				}
				return sbom_toml_err(t, "unknown escape in a string");
			}
			continue;
		}
		toml_putc(v, &o, c);
		t->p++;
	}
	v->str[o] = '\0';
	return BW_OK;
}

/* A space inside a bare word only as the date/time separator of an offset
 * or local date-time: "1979-05-27 07:32:00" (s: the word's start). */
static bool toml_date_time_space(const char *s, const char *sp, const char *end)
{
	return sp - s == 10 && s[4] == '-' && s[7] == '-' && end - sp > 1 &&
	       isdigit((unsigned char)sp[1]);
}

static bool toml_bare_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* A key (bare or quoted, dotted parts joined by '.') into out. */
enum bw_err sbom_toml_key(struct sbom_toml *t, char *out, size_t outsz)
{
	size_t o = 0;

	for (;;) {
		sbom_toml_ws(t);
		if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
			struct sbom_toml_val kv = {0};
			enum bw_err result = sbom_toml_string(t, &kv);
			size_t kl = strlen(kv.str);

			if (result != BW_OK)
				return result;
			if (o + kl + 1 < outsz) {
				memcpy(out + o, kv.str, kl);
				o += kl;
			}
		} else {
			const char *s = t->p;

			while (t->p < t->end && toml_bare_char(*t->p))
				t->p++;
			if (t->p == s)
				return sbom_toml_err(t, "expected a key");
			if (o + (size_t)(t->p - s) + 1 < outsz) {
				memcpy(out + o, s, (size_t)(t->p - s));
				o += (size_t)(t->p - s);
			}
		}
		sbom_toml_ws(t);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			if (o + 2 < outsz)
				out[o++] = '.';
			continue;
		}
		break;
	}
	out[o] = '\0';
	return BW_OK;
}

enum bw_err sbom_toml_value(struct sbom_toml *t, struct sbom_toml_val *v, int depth);

static enum bw_err toml_array(struct sbom_toml *t, int depth)
{
	t->p++; /* '[' */
	for (;;) {
		struct sbom_toml_val item;
		enum bw_err result;

		sbom_toml_ws_nl(t);
		if (t->p >= t->end)
			return sbom_toml_err(t, "unterminated array or inline table");
		if (*t->p == ']') {
			t->p++;
			return BW_OK;
		}
		result = sbom_toml_value(t, &item, depth + 1);
		if (result != BW_OK)
			return result;
		if (t->strings && depth == 0 && item.type == SBOM_TOML_STRING && !item.truncated &&
		    t->strings->n < 100000 && t->names_result == BW_OK)
			t->names_result = bw_strv_push(t->strings, item.str);
		sbom_toml_ws_nl(t);
		if (t->p < t->end && *t->p == ',')
			t->p++;
		else if (t->p < t->end && *t->p != ']')
			return sbom_toml_err(t, "expected ',' or ']' in an array");
	}
}

static enum bw_err toml_inline_table(struct sbom_toml *t, struct sbom_toml_val *v, int depth)
{
	bool first = true;

	v->type = SBOM_TOML_TABLE;
	t->p++; /* '{' */
	for (;;) {
		struct sbom_toml_val item;
		char key[256];
		enum bw_err result;

		sbom_toml_ws(t);
		if (t->p >= t->end)
			return sbom_toml_err(t, "unterminated array or inline table");
		if (*t->p == '}') {
			t->p++;
			return BW_OK;
		}
		result = sbom_toml_key(t, key, sizeof(key));
		if (result != BW_OK)
			return result;
		if (first)
			bw_strlcpy(v->first_key, key, sizeof(v->first_key));
		first = false;
		sbom_toml_ws(t);
		if (t->p >= t->end || *t->p != '=')
			return sbom_toml_err(t, "expected '=' in an inline table");
		t->p++;
		sbom_toml_ws(t);
		result = sbom_toml_value(t, &item, depth + 1);
		if (result != BW_OK)
			return result;
		if (t->names && depth == 1 && strcmp(key, "name") == 0 && item.type == SBOM_TOML_STRING &&
		    !item.truncated && t->names->n < 100000 && t->names_result == BW_OK)
			t->names_result = bw_strv_push(t->names, item.str);
		sbom_toml_ws(t);
		if (t->p < t->end && *t->p == ',')
			t->p++;
		else if (t->p < t->end && *t->p != '}')
			return sbom_toml_err(t, "expected ',' or '}' in an inline table");
	}
}

/* A value at t->p: strings, arrays and inline tables are parsed; numbers,
 * booleans and dates are taken as bare words. */
enum bw_err sbom_toml_value(struct sbom_toml *t, struct sbom_toml_val *v, int depth)
{
	v->type = SBOM_TOML_OTHER;
	v->str[0] = '\0';
	v->truncated = false;
	v->first_key[0] = '\0';
	if (depth > SBOM_TOML_MAX_DEPTH)
		return bw_fail(t->eb, BW_ERR_LIMIT,
			       "%s: line %zu: arrays or inline tables nested too deeply (over %d)",
			       t->path, t->line, SBOM_TOML_MAX_DEPTH);
	if (t->p >= t->end)
		return sbom_toml_err(t, "expected a value");
	switch (*t->p) {
	case '"':
	case '\'':
		return sbom_toml_string(t, v);
	case '[':
		return toml_array(t, depth);
	case '{':
		return toml_inline_table(t, v, depth);
	default: {
		const char *s = t->p;

		while (t->p < t->end && (isalnum((unsigned char)*t->p) || *t->p == '+' ||
					 *t->p == '-' || *t->p == '.' || *t->p == ':' || *t->p == '_' ||
					 (*t->p == ' ' && toml_date_time_space(s, t->p, t->end))))
			t->p++;
		if (t->p == s)
			return sbom_toml_err(t, "expected a value");
		return BW_OK;
	}
	}
}

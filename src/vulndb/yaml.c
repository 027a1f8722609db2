/* yaml.c - YAML feed files (OSV YAML, Alpine secdb YAML, ruby-advisory-db)
 * to jansson values through libfyaml, so one reader serves both syntaxes.
 *
 * Every scalar becomes a JSON string (the readers convert what they need):
 * this keeps the YAML key 0 of secdb as "0" and dates as written. Aliases
 * are refused (no "billion laughs"); depth and node count are bounded; the
 * conversion is recursive only up to VDB_MAX_YAML_DEPTH. */
#include <string.h>

#include <libfyaml.h>

#include "vulndb/vulndb_int.h"

struct conv {
	const char *name;
	size_t nodes;
	struct bw_errbuf *eb;
};

static enum bw_err node_line_fail(struct conv *c, struct fy_node *n, enum bw_err code,
				  const char *what)
{
	struct fy_token *t = fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

	if (!m)
		return bw_fail(c->eb, code, "%s: %s", c->name, what);
	return bw_fail(c->eb, code, "%s: line %d: %s", c->name, m->line + 1, what);
}

static enum bw_err conv_node(struct conv *c, struct fy_node *n, int depth, json_t **out)
{
	enum bw_err result = BW_OK;
	void *it = NULL;

	*out = NULL;
	if (!n) {
		*out = json_null();
		return BW_OK;
	}
	if (depth > VDB_MAX_YAML_DEPTH)
		return node_line_fail(c, n, BW_ERR_LIMIT, "nested too deep");
	if (++c->nodes > VDB_MAX_YAML_NODES)
		return node_line_fail(c, n, BW_ERR_LIMIT, "too many nodes");
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR: {
		size_t len = 0;
		const char *s;

		if (fy_node_is_alias(n))
			return node_line_fail(c, n, BW_ERR_UNSUPPORTED, "YAML aliases are not accepted");
		s = fy_node_get_scalar(n, &len);
		if (!s)
			return node_line_fail(c, n, BW_ERR_FORMAT, "unreadable scalar");
		if (len > VDB_MAX_FIELD * 16)
			return node_line_fail(c, n, BW_ERR_LIMIT, "scalar too long");
		/* A plain "~" or "null" is YAML's null. */
		if (fy_node_get_style(n) == FYNS_PLAIN &&
		    (len == 0 || (len == 1 && s[0] == '~') || (len == 4 && memcmp(s, "null", 4) == 0))) {
			*out = json_null();
			return BW_OK;
		}
		*out = json_stringn(s, len);
		if (!*out)
			return node_line_fail(c, n, BW_ERR_FORMAT, "scalar is not valid UTF-8");
		return BW_OK;
	}
	case FYNT_SEQUENCE: {
		struct fy_node *item;
		json_t *arr = json_array();

		if (!arr)
			return BW_ERR_NOMEM;
		while (result == BW_OK && (item = fy_node_sequence_iterate(n, &it))) {
			json_t *v;

			result = conv_node(c, item, depth + 1, &v);
			if (result == BW_OK && json_array_append_new(arr, v) != 0)
				result = BW_ERR_NOMEM;
		}
		if (result != BW_OK) {
			json_decref(arr);
			return result;
		}
		*out = arr;
		return BW_OK;
	}
	case FYNT_MAPPING: {
		struct fy_node_pair *pair;
		json_t *obj = json_object();

		if (!obj)
			return BW_ERR_NOMEM;
		while (result == BW_OK && (pair = fy_node_mapping_iterate(n, &it))) {
			struct fy_node *k = fy_node_pair_key(pair);
			const char *ks;
			size_t klen = 0;
			char key[1024];
			json_t *v;

			if (!k || fy_node_get_type(k) != FYNT_SCALAR || fy_node_is_alias(k)) {
				result = node_line_fail(c, n, BW_ERR_UNSUPPORTED,
							"mapping key is not a plain scalar");
				break;
			}
			ks = fy_node_get_scalar(k, &klen);
			if (!ks || klen >= sizeof(key) || memchr(ks, '\0', klen)) {
				result = node_line_fail(c, k, BW_ERR_FORMAT, "bad mapping key");
				break;
			}
			memcpy(key, ks, klen);
			key[klen] = '\0';
			result = conv_node(c, fy_node_pair_value(pair), depth + 1, &v);
			if (result == BW_OK && json_object_set_new(obj, key, v) != 0)
				result = BW_ERR_NOMEM;
		}
		if (result != BW_OK) {
			json_decref(obj);
			return result;
		}
		*out = obj;
		return BW_OK;
	}
	}
	return node_line_fail(c, n, BW_ERR_FORMAT, "unknown node type");
}

/* libfyaml prints diagnostics to stderr unless given a diag object: keep
 * the first error line ("<memory-@...>:2:6: error: ...") for the message. */
struct diag_keep {
	char first[256];
};

static void diag_keep_first(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	struct diag_keep *k = user;
	const char *pos, *e;
	size_t n;

	(void)diag;
	if (k->first[0] || !memmem(buf, len, "error:", 6))
		return;
	/* Drop the "<memory-@0x...-0x...>:" source name. */
	pos = memmem(buf, len, ">:", 2);
	pos = pos ? pos + 2 : buf;
	e = memchr(pos, '\n', len - (size_t)(pos - buf));
	n = e ? (size_t)(e - pos) : len - (size_t)(pos - buf);
	if (n >= sizeof(k->first))
		n = sizeof(k->first) - 1;
	memcpy(k->first, pos, n);
	k->first[n] = '\0';
}

enum bw_err vdb_yaml_to_json(const char *data, size_t len, const char *name, json_t **out,
			     struct bw_errbuf *eb)
{
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_AUTO};
	struct conv c = {.name = name, .eb = eb};
	struct diag_keep keep = {{0}};
	struct fy_diag_cfg dcfg;
	struct fy_document *fyd;
	struct fy_diag *diag;
	enum bw_err result;

	*out = NULL;
	if (len == 0)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: empty YAML file", name);
	/* libfyaml 0.7.12 loops forever on a directive holding invalid UTF-8
	 * ("%d\xff\xff", found by fuzz_vulndb_osvyaml): feeds are UTF-8 text and
	 * never use directives, so both are refused before parsing. */
	if (!bw_utf8_valid(data, len))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not UTF-8 text", name);
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '%' && (i == 0 || data[i - 1] == '\n')) {
			size_t line = 1;

			for (size_t j = 0; j < i; j++)
				line += data[j] == '\n';
			return bw_fail(eb, BW_ERR_UNSUPPORTED,
				       "%s: line %zu: YAML directives are not accepted", name, line);
		}
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_keep_first;
	dcfg.user = &keep;
	dcfg.show_source = false;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		return BW_ERR_NOMEM;
	cfg.diag = diag;
	fyd = fy_document_build_from_string(&cfg, data, len);
	if (!fyd) {
		if (keep.first[0])
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: line:column %s", name, keep.first);
		else
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: not valid YAML", name);
		fy_diag_destroy(diag);
		return result;
	}
	result = conv_node(&c, fy_document_root(fyd), 0, out);
	fy_document_destroy(fyd);
	fy_diag_destroy(diag);
	return result;
}

/* yaml.c - YAML/JSON streams to jansson values, bounded for hostile input.
 *
 * libfyaml builds each document; we walk its node tree ourselves (depth
 * limited) instead of asking libfyaml to resolve aliases, so that every
 * node, aliases expanded, is charged to one budget: a "billion laughs"
 * document stops at K8S_YAML_MAX_NODES instead of exhausting memory.
 */
#include <errno.h>
#include <libfyaml.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s.h"

struct conv {
	size_t budget;       /* nodes left in this document */
	size_t total;        /* nodes left in the stream */
	const char *what;
	size_t doc;
	struct bw_errbuf *eb;
};

static enum bw_err convert(struct conv *c, struct fy_node *fyn, int depth, json_t **out);

/* Location of a node for messages: "line L column C" (1-based) for
 * scalars, the node's path in the document for collections. */
static void node_where(struct fy_node *fyn, char *buf, size_t sz)
{
	struct fy_token *t = NULL;
	const struct fy_mark *m = NULL;
	char *path;

	if (fyn && fy_node_get_type(fyn) == FYNT_SCALAR) {
		t = fy_node_get_scalar_token(fyn);
		m = t ? fy_token_start_mark(t) : NULL;
	}
	if (m) {
		snprintf(buf, sz, "line %d column %d", m->line + 1, m->column + 1);
		return;
	}
	path = fyn ? fy_node_get_path(fyn) : NULL;
	snprintf(buf, sz, "at %s", path ? path : "unknown position");
	free(path);
}

static bool eq_any(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(s, *list, n) == 0)
			return true;
	return false;
}

/* Plain scalars resolve like sigs.k8s.io/yaml (go-yaml v2, YAML 1.1
 * booleans): a manifest saying `privileged: yes` is privileged. */
static json_t *plain_scalar(const char *s, size_t n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
					    "on", "On", "ON", "y", "Y", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", "no", "No", "NO",
					     "off", "Off", "OFF", "n", "N", NULL};
	char tmp[64];
	char *end;

	if (eq_any(s, n, nulls))
		return json_null();
	if (eq_any(s, n, trues))
		return json_true();
	if (eq_any(s, n, falses))
		return json_false();
	if (n > 0 && n < sizeof(tmp) && (s[0] == '-' || s[0] == '+' || s[0] == '.' ||
					 (s[0] >= '0' && s[0] <= '9'))) {
		long long ll;
		double d;
		size_t j = 0;

		/* drop YAML 1.1 digit separators: "1_000" */
		for (size_t i = 0; i < n; i++)
			if (s[i] != '_')
				tmp[j++] = s[i];
		tmp[j] = '\0';
		errno = 0;
		if (j > 2 && (tmp[0] == '0') && (tmp[1] == 'x' || tmp[1] == 'X'))
			ll = strtoll(tmp + 2, &end, 16);
		else if (j > 2 && tmp[0] == '0' && tmp[1] == 'o')
			ll = strtoll(tmp + 2, &end, 8);
		else
			ll = strtoll(tmp, &end, 10);
		if (errno == 0 && *end == '\0' && end != tmp)
			return json_integer(ll);
		errno = 0;
		d = strtod(tmp, &end);
		if (errno == 0 && *end == '\0' && end != tmp && isfinite(d) &&
		    strpbrk(tmp, "xXpP") == NULL && strncasecmp(tmp, "inf", 3) != 0 &&
		    strncasecmp(tmp, "nan", 3) != 0)
			return json_real(d);
	}
	return json_stringn(s, n);
}

static enum bw_err convert_scalar(struct conv *c, struct fy_node *fyn, json_t **out)
{
	size_t n = 0;
	const char *s = fy_node_get_scalar(fyn, &n);
	char where[160];

	if (!s) {
		s = "";
		n = 0;
	}
	if (!bw_utf8_valid(s, n)) {
		node_where(fyn, where, sizeof(where));
		return bw_fail(c->eb, BW_ERR_FORMAT,
			       "%s: document %zu, %s: scalar is not valid UTF-8 or contains NUL",
			       c->what, c->doc, where);
	}
	if (fy_node_get_style(fyn) == FYNS_PLAIN) {
		size_t tl = 0;
		const char *tag = fy_node_get_tag(fyn, &tl);

		/* an explicit !!str tag keeps the text */
		if (!(tag && tl == 21 && memcmp(tag, "tag:yaml.org,2002:str", 21) == 0)) {
			*out = plain_scalar(s, n);
			goto done;
		}
	}
	*out = json_stringn(s, n);
done:
	return *out ? BW_OK : bw_fail(c->eb, BW_ERR_NOMEM, "%s: out of memory", c->what);
}

/* Merge key "<<": copy keys of a mapping (or a list of mappings) that the
 * target does not have yet (explicit keys win, as in YAML 1.1). */
static enum bw_err merge_into(struct conv *c, json_t *target, struct fy_node *val, int depth)
{
	json_t *src = NULL;
	enum bw_err result = convert(c, val, depth + 1, &src);
	const char *k;
	json_t *v;

	if (result != BW_OK)
		return result;
	if (json_is_object(src)) {
		json_object_foreach(src, k, v) {
			if (!json_object_get(target, k))
				json_object_set(target, k, v);
		}
	} else if (json_is_array(src)) {
		size_t i;
		json_t *item;

		json_array_foreach(src, i, item) {
			if (!json_is_object(item))
				continue;
			json_object_foreach(item, k, v) {
				if (!json_object_get(target, k))
					json_object_set(target, k, v);
			}
		}
	} else {
		char where[160];

		node_where(val, where, sizeof(where));
		result = bw_fail(c->eb, BW_ERR_FORMAT,
				 "%s: document %zu, %s: merge key '<<' needs a mapping", c->what,
				 c->doc, where);
	}
	json_decref(src);
	return result;
}

static enum bw_err convert_mapping(struct conv *c, struct fy_node *fyn, int depth, json_t **out)
{
	enum bw_err result = BW_OK;
	json_t *obj = json_object();
	struct fy_node_pair *pair;
	void *iter = NULL;
	/* merges apply after explicit keys: collected here */
	struct fy_node *merges[16];
	size_t nmerges = 0;
	char where[160];

	if (!obj)
		return bw_fail(c->eb, BW_ERR_NOMEM, "%s: out of memory", c->what);
	while ((pair = fy_node_mapping_iterate(fyn, &iter)) != NULL) {
		struct fy_node *kn = fy_node_pair_key(pair);
		struct fy_node *vn = fy_node_pair_value(pair);
		const char *ks;
		size_t kl = 0;
		char *key;
		json_t *v = NULL;

		if (kn && fy_node_is_alias(kn))
			kn = fy_node_resolve_alias(kn);
		if (!kn || fy_node_get_type(kn) != FYNT_SCALAR) {
			node_where(fyn, where, sizeof(where));
			result = bw_fail(c->eb, BW_ERR_FORMAT,
					 "%s: document %zu, %s: mapping key is not a scalar", c->what,
					 c->doc, where);
			goto out_free_obj;
		}
		ks = fy_node_get_scalar(kn, &kl);
		if (!ks)
			ks = "";
		if (!bw_utf8_valid(ks, kl)) {
			node_where(kn, where, sizeof(where));
			result = bw_fail(c->eb, BW_ERR_FORMAT,
					 "%s: document %zu, %s: key is not valid UTF-8 or has NUL",
					 c->what, c->doc, where);
			goto out_free_obj;
		}
		if (kl == 2 && memcmp(ks, "<<", 2) == 0 && fy_node_get_style(kn) == FYNS_PLAIN) {
			if (nmerges == sizeof(merges) / sizeof(merges[0])) {
				node_where(kn, where, sizeof(where));
				result = bw_fail(c->eb, BW_ERR_LIMIT,
						 "%s: document %zu, %s: too many merge keys", c->what,
						 c->doc, where);
				goto out_free_obj;
			}
			merges[nmerges++] = vn;
			continue;
		}
		key = bw_strndup(ks, kl);
		if (!key) {
			result = bw_fail(c->eb, BW_ERR_NOMEM, "%s: out of memory", c->what);
			goto out_free_obj;
		}
		if (vn) {
			result = convert(c, vn, depth + 1, &v);
		} else {
			if (c->budget == 0)
				result = bw_fail(c->eb, BW_ERR_LIMIT, "%s: document %zu: more than %u nodes",
						 c->what, c->doc, K8S_YAML_MAX_NODES);
			else
				c->budget--;
			v = json_null();
		}
		if (result == BW_OK && json_object_set_new(obj, key, v) != 0)
			result = bw_fail(c->eb, BW_ERR_NOMEM, "%s: out of memory", c->what);
		free(key);
		if (result != BW_OK)
			goto out_free_obj;
	}
	for (size_t i = 0; i < nmerges; i++) {
		if (!merges[i])
			continue;
		result = merge_into(c, obj, merges[i], depth);
		if (result != BW_OK)
			goto out_free_obj;
	}
	*out = obj;
	return BW_OK;

out_free_obj:
	json_decref(obj);
	return result;
}

static enum bw_err convert_sequence(struct conv *c, struct fy_node *fyn, int depth, json_t **out)
{
	enum bw_err result = BW_OK;
	json_t *arr = json_array();
	struct fy_node *item;
	void *iter = NULL;

	if (!arr)
		return bw_fail(c->eb, BW_ERR_NOMEM, "%s: out of memory", c->what);
	while ((item = fy_node_sequence_iterate(fyn, &iter)) != NULL) {
		json_t *v = NULL;

		result = convert(c, item, depth + 1, &v);
		if (result != BW_OK)
			goto out_free_arr;
		if (json_array_append_new(arr, v) != 0) {
			result = bw_fail(c->eb, BW_ERR_NOMEM, "%s: out of memory", c->what);
			goto out_free_arr;
		}
	}
	*out = arr;
	return BW_OK;

out_free_arr:
	json_decref(arr);
	return result;
}

static enum bw_err convert(struct conv *c, struct fy_node *fyn, int depth, json_t **out)
{
	char where[160];
	int hops = 0;

	*out = NULL;
	while (fyn && fy_node_is_alias(fyn)) {
		struct fy_node *target = fy_node_resolve_alias(fyn);

		if (!target || ++hops > 16) {
			node_where(fyn, where, sizeof(where));
			return bw_fail(c->eb, BW_ERR_FORMAT,
				       "%s: document %zu, %s: alias to an unknown anchor", c->what,
				       c->doc, where);
		}
		fyn = target;
	}
	if (depth > K8S_YAML_MAX_DEPTH) {
		node_where(fyn, where, sizeof(where));
		return bw_fail(c->eb, BW_ERR_LIMIT, "%s: document %zu, %s: nesting deeper than %d",
			       c->what, c->doc, where, K8S_YAML_MAX_DEPTH);
	}
	if (c->budget == 0)
		return bw_fail(c->eb, BW_ERR_LIMIT,
			       "%s: document %zu: more than %u nodes (aliases expanded)", c->what,
			       c->doc, K8S_YAML_MAX_NODES);
	if (c->total == 0)
		return bw_fail(c->eb, BW_ERR_LIMIT, "%s: more than %u nodes in all documents",
			       c->what, K8S_YAML_MAX_TOTAL_NODES);
	c->budget--;
	c->total--;
	if (!fyn) {
		*out = json_null();
		return BW_OK;
	}
	switch (fy_node_get_type(fyn)) {
	case FYNT_SCALAR:
		return convert_scalar(c, fyn, out);
	case FYNT_MAPPING:
		return convert_mapping(c, fyn, depth, out);
	case FYNT_SEQUENCE:
		return convert_sequence(c, fyn, depth, out);
	}
	return bw_fail(c->eb, BW_ERR_FORMAT, "%s: document %zu: unknown node type", c->what, c->doc);
}

/* libfyaml diagnostics: keep the first error line for our message. */
struct diag_capture {
	char msg[256];
};

static void diag_out(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	struct diag_capture *dc = user;
	size_t n;

	(void)diag;
	if (dc->msg[0] || len == 0)
		return;
	n = len < sizeof(dc->msg) - 1 ? len : sizeof(dc->msg) - 1;
	memcpy(dc->msg, buf, n);
	dc->msg[n] = '\0';
	while (n > 0 && (dc->msg[n - 1] == '\n' || dc->msg[n - 1] == '\r'))
		dc->msg[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)dc->msg[i] < 0x20)
			dc->msg[i] = ' ';
}

enum bw_err k8s_yaml_each(const char *data, size_t n, const char *what, k8s_yaml_doc_fn fn,
			  void *ud, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	struct fy_parse_cfg cfg;
	struct fy_diag_cfg dcfg;
	struct diag_capture dc = {.msg = ""};
	struct fy_diag *diag;
	struct fy_parser *fyp;
	struct fy_document *fyd;
	struct conv c = {.budget = K8S_YAML_MAX_NODES, .total = K8S_YAML_MAX_TOTAL_NODES,
			 .what = what ? what : "input", .eb = eb};
	size_t docno = 0;

	if (n > K8S_YAML_MAX_BYTES)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: %zu bytes, more than the %u allowed", c.what,
			       n, K8S_YAML_MAX_BYTES);
	/* YAML text is UTF-8 without NUL (c-printable); libfyaml 0.7.12 also
	 * loops forever on some NUL bytes ("%\0..."), so refuse them first */
	if (n > 0 && memchr(data, '\0', n)) {
		return bw_fail(eb, BW_ERR_FORMAT, "%s: NUL byte at offset %zu: not a YAML or JSON text",
			       c.what, (size_t)((const char *)memchr(data, '\0', n) - data));
	}
	if (!bw_utf8_valid(data, n))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not valid UTF-8", c.what);
	if (n == 0)
		return BW_OK; /* an empty stream has no documents */

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_out;
	dcfg.user = &dc;
	dcfg.level = FYET_ERROR;
	dcfg.colorize = false;
	dcfg.show_source = false;
	dcfg.show_position = true;
	dcfg.show_type = false;
	dcfg.show_module = false;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		return bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory", c.what);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_AUTO | FYPCF_JSON_NONE;
	cfg.diag = diag;
	fyp = fy_parser_create(&cfg);
	if (!fyp) {
		result = bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory", c.what);
		goto out_unref_diag;
	}
	if (fy_parser_set_string(fyp, data, n) != 0) {
		result = bw_fail(eb, BW_ERR_NOMEM, "%s: cannot start the YAML parser", c.what);
		goto out_destroy_parser;
	}
	for (;;) {
		struct fy_node *root;
		json_t *v = NULL;

		fyd = fy_parse_load_document(fyp);
		if (!fyd) {
			if (fy_parser_get_stream_error(fyp))
				result = bw_fail(eb, BW_ERR_FORMAT, "%s: document %zu: YAML error: %s",
						 c.what, docno, dc.msg[0] ? dc.msg : "parse failed");
			break;
		}
		if (docno >= K8S_YAML_MAX_DOCS) {
			fy_parse_document_destroy(fyp, fyd);
			result = bw_fail(eb, BW_ERR_LIMIT, "%s: more than %u documents", c.what,
					 K8S_YAML_MAX_DOCS);
			break;
		}
		root = fy_document_root(fyd);
		c.doc = docno;
		c.budget = K8S_YAML_MAX_NODES;
		if (root)
			result = convert(&c, root, 0, &v);
		/* the libfyaml tree goes before the callback runs */
		fy_parse_document_destroy(fyp, fyd);
		if (result == BW_OK && v && !json_is_null(v)) /* "---\n~\n" is empty */
			result = fn(v, docno, ud, eb);
		json_decref(v);
		if (result != BW_OK)
			break;
		docno++;
	}
out_destroy_parser:
	fy_parser_destroy(fyp);
out_unref_diag:
	fy_diag_unref(diag);
	return result;
}

struct collect {
	json_t *arr;
	size_t *idx;
	size_t cap;
	const char *what;
};

static enum bw_err collect_doc(json_t *doc, size_t index, void *ud, struct bw_errbuf *eb)
{
	struct collect *col = ud;
	enum bw_err result = bw_grow((void **)&col->idx, &col->cap, json_array_size(col->arr) + 1,
				     sizeof(*col->idx), K8S_YAML_MAX_DOCS);

	if (result != BW_OK)
		return bw_fail(eb, result, "%s: out of memory", col->what);
	col->idx[json_array_size(col->arr)] = index;
	if (json_array_append(col->arr, doc) != 0)
		return bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory", col->what);
	return BW_OK;
}

enum bw_err k8s_yaml_load(const char *data, size_t n, const char *what, json_t **docs,
			  size_t **docidx, struct bw_errbuf *eb)
{
	struct collect col = {.arr = json_array(), .what = what ? what : "input"};
	enum bw_err result;

	*docs = NULL;
	if (docidx)
		*docidx = NULL;
	if (!col.arr)
		return bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory", col.what);
	result = k8s_yaml_each(data, n, what, collect_doc, &col, eb);
	if (result != BW_OK) {
		json_decref(col.arr);
		free(col.idx);
		return result;
	}
	*docs = col.arr;
	if (docidx)
		*docidx = col.idx;
	else
		free(col.idx);
	return BW_OK;
}

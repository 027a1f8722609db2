/* yaml.c - policy YAML to a positioned tree, from libfyaml's event stream.
 *
 * We build the tree ourselves (rather than libfyaml's document API) for two
 * reasons: every node, collections included, keeps its line and column for
 * messages, and aliases stay references to the anchored node, never
 * copies, so an "anchor bomb" costs the parser nothing; the schema reader
 * charges each node visit, aliases expanded, to POLICY_MAX_NODES. An alias
 * may only name a node that is complete, so the tree has no cycles.
 */
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

#define YAML_MAX_ANCHORS 1024 /* per document */

struct anchor {
	char *name;
	struct pnode *node;
};

struct frame {
	struct pnode *node;
	char *anchor; /* registered when the collection ends */
};

struct builder {
	const char *name;
	struct pstream *ps;
	struct frame stack[POLICY_MAX_DEPTH + 1];
	int depth;
	struct anchor *anchors;
	size_t nanchors, acap;
	size_t nodes;
	int line, col; /* position of the last event, for events without one */
	struct bw_errbuf *eb;
};

bool policy_yaml_is_null(const struct pnode *n)
{
	if (!n)
		return true;
	if (n->type != PNODE_SCALAR || !n->plain)
		return false;
	return n->len == 0 || (n->len == 1 && n->text[0] == '~') ||
	       (n->len == 4 && (memcmp(n->text, "null", 4) == 0 || memcmp(n->text, "Null", 4) == 0 ||
				memcmp(n->text, "NULL", 4) == 0));
}

void policy_yaml_release(struct pstream *ps)
{
	struct pnode *n, *next;

	if (!ps)
		return;
	for (n = ps->all; n; n = next) {
		next = n->all_next;
		free(n->text);
		free(n->kids);
		free(n);
	}
	free(ps->docs);
	memset(ps, 0, sizeof(*ps));
}

static void anchors_clear(struct builder *b)
{
	for (size_t i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	b->nanchors = 0;
}

static enum bw_err anchor_add(struct builder *b, char *name, struct pnode *n)
{
	enum bw_err result;

	if (b->nanchors >= YAML_MAX_ANCHORS) {
		free(name);
		return bw_fail(b->eb, BW_ERR_LIMIT, "%s:%d:%d: more than %d anchors in a document",
			       b->name, n->line, n->col, YAML_MAX_ANCHORS);
	}
	result = bw_grow((void **)&b->anchors, &b->acap, b->nanchors + 1, sizeof(*b->anchors),
			 YAML_MAX_ANCHORS);
	if (result != BW_OK) {
		free(name);
		return bw_fail(b->eb, result, "%s: out of memory", b->name);
	}
	b->anchors[b->nanchors].name = name;
	b->anchors[b->nanchors].node = n;
	b->nanchors++;
	return BW_OK;
}

static struct pnode *anchor_find(struct builder *b, const char *name, size_t len)
{
	for (size_t i = b->nanchors; i > 0; i--) {
		const char *a = b->anchors[i - 1].name;

		if (strlen(a) == len && memcmp(a, name, len) == 0)
			return b->anchors[i - 1].node;
	}
	return NULL;
}

static char *token_dup(struct fy_token *t)
{
	size_t len = 0;
	const char *s;

	if (!t)
		return NULL;
	s = fy_token_get_text(t, &len);
	return s ? bw_strndup(s, len) : NULL;
}

static void set_pos(struct builder *b, struct fy_event *e)
{
	const struct fy_mark *m = fy_event_start_mark(e);

	if (m) {
		b->line = m->line + 1;
		b->col = m->column + 1;
	}
}

static enum bw_err node_new(struct builder *b, enum pnode_type type, struct pnode **out)
{
	struct pnode *n;

	if (++b->nodes > POLICY_MAX_NODES)
		return bw_fail(b->eb, BW_ERR_LIMIT, "%s:%d:%d: more than %u YAML nodes", b->name,
			       b->line, b->col, POLICY_MAX_NODES);
	n = calloc(1, sizeof(*n));
	if (!n)
		return bw_fail(b->eb, BW_ERR_NOMEM, "%s: out of memory", b->name);
	n->type = type;
	n->line = b->line;
	n->col = b->col;
	n->all_next = b->ps->all;
	b->ps->all = n;
	*out = n;
	return BW_OK;
}

/* Hang n under the open collection, or make it the document's root. */
static enum bw_err attach(struct builder *b, struct pnode *n)
{
	struct pnode *parent;
	enum bw_err result;

	if (b->depth == 0) {
		if (BW_NEVER(b->ps->ndocs == 0))
			return bw_fail(b->eb, BW_ERR_INTERNAL, "%s: node outside a document", b->name);
		b->ps->docs[b->ps->ndocs - 1].root = n;
		return BW_OK;
	}
	parent = b->stack[b->depth - 1].node;
	result = bw_grow((void **)&parent->kids, &parent->cap, parent->nkids + 1,
			 sizeof(*parent->kids), POLICY_MAX_NODES);
	if (result != BW_OK)
		return bw_fail(b->eb, result, "%s: out of memory", b->name);
	parent->kids[parent->nkids++] = n;
	return BW_OK;
}

static enum bw_err on_doc_start(struct builder *b)
{
	enum bw_err result;
	struct pdoc *d;

	if (b->ps->ndocs >= POLICY_MAX_DOCS)
		return bw_fail(b->eb, BW_ERR_LIMIT, "%s:%d:%d: more than %d documents in a file",
			       b->name, b->line, b->col, POLICY_MAX_DOCS);
	result = bw_grow((void **)&b->ps->docs, &b->ps->cap, b->ps->ndocs + 1, sizeof(*b->ps->docs),
			 POLICY_MAX_DOCS);
	if (result != BW_OK)
		return bw_fail(b->eb, result, "%s: out of memory", b->name);
	d = &b->ps->docs[b->ps->ndocs++];
	memset(d, 0, sizeof(*d));
	d->line = b->line;
	d->col = b->col;
	anchors_clear(b);
	return BW_OK;
}

static enum bw_err on_start(struct builder *b, enum pnode_type type, struct fy_token *anchor)
{
	struct pnode *n;
	enum bw_err result;

	if (b->depth >= POLICY_MAX_DEPTH)
		return bw_fail(b->eb, BW_ERR_LIMIT, "%s:%d:%d: collections nested deeper than %d",
			       b->name, b->line, b->col, POLICY_MAX_DEPTH);
	result = node_new(b, type, &n);
	if (result == BW_OK)
		result = attach(b, n);
	if (result != BW_OK)
		return result;
	b->stack[b->depth].node = n;
	b->stack[b->depth].anchor = NULL;
	if (anchor) {
		b->stack[b->depth].anchor = token_dup(anchor);
		if (!b->stack[b->depth].anchor) {
			b->depth++;
			return bw_fail(b->eb, BW_ERR_NOMEM, "%s: out of memory", b->name);
		}
	}
	b->depth++;
	return BW_OK;
}

static enum bw_err on_end(struct builder *b)
{
	struct frame *f;

	if (BW_NEVER(b->depth == 0))
		return bw_fail(b->eb, BW_ERR_INTERNAL, "%s: unbalanced collection end", b->name);
	f = &b->stack[--b->depth];
	if (f->anchor) {
		char *a = f->anchor;

		f->anchor = NULL;
		return anchor_add(b, a, f->node);
	}
	return BW_OK;
}

static enum bw_err on_scalar(struct builder *b, struct fy_event *e)
{
	struct pnode *n;
	enum bw_err result = node_new(b, PNODE_SCALAR, &n);
	const char *s = NULL;
	size_t len = 0;

	if (result != BW_OK)
		return result;
	if (e->scalar.value)
		s = fy_token_get_text(e->scalar.value, &len);
	n->text = bw_strndup(s ? s : "", s ? len : 0);
	if (!n->text)
		return bw_fail(b->eb, BW_ERR_NOMEM, "%s: out of memory", b->name);
	n->len = s ? len : 0;
	n->plain = !e->scalar.value || fy_token_scalar_style(e->scalar.value) == FYSS_PLAIN;
	/* libfyaml marks a quoted scalar after its opening quote: point at the quote */
	if (!n->plain && n->col > 1 &&
	    (fy_token_scalar_style(e->scalar.value) == FYSS_SINGLE_QUOTED ||
	     fy_token_scalar_style(e->scalar.value) == FYSS_DOUBLE_QUOTED))
		n->col--;
	result = attach(b, n);
	if (result == BW_OK && e->scalar.anchor) {
		char *a = token_dup(e->scalar.anchor);

		if (!a)
			return bw_fail(b->eb, BW_ERR_NOMEM, "%s: out of memory", b->name);
		result = anchor_add(b, a, n);
	}
	return result;
}

static enum bw_err on_alias(struct builder *b, struct fy_event *e)
{
	size_t len = 0;
	const char *s = e->alias.anchor ? fy_token_get_text(e->alias.anchor, &len) : NULL;
	struct pnode *n = s ? anchor_find(b, s, len) : NULL;

	/* libfyaml marks the name, after the '*' */
	if (!n)
		return bw_fail(b->eb, BW_ERR_FORMAT,
			       "%s:%d:%d: alias *%.*s names no anchor defined before it", b->name,
			       b->line, b->col > 1 ? b->col - 1 : b->col, (int)(len > 64 ? 64 : len),
			       s ? s : "");
	if (++b->nodes > POLICY_MAX_NODES)
		return bw_fail(b->eb, BW_ERR_LIMIT, "%s:%d:%d: more than %u YAML nodes", b->name,
			       b->line, b->col, POLICY_MAX_NODES);
	return attach(b, n);
}

static enum bw_err on_event(struct builder *b, struct fy_event *e)
{
	set_pos(b, e);
	switch (e->type) {
	case FYET_DOCUMENT_START:
		return on_doc_start(b);
	case FYET_MAPPING_START:
		return on_start(b, PNODE_MAP, e->mapping_start.anchor);
	case FYET_SEQUENCE_START:
		return on_start(b, PNODE_SEQ, e->sequence_start.anchor);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		return on_end(b);
	case FYET_SCALAR:
		return on_scalar(b, e);
	case FYET_ALIAS:
		return on_alias(b, e);
	default:
		return BW_OK;
	}
}

static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

/* Line and column (1-based) of byte offset off. */
static void offset_pos(const char *data, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static enum bw_err syntax_error(struct builder *b, struct fy_diag *diag)
{
	void *it = NULL;
	struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
	char msg[200];

	if (!de)
		return bw_fail(b->eb, BW_ERR_FORMAT, "%s:%d:%d: YAML syntax error", b->name, b->line,
			       b->col);
	bw_strlcpy(msg, de->msg ? de->msg : "syntax error", sizeof(msg));
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	/* libfyaml reports these 1-based already */
	return bw_fail(b->eb, BW_ERR_FORMAT, "%s:%d:%d: YAML syntax error: %s", b->name,
		       de->line > 0 ? de->line : b->line, de->column > 0 ? de->column : b->col, msg);
}

enum bw_err policy_yaml_parse(const char *name, const char *data, size_t len, struct pstream *ps,
			      struct bw_errbuf *eb)
{
	struct builder b = {.name = name, .ps = ps, .line = 1, .col = 1, .eb = eb};
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg cfg;
	struct fy_diag *diag;
	struct fy_parser *fyp;
	struct fy_event *e;
	enum bw_err result = BW_OK;
	const char *nul;

	memset(ps, 0, sizeof(*ps));
	if (len > POLICY_MAX_FILE_BYTES)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: %zu bytes, more than the %u allowed", name, len,
			       POLICY_MAX_FILE_BYTES);
	/* libfyaml 0.7.12 can loop on some NUL bytes: refuse them first */
	nul = len ? memchr(data, '\0', len) : NULL;
	if (nul) {
		offset_pos(data, (size_t)(nul - data), &b.line, &b.col);
		return bw_fail(eb, BW_ERR_FORMAT, "%s:%d:%d: NUL byte: not a YAML text", name, b.line,
			       b.col);
	}
	if (!bw_utf8_valid(data, len))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not valid UTF-8", name);
	if (len == 0)
		return BW_OK;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_discard;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		return bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory", name);
	fy_diag_set_collect_errors(diag, true);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_AUTO | FYPCF_JSON_NONE | FYPCF_DISABLE_RECYCLING;
	cfg.diag = diag;
	fyp = fy_parser_create(&cfg);
	if (!fyp) {
		result = bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory", name);
		goto out_unref_diag;
	}
	if (fy_parser_set_string(fyp, data, len) != 0) {
		result = bw_fail(eb, BW_ERR_NOMEM, "%s: cannot start the YAML parser", name);
		goto out_destroy_parser;
	}
	while ((e = fy_parser_parse(fyp)) != NULL) {
		result = on_event(&b, e);
		fy_parser_event_free(fyp, e);
		if (result != BW_OK)
			break;
	}
	if (result == BW_OK && fy_parser_get_stream_error(fyp))
		result = syntax_error(&b, diag);
	while (b.depth > 0)
		free(b.stack[--b.depth].anchor);
	anchors_clear(&b);
	free(b.anchors);
out_destroy_parser:
	fy_parser_destroy(fyp);
out_unref_diag:
	/* turning collection off frees the collected errors (libfyaml 0.7.12
	 * does not free them with the diag) */
	fy_diag_set_collect_errors(diag, false);
	fy_diag_unref(diag);
	if (result != BW_OK)
		policy_yaml_release(ps);
	return result;
}

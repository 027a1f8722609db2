/* lang_golang.c - Go modules in source trees: go.mod, and go.sum when a
 * directory has no go.mod. (Go binaries, through their embedded build
 * info, are another cataloger's.)
 *
 * go.mod (https://go.dev/ref/mod#go-mod-file): line-oriented statements
 * `VERB ARGS` or blocks `VERB (` ... `)`. Module paths and versions are
 * identifiers or "quoted strings" (other quotes are an error); "//"
 * starts a comment ("// indirect" after a require is one). What is read:
 *   - require PATH VERSION: the modules reported, as pkg:golang/PATH@VERSION;
 *   - replace OLD [OLDVER] => NEW [NEWVER]: applied to the requirements the
 *     way the go command does (a replacement naming OLD's version wins over
 *     one for every version). NEW with a version replaces the reported
 *     module and version; NEW without one is a local directory, whose code
 *     is the project's own: that requirement is not reported;
 *   - exclude PATH VERSION: a requirement on exactly that version is not
 *     reported (the go command would pick another version, which needs the
 *     network to know);
 *   - module (the project itself, not a dependency), go, toolchain,
 *     godebug and retract are not packages.
 * go.sum lines are "PATH VERSION[/go.mod] HASH"; without a go.mod beside it,
 * every module with a content hash (no "/go.mod" suffix) is reported: the
 * file can list more versions than a build selects.
 *
 * go.mod files under a module cache (.../pkg/mod/...), vendor/ or testdata/
 * directories describe other modules or test inputs and are skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* Parsers over bytes in memory, for tests and fuzz targets (their
 * prototypes belong in sbom.h with the other parsers). */

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define GOMOD_PATH_MAX 512
#define GOMOD_VERSION_MAX 256
#define GOMOD_MAX_ENTRIES ((size_t)100000)
#define GOMOD_MAX_TOKENS 8

static const struct image_want golang_wants[] = {
	{"**/go.mod", 4 * MiB},
	{"**/go.sum", 16 * MiB},
};

/* ---- lists of module versions ----------------------------------------- */

struct gomod_ver {
	char *path;
	char *version; /* NULL: any version (a replace's left side) / local (right side) */
};

struct gomod_list {
	struct gomod_ver *v;
	size_t n, cap;
};

static void gomod_list_release(struct gomod_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].version);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Append copies; version may be NULL. */
static enum bw_err gomod_list_add(struct gomod_list *l, const char *p, size_t pl, const char *v,
				  size_t vl)
{
	enum bw_err result;
	struct gomod_ver *e;

	result = bw_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), GOMOD_MAX_ENTRIES);
	if (result != BW_OK)
		return result;
	e = &l->v[l->n];
	e->path = bw_strndup(p, pl);
	e->version = v ? bw_strndup(v, vl) : NULL;
	if (!e->path || (v && !e->version)) {
		free(e->path);
		free(e->version);
		return BW_ERR_NOMEM;
	}
	l->n++;
	return BW_OK;
}

static int gomod_ver_cmp(const void *pa, const void *pb)
{
	const struct gomod_ver *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (!a->version || !b->version)
		return (a->version != NULL) - (b->version != NULL);
	return strcmp(a->version, b->version);
}

/* Printable ASCII without spaces or quotes, 1..max bytes. */
static bool gomod_text_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '`' || c == '\\')
			return false;
	}
	return true;
}

/* pkg:golang/SEG/SEG/NAME@VERSION: every segment of the module path is
 * percent-encoded on its own and the case is kept (module paths are
 * case-sensitive; sbom_purl_build would encode the '/' of a namespace). */
static char *gomod_purl(const char *path, const char *version)
{
	static const char hex[] = "0123456789ABCDEF";
	struct bw_buf b;
	enum bw_err result;
	char *out = NULL;

	bw_buf_init(&b, 4 * KiB);
	result = bw_buf_appends(&b, "pkg:golang/");
	for (int part = 0; part < 2 && result == BW_OK; part++) {
		const char *s = part ? version : path;

		if (part)
			result = bw_buf_appends(&b, "@");
		for (; *s && result == BW_OK; s++) {
			unsigned char c = (unsigned char)*s;

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~' ||
			    (c == '/' && !part)) {
				result = bw_buf_append(&b, s, 1);
			} else {
				char t[3] = {'%', hex[c >> 4], hex[c & 15]};

				result = bw_buf_append(&b, t, 3);
			}
		}
	}
	if (result == BW_OK)
		out = bw_buf_detach(&b, NULL);
	bw_buf_release(&b);
	return out;
}

static enum bw_err gomod_add(struct sbom *sb, const char *mpath, const char *version,
			     const char *path, const char *layer)
{
	struct sbom_pkg pkg = {.type = SBOM_PKG_GOLANG};

	pkg.name = bw_strdup(mpath);
	pkg.version = bw_strdup(version);
	pkg.found_path = bw_strdup(path);
	if (layer)
		pkg.layer_digest = bw_strdup(layer);
	pkg.purl = gomod_purl(mpath, version);
	if (!pkg.name || !pkg.version || !pkg.found_path || !pkg.purl ||
	    (layer && !pkg.layer_digest)) {
		sbom_pkg_release(&pkg);
		return BW_ERR_NOMEM;
	}
	return sbom_add(sb, &pkg);
}

/* Sort, drop duplicates, add. */
static enum bw_err gomod_flush(struct sbom *sb, struct gomod_list *l, const char *path,
			       const char *layer)
{
	enum bw_err result = BW_OK;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), gomod_ver_cmp);
	for (size_t i = 0; i < l->n && result == BW_OK; i++) {
		if (i && gomod_ver_cmp(&l->v[i - 1], &l->v[i]) == 0)
			continue;
		result = gomod_add(sb, l->v[i].path, l->v[i].version, path, layer);
	}
	return result;
}

/* ---- the go.mod lexer ---------------------------------------------------- */

struct gomod_tok {
	char text[GOMOD_PATH_MAX + 1]; /* unquoted */
	size_t len;
};

struct gomod_line {
	struct gomod_tok tok[GOMOD_MAX_TOKENS];
	size_t ntok;
};

/* Split one line into tokens (comments dropped). Returns false with a
 * reason when a token is malformed or too long or there are too many. */
static bool gomod_tokenize(const char *s, size_t n, struct gomod_line *ln, const char **why)
{
	size_t i = 0;

	ln->ntok = 0;
	while (i < n) {
		struct gomod_tok *t;
		size_t start;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			i++;
			continue;
		}
		if (s[i] == '/' && i + 1 < n && s[i + 1] == '/')
			break;
		if (ln->ntok == GOMOD_MAX_TOKENS) {
			*why = "too many words";
			return false;
		}
		t = &ln->tok[ln->ntok];
		t->len = 0;
		if (s[i] == '(' || s[i] == ')') {
			t->text[0] = s[i++];
			t->len = 1;
		} else if (s[i] == '"') {
			char q = s[i++];
			bool closed = false;

			while (i < n) {
				char c = s[i++];

				if (c == q) {
					closed = true;
					break;
				}
				if (c == '\\') {
					if (i >= n)
						break;
					c = s[i++];
					if (c != '"' && c != '\\') {
						*why = "unsupported escape in a quoted string";
						return false;
					}
				}
				if (t->len >= GOMOD_PATH_MAX) {
					*why = "word too long";
					return false;
				}
				t->text[t->len++] = c;
			}
			if (!closed) {
				*why = "unterminated quoted string";
				return false;
			}
		} else {
			start = i;
			while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '(' &&
			       s[i] != ')' && !(s[i] == '/' && i + 1 < n && s[i + 1] == '/')) {
				if (s[i] == '"' || s[i] == '\'' || s[i] == '`') {
					/* the go command reserves other quotes */
					*why = "unquoted string cannot contain quote";
					return false;
				}
				i++;
			}
			if (i - start > GOMOD_PATH_MAX) {
				*why = "word too long";
				return false;
			}
			memcpy(t->text, s + start, i - start);
			t->len = i - start;
		}
		t->text[t->len] = '\0';
		ln->ntok++;
	}
	return true;
}

static bool tok_is(const struct gomod_tok *t, const char *s)
{
	return strcmp(t->text, s) == 0;
}

struct gomod_file {
	struct gomod_list req, rep_old, rep_new, exc;
};

static void gomod_file_release(struct gomod_file *m)
{
	gomod_list_release(&m->req);
	gomod_list_release(&m->rep_old);
	gomod_list_release(&m->rep_new);
	gomod_list_release(&m->exc);
}

/* One statement: verb and its arguments (tok[0..ntok)). */
static enum bw_err gomod_stmt(struct gomod_file *m, const char *verb, const struct gomod_tok *t,
			      size_t nt, const char **why)
{
	enum bw_err result;

	if (strcmp(verb, "require") == 0 || strcmp(verb, "exclude") == 0) {
		if (nt != 2 || !gomod_text_ok(t[0].text, t[0].len, GOMOD_PATH_MAX) ||
		    !gomod_text_ok(t[1].text, t[1].len, GOMOD_VERSION_MAX)) {
			*why = "expected MODULE VERSION";
			return BW_ERR_FORMAT;
		}
		return gomod_list_add(verb[0] == 'r' ? &m->req : &m->exc, t[0].text, t[0].len,
				      t[1].text, t[1].len);
	}
	if (strcmp(verb, "replace") == 0) {
		size_t arrow = nt;

		for (size_t i = 0; i < nt; i++)
			if (tok_is(&t[i], "=>"))
				arrow = i;
		if (arrow < 1 || arrow > 2 || nt - arrow - 1 < 1 || nt - arrow - 1 > 2) {
			*why = "expected MODULE [VERSION] => MODULE [VERSION]";
			return BW_ERR_FORMAT;
		}
		for (size_t i = 0; i < nt; i++)
			if (i != arrow && !gomod_text_ok(t[i].text, t[i].len, GOMOD_PATH_MAX)) {
				*why = "bad module path or version";
				return BW_ERR_FORMAT;
			}
		result = gomod_list_add(&m->rep_old, t[0].text, t[0].len,
					arrow == 2 ? t[1].text : NULL, t[1].len);
		if (result == BW_OK)
			result = gomod_list_add(&m->rep_new, t[arrow + 1].text, t[arrow + 1].len,
						nt - arrow - 1 == 2 ? t[arrow + 2].text : NULL,
						t[nt - 1].len);
		if (result == BW_OK && m->rep_old.n != m->rep_new.n)
			result = BW_ERR_NOMEM; /* the second add failed after the first */
		return result;
	}
	/* module, go, toolchain, godebug, retract and unknown verbs: nothing */
	return BW_OK;
}

/* The replacement for a requirement: the one naming its version, else the
 * one for every version; NULL when none. */
static const struct gomod_ver *gomod_replacement(const struct gomod_file *m,
						 const struct gomod_ver *r)
{
	const struct gomod_ver *any = NULL;

	for (size_t i = 0; i < m->rep_old.n; i++) {
		const struct gomod_ver *o = &m->rep_old.v[i];

		if (strcmp(o->path, r->path) != 0)
			continue;
		if (!o->version)
			any = &m->rep_new.v[i];
		else if (strcmp(o->version, r->version) == 0)
			return &m->rep_new.v[i];
	}
	return any;
}

static bool gomod_excluded(const struct gomod_file *m, const struct gomod_ver *r)
{
	for (size_t i = 0; i < m->exc.n; i++)
		if (gomod_ver_cmp(&m->exc.v[i], r) == 0)
			return true;
	return false;
}

enum bw_err sbom_parse_go_mod(struct sbom *sb, const char *data, size_t n, const char *path,
			      const char *layer, struct bw_errbuf *eb)
{
	const char *p = data, *end = data + n, *why = NULL;
	struct gomod_file m = {0};
	struct gomod_list out = {0};
	struct gomod_line *ln;
	char block[16] = "";
	size_t lineno = 0;
	enum bw_err result = BW_OK;

	ln = malloc(sizeof(*ln));
	if (!ln)
		return BW_ERR_NOMEM;
	while (p < end && result == BW_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const struct gomod_tok *t = ln->tok;

		lineno++;
		if (!gomod_tokenize(p, len, ln, &why)) {
			result = BW_ERR_FORMAT;
			break;
		}
		p = nl ? nl + 1 : end;
		if (ln->ntok == 0)
			continue;
		if (block[0]) {
			if (ln->ntok == 1 && tok_is(&t[0], ")")) {
				block[0] = '\0';
				continue;
			}
			result = gomod_stmt(&m, block, t, ln->ntok, &why);
			continue;
		}
		if (ln->ntok >= 2 && tok_is(&t[1], "(")) {
			if (ln->ntok == 3 && tok_is(&t[2], ")"))
				continue; /* "require ()" */
			if (ln->ntok != 2 || t[0].len >= sizeof(block)) {
				why = "a block opens with VERB (";
				result = BW_ERR_FORMAT;
				break;
			}
			memcpy(block, t[0].text, t[0].len + 1);
			continue;
		}
		if (tok_is(&t[0], ")") || tok_is(&t[0], "(")) {
			why = "unexpected parenthesis";
			result = BW_ERR_FORMAT;
			break;
		}
		result = gomod_stmt(&m, t[0].text, t + 1, ln->ntok - 1, &why);
	}
	if (result == BW_ERR_FORMAT) {
		result = bw_fail(eb, result, "%s: line %zu: %s", path, lineno,
				 why ? why : "malformed statement");
		goto out_free;
	}
	if (result == BW_ERR_LIMIT) {
		result = bw_fail(eb, result, "%s: more than %zu statements", path, GOMOD_MAX_ENTRIES);
		goto out_free;
	}
	if (result != BW_OK)
		goto out_free;
	if (block[0]) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s block not closed", path, block);
		goto out_free;
	}
	for (size_t i = 0; i < m.req.n && result == BW_OK; i++) {
		const struct gomod_ver *r = &m.req.v[i], *rep;

		if (gomod_excluded(&m, r))
			continue;
		rep = gomod_replacement(&m, r);
		if (rep && !rep->version)
			continue; /* a local directory */
		if (rep)
			r = rep;
		result = gomod_list_add(&out, r->path, strlen(r->path), r->version,
					strlen(r->version));
	}
	if (result == BW_OK)
		result = gomod_flush(sb, &out, path, layer);
out_free:
	gomod_list_release(&out);
	gomod_file_release(&m);
	free(ln);
	return result;
}

/* ---- go.sum --------------------------------------------------------------- */

enum bw_err sbom_parse_go_sum(struct sbom *sb, const char *data, size_t n, const char *path,
			      const char *layer, struct bw_errbuf *eb)
{
	const char *p = data, *end = data + n;
	struct gomod_list l = {0};
	size_t lineno = 0;
	enum bw_err result = BW_OK;

	while (p < end && result == BW_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *f[3];
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p), fl[3], nf = 0, i = 0;
		char q[80];

		lineno++;
		while (i < len && nf < 3) {
			while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
				i++;
			if (i >= len)
				break;
			f[nf] = p + i;
			while (i < len && p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
				i++;
			fl[nf] = (size_t)(p + i - f[nf]);
			nf++;
		}
		if (nf == 0) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (nf != 3 || !gomod_text_ok(f[0], fl[0], GOMOD_PATH_MAX) ||
		    !gomod_text_ok(f[1], fl[1], GOMOD_VERSION_MAX)) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "%s: line %zu: expected MODULE VERSION HASH: \"%s\"", path,
					 lineno, sbom_quote(q, sizeof(q), p, len, 40));
			break;
		}
		p = nl ? nl + 1 : end;
		if (fl[1] >= 7 && memcmp(f[1] + fl[1] - 7, "/go.mod", 7) == 0)
			continue;
		result = gomod_list_add(&l, f[0], fl[0], f[1], fl[1]);
		if (result == BW_ERR_LIMIT)
			result = bw_fail(eb, result, "%s: more than %zu modules", path,
					 GOMOD_MAX_ENTRIES);
	}
	if (result == BW_OK)
		result = gomod_flush(sb, &l, path, layer);
	gomod_list_release(&l);
	return result;
}

/* ---- the cataloger ----------------------------------------------------------- */

/* A module cache (.../pkg/mod/...), vendor/ or testdata/ directory. */
static bool gomod_skipped_dir(const char *path)
{
	static const char *const comps[] = {"vendor/", "testdata/", "pkg/mod/"};

	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		for (const char *p = path; (p = strstr(p, comps[i])); p++)
			if (p == path || p[-1] == '/')
				return true;
	return false;
}

static enum bw_err golang_parse(struct sbom *sb, const struct image_fs *fs,
				const struct image_file *f, struct bw_errbuf *eb)
{
	const char *base = bw_path_base(f->path);
	char dir[4096], gomod[4096 + 8];

	if (gomod_skipped_dir(f->path))
		return BW_OK;
	if (strcmp(base, "go.mod") == 0)
		return sbom_parse_go_mod(sb, f->data, f->size, f->path, f->layer_digest, eb);
	bw_path_dir(f->path, dir, sizeof(dir));
	if ((size_t)snprintf(gomod, sizeof(gomod), "%s%sgo.mod", dir, *dir ? "/" : "") >=
	    sizeof(gomod))
		return BW_OK;
	if (image_fs_get(fs, gomod))
		return BW_OK; /* go.mod says what is required */
	return sbom_parse_go_sum(sb, f->data, f->size, f->path, f->layer_digest, eb);
}

const struct sbom_lang_cataloger sbom_cat_golang = {
	.name = "golang",
	.wants = golang_wants,
	.nwants = sizeof(golang_wants) / sizeof(golang_wants[0]),
	.parse = golang_parse,
};

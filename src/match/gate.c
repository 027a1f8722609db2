/* gate.c - what a scan reports and whether it fails the build: severity
 * filter, --ignore-unfixed, the ignore file, OpenVEX statements, --fail-on.
 *
 * Ignore file format (one entry per line; docs/scan.md):
 *   # comment
 *   CVE-2023-1234
 *   CVE-2023-5678  pkg=openssl  exp=2026-12-31  # waiting for the backport
 *   GHSA-*         pkg=pkg:npm/lodash@*        # glob on id, name or purl
 * An entry applies to a finding when its ID (a glob) matches the finding's
 * ID or one of its aliases and, if pkg= is given, the glob matches the
 * package name or purl. An entry past its exp= date no longer applies; the
 * scan warns about it.
 */
#include <fnmatch.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "match/match.h"

#define GATE_MAX_FILE (16u << 20)
#define GATE_MAX_ENTRIES 100000

struct ignore_entry {
	char *id;
	char *pkg;
	int64_t expires; /* 0: never */
	char *reason;
	unsigned line;
	bool expired_used;
};

struct ignore_list {
	struct ignore_entry *v;
	size_t n;
	size_t cap;
};

static void ignore_list_release(struct ignore_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].pkg);
		free(l->v[i].reason);
	}
	free(l->v);
}

static enum bw_err parse_ignore_line(char *line, unsigned lineno, const char *path,
				     struct ignore_list *l, struct bw_errbuf *eb)
{
	struct ignore_entry e = {0};
	char *hash = strstr(line, "#");
	char *tok, *save = NULL;
	enum bw_err result;

	if (hash) {
		*hash = '\0';
		e.reason = bw_strdup(bw_str_trim(hash + 1));
	}
	e.line = lineno;
	for (tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (!e.id) {
			if (strchr(tok, '='))
				goto out_bad;
			e.id = bw_strdup(tok);
		} else if (bw_str_starts_with(tok, "pkg=") && tok[4] && !e.pkg) {
			e.pkg = bw_strdup(tok + 4);
		} else if (bw_str_starts_with(tok, "exp=") && !e.expires) {
			if (bw_time_parse(tok + 4, &e.expires) != BW_OK || e.expires == 0) {
				free(e.id);
				free(e.pkg);
				free(e.reason);
				return bw_fail(eb, BW_ERR_FORMAT,
					       "%s:%u: exp= wants a date like 2026-12-31, not '%s'",
					       path, lineno, tok + 4);
			}
		} else {
			goto out_bad;
		}
	}
	if (!e.id) { /* blank or comment-only line */
		free(e.reason);
		return BW_OK;
	}
	result = bw_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), GATE_MAX_ENTRIES);
	if (result) {
		free(e.id);
		free(e.pkg);
		free(e.reason);
		return bw_fail(eb, result, "%s: more than %u entries", path, GATE_MAX_ENTRIES);
	}
	l->v[l->n++] = e;
	return BW_OK;
out_bad:
	free(e.id);
	free(e.pkg);
	free(e.reason);
	return bw_fail(eb, BW_ERR_FORMAT,
		       "%s:%u: expected 'ID [pkg=GLOB] [exp=YYYY-MM-DD] [# reason]', got '%s'", path,
		       lineno, tok);
}

static enum bw_err load_ignore(const char *path, struct ignore_list *l, struct bw_errbuf *eb)
{
	struct bw_buf b;
	enum bw_err result;
	unsigned lineno = 0;
	char *p, *save = NULL;

	bw_buf_init(&b, GATE_MAX_FILE);
	result = bw_buf_read_file(&b, path, eb);
	if (result)
		goto out;
	if (memchr(b.data, '\0', b.len)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a text file (NUL byte)", path);
		goto out;
	}
	/* strtok_r on "\n" would skip empty lines and lose the numbering */
	for (p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		lineno++;
		result = parse_ignore_line(p, lineno, path, l, eb);
		if (result)
			goto out;
		p = nl ? nl + 1 : NULL;
	}
	(void)save;
out:
	bw_buf_release(&b);
	return result;
}

static bool id_matches(const char *glob, const struct match_finding *f)
{
	if (fnmatch(glob, f->id, 0) == 0)
		return true;
	for (size_t i = 0; i < f->aliases.n; i++)
		if (fnmatch(glob, f->aliases.v[i], 0) == 0)
			return true;
	return false;
}

static bool pkg_matches(const char *glob, const struct sbom_pkg *p)
{
	return fnmatch(glob, p->name, 0) == 0 || (p->purl && fnmatch(glob, p->purl, 0) == 0);
}

static void suppress(struct match_finding *f, char *why)
{
	if (f->suppressed || !why) {
		free(why);
		return;
	}
	f->suppressed = true;
	f->suppressed_by = why;
}

static void apply_ignore(const char *path, struct ignore_list *l, const struct sbom *sb,
			 struct match_result *res, int64_t now)
{
	for (size_t i = 0; i < res->n; i++) {
		struct match_finding *f = &res->v[i];
		const struct sbom_pkg *p = &sb->pkgs[f->pkg_index];

		for (size_t k = 0; k < l->n; k++) {
			struct ignore_entry *e = &l->v[k];

			if (!id_matches(e->id, f) || (e->pkg && !pkg_matches(e->pkg, p)))
				continue;
			if (e->expires && e->expires < now) {
				e->expired_used = true;
				continue;
			}
			suppress(f, bw_strfmt("ignorefile:%s:%u%s%s%s", path, e->line,
					      e->reason ? " (" : "", e->reason ? e->reason : "",
					      e->reason ? ")" : ""));
			break;
		}
	}
	for (size_t k = 0; k < l->n; k++) {
		char *w;

		if (!l->v[k].expired_used)
			continue;
		w = bw_strfmt("%s:%u: ignore entry for %s has expired; it no longer applies", path,
			      l->v[k].line, l->v[k].id);
		if (w) {
			BW_WARN("%s", w);
			bw_strv_push_owned(&res->warnings, w);
		}
	}
}

/* ---- OpenVEX ----------------------------------------------------------- */

/* "pkg:deb/debian/openssl@1.1?arch=amd64" matches a product purl that names
 * the same type/namespace/name and, when it has one, the same version;
 * qualifiers of the product must all appear in the package's purl. */
static bool purl_matches(const char *product, const char *purl)
{
	size_t pl = strcspn(product, "?#"), ql = strcspn(purl, "?#");
	const char *pat = memchr(product, '@', pl), *qat = memchr(purl, '@', ql);
	size_t pbase = pat ? (size_t)(pat - product) : pl;
	size_t qbase = qat ? (size_t)(qat - purl) : ql;

	if (!purl || pbase != qbase || strncmp(product, purl, pbase) != 0)
		return false;
	if (pat && (!qat || pl - pbase != ql - qbase || strncmp(pat, qat, pl - pbase) != 0))
		return false;
	if (product[pl] == '?') {
		char quals[1024];
		char *tok, *save = NULL;

		bw_strlcpy(quals, product + pl + 1, sizeof(quals));
		for (tok = strtok_r(quals, "&", &save); tok; tok = strtok_r(NULL, "&", &save))
			if (!strstr(purl + ql, tok))
				return false;
	}
	return true;
}

static const char *vex_vuln_name(json_t *st)
{
	json_t *v = json_object_get(st, "vulnerability");

	if (json_is_string(v)) /* OpenVEX v0.0.x */
		return json_string_value(v);
	return bw_json_str(v, "name"); /* v0.2.0 */
}

static bool vex_products_match(json_t *st, const struct sbom *sb, const struct sbom_pkg *p)
{
	json_t *products = json_object_get(st, "products"), *prod;
	size_t i;

	if (!json_is_array(products) || json_array_size(products) == 0)
		return false;
	json_array_foreach (products, i, prod) {
		const char *id = json_is_string(prod) ? json_string_value(prod)
						       : bw_json_str(prod, "@id");
		json_t *subs = json_object_get(prod, "subcomponents"), *sub;
		size_t k;

		if (!id)
			continue;
		/* a statement about the image itself, or about the package */
		if (p->purl && purl_matches(id, p->purl) && !json_is_array(subs))
			return true;
		if (sb->target && strcmp(id, sb->target) == 0 && !json_is_array(subs))
			return true;
		if (sb->image_digest && strstr(id, sb->image_digest) && !json_is_array(subs))
			return true;
		json_array_foreach (subs, k, sub) {
			const char *sid = json_is_string(sub) ? json_string_value(sub)
							     : bw_json_str(sub, "@id");

			if (sid && p->purl && purl_matches(sid, p->purl))
				return true;
		}
	}
	return false;
}

static enum bw_err apply_vex(const char *path, const struct sbom *sb, struct match_result *res,
			     struct bw_errbuf *eb)
{
	struct bw_buf b;
	json_t *doc = NULL, *stmts, *st;
	enum bw_err result;
	size_t i;

	bw_buf_init(&b, GATE_MAX_FILE);
	result = bw_buf_read_file(&b, path, eb);
	if (result)
		goto out;
	result = bw_json_parse(b.data, b.len, path, &doc, eb);
	if (result)
		goto out;
	stmts = json_object_get(doc, "statements");
	if (!json_is_array(stmts)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not an OpenVEX document (no statements array)",
				 path);
		goto out;
	}
	json_array_foreach (stmts, i, st) {
		const char *vuln = vex_vuln_name(st), *status = bw_json_str(st, "status");
		const char *why;

		if (!vuln || !status) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "%s: statement %zu: needs vulnerability and status", path, i);
			goto out;
		}
		if (strcmp(status, "not_affected") != 0 && strcmp(status, "fixed") != 0)
			continue; /* affected / under_investigation: nothing to suppress */
		why = bw_json_str(st, "justification");
		if (!why)
			why = bw_json_str(st, "impact_statement");
		if (!why)
			why = status;
		for (size_t k = 0; k < res->n; k++) {
			struct match_finding *f = &res->v[k];

			if (!id_matches(vuln, f) || !vex_products_match(st, sb, &sb->pkgs[f->pkg_index]))
				continue;
			suppress(f, bw_strfmt("vex:%s: %s (%s)", path, status, why));
		}
	}
out:
	json_decref(doc);
	bw_buf_release(&b);
	return result;
}

enum bw_err match_gate_apply(const struct match_gate *g, const struct sbom *sb,
			     struct match_result *res, bool *failed, struct bw_errbuf *eb)
{
	int64_t now = g->now ? g->now : (int64_t)time(NULL);
	enum bw_err result;
	size_t o = 0;

	*failed = false;
	if (g->ignorefile) {
		struct ignore_list l = {0};

		result = load_ignore(g->ignorefile, &l, eb);
		if (!result)
			apply_ignore(g->ignorefile, &l, sb, res, now);
		ignore_list_release(&l);
		if (result)
			return result;
	}
	if (g->vexfile) {
		result = apply_vex(g->vexfile, sb, res, eb);
		if (result)
			return result;
	}
	/* drop what the user asked not to see; suppressed findings stay (the
	 * JSON report lists them with the reason) */
	for (size_t i = 0; i < res->n; i++) {
		struct match_finding *f = &res->v[i];
		bool keep = true;

		if (g->severities && !(g->severities & (1u << f->severity)))
			keep = false;
		if (g->ignore_unfixed && f->fixed_versions.n == 0)
			keep = false;
		if (!keep) {
			free(f->id);
			bw_strv_release(&f->aliases);
			free(f->title);
			free(f->source);
			free(f->severity_source);
			free(f->cvss_vector);
			bw_strv_release(&f->fixed_versions);
			free(f->fix_state);
			free(f->kev_date_added);
			free(f->suppressed_by);
			continue;
		}
		res->v[o++] = *f;
		if (!f->suppressed && g->fail_on_set && f->severity >= g->fail_on)
			*failed = true;
	}
	res->n = o;
	return BW_OK;
}

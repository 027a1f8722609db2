/* apk.c - the apk cataloger: lib/apk/db/installed.
 *
 * The installed database is a list of records separated by blank lines;
 * each line is "K:value" with a one-character key (apk-tools'
 * database.c / the "Installed Database V2" format). Used here: P name,
 * V version, A architecture, o origin (source package), L licence (an SPDX
 * expression or a space-separated list). Every other key (C, S, I, T, U,
 * m, t, c, D, p, i, r, q, F, R, a, M, Z, ...) is ignored.
 *
 * A line that is not "K:..." is an error naming file and line; the record
 * it is in is skipped and the rest of the file is still catalogued. A
 * record without P or V is skipped (apk cannot have written it).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

struct apk_val {
	const char *p;
	size_t n;
	size_t line; /* 0: absent */
};

struct apk_rec {
	struct apk_val name, version, arch, origin, license;
	bool any;
	bool bad;
};

static void apk_trim(const char **p, size_t *n)
{
	while (*n && isspace((unsigned char)**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

static char *apk_dup(const struct apk_val *v)
{
	return bw_strndup(v->p, v->n);
}

/* L: holds an SPDX expression ("MIT AND BSD-3-Clause") in new databases
 * and a space-separated list ("MIT BSD GPL2+") in old ones. An expression
 * with operators is kept whole; a plain list is split. */
static enum bw_err apk_licenses(struct sbom_pkg *pkg, const struct apk_val *v)
{
	bool expr = false;
	size_t i = 0;

	for (size_t k = 0; k + 4 <= v->n; k++) {
		if ((k == 0 || v->p[k - 1] == ' ') &&
		    (memcmp(v->p + k, "AND ", 4) == 0 || memcmp(v->p + k, "OR ", 3) == 0 ||
		     memcmp(v->p + k, "WITH ", 4) == 0))
			expr = true;
	}
	if (expr || memchr(v->p, '(', v->n)) {
		char *whole = apk_dup(v);

		if (!whole)
			return BW_ERR_NOMEM;
		if (bw_strv_push_owned(&pkg->licenses, whole) != BW_OK) {
			free(whole);
			return BW_ERR_NOMEM;
		}
		return BW_OK;
	}
	while (i < v->n) {
		size_t s;
		char *lic;

		while (i < v->n && v->p[i] == ' ')
			i++;
		s = i;
		while (i < v->n && v->p[i] != ' ')
			i++;
		if (i == s || pkg->licenses.n >= 64)
			break;
		lic = bw_strndup(v->p + s, i - s);
		if (!lic)
			return BW_ERR_NOMEM;
		if (bw_strv_contains(&pkg->licenses, lic)) {
			free(lic);
			continue;
		}
		if (bw_strv_push_owned(&pkg->licenses, lic) != BW_OK) {
			free(lic);
			return BW_ERR_NOMEM;
		}
	}
	return BW_OK;
}

static enum bw_err apk_finish(struct sbom *sb, struct apk_rec *r, const char *path,
			      const char *layer, struct bw_errbuf *eb)
{
	struct sbom_pkg pkg = {0};

	if (!r->any || r->bad || !r->name.line || !r->version.line || !r->name.n ||
	    !r->version.n)
		return BW_OK;
	pkg.type = SBOM_PKG_APK;
	pkg.name = apk_dup(&r->name);
	pkg.version = apk_dup(&r->version);
	pkg.found_path = bw_strdup(path);
	if (!pkg.name || !pkg.version || !pkg.found_path)
		goto out_nomem;
	if (r->arch.line && r->arch.n && !(pkg.arch = apk_dup(&r->arch)))
		goto out_nomem;
	if (r->origin.line && r->origin.n) {
		if (!(pkg.source_name = apk_dup(&r->origin)))
			goto out_nomem;
		/* an origin package shares the version of its subpackages */
		if (!(pkg.source_version = bw_strdup(pkg.version)))
			goto out_nomem;
	}
	if (layer && !(pkg.layer_digest = bw_strdup(layer)))
		goto out_nomem;
	if (r->license.line && r->license.n && apk_licenses(&pkg, &r->license) != BW_OK)
		goto out_nomem;
	if (sbom_add(sb, &pkg) != BW_OK)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: too many packages (%zu)", path, sb->npkgs);
	return BW_OK;

out_nomem:
	sbom_pkg_release(&pkg);
	return bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory", path);
}

enum bw_err sbom_parse_apk_installed(struct sbom *sb, const char *data, size_t n,
				     const char *path, const char *layer, struct bw_errbuf *eb)
{
	struct apk_rec r = {0};
	enum bw_err result, first_err = BW_OK;
	size_t off = 0, lineno = 0, nbad = 0;
	const char *nul;

	if (BW_NEVER(!sb || (!data && n)))
		return BW_ERR_INTERNAL;
	if (!path)
		path = "apk installed";
	if (n && (nul = memchr(data, '\0', n)) != NULL)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "%s: NUL byte at offset %zu: not an apk installed database", path,
			       (size_t)(nul - data));
	while (off < n) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;
		struct apk_val v;
		struct apk_val *slot = NULL;

		off += len + (nl ? 1 : 0);
		lineno++;
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0) {
			result = apk_finish(sb, &r, path, layer, eb);
			if (result != BW_OK)
				return result;
			memset(&r, 0, sizeof(r));
			continue;
		}
		r.any = true;
		if (len < 2 || line[1] != ':' || !isgraph((unsigned char)line[0])) {
			nbad++;
			if (first_err == BW_OK) {
				char q[256];

				first_err = bw_fail(eb, BW_ERR_FORMAT,
						    "%s: line %zu: expected \"K:value\", got \"%s\"",
						    path, lineno, sbom_quote(q, sizeof(q), line, len, 60));
			}
			r.bad = true;
			continue;
		}
		v = (struct apk_val){.p = line + 2, .n = len - 2, .line = lineno};
		apk_trim(&v.p, &v.n);
		switch (line[0]) {
		case 'P': slot = &r.name; break;
		case 'V': slot = &r.version; break;
		case 'A': slot = &r.arch; break;
		case 'o': slot = &r.origin; break;
		case 'L': slot = &r.license; break;
		default: break;
		}
		if (!slot)
			continue;
		if (slot->line) {
			nbad++;
			if (first_err == BW_OK)
				first_err = bw_fail(eb, BW_ERR_FORMAT,
						    "%s: line %zu: duplicate %c: in one record", path,
						    lineno, line[0]);
			r.bad = true;
			continue;
		}
		*slot = v;
	}
	result = apk_finish(sb, &r, path, layer, eb);
	if (result != BW_OK)
		return result;
	if (first_err != BW_OK && nbad > 1 && eb) {
		size_t l = strlen(eb->msg);

		snprintf(eb->msg + l, sizeof(eb->msg) - l, " (+%zu more problems in this file)", nbad - 1);
	}
	return first_err;
}

/* ---- file ownership --------------------------------------------------------
 * A record's files: "F:dir" (relative to the root, no leading '/') starts a
 * directory, each "R:name" after it is a file in it (apk-tools'
 * apk_db_fdb_read). The record's P: comes first in what apk writes; a
 * record is scanned for it before its files are claimed, so the order of
 * lines does not matter. A record with two P: lines (which the package
 * reader skips as malformed) owns nothing. */

static enum bw_err apk_owner_record(struct sbom_owner_index *ix, const char *rec, size_t n)
{
	char name[256], path[4096];
	size_t off = 0, dl = 0;
	bool have_name = false, have_dir = false;

	for (off = 0; off < n;) {
		const char *line = rec + off, *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;

		off += len + (nl ? 1 : 0);
		if (len && line[len - 1] == '\r')
			len--;
		if (len > 2 && line[0] == 'P' && line[1] == ':') {
			/* two P: in one record: the package reader skips it too */
			if (have_name || len - 2 >= sizeof(name) || memchr(line + 2, '\0', len - 2))
				return BW_OK; /* an embedded NUL would make an empty owner */
			memcpy(name, line + 2, len - 2);
			name[len - 2] = '\0';
			have_name = true;
		}
	}
	if (!have_name)
		return BW_OK;
	for (off = 0; off < n;) {
		const char *line = rec + off, *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;
		enum bw_err result;

		off += len + (nl ? 1 : 0);
		if (len && line[len - 1] == '\r')
			len--;
		if (len < 2 || line[1] != ':')
			continue;
		if (line[0] == 'F') {
			have_dir = len - 2 + 1 < sizeof(path);
			if (!have_dir)
				continue;
			dl = len - 2;
			memcpy(path, line + 2, dl);
			if (dl)
				path[dl++] = '/';
		} else if (line[0] == 'R' && have_dir && len > 2) {
			if (dl + len - 2 >= sizeof(path))
				continue;
			memcpy(path + dl, line + 2, len - 2);
			result = sbom_owner_claim(ix, path, dl + len - 2, name, SBOM_PKG_APK, SIZE_MAX,
						  false);
			if (result != BW_OK)
				return result;
		}
	}
	return BW_OK;
}

enum bw_err sbom_owners_from_apk_db(struct sbom_owner_index *ix, const char *data, size_t n)
{
	size_t off = 0;

	if (sbom_owner_index_empty(ix))
		return BW_OK;
	while (off < n) {
		size_t start = off, end;
		enum bw_err result;

		/* a record ends at an empty line ("\n\n") or the end */
		for (end = off; end < n; end++)
			if (data[end] == '\n' && (end + 1 >= n || data[end + 1] == '\n' ||
						  (data[end + 1] == '\r' && end + 2 < n &&
						   data[end + 2] == '\n')))
				break;
		off = end < n ? end + 1 : n;
		while (off < n && (data[off] == '\n' || data[off] == '\r'))
			off++;
		result = apk_owner_record(ix, data + start, end - start);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

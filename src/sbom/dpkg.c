/* dpkg.c - the dpkg catalogers: var/lib/dpkg/status, the distroless
 * var/lib/dpkg/status.d/ files, and usr/share/doc/PKG/copyright licences.
 *
 * The status file is a list of RFC 822-like stanzas ("Field: value",
 * continuation lines start with a space or tab, stanzas are separated by
 * blank lines; see deb-status(5) and deb822(5)). A package is installed when
 * its Status is "install|hold <flag> installed". Files in status.d/ are the
 * control stanzas of installed packages without a Status field (distroless
 * writes them that way): there a missing Status means installed.
 *
 * A malformed stanza is skipped, the rest of the file is still catalogued,
 * and the first problem is returned as the error (naming file and line).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* A value as found in the input: first line of the field, trimmed. */
struct dpkg_val {
	const char *p;
	size_t n;
	size_t line; /* 0: field absent */
};

enum dpkg_field { F_PACKAGE, F_STATUS, F_VERSION, F_ARCH, F_SOURCE, F_LICENSE, F__COUNT };

static const char *const field_names[F__COUNT] = {
	[F_PACKAGE] = "Package", [F_STATUS] = "Status",	  [F_VERSION] = "Version",
	[F_ARCH] = "Architecture", [F_SOURCE] = "Source", [F_LICENSE] = "License",
};

struct dpkg_stanza {
	struct dpkg_val f[F__COUNT];
	size_t first_line;
	bool any_field;
	bool bad; /* a syntax error was seen: skip the stanza */
};

struct dpkg_ctx {
	struct sbom *sb;
	const char *path;
	const char *layer;
	bool status_d; /* a distroless status.d/ file: no Status means installed */
	struct bw_errbuf *eb;
	enum bw_err first_err;
	size_t nbad;
};

static bool is_blank_line(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

static void trim(const char **p, size_t *n)
{
	while (*n && isspace((unsigned char)**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

/* Record the first error (later ones only count). */
__attribute__((format(printf, 4, 5))) static void ctx_fail(struct dpkg_ctx *c, enum bw_err code,
							     size_t line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	c->nbad++;
	if (c->first_err != BW_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->first_err = bw_fail(c->eb, code, "%s: line %zu: %s", c->path, line, msg);
}

/* dpkg version syntax (deb-version(7)): [epoch:]upstream[-revision]; epoch
 * digits, upstream starts with a digit in policy but dpkg only warns, so
 * only the character set is enforced here. */
static bool dpkg_version_valid(const char *p, size_t n, size_t *epoch_len)
{
	const char *colon = memchr(p, ':', n);
	size_t start = 0;

	*epoch_len = 0;
	if (n == 0)
		return false;
	if (colon) {
		size_t e = (size_t)(colon - p);

		if (e == 0 || e > 9)
			return false;
		for (size_t i = 0; i < e; i++)
			if (!isdigit((unsigned char)p[i]))
				return false;
		*epoch_len = e;
		start = e + 1;
		if (start == n)
			return false;
	}
	for (size_t i = start; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (!isalnum(ch) && ch != '.' && ch != '+' && ch != '~' && ch != '-' && ch != ':')
			return false;
	}
	return true;
}

/* "install ok installed", "hold ok installed" (opkg writes "user" as the
 * flag). deinstall/purge wants and every other state are not installed. */
static enum bw_err status_installed(const struct dpkg_val *v, bool *installed)
{
	const char *w[3];
	size_t wl[3], nw = 0, i = 0;

	while (i < v->n) {
		while (i < v->n && (v->p[i] == ' ' || v->p[i] == '\t'))
			i++;
		if (i == v->n)
			break;
		if (nw == 3)
			return BW_ERR_FORMAT;
		w[nw] = v->p + i;
		while (i < v->n && v->p[i] != ' ' && v->p[i] != '\t')
			i++;
		wl[nw] = (size_t)(v->p + i - w[nw]);
		nw++;
	}
	if (nw != 3)
		return BW_ERR_FORMAT;
	*installed = ((wl[0] == 7 && memcmp(w[0], "install", 7) == 0) ||
		      (wl[0] == 4 && memcmp(w[0], "hold", 4) == 0)) &&
		     wl[2] == 9 && memcmp(w[2], "installed", 9) == 0;
	return BW_OK;
}

static char *val_dup(const struct dpkg_val *v)
{
	return bw_strndup(v->line ? v->p : "", v->line ? v->n : 0);
}

/* opkg's License field is a space-separated list. */
static enum bw_err add_license_list(struct sbom_pkg *pkg, const struct dpkg_val *v)
{
	size_t i = 0;

	while (i < v->n) {
		size_t s;
		char *lic;

		while (i < v->n && isspace((unsigned char)v->p[i]))
			i++;
		s = i;
		while (i < v->n && !isspace((unsigned char)v->p[i]))
			i++;
		if (i == s)
			break;
		if (pkg->licenses.n >= 64)
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

/* Turn a complete stanza into a package (or skip it). Returns only fatal
 * errors (memory); input problems go through ctx_fail. */
static enum bw_err stanza_finish(struct dpkg_ctx *c, struct dpkg_stanza *st)
{
	struct sbom_pkg pkg = {0};
	const struct dpkg_val *ver = &st->f[F_VERSION], *src = &st->f[F_SOURCE];
	bool installed = c->status_d;
	size_t epoch_len = 0;
	char q1[300], q2[300];
	enum bw_err result;

	if (!st->any_field || st->bad)
		return BW_OK;
	if (!st->f[F_PACKAGE].line) {
		ctx_fail(c, BW_ERR_FORMAT, st->first_line, "stanza without a Package field");
		return BW_OK;
	}
	if (st->f[F_PACKAGE].n == 0)
		return BW_OK; /* "Package:" with no name: nothing to report */
	if (st->f[F_STATUS].line && status_installed(&st->f[F_STATUS], &installed) != BW_OK) {
		ctx_fail(c, BW_ERR_FORMAT, st->f[F_STATUS].line,
			 "Status of %s is not three words (want flag status)",
			 sbom_quote(q1, sizeof(q1), st->f[F_PACKAGE].p, st->f[F_PACKAGE].n, 64));
		return BW_OK;
	}
	if (!installed)
		return BW_OK;
	if (ver->line && !dpkg_version_valid(ver->p, ver->n, &epoch_len)) {
		ctx_fail(c, BW_ERR_FORMAT, ver->line, "invalid Version \"%s\" of package %s",
			 sbom_quote(q1, sizeof(q1), ver->p, ver->n, 64),
			 sbom_quote(q2, sizeof(q2), st->f[F_PACKAGE].p, st->f[F_PACKAGE].n, 64));
		return BW_OK;
	}
	if (!ver->line && st->f[F_STATUS].line) {
		/* dpkg itself refuses an installed package without a version */
		ctx_fail(c, BW_ERR_FORMAT, st->first_line, "installed package %s has no Version",
			 sbom_quote(q1, sizeof(q1), st->f[F_PACKAGE].p, st->f[F_PACKAGE].n, 64));
		return BW_OK;
	}

	pkg.type = SBOM_PKG_DEB;
	pkg.name = val_dup(&st->f[F_PACKAGE]);
	pkg.version = val_dup(ver);
	pkg.found_path = bw_strdup(c->path);
	if (!pkg.name || !pkg.version || !pkg.found_path)
		goto out_nomem;
	if (epoch_len && !(pkg.epoch = bw_strndup(ver->p, epoch_len)))
		goto out_nomem;
	if (st->f[F_ARCH].line && st->f[F_ARCH].n && !(pkg.arch = val_dup(&st->f[F_ARCH])))
		goto out_nomem;
	if (c->layer && !(pkg.layer_digest = bw_strdup(c->layer)))
		goto out_nomem;
	if (src->line && src->n) {
		/* "name" or "name (version)" */
		const char *open = memchr(src->p, '(', src->n);
		size_t nl = open ? (size_t)(open - src->p) : src->n;
		const char *np = src->p;

		trim(&np, &nl);
		if (nl == 0) {
			ctx_fail(c, BW_ERR_FORMAT, src->line, "Source without a name");
			sbom_pkg_release(&pkg);
			return BW_OK;
		}
		if (!(pkg.source_name = bw_strndup(np, nl)))
			goto out_nomem;
		if (open) {
			const char *vp = open + 1;
			const char *close = memchr(vp, ')', (size_t)(src->p + src->n - vp));
			size_t vl;

			if (!close) {
				ctx_fail(c, BW_ERR_FORMAT, src->line, "Source version lacks ')'");
				sbom_pkg_release(&pkg);
				return BW_OK;
			}
			vl = (size_t)(close - vp);
			trim(&vp, &vl);
			if (!(pkg.source_version = bw_strndup(vp, vl)))
				goto out_nomem;
		} else if (!(pkg.source_version = bw_strdup(pkg.version))) {
			goto out_nomem;
		}
	}
	if (st->f[F_LICENSE].line && add_license_list(&pkg, &st->f[F_LICENSE]) != BW_OK)
		goto out_nomem;
	result = sbom_add(c->sb, &pkg);
	if (result != BW_OK)
		return bw_fail(c->eb, result, "%s: too many packages (%zu)", c->path, c->sb->npkgs);
	return BW_OK;

out_nomem:
	sbom_pkg_release(&pkg);
	return bw_fail(c->eb, BW_ERR_NOMEM, "%s: out of memory", c->path);
}

/* One "Field: value" line of a stanza. */
static void stanza_field(struct dpkg_ctx *c, struct dpkg_stanza *st, const char *p, size_t n,
			 size_t lineno)
{
	const char *colon = memchr(p, ':', n);
	size_t klen;
	const char *v;
	size_t vn;

	if (!st->any_field)
		st->first_line = lineno;
	st->any_field = true;
	if (st->bad)
		return;
	if (!colon || colon == p) {
		char q[256];

		ctx_fail(c, BW_ERR_FORMAT, lineno, "expected \"Field: value\", got \"%s\"",
			 sbom_quote(q, sizeof(q), p, n, 60));
		st->bad = true;
		return;
	}
	klen = (size_t)(colon - p);
	for (size_t i = 0; i < klen; i++) {
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 127) {
			ctx_fail(c, BW_ERR_FORMAT, lineno, "invalid character in field name");
			st->bad = true;
			return;
		}
	}
	v = colon + 1;
	vn = n - klen - 1;
	trim(&v, &vn);
	for (int f = 0; f < F__COUNT; f++) {
		if (strlen(field_names[f]) != klen || strncasecmp(field_names[f], p, klen) != 0)
			continue;
		if (st->f[f].line) {
			ctx_fail(c, BW_ERR_FORMAT, lineno, "duplicate field %s", field_names[f]);
			st->bad = true;
			return;
		}
		st->f[f] = (struct dpkg_val){.p = v, .n = vn, .line = lineno};
		return;
	}
}

enum bw_err sbom_parse_dpkg_status(struct sbom *sb, const char *data, size_t n, const char *path,
				   const char *layer, struct bw_errbuf *eb)
{
	struct dpkg_ctx c = {.sb = sb, .path = path ? path : "dpkg status", .layer = layer, .eb = eb};
	struct dpkg_stanza st = {0};
	const char *nul;
	size_t off = 0, lineno = 0;
	enum bw_err result;

	if (BW_NEVER(!sb || (!data && n)))
		return BW_ERR_INTERNAL;
	c.status_d = path && (strstr(path, "status.d/") != NULL);
	if (n && (nul = memchr(data, '\0', n)) != NULL)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: NUL byte at offset %zu: not a dpkg status file",
			       c.path, (size_t)(nul - data));
	while (off < n) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;

		off += len + (nl ? 1 : 0);
		lineno++;
		if (len && line[len - 1] == '\r')
			len--;
		if (is_blank_line(line, len)) {
			result = stanza_finish(&c, &st);
			if (result != BW_OK)
				return result;
			memset(&st, 0, sizeof(st));
			continue;
		}
		if (line[0] == '#' && !st.any_field)
			continue; /* deb822 comment between stanzas */
		if (line[0] == ' ' || line[0] == '\t') {
			if (!st.any_field) {
				ctx_fail(&c, BW_ERR_FORMAT, lineno,
					 "continuation line outside a stanza");
				st.first_line = lineno;
				st.any_field = true;
				st.bad = true;
			}
			continue;
		}
		stanza_field(&c, &st, line, len, lineno);
	}
	result = stanza_finish(&c, &st);
	if (result != BW_OK)
		return result;
	if (c.first_err != BW_OK && c.nbad > 1 && eb) {
		size_t l = strlen(eb->msg);

		snprintf(eb->msg + l, sizeof(eb->msg) - l, " (+%zu more problems in this file)", c.nbad - 1);
	}
	return c.first_err;
}

/* ---- copyright (DEP-5) licences ------------------------------------------ */

static enum bw_err push_license(struct bw_strv *sv, const char *p, size_t n)
{
	char *lic;

	trim(&p, &n);
	/* trailing punctuation from prose ("GPL-2." or "`GPL-2'") */
	while (n && (p[n - 1] == '.' || p[n - 1] == '\'' || p[n - 1] == ',' || p[n - 1] == ';' ||
		     p[n - 1] == ')' || p[n - 1] == '"'))
		n--;
	if (n == 0 || n > 128 || sv->n >= 64)
		return BW_OK;
	lic = bw_strndup(p, n);
	if (!lic)
		return BW_ERR_NOMEM;
	if (bw_strv_contains(sv, lic)) {
		free(lic);
		return BW_OK;
	}
	if (bw_strv_push_owned(sv, lic) != BW_OK) {
		free(lic);
		return BW_ERR_NOMEM;
	}
	return BW_OK;
}

enum bw_err sbom_dpkg_copyright_licenses(const char *data, size_t n, struct bw_strv *sv)
{
	static const char common[] = "/usr/share/common-licenses/";
	size_t off = 0;
	enum bw_err result;

	while (off < n) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;
		const char *hit;

		off += len + (nl ? 1 : 0);
		if (len > 8 && strncasecmp(line, "License:", 8) == 0) {
			/* the first line holds short names joined by "or"/"and" */
			size_t i = 8, prev_s = 0, prev_n = 0;
			bool prev_added = false;

			while (i < len) {
				size_t s;

				while (i < len && (isspace((unsigned char)line[i]) || line[i] == ','))
					i++;
				s = i;
				while (i < len && !isspace((unsigned char)line[i]) && line[i] != ',')
					i++;
				if (i == s)
					break;
				if ((i - s == 2 && strncasecmp(line + s, "or", 2) == 0) ||
				    (i - s == 3 && strncasecmp(line + s, "and", 3) == 0))
					continue;
				/* DEP-5: "GPL-3+ with Autoconf-data exception" is one
				 * licence; the words up to "exception" belong to the
				 * licence before "with" */
				if (i - s == 4 && strncasecmp(line + s, "with", 4) == 0) {
					size_t e = i;

					while (e < len) {
						size_t ws;

						while (e < len && isspace((unsigned char)line[e]))
							e++;
						ws = e;
						while (e < len && !isspace((unsigned char)line[e]) &&
						       line[e] != ',')
							e++;
						if (e - ws == 9 && strncasecmp(line + ws, "exception", 9) == 0)
							break;
						if (e == ws)
							break;
					}
					if (prev_n) {
						char *joined = bw_strfmt("%.*s %.*s", (int)prev_n,
									 line + prev_s, (int)(e - s),
									 line + s);

						if (!joined)
							return BW_ERR_NOMEM;
						/* the plain licence this line added is replaced */
						if (prev_added) {
							free(sv->v[--sv->n]);
							sv->v[sv->n] = NULL;
						}
						result = push_license(sv, joined, strlen(joined));
						free(joined);
						if (result != BW_OK)
							return result;
					}
					prev_n = 0;
					i = e;
					continue;
				}
				{
					size_t before = sv->n;

					result = push_license(sv, line + s, i - s);
					if (result != BW_OK)
						return result;
					prev_added = sv->n > before;
					prev_s = s;
					prev_n = i - s;
				}
			}
			continue;
		}
		hit = memmem(line, len, common, sizeof(common) - 1);
		if (hit) {
			const char *s = hit + sizeof(common) - 1;
			size_t l = 0;

			while (s + l < line + len &&
			       (isalnum((unsigned char)s[l]) || s[l] == '.' || s[l] == '-' ||
				s[l] == '_' || s[l] == '+'))
				l++;
			result = push_license(sv, s, l);
			if (result != BW_OK)
				return result;
		}
	}
	return BW_OK;
}

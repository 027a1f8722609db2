/* debian.c - Debian security data.
 *
 * Tracker JSON (https://security-tracker.debian.org/tracker/data/json):
 *   {"<source pkg>": {"<CVE or TEMP id>": {description, releases:
 *     {"<codename>": {status, fixed_version, urgency, ...}}}}}
 * status "resolved" with fixed_version "0" means never affected; "open" is
 * not fixed; "undetermined" is undecided.
 *
 * DSA/DLA list files (security-tracker data/DSA/list, data/DLA/list):
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   \t{CVE-2023-1393}
 *   \t[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 * One stored advisory per (CVE, package) with the DSA/DLA ID as an alias;
 * "<not-affected>", "<unfixed>" and "<end-of-life>" are the other states.
 * Ecosystem "Debian:<major>" from the codename. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

#define DEB_MAX_CVES 4096

static enum vdb_fix_status tracker_status(const char *st, const char *fixed)
{
	if (!st)
		return VDB_FIX_UNDETERMINED;
	if (strcmp(st, "resolved") == 0)
		return fixed && strcmp(fixed, "0") == 0 ? VDB_FIX_NOT_AFFECTED
		       : fixed && *fixed              ? VDB_FIX_FIXED
						      : VDB_FIX_UNDETERMINED;
	if (strcmp(st, "open") == 0)
		return VDB_FIX_NOT_FIXED;
	return VDB_FIX_UNDETERMINED;
}

static enum bw_err tracker_cve(struct vdb_builder *b, const char *name, const char *pkg,
			       const char *id, json_t *cve, struct bw_errbuf *eb)
{
	json_t *rels = json_object_get(cve, "releases"), *rel;
	struct vdb_b_adv a = {0};
	enum bw_err result;
	const char *code;
	int64_t row = 0;
	char *summary = NULL;
	const char *desc = vdb_jstr(cve, "description");

	if (!json_is_object(rels))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s/%s: \"releases\" is not an object", name,
			       pkg, id);
	if (strlen(id) > 64)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: ID too long", name, pkg);
	if (desc && strlen(desc) > 240) {
		size_t n = 240;

		while (n > 0 && ((unsigned char)desc[n] & 0xc0) == 0x80)
			n--;
		summary = bw_strndup(desc, n);
	}
	a.id = id;
	a.summary = summary ? summary : desc;
	a.kind = VDB_K_DEBIAN;
	a.prio = 1;
	result = vdb_b_advisory(b, &a, &row, eb);
	free(summary);
	if (result != BW_OK)
		return result;
	json_object_foreach(rels, code, rel) {
		const char *ver = vdb_debian_codename_version(code);
		struct vdb_b_aff f = {0};
		char eco[32];

		if (!ver || !json_is_object(rel))
			continue;
		snprintf(eco, sizeof(eco), "Debian:%s", ver);
		f.ecosystem = eco;
		f.name = pkg;
		f.fixed = vdb_jstr(rel, "fixed_version");
		f.status = tracker_status(vdb_jstr(rel, "status"), f.fixed);
		if (f.status != VDB_FIX_FIXED)
			f.fixed = NULL;
		f.urgency = vdb_jstr(rel, "urgency");
		result = vdb_b_affected(b, row, &f, eb);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

struct tracker_ctx {
	struct vdb_builder *b;
	const char *name;
};

/* One {"<pkg>": {CVE: {...}}} member. */
static enum bw_err tracker_pkg(const char *pkg, json_t *cves, void *ud, struct bw_errbuf *eb)
{
	struct tracker_ctx *t = ud;
	enum bw_err result;
	const char *id;
	json_t *cve;

	if (!json_is_object(cves) || strlen(pkg) > 256) {
		BW_WARN("%s: package %.64s: not an object of CVEs, skipped", t->name, pkg);
		return BW_OK;
	}
	json_object_foreach(cves, id, cve) {
		struct bw_errbuf reb = {{0}};

		result = tracker_cve(t->b, t->name, pkg, id, cve, &reb);
		if (result == BW_ERR_DB || result == BW_ERR_NOMEM)
			return bw_fail(eb, result, "%s", bw_errmsg(&reb, result));
		if (result != BW_OK)
			BW_WARN("%s", bw_errmsg(&reb, result));
	}
	return BW_OK;
}

enum bw_err vdb_read_debian_json(struct vdb_builder *b, const char *name, json_t *root,
				 struct bw_errbuf *eb)
{
	struct tracker_ctx t = {b, name};
	enum bw_err result;
	const char *pkg;
	json_t *cves;

	json_object_foreach(root, pkg, cves) {
		result = tracker_pkg(pkg, cves, &t, eb);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

enum bw_err vdb_read_debian_stream(struct vdb_builder *b, const char *name, const char *data,
				   size_t len, struct bw_errbuf *eb)
{
	struct tracker_ctx t = {b, name};

	return vdb_json_members(data, len, name, tracker_pkg, &t, eb);
}

/* ---- DSA / DLA lists -------------------------------------------------------- */

struct dsa {
	char id[64];      /* DSA-5380-1 */
	char title[256];  /* "DSA-5380-1 xorg-server - security update" */
	char date[16];    /* 2023-03-29 */
	struct bw_strv cves;
};

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "[29 Mar 2023] DSA-5380-1 xorg-server - security update" */
static bool parse_header(const char *l, size_t n, struct dsa *d)
{
	int day, year, mon = -1;
	char ms[4];
	const char *close = memchr(l, ']', n), *id, *sp;
	size_t idn;

	if (!close || close - l > 15 || sscanf(l, "[%2d %3s %4d]", &day, ms, &year) != 3)
		return false;
	for (int i = 0; i < 12; i++)
		if (strcmp(ms, months[i]) == 0)
			mon = i + 1;
	if (mon < 0 || day < 1 || day > 31 || year < 1990 || year > 2999)
		return false;
	snprintf(d->date, sizeof(d->date), "%04d-%02d-%02d", year, mon, day);
	id = close + 1;
	while (id < l + n && *id == ' ')
		id++;
	sp = memchr(id, ' ', (size_t)(l + n - id));
	idn = sp ? (size_t)(sp - id) : (size_t)(l + n - id);
	if (idn == 0 || idn >= sizeof(d->id))
		return false;
	memcpy(d->id, id, idn);
	d->id[idn] = '\0';
	snprintf(d->title, sizeof(d->title), "%.*s", (int)(l + n - id), id);
	return true;
}

static enum bw_err list_fix(struct vdb_builder *b, const struct dsa *d, const char *eco,
			    const char *pkg, enum vdb_fix_status st, const char *fixed,
			    struct bw_errbuf *eb)
{
	struct bw_strv al = {0};
	enum bw_err result = BW_OK;
	size_t n = d->cves.n ? d->cves.n : 1;

	result = bw_strv_push(&al, d->id);
	for (size_t i = 0; result == BW_OK && i < n; i++) {
		struct vdb_b_adv a = {0};
		struct vdb_b_aff f = {0};
		int64_t row = 0;

		a.id = d->cves.n ? d->cves.v[i] : d->id;
		a.aliases = d->cves.n ? &al : NULL;
		a.summary = d->title;
		a.published = d->date;
		a.kind = VDB_K_DEBIAN;
		a.prio = 1;
		result = vdb_b_advisory(b, &a, &row, eb);
		if (result != BW_OK)
			break;
		f.ecosystem = eco;
		f.name = pkg;
		f.status = st;
		f.fixed = fixed;
		result = vdb_b_affected(b, row, &f, eb);
	}
	bw_strv_release(&al);
	return result;
}

/* "[bullseye] - xorg-server 2:1.20.11-1+deb11u6" (after the indent) */
static enum bw_err parse_release(struct vdb_builder *b, const char *name, size_t lineno,
				 const char *l, size_t n, const struct dsa *d, struct bw_errbuf *eb)
{
	char code[32], pkg[256], ver[256], eco[32];
	const char *close = memchr(l, ']', n), *p, *e = l + n, *v;
	enum vdb_fix_status st = VDB_FIX_FIXED;
	size_t pn, vn;

	if (!close || close - l - 1 <= 0 || (size_t)(close - l - 1) >= sizeof(code))
		goto bad;
	memcpy(code, l + 1, (size_t)(close - l - 1));
	code[close - l - 1] = '\0';
	p = close + 1;
	if (e - p < 3 || memcmp(p, " - ", 3) != 0)
		goto bad;
	p += 3;
	pn = strcspn(p, " \t");
	if (pn == 0 || (size_t)(e - p) < pn || pn >= sizeof(pkg))
		goto bad;
	memcpy(pkg, p, pn);
	pkg[pn] = '\0';
	v = p + pn;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	vn = 0;
	while (v + vn < e && !isspace((unsigned char)v[vn]))
		vn++;
	if (vn == 0 || vn >= sizeof(ver))
		goto bad;
	memcpy(ver, v, vn);
	ver[vn] = '\0';
	if (strcmp(ver, "<not-affected>") == 0)
		st = VDB_FIX_NOT_AFFECTED;
	else if (strcmp(ver, "<unfixed>") == 0)
		st = VDB_FIX_NOT_FIXED;
	else if (ver[0] == '<')
		return BW_OK; /* <end-of-life>, <removed>, ... : nothing to match */
	if (!vdb_debian_codename_version(code)) {
		BW_DEBUG("%s: line %zu: release %s unknown, skipped", name, lineno, code);
		return BW_OK;
	}
	snprintf(eco, sizeof(eco), "Debian:%s", vdb_debian_codename_version(code));
	return list_fix(b, d, eco, pkg, st, st == VDB_FIX_FIXED ? ver : NULL, eb);
bad:
	BW_WARN("%s: line %zu: not \"[release] - package version\", skipped", name, lineno);
	return BW_OK;
}

enum bw_err vdb_read_debian_list(struct vdb_builder *b, const char *name, const char *data,
				 size_t len, struct bw_errbuf *eb)
{
	const char *p = data, *end = data + len;
	enum bw_err result = BW_OK;
	struct dsa d = {0};
	bool have = false;
	size_t lineno = 0, headers = 0;

	while (p < end && result == BW_OK) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n && p[0] == '[') {
			bw_strv_release(&d.cves);
			memset(&d, 0, sizeof(d));
			have = parse_header(p, n, &d);
			if (have)
				headers++;
			else
				BW_WARN("%s: line %zu: not an advisory header, block skipped", name,
					lineno);
		} else if (n && (p[0] == '\t' || p[0] == ' ') && have) {
			const char *l = p;
			size_t ln = n;

			while (ln && (*l == '\t' || *l == ' ')) {
				l++;
				ln--;
			}
			if (ln && *l == '{') {
				const char *q = l + 1, *qe = memchr(l, '}', ln);

				if (!qe)
					qe = l + ln;
				while (q < qe) {
					size_t tn;

					while (q < qe && *q == ' ')
						q++;
					tn = 0;
					while (q + tn < qe && q[tn] != ' ')
						tn++;
					if (tn && tn < 64 && d.cves.n < DEB_MAX_CVES) {
						result = bw_strv_push_owned(&d.cves,
									    bw_strndup(q, tn));
						if (result != BW_OK)
							break;
					}
					q += tn;
				}
			} else if (ln && *l == '[') {
				result = parse_release(b, name, lineno, l, ln, &d, eb);
			}
		}
		p = eol ? eol + 1 : end;
	}
	bw_strv_release(&d.cves);
	if (result == BW_OK && headers == 0)
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no advisory header found", name);
	return result;
}

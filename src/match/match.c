/* match.c - packages x advisories -> findings.
 *
 * For each package: the ecosystem key (distro packages: "Debian:12" from the
 * detected distro; language packages: the OSV ecosystem), the lookup name
 * (Debian: the source package; Alpine: the origin), the installed version in
 * the form the data speaks of (Debian: the source version), then every
 * database entry for it, grouped by vulnerability. A group yields one
 * finding when any of its entries says the version is affected.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"
#include "version/version.h"

#define MATCH_MAX_FINDINGS 1000000
#define MATCH_MAX_EVENTS 4096

static const char *const sev_names[] = {"unknown", "negligible", "low", "medium", "high", "critical"};

const char *match_severity_name(enum match_severity s)
{
	if ((unsigned)s > MATCH_SEV_CRITICAL)
		return "unknown";
	return sev_names[s];
}

enum bw_err match_severity_parse(const char *s, enum match_severity *out)
{
	static const struct {
		const char *word;
		enum match_severity sev;
	} words[] = {
		{"unknown", MATCH_SEV_UNKNOWN},     {"negligible", MATCH_SEV_NEGLIGIBLE},
		{"unimportant", MATCH_SEV_NEGLIGIBLE}, {"none", MATCH_SEV_NEGLIGIBLE},
		{"low", MATCH_SEV_LOW},             {"medium", MATCH_SEV_MEDIUM},
		{"moderate", MATCH_SEV_MEDIUM},     {"high", MATCH_SEV_HIGH},
		{"important", MATCH_SEV_HIGH},      {"critical", MATCH_SEV_CRITICAL},
	};

	if (!s)
		return BW_ERR_FORMAT;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(s, words[i].word) == 0) {
			*out = words[i].sev;
			return BW_OK;
		}
	}
	return BW_ERR_FORMAT;
}

static enum match_severity severity_from_score(double score)
{
	/* CVSS v3/v4 qualitative ratings (FIRST): 0.1-3.9 low, 4.0-6.9 medium,
	 * 7.0-8.9 high, 9.0-10.0 critical */
	if (score >= 9.0)
		return MATCH_SEV_CRITICAL;
	if (score >= 7.0)
		return MATCH_SEV_HIGH;
	if (score >= 4.0)
		return MATCH_SEV_MEDIUM;
	if (score > 0.0)
		return MATCH_SEV_LOW;
	return MATCH_SEV_NEGLIGIBLE;
}

/* ---- ecosystems ------------------------------------------------------------ */

static const char *language_ecosystem(enum sbom_pkg_type t)
{
	switch (t) {
	case SBOM_PKG_NPM:
		return "npm";
	case SBOM_PKG_PYPI:
		return "PyPI";
	case SBOM_PKG_GOLANG:
		return "Go";
	case SBOM_PKG_MAVEN:
		return "Maven";
	case SBOM_PKG_GEM:
		return "RubyGems";
	case SBOM_PKG_CARGO:
		return "crates.io";
	case SBOM_PKG_COMPOSER:
		return "Packagist";
	case SBOM_PKG_NUGET:
		return "NuGet";
	default:
		return NULL;
	}
}

static bool is_distro_pkg(const struct sbom_pkg *p)
{
	return p->type == SBOM_PKG_DEB || p->type == SBOM_PKG_APK || p->type == SBOM_PKG_RPM;
}

/* The ecosystem key for p into buf; false when there is none. */
static bool pkg_ecosystem(const struct sbom_pkg *p, const struct sbom *sb, char *buf, size_t bufsz)
{
	const char *eco;

	if (is_distro_pkg(p)) {
		if (!sb->distro.id || !sb->distro.version_id)
			return false;
		return vdb_distro_ecosystem(sb->distro.id, sb->distro.version_id, buf, bufsz) ==
		       BW_OK;
	}
	eco = language_ecosystem(p->type);
	if (!eco)
		return false;
	bw_strlcpy(buf, eco, bufsz);
	return true;
}

/* The version the data speaks of. Debian's tracker and DSAs name source
 * package versions; a binNMU binary (1.2-3+b1) belongs to source 1.2-3. */
static const char *pkg_match_version(const struct sbom_pkg *p)
{
	if (p->type == SBOM_PKG_DEB && p->source_version && *p->source_version)
		return p->source_version;
	return p->version;
}

static const char *pkg_lookup_name(const struct sbom_pkg *p)
{
	if (is_distro_pkg(p) && p->source_name && *p->source_name)
		return p->source_name;
	return p->name;
}

/* OSV's Go data writes SEMVER versions without the "v", and the toolchain
 * as full semver: build info says "go1.21", "go1.21.3" or "go1.21rc2",
 * OSV means 1.21.0, 1.21.3 and 1.21.0-rc.2. Writes into out; returns out,
 * or v itself when it needs no change or does not fit. */
static const char *go_canonical(const char *v, char *out, size_t outsz)
{
	const char *p;
	size_t dots = 0, n;
	int w;

	if (v[0] == 'v' && isdigit((unsigned char)v[1]))
		return v + 1;
	if (strncmp(v, "go", 2) != 0 || !isdigit((unsigned char)v[2]))
		return v;
	v += 2;
	for (p = v; isdigit((unsigned char)*p) || *p == '.'; p++)
		dots += *p == '.';
	n = (size_t)(p - v);
	w = snprintf(out, outsz, "%.*s%s", (int)n, v, dots == 1 ? ".0" : "");
	if (w < 0 || (size_t)w >= outsz)
		return v;
	if (*p) {
		/* "rc2" -> "-rc.2", "beta1" -> "-beta.1" */
		const char *d = p;

		while (isalpha((unsigned char)*d))
			d++;
		w += snprintf(out + w, outsz - (size_t)w, "-%.*s%s%s", (int)(d - p), p,
			      *d ? "." : "", d);
		if ((size_t)w >= outsz)
			return v;
	}
	return out;
}

/* ---- deciding one entry --------------------------------------------------- */

struct ctx {
	const char *ecosystem;
	enum version_scheme scheme;
	const char *version;
	struct match_result *res;
	bool warned_bad_version;
};

static void ctx_warn(struct ctx *c, const struct vdb_entry *e, const struct bw_errbuf *eb)
{
	char *w;

	if (c->warned_bad_version || c->res->warnings.n >= 1000)
		return;
	c->warned_bad_version = true;
	w = bw_strfmt("%s %s %s: advisory %s: version not comparable: %s", c->ecosystem,
		      e->package ? e->package : "?", c->version, e->id, eb->msg);
	if (w)
		bw_strv_push_owned(&c->res->warnings, w);
}

static bool osv_affects(struct ctx *c, const struct vdb_entry *e, struct bw_strv *fixed)
{
	struct version_event ev[64];
	struct version_event *events = ev;
	struct bw_errbuf eb = {{0}};
	char gobuf[96];
	bool any = false;

	for (size_t i = 0; i < e->versions.n; i++) {
		enum bw_err err = BW_OK;

		if (strcmp(e->versions.v[i], c->version) == 0 ||
		    (c->scheme != VERSION_UNKNOWN &&
		     version_compare(c->scheme, e->versions.v[i], c->version, &err) == 0 &&
		     err == BW_OK))
			any = true;
	}
	for (size_t r = 0; r < e->n_ranges; r++) {
		const struct vdb_range *rg = &e->ranges[r];
		enum version_scheme s = rg->type == VDB_RANGE_SEMVER ? VERSION_SEMVER : c->scheme;
		const char *v = c->version;
		bool affected = false;

		if (rg->type == VDB_RANGE_GIT || s == VERSION_UNKNOWN || rg->n_events == 0 ||
		    rg->n_events > MATCH_MAX_EVENTS)
			continue;
		if (strcmp(c->ecosystem, "Go") == 0)
			v = go_canonical(v, gobuf, sizeof(gobuf));
		if (rg->n_events > sizeof(ev) / sizeof(ev[0])) {
			events = bw_calloc(rg->n_events, sizeof(*events));
			if (!events)
				continue;
		}
		for (size_t k = 0; k < rg->n_events; k++) {
			events[k].kind = (enum version_event_kind)rg->events[k].kind;
			events[k].version = rg->events[k].version;
		}
		if (version_in_osv_range(s, v, events, rg->n_events, &affected, &eb) != BW_OK)
			ctx_warn(c, e, &eb);
		if (affected) {
			any = true;
			for (size_t k = 0; k < rg->n_events; k++)
				if (rg->events[k].kind == VDB_EV_FIXED &&
				    !bw_strv_contains(fixed, rg->events[k].version) &&
				    version_compare(s, rg->events[k].version, v, NULL) > 0)
					bw_strv_push(fixed, rg->events[k].version);
		}
		if (events != ev) {
			free(events);
			events = ev;
		}
	}
	return any;
}

/* NSP: vulnerable and patched are node-semver ranges. ruby-advisory-db:
 * affected unless a patched or unaffected requirement holds. */
static bool expr_affects(struct ctx *c, const struct vdb_entry *e, struct bw_strv *fixed)
{
	struct bw_errbuf eb = {{0}};
	bool sat = false;

	if (c->scheme == VERSION_SEMVER) {
		bool vuln = e->vulnerable.n == 0;

		for (size_t i = 0; i < e->vulnerable.n && !vuln; i++)
			if (version_semver_satisfies(c->version, e->vulnerable.v[i],
						     VERSION_SEMVER_LOOSE, &sat, &eb) == BW_OK &&
			    sat)
				vuln = true;
		if (!vuln)
			return false;
		for (size_t i = 0; i < e->patched.n; i++)
			if (version_semver_satisfies(c->version, e->patched.v[i],
						     VERSION_SEMVER_LOOSE, &sat, &eb) == BW_OK &&
			    sat)
				return false;
	} else if (c->scheme == VERSION_GEM) {
		for (size_t i = 0; i < e->patched.n; i++)
			if (version_gem_satisfies(c->version, e->patched.v[i], &sat, &eb) == BW_OK &&
			    sat)
				return false;
		for (size_t i = 0; i < e->unaffected.n; i++)
			if (version_gem_satisfies(c->version, e->unaffected.v[i], &sat, &eb) == BW_OK &&
			    sat)
				return false;
	} else {
		return false;
	}
	for (size_t i = 0; i < e->patched.n; i++)
		if (!bw_strv_contains(fixed, e->patched.v[i]))
			bw_strv_push(fixed, e->patched.v[i]);
	return true;
}

/* Distro data: the tracker's verdict for this release. */
static bool distro_affects(struct ctx *c, const struct vdb_entry *e, struct bw_strv *fixed,
			   const char **state)
{
	enum bw_err err = BW_OK;

	switch (e->status) {
	case VDB_FIX_FIXED:
		if (!e->fixed_version)
			return false;
		if (version_compare(c->scheme, c->version, e->fixed_version, &err) >= 0)
			return false;
		if (!bw_strv_contains(fixed, e->fixed_version))
			bw_strv_push(fixed, e->fixed_version);
		*state = "fixed";
		return true;
	case VDB_FIX_NOT_FIXED:
		*state = "not-fixed";
		return true;
	case VDB_FIX_UNDETERMINED:
		*state = "undetermined";
		return true;
	default:
		return false;
	}
}

static bool entry_affects(struct ctx *c, const struct vdb_entry *e, struct bw_strv *fixed,
			  const char **state)
{
	if (e->status != VDB_FIX_NONE)
		return distro_affects(c, e, fixed, state);
	if (e->vulnerable.n || e->patched.n || e->unaffected.n)
		return expr_affects(c, e, fixed);
	return osv_affects(c, e, fixed);
}

/* ---- building findings -------------------------------------------------- */

static void choose_severity(struct match_finding *f, const struct vdb_entry *e)
{
	enum match_severity sev;
	const struct vdb_cvss *best = NULL;

	/* the vendor's word first (a distro's own rating knows its build) */
	if (f->severity == MATCH_SEV_UNKNOWN) {
		const char *word = e->severity ? e->severity : e->urgency;

		if (word && match_severity_parse(word, &sev) == BW_OK && sev != MATCH_SEV_UNKNOWN) {
			f->severity = sev;
			free(f->severity_source);
			f->severity_source = bw_strdup(e->severity ? (e->severity_source ? e->severity_source : e->source) : "debian-urgency");
		}
	}
	/* the CVSS vector: v3.x first, then v4, then v2 */
	for (size_t i = 0; i < e->n_cvss; i++) {
		const struct vdb_cvss *cv = &e->cvss[i];
		static const int rank[5] = {0, 0, 1, 3, 2};

		if (cv->score < 0 || (unsigned)cv->version > 4)
			continue;
		if (!best || rank[cv->version] > rank[best->version])
			best = cv;
	}
	if (best && f->cvss_score < 0) {
		f->cvss_score = best->score;
		f->cvss_vector = bw_strdup(best->vector);
		if (f->severity == MATCH_SEV_UNKNOWN) {
			f->severity = severity_from_score(best->score);
			free(f->severity_source);
			f->severity_source = bw_strfmt("cvss-v%d (%s)", best->version,
						       best->source ? best->source : "?");
		}
	}
}

static void add_ids(struct bw_strv *ids, const struct vdb_entry *e)
{
	if (!bw_strv_contains(ids, e->id))
		bw_strv_push(ids, e->id);
	for (size_t i = 0; i < e->aliases.n; i++)
		if (!bw_strv_contains(ids, e->aliases.v[i]))
			bw_strv_push(ids, e->aliases.v[i]);
}

static const char *first_cve(const struct match_finding *f)
{
	if (bw_str_starts_with(f->id, "CVE-"))
		return f->id;
	for (size_t i = 0; i < f->aliases.n; i++)
		if (bw_str_starts_with(f->aliases.v[i], "CVE-"))
			return f->aliases.v[i];
	return NULL;
}

static void enrich(struct vdb *db, struct match_finding *f)
{
	const char *cve = first_cve(f);
	struct vdb_kev kev;
	double s, p;

	f->epss = f->epss_percentile = -1;
	if (!cve)
		return;
	if (vdb_kev_get(db, cve, &kev, NULL) == BW_OK) {
		f->kev = true;
		f->kev_date_added = bw_strdup(kev.date_added);
	}
	if (vdb_epss_get(db, cve, &s, &p, NULL) == BW_OK) {
		f->epss = s;
		f->epss_percentile = p;
	}
}

static void finding_release(struct match_finding *f)
{
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
	memset(f, 0, sizeof(*f));
}

/* Entries [from, to) are one group. */
static enum bw_err match_group(struct ctx *c, struct vdb *db, const struct vdb_entry *g, size_t n,
			       size_t pkg_index, const struct match_opts *opts)
{
	struct match_finding f = {0};
	struct bw_strv ids = {0};
	const struct vdb_entry *decider = NULL;
	const char *state = NULL;
	enum bw_err result;

	f.cvss_score = -1;
	for (size_t i = 0; i < n; i++) {
		const char *st = NULL;

		add_ids(&ids, &g[i]);
		if (entry_affects(c, &g[i], &f.fixed_versions, &st)) {
			if (!decider)
				decider = &g[i];
			if (!state && st)
				state = st;
		}
	}
	if (!decider || (decider->informational && !(opts && opts->include_informational))) {
		bw_strv_release(&ids);
		bw_strv_release(&f.fixed_versions);
		return BW_OK;
	}
	f.id = bw_strdup(decider->group ? decider->group : decider->id);
	for (size_t i = 0; i < ids.n; i++)
		if (strcmp(ids.v[i], f.id) != 0)
			bw_strv_push(&f.aliases, ids.v[i]);
	bw_strv_sort(&f.aliases);
	bw_strv_release(&ids);
	f.source = bw_strdup(decider->source);
	f.informational = decider->informational != NULL;
	for (size_t i = 0; i < n; i++) {
		if (!f.title && g[i].summary && *g[i].summary)
			f.title = bw_strdup(g[i].summary);
		choose_severity(&f, &g[i]);
	}
	f.fix_state = bw_strdup(state ? state : (f.fixed_versions.n ? "fixed" : "not-fixed"));
	f.pkg_index = pkg_index;
	enrich(db, &f);
	result = bw_grow((void **)&c->res->v, &c->res->cap, c->res->n + 1, sizeof(*c->res->v),
			 MATCH_MAX_FINDINGS);
	if (result) {
		finding_release(&f);
		return result;
	}
	c->res->v[c->res->n++] = f;
	return BW_OK;
}

/* vdb_lookup orders one lookup's entries by group, OSV data first inside a
 * group; a second lookup appended to the list is merged in by group with a
 * stable insertion sort, so that order inside each group is kept. */
static void sort_by_group(struct vdb_entry_list *l)
{
	for (size_t i = 1; i < l->n; i++) {
		struct vdb_entry e = l->v[i];
		size_t j = i;

		while (j > 0 && strcmp(l->v[j - 1].group, e.group) > 0) {
			l->v[j] = l->v[j - 1];
			j--;
		}
		l->v[j] = e;
	}
}

static enum bw_err match_pkg(struct vdb *db, const struct sbom *sb, size_t i,
			     const struct match_opts *opts, struct match_result *res,
			     struct bw_errbuf *eb)
{
	const struct sbom_pkg *p = &sb->pkgs[i];
	struct vdb_entry_list list = {0};
	char eco[64];
	struct ctx c = {0};
	enum bw_err result;
	size_t start = 0;

	if (!p->version || !*p->version || !pkg_ecosystem(p, sb, eco, sizeof(eco)))
		return BW_OK;
	/* issue 4: a language package owned by a distro package is ruled on by
	 * the distro's data, so it is not matched again here (one that a
	 * Python package's RECORD owns, a vendored copy, still is) */
	if (!is_distro_pkg(p) && p->owner && p->owner_type != SBOM_PKG_PYPI)
		return BW_OK;
	c.ecosystem = eco;
	c.scheme = version_scheme_for_ecosystem(eco);
	c.version = pkg_match_version(p);
	c.res = res;
	result = vdb_lookup(db, eco, pkg_lookup_name(p), &list, eb);
	/* RPM advisories may name the binary package (openssl-libs) rather
	 * than the source (openssl): look both up; groups merge duplicates */
	if (result == BW_OK && p->type == SBOM_PKG_RPM && strcmp(pkg_lookup_name(p), p->name) != 0) {
		result = vdb_lookup(db, eco, p->name, &list, eb);
		sort_by_group(&list);
	}
	if (result) {
		vdb_entry_list_release(&list);
		return result;
	}
	for (size_t k = 1; k <= list.n; k++) {
		if (k < list.n && strcmp(list.v[k].group, list.v[start].group) == 0)
			continue;
		result = match_group(&c, db, &list.v[start], k - start, i, opts);
		if (result)
			break;
		start = k;
	}
	vdb_entry_list_release(&list);
	return result;
}

static void note_missing(struct vdb *db, const struct sbom *sb, struct match_result *res)
{
	char eco[64];

	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];
		char *name;

		if (!pkg_ecosystem(p, sb, eco, sizeof(eco))) {
			if (!is_distro_pkg(p))
				continue;
			name = bw_strfmt("%s %s", sb->distro.id ? sb->distro.id : "unknown distro",
					 sb->distro.version_id ? sb->distro.version_id : "");
			if (name && !bw_strv_contains(&res->missing_ecosystems, name))
				bw_strv_push(&res->missing_ecosystems, name);
			free(name);
			continue;
		}
		if (!bw_strv_contains(&res->missing_ecosystems, eco) && !vdb_has_ecosystem(db, eco))
			bw_strv_push(&res->missing_ecosystems, eco);
	}
}

enum bw_err match_sbom(struct vdb *db, const struct sbom *sb, const struct match_opts *opts,
		       struct match_result *res, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;

	memset(res, 0, sizeof(*res));
	res->db_age_seconds = vdb_age_seconds(db);
	note_missing(db, sb, res);
	for (size_t i = 0; i < sb->npkgs; i++) {
		result = match_pkg(db, sb, i, opts, res, eb);
		if (result)
			return bw_fail_prefix(eb, result, "matching %s %s", sb->pkgs[i].name,
					      sb->pkgs[i].version ? sb->pkgs[i].version : "");
	}
	return BW_OK;
}

void match_result_release(struct match_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++)
		finding_release(&res->v[i]);
	free(res->v);
	bw_strv_release(&res->missing_ecosystems);
	bw_strv_release(&res->warnings);
	memset(res, 0, sizeof(*res));
}

static const struct sbom *sort_sbom;

static int cmp_finding(const void *a, const void *b)
{
	const struct match_finding *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	c = strcmp(sort_sbom->pkgs[x->pkg_index].name, sort_sbom->pkgs[y->pkg_index].name);
	if (c)
		return c;
	return strcmp(x->id, y->id);
}

void match_sort(struct match_result *res, const struct sbom *sb)
{
	sort_sbom = sb;
	if (res->n > 1)
		qsort(res->v, res->n, sizeof(*res->v), cmp_finding);
	sort_sbom = NULL;
}

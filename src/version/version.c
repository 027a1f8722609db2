/* version.c - scheme dispatch, OSV ecosystem names, OSV range evaluation and
 * the small helpers every scheme file shares (see version_int.h). */
#include <stdlib.h>
#include <string.h>

#include "version/version.h"
#include "version/version_int.h"

/* ---- shared helpers ------------------------------------------------------ */

int version_numcmp(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 0 && *a == '0') {
		a++;
		an--;
	}
	while (bn > 0 && *b == '0') {
		b++;
		bn--;
	}
	if (an != bn)
		return an < bn ? -1 : 1;
	int r = an ? memcmp(a, b, an) : 0;
	return r < 0 ? -1 : r > 0;
}

int version_bytecmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int r = n ? memcmp(a, b, n) : 0;
	if (r)
		return r < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

int version_bytecasecmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	for (size_t i = 0; i < n; i++) {
		int ca = vi_tolower((unsigned char)a[i]), cb = vi_tolower((unsigned char)b[i]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return an < bn ? -1 : an > bn;
}

bool version_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!vi_digit((unsigned char)s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* ---- dispatch ------------------------------------------------------------ */

struct scheme_ops {
	const char *name;
	int (*cmp)(const char *a, const char *b, bool *valid);
	bool (*valid)(const char *v);
};

static const struct scheme_ops schemes[VERSION__COUNT] = {
	[VERSION_UNKNOWN] = {"unknown", NULL, NULL},
	[VERSION_DPKG] = {"dpkg", version_dpkg_compare, version_dpkg_valid},
	[VERSION_APK] = {"apk", version_apk_compare, version_apk_valid},
	[VERSION_RPM] = {"rpm", version_rpm_compare, version_rpm_valid},
	[VERSION_SEMVER] = {"semver", version_semver_compare, version_semver_valid},
	[VERSION_PEP440] = {"pep440", version_pep440_compare, version_pep440_valid},
	[VERSION_MAVEN] = {"maven", version_maven_compare, version_maven_valid},
	[VERSION_GO] = {"go", version_go_compare, version_go_valid},
	[VERSION_GEM] = {"gem", version_gem_compare, version_gem_valid},
	[VERSION_NUGET] = {"nuget", version_nuget_compare, version_nuget_valid},
	[VERSION_CARGO] = {"cargo", version_cargo_compare, version_cargo_valid},
	[VERSION_COMPOSER] = {"composer", version_composer_compare, version_composer_valid},
};

const char *version_scheme_name(enum version_scheme s)
{
	if ((unsigned)s >= VERSION__COUNT)
		return "unknown";
	return schemes[s].name;
}

static bool len_ok(const char *v)
{
	return v && memchr(v, '\0', VERSION_MAX_LEN + 1) != NULL;
}

bool version_valid(enum version_scheme s, const char *v)
{
	if ((unsigned)s >= VERSION__COUNT || !schemes[s].valid || !len_ok(v))
		return false;
	return schemes[s].valid(v);
}

int version_compare(enum version_scheme s, const char *a, const char *b, enum bw_err *err)
{
	bool valid = true;
	int r;

	if (err)
		*err = BW_OK;
	if ((unsigned)s >= VERSION__COUNT || !schemes[s].cmp || !a || !b) {
		if (err)
			*err = BW_ERR_USAGE;
		return 0;
	}
	bool la = len_ok(a), lb = len_ok(b);
	if (!la || !lb) {
		/* Over-long input: invalid for every scheme; order it after
		 * the valid ones would be arbitrary, so before, by bytes. */
		if (err)
			*err = BW_ERR_FORMAT;
		if (la != lb)
			return la ? 1 : -1;
		r = strncmp(a, b, VERSION_MAX_LEN + 1);
		return r < 0 ? -1 : r > 0;
	}
	r = schemes[s].cmp(a, b, &valid);
	if (!valid && err)
		*err = BW_ERR_FORMAT;
	return r < 0 ? -1 : r > 0;
}

/* ---- OSV ecosystems -------------------------------------------------------- */

static const struct {
	const char *name;
	enum version_scheme scheme;
} ecosystems[] = {
	{"npm", VERSION_SEMVER},
	{"SEMVER", VERSION_SEMVER}, /* OSV range type */
	{"PyPI", VERSION_PEP440},
	{"Go", VERSION_GO},
	{"Maven", VERSION_MAVEN},
	{"RubyGems", VERSION_GEM},
	{"NuGet", VERSION_NUGET},
	{"crates.io", VERSION_CARGO},
	{"Packagist", VERSION_COMPOSER},
	{"Debian", VERSION_DPKG},
	{"Ubuntu", VERSION_DPKG},
	{"Alpine", VERSION_APK},
	{"Wolfi", VERSION_APK},
	{"Chainguard", VERSION_APK},
	{"Alpaquita", VERSION_APK},
	{"BellSoft Hardened Containers", VERSION_APK},
	{"Rocky Linux", VERSION_RPM},
	{"AlmaLinux", VERSION_RPM},
	{"Red Hat", VERSION_RPM},
	{"SUSE", VERSION_RPM},
	{"openSUSE", VERSION_RPM},
	{"Mageia", VERSION_RPM},
	{"openEuler", VERSION_RPM},
	{"Photon OS", VERSION_RPM},
	{"Azure Linux", VERSION_RPM},
	{"CBL-Mariner", VERSION_RPM},
	{"Oracle Linux", VERSION_RPM},
	{"Amazon Linux", VERSION_RPM},
	{"Fedora", VERSION_RPM},
};

enum version_scheme version_scheme_for_ecosystem(const char *osv_ecosystem)
{
	if (!osv_ecosystem)
		return VERSION_UNKNOWN;
	const char *colon = strchr(osv_ecosystem, ':');
	size_t n = colon ? (size_t)(colon - osv_ecosystem) : strlen(osv_ecosystem);
	for (size_t i = 0; i < sizeof(ecosystems) / sizeof(ecosystems[0]); i++) {
		if (strlen(ecosystems[i].name) == n && memcmp(ecosystems[i].name, osv_ecosystem, n) == 0)
			return ecosystems[i].scheme;
	}
	return VERSION_UNKNOWN;
}

/* ---- OSV range evaluation ------------------------------------------------- */

#define OSV_MAX_EVENTS 4096

static const char *event_kind_name(enum version_event_kind k)
{
	switch (k) {
	case VERSION_EVENT_INTRODUCED: return "introduced";
	case VERSION_EVENT_FIXED: return "fixed";
	case VERSION_EVENT_LAST_AFFECTED: return "last_affected";
	case VERSION_EVENT_LIMIT: return "limit";
	}
	return "?";
}

static bool is_zero_intro(const struct version_event *e)
{
	return e->kind == VERSION_EVENT_INTRODUCED && strcmp(e->version, "0") == 0;
}

static bool is_star_limit(const struct version_event *e)
{
	return e->kind == VERSION_EVENT_LIMIT && strcmp(e->version, "*") == 0;
}

/* Sort key order: introduced "0" first, limit "*" last, else by version. */
static int event_cmp(enum version_scheme s, const struct version_event *x,
		     const struct version_event *y)
{
	int kx = is_zero_intro(x) ? -1 : is_star_limit(x) ? 1 : 0;
	int ky = is_zero_intro(y) ? -1 : is_star_limit(y) ? 1 : 0;
	if (kx != ky || kx != 0)
		return kx - ky;
	return version_compare(s, x->version, y->version, NULL);
}

/* Stable bottom-up merge sort of the indexes 0..n-1 into idx (tmp has n
 * more slots): events keep their given order on ties. */
static void sort_events(enum version_scheme s, const struct version_event *ev, size_t *idx,
			size_t *tmp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, k = lo;
			while (a < mid && b < hi)
				tmp[k++] = event_cmp(s, &ev[idx[b]], &ev[idx[a]]) < 0 ? idx[b++] : idx[a++];
			while (a < mid)
				tmp[k++] = idx[a++];
			while (b < hi)
				tmp[k++] = idx[b++];
		}
		memcpy(idx, tmp, n * sizeof(*idx));
	}
}

enum bw_err version_in_osv_range(enum version_scheme s, const char *version,
				 const struct version_event *events, size_t n, bool *affected,
				 struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	size_t *order = NULL;
	bool has_limit = false, before_limit = false, vuln = false;

	if (affected)
		*affected = false;
	if (!version || !affected || (n > 0 && !events) || (unsigned)s >= VERSION__COUNT ||
	    s == VERSION_UNKNOWN)
		return bw_fail(eb, BW_ERR_USAGE, "osv range: bad arguments");
	if (n > OSV_MAX_EVENTS)
		return bw_fail(eb, BW_ERR_LIMIT, "osv range: %zu events (max %d)", n, OSV_MAX_EVENTS);
	if (!version_valid(s, version))
		return bw_fail(eb, BW_ERR_FORMAT, "osv range: version \"%.200s\" is not a valid %s version",
			       version, version_scheme_name(s));
	for (size_t i = 0; i < n; i++) {
		const struct version_event *e = &events[i];
		if ((unsigned)e->kind > VERSION_EVENT_LIMIT || !e->version)
			return bw_fail(eb, BW_ERR_USAGE, "osv range: event %zu: bad kind or no version", i);
		if (is_zero_intro(e) || is_star_limit(e))
			continue;
		if (!version_valid(s, e->version))
			return bw_fail(eb, BW_ERR_FORMAT,
				       "osv range: event %zu (%s): \"%.200s\" is not a valid %s version", i,
				       event_kind_name(e->kind), e->version, version_scheme_name(s));
	}
	order = bw_calloc(n ? 2 * n : 1, sizeof(*order));
	if (!order)
		return bw_fail(eb, BW_ERR_NOMEM, "osv range: out of memory");
	sort_events(s, events, order, order + n, n);
	for (size_t i = 0; i < n; i++) {
		const struct version_event *e = &events[order[i]];
		if (e->kind != VERSION_EVENT_LIMIT)
			continue;
		has_limit = true;
		if (is_star_limit(e) || version_compare(s, version, e->version, NULL) < 0)
			before_limit = true;
	}
	if (has_limit && !before_limit)
		goto out_free_order;
	for (size_t i = 0; i < n; i++) {
		const struct version_event *e = &events[order[i]];
		switch (e->kind) {
		case VERSION_EVENT_INTRODUCED:
			if (is_zero_intro(e) || version_compare(s, version, e->version, NULL) >= 0)
				vuln = true;
			break;
		case VERSION_EVENT_FIXED:
			if (version_compare(s, version, e->version, NULL) >= 0)
				vuln = false;
			break;
		case VERSION_EVENT_LAST_AFFECTED:
			if (version_compare(s, version, e->version, NULL) > 0)
				vuln = false;
			break;
		case VERSION_EVENT_LIMIT:
			break;
		}
	}
	*affected = vuln;
out_free_order:
	free(order);
	return result;
}

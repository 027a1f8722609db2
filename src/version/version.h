/* version.h - version ordering and constraint matching, one scheme per
 * ecosystem, each with the rules of that ecosystem's own tools.
 *
 * All functions are pure: no allocation survives a call, no global state,
 * safe from any thread. Every string argument is attacker-controlled input
 * (package databases, advisories) and is only read; nothing here keeps a
 * pointer to it after returning. Inputs longer than VERSION_MAX_LEN bytes are
 * invalid for every scheme. See docs/version.md for the rules per scheme.
 */
#ifndef BW_VERSION_H
#define BW_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

#define VERSION_MAX_LEN 1024

enum version_scheme {
	VERSION_UNKNOWN = 0,
	VERSION_DPKG,     /* Debian, Ubuntu: dpkg verrevcmp, epoch:upstream-revision */
	VERSION_APK,      /* Alpine, Wolfi, Chainguard: apk-tools version.c */
	VERSION_RPM,      /* Red Hat, Rocky, Alma, SUSE, ...: rpmvercmp, [epoch:]version[-release] */
	VERSION_SEMVER,   /* npm: node-semver (SemVer 2.0 + node-semver loose parsing) */
	VERSION_PEP440,   /* PyPI: PEP 440 / pypa packaging */
	VERSION_MAVEN,    /* Maven: ComparableVersion */
	VERSION_GO,       /* Go modules: golang.org/x/mod/semver, "v" prefix, pseudo-versions */
	VERSION_GEM,      /* RubyGems: Gem::Version */
	VERSION_NUGET,    /* NuGet: NuGetVersion (SemVer 2, 4 parts, case-insensitive) */
	VERSION_CARGO,    /* crates.io: strict SemVer 2.0 */
	VERSION_COMPOSER, /* Packagist: composer/semver normalisation and stabilities */
	VERSION__COUNT
};

/* Short lowercase name ("dpkg", "semver", ...); "unknown" for bad values.
 * Static storage. */
const char *version_scheme_name(enum version_scheme s);

/* Scheme for an OSV ecosystem name ("npm", "PyPI", "Debian:12",
 * "Alpine:v3.19", "Rocky Linux:9", ...). Only the part before the first ':'
 * decides. Also accepts the OSV range type "SEMVER". VERSION_UNKNOWN when
 * the ecosystem has no ordering here (GIT, Linux, OSS-Fuzz, NULL, ...). */
enum version_scheme version_scheme_for_ecosystem(const char *osv_ecosystem);

/* Compare two versions under scheme s: <0 if a < b, 0 if equal, >0 if a > b.
 *
 * *err (may be NULL) is set to BW_OK, or to BW_ERR_FORMAT when a or b is not
 * a valid version of the scheme (BW_ERR_USAGE for NULL or an unknown
 * scheme). An invalid version still gets a deterministic answer: the
 * ecosystem tool's own fallback where it has one (dpkg, rpm and apk order
 * any string), else invalid versions sort before valid ones and among
 * themselves by strcmp. Never crashes, never allocates unboundedly. */
int version_compare(enum version_scheme s, const char *a, const char *b, enum bw_err *err);

/* true when v is a valid version of scheme s (NULL: false). */
bool version_valid(enum version_scheme s, const char *v);

/* ---- OSV ranges ------------------------------------------------------- */

enum version_event_kind {
	VERSION_EVENT_INTRODUCED,
	VERSION_EVENT_FIXED,
	VERSION_EVENT_LAST_AFFECTED,
	VERSION_EVENT_LIMIT,
};

/* One OSV range event; version is borrowed from the caller. An introduced
 * "0" means "from the beginning"; a limit "*" means "no limit". */
struct version_event {
	enum version_event_kind kind;
	const char *version;
};

/* OSV's evaluation (https://ossf.github.io/osv-schema/#evaluation) of one
 * ECOSYSTEM or SEMVER range: events sorted by version under scheme s (with
 * "0" first and "*" last), then walked: introduced <= v sets affected,
 * fixed <= v or last_affected < v clears it; when limit events are present
 * v must also be below one of them. Events need not be sorted; n is capped
 * at 4096 (BW_ERR_LIMIT).
 *
 * *affected gets the answer. Returns BW_ERR_FORMAT (detail in eb: which
 * event, which version) when version or an event version is invalid for the
 * scheme, BW_ERR_USAGE for NULL arguments; *affected is false then. */
enum bw_err version_in_osv_range(enum version_scheme s, const char *version,
				 const struct version_event *events, size_t n, bool *affected,
				 struct bw_errbuf *eb);

/* ---- constraint languages ---------------------------------------------- */

/* node-semver satisfies(version, range, options). */
#define VERSION_SEMVER_LOOSE              0x1u /* options.loose */
#define VERSION_SEMVER_INCLUDE_PRERELEASE 0x2u /* options.includePrerelease */

/* npm range: "||"-separated sets of comparators; ^ ~ x-ranges, hyphen
 * ranges, prerelease rules as node-semver 7. An invalid version gives
 * BW_OK with *out = false (as node-semver's satisfies); an invalid range
 * gives BW_ERR_FORMAT with detail in eb and *out = false. The empty range
 * matches every valid version. */
enum bw_err version_semver_satisfies(const char *version, const char *range, unsigned flags,
				     bool *out, struct bw_errbuf *eb);

/* PEP 440 specifier set ("~=1.4.2, !=1.4.5", "==1.*", "===foo", ...), as
 * pypa packaging (2026) SpecifierSet.contains(version, prereleases):
 * prereleases true is packaging's prereleases=True (and its default for a
 * single installed version: pass true when asking "is this installed
 * version affected"); false is the classic rule: a pre-release version
 * matches only when a specifier names a pre-release itself. The empty set
 * matches every final release (every version with prereleases true). A
 * string that is not a version matches only "===" clauses naming it
 * (BW_OK); an invalid specifier is BW_ERR_FORMAT with *out = false. */
enum bw_err version_pep440_satisfies(const char *version, const char *specifiers,
				     bool prereleases, bool *out, struct bw_errbuf *eb);

/* RubyGems requirement list, all of which must hold (Gem::Requirement):
 * "~> 2.2", ">= 1.0, < 3" (comma-separated) with ops = != > < >= <= ~>;
 * a bare version means "=". Errors as above. */
enum bw_err version_gem_satisfies(const char *version, const char *requirements, bool *out,
				  struct bw_errbuf *eb);

#endif

/* version_int.h - private helpers shared by the scheme files of src/version.
 * Not for other modules: they include only version.h. Tests include it to
 * reach scheme-specific entry points (apk fuzzy match, strict semver).
 */
#ifndef BW_VERSION_INT_H
#define BW_VERSION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "version/version.h"

/* ASCII-only classification (locale-independent; bytes >= 0x80 are never
 * digits or letters). */
static inline bool vi_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool vi_lower(int c) { return c >= 'a' && c <= 'z'; }
static inline bool vi_upper(int c) { return c >= 'A' && c <= 'Z'; }
static inline bool vi_alpha(int c) { return vi_lower(c) || vi_upper(c); }
static inline bool vi_alnum(int c) { return vi_digit(c) || vi_alpha(c); }
static inline bool vi_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
static inline int vi_tolower(int c) { return vi_upper(c) ? c - 'A' + 'a' : c; }

/* Numeric comparison of two runs of ASCII digits of any length (leading
 * zeros ignored): no overflow whatever the input. */
int version_numcmp(const char *a, size_t an, const char *b, size_t bn);
/* memcmp over the common length, then the shorter sorts first. */
int version_bytecmp(const char *a, size_t an, const char *b, size_t bn);
/* Same, ASCII case-insensitive. */
int version_bytecasecmp(const char *a, size_t an, const char *b, size_t bn);
/* Parse a run of digits into *out; false when longer than 19 digits or
 * above max. */
bool version_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/* SemVer-style prerelease comparison over dot-separated identifiers
 * (a, an) and (b, bn), both non-empty: numeric identifiers (all digits)
 * compare numerically and before alphanumeric ones, which compare by bytes
 * (ASCII case-insensitive when icase); a shorter list of equal identifiers
 * sorts first. */
int version_prerelease_cmp(const char *a, size_t an, const char *b, size_t bn, bool icase);

/* A parsed node-semver version; pre and build point into the parsed string
 * (or static storage), without their '-' / '+'. */
struct version_sv {
	uint64_t major, minor, patch;
	const char *pre;
	size_t pre_len; /* 0: no prerelease */
	const char *build;
	size_t build_len;
};
#define VSV_MAX_SAFE 9007199254740991ull /* JavaScript Number.MAX_SAFE_INTEGER */
#define VSV_MAX_LENGTH 256               /* node-semver MAX_LENGTH */

/* new SemVer(s, {loose}) over s[0..n): trims whitespace, then the FULL or
 * LOOSE grammar. */
bool version_sv_parse(const char *s, size_t n, bool loose, struct version_sv *out);
/* SemVer.compare (build metadata ignored). */
int version_sv_cmp(const struct version_sv *a, const struct version_sv *b);

/* A parsed PEP 440 version; digit runs point into the parsed string. */
#define PEP_MAX_RELEASE 64
struct version_pep_num {
	const char *p;
	size_t n; /* 0: the number 0 */
};
struct version_pep {
	struct version_pep_num epoch;
	struct version_pep_num rel[PEP_MAX_RELEASE];
	size_t nrel;
	int pre_kind; /* 0 none, 1 a, 2 b, 3 rc */
	struct version_pep_num pre;
	bool has_post, has_dev;
	struct version_pep_num post, dev;
	const char *local; /* raw, separators [-_.]; NULL when none */
	size_t local_len;
};
bool version_pep_parse(const char *s, struct version_pep *out);
/* packaging's _cmpkey ordering; with_local false compares .public. */
int version_pep_cmp(const struct version_pep *a, const struct version_pep *b, bool with_local);
/* str(Version) (with_local false: .public) into out. */
bool version_pep_format(const struct version_pep *v, bool with_local, char *out, size_t outsz);

/* Per-scheme entry points. cmp returns <0/0/>0 and sets *valid to whether
 * both inputs were valid; valid checks one string. Lengths are checked by
 * the caller (version.c) against VERSION_MAX_LEN. */
int version_dpkg_compare(const char *a, const char *b, bool *valid);
bool version_dpkg_valid(const char *v);
int version_apk_compare(const char *a, const char *b, bool *valid);
bool version_apk_valid(const char *v);
/* apk-tools apk_version_match with an operator string of < > = ~ and a
 * leading '!' (conflict): "<", "<=", "~", ">~", "!=", ... Returns -1 for an
 * unknown operator. */
int version_apk_match(const char *a, const char *op, const char *b);
int version_rpm_compare(const char *a, const char *b, bool *valid);
bool version_rpm_valid(const char *v);
/* rpmvercmp() on one version or release segment. */
int version_rpm_vercmp(const char *a, const char *b);
int version_semver_compare(const char *a, const char *b, bool *valid);
bool version_semver_valid(const char *v);
/* node-semver: compare with explicit loose flag (false = options {}). */
int version_semver_compare_opt(const char *a, const char *b, bool loose, bool *valid);
bool version_semver_valid_opt(const char *v, bool loose);
int version_pep440_compare(const char *a, const char *b, bool *valid);
bool version_pep440_valid(const char *v);
/* str(packaging.version.Version(v)) into out; false if invalid or if out
 * (outsz bytes) is too small. */
bool version_pep440_normalize(const char *v, char *out, size_t outsz);
int version_maven_compare(const char *a, const char *b, bool *valid);
bool version_maven_valid(const char *v);
int version_go_compare(const char *a, const char *b, bool *valid);
bool version_go_valid(const char *v);
int version_gem_compare(const char *a, const char *b, bool *valid);
bool version_gem_valid(const char *v);
int version_nuget_compare(const char *a, const char *b, bool *valid);
bool version_nuget_valid(const char *v);
int version_cargo_compare(const char *a, const char *b, bool *valid);
bool version_cargo_valid(const char *v);
int version_composer_compare(const char *a, const char *b, bool *valid);
bool version_composer_valid(const char *v);
/* VersionParser::normalize(v) into out (cap bytes); false when composer throws. */
bool version_composer_normalize(const char *in, char *out, size_t cap);

#endif

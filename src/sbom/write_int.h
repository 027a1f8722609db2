/* write_int.h - helpers shared by the SBOM writers (private to src/sbom).
 *
 * The writers turn a catalogued struct sbom into one output format:
 * write_table.c (aligned text), write_json.c (Bulwark's own document and the
 * format dispatcher), write_cyclonedx.c (CycloneDX 1.5 JSON) and
 * write_spdx.c (SPDX 2.3 JSON, plus the SPDX licence list and expression
 * check that the CycloneDX writer also uses).
 *
 * Every string in a struct sbom came from an image, so it may hold any byte:
 * JSON writers go through sbom_jstr(), which never fails on bad UTF-8, and
 * the table writer escapes control characters.
 */
#ifndef BW_SBOM_WRITE_INT_H
#define BW_SBOM_WRITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "sbom/sbom.h"

/* ---- JSON building with one sticky out-of-memory flag ------------------ */

/* A builder remembers whether any allocation failed, so that building code
 * stays linear and the failure is checked once at the end. */
struct sbom_jb {
	bool nomem;
};

/* A JSON string for s; invalid UTF-8 bytes become U+FFFD. NULL s gives NULL
 * without setting nomem (callers use sbom_jset_str for optional fields). */
json_t *sbom_jstr(struct sbom_jb *jb, const char *s);
/* obj[key] = v, stealing v. A NULL v (failed allocation) sets nomem. */
void sbom_jset(struct sbom_jb *jb, json_t *obj, const char *key, json_t *v);
/* obj[key] = s as a string; nothing when s is NULL. */
void sbom_jset_str(struct sbom_jb *jb, json_t *obj, const char *key, const char *s);
/* Append v (stolen) to arr; a NULL v sets nomem. */
void sbom_jpush(struct sbom_jb *jb, json_t *arr, json_t *v);
/* A new object / array; NULL sets nomem. */
json_t *sbom_jobj(struct sbom_jb *jb);
json_t *sbom_jarr(struct sbom_jb *jb);

/* Length of the valid UTF-8 sequence at p (n >= 1 bytes left), 0 when it
 * is invalid: overlong forms, surrogates and code points past U+10FFFF are
 * invalid. */
size_t sbom_utf8_seq_len(const unsigned char *p, size_t n);

/* ---- document metadata ------------------------------------------------ */

/* Creation time, RFC 3339 UTC. SOURCE_DATE_EPOCH (reproducible builds)
 * overrides the clock when it is set to a valid number. */
void sbom_write_timestamp(char *out, size_t outsz);
/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
enum bw_err sbom_write_uuid(char out[37], struct bw_errbuf *eb);
/* Tool name and version, with defaults when the sbom does not say. */
const char *sbom_write_tool_name(const struct sbom *sb);
const char *sbom_write_tool_version(const struct sbom *sb);

/* ---- SPDX licences (write_spdx.c) -------------------------------------- */

/* The canonical spelling of an SPDX licence identifier from the SPDX licence
 * list (matched without regard to case), or NULL; exceptions ("WITH ...")
 * are not licences and have their own list. */
const char *sbom_spdx_license_id(const char *s, size_t n);
const char *sbom_spdx_exception_id(const char *s, size_t n);
/* The SPDX licence list version the table comes from ("3.24"). */
const char *sbom_spdx_license_list_version(void);
/* When s is a valid SPDX licence expression (ids from the list, optional
 * "+", LicenseRef-/DocumentRef- references, AND/OR/WITH, parentheses),
 * returns it malloc'd with the ids in canonical case and operators in upper
 * case; otherwise NULL. *compound is set when the expression has an
 * operator at the top level (so a caller joining several adds parentheses).
 * Input longer than 4096 bytes or nested deeper than 32 is refused. */
char *sbom_spdx_expression(const char *s, bool *compound);
/* One licence of package p as recorded, as a canonical SPDX expression:
 * valid expressions as they are and, for deb packages, the DEP-5 short
 * names of debian/copyright ("GPL-2+", "Expat") mapped to SPDX ids.
 * malloc'd; NULL when it has no SPDX form. *compound as for
 * sbom_spdx_expression. */
char *sbom_spdx_license(const struct sbom_pkg *p, const char *lic, bool *compound);
/* True for a licence that is empty or only blanks: writers leave it out. */
bool sbom_license_blank(const char *s);
/* All of p's licences as one SPDX expression (ANDed, duplicates dropped,
 * compound parts parenthesised), malloc'd. A licence with no SPDX form
 * becomes "LicenseRef-<its name as an idstring>" recorded in refs (a JSON
 * object: ref -> name as recorded) when refs is given; without refs such a
 * licence makes the result NULL. NULL too when p has no licences or memory
 * ran out (*nomem set); blank licences are left out. *compound: the result
 * has a top-level AND/OR. */
char *sbom_spdx_join_licenses(const struct sbom_pkg *p, json_t *refs, bool *compound,
			      bool *nomem);
/* Percent-encode s for a purl segment (RFC 3986 unreserved kept). */
enum bw_err sbom_write_pct(struct bw_buf *b, const char *s);

/* ---- the writers ---------------------------------------------------------- */

enum bw_err sbom_write_table(const struct sbom *sb, FILE *f, struct bw_errbuf *eb);
enum bw_err sbom_write_json(const struct sbom *sb, FILE *f, struct bw_errbuf *eb);
enum bw_err sbom_write_cyclonedx(const struct sbom *sb, FILE *f, struct bw_errbuf *eb);
enum bw_err sbom_write_spdx(const struct sbom *sb, FILE *f, struct bw_errbuf *eb);

#endif

/* rpm_header.c - one rpm header blob, as every rpmdb format stores it, into
 * a package.
 *
 * Layout (rpm lib/header.c, all big-endian):
 *   int32 il            number of index entries
 *   int32 dl            length of the data store
 *   il x { int32 tag, int32 type, int32 offset, int32 count }
 *   dl bytes of data    (offsets are relative to its start)
 * The database form has no 8-byte magic in front (a .rpm file has). The
 * first entry is usually the immutable region (tag 63) whose trailer sits in
 * the data store; entries after the region ("dribbles", added at install)
 * replace region entries of the same tag, so the last entry of a tag wins.
 *
 * Every field comes from the database file: each offset, count and type is
 * checked against the blob before it is read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/rpm_int.h"
#include "sbom/sbom.h"

enum {
	RPM_TYPE_NULL = 0,
	RPM_TYPE_CHAR = 1,
	RPM_TYPE_INT8 = 2,
	RPM_TYPE_INT16 = 3,
	RPM_TYPE_INT32 = 4,
	RPM_TYPE_INT64 = 5,
	RPM_TYPE_STRING = 6,
	RPM_TYPE_BIN = 7,
	RPM_TYPE_STRING_ARRAY = 8,
	RPM_TYPE_I18NSTRING = 9,
};

enum {
	RPMTAG_NAME = 1000,
	RPMTAG_VERSION = 1001,
	RPMTAG_RELEASE = 1002,
	RPMTAG_EPOCH = 1003,
	RPMTAG_LICENSE = 1014,
	RPMTAG_ARCH = 1022,
	RPMTAG_SOURCERPM = 1044,
	RPMTAG_OLDFILENAMES = 1027,
	RPMTAG_DIRINDEXES = 1116,
	RPMTAG_BASENAMES = 1117,
	RPMTAG_DIRNAMES = 1118,
};

/* Bounds on one header's file list (the largest real packages list about
 * 100k files in a few thousand directories). */
#define RPM_MAX_DIRS ((uint32_t)1 << 20)
#define RPM_MAX_FILES ((uint32_t)1 << 22)

struct rpm_hdr {
	const unsigned char *index; /* il entries of 16 bytes */
	uint32_t il;
	const unsigned char *data; /* the data store */
	uint32_t dl;
};

struct rpm_entry {
	uint32_t tag;
	uint32_t type;
	uint32_t offset;
	uint32_t count;
};

static void entry_at(const struct rpm_hdr *h, uint32_t i, struct rpm_entry *e)
{
	const unsigned char *p = h->index + (size_t)i * 16;

	e->tag = sbom_rpm_be32(p);
	e->type = sbom_rpm_be32(p + 4);
	e->offset = sbom_rpm_be32(p + 8);
	e->count = sbom_rpm_be32(p + 12);
}

/* Size of one element of the fixed-size types; 0 for strings. */
static size_t type_size(uint32_t type)
{
	switch (type) {
	case RPM_TYPE_CHAR:
	case RPM_TYPE_INT8:
	case RPM_TYPE_BIN:
		return 1;
	case RPM_TYPE_INT16:
		return 2;
	case RPM_TYPE_INT32:
		return 4;
	case RPM_TYPE_INT64:
		return 8;
	default:
		return 0;
	}
}

/* Check the framing and every index entry against the blob (a lighter form
 * of rpm's hdrblobInit/hdrblobVerifyInfo: types known, data inside dl). */
static enum bw_err hdr_open(struct rpm_hdr *h, const unsigned char *blob, size_t n,
			    struct bw_errbuf *eb)
{
	size_t need;

	if (n < 8)
		return bw_fail(eb, BW_ERR_FORMAT, "header: %zu bytes, shorter than its 8-byte preamble",
			       n);
	h->il = sbom_rpm_be32(blob);
	h->dl = sbom_rpm_be32(blob + 4);
	if (h->il < 1 || h->il > SBOM_RPM_INDEX_MAX)
		return bw_fail(eb, BW_ERR_FORMAT, "header: index count %u out of range (1..%u)", h->il,
			       SBOM_RPM_INDEX_MAX);
	if (h->dl > SBOM_RPM_HEADER_MAX)
		return bw_fail(eb, BW_ERR_FORMAT, "header: data length %u over the %zu-byte limit",
			       h->dl, SBOM_RPM_HEADER_MAX);
	need = 8 + (size_t)h->il * 16 + h->dl;
	if (need != n)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "header: size %zu does not match 8 + 16 * %u entries + %u data bytes",
			       n, h->il, h->dl);
	h->index = blob + 8;
	h->data = blob + 8 + (size_t)h->il * 16;
	for (uint32_t i = 0; i < h->il; i++) {
		struct rpm_entry e;
		size_t sz;

		entry_at(h, i, &e);
		if (e.type > RPM_TYPE_I18NSTRING)
			return bw_fail(eb, BW_ERR_FORMAT, "header: entry %u (tag %u): unknown type %u",
				       i, e.tag, e.type);
		if (e.type == RPM_TYPE_NULL)
			continue;
		if (e.offset > h->dl)
			return bw_fail(eb, BW_ERR_FORMAT,
				       "header: entry %u (tag %u): offset %u past the %u-byte data store",
				       i, e.tag, e.offset, h->dl);
		sz = type_size(e.type);
		if (sz && (e.count > (h->dl - e.offset) / sz))
			return bw_fail(eb, BW_ERR_FORMAT,
				       "header: entry %u (tag %u): %u items of %zu bytes at offset %u "
				       "overrun the %u-byte data store",
				       i, e.tag, e.count, sz, e.offset, h->dl);
	}
	return BW_OK;
}

/* The last entry with this tag (dribbles replace region entries); false
 * when the header has none. */
static bool hdr_find(const struct rpm_hdr *h, uint32_t tag, struct rpm_entry *out)
{
	bool found = false;

	for (uint32_t i = 0; i < h->il; i++) {
		struct rpm_entry e;

		entry_at(h, i, &e);
		if (e.tag == tag) {
			*out = e;
			found = true;
		}
	}
	return found;
}

/* Copy text into a malloc'd NUL-terminated UTF-8 string. Old headers may
 * carry Latin-1 bytes; invalid UTF-8 is read as Latin-1 so nothing is lost
 * and the writers always get valid UTF-8. */
static char *text_dup(const char *s, size_t len)
{
	struct bw_buf b;

	if (bw_utf8_valid(s, len))
		return bw_strndup(s, len);
	bw_buf_init(&b, len * 2 + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char two[2] = { (char)(0xc0 | c >> 6), (char)(0x80 | (c & 0x3f)) };

		if (c < 0x80 ? bw_buf_append(&b, &s[i], 1) != BW_OK
			     : bw_buf_append(&b, two, 2) != BW_OK) {
			bw_buf_release(&b);
			return NULL;
		}
	}
	return bw_buf_detach(&b, NULL);
}

/* A string tag (STRING, or the first string of STRING_ARRAY/I18NSTRING)
 * into *out (malloc'd). BW_ERR_NOT_FOUND when the header lacks the tag. */
static enum bw_err hdr_string(const struct rpm_hdr *h, uint32_t tag, const char *tagname,
			      char **out, struct bw_errbuf *eb)
{
	struct rpm_entry e;
	const unsigned char *start, *nul;

	*out = NULL;
	if (!hdr_find(h, tag, &e))
		return BW_ERR_NOT_FOUND;
	if (e.type != RPM_TYPE_STRING && e.type != RPM_TYPE_STRING_ARRAY &&
	    e.type != RPM_TYPE_I18NSTRING)
		return bw_fail(eb, BW_ERR_FORMAT, "header: tag %u (%s): type %u is not a string",
			       tag, tagname, e.type);
	if (e.count < 1)
		return bw_fail(eb, BW_ERR_FORMAT, "header: tag %u (%s): count 0", tag, tagname);
	/* hdr_open checked offset <= dl; the string must end before dl. */
	start = h->data + e.offset;
	nul = memchr(start, 0, h->dl - e.offset);
	if (!nul)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "header: tag %u (%s): string at offset %u has no NUL before the end "
			       "of the data store",
			       tag, tagname, e.offset);
	*out = text_dup((const char *)start, (size_t)(nul - start));
	return *out ? BW_OK : BW_ERR_NOMEM;
}

/* The first value of an INT32 tag. BW_ERR_NOT_FOUND when absent. */
static enum bw_err hdr_int32(const struct rpm_hdr *h, uint32_t tag, const char *tagname,
			     uint32_t *out, struct bw_errbuf *eb)
{
	struct rpm_entry e;

	if (!hdr_find(h, tag, &e))
		return BW_ERR_NOT_FOUND;
	if (e.type != RPM_TYPE_INT32)
		return bw_fail(eb, BW_ERR_FORMAT, "header: tag %u (%s): type %u is not INT32", tag,
			       tagname, e.type);
	if (e.count < 1)
		return bw_fail(eb, BW_ERR_FORMAT, "header: tag %u (%s): count 0", tag, tagname);
	/* hdr_open checked offset + 4 * count <= dl */
	*out = sbom_rpm_be32(h->data + e.offset);
	return BW_OK;
}

/* An optional string tag: absent is fine, malformed is not. */
static enum bw_err hdr_opt_string(const struct rpm_hdr *h, uint32_t tag, const char *tagname,
				  char **out, struct bw_errbuf *eb)
{
	enum bw_err result = hdr_string(h, tag, tagname, out, eb);

	return result == BW_ERR_NOT_FOUND ? BW_OK : result;
}

/* "name-version-release.src.rpm" (or .nosrc.rpm) into name and
 * "version-release". Leaves both NULL when the string has another shape. */
static enum bw_err split_sourcerpm(const char *srpm, char **name, char **version)
{
	size_t len = strlen(srpm);
	const char *rel_dash = NULL, *ver_dash = NULL;

	*name = NULL;
	*version = NULL;
	if (bw_str_ends_with(srpm, ".nosrc.rpm"))
		len -= strlen(".nosrc.rpm");
	else if (bw_str_ends_with(srpm, ".src.rpm"))
		len -= strlen(".src.rpm");
	else
		return BW_OK;
	for (size_t i = len; i > 0; i--) {
		if (srpm[i - 1] != '-')
			continue;
		if (!rel_dash) {
			rel_dash = srpm + i - 1;
		} else {
			ver_dash = srpm + i - 1;
			break;
		}
	}
	/* name, version and release must all be non-empty */
	if (!ver_dash || ver_dash == srpm || rel_dash == ver_dash + 1 || rel_dash + 1 == srpm + len)
		return BW_OK;
	*name = bw_strndup(srpm, (size_t)(ver_dash - srpm));
	*version = bw_strndup(ver_dash + 1, (size_t)(srpm + len - ver_dash - 1));
	if (!*name || !*version) {
		free(*name);
		free(*version);
		*name = *version = NULL;
		return BW_ERR_NOMEM;
	}
	return BW_OK;
}

/* Fill pkg from the header's tags. Messages start with "header:"; the
 * caller prefixes the input's name. */
static enum bw_err header_to_pkg(const struct rpm_hdr *h, struct sbom_pkg *pkg,
				 struct bw_errbuf *eb)
{
	enum bw_err result;
	char *version = NULL, *license = NULL, *srpm = NULL;
	uint32_t epoch = 0;
	bool has_epoch;

	pkg->type = SBOM_PKG_RPM;
	result = hdr_string(h, RPMTAG_NAME, "NAME", &pkg->name, eb);
	if (result == BW_ERR_NOT_FOUND)
		return bw_fail(eb, BW_ERR_FORMAT, "header: no NAME tag (1000)");
	if (result != BW_OK)
		return result;
	if (pkg->name[0] == '\0')
		return bw_fail(eb, BW_ERR_FORMAT, "header: empty NAME");
	result = hdr_string(h, RPMTAG_VERSION, "VERSION", &version, eb);
	if (result == BW_ERR_NOT_FOUND)
		return bw_fail(eb, BW_ERR_FORMAT, "header: package %s has no VERSION tag (1001)",
			       pkg->name);
	if (result != BW_OK)
		return result;
	result = hdr_opt_string(h, RPMTAG_RELEASE, "RELEASE", &pkg->release, eb);
	if (result != BW_OK)
		goto out_version;
	result = hdr_int32(h, RPMTAG_EPOCH, "EPOCH", &epoch, eb);
	if (result != BW_OK && result != BW_ERR_NOT_FOUND)
		goto out_version;
	has_epoch = result == BW_OK;
	result = hdr_opt_string(h, RPMTAG_ARCH, "ARCH", &pkg->arch, eb);
	if (result != BW_OK)
		goto out_version;
	result = hdr_opt_string(h, RPMTAG_LICENSE, "LICENSE", &license, eb);
	if (result != BW_OK)
		goto out_version;
	result = hdr_opt_string(h, RPMTAG_SOURCERPM, "SOURCERPM", &srpm, eb);
	if (result != BW_OK)
		goto out_license;

	result = BW_ERR_NOMEM;
	if (has_epoch) {
		pkg->epoch = bw_strfmt("%u", epoch);
		if (!pkg->epoch)
			goto out_srpm;
	}
	/* rpm -q --qf '%{EVR}': [epoch:]version[-release] */
	pkg->version = bw_strfmt("%s%s%s%s%s", pkg->epoch ? pkg->epoch : "", pkg->epoch ? ":" : "",
				 version, pkg->release ? "-" : "", pkg->release ? pkg->release : "");
	if (!pkg->version)
		goto out_srpm;
	if (license && license[0]) {
		result = bw_strv_push_owned(&pkg->licenses, license);
		if (result != BW_OK)
			goto out_srpm;
		license = NULL;
	}
	result = srpm ? split_sourcerpm(srpm, &pkg->source_name, &pkg->source_version) : BW_OK;
out_srpm:
	free(srpm);
out_license:
	free(license);
out_version:
	free(version);
	return result;
}

enum bw_err sbom_parse_rpm_header(struct sbom *sb, const unsigned char *blob, size_t n,
				  const char *path, const char *layer, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct rpm_hdr h;
	struct sbom_pkg pkg = { 0 };

	if (BW_NEVER(!sb || (!blob && n)))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_parse_rpm_header: NULL argument");
	if (!path)
		path = "rpm header";
	result = hdr_open(&h, blob, n, eb);
	if (result == BW_OK)
		result = header_to_pkg(&h, &pkg, eb);
	if (result != BW_OK) {
		sbom_pkg_release(&pkg);
		return result == BW_ERR_NOMEM ? result : bw_fail_prefix(eb, result, "%s", path);
	}
	pkg.found_path = bw_strdup(path);
	pkg.layer_digest = layer ? bw_strdup(layer) : NULL;
	if (!pkg.found_path || (layer && !pkg.layer_digest)) {
		sbom_pkg_release(&pkg);
		return BW_ERR_NOMEM;
	}
	return sbom_add(sb, &pkg);
}

void sbom_rpm_warn(struct sbom *sb, const char *layer, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	BW_WARN("%s%s%s%s", msg, layer ? " (layer " : "", layer ? layer : "", layer ? ")" : "");
	sbom_warn(sb, "%s%s%s%s", msg, layer ? " (layer " : "", layer ? layer : "", layer ? ")" : "");
}

enum bw_err sbom_rpm_add_record(struct sbom *sb, const unsigned char *blob, size_t n,
				const char *path, const char *layer, const char *what,
				unsigned long long recno)
{
	struct bw_errbuf eb = { { 0 } };
	enum bw_err result = sbom_parse_rpm_header(sb, blob, n, path, layer, &eb);

	if (result == BW_ERR_FORMAT || result == BW_ERR_UNSUPPORTED) {
		/* eb.msg is "path: header: ..."; name the record after path */
		const char *detail = eb.msg;
		size_t plen = strlen(path);

		if (strncmp(detail, path, plen) == 0 && detail[plen] == ':')
			detail += plen + 1 + (detail[plen + 1] == ' ');
		sbom_rpm_warn(sb, layer, "%s: %s %llu: %s; record skipped", path, what, recno, detail);
		return BW_OK;
	}
	return result;
}

void sbom_rpm_sink_warn(const struct sbom_rpm_sink *sk, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (sk->fn)
		return; /* the first read of the database said it */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sbom_rpm_warn(sk->sb, sk->layer, "%s", msg);
}

enum bw_err sbom_rpm_sink_record(const struct sbom_rpm_sink *sk, const unsigned char *blob,
				 size_t n, const char *path, const char *what,
				 unsigned long long recno)
{
	if (sk->fn)
		return sk->fn(sk->ctx, blob, n);
	return sbom_rpm_add_record(sk->sb, blob, n, path, sk->layer, what, recno);
}

/* A STRING_ARRAY entry: the offsets of its count strings, each checked to
 * end (NUL) inside the data store. *offs malloc'd (NULL when count is 0). */
static enum bw_err hdr_string_array(const struct rpm_hdr *h, const struct rpm_entry *e,
				    const char *tagname, uint32_t max, uint32_t **offs,
				    struct bw_errbuf *eb)
{
	uint32_t off = e->offset;

	*offs = NULL;
	if (e->type != RPM_TYPE_STRING_ARRAY)
		return bw_fail(eb, BW_ERR_FORMAT, "header: tag %u (%s): type %u is not a string array",
			       e->tag, tagname, e->type);
	if (e->count > max || e->count > h->dl - e->offset)
		return bw_fail(eb, BW_ERR_FORMAT, "header: tag %u (%s): %u strings is too many",
			       e->tag, tagname, e->count);
	if (e->count == 0)
		return BW_OK;
	*offs = bw_calloc(e->count, sizeof(**offs));
	if (!*offs)
		return BW_ERR_NOMEM;
	for (uint32_t i = 0; i < e->count; i++) {
		const unsigned char *nul = memchr(h->data + off, 0, h->dl - off);

		if (!nul) {
			free(*offs);
			*offs = NULL;
			return bw_fail(eb, BW_ERR_FORMAT,
				       "header: tag %u (%s): string %u runs past the data store",
				       e->tag, tagname, i);
		}
		(*offs)[i] = off;
		off = (uint32_t)(nul - h->data) + 1;
	}
	return BW_OK;
}

enum bw_err sbom_rpm_header_files(const unsigned char *blob, size_t n, sbom_rpm_file_fn fn,
				  void *ctx, struct bw_errbuf *eb)
{
	struct rpm_entry be = {0}, de = {0}, ie = {0}, oe = {0};
	uint32_t *bases = NULL, *dirs = NULL;
	struct rpm_hdr h;
	char *name = NULL;
	enum bw_err result;

	result = hdr_open(&h, blob, n, eb);
	if (result == BW_OK)
		result = hdr_string(&h, RPMTAG_NAME, "NAME", &name, eb);
	if (result == BW_ERR_NOT_FOUND)
		return bw_fail(eb, BW_ERR_FORMAT, "header: no NAME tag (1000)");
	if (result != BW_OK)
		return result;
	if (!hdr_find(&h, RPMTAG_BASENAMES, &be)) {
		/* before rpm 4: one OLDFILENAMES array of whole paths */
		if (!hdr_find(&h, RPMTAG_OLDFILENAMES, &oe))
			goto out_name;
		result = hdr_string_array(&h, &oe, "OLDFILENAMES", RPM_MAX_FILES, &bases, eb);
		for (uint32_t i = 0; result == BW_OK && i < oe.count; i++) {
			const char *b = (const char *)h.data + bases[i];

			result = fn(ctx, name, "", 0, b, strlen(b));
		}
		goto out_arrays;
	}
	if (!hdr_find(&h, RPMTAG_DIRNAMES, &de) || !hdr_find(&h, RPMTAG_DIRINDEXES, &ie)) {
		result = bw_fail(eb, BW_ERR_FORMAT,
				 "header: package %s has BASENAMES without DIRNAMES/DIRINDEXES", name);
		goto out_name;
	}
	if (ie.type != RPM_TYPE_INT32 || ie.count != be.count) {
		result = bw_fail(eb, BW_ERR_FORMAT,
				 "header: package %s: DIRINDEXES (type %u, %u items) does not match "
				 "%u BASENAMES",
				 name, ie.type, ie.count, be.count);
		goto out_name;
	}
	result = hdr_string_array(&h, &be, "BASENAMES", RPM_MAX_FILES, &bases, eb);
	if (result == BW_OK)
		result = hdr_string_array(&h, &de, "DIRNAMES", RPM_MAX_DIRS, &dirs, eb);
	for (uint32_t i = 0; result == BW_OK && i < be.count; i++) {
		/* hdr_open checked offset + 4 * count <= dl */
		uint32_t di = sbom_rpm_be32(h.data + ie.offset + (size_t)i * 4);
		const char *d, *b = (const char *)h.data + bases[i];

		if (di >= de.count) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "header: package %s: file %u: directory index %u of %u", name,
					 i, di, de.count);
			break;
		}
		d = (const char *)h.data + dirs[di];
		result = fn(ctx, name, d, strlen(d), b, strlen(b));
	}
out_arrays:
	free(bases);
	free(dirs);
out_name:
	free(name);
	return result;
}

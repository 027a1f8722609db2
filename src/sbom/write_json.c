/* write_json.c - Bulwark's own SBOM document, the format dispatcher and the
 * helpers every JSON writer shares (write_int.h).
 *
 * The document's schema is documented in docs/sbom.md; keys are stable and
 * new keys are only ever added. Absent values are left out, never null,
 * except "distro", which is null when the distro is unknown.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "write_int.h"

#define SBOM_JSON_SCHEMA_VERSION 1

/* ---- helpers ------------------------------------------------------------ */

size_t sbom_utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

json_t *sbom_jstr(struct sbom_jb *jb, const char *s)
{
	struct bw_buf b;
	size_t n, i = 0;
	json_t *v;

	if (!s)
		return NULL;
	n = strlen(s);
	if (bw_utf8_valid(s, n)) {
		v = json_stringn(s, n);
		if (!v)
			jb->nomem = true;
		return v;
	}
	/* Each bad byte becomes 3 bytes, so 3n bounds the copy. */
	bw_buf_init(&b, n * 3 + 1);
	while (i < n) {
		size_t len = sbom_utf8_seq_len((const unsigned char *)s + i, n - i);
		enum bw_err result;

		if (len == 0) {
			result = bw_buf_append(&b, "\xef\xbf\xbd", 3);
			len = 1;
		} else {
			result = bw_buf_append(&b, s + i, len);
		}
		if (result != BW_OK) {
			bw_buf_release(&b);
			jb->nomem = true;
			return NULL;
		}
		i += len;
	}
	v = json_stringn(b.data ? b.data : "", b.len);
	bw_buf_release(&b);
	if (!v)
		jb->nomem = true;
	return v;
}

void sbom_jset(struct sbom_jb *jb, json_t *obj, const char *key, json_t *v)
{
	if (!v) {
		jb->nomem = true;
		return;
	}
	if (!obj) {
		json_decref(v);
		jb->nomem = true;
		return;
	}
	/* json_object_set_new releases v when it fails */
	if (json_object_set_new(obj, key, v) != 0)
		jb->nomem = true;
}

void sbom_jset_str(struct sbom_jb *jb, json_t *obj, const char *key, const char *s)
{
	if (s)
		sbom_jset(jb, obj, key, sbom_jstr(jb, s));
}

void sbom_jpush(struct sbom_jb *jb, json_t *arr, json_t *v)
{
	if (!v) {
		jb->nomem = true;
		return;
	}
	if (!arr) {
		json_decref(v);
		jb->nomem = true;
		return;
	}
	if (json_array_append_new(arr, v) != 0)
		jb->nomem = true;
}

json_t *sbom_jobj(struct sbom_jb *jb)
{
	json_t *v = json_object();

	if (!v)
		jb->nomem = true;
	return v;
}

json_t *sbom_jarr(struct sbom_jb *jb)
{
	json_t *v = json_array();

	if (!v)
		jb->nomem = true;
	return v;
}

void sbom_write_timestamp(char *out, size_t outsz)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t epoch;
	struct tm tm;
	time_t t;

	if (sde && bw_parse_u64(sde, 253402300799ULL, &epoch) == BW_OK) {
		t = (time_t)epoch;
		if (gmtime_r(&t, &tm) && strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
			return;
	}
	bw_time_rfc3339(out, outsz);
}

enum bw_err sbom_write_uuid(char out[37], struct bw_errbuf *eb)
{
	unsigned char r[16];
	static const char hex[] = "0123456789abcdef";
	size_t j = 0;

	if (gnutls_rnd(GNUTLS_RND_NONCE, r, sizeof(r)) != 0)
		return bw_fail(eb, BW_ERR_INTERNAL, "random number generator failed");
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40); /* version 4 */
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (size_t i = 0; i < sizeof(r); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[r[i] >> 4];
		out[j++] = hex[r[i] & 0x0f];
	}
	out[j] = '\0';
	return BW_OK;
}

const char *sbom_write_tool_name(const struct sbom *sb)
{
	return sb->tool_name && sb->tool_name[0] ? sb->tool_name : "bulwark";
}

const char *sbom_write_tool_version(const struct sbom *sb)
{
	return sb->tool_version && sb->tool_version[0] ? sb->tool_version : bw_version();
}

/* ---- the dispatcher ------------------------------------------------------- */

enum bw_err sbom_format_parse(const char *s, enum sbom_format *fmt)
{
	static const struct {
		const char *name;
		enum sbom_format fmt;
	} names[] = {
		{"table", SBOM_FMT_TABLE},
		{"json", SBOM_FMT_JSON},
		{"cyclonedx", SBOM_FMT_CYCLONEDX},
		{"cyclonedx-json", SBOM_FMT_CYCLONEDX},
		{"spdx-json", SBOM_FMT_SPDX_JSON},
	};

	if (!s)
		return BW_ERR_USAGE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*fmt = names[i].fmt;
			return BW_OK;
		}
	}
	return BW_ERR_USAGE;
}

enum bw_err sbom_write(const struct sbom *sb, enum sbom_format fmt, FILE *f, struct bw_errbuf *eb)
{
	if (BW_NEVER(!sb || !f))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_write: no sbom or no output");
	switch (fmt) {
	case SBOM_FMT_TABLE:
		return sbom_write_table(sb, f, eb);
	case SBOM_FMT_JSON:
		return sbom_write_json(sb, f, eb);
	case SBOM_FMT_CYCLONEDX:
		return sbom_write_cyclonedx(sb, f, eb);
	case SBOM_FMT_SPDX_JSON:
		return sbom_write_spdx(sb, f, eb);
	}
	return bw_fail(eb, BW_ERR_USAGE, "unknown SBOM format %d", (int)fmt);
}

/* ---- Bulwark's own document ---------------------------------------------- */

static json_t *json_strv(struct sbom_jb *jb, const struct bw_strv *sv)
{
	json_t *arr = sbom_jarr(jb);

	for (size_t i = 0; arr && i < sv->n; i++)
		sbom_jpush(jb, arr, sbom_jstr(jb, sv->v[i]));
	return arr;
}

static json_t *json_target(struct sbom_jb *jb, const struct sbom *sb)
{
	json_t *t = sbom_jobj(jb);

	sbom_jset_str(jb, t, "ref", sb->target);
	sbom_jset_str(jb, t, "kind", sb->target_kind);
	sbom_jset_str(jb, t, "manifest_digest", sb->image_digest);
	sbom_jset_str(jb, t, "image_id", sb->image_id);
	sbom_jset(jb, t, "layers", json_strv(jb, &sb->layer_digests));
	return t;
}

static json_t *json_distro(struct sbom_jb *jb, const struct sbom_distro *d)
{
	json_t *o;

	if (!d->id)
		return json_null();
	o = sbom_jobj(jb);
	sbom_jset_str(jb, o, "id", d->id);
	sbom_jset_str(jb, o, "version_id", d->version_id);
	sbom_jset_str(jb, o, "codename", d->codename);
	sbom_jset_str(jb, o, "pretty_name", d->pretty_name);
	sbom_jset_str(jb, o, "id_like", d->id_like);
	sbom_jset_str(jb, o, "source_path", d->source_path);
	return o;
}

static json_t *json_pkg(struct sbom_jb *jb, const struct sbom_pkg *p)
{
	json_t *o = sbom_jobj(jb);

	sbom_jset_str(jb, o, "type", sbom_pkg_type_name(p->type));
	sbom_jset_str(jb, o, "name", p->name ? p->name : "");
	sbom_jset_str(jb, o, "version", p->version);
	sbom_jset_str(jb, o, "epoch", p->epoch);
	sbom_jset_str(jb, o, "release", p->release);
	sbom_jset_str(jb, o, "arch", p->arch);
	sbom_jset_str(jb, o, "source_name", p->source_name);
	sbom_jset_str(jb, o, "source_version", p->source_version);
	sbom_jset(jb, o, "licenses", json_strv(jb, &p->licenses));
	sbom_jset_str(jb, o, "purl", p->purl);
	sbom_jset_str(jb, o, "layer", p->layer_digest);
	sbom_jset_str(jb, o, "path", p->found_path);
	sbom_jset_str(jb, o, "sha1", p->sha1);
	sbom_jset_str(jb, o, "owner", p->owner);
	if (p->owner)
		sbom_jset_str(jb, o, "owner_type", sbom_pkg_type_name(p->owner_type));
	if (p->nfiles)
		sbom_jset(jb, o, "files", json_integer((json_int_t)p->nfiles));
	if (p->dev)
		sbom_jset(jb, o, "dev", json_true());
	return o;
}

enum bw_err sbom_write_json(const struct sbom *sb, FILE *f, struct bw_errbuf *eb)
{
	struct sbom_jb jb = {0};
	char ts[64];
	json_t *doc, *tool, *pkgs;
	enum bw_err result;

	sbom_write_timestamp(ts, sizeof(ts));
	doc = sbom_jobj(&jb);
	sbom_jset(&jb, doc, "schema_version", json_integer(SBOM_JSON_SCHEMA_VERSION));
	tool = sbom_jobj(&jb);
	sbom_jset_str(&jb, tool, "name", sbom_write_tool_name(sb));
	sbom_jset_str(&jb, tool, "version", sbom_write_tool_version(sb));
	sbom_jset(&jb, doc, "tool", tool);
	sbom_jset_str(&jb, doc, "created", ts);
	sbom_jset(&jb, doc, "target", json_target(&jb, sb));
	sbom_jset(&jb, doc, "distro", json_distro(&jb, &sb->distro));
	pkgs = sbom_jarr(&jb);
	for (size_t i = 0; pkgs && i < sb->npkgs; i++)
		sbom_jpush(&jb, pkgs, json_pkg(&jb, &sb->pkgs[i]));
	sbom_jset(&jb, doc, "packages", pkgs);
	sbom_jset(&jb, doc, "warnings", json_strv(&jb, &sb->warnings));
	if (jb.nomem) {
		result = bw_fail(eb, BW_ERR_NOMEM, "out of memory building the JSON SBOM");
		goto out_doc;
	}
	result = bw_json_write(doc, f, eb);
out_doc:
	json_decref(doc);
	return result;
}

enum bw_err sbom_write_pct(struct bw_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	enum bw_err result = BW_OK;

	for (; *s && result == BW_OK; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_' || c == '~') {
			result = bw_buf_append(b, s, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			result = bw_buf_append(b, e, 3);
		}
	}
	return result;
}

/* write_cyclonedx.c - CycloneDX 1.5 JSON.
 *
 * metadata.component is the image (type container, its digest as version
 * and SHA-256 hash); components hold the distro (type operating-system) and
 * one library per package with its purl as bom-ref (made unique with a
 * suffix when two packages share a purl). Licences: one SPDX expression
 * when one of them is compound, else one entry per licence, by SPDX id
 * when it is on the SPDX licence list (Debian's DEP-5 names mapped, see
 * sbom_spdx_license) and by name as recorded otherwise (the schema allows
 * only listed ids in license.id). Where a package was found goes in
 * properties under the "bulwark:" namespace.
 */
#include <stdlib.h>
#include <string.h>

#include "write_int.h"

#define CDX_SPEC_VERSION "1.5"

static void add_property(struct sbom_jb *jb, json_t *props, const char *name, const char *value)
{
	json_t *o;

	if (!value)
		return;
	o = sbom_jobj(jb);
	sbom_jset_str(jb, o, "name", name);
	sbom_jset_str(jb, o, "value", value);
	sbom_jpush(jb, props, o);
}

/* Set obj.properties when props has any; releases props otherwise. */
static void set_properties(struct sbom_jb *jb, json_t *obj, json_t *props)
{
	if (props && json_array_size(props) > 0)
		sbom_jset(jb, obj, "properties", props);
	else
		json_decref(props);
}

/* True when one of p's licences is itself a compound SPDX expression. */
static bool any_compound(const struct sbom_pkg *p)
{
	for (size_t i = 0; i < p->licenses.n; i++) {
		bool compound = false;
		char *e = sbom_spdx_license(p, p->licenses.v[i], &compound);
		bool valid = e != NULL;

		free(e);
		if (valid && compound)
			return true;
	}
	return false;
}

static json_t *licenses(struct sbom_jb *jb, const struct sbom_pkg *p)
{
	json_t *arr, *o, *l, *seen;
	bool compound;
	char *expr;

	arr = sbom_jarr(jb);
	/* A list of licences, each by id or name, says what it must; a compound
	 * one ("MIT OR Apache-2.0") only fits the schema's expression form,
	 * which then has to hold all of them. */
	if (any_compound(p)) {
		expr = sbom_spdx_join_licenses(p, NULL, &compound, &jb->nomem);
		if (expr) {
			o = sbom_jobj(jb);
			sbom_jset_str(jb, o, "expression", expr);
			sbom_jpush(jb, arr, o);
			free(expr);
			return arr;
		}
	}
	seen = sbom_jobj(jb);
	for (size_t i = 0; seen && i < p->licenses.n; i++) {
		const char *s = p->licenses.v[i];
		char *one;
		const char *id, *key;

		if (sbom_license_blank(s))
			continue;
		one = sbom_spdx_license(p, s, &compound);
		id = one && !compound ? sbom_spdx_license_id(one, strlen(one)) : NULL;
		key = id ? id : s;
		free(one);
		if (json_object_get(seen, key))
			continue; /* "BSD-3-clause" and "BSD-3-Clause" are one licence */
		if (json_object_set_new_nocheck(seen, key, json_true()) != 0)
			jb->nomem = true;
		o = sbom_jobj(jb);
		l = sbom_jobj(jb);
		if (id)
			sbom_jset_str(jb, l, "id", id);
		else
			sbom_jset_str(jb, l, "name", s);
		sbom_jset(jb, o, "license", l);
		sbom_jpush(jb, arr, o);
	}
	json_decref(seen);
	return arr;
}

/* A bom-ref not used before in this document: base, or base#N. The seen
 * object is the set of refs used so far. malloc'd or NULL. */
static char *unique_ref(json_t *seen, const char *base)
{
	char *ref = bw_strdup(base);

	for (unsigned int n = 2; ref && json_object_get(seen, ref); n++) {
		free(ref);
		ref = bw_strfmt("%s#%u", base, n);
	}
	/* the set is never serialised: keys need no UTF-8 check */
	if (ref && json_object_set_new_nocheck(seen, ref, json_true()) != 0) {
		free(ref);
		ref = NULL;
	}
	return ref;
}

static json_t *image_component(struct sbom_jb *jb, const struct sbom *sb)
{
	json_t *c = sbom_jobj(jb), *props = sbom_jarr(jb);
	const char *digest = sb->image_digest ? sb->image_digest : sb->image_id;

	sbom_jset_str(jb, c, "type", "container");
	sbom_jset_str(jb, c, "bom-ref", "bulwark:image");
	sbom_jset_str(jb, c, "name", sb->target ? sb->target : "unknown");
	sbom_jset_str(jb, c, "version", digest);
	if (digest && bw_str_starts_with(digest, "sha256:") && bw_digest_valid(digest)) {
		json_t *hashes = sbom_jarr(jb), *h = sbom_jobj(jb);

		sbom_jset_str(jb, h, "alg", "SHA-256");
		sbom_jset_str(jb, h, "content", digest + 7);
		sbom_jpush(jb, hashes, h);
		sbom_jset(jb, c, "hashes", hashes);
	}
	add_property(jb, props, "bulwark:source-kind", sb->target_kind);
	add_property(jb, props, "bulwark:manifest-digest", sb->image_digest);
	add_property(jb, props, "bulwark:image-id", sb->image_id);
	for (size_t i = 0; i < sb->layer_digests.n; i++)
		add_property(jb, props, "bulwark:layer", sb->layer_digests.v[i]);
	set_properties(jb, c, props);
	return c;
}

static json_t *os_component(struct sbom_jb *jb, const struct sbom_distro *d, json_t *seen)
{
	json_t *c = sbom_jobj(jb), *props = sbom_jarr(jb);
	struct bw_buf purl;
	char *ref;

	/* No purl type names an OS; "generic" is the purl spec's catch-all. */
	bw_buf_init(&purl, 1024);
	if (bw_buf_appends(&purl, "pkg:generic/") != BW_OK || sbom_write_pct(&purl, d->id) != BW_OK ||
	    (d->version_id && (bw_buf_appends(&purl, "@") != BW_OK ||
			       sbom_write_pct(&purl, d->version_id) != BW_OK)))
		jb->nomem = true;
	ref = unique_ref(seen, purl.data ? purl.data : "bulwark:os");
	if (!ref)
		jb->nomem = true;
	sbom_jset_str(jb, c, "type", "operating-system");
	sbom_jset_str(jb, c, "bom-ref", ref);
	sbom_jset_str(jb, c, "name", d->id);
	sbom_jset_str(jb, c, "version", d->version_id);
	sbom_jset_str(jb, c, "description", d->pretty_name);
	sbom_jset_str(jb, c, "purl", purl.data);
	add_property(jb, props, "bulwark:codename", d->codename);
	add_property(jb, props, "bulwark:id-like", d->id_like);
	add_property(jb, props, "bulwark:path", d->source_path);
	set_properties(jb, c, props);
	free(ref);
	bw_buf_release(&purl);
	return c;
}

static json_t *pkg_component(struct sbom_jb *jb, const struct sbom_pkg *p, size_t index,
			     json_t *seen)
{
	json_t *c = sbom_jobj(jb), *props = sbom_jarr(jb);
	char *ref, *fallback = NULL;

	if (!p->purl) {
		fallback = bw_strfmt("bulwark:package:%zu", index);
		if (!fallback)
			jb->nomem = true;
	}
	ref = unique_ref(seen, p->purl ? p->purl : fallback ? fallback : "bulwark:package");
	if (!ref)
		jb->nomem = true;
	sbom_jset_str(jb, c, "type", "library");
	sbom_jset_str(jb, c, "bom-ref", ref);
	sbom_jset_str(jb, c, "name", p->name ? p->name : "");
	sbom_jset_str(jb, c, "version", p->version);
	if (p->licenses.n > 0) {
		json_t *lic = licenses(jb, p);

		if (lic && json_array_size(lic) > 0)
			sbom_jset(jb, c, "licenses", lic);
		else
			json_decref(lic);
	}
	sbom_jset_str(jb, c, "purl", p->purl);
	if (p->sha1 && strlen(p->sha1) == 40) {
		/* the archive's digest (Java): CycloneDX hash-content is hex */
		json_t *hashes = sbom_jarr(jb), *h = sbom_jobj(jb);

		sbom_jset_str(jb, h, "alg", "SHA-1");
		sbom_jset_str(jb, h, "content", p->sha1);
		sbom_jpush(jb, hashes, h);
		sbom_jset(jb, c, "hashes", hashes);
	}
	add_property(jb, props, "bulwark:package-type", sbom_pkg_type_name(p->type));
	add_property(jb, props, "bulwark:arch", p->arch);
	add_property(jb, props, "bulwark:epoch", p->epoch);
	add_property(jb, props, "bulwark:release", p->release);
	add_property(jb, props, "bulwark:source", p->source_name);
	add_property(jb, props, "bulwark:source-version", p->source_version);
	add_property(jb, props, "bulwark:layer", p->layer_digest);
	add_property(jb, props, "bulwark:path", p->found_path);
	add_property(jb, props, "bulwark:owner", p->owner);
	if (p->dev)
		add_property(jb, props, "bulwark:dev", "true");
	set_properties(jb, c, props);
	free(ref);
	free(fallback);
	return c;
}

enum bw_err sbom_cyclonedx_doc(const struct sbom *sb, json_t **doc_out, json_t **refs_out,
			       struct bw_errbuf *eb)
{
	struct sbom_jb jb = {0};
	char ts[64], uuid[37];
	json_t *doc, *meta, *tools, *tool_list, *tool, *comps, *seen, *refs;
	enum bw_err result;

	*doc_out = NULL;
	if (refs_out)
		*refs_out = NULL;
	result = sbom_write_uuid(uuid, eb);
	if (result != BW_OK)
		return result;
	sbom_write_timestamp(ts, sizeof(ts));
	seen = sbom_jobj(&jb);
	refs = sbom_jarr(&jb);
	doc = sbom_jobj(&jb);
	sbom_jset_str(&jb, doc, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
	sbom_jset_str(&jb, doc, "bomFormat", "CycloneDX");
	sbom_jset_str(&jb, doc, "specVersion", CDX_SPEC_VERSION);
	sbom_jset(&jb, doc, "serialNumber", json_sprintf("urn:uuid:%s", uuid));
	sbom_jset(&jb, doc, "version", json_integer(1));

	meta = sbom_jobj(&jb);
	sbom_jset_str(&jb, meta, "timestamp", ts);
	tools = sbom_jobj(&jb);
	tool_list = sbom_jarr(&jb);
	tool = sbom_jobj(&jb);
	sbom_jset_str(&jb, tool, "type", "application");
	sbom_jset_str(&jb, tool, "name", sbom_write_tool_name(sb));
	sbom_jset_str(&jb, tool, "version", sbom_write_tool_version(sb));
	sbom_jpush(&jb, tool_list, tool);
	sbom_jset(&jb, tools, "components", tool_list);
	sbom_jset(&jb, meta, "tools", tools);
	if (seen && json_object_set_new(seen, "bulwark:image", json_true()) != 0)
		jb.nomem = true;
	sbom_jset(&jb, meta, "component", image_component(&jb, sb));
	sbom_jset(&jb, doc, "metadata", meta);

	comps = sbom_jarr(&jb);
	if (sb->distro.id)
		sbom_jpush(&jb, comps, os_component(&jb, &sb->distro, seen));
	for (size_t i = 0; i < sb->npkgs && !jb.nomem; i++) {
		json_t *c = pkg_component(&jb, &sb->pkgs[i], i, seen);
		json_t *ref = json_object_get(c, "bom-ref");

		/* refs[i] is package i's bom-ref, for reports that point at it */
		sbom_jpush(&jb, refs, ref ? json_incref(ref) : json_null());
		sbom_jpush(&jb, comps, c);
	}
	sbom_jset(&jb, doc, "components", comps);
	json_decref(seen);
	if (jb.nomem) {
		json_decref(doc);
		json_decref(refs);
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory building the CycloneDX SBOM");
	}
	*doc_out = doc;
	if (refs_out)
		*refs_out = refs;
	else
		json_decref(refs);
	return BW_OK;
}

enum bw_err sbom_write_cyclonedx(const struct sbom *sb, FILE *f, struct bw_errbuf *eb)
{
	json_t *doc;
	enum bw_err result = sbom_cyclonedx_doc(sb, &doc, NULL, eb);

	if (result != BW_OK)
		return result;
	result = bw_json_write(doc, f, eb);
	json_decref(doc);
	return result;
}

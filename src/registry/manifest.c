/* manifest.c - Docker schema 2 and OCI manifests and indexes. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "registry.h"

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MAX_ENTRIES 4096

static void descriptor_release(struct registry_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	memset(d, 0, sizeof(*d));
}

void registry_manifest_release(struct registry_manifest *m)
{
	if (!m)
		return;
	free(m->media_type);
	descriptor_release(&m->config);
	for (size_t i = 0; i < m->nentries; i++)
		descriptor_release(&m->entries[i]);
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

static enum bw_err parse_descriptor(const json_t *o, const char *where, const char *what,
				    size_t idx, struct registry_descriptor *d, struct bw_errbuf *eb)
{
	const char *digest, *mt;
	json_t *size;

	if (!json_is_object(o))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s[%zu] is not an object", where, what, idx);
	digest = bw_json_str(o, "digest");
	if (!digest || !bw_digest_valid(digest))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s[%zu]: missing or malformed digest", where,
			       what, idx);
	size = json_object_get(o, "size");
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s[%zu] (%s): missing or negative size", where,
			       what, idx, digest);
	d->size = json_integer_value(size);
	mt = bw_json_str(o, "mediaType");
	if (!(d->digest = bw_strdup(digest)) || (mt && !(d->media_type = bw_strdup(mt))))
		return BW_ERR_NOMEM;
	{
		const json_t *pl = json_object_get(o, "platform");

		if (json_is_object(pl)) {
			const char *os = bw_json_str(pl, "os"), *arch = bw_json_str(pl, "architecture");
			const char *var = bw_json_str(pl, "variant");

			bw_strlcpy(d->platform.os, os ? os : "", sizeof(d->platform.os));
			bw_strlcpy(d->platform.arch, arch ? arch : "", sizeof(d->platform.arch));
			bw_strlcpy(d->platform.variant, var ? var : "", sizeof(d->platform.variant));
		}
	}
	return BW_OK;
}

static enum bw_err parse_entries(const json_t *arr, const char *where, const char *what,
				 struct registry_manifest *m, struct bw_errbuf *eb)
{
	size_t n = json_array_size(arr);
	enum bw_err result;

	if (n > MAX_ENTRIES)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: more than %d %s", where, MAX_ENTRIES, what);
	if (n == 0)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no %s", where, what);
	m->entries = bw_calloc(n, sizeof(*m->entries));
	if (!m->entries)
		return BW_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		m->entries[i].size = -1;
		m->nentries = i + 1;
		result = parse_descriptor(json_array_get(arr, i), where, what, i, &m->entries[i], eb);
		if (result)
			return result;
	}
	return BW_OK;
}

enum bw_err registry_manifest_parse(const char *data, size_t len, const char *content_type,
				    const char *where, struct registry_manifest *m,
				    struct bw_errbuf *eb)
{
	json_t *root = NULL, *layers, *manifests;
	const char *mt;
	enum bw_err result;

	memset(m, 0, sizeof(*m));
	result = bw_json_parse(data, len, where, &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: manifest is not a JSON object", where);
		goto out_root;
	}
	if (bw_json_int(root, "schemaVersion", -1) != 2) {
		result = bw_fail(eb, BW_ERR_UNSUPPORTED,
				 "%s: schemaVersion %lld (only schema 2 manifests are supported)",
				 where, (long long)bw_json_int(root, "schemaVersion", -1));
		goto out_root;
	}
	mt = bw_json_str(root, "mediaType");
	if (!mt && content_type)
		mt = content_type;
	layers = json_object_get(root, "layers");
	manifests = json_object_get(root, "manifests");
	if (json_is_array(manifests) && !json_is_array(layers)) {
		if (mt && strcmp(mt, MT_DOCKER_LIST) && strcmp(mt, MT_OCI_INDEX) &&
		    !bw_str_starts_with(mt, "application/json")) {
			result = bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: index with media type %.100s",
					 where, mt);
			goto out_root;
		}
		m->kind = REGISTRY_MANIFEST_INDEX;
		result = parse_entries(manifests, where, "manifests", m, eb);
	} else if (json_is_array(layers)) {
		if (mt && strcmp(mt, MT_DOCKER_MANIFEST) && strcmp(mt, MT_OCI_MANIFEST) &&
		    !bw_str_starts_with(mt, "application/json")) {
			result = bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: manifest with media type %.100s",
					 where, mt);
			goto out_root;
		}
		m->kind = REGISTRY_MANIFEST_IMAGE;
		m->config.size = -1;
		result = parse_descriptor(json_object_get(root, "config"), where, "config", 0,
					  &m->config, eb);
		if (!result)
			result = parse_entries(layers, where, "layers", m, eb);
	} else {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: neither 'layers' nor 'manifests'", where);
	}
	if (!result && mt && !(m->media_type = bw_strdup(mt)))
		result = BW_ERR_NOMEM;
out_root:
	json_decref(root);
	if (result)
		registry_manifest_release(m);
	return result;
}

ssize_t registry_manifest_select(const struct registry_manifest *m,
				 const struct image_platform *p)
{
	ssize_t loose = -1;

	if (m->kind != REGISTRY_MANIFEST_INDEX)
		return -1;
	for (size_t i = 0; i < m->nentries; i++) {
		const struct image_platform *e = &m->entries[i].platform;

		if (strcmp(e->os, p->os) || strcmp(e->arch, p->arch))
			continue;
		if (!p->variant[0] || !strcmp(e->variant, p->variant))
			return (ssize_t)i;
		/* arm64 images often omit v8 */
		if (!e->variant[0] && loose < 0)
			loose = (ssize_t)i;
	}
	return loose;
}

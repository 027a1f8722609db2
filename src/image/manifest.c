/* manifest.c - readers of the image's JSON documents: OCI / Docker v2
 * manifests, indexes (manifest lists) and image configs. All hostile. */
#include <stdlib.h>
#include <string.h>

#include "image_int.h"

#define MT_OCI_INDEX    "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST  "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_V1    "application/vnd.docker.distribution.manifest.v1"

bool image_media_is_index(const char *mt)
{
	return mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0);
}

void image_info_release(struct image_info *info)
{
	if (!info)
		return;
	free(info->ref_text);
	free(info->manifest_digest);
	free(info->config_digest);
	free(info->config_json);
	bw_strv_release(&info->repo_tags);
	for (size_t i = 0; i < info->nlayers; i++) {
		free(info->layers[i].digest);
		free(info->layers[i].diff_id);
		free(info->layers[i].media_type);
	}
	free(info->layers);
	memset(info, 0, sizeof(*info));
}

static void layers_release(struct image_info *info)
{
	for (size_t i = 0; i < info->nlayers; i++) {
		free(info->layers[i].digest);
		free(info->layers[i].diff_id);
		free(info->layers[i].media_type);
	}
	free(info->layers);
	info->layers = NULL;
	info->nlayers = 0;
}

enum bw_err image_manifest_parse(const char *data, size_t n, const char *what,
				 struct image_info *info, char **config_digest,
				 struct bw_errbuf *eb)
{
	json_t *root = NULL, *layers, *cfg;
	const char *mt, *cd;
	enum bw_err result;
	size_t i, nl;

	*config_digest = NULL;
	result = bw_json_parse(data, n, what, &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a JSON object", what);
		goto out_root;
	}
	mt = bw_json_str(root, "mediaType");
	if (bw_json_int(root, "schemaVersion", 0) != 2 || (mt && bw_str_starts_with(mt, MT_DOCKER_V1))) {
		result = bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: schemaVersion %lld manifests are not supported",
				 what, (long long)bw_json_int(root, "schemaVersion", 0));
		goto out_root;
	}
	if (image_media_is_index(mt) || json_object_get(root, "manifests")) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: an index where an image manifest was expected",
				 what);
		goto out_root;
	}
	cfg = json_object_get(root, "config");
	cd = bw_json_str(cfg, "digest");
	if (!cd || !bw_digest_valid(cd)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: config.digest missing or not a digest", what);
		goto out_root;
	}
	layers = json_object_get(root, "layers");
	if (!json_is_array(layers)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no layers array", what);
		goto out_root;
	}
	nl = json_array_size(layers);
	if (nl > IMAGE_MAX_LAYERS) {
		result = bw_fail(eb, BW_ERR_LIMIT, "%s: %zu layers (the cap is %u)", what, nl,
				 IMAGE_MAX_LAYERS);
		goto out_root;
	}
	layers_release(info);
	info->layers = nl ? bw_calloc(nl, sizeof(*info->layers)) : NULL;
	if (nl && !info->layers) {
		result = BW_ERR_NOMEM;
		goto out_root;
	}
	info->nlayers = nl;
	for (i = 0; i < nl; i++) {
		json_t *l = json_array_get(layers, i);
		const char *d = bw_json_str(l, "digest"), *lmt = bw_json_str(l, "mediaType");
		struct image_layer *L = &info->layers[i];

		if (!d || !bw_digest_valid(d)) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: layers[%zu].digest missing or not a digest",
					 what, i);
			goto out_layers;
		}
		if (lmt && (strstr(lmt, "+encrypted") || strstr(lmt, "foreign"))) {
			result = bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: layers[%zu]: media type %.100s",
					 what, i, lmt);
			goto out_layers;
		}
		L->digest = bw_strdup(d);
		L->media_type = lmt ? bw_strdup(lmt) : NULL;
		L->size = bw_json_int(l, "size", -1);
		if (!L->digest || (lmt && !L->media_type)) {
			result = BW_ERR_NOMEM;
			goto out_layers;
		}
	}
	*config_digest = bw_strdup(cd);
	if (!*config_digest)
		result = BW_ERR_NOMEM;
out_layers:
	if (result)
		layers_release(info);
out_root:
	json_decref(root);
	return result;
}

static void platform_from_json(const json_t *o, const char *os_key, const char *arch_key,
			       struct image_platform *p)
{
	const char *os = bw_json_str(o, os_key), *arch = bw_json_str(o, arch_key),
		   *var = bw_json_str(o, "variant");

	memset(p, 0, sizeof(*p));
	if (os)
		bw_strlcpy(p->os, os, sizeof(p->os));
	if (arch)
		bw_strlcpy(p->arch, arch, sizeof(p->arch));
	if (var)
		bw_strlcpy(p->variant, var, sizeof(p->variant));
}

enum bw_err image_config_parse(const char *data, size_t n, const char *what,
			       struct image_info *info, struct bw_errbuf *eb)
{
	json_t *root = NULL, *ids;
	enum bw_err result;
	size_t i, nid;

	result = bw_json_parse(data, n, what, &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a JSON object", what);
		goto out_root;
	}
	platform_from_json(root, "os", "architecture", &info->platform);
	ids = json_object_get(json_object_get(root, "rootfs"), "diff_ids");
	if (!ids)
		goto out_root; /* optional: then only blob digests are checked */
	if (!json_is_array(ids)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: rootfs.diff_ids is not an array", what);
		goto out_root;
	}
	nid = json_array_size(ids);
	if (nid != info->nlayers) {
		result = bw_fail(eb, BW_ERR_FORMAT,
				 "%s: rootfs.diff_ids lists %zu layers but the manifest has %zu", what,
				 nid, info->nlayers);
		goto out_root;
	}
	for (i = 0; i < nid; i++) {
		json_t *v = json_array_get(ids, i);

		if (!json_is_string(v) || !bw_digest_valid(json_string_value(v))) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: rootfs.diff_ids[%zu] is not a digest",
					 what, i);
			goto out_root;
		}
		free(info->layers[i].diff_id);
		info->layers[i].diff_id = bw_strdup(json_string_value(v));
		if (!info->layers[i].diff_id) {
			result = BW_ERR_NOMEM;
			goto out_root;
		}
	}
out_root:
	json_decref(root);
	return result;
}

void image_desc_list_release(struct image_desc_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->d[i].media_type);
		free(l->d[i].digest);
		free(l->d[i].ref_name);
		free(l->d[i].full_name);
	}
	free(l->d);
	l->d = NULL;
	l->n = 0;
}

enum bw_err image_index_parse(const char *data, size_t n, const char *what,
			      struct image_desc_list *out, struct bw_errbuf *eb)
{
	json_t *root = NULL, *ms;
	enum bw_err result;
	size_t i, nm;

	out->d = NULL;
	out->n = 0;
	result = bw_json_parse(data, n, what, &root, eb);
	if (result)
		return result;
	ms = json_object_get(root, "manifests");
	if (!json_is_object(root) || !json_is_array(ms)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no manifests array", what);
		goto out_root;
	}
	if (bw_json_int(root, "schemaVersion", 2) != 2) {
		result = bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: schemaVersion %lld", what,
				 (long long)bw_json_int(root, "schemaVersion", 0));
		goto out_root;
	}
	nm = json_array_size(ms);
	if (nm > IMAGE_MAX_MANIFESTS) {
		result = bw_fail(eb, BW_ERR_LIMIT, "%s: %zu manifests (the cap is %u)", what, nm,
				 IMAGE_MAX_MANIFESTS);
		goto out_root;
	}
	out->d = nm ? bw_calloc(nm, sizeof(*out->d)) : NULL;
	if (nm && !out->d) {
		result = BW_ERR_NOMEM;
		goto out_root;
	}
	for (i = 0; i < nm; i++) {
		json_t *m = json_array_get(ms, i), *ann = json_object_get(m, "annotations"),
		       *pl = json_object_get(m, "platform");
		struct image_desc *d = &out->d[out->n];
		const char *dg = bw_json_str(m, "digest"), *mt = bw_json_str(m, "mediaType"),
			   *rn = bw_json_str(ann, "org.opencontainers.image.ref.name"),
			   *fn = bw_json_str(ann, "io.containerd.image.name");

		if (!dg || !bw_digest_valid(dg)) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: manifests[%zu].digest missing or not a digest",
					 what, i);
			goto out_list;
		}
		out->n++;
		d->digest = bw_strdup(dg);
		d->media_type = mt ? bw_strdup(mt) : NULL;
		d->ref_name = rn ? bw_strdup(rn) : NULL;
		d->full_name = fn ? bw_strdup(fn) : NULL;
		d->size = bw_json_int(m, "size", -1);
		if (json_is_object(pl)) {
			d->has_platform = true;
			platform_from_json(pl, "os", "architecture", &d->platform);
		}
		if (!d->digest || (mt && !d->media_type) || (rn && !d->ref_name) ||
		    (fn && !d->full_name)) {
			result = BW_ERR_NOMEM;
			goto out_list;
		}
	}
out_list:
	if (result)
		image_desc_list_release(out);
out_root:
	json_decref(root);
	return result;
}

/* Strip "docker.io/" and "library/" so that short and long names compare. */
static const char *short_name(const char *s)
{
	if (bw_str_starts_with(s, "docker.io/"))
		s += 10;
	else if (bw_str_starts_with(s, "index.docker.io/"))
		s += 16;
	if (bw_str_starts_with(s, "library/"))
		s += 8;
	return s;
}

bool image_name_matches(const char *selector, const char *name)
{
	if (!selector || !name)
		return false;
	if (strcmp(selector, name) == 0)
		return true;
	return strcmp(short_name(selector), short_name(name)) == 0;
}

/* docker.c - docker-archive:FILE[:TAG], what `docker save` / `podman save`
 * / skopeo write: manifest.json = [{Config, RepoTags, Layers}], with the
 * config and layer tars stored as "HEX.json" / "HEX.tar" (skopeo, old
 * docker "ID/layer.tar") or "blobs/sha256/HEX" (docker 25+, which also
 * writes an OCI index beside it; manifest.json covers both forms).
 *
 * Digests: the config is checked against the hex in its name when it has
 * one (and its sha256 is the image ID); a layer's blob digest comes from its
 * name when the name carries one ("HEX.tar", "blobs/sha256/HEX"), else from
 * the config's diff_id (docker-archive layers are uncompressed tars); the
 * diff_ids are checked against the uncompressed stream in every case.
 */
#include <stdlib.h>
#include <string.h>

#include "image_int.h"

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "sha256:HEX" from a stored name, or NULL when the name carries none. */
static char *digest_from_name(const char *name)
{
	const char *base = bw_path_base(name);
	size_t n = strlen(base);

	if (bw_str_starts_with(name, "blobs/sha256/") && is_hex64(base, n))
		return bw_strfmt("sha256:%s", base);
	if (n == 64 + 4 && (bw_str_ends_with(base, ".tar") || bw_str_ends_with(base, ".json")) &&
	    is_hex64(base, 64))
		return bw_strfmt("sha256:%.64s", base);
	if (n == 64 + 5 && bw_str_ends_with(base, ".json") && is_hex64(base, 64))
		return bw_strfmt("sha256:%.64s", base);
	return NULL;
}

static void source_free(struct image_source *src)
{
	if (!src)
		return;
	image_store_release(&src->st);
	for (size_t i = 0; i < src->nlayer_paths; i++)
		free(src->layer_paths[i]);
	free(src->layer_paths);
	free(src);
}

static enum bw_err clean_name(const char *raw, char *out, size_t outsz, const char *what,
			      struct bw_errbuf *eb)
{
	if (!raw || strlen(raw) >= outsz || bw_path_clean(raw, out, outsz) != BW_OK || !*out)
		return bw_fail(eb, BW_ERR_FORMAT, "manifest.json: %s is not a path inside the archive",
			       what);
	return BW_OK;
}

/* Pick the manifest.json entry: by selector among RepoTags, or the only one. */
static enum bw_err pick_entry(json_t *root, const char *selector, const char *what,
			      json_t **out, struct bw_errbuf *eb)
{
	struct bw_buf tags;
	json_t *found = NULL;
	size_t n = json_array_size(root);
	enum bw_err result = BW_OK;

	bw_buf_init(&tags, 4096);
	if (n > IMAGE_MAX_MANIFESTS)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: manifest.json lists %zu images", what, n);
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(root, i), *rt = json_object_get(m, "RepoTags");
		bool match = false;

		for (size_t j = 0; j < json_array_size(rt); j++) {
			const char *t = json_string_value(json_array_get(rt, j));

			if (!t)
				continue;
			bw_buf_appendf(&tags, "%s%s", tags.len ? ", " : "", t);
			if (selector && image_name_matches(selector, t))
				match = true;
		}
		if (!selector || match) {
			if (found && found != m) {
				if (!selector) {
					result = bw_fail(eb, BW_ERR_USAGE,
							 "%s: holds several images; choose one with "
							 ":TAG (tags: %s)", what,
							 tags.len ? tags.data : "none");
					goto out_tags;
				}
				continue; /* the first with the tag wins */
			}
			found = m;
		}
	}
	if (!found) {
		if (n == 0)
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: manifest.json lists no image", what);
		else
			result = bw_fail(eb, BW_ERR_NOT_FOUND, "%s: no image tagged '%s'; tags present: %s",
					 what, selector ? selector : "", tags.len ? tags.data : "none");
		goto out_tags;
	}
	*out = found;
out_tags:
	bw_buf_release(&tags);
	return result;
}

static enum bw_err docker_open(const struct image_ref *ref, const struct image_open_opts *opts,
			       struct image_info *info, struct image_source **src_out,
			       struct bw_errbuf *eb)
{
	struct image_source *src;
	struct bw_buf b;
	json_t *root = NULL, *m = NULL, *layers, *rt;
	char name[IMAGE_MAX_PATH], hex[BW_SHA256_HEX_LEN + 1];
	char *named = NULL;
	enum bw_err result;
	size_t nl;

	(void)opts; /* a docker archive holds one platform per image */
	src = calloc(1, sizeof(*src));
	if (!src)
		return BW_ERR_NOMEM;
	src->rootfd = -1;
	result = image_store_open(&src->st, ref->path, false, eb);
	if (result)
		goto out_src;
	result = image_store_read(&src->st, "manifest.json", IMAGE_MAX_INDEX_BYTES, &b, eb);
	if (result) {
		bw_fail_prefix(eb, result, "%s: not a docker archive", ref->path);
		goto out_src;
	}
	result = bw_json_parse(b.data, b.len, "manifest.json", &root, eb);
	bw_buf_release(&b);
	if (result) {
		bw_fail_prefix(eb, result, "%s", ref->path);
		goto out_src;
	}
	if (!json_is_array(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: manifest.json is not an array", ref->path);
		goto out_root;
	}
	result = pick_entry(root, ref->selector, ref->path, &m, eb);
	if (result)
		goto out_root;
	/* config */
	result = clean_name(bw_json_str(m, "Config"), name, sizeof(name), "Config", eb);
	if (result)
		goto out_root;
	result = image_store_read(&src->st, name, IMAGE_MAX_CONFIG_BYTES, &b, eb);
	if (result)
		goto out_root;
	named = digest_from_name(name);
	if (named) {
		result = image_digest_check(named, b.data, b.len, name, eb);
		free(named);
		named = NULL;
		if (result) {
			bw_buf_release(&b);
			bw_fail_prefix(eb, result, "%s", ref->path);
			goto out_root;
		}
	}
	result = bw_hash_hex(BW_HASH_SHA256, b.data, b.len, hex, sizeof(hex));
	if (!result && !(info->config_digest = bw_strfmt("sha256:%s", hex)))
		result = BW_ERR_NOMEM;
	if (result) {
		bw_buf_release(&b);
		goto out_root;
	}
	/* layers (the config's diff_ids are filled after) */
	layers = json_object_get(m, "Layers");
	nl = json_array_size(layers);
	if (!json_is_array(layers) || nl > IMAGE_MAX_LAYERS) {
		bw_buf_release(&b);
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: manifest.json: Layers missing or over %u",
				 ref->path, IMAGE_MAX_LAYERS);
		goto out_root;
	}
	info->layers = nl ? bw_calloc(nl, sizeof(*info->layers)) : NULL;
	src->layer_paths = nl ? bw_calloc(nl, sizeof(char *)) : NULL;
	if (nl && (!info->layers || !src->layer_paths)) {
		bw_buf_release(&b);
		result = BW_ERR_NOMEM;
		goto out_root;
	}
	info->nlayers = nl;
	src->nlayer_paths = nl;
	for (size_t i = 0; i < nl && !result; i++) {
		char what[32];

		snprintf(what, sizeof(what), "Layers[%zu]", i);
		result = clean_name(json_string_value(json_array_get(layers, i)), name, sizeof(name),
				    what, eb);
		if (result)
			break;
		if (!image_store_has(&src->st, name)) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s %s is not in the archive", ref->path,
					 what, name);
			break;
		}
		src->layer_paths[i] = bw_strdup(name);
		info->layers[i].digest = digest_from_name(name);
		info->layers[i].size = -1;
		if (!src->layer_paths[i])
			result = BW_ERR_NOMEM;
	}
	if (!result) {
		result = image_config_parse(b.data, b.len, "the image config", info, eb);
		if (result)
			bw_fail_prefix(eb, result, "%s", ref->path);
	}
	for (size_t i = 0; i < nl && !result; i++) {
		if (info->layers[i].digest)
			continue;
		if (!info->layers[i].diff_id) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "%s: layer %zu has neither a digest in its name nor a diff_id",
					 ref->path, i + 1);
			break;
		}
		info->layers[i].digest = bw_strdup(info->layers[i].diff_id);
		if (!info->layers[i].digest)
			result = BW_ERR_NOMEM;
	}
	if (result) {
		bw_buf_release(&b);
		goto out_root;
	}
	info->config_json = bw_buf_detach(&b, &info->config_len);
	rt = json_object_get(m, "RepoTags");
	for (size_t j = 0; j < json_array_size(rt) && !result; j++)
		if (json_string_value(json_array_get(rt, j)))
			result = bw_strv_push(&info->repo_tags, json_string_value(json_array_get(rt, j)));
out_root:
	json_decref(root);
	if (!result) {
		*src_out = src;
		return BW_OK;
	}
out_src:
	source_free(src);
	return result;
}

static enum bw_err docker_open_layer(struct image_source *src, size_t i, struct image_blob **out,
				     struct bw_errbuf *eb)
{
	if (i >= src->nlayer_paths)
		return bw_fail(eb, BW_ERR_INTERNAL, "layer %zu out of range", i);
	return image_store_blob(&src->st, src->layer_paths[i], out, eb);
}

static void docker_close(struct image_source *src)
{
	source_free(src);
}

const struct image_source_ops image_source_docker_ops = {
	.name = "docker-archive",
	.open = docker_open,
	.open_layer = docker_open_layer,
	.walk_dir = NULL,
	.close = docker_close,
};

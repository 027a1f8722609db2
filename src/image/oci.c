/* oci.c - OCI image layout sources: oci:DIR[:TAG] and oci-archive:FILE[:TAG].
 *
 * index.json -> (selector: the org.opencontainers.image.ref.name annotation)
 * -> manifest, or nested index -> platform choice -> manifest -> config.
 * Every blob read is checked against its digest.
 */
#include <stdlib.h>
#include <string.h>

#include "image_int.h"

struct leaf {
	char *digest;
	bool has_platform;
	struct image_platform platform;
	const char *name; /* top-level ref name (points into the top list) */
};

struct leaves {
	struct leaf *v;
	size_t n, cap;
	unsigned int index_reads; /* nested index blobs read, bounded */
};

/* Nested indexes read per open: a hostile layout could point thousands of
 * descriptors at the same large index. */
#define OCI_MAX_INDEX_READS 64

static void leaves_release(struct leaves *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].digest);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void source_free(struct image_source *src)
{
	if (!src)
		return;
	image_store_release(&src->st);
	for (size_t i = 0; i < src->nlayer_paths; i++)
		free(src->layer_paths[i]);
	free(src->layer_paths);
	free(src->root);
	free(src);
}

/* Read a blob named by digest, bounded, and check it. */
static enum bw_err read_blob(struct image_store *st, const char *digest, size_t max,
			     const char *what, struct bw_buf *b, struct bw_errbuf *eb)
{
	char path[160];
	enum bw_err result;

	result = image_digest_path(digest, path, sizeof(path), eb);
	if (result)
		return bw_fail_prefix(eb, result, "%s: %s", st->what, what);
	result = image_store_read(st, path, max, b, eb);
	if (result)
		return bw_fail_prefix(eb, result, "%s", what);
	result = image_digest_check(digest, b->data, b->len, what, eb);
	if (result) {
		bw_fail_prefix(eb, result, "%s", st->what);
		bw_buf_release(b);
	}
	return result;
}

static void platform_str(const struct image_platform *p, char *out, size_t n)
{
	snprintf(out, n, "%s/%s%s%s", p->os[0] ? p->os : "?", p->arch[0] ? p->arch : "?",
		 p->variant[0] ? "/" : "", p->variant);
}

static bool platform_matches(const struct image_platform *want, const struct image_platform *have)
{
	if (strcmp(want->os, have->os) != 0 || strcmp(want->arch, have->arch) != 0)
		return false;
	return !want->variant[0] || !have->variant[0] || strcmp(want->variant, have->variant) == 0;
}

/* Add the image manifests reachable from one descriptor (nested indexes
 * are followed up to IMAGE_MAX_INDEX_DEPTH). */
static enum bw_err collect(struct image_store *st, const struct image_desc *d, const char *name,
			   int depth, struct leaves *out, struct bw_errbuf *eb)
{
	struct image_desc_list sub = {0};
	struct bw_buf b;
	enum bw_err result;

	if (!image_media_is_index(d->media_type)) {
		struct leaf *lf;

		if (d->has_platform && strcmp(d->platform.os, "unknown") == 0)
			return BW_OK; /* attestation manifests (buildx) */
		result = bw_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v),
				 IMAGE_MAX_MANIFESTS);
		if (result)
			return bw_fail(eb, result, "%s: too many manifests", st->what);
		lf = &out->v[out->n];
		memset(lf, 0, sizeof(*lf));
		lf->digest = bw_strdup(d->digest);
		if (!lf->digest)
			return BW_ERR_NOMEM;
		lf->has_platform = d->has_platform;
		lf->platform = d->platform;
		lf->name = name;
		out->n++;
		return BW_OK;
	}
	if (depth >= IMAGE_MAX_INDEX_DEPTH)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: indexes nested deeper than %d", st->what,
			       IMAGE_MAX_INDEX_DEPTH);
	if (++out->index_reads > OCI_MAX_INDEX_READS)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: more than %d nested indexes", st->what,
			       OCI_MAX_INDEX_READS);
	result = read_blob(st, d->digest, IMAGE_MAX_INDEX_BYTES, d->digest, &b, eb);
	if (result)
		return result;
	result = image_index_parse(b.data, b.len, d->digest, &sub, eb);
	bw_buf_release(&b);
	for (size_t i = 0; !result && i < sub.n; i++)
		result = collect(st, &sub.d[i], name, depth + 1, out, eb);
	image_desc_list_release(&sub);
	return result;
}

static enum bw_err list_names(const struct image_desc_list *top, struct bw_buf *msg)
{
	enum bw_err result = BW_OK;
	bool any = false;

	for (size_t i = 0; i < top->n && !result; i++) {
		const char *nm = top->d[i].ref_name ? top->d[i].ref_name : top->d[i].full_name;

		if (!nm)
			continue;
		result = bw_buf_appendf(msg, "%s%s", any ? ", " : "", nm);
		any = true;
	}
	if (!any && !result)
		result = bw_buf_appends(msg, "(none)");
	return result;
}

/* strict: the user named the platform; otherwise a lone image of another
 * platform is taken as it is (there is nothing else to scan). */
static enum bw_err choose(struct image_store *st, const struct image_desc_list *top,
			  const char *selector, const struct image_platform *want, bool strict,
			  struct leaf *chosen, char **tag, struct bw_errbuf *eb)
{
	struct leaves lv = {0};
	struct bw_buf msg;
	const struct leaf *pick = NULL;
	size_t nsel = 0;
	enum bw_err result = BW_OK;
	const char *first_name = NULL;
	bool mixed_names = false;

	bw_buf_init(&msg, 4096);
	for (size_t i = 0; i < top->n && !result; i++) {
		const struct image_desc *d = &top->d[i];
		const char *nm = d->ref_name ? d->ref_name : d->full_name;

		if (selector && !image_name_matches(selector, d->ref_name) &&
		    !image_name_matches(selector, d->full_name))
			continue;
		nsel++;
		if (nm) {
			if (first_name && strcmp(first_name, nm) != 0)
				mixed_names = true;
			if (!first_name)
				first_name = nm;
		}
		result = collect(st, d, nm, 0, &lv, eb);
	}
	if (result)
		goto out_release;
	if (nsel == 0) {
		list_names(top, &msg);
		result = bw_fail(eb, BW_ERR_NOT_FOUND, "%s: no image tagged '%s'; tags present: %s",
				 st->what, selector ? selector : "", msg.data ? msg.data : "");
		goto out_release;
	}
	if (!selector && mixed_names) {
		list_names(top, &msg);
		result = bw_fail(eb, BW_ERR_USAGE,
				 "%s: holds several images; choose one with :TAG (tags: %s)", st->what,
				 msg.data ? msg.data : "");
		goto out_release;
	}
	if (lv.n == 1 && (!lv.v[0].has_platform || !strict ||
			  platform_matches(want, &lv.v[0].platform))) {
		pick = &lv.v[0];
	} else {
		/* prefer an exact variant, then any variant of os/arch */
		for (size_t i = 0; i < lv.n && !pick; i++)
			if (lv.v[i].has_platform && platform_matches(want, &lv.v[i].platform) &&
			    strcmp(want->variant, lv.v[i].platform.variant) == 0)
				pick = &lv.v[i];
		for (size_t i = 0; i < lv.n && !pick; i++)
			if (lv.v[i].has_platform && platform_matches(want, &lv.v[i].platform))
				pick = &lv.v[i];
		if (!pick && lv.n == 1 && !lv.v[0].has_platform)
			pick = &lv.v[0];
	}
	if (!pick) {
		char ws[96], ps[96];

		for (size_t i = 0; i < lv.n; i++) {
			if (!lv.v[i].has_platform)
				continue;
			platform_str(&lv.v[i].platform, ps, sizeof(ps));
			bw_buf_appendf(&msg, "%s%s", msg.len ? ", " : "", ps);
		}
		platform_str(want, ws, sizeof(ws));
		result = bw_fail(eb, BW_ERR_NOT_FOUND,
				 "%s: no image for platform %s; choose one with --platform: %s",
				 st->what, ws, msg.len ? msg.data : "(none listed)");
		goto out_release;
	}
	*chosen = *pick;
	chosen->digest = bw_strdup(pick->digest);
	*tag = pick->name ? bw_strdup(pick->name) : NULL;
	if (!chosen->digest || (pick->name && !*tag)) {
		free(chosen->digest);
		chosen->digest = NULL;
		result = BW_ERR_NOMEM;
	}
out_release:
	bw_buf_release(&msg);
	leaves_release(&lv);
	return result;
}

/* Read the chosen manifest and its config into info. */
static enum bw_err load_manifest(struct image_store *st, const char *mdigest,
				 struct image_info *info, struct bw_errbuf *eb)
{
	struct bw_buf b;
	char *cdigest = NULL;
	enum bw_err result;

	result = read_blob(st, mdigest, IMAGE_MAX_INDEX_BYTES, mdigest, &b, eb);
	if (result)
		return result;
	result = image_manifest_parse(b.data, b.len, mdigest, info, &cdigest, eb);
	bw_buf_release(&b);
	if (result)
		return bw_fail_prefix(eb, result, "%s", st->what);
	info->manifest_digest = bw_strdup(mdigest);
	info->config_digest = cdigest;
	if (!info->manifest_digest)
		return BW_ERR_NOMEM;
	result = read_blob(st, cdigest, IMAGE_MAX_CONFIG_BYTES, "the image config", &b, eb);
	if (result)
		return result;
	result = image_config_parse(b.data, b.len, cdigest, info, eb);
	if (result) {
		bw_buf_release(&b);
		return bw_fail_prefix(eb, result, "%s", st->what);
	}
	info->config_json = bw_buf_detach(&b, &info->config_len);
	return info->config_json ? BW_OK : BW_ERR_NOMEM;
}

static enum bw_err oci_open(const struct image_ref *ref, const struct image_open_opts *opts,
			    struct image_info *info, struct image_source **src_out,
			    struct bw_errbuf *eb)
{
	struct image_source *src;
	struct image_desc_list top = {0};
	struct leaf chosen = {0};
	struct bw_buf b;
	char *tag = NULL;
	enum bw_err result;

	src = calloc(1, sizeof(*src));
	if (!src)
		return BW_ERR_NOMEM;
	src->rootfd = -1;
	result = image_store_open(&src->st, ref->path, ref->kind == IMAGE_REF_OCI_DIR, eb);
	if (result)
		goto out_src;
	result = image_store_read(&src->st, "index.json", IMAGE_MAX_INDEX_BYTES, &b, eb);
	if (result) {
		bw_fail_prefix(eb, result, "%s: not an OCI image layout", ref->path);
		goto out_src;
	}
	result = image_index_parse(b.data, b.len, "index.json", &top, eb);
	bw_buf_release(&b);
	if (result) {
		bw_fail_prefix(eb, result, "%s", ref->path);
		goto out_src;
	}
	result = choose(&src->st, &top, ref->selector, &opts->platform, opts->platform_set, &chosen,
			&tag, eb);
	if (result)
		goto out_top;
	result = load_manifest(&src->st, chosen.digest, info, eb);
	if (!result && chosen.has_platform && !info->platform.arch[0])
		info->platform = chosen.platform;
	if (!result && tag)
		result = bw_strv_push(&info->repo_tags, tag);
out_top:
	free(chosen.digest);
	free(tag);
	image_desc_list_release(&top);
	if (!result) {
		*src_out = src;
		return BW_OK;
	}
out_src:
	source_free(src);
	return result;
}

static enum bw_err oci_open_layer(struct image_source *src, size_t i, struct image_blob **out,
				  struct bw_errbuf *eb);

static void oci_close(struct image_source *src)
{
	source_free(src);
}

/* Layers are blobs named by their digest. info is reachable only through
 * the image, so the digest path is recomputed by the walker's caller; the
 * source keeps the paths it computed at open. */
static enum bw_err oci_open_layer(struct image_source *src, size_t i, struct image_blob **out,
				  struct bw_errbuf *eb)
{
	if (i >= src->nlayer_paths)
		return bw_fail(eb, BW_ERR_INTERNAL, "layer %zu out of range", i);
	return image_store_blob(&src->st, src->layer_paths[i], out, eb);
}

/* Wrap open: remember each layer's blob path. */
static enum bw_err oci_open_all(const struct image_ref *ref, const struct image_open_opts *opts,
				struct image_info *info, struct image_source **src_out,
				struct bw_errbuf *eb)
{
	struct image_source *src = NULL;
	enum bw_err result = oci_open(ref, opts, info, &src, eb);

	if (result)
		return result;
	src->layer_paths = info->nlayers ? bw_calloc(info->nlayers, sizeof(char *)) : NULL;
	if (info->nlayers && !src->layer_paths) {
		source_free(src);
		return BW_ERR_NOMEM;
	}
	for (size_t i = 0; i < info->nlayers; i++) {
		char path[160];

		result = image_digest_path(info->layers[i].digest, path, sizeof(path), eb);
		if (!result && !(src->layer_paths[i] = bw_strdup(path)))
			result = BW_ERR_NOMEM;
		if (result) {
			source_free(src);
			return result;
		}
		src->nlayer_paths = i + 1;
	}
	*src_out = src;
	return BW_OK;
}

const struct image_source_ops image_source_oci_ops = {
	.name = "oci",
	.open = oci_open_all,
	.open_layer = oci_open_layer,
	.walk_dir = NULL,
	.close = oci_close,
};

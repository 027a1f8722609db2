/* catalog_ref.c - from the reference a user typed to a sorted SBOM. */
#include "sbom/sbom.h"

/* Fill what the catalogue left unset from the opened image, so every report
 * names its subject. */
static enum bw_err describe_target(struct sbom *sb, const struct image_ref *ref,
				   const struct image *img)
{
	const struct image_info *info = image_get_info(img);

	if (!sb->target && !(sb->target = bw_strdup(ref->text)))
		return BW_ERR_NOMEM;
	if (!sb->target_kind && !(sb->target_kind = bw_strdup(image_ref_kind_name(ref->kind))))
		return BW_ERR_NOMEM;
	if (!info)
		return BW_OK;
	if (!sb->image_digest && info->manifest_digest &&
	    !(sb->image_digest = bw_strdup(info->manifest_digest)))
		return BW_ERR_NOMEM;
	if (!sb->image_id && info->config_digest && !(sb->image_id = bw_strdup(info->config_digest)))
		return BW_ERR_NOMEM;
	if (sb->layer_digests.n == 0)
		for (size_t i = 0; i < info->nlayers; i++)
			if (info->layers[i].digest &&
			    bw_strv_push(&sb->layer_digests, info->layers[i].digest) != BW_OK)
				return BW_ERR_NOMEM;
	return BW_OK;
}

enum bw_err sbom_catalog_ref(const char *ref_text, const char *platform,
			     const struct sbom_opts *opts, struct sbom **out, struct bw_errbuf *eb)
{
	struct image_ref ref = {0};
	struct image_open_opts oopts = {0};
	struct image *img = NULL;
	struct sbom *sb = NULL;
	enum bw_err result;

	*out = NULL;
	if (platform) {
		result = image_platform_parse(platform, &oopts.platform, eb);
		if (result != BW_OK)
			return result;
		oopts.platform_set = true;
	}
	result = image_ref_parse(ref_text, &ref, eb);
	if (result != BW_OK)
		return result;
	result = image_open(&ref, &oopts, &img, eb);
	if (result != BW_OK)
		goto out_ref;
	result = sbom_catalog(img, opts, &sb, eb);
	if (result != BW_OK)
		goto out_image;
	result = describe_target(sb, &ref, img);
	if (result != BW_OK) {
		bw_fail(eb, result, "out of memory describing %s", ref.text);
		sbom_free(sb);
		goto out_image;
	}
	sbom_sort(sb);
	*out = sb;
out_image:
	image_free(img);
out_ref:
	image_ref_release(&ref);
	return result;
}

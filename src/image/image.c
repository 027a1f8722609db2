/* image.c - opening an image: picks the source by the reference's kind. */
#include <stdlib.h>
#include <string.h>

#include "image_int.h"

static const struct image_source_ops *registry_ops;

void image_register_registry_source(const struct image_source_ops *ops)
{
	registry_ops = ops;
}

enum bw_err image_open(const struct image_ref *ref, const struct image_open_opts *opts,
		       struct image **out, struct bw_errbuf *eb)
{
	const struct image_source_ops *ops = NULL;
	struct image_open_opts dflt;
	struct image *img;
	enum bw_err result;

	*out = NULL;
	switch (ref->kind) {
	case IMAGE_REF_DIR:
		ops = &image_source_dir_ops;
		break;
	case IMAGE_REF_OCI_DIR:
	case IMAGE_REF_OCI_ARCHIVE:
		ops = &image_source_oci_ops;
		break;
	case IMAGE_REF_DOCKER_ARCHIVE:
		ops = &image_source_docker_ops;
		break;
	case IMAGE_REF_REGISTRY:
		ops = registry_ops;
		if (!ops)
			return bw_fail(eb, BW_ERR_UNSUPPORTED,
				       "%s: registry sources come with the registry module",
				       ref->text ? ref->text : ref->path);
		break;
	}
	if (!ops)
		return bw_fail(eb, BW_ERR_USAGE, "unknown image reference kind %d", (int)ref->kind);
	if (!opts || !opts->platform_set) {
		memset(&dflt, 0, sizeof(dflt));
		if (opts)
			dflt.registry_opts = opts->registry_opts;
		image_platform_host(&dflt.platform);
		opts = &dflt;
	}
	img = calloc(1, sizeof(*img));
	if (!img)
		return BW_ERR_NOMEM;
	img->ops = ops;
	img->info.ref_text = bw_strdup(ref->text ? ref->text : ref->path);
	if (!img->info.ref_text) {
		free(img);
		return BW_ERR_NOMEM;
	}
	result = ops->open(ref, opts, &img->info, &img->src, eb);
	if (result) {
		img->src = NULL;
		image_free(img);
		return result;
	}
	*out = img;
	return BW_OK;
}

const struct image_info *image_get_info(const struct image *img)
{
	return &img->info;
}

void image_free(struct image *img)
{
	if (!img)
		return;
	if (img->src && img->ops->close)
		img->ops->close(img->src);
	image_info_release(&img->info);
	free(img);
}

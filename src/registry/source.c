/* source.c - the registry as an image source for image_open(): manifest
 * (through an index by platform), config, and layers downloaded one at a
 * time into an unlinked temp file with their digest verified, then read
 * by the walker. A layer whose catalogued result is in the layer cache
 * (cache.c) is not downloaded at all: the walker replays the result. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "registry_int.h"

#define CONFIG_MAX (8u << 20)

struct image_source {
	struct registry_client *client;
	struct registry_opts env_opts; /* when image_open_opts had none */
	struct bw_strv layer_digests;
	int64_t *sizes;
	size_t nlayers;
	char *cache_dir; /* layer cache, or NULL */
	/* the last layer downloaded, kept for a second pass over it (hard
	 * links whose targets were not kept) */
	int last_fd;
	size_t last_i;
};

struct reg_blob {
	struct image_blob b;
	int fd;
};

static bool env_true(const char *name)
{
	const char *v = getenv(name);

	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

void registry_opts_from_env(struct registry_opts *o)
{
	const char *v;

	memset(o, 0, sizeof(*o));
	o->insecure = env_true("BULWARK_REGISTRY_INSECURE");
	v = getenv("BULWARK_REGISTRY_CA_FILE");
	o->ca_file = v && *v ? v : NULL;
	v = getenv("BULWARK_REGISTRY_USERNAME");
	o->username = v && *v ? v : NULL;
	o->password = getenv("BULWARK_REGISTRY_PASSWORD");
}

static const struct registry_opts *default_opts;

void registry_set_default_opts(const struct registry_opts *o)
{
	default_opts = o;
}

enum bw_err registry_opts_arg(struct registry_opts *o, int argc, char **argv, int *i,
			      bool *matched, struct bw_errbuf *eb)
{
	const char *a = argv[*i];
	const char *const with_value[] = {"--ca-file", "--username"};

	*matched = true;
	if (!strcmp(a, "--insecure")) {
		o->insecure = true;
		return BW_OK;
	}
	for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++) {
		size_t n = strlen(with_value[k]);
		const char *v = NULL;

		if (strncmp(a, with_value[k], n) || (a[n] && a[n] != '='))
			continue;
		if (a[n] == '=')
			v = a + n + 1;
		else if (*i + 1 < argc)
			v = argv[++*i];
		if (!v || !*v)
			return bw_fail(eb, BW_ERR_USAGE, "%s needs a value", with_value[k]);
		if (k == 0)
			o->ca_file = v;
		else
			o->username = v;
		return BW_OK;
	}
	*matched = false;
	return BW_OK;
}

static void source_close(struct image_source *src)
{
	if (!src)
		return;
	registry_client_free(src->client);
	if (src->last_fd >= 0)
		close(src->last_fd);
	bw_strv_release(&src->layer_digests);
	free(src->sizes);
	free(src->cache_dir);
	free(src);
}

/* os/architecture/variant and rootfs.diff_ids from the config. */
static enum bw_err read_config(const char *where, struct image_info *info,
			       struct bw_errbuf *eb)
{
	json_t *root = NULL, *diffs;
	enum bw_err result;

	result = bw_json_parse(info->config_json, info->config_len, where, &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a JSON object", where);
		goto out_root;
	}
	{
		const char *os = bw_json_str(root, "os"), *arch = bw_json_str(root, "architecture");
		const char *var = bw_json_str(root, "variant");

		bw_strlcpy(info->platform.os, os ? os : "", sizeof(info->platform.os));
		bw_strlcpy(info->platform.arch, arch ? arch : "", sizeof(info->platform.arch));
		bw_strlcpy(info->platform.variant, var ? var : "", sizeof(info->platform.variant));
	}
	diffs = json_object_get(json_object_get(root, "rootfs"), "diff_ids");
	if (json_is_array(diffs) && json_array_size(diffs) == info->nlayers) {
		for (size_t i = 0; i < info->nlayers; i++) {
			const char *d = json_string_value(json_array_get(diffs, i));

			if (!d || !bw_digest_valid(d)) {
				result = bw_fail(eb, BW_ERR_FORMAT, "%s: rootfs.diff_ids[%zu] malformed",
						 where, i);
				goto out_root;
			}
			if (!(info->layers[i].diff_id = bw_strdup(d))) {
				result = BW_ERR_NOMEM;
				goto out_root;
			}
		}
	} else if (json_is_array(diffs)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: %zu diff_ids for %zu layers", where,
				 json_array_size(diffs), info->nlayers);
	}
out_root:
	json_decref(root);
	return result;
}

static enum bw_err fetch_image_manifest(struct image_source *src, const struct registry_name *n,
					const struct image_open_opts *opts, const char *where,
					struct registry_manifest *m, struct image_info *info,
					struct bw_errbuf *eb)
{
	char digest[80], sub_digest[80];
	char *data = NULL, *ctype = NULL;
	size_t len = 0;
	enum bw_err result;

	result = registry_get_manifest(src->client, n->digest ? n->digest : n->tag, &data, &len,
				       &ctype, digest, eb);
	if (result)
		return result;
	result = registry_manifest_parse(data, len, ctype, where, m, eb);
	free(data);
	free(ctype);
	ctype = NULL;
	if (result)
		return result;
	if (!(info->manifest_digest = bw_strdup(digest)))
		return BW_ERR_NOMEM;
	if (m->kind == REGISTRY_MANIFEST_INDEX) {
		ssize_t k = registry_manifest_select(m, &opts->platform);
		char *pick;
		struct bw_buf avail;

		if (k < 0) {
			bw_buf_init(&avail, 2048);
			for (size_t i = 0; i < m->nentries; i++) {
				const struct image_platform *p = &m->entries[i].platform;

				bw_buf_appendf(&avail, "%s%s/%s%s%s", i ? ", " : "", p->os, p->arch,
					       p->variant[0] ? "/" : "", p->variant);
			}
			result = bw_fail(eb, BW_ERR_NOT_FOUND,
					 "%s: no image for platform %s/%s%s%s in the index (has: %s)",
					 where, opts->platform.os, opts->platform.arch,
					 opts->platform.variant[0] ? "/" : "",
					 opts->platform.variant, avail.data ? avail.data : "none");
			bw_buf_release(&avail);
			return result;
		}
		pick = bw_strdup(m->entries[k].digest);
		registry_manifest_release(m);
		if (!pick)
			return BW_ERR_NOMEM;
		result = registry_get_manifest(src->client, pick, &data, &len, &ctype, sub_digest,
					       eb);
		free(pick);
		if (result)
			return result;
		result = registry_manifest_parse(data, len, ctype, where, m, eb);
		free(data);
		free(ctype);
		if (result)
			return result;
		if (m->kind != REGISTRY_MANIFEST_IMAGE)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: index entry is another index", where);
	}
	return BW_OK;
}

static enum bw_err source_open(const struct image_ref *ref, const struct image_open_opts *opts,
			       struct image_info *info, struct image_source **src_out,
			       struct bw_errbuf *eb)
{
	struct registry_name n;
	struct registry_manifest m = {0};
	struct image_source *src;
	const struct registry_opts *ro = opts ? opts->registry_opts : NULL;
	char *where = NULL;
	size_t clen = 0;
	enum bw_err result;

	*src_out = NULL;
	result = registry_name_parse(ref->path ? ref->path : ref->text, &n, eb);
	if (result)
		return result;
	src = calloc(1, sizeof(*src));
	if (!src) {
		result = BW_ERR_NOMEM;
		goto out_name;
	}
	src->last_fd = -1;
	if (!ro)
		ro = default_opts;
	if (!ro) {
		registry_opts_from_env(&src->env_opts);
		ro = &src->env_opts;
	}
	where = bw_strfmt("%s/%s%s%s", n.host, n.repo, n.digest ? "@" : ":",
			  n.digest ? n.digest : n.tag);
	if (!where) {
		result = BW_ERR_NOMEM;
		goto out_src;
	}
	result = registry_client_new(n.host, n.repo, ro, &src->client, eb);
	if (result)
		goto out_src;
	result = fetch_image_manifest(src, &n, opts, where, &m, info, eb);
	if (result)
		goto out_manifest; /* m may hold the index */
	if (!(info->config_digest = bw_strdup(m.config.digest))) {
		result = BW_ERR_NOMEM;
		goto out_manifest;
	}
	result = registry_get_blob_mem(src->client, m.config.digest, CONFIG_MAX,
				       &info->config_json, &clen, eb);
	if (result)
		goto out_manifest;
	info->config_len = clen;
	info->layers = bw_calloc(m.nentries, sizeof(*info->layers));
	src->sizes = bw_calloc(m.nentries, sizeof(*src->sizes));
	if (!info->layers || !src->sizes) {
		result = BW_ERR_NOMEM;
		goto out_manifest;
	}
	for (size_t i = 0; i < m.nentries; i++) {
		struct image_layer *l = &info->layers[i];

		info->nlayers = i + 1;
		l->size = m.entries[i].size;
		src->sizes[i] = m.entries[i].size;
		if (!(l->digest = bw_strdup(m.entries[i].digest)) ||
		    (m.entries[i].media_type && !(l->media_type = bw_strdup(m.entries[i].media_type))) ||
		    bw_strv_push(&src->layer_digests, m.entries[i].digest)) {
			result = BW_ERR_NOMEM;
			goto out_manifest;
		}
	}
	src->nlayers = m.nentries;
	src->cache_dir = registry_cache_dir();
	info->layer_cache_dir = src->cache_dir;
	info->layer_cache_max = registry_cache_max();
	result = read_config(where, info, eb);
	if (result)
		goto out_manifest;
	if (n.tag && bw_strv_push_owned(&info->repo_tags, bw_strfmt("%s:%s", n.repo, n.tag))) {
		result = BW_ERR_NOMEM;
		goto out_manifest;
	}
	*src_out = src;
	src = NULL;
out_manifest:
	registry_manifest_release(&m);
out_src:
	free(where);
	source_close(src);
out_name:
	registry_name_release(&n);
	return result;
}

static ssize_t blob_read(struct image_blob *b, void *buf, size_t n, struct bw_errbuf *eb)
{
	struct reg_blob *rb = (struct reg_blob *)b;
	ssize_t r;

	do
		r = read(rb->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		bw_fail(eb, BW_ERR_IO, "reading a downloaded layer: %s", strerror(errno));
	return r;
}

static void blob_close(struct image_blob *b)
{
	struct reg_blob *rb = (struct reg_blob *)b;

	if (!rb)
		return;
	if (rb->fd >= 0)
		close(rb->fd);
	free(rb);
}

static int temp_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char *tmpl;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	tmpl = bw_strfmt("%s/bulwark-layer-XXXXXX", dir);
	if (!tmpl)
		return -1;
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	free(tmpl);
	return fd;
}

static enum bw_err source_open_layer(struct image_source *src, size_t i,
				     struct image_blob **out, struct bw_errbuf *eb)
{
	const char *digest;
	struct reg_blob *rb;
	enum bw_err result;

	*out = NULL;
	if (BW_NEVER(i >= src->nlayers))
		return bw_fail(eb, BW_ERR_INTERNAL, "layer %zu of %zu", i, src->nlayers);
	digest = src->layer_digests.v[i];
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return BW_ERR_NOMEM;
	rb->b.read = blob_read;
	rb->b.close = blob_close;
	if (src->last_fd >= 0 && src->last_i == i) {
		/* the same layer again: read what was downloaded (the walker
		 * checks its digest again) */
		rb->fd = dup(src->last_fd);
		if (rb->fd >= 0 && lseek(rb->fd, 0, SEEK_SET) == 0) {
			*out = &rb->b;
			return BW_OK;
		}
		if (rb->fd >= 0)
			close(rb->fd);
	}
	if (src->last_fd >= 0)
		close(src->last_fd);
	src->last_fd = -1;
	rb->fd = temp_fd();
	if (rb->fd < 0) {
		result = bw_fail(eb, BW_ERR_IO, "creating a temp file for layer %s: %s", digest,
				 strerror(errno));
		goto out_blob;
	}
	result = registry_get_blob_fd(src->client, digest, src->sizes[i], rb->fd, eb);
	if (result)
		goto out_blob;
	if (lseek(rb->fd, 0, SEEK_SET) < 0) {
		result = bw_fail(eb, BW_ERR_IO, "rewinding layer %s", digest);
		goto out_blob;
	}
	src->last_fd = dup(rb->fd);
	src->last_i = i;
	*out = &rb->b;
	return BW_OK;
out_blob:
	blob_close(&rb->b);
	return result;
}

const struct image_source_ops registry_source_ops = {
	.name = "registry",
	.open = source_open,
	.open_layer = source_open_layer,
	.walk_dir = NULL,
	.close = source_close,
};

void registry_init(void)
{
	image_register_registry_source(&registry_source_ops);
}

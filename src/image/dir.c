/* dir.c - dir:PATH, an unpacked root filesystem, and the in-memory source
 * used by tests and fuzzing.
 *
 * The walk uses openat/fstatat relative to the root's fd and never follows
 * a symlink (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW): symlinks are recorded and
 * resolved inside the image like a layer's. It stays on the root's
 * filesystem, skips special files, and is bounded in depth and entries.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_int.h"

#define DIR_MAX_DEPTH 64

static void source_free(struct image_source *src)
{
	if (!src)
		return;
	if (src->rootfd >= 0)
		close(src->rootfd);
	free(src->root);
	free(src);
}

static enum bw_err dir_open(const struct image_ref *ref, const struct image_open_opts *opts,
			    struct image_info *info, struct image_source **src_out,
			    struct bw_errbuf *eb)
{
	struct image_source *src = calloc(1, sizeof(*src));

	(void)opts;
	if (!src)
		return BW_ERR_NOMEM;
	src->rootfd = open(ref->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src->rootfd < 0) {
		int e = errno;

		source_free(src);
		return bw_fail(eb, e == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", ref->path,
			       e == ENOTDIR ? "not a directory" : strerror(e));
	}
	src->root = bw_strdup(ref->path);
	if (!src->root) {
		source_free(src);
		return BW_ERR_NOMEM;
	}
	image_platform_host(&info->platform);
	*src_out = src;
	return BW_OK;
}

struct dwalk {
	struct image *img;
	dev_t dev;
	char path[IMAGE_MAX_PATH];
};

static enum bw_err walk_fd(struct dwalk *dw, int dfd, size_t plen, int depth,
			   struct bw_errbuf *eb);

static enum bw_err visit(struct dwalk *dw, int dfd, const char *name, size_t plen, int depth,
			 struct bw_errbuf *eb)
{
	struct stat st;
	size_t nlen = strlen(name), full = plen + (plen ? 1 : 0) + nlen;
	enum bw_err result = BW_OK;

	if (full >= sizeof(dw->path)) {
		image_walk_warn(dw->img, "%s: a path longer than %zu bytes under %s: skipped",
				dw->img->info.ref_text, sizeof(dw->path) - 1, dw->path);
		return BW_OK;
	}
	if (!image_walk_count_entry(dw->img))
		return BW_ERR_LIMIT;
	if (plen)
		dw->path[plen] = '/';
	memcpy(dw->path + plen + (plen ? 1 : 0), name, nlen + 1);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		image_walk_warn(dw->img, "%s: %s: %s: skipped", dw->img->info.ref_text, dw->path,
				strerror(errno));
		goto out_restore;
	}
	if (S_ISDIR(st.st_mode)) {
		int sub;

		if (st.st_dev != dw->dev)
			goto out_restore; /* another filesystem mounted there */
		if (depth >= DIR_MAX_DEPTH) {
			image_walk_warn(dw->img, "%s: %s: deeper than %d levels: not read",
					dw->img->info.ref_text, dw->path, DIR_MAX_DEPTH);
			goto out_restore;
		}
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			image_walk_warn(dw->img, "%s: %s: %s: skipped", dw->img->info.ref_text, dw->path,
					strerror(errno));
			goto out_restore;
		}
		result = walk_fd(dw, sub, full, depth + 1, eb); /* closes sub */
	} else if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

		if (n < 0 || (size_t)n >= sizeof(target) - 1) {
			image_walk_warn(dw->img, "%s: symlink %s unreadable or too long: skipped",
					dw->img->info.ref_text, dw->path);
			goto out_restore;
		}
		target[n] = '\0';
		result = image_walk_add_symlink(dw->img, dw->path, target, eb);
	} else if (S_ISREG(st.st_mode)) {
		struct image_file meta;
		struct stat st2;
		int fd;

		if (!image_walk_wants(dw->img, dw->path, (size_t)st.st_size) &&
		    !image_walk_streams(dw->img, dw->path)) {
			/* wanted but too big: let the walker warn */
			if (image_walk_wants(dw->img, dw->path, 0)) {
				memset(&meta, 0, sizeof(meta));
				meta.size = (size_t)st.st_size;
				result = image_walk_add_file(dw->img, dw->path, &meta, -1, eb);
			}
			goto out_restore;
		}
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st2) != 0 || !S_ISREG(st2.st_mode) || st2.st_ino != st.st_ino) {
			image_walk_warn(dw->img, "%s: %s: changed or unreadable: skipped",
					dw->img->info.ref_text, dw->path);
			if (fd >= 0)
				close(fd);
			goto out_restore;
		}
		memset(&meta, 0, sizeof(meta));
		meta.size = (size_t)st2.st_size;
		meta.mode = st2.st_mode;
		meta.uid = st2.st_uid;
		meta.gid = st2.st_gid;
		result = image_walk_add_file(dw->img, dw->path, &meta, fd, eb);
		close(fd);
	}
	/* devices, fifos, sockets: not part of what is catalogued */
out_restore:
	dw->path[plen] = '\0';
	return result;
}

/* Walk the directory open at dfd (taken over and closed). */
static enum bw_err walk_fd(struct dwalk *dw, int dfd, size_t plen, int depth,
			   struct bw_errbuf *eb)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	enum bw_err result = BW_OK;

	if (!d) {
		close(dfd);
		image_walk_warn(dw->img, "%s: %s: %s: skipped", dw->img->info.ref_text,
				plen ? dw->path : ".", strerror(errno));
		return BW_OK;
	}
	while (!result && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		result = visit(dw, dirfd(d), de->d_name, plen, depth, eb);
	}
	closedir(d);
	return result;
}

static enum bw_err dir_walk(struct image_source *src, struct image *img, struct bw_errbuf *eb)
{
	struct dwalk *dw = calloc(1, sizeof(*dw));
	struct stat st;
	enum bw_err result;
	int fd;

	if (!dw)
		return BW_ERR_NOMEM;
	dw->img = img;
	fd = openat(src->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "%s: %s", src->root, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(dw);
		return result;
	}
	dw->dev = st.st_dev;
	result = walk_fd(dw, fd, 0, 0, eb);
	if (result == BW_ERR_LIMIT)
		result = BW_OK; /* the walker warned: the rest is not read */
	free(dw);
	return result;
}

static enum bw_err dir_open_layer(struct image_source *src, size_t i, struct image_blob **out,
				  struct bw_errbuf *eb)
{
	(void)src;
	(void)i;
	(void)out;
	return bw_fail(eb, BW_ERR_INTERNAL, "a dir: image has no layers");
}

static void dir_close(struct image_source *src)
{
	source_free(src);
}

const struct image_source_ops image_source_dir_ops = {
	.name = "dir",
	.open = dir_open,
	.open_layer = dir_open_layer,
	.walk_dir = dir_walk,
	.close = dir_close,
};

/* ---- layers in memory ---- */

static enum bw_err mem_open_layer(struct image_source *src, size_t i, struct image_blob **out,
				  struct bw_errbuf *eb)
{
	if (i >= src->nmem)
		return bw_fail(eb, BW_ERR_INTERNAL, "layer %zu out of range", i);
	return image_blob_mem(src->mem[i].data, src->mem[i].len, out, eb);
}

static void mem_close(struct image_source *src)
{
	free(src);
}

static const struct image_source_ops mem_ops = {
	.name = "memory",
	.open = NULL,
	.open_layer = mem_open_layer,
	.walk_dir = NULL,
	.close = mem_close,
};

enum bw_err image_open_mem(const struct image_mem_layer *layers, size_t n, struct image **out,
			   struct bw_errbuf *eb)
{
	struct image *img;
	enum bw_err result = BW_OK;

	*out = NULL;
	if (n > IMAGE_MAX_LAYERS)
		return bw_fail(eb, BW_ERR_LIMIT, "%zu layers", n);
	img = calloc(1, sizeof(*img));
	if (!img)
		return BW_ERR_NOMEM;
	img->ops = &mem_ops;
	img->src = calloc(1, sizeof(*img->src));
	img->info.ref_text = bw_strdup("memory");
	img->info.layers = n ? bw_calloc(n, sizeof(*img->info.layers)) : NULL;
	if (!img->src || !img->info.ref_text || (n && !img->info.layers)) {
		image_free(img);
		return BW_ERR_NOMEM;
	}
	img->src->rootfd = -1;
	img->src->mem = layers;
	img->src->nmem = n;
	img->info.nlayers = n;
	for (size_t i = 0; i < n && !result; i++) {
		img->info.layers[i].size = (int64_t)layers[i].len;
		if ((layers[i].digest && !(img->info.layers[i].digest = bw_strdup(layers[i].digest))) ||
		    (layers[i].diff_id && !(img->info.layers[i].diff_id = bw_strdup(layers[i].diff_id))))
			result = BW_ERR_NOMEM;
	}
	if (result) {
		image_free(img);
		return result;
	}
	*out = img;
	return BW_OK;
}

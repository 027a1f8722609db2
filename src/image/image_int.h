/* image_int.h - private to src/image: the opened image, the built-in
 * sources, the outer-archive index and the layout readers. */
#ifndef BW_IMAGE_INT_H
#define BW_IMAGE_INT_H

#include <jansson.h>

#include "image.h"

/* Caps on the small JSON documents of an image (hostile input). */
#define IMAGE_MAX_INDEX_BYTES    (4u << 20)  /* index.json, manifest.json, manifests */
#define IMAGE_MAX_CONFIG_BYTES   (16u << 20) /* image config */
#define IMAGE_MAX_LAYERS         1024u
#define IMAGE_MAX_MANIFESTS      4096u       /* descriptors in one index */
#define IMAGE_MAX_INDEX_DEPTH    4           /* nested indexes */
#define IMAGE_MAX_ARCHIVE_ENTRIES 65536u     /* entries in an outer tar */
#define IMAGE_MAX_PATH           4096u
#define IMAGE_MAX_WARNINGS       200u

struct image_walk_state; /* walk.c */

struct image {
	const struct image_source_ops *ops;
	struct image_source *src;
	struct image_info info;
	struct image_walk_state *walk; /* set during image_walk only */
};

/* ---- the built-in sources ---- */
extern const struct image_source_ops image_source_dir_ops;
extern const struct image_source_ops image_source_oci_ops;    /* oci: and oci-archive: */
extern const struct image_source_ops image_source_docker_ops; /* docker-archive: */

void image_info_release(struct image_info *info);

/* ---- a blob reader over a byte range of an fd (pread); fd is dup'ed ---- */
enum bw_err image_blob_fd_range(int fd, uint64_t off, uint64_t len, const char *what,
				struct image_blob **out, struct bw_errbuf *eb);
/* A blob over memory (not copied; must outlive the blob). For tests and fuzzing. */
enum bw_err image_blob_mem(const void *p, size_t n, struct image_blob **out,
			   struct bw_errbuf *eb);

/* ---- the index of an uncompressed outer tar (tarindex.c) ----
 * Headers are read once (ustar, pax 'x', GNU 'L'); entries keep the offset
 * and size of their data. Symlinks and hard links between entries are
 * resolved at lookup (bounded hops). */
struct image_tar_entry {
	char *name; /* clean path */
	char *link; /* symlink/hardlink target (clean, relative to the archive root) or NULL */
	uint64_t off;
	uint64_t size;
	char type; /* '0' file, '1' hard link, '2' symlink, '5' dir */
};
struct image_tar_index {
	int fd;
	char *what; /* archive path for messages */
	struct image_tar_entry *e;
	size_t n;
	size_t cap;
};
enum bw_err image_tar_index_open(const char *path, struct image_tar_index *ti,
				 struct bw_errbuf *eb);
/* Same over an fd (not owned; must stay open). */
enum bw_err image_tar_index_fd(int fd, const char *what, struct image_tar_index *ti,
			       struct bw_errbuf *eb);
void image_tar_index_release(struct image_tar_index *ti);
/* A regular file's entry by clean name (links followed); NULL if absent. */
const struct image_tar_entry *image_tar_find(const struct image_tar_index *ti, const char *name);

/* ---- a place to read image files from: a directory or an outer tar ---- */
struct image_store {
	int dirfd;                  /* >= 0 for a directory */
	struct image_tar_index tar; /* otherwise */
	char *what;                 /* for messages */
};
enum bw_err image_store_open(struct image_store *st, const char *path, bool is_dir,
			     struct bw_errbuf *eb);
void image_store_release(struct image_store *st);
bool image_store_has(struct image_store *st, const char *name);
/* Read a whole small file (bounded by max) into b. */
enum bw_err image_store_read(struct image_store *st, const char *name, size_t max,
			     struct bw_buf *b, struct bw_errbuf *eb);
enum bw_err image_store_blob(struct image_store *st, const char *name, struct image_blob **out,
			     struct bw_errbuf *eb);

/* ---- an image over layer blobs in memory (tests and fuzzing) ----
 * The blobs are not copied and must outlive the image. A NULL digest skips
 * the blob digest check; a NULL diff_id skips the uncompressed one. */
struct image_mem_layer {
	const void *data;
	size_t len;
	const char *digest;
	const char *diff_id;
};
/* The private state of every built-in source (one definition, so that the
 * ops' struct image_source pointers are one type across files). */
struct image_source {
	struct image_store st;  /* oci:, oci-archive:, docker-archive: */
	char **layer_paths;     /* docker-archive: a path in the archive per layer */
	size_t nlayer_paths;
	int rootfd;             /* dir: */
	char *root;             /* dir: the path as given */
	const struct image_mem_layer *mem; /* image_open_mem */
	size_t nmem;
};

/* "sha256:HEX" -> "blobs/sha256/HEX"; BW_ERR_FORMAT when not a valid digest. */
enum bw_err image_digest_path(const char *digest, char *out, size_t outsz, struct bw_errbuf *eb);
/* Check that data hashes to digest ("sha256:..." or "sha512:..."). */
enum bw_err image_digest_check(const char *digest, const void *data, size_t n, const char *what,
			       struct bw_errbuf *eb);

/* ---- manifest / index / config readers (manifest.c), shared by sources
 * and the fuzz target ---- */

/* Fill info->layers from an OCI or Docker v2 image manifest. */
enum bw_err image_manifest_parse(const char *data, size_t n, const char *what,
				 struct image_info *info, char **config_digest,
				 struct bw_errbuf *eb);
/* Fill diff_ids and platform from a config. */
enum bw_err image_config_parse(const char *data, size_t n, const char *what,
			       struct image_info *info, struct bw_errbuf *eb);

/* One descriptor from an index. */
struct image_desc {
	char *media_type;
	char *digest;
	int64_t size;
	char *ref_name; /* org.opencontainers.image.ref.name / io.containerd.image.name */
	char *full_name;
	bool has_platform;
	struct image_platform platform;
};
struct image_desc_list {
	struct image_desc *d;
	size_t n;
};
enum bw_err image_index_parse(const char *data, size_t n, const char *what,
			      struct image_desc_list *out, struct bw_errbuf *eb);
void image_desc_list_release(struct image_desc_list *l);
bool image_media_is_index(const char *mt);

/* Does a user's tag selector match a stored name ("docker.io/library/x:1"
 * matches "x:1" and "library/x:1")? */
bool image_name_matches(const char *selector, const char *name);

/* ---- walker internals used by sources (walk.c) ---- */
void image_walk_warn(struct image *img, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const struct image_limits *image_walk_limits(const struct image *img);
/* Count one entry of a dir: walk against max_entries; false when over. */
bool image_walk_count_entry(struct image *img);

enum bw_err image_open_mem(const struct image_mem_layer *layers, size_t n, struct image **out,
			   struct bw_errbuf *eb);

#endif

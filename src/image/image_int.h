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
	/* the layer cache for this image when set (tests: image_set_layer_cache);
	 * otherwise the source's ops->layer_cache decides. Not owned. */
	const char *cache_dir;
	uint64_t cache_max;
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

/* ---- the layer cache (layercache.c; walk.c records and replays) ----
 * One file per (layer digest, fingerprint): the walk's items for that layer
 * (docs/image.md), a SHA-256 trailer. The fingerprint hashes the format
 * version, the Bulwark version, every want and stream want, and the
 * per-layer limits, so other catalogers never reuse a record. */
#define IMAGE_LCACHE_VERSION 1
struct image_lcache {
	const char *dir;
	uint64_t max;
	char fp[65];
};
enum bw_err image_lcache_fingerprint(const struct image_want *wants, size_t nwants,
				     const struct image_stream_want *swants, size_t nswants,
				     const struct image_limits *lim, char out[65]);
/* Remove the least recently used entries of dir until they total <= max. */
void image_lcache_evict(const char *dir, uint64_t max);
/* Remove digest's entry (a corrupt one). */
void image_lcache_drop(const struct image_lcache *c, const char *digest);
/* Use dir (not copied; must outlive the walks) as img's layer cache. */
void image_set_layer_cache(struct image *img, const char *dir, uint64_t max);

/* A record being written; every write error is sticky (image_lrec_ok). */
struct image_lrec;
/* NULL when the cache cannot take it (no directory, not a sha256 digest). */
struct image_lrec *image_lrec_begin(const struct image_lcache *c, const char *digest);
void image_lrec_put(struct image_lrec *r, const void *p, size_t n);
void image_lrec_u8(struct image_lrec *r, unsigned v);
void image_lrec_varint(struct image_lrec *r, uint64_t v);
void image_lrec_str(struct image_lrec *r, const char *s); /* NULL allowed */
void image_lrec_fail(struct image_lrec *r);               /* do not keep it */
bool image_lrec_ok(const struct image_lrec *r);
/* Trailer, link into place, evict past the cap; frees r. true when kept. */
bool image_lrec_commit(struct image_lrec *r);
void image_lrec_abort(struct image_lrec *r); /* NULL-safe */

/* A record being read. Every read is bounded by the file; the first
 * problem is kept (image_lplay_error) and makes later reads fail. */
struct image_lplay;
/* BW_ERR_NOT_FOUND: no entry; BW_ERR_FORMAT: corrupt (header, version,
 * fingerprint, digest or checksum), eb says why. */
enum bw_err image_lplay_open(const struct image_lcache *c, const char *digest,
			     struct image_lplay **out, struct bw_errbuf *eb);
/* Same over fd (taken; closed by image_lplay_close or on error); fp or
 * digest NULL: not checked; checksum false: the trailer is not checked
 * (the fuzz target). */
enum bw_err image_lplay_fd(int fd, bool checksum, const char *fp, const char *digest,
			   const char *what, struct image_lplay **out, struct bw_errbuf *eb);
int image_lplay_u8(struct image_lplay *p);   /* -1 at an error */
int image_lplay_peek(struct image_lplay *p); /* -1 at the end or an error */
/* true when every item was read and nothing follows the compressed stream */
bool image_lplay_at_end(struct image_lplay *p);
bool image_lplay_varint(struct image_lplay *p, uint64_t max, uint64_t *v);
bool image_lplay_bytes(struct image_lplay *p, void *dst, uint64_t n);
bool image_lplay_skip(struct image_lplay *p, uint64_t n);
bool image_lplay_str(struct image_lplay *p, size_t max, char **out);
const char *image_lplay_error(const struct image_lplay *p);
void image_lplay_fail(struct image_lplay *p, const char *why); /* keeps the first */
const char *image_lplay_what(const struct image_lplay *p);
void image_lplay_close(struct image_lplay *p);

/* Replay a record into a walk of img as its layer i (for the fuzz target:
 * img from image_open_mem, one layer). Same result as image_walk_stream. */
enum bw_err image_walk_replay(struct image *img, struct image_lplay *p,
			      const struct image_want *wants, size_t nwants,
			      const struct image_stream_want *swants, size_t nswants,
			      image_stream_fn fn, void *ctx, struct image_fs **out,
			      struct bw_errbuf *eb);

enum bw_err image_open_mem(const struct image_mem_layer *layers, size_t n, struct image **out,
			   struct bw_errbuf *eb);

#endif

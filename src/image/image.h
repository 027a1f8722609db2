/* image.h - image references, sources and the one-pass layer walker.
 *
 * Flow: image_ref_parse() -> image_open() (picks a source by the ref's kind)
 * -> image_walk() streams every layer once, keeping only the files that match
 * the registered wants, applies whiteouts in layer order, verifies digests,
 * and returns an image_fs: the final view of the wanted files.
 *
 * Nothing is extracted to disk; memory is bounded by the wants' size caps
 * plus fixed caps on symlink and whiteout bookkeeping (see image_limits).
 */
#ifndef BW_IMAGE_H
#define BW_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/core.h"

/* ---- references ------------------------------------------------------- */

enum image_ref_kind {
	IMAGE_REF_DOCKER_ARCHIVE, /* docker-archive:FILE[:TAG]   (docker/podman save) */
	IMAGE_REF_OCI_ARCHIVE,    /* oci-archive:FILE[:TAG]      (tar of an OCI layout) */
	IMAGE_REF_OCI_DIR,        /* oci:DIR[:TAG]               (OCI image layout dir) */
	IMAGE_REF_DIR,            /* dir:PATH                    (unpacked root filesystem) */
	IMAGE_REF_REGISTRY,       /* registry:HOST/REPO:TAG, alpine:3.19, ...@sha256:.. */
};

struct image_ref {
	enum image_ref_kind kind;
	char *path;     /* file or directory; for REGISTRY the reference text */
	char *selector; /* tag / "repo:tag" inside an archive or layout; NULL: the only one */
	char *text;     /* the reference as the user typed it (for messages and reports) */
};

/* Parse what a user typed. A bare path is recognised by its content: a
 * directory with oci-layout is oci:, another directory is dir:, a tar with
 * manifest.json is docker-archive:, a tar with oci-layout is oci-archive:.
 * Anything else that looks like NAME[:TAG|@DIGEST] is a registry reference.
 * ref is filled on success (release with image_ref_release). */
enum bw_err image_ref_parse(const char *text, struct image_ref *ref, struct bw_errbuf *eb);
void image_ref_release(struct image_ref *ref);
const char *image_ref_kind_name(enum image_ref_kind kind); /* "docker-archive", ... */

/* ---- platforms -------------------------------------------------------- */

struct image_platform {
	char os[32];      /* "linux" */
	char arch[32];    /* OCI/Go names: "amd64", "arm64", "arm", "386", ... */
	char variant[16]; /* "v7", "v8" or "" */
};

/* "os/arch[/variant]"; errors name the text. */
enum bw_err image_platform_parse(const char *s, struct image_platform *p, struct bw_errbuf *eb);
void image_platform_host(struct image_platform *p);

/* ---- the opened image ---------------------------------------------------- */

struct image_layer {
	char *digest;     /* blob digest as the manifest names it ("sha256:..."); NULL for dir: */
	char *diff_id;    /* uncompressed digest from the config's rootfs.diff_ids, or NULL */
	char *media_type; /* manifest media type, or NULL */
	int64_t size;     /* blob size from the manifest, -1 when unknown */
};

struct image_info {
	char *ref_text;        /* as typed */
	char *manifest_digest; /* "sha256:..." of the manifest bytes, or NULL (dir:) */
	char *config_digest;   /* the image ID, or NULL (dir:) */
	char *config_json;     /* raw config bytes (NUL-terminated), or NULL */
	size_t config_len;
	struct image_platform platform;
	struct bw_strv repo_tags; /* e.g. "debian:bookworm"; may be empty */
	struct image_layer *layers;
	size_t nlayers;
	/* The layer cache (docs/image.md, "Layer cache") a source's open() may
	 * set: a directory (owned by the source, NULL: none) and its size cap.
	 * A layer with a valid record there is replayed and open_layer is not
	 * called for it. */
	const char *layer_cache_dir;
	uint64_t layer_cache_max;
};

struct image;        /* opaque: an opened image and its source */
struct image_source; /* a source's private state */

/* Reader of one layer blob as stored (compressed or not). read() returns the
 * number of bytes (0 at the end) or -1 with detail in eb. */
struct image_blob {
	ssize_t (*read)(struct image_blob *b, void *buf, size_t n, struct bw_errbuf *eb);
	void (*close)(struct image_blob *b);
};

struct image_open_opts {
	struct image_platform platform; /* zero: the host's */
	bool platform_set;
	/* registry options (credentials, TLS) are added by the registry issue */
	const void *registry_opts;
};

/* A source kind: docker-archive, oci (dir or archive), dir, registry. The
 * registry module registers its ops with image_register_registry_source()
 * (ops must outlive every image opened with it; NULL unregisters). A source
 * defines struct image_source in its own file (the built-in sources share
 * one definition in image_int.h). open() fills info: layers with digests
 * (and diff_ids from the config when it lists them), config_json, platform,
 * repo_tags; the walker checks every layer's digest and diff_id. */
struct image_source_ops {
	const char *name;
	/* Fill info; src_out is the source's private state. */
	enum bw_err (*open)(const struct image_ref *ref, const struct image_open_opts *opts,
			    struct image_info *info, struct image_source **src_out,
			    struct bw_errbuf *eb);
	/* Open layer i's blob for streaming. Digest checking is the walker's. */
	enum bw_err (*open_layer)(struct image_source *src, size_t i, struct image_blob **out,
				  struct bw_errbuf *eb);
	/* For dir: sources, which have no layers: walk the tree instead. NULL
	 * for layered sources. */
	enum bw_err (*walk_dir)(struct image_source *src, struct image *img, struct bw_errbuf *eb);
	void (*close)(struct image_source *src);
};

void image_register_registry_source(const struct image_source_ops *ops);

/* Open an image. *out is owned by the caller: image_free(). */
enum bw_err image_open(const struct image_ref *ref, const struct image_open_opts *opts,
		       struct image **out, struct bw_errbuf *eb);
const struct image_info *image_get_info(const struct image *img);
void image_free(struct image *img);

/* ---- wants and the walk ------------------------------------------------- */

/* A cataloger registers what it needs before the walk. Files over max_size
 * are not kept; a warning names them. */
struct image_want {
	const char *pattern; /* bw_path_match() glob over clean paths */
	size_t max_size;
};

/* A want whose files are streamed instead of kept: during the layer pass
 * the walker hands each matching regular file to the walk's stream callback
 * (image_walk_stream) and keeps only a metadata record of it (no content),
 * so later layers' whiteouts and overwrites still apply: after the walk,
 * image_fs_has_version() tells whether what the callback saw survived.
 * magic (when set) must be the first magic_len bytes of the content: with
 * the pattern "**" it finds files by content (ELF: "\x7f" "ELF"). Files
 * over max_size are skipped with a warning (after the magic check). */
struct image_stream_want {
	const char *pattern;
	size_t max_size;
	const char *magic; /* NULL: any content */
	size_t magic_len;
	unsigned flags;    /* IMAGE_STREAM_SEQUENTIAL */
};

/* The magic does not filter: a layer file that starts with it is handed
 * with a forward-only reader (struct image_stream.read) and is never held
 * in memory; a file that does not (a zip behind a shell-script stub) is
 * handed buffered as usual. Sequential only when this is the one want that
 * takes the file and no other want keeps it; dir: sources always give
 * read_at. */
#define IMAGE_STREAM_SEQUENTIAL 1u

/* One streamed file, valid during the callback only. In a layer the whole
 * entry is read into memory (bounded by the want's max_size and freed after
 * the callbacks: at most one streamed file is held at a time) and data is
 * set; in a dir: source data is NULL and read_at reads the file with pread.
 * Use image_stream_read() for either. A sequential stream (see
 * IMAGE_STREAM_SEQUENTIAL) has neither: only read(), front to back. */
struct image_stream {
	const char *path;         /* clean path, no leading '/' */
	uint64_t size;
	mode_t mode;
	size_t layer_index;
	const char *layer_digest; /* NULL for dir: */
	const unsigned char *data; /* the whole content, or NULL */
	/* bytes read (< n only at the end), -1 on a read error; NULL for a
	 * sequential stream */
	ssize_t (*read_at)(const struct image_stream *s, void *buf, size_t n, uint64_t off);
	/* sequential streams only: the next bytes (0 at the end, -1 on error) */
	ssize_t (*read)(const struct image_stream *s, void *buf, size_t n);
	int fd;     /* private to read_at */
	void *priv; /* private to read */
};

/* Read exactly n bytes at off; BW_ERR_FORMAT naming the path and offset when
 * the range is outside the file, BW_ERR_IO on a read error. */
enum bw_err image_stream_read(const struct image_stream *s, void *buf, size_t n, uint64_t off,
			      struct bw_errbuf *eb);
/* A stream over memory (tests, fuzzing, nested archives); p must outlive it. */
void image_stream_mem(struct image_stream *s, const char *path, const void *p, size_t n);

/* Called for each streamed file and each stream want it matches (index into
 * the swants array). An error ends the walk (return BW_OK for problems with
 * the file itself, after recording them). */
typedef enum bw_err (*image_stream_fn)(void *ctx, size_t want_index, const struct image_stream *st,
				       struct bw_errbuf *eb);

/* Caps of one walk; image_limits_default() gives the documented defaults
 * (docs/image.md). NULL limits to image_walk: the defaults. */
struct image_limits {
	size_t max_total_kept;   /* bytes of kept file content across the image */
	size_t max_symlinks;     /* symlink records kept for resolution */
	size_t max_entries;      /* tar entries per layer before giving up on it */
	uint64_t max_layer_size; /* uncompressed bytes per layer */
	size_t max_files;        /* kept files across the image */
	size_t max_warnings;     /* warnings stored; the rest are counted */
};
void image_limits_default(struct image_limits *l);

struct image_file {
	char *path;            /* clean path, no leading '/' */
	char *data;            /* content (NUL-terminated after size bytes) */
	size_t size;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	size_t layer_index;       /* which layer supplied this version */
	const char *layer_digest; /* that layer's digest (points into info); NULL for dir: */
};

struct image_fs; /* the walked view; opaque */

/* Walk all layers once. Warnings (skipped hostile entries, oversize files,
 * corrupt optional parts) are collected in the fs; an error is returned only
 * when the image cannot be read at all (digest mismatch, truncated layer,
 * unreadable archive), naming the layer. */
/* The walk's result *out is owned by the caller (image_fs_free) and does
 * not depend on img afterwards except for layer_digest pointers, which
 * point into img's info: free the fs before the image. wants are not kept. */
enum bw_err image_walk(struct image *img, const struct image_want *wants, size_t nwants,
		       const struct image_limits *limits, struct image_fs **out,
		       struct bw_errbuf *eb);

/* image_walk plus streamed wants (see struct image_stream_want). fn is
 * called during the walk, in layer order; swants are not kept. */
enum bw_err image_walk_stream(struct image *img, const struct image_want *wants, size_t nwants,
			      const struct image_stream_want *swants, size_t nswants,
			      image_stream_fn fn, void *ctx, const struct image_limits *limits,
			      struct image_fs **out, struct bw_errbuf *eb);

/* true when the surviving version of path (exact path, no symlinks) is the
 * one layer layer_index supplied, kept or streamed: results a stream
 * callback produced for (path, layer) stand only when this holds. */
bool image_fs_has_version(const struct image_fs *fs, const char *path, size_t layer_index);

/* Lookup of a clean path, following symlinks inside the image only: every
 * component is resolved, absolute targets start at the image root and ".."
 * at the root stays at the root (as in a chroot), so no target can leave
 * the image; more than 40 hops (a loop) gives NULL. NULL when absent or not
 * kept. The returned file is owned by fs. */
const struct image_file *image_fs_get(const struct image_fs *fs, const char *path);
/* All kept files, sorted by path. */
size_t image_fs_count(const struct image_fs *fs);
const struct image_file *image_fs_at(const struct image_fs *fs, size_t i);
/* Warnings gathered during the walk, in order. */
const struct bw_strv *image_fs_warnings(const struct image_fs *fs);
/* Add a warning (used by catalogers to report per-file problems). */
void image_fs_warn(struct image_fs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void image_fs_free(struct image_fs *fs);

/* ---- used by sources and the walker ---------------------------------------- */

/* Called by a dir: source's walk_dir for each regular file / symlink it
 * finds (path clean, relative to the root). */
enum bw_err image_walk_add_file(struct image *img, const char *path, const struct image_file *meta,
				int fd, struct bw_errbuf *eb);
enum bw_err image_walk_add_symlink(struct image *img, const char *path, const char *target,
				   struct bw_errbuf *eb);
/* true when path is wanted (so a dir: walk can skip reading the rest). */
bool image_walk_wants(const struct image *img, const char *path, size_t size);
/* true when path matches a stream want's pattern (the walk then opens the
 * file to check its magic). */
bool image_walk_streams(const struct image *img, const char *path);

#endif

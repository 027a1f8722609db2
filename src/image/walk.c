/* walk.c - the one-pass layer walker and the walked view (image_fs).
 *
 * Each layer blob is streamed once: blob bytes -> libarchive "raw" reader
 * with the decompression filters (gzip, zstd, xz, none auto-detected) ->
 * libarchive tar reader. The stored bytes are hashed on the way in (blob
 * digest), the uncompressed bytes on the way to the tar reader (diff_id).
 * Only wanted files are kept; symlinks are kept as records for resolution.
 *
 * Whiteouts (OCI image spec, layer.md): ".wh.NAME" removes NAME and what is
 * under it from lower layers; ".wh..wh..opq" in DIR removes what lower
 * layers put under DIR. Neither touches entries of its own layer. A
 * non-directory entry replaces whatever lower layers had at its path and
 * below; a directory replaces a lower non-directory at its path.
 *
 * Layer cache (layercache.c, docs/image.md): when the image names a cache,
 * each layer pass records what the walker consumed (entries, heads, kept
 * content, the bytes stream callbacks read), and a layer with a valid
 * record is replayed through the same walk_entry code instead of read.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_int.h"

#define IO_BUF          (64u * 1024)
#define MAX_SYMLINK_HOPS 40
#define MAX_LINK_TARGET 4096

struct node {
	struct node *next;
	uint64_t hash;
	bool symlink;
	bool streamed; /* a streamed file's record: metadata only, no data */
	char *target; /* symlink target as stored */
	struct image_file f;
};

struct image_fs {
	struct node **b;
	size_t nb; /* power of two */
	size_t n;
	struct node **sorted;
	size_t nsorted;
	struct bw_strv warnings;
	size_t max_warnings;
	size_t warn_dropped;
};

/* A set of strings (ancestor directories, hidden prefixes). */
struct sent {
	struct sent *next;
	uint64_t hash;
	char s[];
};
struct strset {
	struct sent **b;
	size_t nb;
	size_t n;
};

struct image_walk_state {
	struct image *img;
	struct image_fs *fs;
	const struct image_want *wants;
	size_t nwants;
	const struct image_stream_want *swants;
	size_t nswants;
	image_stream_fn stream_fn;
	void *stream_ctx;
	size_t nstreamed; /* streamed records (counted against max_files) */
	bool warned_streamed;
	struct image_limits lim;
	size_t layer;
	const char *layer_digest;
	const char *lname; /* "REF: layer N (DIGEST)" for messages */
	size_t total_kept;
	size_t nfiles;
	size_t nsymlinks;
	uint64_t entries;
	uint64_t specials;
	bool over_entries;
	struct strset anc;  /* directories that hold lower-layer nodes */
	struct strset hide; /* prefixes hidden from lower layers */
	bool hide_all;
	bool warned_symlinks, warned_files, warned_total;
	/* hard links whose target was not kept: the layer is re-read once for
	 * their targets (bounded) */
	struct pending_link *pend;
	size_t npend;
	struct strset pend_links;
	bool reread; /* second pass over the layer */
	/* the layer cache: this layer is being recorded (rec) or replayed (play) */
	struct image_lcache cache;
	bool cache_on;
	struct image_lrec *rec;
	struct image_lplay *play;
	char *prev_raw; /* the previous entry's name (names are prefix-coded) */
	int64_t play_size; /* replay: the last entry's size */
};

/* One layer entry as the walker sees it: from libarchive (in set) or from
 * a cached record (in NULL, content from w->play). */
struct lentry {
	const char *raw;      /* the name as stored, or NULL when unreadable */
	unsigned type;        /* archive_entry_filetype() */
	const char *hardlink; /* or NULL */
	const char *symlink;  /* or NULL */
	int64_t size;
	mode_t mode;
	int64_t uid, gid;
	struct archive *in;
};

/* record items (docs/image.md, "Layer cache") */
#define ITEM_ENTRY   'E'
#define ITEM_HEAD    'H'
#define ITEM_NOHEAD  'N'
#define ITEM_FULL    'F'
#define ITEM_TRACE   'T'
#define ITEM_OVER    'O'
#define ITEM_REREAD  'R'
#define ITEM_END     'Z'
#define TRACE_MAX        (64u << 20) /* bytes of one streamed file a record keeps */
#define TRACE_MAX_RANGES 100000u
#define RAW_MAX          65536u

static void rec_cap_hit(struct image_walk_state *w);
static enum bw_err reread_apply(struct image_walk_state *w, const char *path, int64_t sz,
				const char *data);
static void reread_needs(const struct image_walk_state *w, const char *path, int64_t sz,
			 bool *any, bool *need);

#define MAX_PENDING_LINKS 256

static void strset_release(struct strset *ss);

struct pending_link {
	char *link;      /* the wanted link's clean path */
	char *target;    /* its target's clean path */
	uint64_t before; /* the link's entry number: the target comes earlier */
	mode_t mode;
	char *data;
	size_t size;
	bool cancelled;  /* a later entry of the layer replaced the link */
};

static void pending_release(struct image_walk_state *w)
{
	for (size_t i = 0; i < w->npend; i++) {
		free(w->pend[i].link);
		free(w->pend[i].target);
		free(w->pend[i].data);
	}
	free(w->pend);
	w->pend = NULL;
	w->npend = 0;
	strset_release(&w->pend_links);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* ---- string sets ---- */

static void strset_release(struct strset *ss)
{
	for (size_t i = 0; i < ss->nb; i++)
		for (struct sent *e = ss->b[i], *nx; e; e = nx) {
			nx = e->next;
			free(e);
		}
	free(ss->b);
	memset(ss, 0, sizeof(*ss));
}

static bool strset_has_n(const struct strset *ss, const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	if (!ss->nb)
		return false;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	for (struct sent *e = ss->b[h & (ss->nb - 1)]; e; e = e->next)
		if (e->hash == h && strncmp(e->s, s, n) == 0 && e->s[n] == '\0')
			return true;
	return false;
}

static bool strset_has(const struct strset *ss, const char *s)
{
	return strset_has_n(ss, s, strlen(s));
}

static enum bw_err strset_add_n(struct strset *ss, const char *s, size_t n)
{
	struct sent *e;
	uint64_t h = 1469598103934665603ull;

	if (strset_has_n(ss, s, n))
		return BW_OK;
	if (ss->n >= ss->nb) {
		size_t nb = ss->nb ? ss->nb * 2 : 256;
		struct sent **b = bw_calloc(nb, sizeof(*b));

		if (!b)
			return BW_ERR_NOMEM;
		for (size_t i = 0; i < ss->nb; i++)
			for (struct sent *x = ss->b[i], *nx; x; x = nx) {
				nx = x->next;
				x->next = b[x->hash & (nb - 1)];
				b[x->hash & (nb - 1)] = x;
			}
		free(ss->b);
		ss->b = b;
		ss->nb = nb;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	e = malloc(sizeof(*e) + n + 1);
	if (!e)
		return BW_ERR_NOMEM;
	e->hash = h;
	memcpy(e->s, s, n);
	e->s[n] = '\0';
	e->next = ss->b[h & (ss->nb - 1)];
	ss->b[h & (ss->nb - 1)] = e;
	ss->n++;
	return BW_OK;
}

/* ---- the fs map ---- */

struct image_walk_state;
static void uncount(struct image_walk_state *w, const struct node *nd);

static void node_free(struct node *nd)
{
	if (!nd)
		return;
	free(nd->f.path);
	free(nd->f.data);
	free(nd->target);
	free(nd);
}

static struct node *fs_lookup(const struct image_fs *fs, const char *path)
{
	uint64_t h;

	if (!fs->nb)
		return NULL;
	h = hash_str(path);
	for (struct node *nd = fs->b[h & (fs->nb - 1)]; nd; nd = nd->next)
		if (nd->hash == h && strcmp(nd->f.path, path) == 0)
			return nd;
	return NULL;
}

static void fs_remove(struct image_fs *fs, struct node *victim)
{
	struct node **pp = &fs->b[victim->hash & (fs->nb - 1)];

	for (; *pp; pp = &(*pp)->next)
		if (*pp == victim) {
			*pp = victim->next;
			fs->n--;
			node_free(victim);
			return;
		}
}

static enum bw_err fs_insert(struct image_fs *fs, struct node *nd)
{
	struct node *old;

	if (fs->n >= fs->nb) {
		size_t nb = fs->nb ? fs->nb * 2 : 1024;
		struct node **b = bw_calloc(nb, sizeof(*b));

		if (!b)
			return BW_ERR_NOMEM;
		for (size_t i = 0; i < fs->nb; i++)
			for (struct node *x = fs->b[i], *nx; x; x = nx) {
				nx = x->next;
				x->next = b[x->hash & (nb - 1)];
				b[x->hash & (nb - 1)] = x;
			}
		free(fs->b);
		fs->b = b;
		fs->nb = nb;
	}
	nd->hash = hash_str(nd->f.path);
	old = fs_lookup(fs, nd->f.path);
	if (old)
		fs_remove(fs, old);
	nd->next = fs->b[nd->hash & (fs->nb - 1)];
	fs->b[nd->hash & (fs->nb - 1)] = nd;
	fs->n++;
	return BW_OK;
}

/* ---- warnings ---- */

__attribute__((format(printf, 2, 0)))
static void fs_vwarn(struct image_fs *fs, const char *fmt, va_list ap)
{
	char *s;

	if (fs->warnings.n >= fs->max_warnings) {
		fs->warn_dropped++;
		return;
	}
	if (vasprintf(&s, fmt, ap) < 0)
		return;
	if (bw_strv_push_owned(&fs->warnings, s) != BW_OK)
		free(s);
}

void image_fs_warn(struct image_fs *fs, const char *fmt, ...)
{
	va_list ap;

	if (!fs)
		return;
	va_start(ap, fmt);
	fs_vwarn(fs, fmt, ap);
	va_end(ap);
}

void image_walk_warn(struct image *img, const char *fmt, ...)
{
	va_list ap;

	if (!img || !img->walk)
		return;
	va_start(ap, fmt);
	fs_vwarn(img->walk->fs, fmt, ap);
	va_end(ap);
}

/* ---- limits ---- */

void image_limits_default(struct image_limits *l)
{
	l->max_total_kept = 256u << 20;
	l->max_symlinks = 100000;
	l->max_entries = 4000000;
	l->max_layer_size = 64ull << 30;
	l->max_files = 100000;
	l->max_warnings = IMAGE_MAX_WARNINGS;
}

const struct image_limits *image_walk_limits(const struct image *img)
{
	return img && img->walk ? &img->walk->lim : NULL;
}

bool image_walk_count_entry(struct image *img)
{
	struct image_walk_state *w = img->walk;

	if (!w)
		return false;
	if (++w->entries > w->lim.max_entries) {
		if (!w->over_entries)
			image_walk_warn(img, "%s: more than %zu entries: the rest is not read",
					img->info.ref_text, w->lim.max_entries);
		w->over_entries = true;
		return false;
	}
	return true;
}

/* ---- wants ---- */

static bool want_cap(const struct image_walk_state *w, const char *path, size_t *cap)
{
	bool any = false;

	*cap = 0;
	for (size_t i = 0; i < w->nwants; i++)
		if (w->wants[i].pattern && bw_path_match(w->wants[i].pattern, path)) {
			if (!any || w->wants[i].max_size > *cap)
				*cap = w->wants[i].max_size;
			any = true;
		}
	return any;
}

bool image_walk_wants(const struct image *img, const char *path, size_t size)
{
	size_t cap;

	if (!img || !img->walk)
		return false;
	return want_cap(img->walk, path, &cap) && size <= cap;
}

/* Checks the caps for a wanted file of size bytes; warns when it cannot be kept. */
static bool may_keep(struct image_walk_state *w, const char *path, uint64_t size)
{
	size_t cap;

	if (!want_cap(w, path, &cap))
		return false;
	if (size > cap) {
		image_fs_warn(w->fs, "%s: %s is %llu bytes, over its %zu-byte cap: not read", w->lname,
			      path, (unsigned long long)size, cap);
		return false;
	}
	if (size > w->lim.max_total_kept - w->total_kept) {
		if (!w->warned_total)
			image_fs_warn(w->fs, "%s: %s: the %zu-byte cap on kept content is reached: "
					     "further files are not read", w->lname, path,
				      w->lim.max_total_kept);
		w->warned_total = true;
		return false;
	}
	if (w->nfiles >= w->lim.max_files) {
		if (!w->warned_files)
			image_fs_warn(w->fs, "%s: %s: the cap of %zu kept files is reached: further "
					     "files are not read", w->lname, path, w->lim.max_files);
		w->warned_files = true;
		return false;
	}
	return true;
}

static struct node *node_new(const char *path, size_t layer, const char *digest)
{
	struct node *nd = calloc(1, sizeof(*nd));

	if (!nd)
		return NULL;
	nd->f.path = bw_strdup(path);
	if (!nd->f.path) {
		free(nd);
		return NULL;
	}
	nd->f.layer_index = layer;
	nd->f.layer_digest = digest;
	return nd;
}

static enum bw_err keep_node(struct image_walk_state *w, struct node *nd)
{
	enum bw_err result = fs_insert(w->fs, nd);

	if (result) {
		node_free(nd);
		return result;
	}
	if (nd->symlink) {
		w->nsymlinks++;
	} else if (nd->streamed) {
		w->nstreamed++;
	} else {
		w->nfiles++;
		w->total_kept += nd->f.size;
	}
	return BW_OK;
}

static void uncount(struct image_walk_state *w, const struct node *nd)
{
	if (nd->symlink) {
		w->nsymlinks--;
	} else if (nd->streamed) {
		w->nstreamed--;
	} else {
		w->nfiles--;
		w->total_kept -= nd->f.size;
	}
}

static enum bw_err add_symlink(struct image_walk_state *w, const char *path, const char *target)
{
	struct node *nd;

	if (strlen(target) > MAX_LINK_TARGET || !*target) {
		image_fs_warn(w->fs, "%s: symlink %s: target empty or over %u bytes: skipped", w->lname,
			      path, MAX_LINK_TARGET);
		return BW_OK;
	}
	if (w->nsymlinks >= w->lim.max_symlinks) {
		if (!w->warned_symlinks)
			image_fs_warn(w->fs, "%s: symlink %s: the cap of %zu symlink records is reached: "
					     "further symlinks are not resolved", w->lname, path,
				      w->lim.max_symlinks);
		w->warned_symlinks = true;
		rec_cap_hit(w);
		return BW_OK;
	}
	nd = node_new(path, w->layer, w->layer_digest);
	if (!nd)
		return BW_ERR_NOMEM;
	nd->symlink = true;
	nd->f.mode = 0120777;
	nd->target = bw_strdup(target);
	if (!nd->target) {
		node_free(nd);
		return BW_ERR_NOMEM;
	}
	return keep_node(w, nd);
}

/* ---- per-layer whiteout bookkeeping ---- */

static enum bw_err hide_below(struct image_walk_state *w, const char *dir)
{
	if (!*dir) {
		w->hide_all = true;
		return BW_OK;
	}
	if (!strset_has(&w->anc, dir))
		return BW_OK; /* nothing lower lives there */
	return strset_add_n(&w->hide, dir, strlen(dir));
}

static enum bw_err layer_begin(struct image_walk_state *w)
{
	enum bw_err result = BW_OK;

	strset_release(&w->anc);
	strset_release(&w->hide);
	w->hide_all = false;
	w->entries = 0;
	w->specials = 0;
	w->over_entries = false;
	for (size_t i = 0; i < w->fs->nb && !result; i++)
		for (struct node *nd = w->fs->b[i]; nd && !result; nd = nd->next)
			for (const char *s = strchr(nd->f.path, '/'); s && !result; s = strchr(s + 1, '/'))
				result = strset_add_n(&w->anc, nd->f.path, (size_t)(s - nd->f.path));
	return result;
}

static bool hidden(const struct image_walk_state *w, const char *path)
{
	if (w->hide_all)
		return true;
	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
		if (strset_has_n(&w->hide, path, (size_t)(s - path)))
			return true;
	return false;
}

static void layer_end(struct image_walk_state *w)
{
	if (w->hide_all || w->hide.n) {
		for (size_t i = 0; i < w->fs->nb; i++) {
			struct node **pp = &w->fs->b[i];

			while (*pp) {
				struct node *nd = *pp;

				if (nd->f.layer_index < w->layer && hidden(w, nd->f.path)) {
					*pp = nd->next;
					w->fs->n--;
					uncount(w, nd);
					node_free(nd);
				} else {
					pp = &nd->next;
				}
			}
		}
	}
	if (w->specials)
		image_fs_warn(w->fs, "%s: %llu device, fifo or socket entries skipped", w->lname,
			      (unsigned long long)w->specials);
	strset_release(&w->anc);
	strset_release(&w->hide);
}

/* Node removal that keeps the counters right. */
static void drop_node_counted(struct image_walk_state *w, const char *path, bool same_layer_too)
{
	struct node *nd = fs_lookup(w->fs, path);

	if (!nd || (!same_layer_too && nd->f.layer_index >= w->layer))
		return;
	uncount(w, nd);
	fs_remove(w->fs, nd);
}

/* ---- the layer stream ---- */

struct layer_io {
	struct image_blob *blob;
	struct archive *outer;
	struct bw_hash hblob, hdiff;
	bool hash_blob, hash_diff;
	uint64_t ubytes, max;
	bool over_max;
	struct bw_errbuf beb; /* the blob's own read errors */
	bool blob_failed;
	char sbuf[IO_BUF];
	char ubuf[IO_BUF];
};

static la_ssize_t outer_read(struct archive *a, void *ud, const void **buf)
{
	struct layer_io *io = ud;
	ssize_t n = io->blob->read(io->blob, io->sbuf, sizeof(io->sbuf), &io->beb);

	if (n < 0) {
		io->blob_failed = true;
		archive_set_error(a, EIO, "%s", io->beb.msg[0] ? io->beb.msg : "read error");
		return -1;
	}
	if (n > 0 && io->hash_blob && bw_hash_update(&io->hblob, io->sbuf, (size_t)n) != BW_OK) {
		archive_set_error(a, ENOMEM, "hashing failed");
		return -1;
	}
	*buf = io->sbuf;
	return n;
}

/* Next uncompressed bytes; -1 on error (message in the outer archive or set). */
static la_ssize_t pull(struct layer_io *io, const void **buf)
{
	la_ssize_t n = archive_read_data(io->outer, io->ubuf, sizeof(io->ubuf));

	if (n < 0)
		return -1;
	io->ubytes += (uint64_t)n;
	if (io->ubytes > io->max) {
		io->over_max = true;
		return -1;
	}
	if (n > 0 && io->hash_diff && bw_hash_update(&io->hdiff, io->ubuf, (size_t)n) != BW_OK)
		return -1;
	*buf = io->ubuf;
	return n;
}

static la_ssize_t inner_read(struct archive *a, void *ud, const void **buf)
{
	struct layer_io *io = ud;
	la_ssize_t n = pull(io, buf);

	if (n < 0)
		archive_set_error(a, EIO, "%s",
				  io->over_max ? "uncompressed size over the cap"
					       : archive_error_string(io->outer)
						 ? archive_error_string(io->outer)
						 : "decompression failed");
	return n;
}

static enum bw_err hash_begin(struct bw_hash *h, const char *digest, bool *on, const char *lname,
			      struct bw_errbuf *eb)
{
	*on = false;
	if (!digest)
		return BW_OK;
	if (bw_str_starts_with(digest, "sha256:")) {
		if (bw_hash_init(h, BW_HASH_SHA256))
			return BW_ERR_NOMEM;
	} else if (bw_str_starts_with(digest, "sha512:")) {
		if (bw_hash_init(h, BW_HASH_SHA512))
			return BW_ERR_NOMEM;
	} else {
		return bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: digest algorithm of %.80s not supported",
			       lname, digest);
	}
	*on = true;
	return BW_OK;
}

static enum bw_err hash_end(struct bw_hash *h, bool *on, const char *digest, const char *what,
			    const char *lname, struct bw_errbuf *eb)
{
	char hex[129];
	const char *want = strchr(digest, ':') + 1;

	*on = false;
	if (bw_hash_final_hex(h, hex, sizeof(hex)))
		return bw_fail(eb, BW_ERR_INTERNAL, "%s: hashing failed", lname);
	if (strcmp(hex, want) != 0)
		return bw_fail(eb, BW_ERR_DIGEST,
			       "%s: %s does not match: the content hashes to %.7s%s; the layer is "
			       "corrupt or was altered", lname, what, digest, hex);
	return BW_OK;
}

static enum bw_err read_data(struct archive *in, char *dst, size_t size, const char *lname,
			     const char *path, struct bw_errbuf *eb)
{
	size_t got = 0;

	while (got < size) {
		la_ssize_t n = archive_read_data(in, dst + got, size - got);

		if (n < 0)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: truncated or corrupt at %s: %s", lname,
				       path, archive_error_string(in) ? archive_error_string(in) : "?");
		if (n == 0)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: truncated at %s (%zu of %zu bytes)",
				       lname, path, got, size);
		got += (size_t)n;
	}
	dst[size] = '\0';
	return BW_OK;
}

/* ---- the layer cache: helpers for recording and replaying ---- */

/* A replayed record that does not fit the walk (or is cut short). */
static enum bw_err play_corrupt(struct image_walk_state *w, const char *why, struct bw_errbuf *eb)
{
	const char *pe = image_lplay_error(w->play);

	return bw_fail(eb, BW_ERR_FORMAT, "layer cache: %s: %s: %s; remove it and scan again",
		       image_lplay_what(w->play), w->lname, pe ? pe : why);
}

/* The next item must be tag. */
static bool play_tag(struct image_walk_state *w, int tag)
{
	int c = image_lplay_u8(w->play);

	if (c != tag) {
		if (c >= 0)
			image_lplay_fail(w->play, "unexpected item");
		return false;
	}
	return true;
}

/* Would a want keep path at size bytes, leaving the image-wide caps aside? */
static bool local_keep(const struct image_walk_state *w, const char *path, uint64_t size)
{
	size_t cap;

	return want_cap(w, path, &cap) && size <= cap;
}

/* An image-wide cap stopped something this layer offers: a record would not
 * hold it, so the layer is not recorded. */
static void rec_cap_hit(struct image_walk_state *w)
{
	if (w->rec)
		image_lrec_fail(w->rec);
}

/* n content bytes of an entry into dst (NUL-terminated): from the tar, or
 * from the record's item tag; recorded as tag when recording. */
static enum bw_err entry_content(struct image_walk_state *w, const struct lentry *ent, int tag,
				 char *dst, size_t n, const char *path, struct bw_errbuf *eb)
{
	enum bw_err result;

	if (w->play) {
		if (!play_tag(w, tag) || !image_lplay_bytes(w->play, dst, n))
			return play_corrupt(w, path, eb);
		dst[n] = '\0';
		return BW_OK;
	}
	result = read_data(ent->in, dst, n, w->lname, path, eb);
	if (!result && w->rec) {
		image_lrec_u8(w->rec, (unsigned)tag);
		image_lrec_put(w->rec, dst, n);
	}
	return result;
}

static enum bw_err pending_keep(struct image_walk_state *w);

static enum bw_err keep_plain(struct image_walk_state *w, const struct lentry *ent,
			      const char *path, struct bw_errbuf *eb)
{
	int64_t sz = ent->size;
	struct node *nd;
	enum bw_err result;

	if (sz < 0)
		return BW_OK;
	if (!may_keep(w, path, (uint64_t)sz)) {
		if (local_keep(w, path, (uint64_t)sz))
			rec_cap_hit(w);
		return BW_OK;
	}
	nd = node_new(path, w->layer, w->layer_digest);
	if (!nd)
		return BW_ERR_NOMEM;
	nd->f.data = malloc((size_t)sz + 1);
	if (!nd->f.data) {
		node_free(nd);
		return BW_ERR_NOMEM;
	}
	result = entry_content(w, ent, ITEM_FULL, nd->f.data, (size_t)sz, path, eb);
	if (result) {
		node_free(nd);
		return result;
	}
	nd->f.size = (size_t)sz;
	nd->f.mode = ent->mode;
	nd->f.uid = (uid_t)ent->uid;
	nd->f.gid = (gid_t)ent->gid;
	return keep_node(w, nd);
}

/* ---- streamed wants ---- */

#define STREAM_HEAD 64u /* bytes sniffed for magic */

static bool stream_pattern(const struct image_walk_state *w, const char *path)
{
	for (size_t i = 0; i < w->nswants; i++)
		if (w->swants[i].pattern && bw_path_match(w->swants[i].pattern, path))
			return true;
	return false;
}

bool image_walk_streams(const struct image *img, const char *path)
{
	return img && img->walk && img->walk->stream_fn && stream_pattern(img->walk, path);
}

static bool magic_ok(const struct image_stream_want *sw, const unsigned char *head, size_t nhead)
{
	if (!sw->magic || !sw->magic_len || (sw->flags & IMAGE_STREAM_SEQUENTIAL))
		return true; /* a sequential want's magic only picks the mode */
	return sw->magic_len <= nhead && memcmp(head, sw->magic, sw->magic_len) == 0;
}

/* The one want that takes this file, when it is sequential and its magic
 * matches: the file is then read front to back, never buffered. */
static bool sequential(const struct image_walk_state *w, const char *path,
		       const unsigned char *head, size_t nhead)
{
	const struct image_stream_want *one = NULL;

	for (size_t i = 0; i < w->nswants; i++) {
		const struct image_stream_want *sw = &w->swants[i];

		if (!sw->pattern || !bw_path_match(sw->pattern, path) || !magic_ok(sw, head, nhead))
			continue;
		if (one)
			return false;
		one = sw;
	}
	return one && (one->flags & IMAGE_STREAM_SEQUENTIAL) && one->magic &&
	       one->magic_len <= nhead && memcmp(head, one->magic, one->magic_len) == 0;
}

/* The forward-only reader of a sequential stream: the sniffed head, then
 * the rest of the tar entry. */
struct seq_io {
	struct archive *in;
	const unsigned char *head;
	size_t nhead, hpos;
	uint64_t left;
	bool failed;
	struct bw_buf *rec; /* recording: every byte handed out, or NULL */
};

static ssize_t seq_read(const struct image_stream *s, void *buf, size_t n)
{
	struct seq_io *q = s->priv;
	la_ssize_t r;

	if (q->failed)
		return -1;
	if (q->hpos < q->nhead) {
		if (n > q->nhead - q->hpos)
			n = q->nhead - q->hpos;
		memcpy(buf, q->head + q->hpos, n);
		q->hpos += n;
		if (q->rec)
			(void)bw_buf_append(q->rec, buf, n);
		return (ssize_t)n;
	}
	if (!q->left || !n)
		return 0;
	if (n > q->left)
		n = (size_t)q->left;
	r = archive_read_data(q->in, buf, n);
	if (r <= 0) {
		q->failed = true; /* corrupt or truncated layer */
		return -1;
	}
	q->left -= (uint64_t)r;
	if (q->rec)
		(void)bw_buf_append(q->rec, buf, (size_t)r); /* over TRACE_MAX: seen at the end */
	return (ssize_t)r;
}

/* Stream wants that take this file (pattern and magic); warns for those
 * whose cap it is over. Returns how many take it; *cap the largest cap. */
static size_t stream_match(struct image_walk_state *w, const char *path, uint64_t size,
			   const unsigned char *head, size_t nhead, uint64_t *cap)
{
	size_t n = 0;
	bool over = false;

	*cap = 0;
	for (size_t i = 0; i < w->nswants; i++) {
		const struct image_stream_want *sw = &w->swants[i];

		if (!sw->pattern || !bw_path_match(sw->pattern, path) || !magic_ok(sw, head, nhead))
			continue;
		if (size > sw->max_size) {
			over = true;
			continue;
		}
		if (sw->max_size > *cap)
			*cap = sw->max_size;
		n++;
	}
	if (over && !n)
		image_fs_warn(w->fs, "%s: %s is %llu bytes, over the cap for streamed files: not read",
			      w->lname, path, (unsigned long long)size);
	return n;
}

static bool stream_record_ok(struct image_walk_state *w, const char *path)
{
	if (w->nstreamed < w->lim.max_files)
		return true;
	if (!w->warned_streamed)
		image_fs_warn(w->fs, "%s: %s: the cap of %zu streamed file records is reached: "
				     "further binaries and archives are not read", w->lname, path,
			      w->lim.max_files);
	w->warned_streamed = true;
	return false;
}

/* Hand st to every stream want that takes it. */
static enum bw_err stream_call(struct image_walk_state *w, const struct image_stream *st,
			       const unsigned char *head, size_t nhead, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;

	for (size_t i = 0; i < w->nswants && !result; i++) {
		const struct image_stream_want *sw = &w->swants[i];

		if (sw->pattern && bw_path_match(sw->pattern, st->path) &&
		    magic_ok(sw, head, nhead) && st->size <= sw->max_size)
			result = w->stream_fn(w->stream_ctx, i, st, eb);
	}
	return result;
}

/* The metadata-only record of a streamed file (whiteouts apply to it). */
static enum bw_err stream_record(struct image_walk_state *w, const char *path, size_t layer,
				 const char *digest, uint64_t size, mode_t mode)
{
	struct node *nd;

	if (fs_lookup(w->fs, path))
		return BW_OK; /* also kept: that node is the record */
	nd = node_new(path, layer, digest);
	if (!nd)
		return BW_ERR_NOMEM;
	nd->streamed = true;
	nd->f.size = (size_t)size;
	nd->f.mode = mode;
	return keep_node(w, nd);
}

static ssize_t mem_read_at(const struct image_stream *s, void *buf, size_t n, uint64_t off)
{
	if (off >= s->size)
		return 0;
	if (n > s->size - off)
		n = (size_t)(s->size - off);
	memcpy(buf, s->data + off, n);
	return (ssize_t)n;
}

void image_stream_mem(struct image_stream *s, const char *path, const void *p, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->size = n;
	s->mode = 0100644;
	s->data = p;
	s->read_at = mem_read_at;
	s->fd = -1;
}

static ssize_t fd_read_at(const struct image_stream *s, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	if (off >= s->size)
		return 0;
	if (n > s->size - off)
		n = (size_t)(s->size - off);
	while (got < n) {
		ssize_t r = pread(s->fd, (char *)buf + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break; /* shrank while read */
		got += (size_t)r;
	}
	return (ssize_t)got;
}

enum bw_err image_stream_read(const struct image_stream *s, void *buf, size_t n, uint64_t off,
			      struct bw_errbuf *eb)
{
	ssize_t r;

	if (!s->read_at)
		return bw_fail(eb, BW_ERR_USAGE, "%s: a sequential stream has no random access",
			       s->path);
	if (off > s->size || n > s->size - off)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %zu bytes at offset %llu: past the end (%llu bytes)",
			       s->path, n, (unsigned long long)off, (unsigned long long)s->size);
	if (!n)
		return BW_OK;
	r = s->read_at(s, buf, n, off);
	if (r < 0)
		return bw_fail(eb, BW_ERR_IO, "%s: read error at offset %llu", s->path,
			       (unsigned long long)off);
	if ((size_t)r != n)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: short read at offset %llu", s->path,
			       (unsigned long long)off);
	return BW_OK;
}

/* ---- what a stream callback read, for a record ----
 * A callback is a function of the bytes it reads: a record keeps those
 * bytes (ranges of a random-access stream, the front of a sequential one)
 * and a replay serves them again, so the callback adds the same packages
 * without the layer. */

struct trace_range {
	uint64_t off, len;
	unsigned char *p; /* replay: the bytes */
};

struct trace {
	const unsigned char *data; /* recording: the file in memory */
	uint64_t size;
	struct trace_range *r;
	size_t n, cap;
	bool over;
	/* replay of a sequential stream */
	uint64_t pos;
};

static void trace_release(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->r[i].p);
	free(t->r);
	memset(t, 0, sizeof(*t));
}

static ssize_t traced_read_at(const struct image_stream *s, void *buf, size_t n, uint64_t off)
{
	struct trace *t = s->priv;

	if (off >= t->size)
		return 0;
	if (n > t->size - off)
		n = (size_t)(t->size - off);
	memcpy(buf, t->data + off, n);
	if (n && !t->over) {
		if (t->n >= TRACE_MAX_RANGES ||
		    bw_grow((void **)&t->r, &t->cap, t->n + 1, sizeof(*t->r), TRACE_MAX_RANGES))
			t->over = true;
		else
			t->r[t->n++] = (struct trace_range){off, n, NULL};
	}
	return (ssize_t)n;
}

static int range_cmp(const void *a, const void *b)
{
	const struct trace_range *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* 'T' count (off len bytes)*: the merged ranges read from data. */
static void trace_write(struct image_walk_state *w, struct trace *t)
{
	size_t k = 0;
	uint64_t total = 0;

	if (!w->rec)
		return;
	if (t->over) {
		image_lrec_fail(w->rec);
		return;
	}
	if (t->n)
		qsort(t->r, t->n, sizeof(*t->r), range_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (k && t->r[i].off <= t->r[k - 1].off + t->r[k - 1].len) {
			uint64_t end = t->r[i].off + t->r[i].len;

			if (end > t->r[k - 1].off + t->r[k - 1].len)
				t->r[k - 1].len = end - t->r[k - 1].off;
			continue;
		}
		t->r[k++] = t->r[i];
	}
	t->n = k;
	for (size_t i = 0; i < k; i++)
		total += t->r[i].len;
	if (total > TRACE_MAX) {
		image_lrec_fail(w->rec);
		return;
	}
	image_lrec_u8(w->rec, ITEM_TRACE);
	image_lrec_varint(w->rec, k);
	for (size_t i = 0; i < k; i++) {
		image_lrec_varint(w->rec, t->r[i].off);
		image_lrec_varint(w->rec, t->r[i].len);
		image_lrec_put(w->rec, t->data + t->r[i].off, (size_t)t->r[i].len);
	}
}

/* Read a 'T' item for a file of size bytes: sorted, disjoint ranges inside
 * the file, TRACE_MAX bytes at most. */
static bool trace_read(struct image_walk_state *w, struct trace *t, uint64_t size)
{
	uint64_t n, total = 0, end = 0;

	memset(t, 0, sizeof(*t));
	t->size = size;
	if (!play_tag(w, ITEM_TRACE) || !image_lplay_varint(w->play, TRACE_MAX_RANGES, &n))
		return false;
	for (uint64_t i = 0; i < n; i++) {
		struct trace_range r = {0};

		if (!image_lplay_varint(w->play, size, &r.off) ||
		    !image_lplay_varint(w->play, TRACE_MAX, &r.len))
			return false;
		if (r.off < end || r.len == 0 || r.len > size - r.off || r.len > TRACE_MAX - total) {
			image_lplay_fail(w->play, "a bad range of a streamed file");
			return false;
		}
		if (bw_grow((void **)&t->r, &t->cap, t->n + 1, sizeof(*t->r), TRACE_MAX_RANGES) ||
		    !(r.p = malloc((size_t)r.len))) {
			image_lplay_fail(w->play, "out of memory");
			return false;
		}
		t->r[t->n++] = r;
		if (!image_lplay_bytes(w->play, r.p, r.len))
			return false;
		total += r.len;
		end = r.off + r.len;
	}
	return true;
}

/* Replay: a read the callback made when the record was written is served
 * from the record; any other read is an error (the record is not the one
 * for this walk). */
static ssize_t sparse_read_at(const struct image_stream *s, void *buf, size_t n, uint64_t off)
{
	struct trace *t = s->priv;
	size_t lo = 0, hi = t->n;

	if (off >= t->size)
		return 0;
	if (n > t->size - off)
		n = (size_t)(t->size - off);
	if (!n)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->r[mid].off + t->r[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= t->n || t->r[lo].off > off || off + n > t->r[lo].off + t->r[lo].len) {
		t->over = true; /* a miss */
		return -1;
	}
	memcpy(buf, t->r[lo].p + (off - t->r[lo].off), n);
	return (ssize_t)n;
}

static ssize_t sparse_read(const struct image_stream *s, void *buf, size_t n)
{
	struct trace *t = s->priv;
	uint64_t have;

	if (!t->n || t->pos >= t->r[0].len)
		return 0;
	have = t->r[0].len - t->pos;
	if (n > have)
		n = (size_t)have;
	memcpy(buf, t->r[0].p + t->pos, n);
	t->pos += n;
	return (ssize_t)n;
}

/* The head of a stream candidate: from the tar (recorded as 'H', or as 'N'
 * when no stream want's pattern and magic take it, whatever its size), or
 * from the record. *nohead: the head does not matter (no stream want). */
static enum bw_err entry_head(struct image_walk_state *w, const struct lentry *ent,
			      const char *path, unsigned char *head, size_t nhead, bool *nohead,
			      struct bw_errbuf *eb)
{
	enum bw_err result;
	bool any = false;
	int c;

	*nohead = false;
	if (w->play) {
		c = image_lplay_u8(w->play);
		if (c == ITEM_NOHEAD) {
			*nohead = true;
			return BW_OK;
		}
		if (c != ITEM_HEAD || !image_lplay_bytes(w->play, head, nhead)) {
			if (c >= 0)
				image_lplay_fail(w->play, "unexpected item");
			return play_corrupt(w, path, eb);
		}
		head[nhead] = '\0';
		return BW_OK;
	}
	result = read_data(ent->in, (char *)head, nhead, w->lname, path, eb); /* writes head[nhead] */
	if (result || !w->rec)
		return result;
	for (size_t i = 0; i < w->nswants && !any; i++)
		any = w->swants[i].pattern && bw_path_match(w->swants[i].pattern, path) &&
		      magic_ok(&w->swants[i], head, nhead);
	if (!any) {
		image_lrec_u8(w->rec, ITEM_NOHEAD);
		*nohead = true;
		return BW_OK;
	}
	image_lrec_u8(w->rec, ITEM_HEAD);
	image_lrec_put(w->rec, head, nhead);
	return BW_OK;
}

/* A file that only sequential stream wants take: handed front to back. */
static enum bw_err seq_entry(struct image_walk_state *w, const struct lentry *ent,
			     const char *path, const unsigned char *head, size_t nhead,
			     struct bw_errbuf *eb)
{
	struct seq_io q = {.in = ent->in, .head = head, .nhead = nhead,
			   .left = (uint64_t)ent->size - nhead};
	struct image_stream st;
	struct bw_buf rb;
	struct trace t = {0};
	enum bw_err result;

	memset(&st, 0, sizeof(st));
	st.path = path;
	st.size = (uint64_t)ent->size;
	st.mode = ent->mode;
	st.layer_index = w->layer;
	st.layer_digest = w->layer_digest;
	st.fd = -1;
	if (w->play) {
		if (!trace_read(w, &t, (uint64_t)ent->size) || t.n > 1 || (t.n && t.r[0].off)) {
			image_lplay_fail(w->play, "a bad sequential stream");
			trace_release(&t);
			return play_corrupt(w, path, eb);
		}
		st.read = sparse_read;
		st.priv = &t;
		result = stream_call(w, &st, head, nhead, eb);
		trace_release(&t);
	} else {
		bw_buf_init(&rb, TRACE_MAX);
		q.rec = w->rec ? &rb : NULL;
		st.read = seq_read;
		st.priv = &q;
		result = stream_call(w, &st, head, nhead, eb);
		if (!result && q.failed)
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: truncated or corrupt at %s: %s",
					 w->lname, path,
					 archive_error_string(ent->in) ? archive_error_string(ent->in)
								       : "?");
		if (!result && w->rec) {
			/* all of it, unless the buffer hit TRACE_MAX */
			struct trace_range r = {0, rb.len, NULL};

			t.data = (const unsigned char *)rb.data;
			t.size = rb.len;
			t.r = rb.len ? &r : NULL;
			t.n = rb.len ? 1 : 0;
			t.over = rb.len != q.hpos + ((uint64_t)ent->size - nhead - q.left);
			trace_write(w, &t);
		}
		bw_buf_release(&rb);
	}
	if (result)
		return result;
	return stream_record(w, path, w->layer, w->layer_digest, (uint64_t)ent->size, ent->mode);
}

/* A regular file of a layer: streamed, kept, both or neither. The head is
 * read first for the magic; only a streamed or kept file is read whole, into
 * one buffer that the callbacks see and a kept node then owns. */
static enum bw_err file_entry(struct image_walk_state *w, const struct lentry *ent,
			      const char *path, struct bw_errbuf *eb)
{
	int64_t sz = ent->size;
	unsigned char head[STREAM_HEAD + 1];
	size_t nhead;
	uint64_t cap;
	struct image_stream st;
	struct trace t = {0};
	struct node *nd;
	char *data = NULL;
	bool keep, stream, nohead, keep_data = false;
	enum bw_err result;

	if (!w->stream_fn || sz < 0 || !stream_pattern(w, path))
		return keep_plain(w, ent, path, eb);
	nhead = (uint64_t)sz < STREAM_HEAD ? (size_t)sz : STREAM_HEAD;
	result = entry_head(w, ent, path, head, nhead, &nohead, eb);
	if (result)
		return result;
	keep = may_keep(w, path, (uint64_t)sz);
	if (!keep && local_keep(w, path, (uint64_t)sz))
		rec_cap_hit(w);
	stream = !nohead && stream_match(w, path, (uint64_t)sz, head, nhead, &cap);
	if (stream && !stream_record_ok(w, path)) {
		stream = false;
		rec_cap_hit(w);
	}
	if (!keep && !stream)
		return BW_OK;
	if (!keep && w->play && image_lplay_peek(w->play) == ITEM_FULL)
		keep_data = true; /* kept when recorded; an image-wide cap stops it now */
	if (!keep && !keep_data && sequential(w, path, head, nhead))
		return seq_entry(w, ent, path, head, nhead, eb);
	if (keep || keep_data || !w->play) {
		data = malloc((size_t)sz + 1);
		if (!data)
			return BW_ERR_NOMEM;
		memcpy(data, head, nhead);
		if (w->play) {
			result = entry_content(w, ent, ITEM_FULL, data, (size_t)sz, path, eb);
		} else {
			result = read_data(ent->in, data + nhead, (size_t)sz - nhead, w->lname, path,
					   eb);
			if (!result && w->rec && keep) {
				image_lrec_u8(w->rec, ITEM_FULL);
				image_lrec_put(w->rec, data, (size_t)sz);
			}
		}
		if (result)
			goto out_free;
	}
	if (stream) {
		image_stream_mem(&st, path, data, (size_t)sz);
		st.mode = ent->mode;
		st.layer_index = w->layer;
		st.layer_digest = w->layer_digest;
		if (!keep && !keep_data && w->play) {
			/* what the callbacks read when the record was made */
			if (!trace_read(w, &t, (uint64_t)sz)) {
				trace_release(&t);
				result = play_corrupt(w, path, eb);
				goto out_free;
			}
			st.data = NULL;
			st.read_at = sparse_read_at;
			st.priv = &t;
		} else if (!keep && w->rec) {
			t.data = (const unsigned char *)data;
			t.size = (uint64_t)sz;
			st.data = NULL; /* every read goes through the trace */
			st.read_at = traced_read_at;
			st.priv = &t;
		}
		result = stream_call(w, &st, head, nhead, eb);
		if (!result && !keep && w->rec && !w->play)
			trace_write(w, &t);
		if (!result && w->play && t.over)
			result = play_corrupt(w, "a read the record does not hold", eb);
		if (w->play)
			trace_release(&t);
		else
			free(t.r);
		if (result)
			goto out_free;
	}
	if (!keep) {
		free(data);
		return stream_record(w, path, w->layer, w->layer_digest, (uint64_t)sz, ent->mode);
	}
	nd = node_new(path, w->layer, w->layer_digest);
	if (!nd) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	nd->f.data = data;
	nd->f.size = (size_t)sz;
	nd->f.mode = ent->mode;
	nd->f.uid = (uid_t)ent->uid;
	nd->f.gid = (gid_t)ent->gid;
	return keep_node(w, nd);
out_free:
	free(data);
	return result;
}

static enum bw_err hard_link(struct image_walk_state *w, const struct lentry *e,
			     const char *path, const char *link)
{
	char *tclean;
	struct node *t, *nd;
	size_t cap;
	enum bw_err result = BW_OK;

	if (!want_cap(w, path, &cap))
		return BW_OK;
	tclean = malloc(strlen(link) + 1);
	if (!tclean)
		return BW_ERR_NOMEM;
	if (bw_path_clean(link, tclean, strlen(link) + 1) != BW_OK) {
		image_fs_warn(w->fs, "%s: hard link %s -> %s climbs above the root: skipped", w->lname,
			      path, link);
		goto out_free;
	}
	t = fs_lookup(w->fs, tclean);
	if (!t || t->symlink || t->f.layer_index != w->layer || !t->f.data) {
		struct pending_link *pl;

		if (w->npend >= MAX_PENDING_LINKS) {
			image_fs_warn(w->fs, "%s: hard link %s -> %s: the target was not kept and over "
					     "%d such links wait for a re-read: skipped", w->lname, path,
				      tclean, MAX_PENDING_LINKS);
			goto out_free;
		}
		if (!w->pend) {
			w->pend = bw_calloc(MAX_PENDING_LINKS, sizeof(*w->pend));
			if (!w->pend) {
				result = BW_ERR_NOMEM;
				goto out_free;
			}
		}
		pl = &w->pend[w->npend];
		memset(pl, 0, sizeof(*pl));
		pl->link = bw_strdup(path);
		pl->target = tclean;
		tclean = NULL;
		pl->before = w->entries;
		pl->mode = e->mode;
		if (!pl->link) {
			free(pl->target);
			result = BW_ERR_NOMEM;
			goto out_free;
		}
		w->npend++;
		result = strset_add_n(&w->pend_links, path, strlen(path));
		goto out_free;
	}
	if (!may_keep(w, path, t->f.size)) {
		if (local_keep(w, path, t->f.size))
			rec_cap_hit(w);
		goto out_free;
	}
	nd = node_new(path, w->layer, w->layer_digest);
	if (!nd || !(nd->f.data = malloc(t->f.size + 1))) {
		node_free(nd);
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	memcpy(nd->f.data, t->f.data, t->f.size + 1);
	nd->f.size = t->f.size;
	nd->f.mode = e->mode ? e->mode : t->f.mode;
	nd->f.uid = t->f.uid;
	nd->f.gid = t->f.gid;
	result = keep_node(w, nd);
out_free:
	free(tclean);
	return result;
}

static enum bw_err whiteout(struct image_walk_state *w, const char *path, const char *base)
{
	char dir[IMAGE_MAX_PATH], target[IMAGE_MAX_PATH];
	const char *name = base + 4;

	bw_path_dir(path, dir, sizeof(dir));
	if (strcmp(base, ".wh..wh..opq") == 0)
		return hide_below(w, dir);
	if (bw_str_starts_with(base, ".wh..wh."))
		return BW_OK; /* aufs bookkeeping (.wh..wh.plnk, ...) */
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		image_fs_warn(w->fs, "%s: whiteout %s names nothing: skipped", w->lname, path);
		return BW_OK;
	}
	if ((size_t)snprintf(target, sizeof(target), "%s%s%s", dir, *dir ? "/" : "", name) >=
	    sizeof(target))
		return BW_OK;
	drop_node_counted(w, target, false);
	if (strset_has(&w->anc, target))
		return strset_add_n(&w->hide, target, strlen(target));
	return BW_OK;
}

static enum bw_err walk_entry(struct image_walk_state *w, const struct lentry *e,
			      struct bw_errbuf *eb)
{
	const char *raw = e->raw, *base, *hl;
	char path[IMAGE_MAX_PATH];
	unsigned int type = e->type;
	enum bw_err result;

	if (!raw || !*raw) {
		image_fs_warn(w->fs, "%s: an entry without a readable name: skipped", w->lname);
		return BW_OK;
	}
	if (raw[0] == '/') {
		image_fs_warn(w->fs, "%s: absolute path %.200s: skipped", w->lname, raw);
		return BW_OK;
	}
	if (strlen(raw) >= sizeof(path)) {
		image_fs_warn(w->fs, "%s: a path of %zu bytes (over %zu): skipped", w->lname,
			      strlen(raw), sizeof(path) - 1);
		return BW_OK;
	}
	if (bw_path_clean(raw, path, sizeof(path)) != BW_OK) {
		image_fs_warn(w->fs, "%s: path %.200s climbs above the root: skipped", w->lname, raw);
		return BW_OK;
	}
	if (!*path)
		return BW_OK; /* the root itself */
	if (w->npend && strset_has(&w->pend_links, path))
		for (size_t i = 0; i < w->npend; i++)
			if (strcmp(w->pend[i].link, path) == 0)
				w->pend[i].cancelled = true; /* replaced by this later entry */
	base = bw_path_base(path);
	if (bw_str_starts_with(base, ".wh."))
		return whiteout(w, path, base);
	if (type == AE_IFDIR) {
		drop_node_counted(w, path, true);
		return BW_OK;
	}
	drop_node_counted(w, path, true);
	if (strset_has(&w->anc, path)) {
		result = strset_add_n(&w->hide, path, strlen(path));
		if (result)
			return result;
	}
	hl = e->hardlink;
	if (hl && e->size <= 0)
		return hard_link(w, e, path, hl);
	if (type == AE_IFREG || (hl && type == 0))
		return file_entry(w, e, path, eb);
	if (type == AE_IFLNK)
		return add_symlink(w, path, e->symlink ? e->symlink : "");
	w->specials++;
	return BW_OK;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* 'E' prefix suffix type hardlink symlink size mode uid gid. A name is
 * coded as the length it shares with the previous entry's and the rest. */
static void rec_entry(struct image_walk_state *w, const struct lentry *e)
{
	size_t pre = 0;

	if (!w->rec)
		return;
	if ((e->raw && strlen(e->raw) > RAW_MAX) || (e->hardlink && strlen(e->hardlink) > RAW_MAX) ||
	    (e->symlink && strlen(e->symlink) > RAW_MAX)) {
		image_lrec_fail(w->rec);
		return;
	}
	if (e->raw && w->prev_raw)
		while (w->prev_raw[pre] && w->prev_raw[pre] == e->raw[pre])
			pre++;
	image_lrec_u8(w->rec, ITEM_ENTRY);
	image_lrec_varint(w->rec, pre);
	image_lrec_str(w->rec, e->raw ? e->raw + pre : NULL);
	image_lrec_varint(w->rec, e->type);
	image_lrec_str(w->rec, e->hardlink);
	image_lrec_str(w->rec, e->symlink);
	image_lrec_varint(w->rec, zigzag(e->size));
	image_lrec_varint(w->rec, e->mode);
	image_lrec_varint(w->rec, zigzag(e->uid));
	image_lrec_varint(w->rec, zigzag(e->gid));
	if (e->raw) {
		free(w->prev_raw);
		w->prev_raw = bw_strdup(e->raw);
		if (!w->prev_raw)
			image_lrec_fail(w->rec);
	}
}

/* A tar entry: as an lentry (recorded when recording) to walk_entry. */
static enum bw_err live_entry(struct image_walk_state *w, struct archive *in,
			      struct archive_entry *ae, struct bw_errbuf *eb)
{
	struct lentry e = {0};

	e.raw = archive_entry_pathname(ae);
	if (!e.raw)
		e.raw = archive_entry_pathname_utf8(ae);
	e.type = archive_entry_filetype(ae);
	e.hardlink = archive_entry_hardlink(ae);
	if (e.type == AE_IFLNK) {
		e.symlink = archive_entry_symlink(ae);
		if (!e.symlink)
			e.symlink = archive_entry_symlink_utf8(ae);
	}
	e.size = archive_entry_size(ae);
	e.mode = archive_entry_mode(ae);
	e.uid = archive_entry_uid(ae);
	e.gid = archive_entry_gid(ae);
	e.in = in;
	rec_entry(w, &e);
	return walk_entry(w, &e, eb);
}

/* An 'E' item (tag read) to walk_entry. */
static enum bw_err play_entry(struct image_walk_state *w, struct bw_errbuf *eb)
{
	struct image_lplay *p = w->play;
	struct lentry e = {0};
	char *suffix = NULL, *raw = NULL, *hl = NULL, *sl = NULL;
	uint64_t pre, type, size, mode, uid, gid;
	size_t plen = w->prev_raw ? strlen(w->prev_raw) : 0;
	enum bw_err result = BW_OK;

	if (!image_lplay_varint(p, plen, &pre) || !image_lplay_str(p, RAW_MAX, &suffix) ||
	    !image_lplay_varint(p, UINT32_MAX, &type) || !image_lplay_str(p, RAW_MAX, &hl) ||
	    !image_lplay_str(p, RAW_MAX, &sl) || !image_lplay_varint(p, UINT64_MAX, &size) ||
	    !image_lplay_varint(p, UINT32_MAX, &mode) || !image_lplay_varint(p, UINT64_MAX, &uid) ||
	    !image_lplay_varint(p, UINT64_MAX, &gid))
		goto out_corrupt;
	if (suffix) {
		if (pre + strlen(suffix) > RAW_MAX) {
			image_lplay_fail(p, "a name over its cap");
			goto out_corrupt;
		}
		raw = bw_strfmt("%.*s%s", (int)pre, w->prev_raw ? w->prev_raw : "", suffix);
		if (!raw) {
			result = BW_ERR_NOMEM;
			goto out_free;
		}
		free(w->prev_raw);
		w->prev_raw = bw_strdup(raw);
		if (!w->prev_raw) {
			result = BW_ERR_NOMEM;
			goto out_free;
		}
	} else if (pre) {
		image_lplay_fail(p, "a shared prefix without a name");
		goto out_corrupt;
	}
	e.raw = raw;
	e.type = (unsigned)type;
	e.hardlink = hl;
	e.symlink = sl;
	e.size = unzigzag(size);
	e.mode = (mode_t)mode;
	e.uid = unzigzag(uid);
	e.gid = unzigzag(gid);
	w->play_size = e.size;
	result = walk_entry(w, &e, eb);
	goto out_free;
out_corrupt:
	result = play_corrupt(w, "an entry", eb);
out_free:
	free(suffix);
	free(raw);
	free(hl);
	free(sl);
	return result;
}

/* Items of an entry that this walk did not use (an image-wide cap stopped
 * the file here, not when the record was made). */
static bool play_skip_item(struct image_walk_state *w, int tag)
{
	struct image_lplay *p = w->play;
	uint64_t n, off, len;

	switch (tag) {
	case ITEM_NOHEAD:
		return true;
	case ITEM_FULL:
		/* the last entry's content; a head is always read */
		if (w->play_size < 0) {
			image_lplay_fail(p, "content of an entry without a size");
			return false;
		}
		return image_lplay_skip(p, (uint64_t)w->play_size);
	case ITEM_TRACE:
		if (!image_lplay_varint(p, TRACE_MAX_RANGES, &n))
			return false;
		for (uint64_t i = 0; i < n; i++)
			if (!image_lplay_varint(p, UINT64_MAX, &off) ||
			    !image_lplay_varint(p, TRACE_MAX, &len) || !image_lplay_skip(p, len))
				return false;
		return true;
	default:
		image_lplay_fail(p, "an unknown item");
		return false;
	}
}

/* An 'R' item (tag read): a file the second pass read for hard links. */
static enum bw_err play_reread(struct image_walk_state *w, struct bw_errbuf *eb)
{
	struct image_lplay *p = w->play;
	uint64_t entry, size;
	char *path = NULL, *data = NULL;
	bool any, need;
	int has;
	enum bw_err result;

	if (!image_lplay_varint(p, w->lim.max_entries, &entry) ||
	    !image_lplay_str(p, IMAGE_MAX_PATH, &path) || !path ||
	    !image_lplay_varint(p, INT64_MAX, &size) || (has = image_lplay_u8(p)) < 0)
		goto out_corrupt;
	w->entries = entry;
	reread_needs(w, path, (int64_t)size, &any, &need);
	if (has && !need) {
		if (!image_lplay_skip(p, size))
			goto out_corrupt;
	} else if (need) {
		/* need implies size <= a want's cap */
		if (!has || !(data = malloc((size_t)size + 1))) {
			if (has) {
				free(path);
				return BW_ERR_NOMEM;
			}
			image_lplay_fail(p, "a hard-link target without its content");
			goto out_corrupt;
		}
		if (!image_lplay_bytes(p, data, size))
			goto out_corrupt;
		data[size] = '\0';
	}
	result = any ? reread_apply(w, path, (int64_t)size, data) : BW_OK;
	free(path);
	free(data);
	return result;
out_corrupt:
	free(path);
	free(data);
	return play_corrupt(w, "a hard-link target", eb);
}

/* A layer from its record instead of its blob: the same walk_entry calls,
 * in the same order, with the content the record holds. */
static enum bw_err replay_layer(struct image_walk_state *w, struct bw_errbuf *eb)
{
	struct image_lplay *p = w->play;
	enum bw_err result = BW_OK;
	unsigned extra = 0;
	int tag;

	while ((tag = image_lplay_peek(p)) >= 0 && tag != ITEM_REREAD && tag != ITEM_END) {
		(void)image_lplay_u8(p);
		/* an entry has at most a head, its content and a trace */
		if (tag != ITEM_ENTRY && ++extra > 4) {
			image_lplay_fail(p, "too many items for one entry");
			return play_corrupt(w, "an item", eb);
		}
		if (tag == ITEM_ENTRY)
			extra = 0;
		if (tag == ITEM_ENTRY) {
			if (w->over_entries || ++w->entries > w->lim.max_entries) {
				image_lplay_fail(p, "more entries than the cap");
				return play_corrupt(w, "an entry", eb);
			}
			result = play_entry(w, eb);
		} else if (tag == ITEM_OVER) {
			if (!w->over_entries)
				image_fs_warn(w->fs, "%s: more than %zu entries: the rest of the layer "
						     "is not catalogued", w->lname, w->lim.max_entries);
			w->over_entries = true;
		} else if (!play_skip_item(w, tag)) {
			result = play_corrupt(w, "an item", eb);
		}
		if (result)
			return result;
	}
	w->reread = true;
	while (!result && image_lplay_peek(p) == ITEM_REREAD) {
		(void)image_lplay_u8(p);
		result = play_reread(w, eb);
	}
	w->reread = false;
	if (!result && w->npend)
		result = pending_keep(w);
	if (!result && (!play_tag(w, ITEM_END) || !image_lplay_at_end(p)))
		result = play_corrupt(w, "bytes after the end", eb);
	return result;
}

/* Second pass: keep the content of pending hard-link targets. data is the
 * file's content (NUL-terminated) or NULL when it was not read: then no
 * pending link may need it. */
static enum bw_err reread_apply(struct image_walk_state *w, const char *path, int64_t sz,
				const char *data)
{
	for (size_t i = 0; i < w->npend; i++) {
		struct pending_link *pl = &w->pend[i];
		size_t cap;

		if (pl->cancelled || w->entries >= pl->before || strcmp(pl->target, path) != 0)
			continue;
		if (!want_cap(w, pl->link, &cap) || (uint64_t)sz > cap) {
			free(pl->data);
			pl->data = NULL;
			pl->size = (size_t)sz; /* too big: may_keep warns at the end */
			continue;
		}
		if (BW_NEVER(!data))
			return BW_ERR_INTERNAL;
		free(pl->data);
		pl->data = malloc((size_t)sz + 1);
		if (!pl->data)
			return BW_ERR_NOMEM;
		memcpy(pl->data, data, (size_t)sz + 1);
		pl->size = (size_t)sz;
	}
	return BW_OK;
}

/* What the second pass does with path: *any: a pending link waits for it;
 * *need: one of them keeps its content. */
static void reread_needs(const struct image_walk_state *w, const char *path, int64_t sz,
			 bool *any, bool *need)
{
	*any = *need = false;
	for (size_t i = 0; i < w->npend; i++) {
		const struct pending_link *pl = &w->pend[i];
		size_t cap;

		if (pl->cancelled || w->entries >= pl->before || strcmp(pl->target, path) != 0)
			continue;
		*any = true;
		if (want_cap(w, pl->link, &cap) && (uint64_t)sz <= cap)
			*need = true;
	}
}

static enum bw_err reread_entry(struct image_walk_state *w, struct archive *in,
				struct archive_entry *e, struct bw_errbuf *eb)
{
	const char *raw = archive_entry_pathname(e);
	char path[IMAGE_MAX_PATH];
	char *data = NULL;
	int64_t sz = archive_entry_size(e);
	bool any, need;
	enum bw_err result;

	if (!raw || raw[0] == '/' || strlen(raw) >= sizeof(path) ||
	    bw_path_clean(raw, path, sizeof(path)) != BW_OK || !*path ||
	    archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) || sz < 0)
		return BW_OK;
	reread_needs(w, path, sz, &any, &need);
	if (!any)
		return BW_OK;
	if (need) {
		data = malloc((size_t)sz + 1);
		if (!data)
			return BW_ERR_NOMEM;
		result = read_data(in, data, (size_t)sz, w->lname, path, eb);
		if (result)
			goto out_free;
	}
	if (w->rec) {
		image_lrec_u8(w->rec, ITEM_REREAD);
		image_lrec_varint(w->rec, w->entries);
		image_lrec_str(w->rec, path);
		image_lrec_varint(w->rec, (uint64_t)sz);
		image_lrec_u8(w->rec, need);
		if (need)
			image_lrec_put(w->rec, data, (size_t)sz);
	}
	result = reread_apply(w, path, sz, data);
out_free:
	free(data);
	return result;
}

/* Keep the re-read hard links (or say why not). */
static enum bw_err pending_keep(struct image_walk_state *w)
{
	enum bw_err result = BW_OK;

	for (size_t i = 0; i < w->npend && !result; i++) {
		struct pending_link *pl = &w->pend[i];
		struct node *nd;

		if (pl->cancelled)
			continue;
		if (!pl->data) {
			if (pl->size)
				(void)may_keep(w, pl->link, pl->size); /* warns: over its cap */
			else
				image_fs_warn(w->fs, "%s: hard link %s -> %s: no such file earlier in "
						     "the layer: skipped", w->lname, pl->link, pl->target);
			continue;
		}
		if (!may_keep(w, pl->link, pl->size)) {
			if (local_keep(w, pl->link, pl->size))
				rec_cap_hit(w);
			continue;
		}
		nd = node_new(pl->link, w->layer, w->layer_digest);
		if (!nd)
			return BW_ERR_NOMEM;
		nd->f.data = pl->data;
		pl->data = NULL;
		nd->f.size = pl->size;
		nd->f.mode = pl->mode;
		result = keep_node(w, nd);
	}
	return result;
}

static enum bw_err walk_stream(struct image_walk_state *w, struct layer_io *io,
			       struct bw_errbuf *eb)
{
	struct archive *in = NULL;
	struct archive_entry *e;
	enum bw_err result = BW_OK;
	int r;

	io->outer = archive_read_new();
	if (!io->outer)
		return BW_ERR_NOMEM;
	archive_read_support_filter_gzip(io->outer);
	archive_read_support_filter_zstd(io->outer);
	archive_read_support_filter_xz(io->outer);
	archive_read_support_format_raw(io->outer);
	r = archive_read_open(io->outer, io, NULL, outer_read, NULL);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(io->outer, &e);
	if (r != ARCHIVE_OK) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: unreadable: %s", w->lname,
				 r == ARCHIVE_EOF ? "empty blob"
						  : archive_error_string(io->outer)
						    ? archive_error_string(io->outer)
						    : "?");
		goto out_outer;
	}
	in = archive_read_new();
	if (!in) {
		result = BW_ERR_NOMEM;
		goto out_outer;
	}
	archive_read_support_format_tar(in);
	r = archive_read_open(in, io, NULL, inner_read, NULL);
	while (r == ARCHIVE_OK) {
		r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			break;
		r = ARCHIVE_OK;
		if (w->over_entries)
			continue; /* read on for the digests only */
		if (++w->entries > w->lim.max_entries) {
			if (!w->reread) {
				image_fs_warn(w->fs, "%s: more than %zu entries: the rest of the layer "
						     "is not catalogued", w->lname, w->lim.max_entries);
				if (w->rec)
					image_lrec_u8(w->rec, ITEM_OVER);
			}
			w->over_entries = true;
			continue;
		}
		result = w->reread ? reread_entry(w, in, e, eb) : live_entry(w, in, e, eb);
		if (result)
			goto out_inner;
	}
	if (r != ARCHIVE_EOF) {
		if (io->over_max)
			result = bw_fail(eb, BW_ERR_LIMIT, "%s: more than %llu uncompressed bytes",
					 w->lname, (unsigned long long)w->lim.max_layer_size);
		else
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: truncated or corrupt: %s", w->lname,
					 archive_error_string(in) ? archive_error_string(in) : "?");
		goto out_inner;
	}
	/* the rest of the streams, for the digests */
	for (;;) {
		const void *p;
		la_ssize_t n = pull(io, &p);

		if (n == 0)
			break;
		if (n < 0) {
			result = bw_fail(eb, io->over_max ? BW_ERR_LIMIT : BW_ERR_FORMAT,
					 "%s: truncated or corrupt after the end of the tar: %s",
					 w->lname,
					 io->over_max ? "uncompressed size over the cap"
						      : archive_error_string(io->outer)
							? archive_error_string(io->outer)
							: "?");
			goto out_inner;
		}
	}
	for (;;) {
		ssize_t n = io->blob->read(io->blob, io->sbuf, sizeof(io->sbuf), &io->beb);

		if (n == 0)
			break;
		if (n < 0) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s", w->lname, io->beb.msg);
			goto out_inner;
		}
		if (io->hash_blob && bw_hash_update(&io->hblob, io->sbuf, (size_t)n)) {
			result = BW_ERR_INTERNAL;
			goto out_inner;
		}
	}
out_inner:
	archive_read_free(in);
out_outer:
	archive_read_free(io->outer);
	io->outer = NULL;
	return result;
}

/* One streaming pass over layer i: blob -> filters -> tar, digests checked. */
static enum bw_err layer_pass(struct image_walk_state *w, size_t i, struct bw_errbuf *eb)
{
	struct image *img = w->img;
	const struct image_layer *L = &img->info.layers[i];
	struct layer_io *io = calloc(1, sizeof(*io));
	enum bw_err result;

	if (!io)
		return BW_ERR_NOMEM;
	io->max = w->lim.max_layer_size;
	result = img->ops->open_layer(img->src, i, &io->blob, eb);
	if (result) {
		bw_fail_prefix(eb, result, "%s", w->lname);
		free(io);
		return result;
	}
	result = hash_begin(&io->hblob, L->digest, &io->hash_blob, w->lname, eb);
	if (!result)
		result = hash_begin(&io->hdiff, L->diff_id, &io->hash_diff, w->lname, eb);
	if (!result)
		result = walk_stream(w, io, eb);
	if (!result && io->hash_blob)
		result = hash_end(&io->hblob, &io->hash_blob, L->digest, "the blob digest", w->lname,
				  eb);
	if (!result && io->hash_diff)
		result = hash_end(&io->hdiff, &io->hash_diff, L->diff_id,
				  "the uncompressed digest (diff_id) from the config", w->lname, eb);
	io->blob->close(io->blob);
	if (io->hash_blob)
		bw_hash_release(&io->hblob);
	if (io->hash_diff)
		bw_hash_release(&io->hdiff);
	free(io);
	return result;
}

static enum bw_err walk_layer(struct image_walk_state *w, size_t i, struct bw_errbuf *eb)
{
	struct image *img = w->img;
	const struct image_layer *L = &img->info.layers[i];
	char *lname;
	enum bw_err result;

	lname = bw_strfmt("%s: layer %zu (%s)", img->info.ref_text, i + 1,
			  L->digest ? L->digest : "no digest");
	if (!lname)
		return BW_ERR_NOMEM;
	w->layer = i;
	w->layer_digest = L->digest;
	w->lname = lname;
	result = layer_begin(w);
	if (!result && w->cache_on && L->digest) {
		struct bw_errbuf ceb = {{0}};
		enum bw_err r = image_lplay_open(&w->cache, L->digest, &w->play, &ceb);

		if (r == BW_OK) {
			BW_DEBUG("%s: from the layer cache", lname);
			result = replay_layer(w, eb);
			image_lplay_close(w->play);
			w->play = NULL;
			goto out_end;
		}
		if (r == BW_ERR_FORMAT) {
			BW_WARN("layer cache: %s is corrupt; downloading it again (%s)", L->digest,
				ceb.msg);
			image_lcache_drop(&w->cache, L->digest);
		}
		w->rec = image_lrec_begin(&w->cache, L->digest);
	}
	if (!result)
		result = layer_pass(w, i, eb);
	if (!result && w->npend) {
		/* the layer again, for hard-link targets that were not kept; the
		 * digests are checked again (the blob is read anew) */
		w->reread = true;
		w->entries = 0;
		w->over_entries = false;
		result = layer_pass(w, i, eb);
		w->reread = false;
		if (!result)
			result = pending_keep(w);
	}
	if (w->rec) {
		if (!result && image_lrec_ok(w->rec)) {
			image_lrec_u8(w->rec, ITEM_END);
			if (image_lrec_commit(w->rec))
				BW_DEBUG("%s: recorded in the layer cache", lname);
		} else {
			image_lrec_abort(w->rec);
		}
		w->rec = NULL;
	}
out_end:
	free(w->prev_raw);
	w->prev_raw = NULL;
	if (!result)
		layer_end(w);
	pending_release(w);
	strset_release(&w->anc);
	strset_release(&w->hide);
	w->lname = NULL;
	free(lname);
	return result;
}

/* ---- dir: sources feed the walk through these ---- */

/* dir: a file matching a stream want's pattern: sniff its head, hand it to
 * the callbacks with a pread reader (nothing buffered), record it. */
static enum bw_err stream_from_fd(struct image_walk_state *w, const char *path,
				  const struct image_file *meta, int fd, struct bw_errbuf *eb)
{
	unsigned char head[STREAM_HEAD];
	struct image_stream st;
	uint64_t cap;
	ssize_t nhead;
	enum bw_err result;

	memset(&st, 0, sizeof(st));
	st.path = path;
	st.size = meta->size;
	st.mode = meta->mode;
	st.read_at = fd_read_at;
	st.fd = fd;
	nhead = fd_read_at(&st, head, sizeof(head), 0);
	if (nhead < 0) {
		image_fs_warn(w->fs, "%s: %s: read: %s: skipped", w->lname, path, strerror(errno));
		return BW_OK;
	}
	if (!stream_match(w, path, meta->size, head, (size_t)nhead, &cap) ||
	    !stream_record_ok(w, path))
		return BW_OK;
	result = stream_call(w, &st, head, (size_t)nhead, eb);
	if (result)
		return result;
	drop_node_counted(w, path, true);
	return stream_record(w, path, 0, NULL, meta->size, meta->mode);
}

enum bw_err image_walk_add_file(struct image *img, const char *path, const struct image_file *meta,
				int fd, struct bw_errbuf *eb)
{
	struct image_walk_state *w = img->walk;
	struct node *nd;
	size_t got = 0;

	if (!w)
		return bw_fail(eb, BW_ERR_USAGE, "image_walk_add_file outside a walk");
	if (fd >= 0 && w->stream_fn && stream_pattern(w, path)) {
		enum bw_err result = stream_from_fd(w, path, meta, fd, eb);

		if (result)
			return result;
	}
	if (!may_keep(w, path, meta->size))
		return BW_OK;
	nd = node_new(path, 0, NULL);
	if (!nd || !(nd->f.data = malloc(meta->size + 1))) {
		node_free(nd);
		return BW_ERR_NOMEM;
	}
	while (got < meta->size) {
		ssize_t n = read(fd, nd->f.data + got, meta->size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			image_fs_warn(w->fs, "%s: %s: read: %s: skipped", w->lname, path, strerror(errno));
			node_free(nd);
			return BW_OK;
		}
		if (n == 0)
			break; /* shrank while read: keep what is there */
		got += (size_t)n;
	}
	nd->f.data[got] = '\0';
	nd->f.size = got;
	nd->f.mode = meta->mode;
	nd->f.uid = meta->uid;
	nd->f.gid = meta->gid;
	drop_node_counted(w, path, true);
	return keep_node(w, nd);
}

enum bw_err image_walk_add_symlink(struct image *img, const char *path, const char *target,
				   struct bw_errbuf *eb)
{
	if (!img->walk)
		return bw_fail(eb, BW_ERR_USAGE, "image_walk_add_symlink outside a walk");
	drop_node_counted(img->walk, path, true);
	return add_symlink(img->walk, path, target);
}

/* ---- the walk ---- */

/* The layer cache of this walk: the image's (tests), else the source's. */
static enum bw_err cache_setup(struct image_walk_state *w)
{
	struct image *img = w->img;
	const char *dir = img->cache_dir;
	uint64_t max = img->cache_max;

	if (!dir) {
		dir = img->info.layer_cache_dir;
		max = img->info.layer_cache_max;
	}
	if (img->ops->walk_dir || !dir || !*dir)
		return BW_OK;
	w->cache.dir = dir;
	w->cache.max = max;
	w->cache_on = true;
	image_lcache_evict(dir, max); /* the cap may have changed since the last walk */
	return image_lcache_fingerprint(w->wants, w->nwants, w->swants, w->nswants, &w->lim,
					w->cache.fp);
}

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;

	return strcmp(x->f.path, y->f.path);
}

static enum bw_err fs_finish(struct image_fs *fs)
{
	size_t k = 0;

	fs->sorted = fs->n ? bw_calloc(fs->n, sizeof(*fs->sorted)) : NULL;
	if (fs->n && !fs->sorted)
		return BW_ERR_NOMEM;
	for (size_t i = 0; i < fs->nb; i++)
		for (struct node *nd = fs->b[i]; nd; nd = nd->next)
			if (!nd->symlink && !nd->streamed)
				fs->sorted[k++] = nd;
	fs->nsorted = k;
	if (k)
		qsort(fs->sorted, k, sizeof(*fs->sorted), node_cmp);
	return BW_OK;
}

enum bw_err image_walk(struct image *img, const struct image_want *wants, size_t nwants,
		       const struct image_limits *limits, struct image_fs **out,
		       struct bw_errbuf *eb)
{
	return image_walk_stream(img, wants, nwants, NULL, 0, NULL, NULL, limits, out, eb);
}

/* A walk's state before its file tree exists: LIMITS (the defaults when
 * NULL), the wanted paths and, with a callback, the streamed ones. */
static void walk_state_init(struct image_walk_state *w, struct image *img,
			    const struct image_limits *limits, const struct image_want *wants,
			    size_t nwants, const struct image_stream_want *swants, size_t nswants,
			    image_stream_fn fn, void *ctx)
{
	memset(w, 0, sizeof(*w));
	if (limits)
		w->lim = *limits;
	else
		image_limits_default(&w->lim);
	if (!w->lim.max_warnings)
		w->lim.max_warnings = IMAGE_MAX_WARNINGS;
	w->img = img;
	w->wants = wants;
	w->nwants = nwants;
	if (fn && nswants) {
		w->swants = swants;
		w->nswants = nswants;
		w->stream_fn = fn;
		w->stream_ctx = ctx;
	}
}

enum bw_err image_walk_stream(struct image *img, const struct image_want *wants, size_t nwants,
			      const struct image_stream_want *swants, size_t nswants,
			      image_stream_fn fn, void *ctx, const struct image_limits *limits,
			      struct image_fs **out, struct bw_errbuf *eb)
{
	struct image_walk_state w;
	enum bw_err result = BW_OK;

	*out = NULL;
	walk_state_init(&w, img, limits, wants, nwants, swants, nswants, fn, ctx);
	w.fs = calloc(1, sizeof(*w.fs));
	if (!w.fs)
		return BW_ERR_NOMEM;
	w.fs->max_warnings = w.lim.max_warnings;
	result = cache_setup(&w);
	if (result) {
		image_fs_free(w.fs);
		return result;
	}
	img->walk = &w;
	if (img->ops->walk_dir) {
		w.lname = img->info.ref_text;
		result = img->ops->walk_dir(img->src, img, eb);
		w.lname = NULL;
	} else {
		for (size_t i = 0; i < img->info.nlayers && !result; i++)
			result = walk_layer(&w, i, eb);
	}
	img->walk = NULL;
	strset_release(&w.anc);
	strset_release(&w.hide);
	if (!result)
		result = fs_finish(w.fs);
	if (result) {
		image_fs_free(w.fs);
		return result;
	}
	if (w.fs->warn_dropped) {
		char *s = bw_strfmt("%zu more warnings not shown", w.fs->warn_dropped);

		if (s && bw_strv_push_owned(&w.fs->warnings, s) != BW_OK)
			free(s);
	}
	*out = w.fs;
	return BW_OK;
}

/* ---- the view ---- */

/* Resolve path through symlinks inside the image: absolute targets start at
 * the image root, ".." at the root stays at the root (as in a chroot). */
static const struct node *resolve(const struct image_fs *fs, const char *path)
{
	char *rest = NULL, *resolved = NULL, *tmp = NULL;
	size_t cap = 2 * IMAGE_MAX_PATH + 2, rlen = 0;
	const struct node *found = NULL;
	int hops = 0;

	rest = malloc(cap);
	resolved = malloc(cap);
	tmp = malloc(cap);
	if (!rest || !resolved || !tmp || strlen(path) >= IMAGE_MAX_PATH)
		goto out_free;
	bw_strlcpy(rest, path, cap);
	resolved[0] = '\0';
	while (rest[0]) {
		char *slash = strchr(rest, '/');
		size_t cn = slash ? (size_t)(slash - rest) : strlen(rest);
		const char *after = slash ? slash + 1 : "";
		const struct node *nd;

		if (cn == 0 || (cn == 1 && rest[0] == '.')) {
			memmove(rest, after, strlen(after) + 1);
			continue;
		}
		if (cn == 2 && rest[0] == '.' && rest[1] == '.') {
			char *s = strrchr(resolved, '/');

			rlen = s ? (size_t)(s - resolved) : 0;
			resolved[rlen] = '\0';
			memmove(rest, after, strlen(after) + 1);
			continue;
		}
		if (rlen + 1 + cn >= cap)
			goto out_free;
		if (rlen)
			resolved[rlen++] = '/';
		memcpy(resolved + rlen, rest, cn);
		rlen += cn;
		resolved[rlen] = '\0';
		memmove(rest, after, strlen(after) + 1);
		nd = fs_lookup(fs, resolved);
		if (nd && nd->symlink) {
			if (++hops > MAX_SYMLINK_HOPS)
				goto out_free; /* a loop */
			if ((size_t)snprintf(tmp, cap, "%s%s%s", nd->target, rest[0] ? "/" : "",
					     rest) >= cap)
				goto out_free;
			bw_strlcpy(rest, tmp, cap);
			/* drop the link's own name; absolute targets restart at the root */
			if (nd->target[0] == '/') {
				rlen = 0;
			} else {
				char *s = strrchr(resolved, '/');

				rlen = s ? (size_t)(s - resolved) : 0;
			}
			resolved[rlen] = '\0';
		}
	}
	found = fs_lookup(fs, resolved);
	if (found && (found->symlink || found->streamed))
		found = NULL;
out_free:
	free(rest);
	free(resolved);
	free(tmp);
	return found;
}

const struct image_file *image_fs_get(const struct image_fs *fs, const char *path)
{
	const struct node *nd;

	if (!fs || !path)
		return NULL;
	nd = fs_lookup(fs, path);
	if (nd && nd->streamed)
		return NULL;
	if (nd && !nd->symlink)
		return &nd->f;
	nd = resolve(fs, path);
	return nd ? &nd->f : NULL;
}

bool image_fs_has_version(const struct image_fs *fs, const char *path, size_t layer_index)
{
	const struct node *nd;

	if (!fs || !path)
		return false;
	nd = fs_lookup(fs, path);
	return nd && !nd->symlink && nd->f.layer_index == layer_index;
}

size_t image_fs_count(const struct image_fs *fs)
{
	return fs ? fs->nsorted : 0;
}

const struct image_file *image_fs_at(const struct image_fs *fs, size_t i)
{
	return fs && i < fs->nsorted ? &fs->sorted[i]->f : NULL;
}

const struct bw_strv *image_fs_warnings(const struct image_fs *fs)
{
	static const struct bw_strv none;

	return fs ? &fs->warnings : &none;
}

void image_fs_free(struct image_fs *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->nb; i++)
		for (struct node *nd = fs->b[i], *nx; nd; nd = nx) {
			nx = nd->next;
			node_free(nd);
		}
	free(fs->b);
	free(fs->sorted);
	bw_strv_release(&fs->warnings);
	free(fs);
}

/* ---- replaying a record without a cache directory (fuzz target) ---- */

enum bw_err image_walk_replay(struct image *img, struct image_lplay *p,
			      const struct image_want *wants, size_t nwants,
			      const struct image_stream_want *swants, size_t nswants,
			      image_stream_fn fn, void *ctx, struct image_fs **out,
			      struct bw_errbuf *eb)
{
	struct image_walk_state w;
	enum bw_err result;
	char *lname;

	*out = NULL;
	if (img->ops->walk_dir || img->info.nlayers < 1)
		return bw_fail(eb, BW_ERR_USAGE, "image_walk_replay needs a layered image");
	walk_state_init(&w, img, NULL, wants, nwants, swants, nswants, fn, ctx);
	w.fs = calloc(1, sizeof(*w.fs));
	lname = bw_strfmt("%s: layer 1 (replayed)", img->info.ref_text);
	if (!w.fs || !lname) {
		free(w.fs);
		free(lname);
		return BW_ERR_NOMEM;
	}
	w.fs->max_warnings = w.lim.max_warnings;
	w.lname = lname;
	w.layer_digest = img->info.layers[0].digest;
	w.play = p;
	img->walk = &w;
	result = layer_begin(&w);
	if (!result)
		result = replay_layer(&w, eb);
	if (!result)
		layer_end(&w);
	img->walk = NULL;
	pending_release(&w);
	strset_release(&w.anc);
	strset_release(&w.hide);
	free(w.prev_raw);
	free(lname);
	if (!result)
		result = fs_finish(w.fs);
	if (result) {
		image_fs_free(w.fs);
		return result;
	}
	*out = w.fs;
	return BW_OK;
}

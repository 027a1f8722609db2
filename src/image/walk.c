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
};

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

static enum bw_err keep_from_archive(struct image_walk_state *w, struct archive *in,
				     struct archive_entry *e, const char *path, struct bw_errbuf *eb)
{
	int64_t sz = archive_entry_size(e);
	struct node *nd;
	enum bw_err result;

	if (sz < 0 || !may_keep(w, path, (uint64_t)sz))
		return BW_OK;
	nd = node_new(path, w->layer, w->layer_digest);
	if (!nd)
		return BW_ERR_NOMEM;
	nd->f.data = malloc((size_t)sz + 1);
	if (!nd->f.data) {
		node_free(nd);
		return BW_ERR_NOMEM;
	}
	result = read_data(in, nd->f.data, (size_t)sz, w->lname, path, eb);
	if (result) {
		node_free(nd);
		return result;
	}
	nd->f.size = (size_t)sz;
	nd->f.mode = archive_entry_mode(e);
	nd->f.uid = (uid_t)archive_entry_uid(e);
	nd->f.gid = (gid_t)archive_entry_gid(e);
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

/* A regular file of a layer: streamed, kept, both or neither. The head is
 * read first for the magic; only a streamed or kept file is read whole, into
 * one buffer that the callbacks see and a kept node then owns. */
static enum bw_err file_from_archive(struct image_walk_state *w, struct archive *in,
				     struct archive_entry *e, const char *path,
				     struct bw_errbuf *eb)
{
	int64_t sz = archive_entry_size(e);
	unsigned char head[STREAM_HEAD + 1];
	size_t nhead;
	uint64_t cap;
	struct image_stream st;
	struct node *nd;
	char *data;
	bool keep, stream;
	enum bw_err result;

	if (!w->stream_fn || sz < 0 || !stream_pattern(w, path))
		return keep_from_archive(w, in, e, path, eb);
	nhead = (uint64_t)sz < STREAM_HEAD ? (size_t)sz : STREAM_HEAD;
	result = read_data(in, (char *)head, nhead, w->lname, path, eb); /* writes head[nhead] */
	if (result)
		return result;
	keep = may_keep(w, path, (uint64_t)sz);
	stream = stream_match(w, path, (uint64_t)sz, head, nhead, &cap) &&
		 stream_record_ok(w, path);
	if (!keep && !stream)
		return BW_OK;
	if (!keep && sequential(w, path, head, nhead)) {
		struct seq_io q = {.in = in, .head = head, .nhead = nhead, .left = (uint64_t)sz - nhead};

		memset(&st, 0, sizeof(st));
		st.path = path;
		st.size = (uint64_t)sz;
		st.mode = archive_entry_mode(e);
		st.layer_index = w->layer;
		st.layer_digest = w->layer_digest;
		st.read = seq_read;
		st.priv = &q;
		st.fd = -1;
		result = stream_call(w, &st, head, nhead, eb);
		if (result)
			return result;
		if (q.failed)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: truncated or corrupt at %s: %s", w->lname,
				       path, archive_error_string(in) ? archive_error_string(in) : "?");
		return stream_record(w, path, w->layer, w->layer_digest, (uint64_t)sz,
				     archive_entry_mode(e));
	}
	data = malloc((size_t)sz + 1);
	if (!data)
		return BW_ERR_NOMEM;
	memcpy(data, head, nhead);
	result = read_data(in, data + nhead, (size_t)sz - nhead, w->lname, path, eb);
	if (result)
		goto out_free;
	if (stream) {
		image_stream_mem(&st, path, data, (size_t)sz);
		st.mode = archive_entry_mode(e);
		st.layer_index = w->layer;
		st.layer_digest = w->layer_digest;
		result = stream_call(w, &st, head, nhead, eb);
		if (result)
			goto out_free;
	}
	if (!keep) {
		free(data);
		return stream_record(w, path, w->layer, w->layer_digest, (uint64_t)sz,
				     archive_entry_mode(e));
	}
	nd = node_new(path, w->layer, w->layer_digest);
	if (!nd) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	nd->f.data = data;
	nd->f.size = (size_t)sz;
	nd->f.mode = archive_entry_mode(e);
	nd->f.uid = (uid_t)archive_entry_uid(e);
	nd->f.gid = (gid_t)archive_entry_gid(e);
	return keep_node(w, nd);
out_free:
	free(data);
	return result;
}

static enum bw_err hard_link(struct image_walk_state *w, struct archive_entry *e,
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
		pl->mode = archive_entry_mode(e);
		if (!pl->link) {
			free(pl->target);
			result = BW_ERR_NOMEM;
			goto out_free;
		}
		w->npend++;
		result = strset_add_n(&w->pend_links, path, strlen(path));
		goto out_free;
	}
	if (!may_keep(w, path, t->f.size))
		goto out_free;
	nd = node_new(path, w->layer, w->layer_digest);
	if (!nd || !(nd->f.data = malloc(t->f.size + 1))) {
		node_free(nd);
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	memcpy(nd->f.data, t->f.data, t->f.size + 1);
	nd->f.size = t->f.size;
	nd->f.mode = archive_entry_mode(e) ? archive_entry_mode(e) : t->f.mode;
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

static enum bw_err walk_entry(struct image_walk_state *w, struct archive *in,
			      struct archive_entry *e, struct bw_errbuf *eb)
{
	const char *raw = archive_entry_pathname(e), *base, *hl;
	char path[IMAGE_MAX_PATH];
	unsigned int type = archive_entry_filetype(e);
	enum bw_err result;

	if (!raw)
		raw = archive_entry_pathname_utf8(e);
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
	hl = archive_entry_hardlink(e);
	if (hl && archive_entry_size(e) <= 0)
		return hard_link(w, e, path, hl);
	if (type == AE_IFREG || (hl && type == 0))
		return file_from_archive(w, in, e, path, eb);
	if (type == AE_IFLNK) {
		const char *t = archive_entry_symlink(e);

		if (!t)
			t = archive_entry_symlink_utf8(e);
		return add_symlink(w, path, t ? t : "");
	}
	w->specials++;
	return BW_OK;
}

/* Second pass: keep the content of pending hard-link targets. */
static enum bw_err reread_entry(struct image_walk_state *w, struct archive *in,
				struct archive_entry *e, struct bw_errbuf *eb)
{
	const char *raw = archive_entry_pathname(e);
	char path[IMAGE_MAX_PATH];
	char *data = NULL;
	int64_t sz = archive_entry_size(e);
	enum bw_err result = BW_OK;

	if (!raw || raw[0] == '/' || strlen(raw) >= sizeof(path) ||
	    bw_path_clean(raw, path, sizeof(path)) != BW_OK || !*path ||
	    archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) || sz < 0)
		return BW_OK;
	for (size_t i = 0; i < w->npend && !result; i++) {
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
		if (!data) {
			data = malloc((size_t)sz + 1);
			if (!data)
				return BW_ERR_NOMEM;
			result = read_data(in, data, (size_t)sz, w->lname, path, eb);
			if (result)
				break;
		}
		free(pl->data);
		pl->data = malloc((size_t)sz + 1);
		if (!pl->data) {
			result = BW_ERR_NOMEM;
			break;
		}
		memcpy(pl->data, data, (size_t)sz + 1);
		pl->size = (size_t)sz;
	}
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
		if (!may_keep(w, pl->link, pl->size))
			continue;
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
			if (!w->reread)
				image_fs_warn(w->fs, "%s: more than %zu entries: the rest of the layer "
						     "is not catalogued", w->lname, w->lim.max_entries);
			w->over_entries = true;
			continue;
		}
		result = w->reread ? reread_entry(w, in, e, eb) : walk_entry(w, in, e, eb);
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

enum bw_err image_walk_stream(struct image *img, const struct image_want *wants, size_t nwants,
			      const struct image_stream_want *swants, size_t nswants,
			      image_stream_fn fn, void *ctx, const struct image_limits *limits,
			      struct image_fs **out, struct bw_errbuf *eb)
{
	struct image_walk_state w;
	enum bw_err result = BW_OK;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if (limits)
		w.lim = *limits;
	else
		image_limits_default(&w.lim);
	if (!w.lim.max_warnings)
		w.lim.max_warnings = IMAGE_MAX_WARNINGS;
	w.img = img;
	w.wants = wants;
	w.nwants = nwants;
	if (fn && nswants) {
		w.swants = swants;
		w.nswants = nswants;
		w.stream_fn = fn;
		w.stream_ctx = ctx;
	}
	w.fs = calloc(1, sizeof(*w.fs));
	if (!w.fs)
		return BW_ERR_NOMEM;
	w.fs->max_warnings = w.lim.max_warnings;
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

/* layercache.c - the files of the layer cache: one file per (layer digest,
 * walk fingerprint) holding what the walker recorded while it read the
 * layer (walk.c writes and replays the items; docs/image.md has the format).
 *
 * A file is written through an unlinked temp file in the cache directory,
 * ends with the SHA-256 of everything before it, and is linked into place
 * only after the layer's digests were verified. Opening one checks the
 * header and that checksum before anything is replayed, so a truncated or
 * altered file is found before it changes a walk. The cache directory may
 * be writable by others: every read below is bounded by the file's size,
 * and every length is checked against a cap before it is used.
 *
 * Past the size cap, the least recently used files (by access time, set
 * explicitly on use) are removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "image_int.h"

#define MAGIC     "BWLAYER\n"
#define MAGIC_LEN 8
#define WBUF      (64u * 1024)
#define FP_SHORT  16 /* fingerprint hex chars in the file name */
#define NAME_LEN  (BW_SHA256_HEX_LEN + 1 + FP_SHORT)

struct image_lrec {
	int fd;
	struct bw_hash h;
	bool bad;
	uint64_t size; /* bytes in the file */
	char *dir;
	char name[NAME_LEN + 1];
	uint64_t max;
	bool body;     /* past the header: items go through deflate */
	z_stream z;
	bool z_on;
	size_t n;
	unsigned char buf[WBUF];
	unsigned char zbuf[WBUF];
};

struct image_lplay {
	FILE *f;
	uint64_t left; /* file bytes before the trailer not read yet */
	bool body;     /* past the header: items come from inflate */
	z_stream z;
	bool z_on, z_end;
	size_t opos, olen;
	char what[PATH_MAX + 64];
	char err[256];
	unsigned char in[WBUF];
	unsigned char out[WBUF];
};

/* ---- names and the directory ---- */

static bool hex_n(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool entry_name(const char *s)
{
	return strlen(s) == NAME_LEN && hex_n(s, BW_SHA256_HEX_LEN) && s[BW_SHA256_HEX_LEN] == '-' &&
	       hex_n(s + BW_SHA256_HEX_LEN + 1, FP_SHORT);
}

/* "<hex>-<fp16>" for a sha256 digest; false for other digests. */
static bool make_name(const char *digest, const char *fp, char out[NAME_LEN + 1])
{
	if (!digest || !bw_str_starts_with(digest, "sha256:") ||
	    strlen(digest + 7) != BW_SHA256_HEX_LEN || !hex_n(digest + 7, BW_SHA256_HEX_LEN))
		return false;
	memcpy(out, digest + 7, BW_SHA256_HEX_LEN);
	out[BW_SHA256_HEX_LEN] = '-';
	memcpy(out + BW_SHA256_HEX_LEN + 1, fp, FP_SHORT);
	out[NAME_LEN] = '\0';
	return true;
}

static int mkdirs(const char *dir)
{
	char tmp[PATH_MAX];

	if (bw_strlcpy(tmp, dir, sizeof(tmp)) >= sizeof(tmp))
		return -1;
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

struct cent {
	char name[NAME_LEN + 1];
	struct timespec t;
	uint64_t size;
};

static int by_atime(const void *a, const void *b)
{
	const struct cent *x = a, *y = b;

	if (x->t.tv_sec != y->t.tv_sec)
		return x->t.tv_sec < y->t.tv_sec ? -1 : 1;
	return x->t.tv_nsec < y->t.tv_nsec ? -1 : x->t.tv_nsec > y->t.tv_nsec;
}

void image_lcache_evict(const char *dir, uint64_t max)
{
	DIR *d = dir ? opendir(dir) : NULL;
	struct cent *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (!entry_name(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		if (bw_grow((void **)&v, &cap, n + 1, sizeof(*v), 1000000))
			break;
		bw_strlcpy(v[n].name, de->d_name, sizeof(v[n].name));
		v[n].t = st.st_atim;
		/* what it takes on disk (du), at least its length */
		v[n].size = (uint64_t)st.st_blocks * 512 > (uint64_t)st.st_size
				    ? (uint64_t)st.st_blocks * 512
				    : (uint64_t)st.st_size;
		total += v[n].size;
		n++;
	}
	if (total > max) {
		qsort(v, n, sizeof(*v), by_atime);
		for (size_t i = 0; i < n && total > max; i++)
			if (unlinkat(dirfd(d), v[i].name, 0) == 0) {
				BW_DEBUG("layer cache: evicted %s", v[i].name);
				total -= v[i].size;
			}
	}
	closedir(d);
	free(v);
}

void image_lcache_drop(const struct image_lcache *c, const char *digest)
{
	char name[NAME_LEN + 1];
	char *path;

	if (!c || !c->dir || !make_name(digest, c->fp, name))
		return;
	path = bw_strfmt("%s/%s", c->dir, name);
	if (path)
		(void)unlink(path);
	free(path);
}

/* ---- the fingerprint: what a record depends on besides the layer ---- */

static void fp_u64(struct bw_hash *h, uint64_t v)
{
	(void)bw_hash_update(h, &v, sizeof(v));
}

static void fp_str(struct bw_hash *h, const char *s)
{
	fp_u64(h, s ? strlen(s) : UINT64_MAX);
	if (s)
		(void)bw_hash_update(h, s, strlen(s));
}

enum bw_err image_lcache_fingerprint(const struct image_want *wants, size_t nwants,
				     const struct image_stream_want *swants, size_t nswants,
				     const struct image_limits *lim, char out[65])
{
	struct bw_hash h;

	if (bw_hash_init(&h, BW_HASH_SHA256))
		return BW_ERR_NOMEM;
	fp_str(&h, "bulwark layer cache");
	fp_u64(&h, IMAGE_LCACHE_VERSION);
	fp_str(&h, bw_version());
	fp_u64(&h, nwants);
	for (size_t i = 0; i < nwants; i++) {
		fp_str(&h, wants[i].pattern);
		fp_u64(&h, wants[i].max_size);
	}
	fp_u64(&h, nswants);
	for (size_t i = 0; i < nswants; i++) {
		fp_str(&h, swants[i].pattern);
		fp_u64(&h, swants[i].max_size);
		fp_u64(&h, swants[i].magic ? swants[i].magic_len : UINT64_MAX);
		if (swants[i].magic)
			(void)bw_hash_update(&h, swants[i].magic, swants[i].magic_len);
		fp_u64(&h, swants[i].flags);
	}
	fp_u64(&h, lim->max_entries);
	fp_u64(&h, lim->max_layer_size);
	return bw_hash_final_hex(&h, out, 65) ? BW_ERR_INTERNAL : BW_OK;
}

/* ---- writing ---- */

static void rec_flush(struct image_lrec *r)
{
	size_t off = 0;

	if (r->bad || !r->n)
		return;
	if (bw_hash_update(&r->h, r->buf, r->n)) {
		r->bad = true;
		return;
	}
	while (off < r->n) {
		ssize_t w = write(r->fd, r->buf + off, r->n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			BW_DEBUG("layer cache: writing %s: %s", r->name, strerror(errno));
			r->bad = true;
			return;
		}
		off += (size_t)w;
	}
	r->n = 0;
}

/* Bytes of the file (header, compressed items, trailer). */
static void rec_raw(struct image_lrec *r, const void *p, size_t n)
{
	const unsigned char *s = p;

	if (r->bad)
		return;
	r->size += n;
	if (r->size > r->max) {
		r->bad = true; /* would not fit under the cap anyway */
		return;
	}
	while (n) {
		size_t k = WBUF - r->n < n ? WBUF - r->n : n;

		memcpy(r->buf + r->n, s, k);
		r->n += k;
		s += k;
		n -= k;
		if (r->n == WBUF)
			rec_flush(r);
		if (r->bad)
			return;
	}
}

/* Run deflate over what it holds; flush: Z_NO_FLUSH or Z_FINISH. */
static void rec_deflate(struct image_lrec *r, int flush)
{
	int zr;

	do {
		r->z.next_out = r->zbuf;
		r->z.avail_out = sizeof(r->zbuf);
		zr = deflate(&r->z, flush);
		if (zr == Z_STREAM_ERROR) {
			r->bad = true;
			return;
		}
		rec_raw(r, r->zbuf, sizeof(r->zbuf) - r->z.avail_out);
	} while (!r->bad && (r->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END)));
}

void image_lrec_put(struct image_lrec *r, const void *p, size_t n)
{
	if (!r || r->bad)
		return;
	if (!r->body) {
		rec_raw(r, p, n);
		return;
	}
	while (n && !r->bad) {
		uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;

		r->z.next_in = (Bytef *)(uintptr_t)p;
		r->z.avail_in = k;
		rec_deflate(r, Z_NO_FLUSH);
		p = (const char *)p + k;
		n -= k;
	}
}

void image_lrec_u8(struct image_lrec *r, unsigned v)
{
	unsigned char c = (unsigned char)v;

	image_lrec_put(r, &c, 1);
}

void image_lrec_varint(struct image_lrec *r, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	image_lrec_put(r, b, n);
}

void image_lrec_str(struct image_lrec *r, const char *s)
{
	/* 0: none; otherwise length + 1 */
	if (!s) {
		image_lrec_varint(r, 0);
		return;
	}
	image_lrec_varint(r, (uint64_t)strlen(s) + 1);
	image_lrec_put(r, s, strlen(s));
}

void image_lrec_fail(struct image_lrec *r)
{
	if (r)
		r->bad = true;
}

bool image_lrec_ok(const struct image_lrec *r)
{
	return r && !r->bad;
}

void image_lrec_abort(struct image_lrec *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->z_on)
		deflateEnd(&r->z);
	bw_hash_release(&r->h);
	free(r->dir);
	free(r);
}

struct image_lrec *image_lrec_begin(const struct image_lcache *c, const char *digest)
{
	struct image_lrec *r;

	if (!c || !c->dir)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->fd = -1;
	r->max = c->max;
	if (!make_name(digest, c->fp, r->name) || !(r->dir = bw_strdup(c->dir))) {
		free(r->dir);
		free(r);
		return NULL;
	}
	if (bw_hash_init(&r->h, BW_HASH_SHA256)) {
		free(r->dir);
		free(r);
		return NULL;
	}
	if (mkdirs(c->dir) < 0 ||
	    (r->fd = open(c->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0) {
		BW_DEBUG("layer cache: %s: %s: not recorded", c->dir, strerror(errno));
		image_lrec_abort(r);
		return NULL;
	}
	image_lrec_put(r, MAGIC, MAGIC_LEN);
	image_lrec_u8(r, IMAGE_LCACHE_VERSION);
	image_lrec_put(r, c->fp, 64);
	image_lrec_str(r, digest);
	if (deflateInit(&r->z, Z_DEFAULT_COMPRESSION) != Z_OK) {
		image_lrec_abort(r);
		return NULL;
	}
	r->z_on = true;
	r->body = true;
	return r;
}

static unsigned hexval(char c)
{
	return (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
}

bool image_lrec_commit(struct image_lrec *r)
{
	char hex[65], proc[64], *path = NULL;
	unsigned char sum[32];
	bool kept = false;

	if (!r)
		return false;
	r->z.next_in = NULL;
	r->z.avail_in = 0;
	rec_deflate(r, Z_FINISH);
	rec_flush(r);
	if (r->bad || r->size + 32 > r->max)
		goto out_abort;
	if (bw_hash_final_hex(&r->h, hex, sizeof(hex))) {
		r->h.h = NULL;
		goto out_abort;
	}
	r->h.h = NULL; /* released by final */
	for (size_t i = 0; i < 32; i++)
		sum[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	if (write(r->fd, sum, sizeof(sum)) != (ssize_t)sizeof(sum))
		goto out_abort;
	path = bw_strfmt("%s/%s", r->dir, r->name);
	if (!path)
		goto out_abort;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", r->fd);
	(void)unlink(path); /* an older, dropped or concurrent version */
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
		BW_DEBUG("layer cache: cannot keep %s: %s", path, strerror(errno));
	else
		kept = true;
	image_lcache_evict(r->dir, r->max);
out_abort:
	free(path);
	image_lrec_abort(r);
	return kept;
}

/* ---- reading ---- */

void image_lplay_fail(struct image_lplay *p, const char *why)
{
	if (!p->err[0])
		bw_strlcpy(p->err, why, sizeof(p->err));
}

const char *image_lplay_error(const struct image_lplay *p)
{
	return p->err[0] ? p->err : NULL;
}

const char *image_lplay_what(const struct image_lplay *p)
{
	return p->what;
}

/* n file bytes (the header). */
static bool play_raw(struct image_lplay *p, void *dst, size_t n)
{
	if (p->err[0])
		return false;
	if (n > p->left) {
		image_lplay_fail(p, "truncated");
		return false;
	}
	if (n && fread(dst, 1, n, p->f) != n) {
		image_lplay_fail(p, "read error");
		return false;
	}
	p->left -= n;
	return true;
}

/* More inflated bytes into out; false at the end of the stream or an error. */
static bool play_fill(struct image_lplay *p)
{
	while (!p->err[0] && !p->z_end) {
		int zr;

		if (p->z.avail_in == 0 && p->left) {
			size_t k = p->left < sizeof(p->in) ? (size_t)p->left : sizeof(p->in);

			if (fread(p->in, 1, k, p->f) != k) {
				image_lplay_fail(p, "read error");
				return false;
			}
			p->left -= k;
			p->z.next_in = p->in;
			p->z.avail_in = (uInt)k;
		}
		p->z.next_out = p->out;
		p->z.avail_out = sizeof(p->out);
		zr = inflate(&p->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			p->z_end = true;
		} else if (zr != Z_OK && !(zr == Z_BUF_ERROR && p->z.avail_in == 0 && p->left)) {
			image_lplay_fail(p, zr == Z_BUF_ERROR ? "truncated" : "corrupt compressed data");
			return false;
		}
		p->opos = 0;
		p->olen = sizeof(p->out) - p->z.avail_out;
		if (p->olen)
			return true;
	}
	return false;
}

/* n item bytes into dst (NULL: skip them). */
static bool play_take(struct image_lplay *p, void *dst, uint64_t n)
{
	unsigned char *d = dst;

	if (p->err[0])
		return false;
	if (!p->body)
		return play_raw(p, dst, (size_t)n);
	while (n) {
		size_t k;

		if (p->opos == p->olen && !play_fill(p)) {
			image_lplay_fail(p, "truncated item");
			return false;
		}
		k = p->olen - p->opos < n ? p->olen - p->opos : (size_t)n;
		if (d) {
			memcpy(d, p->out + p->opos, k);
			d += k;
		}
		p->opos += k;
		n -= k;
	}
	return true;
}

bool image_lplay_bytes(struct image_lplay *p, void *dst, uint64_t n)
{
	return play_take(p, dst, n);
}

bool image_lplay_skip(struct image_lplay *p, uint64_t n)
{
	return play_take(p, NULL, n);
}

int image_lplay_u8(struct image_lplay *p)
{
	unsigned char c;

	return image_lplay_bytes(p, &c, 1) ? c : -1;
}

int image_lplay_peek(struct image_lplay *p)
{
	if (p->err[0] || !p->body)
		return -1;
	if (p->opos == p->olen && !play_fill(p))
		return -1;
	return p->out[p->opos];
}

bool image_lplay_at_end(struct image_lplay *p)
{
	/* no more items, and no more file bytes behind the stream */
	return image_lplay_peek(p) < 0 && !p->err[0] && p->z_end && p->left == 0 &&
	       p->z.avail_in == 0;
}

bool image_lplay_varint(struct image_lplay *p, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		int c = image_lplay_u8(p);

		if (c < 0)
			return false;
		if (shift == 63 && (c & 0x7e)) {
			image_lplay_fail(p, "number too large");
			return false;
		}
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			if (x > max) {
				image_lplay_fail(p, "number over its cap");
				return false;
			}
			*v = x;
			return true;
		}
	}
	image_lplay_fail(p, "number too long");
	return false;
}

bool image_lplay_str(struct image_lplay *p, size_t max, char **out)
{
	uint64_t n;
	char *s;

	*out = NULL;
	if (!image_lplay_varint(p, (uint64_t)max + 1, &n))
		return false;
	if (n == 0)
		return true;
	s = malloc((size_t)n);
	if (!s) {
		image_lplay_fail(p, "out of memory");
		return false;
	}
	if (!image_lplay_bytes(p, s, n - 1)) {
		free(s);
		return false;
	}
	s[n - 1] = '\0';
	if (memchr(s, '\0', (size_t)(n - 1))) {
		free(s);
		image_lplay_fail(p, "a NUL inside a string");
		return false;
	}
	*out = s;
	return true;
}

/* The trailer: SHA-256 of all bytes before the last 32. */
static bool checksum_ok(int fd, uint64_t size)
{
	struct bw_hash h;
	unsigned char buf[65536], sum[32];
	char hex[65], want[65];
	uint64_t left = size - 32, off = 0;

	if (bw_hash_init(&h, BW_HASH_SHA256))
		return false;
	while (left) {
		size_t k = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t n = pread(fd, buf, k, (off_t)off);

		if (n <= 0 || bw_hash_update(&h, buf, (size_t)n)) {
			bw_hash_release(&h);
			return false;
		}
		left -= (uint64_t)n;
		off += (uint64_t)n;
	}
	if (bw_hash_final_hex(&h, hex, sizeof(hex)))
		return false;
	if (pread(fd, sum, sizeof(sum), (off_t)off) != (ssize_t)sizeof(sum))
		return false;
	for (size_t i = 0; i < 32; i++)
		snprintf(want + 2 * i, 3, "%02x", sum[i]);
	return strcmp(hex, want) == 0;
}

enum bw_err image_lplay_fd(int fd, bool checksum, const char *fp, const char *digest,
			   const char *what, struct image_lplay **out, struct bw_errbuf *eb)
{
	struct image_lplay *p;
	struct stat st;
	char magic[MAGIC_LEN], fpin[64], *dg = NULL;
	int ver;

	*out = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not a regular file", what);
	}
	if ((uint64_t)st.st_size < MAGIC_LEN + 1 + 64 + 1 + 32) {
		close(fd);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %lld bytes: truncated", what,
			       (long long)st.st_size);
	}
	if (checksum && !checksum_ok(fd, (uint64_t)st.st_size)) {
		close(fd);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: the checksum does not match", what);
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return BW_ERR_NOMEM;
	}
	bw_strlcpy(p->what, what, sizeof(p->what));
	if (lseek(fd, 0, SEEK_SET) != 0 || !(p->f = fdopen(fd, "rb"))) {
		close(fd);
		free(p);
		return bw_fail(eb, BW_ERR_IO, "%s: cannot read it", what);
	}
	p->left = (uint64_t)st.st_size - 32;
	if (!image_lplay_bytes(p, magic, MAGIC_LEN) || memcmp(magic, MAGIC, MAGIC_LEN) != 0)
		image_lplay_fail(p, "not a layer cache file");
	ver = image_lplay_u8(p);
	if (!p->err[0] && ver != IMAGE_LCACHE_VERSION)
		image_lplay_fail(p, "another format version");
	if (image_lplay_bytes(p, fpin, 64) && fp && memcmp(fpin, fp, 64) != 0)
		image_lplay_fail(p, "recorded for other catalogers");
	if (image_lplay_str(p, 200, &dg) && (!dg || (digest && strcmp(dg, digest) != 0)))
		image_lplay_fail(p, "recorded for another layer");
	free(dg);
	if (!p->err[0]) {
		if (inflateInit(&p->z) != Z_OK) {
			image_lplay_fail(p, "out of memory");
		} else {
			p->z_on = true;
			p->body = true;
		}
	}
	if (p->err[0]) {
		enum bw_err result = bw_fail(eb, BW_ERR_FORMAT, "%s: %s", what, p->err);

		image_lplay_close(p);
		return result;
	}
	*out = p;
	return BW_OK;
}

enum bw_err image_lplay_open(const struct image_lcache *c, const char *digest,
			     struct image_lplay **out, struct bw_errbuf *eb)
{
	char name[NAME_LEN + 1];
	char *path;
	int fd;
	enum bw_err result;

	*out = NULL;
	if (!c || !c->dir || !make_name(digest, c->fp, name))
		return BW_ERR_NOT_FOUND;
	path = bw_strfmt("%s/%s", c->dir, name);
	if (!path)
		return BW_ERR_NOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		free(path);
		return BW_ERR_NOT_FOUND;
	}
	(void)utimensat(AT_FDCWD, path, NULL, 0); /* recently used (noatime mounts too) */
	result = image_lplay_fd(fd, true, c->fp, digest, path, out, eb);
	free(path);
	return result;
}

void image_lplay_close(struct image_lplay *p)
{
	if (!p)
		return;
	if (p->f)
		fclose(p->f);
	if (p->z_on)
		inflateEnd(&p->z);
	free(p);
}

/* ---- configuration ---- */

void image_set_layer_cache(struct image *img, const char *dir, uint64_t max)
{
	img->cache_dir = dir;
	img->cache_max = max;
}

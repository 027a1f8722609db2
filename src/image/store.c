/* store.c - where image files come from: an OCI layout directory or an
 * uncompressed outer tar (docker save, oci-archive) indexed once, plus blob
 * readers over byte ranges and digest helpers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_int.h"

#define TAR_BLOCK        512u
#define TAR_MAX_META     (1u << 20) /* pax / GNU long name data */
#define TAR_MAX_LINK_HOPS 16

/* ---- blobs ---- */

struct blob_range {
	struct image_blob b;
	int fd;
	uint64_t off;
	uint64_t left;
	char *what;
};

static ssize_t range_read(struct image_blob *b, void *buf, size_t n, struct bw_errbuf *eb)
{
	struct blob_range *r = (struct blob_range *)b;
	ssize_t got;

	if (r->left == 0)
		return 0;
	if (n > r->left)
		n = (size_t)r->left;
	do
		got = pread(r->fd, buf, n, (off_t)r->off);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		bw_fail(eb, BW_ERR_IO, "%s: read: %s", r->what, strerror(errno));
		return -1;
	}
	if (got == 0) {
		bw_fail(eb, BW_ERR_FORMAT, "%s: truncated (%llu bytes missing)", r->what,
			(unsigned long long)r->left);
		return -1;
	}
	r->off += (uint64_t)got;
	r->left -= (uint64_t)got;
	return got;
}

static void range_close(struct image_blob *b)
{
	struct blob_range *r = (struct blob_range *)b;

	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->what);
	free(r);
}

enum bw_err image_blob_fd_range(int fd, uint64_t off, uint64_t len, const char *what,
				struct image_blob **out, struct bw_errbuf *eb)
{
	struct blob_range *r = calloc(1, sizeof(*r));

	if (!r)
		return BW_ERR_NOMEM;
	r->b.read = range_read;
	r->b.close = range_close;
	r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	r->off = off;
	r->left = len;
	r->what = bw_strdup(what);
	if (r->fd < 0 || !r->what) {
		range_close(&r->b);
		return bw_fail(eb, BW_ERR_IO, "%s: dup: %s", what, strerror(errno));
	}
	*out = &r->b;
	return BW_OK;
}

struct blob_mem {
	struct image_blob b;
	const unsigned char *p;
	size_t left;
};

static ssize_t mem_read(struct image_blob *b, void *buf, size_t n, struct bw_errbuf *eb)
{
	struct blob_mem *m = (struct blob_mem *)b;

	(void)eb;
	if (n > m->left)
		n = m->left;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t)n;
}

static void mem_close(struct image_blob *b)
{
	free(b);
}

enum bw_err image_blob_mem(const void *p, size_t n, struct image_blob **out,
			   struct bw_errbuf *eb)
{
	struct blob_mem *m = calloc(1, sizeof(*m));

	(void)eb;
	if (!m)
		return BW_ERR_NOMEM;
	m->b.read = mem_read;
	m->b.close = mem_close;
	m->p = p;
	m->left = n;
	*out = &m->b;
	return BW_OK;
}

/* ---- digests ---- */

static bool digest_alg(const char *digest, enum bw_hash_alg *alg, const char **hex)
{
	if (!bw_digest_valid(digest))
		return false;
	if (bw_str_starts_with(digest, "sha256:")) {
		*alg = BW_HASH_SHA256;
		*hex = digest + 7;
		return true;
	}
	if (bw_str_starts_with(digest, "sha512:")) {
		*alg = BW_HASH_SHA512;
		*hex = digest + 7;
		return true;
	}
	return false;
}

enum bw_err image_digest_path(const char *digest, char *out, size_t outsz, struct bw_errbuf *eb)
{
	enum bw_hash_alg alg;
	const char *hex;

	if (!digest || !digest_alg(digest, &alg, &hex))
		return bw_fail(eb, BW_ERR_FORMAT, "'%.80s' is not a sha256/sha512 digest",
			       digest ? digest : "(null)");
	if ((size_t)snprintf(out, outsz, "blobs/%.6s/%s", digest, hex) >= outsz)
		return BW_ERR_INTERNAL;
	return BW_OK;
}

enum bw_err image_digest_check(const char *digest, const void *data, size_t n, const char *what,
			       struct bw_errbuf *eb)
{
	enum bw_hash_alg alg;
	const char *hex;
	char got[129];
	enum bw_err result;

	if (!digest_alg(digest, &alg, &hex))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: '%.80s' is not a sha256/sha512 digest", what,
			       digest);
	result = bw_hash_hex(alg, data, n, got, sizeof(got));
	if (result)
		return bw_fail(eb, result, "%s: hashing failed", what);
	if (strcmp(got, hex) != 0)
		return bw_fail(eb, BW_ERR_DIGEST, "%s: content does not match its digest %s (got %.7s:%s)",
			       what, digest, digest, got);
	return BW_OK;
}

/* ---- the outer tar index ---- */

static enum bw_err tar_number(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) { /* base-256 (GNU): positive values only */
		if (f[0] != 0x80)
			return BW_ERR_FORMAT;
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return BW_ERR_FORMAT;
			v = (v << 8) | f[i];
		}
		*out = v;
		return BW_OK;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return BW_ERR_FORMAT;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return BW_ERR_FORMAT;
	*out = v;
	return BW_OK;
}

static bool tar_checksum_ok(const unsigned char *h)
{
	uint64_t want;
	unsigned long sum = 0;

	if (tar_number(h + 148, 8, &want))
		return false;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

static bool block_zero(const unsigned char *h)
{
	for (size_t i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

static enum bw_err pread_full(int fd, void *buf, size_t n, uint64_t off, const char *what,
			      struct bw_errbuf *eb)
{
	size_t done = 0;

	while (done < n) {
		ssize_t got = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return bw_fail(eb, BW_ERR_IO, "%s: read at offset %llu: %s", what,
				       (unsigned long long)(off + done), strerror(errno));
		if (got == 0)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: truncated at offset %llu", what,
				       (unsigned long long)(off + done));
		done += (size_t)got;
	}
	return BW_OK;
}

/* Parse pax records "LEN key=value\n" for path, linkpath and size. */
static void pax_parse(const char *p, size_t n, char **path, char **link, uint64_t *size,
		      bool *has_size)
{
	size_t i = 0;

	while (i < n) {
		size_t len = 0, j = i, k;

		while (j < n && p[j] >= '0' && p[j] <= '9' && len < n)
			len = len * 10 + (size_t)(p[j++] - '0');
		if (j >= n || p[j] != ' ' || len == 0 || len > n - i)
			return;
		j++;
		if (i + len < 1 || p[i + len - 1] != '\n')
			return;
		for (k = j; k < i + len - 1 && p[k] != '='; k++)
			;
		if (k < i + len - 1) {
			size_t kl = k - j, vl = i + len - 1 - (k + 1);
			const char *v = p + k + 1;

			if (kl == 4 && memcmp(p + j, "path", 4) == 0 && !memchr(v, '\0', vl)) {
				free(*path);
				*path = bw_strndup(v, vl);
			} else if (kl == 8 && memcmp(p + j, "linkpath", 8) == 0 &&
				   !memchr(v, '\0', vl)) {
				free(*link);
				*link = bw_strndup(v, vl);
			} else if (kl == 4 && memcmp(p + j, "size", 4) == 0 && vl < 21) {
				char num[24];
				uint64_t sz;

				memcpy(num, v, vl);
				num[vl] = '\0';
				if (bw_parse_u64(num, UINT64_MAX / 2, &sz) == BW_OK) {
					*size = sz;
					*has_size = true;
				}
			}
		}
		i += len;
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct image_tar_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->off < y->off ? -1 : x->off > y->off; /* later entries sort last */
}

/* Store one entry; name and link are raw archive names. */
static enum bw_err tar_add(struct image_tar_index *ti, const char *name, const char *link,
			   char type, uint64_t off, uint64_t size, struct bw_errbuf *eb)
{
	struct image_tar_entry *e;
	char *clean, *lclean = NULL;
	enum bw_err result;

	if (type != '0' && type != '7' && type != '1' && type != '2')
		return BW_OK; /* directories and others are not looked up */
	if (ti->n >= IMAGE_MAX_ARCHIVE_ENTRIES)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: more than %u entries", ti->what,
			       IMAGE_MAX_ARCHIVE_ENTRIES);
	clean = malloc(strlen(name) + 1);
	if (!clean)
		return BW_ERR_NOMEM;
	if (bw_path_clean(name, clean, strlen(name) + 1) != BW_OK || !*clean) {
		free(clean);
		return BW_OK; /* a climbing name is never looked up */
	}
	if (link && (type == '1' || type == '2')) {
		/* hard links name the archive path; symlinks are relative to the
		 * entry's directory (absolute: to the archive root) */
		size_t need = strlen(name) + strlen(link) + 2;
		char *joined = malloc(need), *dir = malloc(strlen(clean) + 1);

		lclean = malloc(need);
		if (!joined || !dir || !lclean) {
			free(joined);
			free(dir);
			free(lclean);
			free(clean);
			return BW_ERR_NOMEM;
		}
		bw_path_dir(clean, dir, strlen(clean) + 1);
		if (type == '2' && link[0] != '/')
			snprintf(joined, need, "%s/%s", dir, link);
		else
			snprintf(joined, need, "%s", link);
		if (bw_path_clean(joined, lclean, need) != BW_OK) {
			free(lclean);
			lclean = NULL;
		}
		free(joined);
		free(dir);
		if (!lclean) {
			free(clean);
			return BW_OK; /* link out of the archive: ignored */
		}
	}
	result = bw_grow((void **)&ti->e, &ti->cap, ti->n + 1, sizeof(*ti->e),
			 IMAGE_MAX_ARCHIVE_ENTRIES);
	if (result) {
		free(clean);
		free(lclean);
		return result;
	}
	e = &ti->e[ti->n++];
	e->name = clean;
	e->link = lclean;
	e->off = off;
	e->size = size;
	e->type = type == '7' ? '0' : type;
	return BW_OK;
}

enum bw_err image_tar_index_fd(int fd, const char *what, struct image_tar_index *ti,
			       struct bw_errbuf *eb)
{
	unsigned char h[TAR_BLOCK];
	struct stat st;
	uint64_t off = 0, fsize;
	char *long_name = NULL, *long_link = NULL, *pax_path = NULL, *pax_link = NULL;
	uint64_t pax_size = 0;
	bool has_pax_size = false;
	enum bw_err result = BW_OK;

	memset(ti, 0, sizeof(*ti));
	ti->fd = -1;
	ti->what = bw_strdup(what);
	if (!ti->what)
		return BW_ERR_NOMEM;
	if (fstat(fd, &st) != 0)
		return bw_fail(eb, BW_ERR_IO, "%s: %s", what, strerror(errno));
	fsize = (uint64_t)st.st_size;
	for (;;) {
		uint64_t size, data;
		char type;
		char name[257], link[101];

		if (off + TAR_BLOCK > fsize) {
			if (off == 0)
				result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a tar archive (too short)", what);
			else if (off != fsize)
				result = bw_fail(eb, BW_ERR_FORMAT, "%s: truncated tar header at offset %llu",
						 what, (unsigned long long)off);
			break; /* end without the zero blocks: accepted */
		}
		result = pread_full(fd, h, TAR_BLOCK, off, what, eb);
		if (result)
			break;
		if (block_zero(h))
			break;
		if (!tar_checksum_ok(h)) {
			if (off == 0 && h[0] == 0x1f && h[1] == 0x8b)
				result = bw_fail(eb, BW_ERR_UNSUPPORTED,
						 "%s: a compressed archive; decompress it first", what);
			else
				result = bw_fail(eb, BW_ERR_FORMAT,
						 "%s: %s at offset %llu: bad tar header checksum", what,
						 off ? "entry" : "not a tar archive", (unsigned long long)off);
			break;
		}
		type = (char)h[156];
		if (tar_number(h + 124, 12, &size)) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: offset %llu: bad size field", what,
					 (unsigned long long)off);
			break;
		}
		if (has_pax_size && type != 'x' && type != 'g')
			size = pax_size;
		data = off + TAR_BLOCK;
		if (size > fsize || data > fsize - size) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "%s: entry at offset %llu: size %llu runs past the end of the file",
					 what, (unsigned long long)off, (unsigned long long)size);
			break;
		}
		if (type == 'x' || type == 'L' || type == 'K') {
			char *meta;

			if (size > TAR_MAX_META) {
				result = bw_fail(eb, BW_ERR_LIMIT, "%s: offset %llu: metadata of %llu bytes",
						 what, (unsigned long long)off, (unsigned long long)size);
				break;
			}
			meta = malloc(size + 1);
			if (!meta) {
				result = BW_ERR_NOMEM;
				break;
			}
			result = pread_full(fd, meta, size, data, what, eb);
			if (result) {
				free(meta);
				break;
			}
			meta[size] = '\0';
			if (type == 'x') {
				pax_parse(meta, size, &pax_path, &pax_link, &pax_size, &has_pax_size);
				free(meta);
			} else if (type == 'L') {
				free(long_name);
				long_name = meta;
			} else {
				free(long_link);
				long_link = meta;
			}
		} else if (type != 'g') {
			const char *nm, *ln;

			if (memcmp(h + 257, "ustar\0", 6) == 0 && h[345]) {
				size_t pn = strnlen((char *)h + 345, 155);

				memcpy(name, h + 345, pn);
				name[pn] = '/';
				memcpy(name + pn + 1, h, strnlen((char *)h, 100));
				name[pn + 1 + strnlen((char *)h, 100)] = '\0';
			} else {
				memcpy(name, h, strnlen((char *)h, 100));
				name[strnlen((char *)h, 100)] = '\0';
			}
			memcpy(link, h + 157, strnlen((char *)h + 157, 100));
			link[strnlen((char *)h + 157, 100)] = '\0';
			nm = pax_path ? pax_path : long_name ? long_name : name;
			ln = pax_link ? pax_link : long_link ? long_link : link;
			result = tar_add(ti, nm, ln, type ? type : '0', data, size, eb);
			free(long_name);
			free(long_link);
			free(pax_path);
			free(pax_link);
			long_name = long_link = pax_path = pax_link = NULL;
			has_pax_size = false;
			if (result)
				break;
		}
		size = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		off = data + size;
	}
	free(long_name);
	free(long_link);
	free(pax_path);
	free(pax_link);
	if (result) {
		image_tar_index_release(ti);
		return result;
	}
	if (ti->n)
		qsort(ti->e, ti->n, sizeof(*ti->e), entry_cmp);
	return BW_OK;
}

enum bw_err image_tar_index_open(const char *path, struct image_tar_index *ti,
				 struct bw_errbuf *eb)
{
	enum bw_err result;
	struct stat st;
	/* O_NONBLOCK: opening a fifo must not hang; only regular files are read */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		memset(ti, 0, sizeof(*ti));
		ti->fd = -1;
		return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", path,
			       strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		memset(ti, 0, sizeof(*ti));
		ti->fd = -1;
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not a regular file", path);
	}
	result = image_tar_index_fd(fd, path, ti, eb);
	if (result) {
		close(fd);
		return result;
	}
	ti->fd = fd;
	return BW_OK;
}

void image_tar_index_release(struct image_tar_index *ti)
{
	if (!ti)
		return;
	for (size_t i = 0; i < ti->n; i++) {
		free(ti->e[i].name);
		free(ti->e[i].link);
	}
	free(ti->e);
	free(ti->what);
	if (ti->fd >= 0)
		close(ti->fd);
	memset(ti, 0, sizeof(*ti));
	ti->fd = -1;
}

static const struct image_tar_entry *find_exact(const struct image_tar_index *ti, const char *name)
{
	size_t lo = 0, hi = ti->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ti->e[mid].name, name);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= ti->n || strcmp(ti->e[lo].name, name) != 0)
		return NULL;
	while (lo + 1 < ti->n && strcmp(ti->e[lo + 1].name, name) == 0)
		lo++; /* the last one wins, as on extraction */
	return &ti->e[lo];
}

const struct image_tar_entry *image_tar_find(const struct image_tar_index *ti, const char *name)
{
	const struct image_tar_entry *e = find_exact(ti, name);

	for (int hop = 0; e && e->type != '0'; hop++) {
		if (hop >= TAR_MAX_LINK_HOPS || !e->link)
			return NULL;
		e = find_exact(ti, e->link);
	}
	return e;
}

/* ---- the store ---- */

enum bw_err image_store_open(struct image_store *st, const char *path, bool is_dir,
			     struct bw_errbuf *eb)
{
	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	st->tar.fd = -1;
	st->what = bw_strdup(path);
	if (!st->what)
		return BW_ERR_NOMEM;
	if (is_dir) {
		st->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->dirfd < 0) {
			enum bw_err code = errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO;

			bw_fail(eb, code, "%s: %s", path, strerror(errno));
			image_store_release(st);
			return code;
		}
		return BW_OK;
	}
	{
		enum bw_err result = image_tar_index_open(path, &st->tar, eb);

		if (result) {
			free(st->what);
			st->what = NULL;
		}
		return result;
	}
}

void image_store_release(struct image_store *st)
{
	if (!st)
		return;
	if (st->dirfd >= 0)
		close(st->dirfd);
	image_tar_index_release(&st->tar);
	free(st->what);
	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	st->tar.fd = -1;
}

static enum bw_err store_open_fd(struct image_store *st, const char *name, int *fd,
				 uint64_t *off, uint64_t *size, struct bw_errbuf *eb)
{
	if (st->dirfd >= 0) {
		struct stat sb;

		*fd = openat(st->dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (*fd < 0)
			return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s/%s: %s",
				       st->what, name, strerror(errno));
		if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			close(*fd);
			*fd = -1;
			return bw_fail(eb, BW_ERR_FORMAT, "%s/%s: not a regular file", st->what, name);
		}
		*off = 0;
		*size = (uint64_t)sb.st_size;
		return BW_OK;
	}
	{
		const struct image_tar_entry *e = image_tar_find(&st->tar, name);

		if (!e)
			return bw_fail(eb, BW_ERR_NOT_FOUND, "%s: no %s in the archive", st->what, name);
		*fd = st->tar.fd;
		*off = e->off;
		*size = e->size;
		return BW_OK;
	}
}

bool image_store_has(struct image_store *st, const char *name)
{
	struct stat sb;

	if (st->dirfd >= 0)
		return fstatat(st->dirfd, name, &sb, 0) == 0 && S_ISREG(sb.st_mode);
	return image_tar_find(&st->tar, name) != NULL;
}

enum bw_err image_store_read(struct image_store *st, const char *name, size_t max,
			     struct bw_buf *b, struct bw_errbuf *eb)
{
	int fd = -1;
	uint64_t off, size;
	enum bw_err result;

	bw_buf_init(b, max);
	result = store_open_fd(st, name, &fd, &off, &size, eb);
	if (result)
		return result;
	if (size > max) {
		result = bw_fail(eb, BW_ERR_LIMIT, "%s: %s is %llu bytes, over the %zu-byte cap",
				 st->what, name, (unsigned long long)size, max);
		goto out_close;
	}
	result = bw_buf_append(b, "", 0);
	if (!result && size) {
		char *tmp = malloc(size);

		if (!tmp) {
			result = BW_ERR_NOMEM;
			goto out_close;
		}
		result = pread_full(fd, tmp, size, off, name, eb);
		if (!result)
			result = bw_buf_append(b, tmp, size);
		free(tmp);
	}
	if (result)
		bw_buf_release(b);
out_close:
	if (st->dirfd >= 0 && fd >= 0)
		close(fd);
	return result;
}

enum bw_err image_store_blob(struct image_store *st, const char *name, struct image_blob **out,
			     struct bw_errbuf *eb)
{
	int fd = -1;
	uint64_t off, size;
	enum bw_err result;
	char *what;

	result = store_open_fd(st, name, &fd, &off, &size, eb);
	if (result)
		return result;
	what = bw_strfmt("%s: %s", st->what, name);
	if (!what)
		result = BW_ERR_NOMEM;
	else
		result = image_blob_fd_range(fd, off, size, what, out, eb);
	free(what);
	if (st->dirfd >= 0)
		close(fd);
	return result;
}

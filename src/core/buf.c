/* buf.c - bounded byte buffers: they refuse to grow past their maximum. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

void bw_buf_init(struct bw_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static enum bw_err reserve(struct bw_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (__builtin_add_overflow(b->len, extra, &need) || need > b->max)
		return BW_ERR_LIMIT;
	need += 1; /* NUL */
	if (need <= b->cap)
		return BW_OK;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	if (ncap > b->max + 1 && need <= b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->data, ncap);
	if (!p)
		return BW_ERR_NOMEM;
	b->data = p;
	b->cap = ncap;
	return BW_OK;
}

enum bw_err bw_buf_append(struct bw_buf *b, const void *p, size_t n)
{
	enum bw_err result = reserve(b, n);

	if (result)
		return result;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return BW_OK;
}

enum bw_err bw_buf_appends(struct bw_buf *b, const char *s)
{
	return bw_buf_append(b, s, strlen(s));
}

enum bw_err bw_buf_appendf(struct bw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum bw_err result;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return BW_ERR_INTERNAL;
	result = reserve(b, (size_t)n);
	if (result)
		return result;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return BW_OK;
}

void bw_buf_reset(struct bw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *bw_buf_detach(struct bw_buf *b, size_t *len)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void bw_buf_release(struct bw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

enum bw_err bw_buf_read_fd(struct bw_buf *b, int fd, const char *what, struct bw_errbuf *eb)
{
	char chunk[65536];
	enum bw_err result;

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return bw_fail(eb, BW_ERR_IO, "%s: read failed: %s", what, strerror(errno));
		}
		if (n == 0)
			break;
		result = bw_buf_append(b, chunk, (size_t)n);
		if (result == BW_ERR_LIMIT)
			return bw_fail(eb, result, "%s: larger than the %zu-byte limit", what, b->max);
		if (result)
			return bw_fail(eb, result, "%s: %s", what, bw_strerror(result));
	}
	if (!b->data)
		return bw_buf_append(b, "", 0);
	return BW_OK;
}

enum bw_err bw_buf_read_file(struct bw_buf *b, const char *path, struct bw_errbuf *eb)
{
	struct stat st;
	enum bw_err result;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return bw_fail(eb, errno == ENOENT ? BW_ERR_NOT_FOUND : BW_ERR_IO, "%s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return bw_fail(eb, BW_ERR_IO, "%s: is a directory", path);
	}
	result = bw_buf_read_fd(b, fd, path, eb);
	close(fd);
	return result;
}

/* cache.c - a local cache of layer blobs keyed by digest, with a size cap:
 * a second scan of an image that shares layers downloads only the new
 * ones. Files are blobs/sha256/<hex> under the cache dir, written through
 * an unlinked temp file and linked into place after their digest was
 * verified; the oldest (by access time) are evicted past the cap. The
 * walker verifies a cached blob's digest again as it reads it, so a
 * corrupted cache file fails the scan with the digest named (and the
 * file is removed so the next run downloads it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry_int.h"

#define CACHE_DEFAULT_MAX (2ull << 30)

/* BULWARK_REGISTRY_CACHE: a directory, or "off". Default
 * $XDG_CACHE_HOME/bulwark/blobs/sha256 or ~/.cache/bulwark/blobs/sha256.
 * NULL: no cache. */
char *registry_cache_dir(void)
{
	const char *e = getenv("BULWARK_REGISTRY_CACHE");
	const char *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");

	if (e && !strcmp(e, "off"))
		return NULL;
	if (e && e[0] == '/')
		return bw_strfmt("%s/blobs/sha256", e);
	if (x && x[0] == '/')
		return bw_strfmt("%s/bulwark/blobs/sha256", x);
	if (h && *h)
		return bw_strfmt("%s/.cache/bulwark/blobs/sha256", h);
	return NULL;
}

static uint64_t cache_max(void)
{
	const char *e = getenv("BULWARK_REGISTRY_CACHE_MAX");
	uint64_t n;

	if (e && bw_parse_u64(e, UINT64_MAX, &n) == BW_OK)
		return n;
	return CACHE_DEFAULT_MAX;
}

static int mkdirs(const char *dir)
{
	char tmp[4096];

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

static bool hex_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == BW_SHA256_HEX_LEN;
}

int registry_cache_open(const char *dir, const char *digest)
{
	char *path;
	int fd;

	if (!dir || !bw_str_starts_with(digest, "sha256:") || !hex_name(digest + 7))
		return -1;
	path = bw_strfmt("%s/%s", dir, digest + 7);
	if (!path)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0)
		(void)utimensat(AT_FDCWD, path, NULL, 0); /* recently used */
	free(path);
	return fd;
}

void registry_cache_drop(const char *dir, const char *digest)
{
	char *path;

	if (!dir || !bw_str_starts_with(digest, "sha256:") || !hex_name(digest + 7))
		return;
	path = bw_strfmt("%s/%s", dir, digest + 7);
	if (path)
		(void)unlink(path);
	free(path);
}

struct entry {
	char name[BW_SHA256_HEX_LEN + 1];
	struct timespec t;
	off_t size;
};

static int by_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->t.tv_sec != y->t.tv_sec)
		return x->t.tv_sec < y->t.tv_sec ? -1 : 1;
	return x->t.tv_nsec < y->t.tv_nsec ? -1 : x->t.tv_nsec > y->t.tv_nsec;
}

/* Remove the least recently used blobs until the total is under the cap. */
static void evict(const char *dir, uint64_t max)
{
	DIR *d = opendir(dir);
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (!hex_name(de->d_name) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (bw_grow((void **)&v, &cap, n + 1, sizeof(*v), 1000000))
			break;
		bw_strlcpy(v[n].name, de->d_name, sizeof(v[n].name));
		v[n].t = st.st_mtim;
		v[n].size = st.st_size;
		total += (uint64_t)st.st_size;
		n++;
	}
	if (total > max) {
		qsort(v, n, sizeof(*v), by_time);
		for (size_t i = 0; i < n && total > max; i++)
			if (unlinkat(dirfd(d), v[i].name, 0) == 0)
				total -= (uint64_t)v[i].size;
	}
	closedir(d);
	free(v);
}

int registry_cache_tmpfd(const char *dir)
{
	if (!dir || mkdirs(dir) < 0)
		return -1;
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

void registry_cache_commit(const char *dir, const char *digest, int fd, int64_t size)
{
	char proc[64], *path;
	uint64_t max = cache_max();

	if (!dir || !hex_name(digest + 7) || (size >= 0 && (uint64_t)size > max))
		return;
	path = bw_strfmt("%s/%s", dir, digest + 7);
	if (!path)
		return;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0 && errno != EEXIST)
		BW_DEBUG("layer cache: cannot keep %s: %s", digest, strerror(errno));
	free(path);
	evict(dir, max);
}

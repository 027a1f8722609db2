/* out.c - output files written atomically (temp file + rename). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

enum bw_err bw_out_open(struct bw_out *o, const char *path, struct bw_errbuf *eb)
{
	struct stat st;
	mode_t mask;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return BW_OK;
	}
	/* A device, FIFO or socket (/dev/null, /dev/stdout, a pipe) is written
	 * directly: renaming a temporary file over it would replace it. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return bw_fail(eb, BW_ERR_IO, "%s: is a directory", path);
		o->f = fopen(path, "w");
		if (!o->f)
			return bw_fail(eb, BW_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
		o->direct = true;
		return BW_OK;
	}
	o->path = bw_strdup(path);
	o->tmp = bw_strfmt("%s.tmpXXXXXX", path);
	if (!o->path || !o->tmp) {
		bw_out_abort(o);
		return BW_ERR_NOMEM;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		bw_out_abort(o);
		return bw_fail(eb, BW_ERR_IO, "%s: cannot create: %s", path, strerror(e));
	}
	/* mkstemp makes 0600; a report gets what open(2) would give it */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		int e = errno;

		close(fd);
		bw_out_abort(o);
		return bw_fail(eb, BW_ERR_IO, "%s: cannot set mode: %s", path, strerror(e));
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		bw_out_abort(o);
		return bw_fail(eb, BW_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	}
	return BW_OK;
}

enum bw_err bw_out_commit(struct bw_out *o, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;

	if (o->direct) {
		result = BW_OK;
		if (fclose(o->f) != 0)
			result = bw_fail(eb, BW_ERR_IO, "writing the output failed: %s",
					 strerror(errno));
		o->f = NULL;
		o->direct = false;
		return result;
	}
	if (o->f == stdout || !o->path) {
		if (fflush(stdout) != 0)
			result = bw_fail(eb, BW_ERR_IO, "writing standard output failed: %s",
					 strerror(errno));
		o->f = NULL;
		return result;
	}
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "%s: write failed: %s", o->path, strerror(errno));
		bw_out_abort(o);
		return result;
	}
	if (fclose(o->f) != 0) {
		o->f = NULL;
		result = bw_fail(eb, BW_ERR_IO, "%s: write failed: %s", o->path, strerror(errno));
		bw_out_abort(o);
		return result;
	}
	o->f = NULL;
	if (rename(o->tmp, o->path) != 0) {
		result = bw_fail(eb, BW_ERR_IO, "%s: cannot rename into place: %s", o->path,
				 strerror(errno));
		bw_out_abort(o);
		return result;
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return BW_OK;
}

void bw_out_abort(struct bw_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->direct = false;
	o->f = NULL;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}

/* docker_units.c - systemd unit files found the way systemd finds them.
 *
 * Search path for system units (systemd.unit(5), "Unit File Load Path"),
 * highest priority first. The first directory holding NAME provides the
 * unit file; drop-ins NAME.d/ *.conf are read from every directory, a
 * drop-in file name seen in a higher-priority directory hides the same
 * name below, and the set is applied in file-name order.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker_int.h"

#define DK_MAX_UNIT (256 * 1024)
#define DK_MAX_DROPINS 256

const char *const dk_unit_dirs[] = {
	"/etc/systemd/system.control",
	"/run/systemd/system.control",
	"/run/systemd/transient",
	"/run/systemd/generator.early",
	"/etc/systemd/system",
	"/etc/systemd/system.attached",
	"/run/systemd/system",
	"/run/systemd/system.attached",
	"/run/systemd/generator",
	"/usr/local/lib/systemd/system",
	"/lib/systemd/system",
	"/usr/lib/systemd/system",
	"/run/systemd/generator.late",
	NULL,
};

void dk_unit_release(struct dk_unit *u)
{
	if (!u)
		return;
	free(u->path);
	bw_strv_release(&u->dropins);
	memset(u, 0, sizeof(*u));
}

static bool exists(const char *root, const char *path, bool *masked)
{
	char full[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
		return false;
	if (lstat(full, &st) != 0)
		return false;
	if (masked) {
		*masked = false;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(full, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				*masked = strcmp(link, "/dev/null") == 0;
			}
		}
	}
	return true;
}

static int cmp_base(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');

	return strcmp(x ? x + 1 : *(char *const *)a, y ? y + 1 : *(char *const *)b);
}

static bool base_seen(const struct bw_strv *sv, const char *base)
{
	for (size_t i = 0; i < sv->n; i++) {
		const char *b = strrchr(sv->v[i], '/');

		if (b && strcmp(b + 1, base) == 0)
			return true;
	}
	return false;
}

static enum bw_err add_dropins(const char *root, const char *dir, const char *name,
			       struct dk_unit *u)
{
	enum bw_err result = BW_OK;
	char full[PATH_MAX];
	DIR *d;
	struct dirent *e;

	if ((size_t)snprintf(full, sizeof(full), "%s%s/%s.d", root, dir, name) >= sizeof(full))
		return BW_OK;
	d = opendir(full);
	if (!d)
		return BW_OK;
	while ((e = readdir(d)) != NULL) {
		char *p;
		bool masked = false;

		if (!bw_str_ends_with(e->d_name, ".conf") || base_seen(&u->dropins, e->d_name))
			continue;
		if (u->dropins.n >= DK_MAX_DROPINS) {
			result = BW_ERR_LIMIT;
			break;
		}
		p = bw_strfmt("%s/%s.d/%s", dir, name, e->d_name);
		if (!p) {
			result = BW_ERR_NOMEM;
			break;
		}
		if (!exists(root, p, &masked) || masked) {
			free(p); /* a drop-in linked to /dev/null hides lower ones */
			if (masked)
				result = bw_strv_push(&u->dropins, "/dev/null/masked");
			if (result != BW_OK)
				break;
			continue;
		}
		result = bw_strv_push_owned(&u->dropins, p);
		if (result != BW_OK) {
			free(p);
			break;
		}
	}
	closedir(d);
	return result;
}

enum bw_err dk_unit_find(const char *root, const char *name, struct dk_unit *u,
			 struct bw_errbuf *eb)
{
	enum bw_err result;
	size_t keep = 0;

	memset(u, 0, sizeof(*u));
	if (strchr(name, '/'))
		return bw_fail(eb, BW_ERR_USAGE, "unit name '%s' has a '/'", name);
	for (size_t i = 0; dk_unit_dirs[i]; i++) {
		char p[PATH_MAX];
		bool masked = false;

		if (!u->path) {
			snprintf(p, sizeof(p), "%s/%s", dk_unit_dirs[i], name);
			if (exists(root, p, &masked)) {
				u->path = bw_strdup(p);
				u->masked = masked;
				if (!u->path)
					return BW_ERR_NOMEM;
			}
		}
		result = add_dropins(root, dk_unit_dirs[i], name, u);
		if (result != BW_OK)
			return bw_fail(eb, result, "%s: too many drop-ins for %s", root, name);
	}
	/* drop the placeholders of masked drop-ins, then order by name */
	for (size_t i = 0; i < u->dropins.n; i++) {
		if (strcmp(u->dropins.v[i], "/dev/null/masked") == 0)
			free(u->dropins.v[i]);
		else
			u->dropins.v[keep++] = u->dropins.v[i];
	}
	u->dropins.n = keep;
	if (u->dropins.n > 1)
		qsort(u->dropins.v, u->dropins.n, sizeof(char *), cmp_base);
	return BW_OK;
}

/* Apply the assignments of KEY in [section] of one file to *val. */
static void scan_file(const char *root, const char *path, const char *section, const char *key,
		      char **val)
{
	struct bw_buf b, line;
	char full[PATH_MAX];
	bool in_section = false;
	size_t klen = strlen(key);

	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
		return;
	bw_buf_init(&b, DK_MAX_UNIT);
	bw_buf_init(&line, DK_MAX_UNIT);
	if (bw_buf_read_file(&b, full, NULL) != BW_OK)
		goto out_bufs;
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n'), *s;

		if (nl)
			*nl = '\0';
		bw_buf_reset(&line);
		/* join continuation lines ending in a backslash */
		for (;;) {
			size_t l = strlen(p);
			bool cont = l > 0 && p[l - 1] == '\\';

			if (bw_buf_append(&line, p, cont ? l - 1 : l) != BW_OK)
				goto out_bufs;
			if (!cont || !nl)
				break;
			if (bw_buf_append(&line, " ", 1) != BW_OK)
				goto out_bufs;
			p = nl + 1;
			nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
		}
		p = nl ? nl + 1 : NULL;
		if (!line.data)
			continue;
		s = bw_str_trim(line.data);
		if (*s == '#' || *s == ';' || *s == '\0')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			in_section = close && (size_t)(close - s - 1) == strlen(section) &&
				     strncmp(s + 1, section, strlen(section)) == 0;
			continue;
		}
		if (!in_section || strncmp(s, key, klen) != 0)
			continue;
		s += klen;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '=')
			continue;
		s = bw_str_trim(s + 1);
		free(*val);
		*val = *s ? bw_strdup(s) : NULL; /* empty assignment resets */
	}
out_bufs:
	bw_buf_release(&b);
	bw_buf_release(&line);
}

char *dk_unit_get(const char *root, const struct dk_unit *u, const char *section, const char *key)
{
	char *val = NULL;

	if (!u->path || u->masked)
		return NULL;
	scan_file(root, u->path, section, key, &val);
	for (size_t i = 0; i < u->dropins.n; i++)
		scan_file(root, u->dropins.v[i], section, key, &val);
	return val;
}

enum bw_err dk_exec_split(const char *line, struct bw_buf *out)
{
	enum bw_err result = BW_OK;
	const char *p = line;
	bool first = true;

	bw_buf_reset(out);
	while (*p) {
		char quote = 0;
		bool any = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (first)
			while (*p && strchr("@-:+!", *p))
				p++;
		first = false;
		for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
			if (!quote && (*p == '"' || *p == '\'')) {
				quote = *p;
				any = true;
				continue;
			}
			if (quote && *p == quote) {
				quote = 0;
				continue;
			}
			if (*p == '\\' && p[1]) {
				p++;
			}
			result = bw_buf_append(out, p, 1);
			if (result != BW_OK)
				return result;
			any = true;
		}
		if (any) {
			result = bw_buf_append(out, "", 1);
			if (result != BW_OK)
				return result;
		}
	}
	return BW_OK;
}

/* docker_host.c - host facts read natively: file modes and owners, audit
 * rules, the docker group. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "docker_int.h"

#define DK_MAX_AUDIT_LINES 20000

void dk_file_stat(const char *root, const char *path, struct dk_file *f)
{
	char full[8192];

	memset(f, 0, sizeof(*f));
	bw_strlcpy(f->path, path, sizeof(f->path));
	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full)) {
		f->err = ENAMETOOLONG;
		return;
	}
	if (stat(full, &f->st) == 0) {
		f->exists = true;
		return;
	}
	if (errno != ENOENT && errno != ENOTDIR)
		f->err = errno;
}

bool dk_mode_ok(mode_t mode, mode_t allowed)
{
	return (mode & 07777 & ~allowed) == 0;
}

void dk_audit_release(struct dk_audit *a)
{
	if (!a)
		return;
	free(a->source);
	free(a->error);
	bw_strv_release(&a->lines);
	memset(a, 0, sizeof(*a));
}

enum bw_err dk_audit_add_text(struct dk_audit *a, const char *text, size_t n)
{
	enum bw_err result;
	size_t i = 0;

	while (i < n) {
		const char *s = text + i, *nl = memchr(s, '\n', n - i);
		size_t len = nl ? (size_t)(nl - s) : n - i;
		char *line, *t;

		i += len + 1;
		if (a->lines.n >= DK_MAX_AUDIT_LINES)
			return BW_ERR_LIMIT;
		line = bw_strndup(s, len);
		if (!line)
			return BW_ERR_NOMEM;
		t = bw_str_trim(line);
		if (*t == '\0' || *t == '#' || strcmp(t, "No rules") == 0) {
			free(line);
			continue;
		}
		result = bw_strv_push(&a->lines, t);
		free(line);
		if (result != BW_OK)
			return result;
	}
	a->loaded = true;
	return BW_OK;
}

/* true when the whitespace-separated token tok of line equals path, or is
 * "path=PATH" / "dir=PATH" (with -F before it). */
static bool rule_watches(const char *line, const char *path)
{
	const char *p = line, *prev = "";
	size_t plen = strlen(path);
	char prevbuf[8] = "";

	while (*p) {
		const char *start, *end;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		end = p;
		len = (size_t)(end - start);
		if (strcmp(prev, "-w") == 0 && len == plen && strncmp(start, path, plen) == 0)
			return true;
		if (strcmp(prev, "-F") == 0) {
			if ((len == plen + 5 && strncmp(start, "path=", 5) == 0 &&
			     strncmp(start + 5, path, plen) == 0) ||
			    (len == plen + 4 && strncmp(start, "dir=", 4) == 0 &&
			     strncmp(start + 4, path, plen) == 0))
				return true;
		}
		if (len < sizeof(prevbuf)) {
			memcpy(prevbuf, start, len);
			prevbuf[len] = '\0';
		} else {
			prevbuf[0] = '\0';
		}
		prev = prevbuf;
	}
	return false;
}

const char *dk_audit_find(const struct dk_audit *a, const char *path)
{
	for (size_t i = 0; i < a->lines.n; i++) {
		const char *l = a->lines.v[i];

		/* "-W" deletes a watch, "-d" deletes a rule */
		if (bw_str_starts_with(l, "-W") || bw_str_starts_with(l, "-d"))
			continue;
		if (rule_watches(l, path))
			return l;
	}
	return NULL;
}

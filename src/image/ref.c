/* ref.c - image references as users type them, and platforms. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image_int.h"

#define REF_MAX_LEN 4096

const char *image_ref_kind_name(enum image_ref_kind kind)
{
	switch (kind) {
	case IMAGE_REF_DOCKER_ARCHIVE:
		return "docker-archive";
	case IMAGE_REF_OCI_ARCHIVE:
		return "oci-archive";
	case IMAGE_REF_OCI_DIR:
		return "oci";
	case IMAGE_REF_DIR:
		return "dir";
	case IMAGE_REF_REGISTRY:
		return "registry";
	}
	return "unknown";
}

void image_ref_release(struct image_ref *ref)
{
	if (!ref)
		return;
	free(ref->path);
	free(ref->selector);
	free(ref->text);
	memset(ref, 0, sizeof(*ref));
}

static bool path_exists(const char *p, bool *is_dir)
{
	struct stat st;

	if (stat(p, &st) != 0)
		return false;
	if (is_dir)
		*is_dir = S_ISDIR(st.st_mode);
	return true;
}

/* Split "PATH[:SEL]": the first ':' whose prefix exists is the split; when
 * none exists (or the whole text exists) the text is split at the first ':'
 * unless the whole text exists. */
static enum bw_err split_path_sel(const char *s, char **path, char **sel)
{
	const char *c;

	*path = NULL;
	*sel = NULL;
	if (!path_exists(s, NULL)) {
		for (c = strchr(s, ':'); c; c = strchr(c + 1, ':')) {
			char *pre = bw_strndup(s, (size_t)(c - s));
			bool ex;

			if (!pre)
				return BW_ERR_NOMEM;
			ex = path_exists(pre, NULL);
			free(pre);
			if (ex)
				break;
		}
		if (!c)
			c = strchr(s, ':');
		if (c) {
			*path = bw_strndup(s, (size_t)(c - s));
			*sel = c[1] ? bw_strdup(c + 1) : NULL;
			if (!*path || (c[1] && !*sel))
				return BW_ERR_NOMEM;
			return BW_OK;
		}
	}
	*path = bw_strdup(s);
	return *path ? BW_OK : BW_ERR_NOMEM;
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* NAME[:TAG][@DIGEST] after the distribution reference grammar (bounded,
 * slightly permissive on separators). */
static bool registry_ref_valid(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = at ? (size_t)(at - s) : strlen(s);
	const char *last_slash = NULL, *tag = NULL;
	size_t i;

	if (n == 0 || n > 255)
		return false;
	if (at && !bw_digest_valid(at + 1))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '/')
			last_slash = s + i;
	for (i = (size_t)((last_slash ? last_slash + 1 : s) - s); i < n; i++)
		if (s[i] == ':') {
			tag = s + i + 1;
			break;
		}
	if (tag) {
		size_t tn = n - (size_t)(tag - s);

		if (tn == 0 || tn > 128 || tag[0] == '.' || tag[0] == '-')
			return false;
		for (i = 0; i < tn; i++) {
			char c = tag[i];

			if (!(is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
			      c == '-'))
				return false;
		}
		n = (size_t)(tag - 1 - s);
	}
	/* components: the first may be a host[:port] */
	{
		const char *p = s, *end = s + n;
		bool first = true;

		while (p < end) {
			const char *e = memchr(p, '/', (size_t)(end - p));
			size_t cn;
			bool host;

			if (!e)
				e = end;
			cn = (size_t)(e - p);
			if (cn == 0)
				return false;
			host = first && e != end &&
			       (memchr(p, '.', cn) || memchr(p, ':', cn) ||
				(cn == 9 && memcmp(p, "localhost", 9) == 0));
			for (i = 0; i < cn; i++) {
				char c = p[i];

				if (is_lower_alnum(c))
					continue;
				if (host && ((c >= 'A' && c <= 'Z') || c == ':' || c == '.' || c == '-'))
					continue;
				if (!host && (c == '.' || c == '_' || c == '-') && i > 0 && i + 1 < cn)
					continue;
				return false;
			}
			if (!is_lower_alnum(p[0]) && !host)
				return false;
			first = false;
			p = e == end ? end : e + 1;
			if (e != end && p == end)
				return false; /* trailing '/' */
		}
	}
	return true;
}

/* Recognise an existing file by content: a tar with manifest.json is a
 * docker archive, one with oci-layout (and no manifest.json) an OCI one. */
static enum bw_err sniff_archive(const char *path, enum image_ref_kind *kind,
				 struct bw_errbuf *eb)
{
	struct image_tar_index ti;
	enum bw_err result;

	result = image_tar_index_open(path, &ti, eb);
	if (result)
		return bw_fail_prefix(eb, result, "%s: not an image (directory, docker or OCI archive)",
				      path);
	if (image_tar_find(&ti, "manifest.json"))
		*kind = IMAGE_REF_DOCKER_ARCHIVE;
	else if (image_tar_find(&ti, "oci-layout") || image_tar_find(&ti, "index.json"))
		*kind = IMAGE_REF_OCI_ARCHIVE;
	else
		result = bw_fail(eb, BW_ERR_FORMAT,
				 "%s: a tar archive without manifest.json or oci-layout: not an image",
				 path);
	image_tar_index_release(&ti);
	return result;
}

static bool dir_has(const char *dir, const char *name)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool has;

	if (fd < 0)
		return false;
	has = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
	close(fd);
	return has;
}

static enum bw_err parse_bare(const char *text, struct image_ref *ref, struct bw_errbuf *eb)
{
	enum bw_err result;
	bool is_dir = false;
	char *path = NULL, *sel = NULL;

	result = split_path_sel(text, &path, &sel);
	if (result)
		return result;
	if (path_exists(path, &is_dir)) {
		ref->path = path;
		ref->selector = sel;
		if (is_dir) {
			bool oci = dir_has(path, "oci-layout") || dir_has(path, "index.json");

			ref->kind = oci ? IMAGE_REF_OCI_DIR : IMAGE_REF_DIR;
			if (ref->kind == IMAGE_REF_DIR && sel)
				return bw_fail(eb, BW_ERR_USAGE, "%s: a plain directory has no tags", text);
			return BW_OK;
		}
		return sniff_archive(path, &ref->kind, eb);
	}
	free(path);
	free(sel);
	if (text[0] == '/' || text[0] == '.' || bw_str_ends_with(text, ".tar") ||
	    !registry_ref_valid(text))
		return bw_fail(eb, path_exists(text, NULL) ? BW_ERR_FORMAT : BW_ERR_NOT_FOUND,
			       "%s: no such file or directory, and not a registry reference", text);
	ref->kind = IMAGE_REF_REGISTRY;
	ref->path = bw_strdup(text);
	return ref->path ? BW_OK : BW_ERR_NOMEM;
}

enum bw_err image_ref_parse(const char *text, struct image_ref *ref, struct bw_errbuf *eb)
{
	static const struct {
		const char *prefix;
		enum image_ref_kind kind;
	} pre[] = {
		{"docker-archive:", IMAGE_REF_DOCKER_ARCHIVE},
		{"oci-archive:", IMAGE_REF_OCI_ARCHIVE},
		{"oci:", IMAGE_REF_OCI_DIR},
		{"dir:", IMAGE_REF_DIR},
		{"registry:", IMAGE_REF_REGISTRY},
		{"docker://", IMAGE_REF_REGISTRY},
	};
	enum bw_err result = BW_OK;
	size_t i;

	memset(ref, 0, sizeof(*ref));
	if (!text || !*text)
		return bw_fail(eb, BW_ERR_USAGE, "empty image reference");
	if (strlen(text) > REF_MAX_LEN)
		return bw_fail(eb, BW_ERR_USAGE, "image reference longer than %d bytes", REF_MAX_LEN);
	ref->text = bw_strdup(text);
	if (!ref->text)
		return BW_ERR_NOMEM;
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		const char *rest;

		if (!bw_str_starts_with(text, pre[i].prefix))
			continue;
		rest = text + strlen(pre[i].prefix);
		ref->kind = pre[i].kind;
		if (!*rest) {
			result = bw_fail(eb, BW_ERR_USAGE, "%s: nothing after '%s'", text, pre[i].prefix);
		} else if (ref->kind == IMAGE_REF_DIR) {
			ref->path = bw_strdup(rest);
			result = ref->path ? BW_OK : BW_ERR_NOMEM;
		} else if (ref->kind == IMAGE_REF_REGISTRY) {
			if (!registry_ref_valid(rest))
				result = bw_fail(eb, BW_ERR_USAGE, "%s: not a valid registry reference",
						 text);
			else if (!(ref->path = bw_strdup(rest)))
				result = BW_ERR_NOMEM;
		} else {
			result = split_path_sel(rest, &ref->path, &ref->selector);
			if (!result && !*ref->path)
				result = bw_fail(eb, BW_ERR_USAGE, "%s: empty path", text);
		}
		goto out_ref;
	}
	result = parse_bare(text, ref, eb);
out_ref:
	if (result)
		image_ref_release(ref);
	return result;
}

/* ---- platforms ---- */

static const char *arch_alias(const char *a, const char **variant)
{
	static const struct {
		const char *from, *to, *variant;
	} al[] = {
		{"x86_64", "amd64", NULL},  {"x86-64", "amd64", NULL}, {"aarch64", "arm64", NULL},
		{"armhf", "arm", "v7"},     {"armel", "arm", "v6"},    {"i386", "386", NULL},
		{"i686", "386", NULL},      {"armv7l", "arm", "v7"},   {"armv6l", "arm", "v6"},
	};

	for (size_t i = 0; i < sizeof(al) / sizeof(al[0]); i++)
		if (strcmp(a, al[i].from) == 0) {
			if (variant && al[i].variant)
				*variant = al[i].variant;
			return al[i].to;
		}
	return a;
}

static bool platform_word_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!(is_lower_alnum(c) || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

enum bw_err image_platform_parse(const char *s, struct image_platform *p, struct bw_errbuf *eb)
{
	const char *a, *v, *variant = NULL, *arch;
	size_t on, an;
	char archbuf[32];

	memset(p, 0, sizeof(*p));
	a = strchr(s, '/');
	if (!a)
		return bw_fail(eb, BW_ERR_USAGE, "platform '%s': expected os/arch[/variant]", s);
	v = strchr(a + 1, '/');
	on = (size_t)(a - s);
	an = v ? (size_t)(v - a - 1) : strlen(a + 1);
	if (!platform_word_ok(s, on) || on >= sizeof(p->os) || !platform_word_ok(a + 1, an) ||
	    an >= sizeof(archbuf) ||
	    (v && (!platform_word_ok(v + 1, strlen(v + 1)) || strlen(v + 1) >= sizeof(p->variant))))
		return bw_fail(eb, BW_ERR_USAGE, "platform '%s': expected os/arch[/variant] in lower case",
			       s);
	memcpy(p->os, s, on);
	memcpy(archbuf, a + 1, an);
	archbuf[an] = '\0';
	arch = arch_alias(archbuf, &variant);
	bw_strlcpy(p->arch, arch, sizeof(p->arch));
	if (v)
		bw_strlcpy(p->variant, v + 1, sizeof(p->variant));
	else if (variant)
		bw_strlcpy(p->variant, variant, sizeof(p->variant));
	return BW_OK;
}

void image_platform_host(struct image_platform *p)
{
	struct utsname u;
	const char *variant = NULL;

	memset(p, 0, sizeof(*p));
	bw_strlcpy(p->os, "linux", sizeof(p->os));
	if (uname(&u) != 0) {
		bw_strlcpy(p->arch, "amd64", sizeof(p->arch));
		return;
	}
	bw_strlcpy(p->arch, arch_alias(u.machine, &variant), sizeof(p->arch));
	if (variant)
		bw_strlcpy(p->variant, variant, sizeof(p->variant));
}

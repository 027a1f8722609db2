/* distro.c - distro detection: os-release(5) and the distro files.
 *
 * Order: etc/os-release, then usr/lib/os-release (os-release(5): the
 * first one found wins), then etc/alpine-release, etc/debian_version,
 * etc/{redhat,centos,fedora,system}-release and etc/lsb-release. A codename
 * missing from os-release is derived: UBUNTU_CODENAME, then Debian's from
 * etc/debian_version.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

#define OSREL_MAX_VALUE 1024

void sbom_distro_release(struct sbom_distro *d)
{
	if (!d)
		return;
	free(d->id);
	free(d->version_id);
	free(d->codename);
	free(d->pretty_name);
	free(d->id_like);
	free(d->source_path);
	memset(d, 0, sizeof(*d));
}

/* Unquote one os-release value (shell-like, as os-release(5) describes:
 * single quotes literal, double quotes with \" \\ \$ \` escapes, backslash
 * escapes outside quotes; unquoted whitespace ends the value). Returns
 * false on an unterminated quote or a value over OSREL_MAX_VALUE. */
static bool osrel_unquote(const char *p, size_t n, struct bw_buf *out)
{
	size_t i = 0;

	bw_buf_reset(out);
	while (i < n) {
		char ch = p[i];

		if (ch == '\'') {
			const char *end = memchr(p + i + 1, '\'', n - i - 1);

			if (!end)
				return false;
			if (bw_buf_append(out, p + i + 1, (size_t)(end - p - i - 1)) != BW_OK)
				return false;
			i = (size_t)(end - p) + 1;
		} else if (ch == '"') {
			i++;
			for (;;) {
				if (i >= n)
					return false;
				if (p[i] == '"') {
					i++;
					break;
				}
				if (p[i] == '\\' && i + 1 < n &&
				    strchr("\"\\$`", p[i + 1]) != NULL)
					i++;
				if (bw_buf_append(out, p + i, 1) != BW_OK)
					return false;
				i++;
			}
		} else if (ch == '\\') {
			if (i + 1 >= n)
				return false;
			if (bw_buf_append(out, p + i + 1, 1) != BW_OK)
				return false;
			i += 2;
		} else if (ch == ' ' || ch == '\t') {
			break; /* "KEY=value # comment" */
		} else {
			if (bw_buf_append(out, p + i, 1) != BW_OK)
				return false;
			i++;
		}
	}
	return true;
}

/* Replace *dst with a copy of the buffer's text. */
static enum bw_err set_str(char **dst, const char *s)
{
	char *c = bw_strdup(s);

	if (!c)
		return BW_ERR_NOMEM;
	free(*dst);
	*dst = c;
	return BW_OK;
}

enum bw_err sbom_parse_os_release(const char *data, size_t n, const char *path,
				  struct sbom_distro *d, struct bw_errbuf *eb)
{
	struct bw_buf val;
	char *ubuntu_codename = NULL, *version = NULL;
	enum bw_err result = BW_OK, first_err = BW_OK;
	size_t off = 0, lineno = 0;

	if (!path)
		path = "os-release";
	bw_buf_init(&val, OSREL_MAX_VALUE);
	while (off < n) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;
		const char *eq;
		size_t klen;
		char **slot = NULL;

		off += len + (nl ? 1 : 0);
		lineno++;
		while (len && isspace((unsigned char)line[len - 1]))
			len--;
		while (len && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		if (len == 0 || line[0] == '#')
			continue;
		eq = memchr(line, '=', len);
		if (!eq || eq == line || memchr(line, '\0', len)) {
			if (first_err == BW_OK)
				first_err = bw_fail(eb, BW_ERR_FORMAT,
						    "%s: line %zu: expected KEY=value", path, lineno);
			continue;
		}
		klen = (size_t)(eq - line);
		if (!osrel_unquote(eq + 1, len - klen - 1, &val)) {
			if (first_err == BW_OK)
				first_err = bw_fail(eb, BW_ERR_FORMAT,
						    "%s: line %zu: unterminated quote or value too long",
						    path, lineno);
			continue;
		}
#define KEY_IS(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
		if (KEY_IS("ID"))
			slot = &d->id;
		else if (KEY_IS("VERSION_ID"))
			slot = &d->version_id;
		else if (KEY_IS("VERSION_CODENAME"))
			slot = &d->codename;
		else if (KEY_IS("PRETTY_NAME"))
			slot = &d->pretty_name;
		else if (KEY_IS("ID_LIKE"))
			slot = &d->id_like;
		else if (KEY_IS("UBUNTU_CODENAME"))
			slot = &ubuntu_codename;
		else if (KEY_IS("VERSION"))
			slot = &version;
#undef KEY_IS
		if (!slot)
			continue;
		if (val.len == 0) {
			free(*slot);
			*slot = NULL;
			continue;
		}
		result = set_str(slot, val.data);
		if (result != BW_OK)
			goto out_release;
	}
	if (d->id)
		for (char *c = d->id; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	if (!d->codename && ubuntu_codename) {
		d->codename = ubuntu_codename;
		ubuntu_codename = NULL;
	}
	/* Debian's VERSION="12 (bookworm)" when VERSION_CODENAME is absent
	 * (Debian 8 and older had no VERSION_CODENAME). */
	if (!d->codename && version && d->id && strcmp(d->id, "debian") == 0) {
		const char *o = strchr(version, '('), *c = o ? strchr(o, ')') : NULL;

		if (o && c && c > o + 1 && !(d->codename = bw_strndup(o + 1, (size_t)(c - o - 1)))) {
			result = BW_ERR_NOMEM;
			goto out_release;
		}
	}
	result = first_err;
out_release:
	free(ubuntu_codename);
	free(version);
	bw_buf_release(&val);
	return result;
}

char *sbom_debian_codename(const char *debian_version)
{
	static const char *const names[] = {
		[7] = "wheezy",	  [8] = "jessie",   [9] = "stretch", [10] = "buster",
		[11] = "bullseye", [12] = "bookworm", [13] = "trixie",
	};
	uint64_t major = 0;
	size_t i = 0;

	if (!debian_version)
		return NULL;
	while (isspace((unsigned char)debian_version[i]))
		i++;
	if (!isdigit((unsigned char)debian_version[i])) {
		/* "bookworm/sid", "trixie/sid", "sid": testing and unstable */
		if (strstr(debian_version, "sid"))
			return bw_strdup("sid");
		return NULL;
	}
	while (isdigit((unsigned char)debian_version[i]) && major < 1000)
		major = major * 10 + (uint64_t)(debian_version[i++] - '0');
	if (major < 7 || major > 13)
		return NULL;
	return bw_strdup(names[major]);
}

/* First line of a small file, trimmed, malloc'd. */
static char *first_line(const char *data, size_t n)
{
	const char *nl = memchr(data, '\n', n);
	size_t len = nl ? (size_t)(nl - data) : n;
	const char *p = data;

	while (len && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	if (len == 0 || len > 256 || memchr(p, '\0', len))
		return NULL;
	return bw_strndup(p, len);
}

/* "CentOS Linux release 7.9.2009 (Core)" and its siblings. */
static enum bw_err parse_redhat_release(const char *line, struct sbom_distro *d)
{
	static const struct {
		const char *prefix, *id;
		bool major_only;
	} names[] = {
		{"Red Hat Enterprise Linux", "rhel", false}, {"CentOS Stream", "centos", true},
		{"CentOS", "centos", true},		       {"Fedora", "fedora", false},
		{"Rocky Linux", "rocky", false},	       {"AlmaLinux", "almalinux", false},
		{"Amazon Linux", "amzn", false},	       {"Oracle Linux", "ol", false},
	};
	const char *rel = strstr(line, "release ");
	size_t vl = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!bw_str_starts_with(line, names[i].prefix))
			continue;
		if (!(d->id = bw_strdup(names[i].id)))
			return BW_ERR_NOMEM;
		if (rel) {
			rel += 8;
			while (rel[vl] && !isspace((unsigned char)rel[vl]) &&
			       (!names[i].major_only || rel[vl] != '.'))
				vl++;
			if (vl && !(d->version_id = bw_strndup(rel, vl)))
				return BW_ERR_NOMEM;
		}
		return set_str(&d->pretty_name, line);
	}
	return BW_OK;
}

static enum bw_err parse_lsb_release(const char *data, size_t n, struct sbom_distro *d)
{
	struct bw_buf val;
	size_t off = 0;
	enum bw_err result = BW_OK;

	bw_buf_init(&val, OSREL_MAX_VALUE);
	while (off < n && result == BW_OK) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;
		const char *eq = memchr(line, '=', len);
		char **slot = NULL;

		off += len + (nl ? 1 : 0);
		if (!eq || !osrel_unquote(eq + 1, len - (size_t)(eq - line) - 1, &val) ||
		    val.len == 0)
			continue;
		if (bw_str_starts_with(line, "DISTRIB_ID="))
			slot = &d->id;
		else if (bw_str_starts_with(line, "DISTRIB_RELEASE="))
			slot = &d->version_id;
		else if (bw_str_starts_with(line, "DISTRIB_CODENAME="))
			slot = &d->codename;
		else if (bw_str_starts_with(line, "DISTRIB_DESCRIPTION="))
			slot = &d->pretty_name;
		if (slot)
			result = set_str(slot, val.data);
	}
	bw_buf_release(&val);
	if (result == BW_OK && d->id)
		for (char *c = d->id; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	return result;
}

enum bw_err sbom_distro_from_files(const struct sbom_files *files, struct sbom_distro *d,
				   struct sbom *warn)
{
	static const char *const osrel[] = {"etc/os-release", "usr/lib/os-release"};
	static const char *const rh[] = {"etc/redhat-release", "etc/centos-release",
					 "etc/fedora-release", "etc/system-release"};
	const char *data, *src = NULL;
	char *line = NULL;
	size_t n;
	enum bw_err result = BW_OK;

	sbom_distro_release(d);
	for (size_t i = 0; i < 2 && !src; i++) {
		struct bw_errbuf eb = {0};

		if (!(data = files->get(files->ctx, osrel[i], &n)))
			continue;
		result = sbom_parse_os_release(data, n, osrel[i], d, &eb);
		if (result == BW_ERR_NOMEM)
			goto out_fail;
		if (result != BW_OK) {
			BW_WARN("%s", eb.msg);
			sbom_warn(warn, "%s", eb.msg);
		}
		if (d->id)
			src = osrel[i];
		else
			sbom_distro_release(d);
	}
	if (!src && (data = files->get(files->ctx, "etc/alpine-release", &n)) &&
	    (line = first_line(data, n))) {
		if (!(d->id = bw_strdup("alpine")))
			goto out_nomem;
		d->version_id = line;
		line = NULL;
		src = "etc/alpine-release";
	}
	for (size_t i = 0; i < 4 && !src; i++) {
		if (!(data = files->get(files->ctx, rh[i], &n)) || !(line = first_line(data, n)))
			continue;
		if (parse_redhat_release(line, d) != BW_OK)
			goto out_nomem;
		free(line);
		line = NULL;
		if (d->id)
			src = rh[i];
		else
			sbom_distro_release(d);
	}
	if (!src && (data = files->get(files->ctx, "etc/lsb-release", &n))) {
		if (parse_lsb_release(data, n, d) != BW_OK)
			goto out_nomem;
		if (d->id)
			src = "etc/lsb-release";
		else
			sbom_distro_release(d);
	}
	/* etc/debian_version: a fallback for the id, and the codename source */
	if ((!src || (d->id && strcmp(d->id, "debian") == 0 && !d->codename)) &&
	    (data = files->get(files->ctx, "etc/debian_version", &n)) &&
	    (line = first_line(data, n))) {
		if (!src) {
			const char *dot = strchr(line, '.');

			if (!(d->id = bw_strdup("debian")))
				goto out_nomem;
			if (isdigit((unsigned char)line[0]) &&
			    !(d->version_id = bw_strndup(line, dot ? (size_t)(dot - line)
								   : strlen(line))))
				goto out_nomem;
			src = "etc/debian_version";
		}
		d->codename = sbom_debian_codename(line);
	}
	if (src && !(d->source_path = bw_strdup(src)))
		goto out_nomem;
	free(line);
	return BW_OK;

out_nomem:
	result = BW_ERR_NOMEM;
out_fail:
	free(line);
	sbom_distro_release(d);
	return result;
}

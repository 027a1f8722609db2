/* detect.c - recognise a feed file by its content and hand it to its reader.
 *
 * Order: compressed containers (zip, gzip) first, then JSON documents
 * (classified by their keys), then the line formats (Debian DSA/DLA lists,
 * KEV and EPSS CSV), then YAML. BW_ERR_UNSUPPORTED means "not a feed file"
 * and is not an error for the build (the file is skipped).
 * Invariant: data[len] is '\0' (callers read into a struct bw_buf). */
#include <string.h>

#include "vulndb/vulndb_int.h"

#define VDB_MAX_NESTING 3

static const char *skip_ws(const char *p, const char *end)
{
	if (end - p >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static bool starts(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

static bool is_osv(const json_t *o)
{
	return json_is_object(o) && vdb_jstr(o, "id") &&
	       (json_object_get(o, "affected") || json_object_get(o, "withdrawn") ||
		(vdb_jstr(o, "modified") && json_object_get(o, "schema_version")));
}

static bool is_nsp(const json_t *o)
{
	return json_is_object(o) && json_object_get(o, "module_name") &&
	       json_object_get(o, "vulnerable_versions");
}

/* Debian tracker JSON: {pkg: {CVE-or-TEMP: {releases: {...}}}} */
static bool is_debian_json(json_t *o)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o) || json_object_size(o) == 0)
		return false;
	json_object_foreach(o, k, v) {
		const char *k2;
		json_t *v2;

		if (!json_is_object(v))
			return false;
		json_object_foreach(v, k2, v2) {
			return json_is_object(v2) && json_is_object(json_object_get(v2, "releases"));
		}
	}
	return false;
}

static enum bw_err classify_json(struct vdb_builder *b, const char *name, json_t *root,
				 struct bw_errbuf *eb)
{
	if (json_is_array(root)) {
		json_t *first = json_array_get(root, 0);

		if (is_osv(first))
			return vdb_read_osv_json(b, name, root, eb);
		return BW_ERR_UNSUPPORTED;
	}
	if (!json_is_object(root))
		return BW_ERR_UNSUPPORTED;
	if (json_object_get(root, "$schema"))
		return BW_ERR_UNSUPPORTED; /* a JSON schema (KEV ships one) */
	if (is_osv(root))
		return vdb_read_osv_json(b, name, root, eb);
	if (is_nsp(root))
		return vdb_read_nsp(b, name, root, eb);
	if (json_object_get(root, "catalogVersion") && json_object_get(root, "vulnerabilities"))
		return vdb_read_kev_json(b, name, root, eb);
	if (json_object_get(root, "vulnerabilities") &&
	    (json_object_get(root, "format") || json_object_get(root, "resultsPerPage")))
		return vdb_read_nvd(b, name, root, eb);
	if (json_object_get(root, "packages") && json_object_get(root, "distroversion"))
		return vdb_read_secdb(b, name, root, eb);
	if (is_debian_json(root))
		return vdb_read_debian_json(b, name, root, eb);
	/* The NSP index.json: {"1": {advisory}, ...} */
	{
		const char *k;
		json_t *v;

		json_object_foreach(root, k, v) {
			if (is_nsp(v))
				return vdb_read_nsp(b, name, root, eb);
			break;
		}
	}
	return BW_ERR_UNSUPPORTED;
}

static enum bw_err classify_yaml(struct vdb_builder *b, const char *name, json_t *root,
				 struct bw_errbuf *eb)
{
	if (is_osv(root))
		return vdb_read_osv_json(b, name, root, eb);
	if (json_is_object(root) && json_object_get(root, "packages") &&
	    json_object_get(root, "distroversion"))
		return vdb_read_secdb(b, name, root, eb);
	if (json_is_object(root) && json_is_object(json_object_get(root, "secfixes")) &&
	    !json_object_get(root, "distroversion")) {
		/* <pkg>.yaml holding an APKBUILD's secfixes block */
		const char *base = strrchr(name, '/');
		char pkg[256];

		bw_strlcpy(pkg, base ? base + 1 : name, sizeof(pkg));
		if (strrchr(pkg, '.'))
			*strrchr(pkg, '.') = '\0';
		return vdb_read_secfixes(b, name, pkg, root, eb);
	}
	if (json_is_object(root) && json_object_get(root, "gem") &&
	    (json_object_get(root, "patched_versions") || json_object_get(root, "cve") ||
	     json_object_get(root, "ghsa") || json_object_get(root, "unaffected_versions")))
		return vdb_read_rubysec(b, name, root, eb);
	return BW_ERR_UNSUPPORTED;
}

/* First member of a top-level object: is it a tracker package
 * ({CVE: {releases: {...}}})? Stops the walk after one member. */
static enum bw_err first_is_tracker(const char *key, json_t *value, void *ud,
				    struct bw_errbuf *eb)
{
	json_t *wrap = json_object();
	bool *is = ud;

	(void)eb;
	if (wrap && json_object_set(wrap, key, value) == 0)
		*is = is_debian_json(wrap);
	json_decref(wrap);
	return BW_ERR_UNSUPPORTED; /* stop */
}

static bool is_debian_list(const char *p, const char *end)
{
	const char *eol;
	size_t n;

	if (!p || p >= end)
		return false;
	eol = memchr(p, '\n', (size_t)(end - p));
	n = eol ? (size_t)(eol - p) : (size_t)(end - p);

	/* "[29 Mar 2023] DSA-5380-1 xorg-server - security update" */
	if (n < 16 || p[0] != '[')
		return false;
	return memmem(p, n, "] DSA-", 6) || memmem(p, n, "] DLA-", 6) ||
	       memmem(p, n, "] DTSA-", 7);
}

/* An aports APKBUILD: its "# secfixes:" comment block, uncommented, is YAML.
 * The package is the APKBUILD's directory name. */
static enum bw_err read_apkbuild(struct vdb_builder *b, const char *name, const char *data,
				 size_t len, struct bw_errbuf *eb)
{
	const char *p = data, *end = data + len;
	struct bw_buf yaml;
	enum bw_err result;
	bool in = false;
	char dir[4096], *slash;
	json_t *root = NULL;

	bw_strlcpy(dir, name, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: APKBUILD outside a package directory", name);
	*slash = '\0';
	slash = strrchr(dir, '/');
	bw_buf_init(&yaml, 1 << 20);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (!in && n >= 11 && memcmp(p, "# secfixes:", 11) == 0) {
			in = true;
		} else if (in && (n < 2 || p[0] != '#' || (p[1] != ' ' && p[1] != '\t'))) {
			break;
		}
		if (in) {
			result = bw_buf_append(&yaml, p + 2, n >= 2 ? n - 2 : 0);
			if (result == BW_OK)
				result = bw_buf_append(&yaml, "\n", 1);
			if (result != BW_OK) {
				bw_buf_release(&yaml);
				return bw_fail(eb, result, "%s: secfixes block too large", name);
			}
		}
		p = eol ? eol + 1 : end;
	}
	if (!in) {
		bw_buf_release(&yaml);
		return BW_ERR_UNSUPPORTED; /* no security fixes recorded: nothing to read */
	}
	result = vdb_yaml_to_json(yaml.data, yaml.len, name, &root, eb);
	if (result == BW_OK)
		result = vdb_read_secfixes(b, name, slash ? slash + 1 : dir, root, eb);
	json_decref(root);
	bw_buf_release(&yaml);
	return result;
}

enum bw_err vdb_read_any(struct vdb_builder *b, const char *name, const char *data, size_t len,
			 int depth, struct bw_errbuf *eb)
{
	enum bw_err result;
	const char *p, *end = data + len;

	if (depth > VDB_MAX_NESTING)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: archives nested too deep", name);
	if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
		return vdb_read_zip(b, name, data, len, eb);
	if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
		struct bw_buf out;
		char inner[4096];

		bw_buf_init(&out, VDB_MAX_FILE_BYTES);
		result = vdb_gunzip(data, len, name, &out, eb);
		bw_strlcpy(inner, name, sizeof(inner));
		if (bw_str_ends_with(inner, ".gz"))
			inner[strlen(inner) - 3] = '\0';
		if (result == BW_OK)
			result = vdb_read_any(b, inner, out.data ? out.data : "", out.len, depth + 1,
					      eb);
		bw_buf_release(&out);
		return result;
	}
	if (bw_str_ends_with(name, "/APKBUILD"))
		return read_apkbuild(b, name, data, len, eb);
	p = skip_ws(data, end);
	if (p < end && (*p == '{' || *p == '[') && !is_debian_list(p, end)) {
		json_t *root = NULL;
		bool tracker = false;

		/* The Debian tracker JSON is large: read it member by member. */
		if (*p == '{')
			(void)vdb_json_members(p, (size_t)(end - p), name, first_is_tracker, &tracker,
					       NULL);
		if (tracker)
			return vdb_read_debian_stream(b, name, p, (size_t)(end - p), eb);
		result = bw_json_parse(data, len, name, &root, eb);
		if (result != BW_OK)
			return result;
		result = classify_json(b, name, root, eb);
		json_decref(root);
		return result;
	}
	if (is_debian_list(p, end))
		return vdb_read_debian_list(b, name, data, len, eb);
	if (starts(p, end, "cveID,"))
		return vdb_read_kev_csv(b, name, data, len, eb);
	if (starts(p, end, "#model_version") || starts(p, end, "cve,epss,percentile"))
		return vdb_read_epss_csv(b, name, data, len, eb);
	if (bw_str_ends_with(name, ".yaml") || bw_str_ends_with(name, ".yml")) {
		json_t *root = NULL;

		result = vdb_yaml_to_json(data, len, name, &root, eb);
		if (result != BW_OK)
			return result;
		result = classify_yaml(b, name, root, eb);
		json_decref(root);
		return result;
	}
	return BW_ERR_UNSUPPORTED;
}

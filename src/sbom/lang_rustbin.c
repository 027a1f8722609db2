/* lang_rustbin.c - Rust binaries built with cargo-auditable: the ELF section
 * .dep-v0 holds the crate graph as zlib-compressed JSON (auditable-serde's
 * VersionInfo):
 *   {"packages": [{"name", "version", "source", "kind", "dependencies", "root"}]}
 * "source" is "crates.io", "git", "local", "registry" or another string;
 * "kind" is "runtime" (the default when absent) or "build" (build-time
 * only: build scripts, proc macros, their dependencies); "root" marks the
 * binary's own crate.
 *
 * Packages: every runtime entry, the root crate included (build-time crates
 * are not in the binary and are left out); purl pkg:cargo/NAME@VERSION;
 * found_path the binary. Caps: 8 MiB compressed, 64 MiB of JSON, 100 000
 * packages.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sbom/sbom_int.h"

#define DEP_MAX_COMPRESSED (8u << 20)
#define DEP_MAX_JSON       (64u << 20)
#define DEP_MAX_PKGS       100000u

/* Inflate a zlib stream into b (bounded by b->max). */
static enum bw_err inflate_bounded(const unsigned char *in, size_t n, struct bw_buf *b,
				   const char *path)
{
	z_stream zs;
	unsigned char out[64 * 1024];
	enum bw_err result = BW_OK;
	int r = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return BW_ERR_NOMEM;
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)n;
	while (r != Z_STREAM_END) {
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		r = inflate(&zs, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END) {
			result = BW_ERR_FORMAT;
			break;
		}
		result = bw_buf_append(b, out, sizeof(out) - zs.avail_out);
		if (result)
			break;
		if (r == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
			result = BW_ERR_FORMAT; /* truncated */
			break;
		}
	}
	inflateEnd(&zs);
	(void)path;
	return result;
}

static enum bw_err add_crate(struct sbom *sb, const char *name, const char *version,
			     const struct image_stream *st)
{
	struct sbom_pkg pkg;

	memset(&pkg, 0, sizeof(pkg));
	pkg.type = SBOM_PKG_CARGO;
	pkg.name = bw_strdup(name);
	pkg.version = bw_strdup(version);
	pkg.found_path = bw_strdup(st->path);
	if (st->layer_digest)
		pkg.layer_digest = bw_strdup(st->layer_digest);
	if (!pkg.name || !pkg.version || !pkg.found_path || (st->layer_digest && !pkg.layer_digest))
		goto out_nomem;
	pkg.purl = sbom_purl_build("cargo", NULL, name, version, NULL, 0);
	if (!pkg.purl)
		goto out_nomem;
	return sbom_add(sb, &pkg);
out_nomem:
	sbom_pkg_release(&pkg);
	return BW_ERR_NOMEM;
}

/* A crate name or version from the binary: printable ASCII, no spaces. */
static bool field_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 256)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static enum bw_err parse_dep_json(struct sbom *sb, const char *json, size_t n,
				  const struct image_stream *st, struct bw_errbuf *eb)
{
	json_t *root = NULL, *pkgs;
	char what[512];
	size_t i;
	json_t *p;
	enum bw_err result;

	snprintf(what, sizeof(what), "%s: .dep-v0", st->path);
	result = bw_json_parse(json, n, what, &root, eb);
	if (result)
		return result;
	pkgs = json_object_get(root, "packages");
	if (!json_is_array(pkgs)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no \"packages\" array", what);
		goto out_decref;
	}
	if (json_array_size(pkgs) > DEP_MAX_PKGS) {
		result = bw_fail(eb, BW_ERR_LIMIT, "%s: %zu packages, over %u", what,
				 json_array_size(pkgs), DEP_MAX_PKGS);
		goto out_decref;
	}
	json_array_foreach(pkgs, i, p) {
		const char *name = bw_json_str(p, "name"), *version = bw_json_str(p, "version");
		const char *kind = bw_json_str(p, "kind");

		if (kind && strcmp(kind, "runtime") != 0)
			continue; /* build-time only */
		if (!field_ok(name) || !field_ok(version)) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: package %zu: name or version "
					 "missing or not printable", what, i);
			break;
		}
		result = add_crate(sb, name, version, st);
		if (result)
			break;
	}
out_decref:
	json_decref(root);
	return result;
}

enum bw_err sbom_parse_rust_auditable(struct sbom *sb, const struct image_stream *st,
				      struct bw_errbuf *eb)
{
	struct sbom_elf elf;
	uint64_t off, size;
	unsigned char *z;
	struct bw_buf json;
	enum bw_err result;

	result = sbom_elf_open(&elf, st, eb);
	if (result)
		return result;
	result = sbom_elf_section(&elf, ".dep-v0", &off, &size, NULL, eb);
	if (result == BW_ERR_NOT_FOUND)
		return BW_OK; /* not built with cargo-auditable */
	if (result)
		return result;
	if (size > DEP_MAX_COMPRESSED)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: .dep-v0 section of %llu bytes, over %u",
			       st->path, (unsigned long long)size, DEP_MAX_COMPRESSED);
	z = malloc(size ? (size_t)size : 1);
	if (!z)
		return BW_ERR_NOMEM;
	if (image_stream_read(st, z, (size_t)size, off, eb)) {
		free(z);
		return BW_ERR_FORMAT;
	}
	bw_buf_init(&json, DEP_MAX_JSON);
	result = inflate_bounded(z, (size_t)size, &json, st->path);
	free(z);
	if (result == BW_ERR_FORMAT)
		result = bw_fail(eb, result, "%s: .dep-v0 at offset %llu: not a complete zlib "
				 "stream", st->path, (unsigned long long)off);
	else if (result == BW_ERR_LIMIT)
		result = bw_fail(eb, result, "%s: .dep-v0 expands past %u bytes", st->path,
				 DEP_MAX_JSON);
	if (result == BW_OK)
		result = parse_dep_json(sb, json.data ? json.data : "", json.len, st, eb);
	bw_buf_release(&json);
	return result;
}

static enum bw_err rustbin_stream(struct sbom *sb, const struct image_stream *st,
				  struct bw_errbuf *eb)
{
	return sbom_parse_rust_auditable(sb, st, eb);
}

static const struct image_stream_want rustbin_swants[] = {
	{"**", 256u << 20, SBOM_ELF_MAGIC, 4, 0},
};

const struct sbom_lang_cataloger sbom_cat_rustbin = {
	.name = "rust-binary",
	.swants = rustbin_swants,
	.nswants = sizeof(rustbin_swants) / sizeof(rustbin_swants[0]),
	.stream = rustbin_stream,
};

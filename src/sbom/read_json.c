/* read_json.c - Bulwark's own JSON SBOM (write_json.c) back into the package
 * model, so stored SBOMs can be matched again against a newer database
 * without the image (bulwark registry rescan).
 *
 * The input is treated as hostile: at most SBOM_READ_JSON_MAX bytes, a
 * bounded number of packages, licences and warnings, strings without NUL
 * bytes and at most 64 KiB each, every key of the expected type. Keys the
 * reader does not know are ignored (the schema only ever adds keys); a
 * schema_version other than 1 is refused. "created" is not part of the
 * model and is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sbom_int.h"

#define READ_STR_MAX (64u * 1024u)
#define READ_PKGS_MAX 1000000u
#define READ_LIST_MAX 100000u
#define READ_FILES_MAX 100000000u

struct reader {
	const char *where;
	struct bw_errbuf *eb;
};

/* *out = copy of the string v (NULL or JSON null: *out stays NULL). what
 * and key name it in messages. */
static enum bw_err str_value(struct reader *r, const json_t *v, const char *what,
			     const char *key, char **out)
{
	size_t n;

	*out = NULL;
	if (!v || json_is_null(v))
		return BW_OK;
	if (!json_is_string(v))
		return bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: \"%s\" is not a string", r->where,
			       what, key);
	n = json_string_length(v);
	if (n > READ_STR_MAX)
		return bw_fail(r->eb, BW_ERR_LIMIT, "%s: %s: \"%s\" is longer than %u bytes",
			       r->where, what, key, READ_STR_MAX);
	if (memchr(json_string_value(v), '\0', n))
		return bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: \"%s\" holds a NUL byte", r->where,
			       what, key);
	*out = bw_strndup(json_string_value(v), n);
	return *out ? BW_OK : BW_ERR_NOMEM;
}

static enum bw_err get_str(struct reader *r, const json_t *obj, const char *key, const char *what,
			   char **out)
{
	return str_value(r, json_object_get(obj, key), what, key, out);
}

/* obj[key], an array of strings (absent: nothing), appended to sv. */
static enum bw_err get_strv(struct reader *r, const json_t *obj, const char *key,
			    const char *what, struct bw_strv *sv)
{
	const json_t *arr = json_object_get(obj, key);
	enum bw_err result;

	if (!arr || json_is_null(arr))
		return BW_OK;
	if (!json_is_array(arr))
		return bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: \"%s\" is not an array", r->where,
			       what, key);
	if (json_array_size(arr) > READ_LIST_MAX)
		return bw_fail(r->eb, BW_ERR_LIMIT, "%s: %s: \"%s\" has more than %u entries",
			       r->where, what, key, READ_LIST_MAX);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);
		char *s = NULL;

		if (!json_is_string(v))
			return bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: \"%s\"[%zu] is not a string",
				       r->where, what, key, i);
		result = str_value(r, v, what, key, &s);
		if (result == BW_OK)
			result = bw_strv_push_owned(sv, s);
		if (result != BW_OK)
			return result;
	}
	return BW_OK;
}

static enum bw_err get_object(struct reader *r, const json_t *obj, const char *key,
			      const json_t **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return BW_OK;
	if (!json_is_object(v))
		return bw_fail(r->eb, BW_ERR_FORMAT, "%s: \"%s\" is not an object", r->where, key);
	*out = v;
	return BW_OK;
}

static enum bw_err read_type(struct reader *r, const json_t *o, const char *key,
			     const char *what, enum sbom_pkg_type *t)
{
	const json_t *v = json_object_get(o, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (s && strlen(s) == json_string_length(v)) {
		for (int i = 0; i < SBOM_PKG__COUNT; i++) {
			if (!strcmp(s, sbom_pkg_type_name((enum sbom_pkg_type)i))) {
				*t = (enum sbom_pkg_type)i;
				return BW_OK;
			}
		}
	}
	if (!s) {
		return bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: no \"%s\" string", r->where, what,
			       key);
	} else {
		char q[80];

		return bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: \"%s\": unknown package type \"%s\"",
			       r->where, what, key,
			       sbom_quote(q, sizeof(q), s, json_string_length(v), 32));
	}
}

static enum bw_err read_pkg(struct reader *r, struct sbom *sb, const json_t *o, size_t idx)
{
	struct sbom_pkg p = {0};
	const json_t *dev = json_object_get(o, "dev");
	const json_t *files = json_object_get(o, "files");
	char what[48];
	enum bw_err result;

	snprintf(what, sizeof(what), "package %zu", idx);
	if (!json_is_object(o))
		return bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s is not an object", r->where, what);
	result = read_type(r, o, "type", what, &p.type);
	if (!result)
		result = get_str(r, o, "name", what, &p.name);
	if (!result && !p.name)
		result = bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: no \"name\"", r->where, what);
	if (!result)
		result = get_str(r, o, "version", what, &p.version);
	if (!result)
		result = get_str(r, o, "epoch", what, &p.epoch);
	if (!result)
		result = get_str(r, o, "release", what, &p.release);
	if (!result)
		result = get_str(r, o, "arch", what, &p.arch);
	if (!result)
		result = get_str(r, o, "source_name", what, &p.source_name);
	if (!result)
		result = get_str(r, o, "source_version", what, &p.source_version);
	if (!result)
		result = get_strv(r, o, "licenses", what, &p.licenses);
	if (!result)
		result = get_str(r, o, "purl", what, &p.purl);
	if (!result)
		result = get_str(r, o, "layer", what, &p.layer_digest);
	if (!result)
		result = get_str(r, o, "path", what, &p.found_path);
	if (!result)
		result = get_str(r, o, "sha1", what, &p.sha1);
	if (!result)
		result = get_str(r, o, "owner", what, &p.owner);
	if (!result && p.owner && json_object_get(o, "owner_type"))
		result = read_type(r, o, "owner_type", what, &p.owner_type);
	if (!result && files) {
		if (!json_is_integer(files) || json_integer_value(files) < 1 ||
		    json_integer_value(files) > READ_FILES_MAX)
			result = bw_fail(r->eb, BW_ERR_FORMAT,
					 "%s: %s: \"files\" is not a count from 1 to %u", r->where,
					 what, READ_FILES_MAX);
		else
			p.nfiles = (size_t)json_integer_value(files);
	}
	if (!result && dev && !json_is_boolean(dev))
		result = bw_fail(r->eb, BW_ERR_FORMAT, "%s: %s: \"dev\" is not a boolean", r->where,
				 what);
	p.dev = dev && json_is_true(dev);
	if (result) {
		sbom_pkg_release(&p);
		return result;
	}
	return sbom_add(sb, &p); /* takes the strings, frees them on failure */
}

static enum bw_err read_distro(struct reader *r, const json_t *doc, struct sbom_distro *d)
{
	const json_t *o;
	enum bw_err result = get_object(r, doc, "distro", &o);

	if (result || !o)
		return result;
	result = get_str(r, o, "id", "distro", &d->id);
	if (!result && !d->id)
		result = bw_fail(r->eb, BW_ERR_FORMAT, "%s: distro: no \"id\"", r->where);
	if (!result)
		result = get_str(r, o, "version_id", "distro", &d->version_id);
	if (!result)
		result = get_str(r, o, "codename", "distro", &d->codename);
	if (!result)
		result = get_str(r, o, "pretty_name", "distro", &d->pretty_name);
	if (!result)
		result = get_str(r, o, "id_like", "distro", &d->id_like);
	if (!result)
		result = get_str(r, o, "source_path", "distro", &d->source_path);
	return result;
}

static enum bw_err read_head(struct reader *r, const json_t *doc, struct sbom *sb)
{
	const json_t *tool, *target;
	enum bw_err result;

	result = get_object(r, doc, "tool", &tool);
	if (!result && tool) {
		char *name = NULL, *version = NULL;

		result = get_str(r, tool, "name", "tool", &name);
		if (!result)
			result = get_str(r, tool, "version", "tool", &version);
		if (!result && name) {
			free(sb->tool_name);
			sb->tool_name = name;
			name = NULL;
		}
		if (!result && version) {
			free(sb->tool_version);
			sb->tool_version = version;
			version = NULL;
		}
		free(name);
		free(version);
	}
	if (!result)
		result = get_object(r, doc, "target", &target);
	if (!result && target) {
		result = get_str(r, target, "ref", "target", &sb->target);
		if (!result)
			result = get_str(r, target, "kind", "target", &sb->target_kind);
		if (!result)
			result = get_str(r, target, "manifest_digest", "target", &sb->image_digest);
		if (!result)
			result = get_str(r, target, "image_id", "target", &sb->image_id);
		if (!result)
			result = get_strv(r, target, "layers", "target", &sb->layer_digests);
	}
	if (!result)
		result = read_distro(r, doc, &sb->distro);
	if (!result)
		result = get_strv(r, doc, "warnings", "document", &sb->warnings);
	return result;
}

enum bw_err sbom_read_json(const char *data, size_t len, const char *where, struct sbom **out,
			   struct bw_errbuf *eb)
{
	struct reader r = {.where = where ? where : "SBOM", .eb = eb};
	const json_t *pkgs, *ver;
	json_t *doc = NULL;
	struct sbom *sb = NULL;
	enum bw_err result;

	*out = NULL;
	if (len > SBOM_READ_JSON_MAX)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: SBOM is larger than %u bytes", r.where,
			       SBOM_READ_JSON_MAX);
	result = bw_json_parse(data, len, r.where, &doc, eb);
	if (result)
		return result;
	if (!json_is_object(doc)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a JSON object", r.where);
		goto out_doc;
	}
	ver = json_object_get(doc, "schema_version");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
		result = bw_fail(eb, BW_ERR_FORMAT,
				 "%s: not a Bulwark JSON SBOM (schema_version 1 expected)", r.where);
		goto out_doc;
	}
	pkgs = json_object_get(doc, "packages");
	if (!json_is_array(pkgs)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no \"packages\" array", r.where);
		goto out_doc;
	}
	if (json_array_size(pkgs) > READ_PKGS_MAX) {
		result = bw_fail(eb, BW_ERR_LIMIT, "%s: more than %u packages", r.where,
				 READ_PKGS_MAX);
		goto out_doc;
	}
	sb = sbom_new();
	if (!sb) {
		result = BW_ERR_NOMEM;
		goto out_doc;
	}
	result = read_head(&r, doc, sb);
	for (size_t i = 0; !result && i < json_array_size(pkgs); i++)
		result = read_pkg(&r, sb, json_array_get(pkgs, i), i);
	if (result == BW_ERR_NOMEM)
		bw_fail(eb, BW_ERR_NOMEM, "%s: out of memory reading the SBOM", r.where);
	if (result) {
		sbom_free(sb);
		goto out_doc;
	}
	*out = sb;
out_doc:
	json_decref(doc);
	return result;
}

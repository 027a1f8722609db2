/* lang_java.c - Java archives (.jar, .war, .ear, .par), streamed by the
 * walker and read with libarchive's zip reader (central directory, zip64),
 * nested archives too.
 *
 * Packages: one per META-INF/maven/GROUP/ARTIFACT/pom.properties (groupId,
 * artifactId, version); an archive without any gets one from its
 * META-INF/MANIFEST.MF main section when that names a version (see
 * manifest_pkg for the rule). Name "group:artifact", purl
 * pkg:maven/group/artifact@version, found_path the archive's path (nested:
 * "app.war!WEB-INF/lib/x.jar"), sha1 the SHA-1 of the archive's bytes.
 *
 * Limits (hostile archives): nesting depth 8, 100 000 entries per archive,
 * 2 GiB expanded per top-level archive (every byte decompressed counts,
 * nested archives included), 64 MiB for one nested archive (held in memory
 * while it is read) and 128 MiB for all those held at once (one per
 * level), 1 MiB for a pom.properties or MANIFEST.MF. Hitting one
 * is a warning naming the archive and entry ("possible zip bomb" for the
 * size caps); what was read before still counts.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbom/sbom_int.h"

#define JAVA_MAX_DEPTH    8
#define JAVA_MAX_ENTRIES  100000u
#define JAVA_MAX_EXPANDED (2ull << 30)
#define JAVA_MAX_NESTED   (64u << 20)
#define JAVA_MAX_HELD     (128u << 20) /* nested archives held at once (one per level) */
#define JAVA_MAX_META     (1u << 20)
#define JAVA_MAX_PATH     4096u
#define JAVA_MAX_POMS     1024u
#define JAVA_IO           (64u * 1024)

struct jctx {
	struct sbom *sb;
	const char *layer_digest;
	uint64_t expanded; /* bytes decompressed for this top-level archive */
	size_t held;       /* bytes of nested archives in memory now */
	bool over_budget;
};

__attribute__((format(printf, 2, 3)))
static void jwarn(struct jctx *jc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *m = msg; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			*m = '?';
	BW_WARN("java: %s", msg);
	sbom_warn(jc->sb, "java: %s", msg);
}

/* ---- libarchive over an image_stream (random access) ---- */

struct zsrc {
	const struct image_stream *st;
	uint64_t pos;
	struct bw_hash sha1; /* sequential streams: hashed as read */
	bool failed;
	unsigned char buf[JAVA_IO];
};

/* A sequential stream (a layer entry read front to back): the zip is read
 * from its local headers, and the SHA-1 is taken on the way. */
static la_ssize_t z_read_seq(struct archive *a, void *ud, const void **buf)
{
	struct zsrc *z = ud;
	ssize_t n = z->st->read(z->st, z->buf, sizeof(z->buf));

	if (n < 0 || (n > 0 && bw_hash_update(&z->sha1, z->buf, (size_t)n) != BW_OK)) {
		z->failed = true;
		archive_set_error(a, EIO, "read error at offset %llu", (unsigned long long)z->pos);
		return -1;
	}
	z->pos += (uint64_t)n;
	*buf = z->buf;
	return n;
}

static la_ssize_t z_read(struct archive *a, void *ud, const void **buf)
{
	struct zsrc *z = ud;
	ssize_t n = z->st->read_at(z->st, z->buf, sizeof(z->buf), z->pos);

	if (n < 0) {
		archive_set_error(a, EIO, "read error at offset %llu", (unsigned long long)z->pos);
		return -1;
	}
	z->pos += (uint64_t)n;
	*buf = z->buf;
	return n;
}

static la_int64_t z_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	struct zsrc *z = ud;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)z->pos
								    : (int64_t)z->st->size;

	(void)a;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return ARCHIVE_FATAL;
	if ((uint64_t)(base + off) > z->st->size)
		return ARCHIVE_FATAL;
	z->pos = (uint64_t)(base + off);
	return (la_int64_t)z->pos;
}

static la_int64_t z_skip(struct archive *a, void *ud, la_int64_t req)
{
	struct zsrc *z = ud;
	uint64_t left = z->st->size - z->pos;

	(void)a;
	if (req <= 0)
		return 0;
	if ((uint64_t)req > left)
		req = (la_int64_t)left;
	z->pos += (uint64_t)req;
	return req;
}

/* ---- small text formats ---- */

struct pom {
	char *group, *artifact, *version;
};

static void pom_release(struct pom *p)
{
	free(p->group);
	free(p->artifact);
	free(p->version);
	memset(p, 0, sizeof(*p));
}

/* A coordinate from an archive: printable ASCII without spaces or '/'. */
static bool coord_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 256)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == '/')
			return false;
	return true;
}

/* Java properties, the simple form Maven writes: "key=value" (or ':'),
 * '#'/'!' comments, surrounding blanks trimmed. */
static enum bw_err parse_pom_properties(char *text, struct pom *p)
{
	for (char *line = text, *next; line; line = next) {
		char *sep, *k, *v, **slot = NULL;

		next = strpbrk(line, "\r\n");
		if (next)
			*next++ = '\0';
		k = bw_str_trim(line);
		if (!*k || *k == '#' || *k == '!')
			continue;
		sep = strpbrk(k, "=:");
		if (!sep)
			continue;
		*sep = '\0';
		v = bw_str_trim(sep + 1);
		k = bw_str_trim(k);
		if (strcmp(k, "groupId") == 0)
			slot = &p->group;
		else if (strcmp(k, "artifactId") == 0)
			slot = &p->artifact;
		else if (strcmp(k, "version") == 0)
			slot = &p->version;
		if (!slot)
			continue;
		free(*slot);
		*slot = bw_strdup(v);
		if (!*slot)
			return BW_ERR_NOMEM;
	}
	return BW_OK;
}

/* The value of attribute `key` in a manifest's main section (continuation
 * lines, which start with one space, joined), malloc'd; NULL when absent. */
static char *manifest_get(const char *mf, size_t n, const char *key)
{
	size_t kl = strlen(key), i = 0;

	while (i < n) {
		size_t ls = i, le;

		while (i < n && mf[i] != '\r' && mf[i] != '\n')
			i++;
		le = i;
		if (i < n && mf[i] == '\r')
			i++;
		if (i < n && mf[i] == '\n')
			i++;
		if (le == ls)
			return NULL; /* end of the main section */
		if (le - ls > kl + 1 && strncasecmp(mf + ls, key, kl) == 0 && mf[ls + kl] == ':') {
			struct bw_buf b;
			char *out;

			bw_buf_init(&b, 64 * 1024);
			if (bw_buf_append(&b, mf + ls + kl + 1, le - ls - kl - 1))
				goto out_fail;
			while (i < n && mf[i] == ' ') {
				size_t cs = ++i;

				while (i < n && mf[i] != '\r' && mf[i] != '\n')
					i++;
				if (bw_buf_append(&b, mf + cs, i - cs))
					goto out_fail;
				if (i < n && mf[i] == '\r')
					i++;
				if (i < n && mf[i] == '\n')
					i++;
			}
			out = bw_strdup(bw_str_trim(b.data));
			bw_buf_release(&b);
			return out;
out_fail:
			bw_buf_release(&b);
			return NULL;
		}
	}
	return NULL;
}

/* ---- packages ---- */

static enum bw_err add_maven(struct jctx *jc, const char *group, const char *artifact,
			     const char *version, const char *apath, const char *sha1)
{
	struct sbom_pkg pkg;

	memset(&pkg, 0, sizeof(pkg));
	pkg.type = SBOM_PKG_MAVEN;
	pkg.name = group && *group ? bw_strfmt("%s:%s", group, artifact) : bw_strdup(artifact);
	pkg.version = bw_strdup(version);
	pkg.found_path = bw_strdup(apath);
	pkg.sha1 = bw_strdup(sha1);
	if (jc->layer_digest)
		pkg.layer_digest = bw_strdup(jc->layer_digest);
	if (!pkg.name || !pkg.version || !pkg.found_path || !pkg.sha1 ||
	    (jc->layer_digest && !pkg.layer_digest))
		goto out_nomem;
	pkg.purl = sbom_purl_build("maven", group, artifact, version, NULL, 0);
	if (!pkg.purl)
		goto out_nomem;
	return sbom_add(jc->sb, &pkg);
out_nomem:
	sbom_pkg_release(&pkg);
	return BW_ERR_NOMEM;
}

/* No pom.properties: version from Implementation-Version, Bundle-Version or
 * Specification-Version (none: no package); artifact from the file name
 * with a "-VERSION" tail removed ("commons-io-2.11.0.jar" -> "commons-io"),
 * else Implementation-Title / Bundle-Name; group from
 * Implementation-Vendor-Id, else Bundle-SymbolicName (before any ';'). */
static enum bw_err manifest_pkg(struct jctx *jc, const char *mf, size_t n, const char *apath,
				const char *sha1)
{
	static const char *const vkeys[] = {"Implementation-Version", "Bundle-Version",
					    "Specification-Version"};
	char *version = NULL, *group = NULL, *artifact = NULL, *t;
	const char *base = strrchr(apath, '!') ? strrchr(apath, '!') + 1 : apath;
	enum bw_err result = BW_OK;

	for (size_t i = 0; i < 3 && !version; i++)
		version = manifest_get(mf, n, vkeys[i]);
	if (!version || !coord_ok(version))
		goto out_free;
	if (strrchr(base, '/'))
		base = strrchr(base, '/') + 1;
	artifact = bw_strdup(base);
	if (!artifact) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	if ((t = strrchr(artifact, '.')) != NULL)
		*t = '\0';
	for (t = artifact; (t = strchr(t, '-')) != NULL; t++)
		if (t[1] >= '0' && t[1] <= '9') {
			*t = '\0';
			break;
		}
	if (!coord_ok(artifact)) {
		free(artifact);
		artifact = manifest_get(mf, n, "Implementation-Title");
		if (!artifact)
			artifact = manifest_get(mf, n, "Bundle-Name");
		if (!coord_ok(artifact))
			goto out_free;
	}
	group = manifest_get(mf, n, "Implementation-Vendor-Id");
	if (!group) {
		group = manifest_get(mf, n, "Bundle-SymbolicName");
		if (group && (t = strchr(group, ';')) != NULL)
			*t = '\0';
		if (group)
			bw_str_trim(group);
	}
	if (group && !coord_ok(group)) {
		free(group);
		group = NULL;
	}
	result = add_maven(jc, group, artifact, version, apath, sha1);
out_free:
	free(version);
	free(group);
	free(artifact);
	return result;
}

/* ---- the archive walk ---- */

static bool archive_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && (strcasecmp(name + n - 4, ".jar") == 0 || strcasecmp(name + n - 4, ".war") == 0 ||
			 strcasecmp(name + n - 4, ".ear") == 0 || strcasecmp(name + n - 4, ".par") == 0);
}

static bool pom_name(const char *name)
{
	return bw_str_starts_with(name, "META-INF/maven/") &&
	       bw_str_ends_with(name, "/pom.properties");
}

/* Read the current entry whole, up to cap bytes (BW_ERR_LIMIT past it, the
 * expanded budget too). *out malloc'd, NUL-terminated. */
static enum bw_err read_entry(struct jctx *jc, struct archive *a, size_t cap, char **out,
			      size_t *outlen, const char *apath, const char *name)
{
	struct bw_buf b;
	char buf[JAVA_IO];
	enum bw_err result = BW_OK;

	*out = NULL;
	bw_buf_init(&b, cap);
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));

		if (n == 0)
			break;
		if (n < 0) {
			jwarn(jc, "%s!%s: %s: not read", apath, name,
			      archive_error_string(a) ? archive_error_string(a) : "corrupt entry");
			result = BW_ERR_FORMAT;
			break;
		}
		jc->expanded += (uint64_t)n;
		if (jc->expanded > JAVA_MAX_EXPANDED) {
			jc->over_budget = true;
			jwarn(jc, "%s!%s: more than %llu bytes expanded from the archive: possible zip "
				  "bomb: the rest is not read", apath, name,
			      (unsigned long long)JAVA_MAX_EXPANDED);
			result = BW_ERR_LIMIT;
			break;
		}
		result = bw_buf_append(&b, buf, (size_t)n);
		if (result == BW_ERR_LIMIT) {
			jwarn(jc, "%s!%s: expands past %zu bytes: possible zip bomb: not read", apath,
			      name, cap);
			break;
		}
		if (result)
			break;
	}
	if (result) {
		bw_buf_release(&b);
		return result;
	}
	*out = bw_buf_detach(&b, outlen);
	bw_buf_release(&b);
	return *out ? BW_OK : BW_ERR_NOMEM;
}

static enum bw_err sha1_stream(const struct image_stream *st, char hex[41])
{
	struct bw_hash h;
	unsigned char *buf;
	uint64_t off = 0;
	enum bw_err result;

	if (st->data)
		return bw_hash_hex(BW_HASH_SHA1, st->data, (size_t)st->size, hex, 41);
	buf = malloc(JAVA_IO);
	if (!buf)
		return BW_ERR_NOMEM;
	result = bw_hash_init(&h, BW_HASH_SHA1);
	while (result == BW_OK && off < st->size) {
		ssize_t n = st->read_at(st, buf, JAVA_IO, off);

		if (n <= 0) {
			bw_hash_release(&h);
			free(buf);
			return BW_ERR_IO;
		}
		result = bw_hash_update(&h, buf, (size_t)n);
		off += (uint64_t)n;
	}
	if (result == BW_OK)
		result = bw_hash_final_hex(&h, hex, 41);
	else
		bw_hash_release(&h);
	free(buf);
	return result;
}

static enum bw_err scan_archive(struct jctx *jc, const struct image_stream *st, const char *apath,
				int depth, struct bw_errbuf *eb);

static enum bw_err scan_nested(struct jctx *jc, struct archive *a, const char *apath,
			       const char *name, int depth)
{
	struct image_stream inner;
	struct bw_errbuf ieb = {{0}};
	char *data, *ipath;
	size_t n;
	enum bw_err result;

	if (depth + 1 >= JAVA_MAX_DEPTH) {
		jwarn(jc, "%s!%s: archives nested more than %d deep: not read", apath, name,
		      JAVA_MAX_DEPTH);
		return BW_OK;
	}
	if (strlen(apath) + strlen(name) + 2 > JAVA_MAX_PATH) {
		jwarn(jc, "%s!%s: path over %u bytes: not read", apath, name, JAVA_MAX_PATH);
		return BW_OK;
	}
	if (jc->held >= JAVA_MAX_HELD) {
		jwarn(jc, "%s!%s: over %u bytes of nested archives in memory: not read", apath, name,
		      JAVA_MAX_HELD);
		return BW_OK;
	}
	result = read_entry(jc, a, JAVA_MAX_HELD - jc->held < JAVA_MAX_NESTED
				       ? JAVA_MAX_HELD - jc->held : JAVA_MAX_NESTED,
			    &data, &n, apath, name);
	if (result)
		return result == BW_ERR_NOMEM ? result : BW_OK;
	jc->held += n;
	ipath = bw_strfmt("%s!%s", apath, name);
	if (!ipath) {
		free(data);
		return BW_ERR_NOMEM;
	}
	image_stream_mem(&inner, ipath, data, n);
	result = scan_archive(jc, &inner, ipath, depth + 1, &ieb);
	if (result != BW_OK && result != BW_ERR_NOMEM) {
		jwarn(jc, "%s", bw_errmsg(&ieb, result));
		result = BW_OK;
	}
	free(ipath);
	free(data);
	jc->held -= n;
	return result;
}

static enum bw_err scan_archive(struct jctx *jc, const struct image_stream *st, const char *apath,
				int depth, struct bw_errbuf *eb)
{
	struct archive *a;
	struct archive_entry *e;
	struct zsrc *z;
	struct pom *poms = NULL;
	size_t npoms = 0, pcap = 0, entries = 0, mflen = 0;
	char *mf = NULL, sha1[41];
	enum bw_err result = BW_OK;
	bool seq;
	int r;

	seq = !st->read_at;
	if (!seq) {
		result = sha1_stream(st, sha1);
		if (result == BW_ERR_IO)
			return bw_fail(eb, BW_ERR_IO, "%s: read error", apath);
		if (result)
			return result;
	}
	z = calloc(1, sizeof(*z));
	a = archive_read_new();
	if (!z || !a || (seq && bw_hash_init(&z->sha1, BW_HASH_SHA1) != BW_OK)) {
		free(z);
		archive_read_free(a);
		return BW_ERR_NOMEM;
	}
	z->st = st;
	if (seq) {
		archive_read_support_format_zip_streamable(a);
		archive_read_set_read_callback(a, z_read_seq);
	} else {
		archive_read_support_format_zip(a);
		archive_read_set_read_callback(a, z_read);
		archive_read_set_seek_callback(a, z_seek);
		archive_read_set_skip_callback(a, z_skip);
	}
	archive_read_set_callback_data(a, z);
	r = archive_read_open1(a);
	if (r != ARCHIVE_OK) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a readable zip archive: %s", apath,
				 archive_error_string(a) ? archive_error_string(a) : "?");
		goto out_free;
	}
	while (result == BW_OK && !jc->over_budget) {
		const char *name;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			/* what was read so far still counts */
			jwarn(jc, "%s: corrupt after %zu entries: %s", apath, entries,
			      archive_error_string(a) ? archive_error_string(a) : "?");
			break;
		}
		if (++entries > JAVA_MAX_ENTRIES) {
			jwarn(jc, "%s: more than %u entries: the rest is not read", apath,
			      JAVA_MAX_ENTRIES);
			break;
		}
		name = archive_entry_pathname(e);
		if (!name || archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (pom_name(name)) {
			char *text;
			size_t tl;
			struct pom p = {0};

			result = read_entry(jc, a, JAVA_MAX_META, &text, &tl, apath, name);
			if (result) {
				result = result == BW_ERR_NOMEM ? result : BW_OK;
				continue;
			}
			result = parse_pom_properties(text, &p);
			free(text);
			if (result == BW_OK && coord_ok(p.group) && coord_ok(p.artifact) &&
			    coord_ok(p.version) && npoms < JAVA_MAX_POMS) {
				result = bw_grow((void **)&poms, &pcap, npoms + 1,
						 sizeof(*poms), JAVA_MAX_POMS);
				if (result == BW_OK) {
					poms[npoms++] = p;
					continue;
				}
			}
			pom_release(&p);
		} else if (strcmp(name, "META-INF/MANIFEST.MF") == 0 && !mf) {
			result = read_entry(jc, a, JAVA_MAX_META, &mf, &mflen, apath, name);
			if (result && result != BW_ERR_NOMEM)
				result = BW_OK;
		} else if (archive_name(name)) {
			result = scan_nested(jc, a, apath, name, depth);
		}
	}
	if (seq && result == BW_OK) {
		/* the rest of the bytes, for the SHA-1 of the whole archive */
		ssize_t n = 0;

		while (!z->failed && (n = st->read(st, z->buf, sizeof(z->buf))) > 0)
			if (bw_hash_update(&z->sha1, z->buf, (size_t)n) != BW_OK)
				z->failed = true;
		if (z->failed || n < 0) {
			result = bw_fail(eb, BW_ERR_IO, "%s: read error at offset %llu", apath,
					 (unsigned long long)z->pos);
			goto out_free;
		}
		if (bw_hash_final_hex(&z->sha1, sha1, sizeof(sha1)) != BW_OK) {
			result = BW_ERR_NOMEM;
			goto out_free;
		}
		seq = false; /* hash state released */
	}
	for (size_t i = 0; i < npoms && result == BW_OK; i++)
		result = add_maven(jc, poms[i].group, poms[i].artifact, poms[i].version, apath, sha1);
	if (result == BW_OK && !npoms && mf)
		result = manifest_pkg(jc, mf, mflen, apath, sha1);
out_free:
	if (seq)
		bw_hash_release(&z->sha1);
	for (size_t i = 0; i < npoms; i++)
		pom_release(&poms[i]);
	free(poms);
	free(mf);
	archive_read_free(a);
	free(z);
	return result;
}

enum bw_err sbom_parse_java_archive(struct sbom *sb, const struct image_stream *st,
				    struct bw_errbuf *eb)
{
	struct jctx jc = {.sb = sb, .layer_digest = st->layer_digest};

	return scan_archive(&jc, st, st->path, 0, eb);
}

static enum bw_err java_stream(struct sbom *sb, const struct image_stream *st,
			       struct bw_errbuf *eb)
{
	return sbom_parse_java_archive(sb, st, eb);
}

/* An archive that starts with a zip local header is read front to back as
 * the layer streams (IMAGE_STREAM_SEQUENTIAL: never held in memory); one
 * that does not (an executable jar starts with a shell script) is held in
 * memory from a layer, 512 MiB at most, and read from its central
 * directory; dir: reads every archive in place. */
#define ZIP_LOCAL "PK\x03\x04"
static const struct image_stream_want java_swants[] = {
	{"**/*.jar", 512u << 20, ZIP_LOCAL, 4, IMAGE_STREAM_SEQUENTIAL},
	{"**/*.war", 512u << 20, ZIP_LOCAL, 4, IMAGE_STREAM_SEQUENTIAL},
	{"**/*.ear", 512u << 20, ZIP_LOCAL, 4, IMAGE_STREAM_SEQUENTIAL},
	{"**/*.par", 512u << 20, ZIP_LOCAL, 4, IMAGE_STREAM_SEQUENTIAL},
};

const struct sbom_lang_cataloger sbom_cat_java = {
	.name = "java",
	.swants = java_swants,
	.nswants = sizeof(java_swants) / sizeof(java_swants[0]),
	.stream = java_stream,
};

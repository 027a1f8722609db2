/* sbom.c - the package model (struct sbom, struct sbom_pkg) and the
 * cataloging driver sbom_catalog().
 *
 * Ownership: an sbom owns every string of every package it holds; sbom_add
 * takes the strings of the package it is given.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

/* A hostile database could list millions of packages; real images hold a
 * few thousand OS packages and at most tens of thousands of language ones. */
#define SBOM_MAX_PKGS ((size_t)512 * 1024)
#define SBOM_MAX_WARNINGS 10000

static const char *const pkg_type_names[SBOM_PKG__COUNT] = {
	[SBOM_PKG_DEB] = "deb",	      [SBOM_PKG_APK] = "apk",	   [SBOM_PKG_RPM] = "rpm",
	[SBOM_PKG_NPM] = "npm",	      [SBOM_PKG_PYPI] = "pypi",	   [SBOM_PKG_GOLANG] = "golang",
	[SBOM_PKG_MAVEN] = "maven",   [SBOM_PKG_GEM] = "gem",	   [SBOM_PKG_CARGO] = "cargo",
	[SBOM_PKG_COMPOSER] = "composer", [SBOM_PKG_NUGET] = "nuget",
};

const char *sbom_pkg_type_name(enum sbom_pkg_type t)
{
	if ((unsigned)t >= SBOM_PKG__COUNT)
		return "unknown";
	return pkg_type_names[t];
}

struct sbom *sbom_new(void)
{
	struct sbom *sb = bw_calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->tool_name = bw_strdup("bulwark");
	sb->tool_version = bw_strdup(bw_version());
	if (!sb->tool_name || !sb->tool_version) {
		sbom_free(sb);
		return NULL;
	}
	return sb;
}

void sbom_pkg_release(struct sbom_pkg *pkg)
{
	if (!pkg)
		return;
	free(pkg->name);
	free(pkg->version);
	free(pkg->epoch);
	free(pkg->release);
	free(pkg->arch);
	free(pkg->source_name);
	free(pkg->source_version);
	bw_strv_release(&pkg->licenses);
	free(pkg->purl);
	free(pkg->layer_digest);
	free(pkg->found_path);
	free(pkg->owner);
	free(pkg->sha1);
	memset(pkg, 0, sizeof(*pkg));
}

void sbom_free(struct sbom *sb)
{
	if (!sb)
		return;
	free(sb->tool_name);
	free(sb->tool_version);
	free(sb->target);
	free(sb->target_kind);
	free(sb->image_digest);
	free(sb->image_id);
	bw_strv_release(&sb->layer_digests);
	sbom_distro_release(&sb->distro);
	for (size_t i = 0; i < sb->npkgs; i++)
		sbom_pkg_release(&sb->pkgs[i]);
	free(sb->pkgs);
	bw_strv_release(&sb->warnings);
	free(sb);
}

enum bw_err sbom_add(struct sbom *sb, struct sbom_pkg *pkg)
{
	enum bw_err result;

	if (BW_NEVER(!sb || !pkg))
		return BW_ERR_INTERNAL;
	result = bw_grow((void **)&sb->pkgs, &sb->cap, sb->npkgs + 1, sizeof(*sb->pkgs),
			 SBOM_MAX_PKGS);
	if (result != BW_OK) {
		sbom_pkg_release(pkg);
		return result;
	}
	sb->pkgs[sb->npkgs++] = *pkg;
	memset(pkg, 0, sizeof(*pkg));
	return BW_OK;
}

/* NULL sorts before any string. */
static int cmp_nullable(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int pkg_cmp(const void *pa, const void *pb)
{
	const struct sbom_pkg *a = pa, *b = pb;
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = cmp_nullable(a->name, b->name)) != 0)
		return c;
	if ((c = cmp_nullable(a->version, b->version)) != 0)
		return c;
	if ((c = cmp_nullable(a->arch, b->arch)) != 0)
		return c;
	if ((c = cmp_nullable(a->found_path, b->found_path)) != 0)
		return c;
	return cmp_nullable(a->layer_digest, b->layer_digest);
}

void sbom_sort(struct sbom *sb)
{
	if (!sb || sb->npkgs < 2)
		return;
	qsort(sb->pkgs, sb->npkgs, sizeof(*sb->pkgs), pkg_cmp);
}

void sbom_warn(struct sbom *sb, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	if (!sb)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sb->warnings.n >= SBOM_MAX_WARNINGS)
		return;
	if (sb->warnings.n == SBOM_MAX_WARNINGS - 1) {
		(void)bw_strv_push(&sb->warnings, "too many warnings; the rest are not recorded");
		return;
	}
	(void)bw_strv_push(&sb->warnings, msg);
}

char *sbom_quote(char *out, size_t outsz, const char *p, size_t n, size_t max_in)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (outsz == 0)
		return out;
	for (size_t i = 0; i < n && i < max_in; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)ch;
		} else {
			if (o + 4 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	if (n > max_in && o + 3 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* ---- cataloging ------------------------------------------------------------ */

#define MiB ((size_t)1 << 20)

/* What each cataloger needs from the walk. */
static const struct image_want catalog_wants[] = {
	/* dpkg */
	{"var/lib/dpkg/status", 32 * MiB},
	{"var/lib/dpkg/status.d/*", 4 * MiB},
	{"usr/share/doc/*/copyright", 1 * MiB},
	/* dpkg file lists: which distro package owns a language package's file */
	{"var/lib/dpkg/info/*.list", 8 * MiB},
	/* apk */
	{"lib/apk/db/installed", 64 * MiB},
	/* rpm: SQLite, Berkeley DB hash, NDB; both database directories */
	{"var/lib/rpm/rpmdb.sqlite", 512 * MiB},
	{"var/lib/rpm/Packages", 512 * MiB},
	{"var/lib/rpm/Packages.db", 512 * MiB},
	{"usr/lib/sysimage/rpm/rpmdb.sqlite", 512 * MiB},
	{"usr/lib/sysimage/rpm/Packages", 512 * MiB},
	{"usr/lib/sysimage/rpm/Packages.db", 512 * MiB},
	/* distro */
	{"etc/os-release", 64 * 1024},
	{"usr/lib/os-release", 64 * 1024},
	{"etc/debian_version", 64 * 1024},
	{"etc/alpine-release", 64 * 1024},
	{"etc/redhat-release", 64 * 1024},
	{"etc/centos-release", 64 * 1024},
	{"etc/fedora-release", 64 * 1024},
	{"etc/system-release", 64 * 1024},
	{"etc/lsb-release", 64 * 1024},
};

typedef enum bw_err (*catalog_parse_fn)(struct sbom *sb, const char *data, size_t n,
					const char *path, const char *layer,
					struct bw_errbuf *eb);

/* rpm keeps one database; the first present of these is the live one
 * (usr/lib/sysimage/rpm is the default dbpath since rpm 4.16, var/lib/rpm
 * before; Fedora links one to the other). */
static const struct {
	const char *path;
	catalog_parse_fn parse;
} rpm_dbs[] = {
	{"usr/lib/sysimage/rpm/rpmdb.sqlite", sbom_parse_rpm_sqlite},
	{"usr/lib/sysimage/rpm/Packages.db", sbom_parse_rpm_ndb},
	{"usr/lib/sysimage/rpm/Packages", sbom_parse_rpm_bdb},
	{"var/lib/rpm/rpmdb.sqlite", sbom_parse_rpm_sqlite},
	{"var/lib/rpm/Packages.db", sbom_parse_rpm_ndb},
	{"var/lib/rpm/Packages", sbom_parse_rpm_bdb},
};

static const char *fs_files_get(void *ctx, const char *path, size_t *n)
{
	const struct image_file *f = image_fs_get(ctx, path);

	if (!f)
		return NULL;
	*n = f->size;
	return f->data;
}

enum bw_err sbom_detect_distro(const struct image_fs *fs, struct sbom_distro *d)
{
	struct sbom_files files = {.get = fs_files_get, .ctx = (void *)fs};

	return sbom_distro_from_files(&files, d, NULL);
}

/* Run one parser; input problems become warnings, only NOMEM is returned. */
static enum bw_err catalog_run(struct sbom *sb, catalog_parse_fn parse, const struct image_file *f)
{
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	result = parse(sb, f->data, f->size, f->path, f->layer_digest, &eb);
	if (result == BW_OK)
		return BW_OK;
	/* paths come from the image: no terminal control bytes on stderr */
	for (char *m = eb.msg; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			*m = '?';
	if (f->layer_digest) {
		BW_WARN("%s (layer %s)", bw_errmsg(&eb, result), f->layer_digest);
		sbom_warn(sb, "%s (layer %s)", bw_errmsg(&eb, result), f->layer_digest);
	} else {
		BW_WARN("%s", bw_errmsg(&eb, result));
		sbom_warn(sb, "%s", bw_errmsg(&eb, result));
	}
	return result == BW_ERR_NOMEM ? result : BW_OK;
}

static enum bw_err catalog_image_info(struct sbom *sb, const struct image_info *info)
{
	if (!info)
		return BW_OK;
	if (info->ref_text && !(sb->target = bw_strdup(info->ref_text)))
		return BW_ERR_NOMEM;
	if (info->manifest_digest && !(sb->image_digest = bw_strdup(info->manifest_digest)))
		return BW_ERR_NOMEM;
	if (info->config_digest && !(sb->image_id = bw_strdup(info->config_digest)))
		return BW_ERR_NOMEM;
	for (size_t i = 0; i < info->nlayers; i++) {
		const char *dg = info->layers[i].digest ? info->layers[i].digest
							: info->layers[i].diff_id;

		if (dg && bw_strv_push(&sb->layer_digests, dg) != BW_OK)
			return BW_ERR_NOMEM;
	}
	return BW_OK;
}

/* Licences of deb packages from usr/share/doc/NAME/copyright. */
static enum bw_err catalog_deb_licenses(struct sbom *sb, const struct image_fs *fs)
{
	for (size_t i = 0; i < sb->npkgs; i++) {
		struct sbom_pkg *p = &sb->pkgs[i];
		const struct image_file *f;
		char path[512];

		if (p->type != SBOM_PKG_DEB || p->licenses.n || !p->name)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "usr/share/doc/%s/copyright", p->name) >=
			    sizeof(path) ||
		    strchr(p->name, '/'))
			continue;
		f = image_fs_get(fs, path);
		if (f && sbom_dpkg_copyright_licenses(f->data, f->size, &p->licenses) != BW_OK)
			return BW_ERR_NOMEM;
		bw_strv_sort(&p->licenses); /* file order means nothing; keep output stable */
	}
	return BW_OK;
}

/* The OS wants plus every language cataloger's, in one array (malloc'd). */
static enum bw_err collect_wants(struct image_want **out, size_t *n)
{
	const struct sbom_lang_cataloger *const *cats = sbom_lang_catalogers();
	size_t total = sizeof(catalog_wants) / sizeof(catalog_wants[0]), k;
	struct image_want *w;

	for (size_t i = 0; cats[i]; i++)
		total += cats[i]->nwants;
	w = bw_calloc(total, sizeof(*w));
	if (!w)
		return BW_ERR_NOMEM;
	memcpy(w, catalog_wants, sizeof(catalog_wants));
	k = sizeof(catalog_wants) / sizeof(catalog_wants[0]);
	for (size_t i = 0; cats[i]; i++)
		for (size_t j = 0; j < cats[i]->nwants; j++)
			w[k++] = cats[i]->wants[j];
	*out = w;
	*n = total;
	return BW_OK;
}

/* ---- streamed files (binaries and archives) ----
 * The walker calls stream_cb during the layer pass; the packages a
 * cataloger adds for one file are remembered as a range of sb->pkgs with
 * the file's (path, layer), and dropped after the walk unless that version
 * of the file survived (a later layer may remove or replace it). */

struct stream_range {
	size_t start, end; /* sb->pkgs[start, end) */
	char *path;
	size_t layer;
	size_t visit;      /* which hand-over of the file (a layer may hold a path twice) */
	bool stale;        /* a later entry of the same layer replaced it */
};

struct stream_ctx {
	struct sbom *sb;
	const struct sbom_lang_cataloger **owner; /* per stream want */
	struct image_stream_want *swants;
	size_t nswants;
	struct stream_range *r;
	size_t nr, cap;
	/* the walker calls a file's wants one after the other, in increasing
	 * order: another path or layer, or a want index not above the last,
	 * is the next hand-over */
	size_t visit, last_want, last_layer;
	char *last_path;
};

/* A cataloger's message: no terminal control bytes (paths are hostile). */
static void lang_warn(struct sbom *sb, const char *cat, struct bw_errbuf *eb, enum bw_err result)
{
	for (char *m = eb->msg; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			*m = '?';
	BW_WARN("%s: %s", cat, bw_errmsg(eb, result));
	sbom_warn(sb, "%s: %s", cat, bw_errmsg(eb, result));
}

static enum bw_err stream_cb(void *ctx, size_t want_index, const struct image_stream *st,
			     struct bw_errbuf *eb)
{
	struct stream_ctx *sc = ctx;
	const struct sbom_lang_cataloger *cat;
	struct bw_errbuf ceb = {{0}};
	size_t start = sc->sb->npkgs;
	enum bw_err result;

	(void)eb;
	if (BW_NEVER(want_index >= sc->nswants))
		return BW_ERR_INTERNAL;
	cat = sc->owner[want_index];
	if (!sc->last_path || want_index <= sc->last_want || sc->last_layer != st->layer_index ||
	    strcmp(sc->last_path, st->path) != 0) {
		free(sc->last_path);
		sc->last_path = bw_strdup(st->path);
		if (!sc->last_path)
			return BW_ERR_NOMEM;
		sc->visit++;
	}
	sc->last_want = want_index;
	sc->last_layer = st->layer_index;
	result = cat->stream(sc->sb, st, &ceb);
	if (result == BW_ERR_NOMEM)
		return result;
	if (result != BW_OK)
		lang_warn(sc->sb, cat->name, &ceb, result);
	if (sc->sb->npkgs == start)
		return BW_OK;
	if (sc->nr && sc->r[sc->nr - 1].end == start && sc->r[sc->nr - 1].visit == sc->visit) {
		sc->r[sc->nr - 1].end = sc->sb->npkgs; /* another cataloger, same file */
		return BW_OK;
	}
	if (bw_grow((void **)&sc->r, &sc->cap, sc->nr + 1, sizeof(*sc->r), SBOM_MAX_PKGS) != BW_OK)
		return BW_ERR_NOMEM;
	sc->r[sc->nr].path = bw_strdup(st->path);
	if (!sc->r[sc->nr].path)
		return BW_ERR_NOMEM;
	sc->r[sc->nr].start = start;
	sc->r[sc->nr].end = sc->sb->npkgs;
	sc->r[sc->nr].layer = st->layer_index;
	sc->r[sc->nr].visit = sc->visit;
	sc->r[sc->nr].stale = false;
	sc->nr++;
	return BW_OK;
}

static enum bw_err stream_ctx_init(struct stream_ctx *sc, struct sbom *sb)
{
	const struct sbom_lang_cataloger *const *cats = sbom_lang_catalogers();
	size_t total = 0, k = 0;

	memset(sc, 0, sizeof(*sc));
	sc->sb = sb;
	for (size_t i = 0; cats[i]; i++)
		if (cats[i]->stream)
			total += cats[i]->nswants;
	if (!total)
		return BW_OK;
	sc->swants = bw_calloc(total, sizeof(*sc->swants));
	sc->owner = bw_calloc(total, sizeof(*sc->owner));
	if (!sc->swants || !sc->owner)
		return BW_ERR_NOMEM;
	for (size_t i = 0; cats[i]; i++)
		for (size_t j = 0; cats[i]->stream && j < cats[i]->nswants; j++) {
			sc->swants[k] = cats[i]->swants[j];
			sc->owner[k++] = cats[i];
		}
	sc->nswants = total;
	return BW_OK;
}

static void stream_ctx_release(struct stream_ctx *sc)
{
	for (size_t i = 0; i < sc->nr; i++)
		free(sc->r[i].path);
	free(sc->r);
	free(sc->swants);
	free(sc->owner);
	free(sc->last_path);
	memset(sc, 0, sizeof(*sc));
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct stream_range *a = *(const struct stream_range *const *)pa;
	const struct stream_range *b = *(const struct stream_range *const *)pb;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	return a->visit < b->visit ? -1 : a->visit > b->visit;
}

/* A path handed twice from one layer (a tar may repeat a name): only the
 * last entry is the file, as on extraction. */
static enum bw_err stream_mark_stale(struct stream_ctx *sc)
{
	struct stream_range **v;

	if (sc->nr < 2)
		return BW_OK;
	v = bw_calloc(sc->nr, sizeof(*v));
	if (!v)
		return BW_ERR_NOMEM;
	for (size_t i = 0; i < sc->nr; i++)
		v[i] = &sc->r[i];
	qsort(v, sc->nr, sizeof(*v), range_cmp);
	for (size_t i = 0; i + 1 < sc->nr; i++)
		if (v[i]->layer == v[i + 1]->layer && v[i]->visit != v[i + 1]->visit &&
		    strcmp(v[i]->path, v[i + 1]->path) == 0)
			v[i]->stale = true;
	free(v);
	return BW_OK;
}

/* Drop the packages of streamed files whose version did not survive. */
static enum bw_err stream_prune(struct stream_ctx *sc, const struct image_fs *fs)
{
	struct sbom *sb = sc->sb;
	size_t k = 0, ri = 0;

	if (stream_mark_stale(sc) != BW_OK)
		return BW_ERR_NOMEM;

	for (size_t i = 0; i < sb->npkgs; i++) {
		bool drop;

		while (ri < sc->nr && sc->r[ri].end <= i)
			ri++;
		drop = ri < sc->nr && i >= sc->r[ri].start &&
		       (sc->r[ri].stale ||
			!image_fs_has_version(fs, sc->r[ri].path, sc->r[ri].layer));
		if (drop) {
			sbom_pkg_release(&sb->pkgs[i]);
			continue;
		}
		if (k != i)
			sb->pkgs[k] = sb->pkgs[i];
		k++;
	}
	sb->npkgs = k;
	return BW_OK;
}

/* Each kept file goes to the language catalogers that asked for it. */
static enum bw_err catalog_languages(struct sbom *sb, const struct image_fs *fs)
{
	const struct sbom_lang_cataloger *const *cats = sbom_lang_catalogers();

	for (size_t i = 0; i < image_fs_count(fs); i++) {
		const struct image_file *f = image_fs_at(fs, i);

		for (size_t c = 0; cats[c]; c++) {
			struct bw_errbuf eb = {{0}};
			enum bw_err result = BW_OK;
			bool wanted = false;

			for (size_t j = 0; cats[c]->parse && j < cats[c]->nwants && !wanted; j++)
				wanted = bw_path_match(cats[c]->wants[j].pattern, f->path);
			if (wanted)
				result = cats[c]->parse(sb, fs, f, &eb);
			if (result == BW_ERR_NOMEM)
				return result;
			if (result != BW_OK) {
				for (char *m = eb.msg; *m; m++)
					if ((unsigned char)*m < 0x20 || *m == 0x7f)
						*m = '?';
				BW_WARN("%s: %s", cats[c]->name, bw_errmsg(&eb, result));
				sbom_warn(sb, "%s: %s", cats[c]->name, bw_errmsg(&eb, result));
			}
		}
	}
	return BW_OK;
}

/* ---- ownership (owner.c) ------------------------------------------------
 *
 * A language package found in a file that a distro package installed is
 * tied to it (pkg->owner); failing that, to the Python package whose RECORD
 * lists the file. The file lists are the kept dpkg lists, the live rpm
 * database, apk's installed database and the dist-info RECORD files. */
static enum bw_err catalog_owners(struct sbom *sb, const struct image_fs *fs)
{
	struct sbom_owner_index *ix = NULL;
	struct sbom_list_file *lists = NULL, *records = NULL;
	size_t nl = 0, nr = 0, cnt = image_fs_count(fs);
	enum bw_err result;

	result = sbom_owner_index_new(sb, &ix);
	if (result != BW_OK || sbom_owner_index_empty(ix))
		goto out_index;
	lists = bw_calloc(cnt ? cnt : 1, sizeof(*lists));
	records = bw_calloc(cnt ? cnt : 1, sizeof(*records));
	if (!lists || !records) {
		result = BW_ERR_NOMEM;
		goto out_lists;
	}
	for (size_t i = 0; i < cnt; i++) {
		const struct image_file *f = image_fs_at(fs, i);

		if (bw_path_match("var/lib/dpkg/info/*.list", f->path))
			lists[nl++] = (struct sbom_list_file){f->path, f->data, f->size};
		else if (bw_str_ends_with(f->path, ".dist-info/RECORD"))
			records[nr++] = (struct sbom_list_file){f->path, f->data, f->size};
	}
	/* the distro's lists first: a distro package's claim wins */
	result = sbom_owners_from_dpkg_lists_ix(ix, lists, nl);
	for (size_t i = 0; result == BW_OK && i < sizeof(rpm_dbs) / sizeof(rpm_dbs[0]); i++) {
		const struct image_file *f = image_fs_get(fs, rpm_dbs[i].path);

		if (f) {
			result = sbom_owners_from_rpm_db(ix, f->data, f->size, f->path);
			break;
		}
	}
	if (result == BW_OK) {
		const struct image_file *f = image_fs_get(fs, "lib/apk/db/installed");

		if (f)
			result = sbom_owners_from_apk_db(ix, f->data, f->size);
	}
	if (result == BW_OK)
		result = sbom_owners_from_python_records(ix, records, nr);
out_lists:
	free(lists);
	free(records);
out_index:
	sbom_owner_index_free(ix);
	return result;
}

enum bw_err sbom_catalog(struct image *img, const struct sbom_opts *opts, struct sbom **out,
			 struct bw_errbuf *eb)
{
	struct image_limits deflimits;
	const struct image_limits *limits = opts ? opts->limits : NULL;
	struct image_fs *fs = NULL;
	struct sbom *sb = NULL;
	const struct bw_strv *iw;
	struct image_want *wants = NULL;
	size_t nwants = 0;
	struct stream_ctx sc;
	enum bw_err result;

	*out = NULL;
	if (!limits) {
		image_limits_default(&deflimits);
		limits = &deflimits;
	}
	sb = sbom_new();
	if (!sb || stream_ctx_init(&sc, sb) != BW_OK) {
		if (sb)
			stream_ctx_release(&sc);
		sbom_free(sb);
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory while cataloguing");
	}
	result = collect_wants(&wants, &nwants);
	if (result == BW_OK)
		result = image_walk_stream(img, wants, nwants, sc.swants, sc.nswants, stream_cb, &sc,
					   limits, &fs, eb);
	free(wants);
	if (result == BW_OK)
		result = stream_prune(&sc, fs);
	stream_ctx_release(&sc);
	if (result != BW_OK) {
		image_fs_free(fs);
		sbom_free(sb);
		if (result == BW_ERR_NOMEM && eb && !eb->msg[0])
			return bw_fail(eb, result, "out of memory while cataloguing");
		return result;
	}
	if (catalog_image_info(sb, image_get_info(img)) != BW_OK)
		goto out_nomem;
	iw = image_fs_warnings(fs);
	for (size_t i = 0; iw && i < iw->n; i++) {
		/* on stderr too: a skipped hostile entry is news to the user */
		BW_WARN("%s", iw->v[i]);
		sbom_warn(sb, "%s", iw->v[i]);
	}
	if (sbom_detect_distro(fs, &sb->distro) != BW_OK)
		goto out_nomem;

	for (size_t i = 0; i < image_fs_count(fs); i++) {
		const struct image_file *f = image_fs_at(fs, i);
		catalog_parse_fn parse = NULL;

		if (strcmp(f->path, "var/lib/dpkg/status") == 0 ||
		    (bw_path_match("var/lib/dpkg/status.d/*", f->path) &&
		     !bw_str_ends_with(f->path, ".md5sums")))
			parse = sbom_parse_dpkg_status;
		else if (strcmp(f->path, "lib/apk/db/installed") == 0)
			parse = sbom_parse_apk_installed;
		if (parse && catalog_run(sb, parse, f) != BW_OK)
			goto out_nomem;
	}
	for (size_t i = 0; i < sizeof(rpm_dbs) / sizeof(rpm_dbs[0]); i++) {
		const struct image_file *f = image_fs_get(fs, rpm_dbs[i].path);

		if (!f)
			continue;
		if (catalog_run(sb, rpm_dbs[i].parse, f) != BW_OK)
			goto out_nomem;
		break;
	}
	if (catalog_deb_licenses(sb, fs) != BW_OK)
		goto out_nomem;
	if (catalog_languages(sb, fs) != BW_OK)
		goto out_nomem;
	if (catalog_owners(sb, fs) != BW_OK)
		goto out_nomem;
	for (size_t i = 0; i < sb->npkgs; i++) {
		if (sb->pkgs[i].purl)
			continue;
		sb->pkgs[i].purl = sbom_purl(&sb->pkgs[i], &sb->distro);
		if (!sb->pkgs[i].purl)
			sbom_warn(sb, "%s: no package URL for package \"%s\"",
				  sb->pkgs[i].found_path ? sb->pkgs[i].found_path : "?",
				  sb->pkgs[i].name ? sb->pkgs[i].name : "");
	}
	sbom_sort(sb);
	image_fs_free(fs);
	*out = sb;
	return BW_OK;

out_nomem:
	sbom_free(sb);
	image_fs_free(fs);
	return bw_fail(eb, BW_ERR_NOMEM, "out of memory while cataloguing");
}

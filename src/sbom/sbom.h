/* sbom.h - the package model, distro detection, catalogers and SBOM writers.
 *
 * sbom_catalog() opens nothing itself: it takes an opened image, asks every
 * cataloger what paths it wants, walks the image once (image_walk), detects
 * the distro and runs the catalogers over the kept files.
 */
#ifndef BW_SBOM_H
#define BW_SBOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"
#include "image/image.h"

/* Package types are purl types. Language ecosystems come with issue 4. */
enum sbom_pkg_type {
	SBOM_PKG_DEB,
	SBOM_PKG_APK,
	SBOM_PKG_RPM,
	SBOM_PKG_NPM,
	SBOM_PKG_PYPI,
	SBOM_PKG_GOLANG,
	SBOM_PKG_MAVEN,
	SBOM_PKG_GEM,
	SBOM_PKG_CARGO,
	SBOM_PKG_COMPOSER,
	SBOM_PKG_NUGET,
	SBOM_PKG__COUNT
};
/* The purl type: "deb", "apk", "rpm", "npm", "pypi", "golang", ... */
const char *sbom_pkg_type_name(enum sbom_pkg_type t);

struct sbom_distro {
	char *id;         /* os-release ID: "debian", "alpine", "rhel", ... ; NULL: unknown */
	char *version_id; /* "12", "3.19.1", "9.3" */
	char *codename;   /* "bookworm"; NULL when none */
	char *pretty_name;
	char *id_like;    /* space-separated, as os-release has it */
	char *source_path; /* the file it came from, e.g. "etc/os-release" */
};

struct sbom_pkg {
	enum sbom_pkg_type type;
	char *name;
	/* The version exactly as the package manager prints it:
	 * dpkg "[epoch:]upstream[-revision]" (dpkg-query ${Version}),
	 * apk "1.2.3-r4", rpm "[epoch:]version-release" (epoch only when set). */
	char *version;
	char *epoch;   /* rpm/dpkg epoch text, or NULL when absent */
	char *release; /* rpm release, or NULL */
	char *arch;    /* as the database writes it ("amd64", "x86_64", "noarch") or NULL */
	char *source_name;    /* dpkg Source (name part), apk origin, rpm SOURCERPM name; or NULL */
	char *source_version; /* dpkg Source "(ver)" or Version, rpm source version; or NULL */
	struct bw_strv licenses; /* as recorded (SPDX expressions where the db has them) */
	char *purl;
	char *layer_digest; /* layer the database file came from, or NULL (dir:) */
	char *found_path;   /* the database file, e.g. "var/lib/dpkg/status" */
	char *owner;        /* issue 4: owning package name, or NULL: the distro package
			     * whose file list names found_path, else the Python package
			     * whose RECORD does */
	enum sbom_pkg_type owner_type; /* issue 4: the owner's type (deb, apk, rpm or pypi);
					* meaningful only with owner */
	size_t nfiles;      /* issue 4: files the package's own record lists (a Python
			     * RECORD's rows), 0 when unknown */
	bool dev;           /* issue 4: a development-only dependency */
	char *sha1;         /* issue 4: SHA-1 (lowercase hex) of the archive the package
			     * was found in (Java), or NULL */
};

struct sbom {
	char *tool_name;    /* "bulwark" */
	char *tool_version;
	char *target;       /* the reference as the user typed it */
	char *target_kind;  /* "docker-archive", "oci", "dir", ... */
	char *image_digest; /* manifest digest, or NULL */
	char *image_id;     /* config digest, or NULL */
	struct bw_strv layer_digests;
	struct sbom_distro distro;
	struct sbom_pkg *pkgs;
	size_t npkgs;
	size_t cap;
	struct bw_strv warnings;
};

struct sbom *sbom_new(void);
void sbom_free(struct sbom *sb);

/* Append a package; the sbom takes ownership of every string in *pkg (pkg
 * is zeroed afterwards). On failure the strings are freed. */
enum bw_err sbom_add(struct sbom *sb, struct sbom_pkg *pkg);
void sbom_pkg_release(struct sbom_pkg *pkg);
/* Sort packages by type, name, version, arch (stable output). */
void sbom_sort(struct sbom *sb);
void sbom_warn(struct sbom *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- cataloging -------------------------------------------------------- */

struct sbom_opts {
	const struct image_limits *limits; /* NULL: image_limits_default */
};

/* Walk img once and catalogue everything. *out owned by caller. An error is
 * returned only when the image cannot be read; a corrupt package database
 * becomes a warning in the sbom (and on stderr) with the rest catalogued. */
enum bw_err sbom_catalog(struct image *img, const struct sbom_opts *opts, struct sbom **out,
			 struct bw_errbuf *eb);

/* The whole front half of `sbom` and `scan`: parse the reference text,
 * open the image (platform: "os/arch[/variant]" or NULL for the host's),
 * catalogue it, fill the target description (reference, kind, digests,
 * layers) and sort the packages. *out owned by the caller. */
enum bw_err sbom_catalog_ref(const char *ref_text, const char *platform,
			     const struct sbom_opts *opts, struct sbom **out, struct bw_errbuf *eb);

/* Distro detection from the walked files (os-release first, then the
 * distro files). Fills d; leaves id NULL when unknown. */
enum bw_err sbom_detect_distro(const struct image_fs *fs, struct sbom_distro *d);
void sbom_distro_release(struct sbom_distro *d);

/* Individual parsers, public for tests and fuzz targets. Each parses bytes
 * already in memory; `path` names the input in messages and found_path;
 * layer may be NULL. They add to sb and return an error (with detail naming
 * path and line/offset) when the input is malformed. */
enum bw_err sbom_parse_dpkg_status(struct sbom *sb, const char *data, size_t n, const char *path,
				   const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_apk_installed(struct sbom *sb, const char *data, size_t n,
				     const char *path, const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_rpm_sqlite(struct sbom *sb, const char *data, size_t n, const char *path,
				  const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_rpm_bdb(struct sbom *sb, const char *data, size_t n, const char *path,
			       const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_rpm_ndb(struct sbom *sb, const char *data, size_t n, const char *path,
			       const char *layer, struct bw_errbuf *eb);
/* One rpm header blob (the immutable region as stored in every rpmdb
 * format) into a package. */
enum bw_err sbom_parse_rpm_header(struct sbom *sb, const unsigned char *blob, size_t n,
				  const char *path, const char *layer, struct bw_errbuf *eb);

/* Language lockfiles and manifests (issue 4), same contract as above. */
enum bw_err sbom_parse_gemspec(struct sbom *sb, const char *data, size_t n, const char *path,
			       const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_gemfile_lock(struct sbom *sb, const char *data, size_t n,
				    const char *path, const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_go_mod(struct sbom *sb, const char *data, size_t n, const char *path,
			      const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_go_sum(struct sbom *sb, const char *data, size_t n, const char *path,
			      const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_cargo_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				  const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_composer_installed(struct sbom *sb, const char *data, size_t n,
					  const char *path, const char *layer,
					  struct bw_errbuf *eb);
enum bw_err sbom_parse_composer_lock(struct sbom *sb, const char *data, size_t n,
				     const char *path, const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_dotnet_deps(struct sbom *sb, const char *data, size_t n,
				   const char *path, const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_nuget_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				  const char *layer, struct bw_errbuf *eb);

enum bw_err sbom_parse_npm_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_yarn_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				 const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_pnpm_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				 const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_npm_package_json(struct sbom *sb, const char *data, size_t n,
					const char *path, const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_python_metadata(struct sbom *sb, const char *data, size_t n,
				       const char *path, const char *layer, struct bw_errbuf *eb);
/* dev: the file holds development requirements (requirements-dev.txt). */
enum bw_err sbom_parse_python_requirements(struct sbom *sb, const char *data, size_t n,
					   const char *path, const char *layer, bool dev,
					   struct bw_errbuf *eb);
/* poetry.lock and uv.lock */
enum bw_err sbom_parse_python_toml_lock(struct sbom *sb, const char *data, size_t n,
					const char *path, const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_pipfile_lock(struct sbom *sb, const char *data, size_t n, const char *path,
				    const char *layer, struct bw_errbuf *eb);
/* PEP 503 normalised name (lowercase, runs of -_. as -), malloc'd. */
char *sbom_python_normalize(const char *name);

/* Package URL for pkg given the distro (purl spec: type/namespace/name@
 * version?qualifiers, percent-encoded). malloc'd; NULL on failure. */
char *sbom_purl(const struct sbom_pkg *pkg, const struct sbom_distro *d);

/* ---- writers ------------------------------------------------------------ */

enum sbom_format { SBOM_FMT_TABLE, SBOM_FMT_JSON, SBOM_FMT_CYCLONEDX, SBOM_FMT_SPDX_JSON };
/* "table", "json", "cyclonedx", "spdx-json" */
enum bw_err sbom_format_parse(const char *s, enum sbom_format *fmt);
enum bw_err sbom_write(const struct sbom *sb, enum sbom_format fmt, FILE *f, struct bw_errbuf *eb);

/* ---- reading ---------------------------------------------------------- */

/* Bulwark's own JSON SBOM (what SBOM_FMT_JSON writes, schema_version 1)
 * back into the model: sbom_write(SBOM_FMT_JSON) of the result gives the
 * same bytes (with the same SOURCE_DATE_EPOCH). The input is hostile: at
 * most SBOM_READ_JSON_MAX bytes, 1000000 packages, 100000 entries in a
 * list, 64 KiB a string, no NUL bytes; unknown keys are ignored. where
 * names the input in messages. *out is owned by the caller (sbom_free). */
#define SBOM_READ_JSON_MAX (512u * 1024u * 1024u)
enum bw_err sbom_read_json(const char *data, size_t len, const char *where, struct sbom **out,
			   struct bw_errbuf *eb);

/* The CycloneDX document as a jansson object (what SBOM_FMT_CYCLONEDX
 * writes), for reports that add to it (a scan adds vulnerabilities).
 * *refs gets a JSON array with the bom-ref of sb->pkgs[i] at index i. The
 * caller json_decref's both. */
struct json_t;
enum bw_err sbom_cyclonedx_doc(const struct sbom *sb, struct json_t **doc, struct json_t **refs,
			       struct bw_errbuf *eb);

#endif

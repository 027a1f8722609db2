/* registry.h - the OCI distribution client and the registry image source.
 *
 * registry_init() plugs the source into image_open() so that every command
 * taking an image reference (bulwark sbom, bulwark scan) accepts
 * "127.0.0.1:5000/repo:tag", "alpine:3.19", "host/repo@sha256:..." and
 * "registry:..." references. Options come from struct registry_opts (via
 * image_open_opts.registry_opts) or, when that is NULL, from the
 * environment (registry_opts_from_env). See docs/registry.md.
 *
 * Everything a registry sends (manifests, headers, tokens) is hostile:
 * sizes are bounded, parsing is strict, and errors name the registry, the
 * repository and what was wrong. Passwords and tokens never appear in
 * messages or logs.
 */
#ifndef BW_REGISTRY_H
#define BW_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "image/image.h"

/* Connection options. Strings are borrowed: they must outlive every image
 * opened with them. */
struct registry_opts {
	bool insecure;        /* plain HTTP (no TLS) to the registry */
	const char *ca_file;  /* PEM file of CAs to trust instead of the system's */
	const char *username; /* basic credentials (also sent to a token realm) */
	const char *password;
	const char *docker_config; /* config.json path; NULL: $DOCKER_CONFIG or ~/.docker */
};

/* Fill o from BULWARK_REGISTRY_INSECURE (1/true/yes), BULWARK_REGISTRY_CA_FILE,
 * BULWARK_REGISTRY_USERNAME and BULWARK_REGISTRY_PASSWORD. The strings point
 * into the environment. */
void registry_opts_from_env(struct registry_opts *o);

/* Options for images opened without image_open_opts.registry_opts (e.g.
 * through sbom_catalog_ref). o is borrowed; NULL: the environment's. */
void registry_set_default_opts(const struct registry_opts *o);

/* Command-line flags shared by the commands: --insecure, --ca-file FILE,
 * --username USER (with BULWARK_REGISTRY_PASSWORD). *matched tells whether
 * argv[*i] was one (then *i is advanced past a separate value). Values
 * point into argv. */
enum bw_err registry_opts_arg(struct registry_opts *o, int argc, char **argv, int *i,
			      bool *matched, struct bw_errbuf *eb);

/* Plug the registry source into image_open(). Idempotent. */
void registry_init(void);
extern const struct image_source_ops registry_source_ops;

/* ---- references ------------------------------------------------------- */

/* A registry reference split as the distribution spec does:
 * "alpine:3.19" -> host registry-1.docker.io, repo library/alpine, tag 3.19.
 * tag is NULL only when digest is set (no default "latest" then). */
struct registry_name {
	char *host;   /* "registry-1.docker.io", "127.0.0.1:5000" */
	char *repo;   /* "library/alpine" */
	char *tag;    /* "3.19" or NULL */
	char *digest; /* "sha256:..." or NULL */
};

/* Parse NAME[:TAG][@DIGEST], with an optional "registry:" or "docker://"
 * prefix. Errors (BW_ERR_USAGE) name the text. n is released on error. */
enum bw_err registry_name_parse(const char *text, struct registry_name *n, struct bw_errbuf *eb);
void registry_name_release(struct registry_name *n);

/* ---- WWW-Authenticate -------------------------------------------------- */

struct registry_challenge {
	char scheme[16]; /* "basic" or "bearer", lowercased */
	char *realm;
	char *service;
	char *scope;
};

/* Parse one challenge (RFC 7235: scheme then comma-separated auth-params,
 * values as tokens or quoted strings). Unknown params are ignored; a header
 * over 4096 bytes, a duplicate or malformed param is BW_ERR_FORMAT. */
enum bw_err registry_challenge_parse(const char *header, struct registry_challenge *ch,
				     struct bw_errbuf *eb);
void registry_challenge_release(struct registry_challenge *ch);

/* ---- manifests ---------------------------------------------------------- */

enum registry_manifest_kind { REGISTRY_MANIFEST_IMAGE, REGISTRY_MANIFEST_INDEX };

struct registry_descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	struct image_platform platform; /* index entries only; os "" when absent */
};

struct registry_manifest {
	enum registry_manifest_kind kind;
	char *media_type;
	struct registry_descriptor config;     /* image manifests */
	struct registry_descriptor *entries;   /* layers or index entries */
	size_t nentries;
};

/* Parse manifest bytes (Docker schema 2 manifest or list, OCI manifest or
 * index). content_type is the response's, may be NULL. where names the
 * manifest in messages. */
enum bw_err registry_manifest_parse(const char *data, size_t len, const char *content_type,
				    const char *where, struct registry_manifest *m,
				    struct bw_errbuf *eb);
void registry_manifest_release(struct registry_manifest *m);

/* Index entry for platform p (os, arch, and variant when p has one), or -1. */
ssize_t registry_manifest_select(const struct registry_manifest *m,
				 const struct image_platform *p);

/* ---- the client ---------------------------------------------------------- */

struct registry_client; /* one registry and repository; opaque */

/* opts are borrowed (see struct registry_opts). */
enum bw_err registry_client_new(const char *host, const char *repo,
				const struct registry_opts *opts, struct registry_client **out,
				struct bw_errbuf *eb);
void registry_client_free(struct registry_client *c);

/* GET a manifest by tag or digest into *data (malloc'd, NUL-terminated,
 * at most 4 MiB); digest_out gets "sha256:<hex>" of the bytes. A digest
 * reference is checked against the bytes. */
enum bw_err registry_get_manifest(struct registry_client *c, const char *reference,
				  char **data, size_t *len, char **content_type,
				  char digest_out[80], struct bw_errbuf *eb);
/* GET a blob into memory (at most max bytes), digest verified. */
enum bw_err registry_get_blob_mem(struct registry_client *c, const char *digest, size_t max,
				  char **data, size_t *len, struct bw_errbuf *eb);
/* GET a blob into fd (a fresh temp file), digest verified; retries resume
 * with a Range request where the registry supports it. size: -1 unknown. */
enum bw_err registry_get_blob_fd(struct registry_client *c, const char *digest, int64_t size,
				 int fd, struct bw_errbuf *eb);

/* ---- catalog ------------------------------------------------------------- */

/* The rel="next" target of a Link header as a path on the same registry
 * ("/v2/_catalog?last=x&n=100"); "" when there is none. An absolute URL is
 * accepted only on host itself (credentials never follow a link
 * elsewhere). */
enum bw_err registry_link_next(const char *link, const char *host, char *out, size_t outsz,
			       struct bw_errbuf *eb);
/* All repositories (/v2/_catalog) or tags (/v2/REPO/tags/list), following
 * pagination; appended to out (bounded: 100000 entries). */
enum bw_err registry_list_repos(const char *host, const struct registry_opts *opts,
				struct bw_strv *out, struct bw_errbuf *eb);
enum bw_err registry_list_tags(const char *host, const char *repo,
			       const struct registry_opts *opts, struct bw_strv *out,
			       struct bw_errbuf *eb);
/* The manifest digest a tag points to now. */
enum bw_err registry_resolve(const char *host, const char *repo, const char *tag,
			     const struct registry_opts *opts, char digest[80],
			     struct bw_errbuf *eb);

/* ---- the scan store (SQLite) ------------------------------------------------ */

struct registry_store; /* opaque */

/* One scanned image. counts[] is indexed like enum match_severity
 * (unknown, negligible, low, medium, high, critical). Strings are
 * borrowed. */
struct registry_store_image {
	const char *digest;
	const char *sbom_json;     /* the SBOM as `bulwark sbom -f json` writes it */
	const char *findings_json; /* [{"id","package","version","severity","fixed"}] or NULL */
	size_t packages;
	int matched; /* 0: no vulnerability database was available */
	size_t counts[6];
	/* The database the findings came from (see cmd_registry.c: a digest of
	 * what `bulwark db info` shows) and its built_at; NULL when !matched. */
	const char *db_id;
	const char *db_built_at;
};

/* $XDG_CACHE_HOME/bulwark/registry.sqlite or ~/.cache/bulwark/...; malloc'd. */
char *registry_store_default_path(void);
/* create: make the file (and the cache dir) when missing; else
 * BW_ERR_NOT_FOUND names it. */
enum bw_err registry_store_open(const char *path, bool create, struct registry_store **out,
				struct bw_errbuf *eb);
void registry_store_close(struct registry_store *s);
bool registry_store_has(struct registry_store *s, const char *digest);
enum bw_err registry_store_put_image(struct registry_store *s,
				     const struct registry_store_image *im, struct bw_errbuf *eb);
enum bw_err registry_store_put_tag(struct registry_store *s, const char *host, const char *repo,
				   const char *tag, const char *digest, struct bw_errbuf *eb);
/* Replace the findings of a stored image (matched, findings_json, counts,
 * db_id, db_built_at; sbom_json and packages are left as they are).
 * BW_ERR_NOT_FOUND when the digest is not stored. */
enum bw_err registry_store_put_match(struct registry_store *s,
				     const struct registry_store_image *im, struct bw_errbuf *eb);
/* The stored SBOM of digest and the db_id its findings came from (NULL when
 * it was not matched or db_id is NULL); both malloc'd. BW_ERR_NOT_FOUND
 * when the digest is not stored. */
enum bw_err registry_store_get_image(struct registry_store *s, const char *digest,
				     char **sbom_json, char **db_id, struct bw_errbuf *eb);
/* Each stored (repo, tag) of host with its digest, ordered by repo and tag. */
typedef enum bw_err (*registry_store_tag_fn)(void *ctx, const char *repo, const char *tag,
					     const char *digest, struct bw_errbuf *eb);
enum bw_err registry_store_tags(struct registry_store *s, const char *host,
				registry_store_tag_fn fn, void *ctx, struct bw_errbuf *eb);
/* Each (repo, tag) of host with its image, ordered by repo and tag. */
typedef enum bw_err (*registry_store_row_fn)(void *ctx, const char *repo, const char *tag,
					     const struct registry_store_image *im,
					     struct bw_errbuf *eb);
enum bw_err registry_store_report(struct registry_store *s, const char *host,
				  registry_store_row_fn fn, void *ctx, struct bw_errbuf *eb);

/* ---- push notifications (listen.c) ---------------------------------------- */

struct registry_push {
	char *repo;
	char *tag; /* NULL for a push by digest */
	char *digest;
};

/* The manifest pushes of a distribution notification envelope
 * ({"events": [{"action": "push", "target": {...}}]}); blob pushes and
 * other actions are skipped. *out is malloc'd (registry_pushes_free). */
enum bw_err registry_events_parse(const char *body, size_t len, struct registry_push **out,
				  size_t *n, struct bw_errbuf *eb);
void registry_pushes_free(struct registry_push *p, size_t n);

struct registry_listener; /* opaque */
/* Serve POSTed envelopes on addr:port (IPv4) in a thread of its own; with
 * token, requests must carry "Authorization: Bearer TOKEN". */
enum bw_err registry_listen_start(const char *addr, unsigned port, const char *token,
				  struct registry_listener **out, struct bw_errbuf *eb);
/* The next push (the caller owns its strings), waiting up to timeout_ms. */
bool registry_listen_next(struct registry_listener *l, struct registry_push *out, int timeout_ms);
void registry_listen_stop(struct registry_listener *l);

#endif

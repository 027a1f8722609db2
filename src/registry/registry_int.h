/* registry_int.h - helpers shared inside src/registry only. */
#ifndef BW_REGISTRY_INT_H
#define BW_REGISTRY_INT_H

#include "registry.h"

/* Credentials for host from Docker's config.json (config_path, or
 * $DOCKER_CONFIG/config.json, or ~/.docker/config.json): credHelpers, auths,
 * then credsStore. *user and *pass stay NULL when there are none; free them
 * with registry_secret_free(). A missing config file is not an error. */
enum bw_err registry_creds_lookup(const char *host, const char *config_path, char **user,
				  char **pass, struct bw_errbuf *eb);
/* Wipe and free. NULL-safe. */
void registry_secret_free(char *s);
/* Standard base64 into out (NUL-terminated); BW_ERR_FORMAT / BW_ERR_LIMIT. */
enum bw_err registry_base64_decode(const char *in, char *out, size_t outsz, size_t *outlen);

struct json_t;
/* GET path ("/v2/_catalog?n=100": from the registry's root) as JSON of at
 * most max bytes; link (may be NULL) gets the Link header. */
enum bw_err registry_get_json(struct registry_client *c, const char *path, const char *what,
			      size_t max, struct json_t **out, char *link, size_t linksz,
			      struct bw_errbuf *eb);

/* ---- the layer cache's place (cache.c) ---- */
/* The cache directory (malloc'd) or NULL when disabled. */
char *registry_cache_dir(void);
/* Its size cap in bytes. */
uint64_t registry_cache_max(void);

#endif

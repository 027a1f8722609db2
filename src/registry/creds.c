/* creds.c - credentials from Docker's config.json: credHelpers and
 * credsStore (the docker-credential-NAME "get" protocol: the server URL on
 * stdin, {"Username", "Secret"} on stdout) and auths (base64 user:pass).
 * Secrets are wiped when freed and never put into messages. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "registry_int.h"

#define CONFIG_MAX (1u << 20)
#define HELPER_OUT_MAX (64u << 10)

static void wipe_buf(struct bw_buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap ? b->cap : b->len);
	bw_buf_release(b);
}

void registry_secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard base64 (padding optional) into out (NUL-terminated). */
enum bw_err registry_base64_decode(const char *in, char *out, size_t outsz, size_t *outlen)
{
	uint32_t acc = 0;
	size_t n = 0, bits = 0;

	for (; *in && *in != '='; in++) {
		int v = b64val((unsigned char)*in);

		if (v < 0)
			return BW_ERR_FORMAT;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= outsz)
				return BW_ERR_LIMIT;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	while (*in == '=')
		in++;
	if (*in)
		return BW_ERR_FORMAT;
	out[n] = '\0';
	if (outlen)
		*outlen = n;
	return BW_OK;
}

static bool helper_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static enum bw_err run_helper(const char *name, const char *server, char **user, char **pass,
			      struct bw_errbuf *eb)
{
	char prog[96];
	const char *argv[3];
	struct bw_buf out;
	json_t *root = NULL;
	const char *u, *s;
	int status = 0;
	enum bw_err result;

	if (!helper_name_ok(name))
		return bw_fail(eb, BW_ERR_FORMAT, "Docker config: bad credential helper name");
	snprintf(prog, sizeof(prog), "docker-credential-%s", name);
	argv[0] = prog;
	argv[1] = "get";
	argv[2] = NULL;
	bw_buf_init(&out, HELPER_OUT_MAX);
	result = bw_run(argv, server, strlen(server), &out, &status, eb);
	if (result == BW_ERR_NOT_FOUND) {
		BW_WARN("Docker config names the credential helper %s, which is not installed",
			prog);
		result = BW_OK;
		goto out_buf;
	}
	if (result)
		goto out_buf;
	if (status != 0) {
		/* "credentials not found in native keychain": no credentials */
		BW_DEBUG("%s: no credentials for %s (exit %d)", prog, server, status);
		goto out_buf;
	}
	result = bw_json_parse(out.data ? out.data : "", out.len, prog, &root, NULL);
	if (result) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: output is not the expected JSON", prog);
		goto out_buf;
	}
	u = bw_json_str(root, "Username");
	s = bw_json_str(root, "Secret");
	if (u && s && *u) {
		*user = bw_strdup(u);
		*pass = bw_strdup(s);
		if (!*user || !*pass)
			result = BW_ERR_NOMEM;
	}
	{
		/* jansson keeps the secret in its string: wipe it */
		json_t *js = json_object_get(root, "Secret");

		if (json_is_string(js))
			explicit_bzero((char *)json_string_value(js), json_string_length(js));
	}
	json_decref(root);
out_buf:
	wipe_buf(&out);
	return result;
}

static enum bw_err from_auth_field(const char *auth, char **user, char **pass,
				   struct bw_errbuf *eb)
{
	char dec[2048];
	char *colon;
	enum bw_err result;

	result = registry_base64_decode(auth, dec, sizeof(dec), NULL);
	if (result)
		return bw_fail(eb, BW_ERR_FORMAT, "Docker config: an 'auth' entry is not base64");
	colon = strchr(dec, ':');
	if (!colon || colon == dec) {
		explicit_bzero(dec, sizeof(dec));
		return bw_fail(eb, BW_ERR_FORMAT, "Docker config: an 'auth' entry is not user:password");
	}
	*colon = '\0';
	*user = bw_strdup(dec);
	*pass = bw_strdup(colon + 1);
	explicit_bzero(dec, sizeof(dec));
	return *user && *pass ? BW_OK : BW_ERR_NOMEM;
}

enum bw_err registry_creds_lookup(const char *host, const char *config_path, char **user,
				  char **pass, struct bw_errbuf *eb)
{
	struct bw_buf file;
	json_t *root = NULL, *helpers, *auths;
	const char *keys[6];
	size_t nkeys = 0;
	char *k1 = NULL, *k2 = NULL, *path = NULL;
	const char *store;
	enum bw_err result = BW_OK;

	*user = *pass = NULL;
	if (config_path)
		path = bw_strdup(config_path);
	else if (getenv("DOCKER_CONFIG") && *getenv("DOCKER_CONFIG"))
		path = bw_strfmt("%s/config.json", getenv("DOCKER_CONFIG"));
	else if (getenv("HOME") && *getenv("HOME"))
		path = bw_strfmt("%s/.docker/config.json", getenv("HOME"));
	else
		return BW_OK;
	if (!path)
		return BW_ERR_NOMEM;
	bw_buf_init(&file, CONFIG_MAX);
	if (bw_buf_read_file(&file, path, NULL) != BW_OK) {
		/* no config (or unreadable): anonymous */
		goto out_file;
	}
	result = bw_json_parse(file.data ? file.data : "", file.len, path, &root, NULL);
	if (result) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not valid JSON", path);
		goto out_file;
	}
	k1 = bw_strfmt("https://%s", host);
	k2 = bw_strfmt("http://%s", host);
	if (!k1 || !k2) {
		result = BW_ERR_NOMEM;
		goto out_root;
	}
	if (!strcmp(host, "registry-1.docker.io")) {
		keys[nkeys++] = "https://index.docker.io/v1/";
		keys[nkeys++] = "index.docker.io";
		keys[nkeys++] = "docker.io";
	}
	keys[nkeys++] = host;
	keys[nkeys++] = k1;
	keys[nkeys++] = k2;
	helpers = json_object_get(root, "credHelpers");
	auths = json_object_get(root, "auths");
	for (size_t i = 0; i < nkeys && !*user && !result; i++) {
		const char *h = bw_json_str(helpers, keys[i]);

		if (h)
			result = run_helper(h, keys[i], user, pass, eb);
	}
	for (size_t i = 0; i < nkeys && !*user && !result; i++) {
		const json_t *a = json_object_get(auths, keys[i]);
		const char *auth = bw_json_str(a, "auth");

		if (auth && *auth)
			result = from_auth_field(auth, user, pass, eb);
		else if (bw_json_str(a, "username") && bw_json_str(a, "password")) {
			*user = bw_strdup(bw_json_str(a, "username"));
			*pass = bw_strdup(bw_json_str(a, "password"));
			if (!*user || !*pass)
				result = BW_ERR_NOMEM;
		}
	}
	store = bw_json_str(root, "credsStore");
	if (!*user && !result && store && *store)
		result = run_helper(store, !strcmp(host, "registry-1.docker.io")
						   ? "https://index.docker.io/v1/"
						   : host,
				    user, pass, eb);
	if (result) {
		registry_secret_free(*user);
		registry_secret_free(*pass);
		*user = *pass = NULL;
		bw_fail_prefix(eb, result, "%s", path);
	}
out_root:
	json_decref(root);
out_file:
	wipe_buf(&file);
	free(k1);
	free(k2);
	free(path);
	return result;
}

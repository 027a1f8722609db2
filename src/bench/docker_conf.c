/* docker_conf.c - the effective dockerd configuration: its command line
 * merged with daemon.json, each value with where it came from.
 *
 * dockerd parses flags with spf13/pflag: "--name=value", "--name value"
 * for non-boolean flags, bare "--name" (true) or "--name=false" for
 * booleans, "-H value", "-Hvalue", and "--" ends the flags. dockerd itself
 * refuses to start when an option is given both as a flag and in
 * daemon.json; when both are seen here (a command line taken from a unit
 * file, for instance) the flag is reported, as the flag is what an
 * operator reads first and the conflict is named in the evidence.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "docker_int.h"

#define DK_MAX_ARGS 4096
#define DK_MAX_CMDLINE (64 * 1024)
#define DK_MAX_JSON (1024 * 1024)
#define DK_MAX_VALUES 4096

/* dockerd's boolean flags (20.10 .. 28): they never take the next word. */
static const char *const bool_flags[] = {
	"debug", "icc", "iptables", "ip6tables", "ip-forward", "ip-masq", "ipv6",
	"live-restore", "no-new-privileges", "selinux-enabled", "tls", "tlsverify",
	"userland-proxy", "experimental", "init", "raw-logs", "rootless", "validate",
	"version", "help", "disable-legacy-registry", "allow-nondistributable-artifacts-all",
	"cri-containerd", "userns-remap-disable", NULL,
};
static const char bool_shorts[] = "Dvh";

static bool is_bool_flag(const char *name, size_t n)
{
	for (size_t i = 0; bool_flags[i]; i++)
		if (strlen(bool_flags[i]) == n && strncmp(bool_flags[i], name, n) == 0)
			return true;
	return false;
}

void dk_conf_init(struct dk_conf *c)
{
	memset(c, 0, sizeof(*c));
}

void dk_conf_release(struct dk_conf *c)
{
	if (!c)
		return;
	bw_strv_release(&c->args);
	free(c->args_from);
	json_decref(c->json);
	free(c->json_path);
	free(c->json_error);
	memset(c, 0, sizeof(*c));
}

enum bw_err dk_conf_set_cmdline(struct dk_conf *c, const char *data, size_t n, const char *from,
				struct bw_errbuf *eb)
{
	enum bw_err result;
	size_t i = 0, argc = 0;

	if (n > DK_MAX_CMDLINE)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: command line of %zu bytes exceeds %d", from, n,
			       DK_MAX_CMDLINE);
	bw_strv_release(&c->args);
	free(c->args_from);
	c->args_from = bw_strdup(from);
	if (!c->args_from)
		return BW_ERR_NOMEM;
	while (i < n) {
		const char *arg = data + i;
		const char *end = memchr(arg, '\0', n - i);
		size_t len = end ? (size_t)(end - arg) : n - i;

		if (argc > 0) {
			char *s = bw_strndup(arg, len);

			if (!s)
				return BW_ERR_NOMEM;
			if (c->args.n >= DK_MAX_ARGS) {
				free(s);
				return bw_fail(eb, BW_ERR_LIMIT, "%s: more than %d arguments", from,
					       DK_MAX_ARGS);
			}
			result = bw_strv_push_owned(&c->args, s);
			if (result != BW_OK) {
				free(s);
				return result;
			}
		}
		argc++;
		i += len + 1;
	}
	return BW_OK;
}

enum bw_err dk_conf_set_json(struct dk_conf *c, const char *data, size_t n, const char *path,
			     struct bw_errbuf *eb)
{
	enum bw_err result;
	struct json_t *v = NULL;
	struct bw_errbuf jeb = {{0}};

	free(c->json_path);
	free(c->json_error);
	c->json_error = NULL;
	json_decref(c->json);
	c->json = NULL;
	c->json_path = bw_strdup(path);
	if (!c->json_path)
		return BW_ERR_NOMEM;
	if (n > DK_MAX_JSON) {
		c->json_error = bw_strfmt("%s: %zu bytes exceeds the %d byte limit", path, n,
					  DK_MAX_JSON);
		return bw_fail(eb, BW_ERR_LIMIT, "%s", c->json_error ? c->json_error : path);
	}
	result = bw_json_parse(data, n, path, &v, &jeb);
	if (result != BW_OK) {
		c->json_error = bw_strdup(jeb.msg);
		return bw_fail(eb, result, "%s", jeb.msg);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		c->json_error = bw_strfmt("%s: top level is not a JSON object", path);
		return bw_fail(eb, BW_ERR_FORMAT, "%s: top level is not a JSON object", path);
	}
	c->json = v;
	return BW_OK;
}

void dk_value_release(struct dk_value *v)
{
	if (!v)
		return;
	bw_strv_release(&v->vals);
	memset(v, 0, sizeof(*v));
}

const char *dk_value_last(const struct dk_value *v)
{
	return v->vals.n ? v->vals.v[v->vals.n - 1] : NULL;
}

bool dk_value_bool(const struct dk_value *v, bool dflt, bool *bad)
{
	const char *s = dk_value_last(v);

	if (bad)
		*bad = false;
	if (!s)
		return dflt;
	/* Go's strconv.ParseBool */
	if (!strcmp(s, "1") || !strcmp(s, "t") || !strcmp(s, "T") || !strcmp(s, "true") ||
	    !strcmp(s, "TRUE") || !strcmp(s, "True"))
		return true;
	if (!strcmp(s, "0") || !strcmp(s, "f") || !strcmp(s, "F") || !strcmp(s, "false") ||
	    !strcmp(s, "FALSE") || !strcmp(s, "False"))
		return false;
	if (bad)
		*bad = true;
	return dflt;
}

static enum bw_err push_value(struct dk_value *out, const char *s, size_t n)
{
	char *d;
	enum bw_err result;

	if (out->vals.n >= DK_MAX_VALUES)
		return BW_ERR_LIMIT;
	d = bw_strndup(s, n);
	if (!d)
		return BW_ERR_NOMEM;
	result = bw_strv_push_owned(&out->vals, d);
	if (result != BW_OK)
		free(d);
	return result;
}

static enum bw_err from_flags(const struct dk_conf *c, const char *flag, const char *shortf,
			      struct dk_value *out)
{
	enum bw_err result;
	size_t flen = strlen(flag);
	const char *lastarg = NULL, *lastval = NULL;

	for (size_t i = 0; i < c->args.n; i++) {
		const char *a = c->args.v[i], *val = NULL;
		bool match = false;

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0')
			continue; /* a positional argument: dockerd has none */
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
			bool isbool = is_bool_flag(name, nlen);

			match = nlen == flen && strncmp(name, flag, flen) == 0;
			if (eq)
				val = eq + 1;
			else if (isbool)
				val = "true";
			else if (i + 1 < c->args.n)
				val = c->args.v[++i];
			else
				val = "";
		} else {
			bool isbool = strchr(bool_shorts, a[1]) != NULL;

			match = shortf && a[1] == shortf[0] && shortf[1] == '\0';
			if (a[2] == '=')
				val = a + 3;
			else if (a[2])
				val = a + 2;
			else if (isbool)
				val = "true";
			else if (i + 1 < c->args.n)
				val = c->args.v[++i];
			else
				val = "";
		}
		if (!match)
			continue;
		result = push_value(out, val, strlen(val));
		if (result != BW_OK)
			return result;
		lastarg = a;
		lastval = val;
	}
	if (lastarg) {
		out->src = DK_SRC_FLAG;
		if (strchr(lastarg, '=') || lastval == lastarg + 2 || strcmp(lastval, "true") == 0)
			snprintf(out->where, sizeof(out->where), "%s in %s", lastarg,
				 c->args_from ? c->args_from : "the command line");
		else
			snprintf(out->where, sizeof(out->where), "%s %s in %s", lastarg, lastval,
				 c->args_from ? c->args_from : "the command line");
	}
	return BW_OK;
}

/* One JSON scalar as text; false when v is not a scalar. */
static bool scalar_text(const json_t *v, char *buf, size_t bufsz, const char **out)
{
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return true;
	}
	if (json_is_true(v) || json_is_false(v)) {
		*out = json_is_true(v) ? "true" : "false";
		return true;
	}
	if (json_is_integer(v)) {
		snprintf(buf, bufsz, "%lld", (long long)json_integer_value(v));
		*out = buf;
		return true;
	}
	if (json_is_real(v)) {
		snprintf(buf, bufsz, "%g", json_real_value(v));
		*out = buf;
		return true;
	}
	return false;
}

static enum bw_err push_json(struct dk_value *out, const json_t *v)
{
	enum bw_err result = BW_OK;
	char num[64];
	const char *s;

	if (scalar_text(v, num, sizeof(num), &s))
		return push_value(out, s, strlen(s));
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e) {
			if (scalar_text(e, num, sizeof(num), &s))
				result = push_value(out, s, strlen(s));
			else
				result = push_value(out, "(not a scalar)", 14);
			if (result != BW_OK)
				return result;
		}
		return BW_OK;
	}
	if (json_is_object(v)) {
		const char *k;
		json_t *e;

		json_object_foreach((json_t *)v, k, e) {
			char *item;

			if (scalar_text(e, num, sizeof(num), &s)) {
				item = bw_strfmt("%s=%s", k, s);
			} else if (json_is_object(e)) {
				/* default-ulimits: {"nofile": {"Name":..,"Soft":1,"Hard":2}} */
				item = bw_strfmt("%s=%lld:%lld", k,
						 (long long)bw_json_int(e, "Soft", -1),
						 (long long)bw_json_int(e, "Hard", -1));
			} else {
				item = bw_strfmt("%s=(not a scalar)", k);
			}
			if (!item)
				return BW_ERR_NOMEM;
			result = push_value(out, item, strlen(item));
			free(item);
			if (result != BW_OK)
				return result;
		}
		return BW_OK;
	}
	return push_value(out, "null", 4);
}

/* When a flag won and daemon.json has the same key, say so in the evidence. */
static void note_conflict(const struct dk_conf *c, const char *key, struct dk_value *out)
{
	size_t l = strlen(out->where);

	if (key && c->json && json_object_get(c->json, key))
		snprintf(out->where + l, sizeof(out->where) - l,
			 " (also \"%s\" in %s: dockerd refuses to start with both)", key,
			 c->json_path ? c->json_path : "daemon.json");
}

enum bw_err dk_conf_get(const struct dk_conf *c, const char *flag, const char *shortf,
			const char *key, struct dk_value *out)
{
	enum bw_err result;
	json_t *v;
	char *txt;

	memset(out, 0, sizeof(*out));
	if (flag) {
		result = from_flags(c, flag, shortf, out);
		if (result != BW_OK)
			return result;
		if (out->src == DK_SRC_FLAG) {
			note_conflict(c, key, out);
			return BW_OK;
		}
	}
	if (!key || !c->json)
		return BW_OK;
	v = json_object_get(c->json, key);
	if (!v)
		return BW_OK;
	result = push_json(out, v);
	if (result != BW_OK)
		return result;
	out->src = DK_SRC_FILE;
	txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(out->where, sizeof(out->where), "\"%s\": %.200s in %s", key, txt ? txt : "?",
		 c->json_path ? c->json_path : "daemon.json");
	free(txt);
	return BW_OK;
}

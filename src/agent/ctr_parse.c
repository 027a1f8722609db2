/* ctr_parse.c - parsers of container runtime state (runc state.json, crun
 * status, OCI config.json annotations, Docker config.v2.json, Podman's
 * containers.json) and the group rule.
 *
 * Every file parsed here is hostile input: the caller caps its size
 * (CTR_JSON_MAX), the types of the fields are checked, strings are copied
 * with truncation into fixed fields, and the number of labels kept is capped.
 */
#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "agent/ctr_int.h"

static void copy_str(char *dst, size_t dstsz, const char *src)
{
	if (src)
		bw_strlcpy(dst, src, dstsz);
}

/* A path from a state file: absolute, no ".." component, fits. */
static bool host_path_ok(const char *p, size_t max)
{
	const char *s;

	if (!p || p[0] != '/' || strlen(p) >= max)
		return false;
	for (s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return false;
	return true;
}

static enum bw_err parse_pid(const json_t *root, const char *key, struct agent_ctr *c,
			     const char *what, struct bw_errbuf *eb)
{
	json_t *v = json_object_get(root, key);
	json_int_t pid;

	if (!json_is_integer(v))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"%s\" is missing or not an integer", what, key);
	pid = json_integer_value(v);
	if (pid < 1 || pid > INT_MAX)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"%s\" %lld is not a pid", what, key,
			       (long long)pid);
	c->init_pid = (pid_t)pid;
	return BW_OK;
}

static uint64_t parse_start(const json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

enum bw_err ctr_parse_runc_state(const char *data, size_t n, struct agent_ctr *c,
				 uint64_t *start_time, struct bw_errbuf *eb)
{
	enum bw_err result;
	json_t *root = NULL, *config, *labels, *v;
	const char *s;
	size_t i;

	if (n > CTR_JSON_MAX)
		return bw_fail(eb, BW_ERR_LIMIT, "state.json: larger than %u bytes", CTR_JSON_MAX);
	result = bw_json_parse(data, n, "state.json", &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "state.json: not a JSON object");
		goto out_root;
	}
	result = parse_pid(root, "init_process_pid", c, "state.json", eb);
	if (result)
		goto out_root;
	*start_time = parse_start(root, "init_process_start");
	config = json_object_get(root, "config");
	if (!json_is_object(config))
		goto out_root; /* pid alone is enough to track it */
	s = bw_json_str(config, "rootfs");
	if (host_path_ok(s, sizeof(c->rootfs)))
		copy_str(c->rootfs, sizeof(c->rootfs), s);
	labels = json_object_get(config, "labels");
	if (json_is_array(labels)) {
		json_array_foreach(labels, i, v) {
			s = json_string_value(v);
			if (s && bw_str_starts_with(s, "bundle=") &&
			    host_path_ok(s + 7, sizeof(c->bundle)))
				copy_str(c->bundle, sizeof(c->bundle), s + 7);
		}
	}
out_root:
	json_decref(root);
	return result;
}

enum bw_err ctr_parse_crun_status(const char *data, size_t n, struct agent_ctr *c,
				  uint64_t *start_time, struct bw_errbuf *eb)
{
	enum bw_err result;
	json_t *root = NULL;
	const char *s;

	if (n > CTR_JSON_MAX)
		return bw_fail(eb, BW_ERR_LIMIT, "crun status: larger than %u bytes", CTR_JSON_MAX);
	result = bw_json_parse(data, n, "crun status", &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "crun status: not a JSON object");
		goto out_root;
	}
	result = parse_pid(root, "pid", c, "crun status", eb);
	if (result)
		goto out_root;
	*start_time = parse_start(root, "process-start-time");
	s = bw_json_str(root, "bundle");
	if (host_path_ok(s, sizeof(c->bundle)))
		copy_str(c->bundle, sizeof(c->bundle), s);
	s = bw_json_str(root, "rootfs");
	if (host_path_ok(s, sizeof(c->rootfs)))
		copy_str(c->rootfs, sizeof(c->rootfs), s);
out_root:
	json_decref(root);
	return result;
}

static void push_label(struct agent_ctr *c, const char *k, const char *v)
{
	char *kv;

	if (c->labels.n >= CTR_LABELS_MAX || strlen(k) + strlen(v) + 2 > CTR_LABEL_LEN || !k[0])
		return;
	kv = bw_strfmt("%s=%s", k, v);
	if (kv && bw_strv_push_owned(&c->labels, kv) != BW_OK)
		free(kv);
}

/* CRI-O's io.kubernetes.cri-o.Labels: a JSON object of the pod's labels. */
static void parse_crio_labels(const char *s, struct agent_ctr *c)
{
	struct bw_errbuf eb = {0};
	json_t *obj = NULL, *v;
	const char *k;

	if (strlen(s) > CTR_JSON_MAX / 4 || bw_json_parse(s, strlen(s), "cri-o labels", &obj, &eb))
		return;
	if (json_is_object(obj)) {
		json_object_foreach(obj, k, v) {
			if (json_is_string(v))
				push_label(c, k, json_string_value(v));
		}
	}
	json_decref(obj);
}

/* Annotation keys -> fields. The first listed key that is present wins. */
static const char *const ann_ns[] = {"io.kubernetes.cri.sandbox-namespace",
				     "io.kubernetes.pod.namespace", NULL};
static const char *const ann_pod[] = {"io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name",
				      NULL};
static const char *const ann_name[] = {"io.kubernetes.cri.container-name",
				       "io.kubernetes.container.name", NULL};
static const char *const ann_image[] = {"org.opencontainers.image.ref.name",
					"io.kubernetes.cri.image-name",
					"io.kubernetes.cri-o.ImageName", NULL};

static void take_first(const json_t *ann, const char *const *keys, char *dst, size_t dstsz)
{
	size_t i;

	for (i = 0; keys[i]; i++) {
		const char *s = bw_json_str(ann, keys[i]);

		if (s && s[0]) {
			copy_str(dst, dstsz, s);
			return;
		}
	}
}

enum bw_err ctr_parse_oci_config(const char *data, size_t n, struct agent_ctr *c, bool *libpod,
				 struct bw_errbuf *eb)
{
	enum bw_err result;
	json_t *root = NULL, *ann, *v;
	const char *k, *s;

	*libpod = false;
	if (n > CTR_JSON_MAX)
		return bw_fail(eb, BW_ERR_LIMIT, "config.json: larger than %u bytes", CTR_JSON_MAX);
	result = bw_json_parse(data, n, "config.json", &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "config.json: not a JSON object");
		goto out_root;
	}
	ann = json_object_get(root, "annotations");
	if (!ann)
		goto out_root;
	if (!json_is_object(ann)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "config.json: \"annotations\" is not an object");
		goto out_root;
	}
	take_first(ann, ann_ns, c->k8s_namespace, sizeof(c->k8s_namespace));
	take_first(ann, ann_pod, c->k8s_pod, sizeof(c->k8s_pod));
	take_first(ann, ann_name, c->name, sizeof(c->name));
	take_first(ann, ann_image, c->image, sizeof(c->image));
	s = bw_json_str(ann, "io.container.manager");
	*libpod = s && strcmp(s, "libpod") == 0;
	s = bw_json_str(ann, "io.kubernetes.cri-o.Labels");
	if (s)
		parse_crio_labels(s, c);
	json_object_foreach(ann, k, v) {
		if (json_is_string(v))
			push_label(c, k, json_string_value(v));
	}
out_root:
	json_decref(root);
	return result;
}

enum bw_err ctr_parse_docker_config(const char *data, size_t n, struct agent_ctr *c,
				    struct bw_errbuf *eb)
{
	enum bw_err result;
	json_t *root = NULL;
	const char *s;

	if (n > CTR_JSON_MAX)
		return bw_fail(eb, BW_ERR_LIMIT, "config.v2.json: larger than %u bytes", CTR_JSON_MAX);
	result = bw_json_parse(data, n, "config.v2.json", &root, eb);
	if (result)
		return result;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "config.v2.json: not a JSON object");
		goto out_root;
	}
	s = bw_json_str(root, "Name");
	if (s && s[0] == '/')
		s++;
	if (s && s[0])
		copy_str(c->name, sizeof(c->name), s);
	s = bw_json_str(json_object_get(root, "Config"), "Image");
	if (s && s[0] && !c->image[0])
		copy_str(c->image, sizeof(c->image), s);
out_root:
	json_decref(root);
	return result;
}

enum bw_err ctr_parse_podman_containers(const char *data, size_t n, struct agent_ctr *c,
					struct bw_errbuf *eb)
{
	enum bw_err result;
	json_t *root = NULL, *e, *meta = NULL;
	const char *s;
	size_t i;

	if (n > CTR_PODMAN_MAX)
		return bw_fail(eb, BW_ERR_LIMIT, "containers.json: larger than %u bytes",
			       CTR_PODMAN_MAX);
	result = bw_json_parse(data, n, "containers.json", &root, eb);
	if (result)
		return result;
	if (!json_is_array(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "containers.json: not a JSON array");
		goto out_root;
	}
	result = bw_fail(eb, BW_ERR_NOT_FOUND, "containers.json: no container %s", c->id);
	json_array_foreach(root, i, e) {
		s = bw_json_str(e, "id");
		if (!s || strcmp(s, c->id) != 0)
			continue;
		result = BW_OK;
		s = json_string_value(json_array_get(json_object_get(e, "names"), 0));
		if (s && s[0])
			copy_str(c->name, sizeof(c->name), s);
		s = bw_json_str(e, "metadata"); /* a JSON document in a string */
		if (s && strlen(s) < CTR_JSON_MAX &&
		    bw_json_parse(s, strlen(s), "containers.json metadata", &meta, eb) == BW_OK) {
			s = bw_json_str(meta, "image-name");
			if (s && s[0] && !c->image[0])
				copy_str(c->image, sizeof(c->image), s);
			json_decref(meta);
		}
		break;
	}
out_root:
	json_decref(root);
	return result;
}

/* Kubernetes' random suffixes use this alphabet (k8s.io/apimachinery
 * util/rand: no vowels, no 0/1/3, so they never spell words). */
static bool k8s_rand_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !strchr("bcdfghjklmnpqrstvwxz2456789", s[i]))
			return false;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Length of the last "-part" of s[0..n) (0 when there is no '-'). */
static size_t last_part(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && s[i - 1] != '-')
		i--;
	return i > 1 ? n - i : 0;
}

void ctr_k8s_workload(const char *pod, char *out, size_t outsz)
{
	size_t n = strlen(pod), k;

	k = last_part(pod, n);
	if (k == 5 && k8s_rand_chars(pod + n - 5, 5)) {
		/* ReplicaSet / DaemonSet / Job pod: NAME[-HASH|-MINUTES]-XXXXX */
		n -= 6;
		k = last_part(pod, n);
		if (k >= 6 && k <= 10 && k8s_rand_chars(pod + n - k, k))
			n -= k + 1; /* Deployment's ReplicaSet pod-template-hash */
		else if (k >= 8 && all_digits(pod + n - k, k))
			n -= k + 1; /* CronJob's Job: scheduled time in minutes */
	} else if (k >= 1 && k <= 5 && all_digits(pod + n - k, k)) {
		n -= k + 1; /* StatefulSet ordinal: every replica is one workload */
	}
	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, pod, n);
	out[n] = '\0';
}

void ctr_image_repo(const char *image, char *out, size_t outsz)
{
	const char *at, *slash, *colon;
	size_t n, i;

	/* Podman names an image that has no registry "localhost/REPO": the
	 * same repository as Docker's "REPO" ("localhost:PORT/" is a registry) */
	if (bw_str_starts_with(image, "localhost/") && image[10])
		image += 10;
	at = strchr(image, '@');
	n = at ? (size_t)(at - image) : strlen(image);

	/* a tag is a ':' after the last '/' (a ':' before it is a port) */
	slash = NULL;
	colon = NULL;
	for (i = 0; i < n; i++) {
		if (image[i] == '/')
			slash = image + i;
		else if (image[i] == ':')
			colon = image + i;
	}
	if (colon && (!slash || colon > slash))
		n = (size_t)(colon - image);
	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, image, n);
	out[n] = '\0';
}

void ctr_finish(struct agent_ctr *c)
{
	char repo[sizeof(c->image)];

	if (!c->name[0])
		copy_str(c->name, sizeof(c->name), c->id);
	if (c->k8s_pod[0])
		ctr_k8s_workload(c->k8s_pod, c->k8s_workload, sizeof(c->k8s_workload));
	if (c->k8s_namespace[0] && c->k8s_workload[0]) {
		snprintf(c->group, sizeof(c->group), "%s.%s", c->k8s_namespace, c->k8s_workload);
		return;
	}
	repo[0] = '\0';
	if (c->image[0])
		ctr_image_repo(c->image, repo, sizeof(repo));
	copy_str(c->group, sizeof(c->group), repo[0] ? repo : c->name);
}

bool ctr_id_valid(const char *s)
{
	size_t i;

	if (!s[0] || s[0] == '.')
		return false;
	for (i = 0; s[i]; i++) {
		char ch = s[i];

		if (i >= 127)
			return false;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '+' || ch == '-'))
			return false;
	}
	return true;
}

static bool runtime_known(const char *rt, size_t n)
{
	static const char *const names[] = {"docker", "containerd", "runc", "crun"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], rt, n) == 0)
			return true;
	return false;
}

enum bw_err ctr_parse_roots(const char *spec, struct ctr_root *out, size_t max, size_t *n,
			    struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	const char *p = spec, *end, *eq;
	char dir[sizeof(out->dir)];

	*n = 0;
	while (p && *p) {
		size_t len, dlen;

		end = strchr(p, ':');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0)
			goto next;
		eq = memchr(p, '=', len);
		if (!eq || !runtime_known(p, (size_t)(eq - p))) {
			result = bw_fail(eb, BW_ERR_USAGE,
					 "runtime root \"%.*s\": expected RUNTIME=DIR with RUNTIME "
					 "docker, containerd, runc or crun",
					 (int)(len > 200 ? 200 : len), p);
			goto next;
		}
		dlen = len - (size_t)(eq + 1 - p);
		if (dlen >= sizeof(dir)) {
			result = bw_fail(eb, BW_ERR_USAGE, "runtime root \"%.*s...\": path too long",
					 (int)(eq - p), p);
			goto next;
		}
		memcpy(dir, eq + 1, dlen);
		dir[dlen] = '\0';
		while (dlen > 1 && dir[dlen - 1] == '/')
			dir[--dlen] = '\0';
		if (!host_path_ok(dir, sizeof(dir)) || strcmp(dir, "/") == 0) {
			result = bw_fail(eb, BW_ERR_USAGE,
					 "runtime root \"%.*s\": DIR must be an absolute path "
					 "below / without \"..\"",
					 (int)(len > 200 ? 200 : len), p);
			goto next;
		}
		if (*n >= max) {
			result = bw_fail(eb, BW_ERR_LIMIT, "runtime roots: more than %zu", max);
			break;
		}
		bw_strlcpy(out[*n].runtime, p, (size_t)(eq - p) + 1);
		bw_strlcpy(out[*n].dir, dir, sizeof(out[*n].dir));
		(*n)++;
	next:
		p = end ? end + 1 : NULL;
	}
	return result;
}

enum bw_err ctr_docker_meta_dir(const char *data, size_t n, const char *id, char *out,
				size_t outsz, struct bw_errbuf *eb)
{
	static const char *const dests[] = {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf"};
	enum bw_err result;
	json_t *root = NULL, *mounts, *m;
	size_t i, d, idlen = strlen(id);

	if (n > CTR_JSON_MAX)
		return bw_fail(eb, BW_ERR_LIMIT, "config.json: larger than %u bytes", CTR_JSON_MAX);
	result = bw_json_parse(data, n, "config.json", &root, eb);
	if (result)
		return result;
	result = bw_fail(eb, BW_ERR_NOT_FOUND, "config.json: no /etc/hostname mount from "
			 "a directory named %s", id);
	mounts = json_object_get(root, "mounts");
	if (!json_is_array(mounts) || idlen == 0)
		goto out_root;
	for (d = 0; d < sizeof(dests) / sizeof(dests[0]); d++) {
		json_array_foreach(mounts, i, m) {
			const char *dst = bw_json_str(m, "destination");
			const char *src = bw_json_str(m, "source");
			const char *slash;
			size_t plen;

			if (!dst || !src || strcmp(dst, dests[d]) != 0 ||
			    !host_path_ok(src, PATH_MAX))
				continue;
			slash = strrchr(src, '/');
			plen = (size_t)(slash - src); /* the parent: .../ID */
			if (plen <= idlen + 1 || src[plen - idlen - 1] != '/' ||
			    memcmp(src + plen - idlen, id, idlen) != 0 || plen >= outsz)
				continue;
			memcpy(out, src, plen);
			out[plen] = '\0';
			result = BW_OK;
			eb->msg[0] = '\0';
			goto out_root;
		}
	}
out_root:
	json_decref(root);
	return result;
}

bool ctr_podman_meta_path(const char *bundle, const char *id, char *out, size_t outsz)
{
	static const char tail[] = "/userdata";
	size_t blen = strlen(bundle), idlen = strlen(id), plen;
	const char *store;

	/* STORE/DRIVER-containers/ID/userdata */
	if (!host_path_ok(bundle, PATH_MAX) || idlen == 0 ||
	    blen < sizeof(tail) - 1 + idlen + 2 ||
	    strcmp(bundle + blen - (sizeof(tail) - 1), tail) != 0)
		return false;
	plen = blen - (sizeof(tail) - 1) - idlen; /* up to and with the '/' before ID */
	if (bundle[plen - 1] != '/' || memcmp(bundle + plen, id, idlen) != 0)
		return false;
	plen--; /* STORE/DRIVER-containers */
	store = bundle + plen;
	while (store > bundle && store[-1] != '/')
		store--;
	if ((size_t)(bundle + plen - store) < sizeof("-containers") - 1 ||
	    memcmp(bundle + plen - (sizeof("-containers") - 1), "-containers",
		   sizeof("-containers") - 1) != 0)
		return false;
	return (size_t)snprintf(out, outsz, "%.*s/containers.json", (int)plen, bundle) < outsz;
}

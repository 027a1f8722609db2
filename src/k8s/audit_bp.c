/* audit_bp.c - best-practice checks that are not Pod Security Standards
 * controls. Host namespaces, hostPath and host ports are best practice too,
 * but the baseline PSS controls (always run) report them already. */
#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "k8s/audit_int.h"

#define BP K8S_LEVEL_BEST_PRACTICE

static const struct k8s_check
	c_tag = {"bp.image-tag", "Image tag is latest or missing", BP, K8S_SEV_MEDIUM},
	c_limits = {"bp.resource-limits", "Resource limits missing", BP, K8S_SEV_LOW},
	c_probes = {"bp.probes", "Liveness/readiness probe missing", BP, K8S_SEV_LOW},
	c_token = {"bp.sa-token-automount", "Service account token automounted", BP, K8S_SEV_LOW},
	c_env = {"bp.env-secret", "Secret in a plain environment value", BP, K8S_SEV_HIGH},
	c_rootfs = {"bp.read-only-root-fs", "Root filesystem writable", BP, K8S_SEV_LOW},
	c_caps = {"bp.added-capabilities", "Capabilities added", BP, K8S_SEV_LOW};

/* Image reference without a digest: the tag is after the last ':' that
 * follows the last '/' (a registry port "host:5000/x" is not a tag). */
static void image_tag(struct actx *a, const struct actr *ctr)
{
	const char *img = k8s_jstr(ctr->c, "image");
	const char *slash, *colon;

	if (!img || !img[0] || strchr(img, '@'))
		return;
	slash = strrchr(img, '/');
	colon = strrchr(slash ? slash : img, ':');
	if (!colon)
		k8s_audit_add(a, &c_tag, ctr, "image",
			      "image \"%s\" has no tag (pulls latest); pin a version or digest", img);
	else if (strcmp(colon + 1, "latest") == 0)
		k8s_audit_add(a, &c_tag, ctr, "image",
			      "image \"%s\" uses the latest tag; pin a version or digest", img);
}

static void limits(struct actx *a, const struct actr *ctr)
{
	const json_t *lim = k8s_jobj(k8s_jobj(ctr->c, "resources"), "limits");
	static const char *const res[] = {"cpu", "memory"};

	for (size_t i = 0; i < 2; i++) {
		const json_t *v = k8s_jget(lim, res[i]);
		char field[64];

		if (v && !json_is_null(v))
			continue;
		snprintf(field, sizeof(field), "resources.limits.%s", res[i]);
		k8s_audit_add(a, &c_limits, ctr, field, "no %s limit", res[i]);
	}
}

static void probes(struct actx *a, const struct actr *ctr)
{
	static const char *const p[] = {"livenessProbe", "readinessProbe"};

	for (size_t i = 0; i < 2; i++) {
		const json_t *v = k8s_jget(ctr->c, p[i]);

		if (v && !json_is_null(v))
			continue;
		k8s_audit_add(a, &c_probes, ctr, p[i], "no %s", p[i]);
	}
}

/* Names that suggest a credential (case-insensitive substrings). */
static bool secret_name(const char *name)
{
	static const char *const words[] = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY",
					    "CREDENTIAL", "PRIVATE", NULL};
	char up[256];
	size_t n = strlen(name);

	if (n >= sizeof(up))
		n = sizeof(up) - 1;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(up, words[i]))
			return true;
	return false;
}

static void env_secrets(struct actx *a, const struct actr *ctr)
{
	const json_t *env = k8s_jget(ctr->c, "env");
	size_t i;
	const json_t *e;

	if (!json_is_array(env))
		return;
	json_array_foreach(env, i, e) {
		const char *name = k8s_jstr(e, "name");
		const char *val = k8s_jstr(e, "value");
		char field[64];

		if (!name || !val || !val[0] || !secret_name(name))
			continue;
		snprintf(field, sizeof(field), "env[%zu].value", i);
		/* the value itself is not repeated in the report */
		k8s_audit_add(a, &c_env, ctr, field,
			      "environment variable %s has a literal value (%zu characters); use "
			      "valueFrom.secretKeyRef",
			      name, strlen(val));
	}
}

static void rootfs(struct actx *a, const struct actr *ctr)
{
	if (k8s_jtrue(ctr->sc, "readOnlyRootFilesystem"))
		return;
	k8s_audit_add(a, &c_rootfs, ctr, "securityContext.readOnlyRootFilesystem",
		      "readOnlyRootFilesystem is not true");
}

/* Added capabilities the PSS level being checked allows (so no PSS finding
 * reports them): still worth a look. */
static void added_caps(struct actx *a, const struct actr *ctr)
{
	static const char *const baseline_caps[] = {
		"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
		"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", NULL};
	const json_t *add = k8s_jget(k8s_jobj(ctr->sc, "capabilities"), "add");
	size_t i;
	const json_t *c;

	if (!json_is_array(add))
		return;
	json_array_foreach(add, i, c) {
		const char *s = json_is_string(c) ? json_string_value(c) : NULL;
		bool reported = true;
		char field[96];

		if (s) {
			bool in_baseline = false;

			for (size_t j = 0; baseline_caps[j]; j++)
				if (strcmp(s, baseline_caps[j]) == 0)
					in_baseline = true;
			if (a->opts->level == K8S_LEVEL_RESTRICTED)
				reported = strcmp(s, "NET_BIND_SERVICE") != 0;
			else
				reported = !in_baseline;
		}
		if (reported)
			continue;
		snprintf(field, sizeof(field), "securityContext.capabilities.add[%zu]", i);
		k8s_audit_add(a, &c_caps, ctr, field, "capability %s added", s);
	}
}

void k8s_audit_bp(struct actx *a)
{
	const json_t *am = k8s_jget(a->spec, "automountServiceAccountToken");

	if (!json_is_false(am))
		k8s_audit_add(a, &c_token, NULL, "automountServiceAccountToken",
			      "automountServiceAccountToken is %s: the service account token is "
			      "mounted into every container",
			      am && !json_is_null(am) ? "not false" : "not set");
	for (size_t i = 0; i < a->nctrs; i++) {
		const struct actr *c = &a->ctrs[i];

		image_tag(a, c);
		env_secrets(a, c);
		if (c->type == CTR_EPHEMERAL)
			continue; /* debug containers: no resources, probes */
		limits(a, c);
		rootfs(a, c);
		added_caps(a, c);
		if (c->type == CTR_REGULAR && !a->batch)
			probes(a, c);
	}
}

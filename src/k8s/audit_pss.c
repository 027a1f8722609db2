/* audit_pss.c - Pod Security Standards, baseline and restricted, control by
 * control as kubernetes.io/docs/concepts/security/pod-security-standards
 * words them (the "Restricted Fields" and "Allowed Values" of each control,
 * at the newest Kubernetes version's policy: sysctls of v1.32, SELinux types
 * of v1.31, probe/lifecycle host of v1.34).
 *
 * A value of the wrong type where a boolean is expected (privileged: "x")
 * is reported as a violation: the API server would reject it, and an audit
 * must not pass what it cannot read.
 */
#include <jansson.h>
#include <string.h>

#include "k8s/audit_int.h"

#define B K8S_LEVEL_BASELINE
#define R K8S_LEVEL_RESTRICTED

static const struct k8s_check
	c_hostprocess = {"pss.baseline.host-process", "HostProcess", B, K8S_SEV_CRITICAL},
	c_hostns = {"pss.baseline.host-namespaces", "Host Namespaces", B, K8S_SEV_HIGH},
	c_privileged = {"pss.baseline.privileged", "Privileged Containers", B, K8S_SEV_CRITICAL},
	c_caps_b = {"pss.baseline.capabilities", "Capabilities", B, K8S_SEV_HIGH},
	c_hostpath = {"pss.baseline.host-path", "HostPath Volumes", B, K8S_SEV_HIGH},
	c_hostports = {"pss.baseline.host-ports", "Host Ports", B, K8S_SEV_MEDIUM},
	c_apparmor = {"pss.baseline.apparmor", "AppArmor", B, K8S_SEV_MEDIUM},
	c_selinux = {"pss.baseline.selinux", "SELinux", B, K8S_SEV_MEDIUM},
	c_procmount = {"pss.baseline.proc-mount", "/proc Mount Type", B, K8S_SEV_HIGH},
	c_seccomp_b = {"pss.baseline.seccomp", "Seccomp", B, K8S_SEV_MEDIUM},
	c_sysctls = {"pss.baseline.sysctls", "Sysctls", B, K8S_SEV_MEDIUM},
	c_probehost = {"pss.baseline.probe-host", "Probe and lifecycle host", B, K8S_SEV_MEDIUM},
	c_volumes = {"pss.restricted.volume-types", "Volume Types", R, K8S_SEV_MEDIUM},
	c_privesc = {"pss.restricted.privilege-escalation", "Privilege Escalation", R,
		     K8S_SEV_MEDIUM},
	c_nonroot = {"pss.restricted.run-as-non-root", "Running as Non-root", R, K8S_SEV_MEDIUM},
	c_nonroot_user = {"pss.restricted.run-as-user", "Running as Non-root user", R,
			  K8S_SEV_MEDIUM},
	c_seccomp_r = {"pss.restricted.seccomp", "Seccomp", R, K8S_SEV_MEDIUM},
	c_caps_r = {"pss.restricted.capabilities", "Capabilities", R, K8S_SEV_MEDIUM};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* A boolean field that must be undefined/null or false. */
static void must_not_be_true(struct actx *a, const struct k8s_check *chk, const struct actr *ctr,
			     const json_t *parent, const char *key, const char *field)
{
	const json_t *v = k8s_jget(parent, key);
	char buf[128];

	if (!v || json_is_null(v) || json_is_false(v))
		return;
	k8s_audit_add(a, chk, ctr, field, "%s is %s (allowed: undefined/nil, false)", key,
		      k8s_jtext(v, buf, sizeof(buf)));
}

/* ---- baseline ----------------------------------------------------------- */

static void hostprocess(struct actx *a)
{
	must_not_be_true(a, &c_hostprocess, NULL, k8s_jobj(a->psc, "windowsOptions"), "hostProcess",
			 "securityContext.windowsOptions.hostProcess");
	for (size_t i = 0; i < a->nctrs; i++)
		must_not_be_true(a, &c_hostprocess, &a->ctrs[i],
				 k8s_jobj(a->ctrs[i].sc, "windowsOptions"), "hostProcess",
				 "securityContext.windowsOptions.hostProcess");
}

static void host_namespaces(struct actx *a)
{
	static const char *const keys[] = {"hostNetwork", "hostPID", "hostIPC"};

	for (size_t i = 0; i < 3; i++)
		must_not_be_true(a, &c_hostns, NULL, a->spec, keys[i], keys[i]);
}

static void privileged(struct actx *a)
{
	for (size_t i = 0; i < a->nctrs; i++)
		must_not_be_true(a, &c_privileged, &a->ctrs[i], a->ctrs[i].sc, "privileged",
				 "securityContext.privileged");
}

/* Each entry of capabilities.add that check() refuses is reported. */
static void caps_add(struct actx *a, const struct k8s_check *chk, const char *const *allowed,
		     const char *const *only, const char *allowed_text)
{
	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *add = k8s_jget(k8s_jobj(a->ctrs[i].sc, "capabilities"), "add");
		size_t j;
		const json_t *cap;
		char field[96], buf[128];

		if (!add || json_is_null(add))
			continue;
		if (!json_is_array(add)) {
			k8s_audit_add(a, chk, &a->ctrs[i], "securityContext.capabilities.add",
				      "capabilities.add is %s, not a list", k8s_jtext(add, buf, sizeof(buf)));
			continue;
		}
		json_array_foreach(add, j, cap) {
			if (json_is_string(cap) && in_list(json_string_value(cap), allowed))
				continue;
			/* only: the ones a lower level has not reported yet */
			if (only && !(json_is_string(cap) && in_list(json_string_value(cap), only)))
				continue;
			snprintf(field, sizeof(field), "securityContext.capabilities.add[%zu]", j);
			k8s_audit_add(a, chk, &a->ctrs[i], field,
				      "capability %s added (allowed: %s)",
				      k8s_jtext(cap, buf, sizeof(buf)), allowed_text);
		}
	}
}

static void host_path(struct actx *a)
{
	const json_t *vols = k8s_jget(a->spec, "volumes");
	size_t i;
	const json_t *v;
	char field[64];

	if (!json_is_array(vols))
		return;
	json_array_foreach(vols, i, v) {
		const json_t *hp = k8s_jget(v, "hostPath");
		const char *p;

		if (!hp || json_is_null(hp))
			continue;
		p = k8s_jstr(hp, "path");
		snprintf(field, sizeof(field), "volumes[%zu].hostPath", i);
		k8s_audit_add(a, &c_hostpath, NULL, field, "volume \"%s\" mounts host path %s",
			      k8s_jstr(v, "name") ? k8s_jstr(v, "name") : "",
			      p ? p : "(no path)");
	}
}

static void host_ports(struct actx *a)
{
	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *ports = k8s_jget(a->ctrs[i].c, "ports");
		size_t j;
		const json_t *p;
		char field[64], buf[128];

		if (!json_is_array(ports))
			continue;
		json_array_foreach(ports, j, p) {
			const json_t *hp = k8s_jget(p, "hostPort");

			if (!hp || json_is_null(hp) ||
			    (json_is_integer(hp) && json_integer_value(hp) == 0))
				continue;
			snprintf(field, sizeof(field), "ports[%zu].hostPort", j);
			k8s_audit_add(a, &c_hostports, &a->ctrs[i], field,
				      "hostPort is %s (allowed: undefined/nil, 0)",
				      k8s_jtext(hp, buf, sizeof(buf)));
		}
	}
}

static void apparmor_type(struct actx *a, const struct actr *ctr, const json_t *sc)
{
	const json_t *prof = k8s_jobj(sc, "appArmorProfile");
	const json_t *t = k8s_jget(prof, "type");
	char buf[128];

	if (!t || json_is_null(t))
		return;
	if (json_is_string(t) && (strcmp(json_string_value(t), "RuntimeDefault") == 0 ||
				  strcmp(json_string_value(t), "Localhost") == 0))
		return;
	k8s_audit_add(a, &c_apparmor, ctr, "securityContext.appArmorProfile.type",
		      "appArmorProfile.type is %s (allowed: undefined/nil, RuntimeDefault, Localhost)",
		      k8s_jtext(t, buf, sizeof(buf)));
}

static void apparmor(struct actx *a)
{
	static const char prefix[] = "container.apparmor.security.beta.kubernetes.io/";
	const json_t *ann = k8s_jobj(a->meta, "annotations");
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)ann, k, v) {
		char field[512], buf[128];
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;

		if (!bw_str_starts_with(k, prefix))
			continue;
		if (s && (strcmp(s, "runtime/default") == 0 || bw_str_starts_with(s, "localhost/")))
			continue;
		snprintf(field, sizeof(field), "@annotations[%s]", k);
		k8s_audit_add(a, &c_apparmor, NULL, field,
			      "AppArmor profile %s (allowed: undefined/nil, runtime/default, localhost/*)",
			      k8s_jtext(v, buf, sizeof(buf)));
	}
	apparmor_type(a, NULL, a->psc);
	for (size_t i = 0; i < a->nctrs; i++)
		apparmor_type(a, &a->ctrs[i], a->ctrs[i].sc);
}

static void selinux_one(struct actx *a, const struct actr *ctr, const json_t *sc)
{
	static const char *const types[] = {"", "container_t", "container_init_t",
					    "container_kvm_t", "container_engine_t", NULL};
	const json_t *opts = k8s_jget(sc, "seLinuxOptions");
	const json_t *t, *u, *r;
	char buf[128];

	if (!opts || json_is_null(opts))
		return;
	t = k8s_jget(opts, "type");
	if (t && !json_is_null(t) && !(json_is_string(t) && in_list(json_string_value(t), types)))
		k8s_audit_add(a, &c_selinux, ctr, "securityContext.seLinuxOptions.type",
			      "seLinuxOptions.type is %s (allowed: undefined/\"\", container_t, "
			      "container_init_t, container_kvm_t, container_engine_t)",
			      k8s_jtext(t, buf, sizeof(buf)));
	u = k8s_jget(opts, "user");
	if (u && !json_is_null(u) && !(json_is_string(u) && json_string_value(u)[0] == '\0'))
		k8s_audit_add(a, &c_selinux, ctr, "securityContext.seLinuxOptions.user",
			      "seLinuxOptions.user is %s (allowed: undefined/\"\")",
			      k8s_jtext(u, buf, sizeof(buf)));
	r = k8s_jget(opts, "role");
	if (r && !json_is_null(r) && !(json_is_string(r) && json_string_value(r)[0] == '\0'))
		k8s_audit_add(a, &c_selinux, ctr, "securityContext.seLinuxOptions.role",
			      "seLinuxOptions.role is %s (allowed: undefined/\"\")",
			      k8s_jtext(r, buf, sizeof(buf)));
}

static void selinux(struct actx *a)
{
	selinux_one(a, NULL, a->psc);
	for (size_t i = 0; i < a->nctrs; i++)
		selinux_one(a, &a->ctrs[i], a->ctrs[i].sc);
}

static void proc_mount(struct actx *a)
{
	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *pm = k8s_jget(a->ctrs[i].sc, "procMount");
		char buf[128];

		if (!pm || json_is_null(pm) ||
		    (json_is_string(pm) && strcmp(json_string_value(pm), "Default") == 0))
			continue;
		k8s_audit_add(a, &c_procmount, &a->ctrs[i], "securityContext.procMount",
			      "procMount is %s (allowed: undefined/nil, Default)",
			      k8s_jtext(pm, buf, sizeof(buf)));
	}
}

/* seccompProfile.type of a securityContext: NULL when undefined. */
static const json_t *seccomp_type(const json_t *sc)
{
	const json_t *t = k8s_jget(k8s_jobj(sc, "seccompProfile"), "type");

	return t && !json_is_null(t) ? t : NULL;
}

static bool seccomp_ok(const json_t *t)
{
	return json_is_string(t) && (strcmp(json_string_value(t), "RuntimeDefault") == 0 ||
				     strcmp(json_string_value(t), "Localhost") == 0);
}

static void seccomp_baseline(struct actx *a)
{
	const json_t *t = seccomp_type(a->psc);
	char buf[128];

	if (t && !seccomp_ok(t))
		k8s_audit_add(a, &c_seccomp_b, NULL, "securityContext.seccompProfile.type",
			      "seccompProfile.type is %s (allowed: undefined/nil, RuntimeDefault, "
			      "Localhost)",
			      k8s_jtext(t, buf, sizeof(buf)));
	for (size_t i = 0; i < a->nctrs; i++) {
		t = seccomp_type(a->ctrs[i].sc);
		if (t && !seccomp_ok(t))
			k8s_audit_add(a, &c_seccomp_b, &a->ctrs[i],
				      "securityContext.seccompProfile.type",
				      "seccompProfile.type is %s (allowed: undefined/nil, "
				      "RuntimeDefault, Localhost)",
				      k8s_jtext(t, buf, sizeof(buf)));
	}
}

static void sysctls(struct actx *a)
{
	static const char *const allowed[] = {
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
		"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", NULL};
	const json_t *list = k8s_jget(a->psc, "sysctls");
	size_t i;
	const json_t *s;
	char field[96], buf[160];

	if (!json_is_array(list))
		return;
	json_array_foreach(list, i, s) {
		const char *name = k8s_jstr(s, "name");

		if (name && in_list(name, allowed))
			continue;
		snprintf(field, sizeof(field), "securityContext.sysctls[%zu].name", i);
		k8s_audit_add(a, &c_sysctls, NULL, field, "sysctl %s is not in the safe set",
			      k8s_jtext(k8s_jget(s, "name"), buf, sizeof(buf)));
	}
}

static void host_field(struct actx *a, const struct actr *ctr, const json_t *handler,
		       const char *where)
{
	static const char *const kinds[] = {"httpGet", "tcpSocket"};

	for (size_t k = 0; k < 2; k++) {
		const json_t *h = k8s_jget(k8s_jobj(handler, kinds[k]), "host");
		char field[96], buf[160];

		if (!h || json_is_null(h) || (json_is_string(h) && json_string_value(h)[0] == '\0'))
			continue;
		snprintf(field, sizeof(field), "%s.%s.host", where, kinds[k]);
		k8s_audit_add(a, &c_probehost, ctr, field, "%s.%s.host is %s (allowed: undefined, \"\")",
			      where, kinds[k], k8s_jtext(h, buf, sizeof(buf)));
	}
}

static void probe_host(struct actx *a)
{
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};

	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *lc = k8s_jobj(a->ctrs[i].c, "lifecycle");

		for (size_t p = 0; p < 3; p++)
			host_field(a, &a->ctrs[i], k8s_jobj(a->ctrs[i].c, probes[p]), probes[p]);
		host_field(a, &a->ctrs[i], k8s_jobj(lc, "postStart"), "lifecycle.postStart");
		host_field(a, &a->ctrs[i], k8s_jobj(lc, "preStop"), "lifecycle.preStop");
	}
}

/* ---- restricted ------------------------------------------------------------ */

static void volume_types(struct actx *a)
{
	static const char *const allowed[] = {"configMap", "csi", "downwardAPI", "emptyDir",
					      "ephemeral", "persistentVolumeClaim", "projected",
					      "secret", NULL};
	const json_t *vols = k8s_jget(a->spec, "volumes");
	size_t i;
	const json_t *v;

	if (!json_is_array(vols))
		return;
	json_array_foreach(vols, i, v) {
		const char *k;
		json_t *src;
		char field[160];

		json_object_foreach((json_t *)v, k, src) {
			/* hostPath is the baseline finding already */
			if (strcmp(k, "name") == 0 || strcmp(k, "hostPath") == 0 ||
			    json_is_null(src) || in_list(k, allowed))
				continue;
			snprintf(field, sizeof(field), "volumes[%zu].%s", i, k);
			k8s_audit_add(a, &c_volumes, NULL, field,
				      "volume \"%s\" has type %s (allowed: configMap, csi, "
				      "downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, "
				      "projected, secret)",
				      k8s_jstr(v, "name") ? k8s_jstr(v, "name") : "", k);
		}
	}
}

static void privilege_escalation(struct actx *a)
{
	if (a->windows)
		return; /* the control applies to Linux pods only */
	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *v = k8s_jget(a->ctrs[i].sc, "allowPrivilegeEscalation");
		char buf[64];

		if (json_is_false(v))
			continue;
		k8s_audit_add(a, &c_privesc, &a->ctrs[i], "securityContext.allowPrivilegeEscalation",
			      "allowPrivilegeEscalation is %s (required: false)",
			      k8s_jtext(v, buf, sizeof(buf)));
	}
}

/* spec.hostUsers: false runs the pod in a user namespace, where the PSS
 * relax the non-root controls (KEP-127). */
static bool user_namespace(const struct actx *a)
{
	return json_is_false(k8s_jget(a->spec, "hostUsers"));
}

static void run_as_non_root(struct actx *a)
{
	const json_t *pv = k8s_jget(a->psc, "runAsNonRoot");
	bool pod_ok = json_is_true(pv);
	char buf[64];

	if (user_namespace(a))
		return;
	if (pv && !json_is_null(pv) && !pod_ok)
		k8s_audit_add(a, &c_nonroot, NULL, "securityContext.runAsNonRoot",
			      "runAsNonRoot is %s (allowed: true)", k8s_jtext(pv, buf, sizeof(buf)));
	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *cv = k8s_jget(a->ctrs[i].sc, "runAsNonRoot");

		if (cv && !json_is_null(cv)) {
			if (!json_is_true(cv))
				k8s_audit_add(a, &c_nonroot, &a->ctrs[i], "securityContext.runAsNonRoot",
					      "runAsNonRoot is %s (allowed: true)",
					      k8s_jtext(cv, buf, sizeof(buf)));
		} else if (!pod_ok) {
			k8s_audit_add(a, &c_nonroot, &a->ctrs[i], "securityContext.runAsNonRoot",
				      "runAsNonRoot is not set here nor true at pod level "
				      "(spec.securityContext.runAsNonRoot)");
		}
	}
}

static void run_as_user(struct actx *a)
{
	const json_t *v = k8s_jget(a->psc, "runAsUser");
	char buf[64];

	if (user_namespace(a))
		return;
	if (v && !json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) != 0))
		k8s_audit_add(a, &c_nonroot_user, NULL, "securityContext.runAsUser",
			      "runAsUser is %s (allowed: undefined/nil, non-zero)",
			      k8s_jtext(v, buf, sizeof(buf)));
	for (size_t i = 0; i < a->nctrs; i++) {
		v = k8s_jget(a->ctrs[i].sc, "runAsUser");
		if (v && !json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) != 0))
			k8s_audit_add(a, &c_nonroot_user, &a->ctrs[i], "securityContext.runAsUser",
				      "runAsUser is %s (allowed: undefined/nil, non-zero)",
				      k8s_jtext(v, buf, sizeof(buf)));
	}
}

static void seccomp_restricted(struct actx *a)
{
	const json_t *pt = seccomp_type(a->psc);
	bool pod_ok = pt && seccomp_ok(pt);

	if (a->windows)
		return;
	/* explicit bad values are the baseline finding already; here the
	 * profile is missing everywhere it would be needed */
	if (pt && !pod_ok)
		return;
	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *ct = seccomp_type(a->ctrs[i].sc);

		if (ct || pod_ok)
			continue;
		k8s_audit_add(a, &c_seccomp_r, &a->ctrs[i], "securityContext.seccompProfile.type",
			      "seccompProfile.type is not set here nor at pod level "
			      "(required: RuntimeDefault or Localhost)");
	}
}

static void caps_restricted(struct actx *a, const char *const *baseline_caps)
{
	static const char *const nbs[] = {"NET_BIND_SERVICE", NULL};

	if (a->windows)
		return;
	for (size_t i = 0; i < a->nctrs; i++) {
		const json_t *drop = k8s_jget(k8s_jobj(a->ctrs[i].sc, "capabilities"), "drop");
		bool all = false;
		size_t j;
		const json_t *d;

		if (json_is_array(drop)) {
			json_array_foreach(drop, j, d) {
				if (json_is_string(d) && strcmp(json_string_value(d), "ALL") == 0)
					all = true;
			}
		}
		if (!all)
			k8s_audit_add(a, &c_caps_r, &a->ctrs[i], "securityContext.capabilities.drop",
				      "capabilities.drop does not contain \"ALL\"");
	}
	/* each added capability is reported once, at the lowest level it
	 * breaks: here only those the baseline allows */
	caps_add(a, &c_caps_r, nbs, baseline_caps, "NET_BIND_SERVICE");
}

void k8s_audit_pss(struct actx *a)
{
	/* Baseline: the Docker default set kept by the PSS. */
	static const char *const baseline_caps[] = {
		"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
		"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", NULL};

	hostprocess(a);
	host_namespaces(a);
	privileged(a);
	caps_add(a, &c_caps_b, baseline_caps, NULL,
		 "AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, "
		 "SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT");
	host_path(a);
	host_ports(a);
	apparmor(a);
	selinux(a);
	proc_mount(a);
	seccomp_baseline(a);
	sysctls(a);
	probe_host(a);
	if (a->opts->level != K8S_LEVEL_RESTRICTED)
		return;
	volume_types(a);
	privilege_escalation(a);
	run_as_non_root(a);
	run_as_user(a);
	seccomp_restricted(a);
	caps_restricted(a, baseline_caps);
}

/* defaults.c - documented defaults of the settings the CIS checks read,
 * used when neither the command line nor the config file sets them.
 *
 * Sources (Kubernetes v1.28 reference documentation):
 *  - kube-apiserver, kube-controller-manager, kube-scheduler, kubelet:
 *    "Command line tools reference" pages (kubernetes.io/docs/reference/
 *    command-line-tools-reference/<component>/), the default printed after
 *    each flag;
 *  - kubelet config file: "Kubelet Configuration (v1beta1)" reference
 *    (kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/): the
 *    defaults applied to a KubeletConfiguration, which differ from the flag
 *    defaults (anonymous auth false, authorization Webhook, read-only port
 *    0), so which table applies depends on whether a config file is in use;
 *  - etcd: "Configuration flags" (etcd.io/docs/v3.5/op-guide/configuration/).
 * The same table is in docs/bench-k8s.md.
 */
#include <string.h>

#include "k8s/bench_int.h"

struct dflt {
	const char *component; /* binary */
	const char *flag;      /* NULL: config-file entry */
	const char *path;      /* JSONPath in the config file, NULL: flag entry */
	const char *value;
	const char *src;
};

static const struct dflt table[] = {
	{"kube-apiserver", "--anonymous-auth", NULL, "true", "kube-apiserver --anonymous-auth"},
	{"kube-apiserver", "--profiling", NULL, "true", "kube-apiserver --profiling"},
	{"kube-apiserver", "--authorization-mode", NULL, "AlwaysAllow",
	 "kube-apiserver --authorization-mode"},
	{"kube-apiserver", "--audit-log-maxage", NULL, "0", "kube-apiserver --audit-log-maxage"},
	{"kube-apiserver", "--audit-log-maxbackup", NULL, "0", "kube-apiserver --audit-log-maxbackup"},
	{"kube-apiserver", "--audit-log-maxsize", NULL, "0", "kube-apiserver --audit-log-maxsize"},
	{"kube-apiserver", "--service-account-lookup", NULL, "true",
	 "kube-apiserver --service-account-lookup"},
	{"kube-apiserver", "--enable-admission-plugins", NULL,
	 "NamespaceLifecycle,LimitRanger,ServiceAccount,TaintNodesByCondition,PodSecurity,Priority,"
	 "DefaultTolerationSeconds,DefaultStorageClass,StorageObjectInUseProtection,"
	 "PersistentVolumeClaimResize,RuntimeClass,CertificateApproval,CertificateSigning,"
	 "ClusterTrustBundleAttest,CertificateSubjectRestriction,DefaultIngressClass,"
	 "MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook,ResourceQuota",
	 "kube-apiserver --enable-admission-plugins (plugins enabled by default)"},
	{"kube-controller-manager", "--profiling", NULL, "true", "kube-controller-manager --profiling"},
	{"kube-controller-manager", "--use-service-account-credentials", NULL, "false",
	 "kube-controller-manager --use-service-account-credentials"},
	{"kube-controller-manager", "--terminated-pod-gc-threshold", NULL, "12500",
	 "kube-controller-manager --terminated-pod-gc-threshold"},
	{"kube-controller-manager", "--bind-address", NULL, "0.0.0.0",
	 "kube-controller-manager --bind-address"},
	{"kube-scheduler", "--profiling", NULL, "true", "kube-scheduler --profiling"},
	{"kube-scheduler", "--bind-address", NULL, "0.0.0.0", "kube-scheduler --bind-address"},
	{"etcd", "--client-cert-auth", NULL, "false", "etcd --client-cert-auth"},
	{"etcd", "--auto-tls", NULL, "false", "etcd --auto-tls"},
	{"etcd", "--peer-client-cert-auth", NULL, "false", "etcd --peer-client-cert-auth"},
	{"etcd", "--peer-auto-tls", NULL, "false", "etcd --peer-auto-tls"},
	/* kubelet without a config file: flag defaults */
	{"kubelet", "--anonymous-auth", NULL, "true", "kubelet --anonymous-auth"},
	{"kubelet", "--authorization-mode", NULL, "AlwaysAllow", "kubelet --authorization-mode"},
	{"kubelet", "--read-only-port", NULL, "10255", "kubelet --read-only-port"},
	{"kubelet", "--streaming-connection-idle-timeout", NULL, "4h0m0s",
	 "kubelet --streaming-connection-idle-timeout"},
	{"kubelet", "--make-iptables-util-chains", NULL, "true", "kubelet --make-iptables-util-chains"},
	{"kubelet", "--protect-kernel-defaults", NULL, "false", "kubelet --protect-kernel-defaults"},
	{"kubelet", "--rotate-certificates", NULL, "false", "kubelet --rotate-certificates"},
	/* kubelet with a config file: KubeletConfiguration v1beta1 defaults */
	{"kubelet", NULL, "{.authentication.anonymous.enabled}", "false",
	 "KubeletConfiguration v1beta1 authentication.anonymous.enabled"},
	{"kubelet", NULL, "{.authentication.webhook.enabled}", "true",
	 "KubeletConfiguration v1beta1 authentication.webhook.enabled"},
	{"kubelet", NULL, "{.authorization.mode}", "Webhook",
	 "KubeletConfiguration v1beta1 authorization.mode"},
	{"kubelet", NULL, "{.readOnlyPort}", "0", "KubeletConfiguration v1beta1 readOnlyPort"},
	{"kubelet", NULL, "{.streamingConnectionIdleTimeout}", "4h0m0s",
	 "KubeletConfiguration v1beta1 streamingConnectionIdleTimeout"},
	{"kubelet", NULL, "{.makeIPTablesUtilChains}", "true",
	 "KubeletConfiguration v1beta1 makeIPTablesUtilChains"},
	{"kubelet", NULL, "{.protectKernelDefaults}", "false",
	 "KubeletConfiguration v1beta1 protectKernelDefaults"},
	{"kubelet", NULL, "{.rotateCertificates}", "false",
	 "KubeletConfiguration v1beta1 rotateCertificates"},
};

const char *k8s_default_value(const char *component, const char *flag, const char *path,
			      bool config_in_use, const char **src)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct dflt *d = &table[i];

		if (strcmp(d->component, component) != 0)
			continue;
		/* a component with config-file defaults uses them only when a
		 * config file is in use, and its flag defaults only when not */
		if (d->path && path && config_in_use && strcmp(d->path, path) == 0) {
			*src = d->src;
			return d->value;
		}
		if (d->flag && flag && strcmp(d->flag, flag) == 0) {
			bool has_cfg_default = false;

			for (size_t j = 0; path && j < sizeof(table) / sizeof(table[0]); j++)
				if (table[j].path && strcmp(table[j].component, component) == 0 &&
				    strcmp(table[j].path, path) == 0)
					has_cfg_default = true;
			if (config_in_use && has_cfg_default)
				continue;
			*src = d->src;
			return d->value;
		}
	}
	return NULL;
}

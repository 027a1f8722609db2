/* ctr_int.h - container discovery internals: parsers of the container
 * runtimes' state files (hostile input: bytes in, typed fields out, every
 * string copied with truncation into the fixed fields of struct agent_ctr)
 * and the group rule. Shared by container.c, the unit test and the fuzz
 * target tests/fuzz/fuzz_agent_state.c.
 */
#ifndef BW_AGENT_CTR_INT_H
#define BW_AGENT_CTR_INT_H

#include "agent/agent_int.h"

#define CTR_JSON_MAX   (1u << 20) /* a state.json / status / config.json */
#define CTR_PODMAN_MAX (8u << 20) /* c/storage containers.json (every container) */
#define CTR_LABELS_MAX 128        /* labels kept per container */
#define CTR_LABEL_LEN  1024       /* "key=value" longer than this is dropped */

/* runc-format state.json (runc, containerd, Docker): init_process_pid,
 * init_process_start, config.rootfs, config.labels "bundle=DIR". */
enum bw_err ctr_parse_runc_state(const char *data, size_t n, struct agent_ctr *c,
				 uint64_t *start_time, struct bw_errbuf *eb);
/* crun's status file: pid, process-start-time, bundle, rootfs. */
enum bw_err ctr_parse_crun_status(const char *data, size_t n, struct agent_ctr *c,
				  uint64_t *start_time, struct bw_errbuf *eb);
/* The bundle's OCI config.json: annotations -> labels, Kubernetes fields
 * (CRI / CRI-O), container name, image. *libpod is set when the container
 * was made by Podman (io.container.manager=libpod). */
enum bw_err ctr_parse_oci_config(const char *data, size_t n, struct agent_ctr *c, bool *libpod,
				 struct bw_errbuf *eb);
/* Docker's /var/lib/docker/containers/ID/config.v2.json: Name, Config.Image. */
enum bw_err ctr_parse_docker_config(const char *data, size_t n, struct agent_ctr *c,
				    struct bw_errbuf *eb);
/* Podman (c/storage) overlay-containers/containers.json: the entry whose id
 * is c->id gives names[0] and metadata's image-name. BW_ERR_NOT_FOUND when
 * absent. */
enum bw_err ctr_parse_podman_containers(const char *data, size_t n, struct agent_ctr *c,
					struct bw_errbuf *eb);

/* Pod name -> owning workload: drops a ReplicaSet "-HASH-XXXXX", a
 * CronJob "-MINUTES-XXXXX", a DaemonSet/Job "-XXXXX" and a StatefulSet
 * "-ORDINAL" suffix. */
void ctr_k8s_workload(const char *pod, char *out, size_t outsz);
/* Image reference -> repository: "reg:5000/a/b:1@sha256:..." -> "reg:5000/a/b". */
void ctr_image_repo(const char *image, char *out, size_t outsz);
/* After the parsers: name defaults to the id, k8s_workload and group are
 * computed (docs/agent-containers.md, "Groups"). */
void ctr_finish(struct agent_ctr *c);
/* true when s is a usable container id: 1..127 chars of [A-Za-z0-9_.+-],
 * not starting with '.'. */
bool ctr_id_valid(const char *s);

/* Extra runtime state roots (BULWARK_AGENT_RUNTIME_ROOTS, docs/agent-containers.md). */
#define CTR_ROOTS_MAX 16
struct ctr_root {
	char runtime[16]; /* docker | containerd | runc | crun: the layout below dir */
	char dir[256];    /* absolute, no ".." */
};
/* Parse "RUNTIME=DIR[:RUNTIME=DIR]...". Valid entries are stored (at most
 * max); empty entries are ignored. Returns BW_OK, or an error naming the
 * last invalid entry (which was skipped; the valid ones are still stored). */
enum bw_err ctr_parse_roots(const char *spec, struct ctr_root *out, size_t max, size_t *n,
			    struct bw_errbuf *eb);
/* Docker's per-container metadata directory (DATA_ROOT/containers/ID), from
 * the bundle's config.json: the parent of the source of the /etc/hostname
 * (else /etc/hosts, /etc/resolv.conf) bind mount, when that parent is named
 * id. BW_ERR_NOT_FOUND when there is no such mount. */
enum bw_err ctr_docker_meta_dir(const char *data, size_t n, const char *id, char *out,
				size_t outsz, struct bw_errbuf *eb);
/* Podman's containers.json from its bundle path: c/storage keeps a
 * container's bundle at STORE/DRIVER-containers/ID/userdata and the list at
 * STORE/DRIVER-containers/containers.json. false when bundle has another
 * shape. */
bool ctr_podman_meta_path(const char *bundle, const char *id, char *out, size_t outsz);

#endif

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

#endif

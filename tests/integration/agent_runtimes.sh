#!/bin/bash
# agent_runtimes.sh - the runtime agent with real Docker and Podman
# containers (docs/agent-containers.md): a dockerd started by hand in the
# host's mount namespace (so its state is where the agent can read it) with
# its own data root, exec root, pidfile and socket under $TMP, no bridge and
# no iptables; podman with its own --root/--runroot/--tmpdir under $TMP,
# runc, --network none. Images are busybox root filesystems imported as
# bwtest/dock:1 and bwtest/pod:1 (no registry).
#
# For each runtime, a container started before the agent and one started
# after it are listed by `bulwark agent status` with the runtime, the id and
# init pid `docker|podman inspect` report, the name, and the group (the
# image repository); their container.start events carry the image inspect
# reports. A policy per group (protect; allow /bin/sh and /bin/ls only):
# `exec C /bin/ls` works, `exec C /bin/wget` fails with exit 126 and a
# "blocked" event naming the container and the binary. Stopping a container
# gives a container.stop event and drops it from the status.
#
# Docker's runc state lives at EXEC_ROOT/runtime-runc/moby: the agent is
# told through BULWARK_AGENT_RUNTIME_ROOTS; the names and images come from
# DATA_ROOT/containers/ID (found from the bundle) and from Podman's
# containers.json next to its bundle.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_ctr.sh"

if ! need_root; then
	skip "agent runtimes" "needs root (dockerd, podman, fanotify)"
	done_testing
fi
for t in dockerd docker podman runc jq; do
	if ! command -v "$t" >/dev/null; then
		skip "agent runtimes" "$t is not installed (scripts/install-deps.sh)"
		done_testing
	fi
done

ID=$$
EV=$TMP/events.jsonl
SOCK=$TMP/agent.sock
STATE=$TMP/state
POL=$TMP/policies
D=$TMP/docker
PD=$TMP/podman
AGENT_LOG=$TMP/agent.log
DPID=
D1=bwt-$ID-d1
D2=bwt-$ID-d2
P1=bwt-$ID-p1
P2=bwt-$ID-p2
DIMG=bwtest/dock:1
PIMG=bwtest/pod:1
export DOCKER_HOST="unix://$D/docker.sock" DOCKER_CONFIG=$TMP/dockercfg
PODMAN=(podman --root "$PD/root" --runroot "$PD/run" --tmpdir "$PD/tmp" --storage-driver vfs
	--events-backend none --cgroup-manager cgroupfs)
# this machine's limits: podman's defaults are above what the container may set
PRUN=(--runtime runc --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --network none)

stop_docker() {
	local pid
	if [ -S "$D/docker.sock" ]; then
		for c in "$D1" "$D2"; do timeout 20 docker rm -f "$c" >/dev/null 2>&1; done
		timeout 20 docker rmi -f "$DIMG" >/dev/null 2>&1
	fi
	if [ -n "$DPID" ] && [ -e "/proc/$DPID" ]; then
		kill -TERM "$DPID" 2>/dev/null
		for _ in $(seq 1 60); do [ -e "/proc/$DPID" ] || break; sleep 0.5; done
		[ -e "/proc/$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	fi
	DPID=
	# this daemon's containerd and shims, if they outlived it (by pid)
	for pid in $(pgrep -f -- "$D/exec/containerd" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null
	done
}

stop_podman() {
	[ -d "$PD/root" ] || return 0
	for c in "$P1" "$P2"; do timeout 20 "${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null 2>&1; done
	timeout 20 "${PODMAN[@]}" rmi -f "$PIMG" >/dev/null 2>&1
}

cleanup() {
	agent_stop # first: no fanotify mark may outlive the agent's answers
	stop_docker
	stop_podman
	# anything still mounted below $TMP (overlay roots, shm, netns), deepest first
	grep -o " $TMP/[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	[ -n "${BW_KEEP_LOG:-}" ] && cp "$TMP/agent.log" "$BW_KEEP_LOG"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # so that a timeout still runs cleanup

events() { jq -c -R "fromjson? | select($1)" "$EV" 2>/dev/null; }

# wait_event JQ-SELECT [SECONDS]
wait_event() {
	local n=$((${2:-10} * 10))
	for _ in $(seq 1 "$n"); do
		events "$1" | grep -q . && return 0
		sleep 0.1
	done
	diag "no event matched: $1"
	return 1
}

start_dockerd() {
	mkdir -p "$D" "$DOCKER_CONFIG"
	echo '{}' >"$DOCKER_CONFIG/config.json" # podman reads it too (registry auth)
	echo '{}' >"$D/daemon.json"
	dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
		-H "unix://$D/docker.sock" --config-file "$D/daemon.json" \
		--bridge=none --iptables=false --ip6tables=false >"$D/dockerd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 1 120); do
		timeout 5 docker version >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.5
	done
	diag "dockerd did not start:"
	tail -20 "$D/dockerd.log" | while read -r l; do diag "$l"; done
	return 1
}

# check_listed RUNTIME ID NAME GROUP INIT_PID: the status entry
check_listed() {
	agent_wait_status ".containers[] | select(.id == \"$2\" and .runtime == \"$1\" and
		.name == \"$3\" and .group == \"$4\" and .init_pid == $5 and .mode == \"protect\" and
		.marked == true)"
}

# check_block RUNTIME ID LABEL EXEC...: EXEC is "docker exec C" or "podman ... exec C"
check_block() {
	local rt=$1 cid=$2 label=$3 out rc grp=bwtest/dock
	shift 3
	[ "$rt" = podman ] && grp=bwtest/pod
	timeout 60 "$@" /bin/ls /bin/ls >/dev/null 2>&1
	is "$?" 0 "$label: exec /bin/ls (allowed by the policy) works"
	# the shell (allowed) runs /bin/wget: EPERM at exec, the shell exits 126
	timeout 60 "$@" /bin/sh -c '/bin/wget --help' >/dev/null 2>"$TMP/err"
	is "$?" 126 "$label: sh -c /bin/wget (not in the policy) exits 126"
	ok "$label: the shell says Operation not permitted" grep -q "Operation not permitted" "$TMP/err"
	# the runtime execs it directly: the exec fails, the runtime says why
	out=$(timeout 60 "$@" /bin/wget --help 2>&1)
	rc=$?
	[ -n "${out##*[Oo]peration not permitted*}" ] && rc=0 # not the expected reason
	ok "$label: exec /bin/wget fails: operation not permitted (${out//$'\n'/ })" [ "$rc" != 0 ]
	wait_event ".type == \"blocked\" and .container.id == \"$cid\" and
		.container.runtime == \"$rt\" and .container.group == \"$grp\" and
		.file.path == \"/bin/wget\" and .action == \"denied\""
	ok "$label: blocked event names the container and /bin/wget" [ $? = 0 ]
}

# --- one agent at a time ------------------------------------------------------
agent_wait_others 180

plan 45

# --- fixtures -----------------------------------------------------------------
busybox_rootfs "$TMP/rootfs"
tar -C "$TMP/rootfs" -cf "$TMP/rootfs.tar" .
mkdir -p "$POL"
for g in dock pod; do
	cat >"$POL/$g.yaml" <<EOF
apiVersion: bulwark.dev/v1
kind: SecurityPolicy
metadata:
  name: bwtest/$g
spec:
  mode: protect
  process:
    - {path: /bin/sh, action: allow}
    - {path: /bin/ls, action: allow}
EOF
done
"$BULWARK" policy validate "$POL" >/dev/null
ok "the two policies validate" [ $? = 0 ]

start_dockerd
ok "dockerd starts (own data/exec root, no bridge, no iptables)" [ $? = 0 ]
timeout 60 docker import "$TMP/rootfs.tar" "$DIMG" >/dev/null
ok "docker import $DIMG" [ $? = 0 ]
mkdir -p "$PD/root" "$PD/run" "$PD/tmp"
timeout 60 "${PODMAN[@]}" import "$TMP/rootfs.tar" "$PIMG" >/dev/null 2>&1
ok "podman import $PIMG" [ $? = 0 ]

# sh reading an open, silent stdin: the only program each container runs
timeout 60 docker run -d -i --name "$D1" --network none "$DIMG" /bin/sh >/dev/null
ok "docker container started before the agent" [ $? = 0 ]
timeout 60 "${PODMAN[@]}" run -d -i --name "$P1" "${PRUN[@]}" "$PIMG" /bin/sh >/dev/null
ok "podman container started before the agent" [ $? = 0 ]

BULWARK_AGENT_RUNTIME_ROOTS="docker=$D/exec/runtime-runc/moby" agent_start --policy "$POL"
agent_wait_ready 20
ok "agent starts and answers status" [ $? = 0 ]

timeout 60 docker run -d -i --name "$D2" --network none "$DIMG" /bin/sh >/dev/null
ok "docker container started after the agent" [ $? = 0 ]
timeout 60 "${PODMAN[@]}" run -d -i --name "$P2" "${PRUN[@]}" "$PIMG" /bin/sh >/dev/null
ok "podman container started after the agent" [ $? = 0 ]

# --- discovery ------------------------------------------------------------------
for c in "$D1" "$D2"; do
	cid=$(docker inspect -f '{{.Id}}' "$c")
	pid=$(docker inspect -f '{{.State.Pid}}' "$c")
	img=$(docker inspect -f '{{.Config.Image}}' "$c")
	check_listed docker "$cid" "$c" bwtest/dock "$pid"
	ok "docker $c: listed with runtime docker, inspect's id and pid, its name, group bwtest/dock, protect" [ $? = 0 ]
	wait_event ".type == \"container.start\" and .container.id == \"$cid\" and
		.container.image == \"$img\" and .container.name == \"$c\""
	ok "docker $c: container.start event with image $img" [ $? = 0 ]
done
for c in "$P1" "$P2"; do
	cid=$("${PODMAN[@]}" inspect -f '{{.Id}}' "$c")
	pid=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$c")
	img=$("${PODMAN[@]}" inspect -f '{{.ImageName}}' "$c")
	check_listed podman "$cid" "$c" bwtest/pod "$pid"
	ok "podman $c: listed with runtime podman, inspect's id and pid, its name, group bwtest/pod, protect" [ $? = 0 ]
	wait_event ".type == \"container.start\" and .container.id == \"$cid\" and
		.container.image == \"$img\" and .container.name == \"$c\""
	ok "podman $c: container.start event with image $img" [ $? = 0 ]
done
n=$(agent_status | jq '[.containers[] | select(.name | startswith("bwt-'"$ID"'-"))] | length')
is "$n" 4 "exactly the four containers of this test are listed (one entry each)"

# --- protect --------------------------------------------------------------------
for c in "$D1" "$D2"; do
	check_block docker "$(docker inspect -f '{{.Id}}' "$c")" "docker $c" docker exec "$c"
done
for c in "$P1" "$P2"; do
	check_block podman "$("${PODMAN[@]}" inspect -f '{{.Id}}' "$c")" "podman $c" \
		"${PODMAN[@]}" exec "$c"
done

# --- stop -----------------------------------------------------------------------
cid=$(docker inspect -f '{{.Id}}' "$D1")
timeout 30 docker stop -t 1 "$D1" >/dev/null
ok "docker stop $D1" [ $? = 0 ]
wait_event ".type == \"container.stop\" and .container.id == \"$cid\" and .container.runtime == \"docker\""
ok "docker $D1: container.stop event" [ $? = 0 ]
agent_wait_status "[.containers[] | select(.id == \"$cid\")] | length == 0" 10
ok "docker $D1: gone from the status" [ $? = 0 ]
cid=$("${PODMAN[@]}" inspect -f '{{.Id}}' "$P2")
timeout 30 "${PODMAN[@]}" stop -t 1 "$P2" >/dev/null
ok "podman stop $P2" [ $? = 0 ]
wait_event ".type == \"container.stop\" and .container.id == \"$cid\" and .container.runtime == \"podman\""
ok "podman $P2: container.stop event" [ $? = 0 ]
agent_wait_status "[.containers[] | select(.id == \"$cid\")] | length == 0" 10
ok "podman $P2: gone from the status" [ $? = 0 ]

kill -0 "$AGENT_PID" 2>/dev/null
ok "agent still running" [ $? = 0 ]
done_testing

# lib_ctr.sh - real containers for the agent tests: OCI bundles from a
# busybox-static root filesystem (or any rootfs dir), run by runc or crun,
# always removed in the caller's EXIT trap (ctr_cleanup).
#
#   busybox_rootfs DIR          a root filesystem: /bin/busybox and one HARD
#                               link per applet (so a program's path, as
#                               fanotify reports it, is its own name), /tmp,
#                               /etc/passwd, /etc/shadow, /root/.ssh/id_rsa
#   make_bundle DIR ROOTFS [--netns PATH] [--annotation K=V]... -- ARGS...
#                               config.json from `runc spec`, not a terminal,
#                               writable root, the given process args
#   ctr_start RUNTIME ID BUNDLE start detached (RUNTIME: runc|crun); output
#                               goes to BUNDLE/out.log
#   ctr_exec RUNTIME ID ARGS... run a process in the container, wait for it,
#                               its exit code is returned
#   ctr_pid RUNTIME ID          the init pid
#   ctr_stop RUNTIME ID         kill and delete (no error if gone)
#   ctr_cleanup                 stop every container started by ctr_start
# Container ids are prefixed "bwt-$$-" so parallel or leftover runs never clash.

BW_CTRS=()

busybox_rootfs() {
	local d=$1 a
	mkdir -p "$d/bin" "$d/sbin" "$d/usr/bin" "$d/usr/sbin" "$d/etc" "$d/tmp" "$d/proc" \
		"$d/sys" "$d/dev" "$d/root/.ssh" "$d/var/tmp" "$d/dev/shm"
	chmod 1777 "$d/tmp" "$d/var/tmp"
	cp /bin/busybox "$d/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] && continue
		[ -e "$d/bin/$a" ] || ln "$d/bin/busybox" "$d/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$d/etc/passwd"
	printf 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$d/etc/shadow"
	chmod 600 "$d/etc/shadow"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
	printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\ntest key, not a real one\n-----END OPENSSH PRIVATE KEY-----\n' >"$d/root/.ssh/id_rsa"
	chmod 600 "$d/root/.ssh/id_rsa"
}

make_bundle() {
	local b=$1 root=$2 netns="" ann=() args
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--netns) netns=$2; shift 2 ;;
		--annotation) ann+=("$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	mkdir -p "$b"
	(cd "$b" && rm -f config.json && runc spec)
	args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	local annj='{}' kv
	for kv in "${ann[@]}"; do
		annj=$(jq --arg k "${kv%%=*}" --arg v "${kv#*=}" '. + {($k): $v}' <<<"$annj")
	done
	jq --arg root "$(realpath "$root")" --argjson args "$args" --argjson ann "$annj" --arg netns "$netns" '
		.process.terminal = false | .process.args = $args | .root.path = $root |
		.root.readonly = false | .annotations = $ann |
		.process.env += ["HOME=/root"] |
		(if $netns != "" then .linux.namespaces |= map(if .type == "network" then .path = $netns else . end) else . end)
	' "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

ctr_start() {
	local rt=$1 id=$2 b=$3
	BW_CTRS+=("$rt:$id")
	timeout 30 "$rt" run -d -b "$b" "$id" </dev/null >"$b/out.log" 2>&1
}

ctr_exec() {
	local rt=$1 id=$2
	shift 2
	timeout 60 "$rt" exec "$id" "$@"
}

ctr_pid() {
	"$1" state "$2" 2>/dev/null | jq -r .pid
}

ctr_stop() {
	timeout 10 "$1" kill "$2" KILL >/dev/null 2>&1
	for _ in $(seq 1 50); do
		"$1" state "$2" 2>/dev/null | grep -q '"status": "running"' || break
		sleep 0.1
	done
	timeout 10 "$1" delete -f "$2" >/dev/null 2>&1 || true
}

ctr_cleanup() {
	local c
	for c in "${BW_CTRS[@]}"; do ctr_stop "${c%%:*}" "${c#*:}"; done
	BW_CTRS=()
}

# crun needs the hugetlb controller off cgroup2 on this kind of machine (it
# is not delegated there): mount it as a v1 hierarchy once.
crun_prepare() {
	if ! grep -q ' /sys/fs/cgroup/hugetlb ' /proc/mounts; then
		mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null
		mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null || true
	fi
}

# --- the runtime agent (agent_*.sh, bench/agent.sh) ----------------------------
# The caller sets BULWARK, SOCK (control socket), STATE (state dir), EV (the
# --events argument) and AGENT_LOG (the agent's stderr, appended; default
# /dev/null); AGENT_PID is the running agent's pid, empty when none.
#   agent_wait_others [SECONDS] wait (bounded, default 180 s) until no other
#                               `bulwark agent` runs (one fanotify/BPF agent
#                               at a time on a host); goes on after that
#   agent_start [-v] ARGS...    `bulwark [-v] agent --events EV --state-dir
#                               STATE --socket SOCK ARGS...` in the background;
#                               sets AGENT_PID, does not wait
#   agent_status                the status JSON (empty if nothing answers)
#   agent_wait_status JQ [SECONDS]  the status answers and satisfies JQ
#                               (jq -e), default 20 s
#   agent_wait_ready [SECONDS]  the status answers (default 30 s); fails at
#                               once if the agent exits
#   agent_wait_marked ID [SECONDS]  container ID is known and its mounts are
#                               marked (default 15 s)
#   agent_stop                  SIGTERM, up to 5 s, SIGKILL, reap; the EXIT
#                               trap calls it before removing containers (no
#                               fanotify mark may outlive the agent's answers)
AGENT_PID=

agent_diag() {
	if declare -F diag >/dev/null; then diag "$@"; else printf '# %s\n' "$*" >&2; fi
}

agent_others() {
	pgrep -af 'bulwark agent' | grep -vE 'agent (status|mode|reload)' | grep -q .
}

agent_wait_others() {
	local n=${1:-180}
	for _ in $(seq 1 "$n"); do
		agent_others || return 0
		sleep 1
	done
	agent_others && agent_diag "another agent is still running after $n s; going on"
	return 0
}

agent_start() {
	local g=()
	[ "${1:-}" = -v ] && { g=(-v); shift; }
	"$BULWARK" "${g[@]}" agent --events "$EV" --state-dir "$STATE" --socket "$SOCK" "$@" \
		2>>"${AGENT_LOG:-/dev/null}" &
	AGENT_PID=$!
}

agent_status() { timeout 10 "$BULWARK" agent status --socket "$SOCK" --format json 2>/dev/null; }

agent_wait_status() {
	local n=$((${2:-20} * 10)) st
	for _ in $(seq 1 "$n"); do
		# jq 1.6 -e exits 0 on empty input: require an answer first
		st=$(agent_status) && [ -n "$st" ] && jq -e "$1" >/dev/null 2>&1 <<<"$st" && return 0
		sleep 0.1
	done
	agent_diag "status never matched: $1"
	agent_status | head -c 3000 | while read -r l; do agent_diag "$l"; done
	return 1
}

agent_wait_ready() {
	local n=$((${1:-30} * 10)) st
	for _ in $(seq 1 "$n"); do
		st=$(agent_status) && [ -n "$st" ] && return 0
		[ -n "$AGENT_PID" ] && ! kill -0 "$AGENT_PID" 2>/dev/null && break
		sleep 0.1
	done
	agent_diag "the agent never answered status on $SOCK"
	[ -n "${AGENT_LOG:-}" ] && tail -20 "$AGENT_LOG" 2>/dev/null | while read -r l; do agent_diag "$l"; done
	return 1
}

agent_wait_marked() {
	agent_wait_status ".containers[] | select(.id == \"$1\" and .marked == true)" "${2:-15}"
}

agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

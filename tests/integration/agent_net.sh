#!/bin/bash
# agent_net.sh - the runtime agent's network observation and process exits
# with real runc containers (docs/agent-events.md, docs/agent.md):
#   container A (group bwtest/client) connects with /bin/nc to container B
#   (group bwtest/server, busybox `nc -l`) and to a python3 listener in a
#   third network namespace that no container owns;
#   the net.connect / net.accept events carry the 5-tuple, direction and
#   process; in discover mode the profiles learn "peer group" (B's address
#   belongs to a known container) or the address, "PORT/tcp"; the exported
#   policy has the matching egress rules and validates;
#   process.exit events carry the exit code or the signal.
#
# Truth comes from the other side of each connection: the python3 listener
# prints getpeername()/getsockname() of the accepted socket, `ss -tnp` in the
# listener's namespace gives both ends and the pids; exit codes from
# `runc exec`'s own exit status, pids from pgrep in the container's mount
# namespace.
#
# Topology (X from the test's pid):  nsP 10.231.Y.2 -- 10.231.Y.1 nsA
#                                    nsA 10.231.X.1 -- 10.231.X.2 nsB
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_ctr.sh"

if ! need_root; then
	skip "agent net" "needs root (runc, network namespaces, BPF)"
	done_testing
fi

ID=$$
EV=$TMP/events.jsonl
SOCK=$TMP/agent.sock
STATE=$TMP/state
AGENT_LOG=$TMP/agent.log
PY_PID=
CA=bwt-$ID-cli
CB=bwt-$ID-srv
NSA=bwt$ID-a
NSB=bwt$ID-b
NSP=bwt$ID-p
NETNS=()
X=$((ID % 100 + 1))
Y=$((X + 100))
IPA=10.231.$X.1
IPB=10.231.$X.2
IPA2=10.231.$Y.1
IPP=10.231.$Y.2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

cleanup() {
	local n
	agent_stop # first: no fanotify mark may outlive the agent's answers
	[ -n "$PY_PID" ] && kill -KILL "$PY_PID" 2>/dev/null
	ctr_cleanup
	# deleting a namespace deletes its veth ends (and their peers)
	for n in "${NETNS[@]}"; do ip netns delete "$n" 2>/dev/null; done
	[ -n "${BW_KEEP_LOG:-}" ] && cp "$TMP/agent.log" "$BW_KEEP_LOG"
	[ -n "${BW_KEEP_EVENTS:-}" ] && cp "$EV" "$BW_KEEP_EVENTS" # for debugging
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP # a signal still runs the EXIT trap

events() { jq -c -R "fromjson? | select($1)" "$EV" 2>/dev/null; }

# wait_event JQ-SELECT [SECONDS]: prints the first match
wait_event() {
	local n=$((${2:-10} * 10)) m
	for _ in $(seq 1 "$n"); do
		m=$(events "$1" | head -n 1)
		[ -n "$m" ] && { printf '%s\n' "$m"; return 0; }
		sleep 0.1
	done
	diag "no event matched: $1"
	return 1
}

# wait_file FILE PATTERN [SECONDS]
wait_file() {
	local n=$((${3:-10} * 10))
	for _ in $(seq 1 "$n"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ss_est NS PORT: "LOCAL PEER PID" of the established connection on local
# port PORT in NS (ss -tnp: the kernel's socket table). busybox nc listens on
# a dual-stack IPv6 socket: ss shows IPv4 peers as [::ffff:A.B.C.D]:PORT,
# which the agent writes as A.B.C.D:PORT (docs/agent-events.md).
ss_est() {
	ip netns exec "$1" ss -tnpH state established "( sport = :$2 )" 2>/dev/null |
		awk 'NR == 1 { pid = ""; if (match($0, /pid=[0-9]+/)) pid = substr($0, RSTART + 4, RLENGTH - 4); print $3, $4, pid }' |
		sed -E 's/\[::ffff:([0-9.]+)\]/\1/g'
}

# --- network: three namespaces, two veth pairs ---------------------------------
setup_net() {
	local n
	for n in "$NSA" "$NSB" "$NSP"; do
		ip netns add "$n" || return 1
		NETNS+=("$n")
		ip -n "$n" link set lo up || return 1
	done
	ip link add "bwa$ID" netns "$NSA" type veth peer name "bwb$ID" netns "$NSB" || return 1
	ip link add "bwc$ID" netns "$NSA" type veth peer name "bwp$ID" netns "$NSP" || return 1
	ip -n "$NSA" addr add "$IPA/24" dev "bwa$ID" &&
		ip -n "$NSB" addr add "$IPB/24" dev "bwb$ID" &&
		ip -n "$NSA" addr add "$IPA2/24" dev "bwc$ID" &&
		ip -n "$NSP" addr add "$IPP/24" dev "bwp$ID" || return 1
	for n in "$NSA:bwa$ID" "$NSA:bwc$ID" "$NSB:bwb$ID" "$NSP:bwp$ID"; do
		ip -n "${n%%:*}" link set "${n#*:}" up || return 1
	done
}



# one BPF/fanotify agent at a time on this host: wait (bounded) for another
agent_wait_others 300
setup_net
ok "network namespaces and veth pairs set up" [ $? = 0 ]

ROOT=$TMP/rootfs
busybox_rootfs "$ROOT"
make_bundle "$TMP/ba" "$ROOT" --netns "/var/run/netns/$NSA" \
	--annotation org.opencontainers.image.ref.name=bwtest/client:1 -- /bin/sleep 1000
# one connection per port: nc's stdin stays open (sleep), it holds the socket
# (one line: make_bundle passes arguments one per line)
make_bundle "$TMP/bb" "$ROOT" --netns "/var/run/netns/$NSB" \
	--annotation org.opencontainers.image.ref.name=bwtest/server:1 -- \
	/bin/sh -c '/bin/sleep 1000 | /bin/nc -l -p 8080 >/dev/null & /bin/sleep 1000 | /bin/nc -l -p 8081 >/dev/null & wait'

# --- the agent (discover by default), then the containers ------------------
# net.accept comes from the system call hooks (off by default, docs/agent.md)
agent_start --syscall-hooks on
agent_wait_status '.source == "bpf" and .syscall_hooks == true' 20
ok "agent answers status (eBPF source, system call hooks on)" [ $? = 0 ]
ctr_start runc "$CA" "$TMP/ba" && ctr_start runc "$CB" "$TMP/bb"
ok "containers A and B start" [ $? = 0 ]
agent_wait_status "[.containers[] | select((.id == \"$CA\" and .group == \"bwtest/client\") or
	(.id == \"$CB\" and .group == \"bwtest/server\"))] | length == 2"
ok "both containers discovered in their groups" [ $? = 0 ]
src=$(agent_status | jq -r .source)
diag "event source: $src"

# --- A -> B (container to container) ------------------------------------------
for _ in $(seq 1 100); do ip netns exec "$NSB" ss -tlnH "( sport = :8080 )" | grep -q . && break; sleep 0.1; done
timeout 20 runc exec "$CA" /bin/sh -c "/bin/sleep 3 | /bin/nc $IPB 8080" >/dev/null 2>&1 &
NC1=$!
est=
for _ in $(seq 1 50); do est=$(ss_est "$NSB" 8080); [ -n "$est" ] && break; sleep 0.1; done
read -r b_local a_addr b_pid <<<"$est"
a_est=$(ip netns exec "$NSA" ss -tnpH state established "( dport = :8080 )" 2>/dev/null |
	awk 'NR == 1 && match($0, /pid=[0-9]+/) { print substr($0, RSTART + 4, RLENGTH - 4) }')
diag "B sees $b_local <- $a_addr (B pid $b_pid, A pid $a_est)"
is "$b_local" "$IPB:8080" "B's listener accepted on $IPB:8080 (ss in B's namespace)"

ev=$(wait_event ".type == \"net.connect\" and .container.id == \"$CA\" and .net.remote == \"$IPB:8080\"" 10)
is "$(jq -r '[.net.direction, .net.proto, .net.local, .net.remote] | join(" ")' <<<"$ev")" \
	"egress tcp $a_addr $b_local" "net.connect of A: egress tcp, local/remote as B's socket sees them"
is "$(jq -r '[.process.pid, .process.exe] | join(" ")' <<<"$ev")" "$a_est /bin/nc" \
	"net.connect names the connecting process (pid from ss in A's namespace, /bin/nc)"
is "$(jq -r '.container.group + " " + .net.peer_group' <<<"$ev")" "bwtest/client bwtest/server" \
	"net.connect: container group and the peer's group"

ev=$(wait_event ".type == \"net.accept\" and .container.id == \"$CB\" and .net.local == \"$IPB:8080\"" 10)
is "$(jq -r '[.net.direction, .net.proto, .net.local, .net.remote] | join(" ")' <<<"$ev")" \
	"ingress tcp $b_local $a_addr" "net.accept of B: ingress tcp, local/remote as ss shows them"
is "$(jq -r '[.process.pid, .process.exe, .action] | join(" ")' <<<"$ev")" "$b_pid /bin/nc learned" \
	"net.accept names the accepting process (pid from ss in B's namespace), learned"
wait "$NC1" 2>/dev/null

# --- A -> B over IPv6, addresses added after B was found ------------------------
# (B's address is learned from its if_inet6 when the peer is not known yet)
IP6A=fd42:231:$X::1
IP6B=fd42:231:$X::2
ip -n "$NSA" addr add "$IP6A/64" dev "bwa$ID" nodad &&
	ip -n "$NSB" addr add "$IP6B/64" dev "bwb$ID" nodad
ok "IPv6 addresses added to A and B (after the agent found them)" [ $? = 0 ]
for _ in $(seq 1 100); do ip netns exec "$NSB" ss -tlnH "( sport = :8081 )" | grep -q . && break; sleep 0.1; done
timeout 20 runc exec "$CA" /bin/sh -c "/bin/sleep 3 | /bin/nc $IP6B 8081" >/dev/null 2>&1 &
NC3=$!
est=
for _ in $(seq 1 50); do est=$(ss_est "$NSB" 8081); [ -n "$est" ] && break; sleep 0.1; done
read -r b_local a_addr _ <<<"$est"
diag "B sees $b_local <- $a_addr"
is "$b_local" "[$IP6B]:8081" "B accepted on [$IP6B]:8081 (ss)"
ev=$(wait_event ".type == \"net.connect\" and .container.id == \"$CA\" and .net.remote == \"$b_local\"" 10)
is "$(jq -r '[.net.direction, .net.local, .net.remote, .net.peer_group] | join(" ")' <<<"$ev")" \
	"egress $a_addr $b_local bwtest/server" "IPv6 net.connect: [IP]:PORT as ss shows them, peer group bwtest/server"
ev=$(wait_event ".type == \"net.accept\" and .container.id == \"$CB\" and .net.local == \"$b_local\"" 10)
is "$(jq -r '[.net.direction, .net.remote, .net.peer_group] | join(" ")' <<<"$ev")" \
	"ingress $a_addr bwtest/client" "IPv6 net.accept of B: the remote is A, group bwtest/client"
wait "$NC3" 2>/dev/null

# --- A -> P (a host process in a namespace no container owns) ---------------
cat >"$TMP/listen.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
print("ready", flush=True)
c, peer = s.accept()
me = c.getsockname()
print("conn %s:%d %s:%d" % (peer[0], peer[1], me[0], me[1]), flush=True)
time.sleep(3)
EOF
timeout 30 ip netns exec "$NSP" "$PY" "$TMP/listen.py" "$IPP" 9090 >"$TMP/py.out" 2>&1 &
PY_PID=$!
wait_file "$TMP/py.out" '^ready' 10
timeout 20 runc exec "$CA" /bin/sh -c "/bin/sleep 2 | /bin/nc $IPP 9090" >/dev/null 2>&1 &
NC2=$!
wait_file "$TMP/py.out" '^conn ' 10
read -r _ p_peer p_me < <(grep '^conn ' "$TMP/py.out")
diag "the python3 listener saw $p_peer -> $p_me"
ev=$(wait_event ".type == \"net.connect\" and .container.id == \"$CA\" and .net.remote == \"$IPP:9090\"" 10)
is "$(jq -r '[.net.direction, .net.proto, .net.local, .net.remote] | join(" ")' <<<"$ev")" \
	"egress tcp $p_peer $p_me" "net.connect to P: local = the listener's getpeername(), remote = its getsockname()"
is "$(jq -r '.net.peer_group // "none"' <<<"$ev")" "none" "an address no container owns has no peer group"
wait "$NC2" 2>/dev/null
wait "$PY_PID" 2>/dev/null
PY_PID=
is "$(events ".type == \"net.accept\" and .net.local == \"$IPP:9090\"" | wc -l)" 0 \
	"the host listener's accept is not a container event"

# --- learned profiles, export, validate ---------------------------------------
prof_c=$STATE/profiles/bwtest_client.json
prof_s=$STATE/profiles/bwtest_server.json
conns() { jq -c '[.conns[]? | "\(.direction) \(.peer) \(.port)/\(.proto)"] | sort' "$1" 2>/dev/null; }
want_c="[\"egress $IPP 9090/tcp\",\"egress bwtest/server 8080/tcp\",\"egress bwtest/server 8081/tcp\"]"
want_c=$(jq -c 'sort' <<<"$want_c")
got=
for _ in $(seq 1 50); do got=$(conns "$prof_c"); [ "$got" = "$want_c" ] && break; sleep 0.2; done
is "$got" "$want_c" "client profile: peer group for B's address, the address for P, PORT/tcp"
want_s='["ingress bwtest/client 8080/tcp","ingress bwtest/client 8081/tcp"]'
for _ in $(seq 1 50); do got=$(conns "$prof_s"); [ "$got" = "$want_s" ] && break; sleep 0.2; done
is "$got" "$want_s" "server profile: ingress from group bwtest/client on 8080/tcp and 8081/tcp"
agent_wait_status '.groups[] | select(.name == "bwtest/client" and .profile.conns == 3)' 5
ok "status counts the client's three learned connections" [ $? = 0 ]

mkdir -p "$TMP/pol"
"$BULWARK" policy export --group bwtest/client --state-dir "$STATE" -o "$TMP/pol/client.yaml" 2>"$TMP/export.err"
is "$?" 0 "policy export --group bwtest/client"
rules=$("$PY" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
out = []
for r in (d.get("spec", {}).get("network", {}) or {}).get("egress", []) or []:
    to = r.get("to", {})
    peer = "group=" + to["group"] if "group" in to else "cidr=" + str(to.get("cidr"))
    for p in r.get("ports", []) or []:
        out.append(peer + " " + str(p))
print(";".join(sorted(out)))' "$TMP/pol/client.yaml" 2>&1)
is "$rules" "cidr=$IPP 9090/tcp;group=bwtest/server 8080/tcp;group=bwtest/server 8081/tcp" \
	"exported egress rules: to group bwtest/server 8080/tcp, 8081/tcp and to $IPP 9090/tcp"
"$BULWARK" policy validate "$TMP/pol/client.yaml" >/dev/null 2>&1
is "$?" 0 "the exported policy validates"

# --- process.exit ----------------------------------------------------------------
APID=$(ctr_pid runc "$CA")
timeout 20 runc exec "$CA" /bin/sh -c '/bin/sleep 1; exit 3' >/dev/null 2>&1 &
EX1=$!
xpid=
for _ in $(seq 1 50); do
	xpid=$(pgrep --ns "$APID" --nslist mnt -f '^/bin/sh -c /bin/sleep 1; exit 3$' | head -n 1)
	[ -n "$xpid" ] && break
	sleep 0.05
done
wait "$EX1"
rc=$?
is "$rc" 3 "runc exec reports exit status 3 (the truth)"
ev=$(wait_event ".type == \"process.exit\" and .container.id == \"$CA\" and .process.pid == ${xpid:-0}" 10)
is "$(jq -r '[.exit.code, .process.comm, .process.exe, .container.group] | join(" ")' <<<"$ev")" \
	"$rc sh /bin/sh bwtest/client" "process.exit of that shell (pid $xpid from pgrep): code $rc, sh, /bin/sh"
timeout 20 runc exec "$CA" /bin/sh -c '/bin/sleep 1; kill -9 $$' >/dev/null 2>&1 &
EX2=$!
kpid=
for _ in $(seq 1 50); do
	kpid=$(pgrep --ns "$APID" --nslist mnt -f '^/bin/sh -c /bin/sleep 1; kill -9' | head -n 1)
	[ -n "$kpid" ] && break
	sleep 0.05
done
wait "$EX2"
rc=$?
ev=$(wait_event ".type == \"process.exit\" and .container.id == \"$CA\" and .process.pid == ${kpid:-0}" 10)
is "$(jq -r '"\(.exit.signal) \(.exit.code)"' <<<"$ev")" "$((rc - 128)) null" \
	"process.exit of a killed shell: signal $((rc - 128)) (runc exec: $rc), no code"

agent_stop
is "$(events '.type == "agent.stop"' | wc -l)" 1 "agent stops cleanly"
done_testing

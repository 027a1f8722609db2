#!/bin/bash
# agent_safety.sh - the agent's safety properties (docs/agent.md, "Safety"):
# it never blocks host processes (a host exec of a binary that is denied in
# the container runs); a SIGKILLed agent leaves no process stuck on a
# permission event (the next exec in the container completes within 2 s
# while an exec loop was running in protect); SIGTERM stops it cleanly
# (agent.stop event, socket removed, exit 0); an exec flood with an event
# reader that never reads keeps the agent's memory bounded, counts the
# dropped events in status and does not crash it; a non-root run fails with a
# clear message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_ctr.sh"

if ! need_root; then
	skip "agent safety" "needs root (runc, fanotify, BPF)"
	done_testing
fi

ID=$$
EV=$TMP/events.jsonl
SOCK=$TMP/agent.sock
STATE=$TMP/state
POL=$TMP/policies
AGENT_LOG=$TMP/agent.log
LOOP_PID=
READER_PID=
C=bwt-$ID-safe
RSS_BOUND_KB=$((64 * 1024)) # measured peak here about 25 MB: see docs/agent.md
# AddressSanitizer's shadow memory and quarantine: about 185 MB measured
grep -q __asan_init "$BULWARK" 2>/dev/null && RSS_BOUND_KB=$((256 * 1024))

cleanup() {
	agent_stop # first: no fanotify mark may outlive the agent's answers
	[ -n "$LOOP_PID" ] && kill "$LOOP_PID" 2>/dev/null
	[ -n "$READER_PID" ] && kill "$READER_PID" 2>/dev/null
	ctr_cleanup
	[ -n "${BW_KEEP_LOG:-}" ] && cp "$TMP/agent.log" "$BW_KEEP_LOG"
	rm -rf "$TMP"
}
trap cleanup EXIT

events() { jq -c -R "fromjson? | select($1)" "$EV" 2>/dev/null; }

ROOT=$TMP/rootfs
busybox_rootfs "$ROOT"
make_bundle "$TMP/b" "$ROOT" --annotation org.opencontainers.image.ref.name=bwtest/safe:1 \
	-- /bin/sleep 1000
mkdir -p "$POL"
cat >"$POL/safe.yaml" <<'EOF'
apiVersion: bulwark.dev/v1
kind: SecurityPolicy
metadata:
  name: bwtest/safe
spec:
  selector: {group: bwtest/safe}
  mode: protect
  process:
    - {path: /bin/sh, action: allow}
    - {path: /bin/sleep, action: allow}
    - {path: /bin/true, action: allow}
EOF

plan 14

# --- not root ------------------------------------------------------------------
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BULWARK" agent \
	--socket "$TMP/nobody.sock" --state-dir "$TMP/nobody" 2>&1)
rc=$?
is "$rc" 2 "non-root 'bulwark agent' exits 2"
ok "with a clear message ($out)" grep -q "must run as root" <<<"$out"

# --- host processes are never blocked ------------------------------------------------
ctr_start runc "$C" "$TMP/b"
agent_start -v --policy "$POL"; agent_wait_marked "$C" 20
ok "agent up, container in protect and marked" [ $? = 0 ]
ctr_exec runc "$C" /bin/sh -c '/bin/wget --help' >/dev/null 2>&1
is "$?" 126 "in the container, /bin/wget is denied"
"$ROOT/bin/wget" --help >/dev/null 2>&1
is "$?" 0 "on the host, the very same file runs ($ROOT/bin/wget)"
timeout 5 /bin/true
is "$?" 0 "host execs are untouched"

# --- SIGKILL during an exec loop: nothing stays stuck --------------------------------
timeout 60 runc exec "$C" /bin/sh -c 'while :; do /bin/true; done' >/dev/null 2>&1 &
LOOP_PID=$!
sleep 1
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
t0=$(date +%s%N)
timeout 2 runc exec "$C" /bin/true
rc=$?
t1=$(date +%s%N)
is "$rc" 0 "after kill -9 of the agent, the next exec completes ($(((t1 - t0) / 1000000)) ms)"
ok "the exec loop is still running, not stuck" kill -0 "$LOOP_PID"
kill "$LOOP_PID" 2>/dev/null
wait "$LOOP_PID" 2>/dev/null
LOOP_PID=

# --- SIGTERM -----------------------------------------------------------------------
agent_start -v --policy "$POL"; agent_wait_marked "$C" 20
kill -TERM "$AGENT_PID"
rc=124
for _ in $(seq 1 50); do
	if ! kill -0 "$AGENT_PID" 2>/dev/null; then wait "$AGENT_PID"; rc=$?; break; fi
	sleep 0.1
done
AGENT_PID=
is "$rc" 0 "SIGTERM: the agent exits 0 within 5 s"
ok "agent.stop event written" [ -n "$(events '.type == "agent.stop"')" ]
ok "control socket removed" [ ! -e "$SOCK" ]

# --- an exec flood with a reader that never reads -----------------------------------
# events go to a pipe nobody reads: the agent must drop and count, not block
# or grow. The group is in monitor: every exec is a violation plus a
# process.exec event with long arguments.
mkfifo "$TMP/fifo"
sleep 600 <"$TMP/fifo" &
READER_PID=$!
# events on the agent's stdout, into the fifo
EV=- agent_start -v --policy "$POL" >"$TMP/fifo"; agent_wait_marked "$C" 20
"$BULWARK" agent mode bwtest/safe monitor --socket "$SOCK" >/dev/null
pad=$(printf 'x%.0s' $(seq 1 400))
timeout 120 runc exec "$C" /bin/sh -c "i=0; while [ \$i -lt 6000 ]; do /bin/echo $pad \$i >/dev/null; i=\$((i + 1)); done"
flood_rc=$?
st=$(agent_status)
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$AGENT_PID/status" 2>/dev/null)
diag "flood: rc $flood_rc, agent peak RSS ${hwm:-?} kB; counters: $(jq -c .counters <<<"$st")"
jq -e '.counters.events_seen >= 6000' <<<"$st" >/dev/null
ok "after 6000 execs the agent is alive and answers status" [ $? = 0 ]
jq -e '.counters.dropped.output > 0' <<<"$st" >/dev/null
ok "events it could not write are counted as dropped (output)" [ $? = 0 ]
ok "peak RSS ${hwm:-?} kB stays under $RSS_BOUND_KB kB" [ "${hwm:-999999999}" -lt "$RSS_BOUND_KB" ]
agent_stop

done_testing

#!/bin/bash
# agent_flow.sh - the runtime agent's round trip with real containers
# (docs/agent.md): learn a workload in discover mode, export the learned
# profile as policy, apply it in protect (restart with --policy: the
# container started before the agent is found and enforced, the learned
# profile survives the restart), the workload still runs clean, an unlisted
# binary is denied before it runs (EPERM, exit 126, "blocked" event), a file
# deny rule denies a write below /etc, SIGHUP with an invalid policy keeps the
# old one, `agent mode` switches to monitor at run time ("violation", the
# binary runs), the same block under crun, and the proc-connector source.
#
# Expected values come from the kernel and the shell (exit codes, strerror
# text), from the workload script's own list of tools, and from jq over the
# event stream; the policy YAML comes from `bulwark policy export`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_ctr.sh"

if ! need_root; then
	skip "agent flow" "needs root (runc, fanotify, BPF)"
	done_testing
fi

ID=$$
EV=$TMP/events.jsonl
SOCK=$TMP/agent.sock
STATE=$TMP/state
POL=$TMP/policies
AGENT_LOG=$TMP/agent.log
C1=bwt-$ID-app
C2=bwt-$ID-crun
GROUP=bwtest/app

cleanup() {
	agent_stop # first: no fanotify mark may outlive the agent's answers
	ctr_cleanup
	[ -n "${BW_KEEP_LOG:-}" ] && cp "$TMP/agent.log" "$BW_KEEP_LOG" # the agent's stderr, for debugging
	rm -rf "$TMP"
}
trap cleanup EXIT

# events JQ-SELECT: matching events, compact
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

# --- fixtures -----------------------------------------------------------------
ROOT=$TMP/rootfs
busybox_rootfs "$ROOT"
mkdir -p "$ROOT/app" "$ROOT/etc/app"
cat >"$ROOT/app/work.sh" <<'EOF'
#!/bin/sh
# the learned workload: a few tools and a write below /etc/app (by path:
# busybox sh would otherwise run its applets in-process, without an exec)
/bin/ls /etc >/dev/null
/bin/cat /etc/passwd >/dev/null
/bin/sed -n 1p /etc/passwd >/dev/null
/bin/sleep 0
echo "run $$" >/etc/app/state
EOF
chmod 755 "$ROOT/app/work.sh"
make_bundle "$TMP/b1" "$ROOT" --annotation org.opencontainers.image.ref.name=bwtest/app:1 \
	-- /bin/sleep 1000
cp -a "$TMP/b1" "$TMP/b2"

plan 34

# --- 1. learn ---------------------------------------------------------------
agent_start; agent_wait_ready 20
ok "agent starts (discover by default) and answers status" [ $? = 0 ]
ctr_start runc "$C1" "$TMP/b1"
ok "runc container starts" [ $? = 0 ]
agent_wait_status ".containers[] | select(.id == \"$C1\" and .group == \"$GROUP\" and
	.mode == \"discover\" and .marked == true)"
ok "container discovered in group $GROUP (image repository), discover, marked" [ $? = 0 ]
ctr_exec runc "$C1" /app/work.sh
is "$?" 0 "workload runs in discover mode"
ctr_exec runc "$C1" /app/work.sh # a second run: the first exec may race the marks
want='["/app/work.sh","/bin/cat","/bin/ls","/bin/sed","/bin/sh","/bin/sleep"]'
prof="$STATE/profiles/bwtest_app.json"
got='[]'
for _ in $(seq 1 50); do
	got=$(jq -c '[.execs[]? | (if type == "string" then split("\t")[0] else (.exe // .path) end)] |
		map(select(. as $e | ["/app/work.sh","/bin/cat","/bin/ls","/bin/sed","/bin/sh","/bin/sleep"] |
		index($e))) | unique' "$prof" 2>/dev/null)
	[ "$got" = "$want" ] && break
	sleep 0.2
done
is "$got" "$want" "the workload's programs are in the saved profile (within 10 s)"
agent_wait_status ".groups[] | select(.name == \"$GROUP\" and .profile.execs >= 6 and .profile.writes >= 1)"
ok "status shows the learned execs and the write" [ $? = 0 ]
execs_before=$(agent_status | jq ".groups[] | select(.name == \"$GROUP\") | .profile.execs")

# --- 2. export, validate, apply in protect by restarting with --policy --------
mkdir -p "$POL"
"$BULWARK" policy export --group "$GROUP" --state-dir "$STATE" --mode protect -o "$POL/app.yaml"
is "$?" 0 "policy export of the learned profile"
"$BULWARK" policy validate "$POL" >/dev/null
is "$?" 0 "exported policy validates"
agent_stop
ok "agent stops on SIGTERM" [ -z "$AGENT_PID" ]
agent_start --policy "$POL"; agent_wait_ready 20
agent_wait_status ".containers[] | select(.id == \"$C1\" and .mode == \"protect\" and .marked == true)"
ok "restart with --policy: the container started before the agent is found, protect" [ $? = 0 ]
execs_after=$(agent_status | jq ".groups[] | select(.name == \"$GROUP\") | .profile.execs")
ok "the learned profile survives the restart ($execs_before -> $execs_after execs)" \
	[ "${execs_after:-0}" -ge "$execs_before" ]

# --- 3. protect ---------------------------------------------------------------
ctr_exec runc "$C1" /app/work.sh
is "$?" 0 "learned workload runs clean in protect"
ok "no blocked event for the workload" [ -z "$(events ".type == \"blocked\"")" ]
ctr_exec runc "$C1" /bin/sh -c '/bin/wget --help' 2>"$TMP/err1" >/dev/null
is "$?" 126 "unlisted /bin/wget: exit 126"
ok "stderr says Operation not permitted" grep -q "Operation not permitted" "$TMP/err1"
wait_event ".type == \"blocked\" and .container.id == \"$C1\" and .file.path == \"/bin/wget\" and
	.action == \"denied\" and .reason == \"not in profile\""
ok "blocked event names the container and the binary" [ $? = 0 ]

# --- 4. a file deny rule: write below /etc ------------------------------------
# the exported policy plus one rule at the end of spec.file (first match wins,
# so the learned /etc/app/state stays allowed)
awk '
	infile && !/^    / { print "    - {path: \"/etc/**\", access: write, action: deny}"; infile = 0; done = 1 }
	{ print }
	/^  file:$/ { infile = 1 }
	END { if (infile) print "    - {path: \"/etc/**\", access: write, action: deny}" }
' "$POL/app.yaml" >"$TMP/app.yaml" && mv "$TMP/app.yaml" "$POL/app.yaml"
"$BULWARK" policy validate "$POL" >/dev/null
is "$?" 0 "policy with the /etc/** write deny rule validates"
kill -HUP "$AGENT_PID"
wait_event ".type == \"policy.applied\""
ok "SIGHUP: policy.applied" [ $? = 0 ]
sleep 0.5
ctr_exec runc "$C1" /bin/sh -c 'echo x >/etc/newfile' 2>"$TMP/err2"
rc=$?
grep -q "Operation not permitted" "$TMP/err2" || rc="$rc, stderr: $(head -c 200 "$TMP/err2")"
[ "$rc" = 1 ] || [ "$rc" = 2 ]
ok "write to /etc/newfile denied (rc $rc, Operation not permitted)" [ $? = 0 ]
wait_event ".type == \"blocked\" and .container.id == \"$C1\" and .file.path == \"/etc/newfile\" and
	.file.access == \"write\" and (.reason | startswith(\"rule \"))"
ok "blocked event for the write, naming the rule" [ $? = 0 ]
ctr_exec runc "$C1" /app/work.sh
is "$?" 0 "the learned workload (its /etc/app write allowed first) still runs clean"

# --- 5. an invalid policy on SIGHUP keeps the previous one -------------------------
printf 'apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: broken}\nspec:\n  mode: sideways\n' \
	>"$POL/zz-bad.yaml"
kill -HUP "$AGENT_PID"
wait_event ".type == \"policy.rejected\" and (.reason | contains(\"zz-bad.yaml\"))"
ok "SIGHUP with an invalid policy: policy.rejected naming the file" [ $? = 0 ]
rm -f "$POL/zz-bad.yaml"
ctr_exec runc "$C1" /bin/sh -c '/bin/wget --help' >/dev/null 2>&1
is "$?" 126 "enforcement unchanged after the rejected policy"

# --- 6. monitor at run time -----------------------------------------------------
"$BULWARK" agent mode "$GROUP" monitor --socket "$SOCK" >/dev/null
is "$?" 0 "agent mode $GROUP monitor"
ctr_exec runc "$C1" /bin/sh -c '/bin/wget --help' >/dev/null 2>&1
is "$?" 0 "monitor: the unlisted binary runs"
wait_event ".type == \"violation\" and .container.id == \"$C1\" and .file.path == \"/bin/wget\""
ok "monitor: violation event" [ $? = 0 ]
"$BULWARK" agent mode "$GROUP" protect --socket "$SOCK" >/dev/null

# --- 7. crun ------------------------------------------------------------------------
crun_prepare
ctr_start crun "$C2" "$TMP/b2"
agent_wait_status ".containers[] | select(.id == \"$C2\" and .runtime == \"crun\" and
	.mode == \"protect\" and .marked == true)"
ctr_exec crun "$C2" /bin/sh -c '/bin/wget --help' 2>"$TMP/err3" >/dev/null
rc=$?
wait_event ".type == \"blocked\" and .container.id == \"$C2\" and .file.path == \"/bin/wget\"" 5
b=$?
grep -q "Operation not permitted" "$TMP/err3" || rc="$rc, no EPERM text"
[ "$rc" = 126 ] && [ "$b" = 0 ]
ok "crun: unlisted binary denied (rc $rc) with a blocked event" [ $? = 0 ]

# --- 8. the Debian image: learn, export, protect ---------------------------------
# a hard-link copy of the shared Debian fixture: files the container creates
# stay in this copy (nothing below writes into an existing file)
C3=bwt-$ID-deb
DEB=$(debian_rootfs) && cp -al "$DEB" "$TMP/deb"
mkdir -p "$TMP/deb/app"
cat >"$TMP/deb/app/work.sh" <<'EOF'
#!/bin/bash
/usr/bin/ls /etc >/dev/null
/usr/bin/cat /etc/os-release >/dev/null
/usr/bin/sed -n 1p /etc/passwd >/dev/null
/usr/bin/mkdir -p /etc/app
echo "run $$" >/etc/app/state
EOF
chmod 755 "$TMP/deb/app/work.sh"
make_bundle "$TMP/b3" "$TMP/deb" --annotation org.opencontainers.image.ref.name=bwtest/deb:1 \
	-- /usr/bin/sleep 1000
ctr_start runc "$C3" "$TMP/b3"
agent_wait_status ".containers[] | select(.id == \"$C3\" and .group == \"bwtest/deb\" and .mode == \"discover\" and .marked)"
ctr_exec runc "$C3" /app/work.sh && ctr_exec runc "$C3" /app/work.sh
rc=$?
agent_wait_status '.groups[] | select(.name == "bwtest/deb" and .profile.execs >= 6 and .profile.writes >= 1)' 10
is "$rc/$?" "0/0" "Debian: the workload runs and is learned (discover)"
sleep 1.5 # the profile is saved within ~1 s of a change
"$BULWARK" policy export --group bwtest/deb --state-dir "$STATE" --mode protect -o "$POL/deb.yaml" &&
	"$BULWARK" policy validate "$POL" >/dev/null && kill -HUP "$AGENT_PID"
agent_wait_status ".containers[] | select(.id == \"$C3\" and .mode == \"protect\")"
is "$?" 0 "Debian: exported policy applied by SIGHUP, protect"
nb=$(events ".type == \"blocked\" and .container.id == \"$C3\"" | wc -l)
ctr_exec runc "$C3" /app/work.sh
is "$?" 0 "Debian: the learned workload (dynamic binaries, ld.so) runs clean in protect"
sleep 0.5
is "$(events ".type == \"blocked\" and .container.id == \"$C3\"" | wc -l)" "$nb" "Debian: no blocked event for it"
ctr_exec runc "$C3" /usr/bin/bash -c '/usr/bin/date' 2>"$TMP/err4" >/dev/null
rc=$?
wait_event ".type == \"blocked\" and .container.id == \"$C3\" and .file.path == \"/usr/bin/date\"" 5
b=$?
grep -q "Operation not permitted" "$TMP/err4" || rc="$rc, no EPERM text"
[ "$rc" = 126 ] && [ "$b" = 0 ]
ok "Debian: unlisted /usr/bin/date denied (rc $rc) with a blocked event" [ $? = 0 ]

# --- 9. the proc connector source ----------------------------------------------
agent_stop
BULWARK_AGENT_NO_BPF=1 agent_start --policy "$POL"; agent_wait_ready 20
agent_wait_status ".source == \"proc\" and ([.containers[] | select(.id == \"$C1\" and .marked)] | length == 1)"
ok "BULWARK_AGENT_NO_BPF=1: proc connector source" [ $? = 0 ]
ctr_exec runc "$C1" /bin/sh -c 'sleep 1'
wait_event ".type == \"process.exec\" and .container.id == \"$C1\" and .process.exe == \"/bin/sleep\"" 10
ok "exec events still appear with the proc connector" [ $? = 0 ]

agent_stop
done_testing

#!/bin/bash
# bench/agent.sh - issue 6's speed targets, measured in one run inside a runc
# container (busybox rootfs + bench/agent_loop.c compiled static):
#   * 20,000 fork+exec of /bin/true and 200,000 open/close of files, with no
#     agent (the baseline), with the agent in monitor and in protect (the
#     workload's group learned first, so /bin/true is in its profile);
#     prints the overhead ratios (targets: <= 1.10x monitor, <= 1.20x protect)
#   * the highest exec rate the agent handles with zero dropped events: a
#     paced fork+exec loop ramped up, the status counters read before/after.
# Best of RUNS runs each (default 3). As root.
# Usage: bench/agent.sh [RUNS]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-3}
EXECS=${BW_BENCH_EXECS:-20000}
OPENS=${BW_BENCH_OPENS:-200000}
BULWARK=${BULWARK:-$ROOT/build/src/cli/bulwark}
. "$ROOT/tests/integration/lib_ctr.sh"
WORK=$(mktemp -d)
AGENT_PID=
C=bwt-$$-bench
GROUP=bwbench/loop
SOCK=$WORK/agent.sock

cleanup() {
	if [ -n "$AGENT_PID" ]; then
		kill -TERM "$AGENT_PID" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$AGENT_PID" 2>/dev/null
	fi
	ctr_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "bench/agent.sh: needs root" >&2; exit 2; }

best() { sort -g | head -1; }
# measure KIND N: best of RUNS wall times of the loop inside the container
measure() {
	local t
	for _ in $(seq "$RUNS"); do
		t=$(timeout 900 runc exec "$C" /bin/agent_loop "$1" "$2")
		[ -n "$t" ] || { echo "agent_loop $1 $2 failed" >&2; return 1; }
		echo "$t"
	done | best | grep .
}
status() { "$BULWARK" agent status --socket "$SOCK" --format json 2>/dev/null; }
# events lost (ring buffer, fanotify queue, output); unknown_container counts
# processes of containers the agent does not track, not losses
dropped() {
	status | jq '[.counters.dropped // {} | to_entries[] | select(.key != "unknown_container") |
		.value] | add // 0'
}
seen() { status | jq '.counters.events_seen // 0'; }

busybox_rootfs "$WORK/root"
gcc -static -O2 -o "$WORK/root/bin/agent_loop" "$ROOT/bench/agent_loop.c" || exit 1
mkdir -p "$WORK/root/data"
for i in $(seq 0 15); do echo "file $i" >"$WORK/root/data/f$i"; done
make_bundle "$WORK/b" "$WORK/root" --annotation "org.opencontainers.image.ref.name=$GROUP:1" -- sleep 3600
ctr_start runc "$C" "$WORK/b" || { echo "container did not start" >&2; exit 1; }

printf 'workload: %d fork+exec of /bin/true, %d open/close; best of %d runs\n' "$EXECS" "$OPENS" "$RUNS"
base_exec=$(measure exec "$EXECS") && base_open=$(measure open "$OPENS") || exit 1
printf 'no agent:  exec %.3f s (%.0f/s)   open %.3f s\n' "$base_exec" \
	"$(echo "$EXECS / $base_exec" | bc -l)" "$base_open"

"$BULWARK" agent --events /dev/null --socket "$SOCK" --state-dir "$WORK/state" \
	--default-mode discover 2>"$WORK/agent.log" &
AGENT_PID=$!
for _ in $(seq 1 300); do status >/dev/null && break; sleep 0.1; done
for _ in $(seq 1 100); do
	status | jq -e --arg c "$C" '.containers[] | select(.id == $c and .marked)' >/dev/null && break
	sleep 0.1
done
# learn: one short run of each loop in discover mode
ctr_exec runc "$C" /bin/agent_loop exec 50 >/dev/null
ctr_exec runc "$C" /bin/agent_loop open 50 >/dev/null
sleep 1
learned=$(status | jq -r --arg g "$GROUP" '.groups[] | select(.name == $g) | .profile.execs')
echo "agent: source $(status | jq -r .source), group $GROUP learned ${learned:-?} executables"

for mode in monitor protect; do
	"$BULWARK" agent mode "$GROUP" "$mode" --socket "$SOCK" >/dev/null || exit 1
	d0=$(dropped)
	e=$(measure exec "$EXECS") && o=$(measure open "$OPENS") || exit 1
	d1=$(dropped)
	target=1.10; [ $mode = protect ] && target=1.20
	printf '%-8s   exec %.3f s  ratio %.2fx   open %.3f s  ratio %.2fx   (target <= %sx; dropped %d)\n' \
		"$mode:" "$e" "$(echo "$e / $base_exec" | bc -l)" "$o" "$(echo "$o / $base_open" | bc -l)" \
		"$target" "$((d1 - d0))"
done

# ramp the paced exec rate (protect mode) until events are dropped or the
# loop cannot keep the pace
best_rate=0
for rate in 500 1000 2000 4000 8000 16000 32000; do
	d0=$(dropped); s0=$(seen)
	read -r done secs < <(ctr_exec runc "$C" /bin/agent_loop pace "$rate" 2)
	sleep 0.5
	d1=$(dropped); s1=$(seen)
	got=$(echo "$done / $secs" | bc -l)
	printf 'paced %6d/s: ran %.0f/s, events seen +%d, dropped +%d\n' "$rate" "$got" \
		"$((s1 - s0))" "$((d1 - d0))"
	[ "$((d1 - d0))" -gt 0 ] && break
	best_rate=$(printf '%.0f' "$got")
	# the workload itself cannot go faster: stop ramping
	[ "$(echo "$got < $rate * 0.9" | bc)" = 1 ] && break
done
echo "highest exec rate with zero dropped events: $best_rate/s (paced)"
echo "drop reasons so far: $(status | jq -c '.counters.dropped // {}')"

# flood: 4 unpaced loops at once, as fast as the machine forks
d0=$(dropped); s0=$(seen)
t0=$(date +%s.%N)
pids=()
for _ in 1 2 3 4; do ctr_exec runc "$C" /bin/agent_loop exec 2500 >/dev/null & pids+=($!); done
wait "${pids[@]}"
t1=$(date +%s.%N)
sleep 0.5
d1=$(dropped); s1=$(seen)
printf 'flood (4 loops x 2500): %.0f execs/s, events seen +%d, dropped +%d\n' \
	"$(echo "10000 / ($t1 - $t0)" | bc -l)" "$((s1 - s0))" "$((d1 - d0))"

# the baseline again, agent stopped: a noisy machine shows up as a change
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
e=$(measure exec "$EXECS") && o=$(measure open "$OPENS") || exit 1
printf 'no agent (again): exec %.3f s  open %.3f s\n' "$e" "$o"

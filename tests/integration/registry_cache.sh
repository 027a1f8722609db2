#!/bin/bash
# registry_cache.sh - the layer cache keeps each layer's catalogued result,
# not the layer: against Debian's docker-registry (plain HTTP, access log
# on), three images share the Debian base layer:
#   A  debian:12      the base layer only
#   B  two/layer:1    the base + a layer that removes "hostname" (whiteouts)
#   C  app/bin:1      the base + a layer with a Go binary (docker-registry)
#                     and Debian jars (one a hard link, one reached through a
#                     symlink), so streamed catalogers' results are replayed
# Scanning A, then B, then C downloads the base layer once; the registry's
# own access log counts the blob GETs. Every warm SBOM equals, byte for
# byte, the SBOM of the same image with the cache off. A tiny size cap keeps
# the cache directory under it (du).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"
. "$(dirname "$0")/lib_registry.sh"

for t in docker-registry skopeo jq; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not installed"; exit 0; }
done
OCI=$(debian_oci_dir) || { echo "Bail out! cannot build the Debian OCI image"; exit 1; }
TWO=$(debian_two_layer) || { echo "Bail out! cannot build the two-layer image"; exit 1; }
ROOTFS=$(debian_rootfs) || { echo "Bail out! no Debian rootfs"; exit 1; }

APP=$TMP/app-layer
mkdir -p "$APP/usr/local/bin" "$APP/opt/java"
cp /usr/bin/docker-registry "$APP/usr/local/bin/registry"
jars=$(ls /usr/share/java/*.jar 2>/dev/null | while read -r j; do [ -L "$j" ] || echo "$j"; done | head -n 3)
for j in $jars; do cp "$j" "$APP/opt/java/"; done
first=$(ls "$APP/opt/java" | head -n 1)
ln "$APP/opt/java/$first" "$APP/opt/java/linked.jar"
ln -s "../java/$first" "$APP/opt/java/via-symlink.jar"
make_oci_layout "$TMP/app-oci" 1 "$ROOTFS" "$APP" || { echo "Bail out! cannot build image C"; exit 1; }

layers() { jq -r '.manifests[0].digest' "$1/index.json" | cut -d: -f2 |
	(read -r m; jq -r '.layers[].digest' "$1/blobs/sha256/$m"); }
BASE=$(layers "$OCI")
UP_B=$(layers "$TWO" | sed -n 2p)
UP_C=$(layers "$TMP/app-oci" | sed -n 2p)

trap 'stop_registry; rm -rf "$TMP"' EXIT
start_registry "$TMP" --accesslog --log-level info || { echo "Bail out! docker-registry did not start"; exit 1; }
export DOCKER_CONFIG="$TMP/no-docker" BULWARK_REGISTRY_INSECURE=1 SOURCE_DATE_EPOCH=1700000000
export BULWARK_REGISTRY_CACHE="$TMP/cache"
unset BULWARK_REGISTRY_CACHE_MAX

ok "push A, B and C" registry_push "oci:$OCI:12" debian:12 "oci:$TWO:12" two/layer:1 "oci:$TMP/app-oci:1" app/bin:1
is "$(layers "$TWO" | head -n1) $(layers "$TMP/app-oci" | head -n1)" "$BASE $BASE" \
	"the three images share the base layer (digests from their OCI layouts)"

# blob GETs in the access log since mark: "GET /v2/REPO/blobs/DIGEST HTTP/1.1" 200
mark() { wc -l <"$TMP/registry.log"; }
gets() { tail -n +"$(($1 + 1))" "$TMP/registry.log" | grep -c "\"GET /v2/[^ ]*/blobs/$2 HTTP/[0-9.]*\" 200 "; }
sbom() { timeout 300 "$BULWARK" sbom -f json "$R/$1" -o "$2" 2>"$2.err"; }

m=$(mark)
sbom debian:12 "$TMP/a1.json"; is "$?" 0 "scan A exits 0"
is "$(gets "$m" "$BASE")" 1 "scan A: the base layer fetched once"
ok "scan A: the base layer's result is in the cache" test -s "$(ls "$TMP/cache/layers/${BASE#sha256:}"-* 2>/dev/null | head -n1)"

m=$(mark)
sbom two/layer:1 "$TMP/b-warm.json"; is "$?" 0 "scan B exits 0"
is "$(gets "$m" "$BASE")" 0 "scan B: the shared base layer is not fetched again"
is "$(gets "$m" "$UP_B")" 1 "scan B: only B's new layer is fetched"
ok "scan B: stderr says nothing about a corrupt cache" bash -c "! grep -q 'layer cache' '$TMP/b-warm.json.err'"

m=$(mark)
sbom app/bin:1 "$TMP/c-first.json"; is "$?" 0 "scan C exits 0"
is "$(gets "$m" "$BASE")" 0 "scan C: the shared base layer is not fetched again"
is "$(gets "$m" "$UP_C")" 1 "scan C: only C's new layer is fetched"

m=$(mark)
sbom debian:12 "$TMP/a-warm.json"; is "$?" 0 "scan A again exits 0"
sbom two/layer:1 "$TMP/b-warm2.json"; is "$?" 0 "scan B again exits 0"
sbom app/bin:1 "$TMP/c-warm.json"; is "$?" 0 "scan C again exits 0"
is "$(($(gets "$m" "$BASE") + $(gets "$m" "$UP_B") + $(gets "$m" "$UP_C")))" 0 \
	"scanning A, B and C again fetches no layer"
ok "the registry did serve those scans (their configs were fetched)" \
	test "$(tail -n +"$((m + 1))" "$TMP/registry.log" | grep -c '"GET /v2/[^ ]*/blobs/sha256:[0-9a-f]* HTTP/[0-9.]*" 200 ')" -ge 3

# the truth: the same images with the cache off
m=$(mark)
BULWARK_REGISTRY_CACHE=off sbom debian:12 "$TMP/a-off.json"; is "$?" 0 "A, cache off: exits 0"
BULWARK_REGISTRY_CACHE=off sbom two/layer:1 "$TMP/b-off.json"; is "$?" 0 "B, cache off: exits 0"
BULWARK_REGISTRY_CACHE=off sbom app/bin:1 "$TMP/c-off.json"; is "$?" 0 "C, cache off: exits 0"
is "$(gets "$m" "$BASE")" 3 "cache off: the base layer is fetched for each image"
ok "A: warm SBOM == SBOM with the cache off (cmp)" cmp "$TMP/a-warm.json" "$TMP/a-off.json"
ok "B: warm SBOM == SBOM with the cache off (cmp)" cmp "$TMP/b-warm.json" "$TMP/b-off.json"
ok "B: fully cached SBOM == SBOM with the cache off (cmp)" cmp "$TMP/b-warm2.json" "$TMP/b-off.json"
ok "C: fully cached SBOM == SBOM with the cache off (cmp)" cmp "$TMP/c-warm.json" "$TMP/c-off.json"
ok "C: the first SBOM == SBOM with the cache off (cmp)" cmp "$TMP/c-first.json" "$TMP/c-off.json"
ok "A: the first SBOM == SBOM with the cache off (cmp)" cmp "$TMP/a1.json" "$TMP/a-off.json"
# the comparisons cover what they claim: B lacks hostname, C has the Go
# binary's modules and the jars' Maven packages
purls() { jq -r '.packages[].purl // empty' "$1"; }
ok "B's SBOM has no hostname package (the upper layer's whiteouts applied)" \
	bash -c "! jq -r '.packages[].purl // empty' '$TMP/b-warm2.json' | grep -q '^pkg:deb/debian/hostname@'"
ok "A's SBOM has the hostname package" \
	bash -c "jq -r '.packages[].purl // empty' '$TMP/a-warm.json' | grep -q '^pkg:deb/debian/hostname@'"
ngo=$(purls "$TMP/c-warm.json" | grep -c '^pkg:golang/')
nmvn=$(purls "$TMP/c-warm.json" | grep -c '^pkg:maven/')
ok "C's replayed SBOM has the Go binary's packages ($ngo)" test "$ngo" -gt 0
if command -v go >/dev/null; then
	gov=$(go version -m "$APP/usr/local/bin/registry" | head -n1 | awk '{print $2}')
	ok "C's replayed SBOM has the Go toolchain go version -m names ($gov)" \
		bash -c "jq -r '.packages[].purl // empty' '$TMP/c-warm.json' | grep -q '^pkg:golang/stdlib@v\?${gov#go}'"
fi
ok "C's replayed SBOM has Maven packages from the jars ($nmvn)" test "$nmvn" -gt 0

# a tiny cap: the cache stays under it, least recently used entries go
SMALL=$TMP/small
entry_sizes() { du -B1 -c "$1"/layers/*-* 2>/dev/null | tail -n1 | cut -f1; }
up_b_size=$(du -B1 "$TMP/cache/layers/${UP_B#sha256:}"-* | cut -f1)
up_c_size=$(du -B1 "$TMP/cache/layers/${UP_C#sha256:}"-* | cut -f1)
base_size=$(du -B1 "$TMP/cache/layers/${BASE#sha256:}"-* | cut -f1)
diag "entry sizes: base $base_size, B's layer $up_b_size, C's layer $up_c_size"
CAP=$((base_size + up_c_size + up_b_size / 2))
BULWARK_REGISTRY_CACHE=$SMALL BULWARK_REGISTRY_CACHE_MAX=$CAP sbom two/layer:1 "$TMP/b-small.json"
is "$?" 0 "tiny cap: scan B exits 0"
ok "tiny cap: B's two layers are cached" test -n "$(ls "$SMALL/layers/${BASE#sha256:}"-* "$SMALL/layers/${UP_B#sha256:}"-* 2>/dev/null | sed -n 2p)"
sleep 1.1
BULWARK_REGISTRY_CACHE=$SMALL BULWARK_REGISTRY_CACHE_MAX=$CAP sbom app/bin:1 "$TMP/c-small.json"
is "$?" 0 "tiny cap: scan C exits 0"
total=$(entry_sizes "$SMALL")
ok "tiny cap: the entries take $total bytes (du), at most the cap $CAP" test "$total" -le "$CAP"
ok "tiny cap: B's layer (least recently used) was evicted" bash -c "! ls '$SMALL/layers/${UP_B#sha256:}'-* 2>/dev/null | grep -q ."
ok "tiny cap: C's layer is kept" test -n "$(ls "$SMALL/layers/${UP_C#sha256:}"-* 2>/dev/null)"
ok "tiny cap: same SBOM for C" cmp "$TMP/c-small.json" "$TMP/c-off.json"
BULWARK_REGISTRY_CACHE=$SMALL BULWARK_REGISTRY_CACHE_MAX=1000 sbom debian:12 "$TMP/a-small.json"
is "$?" 0 "a cap smaller than any entry: scan A exits 0"
ok "a cap smaller than any entry: nothing is kept" test "$(entry_sizes "$SMALL")" -le 1000
ok "a cap smaller than any entry: same SBOM" cmp "$TMP/a-small.json" "$TMP/a-off.json"

done_testing

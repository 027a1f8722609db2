#!/bin/bash
# registry_basic.sh - bulwark sbom/scan against a real registry (Debian's
# docker-registry) over plain HTTP with BULWARK_REGISTRY_INSECURE=1: by tag
# and by digest the SBOM equals the one of the same image's OCI layout;
# unknown tags, corrupt blobs and a dead registry fail clearly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"
. "$(dirname "$0")/lib_registry.sh"

command -v docker-registry >/dev/null || { echo "1..0 # SKIP docker-registry not installed"; exit 0; }
command -v skopeo >/dev/null || { echo "1..0 # SKIP skopeo not installed"; exit 0; }

OCI=$(debian_oci_dir) || { echo "Bail out! cannot build the Debian OCI image"; exit 1; }
# a layer cache of its own (the tests below count downloads and corrupt blobs)
export BULWARK_REGISTRY_CACHE="$TMP/cache"

trap 'stop_registry; rm -rf "$TMP"' EXIT
start_registry "$TMP" || { echo "Bail out! docker-registry did not start"; exit 1; }
export BULWARK_REGISTRY_INSECURE=1

ok "push the Debian image with skopeo" skopeo copy -q --dest-tls-verify=false "oci:$OCI:12" "docker://$R/debian:12"
ok "push a second tag" skopeo copy -q --dest-tls-verify=false "oci:$OCI:12" "docker://$R/team/debian:stable"
DIGEST=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/debian:12")
diag "skopeo digest: $DIGEST"

pkgs() { jq -c '[.packages[] | {name, version, type, arch, purl, layer, path}] | sort_by(.purl)' "$1"; }
"$BULWARK" sbom -f json "oci:$OCI:12" -o "$TMP/local.json" 2>"$TMP/local.err" || diag "$(cat "$TMP/local.err")"
WANT=$(pkgs "$TMP/local.json")
ok "local OCI SBOM has packages" test "$(jq '.packages | length' "$TMP/local.json")" -gt 50

"$BULWARK" sbom -f json "$R/debian:12" -o "$TMP/tag.json" 2>"$TMP/tag.err"; rc=$?
is "$rc" 0 "sbom by tag exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/tag.err")"
is "$(pkgs "$TMP/tag.json")" "$WANT" "sbom by tag: same packages as the OCI layout"
is "$(jq -r '.target.image_id' "$TMP/tag.json")" "$(skopeo inspect --tls-verify=false --format '{{.Config}}' "docker://$R/debian:12" >/dev/null 2>&1; skopeo inspect --tls-verify=false --raw "docker://$R/debian:12" | jq -r .config.digest)" "image id is the config digest skopeo reports"
is "$(jq -r '.target.manifest_digest' "$TMP/tag.json")" "$DIGEST" "sbom by tag names the manifest digest skopeo reports"

"$BULWARK" sbom -f json "$R/debian@$DIGEST" -o "$TMP/dig.json" 2>"$TMP/dig.err"; rc=$?
is "$rc" 0 "sbom by digest exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/dig.err")"
is "$(pkgs "$TMP/dig.json")" "$WANT" "sbom by digest: same packages"
is "$(jq -r '.target.manifest_digest' "$TMP/dig.json")" "$DIGEST" "sbom by digest names that digest"

"$BULWARK" sbom -f json "registry:$R/team/debian:stable" -o "$TMP/t2.json" 2>"$TMP/t2.err"; rc=$?
is "$rc" 0 "sbom of the second tag (registry: prefix, nested repo)"
is "$(pkgs "$TMP/t2.json")" "$WANT" "second tag: same packages"

"$BULWARK" sbom -f json "$R/debian:nosuchtag" -o "$TMP/x.json" 2>"$TMP/notag.err"; rc=$?
is "$rc" 2 "unknown tag exits 2"
ok "unknown tag: message names the manifest and MANIFEST_UNKNOWN" grep -q "debian: manifest nosuchtag: HTTP 404 (MANIFEST_UNKNOWN)" "$TMP/notag.err"
diag "$(cat "$TMP/notag.err")"

# without --insecure (env) the client refuses plain HTTP: it speaks TLS
BULWARK_REGISTRY_INSECURE= "$BULWARK" sbom -f json "$R/debian:12" -o "$TMP/x.json" 2>"$TMP/tls.err"; rc=$?
is "$rc" 2 "without insecure: exits 2 (TLS to a plain-HTTP registry)"
ok "without insecure: the message names the registry" grep -q "$R" "$TMP/tls.err"
# the --insecure flag does what the environment variable does, for sbom and scan
BULWARK_REGISTRY_INSECURE= "$BULWARK" sbom --insecure -f json "$R/debian:12" -o "$TMP/flag.json"
is "$?" 0 "sbom --insecure reads the plain-HTTP registry"
is "$(pkgs "$TMP/flag.json")" "$WANT" "sbom --insecure lists the same packages as the OCI layout"
BULWARK_REGISTRY_INSECURE= "$BULWARK" scan --insecure --db "$TMP/none.sqlite" "$R/debian:12" >/dev/null 2>"$TMP/scanflag.err"
ok "scan takes --insecure too (it gets as far as the missing database)" grep -q "no vulnerability database" "$TMP/scanflag.err"

# a corrupt layer blob in the registry's storage
LAYER=$(jq -r '.layers[0].digest' "$OCI/blobs/sha256/$(jq -r '.manifests[0].digest' "$OCI/index.json" | cut -d: -f2)")
DATA="$TMP/storage/docker/registry/v2/blobs/sha256/${LAYER:7:2}/${LAYER#sha256:}/data"
ok "layer blob is in the registry storage" test -f "$DATA"
cp "$DATA" "$TMP/layer.orig"
printf 'X' | dd of="$DATA" bs=1 seek=100 conv=notrunc 2>/dev/null
BULWARK_REGISTRY_CACHE=off "$BULWARK" sbom -f json "$R/debian:12" -o "$TMP/x.json" 2>"$TMP/corrupt.err"; rc=$?
is "$rc" 2 "corrupt blob (layer cache off) exits 2"
ok "corrupt blob: message names the layer digest" grep -q "content does not match its digest $LAYER" "$TMP/corrupt.err"
diag "$(cat "$TMP/corrupt.err")"
ok "the layer cache holds the verified layer's result from the earlier runs" \
	bash -c "ls '$TMP/cache/layers/${LAYER#sha256:}'-* >/dev/null 2>&1"
cp "$TMP/layer.orig" "$DATA"

# bulwark scan takes the same references: its findings equal the local scan's
"$BULWARK" scan --format json "oci:$OCI:12" -o "$TMP/scan-local.json" 2>/dev/null; want_rc=$?
"$BULWARK" scan --format json "$R/debian:12" -o "$TMP/scan.json" 2>"$TMP/scan.err"; rc=$?
is "$rc" "$want_rc" "scan by tag exits like the local scan"
is "$(jq -c '[.findings, .summary]' "$TMP/scan.json")" "$(jq -c '[.findings, .summary]' "$TMP/scan-local.json")" "scan by tag: same findings as the OCI layout"

# the Docker form: skopeo pushes a docker-archive as a Docker schema 2
# manifest (compressed by skopeo on the way, so layer digests differ)
pkgs_nolayer() { jq -c '[.packages[] | {name, version, type, arch, purl, path}] | sort_by(.purl)' "$1"; }
ok "save the image as a docker-archive" skopeo copy -q "oci:$OCI:12" "docker-archive:$TMP/d.tar:debian:12"
ok "push the docker-archive" registry_push "docker-archive:$TMP/d.tar" darchive:12
is "$(skopeo inspect --tls-verify=false --raw "docker://$R/darchive:12" | jq -r .mediaType)" \
	"application/vnd.docker.distribution.manifest.v2+json" "the registry holds a Docker schema 2 manifest"
"$BULWARK" sbom -f json "$R/darchive:12" -o "$TMP/darch.json" 2>"$TMP/darch.err"; rc=$?
is "$rc" 0 "sbom of the Docker-manifest image exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/darch.err")"
is "$(pkgs_nolayer "$TMP/darch.json")" "$(pkgs_nolayer "$TMP/local.json")" "Docker manifest: same packages as the OCI layout"

# a multi-platform OCI index (amd64 and arm64/v8 over the same layers),
# pushed whole with skopeo --all; the platform picks the manifest
M=$TMP/multi
cp -a "$OCI" "$M"
man=$(jq -r '.manifests[0].digest' "$M/index.json" | cut -d: -f2)
cfg=$(jq -r .config.digest "$M/blobs/sha256/$man" | cut -d: -f2)
jq -c '.architecture = "arm64" | .variant = "v8"' "$M/blobs/sha256/$cfg" >"$TMP/cfg-arm"
acfg=$(sha256sum "$TMP/cfg-arm" | cut -d' ' -f1)
cp "$TMP/cfg-arm" "$M/blobs/sha256/$acfg"
jq -c --arg d "sha256:$acfg" --argjson n "$(stat -c %s "$TMP/cfg-arm")" \
	'.config.digest = $d | .config.size = $n' "$M/blobs/sha256/$man" >"$TMP/man-arm"
aman=$(sha256sum "$TMP/man-arm" | cut -d' ' -f1)
cp "$TMP/man-arm" "$M/blobs/sha256/$aman"
jq -c -n --arg a "sha256:$man" --argjson asz "$(stat -c %s "$M/blobs/sha256/$man")" \
	--arg b "sha256:$aman" --argjson bsz "$(stat -c %s "$TMP/man-arm")" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [
	  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $a, size: $asz, platform: {architecture: "amd64", os: "linux"}},
	  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $b, size: $bsz, platform: {architecture: "arm64", os: "linux", variant: "v8"}}]}' >"$TMP/idx"
idx=$(sha256sum "$TMP/idx" | cut -d' ' -f1)
cp "$TMP/idx" "$M/blobs/sha256/$idx"
jq -c -n --arg d "sha256:$idx" --argjson n "$(stat -c %s "$TMP/idx")" \
	'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $n, annotations: {"org.opencontainers.image.ref.name": "multi"}}]}' >"$M/index.json"
ok "push the two-platform index with skopeo --all" timeout 120 skopeo copy -q --all --dest-tls-verify=false "oci:$M:multi" "docker://$R/multi:1"
is "$(skopeo inspect --tls-verify=false --raw "docker://$R/multi:1" | jq -r '[.manifests[].platform.architecture] | join(",")')" \
	"amd64,arm64" "the registry holds the index with both platforms"
"$BULWARK" sbom -f json --platform linux/arm64/v8 "$R/multi:1" -o "$TMP/arm.json" 2>"$TMP/arm.err"; rc=$?
is "$rc" 0 "sbom --platform linux/arm64/v8 of the index exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/arm.err")"
is "$(jq -r '.target.image_id' "$TMP/arm.json")" "sha256:$acfg" "--platform linux/arm64/v8 picks the arm64 manifest (its config)"
is "$(jq -r '.target.manifest_digest' "$TMP/arm.json")" \
	"sha256:$(skopeo inspect --tls-verify=false --raw "docker://$R/multi:1" | sha256sum | cut -d' ' -f1)" "the target names the index the tag resolves to"
is "$(pkgs_nolayer "$TMP/arm.json")" "$(pkgs_nolayer "$TMP/local.json")" "arm64 manifest: the same packages (same layers)"
"$BULWARK" sbom -f json --platform linux/amd64 "$R/multi:1" -o "$TMP/amd.json" 2>"$TMP/amd.err"
is "$(jq -r '.target.image_id' "$TMP/amd.json")" "sha256:$cfg" "--platform linux/amd64 picks the amd64 manifest (its config)"

# the registry dies: a clear network error naming it
stop_registry
"$BULWARK" sbom -f json "$R/debian:12" -o "$TMP/x.json" 2>"$TMP/dead.err"; rc=$?
is "$rc" 2 "dead registry exits 2"
ok "dead registry: message names the registry and the attempts" grep -q "$R/debian: manifest 12 (after 4 attempts): .*connect" "$TMP/dead.err"
diag "$(cat "$TMP/dead.err")"

done_testing

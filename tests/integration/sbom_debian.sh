#!/bin/bash
# sbom_debian.sh - `bulwark sbom` on a real Debian 12 image in every form,
# checked against dpkg's own listing of the same root filesystem.
#
# Truth: dpkg-query -W --admindir=ROOTFS/var/lib/dpkg (name, version, arch);
# layer digests from the image's own manifest (read with jq); the tool's
# version from `bulwark version`. Images are built by lib_image.sh from the
# debootstrap rootfs (lib.sh), once, into $FIXTURES.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

ROOTFS=$(debian_rootfs) || { echo "1..0 # SKIP no Debian rootfs (debootstrap failed)"; exit 0; }
OCI=$(debian_oci_dir) || { echo "Bail out! building the OCI layout failed"; exit 1; }
OCI_TAR=$(debian_oci_archive) || { echo "Bail out! building the OCI archive failed"; exit 1; }
DOCKER_TAR=$(debian_docker_archive) || { echo "Bail out! building the docker archive failed"; exit 1; }
TWO=$(debian_two_layer) || { echo "Bail out! building the two-layer image failed"; exit 1; }

# truth ADMINDIR: dpkg's own list, sorted, one "name<TAB>version<TAB>arch" a line.
truth() {
	dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n' --admindir="$1" | LC_ALL=C sort
}
# listed FILE: the packages of a bulwark JSON SBOM in the same form.
listed() {
	jq -r '.packages[] | [.name, (.version // ""), (.arch // "")] | @tsv' "$1" | LC_ALL=C sort
}
# same_list NAME WANTFILE GOTFILE: one test; the diff as diagnostics.
same_list() {
	local d
	if d=$(diff -u "$2" "$3"); then
		pass "$1 ($(wc -l <"$2") packages)"
	else
		fail "$1"
		diag "$(echo "$d" | head -40)"
	fi
}

truth "$ROOTFS/var/lib/dpkg" >"$TMP/want"
[ -s "$TMP/want" ] || { echo "Bail out! dpkg-query lists nothing in $ROOTFS"; exit 1; }

# ---- every image form lists exactly what dpkg lists -------------------------
for ref in "dir:$ROOTFS" "oci:$OCI" "oci:$OCI:12" "oci-archive:$OCI_TAR" \
	"docker-archive:$DOCKER_TAR" "docker-archive:$DOCKER_TAR:bulwark/debian:12" \
	"$ROOTFS" "$OCI" "$OCI_TAR" "$DOCKER_TAR"; do
	out="$TMP/form.json"
	rm -f "$out"
	if "$BULWARK" sbom --format json "$ref" >"$out" 2>"$TMP/err"; then
		listed "$out" >"$TMP/got"
		same_list "sbom $ref lists what dpkg-query lists" "$TMP/want" "$TMP/got"
	else
		fail "sbom $ref exits 0"
		diag "$(head -5 "$TMP/err")"
	fi
done

# ---- what the image's own metadata says ----------------------------------------
"$BULWARK" sbom -f json "oci:$OCI" >"$TMP/oci.json" 2>"$TMP/err"
man=$(jq -r '.manifests[0].digest' "$OCI/index.json")
layer=$(jq -r '.layers[0].digest' "$OCI/blobs/sha256/${man#sha256:}")
is "$(jq -r '.target.manifest_digest' "$TMP/oci.json")" "$man" "the manifest digest is the index's"
is "$(jq -r '[.packages[].layer] | unique | join(" ")' "$TMP/oci.json")" "$layer" \
	"every package names the layer its database came from"
is "$(jq -r '[.packages[].path] | unique | join(" ")' "$TMP/oci.json")" "var/lib/dpkg/status" \
	"every package names var/lib/dpkg/status"
is "$(jq -r '.distro.id + " " + .distro.version_id + " " + .distro.codename' "$TMP/oci.json")" \
	"$(. "$ROOTFS/etc/os-release"; echo "$ID $VERSION_ID $VERSION_CODENAME")" \
	"the distro is what etc/os-release says"

# ---- the upper layer removes a package -------------------------------------------
truth "$TWO.upper/var/lib/dpkg" >"$TMP/want2"
if "$BULWARK" sbom -f json "oci:$TWO" >"$TMP/two.json" 2>"$TMP/err"; then
	listed "$TMP/two.json" >"$TMP/got2"
	same_list "two-layer image lists what the upper layer's dpkg database lists" "$TMP/want2" "$TMP/got2"
else
	fail "sbom of the two-layer image exits 0"; diag "$(head -5 "$TMP/err")"
fi
ok "hostname is in the lower layer" grep -q "^hostname	" "$TMP/want"
ok "hostname, removed by the upper layer, is not listed" \
	bash -c "! grep -q '^hostname	' '$TMP/got2'"
man2=$(jq -r '.manifests[0].digest' "$TWO/index.json")
upper=$(jq -r '.layers[1].digest' "$TWO/blobs/sha256/${man2#sha256:}")
is "$(jq -r '[.packages[].layer] | unique | join(" ")' "$TMP/two.json")" "$upper" \
	"packages come from the upper layer's status file"

# ---- machine-readable formats name their tool and give every component a purl ----
version=$("$BULWARK" version | awk '{print $2}')
"$BULWARK" sbom -f cyclonedx "oci:$OCI" >"$TMP/cdx.json" 2>"$TMP/err"
n=$(wc -l <"$TMP/want")
is "$(jq '[.components[] | select(.type == "library")] | length' "$TMP/cdx.json")" "$n" \
	"cyclonedx: one library component per dpkg package"
is "$(jq '[.components[] | select((.purl // "") == "")] | length' "$TMP/cdx.json")" "0" \
	"cyclonedx: every component has a purl"
is "$(jq -r '.metadata.tools.components[0] | .name + " " + .version' "$TMP/cdx.json")" \
	"bulwark $version" "cyclonedx: names the tool and its version"
is "$(jq -r '.metadata.component.version' "$TMP/cdx.json")" "$man" \
	"cyclonedx: the image component carries the manifest digest"
# libc6's purl from dpkg's fields: the purl spec's deb form with the arch and
# distro qualifiers, and upstream= the source package (Syft's convention),
# qualifiers sorted by key, '+' and ':' percent-encoded.
q() { dpkg-query -W -f "$1" --admindir="$ROOTFS/var/lib/dpkg" libc6; }
is "$(jq -r '.components[] | select(.name == "libc6") | .purl' "$TMP/cdx.json")" \
	"pkg:deb/debian/libc6@$(q '${Version}' | sed 's/+/%2B/g; s/:/%3A/g')?arch=$(q '${Architecture}')&distro=debian-12&upstream=$(q '${source:Package}')" \
	"cyclonedx: libc6's purl is built from dpkg's fields"
"$BULWARK" sbom -f spdx-json "oci:$OCI" >"$TMP/spdx.json" 2>"$TMP/err"
is "$(jq -r '.creationInfo.creators[]' "$TMP/spdx.json")" "Tool: bulwark-$version" \
	"spdx: names the tool and its version"
is "$(jq '[.packages[] | select(.SPDXID | startswith("SPDXRef-Package-")) | select(([.externalRefs[]? | select(.referenceType == "purl")] | length) != 1)] | length' "$TMP/spdx.json")" \
	"0" "spdx: every package has one purl reference"
is "$(jq '[.packages[] | select(.SPDXID | startswith("SPDXRef-Package-"))] | length' "$TMP/spdx.json")" \
	"$n" "spdx: one package per dpkg package"
is "$(jq -r '.tool.name + " " + .tool.version' "$TMP/oci.json")" "bulwark $version" \
	"json: names the tool and its version"
"$BULWARK" sbom "oci:$OCI" >"$TMP/table" 2>"$TMP/err"
is "$(head -1 "$TMP/table")" "Distro: $(. "$ROOTFS/etc/os-release"; echo "$PRETTY_NAME")    Packages: $n" \
	"table: the header names the distro and the package count"
is "$(tail -n +3 "$TMP/table" | awk '{print $1 "\t" $2 "\t" $3}' | LC_ALL=C sort)" "$(cat "$TMP/want")" \
	"table: the rows are dpkg's packages"

# ---- --output writes the file atomically ----------------------------------------------
mkdir -p "$TMP/out"
echo old >"$TMP/out/sbom.json"
ino=$(stat -c %i "$TMP/out/sbom.json")
"$BULWARK" sbom -f json -o "$TMP/out/sbom.json" "oci:$OCI" >"$TMP/stdout" 2>"$TMP/err"
is "$?" "0" "--output: exit 0"
is "$(wc -c <"$TMP/stdout")" "0" "--output: nothing on standard output"
listed "$TMP/out/sbom.json" >"$TMP/got3"
same_list "--output: the file lists dpkg's packages" "$TMP/want" "$TMP/got3"
ok "--output: the file was replaced by a rename (new inode), not rewritten in place" \
	test "$(stat -c %i "$TMP/out/sbom.json")" != "$ino"
is "$(ls -A "$TMP/out")" "sbom.json" "--output: no temporary file left"
cp "$TMP/out/sbom.json" "$TMP/keep.json"
"$BULWARK" sbom -f json -o "$TMP/out/sbom.json" "oci:$TMP/no-such-layout" 2>"$TMP/err"
is "$?" "2" "--output with a missing image: exit 2"
ok "--output with a missing image: the previous file is untouched" cmp -s "$TMP/keep.json" "$TMP/out/sbom.json"
is "$(ls -A "$TMP/out")" "sbom.json" "--output with a missing image: no temporary file left"
"$BULWARK" sbom -o "$TMP/no-such-dir/x.json" "oci:$OCI" 2>"$TMP/err"
is "$?" "2" "--output into a missing directory: exit 2"
ok "--output into a missing directory: the message names the file" grep -q "$TMP/no-such-dir/x.json" "$TMP/err"

# ---- errors name the input ------------------------------------------------------------
for ref in "docker-archive:$TMP/missing.tar" "oci-archive:$TMP/missing.tar" "oci:$TMP/missing" "dir:$TMP/missing"; do
	"$BULWARK" sbom "$ref" >/dev/null 2>"$TMP/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q "$TMP/missing" "$TMP/err"; then
		pass "missing input $ref: exit 2, the message names the path"
	else
		fail "missing input $ref: exit 2, the message names the path"
		diag "exit $rc: $(head -3 "$TMP/err")"
	fi
done

# A layer whose bytes changed (same size) no longer matches its digest.
cp -r "$OCI" "$TMP/corrupt"
blob="$TMP/corrupt/blobs/sha256/${layer#sha256:}"
size=$(stat -c %s "$blob")
printf 'CORRUPTCORRUPTCORRUPT' | dd of="$blob" bs=1 seek=$((size / 2)) conv=notrunc status=none
"$BULWARK" sbom "oci:$TMP/corrupt" >"$TMP/stdout" 2>"$TMP/err"
rc=$?
is "$rc" "2" "corrupt layer: exit 2"
ok "corrupt layer: the message names the layer digest" grep -q "${layer#sha256:}" "$TMP/err"
is "$(wc -c <"$TMP/stdout")" "0" "corrupt layer: no SBOM on standard output"
[ "$rc" = 2 ] || diag "$(head -3 "$TMP/err")"

# A truncated layer.
cp -r "$OCI" "$TMP/trunc"
truncate -s $((size / 3)) "$TMP/trunc/blobs/sha256/${layer#sha256:}"
"$BULWARK" sbom "oci:$TMP/trunc" >/dev/null 2>"$TMP/err"
is "$?" "2" "truncated layer: exit 2"
ok "truncated layer: the message names the layer digest" grep -q "${layer#sha256:}" "$TMP/err"

# ---- usage errors -----------------------------------------------------------------------
"$BULWARK" sbom --format xml "oci:$OCI" >/dev/null 2>"$TMP/err"
is "$?" "2" "--format xml: exit 2"
ok "--format xml: the message names the format" grep -q "'xml'" "$TMP/err"
"$BULWARK" sbom >/dev/null 2>"$TMP/err"
is "$?" "2" "no REF: exit 2"
"$BULWARK" sbom --bogus "oci:$OCI" >/dev/null 2>"$TMP/err"
is "$?" "2" "unknown option: exit 2"
ok "unknown option: the message names it" grep -q -- "--bogus" "$TMP/err"
"$BULWARK" sbom --platform "not a platform" "oci:$OCI" >/dev/null 2>"$TMP/err"
is "$?" "2" "bad --platform: exit 2"
ok "bad --platform: the message names the text" grep -q "not a platform" "$TMP/err"
"$BULWARK" sbom --platform "linux/$(_img_arch)" -f json "oci:$OCI" >"$TMP/plat.json" 2>"$TMP/err"
is "$?" "0" "--platform linux/$(_img_arch) picks the image built for it"
"$BULWARK" sbom --format=json --output=- "oci:$OCI" >"$TMP/eq.json" 2>"$TMP/err"
listed "$TMP/eq.json" >"$TMP/got4"
same_list "--format=json --output=- (the = forms; - is standard output)" "$TMP/want" "$TMP/got4"
"$BULWARK" sbom "oci:$OCI" "oci:$OCI" >/dev/null 2>"$TMP/err"
is "$?" "2" "two REFs: exit 2"
"$BULWARK" sbom --help >"$TMP/help"
is "$?" "0" "--help: exit 0"
ok "--help: shows the usage" grep -q "^Usage: bulwark sbom" "$TMP/help"

done_testing

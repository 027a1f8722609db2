#!/bin/bash
# image_forms.sh - the Debian 12 fixture in every image form (rootfs dir, OCI
# layout, oci-archive, docker-archive written by skopeo, a two-layer image
# whose upper layer removes a package) opens and gives exactly the files the
# rootfs holds (truth: find + sha256sum on the rootfs); digests agree with
# skopeo's; a corrupted layer byte is an error naming the layer.
#
# The walk is driven by the image module's test tool (test_image --walk,
# built with the unit tests) and, when the binary has it, `bulwark sbom`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

TOOL=${BW_IMAGE_TOOL:-$(dirname "$BULWARK")/../../tests/unit/test_image}
if [ ! -x "$TOOL" ]; then
	TOOL=$ROOT/build/tests/unit/test_image
fi
if ! need_root; then
	plan 1
	skip "image forms" "needs root (debootstrap, reading the whole rootfs)"
	exit 0
fi
if [ ! -x "$TOOL" ]; then
	echo "1..0 # SKIP test_image tool not built"
	exit 0
fi

ROOTFS=$(debian_rootfs) || { fail "debian rootfs"; done_testing; }
OCI=$(debian_oci_dir) && pass "OCI layout built" || fail "OCI layout built"
OCIA=$(debian_oci_archive) && pass "oci-archive built" || fail "oci-archive built"
DOCK=$(debian_docker_archive) && pass "docker-archive built by skopeo" || fail "docker-archive built by skopeo"
TWO=$(debian_two_layer) && pass "two-layer image built" || fail "two-layer image built"

# Truth: every regular file of the rootfs with its sha256 and size.
(cd "$ROOTFS" && find . -type f ! -path ./.complete -printf '%s %P\n' | sort -k2) >"$TMP/sizes"
(cd "$ROOTFS" && find . -type f ! -path ./.complete -print0 | xargs -0 sha256sum) |
	sed 's|  \./| |' | sort -k2 >"$TMP/sums"
join -1 2 -2 2 -o 2.1,1.1,0 "$TMP/sizes" "$TMP/sums" | sort -k3 >"$TMP/truth"
diag "rootfs: $(wc -l <"$TMP/truth") regular files"

walk() { "$TOOL" --walk "$@" 2>"$TMP/walk.err" | sort -k3; }

for ref in "dir:$ROOTFS" "oci:$OCI" "oci:$OCI:12" "oci-archive:$OCIA" "docker-archive:$DOCK" \
	"docker-archive:$DOCK:bulwark/debian:12" "$OCI" "$OCIA" "$DOCK"; do
	walk "$ref" | grep -v ' \.complete$' >"$TMP/got"
	if cmp -s "$TMP/got" "$TMP/truth"; then
		pass "$ref: same files and contents as the rootfs"
	else
		fail "$ref: same files and contents as the rootfs"
		diff "$TMP/truth" "$TMP/got" | head -10 | while read -r l; do diag "$l"; done
		head -3 "$TMP/walk.err" | while read -r l; do diag "$l"; done
	fi
done

# The docker 25+ form: an OCI layout and a manifest.json in one tar, the
# layer stored uncompressed under blobs/sha256 (named by its diff_id).
D25="$TMP/d25"
cp -al "$OCI" "$D25" 2>/dev/null || cp -r "$OCI" "$D25"
LG=$(jq -r '.layers[0].digest' "$OCI/blobs/sha256/$(jq -r '.manifests[0].digest' "$OCI/index.json" | cut -d: -f2)")
gzip -dc "$OCI/blobs/sha256/${LG#sha256:}" >"$D25/layer.tar"
LU=$(sha256sum "$D25/layer.tar" | cut -d' ' -f1)
mv "$D25/layer.tar" "$D25/blobs/sha256/$LU"
CFG=$(jq -r '.config.digest' "$OCI/blobs/sha256/$(jq -r '.manifests[0].digest' "$OCI/index.json" | cut -d: -f2)")
printf '[{"Config":"blobs/sha256/%s","RepoTags":["bulwark/debian:25"],"Layers":["blobs/sha256/%s"]}]' \
	"${CFG#sha256:}" "$LU" >"$D25/manifest.json"
tar -C "$D25" -cf "$TMP/d25.tar" .
rm -rf "$D25"
for ref in "docker-archive:$TMP/d25.tar" "$TMP/d25.tar" "oci-archive:$TMP/d25.tar"; do
	walk "$ref" >"$TMP/got"
	if cmp -s "$TMP/got" "$TMP/truth"; then
		pass "docker 25 form, $ref: same files and contents as the rootfs"
	else
		fail "docker 25 form, $ref: same files and contents as the rootfs"
		head -3 "$TMP/walk.err" | while read -r l; do diag "$l"; done
	fi
done
is "$("$TOOL" --info "$TMP/d25.tar" | awk '$1 == "layer" {print $2}')" "sha256:$LU" \
	"docker 25 form: the layer digest is the uncompressed blob's"
rm -f "$TMP/d25.tar"

# Digests agree with skopeo's reading of the same images.
got=$("$TOOL" --info "oci:$OCI" | awk '$1 == "manifest" || $1 == "layer" {print $2}' | tr '\n' ' ')
want=$(skopeo inspect "oci:$OCI:12" | jq -r '.Digest, .Layers[]' | tr '\n' ' ')
is "$got" "$want" "oci: manifest and layer digests as skopeo reports them"
got=$("$TOOL" --info "docker-archive:$DOCK" | awk '$1 == "layer" {print $2}' | tr '\n' ' ')
want=$(skopeo inspect "docker-archive:$DOCK" | jq -r '.Layers[]' | tr '\n' ' ')
is "$got" "$want" "docker-archive: layer digests as skopeo reports them"
got=$("$TOOL" --info "docker-archive:$DOCK" | awk '$1 == "config" {print $2}')
want=sha256:$(skopeo inspect --raw "docker-archive:$DOCK" | jq -r '.config.digest' | sed 's/^sha256://')
is "$got" "$want" "docker-archive: config digest (image ID) as skopeo reports it"

# Two layers: the upper layer's whiteouts remove the package's files and
# its status stanza; everything else is as in the rootfs.
UP="$TWO.upper"
(cd "$UP" && find . -name '.wh.*' -printf '%h/%f\n') | sed 's|^\./||; s|\.wh\.||' | sort >"$TMP/removed"
awk 'NR == FNR { rm[$0] = 1; next } !($3 in rm) && $3 != "var/lib/dpkg/status"' \
	"$TMP/removed" "$TMP/truth" >"$TMP/truth2"
echo "$(sha256sum <"$UP/var/lib/dpkg/status" | cut -d' ' -f1) $(stat -c %s "$UP/var/lib/dpkg/status") var/lib/dpkg/status" >>"$TMP/truth2"
sort -k3 -o "$TMP/truth2" "$TMP/truth2"
walk "oci:$TWO" >"$TMP/got2"
if cmp -s "$TMP/got2" "$TMP/truth2"; then
	pass "two layers: whiteouts applied ($(wc -l <"$TMP/removed") files removed)"
else
	fail "two layers: whiteouts applied"
	diff "$TMP/truth2" "$TMP/got2" | head -10 | while read -r l; do diag "$l"; done
fi
is "$(grep -c ' usr/bin/hostname$' "$TMP/got2")" 0 "two layers: usr/bin/hostname is gone"
is "$(dpkg-query -W --admindir="$UP/var/lib/dpkg" hostname 2>/dev/null | wc -l)" 0 \
	"two layers: dpkg-query on the upper status has no hostname"

# Corrupted layer byte: an error that names the layer digest.
mkdir -p "$TMP/bad"
cp -r "$OCI" "$TMP/bad/oci"
LAYER=$(skopeo inspect "oci:$OCI:12" | jq -r '.Layers[0]')
BLOB="$TMP/bad/oci/blobs/sha256/${LAYER#sha256:}"
size=$(stat -c %s "$BLOB")
printf '\x55' | dd of="$BLOB" bs=1 seek=$((size / 2)) conv=notrunc status=none
"$TOOL" --walk "oci:$TMP/bad/oci" 'var/lib/dpkg/status' >/dev/null 2>"$TMP/bad.err"
rc=$?
is "$rc" 2 "oci: corrupted layer byte fails"
ok "oci: the error names the layer $LAYER" grep -q "$LAYER" "$TMP/bad.err"
diag "$(head -1 "$TMP/bad.err")"

# The same in the uncompressed docker-archive layer (the tar still parses:
# only the digest can tell).
cp "$DOCK" "$TMP/bad/d.tar"
DL=$(skopeo inspect "docker-archive:$DOCK" | jq -r '.Layers[0]')
off=$(python3 -c '
import sys, tarfile
t = tarfile.open(sys.argv[1])
m = [x for x in t.getmembers() if x.name.endswith(sys.argv[2] + ".tar")][0]
print(m.offset_data + m.size // 2)' "$TMP/bad/d.tar" "${DL#sha256:}")
printf '\x00' | dd of="$TMP/bad/d.tar" bs=1 seek="$off" conv=notrunc status=none
cmp -s "$DOCK" "$TMP/bad/d.tar" && diag "the byte was already 0; flipping another" &&
	printf '\x01' | dd of="$TMP/bad/d.tar" bs=1 seek="$off" conv=notrunc status=none
"$TOOL" --walk "docker-archive:$TMP/bad/d.tar" 'var/lib/dpkg/status' >/dev/null 2>"$TMP/badd.err"
is "$?" 2 "docker-archive: corrupted layer byte fails"
ok "docker-archive: the error names the layer $DL" grep -q "$DL" "$TMP/badd.err"
diag "$(head -1 "$TMP/badd.err")"
rm -rf "$TMP/bad"

# Truncated archive, unknown tag, missing platform: clear errors.
head -c 30000000 "$OCIA" >"$TMP/trunc.tar"
"$TOOL" --walk "oci-archive:$TMP/trunc.tar" >/dev/null 2>"$TMP/trunc.err"
is "$?" 2 "truncated oci-archive fails"
ok "truncated oci-archive: the message says so" grep -qi "truncated\|past the end" "$TMP/trunc.err"
rm -f "$TMP/trunc.tar"
"$TOOL" --walk "docker-archive:$DOCK:nosuch:tag" >/dev/null 2>"$TMP/tag.err"
ok "docker-archive: unknown tag lists the tags present" grep -q "bulwark/debian:12" "$TMP/tag.err"
"$TOOL" --walk --platform linux/s390x "oci:$OCI" >/dev/null 2>"$TMP/plat.err"
ok "oci: unknown platform lists the platforms present" grep -q "linux/$(_img_arch)" "$TMP/plat.err"

# Through the binary, when `bulwark sbom` is built: every form lists exactly
# what dpkg-query lists (name, version, architecture); the two-layer image
# exactly what dpkg-query lists from its upper layer's status.
if [ -x "$BULWARK" ] && "$BULWARK" help sbom >/dev/null 2>&1; then
	dq() { dpkg-query -W -f='${Package} ${Version} ${Architecture}\n' --admindir="$1" | sort; }
	dq "$ROOTFS/var/lib/dpkg" >"$TMP/pkgs"
	dq "$UP/var/lib/dpkg" >"$TMP/pkgs2"
	for ref in "dir:$ROOTFS" "oci:$OCI" "oci-archive:$OCIA" "docker-archive:$DOCK" "oci:$TWO"; do
		want="$TMP/pkgs"
		[ "$ref" = "oci:$TWO" ] && want="$TMP/pkgs2"
		if "$BULWARK" sbom "$ref" --format json >"$TMP/sbom.json" 2>"$TMP/sbom.err"; then
			jq -r '.packages[] | select(.type == "deb") | "\(.name) \(.version) \(.arch)"' \
				"$TMP/sbom.json" | sort >"$TMP/got-pkgs"
			if cmp -s "$TMP/got-pkgs" "$want"; then
				pass "bulwark sbom $ref: exactly the dpkg-query list ($(wc -l <"$want") packages)"
			else
				fail "bulwark sbom $ref: exactly the dpkg-query list"
				diff "$want" "$TMP/got-pkgs" | head -5 | while read -r l; do diag "$l"; done
			fi
		else
			fail "bulwark sbom $ref"
			diag "$(head -2 "$TMP/sbom.err")"
		fi
	done
else
	skip "bulwark sbom on each form" "src/cli/cmd_sbom.c not built yet"
fi

done_testing

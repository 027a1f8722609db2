# shellcheck shell=bash
# tests/integration/lib_image.sh - build real container images from a rootfs
# directory, for the end-to-end tests. Source it after lib.sh:
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/lib_image.sh"
#
# Image forms (all real formats, checked against real tools):
#   make_oci_dir ROOTFS OUTDIR [TAG]          OCI image layout directory
#   make_oci_archive ROOTFS OUTFILE [TAG]     tar of that layout (oci-archive:)
#   make_docker_archive ROOTFS OUTFILE TAG    `skopeo copy oci:... docker-archive:...`
#   make_two_layer_image ROOTFS OUTDIR PKG [TAG]
#       OCI layout whose first layer is ROOTFS and whose second layer removes
#       the dpkg package PKG: it rewrites var/lib/dpkg/status without PKG's
#       stanza and whiteouts PKG's files (.wh.NAME) and its info files. The
#       upper layer's staging tree is left in OUTDIR.upper so a test can ask
#       dpkg-query --admindir=OUTDIR.upper/var/lib/dpkg for the truth.
#
# Layers are made with GNU tar (sorted, numeric owners) and gzip -n; digests
# with sha256sum; the config carries rootfs.diff_ids. TAG defaults to
# "latest"; it is stored as the org.opencontainers.image.ref.name annotation.
#
# Cached forms of the Debian fixture (built once under $FIXTURES/images with
# fixture_lock; each prints its path):
#   debian_oci_dir, debian_oci_archive, debian_docker_archive (tag
#   bulwark/debian:12), debian_two_layer (removes package "hostname").

# _img_arch: the host's architecture in OCI/Go names.
_img_arch() {
	case "$(uname -m)" in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	armv7l | armv6l) echo arm ;;
	i?86) echo 386 ;;
	ppc64le) echo ppc64le ;;
	s390x) echo s390x ;;
	riscv64) echo riscv64 ;;
	*) uname -m ;;
	esac
}

_img_sha() { sha256sum "$1" | cut -d' ' -f1; }

# _img_layer DIR OUTDIR: tar DIR into a gzip layer blob under OUTDIR/blobs/sha256.
# Prints "DIGESTHEX DIFFIDHEX SIZE".
_img_layer() {
	local dir=$1 out=$2 tmp diff dig size
	tmp=$(mktemp "$out/.layer.XXXXXX")
	tar --sort=name --numeric-owner --owner=0 --group=0 --format=pax \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		--exclude=./.complete -C "$dir" -cf "$tmp.tar" . || return 1
	diff=$(_img_sha "$tmp.tar")
	gzip -n -c "$tmp.tar" >"$tmp" || return 1
	rm -f "$tmp.tar"
	dig=$(_img_sha "$tmp")
	size=$(stat -c %s "$tmp")
	mv "$tmp" "$out/blobs/sha256/$dig"
	echo "$dig $diff $size"
}

# _img_blob_json OUTDIR FILE: store FILE as a blob; prints "HEX SIZE".
_img_blob() {
	local out=$1 f=$2 dig
	dig=$(_img_sha "$f")
	cp "$f" "$out/blobs/sha256/$dig"
	echo "$dig $(stat -c %s "$f")"
}

# make_oci_layout OUTDIR TAG DIR...: one layer per DIR, lowest first.
make_oci_layout() {
	local out=$1 tag=$2; shift 2
	local arch layers="" diffs="" d info cfg man
	arch=$(_img_arch)
	rm -rf "$out"
	mkdir -p "$out/blobs/sha256" || return 1
	printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
	for d in "$@"; do
		info=$(_img_layer "$d" "$out") || return 1
		set -- $info
		layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$1\",\"size\":$3}"
		diffs="$diffs${diffs:+,}\"sha256:$2\""
	done
	printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/bash"]},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[]}' \
		"$arch" "$diffs" >"$out/.config.json"
	cfg=$(_img_blob "$out" "$out/.config.json") || return 1
	set -- $cfg
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
		"$1" "$2" "$layers" >"$out/.manifest.json"
	man=$(_img_blob "$out" "$out/.manifest.json") || return 1
	set -- $man
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"},"platform":{"architecture":"%s","os":"linux"}}]}' \
		"$1" "$2" "$tag" "$arch" >"$out/index.json"
	rm -f "$out/.config.json" "$out/.manifest.json"
}

make_oci_dir() {
	make_oci_layout "$2" "${3:-latest}" "$1"
}

make_oci_archive() {
	local rootfs=$1 out=$2 tag=${3:-latest} d
	d=$(mktemp -d "${TMPDIR:-/tmp}/bw-oci.XXXXXX")
	make_oci_layout "$d/oci" "$tag" "$rootfs" || { rm -rf "$d"; return 1; }
	tar --sort=name -C "$d/oci" -cf "$out.tmp" . || { rm -rf "$d"; return 1; }
	mv "$out.tmp" "$out"
	rm -rf "$d"
}

make_docker_archive() {
	local rootfs=$1 out=$2 tag=$3 d
	d=$(mktemp -d "${TMPDIR:-/tmp}/bw-oci.XXXXXX")
	make_oci_layout "$d/oci" latest "$rootfs" || { rm -rf "$d"; return 1; }
	rm -f "$out"
	skopeo --insecure-policy copy -q "oci:$d/oci:latest" "docker-archive:$out:$tag" >&2 ||
		{ rm -rf "$d"; return 1; }
	rm -rf "$d"
}

# make_two_layer_image ROOTFS OUTDIR PKG [TAG]
make_two_layer_image() {
	local rootfs=$1 out=$2 pkg=$3 tag=${4:-latest} up f base dir listf
	up="$out.upper"
	rm -rf "$up"
	mkdir -p "$up/var/lib/dpkg/info" || return 1
	# status without PKG's stanza (paragraphs are separated by blank lines)
	awk -v p="$pkg" 'BEGIN { RS = ""; ORS = "\n\n" }
		{ split($0, l, "\n"); if (l[1] != "Package: " p) print }' \
		"$rootfs/var/lib/dpkg/status" >"$up/var/lib/dpkg/status" || return 1
	listf="$rootfs/var/lib/dpkg/info/$pkg.list"
	[ -f "$listf" ] || listf="$rootfs/var/lib/dpkg/info/$pkg:$(dpkg --print-architecture).list"
	[ -f "$listf" ] || { echo "make_two_layer_image: no file list for $pkg" >&2; return 1; }
	# whiteouts for the package's regular files and symlinks (not directories)
	while IFS= read -r f; do
		[ -n "$f" ] && [ "$f" != "/." ] || continue
		if [ -L "$rootfs$f" ] || [ -f "$rootfs$f" ]; then
			base=${f##*/}
			# the directory as it really is in the lower layer (bin -> usr/bin
			# in merged-/usr): a real "bin" directory in the upper layer would
			# hide the lower symlink
			dir=$(readlink -f "$rootfs${f%/*}") || continue
			case "$dir" in "$rootfs"/*) dir=${dir#"$rootfs"} ;; *) continue ;; esac
			mkdir -p "$up$dir"
			: >"$up$dir/.wh.$base"
		fi
	done <"$listf"
	for f in "$rootfs/var/lib/dpkg/info/$pkg".* "$rootfs/var/lib/dpkg/info/$pkg":*.*; do
		[ -e "$f" ] || continue
		: >"$up/var/lib/dpkg/info/.wh.${f##*/}"
	done
	make_oci_layout "$out" "$tag" "$rootfs" "$up"
}

# _img_cached NAME CMD...: run CMD once (it must create $FIXTURES/images/NAME).
_img_cached() {
	local name=$1 path="$FIXTURES/images/$1"; shift
	mkdir -p "$FIXTURES/images"
	fixture_lock "image-$name"
	if [ ! -f "$FIXTURES/images/.$name.complete" ]; then
		rm -rf "$path" "$path.upper"
		"$@" || { fixture_unlock; echo "lib_image: building $name failed" >&2; return 1; }
		touch "$FIXTURES/images/.$name.complete"
	fi
	fixture_unlock
	echo "$path"
}

debian_oci_dir() {
	local r; r=$(debian_rootfs) || return 1
	_img_cached debian-oci make_oci_dir "$r" "$FIXTURES/images/debian-oci" 12
}
debian_oci_archive() {
	local r; r=$(debian_rootfs) || return 1
	_img_cached debian-oci.tar make_oci_archive "$r" "$FIXTURES/images/debian-oci.tar" 12
}
debian_docker_archive() {
	local r; r=$(debian_rootfs) || return 1
	_img_cached debian-docker.tar make_docker_archive "$r" "$FIXTURES/images/debian-docker.tar" bulwark/debian:12
}
debian_two_layer() {
	local r; r=$(debian_rootfs) || return 1
	_img_cached debian-two-layer make_two_layer_image "$r" "$FIXTURES/images/debian-two-layer" hostname 12
}

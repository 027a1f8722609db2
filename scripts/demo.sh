#!/bin/bash
# scripts/demo.sh - the main job on a demo image (what `make run` runs).
#
# Builds bulwark if it is not built, builds the demo image once (a Debian 12
# minbase root filesystem from the Debian mirror with openssl, curl and
# python3-minimal, plus a small Node.js app in /srv/app whose dependencies
# are pinned at versions with published advisories, installed with npm from
# the npm registry; packed as an OCI image layout by
# tests/integration/lib_image.sh, cached in build/fixtures/demo-image), makes
# sure a vulnerability database exists, then scans the image and prints the
# findings. Running it again reuses the image and the database.
#
# The database: the default one (~/.cache/bulwark/vulndb.sqlite) or
# BW_DEMO_DB; when it does not exist yet, `bulwark db update` fetches the
# upstream feeds, and where that is impossible (no internet) the feed
# snapshots in ../shared/vulndata are used when present.
#
# Environment: BULWARK (the binary, default build/src/cli/bulwark),
# BW_DEMO_FORMAT (table, json, sarif, cyclonedx; default table),
# BW_DEMO_DB, BW_FIXTURES (cache folder, default build/fixtures).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BULWARK=${BULWARK:-$ROOT/build/src/cli/bulwark}
FIXTURES=${BW_FIXTURES:-$ROOT/build/fixtures}
IMAGE="$FIXTURES/demo-image"
ROOTFS="$FIXTURES/demo-rootfs"
PACKAGES=openssl,curl,python3-minimal
mkdir -p "$FIXTURES"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# Used by lib_image.sh's helpers: serialise with the test suite's builds.
fixture_lock() { exec 9>"$FIXTURES/.$1.lock"; flock 9; }
fixture_unlock() { flock -u 9; }
. "$ROOT/tests/integration/lib_image.sh"

# Built, and new enough to have the sbom command?
if [ ! -x "$BULWARK" ] || ! "$BULWARK" help scan >/dev/null 2>&1; then
	say "building bulwark (make all)"
	make -C "$ROOT" all >&2 || die "the build failed"
fi

# The Debian mirror apt already uses (the same detection as the tests' lib.sh).
debian_mirror() {
	local m
	m=$(awk '/^deb / && /debian/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$m" ] || m=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	[ -n "$m" ] || m=http://deb.debian.org/debian
	echo "$m"
}

build_image() {
	local mirror
	[ "$(id -u)" = 0 ] || die "building the demo image needs root (debootstrap); run as root once"
	command -v debootstrap >/dev/null || die "debootstrap is missing: run 'make deps'"
	mirror=$(debian_mirror)
	say "building the demo image: Debian 12 minbase + $PACKAGES from $mirror (about a minute, once)"
	rm -rf "$ROOTFS" "$IMAGE"
	debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$mirror" \
		>"$FIXTURES/demo-debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $FIXTURES/demo-debootstrap.log"
	rm -rf "$ROOTFS/var/cache/apt/archives/"*.deb
	command -v npm >/dev/null || die "npm is missing: run 'make deps'"
	say "installing the demo app's npm dependencies (lodash 4.17.15, minimist 1.2.5, qs 6.9.4)"
	mkdir -p "$ROOTFS/srv/app"
	cat >"$ROOTFS/srv/app/package.json" <<'JSON'
{"name": "demo-app", "version": "1.0.0", "private": true,
 "dependencies": {"lodash": "4.17.15", "minimist": "1.2.5", "qs": "6.9.4"}}
JSON
	(cd "$ROOTFS/srv/app" && npm install --no-audit --no-fund --loglevel=error >/dev/null) ||
		die "npm install of the demo app failed"
	say "packing it as an OCI image layout"
	make_oci_dir "$ROOTFS" "$IMAGE" demo || die "packing the OCI layout failed"
	rm -rf "$ROOTFS"
}

fixture_lock demo-image
if [ ! -f "$FIXTURES/.demo-image-v2.complete" ] || [ ! -f "$IMAGE/index.json" ]; then
	build_image
	touch "$FIXTURES/.demo-image-v2.complete"
fi
fixture_unlock

DB=${BW_DEMO_DB:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark/vulndb.sqlite}
if [ ! -f "$DB" ]; then
	mkdir -p "$(dirname "$DB")"
	say "no vulnerability database at $DB yet: bulwark db update"
	if ! "$BULWARK" db update --db "$DB" >&2; then
		[ -d "$ROOT/../shared/vulndata" ] ||
			die "db update failed and no local feed snapshot: see docs/vulndb.md (air-gapped use)"
		say "db update failed (no internet?): building from the feed snapshots in ../shared/vulndata"
		"$BULWARK" db build --from "$ROOT/../shared/vulndata" --db "$DB" >&2 ||
			die "db build failed"
	fi
fi

say "bulwark scan oci:$IMAGE:demo --db $DB"
"$BULWARK" scan --db "$DB" --format "${BW_DEMO_FORMAT:-table}" "oci:$IMAGE:demo"

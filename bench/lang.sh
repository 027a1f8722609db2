#!/bin/bash
# bench/lang.sh - issue 4's cataloguing cost, measured in one run on one
# image: a large real node_modules (the npm project the npm tests install
# from the registry, copied into N app directories: thousands of packages)
# plus a few hundred jars (Debian's /usr/share/java, copied N times), packed
# as a gzip OCI image. Prints the decompression floor (gzip -dc of the
# layer), `bulwark sbom` time (best of RUNS), cost per file and per package,
# the ratio to the floor, and peak RSS (target under 128 MiB).
# Usage: bench/lang.sh [COPIES] [RUNS]   (defaults 6 and 3)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COPIES=${1:-6}
RUNS=${2:-3}
BULWARK=${BULWARK:-$ROOT/build/src/cli/bulwark}
. "$ROOT/tests/integration/lib.sh" >/dev/null
. "$ROOT/tests/integration/lib_image.sh"
CACHE="$ROOT/build/bench-cache/lang-$COPIES"
mkdir -p "$ROOT/build/bench-cache"

NPM="$FIXTURES/npm-project"
if [ ! -d "$NPM/node_modules" ]; then
	# the npm tests' fixture; build it here when they have not run yet
	mkdir -p "$NPM"
	cat >"$NPM/package.json" <<'JSON'
{"name": "bench-app", "version": "1.0.0", "private": true,
 "dependencies": {"express": "4.19.2", "webpack": "5.94.0", "@babel/core": "7.25.2", "@babel/preset-env": "7.25.4"}}
JSON
	(cd "$NPM" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ ! -f "$CACHE/.complete" ]; then
	rm -rf "$CACHE"; mkdir -p "$CACHE/root/usr/share"
	for i in $(seq "$COPIES"); do
		mkdir -p "$CACHE/root/srv/app$i" "$CACHE/root/opt/java$i"
		cp -a "$NPM/node_modules" "$NPM/package.json" "$CACHE/root/srv/app$i/"
		cp -L /usr/share/java/*.jar "$CACHE/root/opt/java$i/" 2>/dev/null || true
	done
	make_oci_dir "$CACHE/root" "$CACHE/oci" bench >/dev/null
	touch "$CACHE/.complete"
fi
IMG="$CACHE/oci"
LAYER=$(python3 -c '
import json, os, sys
d = sys.argv[1]
idx = json.load(open(os.path.join(d, "index.json")))
m = json.load(open(os.path.join(d, "blobs/sha256", idx["manifests"][0]["digest"].split(":")[1])))
print(os.path.join(d, "blobs/sha256", m["layers"][0]["digest"].split(":")[1]))' "$IMG")
FILES=$(find "$CACHE/root" -type f | wc -l)
JARS=$(find "$CACHE/root" -name '*.jar' | wc -l)

now() { date +%s.%N; }
floor=$(for i in $(seq "$RUNS"); do s=$(now); gzip -dc "$LAYER" >/dev/null; e=$(now); echo "$e - $s" | bc; done | sort -g | head -1)
sbom=$(for i in $(seq "$RUNS"); do s=$(now); "$BULWARK" -q sbom "oci:$IMG:bench" --format json -o "$CACHE/sbom.json"; e=$(now); echo "$e - $s" | bc; done | sort -g | head -1)
rss=$( { /usr/bin/time -f %M "$BULWARK" -q sbom "oci:$IMG:bench" --format json -o /dev/null; } 2>&1 | tail -1)
PKGS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["packages"]))' "$CACHE/sbom.json")
printf 'image: %s files (%s jars), %s layer bytes compressed, %s packages found\n' \
	"$FILES" "$JARS" "$(stat -c %s "$LAYER")" "$PKGS"
printf 'gzip -dc of the layer (floor): %.3f s\n' "$floor"
printf 'bulwark sbom:                  %.3f s   ratio %.2fx the floor\n' "$sbom" "$(echo "$sbom / $floor" | bc -l)"
printf 'cost per file: %.1f us total, %.1f us above the floor; per package %.1f us\n' \
	"$(echo "$sbom * 1000000 / $FILES" | bc -l)" "$(echo "($sbom - $floor) * 1000000 / $FILES" | bc -l)" \
	"$(echo "$sbom * 1000000 / $PKGS" | bc -l)"
printf 'peak RSS: %s KiB (target under 131072)\n' "$rss"

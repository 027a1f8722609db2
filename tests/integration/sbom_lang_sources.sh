#!/bin/bash
# sbom_lang_sources.sh - `bulwark sbom dir:.` on a source checkout that holds
# a lockfile of every text-format ecosystem (Gemfile.lock, composer.lock,
# packages.lock.json, Cargo.lock, go.mod), and the same tree as a two-layer
# OCI image whose upper layer deletes one lockfile (whiteout) and installs
# Composer's vendor tree.
#
# Truth: the fixtures' *.expected lists in tests/data/lang2 (cargo metadata,
# composer show, go mod edit -json, or read by hand: see the unit tests);
# layer digests from the image's own manifest (jq).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

D="$ROOT/tests/data/lang2"
REPO="$TMP/repo"
mkdir -p "$REPO/web" "$REPO/svc" "$REPO/tools" "$REPO/docs"
cp "$D/ruby/Gemfile.lock" "$REPO/Gemfile.lock"
cp "$D/php/lock/composer.lock" "$REPO/web/composer.lock"
cp "$D/dotnet/src/packages.lock.json" "$REPO/svc/packages.lock.json"
cp "$D/rust/v4/Cargo.lock" "$REPO/tools/Cargo.lock"
cp "$D/go/syntax/go.mod" "$REPO/go.mod"
echo "# not a lockfile" >"$REPO/docs/README.md"

# list JSON PATH [dev]: "name version" (and dev|-) of the packages found in PATH.
list() {
	if [ "${3:-}" = dev ]; then
		jq -r --arg p "$2" '.packages[] | select(.path == $p) | "\(.name) \(.version) \(if .dev then "dev" else "-" end)"' "$1"
	else
		jq -r --arg p "$2" '.packages[] | select(.path == $p) | "\(.name) \(.version)"' "$1"
	fi | LC_ALL=C sort
}
# same NAME WANTFILE GOTFILE
same() {
	local d
	if d=$(diff -u "$2" "$3"); then pass "$1 ($(wc -l <"$2") packages)"; else fail "$1"; diag "$(echo "$d" | head -20)"; fi
}
# check_tree JSON PREFIX WHAT: each lockfile's packages are its expected list.
check_tree() {
	local j=$1 p=$2 what=$3
	list "$j" "${p}Gemfile.lock" >"$TMP/got"
	same "$what: Gemfile.lock" "$D/ruby/Gemfile.lock.expected" "$TMP/got"
	list "$j" "${p}svc/packages.lock.json" >"$TMP/got"
	same "$what: packages.lock.json" "$D/dotnet/src/packages.lock.json.expected" "$TMP/got"
	list "$j" "${p}go.mod" >"$TMP/got"
	same "$what: go.mod" "$D/go/syntax/go.mod.expected" "$TMP/got"
}

# ---- a checkout: bulwark sbom dir:. ------------------------------------------------
if (cd "$REPO" && "$BULWARK" sbom --format json dir:.) >"$TMP/repo.json" 2>"$TMP/err"; then
	pass "sbom dir:. exits 0"
else
	fail "sbom dir:. exits 0"
	diag "$(head -5 "$TMP/err")"
fi
check_tree "$TMP/repo.json" "" "dir:."
list "$TMP/repo.json" "web/composer.lock" dev >"$TMP/got"
same "dir:.: composer.lock (dev marked)" "$D/php/lock/composer.lock.expected" "$TMP/got"
list "$TMP/repo.json" "tools/Cargo.lock" >"$TMP/got"
same "dir:.: Cargo.lock" "$D/rust/v4/Cargo.lock.expected" "$TMP/got"
is "$(jq -r '[.packages[].type] | unique | join(" ")' "$TMP/repo.json")" \
	"cargo composer gem golang nuget" "dir:. finds the five ecosystems and nothing else"
is "$(jq -r '.warnings | length' "$TMP/repo.json")" "0" "dir:. has no warnings"
# the same tree given as a bare path and in other output formats
"$BULWARK" sbom --format cyclonedx "$REPO" >"$TMP/repo.cdx" 2>"$TMP/err"
is "$(jq -r '[.components[] | select(.purl | startswith("pkg:cargo/"))] | length' "$TMP/repo.cdx")" \
	"$(wc -l <"$D/rust/v4/Cargo.lock.expected" | tr -d ' ')" "CycloneDX lists the crates with their purls"

# ---- the same files in a two-layer OCI image -----------------------------------------
L1="$TMP/l1" L2="$TMP/l2"
mkdir -p "$L1" "$L2/app/tools" "$L2/app/web/vendor/composer"
cp -a "$REPO" "$L1/app"
: >"$L2/app/tools/.wh.Cargo.lock"
cp "$D/php/v2/vendor/composer/installed.json" "$L2/app/web/vendor/composer/installed.json"
make_oci_layout "$TMP/oci" latest "$L1" "$L2" || { echo "Bail out! building the OCI layout failed"; exit 1; }
man=$(jq -r '.manifests[0].digest' "$TMP/oci/index.json")
layer1=$(jq -r '.layers[0].digest' "$TMP/oci/blobs/sha256/${man#sha256:}")
layer2=$(jq -r '.layers[1].digest' "$TMP/oci/blobs/sha256/${man#sha256:}")
if "$BULWARK" sbom --format json "oci:$TMP/oci" >"$TMP/oci.json" 2>"$TMP/err"; then
	pass "sbom oci:LAYOUT exits 0"
else
	fail "sbom oci:LAYOUT exits 0"
	diag "$(head -5 "$TMP/err")"
fi
check_tree "$TMP/oci.json" "app/" "image"
is "$(jq -r '[.packages[] | select(.type == "cargo")] | length' "$TMP/oci.json")" "0" \
	"the Cargo.lock deleted by the upper layer is not catalogued"
list "$TMP/oci.json" "app/web/vendor/composer/installed.json" dev >"$TMP/got"
same "image: installed.json (dev from dev-package-names)" "$D/php/v2/vendor/composer/installed.json.expected" "$TMP/got"
is "$(jq -r '[.packages[] | select(.path == "app/web/composer.lock")] | length' "$TMP/oci.json")" "0" \
	"composer.lock beside an installed vendor/ is not counted twice"
is "$(jq -r '[.packages[] | select(.type == "composer") | .layer] | unique | join(" ")' "$TMP/oci.json")" \
	"$layer2" "the Composer packages come from the upper layer"
is "$(jq -r '[.packages[] | select(.type == "gem" or .type == "nuget" or .type == "golang") | .layer] | unique | join(" ")' "$TMP/oci.json")" \
	"$layer1" "the other lockfiles' packages come from the lower layer"
done_testing

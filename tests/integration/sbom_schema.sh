#!/bin/bash
# sbom_schema.sh - CycloneDX and SPDX output of `bulwark sbom` against the
# published JSON schemas (tests/js/validate.js: ajv with the CycloneDX
# schemas shipped in @cyclonedx/cyclonedx-library), on the Debian image and
# on real Alpine and Debian package databases (licences, odd names).
#
# SPDX 2.3: no npm package ships its JSON schema; validate.js then runs the
# SPDX 2.3 specification's rules (ids, relationships, licence expressions
# parsed by spdx-expression-parse) and exits 3, and the schema check is
# skipped. The full check runs when tests/data/spdx-2.3.schema.json (the
# spdx-spec v2.3 schemas/spdx-schema.json) exists or BW_SPDX_SCHEMA names it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

JS="$ROOT/tests/js"
if ! command -v node >/dev/null; then
	echo "1..0 # SKIP node is not installed"; exit 0
fi
if [ ! -d "$JS/node_modules/ajv" ] || [ ! -d "$JS/node_modules/@cyclonedx/cyclonedx-library" ]; then
	(cd "$JS" && npm install --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1 ||
		{ echo "Bail out! npm install in tests/js failed: $(tail -3 "$TMP/npm.log")"; exit 1; }
fi
validate() { node "$JS/validate.js" "$@"; }

ROOTFS=$(debian_rootfs) || { echo "1..0 # SKIP no Debian rootfs (debootstrap failed)"; exit 0; }
OCI=$(debian_oci_dir) || { echo "Bail out! building the OCI layout failed"; exit 1; }
PKGDB="$SHARED/fixtures/pkgdb"

# An Alpine root made of the real installed database from Trivy's tests
# (licences such as "MIT BSD GPL2+" and "GPL-2.0-only").
mkdir -p "$TMP/alpine/lib/apk/db" "$TMP/alpine/etc"
cp "$PKGDB/trivy/apk/apk" "$TMP/alpine/lib/apk/db/installed"
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n' \
	>"$TMP/alpine/etc/os-release"

# check NAME REF: validate both formats of REF's SBOM.
check() {
	local name=$1 ref=$2 rc
	if ! "$BULWARK" sbom -f cyclonedx -o "$TMP/$name.cdx.json" "$ref" 2>"$TMP/err"; then
		fail "$name: sbom -f cyclonedx exits 0"; diag "$(head -3 "$TMP/err")"
	elif validate "$TMP/$name.cdx.json" --schema cyclonedx 2>"$TMP/verr"; then
		pass "$name: CycloneDX $(jq -r .specVersion "$TMP/$name.cdx.json") validates against the published schema"
	else
		fail "$name: CycloneDX validates against the published schema"; diag "$(head -20 "$TMP/verr")"
	fi
	if ! "$BULWARK" sbom -f spdx-json -o "$TMP/$name.spdx.json" "$ref" 2>"$TMP/err"; then
		fail "$name: sbom -f spdx-json exits 0"; diag "$(head -3 "$TMP/err")"
		return
	fi
	validate "$TMP/$name.spdx.json" --schema spdx 2>"$TMP/verr"
	rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 3 ]; then
		pass "$name: SPDX 2.3 follows the specification's rules"
	else
		fail "$name: SPDX 2.3 follows the specification's rules"; diag "$(head -20 "$TMP/verr")"
	fi
	case $rc in
	0) pass "$name: SPDX 2.3 validates against the published schema" ;;
	3) skip "$name: SPDX 2.3 validates against the published schema" "no SPDX 2.3 schema file (tests/data/spdx-2.3.schema.json or BW_SPDX_SCHEMA)" ;;
	*) fail "$name: SPDX 2.3 validates against the published schema" ;;
	esac
}

check debian "oci:$OCI"
check alpine "dir:$TMP/alpine"
check syft-dpkg "dir:$PKGDB/syft/debian/image-dpkg"
check syft-distroless "dir:$PKGDB/syft/debian/image-distroless-deb"
check trivy-dpkg "dir:$PKGDB/trivy/dpkg/valid"

# The validator itself must reject what is wrong, or the checks above prove
# nothing: a licence id off the SPDX list, a bad SPDXID.
jq '.components[1].licenses = [{"license": {"id": "Expat"}}]' "$TMP/alpine.cdx.json" >"$TMP/bad.cdx.json"
validate "$TMP/bad.cdx.json" --schema cyclonedx 2>/dev/null
is "$?" "1" "the validator rejects a CycloneDX licence id that is not on the SPDX list"
jq '.packages[1].SPDXID = "SPDXRef-a_b"' "$TMP/alpine.spdx.json" >"$TMP/bad.spdx.json"
validate "$TMP/bad.spdx.json" --schema spdx 2>/dev/null
is "$?" "1" "the validator rejects an SPDXID with '_'"

# Alpine licences: the apk database's own text is the truth. Every
# component's licences are on the SPDX list (as id or expression) or kept by
# name; an id is never invented.
is "$(jq '[.components[] | select(.type == "library")] | length' "$TMP/alpine.cdx.json")" \
	"$(grep -c '^P:' "$PKGDB/trivy/apk/apk" | awk '{print $1 - 1}')" \
	"alpine: one component per P: entry of the database (less the one without a version)"
is "$(jq -r '.components[] | select(.name == "musl") | .licenses[0].license.id' "$TMP/alpine.cdx.json")" \
	"$(awk '/^P:musl$/ {p = 1} p && /^L:/ {sub(/^L:/, ""); print; exit}' "$PKGDB/trivy/apk/apk")" \
	"alpine: musl's licence id is the database's L: line"

done_testing

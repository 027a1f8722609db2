#!/bin/bash
# sbom_pkgdb.sh - `bulwark sbom dir:ROOT` on the real dpkg and apk databases
# from Syft's and Trivy's test suites ($SHARED/fixtures/pkgdb), compared
# with the package lists those projects' own tests expect (expected.tsv,
# transcribed from their Go tests; see the SOURCE.txt files), and the
# corrupt databases they expect to fail: a warning that names the file, the
# rest of the image still catalogued, never a crash.
. "$(dirname "$0")/lib.sh"

PKGDB="$SHARED/fixtures/pkgdb"
[ -d "$PKGDB" ] || { echo "1..0 # SKIP no $PKGDB"; exit 0; }

listed() {
	jq -r '.packages[] | [.name, (.version // ""), (.arch // "")] | @tsv' "$1" | LC_ALL=C sort
}
# compare NAME REF WANTFILE: sbom REF lists exactly WANTFILE's rows.
compare() {
	local name=$1 ref=$2 want=$3 d
	if ! "$BULWARK" sbom -f json "$ref" >"$TMP/out.json" 2>"$TMP/err"; then
		fail "$name: exit 0"; diag "$(head -5 "$TMP/err")"; return
	fi
	listed "$TMP/out.json" >"$TMP/got"
	if d=$(diff -u "$want" "$TMP/got"); then
		pass "$name: lists the $(wc -l <"$want") packages upstream expects"
	else
		fail "$name: lists the packages upstream expects"; diag "$(echo "$d" | head -30)"
	fi
}

# ---- Trivy's dpkg fixtures: columns fixture, name, full_version, ..., arch (7) ----
for fx in valid only-apt digest md5sums third-party corrupsed; do
	awk -F'\t' -v f="$fx" '$1 == f {print $2 "\t" $3 "\t" $7}' "$PKGDB/trivy/dpkg/expected.tsv" |
		LC_ALL=C sort >"$TMP/want"
	compare "trivy dpkg/$fx" "dir:$PKGDB/trivy/dpkg/$fx" "$TMP/want"
done

# ---- Trivy's apk database: name, version, arch; the entry without a version is skipped ----
mkdir -p "$TMP/apk/lib/apk/db"
cp "$PKGDB/trivy/apk/apk" "$TMP/apk/lib/apk/db/installed"
grep -v '^#' "$PKGDB/trivy/apk/expected.tsv" | awk -F'\t' '{print $1 "\t" $2 "\t" $3}' |
	LC_ALL=C sort >"$TMP/want"
compare "trivy apk" "dir:$TMP/apk" "$TMP/want"

# ---- Syft's fixtures that are whole roots: name, version, arch ----
syft_want() {
	awk -F'\t' -v f="$1" '$1 == f {print $2 "\t" $3 "\t" $4}' "$PKGDB/syft/expected.tsv" | LC_ALL=C sort
}
syft_want alpine/multiple-1/lib/apk/db/installed >"$TMP/want"
compare "syft alpine/multiple-1" "dir:$PKGDB/syft/alpine/multiple-1" "$TMP/want"
syft_want debian/image-dpkg/var/lib/dpkg/status >"$TMP/want"
compare "syft debian/image-dpkg" "dir:$PKGDB/syft/debian/image-dpkg" "$TMP/want"
is "$(jq -r '.distro.id' "$TMP/out.json")" \
	"$(. "$PKGDB/syft/debian/image-dpkg/etc/os-release"; echo "$ID")" "syft debian/image-dpkg: the distro is os-release's ID"
syft_want debian/image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0 >"$TMP/want"
compare "syft debian/image-distroless-deb (status.d)" "dir:$PKGDB/syft/debian/image-distroless-deb" "$TMP/want"
is "$(jq -r '.packages[0].path' "$TMP/out.json")" "var/lib/dpkg/status.d/libsqlite3-0" \
	"syft debian/image-distroless-deb: the package names its status.d file"

# ---- corrupt databases that upstream expects to fail ----
# alpine/corrupt: a warning naming the file, exit 0 (the image is readable).
"$BULWARK" sbom -f json "dir:$PKGDB/syft/alpine/corrupt" >"$TMP/out.json" 2>"$TMP/err"
is "$?" "0" "syft alpine/corrupt: exit 0 (a corrupt database is a warning)"
ok "syft alpine/corrupt: the warning names lib/apk/db/installed" grep -q "lib/apk/db/installed" "$TMP/err"
ok "syft alpine/corrupt: the warning is in the SBOM too" \
	test "$(jq '[.warnings[] | select(contains("lib/apk/db/installed"))] | length' "$TMP/out.json")" -ge 1

# debian status.d/corrupt next to a good status.d entry: the good one is still listed.
mkdir -p "$TMP/deb/var/lib/dpkg/status.d"
cp "$PKGDB/syft/debian/var/lib/dpkg/status.d/corrupt" "$PKGDB/syft/debian/var/lib/dpkg/status.d/single" \
	"$TMP/deb/var/lib/dpkg/status.d/"
"$BULWARK" sbom -f json "dir:$TMP/deb" >"$TMP/out.json" 2>"$TMP/err"
is "$?" "0" "syft status.d/corrupt: exit 0"
ok "syft status.d/corrupt: the warning names the file" grep -q "status.d/corrupt" "$TMP/err"
syft_want debian/var/lib/dpkg/status.d/single >"$TMP/want"
listed "$TMP/out.json" >"$TMP/got"
ok "syft status.d/corrupt: the good entry beside it is still listed" diff -u "$TMP/want" "$TMP/got"

done_testing

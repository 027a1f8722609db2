#!/bin/bash
# registry_scan.sh - `bulwark registry scan HOST` walks the catalog and the
# tag lists of a real registry (Debian's docker-registry, plain HTTP),
# catalogues each manifest digest once, stores SBOMs and findings in SQLite,
# and `bulwark registry report HOST` prints them per repository and tag.
# The expected findings are `bulwark scan`'s on the image's OCI layout with
# the same database; the digests are skopeo's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"
. "$(dirname "$0")/lib_registry.sh"

for t in docker-registry skopeo; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not installed"; exit 0; }
done
OCI=$(debian_oci_dir) || { echo "Bail out! cannot build the Debian OCI image"; exit 1; }
TWO=$(debian_two_layer) || { echo "Bail out! cannot build the two-layer image"; exit 1; }

trap 'stop_registry; rm -rf "$TMP"' EXIT
start_registry "$TMP" || { echo "Bail out! docker-registry did not start"; exit 1; }
export XDG_CACHE_HOME="$TMP/cache" DOCKER_CONFIG="$TMP/no-docker"

# a small Debian 11 image with packages the DSA/DLA lists have advisories for
bullseye_oci "$TMP/old-oci" 11 "$(printf 'Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.1.1n-0+deb11u3\n\nPackage: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9.5p2-3\n')"

ok "push debian:12, debian:latest, mirror/debian:12 (one digest), two/layer:1, old/debian:11" \
	registry_push "oci:$OCI:12" debian:12 "oci:$OCI:12" debian:latest "oci:$OCI:12" mirror/debian:12 \
	"oci:$TWO:12" two/layer:1 "oci:$TMP/old-oci:11" old/debian:11
D1=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/debian:12")
D2=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/two/layer:1")
D3=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/old/debian:11")

DB="$TMP/vulndb.sqlite"
"$BULWARK" db build --from "$SHARED/vulndata/debian" --db "$DB" >/dev/null 2>&1
ok "vulnerability database built" test -s "$DB"
"$BULWARK" scan --db "$DB" --format json "oci:$TMP/old-oci:11" -o "$TMP/local.json" 2>/dev/null
WANT_N=$(jq '[.findings[]] | length' "$TMP/local.json")
diag "local scan: $WANT_N findings"

"$BULWARK" registry scan "$R" --insecure --db "$DB" --store "$TMP/store.sqlite" 2>"$TMP/scan1.err"; rc=$?
is "$rc" 0 "registry scan exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/scan1.err")"
is "$(grep -c ' scanned$' "$TMP/scan1.err")" 3 "three digests catalogued"
is "$(grep -c '(already scanned)$' "$TMP/scan1.err")" 2 "the other two tags reuse a digest"
is "$(sqlite3 "$TMP/store.sqlite" 'SELECT digest FROM images ORDER BY digest' | tr '\n' ' ')" \
	"$(printf '%s\n' "$D1" "$D2" "$D3" | sort | tr '\n' ' ')" "the store holds skopeo's three digests"
is "$(sqlite3 "$TMP/store.sqlite" "SELECT repo || ':' || tag || '=' || digest FROM tags ORDER BY repo, tag" | tr '\n' ' ')" \
	"debian:12=$D1 debian:latest=$D1 mirror/debian:12=$D1 old/debian:11=$D3 two/layer:1=$D2 " "every tag maps to its digest"

"$BULWARK" registry report "$R" --store "$TMP/store.sqlite" --format json >"$TMP/report.json" 2>"$TMP/report.err"; rc=$?
is "$rc" 0 "registry report exits 0"
is "$(jq -r '[.images[] | .repository + ":" + .tag] | join(" ")' "$TMP/report.json")" \
	"debian:12 debian:latest mirror/debian:12 old/debian:11 two/layer:1" "report lists every repository and tag"
is "$(jq '[.images[] | select(.repository == "old/debian") | .findings[]] | length' "$TMP/report.json")" \
	"$WANT_N" "old/debian:11 has as many findings as bulwark scan of its OCI layout"
ok "bulwark scan found advisories to compare" test "$WANT_N" -gt 0
is "$(jq -c '.images[] | select(.repository == "old/debian") | .counts | [.critical, .high, .medium, .low, .negligible, .unknown]' "$TMP/report.json")" \
	"$(jq -c '.summary | [.critical, .high, .medium, .low, .negligible, .unknown]' "$TMP/local.json")" "severity counts equal bulwark scan's summary"
is "$(jq -c '[.images[] | select(.repository == "old/debian") | .findings[] | .id] | sort' "$TMP/report.json")" \
	"$(jq -c '[.findings[] | .id] | sort' "$TMP/local.json")" "same advisory IDs as bulwark scan"
sbom_pkgs=$(sqlite3 "$TMP/store.sqlite" "SELECT sbom_json FROM images WHERE digest = '$D1'" | jq '.packages | length')
"$BULWARK" sbom -f json "oci:$OCI:12" -o "$TMP/local-sbom.json" 2>/dev/null
is "$sbom_pkgs" "$(jq '.packages | length' "$TMP/local-sbom.json")" "the stored SBOM has the local SBOM's packages"
"$BULWARK" registry report "$R" --store "$TMP/store.sqlite" >"$TMP/report.txt" 2>&1
ok "table report has a row per tag" test "$(grep -c "$(echo "$D1" | cut -c1-19)" "$TMP/report.txt")" = 3

# --concurrency: worker processes; the output does not depend on their number
for n in 1 4; do
	"$BULWARK" registry scan "$R" --insecure --db "$DB" --store "$TMP/c$n.sqlite" --concurrency $n 2>"$TMP/c$n.err"
	echo "rc=$?" >>"$TMP/c$n.err"
	"$BULWARK" registry report "$R" --store "$TMP/c$n.sqlite" --format json >"$TMP/c$n.json" 2>/dev/null
	"$BULWARK" registry report "$R" --store "$TMP/c$n.sqlite" >"$TMP/c$n.txt" 2>/dev/null
done
ok "--concurrency 1 and 4 exit 0" grep -qx "rc=0" "$TMP/c1.err" -a "$(grep -c '^rc=0$' "$TMP/c4.err")" = 1
ok "--concurrency 1 and 4: identical JSON reports" cmp "$TMP/c1.json" "$TMP/c4.json"
ok "--concurrency 1 and 4: identical table reports" cmp "$TMP/c1.txt" "$TMP/c4.txt"
is "$(grep -v '^rc=' "$TMP/c4.err" | grep -v '^bulwark' | sed "s/ sha256:[0-9a-f]*//")" \
	"$(printf '%s\n' "$R/debian:12 scanned" "$R/debian:latest (already scanned)" "$R/mirror/debian:12 (already scanned)" "$R/old/debian:11 scanned" "$R/two/layer:1 scanned")" \
	"--concurrency 4: one line per tag, in repository/tag order"
is "$(grep -v '^bulwark registry: ' "$TMP/c1.err")" "$(grep -v '^bulwark registry: ' "$TMP/c4.err")" "--concurrency 1 and 4: the same lines on stderr (warnings too, in tag order)"
"$BULWARK" registry scan "$R" --insecure --store "$TMP/c0.sqlite" --concurrency 0 2>"$TMP/c0.err"; rc=$?
is "$rc" 2 "--concurrency 0 is a usage error"
ok "--concurrency 0: says the range" grep -q "from 1 to 32" "$TMP/c0.err"
"$BULWARK" registry scan "$R" --insecure --store "$TMP/c0.sqlite" --concurrency 33 2>/dev/null; rc=$?
is "$rc" 2 "--concurrency 33 is a usage error"

# pagination: one repository / tag per page, following the registry's Link headers
BULWARK_REGISTRY_PAGE_SIZE=1 "$BULWARK" registry scan "$R" --insecure --db "$DB" --store "$TMP/paged.sqlite" 2>"$TMP/paged.err"; rc=$?
is "$rc" 0 "scan with one entry per page exits 0"
is "$(sqlite3 "$TMP/paged.sqlite" "SELECT repo || ':' || tag FROM tags ORDER BY repo, tag" | tr '\n' ' ')" \
	"debian:12 debian:latest mirror/debian:12 old/debian:11 two/layer:1 " "paged catalog and tag lists: every repository and tag"

# a second scan downloads nothing new
"$BULWARK" registry scan "$R" --insecure --db "$DB" --store "$TMP/store.sqlite" 2>"$TMP/scan2.err"; rc=$?
is "$rc" 0 "second scan exits 0"
is "$(grep -c '(already scanned)$' "$TMP/scan2.err")" 5 "second scan: every tag already scanned"

# filters: --repo without wildcards skips the catalog; --tag globs
"$BULWARK" registry scan "$R" --insecure --db "$DB" --store "$TMP/s2.sqlite" --repo 'two/*' 2>"$TMP/scan3.err"; rc=$?
is "$rc" 0 "--repo 'two/*' exits 0"
is "$(sqlite3 "$TMP/s2.sqlite" "SELECT repo || ':' || tag FROM tags" | tr '\n' ' ')" "two/layer:1 " "--repo glob keeps only two/layer"
"$BULWARK" registry scan "$R" --insecure --db "$DB" --store "$TMP/s3.sqlite" --repo debian --tag 'l*' 2>"$TMP/scan4.err"
is "$(sqlite3 "$TMP/s3.sqlite" "SELECT repo || ':' || tag FROM tags" | tr '\n' ' ')" "debian:latest " "--repo NAME --tag 'l*'"

"$BULWARK" registry report "$R" --store "$TMP/nope.sqlite" >/dev/null 2>"$TMP/nostore.err"; rc=$?
is "$rc" 2 "report without a store exits 2"
ok "report without a store says so" grep -q "nope.sqlite: no registry store" "$TMP/nostore.err"

"$BULWARK" registry scan "$R" --db "$DB" --store "$TMP/s4.sqlite" 2>"$TMP/tls.err"; rc=$?
is "$rc" 2 "without --insecure against plain HTTP exits 2"
diag "$(cat "$TMP/tls.err")"

done_testing

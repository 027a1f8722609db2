#!/bin/bash
# registry_rematch.sh - after the vulnerability database changes, the
# stored SBOMs of a registry scan are matched again without downloading
# anything: `bulwark registry rescan HOST` makes no request at all, and
# `bulwark registry scan HOST` re-matches stored digests with no blob request
# (only the tag list and one manifest request per tag, to see what changed).
# The registry is Debian's docker-registry with its access log on, so the
# requests are counted by the registry itself. The expected findings are
# `bulwark scan`'s of the same image's OCI layout with the same database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"
. "$(dirname "$0")/lib_registry.sh"

for t in docker-registry skopeo sqlite3 jq; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not installed"; exit 0; }
done
TWO=$(debian_two_layer) || { echo "Bail out! cannot build the two-layer image"; exit 1; }

trap 'stop_registry; rm -rf "$TMP"' EXIT
start_registry "$TMP" --accesslog || { echo "Bail out! docker-registry did not start"; exit 1; }
export XDG_CACHE_HOME="$TMP/cache" DOCKER_CONFIG="$TMP/no-docker" BULWARK_REGISTRY_CACHE=off

# a small Debian 11 image with packages the DSA list has advisories for
bullseye_oci "$TMP/old-oci" 11 "$(printf 'Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.1.1n-0+deb11u3\n\nPackage: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9.5p2-3\n\nPackage: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.74.0-1.3+deb11u1\n')"

ok "push old/debian:11, old/debian:latest (same digest), two/layer:1" \
	registry_push "oci:$TMP/old-oci:11" old/debian:11 "oci:$TMP/old-oci:11" old/debian:latest "oci:$TWO:12" two/layer:1

# DB1: the DSA list without its openssl advisories; DB2: the whole list
mkdir -p "$TMP/feed1/data/DSA" "$TMP/feed2/data/DSA"
awk '/^\[/ { skip = ($0 ~ / openssl /) } !skip' "$SHARED/vulndata/debian/data/DSA/list" >"$TMP/feed1/data/DSA/list"
cp "$SHARED/vulndata/debian/data/DSA/list" "$TMP/feed2/data/DSA/list"
ok "DB1 has fewer DSA blocks than DB2" test "$(grep -c '^\[' "$TMP/feed1/data/DSA/list")" -lt "$(grep -c '^\[' "$TMP/feed2/data/DSA/list")"
"$BULWARK" db build --from "$TMP/feed1" --db "$TMP/db1.sqlite" >/dev/null 2>&1
"$BULWARK" db build --from "$TMP/feed2" --db "$TMP/db2.sqlite" >/dev/null 2>&1
ok "both databases built" test -s "$TMP/db1.sqlite" -a -s "$TMP/db2.sqlite"

ids_local() { "$BULWARK" scan --db "$1" --format json "oci:$TMP/old-oci:11" 2>/dev/null | jq -c '[.findings[] | .id] | sort'; }
ids_store() { "$BULWARK" registry report "$R" --store "$TMP/store.sqlite" --format json 2>/dev/null |
	jq -c --arg t "$1" '[.images[] | select(.repository == "old/debian" and .tag == $t) | .findings[] | .id] | sort'; }
WANT1=$(ids_local "$TMP/db1.sqlite")
WANT2=$(ids_local "$TMP/db2.sqlite")
diag "bulwark scan of the OCI layout: DB1 $(echo "$WANT1" | jq length) findings, DB2 $(echo "$WANT2" | jq length)"
ok "the two databases give different findings" test "$WANT1" != "$WANT2"
ok "DB2 adds the openssl advisory CVE-2023-0286" bash -c "echo '$WANT2' | jq -e 'index(\"CVE-2023-0286\")' >/dev/null && ! echo '$WANT1' | jq -e 'index(\"CVE-2023-0286\")' >/dev/null"

log_n() { wc -l <"$TMP/registry.log"; }
"$BULWARK" registry scan "$R" --insecure --db "$TMP/db1.sqlite" --store "$TMP/store.sqlite" 2>"$TMP/scan1.err"; rc=$?
is "$rc" 0 "scan with DB1 exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/scan1.err")"
is "$(ids_store 11)" "$WANT1" "stored findings with DB1 = bulwark scan with DB1"
ok "the first scan downloaded blobs (the log counts them)" grep -q '"GET /v2/old/debian/blobs/sha256:' "$TMP/registry.log"

# rescan: zero requests
before=$(log_n)
"$BULWARK" registry rescan "$R" --db "$TMP/db2.sqlite" --store "$TMP/store.sqlite" 2>"$TMP/rescan.err"; rc=$?
sleep 0.5
is "$rc" 0 "rescan with DB2 exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/rescan.err")"
is "$(($(log_n) - before))" 0 "rescan: the registry log has no new request"
is "$(ids_store 11)" "$WANT2" "after rescan: findings = bulwark scan with DB2"
is "$(ids_store latest)" "$WANT2" "the other tag of the digest shows the same findings"
is "$(grep -c ' (re-matched)$' "$TMP/rescan.err")" 2 "two digests re-matched (old/debian and two/layer)"
is "$(grep -c ' (up to date)$' "$TMP/rescan.err")" 1 "the second tag of a digest is not matched twice"
is "$(sqlite3 "$TMP/store.sqlite" "SELECT db_built_at IS NOT NULL AND db_id LIKE 'sha256:%' FROM images" | sort -u)" 1 \
	"every image records the database its findings came from"
"$BULWARK" registry rescan "$R" --db "$TMP/db2.sqlite" --store "$TMP/store.sqlite" 2>"$TMP/rescan2.err"; rc=$?
is "$rc" 0 "second rescan with the same database exits 0"
is "$(grep -c ' (up to date)$' "$TMP/rescan2.err")" 3 "second rescan: everything up to date"

# online scan after a database change: re-matched from the store, no blob
# request and manifests requested by tag only (to resolve the tags)
before=$(log_n)
"$BULWARK" registry scan "$R" --insecure --db "$TMP/db1.sqlite" --store "$TMP/store.sqlite" 2>"$TMP/scan2.err"; rc=$?
sleep 0.5
is "$rc" 0 "scan with DB1 again exits 0"
tail -n +"$((before + 1))" "$TMP/registry.log" | grep -o '"[A-Z]* /v2/[^ ]*' >"$TMP/scan2.req"
diag "requests of the online re-match: $(tr '\n' ' ' <"$TMP/scan2.req")"
is "$(grep -c '/blobs/' "$TMP/scan2.req")" 0 "online re-match: no blob request"
is "$(grep -c '/manifests/sha256:' "$TMP/scan2.req")" 0 "online re-match: no manifest request by digest"
is "$(grep -c '/manifests/' "$TMP/scan2.req")" 3 "online re-match: one manifest request per tag"
is "$(grep -c ' (re-matched)$' "$TMP/scan2.err")" 2 "online re-match: two digests re-matched"
is "$(ids_store 11)" "$WANT1" "online re-match: findings = bulwark scan with DB1 again"

# a database with the same content built again is another database
sleep 1
"$BULWARK" db build --from "$TMP/feed1" --db "$TMP/db1b.sqlite" >/dev/null 2>&1
"$BULWARK" registry rescan "$R" --db "$TMP/db1b.sqlite" --store "$TMP/store.sqlite" 2>"$TMP/rescan3.err"
is "$(grep -c ' (re-matched)$' "$TMP/rescan3.err")" 2 "a rebuilt database (new built_at) re-matches"
is "$(ids_store 11)" "$WANT1" "same findings from the rebuilt database"

# errors
"$BULWARK" registry rescan "$R" --db "$TMP/none.sqlite" --store "$TMP/store.sqlite" 2>"$TMP/nodb.err"; rc=$?
is "$rc" 2 "rescan without a database exits 2"
ok "rescan without a database names it" grep -q "none.sqlite" "$TMP/nodb.err"
"$BULWARK" registry rescan "$R" --db "$TMP/db2.sqlite" --store "$TMP/nostore.sqlite" 2>"$TMP/nostore.err"; rc=$?
is "$rc" 2 "rescan without a store exits 2"
ok "rescan without a store says so" grep -q "nostore.sqlite: no registry store" "$TMP/nostore.err"
sqlite3 "$TMP/store.sqlite" "UPDATE images SET sbom_json = '{\"schema_version\":1}', db_id = 'x' WHERE digest IN (SELECT digest FROM tags WHERE repo = 'two/layer')"
"$BULWARK" registry rescan "$R" --db "$TMP/db2.sqlite" --store "$TMP/store.sqlite" 2>"$TMP/bad.err"; rc=$?
is "$rc" 2 "a damaged stored SBOM: exit 2"
ok "a damaged stored SBOM: named with its tag and digest" grep -q "two/layer:1 (sha256:[0-9a-f]*): SBOM of sha256:[0-9a-f]*: no \"packages\" array" "$TMP/bad.err"
is "$(ids_store 11)" "$WANT2" "a damaged stored SBOM: the other image is still re-matched"

done_testing

#!/bin/bash
# db_build.sh - `bulwark db build` and `bulwark db info` on the real feed
# files in ../shared/vulndata: exit codes, provenance, counts checked
# against the files themselves (grep), atomic replacement, --strict.
. "$(dirname "$0")/lib.sh"

V=$SHARED/vulndata
DB=$TMP/vulndb.sqlite
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

if [ ! -d "$V" ]; then
	plan 1
	skip "db build" "no $V"
	exit 0
fi

"$BULWARK" db --help >/dev/null; is "$?" 0 "db --help exits 0"
"$BULWARK" db build --help | grep -q -- "--from PATH"; is "$?" 0 "db build --help shows --from"
"$BULWARK" db frobnicate 2>/dev/null; is "$?" 2 "unknown db command exits 2"
"$BULWARK" db build --db "$DB" 2>/dev/null; is "$?" 2 "db build without --from exits 2"

start=$(date +%s.%N)
"$BULWARK" db build --from "$V" --db "$DB" 2>"$TMP/build.err"
rc=$?
end=$(date +%s.%N)
is "$rc" 0 "db build --from vulndata exits 0"
diag "build from all of vulndata: $(awk "BEGIN {print $end - $start}") s, $(stat -c %s "$DB") bytes"
diag "$(tail -1 "$TMP/build.err")"
ok "no temporary file left" test -z "$(ls "$TMP" | grep tmp-)"

"$BULWARK" db info --db "$DB" --format json >"$TMP/info.json"; is "$?" 0 "db info --format json exits 0"
is "$(json "$TMP/info.json" 'd["schema_version"]')" 1 "schema version 1"
# Independent counts: OSV files and withdrawn records counted by grep.
go_files=$(ls "$V/osv-go/data/osv/"*.json | wc -l)
go_withdrawn=$(grep -l '"withdrawn"' "$V/osv-go/data/osv/"*.json | wc -l)
is "$(json "$TMP/info.json" '[s["records"] for s in d["sources"] if s["name"]=="osv-go"][0]')" \
	"$((go_files - go_withdrawn))" "osv-go records = files - withdrawn ($go_files - $go_withdrawn)"
py_files=$(find "$V/osv-pypi/vulns" -name '*.yaml' | wc -l)
py_withdrawn=$(grep -rl '^withdrawn:' "$V/osv-pypi/vulns" | wc -l)
is "$(json "$TMP/info.json" '[s["records"] for s in d["sources"] if s["name"]=="osv-pypi"][0]')" \
	"$((py_files - py_withdrawn))" "osv-pypi records = files - withdrawn"
kev_count=$(python3 -c "import json; print(json.load(open('$V/kev/known_exploited_vulnerabilities.json'))['count'])")
is "$(json "$TMP/info.json" 'd["counts"]["kev"]')" "$kev_count" "KEV entries = the catalog's count"
is "$(json "$TMP/info.json" '[s["commit"] for s in d["sources"] if s["name"]=="rubysec"][0]')" \
	"$(sed -n 's/^Commit: \([0-9a-f]*\).*/\1/p' "$V/rubysec/SOURCE.txt")" "rubysec commit from its SOURCE.txt"
json "$TMP/info.json" '[s["attribution"] for s in d["sources"] if s["name"]=="osv-pypi"][0]' | grep -q "PyPA Advisory Database"
is "$?" 0 "osv-pypi attribution recorded"
"$BULWARK" db info --db "$DB" >"$TMP/info.txt"; is "$?" 0 "db info (table) exits 0"
grep -q "^  Debian:11 " "$TMP/info.txt"; is "$?" 0 "table lists ecosystem Debian:11"
grep -q "attribution: CISA Known Exploited" "$TMP/info.txt"; is "$?" 0 "table shows KEV attribution"

# A bad file is a warning; --strict refuses it and keeps the old database.
mkdir -p "$TMP/feeds"
cp "$V/osv-go/data/osv/GO-2020-0001.json" "$TMP/feeds/"
printf '{"id": "GO-BAD", "affected": [' >"$TMP/feeds/GO-BAD.json"
sum=$(sha256sum "$DB" | cut -d' ' -f1)
"$BULWARK" db build --strict --from "$TMP/feeds" --db "$DB" 2>"$TMP/strict.err"
is "$?" 2 "--strict with a bad file exits 2"
grep -q "GO-BAD.json" "$TMP/strict.err"; is "$?" 0 "the warning names the bad file"
is "$(sha256sum "$DB" | cut -d' ' -f1)" "$sum" "--strict failure left the old database unchanged"
"$BULWARK" db build --from "$TMP/feeds" --db "$TMP/small.sqlite" 2>/dev/null
is "$?" 0 "without --strict a bad file does not fail the build"
"$BULWARK" db info --db "$TMP/small.sqlite" --format json >"$TMP/small.json"
is "$(json "$TMP/small.json" 'd["sources"][0]["bad_files"]')" 1 "db info counts the bad file"
is "$(json "$TMP/small.json" 'd["counts"]["advisories"]')" 1 "the good file was read"

"$BULWARK" db build --from "$TMP/nonexistent" --db "$DB" 2>/dev/null
is "$?" 2 "a missing --from path exits 2"
is "$(sha256sum "$DB" | cut -d' ' -f1)" "$sum" "and leaves the database unchanged"
mkdir -p "$TMP/empty"
"$BULWARK" db build --from "$TMP/empty" --db "$TMP/e.sqlite" 2>/dev/null
is "$?" 2 "nothing recognised exits 2"
ok "and writes no database" test ! -e "$TMP/e.sqlite"

"$BULWARK" db info --db "$TMP/none.sqlite" 2>/dev/null; is "$?" 2 "db info on a missing database exits 2"
"$BULWARK" db info --db "$V/README.md" 2>/dev/null; is "$?" 2 "db info on a file that is not a database exits 2"

# Default location under XDG_CACHE_HOME.
XDG_CACHE_HOME=$TMP/xdg "$BULWARK" -q db build --from "$V/kev" 2>/dev/null
ok "default path is \$XDG_CACHE_HOME/bulwark/vulndb.sqlite" test -s "$TMP/xdg/bulwark/vulndb.sqlite"
XDG_CACHE_HOME=$TMP/xdg "$BULWARK" db info >/dev/null; is "$?" 0 "db info finds the default database"

done_testing

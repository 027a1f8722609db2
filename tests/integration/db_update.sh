#!/bin/bash
# db_update.sh - `bulwark db update` against a local HTTP server on
# 127.0.0.1 serving feed files: a first update, conditional requests (304)
# on the second, a changed feed, and failures (body cut mid-download,
# garbage, 404, dead server, size limit) that must leave the previous
# database intact and `db info` working. Exit codes per `db update --help`.
. "$(dirname "$0")/lib.sh"

V=$SHARED/vulndata
D=$ROOT/tests/data/vulndb
DB=$TMP/vulndb.sqlite
if [ ! -d "$V" ]; then
	plan 1
	skip "db update" "no $V"
	exit 0
fi

mkdir -p "$TMP/www"
cp "$V/kev/known_exploited_vulnerabilities.json" "$TMP/www/kev.json"
cp "$D/osv-go-all.zip" "$TMP/www/all.zip"
cp "$D/epss-current.csv.gz" "$TMP/www/epss.csv.gz"
printf 'this is not a feed\n' >"$TMP/www/garbage.json"
# NVD layout: <name>.json.gz with <name>.meta holding "sha256:<HEX>" of the
# uncompressed JSON (computed here with sha256sum).
gzip -nc "$D/nvd-cve-2.0.json" >"$TMP/www/nvdcve-2.0-recent.json.gz"
printf 'lastModifiedDate:2026-11-30T00:00:00-05:00\r\nsize:%s\r\nsha256:%s\r\n' \
	"$(stat -c %s "$D/nvd-cve-2.0.json")" \
	"$(sha256sum "$D/nvd-cve-2.0.json" | cut -d' ' -f1 | tr a-f A-F)" >"$TMP/www/nvdcve-2.0-recent.meta"
cp "$TMP/www/nvdcve-2.0-recent.json.gz" "$TMP/www/nvdbad-recent.json.gz"
sed 's/sha256:./sha256:0/' "$TMP/www/nvdcve-2.0-recent.meta" >"$TMP/www/nvdbad-recent.meta"

# Server: GET /<file> with ETag + Last-Modified and 304 handling;
# /cut/<file> announces the full Content-Length, sends half and closes;
# anything missing is 404. One line per request goes to the log:
# "<path> <status>".
cat >"$TMP/server.py" <<'PY'
import email.utils, hashlib, http.server, os, sys
root, log, portfile = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def note(self, status):
        with open(log, "a") as f: f.write("%s %d\n" % (self.path, status))
    def do_GET(self):
        cut = self.path.startswith("/cut/")
        name = self.path[5:] if cut else self.path[1:]
        p = os.path.join(root, os.path.basename(name))
        if not os.path.isfile(p):
            self.note(404); self.send_response(404)
            self.send_header("Content-Length", "0"); self.end_headers(); return
        body = open(p, "rb").read()
        st = os.stat(p)
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        lm = email.utils.formatdate(st.st_mtime, usegmt=True)
        if not cut and self.headers.get("If-None-Match") == etag:
            self.note(304); self.send_response(304)
            self.send_header("ETag", etag); self.end_headers(); return
        self.note(200); self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag); self.send_header("Last-Modified", lm)
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2]); self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(portfile, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$TMP/server.py" "$TMP/www" "$TMP/access.log" "$TMP/port" 2>"$TMP/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$TMP/port")
FEEDS=(--feed "kev=$U/kev.json" --feed "osv-go=$U/all.zip" --feed "epss=$U/epss.csv.gz"
	--feed "nvd=$U/nvdcve-2.0-recent.json.gz")
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
sum() { sha256sum "$DB" | cut -d' ' -f1; }
count() { grep -c "$1" "$TMP/access.log"; }

"$BULWARK" db update --help | grep -q -- "--feed NAME=URL"; is "$?" 0 "db update --help"
"$BULWARK" db update --db "$DB" --feed nourl 2>/dev/null; is "$?" 2 "--feed without NAME=URL exits 2"
"$BULWARK" db update --db "$DB" --feed "x=ftp://h/x" 2>/dev/null; is "$?" 2 "a non-HTTP URL exits 2"

# 1. First update: three feeds downloaded, database built.
: >"$TMP/access.log"
"$BULWARK" db update --db "$DB" "${FEEDS[@]}" 2>"$TMP/u1.err"
is "$?" 0 "first update exits 0"
is "$(count '.json.gz 200$')" 1 "NVD feed downloaded"
is "$(count '.meta 200$')" 1 "and its .meta checksum file fetched"
is "$(count ' 200$')" 5 "four feeds downloaded (200) plus the .meta"
"$BULWARK" db info --db "$DB" --format json >"$TMP/i1.json"
is "$(json "$TMP/i1.json" 'd["counts"]["kev"]')" 1404 "KEV entries from the served catalog"
is "$(json "$TMP/i1.json" 'd["counts"]["epss"]')" 3 "EPSS rows from the served csv.gz"
is "$(json "$TMP/i1.json" 'd["counts"]["nvd"]')" 2 "NVD CVEs from the served json.gz"
is "$(json "$TMP/i1.json" '[s["url"] for s in d["sources"] if s["name"]=="osv-go"][0]')" \
	"$U/all.zip" "the source records its URL"
ok "feed cache kept beside the database" test -s "$DB.feeds/kev.data"
python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select value from meta where key='feed.kev.etag'\").fetchone()[0])" "$DB" | grep -q '^"'
is "$?" 0 "the ETag is stored in the metadata"
S1=$(sum)

# 2. Second update: conditional requests, all 304, nothing rebuilt.
: >"$TMP/access.log"
"$BULWARK" db update --db "$DB" "${FEEDS[@]}" 2>"$TMP/u2.err"
is "$?" 0 "second update exits 0"
is "$(count ' 304$')" 4 "second update: four 304 Not Modified"
grep -q "already current" "$TMP/u2.err"; is "$?" 0 "says the database is current"
is "$(sum)" "$S1" "database untouched"

# 3. One feed changes: downloaded again, the others come from the cache.
echo 'CVE-2099-0001,0.5,0.5' >>"$TMP/www/epss.csv.gz.tmp"
gzip -dc "$TMP/www/epss.csv.gz" | cat - "$TMP/www/epss.csv.gz.tmp" | gzip -n >"$TMP/www/epss2.gz"
mv "$TMP/www/epss2.gz" "$TMP/www/epss.csv.gz"
: >"$TMP/access.log"
"$BULWARK" db update --db "$DB" "${FEEDS[@]}" 2>/dev/null
is "$?" 0 "update with one changed feed exits 0"
is "$(count ' 200$') $(count ' 304$')" "1 3" "one 200, three 304"
"$BULWARK" db info --db "$DB" --format json >"$TMP/i3.json"
is "$(json "$TMP/i3.json" 'd["counts"]["kev"]')" 1404 "unchanged feeds rebuilt from the cache"
is "$(json "$TMP/i3.json" 'd["counts"]["epss"]')" 4 "the changed feed's new row is in"
S3=$(sum)

# 4. Failures: each leaves the previous database in place and working.
fails() { # name expected-exit feed-args...
	local name=$1 want=$2; shift 2
	"$BULWARK" db update --db "$DB" "$@" 2>"$TMP/f.err"
	is "$?" "$want" "$name: exit $want"
	is "$(sum)" "$S3" "$name: previous database unchanged"
	"$BULWARK" db info --db "$DB" >/dev/null 2>&1; is "$?" 0 "$name: db info still works"
	ok "$name: no temporary database left" test -z "$(ls "$TMP" | grep 'sqlite.tmp-')"
}
fails "body cut mid-download" 2 --feed "kev=$U/cut/kev.json" --feed "osv-go=$U/all.zip"
grep -q "kev" "$TMP/f.err"; is "$?" 0 "the error names the feed"
fails "garbage body" 2 --feed "kev=$U/garbage.json"
grep -q "not a readable feed" "$TMP/f.err"; is "$?" 0 "garbage is reported as not a feed"
fails "NVD checksum mismatch" 2 --feed "nvd-bad=$U/nvdbad-recent.json.gz"
grep -q "does not match" "$TMP/f.err"; is "$?" 0 "the checksum error says so"
fails "HTTP 404" 2 --feed "kev=$U/missing.json"
fails "size limit" 2 --max-size 1000 --feed "kev-new=$U/kev.json"
flock "$DB.feeds/.lock" sleep 2 &
LOCKER=$!
sleep 0.5
fails "another update running" 2 --feed "kev-other=$U/kev.json"
grep -q "another update is running" "$TMP/f.err"; is "$?" 0 "the lock error says so"
wait "$LOCKER" 2>/dev/null  # the lock is free again
kill "$SERVER"; wait "$SERVER" 2>/dev/null
fails "server gone" 2 "${FEEDS[@]}"
grep -q "Could not connect\|Couldn't connect\|connect" "$TMP/f.err"; is "$?" 0 "server gone: a connection error"

# --config with the same format, against a dead server: still safe.
printf '# mirror\nkev=%s/kev.json\n' "$U" >"$TMP/feeds.conf"
fails "--config, server gone" 2 --config "$TMP/feeds.conf"

done_testing

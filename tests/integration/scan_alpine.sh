#!/bin/bash
# bulwark scan on Alpine packages against Alpine's own secdb
# (../shared/vulndata/alpine-secdb, v3.10): packages are matched by origin
# with apk ordering. The expected CVEs come from this test's own reading of
# the secdb YAML (PyYAML) and its own version comparison for the simple
# "X.Y.Z[letter]-rN" versions used here, never from the matcher.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
SECDB="$SHARED/vulndata/alpine-secdb"
R="$TMP/alpine"
mkdir -p "$R/etc" "$R/lib/apk/db"
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.10.2\nPRETTY_NAME="Alpine Linux v3.10"\n' >"$R/etc/os-release"
# name version origin: libcrypto1.1 and libssl1.1 come from origin openssl,
# ssl_client from busybox (origin decides, as apk records it in o:)
cat >"$TMP/pkgs" <<'EOF2'
libcrypto1.1 1.1.1c-r0 openssl
libssl1.1 1.1.1d-r0 openssl
musl 1.1.22-r2 musl
busybox 1.30.1-r1 busybox
ssl_client 1.30.1-r2 busybox
curl 7.65.1-r0 curl
sqlite-libs 3.28.0-r0 sqlite
EOF2
while read -r name ver origin; do
	printf 'C:Q1test=\nP:%s\nV:%s\nA:x86_64\nS:1\nI:1\nT:test\nU:https://alpinelinux.org\nL:MIT\no:%s\n\n' \
		"$name" "$ver" "$origin"
done <"$TMP/pkgs" >"$R/lib/apk/db/installed"

"$BULWARK" db build --from "$SECDB" --db "$TMP/db.sqlite" >/dev/null 2>&1
ok "db build from the Alpine secdb" test -s "$TMP/db.sqlite"
"$BULWARK" -q scan "dir:$R" --db "$TMP/db.sqlite" --format json -o "$TMP/r.json"
is "$?" 0 "scan exits 0 without --fail-on"

$PY - "$SECDB" "$TMP/pkgs" >"$TMP/expected" <<'PYEOF'
import re, sys, yaml
def key(v):
    """ "1.1.1c-r0" -> ((1,1,1), 'c', 0); None for shapes this simple
    reading does not order (suffixes like _p1, _rc2): those secdb entries
    name none of this test's origins' relevant versions."""
    ver, _, rel = v.partition("-r")
    m = re.match(r"^([\d.]+)([a-z]?)$", ver)
    if not m or not (rel or "0").isdigit():
        return None
    return (tuple(int(x) for x in m.group(1).split(".")), m.group(2), int(rel or 0))
fixes = {}
for repo in ("main", "community"):
    doc = yaml.safe_load(open("%s/v3.10/%s.yaml" % (sys.argv[1], repo)))
    for p in doc["packages"]:
        for fixed, cves in (p["pkg"].get("secfixes") or {}).items():
            for c in cves or []:
                fixes.setdefault(p["pkg"]["name"], []).append((str(fixed), c.split()[0]))
for line in open(sys.argv[2]):
    name, ver, origin = line.split()
    for fixed, cve in fixes.get(origin, []):
        kf = key(fixed)
        if fixed == "0":
            continue
        if kf is None:
            sys.exit("unordered secdb version %s for %s" % (fixed, origin))
        if key(ver) < kf:
            print("%s\t%s" % (name, cve))
PYEOF
$PY -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print("%s\t%s" % (f["package"]["name"], f["id"]))' "$TMP/r.json" | sort -u >"$TMP/got"
sort -u -o "$TMP/expected" "$TMP/expected"
if cmp -s "$TMP/expected" "$TMP/got" && [ -s "$TMP/expected" ]; then
	pass "findings equal the secdb's fixes above the installed versions ($(wc -l <"$TMP/expected") findings)"
else
	fail "findings equal the secdb's fixes above the installed versions"
	diag "$(diff "$TMP/expected" "$TMP/got")"
fi
ok "libssl1.1 1.1.1d-r0 (the fixed version itself) has no openssl finding" \
	sh -c "! grep -q '^libssl1.1	' '$TMP/got'"
ok "libcrypto1.1 1.1.1c-r0 is matched by its origin openssl (CVE-2019-1547, fixed in 1.1.1d-r0)" \
	grep -q $'^libcrypto1.1\tCVE-2019-1547$' "$TMP/got"
ok "the fixed version is reported" $PY -c '
import json, sys
f = [f for f in json.load(open(sys.argv[1]))["findings"] if f["package"]["name"] == "libcrypto1.1" and f["id"] == "CVE-2019-1547"]
sys.exit(0 if f and f[0]["fixed_versions"] == ["1.1.1d-r0"] else 1)' "$TMP/r.json"
done_testing

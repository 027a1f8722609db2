#!/bin/bash
# bulwark scan on language packages against the real feeds in
# ../shared/vulndata. For each ecosystem the installed set comes from the
# ecosystem's own tool (npm ls, go version -m, importlib.metadata) and the
# expected advisories from osv_expect.py, the test's own reading of the feed
# files (its own version comparison and OSV range evaluation). A finding is
# identified by its ID and aliases, so a GHSA reported under its CVE counts.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
EXPECT="$(dirname "$0")/osv_expect.py"
VD="$SHARED/vulndata"
DB="$TMP/vulndb.sqlite"

"$BULWARK" db build --from "$VD/osv-npm" --from "$VD/npm-nodejs-security-wg" --from "$VD/osv-go" \
	--from "$VD/osv-pypi" --db "$DB" >/dev/null 2>"$TMP/build.err"
ok "db build from osv-npm, the Node security WG, osv-go and osv-pypi" test -s "$DB"

# compare ECOSYSTEM PKGFILE REPORT LABEL FEED...: every expected advisory is
# in exactly one finding (by id or alias) of the right package, and every
# finding of that ecosystem is expected.
compare() {
	local eco=$1 pkgs=$2 report=$3 label=$4; shift 4
	$PY "$EXPECT" "$eco" "$pkgs" "$@" >"$TMP/expected.tsv"
	$PY - "$report" "$TMP/expected.tsv" "$eco" >"$TMP/cmp.out" 2>&1 <<'PYEOF'
import json, sys
rep = json.load(open(sys.argv[1]))
eco = sys.argv[3]
types = {"npm": "npm", "Go": "golang", "PyPI": "pypi"}
def norm(n):
    import re
    return re.sub(r"[-_.]+", "-", n).lower() if eco == "PyPI" else n
exp = {}
for line in open(sys.argv[2]):
    name, ver, adv, aliases = (line.rstrip("\n").split("\t") + [""])[:4]
    exp[(norm(name), ver, adv)] = set(a for a in aliases.split(",") if a)
found = [f for f in rep["findings"] if f["package"]["type"] == types[eco]]
bad = []
for (name, ver, adv), aliases in exp.items():
    # one finding per package instance (two binaries may both carry the
    # same stdlib): at least one, never two for the same instance
    hits = [f for f in found if norm(f["package"]["name"]) == name and f["package"]["version"].lstrip("v").replace("go", "", 1) == ver.lstrip("v")
            and adv in ([f["id"]] + f["aliases"])]
    where = [(f["package"].get("path"), f["package"].get("purl")) for f in hits]
    if not hits or len(set(where)) != len(where):
        bad.append("expected %s %s %s: %d findings for %d package instances" % (name, ver, adv, len(hits), len(set(where))))
for f in found:
    ids = set([f["id"]] + f["aliases"])
    key = norm(f["package"]["name"])
    if not any(k[0] == key and k[2] in ids for k in exp):
        bad.append("unexpected %s %s %s" % (f["package"]["name"], f["package"]["version"], f["id"]))
print("%d expected advisories, %d findings" % (len(exp), len(found)))
for b in bad[:20]:
    print(b)
sys.exit(1 if bad or not exp else 0)
PYEOF
	if [ $? -eq 0 ]; then
		pass "$label: findings equal the feed's advisories ($(head -1 "$TMP/cmp.out"))"
	else
		fail "$label: findings equal the feed's advisories"
		diag "$(cat "$TMP/cmp.out")"
	fi
}

# ---- npm: a real npm install at known-vulnerable versions ----------------
NPMROOT="$FIXTURES/npm-vulnerable"
fixture_lock npm-vulnerable
if [ ! -f "$NPMROOT/.complete" ]; then
	rm -rf "$NPMROOT"; mkdir -p "$NPMROOT/srv/app"
	cat >"$NPMROOT/srv/app/package.json" <<'PJ'
{"name": "vulnerable-app", "version": "1.0.0", "private": true,
 "dependencies": {"lodash": "4.17.15", "minimist": "1.2.5", "qs": "6.9.4", "semver": "7.3.7", "node-fetch": "2.6.1"}}
PJ
	(cd "$NPMROOT/srv/app" && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1) && touch "$NPMROOT/.complete"
fi
fixture_unlock
if [ -f "$NPMROOT/.complete" ]; then
	(cd "$NPMROOT/srv/app" && npm ls --all --json 2>/dev/null) | $PY -c '
import json, sys
seen = set()
def walk(d):
    for name, v in (d.get("dependencies") or {}).items():
        if "version" in v: seen.add((name, v["version"]))
        walk(v)
walk(json.load(sys.stdin))
for n, v in sorted(seen): print("%s\t%s" % (n, v))' >"$TMP/npm.pkgs"
	"$BULWARK" -q scan "dir:$NPMROOT" --db "$DB" --format json -o "$TMP/npm.json"
	is "$?" 0 "scan of the npm app exits 0 without --fail-on"
	compare npm "$TMP/npm.pkgs" "$TMP/npm.json" "npm (lodash 4.17.15, minimist 1.2.5, qs 6.9.4, ...)" \
		"$VD/osv-npm" "$VD/npm-nodejs-security-wg"
	"$BULWARK" -q scan "dir:$NPMROOT" --db "$DB" --fail-on critical >/dev/null 2>&1
	is "$?" 1 "--fail-on critical fails on minimist 1.2.5 (GHSA-xvch-5gv4-984h is CRITICAL)"
	# the same install packed as an OCI image (one gzip layer) by lib_image.sh
	. "$(dirname "$0")/lib_image.sh"
	make_oci_dir "$NPMROOT" "$TMP/npm-oci" app >/dev/null 2>&1
	"$BULWARK" -q scan "oci:$TMP/npm-oci:app" --db "$DB" --format json -o "$TMP/npm-oci.json"
	compare npm "$TMP/npm.pkgs" "$TMP/npm-oci.json" "npm app as an OCI image" \
		"$VD/osv-npm" "$VD/npm-nodejs-security-wg"
else
	fail "npm install of the test app (npm registry)"
fi

# ---- Go: Debian 12's own Go binaries -----------------------------------
GOROOTFS="$TMP/goroot"
mkdir -p "$GOROOTFS/usr/bin"
for b in /usr/bin/runc /usr/bin/docker-registry; do cp "$b" "$GOROOTFS/usr/bin/"; done
: >"$TMP/go.pkgs"
for b in "$GOROOTFS"/usr/bin/*; do
	go version -m "$b" | awk -F'\t' '
		NR == 1 { split($0, a, ": "); v = a[2]; sub(/^go/, "", v); print "stdlib\t" v; next }
		$2 == "mod" || $2 == "dep" { mod = $3; ver = $4 }
		$2 == "=>" { mod = $3; ver = $4 }
		($2 == "mod" || $2 == "dep" || $2 == "=>") && ver != "(devel)" && ver != "" { print mod "\t" ver }' >>"$TMP/go.pkgs"
done
sort -u -o "$TMP/go.pkgs" "$TMP/go.pkgs"
"$BULWARK" -q scan "dir:$GOROOTFS" --db "$DB" --format json -o "$TMP/go.json"
compare Go "$TMP/go.pkgs" "$TMP/go.json" "Go (runc, docker-registry: stdlib and modules)" "$VD/osv-go"

# ---- Python: distributions installed by Debian packages -----------------
PYROOT="$TMP/pyroot"
mkdir -p "$PYROOT/usr/lib/python3"
cp -a /usr/lib/python3/dist-packages "$PYROOT/usr/lib/python3/"
$PY -c '
import importlib.metadata as m, sys
for d in m.distributions(path=[sys.argv[1]]):
    print("%s\t%s" % (d.metadata["Name"], d.version))' "$PYROOT/usr/lib/python3/dist-packages" | sort -u >"$TMP/py.pkgs"
"$BULWARK" -q scan "dir:$PYROOT" --db "$DB" --format json -o "$TMP/py.json"
compare PyPI "$TMP/py.pkgs" "$TMP/py.json" "PyPI (Debian's python3 packages: $(wc -l <"$TMP/py.pkgs") distributions)" "$VD/osv-pypi"
done_testing

#!/bin/bash
# sbom_owner_python.sh - a Python distribution's RECORD ties the language
# packages found at the files it lists (a vendored dist-info, a Go binary,
# a jar and an npm package shipped in a wheel, a Go binary installed to bin/
# by the wheel's .data/scripts) to that distribution (owner, owner_type
# pypi), and gives the distribution its file count.
#
# The wheel is made here (a zip with its dist-info, as PEP 427 lays it out)
# and installed by pip into a venv made by Debian's python3 (with pip and
# setuptools from ensurepip, both with real RECORDs). Truth:
# importlib.metadata.distribution(NAME).files of that venv's python (paths
# located and resolved), for the owners and the file counts.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

if ! $PY -c 'import ensurepip, venv' 2>/dev/null || ! command -v go >/dev/null; then
	skip "python RECORD ownership" "needs python3-venv and golang-go (scripts/install-deps.sh)"
	done_testing
fi

# ---- fixture: a small Go binary, a jar, the wheel ----
owner_py_fixture() {
	local d="$FIXTURES/owner-python-v1"
	fixture_lock owner-python
	if [ ! -f "$d/.complete" ]; then
		rm -rf "$d"
		mkdir -p "$d/go"
		if ! { (cd "$d/go" && printf 'package main\n\nfunc main() { println("hi") }\n' >main.go &&
			printf 'module example.com/gotool\n\ngo 1.19\n' >go.mod &&
			HOME="$d/home" GOCACHE="$d/gocache" GOFLAGS=-mod=mod CGO_ENABLED=0 \
				timeout 300 go build -o "$d/gotool" .) &&
			$PY - "$d" <<'PYEOF'
import base64, hashlib, io, os, sys, zipfile
d = sys.argv[1]
gotool = open(os.path.join(d, "gotool"), "rb").read()
jar = io.BytesIO()
with zipfile.ZipFile(jar, "w") as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
    z.writestr("META-INF/maven/org.example/demo-lib/pom.properties",
               "groupId=org.example\nartifactId=demo-lib\nversion=1.2.3\n")
files = {
    "demo/__init__.py": b"",
    "demo/bin/gotool": gotool,
    "demo/lib/demo-lib.jar": jar.getvalue(),
    "demo/js/node_modules/left-pad/package.json": b'{"name":"left-pad","version":"1.3.0"}',
    "demo/_vendor/cryptography-38.0.4.dist-info/METADATA":
        b"Metadata-Version: 2.1\nName: cryptography\nVersion: 38.0.4\n",
    "demo-1.0.data/scripts/demo-gotool": gotool,
    "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    "demo-1.0.dist-info/WHEEL":
        b"Wheel-Version: 1.0\nGenerator: bulwark-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
def h(b):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
rec = "".join("%s,%s,%d\n" % (p, h(b), len(b)) for p, b in files.items())
rec += "demo-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(os.path.join(d, "demo-1.0-py3-none-any.whl"), "w") as z:
    for p, b in files.items():
        z.writestr(p, b)
    z.writestr("demo-1.0.dist-info/RECORD", rec)
PYEOF
		} >"$FIXTURES/owner-python.log" 2>&1; then
			fixture_unlock; echo "fixture failed, see $FIXTURES/owner-python.log" >&2; return 1
		fi
		touch "$d/.complete"
	fi
	fixture_unlock
	echo "$d"
}

if ! fx=$(owner_py_fixture); then
	fail "Go binary and wheel built"
	done_testing
fi
R="$TMP/root"
mkdir -p "$R/opt"
$PY -m venv "$R/opt/venv" >/dev/null
"$R/opt/venv/bin/python" -m pip install -q --no-index --no-deps --disable-pip-version-check \
	"$fx/demo-1.0-py3-none-any.whl" >"$TMP/pip.log" 2>&1
is "$?" 0 "pip installs the wheel into the venv"

# truth: every file of every distribution, "dist<TAB>path below R"
"$R/opt/venv/bin/python" - "$R" >"$TMP/files" <<'PYEOF'
import importlib.metadata as m, os, sys
root = os.path.realpath(sys.argv[1])
for d in m.distributions():
    for f in d.files or []:
        p = os.path.normpath(os.path.abspath(f.locate()))
        print("%s\t%s" % (d.metadata["Name"], os.path.relpath(p, root)))
PYEOF
"$R/opt/venv/bin/python" -c 'import importlib.metadata as m
for d in m.distributions(): print("%s\t%d" % (d.metadata["Name"], len(d.files)))' |
	LC_ALL=C sort >"$TMP/want-counts"
ok "importlib lists the demo distribution's Go script in bin/" \
	grep -q $'^demo\topt/venv/bin/demo-gotool$' "$TMP/files"

"$BULWARK" -q sbom "dir:$R" --format json -o "$TMP/sbom.json"
is "$?" 0 "sbom of the venv root"
jq -r '.packages[] | [.type, .name, .path, (.owner // ""), (.owner_type // "")] | @tsv' \
	"$TMP/sbom.json" >"$TMP/pkgs"
for t in golang maven npm pypi; do
	ok "the wheel's $t package is found" grep -q "^$t	" "$TMP/pkgs"
done

# owners: the distribution whose files list the package's file (the outer
# archive of a nested path), never the package itself
bad=0; n=0; owned=0
while IFS=$'\t' read -r type name path owner otype; do
	n=$((n + 1))
	file=${path%%!*}
	want=$(awk -F'\t' -v p="$file" -v self="$name" -v t="$type" \
		'$2 == p && !(t == "pypi" && $1 == self) {print $1; exit}' "$TMP/files")
	[ -n "$want" ] && owned=$((owned + 1))
	if [ "$owner" != "$want" ] || { [ -n "$want" ] && [ "$otype" != pypi ]; }; then
		bad=$((bad + 1)); diag "$type $name /$path: owner '$owner' ($otype), importlib says '$want'"
	fi
done <"$TMP/pkgs"
ok "owner of each of $n packages equals the distribution whose RECORD lists its file" \
	test "$bad" -eq 0 -a "$n" -ge 6
is "$owned" "$((n - 3))" "every package but pip, setuptools and demo themselves is owned"
ok "the Go binary installed to bin/ by ../../../bin is owned by demo" \
	grep -q $'^golang\tstdlib\topt/venv/bin/demo-gotool\tdemo\tpypi$' "$TMP/pkgs"

# file counts: the JSON's files equal len(distribution.files)
jq -r '.packages[] | select(.type == "pypi" and (.path | endswith(".dist-info/METADATA")) and (.owner == null))
	| [.name, (.files // 0 | tostring)] | @tsv' "$TMP/sbom.json" | LC_ALL=C sort >"$TMP/got-counts"
if d=$(diff -u "$TMP/want-counts" "$TMP/got-counts"); then
	pass "files of each distribution equals len(importlib's files) ($(wc -l <"$TMP/got-counts"))"
else
	fail "files of each distribution equals len(importlib's files)"; diag "$d"
fi

# the scan: a vendored copy owned by a Python package is still matched
# (PYSEC-2023-11 covers cryptography 38.0.4); owner_type pypi is not a
# distro owner
"$BULWARK" -q db build --from "$SHARED/vulndata/osv-pypi" --db "$TMP/db.sqlite" >/dev/null 2>&1
"$BULWARK" -q scan "dir:$R" --db "$TMP/db.sqlite" --format json -o "$TMP/scan.json"
jq -r '.findings[] | [.package.name, .package.path, ([.id] + .aliases | join(" "))] | @tsv' \
	"$TMP/scan.json" >"$TMP/hits"
ok "the vendored cryptography 38.0.4 owned by demo is matched (PYSEC-2023-11)" \
	grep -qE $'^cryptography\topt/venv/.*/_vendor/.*PYSEC-2023-11' "$TMP/hits"
done_testing

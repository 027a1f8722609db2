#!/bin/bash
# Language packages in files that a distro package installed are tied to it
# (pkg owner), so the scan leaves them to the distro's data; the same
# package installed outside dpkg is matched as a language package. Truth
# for ownership: `dpkg -S PATH` on this Debian host, whose files the test
# copies (with dpkg's own status and file lists) into a root.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
R="$TMP/root"
mkdir -p "$R/usr/lib/python3" "$R/var/lib/dpkg/info" "$R/usr/bin"
cp -a /usr/lib/python3/dist-packages "$R/usr/lib/python3/"
cp /var/lib/dpkg/status "$R/var/lib/dpkg/"
cp /var/lib/dpkg/info/*.list "$R/var/lib/dpkg/info/"
cp /usr/bin/runc "$R/usr/bin/"
# the same cryptography distribution installed by pip, outside dpkg
CRYPTO=$(ls -d /usr/lib/python3/dist-packages/cryptography-*.dist-info | head -1)
mkdir -p "$R/usr/local/lib/python3.11/dist-packages"
cp -a "$CRYPTO" "$R/usr/local/lib/python3.11/dist-packages/"

"$BULWARK" -q sbom "dir:$R" --format json -o "$TMP/sbom.json"
is "$?" 0 "sbom of a root with dpkg's file lists"

# every language package's owner is what dpkg -S says about its file
$PY - "$TMP/sbom.json" >"$TMP/pairs" <<'PYEOF'
import json, sys
for p in json.load(open(sys.argv[1]))["packages"]:
    if p["type"] in ("pypi", "golang"):
        print("%s\t%s\t%s" % (p["name"], p.get("path") or "", p.get("owner") or ""))
PYEOF
bad=0; n=0
while IFS=$'\t' read -r name path owner; do
	n=$((n + 1))
	want=$(dpkg -S "/${path%%!*}" 2>/dev/null | head -1 | cut -d: -f1)
	[ "$path" = "${path#usr/local/}" ] || want=""
	if [ "$owner" != "$want" ]; then
		bad=$((bad + 1)); diag "$name /$path: owner '$owner', dpkg -S says '$want'"
	fi
done <"$TMP/pairs"
ok "owner of each of $n language packages equals dpkg -S of its file" test "$bad" -eq 0 -a "$n" -gt 10
ok "runc's Go modules are owned by the runc package" grep -q $'^stdlib\tusr/bin/runc\trunc$' "$TMP/pairs"
ok "the pip-installed copy has no owner" grep -qE $'^cryptography\tusr/local/[^\t]*\t$' "$TMP/pairs"

# the scan: owned cryptography is left to Debian's data, the unowned copy
# is matched against the PyPI advisories (PYSEC-2023-11 covers 38.0.4)
"$BULWARK" -q db build --from "$SHARED/vulndata/osv-pypi" --from "$SHARED/vulndata/osv-go" --db "$TMP/db.sqlite" >/dev/null 2>&1
"$BULWARK" -q scan "dir:$R" --db "$TMP/db.sqlite" --format json -o "$TMP/scan.json"
$PY - "$TMP/scan.json" >"$TMP/hits" <<'PYEOF'
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print("%s\t%s\t%s" % (f["package"]["name"], f["package"]["path"], " ".join([f["id"]] + f["aliases"])))
PYEOF
ok "the pip-installed cryptography 38.0.4 is matched (PYSEC-2023-11)" \
	grep -qE $'^cryptography\tusr/local/.*PYSEC-2023-11' "$TMP/hits"
ok "the Debian-owned cryptography is not matched against PyPI data" \
	sh -c "! grep -qE '^cryptography	usr/lib/python3/' '$TMP/hits'"
ok "runc's Go stdlib (owned by runc) is not matched against Go data" \
	sh -c "! grep -qE '^stdlib	usr/bin/runc' '$TMP/hits'"
done_testing

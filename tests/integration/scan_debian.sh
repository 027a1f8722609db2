#!/bin/bash
# bulwark scan on Debian packages against the Debian security tracker's
# DSA list (../shared/vulndata/debian): the expected findings come from this
# test's own reading of the list (awk) and dpkg's own version ordering
# (dpkg --compare-versions), never from the matcher. Also: the backport case,
# --fail-on exit codes, the ignore file with expiry, OpenVEX, formats, and
# the "no data for this distro" case.
. "$(dirname "$0")/lib.sh"

DSA="$SHARED/vulndata/debian/data/DSA/list"
DB="$TMP/vulndb.sqlite"
ROOT="$TMP/bullseye"

# A bullseye root with older versions of packages the DSA list covers.
# Source packages: openssl, curl, xz-utils (binary liblzma5), sudo, git.
make_root() {
	local root=$1 openssl=$2
	mkdir -p "$root/etc" "$root/var/lib/dpkg"
	cat >"$root/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"
NAME="Debian GNU/Linux"
VERSION_ID="11"
VERSION="11 (bullseye)"
VERSION_CODENAME=bullseye
ID=debian
OS
	cat >"$root/var/lib/dpkg/status" <<ST
Package: openssl
Status: install ok installed
Architecture: amd64
Version: $openssl

Package: libcurl4
Status: install ok installed
Architecture: amd64
Source: curl
Version: 7.74.0-1.3+deb11u3

Package: liblzma5
Status: install ok installed
Architecture: amd64
Source: xz-utils
Version: 5.2.5-2

Package: sudo
Status: install ok installed
Architecture: amd64
Version: 1.9.5p2-3

Package: git
Status: install ok installed
Architecture: amd64
Version: 1:2.30.2-1

ST
}

# expected IDS for (source package, installed version): every CVE of every
# DSA block whose [bullseye] line names the package with a fixed version
# above the installed one (dpkg ordering).
expected_for() {
	local pkg=$1 ver=$2
	awk -v pkg="$pkg" '
		/^\[/ { cves = "" ; next }
		/^\t\{/ { gsub(/[{}\t]/, ""); cves = $0; next }
		/^\t\[bullseye\] - / { if ($3 == pkg && $4 != "<not-affected>" && $4 != "<unfixed>") print $4 "\t" cves }
	' "$DSA" | while IFS=$'\t' read -r fixed cves; do
		if dpkg --compare-versions "$ver" lt "$fixed"; then
			for c in $cves; do echo "$c"; done
		fi
	done
}

"$BULWARK" db build --from "$SHARED/vulndata/debian" --db "$DB" >/dev/null 2>&1
ok "db build from the DSA/DLA lists" test -s "$DB"

make_root "$ROOT" "1.1.1n-0+deb11u3"
"$BULWARK" scan "dir:$ROOT" --db "$DB" --format json -o "$TMP/r.json" 2>"$TMP/err"
is "$?" 0 "scan without --fail-on exits 0"

for spec in "openssl 1.1.1n-0+deb11u3" "curl 7.74.0-1.3+deb11u3" "xz-utils 5.2.5-2" "sudo 1.9.5p2-3" "git 1:2.30.2-1"; do
	set -- $spec
	want=$(expected_for "$1" "$2" | sort -u)
	got=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
for f in d["findings"]:
    p=f["package"]
    if (p.get("source_name") or p["name"])==sys.argv[2]: print(f["id"])' "$TMP/r.json" "$1" | sort -u)
	if [ "$got" = "$want" ]; then
		pass "$1 $2: findings equal the DSA list ($(echo "$want" | grep -c .) CVEs)"
	else
		fail "$1 $2: findings equal the DSA list"
		diag "$(diff <(echo "$want") <(echo "$got"))"
	fi
done

# the backport case: DSA-5343-1 fixed bullseye's openssl in 1.1.1n-0+deb11u4;
# upstream 1.1.1n is vulnerable to CVE-2023-0286, the backport is not
make_root "$TMP/fixed" "1.1.1n-0+deb11u4"
"$BULWARK" scan "dir:$TMP/fixed" --db "$DB" --format json -o "$TMP/f.json" 2>/dev/null
n=$(python3 -c 'import json,sys; print(sum(1 for f in json.load(open(sys.argv[1]))["findings"] if f["package"]["name"]=="openssl"))' "$TMP/f.json")
is "$n" "$(expected_for openssl 1.1.1n-0+deb11u4 | sort -u | grep -c .)" "backport 1.1.1n-0+deb11u4: exactly the DSA list's remaining CVEs"
ok "backport 1.1.1n-0+deb11u4 is not reported for CVE-2023-0286" \
	sh -c "! grep -q CVE-2023-0286 '$TMP/f.json'"
ok "deb11u3 is reported for CVE-2023-0286 (aliases name DSA-5343-1)" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=[f for f in d["findings"] if f["id"]=="CVE-2023-0286"]; sys.exit(0 if f and "DSA-5343-1" in f[0]["aliases"] and f[0]["fixed_versions"]==["1.1.1n-0+deb11u4"] else 1)' "$TMP/r.json"

# Severity: the DSA list has none, so the NVD record gives it. CVE-2023-0286
# is CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H = 7.4 (HIGH) at NVD.
cat >"$TMP/nvd.json" <<'NVD'
{"resultsPerPage":1,"startIndex":0,"totalResults":1,"format":"NVD_CVE","version":"2.0","timestamp":"2023-04-01T00:00:00.000",
 "vulnerabilities":[{"cve":{"id":"CVE-2023-0286","sourceIdentifier":"openssl-security@openssl.org","published":"2023-02-08T20:15:23.973","lastModified":"2023-04-01T00:00:00.000","vulnStatus":"Analyzed",
  "descriptions":[{"lang":"en","value":"There is a type confusion vulnerability relating to X.400 address processing inside an X.509 GeneralName."}],
  "metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H","attackVector":"NETWORK","attackComplexity":"HIGH","privilegesRequired":"NONE","userInteraction":"NONE","scope":"UNCHANGED","confidentialityImpact":"HIGH","integrityImpact":"NONE","availabilityImpact":"HIGH","baseScore":7.4,"baseSeverity":"HIGH"},"exploitabilityScore":2.2,"impactScore":5.2}]}}}]}
NVD
"$BULWARK" db build --from "$SHARED/vulndata/debian" --from "$TMP/nvd.json" --db "$DB" >/dev/null 2>&1
"$BULWARK" scan "dir:$ROOT" --db "$DB" --format json -o "$TMP/r2.json" 2>/dev/null
sev=$(python3 -c 'import json,sys; print([f for f in json.load(open(sys.argv[1]))["findings"] if f["id"]=="CVE-2023-0286"][0]["severity"])' "$TMP/r2.json")
is "$sev" "high" "severity from the NVD CVSS v3.1 vector (7.4 = high)"

"$BULWARK" -q scan "dir:$ROOT" --db "$DB" --fail-on high >/dev/null 2>&1
is "$?" 1 "--fail-on high exits 1 when a high finding remains"
"$BULWARK" -q scan "dir:$ROOT" --db "$DB" --fail-on critical >/dev/null 2>&1
is "$?" 0 "--fail-on critical exits 0 (nothing critical)"
"$BULWARK" -q scan "dir:$TMP/fixed" --db "$DB" --fail-on high >/dev/null 2>&1
is "$?" 0 "--fail-on high passes on the fixed backport"

# ignore file: the one high finding ignored (with a reason) -> gate passes;
# the same entry expired -> it no longer applies, the scan says so
printf '# accepted risk\nCVE-2023-0286 pkg=openssl exp=2999-01-01 # not reachable: no X.400 use\n' >"$TMP/ign"
"$BULWARK" -q scan "dir:$ROOT" --db "$DB" --fail-on high --ignorefile "$TMP/ign" --format json -o "$TMP/i.json" 2>/dev/null
is "$?" 0 "ignored finding no longer fails the gate"
ok "JSON lists the ignored finding as suppressed, with the reason" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=[f for f in d["suppressed"] if f["id"]=="CVE-2023-0286"]; sys.exit(0 if s and "not reachable" in s[0]["suppressed_by"] and not [f for f in d["findings"] if f["id"]=="CVE-2023-0286"] else 1)' "$TMP/i.json"
printf 'CVE-2023-0286 exp=2020-01-01 # old exception\n' >"$TMP/ign-old"
"$BULWARK" scan "dir:$ROOT" --db "$DB" --fail-on high --ignorefile "$TMP/ign-old" >/dev/null 2>"$TMP/err"
is "$?" 1 "an expired ignore entry stops applying"
ok "the scan says the entry expired" grep -q "expired" "$TMP/err"
printf 'CVE-2023-0286 when=tomorrow\n' >"$TMP/ign-bad"
"$BULWARK" scan "dir:$ROOT" --db "$DB" --ignorefile "$TMP/ign-bad" >/dev/null 2>"$TMP/err"
is "$?" 2 "a malformed ignore file is an input error"
ok "the error names the file and line" grep -q "ign-bad:1" "$TMP/err"

# OpenVEX: not_affected for the package's purl suppresses, justification kept
cat >"$TMP/vex.json" <<'VEX'
{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"test","timestamp":"2026-01-01T00:00:00Z","version":1,
 "statements":[{"vulnerability":{"name":"CVE-2023-0286"},"products":[{"@id":"pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3"}],
 "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}
VEX
"$BULWARK" -q scan "dir:$ROOT" --db "$DB" --fail-on high --vex "$TMP/vex.json" --format json -o "$TMP/v.json" 2>/dev/null
is "$?" 0 "VEX not_affected suppresses the finding"
ok "the VEX justification is kept" grep -q "vulnerable_code_not_in_execute_path" "$TMP/v.json"

# formats
"$BULWARK" -q scan "dir:$ROOT" --db "$DB" --format sarif -o "$TMP/r.sarif"
ok "SARIF 2.1.0 with one result per finding" python3 -c '
import json,sys
s=json.load(open(sys.argv[1])); j=json.load(open(sys.argv[2]))
r=s["runs"][0]
ok = s["version"]=="2.1.0" and len(r["results"])==len(j["findings"]) and all(x["ruleId"]==r["tool"]["driver"]["rules"][x["ruleIndex"]]["id"] for x in r["results"])
sys.exit(0 if ok else 1)' "$TMP/r.sarif" "$TMP/r.json"
"$BULWARK" -q scan "dir:$ROOT" --db "$DB" --format cyclonedx -o "$TMP/r.cdx.json"
ok "CycloneDX report: vulnerabilities point at component bom-refs" python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); refs={c["bom-ref"] for c in d["components"]}
v=d["vulnerabilities"]
sys.exit(0 if v and all(a["ref"] in refs for x in v for a in x["affects"]) else 1)' "$TMP/r.cdx.json"
"$BULWARK" -q scan "dir:$ROOT" --db "$DB" >"$TMP/table.txt"
ok "table names the vulnerability and the fixed version" grep -q "CVE-2023-0286.*1.1.1n-0+deb11u4" "$TMP/table.txt"

# no data for this distro: a bookworm root against a DB with no Debian 12 data
mkdir -p "$TMP/bookworm/etc" "$TMP/bookworm/var/lib/dpkg"
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' >"$TMP/bookworm/etc/os-release"
cp "$ROOT/var/lib/dpkg/status" "$TMP/bookworm/var/lib/dpkg/status"
"$BULWARK" scan "dir:$TMP/bookworm" --db "$DB" >"$TMP/nd.txt" 2>&1
is "$?" 0 "a distro without data is not an error"
ok "the report says there is no data for Debian:12 instead of 0 vulnerabilities" grep -q "No vulnerability data for Debian:12" "$TMP/nd.txt"

# errors
"$BULWARK" scan "dir:$ROOT" --db "$TMP/none.sqlite" >/dev/null 2>"$TMP/err"
is "$?" 2 "a missing database is an input error"
ok "the error names the database and how to build it" grep -q "none.sqlite.*db build" "$TMP/err"
"$BULWARK" scan "dir:$ROOT" --db "$DB" --fail-on severe >/dev/null 2>&1
is "$?" 2 "an unknown severity is a usage error"
done_testing

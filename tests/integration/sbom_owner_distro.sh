#!/bin/bash
# sbom_owner_distro.sh - rpm's and apk's file lists tie language packages
# to the distro package that installed their file (owner, owner_type rpm or
# apk), and `bulwark scan` leaves those to the distro's data; an unowned
# copy of the same distribution is matched as a PyPI package.
#
#   rpm: rpmbuild makes a package that installs a python dist-info and an
#        npm package.json, Debian's rpm installs it into a root (files and
#        SQLite rpmdb); truth: `rpm --root R -qf` of each package's file.
#   apk: Trivy's real apk database plus two records written here (a
#        py3-* dist-info, a node package); truth: the F:/R: lines read by
#        awk, independently of Bulwark's reader.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

"$BULWARK" -q db build --from "$SHARED/vulndata/osv-pypi" --db "$TMP/db.sqlite" >/dev/null 2>&1
is "$?" 0 "PyPI advisories database built"

meta() { # meta DIR NAME VERSION: a dist-info METADATA
	mkdir -p "$1" && printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$2" "$3" >"$1/METADATA"
}
pkgjson() { mkdir -p "$1" && printf '{"name":"%s","version":"%s"}\n' "$2" "$3" >"$1/package.json"; }

# rows JSON: "type<TAB>name<TAB>path<TAB>owner<TAB>owner_type" of the language packages
rows() {
	jq -r '.packages[] | select(.type != "rpm" and .type != "apk" and .type != "deb")
		| [.type, .name, .path, (.owner // ""), (.owner_type // "")] | @tsv' "$1"
}

# scan_hits ROOT: "name<TAB>path<TAB>ids" of the scan's findings
scan_hits() {
	"$BULWARK" -q scan "dir:$1" --db "$TMP/db.sqlite" --format json -o "$TMP/scan.json"
	jq -r '.findings[] | [.package.name, .package.path, ([.id] + .aliases | join(" "))] | @tsv' "$TMP/scan.json"
}

# ---- rpm ----
if ! need_root || ! command -v rpmbuild >/dev/null || ! command -v rpm >/dev/null; then
	skip "rpm file lists" "needs root, rpm and rpmbuild (scripts/install-deps.sh)"
else
	top="$TMP/rpmtop"; mkdir -p "$top/SPECS"
	cat >"$top/SPECS/bw-owned.spec" <<'EOF'
Name: python3-cryptography-bw
Version: 38.0.4
Release: 1
BuildArch: noarch
Summary: A distro package shipping a Python dist-info and an npm package
License: MIT
%description
Files that language catalogers read.
%install
d=%{buildroot}/usr/lib/python3.11/site-packages/cryptography-38.0.4.dist-info
mkdir -p $d
printf 'Metadata-Version: 2.1\nName: cryptography\nVersion: 38.0.4\n' >$d/METADATA
mkdir -p %{buildroot}/usr/lib/node_modules/left-pad
printf '{"name":"left-pad","version":"1.3.0"}\n' >%{buildroot}/usr/lib/node_modules/left-pad/package.json
%files
/usr/lib/python3.11/site-packages/cryptography-38.0.4.dist-info
/usr/lib/node_modules/left-pad
EOF
	R="$TMP/rpmroot"; mkdir -p "$R/var/lib/rpm"
	if timeout 120 rpmbuild -bb --define "_topdir $top" "$top/SPECS/bw-owned.spec" >"$TMP/rpmbuild.log" 2>&1 &&
		timeout 60 rpm --root "$R" --dbpath /var/lib/rpm --initdb &&
		timeout 60 rpm --root "$R" --dbpath /var/lib/rpm -i --nodeps --noscripts \
			"$top"/RPMS/noarch/python3-cryptography-bw-*.rpm >>"$TMP/rpmbuild.log" 2>&1; then
		pass "rpm built and installed into a root"
	else
		fail "rpm built and installed into a root"; diag "$(tail -5 "$TMP/rpmbuild.log")"
	fi
	# the same distribution outside rpm
	meta "$R/usr/local/lib/python3.11/site-packages/cryptography-38.0.4.dist-info" cryptography 38.0.4
	ok "rpm's database is SQLite" test -f "$R/var/lib/rpm/rpmdb.sqlite"
	"$BULWARK" -q sbom "dir:$R" --format json -o "$TMP/rpm.json"
	is "$?" 0 "sbom of the rpm root"
	rows "$TMP/rpm.json" >"$TMP/rpm.rows"
	bad=0; n=0
	while IFS=$'\t' read -r type name path owner otype; do
		n=$((n + 1))
		want=$(rpm --root "$R" --dbpath /var/lib/rpm -qf --qf '%{NAME}\n' "/$path" 2>/dev/null) || want=""
		wt=${want:+rpm}
		if [ "$owner" != "$want" ] || [ "$otype" != "$wt" ]; then
			bad=$((bad + 1)); diag "$type $name /$path: owner '$owner' ($otype), rpm -qf says '$want'"
		fi
	done <"$TMP/rpm.rows"
	ok "owner of each of $n language packages equals rpm -qf of its file" test "$bad" -eq 0 -a "$n" -eq 3
	is "$(grep -c $'\tpython3-cryptography-bw\trpm$' "$TMP/rpm.rows")" 2 "the dist-info and the package.json are owned"
	scan_hits "$R" >"$TMP/rpm.hits"
	ok "scan: the unowned cryptography 38.0.4 is matched (PYSEC-2023-11)" \
		grep -qE $'^cryptography\tusr/local/.*PYSEC-2023-11' "$TMP/rpm.hits"
	ok "scan: the rpm-owned cryptography is left to the distro's data" \
		sh -c "! grep -qE '^cryptography	usr/lib/python3.11/' '$TMP/rpm.hits'"
fi

# ---- apk ----
R="$TMP/apkroot"; mkdir -p "$R/lib/apk/db" "$R/etc"
echo 3.19.1 >"$R/etc/alpine-release"
{
	cat "$SHARED/fixtures/pkgdb/trivy/apk/apk"
	# the fixture's last record has no blank line after it
	printf '\n\nC:Q1aaaaaaaaaaaaaaaaaaaaaaaaaaa=\nP:py3-cryptography\nV:38.0.4-r0\nA:x86_64\n'
	printf 'o:py3-cryptography\nL:Apache-2.0 OR BSD-3-Clause\n'
	printf 'F:usr/lib/python3.11/site-packages\nF:usr/lib/python3.11/site-packages/cryptography-38.0.4.dist-info\n'
	printf 'R:METADATA\nZ:Q1bbbbbbbbbbbbbbbbbbbbbbbbbbb=\nR:RECORD\n'
	printf '\nP:nodejs-left-pad\nV:1.3.0-r0\nF:usr/lib/node_modules/left-pad\nR:package.json\n\n'
} >"$R/lib/apk/db/installed"
meta "$R/usr/lib/python3.11/site-packages/cryptography-38.0.4.dist-info" cryptography 38.0.4
pkgjson "$R/usr/lib/node_modules/left-pad" left-pad 1.3.0
meta "$R/usr/local/lib/python3.11/site-packages/cryptography-38.0.4.dist-info" cryptography 38.0.4
pkgjson "$R/usr/local/lib/node_modules/left-pad" left-pad 1.3.0
# truth: "path<TAB>package" from the database's own P:, F: and R: lines
awk -F: '/^$/ {p = ""; d = ""} $1 == "P" {p = $2} $1 == "F" {d = $2}
	$1 == "R" {print (d == "" ? "" : d "/") $2 "\t" p}' "$R/lib/apk/db/installed" >"$TMP/apk.files"
ok "awk reads the records' files" grep -q $'^usr/lib/node_modules/left-pad/package.json\tnodejs-left-pad$' "$TMP/apk.files"
"$BULWARK" -q sbom "dir:$R" --format json -o "$TMP/apk.json"
is "$?" 0 "sbom of the apk root"
rows "$TMP/apk.json" >"$TMP/apk.rows"
bad=0; n=0
while IFS=$'\t' read -r type name path owner otype; do
	n=$((n + 1))
	want=$(awk -F'\t' -v p="$path" '$1 == p {print $2; exit}' "$TMP/apk.files")
	wt=${want:+apk}
	if [ "$owner" != "$want" ] || [ "$otype" != "$wt" ]; then
		bad=$((bad + 1)); diag "$type $name /$path: owner '$owner' ($otype), the database says '$want'"
	fi
done <"$TMP/apk.rows"
ok "owner of each of $n language packages equals the database's F:/R: lines" test "$bad" -eq 0 -a "$n" -eq 4
ok "py3-cryptography owns its dist-info" grep -q $'^pypi\tcryptography\tusr/lib/.*\tpy3-cryptography\tapk$' "$TMP/apk.rows"
scan_hits "$R" >"$TMP/apk.hits"
ok "scan: the unowned cryptography 38.0.4 is matched (PYSEC-2023-11)" \
	grep -qE $'^cryptography\tusr/local/.*PYSEC-2023-11' "$TMP/apk.hits"
ok "scan: the apk-owned cryptography is left to the distro's data" \
	sh -c "! grep -qE '^cryptography	usr/lib/python3.11/' '$TMP/apk.hits'"
done_testing

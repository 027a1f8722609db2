#!/bin/bash
# sbom_rpmdb.sh - `bulwark sbom` on rpm databases in all three formats,
# compared with rpm's own listing.
#
# The fixture (built once into $FIXTURES/rpmdb-e2e-v1) holds real headers:
# rpmbuild makes small .rpm packages from spec files written here (epochs
# 3, 0 and none, a source rpm with another name, subpackages, a UTF-8
# licence, 60 packages so the hash database has many buckets), Debian's rpm
# installs them with --justdb into an SQLite rpmdb (its default backend),
# imports a GnuPG key (rpm lists the gpg-pubkey pseudo-package), and erases
# one package (a hole in the table). The same header blobs are then written
# into Berkeley DB hash files with db5.3_load (page size 4096; and 512 with
# fill factor 4, so that the table splits into many buckets) the
# way rpm <= 4.15 stored them (4-byte host-order keys, record 0 = next
# header number). Truth:
#   - SQLite: `rpm -qa --dbpath` (sqlite backend);
#   - Berkeley DB: `rpm -qa` with the bdb_ro backend, which also proves the
#     db5.3_load files are databases rpm reads;
#   - NDB: Debian's rpm is built without ndb (it falls back to a dummy
#     database) and cannot read or write one. Two cases: the real SUSE
#     database in ../shared/fixtures/rpmdb/sle15-bci with go-rpmdb's
#     expected list (the format's independent truth), and the SQLite
#     headers written into an NDB file by ndb_from_sqlite below (after
#     rpmpkg.c; the list's truth is rpm -qa on the SQLite rpmdb).
# Lines compared: "NAME<TAB>EPOCH:VERSION-RELEASE<TAB>ARCH", rpm printing
# "(none)" for a missing epoch or arch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

QF='%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\t%{ARCH}\n'
FIX=$FIXTURES/rpmdb-e2e-v3
# gpg makes the key for the gpg-pubkey case; without it that case is left out
if command -v gpg >/dev/null 2>&1; then HAVE_GPG=1; else HAVE_GPG=0; FIX=$FIX-nokey; fi

missing=""
for t in rpm rpmbuild db5.3_load sqlite3 jq; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	skip "rpm database end-to-end tests" "missing tools:$missing (scripts/install-deps.sh)"
	done_testing
fi

# ---- fixture -----------------------------------------------------------------

write_specs() {
	local d=$1 i
	cat >"$d/bw-suite.spec" <<'EOF'
Name: bw-suite
Epoch: 3
Version: 2.4.1
Release: 7.fc40
Summary: Bulwark test suite package
License: GPL-2.0-or-later AND MIT
%description
Main package; its subpackage bw-beta comes from the same source rpm.
%package -n bw-beta
Summary: Bulwark test subpackage
License: MIT
%description -n bw-beta
A subpackage: SOURCERPM is bw-suite-2.4.1-7.fc40.src.rpm.
%files
%files -n bw-beta
EOF
	cat >"$d/bw-gamma.spec" <<'EOF'
Name: bw-gamma
Epoch: 0
Version: 1.2
Release: 3
BuildArch: noarch
Summary: An explicit epoch 0 (rpm prints 0:, not (none))
License: BSD-3-Clause
%description
Epoch 0 is present in the header.
%files
EOF
	cat >"$d/bw-noepoch.spec" <<'EOF'
Name: bw-noepoch
Version: 0.9~rc1
Release: 0.1.beta
BuildArch: noarch
Summary: No epoch, a tilde version, a UTF-8 licence
License: Licence Übung-1.0
%description
No Epoch tag.
%files
EOF
	{
		echo "Name: bw-many"
		echo "Version: 5"
		echo "Release: 1"
		echo "BuildArch: noarch"
		echo "Summary: many subpackages"
		echo "License: Apache-2.0"
		echo "%description"
		# a long description makes headers span several overflow pages
		for i in $(seq 1 80); do echo "Line $i of a long description for overflow pages."; done
		echo "%files"
		for i in $(seq -w 1 60); do
			echo "%package -n bw-many-$i"
			echo "Summary: subpackage $i"
			echo "Version: 1.$i"
			echo "License: MIT-$i"
			echo "%description -n bw-many-$i"
			echo "Subpackage $i."
			echo "%files -n bw-many-$i"
		done
	} >"$d/bw-many.spec"
}

# Berkeley DB dump ("db_dump -p"-style bytevalue format) of an SQLite
# rpmdb's Packages table: keys are hnum as 4 little-endian bytes (x86 host
# order, as rpm's bdb backend wrote them), record 0 holds the next hnum.
bdb_dump_from_sqlite() {
	local db=$1 pagesize=$2 ffactor=${3:-} max
	max=$(sqlite3 -readonly "$db" 'SELECT max(hnum) FROM Packages')
	le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
	echo "VERSION=3"
	echo "format=bytevalue"
	echo "type=hash"
	echo "db_pagesize=$pagesize"
	[ -z "$ffactor" ] || echo "h_ffactor=$ffactor"
	echo "HEADER=END"
	echo " $(le32 0)"
	echo " $(le32 $((max + 1)))"
	sqlite3 -readonly -separator ' ' "$db" 'SELECT hnum, lower(hex(blob)) FROM Packages ORDER BY hnum' |
		while read -r hnum hex; do
			echo " $(le32 "$hnum")"
			echo " $hex"
		done
	echo "DATA=END"
}

# An NDB Packages.db holding an SQLite rpmdb's headers, written the way
# rpm's lib/backend/ndb/rpmpkg.c writes one (Debian's rpm cannot: it is
# built without ndb). Two slot pages, so the slot table spans pages, and a
# free slot where a header number is missing.
ndb_from_sqlite() { # sqlite-db out
	python3 - "$1" "$2" <<'PY'
import sqlite3, struct, sys, zlib
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
rows = db.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
SLOTNPAGES, PAGE, BLK = 2, 4096, 16
le = lambda *v: struct.pack("<%dI" % len(v), *v)
slots, blobs, blkoff = [], b"", SLOTNPAGES * PAGE // BLK
prev = 0
for hnum, blob in rows:
    if hnum != prev + 1:
        slots.append(le(0x746F6C53, 0, 0, 0))  # a free slot for the gap
    prev = hnum
    blkcnt = (16 + len(blob) + 12 + BLK - 1) // BLK
    body = le(0x53626C42, hnum, 1700000000, len(blob)) + blob
    body += b"\0" * (blkcnt * BLK - 12 - len(body))
    body += le(zlib.adler32(body) & 0xFFFFFFFF, len(blob), 0x45626C42)
    slots.append(le(0x746F6C53, hnum, blkoff, blkcnt))
    blobs += body
    blkoff += blkcnt
nslots = SLOTNPAGES * PAGE // 16 - 2
slots += [le(0x746F6C53, 0, 0, 0)] * (nslots - len(slots))
head = le(0x506D7052, 0, 1, SLOTNPAGES, prev + 1) + b"\0" * 12
open(sys.argv[2], "wb").write(head + b"".join(slots) + blobs)
PY
}

build_fixture() {
	local b=$FIX.build
	rm -rf "$b"
	mkdir -p "$b/specs" "$b/top" "$b/gnupg" "$b/sqlite/var/lib/rpm" "$b/bdb/var/lib/rpm" \
		"$b/bdb512/var/lib/rpm" "$b/ndb/var/lib/rpm" "$b/ndbgen/var/lib/rpm"
	chmod 700 "$b/gnupg"
	write_specs "$b/specs"
	for s in "$b"/specs/*.spec; do
		rpmbuild -bb --define "_topdir $b/top" "$s" >"$b/rpmbuild.log" 2>&1 || return 1
	done
	rpm --initdb --dbpath "$b/sqlite/var/lib/rpm" || return 1
	rpm -i --justdb --nodeps --noscripts --notriggers --ignorearch --ignoreos \
		--dbpath "$b/sqlite/var/lib/rpm" "$b"/top/RPMS/*/*.rpm 2>>"$b/rpm.log" || return 1
	rpm -e --justdb --nodeps --noscripts --dbpath "$b/sqlite/var/lib/rpm" bw-many-07 \
		2>>"$b/rpm.log" || return 1
	if [ "$HAVE_GPG" = 1 ]; then
		GNUPGHOME=$b/gnupg gpg --batch --pinentry-mode loopback --passphrase '' \
			--quick-gen-key 'Bulwark Test <test@example.invalid>' rsa2048 sign never \
			>>"$b/gpg.log" 2>&1 || return 1
		GNUPGHOME=$b/gnupg gpg --armor --export test@example.invalid >"$b/key.asc" || return 1
		rpm --dbpath "$b/sqlite/var/lib/rpm" --import "$b/key.asc" 2>>"$b/rpm.log" || return 1
	fi
	bdb_dump_from_sqlite "$b/sqlite/var/lib/rpm/rpmdb.sqlite" 4096 >"$b/bdb.dump"
	db5.3_load -f "$b/bdb.dump" "$b/bdb/var/lib/rpm/Packages" || return 1
	bdb_dump_from_sqlite "$b/sqlite/var/lib/rpm/rpmdb.sqlite" 512 4 >"$b/bdb512.dump"
	db5.3_load -f "$b/bdb512.dump" "$b/bdb512/var/lib/rpm/Packages" || return 1
	ndb_from_sqlite "$b/sqlite/var/lib/rpm/rpmdb.sqlite" "$b/ndbgen/var/lib/rpm/Packages.db" ||
		return 1
	cp "$SHARED/fixtures/rpmdb/sle15-bci/Packages.db" "$b/ndb/var/lib/rpm/Packages.db" || return 1
	chmod -R u+w "$b/ndb"
	rm -rf "$FIX"
	mv "$b" "$FIX"
	touch "$FIX/.complete"
}

fixture_lock rpmdb-e2e
if [ ! -f "$FIX/.complete" ]; then
	build_fixture || { fixture_unlock; echo "rpmdb fixture build failed in $FIX.build" >&2; exit 1; }
fi
fixture_unlock

# rpm -qa on a copy (rpm writes lock and WAL files beside the database)
rpm_qa() { # backend dir [qf]
	local c
	c=$(mktemp -d "$TMP/rpmqa.XXXXXX")
	cp -r "$2"/. "$c"/
	rpm --define "_db_backend $1" --dbpath "$c" -qa --qf "${3:-$QF}" 2>/dev/null | LC_ALL=C sort
}

# our listing in the same shape, from `bulwark sbom dir:ROOT --format json`
bw_list() { # json
	jq -r '.packages[] | select(.type == "rpm") |
		[.name, ((.epoch // "(none)") + ":" +
			(if .epoch then .version[(.epoch | length) + 1:] else .version end)),
		 (.arch // "(none)")] | @tsv' "$1" | LC_ALL=C sort
}

# ---- truth checks (the fixture is what it claims) --------------------------------

want_sqlite=$(rpm_qa sqlite "$FIX/sqlite/var/lib/rpm")
is "$(echo "$want_sqlite" | wc -l)" $((64 + HAVE_GPG)) \
	"rpm -qa lists $((64 + HAVE_GPG)) packages (bw-suite, bw-beta, bw-gamma, bw-noepoch, bw-many + 59 subpackages[, gpg-pubkey])"
if [ "$HAVE_GPG" = 1 ]; then
	is "$(echo "$want_sqlite" | grep -c '^gpg-pubkey	(none):[0-9a-f]*-[0-9a-f]*	(none)$')" 1 \
		"rpm -qa lists the imported key as gpg-pubkey, no epoch, no arch"
else
	skip "rpm -qa lists the imported key as gpg-pubkey" "gpg is not installed"
fi
is "$(echo "$want_sqlite" | grep -c '^bw-many-07	')" 0 "the erased package is gone from rpm -qa"
is "$(rpm_qa bdb_ro "$FIX/bdb/var/lib/rpm")" "$want_sqlite" \
	"rpm (bdb_ro) reads the db5.3_load Berkeley DB: same list as the SQLite rpmdb"
is "$(rpm_qa bdb_ro "$FIX/bdb512/var/lib/rpm")" "$want_sqlite" \
	"rpm (bdb_ro) reads the 512-byte-page Berkeley DB: same list"
want_ndb=$(awk -F'\t' '!/^#/ { printf "%s\t%s:%s-%s\t%s\n", $1, ($4 == "" ? "(none)" : $4), $2, $3, $5 }' \
	"$SHARED/fixtures/rpmdb/sle15-bci/expected.tsv" | LC_ALL=C sort)

# ---- bulwark -------------------------------------------------------------------

if [ ! -x "$BULWARK" ] || ! "$BULWARK" help sbom >/dev/null 2>&1; then
	for n in sqlite bdb bdb512 ndbgen ndb fields paths oci-image oci-layer corrupt-sqlite corrupt-bdb corrupt-ndb; do
		skip "bulwark sbom on the $n rpmdb" "$BULWARK has no sbom command yet"
	done
	done_testing
fi

for kind in sqlite bdb bdb512 ndbgen ndb; do
	out=$TMP/$kind.json
	"$BULWARK" sbom "dir:$FIX/$kind" --format json --output "$out" 2>"$TMP/$kind.err"
	rc=$?
	if [ "$rc" != 0 ]; then
		fail "bulwark sbom dir:$kind exits 0 (got $rc)"
		diag "$(head -5 "$TMP/$kind.err")"
		continue
	fi
	case $kind in ndb) want=$want_ndb ;; *) want=$want_sqlite ;; esac
	is "$(bw_list "$out")" "$want" "bulwark sbom on the $kind rpmdb lists exactly what rpm lists"
done

# licences and source packages against rpm's own fields
want=$(rpm_qa sqlite "$FIX/sqlite/var/lib/rpm" '%{NAME}\t%{LICENSE}\t%{SOURCERPM}\n')
got=$(jq -r '.packages[] | select(.type == "rpm") |
	[.name, (.licenses[0] // "(none)"),
	 (if .source_name then .source_name + "-" + .source_version + ".src.rpm" else "(none)" end)]
	| @tsv' "$TMP/sqlite.json" 2>/dev/null | LC_ALL=C sort)
is "$got" "$want" "licence and source rpm of every package match rpm's LICENSE and SOURCERPM"
is "$(jq -r '[.packages[] | select(.type == "rpm") | .path] | unique | join(" ")' "$TMP/sqlite.json" 2>/dev/null)" \
	"var/lib/rpm/rpmdb.sqlite" "every package names the database file it came from"

# through an image: the Berkeley DB root as a one-layer OCI layout; every
# package names the layer (the manifest's layers[0].digest)
if make_oci_dir "$FIX/bdb" "$TMP/oci-bdb" >/dev/null 2>&1; then
	mdigest=$(jq -r '.manifests[0].digest' "$TMP/oci-bdb/index.json")
	layer=$(jq -r '.layers[0].digest' "$TMP/oci-bdb/blobs/${mdigest%%:*}/${mdigest#*:}")
	"$BULWARK" sbom "oci:$TMP/oci-bdb" --format json --output "$TMP/oci.json" 2>"$TMP/oci.err"
	is "$(bw_list "$TMP/oci.json" 2>/dev/null)" "$want_sqlite" \
		"bulwark sbom on an OCI image holding the Berkeley DB lists what rpm lists"
	is "$(jq -r '[.packages[] | select(.type == "rpm") | .layer] | unique | join(" ")' "$TMP/oci.json" 2>/dev/null)" \
		"$layer" "every rpm package names the layer its database came from"
else
	fail "make_oci_dir built an OCI layout of the Berkeley DB root"
	skip "rpm packages name their layer" "no OCI layout"
fi

# corrupt databases: a clear message naming the file, never a crash
corrupt_case() { # name file bytes
	local root=$TMP/corrupt-$1 rc
	mkdir -p "$root/var/lib/rpm"
	head -c "$3" "$FIX/$1/var/lib/rpm/$2" >"$root/var/lib/rpm/$2"
	# flip bytes in the middle so even a prefix that parses is damaged
	printf '\xff\xff\xff\xff\xff\xff\xff\xff' |
		dd of="$root/var/lib/rpm/$2" bs=1 seek=$(($3 / 2)) conv=notrunc status=none
	"$BULWARK" sbom "dir:$root" --format json --output "$root.json" >"$root.out" 2>"$root.err"
	rc=$?
	if [ "$rc" -ge 128 ]; then
		fail "bulwark on a damaged $2 does not crash (exit $rc)"
	elif grep -q "var/lib/rpm/$2" "$root.err" "$root.json" 2>/dev/null; then
		pass "bulwark on a damaged $2: exit $rc and a message naming var/lib/rpm/$2"
	else
		fail "bulwark on a damaged $2 names the file"
		diag "$(head -3 "$root.err")"
	fi
}
corrupt_case sqlite rpmdb.sqlite 100000
corrupt_case bdb Packages 50000
corrupt_case ndb Packages.db 600000

done_testing

#!/bin/bash
# scan_lang2.sh - bulwark scan on Rust crates and Ruby gems against the real
# feeds in ../shared/vulndata (osv-crates, rubysec).
#
# Installed sets: a Cargo.lock written by cargo with crates at known
# vulnerable versions (its package list from `cargo metadata`, stored in
# tests/data/lang2/rust/vuln/Cargo.lock.expected); the Gemfile.lock fixture;
# and the gems of a Debian 12 root with ruby-* packages, which Debian owns (no rubysec findings).
# Expected advisories: for crates osv_expect.py (the tests' own OSV range
# evaluation), without RustSec informational records unless
# --include-informational; for gems RubyGems itself (Gem::Requirement, run
# with the root's ruby in the chroot) over the rubysec YAML files, the rule
# bundler-audit uses (tests/data/lang2/rubysec_expect.rb). A finding is
# identified by its ID and aliases.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
VD="$SHARED/vulndata"
D="$ROOT/tests/data/lang2"
DB="$TMP/vulndb.sqlite"

# debian_ruby_rootfs: the fixture of sbom_lang_ruby.sh (same path and lock).
RUBY_PKGS="ruby ruby-rack ruby-json ruby-thor ruby-nokogiri ruby-sinatra ruby-rspec"
debian_ruby_rootfs() { debian_rootfs_with ruby $RUBY_PKGS; }

# compare TYPE EXPECTED REPORT LABEL: every expected advisory ("name TAB
# version TAB id,id") is exactly one finding of that package (by id or
# alias), and every finding of TYPE is expected.
compare() {
	$PY - "$1" "$2" "$3" >"$TMP/cmp.out" 2>&1 <<'PYEOF'
import json, sys
typ, expf, repf = sys.argv[1:4]
exp = []
for line in open(expf):
    f = line.rstrip("\n").split("\t")
    if len(f) >= 3:
        exp.append((f[0], f[1], set(x for x in f[2].split(",") if x)))
rep = json.load(open(repf))
found = [f for f in rep["findings"] if f["package"]["type"] == typ]
bad = []
for name, ver, ids in exp:
    hits = [f for f in found if f["package"]["name"] == name and f["package"]["version"] == ver
            and ids & set([f["id"]] + f["aliases"])]
    if len(hits) != 1:
        bad.append("expected %s %s %s: %d findings" % (name, ver, ",".join(sorted(ids)), len(hits)))
for f in found:
    fid = set([f["id"]] + f["aliases"])
    if not any(n == f["package"]["name"] and v == f["package"]["version"] and ids & fid
               for n, v, ids in exp):
        bad.append("unexpected %s %s %s" % (f["package"]["name"], f["package"]["version"], f["id"]))
print("%d expected advisories, %d findings" % (len(exp), len(found)))
for b in bad[:20]:
    print(b)
sys.exit(1 if bad or not exp else 0)
PYEOF
	if [ $? -eq 0 ]; then
		pass "$4: findings equal the feed's advisories ($(head -1 "$TMP/cmp.out"))"
	else
		fail "$4: findings equal the feed's advisories"
		diag "$(cat "$TMP/cmp.out")"
	fi
}

"$BULWARK" db build --from "$VD/osv-crates" --from "$VD/rubysec" --db "$DB" >/dev/null 2>"$TMP/build.err"
ok "db build from osv-crates and rubysec" test -s "$DB"

# ---- crates: a Cargo.lock written by cargo ---------------------------------------
mkdir -p "$TMP/rs"
cp "$D/rust/vuln/Cargo.lock" "$TMP/rs/Cargo.lock"
tr ' ' '\t' <"$D/rust/vuln/Cargo.lock.expected" >"$TMP/crates.tsv"
$PY "$ROOT/tests/integration/osv_expect.py" crates.io "$TMP/crates.tsv" "$VD/osv-crates" >"$TMP/crates-all.tsv"
# RustSec informational records (unsound, unmaintained, notice) are hidden by default
: >"$TMP/crates-exp.tsv"
while IFS=$'\t' read -r name ver id aliases; do
	info=$(jq -r '[.affected[]?.database_specific.informational // empty] | length' \
		"$VD/osv-crates/crates/$id.json" 2>/dev/null)
	[ "${info:-0}" = 0 ] && printf '%s\t%s\t%s\n' "$name" "$ver" "$id${aliases:+,$aliases}" >>"$TMP/crates-exp.tsv"
done <"$TMP/crates-all.tsv"
awk -F'\t' '{print $1 "\t" $2 "\t" $3 ($4 == "" ? "" : "," $4)}' "$TMP/crates-all.tsv" >"$TMP/crates-info.tsv"
(cd "$TMP/rs" && "$BULWARK" scan --db "$DB" --format json dir:.) >"$TMP/rs.json" 2>"$TMP/err"
compare cargo "$TMP/crates-exp.tsv" "$TMP/rs.json" "crates from a Cargo.lock"
(cd "$TMP/rs" && "$BULWARK" scan --db "$DB" --include-informational --format json dir:.) >"$TMP/rs-info.json" 2>"$TMP/err"
compare cargo "$TMP/crates-info.tsv" "$TMP/rs-info.json" "crates with --include-informational"

# ---- gems: truth from RubyGems in the Debian root ---------------------------------
if ! need_root; then
	skip "gems from a Gemfile.lock" "needs root (chroot)"
	skip "gems installed in a Debian root" "needs root (chroot)"
	done_testing
fi
RR=$(debian_ruby_rootfs) || { echo "Bail out! building the Ruby fixture failed"; exit 1; }
WORK=$(mktemp -d "$RR/tmp/bw-scan.XXXXXX")
trap 'rm -rf "$TMP" "$WORK"' EXIT
cp -r "$VD/rubysec/gems" "$WORK/gems"
cp "$D/rubysec_expect.rb" "$WORK/"
# rubysec_expect PKGFILE OUT: run the expectation inside the root.
rubysec_expect() {
	cp "$1" "$WORK/pkgs.tsv"
	chroot "$RR" ruby "/tmp/${WORK##*/}/rubysec_expect.rb" "/tmp/${WORK##*/}/gems" \
		"/tmp/${WORK##*/}/pkgs.tsv" >"$2" 2>"$TMP/rb.err" ||
		diag "rubysec_expect.rb failed: $(head -3 "$TMP/rb.err")"
}

mkdir -p "$TMP/rb"
cp "$D/ruby/Gemfile.lock" "$TMP/rb/Gemfile.lock"
tr ' ' '\t' <"$D/ruby/Gemfile.lock.expected" >"$TMP/gems.tsv"
rubysec_expect "$TMP/gems.tsv" "$TMP/gems-exp.tsv"
(cd "$TMP/rb" && "$BULWARK" scan --db "$DB" --format json dir:.) >"$TMP/rb.json" 2>"$TMP/err"
compare gem "$TMP/gems-exp.tsv" "$TMP/rb.json" "gems from a Gemfile.lock"

# Gems installed by Debian's ruby-* packages (and ruby's default gems,
# shipped by libruby) are owned by those packages, so the scan leaves them
# to Debian's data (docs/sbom-model.md): no rubysec finding for them, even
# where upstream's advisory covers the version number Debian patched.
"$BULWARK" -q sbom --format json "dir:$RR" -o "$TMP/root-sbom.json" 2>"$TMP/err"
ok "every gem of the Debian root has an owning Debian package" \
	jq -e '[.packages[] | select(.type == "gem" and ((.path // "") | startswith("tmp/") | not))] | length > 50 and all(.owner != null)' "$TMP/root-sbom.json"
"$BULWARK" scan --db "$DB" --format json "dir:$RR" >"$TMP/root.json" 2>"$TMP/err"
ok "no rubysec finding for gems Debian owns" \
	jq -e '[.findings[] | select(.package.type == "gem" and (.package.path | startswith("tmp/") | not))] | length == 0' "$TMP/root.json"
done_testing

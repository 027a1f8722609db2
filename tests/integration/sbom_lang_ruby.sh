#!/bin/bash
# sbom_lang_ruby.sh - Ruby gems in a Debian 12 root with Debian's ruby-*
# packages, checked against RubyGems' own listing of the same root.
#
# Truth: `gem list --local` run inside the root (chroot), which lists the
# gems of every specification directory RubyGems knows there (Debian's
# rubygems-integration directories, /usr/lib/ruby/gems/3.1.0 and its
# default gems) as "name (v1, default: v2)". The fixture is the debootstrap
# root (lib.sh) copied once into $FIXTURES/debian-ruby with the ruby
# packages installed by apt-get inside it. A Gemfile.lock written there by
# Bundler (`bundle lock --local`) is checked against `bundle list`.
. "$(dirname "$0")/lib.sh"

RUBY_PKGS="ruby ruby-rack ruby-json ruby-thor ruby-nokogiri ruby-sinatra ruby-rspec"

# debian_ruby_rootfs: build (once) and print the fixture's path.
debian_ruby_rootfs() { debian_rootfs_with ruby $RUBY_PKGS; }

if ! need_root; then
	echo "1..0 # SKIP needs root (chroot, apt-get in the fixture)"
	exit 0
fi
ROOTFS=$(debian_ruby_rootfs) || { echo "Bail out! building the Ruby fixture failed"; exit 1; }


# ---- every installed gem, as gem list says --------------------------------------
# "name (1.2, default: 3.4)" -> "name 1.2" and "name 3.4", sorted, unique.
chroot "$ROOTFS" gem list --local 2>"$TMP/gem.err" |
	sed -n 's/^\([^ ]*\) (\(.*\))$/\1 \2/p' |
	while read -r name versions; do
		echo "$versions" | tr ',' '\n' | sed 's/^ *//; s/^default: //' |
			while read -r v; do echo "$name $v"; done
	done | LC_ALL=C sort -u >"$TMP/want"
if [ "$(wc -l <"$TMP/want")" -lt 50 ]; then
	echo "Bail out! gem list lists too little in $ROOTFS: $(head -3 "$TMP/gem.err")"
	exit 1
fi

if "$BULWARK" sbom --format json "dir:$ROOTFS" >"$TMP/sbom.json" 2>"$TMP/err"; then
	pass "bulwark sbom dir:ROOTFS exits 0"
else
	fail "bulwark sbom dir:ROOTFS exits 0"
	diag "$(head -5 "$TMP/err")"
fi
# (tmp/ of the root holds other tests' scratch projects when tests run in parallel)
jq -r '.packages[] | select(.type == "gem" and (.path | startswith("tmp/") | not)) | "\(.name) \(.version)"' \
	"$TMP/sbom.json" | LC_ALL=C sort -u >"$TMP/got"
if d=$(diff -u "$TMP/want" "$TMP/got"); then
	pass "the gems are what gem list lists ($(wc -l <"$TMP/want") name-version pairs)"
else
	fail "the gems are what gem list lists"
	diag "$(echo "$d" | head -40)"
fi

# default gems (bundled with Ruby) are included, like gem list does
is "$(jq -r '[.packages[] | select(.type == "gem" and (.path | test("specifications/default/")))] | length > 20' "$TMP/sbom.json")" \
	"true" "the default gems of Ruby are listed"
# every gem's purl is pkg:gem/NAME@VERSION
is "$(jq -r '[.packages[] | select(.type == "gem") | select(.purl != "pkg:gem/\(.name)@\(.version)")] | length' "$TMP/sbom.json")" \
	"0" "every gem purl is pkg:gem/NAME@VERSION"
# licences come from the gemspec: ruby-rack's says MIT
is "$(jq -r '[.packages[] | select(.type == "gem" and .name == "rack") | .licenses | join(",")] | unique | join(" ")' "$TMP/sbom.json")" \
	"MIT" "rack's licence is its gemspec's"
is "$(jq -r '.warnings | length' "$TMP/sbom.json")" "0" "no warnings"

# ---- a Gemfile.lock written by Bundler in the root; truth: bundle list --------------
APP=$(mktemp -d "$ROOTFS/tmp/bw-app.XXXXXX")
trap 'rm -rf "$TMP" "$APP"' EXIT
printf 'source "https://rubygems.org"\ngem "sinatra"\ngem "nokogiri"\ngem "thor"\ngroup :test do\n  gem "rspec"\nend\n' >"$APP/Gemfile"
# Debian's ruby has Bundler as a default gem without the bundle executable
bundle() {
	chroot "$ROOTFS" sh -c "cd /tmp/${APP##*/} && ruby -e 'require \"bundler\"; load Gem.bin_path(\"bundler\", \"bundle\")' $*"
}
bundle lock --local >"$TMP/bundle.log" 2>&1
bundle list 2>>"$TMP/bundle.log" | sed -n 's/^  \* \([^ ]*\) (\(.*\))$/\1 \2/p' | LC_ALL=C sort >"$TMP/want"
if [ ! -s "$APP/Gemfile.lock" ] || [ ! -s "$TMP/want" ]; then
	fail "bundle lock and bundle list work in the root"
	diag "$(tail -5 "$TMP/bundle.log")"
else
	"$BULWARK" sbom --format json "dir:$APP" >"$TMP/app.json" 2>"$TMP/err"
	jq -r '.packages[] | select(.type == "gem") | "\(.name) \(.version)"' "$TMP/app.json" |
		LC_ALL=C sort >"$TMP/got"
	if d=$(diff -u "$TMP/want" "$TMP/got"); then
		pass "a Gemfile.lock written by Bundler lists what bundle list lists ($(wc -l <"$TMP/want") gems)"
	else
		fail "a Gemfile.lock written by Bundler lists what bundle list lists"
		diag "$(echo "$d" | head -20)"
	fi
fi

# ---- a Gemfile.lock in a source checkout: bulwark sbom dir:. ------------------------
mkdir -p "$TMP/app/vendor"
cp "$ROOT/tests/data/lang2/ruby/Gemfile.lock" "$TMP/app/"
( cd "$TMP/app" && "$BULWARK" sbom --format json dir:. ) >"$TMP/app.json" 2>"$TMP/err"
jq -r '.packages[] | select(.type == "gem") | "\(.name) \(.version)"' "$TMP/app.json" >"$TMP/got"
if d=$(diff -u "$ROOT/tests/data/lang2/ruby/Gemfile.lock.expected" "$TMP/got"); then
	pass "sbom dir:. on a checkout lists the Gemfile.lock's gems"
else
	fail "sbom dir:. on a checkout lists the Gemfile.lock's gems"
	diag "$(echo "$d" | head -20)" "$(head -3 "$TMP/err")"
fi
done_testing

#!/bin/bash
# sbom_lang_golang.sh - go.mod files of Debian 12's Go source packages
# (golang-*-dev ship the module sources with their go.mod under
# /usr/share/gocode/src), checked against the go command's own parser.
#
# Truth: for every go.mod, `go mod edit -json` (Debian's golang-go; offline,
# it only parses) gives Require, Replace and Exclude; tests/data/lang2/gomod.jq
# applies replace (a version-specific one first; a local directory drops the
# module) and exclude, the rule docs/lang-ruby-php-dotnet-rust-go.md states.
# The packages are fetched with apt-get download and unpacked with
# dpkg-deb -x into $FIXTURES/debian-gomod once.
. "$(dirname "$0")/lib.sh"

GO_PKGS="golang-github-containerd-containerd-dev golang-github-docker-docker-dev
golang-github-opencontainers-runc-dev golang-github-prometheus-client-golang-dev
golang-github-spf13-cobra-dev golang-github-hashicorp-go-hclog-dev
golang-github-sirupsen-logrus-dev golang-github-stretchr-testify-dev
golang-golang-x-net-dev golang-google-grpc-dev"

debian_gomod_tree() {
	local dir="$FIXTURES/debian-gomod" rc=0 d
	fixture_lock debian-gomod
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir" "$dir.debs"
		mkdir -p "$dir" "$dir.debs"
		# shellcheck disable=SC2086
		(cd "$dir.debs" && { apt-get download $GO_PKGS ||
			{ apt-get update && apt-get download $GO_PKGS; }; }) \
			>"$FIXTURES/debian-gomod.log" 2>&1 || rc=1
		for d in "$dir.debs"/*.deb; do
			[ $rc = 0 ] && { dpkg-deb -x "$d" "$dir" || rc=1; }
		done
		rm -rf "$dir.debs"
		[ $rc = 0 ] && touch "$dir/.complete"
	fi
	fixture_unlock
	[ $rc = 0 ] || { echo "building $dir failed, see $FIXTURES/debian-gomod.log" >&2; return 1; }
	echo "$dir"
}

command -v go >/dev/null || { echo "Bail out! go (Debian golang-go) is needed for the truth"; exit 1; }
TREE=$(debian_gomod_tree) || { echo "Bail out! fetching the golang-*-dev packages failed"; exit 1; }
JQ="$ROOT/tests/data/lang2/gomod.jq"

if "$BULWARK" sbom --format json "dir:$TREE" >"$TMP/sbom.json" 2>"$TMP/err"; then
	pass "bulwark sbom dir:TREE exits 0"
else
	fail "bulwark sbom dir:TREE exits 0"
	diag "$(head -5 "$TMP/err")"
fi
is "$(jq -r '.warnings | length' "$TMP/sbom.json")" "0" "no warnings"

# ---- every go.mod: the go command's requirements with replace/exclude ----------
n=0 bad=0 total=0
while IFS= read -r mod; do
	rel=${mod#"$TREE"/}
	case "/$rel" in */vendor/* | */testdata/* | */pkg/mod/*) continue ;; esac
	if ! (cd "$(dirname "$mod")" && go mod edit -json) >"$TMP/edit.json" 2>"$TMP/goerr"; then
		bad=$((bad + 1))
		diag "go mod edit failed on $rel: $(head -2 "$TMP/goerr")"
		continue
	fi
	jq -r -f "$JQ" "$TMP/edit.json" | LC_ALL=C sort -u >"$TMP/want"
	total=$((total + $(wc -l <"$TMP/want")))
	jq -r --arg p "$rel" '.packages[] | select(.type == "golang" and .path == $p) | "\(.name) \(.version)"' \
		"$TMP/sbom.json" | LC_ALL=C sort -u >"$TMP/got"
	if ! d=$(diff -u "$TMP/want" "$TMP/got"); then
		bad=$((bad + 1))
		diag "$rel:" "$(echo "$d" | head -20)"
	fi
	n=$((n + 1))
done < <(find "$TREE" -name go.mod -type f | LC_ALL=C sort)
if [ "$n" -ge 10 ] && [ "$bad" = 0 ]; then
	pass "each of $n go.mod files lists what go mod edit -json requires ($total modules; replace, exclude applied)"
else
	fail "each go.mod lists what go mod edit -json requires ($bad of $n differ)"
fi

# containerd's go.mod replaces three modules; the replacements are reported
is "$(jq -r '.packages[] | select(.path == "usr/share/gocode/src/github.com/containerd/containerd/go.mod" and .name == "github.com/urfave/cli") | .version' "$TMP/sbom.json")" \
	"v1.22.1" "containerd's replace of urfave/cli (v1.22.2 => v1.22.1) is applied"
is "$(jq -r '[.packages[] | select(.type == "golang") | select(.purl != "pkg:golang/\(.name)@\(.version | gsub("\\+"; "%2B"))")] | length' "$TMP/sbom.json")" \
	"0" "every purl is pkg:golang/MODULE@VERSION"
# go.sum beside a go.mod adds nothing
is "$(jq -r '[.packages[] | select(.type == "golang" and (.path | endswith("go.sum")))] | length' "$TMP/sbom.json")" \
	"0" "a go.sum next to its go.mod is not read"

# ---- bulwark sbom dir:. in a source checkout -----------------------------------------
mkdir -p "$TMP/src"
cp "$ROOT/tests/data/lang2/go/syntax/go.mod" "$TMP/src/go.mod"
( cd "$TMP/src" && "$BULWARK" sbom --format json dir:. ) >"$TMP/src.json" 2>"$TMP/err"
jq -r '.packages[] | select(.type == "golang") | "\(.name) \(.version)"' "$TMP/src.json" >"$TMP/got"
if d=$(diff -u "$ROOT/tests/data/lang2/go/syntax/go.mod.expected" "$TMP/got"); then
	pass "sbom dir:. on a checkout lists its go.mod's requirements"
else
	fail "sbom dir:. on a checkout lists its go.mod's requirements"
	diag "$(echo "$d" | head -20)" "$(head -3 "$TMP/err")"
fi
done_testing

#!/bin/bash
# sbom_lang_binaries.sh - Go binaries, Java archives and cargo-auditable
# binaries found by `bulwark sbom`, compared with independent truth:
#   Go: `go version -m` (Debian's golang-go) on Debian 12's Go binaries
#       (runc, docker-registry, skopeo, containerd, dockerd, ...) and on a
#       module binary built here (vendored deps with a replace directive;
#       also stripped with -s -w, without section headers, 32-bit 386 and
#       big-endian s390x);
#   Java: pom.properties read with `unzip -p` from Debian's jars and from a
#       war built here with `zip` (jars inside WEB-INF/lib, one nested two
#       deep), SHA-1 from sha1sum;
#   Rust: the JSON this test writes into a .dep-v0 section (objcopy).
# Each as dir: and as an OCI image; a second layer that deletes and
# replaces files removes their packages. Peak RSS is printed as a diagnostic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

need() { command -v "$1" >/dev/null 2>&1; }
for t in go jq unzip zip objcopy python3 sha1sum; do
	if ! need "$t"; then
		plan 1
		fail "tool $t missing (scripts/install-deps.sh installs it)"
		exit 1
	fi
done

R=$TMP/root
mkdir -p "$R/usr/bin" "$R/usr/share/java" "$R/opt/app"

# ---- Go -----------------------------------------------------------------

# go_truth FILE PATH_IN_IMAGE: "PATH name version" lines from go version -m:
# the toolchain as stdlib, mod and dep lines with => replacements applied;
# a version "(devel)" or none (local builds, directory replacements) has
# nothing to match and is left out (docs/lang-binaries.md).
go_truth() {
	go version -m "$1" | awk -v p="$2" -F'\t' '
		NR == 1 { n = split($0, a, " "); if (a[n] ~ /^go[0-9]/) print p, "stdlib", a[n]; next }
		$2 == "mod" || $2 == "dep" { if (m != "") print p, m, v; m = $3; v = $4; next }
		$2 == "=>" { m = $3; v = $4; next }
		END { if (m != "") print p, m, v }' | awk 'NF == 3 && $3 != "(devel)"'
}

# Debian 12's Go binaries on this machine
GOBINS=""
for f in /usr/sbin/runc /usr/bin/docker-registry /usr/bin/skopeo /usr/bin/containerd \
	/usr/bin/ctr /usr/sbin/dockerd /usr/bin/docker; do
	[ -f "$f" ] || continue
	go version -m "$f" >/dev/null 2>&1 || continue
	cp "$f" "$R/usr/bin/" && GOBINS="$GOBINS ${f##*/}"
done

# a module binary with dependencies and a replace, built offline (vendor
# mode), in several forms; cached in $FIXTURES (cross builds take a minute)
GOAPP=$FIXTURES/goapp
fixture_lock goapp
if [ ! -f "$GOAPP/.complete" ]; then
	rm -rf "$GOAPP"
	mkdir -p "$GOAPP/src/vendor/example.com/dep" "$GOAPP/src/vendor/example.com/old" "$GOAPP/bin"
	cat >"$GOAPP/src/go.mod" <<-'EOF'
	module example.com/app

	go 1.19

	require (
		example.com/dep v1.2.3
		example.com/old v0.1.0
	)

	replace example.com/old v0.1.0 => example.com/new v0.2.0
	EOF
	cat >"$GOAPP/src/vendor/modules.txt" <<-'EOF'
	# example.com/dep v1.2.3
	## explicit; go 1.19
	example.com/dep
	# example.com/old v0.1.0 => example.com/new v0.2.0
	## explicit; go 1.19
	example.com/old
	EOF
	printf 'package dep\n\nfunc Hello() string { return "dep" }\n' >"$GOAPP/src/vendor/example.com/dep/dep.go"
	printf 'package old\n\nfunc Hello() string { return "old" }\n' >"$GOAPP/src/vendor/example.com/old/old.go"
	printf 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep"\n\t"example.com/old"\n)\n\nfunc main() { fmt.Println(dep.Hello(), old.Hello()) }\n' >"$GOAPP/src/main.go"
	(
		cd "$GOAPP/src" || exit 1
		export GOCACHE=$GOAPP/cache GOPATH=$GOAPP/gopath GOPROXY=off GOFLAGS=-mod=vendor \
			GOTOOLCHAIN=local CGO_ENABLED=0
		go build -o ../bin/app . &&
			go build -ldflags='-s -w' -o ../bin/app-stripped . &&
			GOARCH=386 go build -ldflags='-s -w' -o ../bin/app-386 . &&
			GOARCH=s390x go build -o ../bin/app-s390x .
	) >"$GOAPP/build.log" 2>&1 && touch "$GOAPP/.complete"
	rm -rf "$GOAPP/cache" "$GOAPP/gopath"
fi
fixture_unlock
GOAPPS=""
if [ -f "$GOAPP/.complete" ]; then
	for b in app app-stripped app-386 app-s390x; do
		cp "$GOAPP/bin/$b" "$R/opt/app/$b"
		GOAPPS="$GOAPPS $b"
	done
	# no section headers at all (like sstrip): e_shoff, e_shnum, e_shstrndx zeroed
	python3 - "$R/opt/app/app" "$R/opt/app/app-nosections" <<-'EOF'
	import sys
	b = bytearray(open(sys.argv[1], 'rb').read())
	b[0x28:0x30] = bytes(8)
	b[0x3c:0x40] = bytes(4)
	open(sys.argv[2], 'wb').write(b)
	EOF
	chmod 755 "$R/opt/app/app-nosections"
fi

go_want() {
	local b
	for b in $GOBINS; do go_truth "$R/usr/bin/$b" "usr/bin/$b"; done
	for b in $GOAPPS; do go_truth "$R/opt/app/$b" "opt/app/$b"; done
	# go version -m does not read a file without sections: its build info
	# bytes are those of app
	[ -n "$GOAPPS" ] && go_truth "$R/opt/app/app" "opt/app/app-nosections"
}

# ---- Java -----------------------------------------------------------------

# jar_truth JAR PATH_IN_IMAGE: "PATH group:artifact version" for every
# META-INF/maven/**/pom.properties in JAR, read with unzip.
jar_truth() {
	local jar=$1 p=$2 e
	unzip -Z1 "$jar" 2>/dev/null | grep -E '^META-INF/maven/.+/pom\.properties$' | while IFS= read -r e; do
		unzip -p "$jar" "$e" | tr -d '\r' | awk -F= -v p="$p" '
			{ sub(/^[ \t]+/, "", $1); sub(/[ \t]+$/, "", $1); sub(/^[ \t]+/, "", $2); sub(/[ \t]+$/, "", $2) }
			$1 == "groupId" { g = $2 } $1 == "artifactId" { a = $2 } $1 == "version" { v = $2 }
			END { if (g != "" && a != "" && v != "") print p, g ":" a, v }'
	done
}

# Debian's jars (symlinks are the same files under a versionless name);
# the jars without pom.properties are listed apart: their package comes
# from MANIFEST.MF, checked for its version only
JARS="" MFJARS=""
for j in /usr/share/java/*.jar $(find /usr/share/maven-repo -name '*.jar' -type f 2>/dev/null); do
	[ -f "$j" ] && [ ! -L "$j" ] || continue
	n=$(echo "${j#/usr/share/}" | tr / _)
	cp "$j" "$R/usr/share/java/$n"
	if unzip -Z1 "$j" 2>/dev/null | grep -qE '^META-INF/maven/.+/pom\.properties$'; then
		JARS="$JARS $n"
	else
		MFJARS="$MFJARS $n"
	fi
done

[ -n "$JARS" ] || diag "no Debian jars with pom.properties: install libcommons-lang3-java" \
	"libcommons-io-java libguava-java libslf4j-java (scripts/install-deps.sh)"
[ -n "$GOBINS" ] || diag "no Debian Go binaries: install runc docker-registry skopeo"

# a war: two Debian jars in WEB-INF/lib, one of them inside another jar too
WAR=$TMP/war
mkdir -p "$WAR/WEB-INF/lib" "$WAR/META-INF/maven/org.example/shop" "$TMP/inner/lib"
printf 'groupId=org.example\nartifactId=shop\nversion=1.0.0\n' >"$WAR/META-INF/maven/org.example/shop/pom.properties"
set -- $JARS
if [ $# -ge 2 ]; then
	cp "$R/usr/share/java/$1" "$WAR/WEB-INF/lib/a.jar"
	cp "$R/usr/share/java/$2" "$TMP/inner/lib/b.jar"
	(cd "$TMP/inner" && zip -q -r "$WAR/WEB-INF/lib/outer.jar" lib)
fi
(cd "$WAR" && zip -q -r "$R/opt/app/shop.war" .)

java_want() {
	local j
	for j in $JARS; do jar_truth "$R/usr/share/java/$j" "usr/share/java/$j"; done
	jar_truth "$R/opt/app/shop.war" opt/app/shop.war
	if [ -f "$WAR/WEB-INF/lib/a.jar" ]; then
		jar_truth "$WAR/WEB-INF/lib/a.jar" 'opt/app/shop.war!WEB-INF/lib/a.jar'
		jar_truth "$TMP/inner/lib/b.jar" 'opt/app/shop.war!WEB-INF/lib/outer.jar!lib/b.jar'
	fi
}

# ---- Rust (cargo-auditable) ------------------------------------------------

# The dependency list cargo-auditable embeds: zlib-compressed JSON in a
# .dep-v0 section. "kind": "build" entries are build-time only (left out).
cat >"$TMP/deps.json" <<'EOF'
{"packages":[
 {"name":"myapp","version":"0.3.1","source":"local","dependencies":[1,2,3],"root":true},
 {"name":"serde","version":"1.0.188","source":"crates.io","dependencies":[]},
 {"name":"regex","version":"1.9.5","source":"crates.io","kind":"runtime","dependencies":[4]},
 {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build","dependencies":[]},
 {"name":"aho-corasick","version":"1.1.1","source":"crates.io","dependencies":[]}
]}
EOF
python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1], "rb").read()))' \
	"$TMP/deps.json" >"$TMP/deps.z"
objcopy --add-section .dep-v0="$TMP/deps.z" --set-section-flags .dep-v0=noload,readonly \
	/usr/bin/true "$R/opt/app/rustapp"
chmod 755 "$R/opt/app/rustapp"
rust_want() {
	jq -r '.packages[] | select((.kind // "runtime") == "runtime") | "opt/app/rustapp \(.name) \(.version)"' "$TMP/deps.json"
}

# ---- the checks --------------------------------------------------------------

sbom_json() { "$BULWARK" sbom --format json "$1" 2>"$TMP/stderr"; }
got_go() { jq -r '.packages[] | select(.type == "golang") | "\(.path) \(.name) \(.version)"' "$1" | sort; }
got_java() {
	jq -r '.packages[] | select(.type == "maven") | "\(.path) \(.name) \(.version)"' "$1" |
		grep -v -F -f "$TMP/mfjars" | sort
}
got_rust() { jq -r '.packages[] | select(.type == "cargo") | "\(.path) \(.name) \(.version)"' "$1" | sort; }

printf 'usr/share/java/%s \n' $MFJARS >"$TMP/mfjars"
go_want | sort >"$TMP/want.go"
java_want | sort >"$TMP/want.java"
rust_want | sort >"$TMP/want.rust"
diag "truth: $(wc -l <"$TMP/want.go") Go packages in $(echo $GOBINS $GOAPPS | wc -w) binaries" \
	"$(wc -l <"$TMP/want.java") Maven packages in $(echo $JARS | wc -w) jars and a war," \
	"$(wc -l <"$TMP/want.rust") crates"

check_all() { # JSON LABEL
	got_go "$1" >"$TMP/got.go"
	got_java "$1" >"$TMP/got.java"
	got_rust "$1" >"$TMP/got.rust"
	if [ -n "$GOBINS" ] && [ -s "$TMP/want.go" ] && diff "$TMP/want.go" "$TMP/got.go" >"$TMP/d"; then
		pass "$2: Go packages equal go version -m ($(wc -l <"$TMP/want.go"))"
	else
		fail "$2: Go packages equal go version -m"; diag "$(head -40 "$TMP/d")"
	fi
	if [ -n "$JARS" ] && [ -s "$TMP/want.java" ] && diff "$TMP/want.java" "$TMP/got.java" >"$TMP/d"; then
		pass "$2: Maven packages equal the jars' pom.properties ($(wc -l <"$TMP/want.java"))"
	else
		fail "$2: Maven packages equal the jars' pom.properties"; diag "$(head -40 "$TMP/d")"
	fi
	if diff "$TMP/want.rust" "$TMP/got.rust" >"$TMP/d"; then
		pass "$2: crates equal the .dep-v0 JSON's runtime packages"
	else
		fail "$2: crates equal the .dep-v0 JSON's runtime packages"; diag "$(cat "$TMP/d")"
	fi
}

sbom_json "dir:$R" >"$TMP/dir.json" || { fail "sbom dir:"; diag "$(cat "$TMP/stderr")"; }
check_all "$TMP/dir.json" "dir:"
is "$(jq -r '[.packages[] | select(.name == "stdlib")][0].purl' "$TMP/dir.json")" \
	"pkg:golang/stdlib@$(go version -m "$R/opt/app/app" | head -1 | sed 's/.*: go//')" "stdlib purl has the version without go"
is "$(jq -r '[.packages[] | select(.name == "example.com/new")][0].purl' "$TMP/dir.json")" \
	"pkg:golang/example.com/new@v0.2.0" "a replaced module is reported as its replacement"

# the jars without pom.properties: one package each, with the manifest's version
n=0 bad=""
for j in $MFJARS; do
	v=$(unzip -p "$R/usr/share/java/$j" META-INF/MANIFEST.MF | tr -d '\r' |
		awk -F': ' '/^$/ { exit } $1 == "Implementation-Version" { i = $2 } $1 == "Bundle-Version" { b = $2 }
			$1 == "Specification-Version" { s = $2 } END { print (i != "" ? i : b != "" ? b : s) }')
	g=$(jq -r --arg p "usr/share/java/$j" '[.packages[] | select(.path == $p) | .version] | join(" ")' "$TMP/dir.json")
	[ "$g" = "$v" ] || bad="$bad $j($g/$v)"
	n=$((n + 1))
done
is "$bad" "" "the $n jars without pom.properties get the MANIFEST.MF version (or none without one)"

# SHA-1 of each archive, from the SBOM's JSON, against sha1sum
bad="" n=0
for j in $JARS; do
	want=$(sha1sum "$R/usr/share/java/$j" | cut -d' ' -f1)
	got=$(jq -r --arg p "usr/share/java/$j" '[.packages[] | select(.path == $p) | .sha1] | unique | join(" ")' "$TMP/dir.json")
	[ "$got" = "$want" ] || bad="$bad $j"
	n=$((n + 1))
done
want=$(sha1sum "$WAR/WEB-INF/lib/a.jar" | cut -d' ' -f1)
got=$(jq -r '[.packages[] | select(.path | endswith("!WEB-INF/lib/a.jar")) | .sha1] | unique | join(" ")' "$TMP/dir.json")
[ "$got" = "$want" ] || bad="$bad shop.war!WEB-INF/lib/a.jar"
is "$bad" "" "the SHA-1 of $n jars and a nested one equal sha1sum's"

make_oci_dir "$R" "$TMP/oci" >/dev/null || fail "make_oci_dir"
/usr/bin/time -f %M -o "$TMP/rss" "$BULWARK" sbom --format json "oci:$TMP/oci" >"$TMP/oci.json" 2>"$TMP/stderr" ||
	{ fail "sbom oci:"; diag "$(cat "$TMP/stderr")"; }
check_all "$TMP/oci.json" "oci:"
diag "oci: peak RSS $(cat "$TMP/rss") KB for $(du -sh "$R" | cut -f1) of binaries and archives"
is "$(jq -r '[.packages[] | select(.type == "golang" or .type == "maven" or .type == "cargo") | .layer] | unique | length' "$TMP/oci.json")" 1 \
	"every package carries its layer"

# a second layer deletes and replaces files: their packages go, the
# replacement's come with the upper layer
U=$TMP/upper
mkdir -p "$U/usr/bin" "$U/opt/app" "$U/usr/share/java"
set -- $GOBINS
DEL=${1:-none} REPL=${2:-none}
: >"$U/usr/bin/.wh.$DEL"
[ -f "$R/opt/app/app" ] && cp "$R/opt/app/app" "$U/usr/bin/$REPL"
: >"$U/opt/app/.wh.shop.war"
printf '#!/bin/sh\n' >"$U/opt/app/rustapp"
set -- $JARS
JDEL=${1:-none}
: >"$U/usr/share/java/.wh.$JDEL"
make_oci_layout "$TMP/oci2" latest "$R" "$U" >/dev/null || fail "make_oci_layout"
"$BULWARK" sbom --format json "oci:$TMP/oci2" >"$TMP/oci2.json" 2>"$TMP/stderr" ||
	{ fail "sbom two layers"; diag "$(cat "$TMP/stderr")"; }
{
	grep -v -e "^usr/bin/$DEL " -e "^usr/bin/$REPL " "$TMP/want.go"
	[ -f "$R/opt/app/app" ] && go_truth "$R/opt/app/app" "usr/bin/$REPL"
} | sort >"$TMP/want2.go"
got_go "$TMP/oci2.json" >"$TMP/got2.go"
if diff "$TMP/want2.go" "$TMP/got2.go" >"$TMP/d"; then
	pass "two layers: a deleted binary's packages go, a replaced one's are the new file's"
else
	fail "two layers: Go packages after delete and replace"; diag "$(head -20 "$TMP/d")"
fi
grep -v -e '^opt/app/shop.war' -e "^usr/share/java/$JDEL " "$TMP/want.java" | sort >"$TMP/want2.java"
got_java "$TMP/oci2.json" >"$TMP/got2.java"
if diff "$TMP/want2.java" "$TMP/got2.java" >"$TMP/d"; then
	pass "two layers: whited-out archives' packages go"
else
	fail "two layers: Maven packages after whiteouts"; diag "$(head -20 "$TMP/d")"
fi
is "$(got_rust "$TMP/oci2.json" | wc -l)" 0 "two layers: a binary replaced by a script has no crates"
L2=$(jq -r '.target.layers[1]' "$TMP/oci2.json")
is "$(jq -r --arg p "usr/bin/$REPL" '[.packages[] | select(.path == $p) | .layer] | unique | join(" ")' "$TMP/oci2.json")" \
	"$L2" "the replacement's packages carry the upper layer"

# a zip bomb: a jar whose nested jar expands far past the caps
python3 - "$TMP/bomb/opt/bomb.jar" <<'EOF'
import io, os, sys, zipfile
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
inner = io.BytesIO()
with zipfile.ZipFile(inner, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('META-INF/maven/x/y/pom.properties', 'groupId=x\nartifactId=y\nversion=1\n')
    z.writestr('big.jar', b'\0' * (200 << 20))
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('lib/inner.jar', inner.getvalue())
EOF
"$BULWARK" sbom --format json "dir:$TMP/bomb" >"$TMP/bomb.json" 2>"$TMP/stderr"
is "$?" 0 "a zip bomb does not fail the run"
ok "the zip bomb gets a warning naming the archive" \
	grep -q 'opt/bomb.jar!lib/inner.jar!big.jar' "$TMP/stderr"
is "$(jq -r '[.packages[] | select(.type == "maven")] | length' "$TMP/bomb.json")" 1 \
	"the bomb's own pom.properties is still read"

done_testing

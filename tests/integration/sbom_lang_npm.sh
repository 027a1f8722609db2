#!/bin/bash
# sbom_lang_npm.sh - the npm cataloger against independent truth:
#   1. a project (express, webpack, @babel/core, @babel/preset-env; eslint as
#      a devDependency: 350+ packages) installed once with the real
#      `npm install` from the npm registry into $FIXTURES/npm-project; the
#      truth is `npm ls --all --json` (name, version) read by this script
#      with python3. Compared: dir: of the installed tree, an OCI image of a
#      root holding it at /app, and the lockfile alone (node_modules removed).
#      Dev marks: the packages `npm ls --all --omit=dev` does not list.
#   2. a workspaces project (members linked into node_modules by npm).
#   1b. the same project locked by pnpm 8 and 9, yarn 1 and yarn 4 (real
#      tools from the npm registry): packages and dev marks vs npm's.
#   3. lockfiles written by the real tools (tests/data/lang/npm: npm
#      lockfile v1/v2, yarn classic and berry, pnpm 6.0 and 9.0) with the
#      lists written by hand from each file (X.expected.tsv).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

DATA="$ROOT/tests/data/lang/npm"

# npm_rows JSON: "name<TAB>version" of the SBOM's npm packages, unique.
npm_rows() {
	jq -r '.packages[] | select(.type == "npm") | [.name, .version] | @tsv' "$1" | LC_ALL=C sort -u
}
# npm_dev_rows JSON: (name, version) whose every copy is marked dev.
npm_dev_rows() {
	jq -r '[.packages[] | select(.type == "npm")] | group_by([.name, .version])[] |
		select(all(.[]; .dev == true)) | [.[0].name, .[0].version] | @tsv' "$1" | LC_ALL=C sort -u
}
# ls_rows FILE: the (name, version) pairs anywhere in `npm ls --json` output.
ls_rows() {
	python3 -c 'import json, sys
out = set()
def walk(deps):
    for key, d in (deps or {}).items():
        if "version" in d:
            out.add((d.get("name", key), d["version"]))
        walk(d.get("dependencies"))
walk(json.load(open(sys.argv[1])).get("dependencies"))
for n, v in sorted(out):
    print(n + "\t" + v)' "$1" | LC_ALL=C sort -u
}
compare() { # NAME GOT WANT
	local d
	if d=$(diff -u "$3" "$2"); then
		pass "$1 ($(wc -l <"$3") packages)"
	else
		fail "$1"; diag "$(echo "$d" | head -30)"
	fi
}

# npm_project: install once; prints the project dir.
npm_project() {
	local dir="$FIXTURES/npm-project"
	fixture_lock npm-project
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		cat >"$dir/package.json" <<'JSON'
{"name":"bw-npm-fixture","version":"1.0.0","private":true,
 "dependencies":{"express":"4.21.2","webpack":"5.97.1","@babel/core":"7.26.0","@babel/preset-env":"7.26.0"},
 "devDependencies":{"eslint":"8.57.1"}}
JSON
		if ! (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts &&
			npm ls --all --json >npm-ls.json &&
			npm ls --all --omit=dev --json >npm-ls-prod.json) >"$FIXTURES/npm-project.log" 2>&1; then
			fixture_unlock; echo "npm install failed, see $FIXTURES/npm-project.log" >&2; return 1
		fi
		touch "$dir/.complete"
	fi
	fixture_unlock
	echo "$dir"
}

if ! command -v npm >/dev/null; then
	fail "npm is installed (scripts/install-deps.sh)"
elif proj=$(npm_project); then
	ls_rows "$proj/npm-ls.json" >"$TMP/want"
	ls_rows "$proj/npm-ls-prod.json" >"$TMP/prod"
	LC_ALL=C comm -23 "$TMP/want" "$TMP/prod" >"$TMP/want-dev"
	ok "npm ls lists 300+ packages" test "$(wc -l <"$TMP/want")" -ge 300
	ok "the project has dev-only packages (eslint)" grep -q '^eslint	' "$TMP/want-dev"

	"$BULWARK" sbom -f json "dir:$proj" >"$TMP/dir.json" 2>"$TMP/err"
	is "$?" "0" "installed tree: sbom dir: exits 0"
	npm_rows "$TMP/dir.json" >"$TMP/got"
	compare "installed tree: the npm packages equal npm ls --all" "$TMP/got" "$TMP/want"
	npm_dev_rows "$TMP/dir.json" >"$TMP/got-dev"
	compare "installed tree: dev packages are those npm ls --omit=dev leaves out" "$TMP/got-dev" "$TMP/want-dev"
	is "$(jq -r '.packages[] | select(.name == "@babel/core") | .purl' "$TMP/dir.json")" \
		"pkg:npm/%40babel/core@7.26.0" "scoped purl: pkg:npm/%40babel/core@7.26.0"
	is "$(jq -r '.packages[] | select(.name == "express") | .path' "$TMP/dir.json")" \
		"node_modules/express/package.json" "found_path is the package's package.json"
	is "$(jq '[.warnings[]] | length' "$TMP/dir.json")" "0" "installed tree: no warnings"

	# no package-lock.json: npm's hidden node_modules/.package-lock.json marks dev
	cp -a "$proj" "$TMP/hidden"
	rm "$TMP/hidden/package-lock.json"
	"$BULWARK" sbom -f json "dir:$TMP/hidden" >"$TMP/hidden.json" 2>"$TMP/err"
	npm_rows "$TMP/hidden.json" >"$TMP/got"
	compare "installed tree without package-lock.json: equals npm ls --all" "$TMP/got" "$TMP/want"
	npm_dev_rows "$TMP/hidden.json" >"$TMP/got-dev"
	compare "installed tree without package-lock.json: dev marks from node_modules/.package-lock.json" "$TMP/got-dev" "$TMP/want-dev"
	rm -rf "$TMP/hidden"

	# the lockfile alone, as in a source checkout
	mkdir -p "$TMP/lock"
	cp "$proj/package.json" "$proj/package-lock.json" "$TMP/lock/"
	"$BULWARK" sbom -f json "dir:$TMP/lock" >"$TMP/lock.json" 2>"$TMP/err"
	is "$?" "0" "package-lock.json v3 alone: exits 0"
	npm_rows "$TMP/lock.json" >"$TMP/got"
	compare "package-lock.json v3 alone: equals npm ls --all" "$TMP/got" "$TMP/want"
	npm_dev_rows "$TMP/lock.json" >"$TMP/got-dev"
	compare "package-lock.json v3 alone: dev marks equal npm ls --omit=dev's complement" "$TMP/got-dev" "$TMP/want-dev"
	(cd "$TMP/lock" && "$BULWARK" sbom -f json dir:. >"$TMP/dot.json" 2>"$TMP/err")
	is "$?" "0" "sbom dir:. in a source checkout exits 0"
	npm_rows "$TMP/dot.json" >"$TMP/got"
	compare "sbom dir:. in a source checkout: equals npm ls --all" "$TMP/got" "$TMP/want"

	# an OCI image whose root holds the project at /app
	img=$(_img_cached npm-project-oci sh -c "rm -rf '$FIXTURES/npm-rootfs' && mkdir -p '$FIXTURES/npm-rootfs' &&
		cp -a '$proj' '$FIXTURES/npm-rootfs/app' && . '$ROOT/tests/integration/lib_image.sh' &&
		make_oci_dir '$FIXTURES/npm-rootfs' '$FIXTURES/images/npm-project-oci'") || img=
	if [ -n "$img" ]; then
		"$BULWARK" sbom -f json "oci:$img" >"$TMP/oci.json" 2>"$TMP/err"
		is "$?" "0" "OCI image: exits 0"
		npm_rows "$TMP/oci.json" >"$TMP/got"
		compare "OCI image: the npm packages equal npm ls --all" "$TMP/got" "$TMP/want"
		is "$(jq -r '[.packages[] | select(.type == "npm" and (.layer == null or (.path | startswith("app/node_modules/") | not)))] | length' "$TMP/oci.json")" \
			"0" "OCI image: every package names its layer and app/node_modules path"
	else
		fail "OCI image of the project built"
	fi
else
	fail "npm project installed from the registry"
fi

# ---- 1b. the same project locked by pnpm 8 (lockfile 6.0, which records
# "dev: true"), pnpm 9 (9.0, which does not), yarn 1 and yarn 4 (berry;
# neither records dev-ness). Bulwark derives dev-ness from the dependency
# graph for pnpm 9 and yarn. Truth: npm ls for the packages; for the dev
# marks npm ls --omit=dev and pnpm 8's own flags (read here with awk). ----
npm_locks() {
	local dir="$FIXTURES/npm-locks" v
	fixture_lock npm-locks
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/tools" "$dir/pnpm6" "$dir/pnpm9" "$dir/yarn1" "$dir/berry"
		for v in pnpm6 pnpm9 yarn1 berry; do cp "$1/package.json" "$dir/$v/"; done
		touch "$dir/berry/yarn.lock"
		if ! { (cd "$dir/tools" && npm install --no-audit --no-fund --ignore-scripts --prefix p8 pnpm@8.15.9 &&
			npm install --no-audit --no-fund --ignore-scripts --prefix p9 pnpm@9.15.0 &&
			npm install --no-audit --no-fund --ignore-scripts --prefix y1 yarn@1.22.22 &&
			npm install --no-audit --no-fund --ignore-scripts --prefix y4 @yarnpkg/cli-dist@4.5.3) &&
			(cd "$dir/pnpm6" && "$dir/tools/p8/node_modules/.bin/pnpm" install --ignore-scripts --lockfile-only) &&
			(cd "$dir/pnpm9" && "$dir/tools/p9/node_modules/.bin/pnpm" install --ignore-scripts --lockfile-only) &&
			(cd "$dir/yarn1" && "$dir/tools/y1/node_modules/.bin/yarn" install --ignore-scripts --non-interactive &&
				rm -rf node_modules) &&
			(cd "$dir/berry" && YARN_ENABLE_TELEMETRY=0 node "$dir/tools/y4/node_modules/@yarnpkg/cli-dist/bin/yarn.js" \
				install --mode=update-lockfile); } >"$FIXTURES/npm-locks.log" 2>&1; then
			fixture_unlock; echo "pnpm/yarn failed, see $FIXTURES/npm-locks.log" >&2; return 1
		fi
		touch "$dir/.complete"
	fi
	fixture_unlock
	echo "$dir"
}
if [ -n "${proj:-}" ] && pl=$(npm_locks "$proj"); then
	# pnpm 8's own flags, read from the lockfile text
	awk '/^packages:/ {p = 1; next} /^[^ ]/ {p = 0}
		p && /^  [^ ]/ {k = $1; sub(/:$/, "", k); gsub(/\x27/, "", k); sub(/^\//, "", k); sub(/\(.*/, "", k)}
		p && /^    dev: true$/ {i = index(substr(k, 2), "@") + 1; print substr(k, 1, i - 1) "\t" substr(k, i + 1)}' \
		"$pl/pnpm6/pnpm-lock.yaml" | LC_ALL=C sort -u >"$TMP/want-dev6"
	compare "pnpm 8's own dev flags equal npm ls --omit=dev's complement" "$TMP/want-dev6" "$TMP/want-dev"
	for v in pnpm6 pnpm9 yarn1 berry; do
		"$BULWARK" sbom -f json "dir:$pl/$v" >"$TMP/$v.json" 2>"$TMP/err"
		is "$?" "0" "$v lockfile of the project: exits 0"
		npm_rows "$TMP/$v.json" >"$TMP/got"
		compare "$v lockfile of the project: equals npm ls --all" "$TMP/got" "$TMP/want"
		npm_dev_rows "$TMP/$v.json" >"$TMP/got-dev"
		compare "$v lockfile of the project: dev marks equal npm's (and pnpm 8's)" "$TMP/got-dev" "$TMP/want-dev"
	done
else
	fail "pnpm and yarn lockfiles of the project written"
fi

# ---- 2. workspaces: members are symlinked into node_modules ----
ws_project() {
	local dir="$FIXTURES/npm-workspaces"
	fixture_lock npm-workspaces
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/packages/ws-a" "$dir/packages/ws-b"
		echo '{"name":"ws-root","version":"1.0.0","private":true,"workspaces":["packages/*"]}' >"$dir/package.json"
		echo '{"name":"ws-a","version":"0.1.0","dependencies":{"ms":"2.1.3"}}' >"$dir/packages/ws-a/package.json"
		echo '{"name":"@bw/ws-b","version":"0.2.0","dependencies":{"ws-a":"0.1.0","ms":"2.1.2"}}' >"$dir/packages/ws-b/package.json"
		if ! (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts &&
			npm ls --all --json >npm-ls.json) >"$FIXTURES/npm-workspaces.log" 2>&1; then
			fixture_unlock; echo "npm install failed, see $FIXTURES/npm-workspaces.log" >&2; return 1
		fi
		touch "$dir/.complete"
	fi
	fixture_unlock
	echo "$dir"
}
if ws=$(ws_project); then
	ls_rows "$ws/npm-ls.json" >"$TMP/want"
	"$BULWARK" sbom -f json "dir:$ws" >"$TMP/ws.json" 2>"$TMP/err"
	npm_rows "$TMP/ws.json" >"$TMP/got"
	compare "workspaces installed: equals npm ls --all (members included)" "$TMP/got" "$TMP/want"
	mkdir -p "$TMP/wslock/packages"
	cp -a "$ws/package.json" "$ws/package-lock.json" "$TMP/wslock/"
	cp -a "$ws/packages/." "$TMP/wslock/packages/"
	find "$TMP/wslock" -name node_modules -prune -exec rm -rf {} +
	"$BULWARK" sbom -f json "dir:$TMP/wslock" >"$TMP/wsl.json" 2>"$TMP/err"
	npm_rows "$TMP/wsl.json" >"$TMP/got"
	compare "workspaces lockfile only: equals npm ls --all" "$TMP/got" "$TMP/want"
else
	fail "workspaces project installed"
fi

# ---- 2b. workspaces locked by yarn 1 and yarn 4: dev marks come from every
# member's package.json (a member's dependencies are production, its
# devDependencies are dev, transitively). Truth: npm install of the same
# project, npm ls --all and --omit=dev (members left out: yarn.lock does not
# list them as registry packages). ----
ws_dev_project() {
	local dir="$FIXTURES/npm-ws-dev" v y1=$1/tools/y1/node_modules/.bin/yarn
	local y4=$1/tools/y4/node_modules/@yarnpkg/cli-dist/bin/yarn.js
	fixture_lock npm-ws-dev
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		for v in npm yarn1 berry; do
			mkdir -p "$dir/$v/packages/wa" "$dir/$v/packages/wb"
			echo '{"name":"ws-dev-root","version":"1.0.0","private":true,"workspaces":["packages/*"],"dependencies":{"ms":"2.1.3"},"devDependencies":{"is-odd":"3.0.1"}}' >"$dir/$v/package.json"
			echo '{"name":"wa","version":"1.0.0","dependencies":{"debug":"4.3.4"},"devDependencies":{"left-pad":"1.3.0"}}' >"$dir/$v/packages/wa/package.json"
			echo '{"name":"wb","version":"1.0.0","devDependencies":{"is-number":"7.0.0"}}' >"$dir/$v/packages/wb/package.json"
		done
		touch "$dir/berry/yarn.lock"
		if ! { (cd "$dir/npm" && timeout 300 npm install --no-audit --no-fund --ignore-scripts &&
			npm ls --all --json >npm-ls.json && npm ls --all --omit=dev --json >npm-ls-prod.json) &&
			(cd "$dir/yarn1" && timeout 300 "$y1" install --ignore-scripts --non-interactive && rm -rf node_modules) &&
			(cd "$dir/berry" && YARN_ENABLE_TELEMETRY=0 timeout 300 node "$y4" install --mode=update-lockfile); } \
			>"$FIXTURES/npm-ws-dev.log" 2>&1; then
			fixture_unlock; echo "workspace locks failed, see $FIXTURES/npm-ws-dev.log" >&2; return 1
		fi
		touch "$dir/.complete"
	fi
	fixture_unlock
	echo "$dir"
}
if [ -n "${pl:-}" ] && wd=$(ws_dev_project "$pl"); then
	ls_rows "$wd/npm/npm-ls.json" | grep -vE '^(wa|wb)	' >"$TMP/want"
	ls_rows "$wd/npm/npm-ls-prod.json" | grep -vE '^(wa|wb)	' >"$TMP/prod"
	LC_ALL=C comm -23 "$TMP/want" "$TMP/prod" >"$TMP/want-dev"
	ok "npm ls --omit=dev leaves out the members' devDependencies (left-pad)" grep -q '^left-pad	' "$TMP/want-dev"
	ok "npm ls --omit=dev keeps a member's dependencies (debug)" grep -q '^debug	' "$TMP/prod"
	for v in yarn1 berry; do
		rm -rf "$TMP/wsd" && mkdir -p "$TMP/wsd"
		cp -a "$wd/$v/." "$TMP/wsd/"
		rm -rf "$TMP/wsd/.yarn" "$TMP/wsd/node_modules"
		"$BULWARK" sbom -f json "dir:$TMP/wsd" >"$TMP/$v-ws.json" 2>"$TMP/err"
		is "$?" "0" "$v workspaces lockfile: exits 0"
		npm_rows "$TMP/$v-ws.json" >"$TMP/got"
		compare "$v workspaces lockfile: equals npm ls --all" "$TMP/got" "$TMP/want"
		npm_dev_rows "$TMP/$v-ws.json" >"$TMP/got-dev"
		compare "$v workspaces lockfile: dev marks equal npm ls --omit=dev's complement" "$TMP/got-dev" "$TMP/want-dev"
	done
else
	fail "workspace project locked by npm, yarn 1 and yarn 4"
fi

# ---- 3. lockfiles written by the real tools, hand-written expectations ----
for fx in lock-v1 lock-v2 yarn-classic yarn-berry pnpm-v6 pnpm-v9; do
	"$BULWARK" sbom -f json "dir:$DATA/$fx" >"$TMP/out.json" 2>"$TMP/err"
	st=$?
	jq -r '[.packages[] | select(.type == "npm")] | group_by([.name, .version])[] |
		[.[0].name, .[0].version, (all(.[]; .dev == true) | tostring)] | @tsv' "$TMP/out.json" |
		LC_ALL=C sort >"$TMP/got"
	LC_ALL=C sort "$DATA/$fx.expected.tsv" >"$TMP/want"
	if [ "$st" = 0 ] && d=$(diff -u "$TMP/want" "$TMP/got"); then
		pass "$fx: the $(wc -l <"$TMP/want") hand-listed packages with dev marks"
	else
		fail "$fx: the hand-listed packages (exit $st)"; diag "$(echo "${d:-}" | head -20)" "$(head -3 "$TMP/err")"
	fi
done

# ---- 4. a corrupt lockfile is a warning naming the file; the rest still counts ----
mkdir -p "$TMP/bad/sub"
printf '{"lockfileVersion": 3, "packages": {' >"$TMP/bad/package-lock.json"
cp "$DATA/yarn-classic/yarn.lock" "$TMP/bad/sub/"
"$BULWARK" sbom -f json "dir:$TMP/bad" >"$TMP/out.json" 2>"$TMP/err"
is "$?" "0" "corrupt package-lock.json: exit 0"
ok "corrupt package-lock.json: the warning names the file" grep -q "package-lock.json" "$TMP/err"
is "$(npm_rows "$TMP/out.json" | wc -l)" "6" "corrupt package-lock.json: the yarn.lock beside it is still read"

done_testing

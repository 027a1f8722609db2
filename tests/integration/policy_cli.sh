#!/bin/bash
# policy_cli.sh - `bulwark policy validate|export` end to end: good and bad
# files and directories with exit codes, every error printed with its
# FILE:LINE:COL (worked out by hand from the fixture text below), a group
# defined twice in a directory, and export of a profile JSON written here
# by hand, validated again and checked line by line.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/good" "$TMP/bad" "$TMP/dup" "$TMP/state/profiles" "$TMP/empty"

cat >"$TMP/good/web.yaml" <<'EOF'
apiVersion: bulwark.dev/v1
kind: SecurityPolicy
metadata:
  name: shop-web
spec:
  selector: {image: "registry.example/shop/web:*"}
  mode: protect
  process:
    - {path: /usr/sbin/nginx, action: allow}
  file:
    - {path: "/etc/**", access: write, action: deny}
  network:
    egress:
      - {to: {group: shop-db}, ports: ["5432/tcp"], app: postgresql}
EOF
cat >"$TMP/good/more.yml" <<'EOF'
apiVersion: bulwark.dev/v1
kind: SecurityPolicy
metadata: {name: shop-db}
---
apiVersion: bulwark.dev/v1
kind: ResponseRule
metadata: {name: page-me}
EOF
echo "not a policy" >"$TMP/good/README.md"

out=$("$BULWARK" policy validate "$TMP/good" 2>"$TMP/err")
is "$?" 0 "valid directory: exit 0"
is "$out" "$TMP/good/more.yml: valid, 1 policy (shop-db), 1 document of other kinds skipped
$TMP/good/web.yaml: valid, 1 policy (shop-web)" "one summary line per file, sorted, README ignored"
grep -q "more.yml:6:7: kind ResponseRule is not read" "$TMP/err"
is "$?" 0 "skipped kind is a warning with its position"

# line numbers below count from the "apiVersion" line = 1
cat >"$TMP/bad/a.yaml" <<'EOF'
apiVersion: bulwark.dev/v1
kind: SecurityPolicy
metadata:
  name: web
spec:
  mode: protekt
  proces: []
  process:
    - {path: /bin/ls, action: alow}
    - path: "/usr/[ab]in/x"
  network:
    egress:
      - {to: {cidr: 10.0.0.1/8}, ports: ["5432"]}
EOF
"$BULWARK" policy validate "$TMP/bad/a.yaml" >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "invalid file: exit 2"
is "$(cat "$TMP/err")" "$TMP/bad/a.yaml:6:9: spec.mode: expected one of discover, monitor, protect, found \"protekt\"
$TMP/bad/a.yaml:7:3: spec: unknown field \"proces\", did you mean \"process\"?
$TMP/bad/a.yaml:9:31: spec.process[0].action: expected one of allow, deny, found \"alow\"
$TMP/bad/a.yaml:10:13: spec.process[1].path: bad path glob \"/usr/[ab]in/x\": character classes ([...]) are not supported: globs use *, ** and ?
$TMP/bad/a.yaml:13:21: spec.network.egress[0].to.cidr: bad CIDR \"10.0.0.1/8\": host bits are set after the prefix; did you mean \"10.0.0.0/8\"?
$TMP/bad/a.yaml:13:42: spec.network.egress[0].ports[0]: expected \"PORT/PROTO\" like \"5432/tcp\", a range \"8000-8080/tcp\" or \"any\", found \"5432\"" \
	"every error printed with FILE:LINE:COL, in file order"
is "$(cat "$TMP/out")" "" "nothing on stdout for an invalid file"

printf 'apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata: {name: [x\n' >"$TMP/bad/b.yaml"
"$BULWARK" policy validate "$TMP/bad/b.yaml" 2>"$TMP/err" >/dev/null
is "$?" 2 "YAML syntax error: exit 2"
grep -q "^$TMP/bad/b.yaml:4:1: YAML syntax error" "$TMP/err"
is "$?" 0 "syntax error has a position"

# a directory with one bad file: the good one still gets its line
cp "$TMP/good/web.yaml" "$TMP/bad/c.yaml"
"$BULWARK" policy validate "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "directory with a bad file: exit 2"
is "$(cat "$TMP/out")" "$TMP/bad/c.yaml: valid, 1 policy (shop-web)" "good file of a bad directory reported"
is "$(grep -c "$TMP/bad/a.yaml:" "$TMP/err")" 6 "all six errors of a.yaml printed"

# the same group twice in one directory
cp "$TMP/good/web.yaml" "$TMP/dup/1.yaml"
printf '# copy\n' | cat - "$TMP/good/web.yaml" >"$TMP/dup/2.yaml"
"$BULWARK" policy validate "$TMP/dup" 2>"$TMP/err" >/dev/null
is "$?" 2 "duplicate group: exit 2"
is "$(cat "$TMP/err")" "$TMP/dup/2.yaml:5:9: metadata.name: group \"shop-web\" is already defined by the document at $TMP/dup/1.yaml:1" \
	"duplicate group names both files"
"$BULWARK" policy validate "$TMP/dup/1.yaml" "$TMP/dup/2.yaml" >/dev/null 2>&1
is "$?" 0 "files given one by one are separate sets"

"$BULWARK" policy validate "$TMP/nonexistent.yaml" >/dev/null 2>&1
is "$?" 2 "missing file: exit 2"
"$BULWARK" policy validate >/dev/null 2>&1
is "$?" 2 "no argument: usage error"
"$BULWARK" policy validate --help | grep -q "^Usage: bulwark policy validate"
is "$?" 0 "validate --help"
"$BULWARK" policy export --help | grep -q "^Usage: bulwark policy export"
is "$?" 0 "export --help"

# export: a profile JSON written by hand, in the documented format
cat >"$TMP/state/profiles/bwtest_web.json" <<'EOF'
{"version": 1, "group": "bwtest/web", "updated": 1700000000,
 "execs": [{"exe": "/bin/sh", "parent": ""}, {"exe": "/bin/busybox", "parent": "/bin/sh"},
           {"exe": "/usr/local/bin/app", "parent": "/bin/sh"}],
 "writes": ["/tmp/app.out"],
 "conns": [{"direction": "egress", "peer": "10.0.0.5", "port": 5432, "proto": "tcp"},
           {"direction": "ingress", "peer": "shop-lb", "port": 8080, "proto": "tcp"}]}
EOF
"$BULWARK" policy export --group bwtest/web --state-dir "$TMP/state" -o "$TMP/export.yaml"
is "$?" 0 "export: exit 0"
out=$("$BULWARK" policy validate "$TMP/export.yaml" 2>&1)
is "$?" 0 "export validates"
is "$out" "$TMP/export.yaml: valid, 1 policy (bwtest/web)" "export is one policy named after the group"
is "$(grep -c '^    - {path: ' "$TMP/export.yaml")" 4 "3 process rules + 1 file rule"
grep -q '^    - {path: "/usr/local/bin/app", action: allow}$' "$TMP/export.yaml"
is "$?" 0 "process rule for a learned executable"
grep -q '^    - {path: "/tmp/app.out", access: write, action: allow}$' "$TMP/export.yaml"
is "$?" 0 "file rule for a written path"
grep -q '^  mode: protect$' "$TMP/export.yaml"
is "$?" 0 "default mode protect"
grep -q '^    group: "bwtest/web"$' "$TMP/export.yaml"
is "$?" 0 "selector group"
grep -A1 -q '^      - to: {cidr: "10.0.0.5"}$' "$TMP/export.yaml"
is "$?" 0 "egress rule to the learned address"
grep -q '^      - from: {group: "shop-lb"}$' "$TMP/export.yaml"
is "$?" 0 "ingress rule from the learned group"
"$BULWARK" policy export --group bwtest/web --state-dir "$TMP/state" --mode monitor | grep -q '^  mode: monitor$'
is "$?" 0 "--mode monitor to stdout"

"$BULWARK" policy export --group nosuch --state-dir "$TMP/state" >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "no profile: exit 2"
grep -q "no learned profile for group \"nosuch\": $TMP/state/profiles/nosuch.json does not exist" "$TMP/err"
is "$?" 0 "no profile: the error names the path"
echo '{"version": 1, "group": "bwtest/web", "execs": [{"exe": "/a\tb"}]}' >"$TMP/state/profiles/broken.json"
"$BULWARK" policy export --group broken --state-dir "$TMP/state" >/dev/null 2>"$TMP/err"
is "$?" 2 "malformed profile: exit 2"
grep -q "broken.json: execs\[0\]" "$TMP/err"
is "$?" 0 "malformed profile: the error names file and entry"
"$BULWARK" policy export --state-dir "$TMP/state" >/dev/null 2>&1
is "$?" 2 "export without --group: usage error"
"$BULWARK" policy export --group bwtest/web --state-dir "$TMP/state" --mode loud >/dev/null 2>&1
is "$?" 2 "export with a bad --mode: usage error"

done_testing

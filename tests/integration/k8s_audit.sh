#!/bin/bash
# k8s_audit.sh - `bulwark audit k8s` end to end: every PSS fixture
# (tests/data/k8s/pss, each naming in "# expect:" the findings the upstream
# Pod Security Standards text implies) through the binary, directories,
# stdin, JSON/SARIF output, --fail-on exit codes, malformed input.
. "$(dirname "$0")/lib.sh"
PSS="$ROOT/tests/data/k8s/pss"
command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 0; }

for f in "$PSS"/*.yaml; do
	n=$(basename "$f")
	level=$(sed -n 's/^# level: //p' "$f")
	want=$(sed -n 's/^# expect: //p' "$f" | grep -v '^none$' | sort | tr '\n' ' ')
	"$BULWARK" audit k8s --no-best-practice --level "$level" --format json -o "$TMP/out.json" "$f"
	rc=$?
	got=$(jq -r '.findings[].check' "$TMP/out.json" | sort | tr '\n' ' ')
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then pass "$n ($level)"; else
		fail "$n ($level)"; diag "rc=$rc got: '$got'" "want: '$want'"; fi
done

# a directory: recursive, sorted, only manifests
mkdir -p "$TMP/dir/sub"
cp "$PSS/privileged-fail.yaml" "$TMP/dir/a.yaml"
cp "$PSS/host-path-fail.yaml" "$TMP/dir/sub/b.yml"
echo "not a manifest" >"$TMP/dir/sub/readme.txt"
"$BULWARK" audit k8s --no-best-practice --format json -o "$TMP/dir.json" "$TMP/dir"
is "$?" 0 "directory: exit 0 without --fail-on"
is "$(jq -r '.summary.objects' "$TMP/dir.json")" 2 "directory: 2 objects"
is "$(jq -r '[.findings[].file] | unique | join(" ")' "$TMP/dir.json")" "$TMP/dir/a.yaml $TMP/dir/sub/b.yml" "directory: both files, readme ignored"

# stdin, JSON input, field paths of a workload
cat >"$TMP/deploy.json" <<'JSON'
{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
 "spec": {"template": {"spec": {"hostNetwork": true,
   "containers": [{"name": "nginx", "image": "nginx:latest",
     "securityContext": {"privileged": true},
     "env": [{"name": "DB_PASSWORD", "value": "s3cret"}]}]}}}}
JSON
"$BULWARK" audit k8s --format json - <"$TMP/deploy.json" >"$TMP/stdin.json"
is "$(jq -r '.findings[] | select(.check == "pss.baseline.privileged") | .field' "$TMP/stdin.json")" \
	"spec.template.spec.containers[0].securityContext.privileged" "stdin JSON: field path of the finding"
is "$(jq -r '.findings[] | select(.check == "pss.baseline.privileged") | "\(.object.kind)/\(.object.namespace)/\(.object.name) \(.container) \(.file) \(.document)"' "$TMP/stdin.json")" \
	"Deployment/shop/web nginx stdin 0" "finding names object, container, file, document"
is "$(jq -r '[.findings[] | select(.check == "bp.image-tag" or .check == "bp.env-secret")] | length' "$TMP/stdin.json")" 2 \
	"best practice: latest tag and secret in env"
grep -q s3cret "$TMP/stdin.json" && fail "secret value not echoed" || pass "secret value not echoed"

# --fail-on
"$BULWARK" audit k8s --fail-on critical "$TMP/deploy.json" >/dev/null
is "$?" 1 "--fail-on critical: privileged gives exit 1"
"$BULWARK" audit k8s --fail-on critical "$PSS/host-ports-fail.yaml" >/dev/null
is "$?" 0 "--fail-on critical: a medium finding does not fail"
"$BULWARK" audit k8s --fail-on medium "$PSS/host-ports-fail.yaml" >/dev/null
is "$?" 1 "--fail-on medium: a medium finding fails"
"$BULWARK" audit k8s --level baseline --no-best-practice --fail-on low "$PSS/restricted-pass.yaml" >/dev/null
is "$?" 0 "--fail-on low: clean pod passes"

# SARIF
"$BULWARK" audit k8s --format sarif -o "$TMP/out.sarif" "$TMP/deploy.json"
is "$(jq -r '.version' "$TMP/out.sarif")" "2.1.0" "SARIF 2.1.0"
is "$(jq -r '.runs[0].results[] | select(.ruleId == "pss.baseline.privileged") | .level' "$TMP/out.sarif")" "error" "SARIF: critical is error"

# malformed and hostile input
printf 'kind: Pod\nspec: [oops\n' >"$TMP/bad.yaml"
"$BULWARK" audit k8s "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"
is "$?" 2 "malformed YAML: exit 2"
grep -q "$TMP/bad.yaml: document 0" "$TMP/err" && pass "malformed YAML: error names the file and document" || { fail "malformed message"; diag "$(cat "$TMP/err")"; }
{ echo 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'
  for i in 1 2 3 4 5 6 7 8 9; do p=$([ $i = 1 ] && echo a || echo a$((i-1)))
    echo "a$i: &a$i [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"; done; } >"$TMP/laughs.yaml"
timeout 20 "$BULWARK" audit k8s "$TMP/laughs.yaml" >/dev/null 2>"$TMP/err"
is "$?" 2 "billion laughs: refused (exit 2), not expanded"
grep -q "nodes" "$TMP/err" && pass "billion laughs: says the node limit" || fail "billion laughs message"
"$BULWARK" audit k8s --level=baseline --no-best-practice --fail-on=high --format=json -o "$TMP/eq.json" "$PSS/host-namespaces-fail.yaml"
is "$?" 1 "--opt=value forms accepted (3 host namespace findings are high)"
is "$(jq -r .summary.high "$TMP/eq.json")" 3 "--opt=value: findings counted"
"$BULWARK" audit k8s --level strict "$TMP/deploy.json" >/dev/null 2>&1
is "$?" 2 "bad --level: usage error"
done_testing

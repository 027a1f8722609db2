#!/bin/bash
# k8s_bench.sh - `bulwark bench k8s` on fake host roots (tests/data/k8s/hosts):
# kubeadm-format static pod manifests, kubelet config files, PKI files and
# captured /proc/<pid>/cmdline (NUL-separated), cwd and environ. The test
# sets modes and owners (git keeps neither) and asserts every check's
# verdict against what it set up; then loads kube-bench format definitions
# written here with --config-dir.
. "$(dirname "$0")/lib.sh"
DATA="$ROOT/tests/data/k8s/hosts"
command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 0; }

# verdicts FILE: "ID STATUS" lines from a JSON report
verdicts() { jq -r '.results[] | "\(.id) \(.status)"' "$1"; }
# expect REPORT NAME "ID=STATUS ..."
expect() {
	local report=$1 name=$2 got want id
	for pair in $3; do
		id=${pair%%=*}; want=${pair#*=}
		got=$(jq -r --arg id "$id" '.results[] | select(.id == $id) | .status' "$report")
		is "$got" "$want" "$name: $id is $want"
	done
}

setup_host() { # NAME -> copy in $TMP/NAME with modes/owners
	local h=$TMP/$1
	cp -a "$DATA/$1" "$h"
	chmod -R go-rwx "$h/etc/kubernetes" "$h/var/lib/kubelet" \
		"$h/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
	chmod 700 "$h/var/lib/etcd"
	if need_root; then
		chown -R 0:0 "$h"
		chown -R 998:998 "$h/var/lib/etcd"   # etcd in the root's /etc/passwd
	fi
	echo "$h"
}

good=$(setup_host good)
bad=$(setup_host bad)
# the bad host's mistakes
chmod 644 "$bad/etc/kubernetes/manifests/kube-apiserver.yaml" "$bad/etc/kubernetes/admin.conf" \
	"$bad/etc/kubernetes/pki/ca.key" "$bad/etc/kubernetes/pki/apiserver.crt" \
	"$bad/var/lib/kubelet/config.yaml"
chmod 755 "$bad/var/lib/etcd"
if need_root; then
	chown 0:0 "$bad/var/lib/etcd"
	chown 1000:1000 "$bad/etc/kubernetes/manifests/kube-scheduler.yaml"  # alice
fi

# --- good host: everything as CIS asks
"$BULWARK" bench k8s --root "$good" --format json -o "$TMP/good.json"
rc=$?
if need_root; then is "$rc" 0 "good host: exit 0 (no scored FAIL)"
else skip "good host: exit 0" "not root: files are not root:root"; fi
is "$(jq -r .target "$TMP/good.json")" "root $good (master worker etcd policies)" \
	"good host: auto detects master, worker, etcd (and policies) from /proc"
GOOD_PASS="1.1.1 1.1.3 1.1.5 1.1.7 1.1.11 1.1.13 1.1.15 1.1.17 1.1.20 1.1.21
 1.2.1 1.2.2 1.2.3 1.2.4 1.2.5 1.2.6 1.2.7 1.2.8 1.2.9 1.2.10 1.2.11 1.2.13 1.2.14 1.2.15 1.2.16
 1.2.17 1.2.18 1.2.19 1.2.20 1.2.22 1.2.23 1.2.24 1.2.25 1.2.26 1.2.27 1.2.28
 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 1.4.1 1.4.2
 2.1 2.2 2.3 2.4 2.5 2.6 4.1.1 4.1.5 4.1.7 4.1.9
 4.2.1 4.2.2 4.2.3 4.2.4 4.2.5 4.2.6 4.2.10 4.2.11"
OWNER_PASS="1.1.2 1.1.4 1.1.6 1.1.8 1.1.12 1.1.14 1.1.16 1.1.18 1.1.19 4.1.2 4.1.6 4.1.8 4.1.10"
list=""
for id in $GOOD_PASS; do list="$list $id=PASS"; done
expect "$TMP/good.json" "good host" "$list"
if need_root; then
	list=""; for id in $OWNER_PASS; do list="$list $id=PASS"; done
	expect "$TMP/good.json" "good host" "$list"
else
	skip "good host ownership checks" "not root: cannot chown the fixture"
fi
expect "$TMP/good.json" "good host" "4.1.3=NOT_APPLICABLE 4.1.4=NOT_APPLICABLE 1.1.9=WARN 2.7=WARN 5.2.2=WARN"
if need_root; then
	is "$(jq '[.results[] | select(.status == "ERROR" or .status == "FAIL")] | length' "$TMP/good.json")" 0 \
		"good host: no FAIL and no ERROR"
else
	is "$(jq '[.results[] | select(.status == "ERROR")] | length' "$TMP/good.json")" 0 "good host: no ERROR"
fi
# where values came from: relative --config resolved against the captured cwd
d=$(jq -r '.results[] | select(.id == "4.2.1") | .detail' "$TMP/good.json")
case "$d" in *"{.authentication.anonymous.enabled}=false (from config file /var/lib/kubelet/config.yaml (kubelet --config=config.yaml of pid 1005, relative to its working directory /var/lib/kubelet))"*)
	pass "good host: 4.2.1 value from the --config file, relative path resolved against cwd" ;;
*) fail "good host: 4.2.1 value source"; diag "$d" ;; esac
d=$(jq -r '.results[] | select(.id == "4.2.4") | .detail' "$TMP/good.json")
case "$d" in *"from default: KubeletConfiguration v1beta1 readOnlyPort"*) pass "good host: 4.2.4 from the documented config-file default" ;;
*) fail "good host: 4.2.4 default source"; diag "$d" ;; esac
d=$(jq -r '.results[] | select(.id == "1.2.18") | .detail' "$TMP/good.json")
case "$d" in *"--audit-log-maxage=30 (from kube-apiserver command line (pid 1001))"*) pass "good host: '--flag value' form read" ;;
*) fail "good host: '--flag value' form"; diag "$d" ;; esac

# --- bad host
"$BULWARK" bench k8s --root "$bad" --format json -o "$TMP/bad.json"
is "$?" 1 "bad host: exit 1 (scored checks FAIL)"
BAD="1.1.1=FAIL 1.1.3=PASS 1.1.11=FAIL 1.1.13=FAIL 1.1.20=FAIL 1.1.21=FAIL
 1.2.1=WARN 1.2.2=FAIL 1.2.4=FAIL 1.2.5=FAIL 1.2.6=FAIL 1.2.7=FAIL 1.2.8=FAIL 1.2.10=FAIL
 1.2.13=FAIL 1.2.14=PASS 1.2.15=FAIL 1.2.16=FAIL 1.2.17=FAIL 1.2.18=FAIL 1.2.19=FAIL 1.2.20=FAIL
 1.2.22=FAIL 1.2.23=PASS 1.2.24=FAIL 1.2.25=PASS 1.2.26=PASS 1.2.27=FAIL 1.2.28=WARN
 1.3.2=FAIL 1.3.3=FAIL 1.3.4=FAIL 1.3.5=PASS 1.3.6=FAIL 1.3.7=FAIL 1.4.1=FAIL 1.4.2=FAIL
 2.1=PASS 2.2=FAIL 2.3=FAIL 2.4=FAIL 2.5=FAIL 2.6=PASS
 4.1.9=FAIL 4.2.1=FAIL 4.2.2=FAIL 4.2.3=FAIL 4.2.4=WARN 4.2.5=WARN 4.2.6=FAIL 4.2.10=FAIL"
expect "$TMP/bad.json" "bad host" "$BAD"
if need_root; then
	expect "$TMP/bad.json" "bad host" "1.1.6=FAIL 1.1.12=FAIL 1.1.2=PASS"
else
	skip "bad host ownership checks" "not root"
fi
d=$(jq -r '.results[] | select(.id == "4.2.4") | .detail' "$TMP/bad.json")
case "$d" in *"--read-only-port=10255 (from kubelet command line"*) pass "bad host: command line wins over the config file (readOnlyPort: 0)" ;;
*) fail "bad host: flag precedence"; diag "$d" ;; esac
d=$(jq -r '.results[] | select(.id == "2.1") | .detail' "$TMP/bad.json")
case "$d" in *"ETCD_CERT_FILE="*"(from environment of etcd (pid 1004))"*) pass "bad host: 2.1 cert file from etcd's environment" ;;
*) fail "bad host: env source"; diag "$d" ;; esac
d=$(jq -r '.results[] | select(.id == "1.2.16") | .detail' "$TMP/bad.json")
case "$d" in *"from default: kube-apiserver --profiling"*) pass "bad host: unset --profiling judged by the documented default" ;;
*) fail "bad host: default source"; diag "$d" ;; esac

# --- selection, node choice, formats
"$BULWARK" bench k8s --root "$bad" --node worker --check 4.2 --skip 4.2.1 --format json -o "$TMP/sel.json"
is "$(jq -r '[.results[].id] | join(" ")' "$TMP/sel.json")" \
	"4.2.2 4.2.3 4.2.4 4.2.5 4.2.6 4.2.7 4.2.8 4.2.9 4.2.10 4.2.11 4.2.12 4.2.13" "--node worker --check 4.2 --skip 4.2.1"
"$BULWARK" bench k8s --root "$good" --node etcd --format junit -o "$TMP/etcd.xml"
is "$?" 0 "junit output written"
is "$(grep -c '<testcase' "$TMP/etcd.xml")" 7 "junit: 7 etcd testcases"

# --- an offline root (no /proc): flags from the static pod manifests
cp -a "$good" "$TMP/offline" && rm -rf "$TMP/offline/proc"
"$BULWARK" bench k8s --root "$TMP/offline" --format json -o "$TMP/off.json"
is "$(jq -r .target "$TMP/off.json")" "root $TMP/offline (master  etcd policies)" \
	"offline root: master and etcd detected from the static pod manifests"
expect "$TMP/off.json" "offline root" "1.2.16=PASS 1.2.18=PASS 1.3.7=PASS 1.4.1=PASS 2.2=PASS 1.1.11=PASS"
d=$(jq -r '.results[] | select(.id == "1.2.16") | .detail' "$TMP/off.json")
case "$d" in *"from static pod manifest /etc/kubernetes/manifests/kube-apiserver.yaml (no running kube-apiserver process)"*)
	pass "offline root: the source says it is the manifest" ;;
*) fail "offline root source"; diag "$d" ;; esac
cp -a "$bad" "$TMP/offline-bad" && rm -rf "$TMP/offline-bad/proc"
"$BULWARK" bench k8s --root "$TMP/offline-bad" --format json -o "$TMP/offb.json"
expect "$TMP/offb.json" "offline bad root" "1.2.16=FAIL 1.2.6=FAIL 1.3.7=FAIL 2.3=FAIL 1.1.11=FAIL"

# --- an absolute symlink inside a root resolves inside the root (openat2
# RESOLVE_IN_ROOT), and stat follows it to the file's own mode
cp -a "$good" "$TMP/links"
mv "$TMP/links/etc/kubernetes/admin.conf" "$TMP/links/etc/kubernetes/admin-real.conf"
ln -s /etc/kubernetes/admin-real.conf "$TMP/links/etc/kubernetes/admin.conf"
[ -e /etc/kubernetes/admin-real.conf ] && diag "host has /etc/kubernetes/admin-real.conf: test is weaker"
"$BULWARK" bench k8s --root "$TMP/links" --node master --check 1.1.13 --format json -o "$TMP/links.json"
is "$(jq -r '.results[0].status' "$TMP/links.json")" PASS "symlinked admin.conf: target's mode 600 inside the root"
chmod 644 "$TMP/links/etc/kubernetes/admin-real.conf"
"$BULWARK" bench k8s --root "$TMP/links" --node master --check 1.1.13 --format json -o "$TMP/links.json"
is "$(jq -r '.results[0].status' "$TMP/links.json")" FAIL "symlinked admin.conf: target's mode 644 fails"

# --- no process data: ERROR, never PASS
mkdir -p "$TMP/empty/etc"
"$BULWARK" bench k8s --root "$TMP/empty" --node master --check 1.2.16 --format json -o "$TMP/empty.json"
is "$(jq -r '.results[0].status' "$TMP/empty.json")" ERROR "no /proc: flag check is ERROR"
"$BULWARK" bench k8s --root "$TMP/empty" >/dev/null 2>"$TMP/err"
is "$?" 2 "auto with nothing running: exit 2"
grep -q "no Kubernetes component is running" "$TMP/err" && pass "auto: says why" || fail "auto: says why"

# --- kube-bench format definitions written here, with --config-dir
mkdir -p "$TMP/cfg/mybench"
cat >"$TMP/cfg/config.yaml" <<'YAML'
node:
  components: [kubelet]
  kubelet:
    bins: [kubelet]
    confs: [/var/lib/kubelet/config.yaml]
    defaultconf: /var/lib/kubelet/config.yaml
    cafile: [/etc/kubernetes/pki/ca.crt]
etcd:
  components: [etcd]
  etcd:
    bins: [etcd]
    datadirs: [/var/lib/etcd]
YAML
# kube-bench keeps per-benchmark settings in BENCH/config.yaml: merged over
cat >"$TMP/cfg/mybench/config.yaml" <<'YAML'
node:
  kubelet:
    svc: [/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf]
YAML
cat >"$TMP/cfg/mybench/node.yaml" <<'YAML'
---
controls:
version: "mybench"
id: 9
text: "Test node checks"
type: "node"
groups:
  - id: 9.1
    text: "Kubelet"
    checks:
      - id: 9.1.1
        text: "anonymous auth off"
        audit: "/bin/ps -fC $kubeletbin"
        audit_config: "/bin/cat $kubeletconf"
        tests:
          test_items:
            - flag: "--anonymous-auth"
              path: '{.authentication.anonymous.enabled}'
              set: true
              compare:
                op: eq
                value: false
        remediation: "fix it"
        scored: true
      - id: 9.1.2
        text: "config file mode"
        audit: "stat -c %a $kubeletconf"
        tests:
          test_items:
            - flag: "600"
        scored: true
      - id: 9.1.3
        text: "journal"
        audit: "journalctl -u kubelet | grep -i error"
        tests:
          test_items:
            - flag: "error"
              set: false
        scored: true
      - id: 9.1.4
        text: "valid authorization modes"
        audit: "/bin/ps -ef | grep $kubeletbin | grep -v grep"
        audit_config: "/bin/cat $kubeletconf"
        tests:
          bin_op: or
          test_items:
            - path: '{.authorization.mode}'
              compare:
                op: valid_elements
                value: Webhook,Node
            - flag: "--authorization-mode"
              set: true
        scored: true
      - id: 9.1.8
        text: "grep -v grep first, then the program"
        audit: "ps -ef | grep -v grep | grep $kubeletbin"
        tests:
          test_items:
            - flag: "--kubeconfig"
              compare: {op: eq, value: /etc/kubernetes/kubelet.conf}
        scored: true
      - id: 9.1.9
        text: "a path from the benchmark's own config.yaml overlay"
        audit: "stat -c %U:%G $kubeletsvc"
        tests:
          test_items:
            - flag: "root:root"
        scored: true
      # the shell forms of kube-bench's cis-1.8 files, evaluated natively
      - id: 9.1.5
        text: "etcd data dir mode (variable set from a ps subshell, fallback)"
        audit: |
          DATA_DIR=''
          for d in $(ps -ef | grep $etcdbin | grep -- --data-dir | sed 's%.*data-dir[= ]\([^ ]*\).*%\1%'); do
            if test -d "$d"; then DATA_DIR="$d"; fi
          done
          if ! test -d "$DATA_DIR"; then DATA_DIR=$etcddatadir; fi
          stat -c permissions=%a "$DATA_DIR"
        tests:
          test_items:
            - flag: "permissions"
              compare:
                op: bitmask
                value: "700"
        scored: true
      - id: 9.1.6
        text: "client CA file mode (kubelet flag, else the config.yaml file)"
        audit: |
          CAFILE=$(ps -ef | grep kubelet | grep -v apiserver | grep -- --client-ca-file= | awk -F '--client-ca-file=' '{print $2}' | awk '{print $1}' | uniq)
          if test -z $CAFILE; then CAFILE=$kubeletcafile; fi
          if test -e $CAFILE; then stat -c permissions=%a $CAFILE; fi
        tests:
          test_items:
            - flag: "permissions"
              compare:
                op: bitmask
                value: "600"
        scored: true
      - id: 9.1.7
        text: "etcd cert file by flag or environment, no audit_env"
        audit: "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep"
        tests:
          bin_op: and
          test_items:
            - flag: "--cert-file"
              env: "ETCD_CERT_FILE"
        scored: true
YAML
"$BULWARK" bench k8s --root "$good" --config-dir "$TMP/cfg" --benchmark mybench --node worker --format json -o "$TMP/my.json"
expect "$TMP/my.json" "kube-bench format" "9.1.1=PASS 9.1.2=PASS 9.1.3=ERROR 9.1.4=PASS 9.1.5=PASS 9.1.6=PASS 9.1.7=PASS 9.1.8=PASS"
d=$(jq -r '.results[] | select(.id == "9.1.9") | .detail' "$TMP/my.json")
case "$d" in *"stat of /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"*) pass "BENCH/config.yaml overlay defines \$kubeletsvc" ;;
*) fail "config overlay"; diag "$d" ;; esac
d=$(jq -r '.results[] | select(.id == "9.1.6") | .detail' "$TMP/my.json")
case "$d" in *"stat of /etc/kubernetes/pki/ca.crt"*) pass "kube-bench CAFILE form: fallback path used (kubelet has no --client-ca-file)" ;;
*) fail "CAFILE form"; diag "$d" ;; esac
d=$(jq -r '.results[] | select(.id == "9.1.3") | .detail' "$TMP/my.json")
case "$d" in *"audit command not run (use --allow-exec)"*) pass "unrecognised audit not run without --allow-exec" ;;
*) fail "unrecognised audit"; diag "$d" ;; esac
"$BULWARK" bench k8s --root "$bad" --config-dir "$TMP/cfg" --benchmark mybench --node worker --format json -o "$TMP/my2.json"
expect "$TMP/my2.json" "kube-bench format, bad host" "9.1.1=FAIL 9.1.2=FAIL 9.1.4=FAIL 9.1.5=FAIL 9.1.7=PASS"
d=$(jq -r '.results[] | select(.id == "9.1.7") | .detail' "$TMP/my2.json")
case "$d" in *"ETCD_CERT_FILE=/etc/kubernetes/pki/etcd/server.crt (from environment of etcd (pid 1004))"*) pass "env item without audit_env: the process's environment" ;;
*) fail "env without audit_env"; diag "$d" ;; esac
# --allow-exec: other audit commands run through sh -c, on the live host only
mkdir -p "$TMP/cx/b"
printf 'node:\n  components: []\n' >"$TMP/cx/config.yaml"
cat >"$TMP/cx/b/node.yaml" <<'YAML'
controls:
id: 1
groups:
- id: "1"
  checks:
  - id: "1.1"
    text: "exec: whole output is one value"
    audit: "echo --foo=bar; echo other"
    tests:
      test_items:
      - flag: --foo
        compare: {op: eq, value: bar}
    scored: true
  - id: "1.2"
    text: "exec: use_multiple_values, every line must pass"
    audit: "echo permissions=600; echo permissions=644"
    use_multiple_values: true
    tests:
      test_items:
      - flag: permissions
        compare: {op: bitmask, value: "600"}
    scored: true
  - id: "1.3"
    text: "exec: audit_config output as YAML"
    audit: "true"
    audit_config: "printf 'a:\\n  b: 7\\n'"
    tests:
      test_items:
      - path: "{.a.b}"
        compare: {op: gte, value: 5}
    scored: true
YAML
"$BULWARK" bench k8s --config-dir "$TMP/cx" --benchmark b --node worker --allow-exec --format json -o "$TMP/cx.json"
expect "$TMP/cx.json" "--allow-exec" "1.1=PASS 1.2=FAIL 1.3=PASS"
"$BULWARK" bench k8s --config-dir "$TMP/cx" --benchmark b --node worker --root "$good" --allow-exec --format json -o "$TMP/cx2.json"
is "$(jq -r '.results[0].status' "$TMP/cx2.json")" ERROR "--allow-exec with --root: not run"
jq -r '.results[0].detail' "$TMP/cx2.json" | grep -q "would read this machine, not --root" \
	&& pass "--allow-exec with --root: says why" || fail "--allow-exec with --root: says why"

# a broken definitions file names the field
sed -i 's/op: eq/op: equals/' "$TMP/cfg/mybench/node.yaml"
"$BULWARK" bench k8s --root "$good" --config-dir "$TMP/cfg" --benchmark mybench --node worker >/dev/null 2>"$TMP/err"
is "$?" 2 "bad definition: exit 2"
grep -q "groups\[0\].checks\[0\].tests.test_items\[0\].compare.op: 'equals' is not a known operator" "$TMP/err" \
	&& pass "bad definition: error names the field" || { fail "bad definition message"; diag "$(cat "$TMP/err")"; }
done_testing

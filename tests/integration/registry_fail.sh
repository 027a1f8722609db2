#!/bin/bash
# registry_fail.sh - failures inside a registry-wide scan: each failing
# image is named on stderr with its repo:tag and digest and a clear reason,
# the other images are stored, and the scan exits 2 (partial).
#  1. Debian's docker-registry with one repository's layer blob corrupted in
#     its storage after the push (the digest no longer matches);
#  2. a mock registry (Python) whose bearer tokens are only good for two
#     requests: one repository where the client must fetch a new token in
#     the middle of an image (and succeeds), one where the new token is
#     refused too (authentication failed), and one whose layer blob is cut
#     off in the middle every time (the registry stops mid-blob).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"
. "$(dirname "$0")/lib_registry.sh"

for t in docker-registry skopeo sqlite3 jq python3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not installed"; exit 0; }
done
export XDG_CACHE_HOME="$TMP/cache" DOCKER_CONFIG="$TMP/no-docker" BULWARK_REGISTRY_CACHE=off

# four small distinct images (a dpkg status each, so packages are counted)
mkimg() { # NAME PKG VERSION
	bullseye_oci "$TMP/oci-$1" 1 "$(printf 'Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n' "$2" "$3")"
}
mkimg one sudo 1.9.5p2-3
mkimg two openssl 1.1.1n-0+deb11u3
mkimg three curl 7.74.0-1.3+deb11u1
mkimg four bash 5.1-2+deb11u1

MOCK_PID=
trap 'stop_registry; [ -z "$MOCK_PID" ] || { kill $MOCK_PID; wait $MOCK_PID; } 2>/dev/null; rm -rf "$TMP"' EXIT
start_registry "$TMP" || { echo "Bail out! docker-registry did not start"; exit 1; }

# ---- 1. a blob whose digest does not match ----
ok "push a/one:1, b/two:1, c/three:1" \
	registry_push "oci:$TMP/oci-one:1" a/one:1 "oci:$TMP/oci-two:1" b/two:1 "oci:$TMP/oci-three:1" c/three:1
D2=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/b/two:1")
L2=$(skopeo inspect --tls-verify=false --format '{{index .Layers 0}}' "docker://$R/b/two:1")
BLOB="$TMP/storage/docker/registry/v2/blobs/sha256/${L2:7:2}/${L2#sha256:}/data"
ok "b/two's layer is in the registry's storage" test -f "$BLOB"
printf 'X' | dd of="$BLOB" bs=1 seek=20 conv=notrunc 2>/dev/null
"$BULWARK" registry scan "$R" --insecure --store "$TMP/s1.sqlite" 2>"$TMP/s1.err"; rc=$?
is "$rc" 2 "a corrupt blob: the scan exits 2 (partial)"
ok "a corrupt blob: named with repo:tag and digest, and the blob's digest" \
	grep -q "^bulwark registry: $R/b/two:1 ($D2): .*$L2.*does not match" "$TMP/s1.err"
diag "$(grep "b/two" "$TMP/s1.err")"
is "$(sqlite3 "$TMP/s1.sqlite" "SELECT repo || ':' || tag FROM tags ORDER BY repo" | tr '\n' ' ')" "a/one:1 c/three:1 " \
	"a corrupt blob: the other images are stored"
is "$(sqlite3 "$TMP/s1.sqlite" "SELECT packages FROM images ORDER BY digest" | sort -u)" 1 "their SBOMs have their one package"
ok "a corrupt blob: the summary counts one failure" grep -q "2 image(s) scanned, 0 re-matched, 0 already in .*, 1 failed" "$TMP/s1.err"
stop_registry

# ---- 2. tokens that expire, a registry that stops mid-blob ----
cat >"$TMP/mock.py" <<'PY'
import hashlib, http.server, json, os, re, socketserver, sys, threading

tmp, logf, portf = sys.argv[1], sys.argv[2], sys.argv[3]
# repository -> OCI layout; "exp/renew": a new token works; "exp/refused":
# tokens after the second are refused; "cut/blob": its layer is cut off
repos = {"ok/one": "oci-one", "exp/renew": "oci-two", "exp/refused": "oci-three", "cut/blob": "oci-four"}
USES = 2  # requests a token is good for
lock = threading.Lock()
tokens = {}   # token -> [repo, uses]
issued = {}   # repo -> tokens issued
def log(s):
    with lock, open(logf, "a") as f: f.write(s + "\n")
def layout(repo):
    d = os.path.join(tmp, repos[repo])
    idx = json.load(open(os.path.join(d, "index.json")))
    return d, idx["manifests"][0]
def blob(d, digest): return open(os.path.join(d, "blobs", "sha256", digest.split(":")[1]), "rb").read()

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, code, body=b"", ctype="application/json", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra: self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        port = self.server.server_address[1]
        if self.path == "/v2/" or self.path.startswith("/v2/?"):
            return self.send(200, b"{}")
        if self.path.startswith("/v2/_catalog"):
            return self.send(200, json.dumps({"repositories": sorted(repos)}).encode())
        m = re.match(r"^/v2/(.+)/tags/list", self.path)
        if m:
            return self.send(200, json.dumps({"name": m.group(1), "tags": ["1"]}).encode())
        m = re.match(r"^/token\?.*scope=repository%3A(.+)%3Apull", self.path)
        if m:
            repo = m.group(1).replace("%2F", "/")
            with lock:
                n = issued[repo] = issued.get(repo, 0) + 1
                tok = "tok-%s-%d" % (repo.replace("/", "-"), n)
                tokens[tok] = [repo, 0, not (repo == "exp/refused" and n > 2)]
            log("token " + tok)
            return self.send(200, json.dumps({"token": tok, "expires_in": 300}).encode())
        m = re.match(r"^/v2/(.+)/(manifests|blobs)/([^/]+)$", self.path)
        if not m or m.group(1) not in repos:
            return self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')
        repo, kind, ref = m.groups()
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else ""
        with lock:
            t = tokens.get(tok)
            good = bool(t) and t[0] == repo and t[2] and t[1] < USES
            if good: t[1] += 1
        if not good:
            log("401 %s %s %s" % (repo, kind, "expired" if t else "none"))
            ch = 'Bearer realm="http://127.0.0.1:%d/token",service="mock.test",scope="repository:%s:pull"' % (port, repo)
            if t: ch += ',error="invalid_token"'
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', extra=[("WWW-Authenticate", ch)])
        d, img = layout(repo)
        log("get %s %s %s" % (repo, kind, ref))
        if kind == "manifests":
            if ref in ("1", img["digest"]):
                return self.send(200, blob(d, img["digest"]), img["mediaType"],
                                 extra=[("Docker-Content-Digest", img["digest"])])
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
        data = blob(d, ref)
        layers = {l["digest"] for l in json.loads(blob(d, img["digest"]))["layers"]}
        if repo == "cut/blob" and ref in layers:
            log("cut " + ref)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send(200, data, "application/octet-stream")

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(portf, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$TMP/mock.py" "$TMP" "$TMP/mock.log" "$TMP/port" &
MOCK_PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
M=127.0.0.1:$(cat "$TMP/port")
digest_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"])' "$TMP/oci-$1"; }
DREN=$(digest_of two) DREF=$(digest_of three) DCUT=$(digest_of four)
LCUT=$(jq -r '.layers[0].digest' "$TMP/oci-four/blobs/sha256/${DCUT#sha256:}")

timeout 120 "$BULWARK" registry scan "$M" --insecure --store "$TMP/s2.sqlite" 2>"$TMP/s2.err"; rc=$?
is "$rc" 2 "expired tokens and a cut blob: the scan exits 2 (partial)"
diag "$(grep '^bulwark registry' "$TMP/s2.err")"
ok "the token ran out in the middle of exp/renew's image" grep -q "^401 exp/renew blobs expired$" "$TMP/mock.log"
ok "exp/renew: a new token was fetched and the image stored" \
	test "$(sqlite3 "$TMP/s2.sqlite" "SELECT digest FROM tags WHERE repo = 'exp/renew'")" = "$DREN"
ok "exp/refused: named with repo:tag and digest, 'authentication failed'" \
	grep -q "^bulwark registry: $M/exp/refused:1 ($DREF): .*authentication failed" "$TMP/s2.err"
ok "exp/refused: the message says the token was refused" grep -q "exp/refused:1 .*token" "$TMP/s2.err"
ok "exp/refused: re-authenticated once for the failing request, not in a loop" \
	test "$(grep -c '^token tok-exp-refused' "$TMP/mock.log")" -le 4
ok "cut/blob: named with repo:tag, digest and the layer" \
	grep -q "^bulwark registry: $M/cut/blob:1 ($DCUT): .*blob $LCUT (after 4 attempts)" "$TMP/s2.err"
is "$(sqlite3 "$TMP/s2.sqlite" "SELECT repo || ':' || tag FROM tags ORDER BY repo" | tr '\n' ' ')" "exp/renew:1 ok/one:1 " \
	"the other images are stored"
is "$(sqlite3 "$TMP/s2.sqlite" "SELECT count(*) FROM images")" 2 "exactly two images stored"
ok "the summary counts two failures" grep -q "2 image(s) scanned, 0 re-matched, 0 already in .*, 2 failed" "$TMP/s2.err"

done_testing

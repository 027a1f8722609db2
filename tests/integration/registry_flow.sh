#!/bin/bash
# registry_flow.sh - the parts of the distribution protocol that Debian's
# docker-registry does not exercise, against a small mock registry (Python)
# serving the Debian OCI image: the bearer token flow (WWW-Authenticate
# challenge, realm/service/scope, basic credentials at the token service),
# an OCI index with platform selection, 429 with Retry-After, a connection
# dropped in the middle of a layer resumed with a Range request, and a
# registry that goes away in the middle of a run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 0; }
OCI=$(debian_oci_dir) || { echo "Bail out! cannot build the Debian OCI image"; exit 1; }
# a layer cache of its own (the tests below count downloads and corrupt entries)
export BULWARK_REGISTRY_CACHE="$TMP/cache"

cat >"$TMP/mock.py" <<'PY'
import base64, hashlib, http.server, json, os, re, socketserver, sys, threading

oci, mode, logf, portf = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
USER, PASS, TOKEN = "bob", os.environ["MOCK_PASS"], "tok-" + os.urandom(8).hex()
idx = json.load(open(os.path.join(oci, "index.json")))
img = idx["manifests"][0]
def blob(d): return open(os.path.join(oci, "blobs", "sha256", d.split(":")[1]), "rb").read()
manifest = blob(img["digest"])
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        {"mediaType": img["mediaType"], "digest": "sha256:" + "a" * 64, "size": 10,
         "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        {"mediaType": img["mediaType"], "digest": img["digest"], "size": len(manifest),
         "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
index_digest = "sha256:" + hashlib.sha256(index).hexdigest()
layers = {l["digest"] for l in json.loads(manifest)["layers"]}
seen = {}
lock = threading.Lock()
def log(s):
    with lock, open(logf, "a") as f: f.write(s + "\n")

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
        if self.path.startswith("/token"):
            log("token " + self.path)
            want = "Basic " + base64.b64encode(f"{USER}:{PASS}".encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            return self.send(200, json.dumps({"access_token": TOKEN, "expires_in": 300}).encode())
        m = re.match(r"^/v2/(.+)/(manifests|blobs)/([^/]+)$", self.path)
        repo = m.group(1) if m else ""
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            ch = f'Bearer realm="http://127.0.0.1:{port}/token",service="mock.test",scope="repository:{repo}:pull"'
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', extra=[("WWW-Authenticate", ch)])
        if not m:
            return self.send(404)
        kind, ref = m.group(2), m.group(3)
        if kind == "manifests":
            if ref in ("multi", index_digest):
                return self.send(200, index, "application/vnd.oci.image.index.v1+json")
            if ref in ("12", img["digest"]):
                return self.send(200, manifest, img["mediaType"])
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
        try:
            data = blob(ref)
        except OSError:
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        if ref not in layers:
            return self.send(200, data, "application/octet-stream")
        log("get " + ref)
        n = seen[ref] = seen.get(ref, 0) + 1
        rng = self.headers.get("Range")
        if n == 1:
            log("429 " + ref)
            return self.send(429, b"{}", extra=[("Retry-After", "1")])
        if n == 2 or mode == "die":
            log("drop " + ref)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            if mode == "die":
                os._exit(0)
            return
        if rng:
            log("range " + rng)
            start = int(re.match(r"bytes=(\d+)-$", rng).group(1))
            body = data[start:]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data)-1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send(200, data, "application/octet-stream")

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(portf, "w").write(str(s.server_address[1]))
s.serve_forever()
PY

export MOCK_PASS="mockpw-$RANDOM$RANDOM"
start_mock() { # MODE -> sets PORT, MOCK_PID
	rm -f "$TMP/port"
	python3 "$TMP/mock.py" "$OCI" "$1" "$TMP/$1.log" "$TMP/port" &
	MOCK_PID=$!
	for _ in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	PORT=$(cat "$TMP/port")
}
trap 'kill $MOCK_PID 2>/dev/null; wait $MOCK_PID 2>/dev/null; rm -rf "$TMP"' EXIT

pkgs() { jq -c '[.packages[] | {name, version, type, arch, purl, layer, path}] | sort_by(.purl)' "$1"; }
"$BULWARK" sbom -f json "oci:$OCI:12" -o "$TMP/local.json" 2>/dev/null
WANT=$(pkgs "$TMP/local.json")
LAYER=$(jq -r '.target.layers[0]' "$TMP/local.json")
export BULWARK_REGISTRY_INSECURE=1 BULWARK_REGISTRY_USERNAME=bob BULWARK_REGISTRY_PASSWORD="$MOCK_PASS"

start_mock ok
"$BULWARK" sbom -f json --platform linux/amd64 "127.0.0.1:$PORT/lib/debian:multi" -o "$TMP/multi.json" 2>"$TMP/multi.err"; rc=$?
is "$rc" 0 "bearer flow + index + 429 + dropped connection: exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/multi.err")"
is "$(pkgs "$TMP/multi.json")" "$WANT" "same packages as the OCI layout"
ok "token requested with the challenge's service and scope" \
	grep -q "^token /token?service=mock.test&scope=repository%3Alib%2Fdebian%3Apull$" "$TMP/ok.log"
ok "the 429 was retried" grep -q "^429 $LAYER" "$TMP/ok.log"
ok "the dropped layer was resumed with a Range request" grep -q "^range bytes=[1-9][0-9]*-$" "$TMP/ok.log"
ok "the password is not in stderr" bash -c "! grep -qF -- '$MOCK_PASS' '$TMP/multi.err'"

# the layer cache: a second scan of the image downloads no layer
n_get=$(grep -c "^get $LAYER" "$TMP/ok.log")
"$BULWARK" sbom -f json "127.0.0.1:$PORT/lib/debian:12" -o "$TMP/again.json" 2>"$TMP/again.err"; rc=$?
is "$rc" 0 "second scan (layer cache) exits 0"
is "$(pkgs "$TMP/again.json")" "$WANT" "second scan: same packages"
is "$(grep -c "^get $LAYER" "$TMP/ok.log")" "$n_get" "second scan: the layer was not downloaded again"
# a corrupted cache entry is noticed, dropped and downloaded again
entry=$(ls "$BULWARK_REGISTRY_CACHE/layers/${LAYER#sha256:}"-* 2>/dev/null | head -n1)
ok "the layer's catalogued result is in the cache" test -s "$entry"
printf 'X' | dd of="$entry" bs=1 seek=100 conv=notrunc 2>/dev/null
"$BULWARK" sbom -f json "127.0.0.1:$PORT/lib/debian:12" -o "$TMP/again2.json" 2>"$TMP/again2.err"; rc=$?
is "$rc" 0 "corrupt cache entry: still exits 0"
ok "corrupt cache entry: warned" grep -q "layer cache: $LAYER is corrupt; downloading it again" "$TMP/again2.err"
is "$(grep -c "^get $LAYER" "$TMP/ok.log")" "$((n_get + 1))" "corrupt cache entry: the layer was downloaded again"
is "$(pkgs "$TMP/again2.json")" "$WANT" "corrupt cache entry: same packages"

"$BULWARK" sbom -f json --platform linux/s390x "127.0.0.1:$PORT/lib/debian:multi" -o "$TMP/x.json" 2>"$TMP/plat.err"; rc=$?
is "$rc" 2 "no image for the platform: exits 2"
ok "no image for the platform: lists what the index has" grep -q "no image for platform linux/s390x in the index (has: linux/arm64/v8, linux/amd64)" "$TMP/plat.err"

BULWARK_REGISTRY_PASSWORD="bad-$MOCK_PASS" "$BULWARK" sbom -f json "127.0.0.1:$PORT/lib/debian:12" -o "$TMP/x.json" 2>"$TMP/bad.err"; rc=$?
is "$rc" 2 "wrong password at the token service: exits 2"
ok "wrong password: 'authentication failed'" grep -q "127.0.0.1:$PORT/lib/debian: authentication failed at the token service (HTTP 401)" "$TMP/bad.err"
ok "wrong password: not in stderr" bash -c "! grep -qF -- '$MOCK_PASS' '$TMP/bad.err'"
diag "$(cat "$TMP/bad.err")"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null

start_mock die
BULWARK_REGISTRY_CACHE=off "$BULWARK" sbom -f json "127.0.0.1:$PORT/lib/debian:12" -o "$TMP/x.json" 2>"$TMP/die.err"; rc=$?
is "$rc" 2 "registry gone in the middle of a layer: exits 2"
ok "registry gone: the message names the blob and the attempts" grep -q "127.0.0.1:$PORT/lib/debian: blob $LAYER (after 4 attempts)" "$TMP/die.err"
ok "no partial SBOM file left" test ! -e "$TMP/x.json"
diag "$(cat "$TMP/die.err")"

done_testing

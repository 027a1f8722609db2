#!/bin/bash
# registry_listen.sh - `bulwark registry listen`: Debian's docker-registry
# sends its push notifications to bulwark's webhook; each pushed image is
# catalogued into the store with the digest skopeo reports. The webhook
# refuses requests without the shared secret and malformed envelopes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

for t in docker-registry skopeo curl sqlite3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not installed"; exit 0; }
done
OCI=$(debian_oci_dir) || { echo "Bail out! cannot build the Debian OCI image"; exit 1; }
export BULWARK_REGISTRY_CACHE="$TMP/cache" XDG_CACHE_HOME="$TMP/xdg" DOCKER_CONFIG="$TMP/no-docker"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
LPORT=$(free_port)
R=127.0.0.1:$PORT
TOKEN="hook-$RANDOM$RANDOM"
mkdir -p "$TMP/storage"
cat >"$TMP/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $TMP/storage
http:
  addr: 127.0.0.1:$PORT
notifications:
  endpoints:
    - name: bulwark
      url: http://127.0.0.1:$LPORT/events
      headers:
        Authorization: [Bearer $TOKEN]
      timeout: 5s
      threshold: 3
      backoff: 1s
YML
BULWARK_REGISTRY_WEBHOOK_TOKEN="$TOKEN" "$BULWARK" registry listen "$R" --listen "127.0.0.1:$LPORT" \
	--insecure --store "$TMP/store.sqlite" 2>"$TMP/listen.err" &
LISTEN_PID=$!
docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
REG_PID=$!
trap 'kill $REG_PID $LISTEN_PID 2>/dev/null; wait $REG_PID $LISTEN_PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do curl -fs "http://$R/v2/" >/dev/null && grep -q listening "$TMP/listen.err" && break; sleep 0.1; done

is "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data '{"events":[]}' "http://127.0.0.1:$LPORT/events")" 401 "webhook without the secret: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" --data '{"events":' "http://127.0.0.1:$LPORT/events")" 400 "malformed envelope: 400"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$LPORT/events")" 405 "GET: 405"

ok "push debian:12 with skopeo" skopeo copy -q --dest-tls-verify=false "oci:$OCI:12" "docker://$R/hooked/debian:12"
DIGEST=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R/hooked/debian:12")
got=""
for _ in $(seq 1 300); do
	got=$(sqlite3 "$TMP/store.sqlite" "SELECT repo || ':' || tag || '=' || digest FROM tags" 2>/dev/null)
	[ -n "$got" ] && break
	sleep 0.2
done
is "$got" "hooked/debian:12=$DIGEST" "the pushed tag is in the store with skopeo's digest"
is "$(sqlite3 "$TMP/store.sqlite" "SELECT sbom_json FROM images WHERE digest = '$DIGEST'" | jq '.packages | length')" \
	"$("$BULWARK" sbom -f json "oci:$OCI:12" 2>/dev/null | jq '.packages | length')" "the stored SBOM has the image's packages"

kill -TERM "$LISTEN_PID"; wait "$LISTEN_PID"; rc=$?
is "$rc" 0 "listen exits 0 on SIGTERM"
ok "the token is not in the listener's stderr" bash -c "! grep -qF -- '$TOKEN' '$TMP/listen.err'"
diag "$(cat "$TMP/listen.err")"

done_testing

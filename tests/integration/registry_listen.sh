#!/bin/bash
# registry_listen.sh - `bulwark registry listen`: Debian's docker-registry
# sends its push notifications to bulwark's webhook; each pushed image is
# catalogued into the store with the digest skopeo reports. The webhook
# refuses requests without the shared secret and malformed envelopes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"
. "$(dirname "$0")/lib_registry.sh"

for t in docker-registry skopeo curl sqlite3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not installed"; exit 0; }
done
OCI=$(debian_oci_dir) || { echo "Bail out! cannot build the Debian OCI image"; exit 1; }
export BULWARK_REGISTRY_CACHE="$TMP/cache" XDG_CACHE_HOME="$TMP/xdg" DOCKER_CONFIG="$TMP/no-docker"

LPORT=$(free_port)
TOKEN="hook-$RANDOM$RANDOM"
LISTEN_PID=
trap 'stop_registry; [ -z "$LISTEN_PID" ] || { kill $LISTEN_PID; wait $LISTEN_PID; } 2>/dev/null; rm -rf "$TMP"' EXIT
# the registry's push notifications go to the webhook (started next: the
# registry sends nothing before the first push)
start_registry "$TMP" --yaml "notifications:
  endpoints:
    - name: bulwark
      url: http://127.0.0.1:$LPORT/events
      headers:
        Authorization: [Bearer $TOKEN]
      timeout: 5s
      threshold: 3
      backoff: 1s" || { echo "Bail out! docker-registry did not start"; exit 1; }
BULWARK_REGISTRY_WEBHOOK_TOKEN="$TOKEN" "$BULWARK" registry listen "$R" --listen "127.0.0.1:$LPORT" \
	--insecure --store "$TMP/store.sqlite" 2>"$TMP/listen.err" &
LISTEN_PID=$!
for _ in $(seq 1 100); do grep -q listening "$TMP/listen.err" && break; sleep 0.1; done

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

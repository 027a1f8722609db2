#!/bin/bash
# registry_auth.sh - a registry with htpasswd (bcrypt) auth behind TLS signed
# by a test CA: the right password with the CA file works; a wrong password
# fails with "authentication failed" and never shows the password; without
# the CA file the TLS verification fails; no credentials fail clearly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"
. "$(dirname "$0")/lib_registry.sh"

for t in docker-registry skopeo openssl htpasswd; do
	command -v $t >/dev/null || { echo "1..0 # SKIP $t not installed"; exit 0; }
done

OCI=$(debian_oci_dir) || { echo "Bail out! cannot build the Debian OCI image"; exit 1; }
# a layer cache of its own (the tests below count downloads and corrupt blobs)
export BULWARK_REGISTRY_CACHE="$TMP/cache"

USER=bwuser
PASS="s3cret-Pa55-$RANDOM$RANDOM"

# a test CA and a server certificate for 127.0.0.1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bulwark test CA" \
	-keyout "$TMP/ca.key" -out "$TMP/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$TMP/server.key" -out "$TMP/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$TMP/san.ext"
openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
	-CAcreateserial -days 2 -extfile "$TMP/san.ext" -out "$TMP/server.pem" 2>/dev/null
htpasswd -Bbn "$USER" "$PASS" >"$TMP/htpasswd"

trap 'stop_registry; rm -rf "$TMP"' EXIT
start_registry "$TMP" --tls "$TMP/server.pem" "$TMP/server.key" --htpasswd "$TMP/htpasswd" ||
	{ echo "Bail out! docker-registry did not start"; exit 1; }
mkdir -p "$TMP/certs/$R"
cp "$TMP/ca.pem" "$TMP/certs/$R/ca.crt"

ok "push with skopeo (TLS + basic auth)" skopeo copy -q --dest-cert-dir "$TMP/certs/$R" \
	--dest-creds "$USER:$PASS" "oci:$OCI:12" "docker://$R/secure/debian:12"
DIGEST=$(skopeo inspect --cert-dir "$TMP/certs/$R" --creds "$USER:$PASS" --format '{{.Digest}}' "docker://$R/secure/debian:12")

pkgs() { jq -c '[.packages[] | {name, version, type, arch, purl, layer, path}] | sort_by(.purl)' "$1"; }
"$BULWARK" sbom -f json "oci:$OCI:12" -o "$TMP/local.json" 2>/dev/null
WANT=$(pkgs "$TMP/local.json")

export DOCKER_CONFIG="$TMP/no-docker-config"  # not the user's ~/.docker
export BULWARK_REGISTRY_CA_FILE="$TMP/ca.pem" BULWARK_REGISTRY_USERNAME="$USER" BULWARK_REGISTRY_PASSWORD="$PASS"
"$BULWARK" -v sbom -f json "$R/secure/debian:12" -o "$TMP/ok.json" 2>"$TMP/ok.err"; rc=$?
is "$rc" 0 "right password + CA file: exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/ok.err")"
is "$(pkgs "$TMP/ok.json")" "$WANT" "right password: same packages as the OCI layout"
is "$(jq -r .target.manifest_digest "$TMP/ok.json")" "$DIGEST" "right password: the digest skopeo reports"
ok "right password: not in stderr" bash -c "! grep -qF -- '$PASS' '$TMP/ok.err'"

BULWARK_REGISTRY_PASSWORD="wrong-$PASS-x" "$BULWARK" -v sbom -f json "$R/secure/debian:12" -o "$TMP/x.json" 2>"$TMP/bad.err"; rc=$?
is "$rc" 2 "wrong password: exits 2"
ok "wrong password: 'authentication failed' naming the registry" grep -q "$R/secure/debian: .*authentication failed" "$TMP/bad.err"
ok "wrong password: the password is not in stderr" bash -c "! grep -qF -- '$PASS' '$TMP/bad.err'"
diag "$(cat "$TMP/bad.err")"

BULWARK_REGISTRY_USERNAME= BULWARK_REGISTRY_PASSWORD= "$BULWARK" sbom -f json "$R/secure/debian:12" -o "$TMP/x.json" 2>"$TMP/anon.err"; rc=$?
is "$rc" 2 "no credentials: exits 2"
ok "no credentials: says so" grep -q "authentication required (basic) and no credentials given" "$TMP/anon.err"

# credentials from Docker's config.json: auths (base64 user:pass)
mkdir -p "$TMP/dockercfg" "$TMP/dockercfg2" "$TMP/bin"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$R" "$(printf '%s:%s' "$USER" "$PASS" | base64 -w0)" >"$TMP/dockercfg/config.json"
DOCKER_CONFIG="$TMP/dockercfg" BULWARK_REGISTRY_USERNAME= BULWARK_REGISTRY_PASSWORD= \
	"$BULWARK" sbom -f json "$R/secure/debian:12" -o "$TMP/cfg.json" 2>"$TMP/cfg.err"; rc=$?
is "$rc" 0 "credentials from config.json auths: exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/cfg.err")"
is "$(pkgs "$TMP/cfg.json")" "$WANT" "config.json auths: same packages"

# ... and from a credential helper (credHelpers), which gets the server on stdin
cat >"$TMP/bin/docker-credential-bwtest" <<SH
#!/bin/sh
[ "\$1" = get ] || exit 1
read -r server
echo "\$server" >>"$TMP/helper.log"
[ "\$server" = "$R" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "\$server" "$USER" "$PASS"
SH
chmod +x "$TMP/bin/docker-credential-bwtest"
printf '{"credHelpers": {"%s": "bwtest"}}\n' "$R" >"$TMP/dockercfg2/config.json"
PATH="$TMP/bin:$PATH" DOCKER_CONFIG="$TMP/dockercfg2" BULWARK_REGISTRY_USERNAME= BULWARK_REGISTRY_PASSWORD= \
	"$BULWARK" sbom -f json "$R/secure/debian:12" -o "$TMP/helper.json" 2>"$TMP/helper.err"; rc=$?
is "$rc" 0 "credentials from a credential helper: exits 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/helper.err")"
is "$(pkgs "$TMP/helper.json")" "$WANT" "credential helper: same packages"
is "$(head -1 "$TMP/helper.log")" "$R" "the helper was asked for the registry host"
ok "credential helper: the password is not in stderr" bash -c "! grep -qF -- '$PASS' '$TMP/helper.err'"

BULWARK_REGISTRY_CA_FILE= "$BULWARK" sbom -f json "$R/secure/debian:12" -o "$TMP/x.json" 2>"$TMP/tls.err"; rc=$?
is "$rc" 2 "without the CA file: exits 2"
ok "without the CA file: a certificate verification error" grep -qi "certificate" "$TMP/tls.err"
ok "without the CA file: the password is not in stderr" bash -c "! grep -qF -- '$PASS' '$TMP/tls.err'"
diag "$(cat "$TMP/tls.err")"

done_testing

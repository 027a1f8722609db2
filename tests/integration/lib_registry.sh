# shellcheck shell=bash
# tests/integration/lib_registry.sh - Debian's docker-registry on 127.0.0.1
# for the registry tests and bench/registry.sh. Source it after lib.sh:
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/lib_registry.sh"
#
#   free_port       prints a free TCP port on 127.0.0.1
#   start_registry DIR [--tls CERT KEY] [--htpasswd FILE] [--accesslog]
#                  [--log-level LEVEL] [--yaml TEXT]
#       writes DIR/registry.yml (storage DIR/storage, listening on a free
#       port; --tls: HTTPS with that certificate and key; --htpasswd: basic
#       auth from that file, realm "bulwark-test"; --accesslog: the access
#       log on; LEVEL defaults to error; --yaml: more top-level YAML), starts
#       `docker-registry serve` in the background with its output in
#       DIR/registry.log and waits (at most 10 s) until /v2/ answers. Sets
#       PORT, R (127.0.0.1:PORT), REG_PID, REG_LOG, REG_STORAGE. Returns 1
#       when the registry does not answer (it is still in REG_PID).
#   stop_registry   kill the registry and wait for it (no error if gone);
#       call it from the EXIT trap.
#   registry_push SRC REPO:TAG [SRC REPO:TAG]...
#       `skopeo copy` each SRC (oci:DIR:TAG, ...) to the registry at $R over
#       plain HTTP, 120 s at most each; stops at the first failure.
#   bullseye_oci OUT TAG STATUS
#       an OCI layout OUT (tag TAG) of a root with Debian 11's os-release
#       and STATUS as its var/lib/dpkg/status (root left in OUT.root).

REG_PID=

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_registry() {
	local dir=$1 cert="" key="" htpasswd="" accesslog="" level=error extra="" scheme=http
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--tls) cert=$2 key=$3 scheme=https; shift 3 ;;
		--htpasswd) htpasswd=$2; shift 2 ;;
		--accesslog) accesslog=1; shift ;;
		--log-level) level=$2; shift 2 ;;
		--yaml) extra=$2; shift 2 ;;
		*) echo "start_registry: unknown option '$1'" >&2; return 1 ;;
		esac
	done
	PORT=$(free_port) || return 1
	R=127.0.0.1:$PORT
	REG_LOG=$dir/registry.log
	REG_STORAGE=$dir/storage
	mkdir -p "$REG_STORAGE"
	{
		printf 'version: 0.1\nlog:\n  level: %s\n' "$level"
		[ -n "$accesslog" ] && printf '  accesslog:\n    disabled: false\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s\n' "$REG_STORAGE"
		printf 'http:\n  addr: %s\n' "$R"
		[ -n "$cert" ] && printf '  tls:\n    certificate: %s\n    key: %s\n' "$cert" "$key"
		[ -n "$htpasswd" ] && printf 'auth:\n  htpasswd:\n    realm: bulwark-test\n    path: %s\n' "$htpasswd"
		[ -n "$extra" ] && printf '%s\n' "$extra"
	} >"$dir/registry.yml"
	docker-registry serve "$dir/registry.yml" >"$REG_LOG" 2>&1 &
	REG_PID=$!
	# any HTTP status (401 with auth) means it is up; -k: this is only a probe
	local _
	for _ in $(seq 1 100); do
		[ "$(curl -sk -o /dev/null -w '%{http_code}' "$scheme://$R/v2/")" != 000 ] && return 0
		sleep 0.1
	done
	echo "start_registry: docker-registry did not answer on $R, see $REG_LOG" >&2
	return 1
}

stop_registry() {
	[ -n "$REG_PID" ] || return 0
	kill "$REG_PID" 2>/dev/null
	wait "$REG_PID" 2>/dev/null
	REG_PID=
}

registry_push() {
	while [ $# -ge 2 ]; do
		timeout 120 skopeo copy -q --dest-tls-verify=false "$1" "docker://$R/$2" || return 1
		shift 2
	done
}

bullseye_oci() {
	local root=$1.root
	mkdir -p "$root/etc" "$root/var/lib/dpkg"
	printf 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\nID=debian\n' >"$root/etc/os-release"
	printf '%s\n' "$3" >"$root/var/lib/dpkg/status"
	make_oci_dir "$root" "$1" "$2"
}

#!/bin/sh
# Install the Debian packages Bulwark's build and test suite need.
# Idempotent: only packages that are not installed yet are fetched.
# Usage: scripts/install-deps.sh [--check]   (--check: list what is missing, install nothing)
set -eu

PKGS="
build-essential meson ninja-build pkg-config clang llvm lld libclang-rt-14-dev
libarchive-dev libjansson-dev libfyaml-dev libcmocka-dev
libcurl4-gnutls-dev libmicrohttpd-dev libgnutls28-dev nettle-dev
libsqlite3-dev sqlite3 libpq-dev libzstd-dev zlib1g-dev
libbpf-dev bpftool libelf-dev
libnetfilter-queue-dev libmnl-dev libnftables-dev libpcap-dev libpcre2-dev
debootstrap rpm db5.3-util skopeo docker-registry runc crun busybox-static
docker.io podman golang-go zstd gzip tar unzip zip openssl gnutls-bin apache2-utils
iproute2 iptables conntrack curl jq procps python3 python3-venv ca-certificates gpg time python3-yaml binutils
libcommons-lang3-java libcommons-io-java libguava-java libslf4j-java
"

# Node.js and npm (the schema checks in tests/js): a machine that already
# has a node (e.g. from NodeSource, which bundles npm) keeps it; Debian's
# packages would conflict with it.
if ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "install-deps: all Debian packages present"
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "install-deps: missing:$missing"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing; run as root to install them" >&2
	exit 2
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Services must never start on install (tests start what they need by PID).
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

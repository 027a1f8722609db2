# tests/integration/lib.sh - shared helpers for the end-to-end tests.
# Source it: `. "$(dirname "$0")/lib.sh"`. Tests print TAP on stdout:
#   plan N; ok COND "name"; is GOT WANT "name"; skip "why"; done_testing
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${BW_SHARED:-$(cd "$ROOT/../shared" 2>/dev/null && pwd)}
BULWARK=${BULWARK:-$ROOT/build/src/cli/bulwark}
FIXTURES=${BW_FIXTURES:-$ROOT/build/fixtures}   # built once, reused across tests and runs
mkdir -p "$FIXTURES"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bw-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_T=0
_FAILED=0

plan() { echo "1..$1"; }
diag() { printf '# %s\n' "$*" | sed '2,$s/^/# /'; }
pass() { _T=$((_T + 1)); echo "ok $_T - $1"; }
fail() { _T=$((_T + 1)); _FAILED=$((_FAILED + 1)); echo "not ok $_T - $1"; }
# ok CMD... : passes when the command succeeds; the name is the last word set via NAME=
ok() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
is() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3"; diag "got:  '$1'" "want: '$2'"; fi; }
skip() { _T=$((_T + 1)); echo "ok $_T - $1 # SKIP ${2:-}"; }
done_testing() { echo "1..$_T"; exit 0; }
need_root() { [ "$(id -u)" = 0 ]; }

# fixture_lock NAME: serialise fixture builds (tests may run in parallel).
fixture_lock() { exec 9>"$FIXTURES/.$1.lock"; flock 9; }
fixture_unlock() { flock -u 9; }

# debian_rootfs: a minimal Debian 12 root filesystem made by debootstrap from
# the Debian mirror, built once (about 25 s) and reused. Prints its path.
debian_rootfs() {
	local dir="$FIXTURES/debian-rootfs"
	fixture_lock debian-rootfs
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		local mirror
		mirror=$(awk '/^deb / && /debian/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
		[ -n "$mirror" ] || mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
		[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
		debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$FIXTURES/debootstrap.log" 2>&1 || {
			fixture_unlock; echo "debootstrap failed, see $FIXTURES/debootstrap.log" >&2; return 1; }
		rm -rf "$dir/var/cache/apt/archives/"*.deb
		touch "$dir/.complete"
	fi
	fixture_unlock
	echo "$dir"
}

# debian_rootfs_with NAME PKG...: the Debian rootfs copied once into
# $FIXTURES/debian-NAME with PKG... installed by apt-get inside it (chroot;
# /proc mounted while apt runs when allowed). Built once, reused; prints its
# path. The log is $FIXTURES/debian-NAME.log.
debian_rootfs_with() {
	local name=$1 base dir rc=0 proc=0
	shift
	dir="$FIXTURES/debian-$name"
	base=$(debian_rootfs) || return 1
	fixture_lock "debian-$name"
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		cp -a "$base" "$dir" && rm -f "$dir/.complete" &&
			cp /etc/resolv.conf "$dir/etc/resolv.conf" || rc=1
		if [ $rc = 0 ]; then
			mount -t proc proc "$dir/proc" 2>/dev/null && proc=1
			{ chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
				chroot "$dir" env DEBIAN_FRONTEND=noninteractive \
					apt-get install -y -qq --no-install-recommends "$@"; } \
				>"$FIXTURES/debian-$name.log" 2>&1 || rc=1
			[ $proc = 1 ] && umount "$dir/proc"
		fi
		rm -rf "$dir/var/cache/apt/archives/"*.deb
		[ $rc = 0 ] && touch "$dir/.complete"
	fi
	fixture_unlock
	[ $rc = 0 ] || { echo "building $dir failed, see $FIXTURES/debian-$name.log" >&2; return 1; }
	echo "$dir"
}

#!/bin/sh
# fresh-check.sh: runs .ci/run on a clean clone inside a freshly bootstrapped
# Debian 12, to prove that `make test` does all its own set-up.
#
#   sh tests/fresh-check.sh [DIR]     (as root; `make fresh-check`)
#
# DIR (default /var/tmp/staticroot-fresh, outside the tree so that no
# `make clean` ever walks into its mounts) gets a minimal bookworm from debootstrap with
# only what a new machine of ours has (gcc, make, git, python3, curl, ...);
# everything else must come from the tests' own apt-get calls.  The host's
# extra CA certificates and npm settings are copied in (a TLS-inspecting
# proxy in front of the npm registry needs them).  The chroot shares the
# host's network, so the tests still use 127.0.0.1 only.  Reuses DIR when it
# is there: remove it for a really fresh run.  Not part of `make test`: it
# needs root and the Debian mirror, and takes about 10 minutes.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/var/tmp/staticroot-fresh}
root=$dir/root
base="gcc make git ca-certificates python3 curl xz-utils procps systemd psmisc"

[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null 2>&1 ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
# Leftover mounts of a killed run first: never rm -r through /dev or /sys.
unmount() {
	for m in tmp sys dev proc; do
		umount -R "$root/$m" 2>/dev/null || true
	done
}
unmount
if [ ! -x "$root/usr/bin/gcc" ]; then
	rm -rf --one-file-system "$root"
	mkdir -p "$dir"
	echo "fresh-check: debootstrap bookworm into $root"
	debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
		>"$dir/debootstrap.log" 2>&1 ||
		{ echo "fresh-check: debootstrap failed (see $dir/debootstrap.log)" >&2; exit 1; }
fi

trap unmount EXIT INT TERM
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mount -t tmpfs tmpfs "$root/tmp"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -d /usr/local/share/ca-certificates ]; then
	cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
[ -f /etc/npmrc ] && cp /etc/npmrc "$root/etc/npmrc"

in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt /bin/sh -c "$1"
}
echo "fresh-check: the base a new machine has: $base"
in_root "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q $base >/dev/null && update-ca-certificates >/dev/null"

rm -rf --one-file-system "$root/root/staticroot"
git clone -q "$top" "$root/root/staticroot"
echo "fresh-check: .ci/run on a clean clone of $(git -C "$top" rev-parse --short HEAD)"
in_root 'cd /root/staticroot && sh .ci/run'

#!/usr/bin/env bash
# Downloads a Debian package once into DIR and unpacks it into DIR/root-PACKAGE; prints that folder. Nothing is
# installed. PACKAGE `kernel` means the kernel image Debian's linux-image-amd64 depends on (its name is
# printed as the folder's suffix). Used by scripts/lab.sh and bench/numa-guest.sh for the guests' kernel and
# busybox.
#
# usage: scripts/debian-package.sh DIR PACKAGE
# exit: 0 unpacked (or already), 77 the package cannot be downloaded here (no package lists, no mirror),
#       1 it was downloaded and cannot be unpacked, 2 usage.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: scripts/debian-package.sh DIR PACKAGE" >&2; exit 2; }
dir=$1 package=$2
if [ "$package" = kernel ]; then
    package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}' || true)
    [ -n "$package" ] || { echo "apt-cache knows no linux-image-amd64 (no Debian package lists)" >&2; exit 77; }
fi
mkdir -p "$dir"
cd "$dir"
root=$PWD/root-$package
[ -d "$root" ] && { echo "$root"; exit 0; }
if ! ls "${package}"_*.deb >/dev/null 2>&1; then
    apt-get download "$package" >/dev/null 2>&1 || { echo "cannot download $package (apt-get download)" >&2; exit 77; }
fi
# Unpacked beside and renamed, so an interrupted unpack is never taken for a finished one.
rm -rf "$root.partial"
dpkg-deb -x "${package}"_*.deb "$root.partial" || { echo "cannot unpack ${package}_*.deb in $dir" >&2; exit 1; }
mv "$root.partial" "$root"
echo "$root"

#!/usr/bin/env bash
# `make lab`: a NUMA lab on one machine. Boots a QEMU machine shaped like a small dual-socket host (2 sockets
# x 2 cores x 2 threads, one NUMA node per socket, distances 10/21, 1.5 GiB per node) on Debian's kernel,
# with this machine's own root shared into it read-only (9p, a tmpfs overlay on top), so the lab has this
# machine's libvirt, QEMU and conform and there is no second OS image. scripts/lab-inside.sh then runs in it:
# libvirtd, three guests pinned as checks/lab.yaml designs, conform's host, hypervisor and quick bench layers,
# a capture (the source of fixtures/lab/), and each drift made, checked and undone. Its reports come back
# into OUT (default reports/lab/ of the repository); this script prints what each check found.
#
# usage: scripts/lab.sh [OUT]
# environment: CONFORM (default .build-lab/swift/release/conform, `make lab-conform`: a release build for the
#              lab's emulated CPU, x86-64-v3; a debug build is 5x slower there, one built for an AVX-512 host
#              dies of SIGILL in the benchmarks),
#              LAB_ACCEL (kvm or tcg; default kvm where /dev/kvm can boot Debian's kernel),
#              LAB_TIMEOUT (seconds the lab's machine may run, default 1200),
#              LAB_INSIDE (another script to run in the lab instead of scripts/lab-inside.sh, to try things).
# exit: 0 the lab ran to its end and checked what it is for (the lab as designed passes, each drift's check
#       fails, the capture was taken: scripts/lab-results.py), 1 it did not,
#       2 usage, 77 it cannot run here (the reason is printed), 130/143 interrupted (SIGINT/SIGTERM).
#
# Needs root, qemu-system-x86_64, cpio, python3 and apt-get: Debian's kernel and busybox-static are downloaded
# once into .build-lab/ (scripts/debian-package.sh) and unpacked there; nothing is installed. The lab's own
# writes land in its tmpfs; on this machine it writes only .build-lab/ and OUT, as OUT.partial renamed when
# the lab has finished. Stopped on any path, it leaves no QEMU, no OUT.partial and no run folder.
set -euo pipefail
usage() { echo "usage: scripts/lab.sh [OUT]   (default reports/lab; see the head of scripts/lab.sh)"; }
case ${1:-} in
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 2; }
repo=$(realpath "$(dirname "$0")/..")
# Paths the caller gives are theirs: resolved in the directory they ran this from.
out=$(realpath -m "${1:-$repo/reports/lab}")
conform=$(realpath -m "${CONFORM:-$repo/.build-lab/swift/release/conform}")
inside=$(realpath -m "${LAB_INSIDE:-$repo/scripts/lab-inside.sh}")
timeout=${LAB_TIMEOUT:-1200}
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { echo "lab: LAB_TIMEOUT must be a whole number of seconds, not '$timeout'" >&2; exit 2; }
# They travel on QEMU's and the kernel's command lines, which split at spaces and commas.
for path in "$repo" "$out" "$conform" "$inside"; do
    [[ $path =~ ^[A-Za-z0-9_./+-]+$ ]] || { echo "lab: '$path' has characters the lab cannot pass on (spaces, commas…)" >&2; exit 2; }
done
# OUT is replaced when the lab has finished: only a folder of an earlier lab (its timings.txt) may be there.
if [ -e "$out" ] && ! [ -f "$out/timings.txt" ]; then
    echo "lab: $out exists and is not the output of an earlier lab: name a new folder" >&2
    exit 2
fi
partial=$out.partial
if [ -e "$partial" ] && ! [ -f "$partial/serial.log" ]; then
    echo "lab: $partial exists and is not an interrupted lab's: remove it or name another OUT" >&2
    exit 2
fi
cd "$repo"
work=$repo/.build-lab
skip() { echo "lab: cannot run here: $*" >&2; exit 77; }

for tool in qemu-system-x86_64 cpio python3 apt-get dpkg-deb; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (make setup)"
done
if ! [ -x "$conform" ]; then
    [ -z "${CONFORM:-}" ] || { echo "lab: CONFORM=$CONFORM is no executable" >&2; exit 2; }
    skip "no conform binary at $conform (make lab-conform builds it, or set CONFORM)"
fi
# The lab's libvirt runs its guests as root-owned QEMU processes and the 9p share is read as root.
[ "$(id -u)" -eq 0 ] || skip "the lab's libvirtd and its 9p share of / need root"

# KVM where it can boot Debian's kernel. A PVM host (kvm_pvm, as on this project's sandboxes) offers
# /dev/kvm but runs only guest kernels built for PVM, so the lab uses TCG there.
accel=${LAB_ACCEL:-}
accel_why=
if [ -z "$accel" ]; then
    if [ -d /sys/module/kvm_pvm ]; then
        accel=tcg accel_why="/dev/kvm is PVM's (kvm_pvm), which boots only PVM guest kernels"
    elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
        accel=kvm
    else
        accel=tcg accel_why="/dev/kvm is not usable by $(id -un)"
    fi
fi
case $accel in
    kvm) accel_flags=(-accel kvm -cpu host) ;;
    # As GenuineIntel: an AMD model without topoext (which TCG lacks) shows Linux no SMT siblings at all.
    tcg) accel_flags=(-accel tcg,thread=multi -cpu max,vendor=GenuineIntel) ;;
    *) echo "lab: LAB_ACCEL must be kvm or tcg, not '$accel'" >&2; exit 2 ;;
esac

# Everything of this run, removed on every path; set before the first download, so that a signal during one
# stops it too (a half-unpacked package is never taken for a whole one: scripts/debian-package.sh).
run=
qemu_pid=
cleanup() {
    set +e
    if [ -n "$qemu_pid" ]; then
        kill -9 "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    rm -rf "$partial" ${run:+"$run"}
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

package() {
    local root status=0
    root=$(scripts/debian-package.sh "$work/debs" "$1") || status=$?
    [ "$status" -ne 77 ] || skip "Debian's $1 package cannot be downloaded"
    [ "$status" -eq 0 ] || exit 1
    echo "$root"
}
kernel_root=$(package kernel)
busybox_root=$(package busybox-static)
vmlinuz=$(ls "$kernel_root"/boot/vmlinuz-*)
modules=$(ls -d "$kernel_root"/lib/modules/*)

# The initramfs, in a folder of this run (two labs may run at once): busybox, the modules 9p and overlayfs
# need, and an /init that mounts this machine's root read-only with a tmpfs over it and hands over to
# scripts/lab-inside.sh.
run=$(mktemp -d "$work/run.XXXXXX")
initramfs=$run/initramfs
mkdir -p "$initramfs"/{bin,dev,proc,sys,lower,rw,newroot,modules}
cp "$busybox_root/bin/busybox" "$initramfs/bin/busybox"
for tool in sh mount umount insmod mkdir switch_root echo; do ln -s busybox "$initramfs/bin/$tool"; done
module_list="virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay"
for module in $module_list; do
    cp "$(find "$modules" -name "$module.ko")" "$initramfs/modules/"
done
cat >"$initramfs/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# No modules.dep: load in rounds until every module's dependencies are in.
for round in 1 2 3 4; do
    for module in $module_list; do [ -e /sys/module/\$module ] || insmod /modules/\$module.ko 2>/dev/null; done
done
fail() { echo "lab: \$*"; echo o > /proc/sysrq-trigger; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose root /lower || fail "cannot mount the root share"
mount -t tmpfs -o size=1g tmpfs /rw && mkdir /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || fail "cannot mount the overlay"
mkdir -p /newroot/lab-out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /newroot/lab-out || fail "cannot mount the output share"
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash $inside
EOF
chmod +x "$initramfs/init"
(cd "$initramfs" && find . | cpio --quiet -o -H newc | gzip -1) >"$run/initramfs.cpio.gz"

rm -rf "$partial"
mkdir -p "$partial"
echo "lab: booting $(basename "$kernel_root" | sed 's/^root-//') under ${accel^^}${accel_why:+ ($accel_why)}, 2 sockets x 2 cores x 2 threads, 2 nodes"
started=$(date +%s.%N)
# 8 vCPUs, two nodes of 1.5 GiB each with the distance of a dual-socket Xeon; this machine's / read-only and
# OUT.partial read-write over virtio-9p; the serial console into serial.log.
qemu-system-x86_64 -machine q35 "${accel_flags[@]}" -m 3G -smp 8,sockets=2,cores=2,threads=2 \
    -object memory-backend-ram,id=m0,size=1536M -object memory-backend-ram,id=m1,size=1536M \
    -numa node,nodeid=0,cpus=0-3,memdev=m0 -numa node,nodeid=1,cpus=4-7,memdev=m1 \
    -numa dist,src=0,dst=1,val=21 \
    -kernel "$vmlinuz" -initrd "$run/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 LAB_REPO=$repo LAB_CONFORM=$conform" \
    -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$partial,mount_tag=out,security_model=none" \
    -display none -serial "file:$partial/serial.log" -monitor none -no-reboot &
qemu_pid=$!
# The lab's serial console without the kernel's own lines (a panic's register dump is not the story).
console() { tr -d '\r' <"$partial/serial.log" 2>/dev/null | grep -av '^\[ *[0-9.]*\] ' || true; }
waited=0
while kill -0 "$qemu_pid" 2>/dev/null; do
    if [ "$waited" -ge "$timeout" ]; then
        echo "lab: still running after $timeout s; stopped. Its serial console ends:" >&2
        console | tail -30 >&2
        cp "$partial/serial.log" "$work/serial.log" 2>/dev/null || true
        exit 1
    fi
    sleep 1
    waited=$((waited + 1))
done
qemu_status=0
wait "$qemu_pid" || qemu_status=$?
qemu_pid=
printf 'lab: the lab ran %.0f s (boot to power-off)\n' "$(echo "$(date +%s.%N) - $started" | bc)"
console | grep -a '^lab: ' || true
# Kept for a look after a failure: the lab's output folder is only kept when the lab finished.
cp "$partial/serial.log" "$work/serial.log" 2>/dev/null || true
if [ "$(cat "$partial/status" 2>/dev/null)" != ok ]; then
    echo "lab: the lab did not finish (QEMU exit $qemu_status); its serial console (all of it in $work/serial.log) ends:" >&2
    console | tail -30 >&2
    exit 1
fi
rm -rf "$out"
mv "$partial" "$out"
python3 scripts/lab-results.py "$out"

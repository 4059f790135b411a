#!/usr/bin/env bash
# The memory matrix on more than one NUMA node without such a machine: boots a QEMU guest (software
# emulation) with two NUMA nodes of two CPUs each and a distance of 21 between them, and runs conform in it
# from an initramfs: `conform facts`, `conform bench memory` over every (CPU node, memory node) cell, and
# the bench checks of the generic profile.
#
# Emulated memory has no NUMA penalty, so remote cells come out as fast as local ones: what this shows is
# that every cell is measured, that each cell's arrays really lie on its memory node (off-node share), and
# that the checks then warn that the matrix contradicts the distance table. Figures are TCG's, not a
# machine's.
#
# Usage: bench/numa-guest.sh [ARRAY_SIZE]    (default 32MiB; raised to 4x the guest's last-level cache)
# Needs qemu-system-x86_64 and apt-get (scripts/debian-package.sh downloads Debian's kernel, busybox-static and
# cpio packages into .build-guest/ and unpacks them there; nothing is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-32MiB}
work=.build-guest
mkdir -p "$work/debs"

# conform with the Swift runtime linked in, its kernels for a CPU TCG emulates (AVX2, no AVX-512).
CONFORM_MARCH=x86-64-v3 swift build -c release --static-swift-stdlib --scratch-path "$work/swift" >&2
binary="$work/swift/release/conform"

kernel_root=$(scripts/debian-package.sh "$work/debs" kernel)
busybox_root=$(scripts/debian-package.sh "$work/debs" busybox-static)
cpio_root=$(scripts/debian-package.sh "$work/debs" cpio)
vmlinuz=$(ls "$kernel_root"/boot/vmlinuz-*)
cpio_tool=$cpio_root/bin/cpio

# The initramfs: busybox, conform and every library it loads, and an /init that runs it and powers off.
initramfs="$work/initramfs"
rm -rf "$initramfs"
mkdir -p "$initramfs"/{bin,dev,proc,sys,tmp,checks}
cp "$busybox_root/bin/busybox" "$initramfs/bin/busybox"
for tool in sh mount poweroff cat grep tr; do ln -s busybox "$initramfs/bin/$tool"; done
cp "$binary" "$initramfs/bin/conform"
cp -r checks/. "$initramfs/checks/"
# likwid-bench beside it when the host has it, to try its per-cell stream placement on two nodes.
likwid=$(command -v likwid-bench || true)
programs=("$binary")
if [ -n "$likwid" ]; then
    cp "$likwid" "$initramfs/bin/likwid-bench"
    # It refuses to start unless its access daemon is on PATH, even though the benchmark never uses it.
    mkdir -p "$initramfs/usr/sbin"
    cp /usr/sbin/likwid-accessD "$initramfs/usr/sbin/"
    programs+=("$likwid" /usr/sbin/likwid-accessD)
fi
for program in "${programs[@]}"; do
    ldd "$program" | awk '/=> \// {print $3} /^\t\/lib64/ {print $1}'
done | sort -u | while read -r library; do
    mkdir -p "$initramfs$(dirname "$library")"
    cp -L "$library" "$initramfs$library"
done
cat >"$initramfs/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
export CONFORM_CHECKS=/checks HOME=/tmp PATH=/bin:/usr/sbin
cd /tmp
echo '=== facts'
conform facts --json
echo '=== bench memory'
conform bench memory --size $size --repetitions 3 --json
echo '=== bench memory (text)'
conform bench memory --size $size --repetitions 3
echo '=== run generic bench'
conform run --profile generic --layers bench --quick --format console
echo "=== exit \$?"
if [ -x /bin/likwid-bench ]; then
    echo '=== likwid-bench stream_avx (triad), 3 streams of 64 MB, 2 threads'
    for cell in "0 0" "0 1" "1 0" "1 1"; do
        set -- \$cell
        placement="M\$1:192MB:2"
        [ "\$1" != "\$2" ] && placement="\$placement-0:M\$2,1:M\$2,2:M\$2"
        echo "cpu\$1 mem\$2 (-w \$placement): \$(likwid-bench -t stream_avx -w \$placement 2>&1 | grep -E 'MByte/s|rror' | tr -s ' ')"
    done
fi
poweroff -f
EOF
chmod +x "$initramfs/init"
(cd "$initramfs" && find . | "$cpio_tool" --quiet -o -H newc | gzip -1) >"$work/initramfs.cpio.gz"

timeout 1800 qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max -m 2G \
    -smp 4,sockets=2,cores=2,threads=1 \
    -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G \
    -numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,cpus=2-3,memdev=m1 \
    -numa dist,src=0,dst=1,val=21 \
    -kernel "$vmlinuz" -initrd "$work/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 transparent_hugepage=never" \
    -nographic -no-reboot | tr -d '\r' | sed -n 's/^.*=== facts/=== facts/; /=== facts/,$p'

#!/usr/bin/env bash
# A disk of known speed: an ext4 file system on a loop device over an image file, mounted at DIR, whose reads
# and writes are capped by a cgroup v1 blkio throttle on the loop device's MAJ:MIN. A process in the cgroup
# that does O_DIRECT I/O on DIR sees a disk of RATE bytes per second, whatever the disk under /var/tmp can do
# (blk-throttle lets up to 100 ms of bytes more through per transfer: 0-4 % of one that lasts 2.5 s). cgroup
# v1 throttles no buffered write (writeback is not charged to the writer's cgroup), so this holds for direct
# I/O only.
#
#   scripts/throttled-disk.sh up DIR [RATE_BYTES_PER_S=104857600] [SIZE=512M]
#       creates DIR if missing (it must be empty), mounts the disk there and prints, one KEY=value a line,
#       CGROUP (the cgroup folder), DEVICE (the loop device), MAJMIN, RATE and IMAGE
#   scripts/throttled-disk.sh run DIR -- COMMAND [ARG...]
#       runs COMMAND inside DIR's cgroup (it and everything it starts are throttled)
#   scripts/throttled-disk.sh down DIR
#       unmounts, detaches the loop device, removes the cgroup, the image and DIR if up created it; safe to
#       call twice, or after an up that stopped half-way
#
# Everything is named after DIR (its absolute path hashed), so down needs nothing but DIR. The image lives in
# /var/tmp, never in the repository (and, being cached, needs SIZE of free memory while the disk is up).
#
# Exit codes: 0 done, 1 failed (the message says what), 2 usage, 77 this machine cannot do it (not root, no
# blkio v1 hierarchy with throttling, no loop device, no mkfs.ext4): one line on stderr says which, and a
# caller such as a test skips with it.
set -euo pipefail

me=throttled-disk.sh
usage() {
    echo "usage: $me up DIR [RATE_BYTES_PER_S] [SIZE] | run DIR -- COMMAND... | down DIR" >&2
    exit 2
}
fail() {
    echo "$me: $*" >&2
    exit 1
}
cannot() {
    echo "$me: $*" >&2
    exit 77
}

action=${1:-}
[ $# -ge 2 ] || usage
dir=$(realpath -m -- "$2")
key=$(printf '%s' "$dir" | sha1sum | cut -c1-12)
state=/var/tmp/conform-throttle-$key
image=$state/disk.img
name=conform-throttle-$key

# The blkio v1 hierarchy's mount point, empty when there is none.
blkio_root() {
    awk '$3 == "cgroup" && $4 ~ /(^|,)blkio(,|$)/ { print $2; exit }' /proc/self/mounts
}

# The loop devices attached to the image (none after down, or before up got that far).
loops_of_image() {
    [ -e "$image" ] || return 0
    losetup -n -O NAME -j "$image" 2>/dev/null || true
}

down() {
    local status=0 root cg loop source pid
    # Unmount first: the loop device cannot be detached while mounted.
    if source=$(findmnt -n -o SOURCE --mountpoint "$dir" 2>/dev/null); then
        for loop in $(loops_of_image); do
            if [ "$source" = "$loop" ]; then
                umount "$dir" 2>/dev/null || umount -l "$dir" || { echo "$me: cannot unmount $dir" >&2; status=1; }
            fi
        done
    fi
    for loop in $(loops_of_image); do
        losetup -d "$loop" || { echo "$me: cannot detach $loop (the image $image)" >&2; status=1; }
    done
    root=$(blkio_root)
    cg=$root/$name
    if [ -n "$root" ] && [ -d "$cg" ]; then
        # A process still inside (a run that outlived its caller) would keep the folder: move it out.
        while read -r pid; do
            echo "$pid" >"$root/cgroup.procs" 2>/dev/null || true
        done <"$cg/cgroup.procs"
        rmdir "$cg" || { echo "$me: cannot remove the cgroup $cg" >&2; status=1; }
    fi
    # The image is how the next `down` finds a loop device still attached to it: kept until all is detached.
    [ "$status" -eq 0 ] || return "$status"
    rm -f "$image" "$state/losetup.err"
    if [ -f "$state/created-dir" ]; then
        rmdir "$dir" 2>/dev/null || true
    fi
    rm -f "$state/created-dir"
    if [ -d "$state" ]; then
        rmdir "$state" || { echo "$me: cannot remove $state" >&2; status=1; }
    fi
    return "$status"
}

up() {
    local rate=${1:-104857600} size=${2:-512M} root loop majmin
    [[ $rate =~ ^[1-9][0-9]*$ ]] || fail "the rate must be a whole number of bytes per second, not '$rate'"

    [ "$(id -u)" -eq 0 ] || cannot "needs root (loop devices, mount and cgroups), running as uid $(id -u)"
    root=$(blkio_root)
    [ -n "$root" ] || cannot "no cgroup v1 blkio hierarchy is mounted (see /proc/self/mounts)"
    [ -w "$root/blkio.throttle.write_bps_device" ] && [ -w "$root/blkio.throttle.read_bps_device" ] \
        || cannot "the blkio hierarchy at $root has no writable blkio.throttle.*_bps_device" \
            "(CONFIG_BLK_DEV_THROTTLING?)"
    command -v losetup >/dev/null || cannot "losetup is not installed (util-linux)"
    command -v mkfs.ext4 >/dev/null || cannot "mkfs.ext4 is not installed (e2fsprogs)"
    [ -e /dev/loop-control ] || cannot "no loop devices here (/dev/loop-control is missing)"

    if [ -d "$state" ] || [ -d "$root/$name" ]; then
        fail "a throttled disk is already up at $dir (or a half one is left): run '$me down $dir' first"
    fi
    if [ -e "$dir" ] && [ -n "$(ls -A -- "$dir")" ]; then fail "$dir is not empty"; fi

    # From here on, anything that stops up half-way (an error, a signal) undoes what it did.
    trap 'status=$?; if [ "$status" -ne 0 ]; then down || true; fi; exit "$status"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    mkdir -p "$state"
    if [ ! -e "$dir" ]; then
        mkdir -p "$dir"
        : >"$state/created-dir"
    fi
    # Allocated up front, so a write through the loop device never waits for the file system under the image.
    fallocate -l "$size" "$image" 2>/dev/null || truncate -s "$size" "$image"
    # No journal and no lazy initialisation: nothing but the benchmark writes to the disk once it is mounted.
    mkfs.ext4 -q -F -O ^has_journal -E lazy_itable_init=0,nodiscard "$image" \
        || fail "mkfs.ext4 $image failed"
    # The throttle caps the requests to the loop device, whatever serves them below it, so the store under
    # the loop device only has to be faster than RATE, in every respect. Buffered I/O on the image (the
    # loop device's default, named here) makes it memory-fast whatever the disk under /var/tmp can do;
    # with --direct-io=on the figure would rest on that disk's speed again.
    loop=$(losetup --find --show --direct-io=off "$image" 2>"$state/losetup.err") \
        || cannot "no loop device can be attached here: $(head -n1 "$state/losetup.err")"
    rm -f "$state/losetup.err"
    majmin=$(cat "/sys/block/${loop#/dev/}/dev")
    # A disk without a volatile write cache: the block layer drops the cache flush of the benchmark's
    # fsync, which the loop device would otherwise turn into an fsync of the image and so into writing the
    # image's dirty pages to the disk under it (and that disk's own cache flush), adding its speed to the
    # write figure.
    echo "write through" >"/sys/block/${loop#/dev/}/queue/write_cache" \
        || fail "cannot make $loop write-through (/sys/block/${loop#/dev/}/queue/write_cache)"
    mount -o noatime "$loop" "$dir" || fail "cannot mount $loop on $dir"

    mkdir "$root/$name"
    echo "$majmin $rate" >"$root/$name/blkio.throttle.read_bps_device"
    echo "$majmin $rate" >"$root/$name/blkio.throttle.write_bps_device"
    # Setting a limit starts a throttle slice (100 ms at most), and a first request within it is credited
    # with the time since: a benchmark started at once wrote 256 MiB at 110 MB/s instead of 106.6. Let it end.
    sleep 0.3

    printf 'CGROUP=%q\nDEVICE=%q\nMAJMIN=%q\nRATE=%q\nIMAGE=%q\n' "$root/$name" "$loop" "$majmin" "$rate" "$image"
}

run() {
    local root
    [ "${1:-}" = -- ] && shift
    [ $# -ge 1 ] || usage
    root=$(blkio_root)
    [ -n "$root" ] && [ -d "$root/$name" ] || fail "no throttled disk is up at $dir (run '$me up $dir' first)"
    echo "$BASHPID" >"$root/$name/cgroup.procs"
    exec "$@"
}

case $action in
    up) shift 2; [ $# -le 2 ] || usage; up "$@" ;;
    run) shift 2; run "$@" ;;
    down) [ $# -eq 2 ] || usage; down ;;
    *) usage ;;
esac

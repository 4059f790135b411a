#!/usr/bin/env bash
# conform's staging-disk figures next to fio's with the same parameters (O_DIRECT, sequential, block size,
# queue depth, fsync at the end of the write), runs interleaved. By default on a disk of known speed:
# scripts/throttled-disk.sh's loop device, capped at THROTTLE bytes/s (default 104857600 = 100 MiB/s), both
# tools run inside its cgroup; it is taken down on every exit, Ctrl-C included. Prints the medians, the ratio
# conform / fio and, on the throttled disk, each against the throttle. Given a DIR instead, it measures the
# disk DIR is on (whose speed may move from run to run: interleaving only evens that out between the tools).
# The throttled disk needs root, a cgroup v1 blkio hierarchy and loop devices. Not a test: numbers for notes.
#
# usage: bench/disk-fidelity.sh [throttled|DIR] [size=512MiB throttled, 2GiB on DIR] [block=1MiB] [queue depth=1]
#                               [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-throttled}
if [ "$target" = throttled ]; then size=${2:-512MiB}; else size=${2:-2GiB}; fi
block=${3:-1MiB}; qd=${4:-1}; runs=${5:-5}
conform=${CONFORM:-.build/release/conform}
rate=${THROTTLE:-104857600}
command -v fio >/dev/null || { echo "fio is not installed (apt-get install fio)"; exit 1; }
[ -x "$conform" ] || { echo "$conform is not built (swift build -c release)"; exit 1; }
fio_size=${size/iB/}  # fio reads 2G as 2 GiB
fio_block=${block/iB/}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measurement() {
  python3 -c 'import json,sys; print({x["name"]: x["value"] for x in json.load(sys.stdin)["measurements"]}[sys.argv[1]])' "$1"
}
engine=psync; [ "$qd" -gt 1 ] && engine=libaio

file=
work=
disk=
cleanup() {
  set +e  # every step runs, whatever the one before it did
  [ -z "$file" ] || rm -f "$file"
  if [ -n "$disk" ]; then
    scripts/throttled-disk.sh down "$disk" || echo "the throttled disk at $disk is not all taken down" >&2
  fi
  [ -z "$work" ] || rmdir "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ "$target" = throttled ]; then
  # Room for the file, ext4's own blocks and the 5 % it keeps for root.
  bytes=$(numfmt --from=auto "${size%B}")
  work=$(mktemp -d /var/tmp/conform-disk-fidelity.XXXXXX)
  disk=$work/disk
  scripts/throttled-disk.sh up "$disk" "$rate" $((bytes + bytes / 4 + 64 * 1048576)) >/dev/null
  dir=$disk
  inside() { scripts/throttled-disk.sh run "$disk" -- "$@"; }
else
  dir=$target
  inside() { "$@"; }
fi

cw=(); cr=(); fw=(); fr=()
for _ in $(seq "$runs"); do
  json=$(inside "$conform" bench disk --dir "$dir" --size "$size" --block-size "$block" --queue-depth "$qd" --min-free 0 --json)
  cw+=("$(echo "$json" | measurement disk.write)")
  cr+=("$(echo "$json" | measurement disk.read)")
  file="$dir/.fio-fidelity.$$"
  w=$(inside fio --name=w --filename="$file" --rw=write --bs="$fio_block" --size="$fio_size" --direct=1 --ioengine=$engine --iodepth="$qd" \
        --end_fsync=1 --output-format=json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["write"]["bw_bytes"] / 1e6)')
  r=$(inside fio --name=r --filename="$file" --rw=read --bs="$fio_block" --size="$fio_size" --direct=1 --ioengine=$engine --iodepth="$qd" \
        --output-format=json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw_bytes"] / 1e6)')
  rm -f "$file"
  fw+=("$w"); fr+=("$r")
done
if [ -n "$disk" ]; then
  limit=$(echo "$rate / 1000000" | bc -l)
  printf 'throttled disk (loop device, blkio throttle %d B/s = %.2f MB/s), ' "$rate" "$limit"
else
  echo -n "dir $dir, "
fi
echo "$size, blocks $block, queue depth $qd (fio: $engine), $runs interleaved runs, MB/s = 10^6 B/s"
for pair in "write:cw:fw" "read:cr:fr"; do
  IFS=: read -r name ours theirs <<<"$pair"
  declare -n o=$ours t=$theirs
  om=$(printf '%s\n' "${o[@]}" | median); tm=$(printf '%s\n' "${t[@]}" | median)
  printf '%-6s conform %8.1f  fio %8.1f  ratio %.3f' "$name" "$om" "$tm" "$(echo "$om / $tm" | bc -l)"
  if [ -n "$disk" ]; then
    printf '  conform/throttle %.3f  fio/throttle %.3f' \
      "$(echo "$om / $limit" | bc -l)" "$(echo "$tm / $limit" | bc -l)"
  fi
  echo
done

#!/usr/bin/env bash
# conform's staging-disk figures next to fio's with the same parameters (O_DIRECT, sequential, block size,
# queue depth, fsync at the end of the write) on the same directory, runs interleaved. Prints medians and
# the ratio conform / fio. Not a test: numbers for notes.
#
# usage: bench/disk-fidelity.sh DIR [size=2GiB] [block=1MiB] [queue depth=1] [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: bench/disk-fidelity.sh DIR [size] [block] [qd] [runs]}
size=${2:-2GiB}; block=${3:-1MiB}; qd=${4:-1}; runs=${5:-5}
conform=${CONFORM:-.build/release/conform}
command -v fio >/dev/null || { echo "fio is not installed (apt-get install fio)"; exit 1; }
fio_size=${size/iB/}  # fio reads 2G as 2 GiB
fio_block=${block/iB/}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
engine=psync; [ "$qd" -gt 1 ] && engine=libaio
cw=(); cr=(); fw=(); fr=()
for _ in $(seq "$runs"); do
  json=$("$conform" bench disk --dir "$dir" --size "$size" --block-size "$block" --queue-depth "$qd" --min-free 0 --json)
  cw+=("$(echo "$json" | python3 -c 'import json,sys; m={x["name"]: x["value"] for x in json.load(sys.stdin)["measurements"]}; print(m["disk.write"])')")
  cr+=("$(echo "$json" | python3 -c 'import json,sys; m={x["name"]: x["value"] for x in json.load(sys.stdin)["measurements"]}; print(m["disk.read"])')")
  file="$dir/.fio-fidelity.$$"
  w=$(fio --name=w --filename="$file" --rw=write --bs="$fio_block" --size="$fio_size" --direct=1 --ioengine=$engine --iodepth="$qd" \
        --end_fsync=1 --output-format=json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["write"]["bw_bytes"] / 1e6)')
  r=$(fio --name=r --filename="$file" --rw=read --bs="$fio_block" --size="$fio_size" --direct=1 --ioengine=$engine --iodepth="$qd" \
        --output-format=json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw_bytes"] / 1e6)')
  rm -f "$file"
  fw+=("$w"); fr+=("$r")
done
echo "dir $dir, $size, blocks $block, queue depth $qd (fio: $engine), $runs interleaved runs, MB/s = 10^6 B/s"
for pair in "write:cw:fw" "read:cr:fr"; do
  IFS=: read -r name ours theirs <<<"$pair"
  declare -n o=$ours t=$theirs
  om=$(printf '%s\n' "${o[@]}" | median); tm=$(printf '%s\n' "${t[@]}" | median)
  printf '%-6s conform %8.1f  fio %8.1f  ratio %.3f\n' "$name" "$om" "$tm" "$(echo "$om / $tm" | bc -l)"
done

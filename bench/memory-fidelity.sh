#!/usr/bin/env bash
# conform's memory bandwidth next to likwid-bench (Debian package likwid) on the same machine, kernel,
# thread count and size, runs interleaved so both see the same noise. Prints medians and the ratio
# conform / likwid for read (likwid load) and triad (likwid stream: a = b + s*c, the same 24 bytes per
# element), for every (CPU node, memory node) cell likwid can place. conform's figure is the median of its
# 10 repetitions (likwid reports the average over its run), not the best. Not a test: numbers for notes.
#
# usage: bench/memory-fidelity.sh [runs=7] [array size per stream in MB=256] [threads=cores of node 0]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
mb=${2:-256}
conform=${CONFORM:-.build/release/conform}
command -v likwid-bench >/dev/null || { echo "likwid-bench is not installed (apt-get install likwid)"; exit 1; }
flags=$(grep -m1 '^flags' /proc/cpuinfo)
suffix=_sse
[[ $flags == *" avx "* ]] && suffix=_avx
[[ $flags == *" avx512f "* ]] && suffix=_avx512
nodes=$(ls -d /sys/devices/system/node/node* | sed 's/.*node//' | sort -n)
cores_of_node0=$(cat /sys/devices/system/node/node0/cpulist | tr ',' '\n' | awk -F- '{n += ($2 == "" ? 1 : $2 - $1 + 1)} END {print n}')
siblings=$(awk -F'[,-]' '{print NF}' /sys/devices/system/cpu/cpu0/topology/thread_siblings_list)
threads=${3:-$((cores_of_node0 / siblings))}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); nodes: $(echo $nodes); threads: $threads; $runs interleaved runs"
echo "likwid kernels: load$suffix, stream_mem$suffix; conform: $conform; array $mb MB per stream (GB/s = 10^9 B/s)"
printf '%-6s %-10s %12s %12s %8s\n' kernel cell conform likwid ratio
for cpu in $nodes; do
  for mem in $nodes; do
    for pair in "read:load$suffix:1" "triad:stream_mem$suffix:3"; do
      IFS=: read -r ours theirs streams <<<"$pair"
      ours_runs=(); theirs_runs=()
      for _ in $(seq "$runs"); do
        ours_runs+=("$("$conform" bench memory --cpu-node "$cpu" --mem-node "$mem" --threads "$threads" \
            --size "${mb}MB" --kernels "$ours" --repetitions 10 --json \
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["measurements"][1]["value"])')")
        # likwid: threads on NUMA domain M$cpu, every stream's memory on M$mem ("-0:M1,1:M1,2:M1"; likwid
        # refuses the stream placements joined with '-').
        placement="M${cpu}:$((mb * streams))MB:${threads}"
        if [ "$cpu" != "$mem" ]; then
          placement="$placement-$(seq 0 $((streams - 1)) | sed "s/\$/:M$mem/" | paste -sd,)"
        fi
        theirs_runs+=("$(likwid-bench -t "$theirs" -w "$placement" 2>/dev/null | awk '/MByte\/s/ {print $2 / 1000}')")
      done
      o=$(printf '%s\n' "${ours_runs[@]}" | median)
      t=$(printf '%s\n' "${theirs_runs[@]}" | median)
      printf '%-6s cpu%s mem%s %12.2f %12.2f %8.3f\n' "$ours" "$cpu" "$mem" "$o" "$t" "$(echo "$o / $t" | bc -l)"
    done
  done
done

#!/usr/bin/env bash
# conform's download goodput next to iperf3's on the same shaped 1 Gbit/s link (scripts/netlab.sh: two
# network namespaces, veth, tbf with Ethernet overhead), runs interleaved. Prints medians and the ratio.
# Needs root. Not a test: numbers for notes.
#
# usage: bench/net-fidelity.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
conform=${CONFORM:-.build/release/conform}
lab=$(mktemp -d)
trap 'scripts/netlab.sh down "$lab"; rm -rf "$lab"' EXIT
url=$(scripts/netlab.sh up "$lab")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ours=(); theirs=(); ups=()
for _ in $(seq "$runs"); do
  ours+=("$(ip netns exec conform-cli "$conform" bench net --url "${url}payload.bin" --json \
    | python3 -c 'import json,sys; print([m["value"] for m in json.load(sys.stdin)["measurements"] if m["name"] == "net.download"][0])')")
  ups+=("$(ip netns exec conform-cli "$conform" bench net --url "${url}upload/fidelity.bin" --upload --size 200MB --json \
    | python3 -c 'import json,sys; print([m["value"] for m in json.load(sys.stdin)["measurements"] if m["name"] == "net.upload"][0])')")
  ip netns exec conform-srv iperf3 -s -1 -D
  sleep 0.3
  theirs+=("$(ip netns exec conform-cli iperf3 -c 10.203.0.1 -R -t 3 -J \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 8e6)')")
done
o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median); u=$(printf '%s\n' "${ups[@]}" | median)
echo "1 Gbit/s tbf link with 24 bytes Ethernet overhead per packet; TCP goodput ceiling 117.7 MB/s; $runs interleaved runs"
printf 'download: conform %.1f MB/s, iperf3 %.1f MB/s, ratio %.3f; upload: conform %.1f MB/s\n' "$o" "$t" "$(echo "$o / $t" | bc -l)" "$u"

#!/usr/bin/env bash
# Times the static layers of a fixture run (`conform run` on the host layer, all reports written) and
# `lscpu --sysroot` on the same tree, in one run, and prints the medians. Not a test: numbers for notes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-21}
conform=${CONFORM:-.build/debug/conform}
profile=${PROFILE:-mac-numa}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median_ms() {  # command... : prints the median wall time of $runs runs in milliseconds
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

sysroot=fixtures/$profile/hosts/numa-server/sysroot
all_hosts=$(median_ms "$conform" run --profile "$profile" --fixture "fixtures/$profile" --out "$out/all" --quiet)
one_host=$(median_ms "$conform" run --profile "$profile" --fixture "fixtures/$profile" --host numa-server --out "$out/one" --quiet)
lscpu_ms=$(median_ms lscpu --sysroot "$sysroot")
echo "runs: $runs, binary: $conform, profile: $profile"
echo "conform run, all $(ls fixtures/$profile/hosts | wc -l) fixture hosts, reports written: median ${all_hosts} ms"
echo "conform run, numa-server only, reports written:       median ${one_host} ms"
echo "lscpu --sysroot $sysroot: median ${lscpu_ms} ms"

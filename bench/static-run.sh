#!/usr/bin/env bash
# Times conform's start-up and the static layers of a fixture run against their reference points, in one run,
# and prints the medians: `conform --version`, a Swift program that only imports Foundation and prints a
# line, and `lscpu` (start-up); `conform run --layers host` on one fixture host and on every host of the
# fixture, against `lscpu --sysroot` on that host's tree; and what a host costs beyond start-up. The
# full-report runs of all layers are timed too. Not a test: numbers for notes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-21}
if [ -z "${CONFORM:-}" ] && [ -x .build/release/conform ]; then
    conform=.build/release/conform
else
    conform=${CONFORM:-.build/debug/conform}
fi
profile=${PROFILE:-mac-numa}
host=${HOST:-numa-server}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median_ms() {  # command... : prints the median wall time of $runs runs in milliseconds
    # $EPOCHREALTIME, not date: forking date for every stamp would add a millisecond to every figure.
    local times=() start end
    for _ in $(seq "$runs"); do
        start=${EPOCHREALTIME/[.,]/}
        "$@" >/dev/null 2>&1 || true
        end=${EPOCHREALTIME/[.,]/}
        times+=($((end - start)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

# The Foundation program is what a Swift command-line tool cannot start faster than.
cat >"$out/hello.swift" <<'EOF'
import Foundation

print("hello from \(ProcessInfo.processInfo.processName)")
EOF
swiftc -O -module-cache-path "$out/module-cache" -o "$out/hello" "$out/hello.swift"

sysroot=fixtures/$profile/hosts/$host/sysroot
host_count=$(ls "fixtures/$profile/hosts" | wc -l)
host_run=(run --profile "$profile" --layers host --fixture "fixtures/$profile" --format json)

# A conform that cannot run would be timed as if it ran: each command is run once first, and must end 0 or 1
# (1: the design's own defects).
for check in "--version" "${host_run[*]} --host $host --out $out/check"; do
    status=0
    # shellcheck disable=SC2086
    "$conform" $check >/dev/null 2>"$out/stderr" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "bench/static-run.sh: '$conform $check' exits $status; nothing timed:" >&2
        cat "$out/stderr" >&2
        exit 1
    fi
done

version_ms=$(median_ms "$conform" --version)
hello_ms=$(median_ms "$out/hello")
lscpu_ms=$(median_ms lscpu)
one_host_ms=$(median_ms "$conform" "${host_run[@]}" --host "$host" --out "$out/one-host")
every_host_ms=$(median_ms "$conform" "${host_run[@]}" --out "$out/every-host")
lscpu_sysroot_ms=$(median_ms lscpu --sysroot "$sysroot")
all_layers_ms=$(median_ms "$conform" run --profile "$profile" --fixture "fixtures/$profile" --out "$out/all" --quiet)
all_layers_one_ms=$(median_ms "$conform" run --profile "$profile" --fixture "fixtures/$profile" --host "$host" \
    --out "$out/all-one" --quiet)

per_host() {  # total_ms hosts: (total - start-up) / hosts
    awk -v total="$1" -v start="$version_ms" -v hosts="$2" 'BEGIN {printf "%.1f", (total - start) / hosts}'
}

row() {  # label milliseconds
    printf '  %-70s median %7s ms\n' "$1" "$2"
}

echo "runs: $runs, binary: $conform, profile: $profile, host: $host"
echo "start-up:"
row "conform --version" "$version_ms"
row "a Swift program that imports Foundation and prints a line (swiftc -O)" "$hello_ms"
row "lscpu" "$lscpu_ms"
echo "host layer, json report:"
row "conform run --layers host --host $host" "$one_host_ms"
row "conform run --layers host, all $host_count hosts" "$every_host_ms"
row "lscpu --sysroot $sysroot" "$lscpu_sysroot_ms"
# util-linux 2.38's lscpu crashes (exit 139) on the generated fixture trees: then its figure times a crash.
lscpu_status=0
lscpu --sysroot "$sysroot" >/dev/null 2>&1 || lscpu_status=$?
if [ "$lscpu_status" -ne 0 ]; then
    echo "  (lscpu --sysroot exits $lscpu_status on this tree: its figure is not a full read of it)"
fi
echo "  per host beyond start-up (host-layer run minus --version): $(per_host "$one_host_ms" 1) ms for $host alone," \
    "$(per_host "$every_host_ms" "$host_count") ms a host over all $host_count"
echo "default layers, every report written:"
row "conform run, all $host_count fixture hosts" "$all_layers_ms"
row "conform run --host $host" "$all_layers_one_ms"

#!/usr/bin/env bash
# Runs the fuzz targets of .build/fuzz/conform-fuzz (fuzz/build.sh), each for FUZZ_SECONDS.
#
#   fuzz/run.sh                 every target, FUZZ_SECONDS each (default 180)
#   fuzz/run.sh profile cpu-list
#   FUZZ_SECONDS=15 FUZZ_SEED=1 fuzz/run.sh   # the smoke `make test` runs
#
# FUZZ_SEED fixes libFuzzer's random seed: from the same corpus the same inputs are tried in the same order,
# so the smoke on a fresh clone finds what it found here, and a finding on CI is not luck of the draw.
#
# Per target: seeds from fuzz/seeds.py in .build/fuzz/seeds/<target>, the corpus it grows (kept between
# runs) in .build/fuzz/corpus/<target>, its log in .build/fuzz/logs/<target>.log, and any input that crashed,
# hung or ran out of memory in fuzz/crashes/<target>/ (crash-*, timeout-*, oom-*). A finding is replayed with
#   CONFORM_FUZZ_TARGET=<target> .build/fuzz/conform-fuzz fuzz/crashes/<target>/crash-…
# and, once fixed, copied into fuzz/regressions/<target>/, which the tests replay.
# Exits 1 when any target found something, after running all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
binary=.build/fuzz/conform-fuzz
seconds=${FUZZ_SECONDS:-180}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "FUZZ_SECONDS must be a positive number of seconds, not '$seconds'" >&2; exit 2; }
seed=${FUZZ_SEED:-}
[[ -z $seed || $seed =~ ^[0-9]+$ ]] || { echo "FUZZ_SEED must be a number, not '$seed'" >&2; exit 2; }
[[ -x $binary ]] || { echo "$binary is missing: run fuzz/build.sh (or make fuzz)" >&2; exit 2; }

all=$(CONFORM_FUZZ_TARGET=--list "$binary" -runs=0 2>&1 | sed -n 's/^CONFORM_FUZZ_TARGET must name one of: \(.*\) (got.*/\1/p' | tr -d ',')
[[ -n $all ]] || { echo "$binary did not list its targets" >&2; exit 2; }
targets=${*:-$all}
for target in $targets; do
    [[ " $all " == *" $target "* ]] || { echo "unknown fuzz target '$target'; the targets are: $all" >&2; exit 2; }
done

rm -rf .build/fuzz/seeds && python3 fuzz/seeds.py .build/fuzz/seeds >/dev/null || exit 2
mkdir -p .build/fuzz/logs
# -max_len: the largest seed (a 96-CPU host's sysfs tree) is 61 KB; without a limit libFuzzer takes the largest
# input of the grown corpus, and mutating 180 KB trees ran host-sysfs at 30 inputs a second.
# LeakSanitizer is off: libvirt's test driver and Swift's runtime keep caches for the process's life, which
# it reports at exit as leaks on every run. Overflows, use-after-free and traps are what is looked for.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
status=0
printf '%-20s %12s %10s %8s %8s %8s  %s\n' target executions exec/s cov features corpus findings
for target in $targets; do
    corpus=.build/fuzz/corpus/$target crashes=fuzz/crashes/$target log=.build/fuzz/logs/$target.log
    mkdir -p "$corpus" "$crashes"
    seeds=.build/fuzz/seeds/$target
    [[ -d $seeds ]] || seeds=
    CONFORM_FUZZ_TARGET=$target timeout --kill-after=30 $((seconds + 120)) "$binary" \
        -max_total_time="$seconds" ${seed:+-seed=$seed} -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -dict="fuzz/dictionaries/$target.dict" -artifact_prefix="$crashes/" "$corpus" $seeds >"$log" 2>&1
    rc=$?
    # The scratch folder of a run that crashed is left behind (libFuzzer's handler runs no exit hooks).
    rm -rf /dev/shm/conform-fuzz-* 2>/dev/null
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
    read -r _ c _ f _ p <<<"${cov:-cov: - ft: - corp: -}"
    printf '%-20s %12s %10s %8s %8s %8s  %s\n' "$target" "${executions:--}" "${speed:--}" "$c" "$f" "$p" \
        "$([[ $rc -eq 0 ]] && echo none || echo "exit $rc: see $log and $crashes/")"
    [[ $rc -eq 0 ]] || status=1
done
exit $status

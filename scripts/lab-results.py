#!/usr/bin/env python3
"""Prints what the lab found (scripts/lab.sh's output folder): its timings, each check's exit code and the
checks that did not pass, and the memory matrix of the bench layer.

usage: scripts/lab-results.py OUT
"""
import json
import os
import sys

RUNS = ["as-designed", "bench"]
DRIFTS = [
    "vcpupin-other-node", "vcpu-thread-moved", "memory-migrated", "numatune-preferred", "emulator-on-vcpu",
    "thp-never", "numa-balancing-on",
]


def results(folder):
    with open(os.path.join(folder, "results.json")) as file:
        return json.load(file)


def read(path):
    try:
        with open(path) as file:
            return file.read().strip()
    except OSError:
        return None


def main(out):
    timings = [line.split() for line in (read(os.path.join(out, "timings.txt")) or "").splitlines()]
    print("timings (seconds since the lab's kernel started its init):",
          ", ".join(f"{name} {seconds}" for name, seconds in timings))
    for name in RUNS + [f"drift-{drift}" for drift in DRIFTS] + ["as-designed-again"]:
        status = read(os.path.join(out, f"{name}.exit"))
        if status is None or not os.path.isdir(os.path.join(out, name)):
            print(f"{name}: not checked ({status or 'no exit code'})")
            continue
        document = results(os.path.join(out, name))
        summary = document["summary"]
        counts = ", ".join(f"{summary[key]} {key}" for key in ("pass", "fail", "warn", "error", "skip"))
        print(f"{name}: exit {status}; {counts}")
        for result in document["results"]:
            if result["status"] in ("fail", "error"):
                subject = f"[{result['subject']}]" if result.get("subject") else ""
                print(f"    {result['status'].upper():5} {result['id']}{subject}: {result['message']}")
    bench = os.path.join(out, "bench")
    if os.path.isdir(bench):
        values = {m["name"]: m["value"] for r in results(bench)["results"] for m in r.get("measurements", [])}
        cells = sorted({tuple(name.split(".")[2:4]) for name in values if name.startswith("mem.triad.cpu")})
        print("memory matrix (bench layer, --quick; GB/s, best run, median in brackets):")
        for cpu, memory in cells:
            kernels = "  ".join(
                f"{kernel} {values[f'mem.{kernel}.{cpu}.{memory}']:.2f} ({values[f'mem.{kernel}.{cpu}.{memory}.median']:.2f})"
                for kernel in ("read", "write", "copy", "triad") if f"mem.{kernel}.{cpu}.{memory}" in values)
            ratio = values.get(f"mem.triad.{cpu}.{memory}.ratio")
            print(f"    {cpu} {memory}: {kernels}" + (f"  remote/local triad {ratio:.2f}" if ratio is not None else ""))
    capture = read(os.path.join(out, "capture.console"))
    if capture:
        print(f"capture: {capture.splitlines()[-1]}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1])

#!/usr/bin/env python3
"""Prints what the lab found (scripts/lab.sh's output folder): its timings, each check's exit code and the
checks that did not pass, and the memory matrix of the bench layer. Exits 1, saying why, when the lab did not
check what it is for: a check without results, the lab as designed not passing, a drift not made or not
caught (a drift's check must exit 1), no capture. Which checks each drift must fail is LabTests' to hold.

usage: scripts/lab-results.py OUT
"""
import json
import os
import sys

# The exit code each check of the lab must end with: a drift's check finds it (1), the others pass.
EXPECTED_EXIT = {"as-designed": "0", "bench": "0", "as-designed-again": "0"}


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
    problems = []
    # Every check the lab made, in order (scripts/lab-inside.sh writes the list), and drifts it could not make.
    runs = (read(os.path.join(out, "runs.txt")) or "").splitlines()
    for name in EXPECTED_EXIT:
        if name not in runs:
            problems.append(f"{name} was not checked")
    if not any(name.startswith("drift-") for name in runs):
        problems.append("no drift was checked")
    for name in runs:
        status = read(os.path.join(out, f"{name}.exit"))
        expected = EXPECTED_EXIT.get(name, "1")
        if status != expected:
            problems.append(f"{name} exited {status}, not {expected}")
        if not os.path.exists(os.path.join(out, name, "results.json")):
            print(f"{name}: exit {status}, no results: {(read(os.path.join(out, name + '.console')) or '')[-300:]}")
            problems.append(f"{name} wrote no results")
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
    for name in sorted(os.listdir(out)):
        if name.startswith("drift-") and name.endswith(".exit") and read(os.path.join(out, name)) == "not made":
            print(f"{name[:-5]}: could not be made: {read(os.path.join(out, name[:-5] + '.log'))}")
            problems.append(f"{name[:-5]} could not be made")
    capture = read(os.path.join(out, "capture.console"))
    if capture:
        print(f"capture: {capture.splitlines()[-1]}")
    if read(os.path.join(out, "capture.exit")) != "0":
        problems.append(f"the capture exited {read(os.path.join(out, 'capture.exit'))}")
    for problem in problems:
        print(f"lab: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))

#!/usr/bin/env python3
"""Writes what conform decides on every fixture profile, without timings, into Tests/Golden/.

The files are the record of conform's behaviour that the tests hold the pipeline to (ids, hosts, subjects,
statuses, expected and observed values, messages, measurements, exit codes). A change that is meant to alter
a verdict or a message regenerates them, and the diff shows every result it changed:

    python3 scripts/golden-results.py .build/debug/conform Tests/Golden
"""
import json
import os
import subprocess
import sys
import tempfile

KEPT = ["id", "host", "subject", "status", "severity", "expected", "observed", "message", "measurements"]


def profiles(root):
    return sorted(name[: -len(".yaml")] for name in os.listdir(os.path.join(root, "checks")) if name.endswith(".yaml"))


def commands(profile):
    """The runs of one profile: every layer on its fixture, the generic profile on it, and its lint."""
    return [
        ("run", ["run", "--profile", profile, "--fixture", f"fixtures/{profile}", "--layers", "host,hypervisor,cluster,bench"]),
        ("generic", ["run", "--profile", "generic", "--fixture", f"fixtures/{profile}"]),
        ("lint", ["lint", "--profile", profile]),
    ]


def results(conform, args):
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([conform] + args + ["--format", "json", "--out", out], capture_output=True, text=True)
        try:
            with open(os.path.join(out, "results.json")) as file:
                document = json.load(file)
        except OSError:
            sys.exit(f"{' '.join(args)} wrote no results.json (exit {run.returncode}): {run.stderr.strip()}")
        return {"exit": run.returncode, "results": [{key: result[key] for key in KEPT} for result in document["results"]]}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: golden-results.py CONFORM OUT_DIR (run from the repository root)")
    conform, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for profile in profiles("."):
        for name, args in commands(profile):
            document = results(conform, args)
            with open(os.path.join(out, f"{profile}-{name}.json"), "w") as file:
                json.dump(document, file, indent=1, sort_keys=True)
                file.write("\n")
            print(f"{profile}-{name}: exit {document['exit']}, {len(document['results'])} results")


if __name__ == "__main__":
    main()

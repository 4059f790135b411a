#!/usr/bin/env python3
"""Writes a generated cluster of 500 nodes and 10,000 pods (kubectl JSON) with a profile that declares all
of it, runs `conform run --layers cluster` on it several times, and prints the median wall time and the
peak memory (max RSS) of the conform process. Not a test: numbers for the closing note.

usage: bench/cluster-scale.py [--nodes 500] [--pods 10000] [--runs 5] [--conform .build/release/conform]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time


def generate(directory, node_count, pod_count):
    nodes, pods = [], []
    zones = 4
    for index in range(node_count):
        name = f"node-{index:04d}"
        nodes.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "role": "worker",
                                                  "workload": "slm" if index % 2 == 0 else "batch", "zone": f"z{index % zones}"}},
            "spec": {"taints": [] if index % 10 else [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]},
            "status": {"allocatable": {"cpu": "64", "memory": "256Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]},
        })
    workloads = 20
    for index in range(pod_count):
        workload = index % workloads
        node_index = (index * 7) % node_count
        if workload < 10:  # the slm workloads select workload=slm nodes (even, not the gpu-tainted tenths)
            node_index = (index * 2) % node_count
            if node_index % 10 == 0:
                node_index = (node_index + 2) % node_count
        container = {"name": "main", "resources": {"requests": {"cpu": "100m", "memory": "256Mi"},
                                                   "limits": {"cpu": "500m", "memory": "512Mi"}}}
        pods.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"app-{workload:02d}-{index:06d}", "namespace": "bench", "labels": {"app": f"app-{workload:02d}"},
                         "ownerReferences": [{"kind": "ReplicaSet", "name": f"app-{workload:02d}-5d8f7c", "apiVersion": "apps/v1"}]},
            "spec": {"nodeName": f"node-{node_index:04d}", "containers": [container],
                     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]},
            "status": {"phase": "Running", "qosClass": "Burstable"},
        })
    daemonsets = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "bench"},
                   "spec": {"template": {"spec": {"nodeSelector": {"role": "worker"}}}},
                   "status": {"desiredNumberScheduled": node_count * 9 // 10, "numberReady": node_count * 9 // 10}}]
    cluster = os.path.join(directory, "fixture", "cluster")
    os.makedirs(cluster)
    for name, items in (("nodes.json", nodes), ("pods.json", pods), ("daemonsets.json", daemonsets)):
        with open(os.path.join(cluster, name), "w") as handle:
            json.dump({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}, handle)
    lines = ["profile: cluster-scale", "hosts:", "  bench-host: {}", "cluster:", "  nodes:"]
    for node in nodes:
        labels = node["metadata"]["labels"]
        lines.append(f"    {node['metadata']['name']}: {{labels: {{workload: {labels['workload']}, zone: {labels['zone']}}}}}")
    lines.append("  workloads:")
    for workload in range(workloads):
        selector = "{workload: slm}" if workload < 10 else "{}"
        lines.append(f"    app-{workload:02d}: {{namespace: bench, replicas: {pod_count // workloads}, node_selector: {selector}, "
                     f"spread_topology_key: zone, qos: Burstable, requests: {{cpu: 100m, memory: 256Mi}}, limits: {{cpu: 500m, memory: 512Mi}}}}")
    lines.append("    agent: {namespace: bench, kind: DaemonSet, node_selector: {role: worker}}")
    profile = os.path.join(directory, "profile.yaml")
    with open(profile, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return profile, os.path.join(directory, "fixture")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--conform", default=".build/release/conform")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        profile, fixture = generate(directory, options.nodes, options.pods)
        size = sum(os.path.getsize(os.path.join(fixture, "cluster", name)) for name in os.listdir(os.path.join(fixture, "cluster")))
        times, peaks = [], []
        for run in range(options.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.monotonic()
            result = subprocess.run([options.conform, "run", "--profile", profile, "--fixture", fixture, "--layers", "cluster",
                                     "--format", "json", "--out", os.path.join(directory, f"out{run}")], capture_output=True, text=True)
            times.append(time.monotonic() - start)
            peaks.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            if result.returncode not in (0, 1):
                raise SystemExit(f"conform exited {result.returncode}: {result.stderr}")
        with open(os.path.join(directory, "out0", "results.json")) as handle:
            summary = json.load(handle)["summary"]
        print(f"cluster: {options.nodes} nodes, {options.pods} pods, {size / 1e6:.1f} MB of kubectl JSON; {options.runs} runs of {options.conform}")
        print(f"results: {summary}")
        print(f"wall time: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")
        print(f"peak memory (max RSS of conform): {max(peaks) / 1024:.0f} MB")


if __name__ == "__main__":
    main()

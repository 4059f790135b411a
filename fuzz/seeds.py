#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from what the repository already holds: the fixture
hosts, the real-world dumps, the profiles, VM definitions and baselines. Nothing here is invented except
the few small kubeconfig, waiver and history files the repository has no real copy of.

    fuzz/seeds.py OUT      # OUT/<target>/<name>, one file per seed

A tree target's seed is a sysroot written as records, each `=== <relative path>` on a line of its own
followed by the file's bytes (Sources/ConformFuzz/FuzzInput.swift reads them back)."""

import hashlib
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
REAL = FIXTURES / "real-world"
PID = re.compile(r"^proc/\d+(/|$)")


def sysroots():
    """Every sysroot tree: the fixture hosts and the real-world sysfs dumps."""
    for tree in sorted(FIXTURES.glob("*/hosts/*/sysroot")):
        yield tree
    for tree in sorted((REAL / "sysfs").iterdir()):
        if tree.is_dir():
            yield tree


def files(tree):
    for path in sorted(tree.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(tree).as_posix(), path.read_bytes()


def records(entries):
    out = bytearray()
    for relative, data in entries:
        out += b"=== " + relative.encode() + b"\n" + data
        if not data.endswith(b"\n"):
            out += b"\n"
    return bytes(out)


class Corpus:
    def __init__(self, root):
        self.root = Path(root)
        self.counts = {}

    def add(self, target, data, limit=1 << 20):
        if isinstance(data, str):
            data = data.encode()
        if not data or len(data) > limit:
            return
        folder = self.root / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1


def main(out):
    corpus = Corpus(out)
    cpu_lists, cpu_masks = set(), set()

    for tree in sysroots():
        host, live = [], []
        for relative, data in files(tree):
            if relative == "proc/cpuinfo":
                # conform reads the first processor's model name; the other 95 stanzas of a big host only
                # make every mutation of the seed slower.
                data = data.split(b"\n\n", 1)[0] + b"\n"
            (live if PID.match(relative) or relative.startswith("run/") else host).append((relative, data))
            name = relative.rsplit("/", 1)[-1]
            text = data.decode("utf-8", "replace").strip()
            if name in ("cpulist", "online", "possible", "present", "thread_siblings_list", "core_siblings_list",
                        "core_cpus_list", "die_cpus_list", "package_cpus_list", "cluster_cpus_list"):
                cpu_lists.add(text)
            if name in ("cpumap", "thread_siblings", "core_siblings", "core_cpus", "package_cpus"):
                cpu_masks.add(text)
            if name == "status":
                for line in text.splitlines():
                    key, _, value = line.partition(":")
                    if key in ("Cpus_allowed_list", "Mems_allowed_list"):
                        cpu_lists.add(value.strip())
                    if key in ("Cpus_allowed", "Mems_allowed"):
                        cpu_masks.add(value.strip())
            if name == "numa_maps":
                corpus.add("numa-maps", data)
        corpus.add("host-sysfs", records(host))
        if any(relative.startswith("run/") for relative, _ in live):
            corpus.add("proc-live", records(live))
    for path in (REAL / "numactl").glob("numa_maps*"):
        corpus.add("numa-maps", path.read_bytes())

    domains = []
    for path in sorted(FIXTURES.glob("*/hosts/*/libvirt.xml")):
        text = path.read_text()
        corpus.add("libvirt-test-driver", text)
        domains += re.findall(r"<domain\b.*?</domain>", text, re.S)
    domains += [path.read_text() for path in sorted((REAL / "libvirt").glob("*.xml"))]
    for domain in domains:
        corpus.add("domain-xml", domain)
        corpus.add("libvirt-test-driver", "<node>\n" + re.sub(r"^<\?xml[^>]*>", "", domain.strip()) + "\n</node>\n")
        cpu_lists.update(re.findall(r"cpuset='([^']*)'", domain) + re.findall(r'cpuset="([^"]*)"', domain))

    quantities = set()
    for path in sorted(FIXTURES.glob("*/cluster/*.json")) + sorted((REAL / "k8s").glob("*.json")):
        corpus.add("kube-json", path.read_bytes())
        quantities.update(re.findall(r'"(?:cpu|memory|pods|ephemeral-storage|hugepages-[0-9A-Za-z]+)"\s*:\s*"([^"]*)"',
                                     path.read_text()))
    quantities.update(["250m", "8Gi", "1e3", "0.5", "1.5Ki", "+7", "-1", "100M", "2E", "9Ei", "1e-3"])
    for quantity in quantities:
        corpus.add("quantity", quantity)

    for profile in sorted((REPO / "checks").glob("*.yaml")):
        text = profile.read_text()
        corpus.add("profile", text)
        cpu_lists.update(match.strip() for match in re.findall(r"cpus:\s*\"?([0-9,\- ^]+)\"?", text))
    for vm in sorted((REPO / "checks" / "vms").glob("*/*.json")):
        corpus.add("vm-definition", vm.read_bytes())
    for baseline in sorted((REPO / "baselines").glob("*/*.json")):
        corpus.add("baseline", baseline.read_bytes())

    for text in cpu_lists:
        corpus.add("cpu-list", text)
    for text in cpu_masks:
        corpus.add("cpu-mask", text)

    # The repository keeps no real kubeconfig, waiver file or nightly history: these are written in the
    # shape kubectl, the README and `conform run --nightly` write them.
    corpus.add("kubeconfig", KUBECONFIG)
    corpus.add("kubeconfig", KUBECONFIG.replace("token: placeholder-token", "client-certificate-data: Zm9v\n"
                                                "    client-key-data: YmFy"))
    corpus.add("waivers", WAIVERS)
    for runs in (1, 3):
        corpus.add("history", "".join(json.dumps(history_line(day), sort_keys=True) + "\n" for day in range(runs)))

    for target, count in sorted(corpus.counts.items()):
        print(f"{target}: {count} seed(s)")


KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Zm9v
    server: https://192.168.1.10:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    token: placeholder-token
"""

WAIVERS = """waivers:
  - id: host.governor
    host: numa-server
    reason: BIOS controls P-states on this board, OPS-123
    expires: 2026-12-31
  - id: hv.vcpupin.*
    subject: k3s-slm-worker-*
    reason: moved while the DIMM is replaced
    expires: 2027-01-15
"""


def history_line(day):
    return {
        "started": f"2026-11-{day + 1:02d}T03:00:00Z", "profile": "mac-numa", "exitCode": 1,
        "summary": {"pass": 40, "fail": 2, "warn": 1, "skip": 3, "error": 0, "waived": 1},
        "measurements": {"numa-server/bench.memory.local": 61.5 + day, "numa-server/host.node0.memory": 125.8},
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: fuzz/seeds.py OUT")
    main(sys.argv[1])

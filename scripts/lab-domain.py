#!/usr/bin/env python3
"""The libvirt domain XML of one of the NUMA lab's guests, from its VM definition (checks/vms/lab/<name>.json),
written by the fixture generator's domain_xml (fixtures/generate.py), so the lab's guests and the fixtures'
domains come from a VM definition the same way.

The lab's guests are as small as a domain can be and still be real QEMU processes for the hypervisor layer to
read: no disk, no network, software emulation (the lab itself is a VM), and their memory allocated when they
start, so that numa_maps shows every page on the node it is bound to.

usage: scripts/lab-domain.py VM_DEFINITION.json > domain.xml
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures"))
from generate import domain_xml  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    path = sys.argv[1]
    try:
        with open(path) as file:
            definition = json.load(file)
        sys.stdout.write("\n".join(domain_xml(definition, qemu=True)) + "\n")
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"{path}: {error!r}", file=sys.stderr)
        sys.exit(2)

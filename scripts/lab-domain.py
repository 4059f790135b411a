#!/usr/bin/env python3
"""The libvirt domain XML of one of the lab's guests, from its VM definition (checks/vms/lab/<name>.json).

The lab's guests are as small as a domain can be and still be real QEMU processes for the hypervisor layer to
read: no disk, no network, software emulation (the lab itself is a VM), and their memory allocated when they
start (`allocation mode='immediate'`), so that numa_maps shows every page on the node it is bound to.

usage: scripts/lab-domain.py VM_DEFINITION.json > domain.xml
"""
import json
import sys
from xml.sax.saxutils import escape, quoteattr


def domain(definition):
    tuning = definition.get("tuning") or {}
    lines = [
        "<domain type='qemu'>",
        f"  <name>{escape(definition['name'])}</name>",
        f"  <memory unit='MiB'>{int(definition['memory_mb'])}</memory>",
        "  <memoryBacking><allocation mode='immediate'/></memoryBacking>",
        f"  <vcpu placement='static'>{int(definition['vcpu_count'])}</vcpu>",
    ]
    pins = tuning.get("vcpu_pins") or []
    emulator = tuning.get("emulator_cpuset")
    if pins or emulator:
        lines.append("  <cputune>")
        lines += [f"    <vcpupin vcpu='{index}' cpuset={quoteattr(str(cpu))}/>" for index, cpu in enumerate(pins)]
        if emulator:
            lines.append(f"    <emulatorpin cpuset={quoteattr(str(emulator))}/>")
        lines.append("  </cputune>")
    memory = tuning.get("numa_memory")
    if memory:
        lines.append(
            f"  <numatune><memory mode={quoteattr(memory['mode'])} nodeset={quoteattr(str(memory['nodeset']))}/>"
            "</numatune>")
    lines += [
        "  <os><type arch='x86_64' machine='pc'>hvm</type></os>",
        "  <on_crash>destroy</on_crash>",
        "  <devices>",
        "    <emulator>/usr/bin/qemu-system-x86_64</emulator>",
        "    <memballoon model='none'/>",
        "  </devices>",
        "</domain>",
    ]
    return "\n".join(line for line in lines if line) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    path = sys.argv[1]
    try:
        with open(path) as file:
            definition = json.load(file)
        sys.stdout.write(domain(definition))
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"{path}: {error!r}", file=sys.stderr)
        sys.exit(2)

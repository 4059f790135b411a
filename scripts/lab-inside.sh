#!/bin/bash
# The lab's own start-up and work, run as PID 1 of the QEMU machine scripts/lab.sh boots, on an overlay of the
# starting machine's root (read-only 9p) and a tmpfs. Provisions the machine as the lab profile designs it
# (tuning, libvirt, three guests pinned from checks/vms/lab/), checks it with conform, captures it as a
# fixture, then makes each drift in turn, checks again and undoes it. Everything it writes for the starting
# machine goes to /lab-out (a read-write 9p share of scripts/lab.sh's output folder); then it powers off.
#
# The kernel hands it LAB_REPO (the repository, same path as outside) and LAB_CONFORM (the binary).
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
out=/lab-out
repo=${LAB_REPO:?}
conform=${LAB_CONFORM:?}
started=$(date +%s.%N)

say() { echo "lab: $*"; }
elapsed() { echo "$(date +%s.%N) - $started" | bc; }
mark() { printf '%s %.1f\n' "$1" "$(elapsed)" >>"$out/timings.txt"; say "$1 at $(printf '%.1f' "$(elapsed)") s"; }
power_off() {
    sync
    echo o >/proc/sysrq-trigger
    sleep 10
}
trap power_off EXIT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mkdir -p /run/lock
# cgroup v2 with the controllers libvirt places guests with (cpuset for the pins, memory, cpu, pids).
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "+cpuset +cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
hostname numa-lab
echo numa-lab >/etc/hostname
: >"$out/timings.txt"
mark booted

# Tuning as the profile designs it (the kernel's defaults are THP madvise defrag and NUMA balancing on).
echo always >/sys/kernel/mm/transparent_hugepage/enabled
echo always >/sys/kernel/mm/transparent_hugepage/defrag
sysctl -q -w kernel.numa_balancing=0

# libvirt's state starts empty: the starting machine's own domains, logs and caches stay out of the lab.
for state in /etc/libvirt/qemu /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
    mkdir -p "$state" && mount -t tmpfs tmpfs "$state"
done

cd "$repo" || exit 1
if ! scripts/libvirtd-up.sh; then
    say "libvirtd did not start"
    cp /var/log/libvirt/libvirtd.log "$out/" 2>/dev/null
    exit 1
fi
mark libvirtd-up

mkdir -p /tmp/lab-domains
guests="lab-node0 lab-node1 lab-flex"
for vm in $guests; do
    python3 scripts/lab-domain.py "checks/vms/lab/$vm.json" >"/tmp/lab-domains/$vm.xml" || exit 1
    virsh -q define "/tmp/lab-domains/$vm.xml" >/dev/null || exit 1
done
# Started together: each start is about 40 s of QEMU starting under emulation inside emulation.
for vm in $guests; do virsh -q start "$vm" >"/tmp/lab-domains/$vm.start" 2>&1 & done
wait
for vm in $guests; do
    if [ "$(virsh -q domstate "$vm")" != running ]; then
        say "$vm did not start: $(cat "/tmp/lab-domains/$vm.start")"
        cp "/var/log/libvirt/qemu/$vm.log" "$out/" 2>/dev/null
        exit 1
    fi
done
mark guests-up
virsh list --all >"$out/virsh-list.txt"

# One check of the lab against its design: host and hypervisor layers, every report, into $out/<name>.
check() {
    local name=$1
    shift
    "$conform" run --profile lab --host numa-lab --layers "${LAB_LAYERS:-host,hypervisor}" --check-timeout 60 \
        --format console,json,junit,markdown --out "$out/$name" "$@" >"$out/$name.console" 2>&1
    local status=$?
    echo "$status" >"$out/$name.exit"
    echo "$name" >>"$out/runs.txt"
    say "$name: exit $status, $(tail -1 "$out/$name.console")"
}

check as-designed
mark as-designed-checked
"$conform" capture --out "$out/fixture" --host numa-lab >"$out/capture.console" 2>&1
echo $? >"$out/capture.exit"
mark captured
LAB_LAYERS=bench check bench --quick
mark bench-checked

# The drifts: each is made, checked and undone. The QEMU pid and vCPU 0's thread of lab-node0 are read
# from libvirt's pid file and the thread names QEMU gives (`CPU 0/TCG`).
qemu_pid() { cat "/run/libvirt/qemu/$1.pid"; }
vcpu_thread() {
    local pid
    pid=$(qemu_pid "$1")
    grep -l "^CPU $2/" /proc/"$pid"/task/*/comm | head -1 | cut -d/ -f5
}
restart() {
    virsh -q destroy "$1" >/dev/null && virsh -q start "$1" >/dev/null
}
drift() {
    local name=$1 make=$2 undo=$3
    say "drift $name: $make"
    if ! eval "$make" >"$out/drift-$name.log" 2>&1; then
        say "drift $name could not be made: $(cat "$out/drift-$name.log")"
        echo "not made" >"$out/drift-$name.exit"
        eval "$undo" >>"$out/drift-$name.log" 2>&1
        return
    fi
    check "drift-$name"
    eval "$undo" >>"$out/drift-$name.log" 2>&1 || say "drift $name could not be undone"
}

# The pins of the design, from the VM definitions: lab-node0's vCPU 0 and emulator, lab-node1's vCPU 0.
# `pin VM FIELD`: the field of the VM's tuning, the first of a list (vCPU 0's pin).
pin() {
    python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))["tuning"][sys.argv[2]]; print(v[0] if isinstance(v, list) else v)' \
        "checks/vms/lab/$1.json" "$2"
}
vcpu0=$(pin lab-node0 vcpu_pins)
emulator=$(pin lab-node0 emulator_cpuset)
other_node=$(pin lab-node1 vcpu_pins)
drift vcpupin-other-node "virsh vcpupin lab-node0 0 $other_node --live" "virsh vcpupin lab-node0 0 $vcpu0 --live"
# Behind libvirt's back: vCPU 0's cgroup is widened to every CPU, then its thread moved with taskset.
vcpu0_cgroup() { echo "/sys/fs/cgroup$(cut -d: -f3 "/proc/$(qemu_pid lab-node0)/task/$(vcpu_thread lab-node0 0)/cgroup")"; }
drift vcpu-thread-moved \
    "echo 0-7 > \$(vcpu0_cgroup)/cpuset.cpus && taskset -pc $other_node \$(vcpu_thread lab-node0 0)" \
    "taskset -pc $vcpu0 \$(vcpu_thread lab-node0 0) && echo $vcpu0 > \$(vcpu0_cgroup)/cpuset.cpus"
drift memory-migrated "migratepages \$(qemu_pid lab-node0) 0 1" "migratepages \$(qemu_pid lab-node0) 1 0"
# libvirt refuses to change a running domain's numatune mode, so the definition is changed and the guest
# restarted, as an operator would.
drift numatune-preferred \
    "virsh -q numatune lab-node0 --mode preferred --config && restart lab-node0" \
    "virsh -q numatune lab-node0 --mode strict --config && restart lab-node0"
drift emulator-on-vcpu "virsh emulatorpin lab-node0 $vcpu0 --live" "virsh emulatorpin lab-node0 $emulator --live"
drift thp-never "echo never > /sys/kernel/mm/transparent_hugepage/enabled" \
    "echo always > /sys/kernel/mm/transparent_hugepage/enabled"
drift numa-balancing-on "sysctl -w kernel.numa_balancing=1" "sysctl -w kernel.numa_balancing=0"
mark drifts-checked
# Undone, the lab is as designed again.
check as-designed-again
mark done

for vm in $guests; do virsh -q destroy "$vm" >/dev/null 2>&1; done
echo ok >"$out/status"

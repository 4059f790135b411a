#!/usr/bin/env bash
# Starts libvirt's system daemons by hand, for the integration test, on a machine without systemd.
# Debian's libvirt-daemon runs QEMU as the libvirt-qemu user, which its -system package would create;
# create it (and the kvm group) when missing. Idempotent: does nothing when libvirtd already answers.
set -euo pipefail
uri=qemu:///system
if virsh -c "$uri" version >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "libvirtd is not running and starting it needs root" >&2
    exit 1
fi
for tool in libvirtd virtlogd virsh; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (run 'make setup')" >&2; exit 1; }
done
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
id libvirt-qemu >/dev/null 2>&1 || useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
mkdir -p /var/log/libvirt/qemu /var/run/libvirt /var/lib/libvirt/qemu
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
for _ in $(seq 50); do
    virsh -c "$uri" version >/dev/null 2>&1 && exit 0
    sleep 0.2
done
echo "libvirtd did not answer on $uri within 10 s; see /var/log/libvirt/libvirtd.log" >&2
exit 1

import ConformCore
import Foundation

/// Checks that hold whatever the design says: they are what catches a wrong design. They run on libvirt's
/// configuration (`conform run`) and on the profile's VM definitions alone (`conform lint`).
public struct PinningInvariants: Sendable {
    public let placements: [Placement]
    public let topology: NUMATopology
    public let hostReserveGiB: Double

    public init(placements: [Placement], topology: NUMATopology, hostReserveGiB: Double) {
        self.placements = placements
        self.topology = topology
        self.hostReserveGiB = hostReserveGiB
    }

    /// Each vCPU pinned to exactly one host CPU that exists.
    public func single() -> [Finding] {
        let hostCPUs = topology.allCPUs
        return placements.map { vm in
            var problems: [String] = []
            for (vcpu, cpus) in vm.vcpuCPUs.enumerated() {
                guard let cpus else {
                    problems.append("vCPU \(vcpu) is not pinned")
                    continue
                }
                if cpus.count != 1 { problems.append("vCPU \(vcpu) may run on \(cpus)") }
                let missing = cpus.subtracting(hostCPUs)
                if !missing.isEmpty {
                    problems.append("vCPU \(vcpu) is pinned to CPU \(missing), which this host does not have")
                }
            }
            return Finding(
                problems.isEmpty ? .pass : .fail, subject: vm.name, expected: "one existing host CPU per vCPU",
                observed: problems.isEmpty
                    ? "\(vm.vcpuCPUs.count) vCPUs on \(vm.allVCPUCPUs)" : problems.prefix(4).joined(separator: "; "),
                observedValue: problems.isEmpty
                    ? .record(["vcpus": .count(vm.vcpuCPUs.count), "cpus": .cpus(vm.allVCPUCPUs)])
                    : .list(problems.map(ObservedValue.text)),
                message: problems.isEmpty
                    ? "each of the \(vm.vcpuCPUs.count) vCPUs is pinned to its own host CPU"
                    : "\(problems.count) vCPU pin problem(s): \(problems.prefix(4).joined(separator: "; "))")
        }
    }

    /// A strictly bound VM's vCPUs and emulator threads stay on the nodes its memory is bound to.
    public func nodeLocal() -> [Finding] {
        placements.map { vm in
            guard let nodes = vm.strictNodes else {
                return Finding(
                    .skip, subject: vm.name,
                    message:
                        "memory is not strictly bound to a node (\(vm.memoryMode ?? "no numatune")): nothing to be local to"
                )
            }
            let allowed = topology.cpus(ofNodes: nodes)
            var problems: [String] = []
            let remoteVCPUs = vm.allVCPUCPUs.subtracting(allowed)
            if !remoteVCPUs.isEmpty {
                problems.append("vCPUs on CPUs \(remoteVCPUs) of node(s) \(topology.nodes(of: remoteVCPUs))")
            }
            if vm.vcpuCPUs.contains(where: { $0 == nil }) { problems.append("unpinned vCPUs may run on any node") }
            if let emulator = vm.emulatorCPUs {
                let remote = emulator.subtracting(allowed)
                if !remote.isEmpty {
                    problems.append("emulator on CPUs \(remote) of node(s) \(topology.nodes(of: remote))")
                }
            } else {
                problems.append("emulator threads are not pinned and may run on any node")
            }
            return Finding(
                problems.isEmpty ? .pass : .fail, subject: vm.name, expected: "CPUs of node(s) \(nodes): \(allowed)",
                observed: problems.isEmpty
                    ? "vCPUs \(vm.allVCPUCPUs), emulator \(vm.emulatorCPUs?.description ?? "unpinned")"
                    : problems.joined(separator: "; "),
                observedValue: problems.isEmpty
                    ? .record([
                        "vcpus": .cpus(vm.allVCPUCPUs),
                        "emulator": vm.emulatorCPUs.map(ObservedValue.cpus) ?? .text("unpinned"),
                    ])
                    : .list(problems.map(ObservedValue.text)),
                message: problems.isEmpty
                    ? "vCPUs and emulator stay on node(s) \(nodes), where the memory is"
                    : "memory is bound to node(s) \(nodes) but " + problems.joined(separator: "; "))
        }
    }

    /// No host CPU carries the vCPUs of two VMs. Two flexible VMs sharing is a warning; sharing a
    /// non-flexible VM's (dedicated) vCPUs is always a failure.
    public func exclusive() -> [Finding] {
        placements.map { vm in
            var failures: [String] = []
            var warnings: [String] = []
            for other in placements where other.name != vm.name {
                let shared = vm.allVCPUCPUs.intersection(other.allVCPUCPUs)
                guard !shared.isEmpty else { continue }
                if vm.flexible && other.flexible {
                    warnings.append("CPUs \(shared) with flexible VM \(other.name)")
                } else {
                    failures.append("CPUs \(shared) with \(other.name)\(other.flexible ? " (flexible)" : "")")
                }
            }
            return Self.verdict(
                vm, failures: failures, warnings: warnings, expected: "no vCPU CPU shared with another VM",
                pass: "vCPU CPUs \(vm.allVCPUCPUs) are used by no other VM", failPrefix: "vCPUs share",
                warnSuffix: "both VMs are declared flexible, so this sharing is on purpose")
        }
    }

    /// No vCPU runs on an emulator CPU: its own VM's, or another's (a warning for a flexible VM, which the
    /// design places on emulator CPUs on purpose).
    public func emulatorDisjoint() -> [Finding] {
        placements.map { vm in
            var failures: [String] = []
            var warnings: [String] = []
            let vcpus = vm.allVCPUCPUs
            for other in placements {
                guard let emulator = other.emulatorCPUs else { continue }
                let shared = vcpus.intersection(emulator)
                guard !shared.isEmpty else { continue }
                if other.name == vm.name {
                    failures.append("its own emulator CPUs \(shared)")
                } else if vm.flexible {
                    warnings.append("\(other.name)'s emulator CPUs \(shared)")
                } else {
                    failures.append("\(other.name)'s emulator CPUs \(shared)")
                }
            }
            if vm.emulatorCPUs == nil {
                let text = "its emulator threads are not pinned and may run on any CPU, other VMs' vCPUs included"
                if vm.flexible { warnings.append(text) } else { failures.append(text) }
            }
            return Self.verdict(
                vm, failures: failures, warnings: warnings, expected: "vCPUs off every emulator cpuset",
                pass: "vCPUs \(vcpus) are off every emulator cpuset (own: \(vm.emulatorCPUs?.description ?? "none"))",
                failPrefix: "vCPUs run on", warnSuffix: "the VM is declared flexible, so this sharing is on purpose")
        }
    }

    /// The two SMT siblings of a core are not split between two VMs.
    public func siblings() -> [Finding] {
        placements.map { vm in
            var failures: [String] = []
            var warnings: [String] = []
            for group in topology.siblings where !group.intersection(vm.allVCPUCPUs).isEmpty {
                let ownThreads = group.intersection(vm.allVCPUCPUs)
                for other in placements where other.name != vm.name {
                    // Sharing the very same threads is hv.vcpupin.exclusive's finding; this one is about a
                    // core whose threads go to different VMs.
                    let otherThreads = group.intersection(other.allVCPUCPUs)
                    guard !otherThreads.isEmpty, otherThreads != ownThreads else { continue }
                    let text =
                        "core \(group) with \(other.name) (it has \(ownThreads), \(other.name) has \(otherThreads))"
                    if vm.flexible || other.flexible { warnings.append(text) } else { failures.append(text) }
                }
            }
            return Self.verdict(
                vm, failures: failures, warnings: warnings, expected: "whole cores per VM",
                pass: "every core it uses (both SMT siblings) belongs to it alone", failPrefix: "splits",
                warnSuffix: "a flexible VM is involved, so this is on purpose")
        }
    }

    /// Per node, strictly bound guest memory plus the host reserve fits the node; VMs without a binding
    /// fit in what is left over all nodes.
    public func memoryFits() -> [Finding] {
        var bound: [Int: Double] = [:]
        for vm in placements {
            guard let nodes = vm.strictNodes, !nodes.isEmpty else { continue }
            for node in nodes { bound[node, default: 0] += vm.memoryGiB / Double(nodes.count) }
        }
        var findings: [Finding] = []
        var leftover = 0.0
        for node in topology.nodes {
            let used = bound[node.id] ?? 0
            guard let capacity = node.memoryGiB else {
                findings.append(
                    Finding(.error, subject: "node\(node.id)", message: "node\(node.id)'s memory is unknown"))
                continue
            }
            let needed = used + hostReserveGiB
            leftover += max(0, capacity - needed)
            let names = placements.filter { $0.strictNodes?.contains(node.id) ?? false }.map(\.name).joined(
                separator: ", ")
            findings.append(
                Finding(
                    needed <= capacity ? .pass : .fail, subject: "node\(node.id)", expected: "≤ \(Self.gib(capacity))",
                    observed: "\(Self.gib(used)) bound + \(Self.gib(hostReserveGiB)) host reserve",
                    observedValue: .record(["bound GiB": .number(used), "host reserve GiB": .number(hostReserveGiB)]),
                    message:
                        "node\(node.id): \(Self.gib(used)) strictly bound (\(names.isEmpty ? "no VM" : names)) + \(Self.gib(hostReserveGiB)) host reserve "
                        + (needed <= capacity
                            ? "fits in \(Self.gib(capacity))"
                            : "exceeds its \(Self.gib(capacity)) by \(Self.gib(needed - capacity))"),
                    measurements: [MeasuredValue(name: "hv.node\(node.id).memory.bound", value: used, unit: .gibibytes)]
                ))
        }
        let unbound = placements.filter { $0.strictNodes == nil }
        if !unbound.isEmpty && !findings.contains(where: { $0.status == .error }) {
            let total = unbound.reduce(0) { $0 + $1.memoryGiB }
            let names = unbound.map(\.name).joined(separator: ", ")
            findings.append(
                Finding(
                    total <= leftover ? .pass : .fail, subject: "unbound",
                    expected: "≤ \(Self.gib(leftover)) left over",
                    observed: Self.gib(total), observedValue: .number(total),
                    message: "VMs without a strict binding (\(names)) need \(Self.gib(total)); "
                        + (total <= leftover
                            ? "\(Self.gib(leftover)) is left over the nodes"
                            : "only \(Self.gib(leftover)) is left over the nodes after bound memory and reserves")))
        }
        return findings
    }

    static func verdict(
        _ vm: Placement, failures: [String], warnings: [String], expected: String, pass: String, failPrefix: String,
        warnSuffix: String
    ) -> Finding {
        if !failures.isEmpty {
            return Finding(
                .fail, subject: vm.name, expected: expected, observed: (failures + warnings).joined(separator: "; "),
                observedValue: .list((failures + warnings).map(ObservedValue.text)),
                message: "\(failPrefix) " + failures.joined(separator: "; "))
        }
        if !warnings.isEmpty {
            return Finding(
                .warn, subject: vm.name, expected: expected, observed: warnings.joined(separator: "; "),
                observedValue: .list(warnings.map(ObservedValue.text)),
                message: "\(failPrefix) " + warnings.joined(separator: "; ") + " — \(warnSuffix)")
        }
        return Finding(.pass, subject: vm.name, expected: expected, message: pass)
    }

    static func gib(_ value: Double) -> String { String(format: "%.1f GiB", value) }
}

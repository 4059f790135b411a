import ConformCore
import Foundation

/// The running QEMU processes against libvirt's configuration.
struct LiveChecks: Sendable {
    let facts: HypervisorFacts
    /// Off-node memory above this share (percent) fails: the seeds' troubleshooting uses 1% as the alarm.
    static let offNodeLimitPercent = 1.0

    /// Runs `body` on each running domain's live facts.
    func perRunningDomain(_ body: (DomainFacts, LiveDomainFacts) -> Finding) -> [Finding] {
        guard case .value(let domains) = facts.domains else {
            if case .failed(let error) = facts.domains { return [Finding(.error, message: "cannot read \(error)")] }
            return []
        }
        return domains.compactMap { domain in
            guard domain.state == "running" else { return nil }
            switch facts.live[domain.name] {
            case .value(let live): return body(domain, live)
            case .failed(let error): return Finding(.error, subject: domain.name, message: "cannot read \(error)")
            case .unavailable(let reason): return Finding(.skip, subject: domain.name, message: reason)
            case nil: return Finding(.error, subject: domain.name, message: "no live facts were gathered")
            }
        }
    }

    func vcpuAffinity() -> [Finding] {
        perRunningDomain { domain, live in
            var drift: [String] = []
            for vcpu in 0..<(domain.currentVCPUs ?? domain.vcpus) {
                guard let thread = live.vcpuThread(vcpu) else {
                    drift.append("no thread 'CPU \(vcpu)/KVM' (or /TCG) in pid \(live.pid)")
                    continue
                }
                if let configured = domain.allowedCPUs(ofVCPU: vcpu), thread.cpusAllowed != configured {
                    drift.append(
                        "vCPU \(vcpu) (tid \(thread.tid)) runs on \(thread.cpusAllowed), configured \(configured)")
                }
            }
            return Finding(
                drift.isEmpty ? .pass : .fail, subject: domain.name, expected: "as configured",
                observed: drift.isEmpty ? "as configured" : drift.joined(separator: "; "),
                observedValue: drift.isEmpty ? .text("as configured") : .list(drift.map(ObservedValue.text)),
                message: drift.isEmpty
                    ? "every vCPU thread of pid \(live.pid) has its configured affinity"
                    : drift.prefix(6).joined(separator: "; "))
        }
    }

    func emulatorAffinity() -> [Finding] {
        perRunningDomain { domain, live in
            guard let configured = domain.emulatorCPUs else {
                return Finding(
                    .skip, subject: domain.name, message: "no emulatorpin is configured: nothing to compare with")
            }
            let pinnedIOThreads = Set(domain.iothreadPins.map(\.iothread))
            let emulatorThreads = live.threads.filter { thread in
                thread.vcpu == nil && !thread.isKernelWorker
                    && !(thread.iothread.map(pinnedIOThreads.contains) ?? false)
            }
            let drift = emulatorThreads.filter { $0.cpusAllowed != configured }
            return Finding(
                drift.isEmpty ? .pass : .fail, subject: domain.name, expected: configured.description,
                observed: drift.isEmpty
                    ? configured.description
                    : drift.map { "\($0.name) (tid \($0.tid)): \($0.cpusAllowed)" }.joined(separator: "; "),
                observedValue: drift.isEmpty
                    ? .cpus(configured)
                    : .list(drift.map { .record(["thread": .text($0.name), "cpus": .cpus($0.cpusAllowed)]) }),
                message: drift.isEmpty
                    ? "\(emulatorThreads.count) emulator thread(s) on \(configured)"
                    : "\(drift.count) emulator thread(s) off \(configured): "
                        + drift.prefix(4).map { "\($0.name) on \($0.cpusAllowed)" }.joined(separator: "; "))
        }
    }

    func memoryPlacement() -> [Finding] {
        perRunningDomain { domain, live in
            guard let memory = domain.numaMemory, memory.mode == "strict", let nodeset = memory.nodeset else {
                return Finding(
                    .skip, subject: domain.name, message: "memory is not strictly bound to a nodeset: no node to be on")
            }
            // Summed as Double: per-node counts that each fit in an Int need not fit summed.
            let total = live.bytesByNode.values.reduce(0.0) { $0 + Double($1) }
            let offNode = live.bytesByNode.filter { !nodeset.contains(Int($0.key) ?? -1) }.values.reduce(0.0) {
                $0 + Double($1)
            }
            let share = total > 0 ? offNode / total * 100 : 0
            let measurement = MeasuredValue(
                name: "hv.\(domain.name).memory.off-node", value: share, unit: .percent, direction: .lower)
            var problems: [String] = []
            if !live.memsAllowed.isSubset(of: nodeset) { problems.append("Mems_allowed_list is \(live.memsAllowed)") }
            if share > Self.offNodeLimitPercent {
                problems.append(String(format: "%.1f%% of its pages are off node(s) %@", share, nodeset.description))
            }
            let perNode = live.bytesByNode.keys.sorted().map {
                "N\($0)=\(live.bytesByNode[$0, default: 0] / 1_048_576) MiB"
            }.joined(separator: " ")
            return Finding(
                problems.isEmpty ? .pass : .fail, subject: domain.name,
                expected: "pages on node(s) \(nodeset), ≤ \(Self.offNodeLimitPercent)% elsewhere", observed: perNode,
                message: problems.isEmpty
                    ? String(format: "%.2f%% of pages off node(s) %@ (%@)", share, nodeset.description, perNode)
                    : problems.joined(separator: "; "),
                measurements: [measurement])
        }
    }
}

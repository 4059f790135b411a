import ConformCore

/// `conform lint`: the topology a profile declares, checked against itself and against the CPUs its VMs pin,
/// before any machine exists. A design whose numbers disagree with each other cannot be built as written.
public struct DeclaredTopologyChecks: Sendable {
    public let spec: TopologySpec
    /// Every host CPU the host's VM definitions pin (vCPUs and emulator threads), by VM name.
    public let pinnedCPUs: [String: CPUSet]

    public init(spec: TopologySpec, pinnedCPUs: [String: CPUSet]) {
        self.spec = spec
        self.pinnedCPUs = pinnedCPUs
    }

    /// sockets x cores per socket x threads per core, when all three are declared.
    var cpuCount: Int? {
        guard let sockets = spec.sockets, let cores = spec.coresPerSocket, let threads = spec.threadsPerCore,
            sockets > 0, cores > 0, threads > 0
        else { return nil }
        let (product, overflow) = sockets.multipliedReportingOverflow(by: cores)
        let (total, overflowAgain) = product.multipliedReportingOverflow(by: threads)
        // More than any machine has (a hand-built spec; the loader refuses it) would make 0..<count enormous.
        return overflow || overflowAgain || total > Bounds.cpus ? nil : total
    }

    /// The CPUs of the declared nodes, when every node declares its CPU list.
    var nodeCPUs: CPUSet? {
        guard let nodes = spec.nodes, !nodes.isEmpty, nodes.allSatisfy({ $0.cpus != nil }) else { return nil }
        return nodes.reduce(CPUSet.empty) { $0.union($1.cpus ?? .empty) }
    }

    /// The CPUs the design says the host has: the online list, else the nodes' CPUs, else 0..<count.
    var declaredCPUs: CPUSet? {
        spec.onlineCPUs ?? nodeCPUs ?? cpuCount.map { CPUSet(0..<$0) }
    }

    public func findings() -> [Finding] {
        var problems: [String] = []
        var facts: [String] = []
        if let count = cpuCount {
            facts.append(
                "\(spec.sockets ?? 0) x \(spec.coresPerSocket ?? 0) x \(spec.threadsPerCore ?? 0) = \(count) CPUs")
            if let online = spec.onlineCPUs, online.count != count {
                problems.append("online CPUs \(online) are \(online.count), not the \(count) the counts give")
            }
            if let nodeCPUs, nodeCPUs.count != count {
                problems.append("the nodes' CPU lists hold \(nodeCPUs.count) CPUs, not the \(count) the counts give")
            }
        }
        if let online = spec.onlineCPUs, let nodeCPUs, nodeCPUs != online {
            problems.append("the nodes' CPUs \(nodeCPUs) are not the online CPUs \(online)")
        }
        if let nodes = spec.nodes {
            for (index, node) in nodes.enumerated() {
                for other in nodes[(index + 1)...] {
                    let shared = (node.cpus ?? .empty).intersection(other.cpus ?? .empty)
                    if !shared.isEmpty { problems.append("nodes \(node.id) and \(other.id) both hold CPUs \(shared)") }
                }
            }
        }
        guard let declared = declaredCPUs else {
            return [
                Finding(
                    .skip, message: "the profile declares neither CPU counts nor CPU lists: nothing to check against")
            ]
        }
        for name in pinnedCPUs.keys.sorted() {
            let outside = (pinnedCPUs[name] ?? .empty).subtracting(declared)
            if !outside.isEmpty { problems.append("VM \(name) pins CPUs \(outside), which the host does not have") }
        }
        let observed = facts + ["CPUs \(declared)"]
        guard problems.isEmpty else {
            return [
                Finding(
                    .fail, expected: "counts, CPU lists and the VMs' pins agree",
                    observed: observed.joined(separator: "; "),
                    message: problems.joined(separator: "; "))
            ]
        }
        return [
            Finding(
                .pass, expected: "counts, CPU lists and the VMs' pins agree",
                observed: observed.joined(separator: "; "),
                message: "the declared topology agrees with itself and every VM pin (\(declared.count) CPUs)")
        ]
    }
}

extension HostCatalog {
    public static let declaredTopology = entry(
        "host.topology.declared", "The design's topology agrees with itself and with its VMs' pins", .critical,
        tags: ["topology", "design"],
        remediation: "Correct the profile: sockets x cores x threads, the online list, the nodes' CPU lists and "
            + "every VM's pins must describe the same CPUs.",
        rationale:
            "A design whose own numbers disagree cannot be provisioned as written; lint finds it before a machine is bought."
    )

    /// The checks only `conform lint` runs, with how each is evaluated.
    static let lintTable: [CatalogEntry<DeclaredTopologyChecks>] = [
        CatalogEntry(declaredTopology) { $0.findings() }
    ]

    /// The checks only `conform lint` runs.
    public static let lintOnly: [CheckMetadata] = lintTable.metadata()

    /// `conform lint`'s host checks: the declared topology against itself and the pins of `spec`'s VMs.
    public static func lintChecks(for spec: HostSpec, profile: Profile) -> [Check] {
        var pinned: [String: CPUSet] = [:]
        for definition in spec.vms.compactMap(profile.vm(named:)) {
            let pins = definition.tuning?.vcpuPins ?? []
            pinned[definition.name] = pins.reduce(definition.tuning?.emulatorCPUs ?? .empty) { $0.union($1) }
        }
        return lintTable.checks(DeclaredTopologyChecks(spec: spec.topology, pinnedCPUs: pinned))
    }
}

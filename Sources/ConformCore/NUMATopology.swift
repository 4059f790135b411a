/// The NUMA layout pinning checks reason about: which CPUs and how much memory each node has, and which
/// CPUs are SMT siblings. Built from a host's probed facts, or from a profile's declared topology for
/// `conform lint`, so that layers can share it without depending on each other.
public struct NUMATopology: Codable, Sendable, Equatable {
    public struct Node: Codable, Sendable, Equatable {
        public var id: Int
        public var cpus: CPUSet
        public var memoryGiB: Double?

        public init(id: Int, cpus: CPUSet, memoryGiB: Double?) {
            self.id = id
            self.cpus = cpus
            self.memoryGiB = memoryGiB
        }
    }

    public var nodes: [Node]
    /// SMT sibling groups, one per core.
    public var siblings: [CPUSet]

    public init(nodes: [Node], siblings: [CPUSet]) {
        self.nodes = nodes
        self.siblings = siblings
    }

    public var allCPUs: CPUSet { CPUSet(nodes.flatMap(\.cpus.members)) }

    public func node(_ id: Int) -> Node? { nodes.first { $0.id == id } }

    /// The nodes holding any of these CPUs.
    public func nodes(of cpus: CPUSet) -> CPUSet {
        CPUSet(nodes.filter { !$0.cpus.intersection(cpus).isEmpty }.map(\.id))
    }

    /// The CPUs of a set of nodes.
    public func cpus(ofNodes ids: CPUSet) -> CPUSet {
        nodes.filter { ids.contains($0.id) }.reduce(CPUSet.empty) { $0.union($1.cpus) }
    }

    /// The topology a profile declares, or `nil` when it does not declare every node's CPUs.
    public init?(spec: TopologySpec) {
        guard let declared = spec.nodes, !declared.isEmpty else { return nil }
        var nodes: [Node] = []
        for node in declared {
            guard let cpus = node.cpus else { return nil }
            nodes.append(Node(id: node.id, cpus: cpus, memoryGiB: node.memoryGiB))
        }
        let all = nodes.reduce(CPUSet.empty) { $0.union($1.cpus) }
        let siblings = spec.siblingOffset.map { Self.siblingGroups(of: all, offset: $0) } ?? all.map { CPUSet([$0]) }
        self.init(nodes: nodes, siblings: siblings)
    }

    /// SMT sibling groups when CPU n's sibling is n + offset (n/n+36 on 2 × 18 cores), limited to `cpus`:
    /// a CPU whose sibling is offline is a group of its own.
    /// An offset past any CPU number (the loader bounds it; a hand-built spec may not) pairs nothing.
    public static func siblingGroups(of cpus: CPUSet, offset: Int) -> [CPUSet] {
        cpus.filter { cpu in
            let (below, overflow) = cpu.subtractingReportingOverflow(offset)
            return overflow || cpu < offset || !cpus.contains(below)
        }.map { cpu in
            let (sibling, overflow) = cpu.addingReportingOverflow(offset)
            return overflow ? CPUSet([cpu]) : CPUSet([cpu, sibling]).intersection(cpus)
        }
    }
}

import ConformCore

/// What the host probes see under a sysroot (`conform facts`' `host` object).
public struct HostFacts: Codable, Sendable, Equatable {
    public var sysroot: String
    public var topology: Probed<TopologyFacts>
    public var cpuModel: Probed<String>
    public var governor: Probed<GovernorFacts>
    public var thp: THPFacts
    public var numaBalancing: Probed<Int>
    /// Each disk path probed (the design's, or for `conform facts` every mount point), in the order asked.
    public var storage: [StorageFacts]

    public init(
        sysroot: String, topology: Probed<TopologyFacts>, cpuModel: Probed<String>, governor: Probed<GovernorFacts>,
        thp: THPFacts, numaBalancing: Probed<Int>, storage: [StorageFacts] = []
    ) {
        self.sysroot = sysroot
        self.topology = topology
        self.cpuModel = cpuModel
        self.governor = governor
        self.thp = thp
        self.numaBalancing = numaBalancing
        self.storage = storage
    }

    /// Every fact the same error: a probe that could not finish.
    public init(sysroot: String, failing error: ProbeError, storagePaths: [String] = []) {
        self.init(
            sysroot: sysroot, topology: .failed(error), cpuModel: .failed(error), governor: .failed(error),
            thp: THPFacts(enabled: .failed(error), defrag: .failed(error)), numaBalancing: .failed(error),
            storage: storagePaths.map { StorageFacts(path: $0, placement: .failed(error)) })
    }
}

/// CPU and NUMA layout.
public struct TopologyFacts: Codable, Sendable, Equatable {
    public var sockets: Int
    public var coresPerSocket: Int
    public var threadsPerCore: Int
    public var onlineCPUs: CPUSet
    public var nodes: [NodeFacts]
    /// SMT sibling groups (`thread_siblings_list`), one per core, ordered by their first CPU.
    public var siblings: [CPUSet]

    public init(
        sockets: Int, coresPerSocket: Int, threadsPerCore: Int, onlineCPUs: CPUSet, nodes: [NodeFacts],
        siblings: [CPUSet]
    ) {
        self.sockets = sockets
        self.coresPerSocket = coresPerSocket
        self.threadsPerCore = threadsPerCore
        self.onlineCPUs = onlineCPUs
        self.nodes = nodes
        self.siblings = siblings
    }

    public func node(_ id: Int) -> NodeFacts? { nodes.first { $0.id == id } }
}

/// One NUMA node. Memory and distances are `nil` where the kernel does not expose them
/// (older kernels and stripped dumps have only `cpumap`).
public struct NodeFacts: Codable, Sendable, Equatable {
    public var id: Int
    public var cpus: CPUSet
    public var memoryKiB: Int?
    public var distances: [Int]?

    public init(id: Int, cpus: CPUSet, memoryKiB: Int? = nil, distances: [Int]? = nil) {
        self.id = id
        self.cpus = cpus
        self.memoryKiB = memoryKiB
        self.distances = distances
    }

    public var memoryGiB: Double? { memoryKiB.map { Double($0) / 1_048_576 } }

    enum CodingKeys: String, CodingKey { case id, cpus, memoryKiB, distances }

    /// Unknown memory and distances are written as `null`, so a reader sees them as unknown, not forgotten.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(cpus, forKey: .cpus)
        try container.encode(memoryKiB, forKey: .memoryKiB)
        try container.encode(distances, forKey: .distances)
    }
}

/// Scaling governors of the online CPUs, grouped: `{"performance": "0-71"}`.
public struct GovernorFacts: Codable, Sendable, Equatable {
    public var byGovernor: [String: CPUSet]

    public init(byGovernor: [String: CPUSet]) {
        self.byGovernor = byGovernor
    }

    /// `performance: 0-17; powersave: 18-71`, governors sorted.
    public var summary: String {
        byGovernor.keys.sorted().map { "\($0): \(byGovernor[$0] ?? .empty)" }.joined(separator: "; ")
    }
}

/// Transparent huge pages: the bracketed value of each file.
public struct THPFacts: Codable, Sendable, Equatable {
    public var enabled: Probed<String>
    public var defrag: Probed<String>

    public init(enabled: Probed<String>, defrag: Probed<String>) {
        self.enabled = enabled
        self.defrag = defrag
    }
}

extension TopologyFacts {
    /// The layout other layers reason about, without depending on the host layer.
    public var numaTopology: NUMATopology {
        NUMATopology(
            nodes: nodes.map { NUMATopology.Node(id: $0.id, cpus: $0.cpus, memoryGiB: $0.memoryGiB) },
            siblings: siblings)
    }
}

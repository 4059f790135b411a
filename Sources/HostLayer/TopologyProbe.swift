import ConformCore

/// Reads CPU and NUMA topology from `sys/devices/system/{cpu,node}` the way lscpu and numactl do.
///
/// The counts are util-linux lscpu's: a core is a distinct set of thread siblings, a socket a distinct package,
/// and cores per socket is cores divided by sockets. Only online CPUs are read: the kernel removes an offline
/// CPU's `topology` directory, and pins and placement can only use online CPUs anyway.
public struct TopologyProbe: Sendable {
    public let sysroot: Sysroot

    public init(sysroot: Sysroot) {
        self.sysroot = sysroot
    }

    static let cpuDirectory = "sys/devices/system/cpu"
    static let nodeDirectory = "sys/devices/system/node"

    public func probe() throws -> TopologyFacts {
        let online = try onlineCPUs()
        let placements = try online.map { try placement(of: $0, online: online) }
        let sockets = Set(placements.map(\.socket)).count
        // Not (package, die, core_id): kernels without die_id repeat core_id in every die of a package (AMD
        // multi-die parts, the SG2042's clusters), and core_id has gaps (EPYC: 0,1,2,4,…).
        let cores = Set(placements.map(\.threadSiblings))
        return TopologyFacts(
            sockets: sockets, coresPerSocket: sockets > 0 ? cores.count / sockets : 0,
            threadsPerCore: cores.map(\.count).max() ?? 1, onlineCPUs: online, nodes: try nodes(online: online),
            siblings: cores.sorted { ($0.members.first ?? 0) < ($1.members.first ?? 0) })
    }

    /// `cpu/online`; without it (some dumps), every `cpuN` directory that has a topology.
    func onlineCPUs() throws -> CPUSet {
        let onlineFile = "\(Self.cpuDirectory)/online"
        if sysroot.exists(onlineFile) { return try sysroot.readCPUList(onlineFile) }
        let numbers = try sysroot.numberedEntries(Self.cpuDirectory, prefix: "cpu", maximum: CPUSet.maximumCPU)
        let present = numbers.filter { sysroot.exists("\(Self.cpuDirectory)/cpu\($0)/topology") }
        guard !present.isEmpty else {
            throw ProbeError(path: sysroot.path(onlineFile), reason: "no such file, and no cpuN/topology directories")
        }
        return CPUSet(present)
    }

    /// Where one online CPU sits: its core's online threads and its socket.
    func placement(of cpu: Int, online: CPUSet) throws -> CPUPlacement {
        let topology = "\(Self.cpuDirectory)/cpu\(cpu)/topology"
        let threads = try siblings(topology: topology).intersection(online).union([cpu])
        return CPUPlacement(cpu: cpu, threadSiblings: threads, socket: try socket(topology: topology, online: online))
    }

    /// `thread_siblings_list`, else the `thread_siblings` mask (older kernels write only the mask).
    func siblings(topology: String) throws -> CPUSet {
        let list = "\(topology)/thread_siblings_list"
        if sysroot.exists(list) { return try sysroot.readCPUList(list) }
        return try sysroot.readCPUMask("\(topology)/thread_siblings")
    }

    /// The files that list a CPU's package, newest name first: lists, then the masks older kernels write alone.
    static let packageListFiles = ["package_cpus_list", "core_siblings_list"]
    static let packageMaskFiles = ["package_cpus", "core_siblings"]

    /// `physical_package_id`; where it is -1 (the kernel does not know the package: POWER LPARs, SPARC, some VMs
    /// and ARM boards), the package's CPUs as the kernel groups them, which is what lscpu counts; without such a
    /// file, every CPU of unknown package is one socket.
    func socket(topology: String, online: CPUSet) throws -> SocketKey {
        let package = try sysroot.readInt("\(topology)/physical_package_id")
        if package >= 0 { return .id(package) }
        if let list = Self.packageListFiles.map({ "\(topology)/\($0)" }).first(where: sysroot.exists) {
            return .cpus(try sysroot.readCPUList(list).intersection(online))
        }
        if let mask = Self.packageMaskFiles.map({ "\(topology)/\($0)" }).first(where: sysroot.exists) {
            return .cpus(try sysroot.readCPUMask(mask).intersection(online))
        }
        return .unknown
    }
}

/// What one online CPU's `topology` directory says about where it sits.
struct CPUPlacement: Sendable {
    let cpu: Int
    /// The online CPUs of its core, itself included.
    let threadSiblings: CPUSet
    let socket: SocketKey
}

/// What tells one socket from another.
enum SocketKey: Hashable, Sendable {
    /// `physical_package_id`, as the kernel numbers packages.
    case id(Int)
    /// The package's online CPUs, where the kernel writes package id -1.
    case cpus(CPUSet)
    /// Package id -1 and no file listing the package's CPUs.
    case unknown
}

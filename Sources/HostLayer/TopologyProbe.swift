import ConformCore

/// Reads CPU and NUMA topology from `sys/devices/system/{cpu,node}` the way lscpu and numactl do.
public struct TopologyProbe: Sendable {
    public let sysroot: Sysroot

    public init(sysroot: Sysroot) {
        self.sysroot = sysroot
    }

    static let cpuDirectory = "sys/devices/system/cpu"
    static let nodeDirectory = "sys/devices/system/node"

    public func probe() throws -> TopologyFacts {
        let online = try onlineCPUs()
        var packageOf: [Int: Int] = [:]
        var cores = Set<[Int]>()
        var siblingGroups = Set<CPUSet>()
        for cpu in online {
            let topology = "\(Self.cpuDirectory)/cpu\(cpu)/topology"
            let package = try sysroot.readInt("\(topology)/physical_package_id")
            let die = sysroot.exists("\(topology)/die_id") ? try sysroot.readInt("\(topology)/die_id") : 0
            let core = try sysroot.readInt("\(topology)/core_id")
            packageOf[cpu] = package
            // core_id can have gaps (EPYC: 0,1,2,4,…) and repeats across dies: count distinct triples.
            cores.insert([package, die, core])
            siblingGroups.insert(try siblings(of: cpu, topology: topology).intersection(online))
        }
        let sockets = Set(packageOf.values).count
        let threadsPerCore = siblingGroups.map(\.count).max() ?? 1
        return TopologyFacts(
            sockets: sockets, coresPerSocket: sockets > 0 ? cores.count / sockets : 0, threadsPerCore: threadsPerCore,
            onlineCPUs: online, nodes: try nodes(),
            siblings: siblingGroups.sorted { ($0.members.first ?? 0) < ($1.members.first ?? 0) })
    }

    /// `cpu/online`; without it (some dumps), every `cpuN` directory that has a topology.
    func onlineCPUs() throws -> CPUSet {
        let onlineFile = "\(Self.cpuDirectory)/online"
        if sysroot.exists(onlineFile) { return try sysroot.readCPUList(onlineFile) }
        let numbers = try sysroot.numberedEntries(Self.cpuDirectory, prefix: "cpu")
        let present = numbers.filter { sysroot.exists("\(Self.cpuDirectory)/cpu\($0)/topology") }
        guard !present.isEmpty else {
            throw ProbeError(path: sysroot.path(onlineFile), reason: "no such file, and no cpuN/topology directories")
        }
        return CPUSet(present)
    }

    func siblings(of cpu: Int, topology: String) throws -> CPUSet {
        let list = "\(topology)/thread_siblings_list"
        if sysroot.exists(list) { return try sysroot.readCPUList(list) }
        return try sysroot.readCPUMask("\(topology)/thread_siblings")
    }

    /// Each `nodeN`: CPUs from `cpulist`, else from the `cpumap` mask (older kernels); memory and distances
    /// when their files exist.
    func nodes() throws -> [NodeFacts] {
        try sysroot.numberedEntries(Self.nodeDirectory, prefix: "node").map { id in
            let directory = "\(Self.nodeDirectory)/node\(id)"
            let cpus =
                sysroot.exists("\(directory)/cpulist")
                ? try sysroot.readCPUList("\(directory)/cpulist") : try sysroot.readCPUMask("\(directory)/cpumap")
            var node = NodeFacts(id: id, cpus: cpus)
            if sysroot.exists("\(directory)/meminfo") {
                node.memoryKiB = try memTotal(nodeMeminfo: "\(directory)/meminfo")
            }
            if sysroot.exists("\(directory)/distance") {
                let text = try sysroot.read("\(directory)/distance")
                let values = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
                guard !values.isEmpty, values.count == text.split(whereSeparator: \.isWhitespace).count else {
                    throw ProbeError(
                        path: sysroot.path("\(directory)/distance"), reason: "'\(text)' is not a list of distances")
                }
                node.distances = values
            }
            return node
        }
    }

    /// `Node 0 MemTotal:       47925628 kB`
    func memTotal(nodeMeminfo relative: String) throws -> Int {
        for line in try sysroot.read(relative).split(separator: "\n") {
            let fields = line.split(whereSeparator: \.isWhitespace)
            if fields.count >= 4, fields[2] == "MemTotal:", let kib = Int(fields[3]) { return kib }
        }
        throw ProbeError(path: sysroot.path(relative), reason: "no MemTotal line")
    }
}

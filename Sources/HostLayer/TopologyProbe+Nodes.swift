import ConformCore

extension TopologyProbe {
    /// Each `nodeN`, ascending; ids may have gaps (node0, node2, node3 on a 4-socket Xeon X7550).
    ///
    /// A kernel built without NUMA has no `node` directory: then, as libnuma assumes, the machine is one node 0
    /// holding every online CPU.
    func nodes(online: CPUSet) throws -> [NodeFacts] {
        let ids =
            sysroot.exists(Self.nodeDirectory)
            ? try sysroot.numberedEntries(Self.nodeDirectory, prefix: "node", maximum: CPUSet.maximumCPU) : []
        guard !ids.isEmpty else { return [try wholeMachineNode(online: online)] }
        return try ids.map { try node($0, online: online) }
    }

    /// One node's CPUs, memory and distances; memory and distances are unknown where their files are absent.
    func node(_ id: Int, online: CPUSet) throws -> NodeFacts {
        let directory = "\(Self.nodeDirectory)/node\(id)"
        var node = NodeFacts(id: id, cpus: try nodeCPUs(directory: directory).intersection(online))
        if sysroot.exists("\(directory)/meminfo") {
            node.memoryKiB = try memTotal("\(directory)/meminfo")
        }
        if sysroot.exists("\(directory)/distance") {
            node.distances = try distances("\(directory)/distance")
        }
        return node
    }

    /// `cpulist`, else the `cpumap` mask (older kernels and stripped dumps have only the mask). A CPU-less node
    /// (CXL, HBM, Optane memory) writes an empty list, which is the empty set.
    ///
    /// The caller keeps only online CPUs: `lscpu -p` and `lscpu -e` list online CPUs each with its node, whereas
    /// lscpu's summary and `numactl --hardware` print the kernel's list as it is, offline CPUs included. A
    /// topology is what pins and placement can use, so conform follows `lscpu -p`.
    func nodeCPUs(directory: String) throws -> CPUSet {
        let list = "\(directory)/cpulist"
        if sysroot.exists(list) { return try sysroot.readCPUList(list) }
        return try sysroot.readCPUMask("\(directory)/cpumap")
    }

    /// Node 0 of a kernel without NUMA: every online CPU, `/proc/meminfo`'s MemTotal when that file exists, and
    /// no distance table, since the kernel writes none.
    func wholeMachineNode(online: CPUSet) throws -> NodeFacts {
        let meminfo = "proc/meminfo"
        return NodeFacts(
            id: 0, cpus: online, memoryKiB: sysroot.exists(meminfo) ? try memTotal(meminfo) : nil, distances: nil)
    }

    /// The kB after `MemTotal:`, in a node's meminfo (`Node 0 MemTotal:       47925628 kB`) or `/proc/meminfo`
    /// (`MemTotal:       16318504 kB`). A memory-less node writes 0, which is a value, not an error.
    func memTotal(_ relative: String) throws -> Int {
        for line in try sysroot.read(relative).split(separator: "\n") {
            let fields = line.split(whereSeparator: \.isWhitespace)
            if let label = fields.firstIndex(of: "MemTotal:"), label + 1 < fields.count {
                // kB → GiB and sums over nodes stay in range: no machine has more than 1 PiB.
                guard let kib = Int(fields[label + 1]), (0...Bounds.memoryKiB).contains(kib) else {
                    throw ProbeError(
                        path: sysroot.path(relative),
                        reason: "MemTotal '\(fields[label + 1].prefix(40))' is not from 0 to \(Bounds.memoryKiB) kB")
                }
                return kib
            }
        }
        throw ProbeError(path: sysroot.path(relative), reason: "no MemTotal line")
    }

    /// A node's `distance` row: one number per node, in node order.
    func distances(_ relative: String) throws -> [Int] {
        let text = try sysroot.read(relative)
        let fields = text.split(whereSeparator: \.isWhitespace)
        let values = fields.compactMap { Int($0) }.filter { (0...Bounds.nodeDistance).contains($0) }
        guard !values.isEmpty, values.count == fields.count else {
            throw ProbeError(path: sysroot.path(relative), reason: "'\(text)' is not a list of distances")
        }
        return values
    }
}

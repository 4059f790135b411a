import CBenchKernels
import ConformCore
import Foundation

/// One memory kernel.
public enum MemoryKernel: String, CaseIterable, Sendable, Codable {
    case read, write, copy, triad

    var c: cbk_kernel {
        switch self {
        case .read: return CBK_READ
        case .write: return CBK_WRITE
        case .copy: return CBK_COPY
        case .triad: return CBK_TRIAD
        }
    }

    /// Bytes per element as STREAM counts them.
    public var bytesPerElement: Int { Int(cbk_bytes_per_element(c)) }
}

/// The bandwidth of one kernel with threads on one node and memory on another.
public struct MemoryCell: Codable, Sendable, Equatable {
    public var kernel: MemoryKernel
    public var cpuNode: Int
    public var memNode: Int
    public var threads: Int
    /// Bytes of one array.
    public var arrayBytes: Double
    /// GB/s (10^9 bytes a second) of the fastest and the median repetition.
    public var bestGBps: Double
    public var medianGBps: Double
    /// Share of sampled pages found off `memNode`, 0…1.
    public var offNodeShare: Double

    public init(
        kernel: MemoryKernel, cpuNode: Int, memNode: Int, threads: Int, arrayBytes: Double, bestGBps: Double,
        medianGBps: Double, offNodeShare: Double
    ) {
        self.kernel = kernel
        self.cpuNode = cpuNode
        self.memNode = memNode
        self.threads = threads
        self.arrayBytes = arrayBytes
        self.bestGBps = bestGBps
        self.medianGBps = medianGBps
        self.offNodeShare = offNodeShare
    }

    /// DESIGN.md's measurement name: `mem.triad.cpu0.mem1`.
    public var measurementName: String { "mem.\(kernel.rawValue).cpu\(cpuNode).mem\(memNode)" }
}

/// The NUMA bandwidth matrix: for each (CPU node, memory node), buffers bound to the memory node with
/// libnuma (placement verified with move_pages), worker threads pinned to the CPU node's cores before they
/// touch memory, every page written before timing, each kernel run `repetitions` times after a warm-up.
public struct MemoryBenchmark: Sendable {
    public var topology: NUMATopology
    public var kernels: [MemoryKernel]
    /// Bytes of each array; raised to 4× the last-level cache if smaller.
    public var arrayBytes: Double
    /// Threads per run; `nil` for one per physical core of the CPU node.
    public var threads: Int?
    public var repetitions: Int
    public var lastLevelCacheBytes: Double
    /// Seconds the cells of one call may take in all; no kernel starts after that.
    public var budgetSeconds: Double

    public init(
        topology: NUMATopology, kernels: [MemoryKernel] = MemoryKernel.allCases, arrayBytes: Double = 1e9,
        threads: Int? = nil,
        repetitions: Int = 10, lastLevelCacheBytes: Double = CacheProbe.lastLevelCacheBytes(),
        budgetSeconds: Double = 1800
    ) {
        self.topology = topology
        self.kernels = kernels
        self.arrayBytes = arrayBytes
        self.threads = threads
        self.repetitions = repetitions
        self.lastLevelCacheBytes = lastLevelCacheBytes
        self.budgetSeconds = budgetSeconds
    }

    /// Arrays at least 4× the last-level cache, so the caches hold a quarter at most.
    public var effectiveArrayBytes: Double { max(arrayBytes, 4 * lastLevelCacheBytes) }

    /// One CPU per physical core of the node (the first sibling of each core), then the other siblings.
    public func cpus(ofNode id: Int) -> [Int] {
        guard let node = topology.node(id) else { return [] }
        let groups = topology.siblings.filter { !$0.intersection(node.cpus).isEmpty }.map {
            $0.intersection(node.cpus).members
        }
        let firsts = groups.compactMap(\.first).sorted()
        let rest = groups.flatMap { $0.dropFirst() }.sorted()
        let ordered = firsts + rest
        return ordered.isEmpty ? node.cpus.members : ordered
    }

    public func threadCount(forNode id: Int) -> Int {
        let available = cpus(ofNode: id)
        let physical = topology.siblings.filter { !$0.intersection(topology.node(id)?.cpus ?? .empty).isEmpty }.count
        return min(threads ?? max(1, physical), available.count)
    }

    /// Every kernel for one (CPU node, memory node) pair; past `deadline` no further kernel starts.
    public func run(
        cpuNode: Int, memNode: Int, deadline: Deadline? = nil, progress: ((String) -> Void)? = nil
    ) throws -> [MemoryCell] {
        let deadline = deadline ?? Deadline(seconds: budgetSeconds)
        if let refusal = KernelFeatures.refusal(missing: KernelFeatures.missingHere) { throw refusal }
        let threadCPUs = Array(cpus(ofNode: cpuNode).prefix(threadCount(forNode: cpuNode)))
        guard !threadCPUs.isEmpty else { throw BenchError("NUMA node \(cpuNode) has no CPUs") }
        guard topology.node(memNode) != nil else { throw BenchError("there is no NUMA node \(memNode)") }
        let elements = Int(effectiveArrayBytes) / MemoryLayout<Double>.stride
        let a = try NumaBuffer(elements: elements, node: memNode)
        let b = try NumaBuffer(elements: elements, node: memNode)
        let c = try NumaBuffer(elements: elements, node: memNode)
        var cells: [MemoryCell] = []
        var offNode: Double?
        for kernel in kernels {
            guard !deadline.passed else {
                throw BenchError(
                    "the memory benchmark ran past its time budget of \(deadline.text) before the \(kernel.rawValue) kernel of CPU node \(cpuNode), memory node \(memNode); give it a larger budget or smaller arrays"
                )
            }
            progress?(
                "memory \(kernel.rawValue): CPUs of node \(cpuNode), memory of node \(memNode), \(threadCPUs.count) threads"
            )
            var seconds = [Double](repeating: 0, count: repetitions)
            let cpus = threadCPUs.map(Int32.init)
            // The budget holds inside a kernel too: past it, no further repetition starts.
            var completed: Int32 = 0
            let status = cbk_run(
                kernel.c, a.pointer, b.pointer, c.pointer, elements, cpus, Int32(cpus.count), Int32(repetitions),
                &seconds, cbk_monotonic_now() + max(deadline.remainingSeconds, 0), &completed)
            guard status == 0 else {
                throw BenchError("the \(kernel.rawValue) kernel could not run: \(String(cString: strerror(status)))")
            }
            guard completed == repetitions else {
                throw BenchError(
                    "the memory benchmark ran past its time budget of \(deadline.text) during the \(kernel.rawValue) kernel of CPU node \(cpuNode), memory node \(memNode), after \(completed) of \(repetitions) repetitions; give it a larger budget, fewer repetitions or smaller arrays"
                )
            }
            // Placement is only known once pages are touched: check after the first kernel wrote them.
            if offNode == nil { offNode = [a, b, c].map { $0.offNodeShare() }.reduce(0, +) / 3 }
            let bytes = Double(kernel.bytesPerElement * elements)
            let rates = seconds.filter { $0 > 0 }.map { bytes / $0 / 1e9 }.sorted()
            guard let best = rates.last else { throw BenchError("the \(kernel.rawValue) kernel reported no timings") }
            cells.append(
                MemoryCell(
                    kernel: kernel, cpuNode: cpuNode, memNode: memNode, threads: threadCPUs.count,
                    arrayBytes: Double(elements * 8),
                    bestGBps: best, medianGBps: rates[rates.count / 2], offNodeShare: offNode ?? .nan))
        }
        return cells
    }

    /// The whole matrix: every CPU node against every memory node.
    public func matrix(progress: ((String) -> Void)? = nil) throws -> [MemoryCell] {
        try cells(cpuNodes: topology.nodes.map(\.id), memNodes: topology.nodes.map(\.id), progress: progress)
    }

    /// The cells of the given CPU nodes against the given memory nodes, all within one time budget.
    public func cells(cpuNodes: [Int], memNodes: [Int], progress: ((String) -> Void)? = nil) throws -> [MemoryCell] {
        let deadline = Deadline(seconds: budgetSeconds)
        var cells: [MemoryCell] = []
        for cpuNode in cpuNodes {
            for memNode in memNodes {
                cells += try run(cpuNode: cpuNode, memNode: memNode, deadline: deadline, progress: progress)
            }
        }
        return cells
    }
}

/// The last-level cache size, from sysfs.
public enum CacheProbe {
    /// The size of cpu0's highest-level cache; 32 MiB when sysfs says nothing (arrays then still outgrow
    /// the largest caches of the machines the designs name).
    public static func lastLevelCacheBytes(sysroot root: Sysroot = .live) -> Double {
        var best: (level: Int, bytes: Double) = (0, 32 * 1_048_576)
        for index in 0..<8 {
            let directory = "sys/devices/system/cpu/cpu0/cache/index\(index)"
            guard let level = try? root.readInt("\(directory)/level"),
                let bytes = (try? root.read("\(directory)/size")).flatMap(ByteSize.parse),
                // A size no cache has (past 1 TiB, or .inf) would trap where it becomes an Int byte count.
                bytes.isFinite, bytes <= 1_099_511_627_776
            else { continue }
            if level >= best.level { best = (level, bytes) }
        }
        return best.bytes
    }
}

import BenchLayer
import ConformCore
import Foundation
import HostLayer

/// `conform bench memory`: bandwidth between this machine's NUMA nodes, the whole matrix unless both nodes
/// are given.
public struct MemoryBenchJob: Sendable {
    public var cpuNode: Int?
    public var memNode: Int?
    public var threads: Int?
    public var kernels: [MemoryKernel]
    public var arrayBytes: Double
    public var repetitions: Int
    public var budgetSeconds: Double

    public init(
        cpuNode: Int? = nil, memNode: Int? = nil, threads: Int? = nil, kernels: [MemoryKernel] = MemoryKernel.allCases,
        arrayBytes: Double = 1e9, repetitions: Int = 10, budgetSeconds: Double = 1800
    ) {
        self.cpuNode = cpuNode
        self.memNode = memNode
        self.threads = threads
        self.kernels = kernels
        self.arrayBytes = arrayBytes
        self.repetitions = repetitions
        self.budgetSeconds = budgetSeconds
    }

    public struct Measured {
        public var benchmark: MemoryBenchmark
        public var cells: [MemoryCell]
        /// The result as `conform.bench/v1`.
        public var document: BenchDocument
    }

    /// Nodes or threads this machine does not have are unusable input, said before anything is allocated.
    public func execute(progress: (@Sendable (String) -> Void)?) throws -> Measured {
        let facts = HostProbe(sysroot: .live).probe()
        guard let topology = facts.topology.value?.numaTopology else {
            throw BenchError("cannot read this machine's NUMA topology: \(facts.topology)")
        }
        let nodeIDs = topology.nodes.map(\.id)
        for (flag, node) in [("--cpu-node", cpuNode), ("--mem-node", memNode)] {
            if let node, !nodeIDs.contains(node) {
                throw InputError(
                    file: "command line", field: flag,
                    message:
                        "this machine has no NUMA node \(node); its nodes are \(nodeIDs.map(String.init).joined(separator: ", "))"
                )
            }
        }
        let benchmark = MemoryBenchmark(
            topology: topology, kernels: kernels, arrayBytes: arrayBytes, threads: threads, repetitions: repetitions,
            budgetSeconds: budgetSeconds)
        if let threads {
            for node in cpuNode.map({ [$0] }) ?? nodeIDs where benchmark.cpus(ofNode: node).count < threads {
                throw InputError(
                    file: "command line", field: "--threads",
                    message:
                        "NUMA node \(node) has \(benchmark.cpus(ofNode: node).count) CPU(s); \(threads) threads cannot each have one"
                )
            }
        }
        let cells = try benchmark.cells(
            cpuNodes: cpuNode.map { [$0] } ?? nodeIDs, memNodes: memNode.map { [$0] } ?? nodeIDs, progress: progress)
        let threadCounts = cells.map { "cpu\($0.cpuNode):\($0.threads)" }.uniqued()
        let document = BenchDocument(
            benchmark: "memory",
            parameters: [
                "arrayBytes": .integer(Int(benchmark.effectiveArrayBytes)),
                "kernels": .text(kernels.map(\.rawValue).joined(separator: ",")),
                "repetitions": .integer(repetitions), "threads": .text(threadCounts.joined(separator: ",")),
                "lastLevelCacheBytes": .integer(Int(benchmark.lastLevelCacheBytes)),
            ],
            measurements: cells.flatMap(\.measurements))
        return Measured(benchmark: benchmark, cells: cells, document: document)
    }
}

/// `conform bench disk`: sequential write then read of a staging directory with O_DIRECT.
public struct DiskBenchJob: Sendable {
    public var benchmark: DiskBenchmark

    public init(benchmark: DiskBenchmark) {
        self.benchmark = benchmark
    }

    public struct Measured {
        public var result: DiskBenchmark.Result
        /// Whether a figure is above what the device class can do (a cache answered); `nil` without a class.
        public var cacheHit: Bool?
        public var document: BenchDocument
    }

    public func execute(progress: (@Sendable (String) -> Void)?) throws -> Measured {
        let result = try benchmark.run(progress: progress)
        let cacheHit = benchmark.media.map {
            DiskBenchmark.isCacheHit(max(result.writeMBps, result.readMBps), media: $0)
        }
        var parameters: [String: BenchDocument.Parameter] = [
            "dir": .text(benchmark.directory), "bytes": .integer(Int(result.bytes)),
            "blockBytes": .integer(benchmark.blockBytes), "queueDepth": .integer(benchmark.queueDepth),
        ]
        if let media = benchmark.media { parameters["media"] = .text(media.rawValue) }
        if let cacheHit { parameters["cacheHit"] = .flag(cacheHit) }
        return Measured(
            result: result, cacheHit: cacheHit,
            document: BenchDocument(benchmark: "disk", parameters: parameters, measurements: result.measurements))
    }
}

/// `conform bench net`: one HTTP(S) transfer against the link it should cross.
public struct NetBenchJob: Sendable {
    public var benchmark: NetBenchmark
    public var linkMbit: Int

    /// A goodput this far above the link's TCP ceiling did not cross that link (a cache, a closer server, a
    /// faster link than declared): flagged, never reported as the link's speed.
    public static let aboveCeilingTolerance = 1.05

    public init(benchmark: NetBenchmark, linkMbit: Int) {
        self.benchmark = benchmark
        self.linkMbit = linkMbit
    }

    public struct Measured {
        public var result: NetBenchmark.Result
        /// The link's TCP goodput ceiling, MB/s.
        public var ceilingMBps: Double
        public var aboveCeiling: Bool
        public var document: BenchDocument
    }

    public func execute() throws -> Measured {
        let result = try benchmark.run()
        let ceiling = NetBenchmark.tcpGoodputCeilingMBps(megabits: linkMbit)
        let aboveCeiling = result.goodputMBps > ceiling * Self.aboveCeilingTolerance
        let parameters: [String: BenchDocument.Parameter] = [
            "url": .text(Redaction.redactURL(benchmark.url)),
            "direction": .text(benchmark.upload ? "upload" : "download"),
            "bytes": .integer(Int(result.bytes)), "linkMbit": .integer(linkMbit),
            "linkCeilingMBps": .number((ceiling * 10).rounded() / 10), "aboveLinkCeiling": .flag(aboveCeiling),
        ]
        return Measured(
            result: result, ceilingMBps: ceiling, aboveCeiling: aboveCeiling,
            document: BenchDocument(benchmark: "net", parameters: parameters, measurements: result.measurements))
    }
}

import ArgumentParser
import BenchLayer
import ConformCore
import Foundation
import HostLayer

extension Conform {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one benchmark on its own: memory bandwidth, staging disk or network transfer.",
            subcommands: [Memory.self])
    }
}

extension Conform.Bench {
    struct Memory: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure memory bandwidth between NUMA nodes (the whole matrix unless both nodes are given).")

        @Option(help: "Run the threads on this NUMA node's CPUs (default: every node).")
        var cpuNode: Int?

        @Option(help: "Allocate the arrays on this NUMA node (default: every node).")
        var memNode: Int?

        @Option(help: "Threads (default: one per physical core of the CPU node).")
        var threads: Int?

        @Option(help: "Size of each array, such as 1GB or 512MiB; raised to 4x the last-level cache if smaller.")
        var size: String = "1GB"

        @Option(help: "Kernels, comma-separated: read, write, copy, triad.")
        var kernels: String = "read,write,copy,triad"

        @Option(help: "Timed repetitions after the warm-up.")
        var repetitions: Int = 10

        @Flag(help: "Print the result as JSON (schema conform.bench/v1).")
        var json = false

        func validate() throws {
            guard ByteSize.parse(size) != nil else { throw ValidationError("'--size' takes a size such as 1GB or 512MiB, not '\(size)'") }
            _ = try parsedKernels()
            if let threads, threads < 1 { throw ValidationError("'--threads' must be at least 1") }
            if repetitions < 1 { throw ValidationError("'--repetitions' must be at least 1") }
        }

        func parsedKernels() throws -> [MemoryKernel] {
            try kernels.split(separator: ",").map { name in
                guard let kernel = MemoryKernel(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("'--kernels' takes read, write, copy, triad; '\(name)' is not one of them")
                }
                return kernel
            }
        }

        func run() throws {
            let facts = HostProbe(sysroot: "/").probe()
            guard let topology = facts.topology.value?.numaTopology else {
                throw BenchError("cannot read this machine's NUMA topology: \(facts.topology)")
            }
            let benchmark = MemoryBenchmark(
                topology: topology, kernels: try parsedKernels(), arrayBytes: ByteSize.parse(size) ?? 1e9, threads: threads,
                repetitions: repetitions)
            let progress = Progress.printer(enabled: !json)
            let cpuNodes = cpuNode.map { [$0] } ?? topology.nodes.map(\.id)
            let memNodes = memNode.map { [$0] } ?? topology.nodes.map(\.id)
            var cells: [MemoryCell] = []
            for cpu in cpuNodes {
                for mem in memNodes { cells += try benchmark.run(cpuNode: cpu, memNode: mem, progress: progress) }
            }
            if json {
                let document = BenchDocument(
                    benchmark: "memory",
                    parameters: [
                        "arrayBytes": String(Int(benchmark.effectiveArrayBytes)), "kernels": kernels, "repetitions": String(repetitions),
                        "threads": cells.map { "cpu\($0.cpuNode):\($0.threads)" }.uniqued().joined(separator: ","),
                        "lastLevelCacheBytes": String(Int(benchmark.lastLevelCacheBytes)),
                    ],
                    measurements: cells.flatMap(\.measurements))
                print(try document.json())
            } else {
                print("arrays of \(ByteSize.text(benchmark.effectiveArrayBytes)) (last-level cache \(ByteSize.text(benchmark.lastLevelCacheBytes))), GB/s = 10^9 B/s, best / median of \(repetitions)")
                for cell in cells {
                    let kernel = cell.kernel.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                    print(kernel + String(format: " cpu%d mem%d  %2d threads  %7.2f / %7.2f GB/s  off-node %.1f%%", cell.cpuNode, cell.memNode, cell.threads, cell.bestGBps, cell.medianGBps, cell.offNodeShare * 100))
                }
            }
        }
    }
}

/// Progress lines on a terminal only, so cron and --json output stay clean.
enum Progress {
    static func printer(enabled: Bool) -> ((String) -> Void)? {
        guard enabled, isatty(STDERR_FILENO) == 1 else { return nil }
        return { line in FileHandle.standardError.write(Data("… \(line)\n".utf8)) }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

import ArgumentParser
import BenchLayer
import ConformCore
import ConformRun
import Foundation

extension Conform {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Run one benchmark on its own: memory bandwidth, staging disk or network transfer.",
            subcommands: [Memory.self, Disk.self, Net.self])
    }
}

extension Conform.Bench {
    struct Memory: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "memory",
            abstract: "Measure memory bandwidth between NUMA nodes (the whole matrix unless both nodes are given).")

        @Option(help: "Run the threads on this NUMA node's CPUs (default: every node).")
        var cpuNode: Int?

        @Option(help: "Allocate the arrays on this NUMA node (default: every node).")
        var memNode: Int?

        @Option(help: "Threads (default: one per physical core of the CPU node).")
        var threads: Int?

        @Option(
            help:
                "Size of each array, such as 1GB or 512MiB; raised to 4x the last-level cache if smaller (default: 1GB).",
            transform: ByteCount.parser())
        var size = ByteCount("1GB")

        @Option(
            help: "Kernels, comma-separated: read, write, copy, triad (default: read,write,copy,triad).",
            transform: CommaList.parser(of: MemoryKernel.allCases, emptyMeans: "an empty list measures nothing"))
        var kernels = CommaList(MemoryKernel.allCases)

        @Option(help: "Timed repetitions after the warm-up.")
        var repetitions: Int = 10

        @Option(help: "Seconds all the cells may take; no kernel starts after that and the run is an error.")
        var budget: Double = 1800

        @Flag(help: "Print the result as JSON (schema conform.bench/v1).")
        var json = false

        static let maximumRepetitions = 10_000

        func validate() throws {
            try requireSeconds(budget, "--budget")
            if let cpuNode, cpuNode < 0 { throw ValidationError("'--cpu-node' must be a node number, not \(cpuNode)") }
            if let memNode, memNode < 0 { throw ValidationError("'--mem-node' must be a node number, not \(memNode)") }
            if let threads, threads < 1 { throw ValidationError("'--threads' must be at least 1") }
            // Each repetition keeps one timing: a bound keeps that list, and the run, of a sensible size.
            guard (1...Self.maximumRepetitions).contains(repetitions) else {
                throw ValidationError("'--repetitions' takes 1 to \(Self.maximumRepetitions), not \(repetitions)")
            }
        }

        func run() throws {
            let measured = try MemoryBenchJob(
                cpuNode: cpuNode, memNode: memNode, threads: threads, kernels: kernels.values, arrayBytes: size.bytes,
                repetitions: repetitions, budgetSeconds: budget
            ).execute(progress: Progress.printer(enabled: !json))
            if json {
                print(try measured.document.json())
                return
            }
            let benchmark = measured.benchmark
            print(
                "arrays of \(ByteSize.text(benchmark.effectiveArrayBytes)) (last-level cache \(ByteSize.text(benchmark.lastLevelCacheBytes))), GB/s = 10^9 B/s, best / median of \(repetitions)"
            )
            for cell in measured.cells {
                let kernel = cell.kernel.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                print(
                    kernel
                        + String(
                            format: " cpu%d mem%d  %2d threads  %7.2f / %7.2f GB/s  off-node %.1f%%", cell.cpuNode,
                            cell.memNode, cell.threads, cell.bestGBps, cell.medianGBps, cell.offNodeShare * 100))
            }
        }
    }
}

extension Conform.Bench {
    struct Disk: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disk",
            abstract: "Measure sequential write then read throughput of a staging directory with O_DIRECT.")

        @Option(help: "The directory to write the scratch file in (it is removed on every path).")
        var dir: String = "/data/local"

        @Option(
            help: "Bytes to write and read, such as 8GiB; large enough to defeat caches (default: 8GiB).",
            transform: ByteCount.parser())
        var size = ByteCount("8GiB")

        @Option(
            help: "Block size of each request, a multiple of 4 KiB (default: 1MiB).",
            transform: ByteCount.parser(atLeast: 4096))
        var blockSize = ByteCount("1MiB")

        @Option(help: "Requests in flight (one thread each).")
        var queueDepth: Int = 1

        @Option(
            help: "Refuse to start if the run would leave less free space than this (default: 1GiB).",
            transform: ByteCount.parser(atLeast: 0))
        var minFree = ByteCount("1GiB")

        @Option(help: "The device class (ssd, hdd, nvme): a figure above what it can do is flagged as a cache hit.")
        var media: String?

        @Option(help: "Seconds the write and read may take together; past it the run stops and removes its file.")
        var budget: Double = 1200

        @Flag(help: "Print the result as JSON (schema conform.bench/v1).")
        var json = false

        func validate() throws {
            try requireSeconds(budget, "--budget")
            if let media, DiskSpec.Media(rawValue: media) == nil {
                throw ValidationError("'--media' takes ssd, hdd or nvme")
            }
            // One thread per request in flight; more requests than blocks leaves threads with nothing to do.
            let blocks = size.bytes / blockSize.bytes
            guard queueDepth >= 1, queueDepth <= 1024, Double(queueDepth) <= max(blocks, 1) else {
                throw ValidationError(
                    "'--queue-depth' takes 1 to 1024 and at most the \(Int(blocks)) block(s) of --size, not \(queueDepth)"
                )
            }
            // A staging directory that is not there is a mistyped flag, not a disk that could not be measured.
            try requireDirectory(dir, "--dir")
        }

        func run() throws {
            let benchmark = DiskBenchmark(
                directory: dir, sizeBytes: size.bytes, blockBytes: Int(blockSize.bytes), queueDepth: queueDepth,
                minimumFreeBytes: minFree.bytes, media: media.flatMap(DiskSpec.Media.init), budgetSeconds: budget)
            let measured = try DiskBenchJob(benchmark: benchmark).execute(progress: Progress.printer(enabled: !json))
            if json {
                print(try measured.document.json())
                return
            }
            let result = measured.result
            print(
                String(
                    format: "%@: write %.1f MB/s, read %.1f MB/s (%@, O_DIRECT, MB/s = 10^6 B/s)", dir,
                    result.writeMBps, result.readMBps, ByteSize.text(result.bytes)))
            // A figure above what the device class can do came from a cache: said in both outputs.
            if let media = benchmark.media, measured.cacheHit == true {
                print(
                    "warning: above the \(Int(DiskBenchmark.ceilingMBps(media))) MB/s a \(media.rawValue) can do: a cache answered, not the disk"
                )
            }
        }
    }
}

extension Conform.Bench {
    struct Net: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "net",
            abstract:
                "Measure an HTTP(S) download or upload with libcurl (S3/MinIO signed with SigV4 from AWS_* variables).")

        @Option(help: "The URL to download from, or to PUT to with --upload.")
        var url: String

        @Flag(help: "Upload (HTTP PUT) instead of download.")
        var upload = false

        @Option(help: "Bytes to upload, such as 1GB (default: 100MB).", transform: ByteCount.parser())
        var size = ByteCount("100MB")

        @Option(help: "Seconds the transfer may take in all.")
        var timeout: Double = 300

        @Option(help: "Link speed in Mbit/s to compare with (TCP goodput ceiling: 1000 gives 117.7 MB/s).")
        var linkMbit: Int = 1000

        @Flag(help: "Print the result as JSON (schema conform.bench/v1).")
        var json = false

        func validate() throws {
            try requireSeconds(timeout, "--timeout")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ValidationError("'--url' must be an http(s) URL")
            }
            guard linkMbit > 0 else { throw ValidationError("'--link-mbit' must be a positive speed, not \(linkMbit)") }
        }

        func run() throws {
            let benchmark = NetBenchmark(
                url: url, upload: upload, uploadBytes: Int(size.bytes), timeoutSeconds: timeout,
                credentials: S3Credentials.fromEnvironment())
            let measured = try NetBenchJob(benchmark: benchmark, linkMbit: linkMbit).execute()
            let result = measured.result
            if json {
                print(try measured.document.json())
            } else {
                print(
                    String(
                        format:
                            "%@ %.1f MB in %.2f s: %.1f MB/s goodput (TCP ceiling of %d Mbit/s: %.1f MB/s), first byte after %.1f ms",
                        upload ? "upload" : "download", result.bytes / 1e6, result.totalSeconds, result.goodputMBps,
                        linkMbit, measured.ceilingMBps, result.timeToFirstByteMs))
            }
            if measured.aboveCeiling {
                log.warning(
                    "\(String(format: "%.1f", result.goodputMBps)) MB/s is above the \(String(format: "%.1f", measured.ceilingMBps)) MB/s a \(linkMbit) Mbit/s link carries: this transfer did not cross that link (a cache, a nearer server, or a faster link than --link-mbit says)"
                )
            }
        }
    }
}

extension MemoryKernel: ExpressibleByArgument {}

/// A size from the command line (`8GiB`, `512MB`), parsed once, printed as it was written.
struct ByteCount: CustomStringConvertible, Sendable {
    var bytes: Double
    var description: String

    /// A size conform writes itself (a default); one that does not parse is zero bytes.
    init(_ text: String) {
        self.init(bytes: ByteSize.parse(text) ?? 0, text: text)
    }

    private init(bytes: Double, text: String) {
        self.bytes = bytes
        description = text
    }

    /// The largest size a benchmark takes: 1 PiB. Sizes become byte counts and offsets: a size beyond any
    /// machine is refused, not trapped on.
    static let maximumBytes = 1_125_899_906_842_624.0

    /// Parses an option's value, of at least `least` bytes.
    static func parser(atLeast least: Double = 1) -> @Sendable (String) throws -> ByteCount {
        { text in
            guard let bytes = ByteSize.parse(text), bytes.isFinite else {
                throw ValidationError("takes a size such as 8GiB or 512MB")
            }
            guard bytes >= least else {
                throw ValidationError("must be at least \(ByteSize.text(least))")
            }
            guard bytes <= maximumBytes else {
                throw ValidationError("must be at most \(ByteSize.text(maximumBytes))")
            }
            return ByteCount(bytes: bytes, text: text)
        }
    }
}

/// Progress lines on a terminal only, so cron and --json output stay clean.
enum Progress {
    static func printer(enabled: Bool) -> (@Sendable (String) -> Void)? {
        guard enabled, isatty(STDERR_FILENO) == 1 else { return nil }
        return { line in FileHandle.standardError.write(Data("… \(Redaction.redact(line))\n".utf8)) }
    }
}

import CBenchKernels
import ConformCore
import Dispatch
import Foundation

/// Sequential write then read of one file with O_DIRECT and aligned buffers, in `blockBytes` blocks with
/// `queueDepth` requests in flight (one thread each), fsync before the write figure is final. It refuses
/// to start when the file would leave less than `minimumFreeBytes` free, and removes the file on every
/// path: return, error, SIGINT, SIGTERM.
public struct DiskBenchmark: Sendable {
    public var directory: String
    public var sizeBytes: Double
    public var blockBytes: Int
    public var queueDepth: Int
    public var minimumFreeBytes: Double
    /// The device class, for telling a cache from a disk.
    public var media: DiskSpec.Media?
    /// Seconds the write and the read may take together; past it the run stops and the file is removed.
    public var budgetSeconds: Double

    public init(
        directory: String, sizeBytes: Double, blockBytes: Int = 1_048_576, queueDepth: Int = 1,
        minimumFreeBytes: Double = 0, media: DiskSpec.Media? = nil, budgetSeconds: Double = 1200
    ) {
        self.budgetSeconds = budgetSeconds
        self.directory = directory
        self.sizeBytes = sizeBytes
        self.blockBytes = blockBytes
        self.queueDepth = queueDepth
        self.minimumFreeBytes = minimumFreeBytes
        self.media = media
    }

    /// Sequential throughput no device of the class exceeds (MB/s): SATA SSDs stop at the 600 MB/s link,
    /// 7200 rpm disks near 280 MB/s on their outer tracks, PCIe 5 NVMe near 14 GB/s.
    public static func ceilingMBps(_ media: DiskSpec.Media) -> Double {
        switch media {
        case .hdd: return 300
        case .ssd: return 600
        case .nvme: return 15_000
        }
    }

    /// Whether a figure is above what the device class can do: a cache answered, not the disk.
    public static func isCacheHit(_ mbps: Double, media: DiskSpec.Media) -> Bool {
        mbps > ceilingMBps(media)
    }

    public struct Result: Codable, Sendable, Equatable {
        public var writeMBps: Double
        public var readMBps: Double
        public var bytes: Double
        public var file: String

        public init(writeMBps: Double, readMBps: Double, bytes: Double, file: String) {
            self.writeMBps = writeMBps
            self.readMBps = readMBps
            self.bytes = bytes
            self.file = file
        }

        public var measurements: [MeasuredValue] {
            [
                MeasuredValue(name: "disk.write", value: writeMBps, unit: .megabytesPerSecond),
                MeasuredValue(name: "disk.read", value: readMBps, unit: .megabytesPerSecond),
            ]
        }
    }

    public func run(progress: ((String) -> Void)? = nil) throws -> Result {
        guard blockBytes > 0, blockBytes % 4096 == 0 else {
            throw BenchError("the block size must be a multiple of 4096 bytes for O_DIRECT")
        }
        guard queueDepth >= 1 else { throw BenchError("the queue depth must be at least 1") }
        let blocks = max(1, Int(sizeBytes) / blockBytes)
        let bytes = Double(blocks * blockBytes)
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else {
            throw BenchError("cannot read free space of \(directory): \(String(cString: strerror(errno)))")
        }
        let free = Double(stats.f_bavail) * Double(stats.f_frsize)
        guard free - bytes >= minimumFreeBytes else {
            throw BenchError(
                "refusing to write \(ByteSize.text(bytes)) to \(directory): it would leave \(ByteSize.text(max(0, free - bytes))) free, below the floor of \(ByteSize.text(minimumFreeBytes))"
            )
        }
        let path = (directory as NSString).appendingPathComponent(
            ".conform-bench-\(ProcessInfo.processInfo.processIdentifier).tmp")
        let cleanup = ScratchFile.register(path)
        defer { cleanup.remove() }

        progress?(
            "disk write: \(ByteSize.text(bytes)) to \(directory), \(blockBytes / 1024) KiB blocks, queue depth \(queueDepth)"
        )
        let deadline = Deadline(seconds: budgetSeconds)
        let writeSeconds = try transfer(path: path, blocks: blocks, write: true, deadline: deadline)
        progress?("disk read: \(ByteSize.text(bytes)) from \(directory)")
        let readSeconds = try transfer(path: path, blocks: blocks, write: false, deadline: deadline)
        return Result(
            writeMBps: bytes / writeSeconds / 1e6, readMBps: bytes / readSeconds / 1e6, bytes: bytes, file: path)
    }

    /// Moves every block with `queueDepth` threads taking blocks in turn; returns the seconds taken,
    /// fsync included for writes. Past `deadline` no further block starts.
    func transfer(path: String, blocks: Int, write: Bool, deadline: Deadline) throws -> Double {
        let flags = write ? (O_WRONLY | O_CREAT | cbk_o_direct()) : (O_RDONLY | cbk_o_direct())
        let descriptor = open(path, flags, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EINVAL ? "O_DIRECT is not supported here (tmpfs?)" : String(cString: strerror(errno))
            throw BenchError("cannot open \(path): \(reason)")
        }
        defer { close(descriptor) }
        let failures = Locked<[String]>([])
        let next = Locked(0)
        let blockBytes = self.blockBytes
        let started = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: queueDepth) { _ in
            var buffer: UnsafeMutableRawPointer?
            guard posix_memalign(&buffer, 4096, blockBytes) == 0, let buffer else {
                failures.withLock { $0.append("cannot allocate an aligned buffer") }
                return
            }
            defer { free(buffer) }
            // Data that does not compress or deduplicate to nothing.
            let words = buffer.bindMemory(to: UInt64.self, capacity: blockBytes / 8)
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            for index in 0..<(blockBytes / 8) {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                words[index] = state
            }
            while true {
                let block = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard block < blocks, failures.withLock({ $0.isEmpty }) else { return }
                if deadline.passed {
                    let done = ByteSize.text(Double(block) * Double(blockBytes))
                    let total = ByteSize.text(Double(blocks) * Double(blockBytes))
                    failures.withLock {
                        $0.append(
                            "the disk benchmark ran past its time budget of \(deadline.text) after \(write ? "writing" : "reading") \(done) of \(total) in \(path); give it a larger budget or a smaller size"
                        )
                    }
                    return
                }
                let offset = off_t(block) * off_t(blockBytes)
                let done =
                    write
                    ? pwrite(descriptor, buffer, blockBytes, offset) : pread(descriptor, buffer, blockBytes, offset)
                if done != blockBytes {
                    let reason = done < 0 ? String(cString: strerror(errno)) : "short transfer of \(done) bytes"
                    failures.withLock { $0.append("\(write ? "writing" : "reading") \(path) at \(offset): \(reason)") }
                    return
                }
            }
        }
        if write && fsync(descriptor) != 0 {
            failures.withLock { $0.append("fsync \(path): \(String(cString: strerror(errno)))") }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        return seconds
    }
}

/// A benchmark's scratch file, removed when the benchmark ends or when SIGINT or SIGTERM stops the process.
final class ScratchFile: @unchecked Sendable {
    let path: String

    private init(path: String) {
        self.path = path
    }

    static func register(_ path: String) -> ScratchFile {
        SignalCleanup.register(path)
        return ScratchFile(path: path)
    }

    func remove() {
        unlink(path)
        SignalCleanup.unregister(path)
    }
}

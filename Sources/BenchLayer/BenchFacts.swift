import ConformCore
import Foundation

/// What the benchmarks measured on one host.
public struct BenchFacts: Sendable {
    public var memory: Probed<[MemoryCell]>
    /// By disk path.
    public var disks: [String: Probed<DiskBenchmark.Result>]
    /// By link name, downloads and uploads.
    public var downloads: [String: Probed<NetBenchmark.Result>]
    public var uploads: [String: Probed<NetBenchmark.Result>]

    public init(
        memory: Probed<[MemoryCell]>, disks: [String: Probed<DiskBenchmark.Result>] = [:],
        downloads: [String: Probed<NetBenchmark.Result>] = [:], uploads: [String: Probed<NetBenchmark.Result>] = [:]
    ) {
        self.memory = memory
        self.disks = disks
        self.downloads = downloads
        self.uploads = uploads
    }
}

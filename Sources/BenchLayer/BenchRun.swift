import ConformCore
import Foundation

/// When the benchmarks of a host may run, and running them: the memory matrix, its disks, its links.
public enum BenchRun {
    /// Why benchmarks cannot run on a host, or `nil` when they can: they measure the machine conform runs on,
    /// never a fixture's files or another tree.
    public static func refusal(fixture: Bool, sysroot: Sysroot) -> String? {
        if fixture { return "benchmarks measure a real machine; a fixture host has none to run on" }
        if !sysroot.isLive {
            return "--sysroot points at another tree: benchmarks only measure the machine conform runs on"
        }
        return nil
    }

    /// Runs the benchmarks the profile asks of this host. S3 links are signed with `credentials`;
    /// `progress` gets a line per step.
    public static func measure(
        host: HostSpec, profile: Profile, topology: Probed<NUMATopology>, quick: Bool, credentials: S3Credentials?,
        progress: ((String) -> Void)?
    ) -> BenchFacts {
        let memory: Probed<[MemoryCell]> = topology.flatMap { topology in
            let benchmark = MemoryBenchmark(
                topology: topology,
                arrayBytes: quick ? profile.bench.quickMemoryArrayBytes : profile.bench.memoryArrayBytes,
                repetitions: quick ? 3 : 10)
            return measured("memory benchmark") { try benchmark.matrix(progress: progress) }
        }
        var disks: [String: Probed<DiskBenchmark.Result>] = [:]
        for disk in host.disks {
            let benchmark = DiskBenchmark(
                directory: disk.path, sizeBytes: quick ? profile.bench.quickDiskBytes : profile.bench.diskBytes,
                minimumFreeBytes: (disk.minFreeGB ?? 0) * 1e9, media: disk.media)
            disks[disk.path] = measured(disk.path) { try benchmark.run(progress: progress) }
        }
        var downloads: [String: Probed<NetBenchmark.Result>] = [:]
        var uploads: [String: Probed<NetBenchmark.Result>] = [:]
        for link in profile.network where link.from == host.name {
            if let url = link.downloadURL {
                downloads[link.name] = measured(url) { try NetBenchmark(url: url, credentials: credentials).run() }
            }
            if let url = link.uploadURL {
                let bytes = Int(quick ? profile.bench.uploadBytes / 10 : profile.bench.uploadBytes)
                uploads[link.name] = measured(url) {
                    try NetBenchmark(url: url, upload: true, uploadBytes: bytes, credentials: credentials).run()
                }
            }
        }
        return BenchFacts(memory: memory, disks: disks, downloads: downloads, uploads: uploads)
    }

    /// A benchmark's result as a fact: a `BenchError` becomes an error naming what was measured.
    static func measured<T>(_ what: String, _ body: () throws -> T) -> Probed<T> {
        Probed {
            do { return try body() } catch let error as BenchError {
                throw ProbeError(path: what, reason: error.description)
            }
        }
    }
}

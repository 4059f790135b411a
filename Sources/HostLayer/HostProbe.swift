import ConformCore

/// Gathers every host fact under a sysroot. Each part fails on its own: a missing THP file never hides
/// the topology, and a disk that does not answer never hides the sysfs facts.
public struct HostProbe: Sendable {
    public let sysroot: Sysroot
    /// The disk paths to probe (the design's `disks:`); none by default.
    public let storagePaths: [String]
    /// Where their filesystems are read: this machine, or a fixture's record.
    public let filesystems: FilesystemSource

    public init(sysroot: Sysroot, storagePaths: [String] = [], filesystems: FilesystemSource = .live) {
        self.sysroot = sysroot
        self.storagePaths = storagePaths
        self.filesystems = filesystems
    }

    /// The facts, or, when the probe has not finished within `seconds` (a sysfs read stuck in a driver),
    /// every fact an error saying so. The disks have a time limit of their own, so a hung network
    /// filesystem costs only their facts.
    public func probe(within seconds: Double) -> HostFacts {
        let error = ProbeError(
            path: sysroot.shown, reason: "the host probe did not finish within \(Runner.format(seconds: seconds))")
        guard var facts = withTimeLimit(seconds: seconds, probeSysfs) else {
            return HostFacts(sysroot: sysroot.shown, failing: error, storagePaths: storagePaths)
        }
        facts.storage = probeStorage(within: seconds)
        return facts
    }

    public func probe() -> HostFacts {
        var facts = probeSysfs()
        facts.storage = StorageProbe(sysroot: sysroot, source: filesystems).probe(paths: storagePaths)
        return facts
    }

    /// Every fact but the disks'.
    func probeSysfs() -> HostFacts {
        let tuning = TuningProbe(sysroot: sysroot)
        let topology = Probed { try TopologyProbe(sysroot: sysroot).probe() }
        // Governors need only the online CPUs, which may still be readable when the topology is not.
        let online =
            topology.value.map { .value($0.onlineCPUs) } ?? Probed { try TopologyProbe(sysroot: sysroot).onlineCPUs() }
        let governor = online.flatMap(tuning.governors)
        return HostFacts(
            sysroot: sysroot.shown, topology: topology, cpuModel: tuning.cpuModel(),
            governor: governor, thp: tuning.thp(), numaBalancing: tuning.numaBalancing())
    }

    func probeStorage(within seconds: Double) -> [StorageFacts] {
        guard !storagePaths.isEmpty else { return [] }
        let probe = StorageProbe(sysroot: sysroot, source: filesystems)
        let paths = storagePaths
        if let storage = withTimeLimit(seconds: seconds, { probe.probe(paths: paths) }) { return storage }
        let error = ProbeError(
            path: sysroot.shown,
            reason: "the disks did not answer within \(Runner.format(seconds: seconds)) (a hung network filesystem?)")
        return paths.map { StorageFacts(path: $0, placement: .failed(error)) }
    }
}

import ConformCore

/// Gathers every host fact under a sysroot. Each part fails on its own: a missing THP file never hides
/// the topology.
public struct HostProbe: Sendable {
    public let sysroot: Sysroot

    public init(sysroot: Sysroot) {
        self.sysroot = sysroot
    }

    /// The facts, or, when the probe has not finished within `seconds` (a sysfs read stuck in a driver),
    /// every fact an error saying so.
    public func probe(within seconds: Double) -> HostFacts {
        if let facts = withTimeLimit(seconds: seconds, probe) { return facts }
        return HostFacts(
            sysroot: sysroot.shown,
            failing: ProbeError(
                path: sysroot.shown, reason: "the host probe did not finish within \(Runner.format(seconds: seconds))"))
    }

    public func probe() -> HostFacts {
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
}

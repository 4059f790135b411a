import ConformCore
import HostLayer

/// Connects each layer's probes and checks to the runner. Each layer only depends on ConformCore; this is
/// the one place that knows them all.
enum Wiring {
    /// Seconds a layer's probe may take on one host before its checks report `error`.
    static let probeTimeout = 30.0

    /// Every check the built layers provide, in report order.
    static var catalog: [CheckMetadata] { HostCatalog.all }

    /// The checks of one host, filtered by the selection.
    static func plan(for target: Target, selection: Selection) -> HostPlan {
        var checks: [Check] = []
        if selection.includes(layer: .host) && HostCatalog.all.contains(where: selection.includes) {
            let facts = hostFacts(sysroot: target.sysroot)
            checks += HostCatalog.checks(for: target.spec, facts: facts)
        }
        return HostPlan(host: target.spec.name, checks: checks.filter { selection.includes($0.metadata) })
    }

    static func hostFacts(sysroot: String) -> HostFacts {
        if let facts = withTimeLimit(seconds: probeTimeout, { HostProbe(sysroot: sysroot).probe() }) { return facts }
        let timedOut = ProbeError(path: sysroot, reason: "the host probe did not finish within \(Int(probeTimeout)) s")
        return HostFacts(
            sysroot: sysroot, topology: .failed(timedOut), cpuModel: .failed(timedOut), governor: .failed(timedOut),
            thp: THPFacts(enabled: .failed(timedOut), defrag: .failed(timedOut)), numaBalancing: .failed(timedOut))
    }
}

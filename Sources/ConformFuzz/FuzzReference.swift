import ClusterLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

/// The bundled mac-numa design and its numa-server fixture, read once: a fuzz input replaces one part
/// (the sysfs tree, the domain XML, the cluster JSON…) and the checks run over it with the rest kept real,
/// so the arithmetic after each parser is fuzzed too.
enum FuzzReference {
    /// The repository this module was built in (`Sources/ConformFuzz/` is two folders down).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func path(_ relative: String) -> String { (repository as NSString).appendingPathComponent(relative) }

    static let profile: Profile = {
        do { return try ProfileLoader.load(file: path("checks/mac-numa.yaml")) } catch {
            fatalError("the fuzz targets need checks/mac-numa.yaml from \(repository): \(error)")
        }
    }()

    static let hypervisorHost: HostSpec = {
        guard let spec = profile.host(named: "numa-server") else {
            fatalError("checks/mac-numa.yaml has no host numa-server")
        }
        return spec
    }()

    static let fixtureHost = path("fixtures/mac-numa/hosts/numa-server")

    static let hostFacts = HostProbe(sysroot: Sysroot((fixtureHost as NSString).appendingPathComponent("sysroot"))).probe()

    static var topology: Probed<NUMATopology> { hostFacts.topology.map(\.numaTopology) }

    static let hypervisorFacts = HypervisorProbe(
        uri: "test://" + (fixtureHost as NSString).appendingPathComponent("libvirt.xml"),
        sysroot: Sysroot((fixtureHost as NSString).appendingPathComponent("sysroot"))
    ).probe()

    static let clusterFacts = ClusterProbe.probe(fixtureDirectory: path("fixtures/mac-numa/cluster"))

    /// What a fixture run of numa-server reports: the results waivers and baselines are applied to.
    static let results: [CheckResult] = {
        let checks =
            HostCatalog.checks(for: hypervisorHost, facts: hostFacts)
            + HypervisorCatalog.checks(
                for: hypervisorHost, profile: profile, facts: hypervisorFacts, topology: topology)
            + ClusterCatalog.checks(for: profile.cluster, facts: clusterFacts)
        return evaluate(checks, host: hypervisorHost.name)
    }()

    /// Every check's findings in order, on this thread: libFuzzer wants one input's work on its own thread.
    static func evaluate(_ checks: [Check], host: String) -> [CheckResult] {
        checks.flatMap { check in
            check.evaluate().map { CheckResult(metadata: check.metadata, host: host, finding: $0, durationSeconds: 0) }
        }
    }
}

import ConformCore
import HostLayer
import XCTest

/// Each host check through the whole pipeline, probe included: the mac-numa server fixture passes, and a
/// copy with one thing changed the way a real machine drifts fails exactly the check that should catch it.
final class FixtureVariantTests: XCTestCase {
    typealias Mutation = (URL) throws -> Void

    static let cpu = "sys/devices/system/cpu"
    static let node = "sys/devices/system/node"

    func profileHost() throws -> HostSpec {
        let profile = try ProfileLoader.load(file: repositoryRoot.appendingPathComponent("checks/mac-numa.yaml").path)
        return try XCTUnwrap(profile.host(named: "numa-server"))
    }

    func failing(after mutation: Mutation) throws -> [String] {
        let root = try copyOfSysroot(fixtureSysroot("mac-numa", "numa-server"), self)
        try mutation(root)
        let facts = HostProbe(sysroot: Sysroot(root.path)).probe()
        return try HostCatalog.checks(for: profileHost(), facts: facts).filter { check in
            check.evaluate().contains { $0.status == .fail }
        }.map(\.metadata.id)
    }

    func testTheUnchangedFixturePasses() throws {
        XCTAssertEqual(try failing { _ in }, [])
    }

    func testEachDriftFailsItsCheck() throws {
        let variants: [(String, [String], Mutation)] = [
            (
                "node interleaving turned on in the BIOS",
                ["host.topology.nodes", "host.topology.cpulist", "host.topology.distances"],
                { root in
                    try FileManager.default.removeItem(at: root.appendingPathComponent("\(Self.node)/node1"))
                    try overwrite(root, "\(Self.node)/node0/cpulist", "0-71")
                    try overwrite(root, "\(Self.node)/node0/distance", "10")
                }
            ),
            (
                // 36 cores in one socket: cores per socket doubles as lscpu would count it.
                "one socket reported", ["host.topology.sockets", "host.topology.cores"],
                { root in
                    for cpu in 0..<72 { try overwrite(root, "\(Self.cpu)/cpu\(cpu)/topology/physical_package_id", "0") }
                }
            ),
            (
                // Cores are counted by thread-sibling sets, as lscpu does, so a core count drifts only with its
                // sibling sets, which the siblings check sees as well.
                "two cores' threads reported as four cores", ["host.topology.cores", "host.topology.siblings"],
                { root in
                    for cpu in [1, 2, 37, 38] {
                        try overwrite(root, "\(Self.cpu)/cpu\(cpu)/topology/thread_siblings_list", "\(cpu)")
                    }
                }
            ),
            (
                // Every CPU its own core: 36 cores per socket of one thread each.
                "SMT off", ["host.topology.cores", "host.topology.threads", "host.topology.siblings"],
                { root in
                    for cpu in 0..<72 {
                        try overwrite(root, "\(Self.cpu)/cpu\(cpu)/topology/thread_siblings_list", "\(cpu)")
                    }
                }
            ),
            (
                "node0 lost its sibling threads", ["host.topology.cpulist"],
                { root in
                    try overwrite(root, "\(Self.node)/node0/cpulist", "0-17")
                }
            ),
            (
                "siblings numbered as neighbours", ["host.topology.siblings"],
                { root in
                    try overwrite(root, "\(Self.cpu)/cpu0/topology/thread_siblings_list", "0-1")
                }
            ),
            (
                "a flat distance table", ["host.topology.distances"],
                { root in
                    try overwrite(root, "\(Self.node)/node0/distance", "10 10")
                    try overwrite(root, "\(Self.node)/node1/distance", "10 10")
                }
            ),
            (
                "half the DIMMs of socket 1 gone", ["host.topology.memory"],
                { root in
                    try overwrite(root, "\(Self.node)/node1/meminfo", "Node 1 MemTotal:       65000000 kB")
                }
            ),
            (
                "another CPU model", ["host.cpu.model"],
                { root in
                    try overwrite(
                        root, "proc/cpuinfo", "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz")
                }
            ),
            (
                "one CPU back on powersave", ["host.governor"],
                { root in
                    try overwrite(root, "\(Self.cpu)/cpu20/cpufreq/scaling_governor", "powersave")
                }
            ),
            (
                "THP madvise", ["host.thp.enabled"],
                { root in
                    try overwrite(root, "sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never")
                }
            ),
            (
                "THP defrag madvise", ["host.thp.defrag"],
                { root in
                    try overwrite(
                        root, "sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never")
                }
            ),
            (
                "NUMA balancing back on", ["host.numa_balancing"],
                { root in
                    try overwrite(root, "proc/sys/kernel/numa_balancing", "1")
                }
            ),
        ]
        for (drift, expected, mutation) in variants {
            XCTAssertEqual(try failing(after: mutation), expected, drift)
        }
    }
}

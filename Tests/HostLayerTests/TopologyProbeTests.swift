import ConformCore
import HostLayer
import XCTest

/// The probe against real machines' sysfs dumps, as `fixtures/real-world/README.md` says they must read.
final class TopologyProbeTests: XCTestCase {
    func testXeonSilver4108() throws {
        let facts = HostProbe(sysroot: Sysroot(realWorld.appendingPathComponent("2x-xeon-silver-4108").path)).probe()
        let topology = try XCTUnwrap(facts.topology.value, "\(facts.topology)")
        XCTAssertEqual(topology.sockets, 2)
        XCTAssertEqual(topology.coresPerSocket, 8)
        XCTAssertEqual(topology.threadsPerCore, 2)
        XCTAssertEqual(topology.onlineCPUs.description, "0-31", "online, not possible (0-111)")
        XCTAssertEqual(topology.nodes.map(\.cpus.description), ["0-7,16-23", "8-15,24-31"])
        XCTAssertEqual(topology.nodes.map(\.distances), [[10, 21], [21, 10]])
        XCTAssertEqual(topology.nodes.map(\.memoryKiB), [47_925_628, 49_519_964])
        XCTAssertEqual(topology.siblings.count, 16)
        XCTAssertTrue(topology.siblings.allSatisfy { $0.count == 2 && $0.members[1] == $0.members[0] + 16 })
        XCTAssertEqual(facts.cpuModel, .value("Intel(R) Xeon(R) Silver 4108 CPU @ 1.80GHz"))
    }

    func testEpyc7451WithOnlyCPUMaps() throws {
        let facts = HostProbe(sysroot: Sysroot(realWorld.appendingPathComponent("2x-epyc-7451").path)).probe()
        let topology = try XCTUnwrap(facts.topology.value, "\(facts.topology)")
        XCTAssertEqual(topology.onlineCPUs.count, 96)
        XCTAssertEqual(topology.sockets, 2)
        XCTAssertEqual(topology.coresPerSocket, 24, "distinct thread-sibling sets, not max(core_id)+1")
        XCTAssertEqual(topology.threadsPerCore, 2)
        XCTAssertEqual(topology.nodes.count, 8)
        XCTAssertEqual(topology.nodes.first?.cpus.description, "0-5,48-53")
        XCTAssertEqual(topology.nodes.last?.cpus.description, "42-47,90-95")
        XCTAssertTrue(topology.nodes.allSatisfy { $0.distances == nil && $0.memoryKiB == nil }, "unknown, not an error")
        XCTAssertTrue(topology.siblings.allSatisfy { $0.members[1] == $0.members[0] + 48 })
    }

    func testUnknownNodeMemoryIsWrittenAsNull() throws {
        let facts = HostProbe(sysroot: Sysroot(realWorld.appendingPathComponent("2x-epyc-7451").path)).probe()
        let json = String(decoding: try JSONEncoder().encode(facts.topology.value?.nodes.first), as: UTF8.self)
        XCTAssertTrue(json.contains(#""memoryKiB":null"#) && json.contains(#""distances":null"#), json)
    }

    func testMacNumaServerFixture() throws {
        let facts = HostProbe(sysroot: Sysroot(fixtureSysroot("mac-numa", "numa-server"))).probe()
        let topology = try XCTUnwrap(facts.topology.value)
        XCTAssertEqual([topology.sockets, topology.coresPerSocket, topology.threadsPerCore], [2, 18, 2])
        XCTAssertEqual(topology.nodes.map(\.cpus.description), ["0-17,36-53", "18-35,54-71"])
        XCTAssertEqual(topology.siblings.first?.description, "0,36")
        XCTAssertEqual(facts.governor.value?.byGovernor, ["performance": try CPUSet(parsing: "0-71")])
        XCTAssertEqual(facts.thp.enabled, .value("always"))
        XCTAssertEqual(facts.thp.defrag, .value("always"))
        XCTAssertEqual(facts.numaBalancing, .value(0))
    }

    func testNodeCPUsFallBackToTheMaskWhenCpulistIsMissing() throws {
        let root = try copyOfSysroot(fixtureSysroot("mac-numa", "numa-server"), self)
        for node in 0...1 {
            try FileManager.default.removeItem(
                at: root.appendingPathComponent("sys/devices/system/node/node\(node)/cpulist"))
        }
        let topology = try XCTUnwrap(HostProbe(sysroot: Sysroot(root.path)).probe().topology.value)
        XCTAssertEqual(topology.nodes.map(\.cpus.description), ["0-17,36-53", "18-35,54-71"])
    }

    func testAGuestHasNoCpufreqAndThatIsNotAnError() {
        let facts = HostProbe(sysroot: Sysroot(fixtureSysroot("mac-numa", "k3s-slm-worker-1"))).probe()
        guard case .unavailable(let reason) = facts.governor else { return XCTFail("\(facts.governor)") }
        XCTAssertTrue(reason.contains("cpu0/cpufreq is absent"), reason)
        XCTAssertEqual(facts.topology.value?.onlineCPUs.description, "0-33")
    }

    func testMissingFilesAreFactLevelErrorsWithThePath() throws {
        let root = try copyOfSysroot(fixtureSysroot("mac-numa", "numa-server"), self)
        try FileManager.default.removeItem(at: root.appendingPathComponent("proc/sys/kernel/numa_balancing"))
        try FileManager.default.removeItem(
            at: root.appendingPathComponent("sys/devices/system/cpu/cpu5/topology/physical_package_id"))
        let facts = HostProbe(sysroot: Sysroot(root.path)).probe()
        XCTAssertEqual(
            facts.numaBalancing,
            .failed(ProbeError(path: root.path + "/proc/sys/kernel/numa_balancing", reason: "no such file")))
        XCTAssertEqual(
            facts.topology,
            .failed(
                ProbeError(
                    path: root.path + "/sys/devices/system/cpu/cpu5/topology/physical_package_id",
                    reason: "no such file")))
        XCTAssertEqual(facts.thp.enabled, .value("always"), "one broken file hides nothing else")
        XCTAssertNotNil(facts.governor.value, "governors still read from cpu/online")
    }

    func testGarbageIsAnErrorNotACrash() throws {
        let root = try copyOfSysroot(fixtureSysroot("mac-numa", "numa-server"), self)
        try overwrite(root, "sys/devices/system/node/node1/cpulist", "18-35,54-")
        try overwrite(root, "sys/kernel/mm/transparent_hugepage/enabled", "always madvise never")
        let facts = HostProbe(sysroot: Sysroot(root.path)).probe()
        guard case .failed(let error) = facts.topology else { return XCTFail("\(facts.topology)") }
        XCTAssertTrue(error.path.hasSuffix("node1/cpulist"))
        XCTAssertTrue(error.reason.contains("invalid CPU list '18-35,54-'"), error.reason)
        guard case .failed(let thpError) = facts.thp.enabled else { return XCTFail("\(facts.thp.enabled)") }
        XCTAssertTrue(thpError.reason.contains("no [selected] value"))
    }

    /// Numbers no kernel writes in a copied tree: each is an error naming the file, not a value the checks
    /// add up or count to.
    func testNumbersPastAnyKernelAreErrorsNamingTheFile() throws {
        let node1 = "sys/devices/system/node/node1"
        let cases: [(String, (URL) throws -> Void, String)] = [
            ("meminfo", { try overwrite($0, "\(node1)/meminfo", "Node 1 MemTotal: 99999999999999999 kB") }, "MemTotal"),
            ("meminfo", { try overwrite($0, "\(node1)/meminfo", "Node 1 MemTotal: -5 kB") }, "MemTotal '-5'"),
            (
                "distance", { try overwrite($0, "\(node1)/distance", "21 9223372036854775807") },
                "not a list of distances"
            ),
            (
                "cpumap",
                {
                    try remove($0, "\(node1)/cpulist")
                    try overwrite(
                        $0, "\(node1)/cpumap", "ffffffff," + String(repeating: "00000000,", count: 600) + "00000000")
                }, "above the largest possible CPU 16383"
            ),
            (
                "node99999",
                {
                    try FileManager.default.createDirectory(
                        at: $0.appendingPathComponent("sys/devices/system/node/node99999"),
                        withIntermediateDirectories: true)
                }, "99999 is above the largest possible 16383"
            ),
        ]
        for (file, mutate, text) in cases {
            let root = try copyOfSysroot(fixtureSysroot("mac-numa", "numa-server"), self)
            try mutate(root)
            let facts = HostProbe(sysroot: Sysroot(root.path)).probe()
            guard case .failed(let error) = facts.topology else { return XCTFail("\(file): \(facts.topology)") }
            XCTAssertTrue(error.path.hasSuffix(file), "\(error)")
            XCTAssertTrue(error.reason.contains(text), "\(error)")
        }
    }
}

import ConformCore
import HostLayer
import XCTest

/// Every host check on hand-built facts, passing and failing. No file is read.
final class HostChecksTests: XCTestCase {
    /// The mac-numa server as the design has it.
    static let designed = HostSpec(
        name: "numa-server",
        topology: TopologySpec(
            cpuModel: "E5-2697 v4", sockets: 2, coresPerSocket: 18, threadsPerCore: 2, onlineCPUs: cpus("0-71"),
            siblingOffset: 36,
            nodes: [
                NodeSpec(id: 0, cpus: cpus("0-17,36-53"), memoryGiB: 126),
                NodeSpec(id: 1, cpus: cpus("18-35,54-71"), memoryGiB: 126),
            ],
            distances: [[10, 21], [21, 10]]),
        tuning: TuningSpec(governor: "performance", thpEnabled: "always", thpDefrag: "always", numaBalancing: 0))

    static func cpus(_ text: String) -> CPUSet {
        (try? CPUSet(parsing: text)) ?? .empty
    }

    /// Facts of a machine that matches the design.
    static func matchingFacts() -> HostFacts {
        let siblings = (0..<36).map { CPUSet([$0, $0 + 36]) }
        let topology = TopologyFacts(
            sockets: 2, coresPerSocket: 18, threadsPerCore: 2, onlineCPUs: cpus("0-71"),
            nodes: [
                NodeFacts(id: 0, cpus: cpus("0-17,36-53"), memoryKiB: 131_855_964, distances: [10, 21]),
                NodeFacts(id: 1, cpus: cpus("18-35,54-71"), memoryKiB: 132_069_748, distances: [21, 10]),
            ], siblings: siblings)
        return HostFacts(
            sysroot: "/", topology: .value(topology), cpuModel: .value("Intel(R) Xeon(R) CPU E5-2697 v4 @ 2.30GHz"),
            governor: .value(GovernorFacts(byGovernor: ["performance": cpus("0-71")])),
            thp: THPFacts(enabled: .value("always"), defrag: .value("always")), numaBalancing: .value(0))
    }

    func findings(_ id: String, spec: HostSpec = designed, facts: HostFacts = matchingFacts()) -> [Finding] {
        HostCatalog.checks(for: spec, facts: facts).first { $0.metadata.id == id }?.evaluate() ?? []
    }

    func statuses(_ id: String, spec: HostSpec = designed, facts: HostFacts = matchingFacts()) -> [Status] {
        findings(id, spec: spec, facts: facts).map(\.status)
    }

    func withTopology(_ change: (inout TopologyFacts) -> Void) -> HostFacts {
        var facts = Self.matchingFacts()
        guard var topology = facts.topology.value else { return facts }
        change(&topology)
        facts.topology = .value(topology)
        return facts
    }

    func testCatalogOrderAndIDsAreDesignMDs() {
        XCTAssertEqual(
            HostCatalog.all.map(\.id),
            [
                "host.topology.nodes", "host.topology.sockets", "host.topology.cores", "host.topology.threads",
                "host.topology.cpulist", "host.topology.siblings", "host.topology.distances", "host.topology.memory",
                "host.cpu.model", "host.governor", "host.thp.enabled", "host.thp.defrag", "host.numa_balancing",
                "host.storage.mount", "host.storage.size", "host.storage.used", "host.storage.inodes",
                "host.storage.free",
            ])
        XCTAssertTrue(
            HostCatalog.all.allSatisfy { !$0.remediation.isEmpty && !$0.rationale.isEmpty && $0.layer == .host })
    }

    /// The storage checks have nothing to judge on a host without disks (StorageChecksTests judge them).
    func testAMatchingMachinePassesEverything() {
        let storage = Set(HostCatalog.storage.map(\.id))
        for check in HostCatalog.checks(for: Self.designed, facts: Self.matchingFacts())
        where !storage.contains(check.metadata.id) {
            let results = check.evaluate()
            XCTAssertFalse(results.isEmpty, check.metadata.id)
            XCTAssertTrue(results.allSatisfy { $0.status == .pass }, "\(check.metadata.id): \(results)")
        }
    }

    func testNodeCount() {
        let oneNode = withTopology { $0.nodes = [NodeFacts(id: 0, cpus: Self.cpus("0-71"))] }
        XCTAssertEqual(statuses("host.topology.nodes", facts: oneNode), [.fail])
        XCTAssertEqual(findings("host.topology.nodes", facts: oneNode).first?.message, "1 NUMA nodes, the design has 2")
    }

    func testSocketsCoresThreads() {
        let smtOff = withTopology {
            $0.threadsPerCore = 1
            $0.siblings = (0..<36).map { CPUSet([$0]) }
        }
        XCTAssertEqual(statuses("host.topology.threads", facts: smtOff), [.fail])
        XCTAssertEqual(statuses("host.topology.sockets", facts: withTopology { $0.sockets = 1 }), [.fail])
        XCTAssertEqual(statuses("host.topology.cores", facts: withTopology { $0.coresPerSocket = 16 }), [.fail])
        let partlySMT = withTopology { $0.siblings[3] = CPUSet([3]) }
        XCTAssertEqual(statuses("host.topology.threads", facts: partlySMT), [.warn])
    }

    func testCPUListsPerNodeAndCoverage() {
        let offline = withTopology { $0.onlineCPUs = Self.cpus("0-70") }
        let result = findings("host.topology.cpulist", facts: offline)
        XCTAssertEqual(result.first?.status, .fail)
        XCTAssertEqual(result.first?.message, "online CPUs differ: missing 71, extra none")
        XCTAssertEqual(result.map(\.subject), ["online", "node0", "node1", nil], "one subject each")
        XCTAssertEqual(result[2].status, .fail, "node1's online CPUs lost 71")

        let interleaved = withTopology {
            $0.nodes[0].cpus = Self.cpus("0-35")
            $0.nodes[1].cpus = Self.cpus("36-71")
        }
        XCTAssertEqual(statuses("host.topology.cpulist", facts: interleaved), [.pass, .fail, .fail, .pass])

        let orphan = withTopology { $0.nodes[1].cpus = Self.cpus("18-35,54-70") }
        let generic = HostSpec(name: "any")
        XCTAssertEqual(
            findings("host.topology.cpulist", spec: generic, facts: orphan).last?.observed,
            "in no node: 71; in several: none")
        XCTAssertEqual(statuses("host.topology.cpulist", spec: generic, facts: Self.matchingFacts()), [.pass])
    }

    func testSiblings() {
        let pairedWithNeighbour = withTopology {
            $0.siblings = stride(from: 0, to: 72, by: 2).map { CPUSet([$0, $0 + 1]) }
        }
        XCTAssertEqual(statuses("host.topology.siblings", facts: pairedWithNeighbour), [.fail])
        // Without a declared pairing, siblings spanning two nodes mean a misreported topology.
        let acrossNodes = withTopology { $0.siblings[0] = CPUSet([0, 18]) }
        XCTAssertEqual(statuses("host.topology.siblings", spec: HostSpec(name: "any"), facts: acrossNodes), [.fail])
        XCTAssertEqual(statuses("host.topology.siblings", spec: HostSpec(name: "any")), [.pass])
    }

    func testDistances() {
        let flat = withTopology {
            $0.nodes[0].distances = [10, 10]
            $0.nodes[1].distances = [10, 10]
        }
        XCTAssertEqual(statuses("host.topology.distances", facts: flat), [.fail])
        let unknown = withTopology { $0.nodes[0].distances = nil }
        XCTAssertEqual(statuses("host.topology.distances", facts: unknown), [.error], "declared but not exposed")
        XCTAssertEqual(statuses("host.topology.distances", spec: HostSpec(name: "any"), facts: unknown), [.skip])
        let asymmetric = withTopology { $0.nodes[1].distances = [31, 10] }
        XCTAssertEqual(statuses("host.topology.distances", spec: HostSpec(name: "any"), facts: asymmetric), [.warn])
    }

    func testMemoryPerNodeWithinTolerance() {
        let halfPopulated = withTopology { $0.nodes[1].memoryKiB = 66_000_000 }
        let result = findings("host.topology.memory", facts: halfPopulated)
        XCTAssertEqual(result.map(\.status), [.pass, .fail])
        XCTAssertEqual(result[1].expected, "126.0 GiB ± 5.0%")
        XCTAssertEqual(result[1].observed, "62.9 GiB")
        XCTAssertEqual(result[0].measurements.first?.name, "host.node0.memory")
        XCTAssertEqual(result[0].measurements.first?.unit, .gibibytes)
        let unknown = withTopology { $0.nodes[0].memoryKiB = nil }
        XCTAssertEqual(statuses("host.topology.memory", facts: unknown), [.error, .pass])
    }

    /// A memory-less node (CPU-only socket, CXL) is not a failure when the design says nothing; a node
    /// designed without memory must have none, never a division by zero.
    func testMemoryLessNodes() {
        let memoryLess = withTopology { $0.nodes[1].memoryKiB = 0 }
        XCTAssertEqual(
            statuses("host.topology.memory", spec: HostSpec(name: "any"), facts: memoryLess), [.pass, .warn])
        var designedEmpty = Self.designed
        designedEmpty.topology.nodes?[1].memoryGiB = 0
        XCTAssertEqual(statuses("host.topology.memory", spec: designedEmpty, facts: memoryLess), [.pass, .pass])
        XCTAssertEqual(statuses("host.topology.memory", spec: designedEmpty), [.pass, .fail])
    }

    func testCPUModel() {
        var other = Self.matchingFacts()
        other.cpuModel = .value("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz")
        XCTAssertEqual(statuses("host.cpu.model", facts: other), [.fail])
        other.cpuModel = .unavailable("ARM")
        XCTAssertEqual(statuses("host.cpu.model", facts: other), [.skip])
    }

    func testGovernor() {
        var facts = Self.matchingFacts()
        facts.governor = .value(
            GovernorFacts(byGovernor: ["performance": Self.cpus("0-17,36-53"), "powersave": Self.cpus("18-35,54-71")]))
        let result = findings("host.governor", facts: facts)
        XCTAssertEqual(result.map(\.status), [.fail])
        XCTAssertEqual(result.first?.message, "CPUs 18-35,54-71 use powersave")
        XCTAssertEqual(statuses("host.governor", spec: HostSpec(name: "any"), facts: facts), [.warn], "mixed governors")
        facts.governor = .unavailable("no cpufreq in a VM")
        XCTAssertEqual(statuses("host.governor", facts: facts), [.skip])
        XCTAssertEqual(findings("host.governor", facts: facts).first?.message, "no cpufreq in a VM")
    }

    func testTHPAndNUMABalancing() {
        var facts = Self.matchingFacts()
        facts.thp = THPFacts(enabled: .value("madvise"), defrag: .value("never"))
        facts.numaBalancing = .value(1)
        XCTAssertEqual(
            findings("host.thp.enabled", facts: facts).first?.message, "THP enabled is madvise, the design sets always")
        XCTAssertEqual(statuses("host.thp.defrag", facts: facts), [.fail])
        XCTAssertEqual(statuses("host.numa_balancing", facts: facts), [.fail])
        facts.numaBalancing = .failed(ProbeError(path: "/proc/sys/kernel/numa_balancing", reason: "no such file"))
        XCTAssertEqual(
            findings("host.numa_balancing", facts: facts).first?.message,
            "cannot read /proc/sys/kernel/numa_balancing: no such file")
        XCTAssertEqual(statuses("host.numa_balancing", facts: facts), [.error])
    }

    func testAnUnreadableTopologyIsAnErrorForEveryTopologyCheck() {
        var facts = Self.matchingFacts()
        facts.topology = .failed(ProbeError(path: "/sys/devices/system/node", reason: "no such directory"))
        for id in HostCatalog.all.map(\.id) where id.hasPrefix("host.topology.") {
            XCTAssertEqual(statuses(id, facts: facts), [.error], id)
            XCTAssertTrue(findings(id, facts: facts).first?.message.contains("/sys/devices/system/node") ?? false)
        }
    }
}

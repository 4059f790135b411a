import ConformCore
import HypervisorLayer
import XCTest

/// The invariants on hand-built placements: each passes on a sound layout and fails on the mistake it exists for.
final class PinningInvariantsTests: XCTestCase {
    /// 2 nodes × 4 cores × 2 threads: node0 CPUs 0-3,8-11, node1 4-7,12-15, siblings n/n+8, 16 GiB per node.
    let topology = NUMATopology(
        nodes: [
            NUMATopology.Node(id: 0, cpus: cpus("0-3,8-11"), memoryGiB: 16),
            NUMATopology.Node(id: 1, cpus: cpus("4-7,12-15"), memoryGiB: 16),
        ],
        siblings: (0..<8).map { CPUSet([$0, $0 + 8]) })

    static func cpus(_ text: String) -> CPUSet { (try? CPUSet(parsing: text)) ?? .empty }
    func cpus(_ text: String) -> CPUSet { Self.cpus(text) }

    func vm(
        _ name: String, pins: [String?], emulator: String?, strictNode: Int? = nil, memory: Double = 8,
        flexible: Bool = false
    ) -> Placement {
        Placement(
            name: name, vcpuCPUs: pins.map { $0.map(cpus) }, emulatorCPUs: emulator.map(cpus),
            memoryMode: strictNode == nil ? nil : "strict", memoryNodes: strictNode.map { [$0] }, memoryGiB: memory,
            flexible: flexible)
    }

    /// Two VMs owning one node each (3 cores), the fourth core of each node for emulators.
    var sound: [Placement] {
        [
            vm("a", pins: ["0", "8", "1", "9", "2", "10"], emulator: "3,11", strictNode: 0),
            vm("b", pins: ["4", "12", "5", "13", "6", "14"], emulator: "7,15", strictNode: 1),
        ]
    }

    func statuses(_ placements: [Placement], reserve: Double = 2, _ check: (PinningInvariants) -> [Finding]) -> [String]
    {
        check(PinningInvariants(placements: placements, topology: topology, hostReserveGiB: reserve)).map {
            "\($0.subject ?? "-") \($0.status.rawValue)"
        }
    }

    func testASoundLayoutPassesEveryInvariant() {
        let invariants = PinningInvariants(placements: sound, topology: topology, hostReserveGiB: 2)
        for check in [
            invariants.single, invariants.nodeLocal, invariants.exclusive, invariants.siblings,
            invariants.emulatorDisjoint, invariants.memoryFits,
        ] {
            XCTAssertTrue(check().allSatisfy { $0.status == .pass }, "\(check())")
        }
    }

    func testSingle() {
        let floating = [vm("a", pins: ["0", nil, "0-3", "99"], emulator: "3")]
        let findings = PinningInvariants(placements: floating, topology: topology, hostReserveGiB: 0).single()
        XCTAssertEqual(findings.map(\.status), [.fail])
        XCTAssertEqual(
            findings.first?.message,
            "3 vCPU pin problem(s): vCPU 1 is not pinned; vCPU 2 may run on 0-3; vCPU 3 is pinned to CPU 99, which this host does not have"
        )
    }

    func testNodeLocal() {
        let remote = [
            vm("a", pins: ["0", "4"], emulator: "12", strictNode: 0),
            vm("b", pins: ["5"], emulator: nil, strictNode: 1), vm("c", pins: ["6"], emulator: "7"),
        ]
        XCTAssertEqual(statuses(remote) { $0.nodeLocal() }, ["a fail", "b fail", "c skip"])
        let message = PinningInvariants(placements: remote, topology: topology, hostReserveGiB: 0).nodeLocal()[0]
            .message
        XCTAssertEqual(
            message, "memory is bound to node(s) 0 but vCPUs on CPUs 4 of node(s) 1; emulator on CPUs 12 of node(s) 1")
    }

    func testExclusiveFailsOnDedicatedVCPUsEvenForAFlexibleVM() {
        let sharing = sound + [vm("flex", pins: ["3", "4"], emulator: nil, flexible: true)]
        XCTAssertEqual(statuses(sharing) { $0.exclusive() }, ["a pass", "b fail", "flex fail"])
        let twoFlexible = [
            vm("f1", pins: ["3"], emulator: nil, flexible: true), vm("f2", pins: ["3"], emulator: nil, flexible: true),
        ]
        XCTAssertEqual(statuses(twoFlexible) { $0.exclusive() }, ["f1 warn", "f2 warn"])
    }

    func testEmulatorDisjoint() {
        let onOwnEmulator = [vm("a", pins: ["0", "3"], emulator: "3,11", strictNode: 0)]
        XCTAssertEqual(statuses(onOwnEmulator) { $0.emulatorDisjoint() }, ["a fail"])
        let onOthers =
            sound + [vm("flex", pins: ["3"], emulator: nil, flexible: true), vm("rigid", pins: ["11"], emulator: "15")]
        let findings = PinningInvariants(placements: onOthers, topology: topology, hostReserveGiB: 0).emulatorDisjoint()
        XCTAssertEqual(findings.map(\.status), [.pass, .pass, .warn, .fail])
        XCTAssertTrue(
            findings[2].message.contains("declared flexible, so this sharing is on purpose"), findings[2].message)
        XCTAssertEqual(findings[3].message, "vCPUs run on a's emulator CPUs 11")
    }

    func testSiblingsSplitBetweenVMs() {
        let split = [vm("a", pins: ["0"], emulator: "3"), vm("b", pins: ["8"], emulator: "11")]
        XCTAssertEqual(statuses(split) { $0.siblings() }, ["a fail", "b fail"])
        let sameThreads = [vm("a", pins: ["0"], emulator: "3"), vm("b", pins: ["0"], emulator: "11")]
        XCTAssertEqual(
            statuses(sameThreads) { $0.siblings() }, ["a pass", "b pass"],
            "sharing the same thread is exclusive's finding")
        let flexible = [vm("a", pins: ["0"], emulator: "3"), vm("b", pins: ["8"], emulator: nil, flexible: true)]
        XCTAssertEqual(statuses(flexible) { $0.siblings() }, ["a warn", "b warn"])
    }

    func testMemoryFitsPerNodeAndLeftover() {
        let tooBig = [
            vm("a", pins: ["0"], emulator: "3", strictNode: 0, memory: 15),
            vm("b", pins: ["4"], emulator: "7", strictNode: 1, memory: 10),
            vm("u", pins: ["5"], emulator: "7", memory: 5),
        ]
        XCTAssertEqual(statuses(tooBig) { $0.memoryFits() }, ["node0 fail", "node1 pass", "unbound fail"])
        let findings = PinningInvariants(placements: tooBig, topology: topology, hostReserveGiB: 2).memoryFits()
        XCTAssertEqual(
            findings[0].message,
            "node0: 15.0 GiB strictly bound (a) + 2.0 GiB host reserve exceeds its 16.0 GiB by 1.0 GiB")
        XCTAssertEqual(
            findings[2].message,
            "VMs without a strict binding (u) need 5.0 GiB; only 4.0 GiB is left over the nodes after bound memory and reserves"
        )
        XCTAssertEqual(
            findings[1].measurements.first, MeasuredValue(name: "hv.node1.memory.bound", value: 10, unit: .gibibytes))
        let fits = [vm("u", pins: ["5"], emulator: "7", memory: 20)]
        XCTAssertEqual(statuses(fits) { $0.memoryFits() }, ["node0 pass", "node1 pass", "unbound pass"])
    }

    func testPlacementFromADomainUsesLibvirtsFallbacks() {
        let domain = DomainFacts(
            name: "d", vcpus: 3, memoryKiB: 1_048_576, vcpuCPUSet: cpus("0-3"),
            vcpuPins: [VCPUPin(vcpu: 0, cpuset: [2])],
            numaMemory: NumaTuneMemory(mode: "strict", nodeset: [0], placement: "static"))
        let placement = Placement(domain: domain, flexible: false)
        XCTAssertEqual(placement.vcpuCPUs, [[2], cpus("0-3"), cpus("0-3")], "unpinned vCPUs may use <vcpu cpuset>")
        XCTAssertEqual(placement.emulatorCPUs, cpus("0-3"), "the emulator follows <vcpu cpuset> without emulatorpin")
        XCTAssertEqual(placement.strictNodes, [0])
        XCTAssertEqual(placement.memoryGiB, 1)
    }
}

import ConformCore
import HostLayer
import XCTest

/// `lint`'s check of a declared topology against itself and its VMs' pins, on hand-built profiles.
final class DeclaredTopologyChecksTests: XCTestCase {
    static func cpus(_ text: String) -> CPUSet { (try? CPUSet(parsing: text)) ?? .empty }

    let macNuma = TopologySpec(
        sockets: 2, coresPerSocket: 18, threadsPerCore: 2, onlineCPUs: cpus("0-71"),
        nodes: [NodeSpec(id: 0, cpus: cpus("0-17,36-53")), NodeSpec(id: 1, cpus: cpus("18-35,54-71"))])

    func findings(_ spec: TopologySpec, pins: [String: CPUSet] = [:]) -> [Finding] {
        DeclaredTopologyChecks(spec: spec, pinnedCPUs: pins).findings()
    }

    func testAConsistentDesignPasses() {
        let result = findings(macNuma, pins: ["vm1": Self.cpus("0-16,36-52")])
        XCTAssertEqual(result.map(\.status), [.pass])
        XCTAssertTrue(result[0].observed.contains("2 x 18 x 2 = 72 CPUs"), result[0].observed)
    }

    /// Counts whose product is more CPUs than any machine has (hand-built: the loader refuses them) are not
    /// turned into a list of that many CPUs.
    func testCountsBeyondAnyMachineMakeNoCPUList() {
        let enormous = TopologySpec(sockets: 1 << 20, coresPerSocket: 1 << 20, threadsPerCore: 1 << 20)
        XCTAssertFalse(findings(enormous).isEmpty)
    }

    func testEveryDisagreementIsNamed() {
        var counts = macNuma
        counts.coresPerSocket = 16
        XCTAssertTrue(findings(counts)[0].message.contains("online CPUs 0-71 are 72, not the 64 the counts give"))
        var overlapping = macNuma
        overlapping.nodes = [
            NodeSpec(id: 0, cpus: Self.cpus("0-36,36-53")), NodeSpec(id: 1, cpus: Self.cpus("18-35,54-71")),
        ]
        XCTAssertTrue(
            findings(overlapping)[0].message.contains("nodes 0 and 1 both hold CPUs 18-35"), "\(findings(overlapping))")
        let pinnedOutside = findings(macNuma, pins: ["vm2": Self.cpus("70-73")])
        XCTAssertEqual(pinnedOutside.map(\.status), [.fail])
        XCTAssertTrue(pinnedOutside[0].message.contains("VM vm2 pins CPUs 72-73, which the host does not have"))
    }

    func testNothingDeclaredIsASkip() {
        XCTAssertEqual(findings(TopologySpec()).map(\.status), [.skip])
    }
}

import ConformCore
import XCTest

final class BaselineDiffTests: XCTestCase {
    func baseline(
        host: String = "numa-server", profile: String = "mac-numa", measurements: [String: MeasurementStats],
        facts: [String: String] = [:], factValues: [String: ObservedValue]? = nil,
        environment: [String: String] = [:]
    ) -> Baseline {
        Baseline(
            profile: profile, host: host, taken: "2026-11-01T03:30:00Z", conformVersion: "0.1.0",
            environment: environment, facts: facts, factValues: factValues, measurements: measurements)
    }

    func testTwoBaselinesOfOneHost() {
        let before = baseline(
            measurements: [
                "mem.triad.cpu0.mem0": MeasurementStats(samples: [60], unit: .gigabytesPerSecond),
                "net.ttfb": MeasurementStats(samples: [10], unit: .milliseconds),
                "disk.write": MeasurementStats(samples: [480], unit: .megabytesPerSecond),
            ],
            facts: ["host.thp.enabled": "always", "host.governor": "performance: 0-71"],
            environment: ["kernel": "6.1.0", "bios.date": "05/17/2023"])
        let after = baseline(
            measurements: [
                "mem.triad.cpu0.mem0": MeasurementStats(samples: [48], unit: .gigabytesPerSecond),
                "net.ttfb": MeasurementStats(samples: [10], unit: .milliseconds),
                "disk.read": MeasurementStats(samples: [500], unit: .megabytesPerSecond),
            ],
            facts: ["host.thp.enabled": "madvise", "host.numa_balancing": "0", "host.governor": "performance: 0-71"],
            environment: ["kernel": "6.5.0", "bios.date": "05/17/2023"])
        let diff = BaselineDiff(before: before, after: after)
        XCTAssertEqual(diff.identities, [])
        XCTAssertEqual(diff.measurements.map(\.name), ["disk.read", "disk.write", "mem.triad.cpu0.mem0", "net.ttfb"])
        XCTAssertEqual(diff.measurements[0], .onlyIn(name: "disk.read", .after))
        XCTAssertEqual(diff.measurements[1], .onlyIn(name: "disk.write", .before))
        guard case .judged(_, let bandwidth) = diff.measurements[2], case .judged(_, let latency) = diff.measurements[3]
        else { return XCTFail("\(diff.measurements)") }
        XCTAssertEqual(bandwidth.status, .fail)
        XCTAssertEqual(bandwidth.message, "mem.triad.cpu0.mem0 regressed: 60 GB/s → 48 GB/s (-20.0%, tolerance 5.0%)")
        XCTAssertEqual(latency.status, .pass)
        XCTAssertEqual(diff.facts.map(\.name), ["host.numa_balancing", "host.thp.enabled"])
        XCTAssertEqual(diff.facts[0].before, nil)
        XCTAssertEqual(diff.facts[0].after, "0")
        XCTAssertEqual(diff.facts[1].before, "always")
        XCTAssertEqual(diff.facts[1].after, "madvise")
        XCTAssertEqual(diff.environment, [.init(key: "kernel", before: "6.1.0", after: "6.5.0")])
        XCTAssertEqual(diff.differenceCount, 5, "one regression, two only-in measurements, two facts")
    }

    func testIdentitiesAndFactsComparedAsValues() {
        let pins = ObservedValue.list([.cpus([0, 36]), .cpus([1, 37])])
        let before = baseline(
            measurements: [:], facts: ["host.topology.siblings": "0,36 1,37"],
            factValues: ["host.topology.siblings": pins])
        let reworded = baseline(
            host: "other", profile: "single-numa", measurements: [:],
            facts: ["host.topology.siblings": "pairs 0+36, 1+37"], factValues: ["host.topology.siblings": pins])
        let diff = BaselineDiff(before: before, after: reworded)
        XCTAssertEqual(
            diff.identities,
            [
                .init(what: "hosts", before: "numa-server", after: "other"),
                .init(what: "profiles", before: "mac-numa", after: "single-numa"),
            ])
        XCTAssertEqual(diff.facts, [], "the same value, reworded")
        XCTAssertEqual(diff.differenceCount, 0)
        let changed = baseline(
            measurements: [:], facts: ["host.topology.siblings": "0,36 1,37"],
            factValues: ["host.topology.siblings": .list([.cpus([0, 36]), .cpus([1, 38])])])
        let facts = BaselineDiff(before: before, after: changed).facts
        XCTAssertEqual(facts.map(\.name), ["host.topology.siblings"])
        XCTAssertEqual(facts.first?.before, "[0,36 1,37]", "the same display text: the values are written out")
        XCTAssertEqual(facts.first?.after, "[0,36 1,38]")
    }
}

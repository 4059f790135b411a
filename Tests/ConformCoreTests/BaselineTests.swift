import ConformCore
import ConformTestSupport
import Foundation
import XCTest

typealias Measurement = ConformCore.Measurement

final class BaselineTests: XCTestCase {
    func baseline(
        _ measurements: [String: MeasurementStats], facts: [String: String] = [:],
        environment: [String: String] = ["kernel": "6.1.0"]
    ) -> Baseline {
        Baseline(
            profile: "p", host: "h", taken: "2026-11-01T03:30:00Z", conformVersion: "0.1.0", environment: environment,
            facts: facts, measurements: measurements)
    }

    func result(_ id: String, observed: String = "", measurements: [Measurement] = []) -> CheckResult {
        CheckResult(
            metadata: CheckMetadata(
                id: id, layer: .bench, title: "t", severity: .major, remediation: "r", rationale: "w"), host: "h",
            finding: Finding(.pass, observed: observed, message: "m", measurements: measurements), durationSeconds: 0)
    }

    func testStatsOverRuns() {
        let stats = MeasurementStats(samples: [60, 62, 58], unit: "GB/s")
        XCTAssertEqual(stats.median, 60)
        XCTAssertEqual(stats.spread, 4.0 / 60, accuracy: 1e-9)
        XCTAssertEqual(MeasurementStats(samples: [10, 20], unit: "MB/s").median, 15)
        XCTAssertEqual(MeasurementStats(samples: [5], unit: "ms").spread, 0)
    }

    func testATwentyPercentBandwidthDropFailsAndTwoPercentPasses() {
        let comparison = BaselineComparison(baseline: baseline([:]))
        let stats = MeasurementStats(samples: [60, 60.6, 59.4], unit: "GB/s")  // spread 2 %: tolerance max(5 %, 6 %) = 6 %
        XCTAssertEqual(comparison.tolerancePercent("mem.triad.cpu0.mem0", stats), 6, accuracy: 1e-9)
        XCTAssertEqual(comparison.judge(name: "mem.triad.cpu0.mem0", stats: stats, now: 48).status, .fail)
        XCTAssertEqual(comparison.judge(name: "mem.triad.cpu0.mem0", stats: stats, now: 58.8).status, .pass)
        XCTAssertEqual(
            comparison.judge(name: "mem.triad.cpu0.mem0", stats: stats, now: 57.5).status, .warn,
            "past half the tolerance: drifting")
        XCTAssertEqual(
            comparison.judge(name: "mem.triad.cpu0.mem0", stats: stats, now: 80).status, .pass,
            "faster is never a regression")
        XCTAssertEqual(
            comparison.judge(name: "mem.triad.cpu0.mem0", stats: stats, now: 48).message,
            "mem.triad.cpu0.mem0 regressed: 60 GB/s → 48 GB/s (-20.0%, tolerance 6.0%)")
    }

    func testDirectionsPointsAndOverrides() {
        let comparison = BaselineComparison(baseline: baseline([:]), overrides: ["net.*": 15])
        XCTAssertEqual(
            comparison.judge(name: "net.ttfb", stats: MeasurementStats(samples: [10], unit: "ms"), now: 13).status,
            .fail, "latency: lower is better")
        XCTAssertEqual(
            comparison.judge(name: "net.ttfb", stats: MeasurementStats(samples: [10], unit: "ms"), now: 7).status, .pass
        )
        XCTAssertEqual(
            comparison.judge(name: "net.download", stats: MeasurementStats(samples: [117], unit: "MB/s"), now: 110)
                .status, .pass, "the profile allows 15 %")
        XCTAssertEqual(
            comparison.judge(
                name: "hv.vm.memory.off-node", stats: MeasurementStats(samples: [0.002], unit: "%"), now: 0.01
            ).status, .pass, "percentage points")
        XCTAssertEqual(
            comparison.judge(
                name: "host.node0.memory", stats: MeasurementStats(samples: [125.7], unit: "GiB"), now: 62.9
            ).status, .fail, "either way counts")
    }

    func testDriftedFactsAndEnvironmentBesideARegression() {
        let old = baseline(
            [
                "mem.triad.cpu0.mem0": MeasurementStats(samples: [60], unit: "GB/s"),
                "disk.write": MeasurementStats(samples: [480], unit: "MB/s"),
                // Its check did not run at all (the bench layer was not asked for): not compared.
                "net.download": MeasurementStats(samples: [117], unit: "MB/s", check: "bench.net.download"),
            ],
            facts: ["host.thp.enabled": "always", "host.governor": "performance: 0-71"])
        let results = [
            result("host.thp.enabled", observed: "madvise"), result("host.governor", observed: "performance: 0-71"),
            result(
                "bench.numa.bandwidth",
                measurements: [Measurement(name: "mem.triad.cpu0.mem0", value: 45, unit: "GB/s")]),
        ]
        let compared = BaselineComparison(baseline: old).compare(results, environment: ["kernel": "6.5.0"])
        XCTAssertEqual(
            compared.map { "\($0.id) \($0.status.rawValue)" },
            ["baseline.disk.write skip", "baseline.mem.triad.cpu0.mem0 fail", "baseline.fact.host.thp.enabled fail"])
        XCTAssertEqual(compared[0].message, "not measured in this run")
        XCTAssertEqual(compared[2].expected, "always")
        XCTAssertEqual(compared[2].observed, "madvise")
        XCTAssertTrue(
            compared[1].message.hasSuffix("the environment changed since the baseline: kernel 6.1.0 → 6.5.0"),
            compared[1].message)
        XCTAssertEqual(compared[1].layer, .baseline)
        XCTAssertTrue(compared[1].remediation.hasPrefix("Compare the environment"), compared[1].remediation)
        XCTAssertTrue(compared[2].remediation.hasPrefix("If the change was intended"), compared[2].remediation)
    }

    func testMeasuredObservationsAreComparedAsMeasurementsNotFacts() {
        func run(_ bandwidth: Double) -> [CheckResult] {
            [
                result(
                    "bench.numa.bandwidth", observed: "\(bandwidth) GB/s (2 threads)",
                    measurements: [Measurement(name: "mem.triad.cpu0.mem0", value: bandwidth, unit: "GB/s")]),
                result("host.thp.enabled", observed: "always"),
            ]
        }
        let taken = Baseline.from(
            runs: [run(46.8)], profile: "p", host: "h", taken: Date(), conformVersion: "0.1.0", environment: [:])
        XCTAssertEqual(taken.facts, ["host.thp.enabled": "always"], "a bandwidth is no fact")
        XCTAssertEqual(taken.measurements["mem.triad.cpu0.mem0"]?.check, "bench.numa.bandwidth")
        let compared = BaselineComparison(baseline: taken).compare(run(47.9), environment: [:])
        XCTAssertEqual(compared.map { "\($0.id) \($0.status.rawValue)" }, ["baseline.mem.triad.cpu0.mem0 pass"])
    }

    func testRoundTripAndCorruptFiles() throws {
        let directory = try temporaryDirectory(self)
        let file = directory.appendingPathComponent("b.json").path
        let original = baseline(
            ["disk.write": MeasurementStats(samples: [480, 500], unit: "MB/s")], facts: ["host.thp.enabled": "always"])
        try original.write(to: file)
        XCTAssertEqual(try Baseline.load(file: file), original)
        let corrupt = try writeFile(directory, "corrupt.json", "{\"schema\": \"conform.baseline/v1\", \"profile\": ")
        XCTAssertThrowsError(try Baseline.load(file: corrupt)) { error in
            XCTAssertEqual((error as? InputError)?.file, corrupt)
            XCTAssertTrue("\(error)".contains("not a conform baseline"), "\(error)")
        }
        let wrongSchema = try writeFile(
            directory, "other.json",
            String(decoding: try JSONEncoder().encode(original), as: UTF8.self).replacingOccurrences(
                of: "conform.baseline\\/v1", with: "other/v9"))
        XCTAssertThrowsError(try Baseline.load(file: wrongSchema)) { error in
            XCTAssertEqual((error as? InputError)?.field, "schema", "\(error)")
        }
    }

    func testHistoryTrendRetentionAndLock() throws {
        let directory = try temporaryDirectory(self).path
        let history = History(directory: directory)
        for (index, value) in [60.0, 59.0, 48.0].enumerated() {
            let report = RunReport(
                profile: "p", started: Date(timeIntervalSince1970: 1_795_000_000 + Double(index) * 86_400),
                durationSeconds: 1,
                results: [
                    result(
                        "bench.numa.bandwidth",
                        measurements: [Measurement(name: "mem.triad.cpu0.mem0", value: value, unit: "GB/s")])
                ])
            try history.append(report)
            try FileManager.default.createDirectory(
                atPath: "\(directory)/2026-11-1\(index)T03-30-00Z", withIntermediateDirectories: true)
        }
        XCTAssertEqual(try String(contentsOfFile: history.file, encoding: .utf8).split(separator: "\n").count, 3)
        let trend = history.trend()
        XCTAssertTrue(trend.contains("| `h/mem.triad.cpu0.mem0` | 60 | 59 | 48 |"), trend)
        // The trend written with a report includes that run before its history line is appended.
        let tonight = RunReport(
            profile: "p", started: Date(timeIntervalSince1970: 1_795_300_000), durationSeconds: 1,
            results: [
                result(
                    "bench.numa.bandwidth",
                    measurements: [Measurement(name: "mem.triad.cpu0.mem0", value: 47, unit: "GB/s")])
            ])
        XCTAssertTrue(
            history.trend(adding: tonight).contains("| `h/mem.triad.cpu0.mem0` | 60 | 59 | 48 | 47 |"),
            history.trend(adding: tonight))
        history.retain(keep: 2)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("2026") }.sorted(),
            ["2026-11-11T03-30-00Z", "2026-11-12T03-30-00Z"])
        let lock = try RunLock(directory: directory)
        XCTAssertThrowsError(try RunLock(directory: directory)) { error in
            XCTAssertTrue(
                "\(error)".contains(
                    "another conform run (pid \(ProcessInfo.processInfo.processIdentifier)) holds \(directory)/.lock and is writing to \(directory)"
                ),
                "\(error)")
        }
        withExtendedLifetime(lock) {}
    }

    /// A run killed while writing leaves hidden staging files; the next run's lock removes those of dead
    /// processes and leaves a live one's alone.
    func testTheLockRemovesStagingLeftByKilledRuns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conform-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ended = try Subprocess("/bin/true", [])
        _ = try ended.finish(within: 30)
        let dead = ended.pid
        let alive = ProcessInfo.processInfo.processIdentifier
        for name in [".2026-11-12T03-30-00Z.tmp-\(dead)", ".latest.tmp-\(dead)", ".junit.xml.tmp-\(dead)"] {
            try Data("half".utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(
            atPath: directory + "/.2026-11-13T03-30-00Z.tmp-\(alive)", withIntermediateDirectories: false)
        try Data("kept".utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(".notes.txt"))
        let lock = try RunLock(directory: directory)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
            [".2026-11-13T03-30-00Z.tmp-\(alive)", ".lock", ".notes.txt"])
        withExtendedLifetime(lock) {}
    }

    func testPrometheusText() {
        let report = RunReport(
            profile: "mac-numa", started: Date(timeIntervalSince1970: 1_795_000_000), durationSeconds: 1,
            results: [
                result(
                    "bench.numa.bandwidth",
                    measurements: [Measurement(name: "mem.triad.cpu0.mem0", value: 61.5, unit: "GB/s")])
            ])
        let text = PrometheusReporter().render(report)
        XCTAssertTrue(
            text.contains(
                #"conform_check_status{profile="mac-numa",host="h",layer="bench",id="bench.numa.bandwidth",subject="",status="pass",severity="major"} 1"#
            ), text)
        XCTAssertTrue(
            text.contains(
                #"conform_measurement{profile="mac-numa",host="h",name="mem.triad.cpu0.mem0",unit="GB/s"} 61.5"#))
        XCTAssertTrue(text.contains(#"conform_results{profile="mac-numa",status="pass"} 1"#))
        XCTAssertTrue(text.contains("conform_last_run_timestamp_seconds{profile=\"mac-numa\"} 1795000000"))
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            XCTAssertNotNil(
                line.range(of: #"^[a-z_]+\{[^}]*\} -?[0-9.e+-]+$"#, options: .regularExpression), String(line))
        }
    }
}

import ConformCore
import ConformTestSupport
import Foundation
import XCTest

final class BaselineTests: XCTestCase {
    func baseline(
        _ measurements: [String: MeasurementStats], facts: [String: String] = [:],
        environment: [String: String] = ["kernel": "6.1.0"]
    ) -> Baseline {
        Baseline(
            profile: "p", host: "h", taken: "2026-11-01T03:30:00Z", conformVersion: "0.1.0", environment: environment,
            facts: facts, measurements: measurements)
    }

    func result(_ id: String, observed: String = "", measurements: [MeasuredValue] = []) -> CheckResult {
        CheckResult(
            metadata: CheckMetadata(
                id: id, layer: .bench, title: "t", severity: .major, remediation: "r", rationale: "w"), host: "h",
            finding: Finding(.pass, observed: observed, message: "m", measurements: measurements), durationSeconds: 0)
    }

    /// A level that moves by design (a disk's used share) is judged by its own check: a baseline neither keeps
    /// it nor compares it, and its result is no fact either.
    func testAnUnbaselinedMeasurementIsNeitherKeptNorCompared() {
        let used = MeasuredValue(
            name: "host.storage./data/local.used", value: 12, unit: .percent, direction: .lower, baselined: false)
        let disk = result("host.storage.used", observed: "12 %", measurements: [used])
        let taken = Baseline.from(
            runs: [[disk]], profile: "p", host: "h", taken: Date(), conformVersion: "0.1.0", environment: [:])
        XCTAssertEqual(taken.measurements, [:])
        XCTAssertEqual(taken.facts, [:], "a measured level is no fact")
        // A baseline that holds it anyway (written by hand) does not hold a run to it.
        let held = baseline(["host.storage./data/local.used": MeasurementStats(samples: [12], unit: .percent)])
        let later = MeasuredValue(
            name: "host.storage./data/local.used", value: 60, unit: .percent, direction: .lower, baselined: false)
        let compared = BaselineComparison(baseline: held).compare(
            [result("host.storage.used", observed: "60 %", measurements: [later])], environment: [:])
        XCTAssertEqual(compared.map(\.status), [.skip], "not measured, as far as the baseline goes")
    }

    func testStatsOverRuns() {
        let stats = MeasurementStats(samples: [60, 62, 58], unit: .gigabytesPerSecond)
        XCTAssertEqual(stats.median, 60)
        XCTAssertEqual(stats.spread, 4.0 / 60, accuracy: 1e-9)
        XCTAssertEqual(MeasurementStats(samples: [10, 20], unit: .megabytesPerSecond).median, 15)
        XCTAssertEqual(MeasurementStats(samples: [5], unit: .milliseconds).spread, 0)
    }

    func testATwentyPercentBandwidthDropFailsAndTwoPercentPasses() {
        let comparison = BaselineComparison(baseline: baseline([:]))
        let stats = MeasurementStats(samples: [60, 60.6, 59.4], unit: .gigabytesPerSecond)  // spread 2 %: tolerance max(5 %, 6 %) = 6 %
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
            comparison.judge(name: "net.ttfb", stats: MeasurementStats(samples: [10], unit: .milliseconds), now: 13)
                .status,
            .fail, "latency: lower is better")
        XCTAssertEqual(
            comparison.judge(name: "net.ttfb", stats: MeasurementStats(samples: [10], unit: .milliseconds), now: 7)
                .status, .pass
        )
        XCTAssertEqual(
            comparison.judge(
                name: "net.download", stats: MeasurementStats(samples: [117], unit: .megabytesPerSecond), now: 110
            )
            .status, .pass, "the profile allows 15 %")
        XCTAssertEqual(
            comparison.judge(
                name: "hv.vm.memory.off-node",
                stats: MeasurementStats(samples: [0.002], unit: .percent, direction: .lower),
                now: 0.01
            ).status, .pass, "percentage points")
        XCTAssertEqual(
            comparison.judge(
                name: "host.node0.memory", stats: MeasurementStats(samples: [125.7], unit: .gibibytes), now: 62.9
            ).status, .fail, "either way counts")
    }

    func testDriftedFactsAndEnvironmentBesideARegression() {
        let old = baseline(
            [
                "mem.triad.cpu0.mem0": MeasurementStats(samples: [60], unit: .gigabytesPerSecond),
                "disk.write": MeasurementStats(samples: [480], unit: .megabytesPerSecond),
                // Its check did not run at all (the bench layer was not asked for): not compared.
                "net.download": MeasurementStats(
                    samples: [117], unit: .megabytesPerSecond, check: "bench.net.download"),
            ],
            facts: ["host.thp.enabled": "always", "host.governor": "performance: 0-71"])
        let results = [
            result("host.thp.enabled", observed: "madvise"), result("host.governor", observed: "performance: 0-71"),
            result(
                "bench.numa.bandwidth",
                measurements: [MeasuredValue(name: "mem.triad.cpu0.mem0", value: 45, unit: .gigabytesPerSecond)]),
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

    func factResult(_ id: String, observed: String, value: ObservedValue) -> CheckResult {
        CheckResult(
            metadata: CheckMetadata(
                id: id, layer: .host, title: "t", severity: .major, remediation: "r", rationale: "w"), host: "h",
            finding: Finding(.pass, observed: observed, observedValue: value, message: "m"), durationSeconds: 0)
    }

    /// Facts are compared as values: a check that words its observation differently is no drift, and one that
    /// shortens its display (the first sibling groups, `…`) still holds every group.
    func testFactsCompareValuesNotDisplayText() throws {
        let siblings = ObservedValue.list([.cpus(try CPUSet(parsing: "0,36")), .cpus(try CPUSet(parsing: "1,37"))])
        let taken = Baseline.from(
            runs: [[factResult("host.topology.siblings", observed: "0,36 1,37", value: siblings)]], profile: "p",
            host: "h", taken: Date(), conformVersion: "0.1.0", environment: [:])
        XCTAssertEqual(taken.facts, ["host.topology.siblings": "0,36 1,37"])
        XCTAssertEqual(taken.factValues, ["host.topology.siblings": siblings])
        let comparison = BaselineComparison(baseline: taken)
        XCTAssertEqual(
            comparison.compare(
                [factResult("host.topology.siblings", observed: "pairs 0+36, 1+37", value: siblings)], environment: [:]),
            [], "reworded, not changed")
        let other = ObservedValue.list([.cpus(try CPUSet(parsing: "0,36")), .cpus(try CPUSet(parsing: "1,38"))])
        let drifted = comparison.compare(
            [factResult("host.topology.siblings", observed: "0,36 1,37", value: other)], environment: [:])
        XCTAssertEqual(drifted.map(\.id), ["baseline.fact.host.topology.siblings"])
        XCTAssertEqual(drifted.first?.expected, "[0,36 1,37]", "the same display text: the values are shown")
        XCTAssertEqual(drifted.first?.observed, "[0,36 1,38]")
    }

    func testObservedValuesEncodeWithTheirKind() throws {
        let value = ObservedValue.record([
            "pins": .list([.cpus(try CPUSet(parsing: "0-3")), .number(2)]), "mode": .text("strict"),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(value), as: UTF8.self)
        XCTAssertEqual(json, #"{"record":{"mode":{"text":"strict"},"pins":{"list":[{"cpus":"0-3"},{"number":2}]}}}"#)
        XCTAssertEqual(try JSONDecoder().decode(ObservedValue.self, from: Data(json.utf8)), value)
        XCTAssertThrowsError(try JSONDecoder().decode(ObservedValue.self, from: Data(#"{"text":"a","number":1}"#.utf8)))
    }

    func testMeasuredObservationsAreComparedAsMeasurementsNotFacts() {
        func run(_ bandwidth: Double) -> [CheckResult] {
            [
                result(
                    "bench.numa.bandwidth", observed: "\(bandwidth) GB/s (2 threads)",
                    measurements: [
                        MeasuredValue(name: "mem.triad.cpu0.mem0", value: bandwidth, unit: .gigabytesPerSecond)
                    ]),
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
            ["disk.write": MeasurementStats(samples: [480, 500], unit: .megabytesPerSecond)],
            facts: ["host.thp.enabled": "always"])
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
                of: "conform.baseline\\/v2", with: "other/v9"))
        XCTAssertThrowsError(try Baseline.load(file: wrongSchema)) { error in
            XCTAssertEqual((error as? InputError)?.field, "schema", "\(error)")
        }
    }

    /// A v1 baseline (facts as display text, no directions) is refused, naming the file and field and saying
    /// how to take a new one, never read as a broken file.
    func testAnOlderBaselineIsRefusedWithHowToTakeANewOne() throws {
        let directory = try temporaryDirectory(self)
        let file = try writeFile(
            directory, "v1.json",
            #"{"schema": "conform.baseline/v1", "profile": "mac-numa", "host": "numa-server", "facts": {"a": "b"}}"#)
        XCTAssertThrowsError(try Baseline.load(file: file)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(file): schema: 'conform.baseline/v1' is an older baseline (facts as display text, no measurement "
                    + "directions), which this conform cannot compare; take a new one: conform baseline capture "
                    + "--profile mac-numa --host numa-server --out \(file)")
        }
    }

    func testMeasuredValuesEncodeNameValueAndUnitOnly() throws {
        let share = MeasuredValue(name: "hv.vm.memory.off-node", value: 0.5, unit: .percent, direction: .lower)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        XCTAssertEqual(
            String(decoding: try encoder.encode(share), as: UTF8.self),
            #"{"name":"hv.vm.memory.off-node","unit":"%","value":0.5}"#)
        let bandwidth = try JSONDecoder().decode(
            MeasuredValue.self, from: Data(#"{"name":"mem.triad.cpu0.mem0","value":60,"unit":"GB/s"}"#.utf8))
        XCTAssertEqual(bandwidth, MeasuredValue(name: "mem.triad.cpu0.mem0", value: 60, unit: .gigabytesPerSecond))
        XCTAssertEqual(bandwidth.direction, .higher)
        XCTAssertEqual(MeasurementUnit.milliseconds.direction, .lower)
        XCTAssertEqual(MeasurementUnit.percent.direction, .either, "a share says which way is better itself")
    }

    func testAShareWhereLessIsBetterRegressesUpwardAndAShareOfNoDirectionEitherWay() {
        let comparison = BaselineComparison(baseline: baseline([:]))
        let lower = MeasurementStats(samples: [1], unit: .percent, direction: .lower)
        XCTAssertEqual(comparison.judge(name: "share", stats: lower, now: 10).status, .fail)
        XCTAssertEqual(comparison.judge(name: "share", stats: lower, now: 0).status, .pass)
        let either = MeasurementStats(samples: [10], unit: .percent)
        XCTAssertEqual(comparison.judge(name: "share.off-node", stats: either, now: 0).status, .fail, "not by name")
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
                        measurements: [
                            MeasuredValue(name: "mem.triad.cpu0.mem0", value: value, unit: .gigabytesPerSecond)
                        ])
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
                    measurements: [MeasuredValue(name: "mem.triad.cpu0.mem0", value: 47, unit: .gigabytesPerSecond)])
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
                    measurements: [MeasuredValue(name: "mem.triad.cpu0.mem0", value: 61.5, unit: .gigabytesPerSecond)])
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

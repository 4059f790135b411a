import ConformCore
import ConformTestSupport
import Foundation
import XCTest

@testable import ConformPictures

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class TrendChartTests: XCTestCase {
    static let metadata = CheckMetadata(
        id: "bench.numa.bandwidth", layer: .bench, title: "local", severity: .major, remediation: "", rationale: "")

    static func report(night: Int, _ measurements: [String: Double], host: String = "numa-server") -> RunReport {
        RunReport(
            profile: "p", started: Date(timeIntervalSince1970: 1_795_000_000 + Double(night) * 86_400),
            durationSeconds: 1,
            results: [
                CheckResult(
                    metadata: metadata, host: host,
                    finding: Finding(
                        .pass, subject: "node0", message: "",
                        measurements: measurements.keys.sorted().map {
                            MeasuredValue(name: $0, value: measurements[$0] ?? 0, unit: .gigabytesPerSecond)
                        }),
                    durationSeconds: 1)
            ])
    }

    /// A history of three nights (60, 59, 48 GB/s) and tonight's run (47), not yet appended.
    func history() throws -> (History, RunReport) {
        let history = History(directory: try temporaryDirectory(self).path)
        for (night, value) in [60.0, 59.0, 48.0].enumerated() {
            try history.append(Self.report(night: night, ["mem.triad.cpu0.mem0": value]))
        }
        return (history, Self.report(night: 3, ["mem.triad.cpu0.mem0": 47]))
    }

    static func baseline(host: String = "numa-server", overrides: [String: Double] = [:]) -> BaselineComparison {
        BaselineComparison(
            baseline: Baseline(
                profile: "p", host: host, taken: "2026-11-01T00:00:00Z", conformVersion: "test", environment: [:],
                facts: [:],
                measurements: [
                    "mem.triad.cpu0.mem0": MeasurementStats(samples: [59, 60, 61], unit: .gigabytesPerSecond)
                ]),
            overrides: overrides)
    }

    func testTheBandIsTheComparisonsAndPointsOutsideItAreMarked() throws {
        let (history, tonight) = try history()
        let series = history.series(adding: tonight)
        XCTAssertEqual(series.map(\.measurement), ["mem.triad.cpu0.mem0"])
        XCTAssertEqual(series.first?.values, [60, 59, 48, 47])
        XCTAssertEqual(series.first?.unit, .gigabytesPerSecond)
        let chart = TrendChart(series: try XCTUnwrap(series.first), baseline: Self.baseline())
        // max(5 %, 3 × spread 2/60) = 10 %: 54…, open above (more bandwidth is no regression).
        let band = try XCTUnwrap(chart.band)
        XCTAssertEqual(band.tolerancePercent, 10, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(band.lower), 54, accuracy: 1e-9)
        XCTAssertNil(band.upper)
        XCTAssertEqual(chart.outside, [false, false, true, true])
        let svg = chart.svg
        XCTAssertTrue(svg.contains("class=\"band\""), svg)
        XCTAssertTrue(svg.contains("class=\"baseline\""), svg)
        XCTAssertEqual(svg.components(separatedBy: "class=\"outside\"").count - 1, 2, svg)
        XCTAssertEqual(svg.components(separatedBy: "class=\"point\"").count - 1, 2, svg)
        XCTAssertTrue(svg.contains("baseline 60 GB/s ± 10.0%"), svg)
        XCTAssertTrue(svg.contains(">47 GB/s</text>"), "the latest value labelled: \(svg)")
        XCTAssertTrue(svg.contains("outside the band"))
        XCTAssertFalse(svg.contains("no baseline"))
        XCTAssertEqual(try XMLDocument(xmlString: svg).rootElement()?.name, "svg")
        XCTAssertEqual(chart.svg, svg, "deterministic")
        // The profile's tolerance overrides the spread's: with 25 %, 47 is inside.
        let lenient = TrendChart(series: try XCTUnwrap(series.first), baseline: Self.baseline(overrides: ["mem.*": 25]))
        XCTAssertEqual(lenient.outside, [false, false, false, false])
        XCTAssertEqual(try XCTUnwrap(lenient.band?.lower), 45, accuracy: 1e-9)
    }

    func testTrendMarkdownLinksTheCharts() throws {
        let (history, tonight) = try history()
        let (charts, omitted) = TrendChart.figures(series: history.series(adding: tonight), baseline: Self.baseline())
        XCTAssertEqual(omitted, 0)
        XCTAssertEqual(charts.map(\.fileName), ["trend-numa-server-mem.triad.cpu0.mem0.svg"])
        XCTAssertEqual(charts.map(\.kind), [.trend])
        let trend = history.trend(adding: tonight, charts: charts, omitted: omitted)
        XCTAssertTrue(trend.hasPrefix("# Trend of the last 4 run(s)"), trend)
        XCTAssertTrue(trend.contains("| `numa-server/mem.triad.cpu0.mem0` | 60 | 59 | 48 | 47 |"), trend)
        XCTAssertTrue(
            trend.hasSuffix(
                "\n\n## Charts\n\n"
                    + "![mem.triad.cpu0.mem0 on numa-server, the last 4 run(s), 2 outside the baseline's band]"
                    + "(trend-numa-server-mem.triad.cpu0.mem0.svg)\n"), trend)
        XCTAssertFalse(history.trend(adding: tonight).contains("## Charts"), "no charts, no section")
    }

    func testWithoutABaselineTheLineAloneAndSaysSo() throws {
        let (history, tonight) = try history()
        for baseline in [nil, Self.baseline(host: "another-host")] {
            let (charts, _) = TrendChart.figures(series: history.series(adding: tonight), baseline: baseline)
            let svg = try XCTUnwrap(charts.first?.svg)
            XCTAssertTrue(svg.contains("no baseline"), svg)
            XCTAssertFalse(svg.contains("class=\"band\""), svg)
            XCTAssertFalse(svg.contains("class=\"outside\""), svg)
            XCTAssertEqual(svg.components(separatedBy: "class=\"point\"").count - 1, 4, svg)
            XCTAssertTrue(charts.first?.title.hasSuffix("(no baseline)") ?? false)
        }
    }

    func testOneRunDrawsOnePoint() throws {
        let history = History(directory: try temporaryDirectory(self).path)
        let (charts, _) = TrendChart.figures(
            series: history.series(adding: Self.report(night: 0, ["mem.copy.cpu0.mem0": 12.5])), baseline: nil)
        let svg = try XCTUnwrap(charts.first?.svg)
        XCTAssertEqual(svg.components(separatedBy: "class=\"point\"").count - 1, 1, svg)
        XCTAssertTrue(svg.contains(">12.5 GB/s</text>"), svg)
        XCTAssertEqual(try XMLDocument(xmlString: svg).rootElement()?.name, "svg")
    }

    func testAFleetsChartsAreCappedWithTheOutsideOnesFirstAndANote() throws {
        let (history, _) = try history()
        var measurements: [String: Double] = [:]
        for index in 0..<70 { measurements[String(format: "disk.write.%02d", index)] = Double(index) }
        measurements["mem.triad.cpu0.mem0"] = 47
        let tonight = Self.report(night: 3, measurements)
        let series = history.series(adding: tonight)
        XCTAssertEqual(series.count, 71)
        let (charts, omitted) = TrendChart.figures(series: series, baseline: Self.baseline(), limit: 60)
        XCTAssertEqual(charts.count, 60)
        XCTAssertEqual(omitted, 11)
        XCTAssertTrue(
            charts.contains { $0.fileName == "trend-numa-server-mem.triad.cpu0.mem0.svg" }, "the regression kept")
        XCTAssertEqual(charts.map(\.fileName), charts.map(\.fileName).sorted(), "by name")
        let trend = history.trend(adding: tonight, charts: charts, omitted: omitted)
        XCTAssertTrue(trend.contains("11 more measurement(s) have no chart: only 60 are drawn"), trend)
        XCTAssertEqual(trend.components(separatedBy: "](trend-").count - 1, 60)
    }
}

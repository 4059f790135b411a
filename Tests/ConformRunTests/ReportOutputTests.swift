import ConformCore
import ConformRun
import ConformTestSupport
import Foundation
import XCTest

/// What `ReportDestination.write` adds to every written report: the bandwidth heatmaps and the trend charts,
/// as files beside the reports and linked from them.
final class ReportOutputTests: XCTestCase {
    static let bandwidth = CheckMetadata(
        id: "bench.numa.bandwidth", layer: .bench, title: "local", severity: .major, remediation: "", rationale: "")

    static func report(night: Int, triad: Double) -> RunReport {
        RunReport(
            profile: "p", started: Date(timeIntervalSince1970: 1_795_000_000 + Double(night) * 86_400),
            durationSeconds: 1,
            results: [
                CheckResult(
                    metadata: bandwidth, host: "numa-server",
                    finding: Finding(
                        .pass, subject: "node0", message: "",
                        measurements: [
                            MeasuredValue(name: "mem.triad.cpu0.mem0", value: triad, unit: .gigabytesPerSecond),
                            MeasuredValue(name: "mem.triad.cpu0.mem1", value: triad / 2, unit: .gigabytesPerSecond),
                        ]),
                    durationSeconds: 1)
            ])
    }

    func testEveryWrittenReportHasItsHeatmapAndTrendChartsBesideIt() throws {
        let out = try temporaryDirectory(self)
        let destination = ReportDestination(formats: [.markdown], out: out.path)
        _ = try destination.write(Self.report(night: 0, triad: 60))
        let baseline = BaselineComparison(
            baseline: Baseline(
                profile: "p", host: "numa-server", taken: "2026-11-01T00:00:00Z", conformVersion: "test",
                environment: [:], facts: [:],
                measurements: ["mem.triad.cpu0.mem0": MeasurementStats(samples: [60], unit: .gigabytesPerSecond)]))
        let finished = try destination.write(Self.report(night: 1, triad: 40), baseline: baseline)
        XCTAssertEqual(
            finished.report.figures.map(\.fileName),
            [
                "bandwidth-numa-server.svg", "trend-numa-server-mem.triad.cpu0.mem0.svg",
                "trend-numa-server-mem.triad.cpu0.mem1.svg",
            ])
        for figure in finished.report.figures {
            XCTAssertEqual(
                try String(contentsOf: out.appendingPathComponent(figure.fileName), encoding: .utf8), figure.svg)
        }
        let trend = try String(contentsOf: out.appendingPathComponent("trend.md"), encoding: .utf8)
        XCTAssertTrue(trend.contains("](trend-numa-server-mem.triad.cpu0.mem0.svg)"), trend)
        XCTAssertTrue(trend.contains("](trend-numa-server-mem.triad.cpu0.mem1.svg)"), trend)
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("](bandwidth-numa-server.svg)"), summary)
        XCTAssertFalse(summary.contains("](trend-"), "the trend charts belong to trend.md")
        let regressed = try XCTUnwrap(finished.report.figures.first { $0.fileName.hasSuffix("cpu0.mem0.svg") })
        XCTAssertTrue(regressed.svg.contains("class=\"outside\""), regressed.svg)
        let unbaselined = try XCTUnwrap(finished.report.figures.last)
        XCTAssertTrue(unbaselined.svg.contains("no baseline"), unbaselined.svg)
    }
}

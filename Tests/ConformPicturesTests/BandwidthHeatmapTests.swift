import ConformCore
import ConformTestSupport
import Foundation
import XCTest

@testable import ConformPictures

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class BandwidthHeatmapTests: XCTestCase {
    static let bandwidth = CheckMetadata(
        id: "bench.numa.bandwidth", layer: .bench, title: "local", severity: .major, remediation: "", rationale: "")
    static let remoteRatio = CheckMetadata(
        id: "bench.numa.remote-ratio", layer: .bench, title: "remote", severity: .minor, remediation: "", rationale: "")

    static func gigabytes(_ kernel: String, _ cpu: Int, _ mem: Int, _ value: Double) -> MeasuredValue {
        MeasuredValue(name: "mem.\(kernel).cpu\(cpu).mem\(mem)", value: value, unit: .gigabytesPerSecond)
    }

    /// Two nodes, triad and copy; node 1's local triad is below the design's floor.
    static func results(host: String = "numa-server") -> [CheckResult] {
        let cells: [(Int, Int, Double, Double)] = [
            (0, 0, 61.5, 48.25), (0, 1, 32.0, 25.5), (1, 0, 30.75, 24.0), (1, 1, 40.0, 47.5),
        ]
        func measured(_ cpu: Int, _ mem: Int) -> [MeasuredValue] {
            cells.filter { $0.0 == cpu && $0.1 == mem }.flatMap { cell in
                [
                    gigabytes("triad", cpu, mem, cell.2), gigabytes("copy", cpu, mem, cell.3),
                    MeasuredValue(
                        name: "mem.triad.cpu\(cpu).mem\(mem).off-node", value: 0, unit: .percent, direction: .lower),
                ]
            }
        }
        return [
            CheckResult(
                metadata: bandwidth, host: host,
                finding: Finding(.pass, subject: "node0", message: "triad 61.5", measurements: measured(0, 0)),
                durationSeconds: 1),
            CheckResult(
                metadata: bandwidth, host: host,
                finding: Finding(
                    .fail, subject: "node1", message: "triad 40.0 GB/s is below the designed 55.0 GB/s",
                    measurements: measured(1, 1)),
                durationSeconds: 1),
            CheckResult(
                metadata: remoteRatio, host: host,
                finding: Finding(
                    .pass, subject: "cpu0.mem1", message: "remote/local triad 0.52",
                    measurements: measured(0, 1) + [
                        MeasuredValue(name: "mem.triad.cpu0.mem1.ratio", value: 0.52, unit: .ratio)
                    ]),
                durationSeconds: 1),
            CheckResult(
                metadata: remoteRatio, host: host,
                finding: Finding(
                    .pass, subject: "cpu1.mem0", message: "remote/local triad 0.77",
                    measurements: measured(1, 0) + [
                        MeasuredValue(name: "mem.triad.cpu1.mem0.ratio", value: 0.77, unit: .ratio)
                    ]),
                durationSeconds: 1),
        ]
    }

    func testTheModelHasAGridPerKernelWithRatiosAndTheFailedCell() throws {
        let heatmaps = BandwidthHeatmap.heatmaps(from: Self.results())
        XCTAssertEqual(heatmaps.count, 1)
        let heatmap = try XCTUnwrap(heatmaps.first)
        XCTAssertEqual(heatmap.grids.map(\.kernel), ["copy", "triad"], "STREAM's order")
        let triad = heatmap.grids[1]
        XCTAssertEqual(triad.cpuNodes, [0, 1])
        XCTAssertEqual(triad.memNodes, [0, 1])
        XCTAssertEqual(triad.cell(cpu: 0, mem: 1)?.ratio, 0.52, "the measured ratio")
        XCTAssertEqual(try XCTUnwrap(heatmap.grids[0].cell(cpu: 0, mem: 1)?.ratio), 25.5 / 48.25, accuracy: 1e-9)
        XCTAssertEqual(triad.cells.filter(\.failed).map { [$0.cpuNode, $0.memNode] }, [[1, 1]])
        XCTAssertEqual(heatmap.failures.map(\.cell), ["cpu1.mem1"])
    }

    func testABaselineRegressionMarksItsKernelsCellOnly() throws {
        let regression = CheckResult(
            metadata: Self.bandwidth.with(id: "baseline.mem.copy.cpu0.mem1"), host: "numa-server",
            finding: Finding(.fail, message: "mem.copy.cpu0.mem1 regressed: 30 → 25.5 GB/s"), durationSeconds: 0)
        let heatmap = try XCTUnwrap(BandwidthHeatmap.heatmaps(from: Self.results() + [regression]).first)
        XCTAssertEqual(heatmap.grids[0].cell(cpu: 0, mem: 1)?.failed, true)
        XCTAssertEqual(heatmap.grids[1].cell(cpu: 0, mem: 1)?.failed, false)
        XCTAssertEqual(heatmap.failures.map(\.cell), ["copy cpu0.mem1", "cpu1.mem1"])
    }

    func testEveryValueAndRatioIsWrittenAndTheFailedCellMarked() throws {
        let figures = BandwidthHeatmap.figures(
            from: RunReport(
                profile: "p", started: Date(timeIntervalSince1970: 0), durationSeconds: 1, results: Self.results()))
        XCTAssertEqual(figures.map(\.fileName), ["bandwidth-numa-server.svg"])
        XCTAssertEqual(figures.first?.kind, .bandwidth)
        let svg = try XCTUnwrap(figures.first?.svg)
        for value in ["61.5", "32.0", "30.8", "40.0", "48.2", "25.5", "24.0", "47.5"] {
            XCTAssertTrue(svg.contains(">\(value)</text>"), "\(value) in\n\(svg)")
        }
        XCTAssertTrue(svg.contains("0.52× local"), svg)
        XCTAssertTrue(svg.contains("0.77× local"), svg)
        XCTAssertTrue(svg.contains(">local</text>"), svg)
        XCTAssertTrue(svg.contains(String(format: "%.2f× local", 25.5 / 48.25)), "copy's ratio, computed")
        XCTAssertEqual(svg.components(separatedBy: "class=\"failed\"").count - 1, 2, "cpu1.mem1 in both kernels")
        XCTAssertTrue(svg.contains("url(#conflict)"))
        XCTAssertTrue(svg.contains("✗ check failed"))
        XCTAssertTrue(svg.contains("bench.numa.bandwidth: triad 40.0 GB/s is below the designed 55.0 GB/s"), svg)
        let document = try XMLDocument(xmlString: svg)
        XCTAssertEqual(document.rootElement()?.name, "svg")
    }

    func testTheSameResultsDrawTheSameBytes() {
        let report = RunReport(
            profile: "p", started: Date(timeIntervalSince1970: 0), durationSeconds: 1, results: Self.results())
        let shuffled = RunReport(
            profile: "p", started: Date(timeIntervalSince1970: 0), durationSeconds: 1,
            results: Self.results().reversed())
        XCTAssertEqual(BandwidthHeatmap.figures(from: report), BandwidthHeatmap.figures(from: report))
        XCTAssertEqual(BandwidthHeatmap.figures(from: report), BandwidthHeatmap.figures(from: shuffled))
    }

    func testOneFigurePerHostAndNoneWithoutMeasurements() {
        XCTAssertEqual(
            BandwidthHeatmap.heatmaps(from: Self.results(host: "b") + Self.results(host: "a")).map(\.host), ["b", "a"])
        let disk = CheckResult(
            metadata: Self.bandwidth.with(id: "bench.disk.write"), host: "h",
            finding: Finding(
                .pass, subject: "/srv", message: "",
                measurements: [MeasuredValue(name: "disk.write", value: 900, unit: .megabytesPerSecond)]),
            durationSeconds: 0)
        XCTAssertEqual(
            BandwidthHeatmap.figures(
                from: RunReport(profile: "p", started: Date(), durationSeconds: 0, results: [disk])), [])
        XCTAssertEqual(BandwidthHeatmap.heatmaps(from: []), [])
    }

    func testTextContrastsWithItsCell() {
        for step in 0...10 {
            let fill = Ramp.colour(Double(step) / 10)
            let text = Ramp.textColour(on: fill)
            let (a, b) = (Ramp.luminance(fill), Ramp.luminance(text))
            XCTAssertGreaterThanOrEqual((max(a, b) + 0.05) / (min(a, b) + 0.05), 4.5, "\(text) on \(fill)")
        }
        XCTAssertEqual(Ramp.colour(0), "#f7fbff")
        XCTAssertEqual(Ramp.colour(1), "#08306b")
    }

    func testXmllintAcceptsTheHeatmapAndATrendChart() throws {
        let directory = try temporaryDirectory(self)
        let heatmap = try XCTUnwrap(BandwidthHeatmap.heatmaps(from: Self.results()).first)
        let chart = TrendChart(
            series: TrendSeries(host: "h", measurement: "m & n", started: ["a", "b"], values: [1, nil]), baseline: nil)
        for (name, svg) in [("heatmap.svg", heatmap.svg), ("trend.svg", chart.svg)] {
            let path = try writeFile(directory, name, svg)
            let outcome = try runCommand("/usr/bin/xmllint", ["--noout", path], within: 60)
            XCTAssertEqual(outcome.status, 0, "\(name): \(outcome.stderr)")
        }
    }
}

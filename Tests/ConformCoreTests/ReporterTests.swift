import ConformCore
import ConformTestSupport
import Foundation
import XCTest

final class ReporterTests: XCTestCase {
    /// A report with every status, a subject, a measurement and text that needs escaping.
    let report: RunReport = {
        var measured = Sample.result("host.topology.memory", .pass, subject: "node0")
        measured.measurements = [MeasuredValue(name: "host.node0.memory", value: 125.7, unit: .gibibytes)]
        var tricky = Sample.result("host.thp.enabled", .fail)
        tricky.message = "THP is <madvise> & \"quoted\" | piped\nsecond line"
        let results = [
            Sample.result("host.topology.nodes", .pass), measured, tricky, Sample.result("host.governor", .skip),
            Sample.result("host.numa_balancing", .warn), Sample.result("host.thp.defrag", .error),
            Sample.result("host.cpu.model", .waived, host: "k3s-slm-worker-1"),
            CheckResult(
                metadata: Sample.metadata("hv.vcpupin.expected", layer: .hypervisor), host: "numa-server",
                finding: Finding(.fail, subject: "k3s-slm-worker-1", message: "vCPU 3 pinned to 5"), durationSeconds: 0),
        ]
        return RunReport(
            profile: "mac-numa", started: Date(timeIntervalSince1970: 1_795_000_000), durationSeconds: 0.25,
            results: results)
    }()

    func testResultsJSONFollowsTheContract() throws {
        let text = try JSONReporter().render(report)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(
            Set(document.keys),
            [
                "schema", "profile", "started", "duration_s", "results", "summary", "strict",
                "warnings_counted_as_failures", "exit_code",
            ])
        XCTAssertEqual(document["schema"] as? String, "conform.results/v1")
        XCTAssertEqual(document["started"] as? String, "2026-11-18T11:06:40Z")
        let results = try XCTUnwrap(document["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 8)
        let contractKeys: Set<String> = [
            "id", "layer", "host", "subject", "status", "severity", "expected", "observed", "message", "remediation",
            "duration_s", "measurements",
        ]
        for result in results { XCTAssertEqual(Set(result.keys), contractKeys) }
        XCTAssertTrue(results[0]["subject"] is NSNull, "a result without subject has \"subject\": null")
        XCTAssertEqual(results[1]["subject"] as? String, "node0")
        let measurement = try XCTUnwrap((results[1]["measurements"] as? [[String: Any]])?.first)
        XCTAssertEqual(measurement["name"] as? String, "host.node0.memory")
        XCTAssertEqual(measurement["unit"] as? String, "GiB")
        XCTAssertEqual(
            document["summary"] as? [String: Int],
            ["pass": 2, "warn": 1, "fail": 2, "error": 1, "skip": 1, "waived": 1])
    }

    func testJUnitValidatesAgainstTheSchema() throws {
        let directory = try temporaryDirectory(self)
        let file = try writeFile(directory, "junit.xml", JUnitReporter().render(report))
        let schema = repositoryRoot.appendingPathComponent("fixtures/schemas/junit.xsd").path
        let (status, output) = try runTool("xmllint", ["--noout", "--schema", schema, file])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("validates"), output)
    }

    func testJUnitParsesWithJunitparserAndMapsStatuses() throws {
        let directory = try temporaryDirectory(self)
        let file = try writeFile(directory, "junit.xml", JUnitReporter().render(report))
        let script = """
            import sys
            from junitparser import JUnitXml, Failure, Error, Skipped
            xml = JUnitXml.fromfile(sys.argv[1])
            for suite in xml:
                for case in suite:
                    kinds = [type(r).__name__ for r in case.result]
                    print(suite.name, case.name, ",".join(kinds) or "passed")
            """
        let (status, output) = try runTool("python3", ["-c", script, file])
        XCTAssertEqual(status, 0, output)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines,
            [
                "numa-server.host host.topology.nodes passed",
                "numa-server.host host.topology.memory[node0] passed",
                "numa-server.host host.thp.enabled Failure",
                "numa-server.host host.governor Skipped",
                "numa-server.host host.numa_balancing passed",
                "numa-server.host host.thp.defrag Error",
                "numa-server.hypervisor hv.vcpupin.expected[k3s-slm-worker-1] Failure",
                "k3s-slm-worker-1.host host.cpu.model Skipped",
            ])
    }

    func testJUnitCarriesExpectedObservedAndMeasurementsAsProperties() {
        let xml = JUnitReporter().render(report)
        XCTAssertTrue(
            xml.contains(
                #"<property name="host.topology.memory[node0].host.node0.memory" value="125.7 GiB"></property>"#), xml)
        XCTAssertTrue(xml.contains(#"<property name="host.thp.enabled.expected" value="e"></property>"#))
        XCTAssertTrue(xml.contains("&lt;madvise&gt; &amp;"), "text is escaped")
    }

    func testMarkdownTablesHaveEvenRowsAndFailuresComeFirst() {
        let markdown = MarkdownReporter().render(report)
        var columns: Int?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                columns = nil
                continue
            }
            // Unescaped pipes separate cells; every row of a table has as many as its header.
            let cells = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            if let columns { XCTAssertEqual(cells, columns, "uneven row: \(line)") } else { columns = cells }
        }
        let section = markdown.components(separatedBy: "## numa-server — host")[1]
        let failure = section.range(of: "**FAIL** `host.thp.enabled`")
        let error = section.range(of: "**ERROR** `host.thp.defrag`")
        XCTAssertNotNil(failure)
        XCTAssertLessThan(try XCTUnwrap(failure).lowerBound, try XCTUnwrap(error).lowerBound)
        XCTAssertTrue(section.contains("remediation: fix host.thp.enabled"))
        XCTAssertTrue(markdown.contains("**2 passed, 2 failed, 1 warnings, 1 errors, 1 skipped, 1 waived**"))
    }

    func testConsoleColoursOnlyWhenAsked() {
        let plain = ConsoleReporter(colour: false).render(report)
        XCTAssertFalse(plain.contains("\u{1B}["))
        XCTAssertTrue(plain.hasSuffix("2 passed, 2 failed, 1 warnings, 1 errors, 1 skipped, 1 waived\n"))
        XCTAssertTrue(plain.contains("FAIL   numa-server  host.thp.enabled"))
        XCTAssertTrue(ConsoleReporter(colour: true).render(report).contains("\u{1B}[31;1mFAIL"))
    }

    func testTimestampedReportsAreMovedIntoPlaceWithALatestLink() throws {
        let root = try temporaryDirectory(self)
        let writer = ReportWriter(formats: ReportFormat.allCases)
        let first = try writer.writeTimestamped(report, root: root.path)
        let second = try writer.writeTimestamped(report, root: root.path)
        XCTAssertTrue(first.hasSuffix("mac-numa/2026-11-18T11-06-40Z"), first)
        XCTAssertTrue(second.hasSuffix("mac-numa/2026-11-18T11-06-40Z-2"), "same second, new directory: \(second)")
        let profileDirectory = root.appendingPathComponent("mac-numa").path
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: first).sorted(),
            ["junit.xml", "metrics.prom", "report.html", "results.json", "summary.md"])
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: profileDirectory + "/latest"),
            "2026-11-18T11-06-40Z-2")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: profileDirectory).filter {
            $0.hasPrefix(".")
        }
        XCTAssertEqual(leftovers, [], "no temporary files remain")
    }

    func testAFailedWriteLeavesNothingHalfWritten() throws {
        let root = try temporaryDirectory(self)
        // The final directory's name is taken by a file that cannot be replaced by a directory.
        try writeFile(root, "mac-numa/2026-11-18T11-06-40Z/junit.xml/blocker", "x")
        let out = root.appendingPathComponent("mac-numa/2026-11-18T11-06-40Z").path
        XCTAssertThrowsError(try ReportWriter(formats: [.junit]).write(report, into: out))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: out), ["junit.xml"], "no temporary file is left")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out + "/junit.xml"), ["blocker"])
    }
}

/// Runs a command-line tool found on PATH and returns its exit status and combined output.
func runTool(_ tool: String, _ arguments: [String]) throws -> (Int32, String) {
    let outcome = try runCommand(tool, arguments, within: 120)
    return (outcome.status, outcome.stdout + outcome.stderr)
}

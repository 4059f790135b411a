import ConformCore
import ConformTestSupport
import Foundation
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class HTMLReporterTests: XCTestCase {
    static let pinMapSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">\
        <rect x="0" y="0" width="100" height="100" fill="#4477aa"/><text x="10" y="50">node 0 &amp; 1</text></svg>
        """

    /// Passes listed before the failures they must follow, and text that needs escaping.
    let report: RunReport = {
        func result(_ id: String, _ status: Status, layer: Layer = .host, host: String = "numa-server") -> CheckResult {
            CheckResult(
                metadata: Sample.metadata(id, layer: layer), host: host,
                finding: Finding(
                    status, expected: "expected-\(id)", observed: "observed-\(id)", message: "\(id) is \(status)"),
                durationSeconds: 0.001)
        }
        var tricky = result("host.thp.enabled", .fail)
        tricky.message = "THP is <madvise> & \"quoted\"\nsecond line"
        let results = [
            result("host.topology.nodes", .pass), result("host.governor", .skip), tricky,
            result("host.numa_balancing", .warn), result("host.thp.defrag", .error),
            result("host.cpu.model", .waived, host: "k3s-slm-worker-1"),
            result("hv.vcpupin.expected", .pass, layer: .hypervisor),
            result("hv.memory.strict", .fail, layer: .hypervisor),
        ]
        let figures = [
            Figure(kind: .pinMap, host: "numa-server", title: "vCPU pins of numa-server", svg: pinMapSVG),
            Figure(kind: .nodeMemory, host: "numa-server", title: "A broken picture", svg: "<svg><rect></svg>"),
            Figure(kind: .trend, host: nil, title: "Bandwidth over the last runs", name: "bandwidth", svg: pinMapSVG),
        ]
        return RunReport(
            profile: "mac-numa", started: Date(timeIntervalSince1970: 1_795_000_000), durationSeconds: 0.25,
            results: results, strict: true, figures: figures)
    }()

    func page() throws -> (text: String, document: XMLDocument) {
        let text = HTMLReporter().render(report)
        XCTAssertTrue(text.hasPrefix("<!DOCTYPE html>\n"))
        let document = try XMLDocument(xmlString: String(text.dropFirst("<!DOCTYPE html>\n".count)))
        return (text, document)
    }

    func testThePageIsWellFormedAndSelfContained() throws {
        let (text, document) = try page()
        XCTAssertEqual(document.rootElement()?.name, "html")
        XCTAssertTrue(text.contains(#"<meta charset="utf-8"/>"#), "the only empty-closed element")
        let empties = try document.nodes(forXPath: "//*[not(node())]").compactMap { $0 as? XMLElement }
            .filter { $0.localName != "meta" && $0.uri != "http://www.w3.org/2000/svg" }
        for element in empties {
            XCTAssertFalse(
                text.contains("<\(element.name ?? "")/>"), "an HTML parser reads <\(element.name ?? "")/> as open")
        }
        for attribute in ["src", "href"] {
            XCTAssertEqual(try document.nodes(forXPath: "//@\(attribute)").count, 0, "no external \(attribute)")
        }
        XCTAssertEqual(try document.nodes(forXPath: "//script").count, 0)
        XCTAssertTrue(text.contains("THP is &lt;madvise&gt; &amp;"), "text is escaped")
        XCTAssertEqual(try document.nodes(forXPath: "//head/title").first?.stringValue, "conform — mac-numa")
    }

    func testTheSummaryHasTheVerdictAndThePerHostCounts() throws {
        let (_, document) = try page()
        let verdict = try XCTUnwrap(try document.nodes(forXPath: "//*[@id='verdict']").first?.stringValue)
        XCTAssertTrue(verdict.hasPrefix("FAILED (exit 1): "), verdict)
        XCTAssertTrue(verdict.hasSuffix(report.verdictLine), verdict)
        XCTAssertTrue(verdict.contains("--strict: 1 warning(s) counted as failures"), verdict)
        let rows = try document.nodes(forXPath: "//table[@class='counts']/tr").map { row in
            (row.children ?? []).map { $0.stringValue ?? "" }
        }
        XCTAssertEqual(
            rows,
            [
                ["Host", "Layer", "PASS", "WARN", "FAIL", "ERROR", "SKIP", "WAIVED"],
                ["numa-server", "host", "1", "1", "1", "1", "1", "0"],
                ["numa-server", "hypervisor", "1", "0", "1", "0", "0", "0"],
                ["k3s-slm-worker-1", "host", "0", "0", "0", "0", "0", "1"],
                ["all", "", "2", "1", "2", "1", "1", "1"],
            ])
    }

    func testFailuresComeFirstWithExpectedObservedAndRemediation() throws {
        let (_, document) = try page()
        let groups = try document.nodes(forXPath: "//section[@class='group']")
        XCTAssertEqual(
            groups.map { $0.children?.first?.stringValue },
            [
                "numa-server — host", "numa-server — hypervisor", "k3s-slm-worker-1 — host",
            ])
        let rows = try groups[0].nodes(forXPath: ".//tr[@class]").compactMap { $0 as? XMLElement }
        XCTAssertEqual(
            rows.map { $0.attribute(forName: "class")?.stringValue },
            ["status-fail", "status-error", "status-warn", "status-skip", "status-pass"])
        let cells = (rows[0].children ?? []).map { $0.stringValue ?? "" }
        XCTAssertEqual(
            cells,
            [
                "FAIL", "host.thp.enabled", "major", "expected-host.thp.enabled", "observed-host.thp.enabled",
                "THP is <madvise> & \"quoted\"\nsecond line", "fix host.thp.enabled",
            ])
        XCTAssertEqual(rows[2].children?.first?.stringValue, "WARN (counted as a failure: --strict)")
    }

    func testManyPassesAreFoldedIntoDetails() throws {
        let passes = (0..<12).map { Sample.result("host.check\($0)", .pass) }
        let page = HTMLReporter().render(
            RunReport(profile: "p", started: Date(), durationSeconds: 0, results: [Sample.result("x", .fail)] + passes))
        let document = try XMLDocument(xmlString: String(page.dropFirst("<!DOCTYPE html>\n".count)))
        XCTAssertEqual(try document.nodes(forXPath: "//details/summary").first?.stringValue, "12 passed")
        XCTAssertEqual(try document.nodes(forXPath: "//details//tr[@class='status-pass']").count, 12)
        XCTAssertEqual(try document.nodes(forXPath: "//tr[@class='status-fail']/ancestor::details").count, 0)
    }

    func testPicturesAreInlinedAsSVGAndABrokenOneLeavesANote() throws {
        let (_, document) = try page()
        let figures = try document.nodes(forXPath: "//figure").compactMap { $0 as? XMLElement }
        XCTAssertEqual(
            figures.map { $0.attribute(forName: "id")?.stringValue },
            ["figure-pinmap-numa-server", "figure-memory-numa-server", "figure-trend-bandwidth"])
        let pinMap = figures[0]
        XCTAssertEqual(pinMap.attribute(forName: "class")?.stringValue, "figure pinmap")
        let svg = try XCTUnwrap(pinMap.children?.first as? XMLElement)
        XCTAssertEqual(svg.localName, "svg")
        XCTAssertEqual(svg.uri, "http://www.w3.org/2000/svg")
        XCTAssertEqual((svg.children?.first as? XMLElement)?.localName, "rect")
        XCTAssertEqual(svg.stringValue, "node 0 & 1")
        XCTAssertEqual(pinMap.children?.last?.name, "figcaption")
        XCTAssertEqual(pinMap.children?.last?.stringValue, "vCPU pins of numa-server")

        let broken = figures[1]
        XCTAssertEqual(try broken.nodes(forXPath: ".//*[local-name()='svg']").count, 0)
        let note = try XCTUnwrap(broken.children?.first as? XMLElement)
        XCTAssertEqual(note.attribute(forName: "class")?.stringValue, "figure-note")
        XCTAssertTrue(note.stringValue?.contains("memory-numa-server.svg") ?? false, note.stringValue ?? "")

        let trends = try document.nodes(forXPath: "//section[@id='trends']//figure")
        XCTAssertEqual(trends.count, 1, "the trend has its own section")
        XCTAssertEqual(try document.nodes(forXPath: "//section[@id='pictures']//figure").count, 2)
    }

    /// In a real browser: the page is drawn, logs nothing, and the pin map is inside the first screen; and the check
    /// says so when a tall picture before it pushes it below.
    func testInABrowserThePinMapIsInsideTheVisiblePageAndACheckSeesWhenItIsNot() throws {
        guard let browser = HeadlessBrowser(repository: repositoryRoot) else {
            throw XCTSkip("chromium is not installed (run 'make setup')")
        }
        let work = try temporaryDirectory(self)
        let page = try writeFile(work, "report.html", HTMLReporter().render(report))
        let screenshot = work.appendingPathComponent("report.png")
        XCTAssertEqual(try browser.problems(with: URL(fileURLWithPath: page), screenshot: screenshot, work: work), [])

        let tall = """
            <svg xmlns="http://www.w3.org/2000/svg" width="600" height="2400"><rect width="600" height="2400"             fill="#ccddaa"/></svg>
            """
        var pushed = report
        pushed.figures.insert(Figure(kind: .nodeMemory, host: "numa-server", title: "Tall", svg: tall), at: 0)
        let below = try temporaryDirectory(self)
        let pushedPage = try writeFile(below, "report.html", HTMLReporter().render(pushed))
        let problems = try browser.problems(
            with: URL(fileURLWithPath: pushedPage), screenshot: below.appendingPathComponent("report.png"), work: below)
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.first?.contains("is outside the visible page") ?? false, "\(problems)")
    }

    func testTheSameReportIsTheSameBytes() {
        XCTAssertEqual(HTMLReporter().render(report), HTMLReporter().render(report))
    }
}

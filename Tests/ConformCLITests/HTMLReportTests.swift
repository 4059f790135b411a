import ConformTestSupport
import Foundation
import XCTest

/// `report.html` as a person opens it: in a real browser (Debian's `chromium`, headless), the page draws something,
/// logs nothing to the console, and shows the pin map inside the first screen (see `HeadlessBrowser`).
final class HTMLReportTests: XCTestCase, ConformBinary {
    func testTheLintReportOpensInABrowser() throws {
        let browser = try chromium()
        let out = try temporaryDirectory()
        let lint = try conform(["lint", "--profile", "mac-numa", "--format", "html", "--out", out.path])
        XCTAssertEqual(lint.status, 1, "mac-numa's design has defects of its own: " + lint.stderr)
        let screenshot = out.appendingPathComponent("report.png")
        XCTAssertEqual(
            try browser.problems(with: out.appendingPathComponent("report.html"), screenshot: screenshot, work: out),
            [])
    }

    func testTheRunReportOpensInABrowser() throws {
        let browser = try chromium()
        let out = try temporaryDirectory()
        let fixture = repositoryRoot.appendingPathComponent("fixtures/mac-numa").path
        let run = try conform(
            ["run", "--profile", "mac-numa", "--fixture", fixture, "--format", "html", "--out", out.path])
        XCTAssertEqual(run.status, 1, "mac-numa's design has defects of its own: " + run.stderr)
        let screenshot = out.appendingPathComponent("report.png")
        XCTAssertEqual(
            try browser.problems(with: out.appendingPathComponent("report.html"), screenshot: screenshot, work: out),
            [])
    }

    func chromium() throws -> HeadlessBrowser {
        guard let browser = HeadlessBrowser(repository: repositoryRoot) else {
            throw XCTSkip("chromium is not installed (run 'make setup')")
        }
        return browser
    }
}

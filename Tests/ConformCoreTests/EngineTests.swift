import ConformCore
import ConformTestSupport
import Foundation
import XCTest

/// Builders for hand-made checks and results.
enum Sample {
    static func metadata(_ id: String, layer: Layer = .host, severity: Severity = .major) -> CheckMetadata {
        CheckMetadata(
            id: id, layer: layer, title: "title of \(id)", severity: severity, remediation: "fix \(id)",
            rationale: "why \(id)")
    }

    static func result(_ id: String, _ status: Status, host: String = "numa-server", subject: String? = nil)
        -> CheckResult
    {
        CheckResult(
            metadata: metadata(id), host: host,
            finding: Finding(
                status, subject: subject, expected: "e", observed: "o", message: "\(id) is \(status.rawValue)"),
            durationSeconds: 0.001)
    }
}

final class SelectionTests: XCTestCase {
    func testOnlySkipAndLayers() {
        let thp = Sample.metadata("host.thp.enabled")
        let governor = Sample.metadata("host.governor")
        let pin = Sample.metadata("hv.vcpupin.expected", layer: .hypervisor)
        XCTAssertTrue(Selection.everything.includes(thp))
        XCTAssertTrue(Selection(only: ["host.thp.*"]).includes(thp))
        XCTAssertFalse(Selection(only: ["host.thp.*"]).includes(governor))
        XCTAssertFalse(Selection(skip: ["host.thp.*"]).includes(thp))
        XCTAssertTrue(Selection(only: ["host.*"], skip: ["host.thp.*"]).includes(governor))
        XCTAssertFalse(Selection(layers: [.host]).includes(pin))
        XCTAssertTrue(Selection(layers: [.hypervisor]).includes(pin))
        XCTAssertFalse(Selection(layers: [.hypervisor]).includes(layer: .host))
    }

    /// Result names as reports print them select results; brackets are literal, not character classes.
    func testGlobsMatchResultNamesWithLiteralBrackets() {
        let exclusive = Sample.metadata("hv.vcpupin.exclusive", layer: .hypervisor)
        XCTAssertTrue(Selection(only: ["hv.vcpupin.exclusive[vm-a]"]).includes(exclusive), "may select a result")
        XCTAssertTrue(Selection(only: ["hv.vcpupin*"]).includes(exclusive))
        XCTAssertFalse(Selection(only: ["hv.vcpupin.single[vm-a]"]).includes(exclusive))
        XCTAssertTrue(Selection(skip: ["*[vm-a]"]).includes(exclusive), "a subject glob leaves the check in")
        XCTAssertTrue(Glob.matches("[", "["), "'[' is no class opener")
        XCTAssertTrue(Glob.matches("a[b]", "a[b]"))
        XCTAssertFalse(Glob.matches("a[bc]", "ab"), "a class would have matched")
    }
}

final class RunnerTests: XCTestCase {
    func testResultsComeInPlanOrderWhateverFinishesFirst() {
        let slow = Check(Sample.metadata("a.slow")) {
            Thread.sleep(forTimeInterval: 0.2)
            return [Finding(.pass, subject: "s1", message: "slow 1"), Finding(.fail, subject: "s2", message: "slow 2")]
        }
        let fast = Check(Sample.metadata("b.fast")) { [Finding(.pass, message: "fast")] }
        let results = Runner().run([HostPlan(host: "h1", checks: [slow, fast]), HostPlan(host: "h2", checks: [fast])])
        XCTAssertEqual(
            results.map { "\($0.host) \($0.qualifiedName) \($0.status.rawValue)" },
            [
                "h1 a.slow[s1] pass", "h1 a.slow[s2] fail", "h1 b.fast pass", "h2 b.fast pass",
            ])
        XCTAssertEqual(results[0].remediation, "fix a.slow")
        XCTAssertEqual(results[0].severity, .major)
        // A selection by result name keeps only that result of the check.
        let selected = Runner().run(
            [HostPlan(host: "h1", checks: [slow, fast])], selection: Selection(only: ["a.slow[s2]"]))
        XCTAssertEqual(selected.map(\.qualifiedName), ["a.slow[s2]"])
        let skipped = Runner().run([HostPlan(host: "h1", checks: [slow])], selection: Selection(skip: ["*[s1]"]))
        XCTAssertEqual(skipped.map(\.qualifiedName), ["a.slow[s2]"])
    }

    func testACheckPastItsTimeLimitIsAnError() {
        let stuck = Check(Sample.metadata("a.stuck")) {
            Thread.sleep(forTimeInterval: 1)
            return [Finding(.pass, message: "too late")]
        }
        let results = Runner(checkTimeout: 0.2).run([HostPlan(host: "h", checks: [stuck])])
        XCTAssertEqual(results.map(\.status), [.error])
        XCTAssertEqual(results.first?.message, "the check did not finish within 0.2 s")
    }

    func testIndependentChecksRunConcurrently() {
        // The first check waits for the second one to start: run one after the other, it would time out.
        let started = DispatchSemaphore(value: 0)
        let waiter = Check(Sample.metadata("a.waits")) {
            [Finding(started.wait(timeout: .now() + 5) == .success ? .pass : .fail, message: "saw the other check")]
        }
        let signaller = Check(Sample.metadata("b.signals")) {
            started.signal()
            return [Finding(.pass, message: "signalled")]
        }
        let results = Runner(checkTimeout: 10).run([HostPlan(host: "h", checks: [waiter, signaller])])
        XCTAssertEqual(results.map(\.status), [.pass, .pass])
    }
}

final class WaiverTests: XCTestCase {
    func testLoadAndApply() throws {
        let directory = try temporaryDirectory(self)
        let file = try writeFile(
            directory, "waivers.yaml",
            """
            waivers:
              - id: host.governor
                host: k3s-*
                reason: cpufreq missing on guests, OPS-12
                expires: 2026-12-31
              - id: host.thp.*
                reason: vendor kernel pins THP to madvise
                expires: 2026-01-31
            """)
        let list = try WaiverList.load(file: file)
        XCTAssertEqual(list.waivers.map(\.host), ["k3s-*", "*"])
        let results = [
            Sample.result("host.governor", .fail, host: "k3s-worker-1"),
            Sample.result("host.governor", .fail, host: "numa-server"),
            Sample.result("host.governor", .pass, host: "k3s-worker-2"),
            Sample.result("host.thp.enabled", .fail),
        ]
        let applied = list.apply(to: results, today: "2026-11-23")
        XCTAssertEqual(applied.map(\.status), [.waived, .fail, .pass, .fail, .fail])
        XCTAssertTrue(
            applied[0].message.hasPrefix("waived until 2026-12-31 (cpufreq missing on guests, OPS-12); was fail:"))
        // The expired waiver waives nothing and is itself a failure naming where it was written.
        let expired = applied[4]
        XCTAssertEqual(expired.id, "waiver.expired")
        XCTAssertEqual(expired.layer, .waiver)
        XCTAssertEqual(expired.subject, "host.thp.*")
        XCTAssertTrue(expired.message.contains("expired on 2026-01-31 (\(file):6)"), expired.message)
    }

    /// A waiver whose globs match nothing (a typo) waives nothing and says so as a warning.
    func testAWaiverThatMatchesNothingIsAWarning() throws {
        let list = WaiverList([
            Waiver(id: "host.governer", reason: "typo", expires: "2099-01-01", location: "w.yaml:2"),
            Waiver(id: "host.governor", reason: "r", expires: "2099-01-01"),
        ])
        let applied = list.apply(to: [Sample.result("host.governor", .fail)], today: "2026-11-23")
        XCTAssertEqual(applied.map(\.status), [.waived, .warn])
        let unused = try XCTUnwrap(applied.last)
        XCTAssertEqual(unused.id, "waiver.unused")
        XCTAssertEqual(unused.subject, "host.governer")
        XCTAssertTrue(unused.message.contains("(w.yaml:2) matches no result"), unused.message)
    }

    func testAWaiverHoldsThroughItsExpiryDay() {
        let list = WaiverList([Waiver(id: "host.governor", reason: "r", expires: "2026-11-23")])
        XCTAssertEqual(
            list.apply(to: [Sample.result("host.governor", .warn)], today: "2026-11-23").map(\.status), [.waived])
        XCTAssertEqual(
            list.apply(to: [Sample.result("host.governor", .warn)], today: "2026-11-24").map(\.status), [.warn, .fail])
    }

    func testSubjectGlob() {
        let list = WaiverList([Waiver(id: "hv.*", subject: "k3s-minio-*", reason: "flexible VM", expires: "2099-01-01")]
        )
        let results = [
            Sample.result("hv.vcpupin.exclusive", .fail, subject: "k3s-minio-storage"),
            Sample.result("hv.vcpupin.exclusive", .fail, subject: "k3s-slm-worker-1"),
        ]
        XCTAssertEqual(list.apply(to: results, today: "2026-11-23").map(\.status), [.waived, .fail])
    }

    func testBadWaiverFilesAreInputErrors() throws {
        let directory = try temporaryDirectory(self)
        let badDate = try writeFile(
            directory, "a.yaml", "waivers:\n  - id: x\n    reason: r\n    expires: 31/12/2026\n")
        XCTAssertThrowsError(try WaiverList.load(file: badDate)) { error in
            XCTAssertEqual((error as? InputError)?.line, 4)
            XCTAssertTrue("\(error)".contains("'31/12/2026' is not a date written as YYYY-MM-DD"), "\(error)")
        }
        let noReason = try writeFile(directory, "b.yaml", "waivers:\n  - id: x\n    expires: 2026-12-31\n")
        XCTAssertThrowsError(try WaiverList.load(file: noReason)) { error in
            XCTAssertEqual((error as? InputError)?.field, "waivers[0].reason")
        }
        let unknown = try writeFile(
            directory, "c.yaml", "waivers:\n  - id: x\n    reason: r\n    expires: 2026-12-31\n    until: never\n")
        XCTAssertThrowsError(try WaiverList.load(file: unknown)) { error in
            XCTAssertEqual((error as? InputError)?.field, "waivers[0].until")
        }
    }
}

final class RunReportTests: XCTestCase {
    func report(_ statuses: [Status], strict: Bool = false) -> RunReport {
        RunReport(
            profile: "p", started: Date(), durationSeconds: 0.1,
            results: statuses.enumerated().map { Sample.result("c.\($0.offset)", $0.element) }, strict: strict)
    }

    func testExitCodes() {
        XCTAssertEqual(report([.pass, .skip, .waived]).exitCode, 0)
        // Every result skipped: nothing applied, nothing was checked, and that is no pass.
        XCTAssertEqual(report([.skip, .skip]).exitCode, 3)
        XCTAssertTrue(report([.skip]).verdictLine.hasSuffix("(nothing was checked: every result was skipped)"))
        XCTAssertEqual(report([.skip, .waived]).exitCode, 0)
        XCTAssertEqual(report([.pass, .warn]).exitCode, 0)
        XCTAssertEqual(report([.pass, .warn], strict: true).exitCode, 1)
        XCTAssertEqual(report([.error, .fail]).exitCode, 1)
        XCTAssertEqual(report([.pass, .error]).exitCode, 3)
    }

    /// A strict run that exits 1 on warnings says so in every report, not "0 failed" alone.
    func testStrictShowsInEveryReport() throws {
        let strict = report([.pass, .warn, .warn], strict: true)
        XCTAssertEqual(
            strict.verdictLine,
            "1 passed, 0 failed, 2 warnings, 0 errors, 0 skipped, 0 waived (--strict: 2 warning(s) counted as failures)"
        )
        XCTAssertTrue(ConsoleReporter(colour: false).render(strict).contains("counted as failures"))
        XCTAssertTrue(MarkdownReporter().render(strict).contains("--strict: 2 warning(s) counted as failures"))
        let json = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(try JSONReporter().render(strict).utf8)) as? [String: Any])
        XCTAssertEqual(json["strict"] as? Bool, true)
        XCTAssertEqual(json["warnings_counted_as_failures"] as? Int, 2)
        XCTAssertEqual(json["exit_code"] as? Int, 1)
        let junit = JUnitReporter().render(strict)
        XCTAssertTrue(junit.contains(#"failures="2""#), junit)
        XCTAssertTrue(junit.contains("warning counted as a failure (--strict)"), junit)
        XCTAssertFalse(JUnitReporter().render(report([.pass, .warn])).contains("--strict"))
    }

    func testSummaryLine() {
        XCTAssertEqual(
            report([.pass, .pass, .fail, .warn, .error, .skip, .waived]).summary.line,
            "2 passed, 1 failed, 1 warnings, 1 errors, 1 skipped, 1 waived")
    }
}

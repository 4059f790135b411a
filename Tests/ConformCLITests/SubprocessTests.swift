import ConformTestSupport
import Foundation
import XCTest

/// The child-process helper every end-to-end test relies on: exit codes, signals, and above all that a stuck
/// command ends the test instead of the suite.
final class SubprocessTests: XCTestCase {
    func testExitCodesOutputAndSignals() throws {
        let outcome = try runCommand("sh", ["-c", "echo out; echo err >&2; exit 7"], within: 30)
        XCTAssertEqual(outcome.status, 7)
        XCTAssertEqual(outcome.stdout, "out\n")
        XCTAssertEqual(outcome.stderr, "err\n")

        let sleeper = try Subprocess("sleep", ["60"])
        sleeper.send(SIGTERM)
        XCTAssertEqual(try sleeper.finish(within: 30).status, 128 + SIGTERM)
    }

    func testACommandPastItsLimitIsKilledWithWhatItPrinted() throws {
        let started = Date()
        XCTAssertThrowsError(try runCommand("sh", ["-c", "echo begun; sleep 60"], within: 1)) { error in
            let timedOut = error as? SubprocessTimedOut
            XCTAssertEqual(timedOut?.stdout, "begun\n")
            XCTAssertTrue(
                timedOut?.description.hasPrefix("sh -c echo begun; sleep 60 did not end within 1.0 s") ?? false)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "killed at its limit, not waited for")
    }

    func testABackgroundChildHoldingThePipeDoesNotHoldTheTest() throws {
        let started = Date()
        // The shell ends at once; the sleep it left behind keeps stdout open.
        let outcome = try runCommand("sh", ["-c", "sleep 60 & echo done"], within: 50)
        XCTAssertEqual(outcome.status, 0)
        XCTAssertEqual(outcome.stdout, "done\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
    }

    func testStopEndsTheWholeProcessGroup() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("subprocess-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: marker) }
        let child = try Subprocess("sh", ["-c", "sleep 60 & echo $! > \(marker.path); wait"], output: .discard)
        var grandchild: pid_t = 0
        for _ in 0..<200 where grandchild == 0 {
            grandchild =
                pid_t(
                    (try? String(contentsOf: marker, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                        ?? "") ?? 0
            if grandchild == 0 { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertNotEqual(grandchild, 0, "the shell started its sleep")
        child.stop()
        // The sleep is not our child; once killed it lingers only until its parent (gone) is replaced by init.
        var gone = false
        for _ in 0..<200 where !gone {
            gone =
                kill(grandchild, 0) != 0
                || ((try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
            if !gone { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(gone, "the grandchild went with its group")
    }
}

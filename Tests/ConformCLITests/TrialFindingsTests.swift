import ConformTestSupport
import Foundation
import XCTest

/// What a new user's trial of every command found, each a case of its own: numbers that trapped, runs
/// that checked nothing and passed, secrets in error messages, reports written by halves.
final class TrialFindingsTests: XCTestCase, ConformBinary {
    var macNuma: String { repositoryRoot.appendingPathComponent("fixtures/mac-numa").path }

    func testNumbersBeyondAnyMachineAreRefusedNotTrappedOn() throws {
        let cases: [[String]] = [
            ["bench", "memory", "--size", "99999999999999999999999"], ["bench", "memory", "--size", "17179869184GiB"],
            ["bench", "disk", "--dir", "/tmp", "--size", "1e30"],
            ["bench", "net", "--url", "http://127.0.0.1:1/x", "--upload", "--size", "1e30"],
            ["bench", "net", "--url", "http://127.0.0.1:1/x", "--timeout", "1e308"],
            ["run", "--profile", "generic", "--layers", "cluster", "--kube-timeout", "1e308"],
            ["bench", "memory", "--repetitions", "99999999999"],
            ["bench", "disk", "--dir", "/tmp", "--size", "64MiB", "--queue-depth", "100000"],
        ]
        for arguments in cases {
            let outcome = try conform(arguments)
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.stderr)")
            XCTAssertFalse(outcome.stderr.contains("Fatal error"), outcome.stderr)
        }
    }

    func testARunWhoseEveryResultIsSkippedCheckedNothing() throws {
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--layers", "bench", "--quick", "--format", "console",
        ])
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("(nothing was checked: every result was skipped)"), outcome.stdout)
        let baseline = try temporaryDirectory().appendingPathComponent("b.json").path
        let capture = try conform([
            "baseline", "capture", "--profile", "mac-numa", "--fixture", macNuma, "--host", "numa-server", "--only",
            "nomatch", "--out", baseline,
        ])
        XCTAssertEqual(capture.status, 2, capture.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: baseline))
    }

    func testEmptySelectionsAndValuesNameTheirFlag() throws {
        for (flag, value) in [("--only", ""), ("--only", ","), ("--skip", ""), ("--waivers", ""), ("--out", "")] {
            let outcome = try conform(["run", "--profile", "mac-numa", "--fixture", macNuma, flag, value])
            XCTAssertEqual(outcome.status, 2, "\(flag) '\(value)': \(outcome.stdout)")
            // "'--only <only>'" where argument-parser refuses the value, "'--waivers'" where conform does.
            XCTAssertTrue(outcome.stderr.contains("'\(flag)"), outcome.stderr)
        }
        let capture = try conform(["capture", "--out", ""])
        XCTAssertEqual(capture.status, 2, capture.stdout)
    }

    func testMistypedValuesNeverEchoASecret() throws {
        let push = try conform(["run", "--profile", "generic", "--push-url", "http//u:Secr3tPush@127.0.0.1:1/x"])
        XCTAssertEqual(push.status, 2)
        XCTAssertFalse(push.stderr.contains("Secr3tPush"), push.stderr)
        let noPort = try conform(["run", "--profile", "generic", "--push-url", "http://127.0.0.1:99999/x"])
        XCTAssertEqual(noPort.status, 2, noPort.stderr)
        // A service-account token passed where a kubeconfig goes.
        let token = try temporaryDirectory().appendingPathComponent("token")
        try "eyJhbGciOiJSUzI1NiJ9.TokenBodyThatIsSecret.Signature".write(to: token, atomically: true, encoding: .utf8)
        let outcome = try conform(["run", "--profile", "generic", "--kubeconfig", token.path, "--layers", "cluster"])
        XCTAssertEqual(outcome.status, 2, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("\(token.path):1"), outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("TokenBodyThatIsSecret"), outcome.stderr)
    }

    func testAPromFileThatCannotBeWrittenIsRefusedBeforeTheRun() throws {
        let out = try temporaryDirectory().appendingPathComponent("reports")
        for promFile in [FileManager.default.temporaryDirectory.path, ""] {
            let outcome = try conform([
                "run", "--profile", "mac-numa", "--fixture", macNuma, "--out", out.path, "--prom-file", promFile,
            ])
            XCTAssertEqual(outcome.status, 2, "'\(promFile)': \(outcome.stdout)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "'\(promFile)' wrote reports first")
        }
    }

    func testARunRefusedAfterTheLockLeavesNoEmptyFolder() throws {
        let out = try temporaryDirectory().appendingPathComponent("reports")
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--only", "*[numa-server]", "--out", out.path,
        ])
        XCTAssertEqual(outcome.status, 2, outcome.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testANamedKubeconfigThatCannotBeReadIsAnErrorAndKUBECONFIGIsSearched() throws {
        let missing = try conform([
            "run", "--profile", "generic", "--kubeconfig", "/nonexistent", "--layers", "cluster", "--format", "console",
        ])
        XCTAssertEqual(missing.status, 3, missing.stderr)
        XCTAssertTrue(missing.stdout.contains("cannot read /nonexistent: No such file or directory"), missing.stdout)
        // The second entry of $KUBECONFIG is used when the first does not exist (its server does not answer).
        let directory = try temporaryDirectory()
        let config = directory.appendingPathComponent("config")
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: u, user: {token: abcdefgh}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """.write(to: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = "/nonexistent:\(config.path)"
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        let outcome = try run(
            binary,
            [
                "run", "--profile", "generic", "--sysroot",
                repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path, "--format",
                "console", "--kube-timeout", "2",
            ], in: directory, environment: environment)
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("ERROR  cluster  k8s.node.ready"), outcome.stdout)
    }

    func testReportsAreWrittenAsASetAndTheHistoryAfterThem() throws {
        let out = try temporaryDirectory().appendingPathComponent("reports")
        let arguments = [
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--out", out.path, "--format", "junit,json",
        ]
        XCTAssertEqual(try conform(arguments).status, 1)
        let results = out.appendingPathComponent("results.json")
        let before = try Data(contentsOf: results)
        let history = try String(contentsOf: out.appendingPathComponent("history.jsonl"), encoding: .utf8)
        // junit.xml is now a folder: nothing of the new set may land, and no history line may say how it ended.
        try FileManager.default.removeItem(at: out.appendingPathComponent("junit.xml"))
        try FileManager.default.createDirectory(
            at: out.appendingPathComponent("junit.xml"), withIntermediateDirectories: false)
        let refused = try conform(arguments)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertEqual(try Data(contentsOf: results), before)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("history.jsonl"), encoding: .utf8), history)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }, [],
            "no temporary file left")
    }

    func testOneBadHistoryLineCostsOnlyThatLine() throws {
        let out = try temporaryDirectory().appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data([0xff, 0xfe, 0x0a]).write(to: out.appendingPathComponent("history.jsonl"))
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--out", out.path, "--format", "markdown",
        ])
        XCTAssertEqual(outcome.status, 1)
        let trend = try String(contentsOf: out.appendingPathComponent("trend.md"), encoding: .utf8)
        XCTAssertTrue(trend.hasPrefix("# Trend of the last 1 run(s)"), trend)
    }
}

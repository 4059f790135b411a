import ConformTestSupport
import Foundation
import XCTest

/// Verdicts a user can trust: a run that checked nothing, or could not read a source the user named, never
/// exits 0; documented commands do not crash; input is refused before anything is written.
final class VerdictTests: XCTestCase, ConformBinary {
    var macNuma: String { repositoryRoot.appendingPathComponent("fixtures/mac-numa").path }

    func run(_ arguments: [String], in directory: URL? = nil) throws -> Outcome {
        try conform(
            ["run", "--profile", "mac-numa", "--fixture", macNuma, "--format", "console"] + arguments, in: directory)
    }

    func testLintRunsThroughTheCommandLineForEveryProfile() throws {
        // mac-numa's and distributed's designs have defects of their own (see README); single-numa and lab none.
        let statuses: [String: Int32] = ["mac-numa": 1, "single-numa": 0, "distributed": 1, "lab": 0]
        XCTAssertEqual(statuses.keys.sorted(), profileNames, "an expected lint status for every profile in checks/")
        for (profile, status) in statuses {
            let out = try temporaryDirectory()
            let outcome = try conform(["lint", "--profile", profile, "--out", out.path])
            XCTAssertEqual(outcome.status, status, profile + outcome.stdout + outcome.stderr)
            XCTAssertFalse(outcome.stderr.contains("Can't read a value"), outcome.stderr)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("junit.xml").path))
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent(".lock").path))
        }
        let lint = try conform(["lint", "--profile", "mac-numa", "--format", "console"])
        XCTAssertTrue(
            lint.stdout.contains(
                "FAIL   numa-server  bench.net.budget[lan-1gbe/daily-prep-upload]  daily-prep-upload of 5.00 GB in 40 s needs 125.0 MB/s"
            ), lint.stdout)
        XCTAssertTrue(lint.stdout.contains("PASS   numa-server  host.topology.declared"), lint.stdout)
    }

    func testASelectionThatSelectsNothingIsUnusableInput() throws {
        for selection in [
            ["--only", "nomatch.*"], ["--only", "["], ["--skip", "*"], ["--layers", ""], ["--layers", ","],
        ] {
            let outcome = try run(selection)
            XCTAssertEqual(outcome.status, 2, "\(selection): \(outcome.stdout)\(outcome.stderr)")
            XCTAssertEqual(outcome.stdout, "", "\(selection) ran nothing, so it printed no result")
        }
        // Checks exist, but none gives a result for this subject: nothing was checked.
        let noSubject = try run(["--only", "hv.vcpupin.exclusive[no-such-vm]"])
        XCTAssertEqual(noSubject.status, 2, noSubject.stdout)
        XCTAssertTrue(noSubject.stderr.contains("matched no result"), noSubject.stderr)
    }

    func testAResultNameCopiedFromTheOutputSelectsThatResult() throws {
        let outcome = try run(["--only", "hv.vcpupin.exclusive[k3s-minio-storage]"])
        XCTAssertEqual(outcome.status, 1, outcome.stdout)
        let lines = outcome.stdout.split(separator: "\n")
        // The result, the counts of its one host (a header, the host, all) and the summary line.
        XCTAssertEqual(lines.count, 1 + 3 + 1, outcome.stdout)
        XCTAssertTrue(lines[0].hasPrefix("FAIL   numa-server  hv.vcpupin.exclusive[k3s-minio-storage]"), outcome.stdout)
        // A glob over subjects, and a skip of one result.
        let workers = try run(["--only", "hv.vcpupin.single[k3s-slm-*]"])
        XCTAssertEqual(workers.stdout.split(separator: "\n").count, 2 + 3 + 1, workers.stdout)
        let skipped = try run(["--only", "hv.vcpupin.exclusive", "--skip", "*[k3s-minio-storage]"])
        XCTAssertFalse(skipped.stdout.contains("[k3s-minio-storage]"), skipped.stdout)
        XCTAssertTrue(skipped.stdout.contains("hv.vcpupin.exclusive[k3s-slm-worker-2]"), skipped.stdout)
    }

    func testTheClusterLayerNamedOnAFixtureWithoutItIsAnError() throws {
        let fixture = try temporaryDirectory().appendingPathComponent("no-cluster")
        try FileManager.default.createDirectory(at: fixture, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: macNuma + "/hosts", toPath: fixture.appendingPathComponent("hosts").path)
        let named = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture.path, "--layers", "cluster", "--format", "console",
        ])
        XCTAssertEqual(named.status, 3, named.stdout)
        XCTAssertTrue(named.stdout.contains("no such directory: the fixture has no cluster"), named.stdout)
        XCTAssertFalse(named.stdout.contains("PASS"), named.stdout)
        // Not named: skipped, saying where it looked.
        let defaulted = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture.path, "--format", "console",
        ])
        XCTAssertTrue(defaulted.stdout.contains("SKIP   cluster  k8s.node.ready"), defaulted.stdout)
    }

    func testSourcesTheUserNamedMustBeRead() throws {
        let bogus = try conform([
            "run", "--profile", "generic", "--libvirt-uri", "bogus://x", "--layers", "hypervisor", "--format",
            "console",
        ])
        XCTAssertEqual(bogus.status, 3, bogus.stdout)
        XCTAssertTrue(bogus.stdout.contains("ERROR") && bogus.stdout.contains("bogus://x"), bogus.stdout)
        XCTAssertFalse(bogus.stdout.contains("SKIP"), bogus.stdout)
        let ignored = try run(["--kubeconfig", "/nonexistent"])
        XCTAssertEqual(ignored.status, 2, ignored.stdout)
        XCTAssertTrue(ignored.stderr.contains("'--fixture' and '--kubeconfig' cannot be used together"), ignored.stderr)
    }

    /// A libvirt endpoint that accepts connections and never answers is bounded by --check-timeout.
    func testANeverAnsweringLibvirtIsBoundedByTheCheckTimeout() throws {
        let directory = try temporaryDirectory()
        let mute = try muteLibvirtURI(in: directory)
        let started = Date()
        let outcome = try conform(
            [
                "run", "--profile", "generic", "--libvirt-uri", mute, "--layers",
                "hypervisor", "--check-timeout", "3", "--format", "console",
            ], in: directory)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(outcome.status, 3, outcome.stdout + outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("cannot read \(mute): libvirt did not answer within 3 s"), outcome.stdout)
        XCTAssertLessThan(elapsed, 12, "bounded by the 3 s limit, not 30 s")
        // Console only: no report folder and no lock, though the libvirt call it gave up on never returned.
        // (FaultInjectionTests.testASecondRunAtOnceIsRefusedNamingTheLock ends such a run with reports.)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["mute.sock"])
        // capture asks the same daemon under its own limit, and keeps nothing when it does not answer.
        let out = directory.appendingPathComponent("capture")
        let capture = try conform([
            "capture", "--out", out.path, "--host", "h", "--libvirt-uri", mute,
            "--timeout", "2",
        ])
        XCTAssertEqual(capture.status, 3, capture.stderr)
        XCTAssertTrue(capture.stderr.contains("\(mute): libvirt did not answer within 2 s"), capture.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testStrictSaysWhyItFailed() throws {
        let out = try temporaryDirectory()
        // mac-numa's lint has one warning (a flexible VM on emulator CPUs) among failures; skip the failures.
        let outcome = try conform([
            "lint", "--profile", "mac-numa", "--strict", "--out", out.path, "--format", "console,junit,markdown,json",
        ])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stdout.contains("(--strict: 1 warning(s) counted as failures)"), outcome.stdout)
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("--strict: 1 warning(s) counted as failures"), summary)
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("warning counted as a failure (--strict)"), junit)
        let json = try String(contentsOf: out.appendingPathComponent("results.json"), encoding: .utf8)
        XCTAssertTrue(json.contains(#""warnings_counted_as_failures" : 1"#), json)
    }

    func testEmptyFormatListIsUnusableInput() throws {
        let outcome = try run(["--format", ""])
        XCTAssertEqual(outcome.status, 2, outcome.stdout)
        XCTAssertTrue(
            outcome.stderr.contains("is invalid for '--format <format>': needs at least one of"), outcome.stderr)
    }

    func testInputIsValidatedBeforeAnythingIsWritten() throws {
        let out = try temporaryDirectory().appendingPathComponent("reports")
        let waivers = out.deletingLastPathComponent().appendingPathComponent("waivers.yaml")
        try "waivers:\n  - id: x\n    expires: 2026-12-31\n".write(to: waivers, atomically: true, encoding: .utf8)
        let badWaivers = try run(["--out", out.path, "--waivers", waivers.path, "--format", "junit"])
        XCTAssertEqual(badWaivers.status, 2, badWaivers.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no report folder for a refused run")
        let missingDirectory = out.deletingLastPathComponent().appendingPathComponent("absent/conform.prom").path
        let badProm = try run(["--out", out.path, "--prom-file", missingDirectory, "--format", "junit"])
        XCTAssertEqual(badProm.status, 2, badProm.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no report and no history line say exit 0")
        // A run that completes leaves its reports and history, and no lock behind.
        let good = try run(["--out", out.path, "--format", "junit,json"])
        XCTAssertEqual(good.status, 1, good.stderr)
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(
            left.filter { !$0.hasPrefix("trend-") },
            [
                "history.jsonl", "junit.xml", "memory-numa-server.svg", "pinmap-numa-server.svg", "results.json",
                "trend.md",
            ])
    }

    func testFactsOfAMissingSysrootIsUnusableInput() throws {
        let outcome = try conform(["facts", "--sysroot", "/nonexistent"])
        XCTAssertEqual(outcome.status, 2, outcome.stdout)
        XCTAssertTrue(outcome.stderr.contains("/nonexistent: No such file or directory"), outcome.stderr)
    }

    /// libvirt accepts CPU numbers up to 16383: a domain pinned there is read, never dropped without a word.
    func testADomainPinnedToTheLastCPULibvirtAcceptsIsRead() throws {
        let directory = try temporaryDirectory()
        let xml = directory.appendingPathComponent("libvirt.xml")
        try """
        <node>
          <domain type='test'>
            <name>far-pinned</name>
            <memory unit='MiB'>512</memory>
            <vcpu placement='static'>1</vcpu>
            <cputune><vcpupin vcpu='0' cpuset='16383'/></cputune>
            <os><type>hvm</type></os>
          </domain>
        </node>
        """.write(to: xml, atomically: true, encoding: .utf8)
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
        let outcome = try conform(["facts", "--sysroot", sysroot, "--libvirt-uri", "test://\(xml.path)"])
        XCTAssertTrue(outcome.stdout.contains("domain far-pinned: running, 1 vCPUs pinned [16383]"), outcome.stdout)
        let run = try conform([
            "run", "--profile", "generic", "--sysroot", sysroot, "--libvirt-uri", "test://\(xml.path)", "--layers",
            "hypervisor", "--format", "console",
        ])
        XCTAssertTrue(run.stdout.contains("PASS   \(hostname())  hv.domain.readable  all 1 domain(s) read"), run.stdout)
        XCTAssertTrue(run.stdout.contains("hv.vcpupin.single[far-pinned]"), run.stdout)
    }

    func testCaptureStaysInsideItsOutputFolder() throws {
        let out = try temporaryDirectory().appendingPathComponent("fixture")
        let source = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
        // A sysroot with none of the files the probes read is nothing to capture: exit 3, nothing written.
        let empty = try temporaryDirectory().path
        let nothing = try conform(["capture", "--out", out.path, "--sysroot", empty, "--host", "h"])
        XCTAssertEqual(nothing.status, 3, nothing.stderr)
        XCTAssertTrue(nothing.stderr.contains("\(empty): none of the files the probes read is there"), nothing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        for host in ["../../etc", "a/b", "..", ".hidden", ""] {
            let outcome = try conform(["capture", "--out", out.path, "--sysroot", source, "--host", host])
            XCTAssertEqual(outcome.status, 2, "\(host): \(outcome.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(host) wrote something")
        }
    }

    func testProfilesAreFoundFromAnyDirectoryAndTheErrorSaysWhereItLooked() throws {
        let elsewhere = try temporaryDirectory()
        // The build's own checks/ (above .build) is found from another directory, without CONFORM_CHECKS.
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = nil
        let found = try run(
            binary, ["run", "--profile", "mac-numa", "--fixture", macNuma, "--format", "console", "--only", "host.*"],
            in: elsewhere, environment: environment)
        XCTAssertEqual(found.status, 0, found.stdout + found.stderr)
        // An installed binary finds the profiles installed beside it (make install's layout).
        let prefix = elsewhere.appendingPathComponent("prefix")
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("share/conform"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: binary, to: prefix.appendingPathComponent("bin/conform"))
        let installed = try run(
            prefix.appendingPathComponent("bin/conform"), ["lint", "--profile", "single-numa", "--format", "console"],
            in: elsewhere, environment: environment)
        XCTAssertEqual(installed.status, 2, "no profiles installed yet")
        XCTAssertTrue(
            installed.stderr.contains(prefix.appendingPathComponent("share/conform/checks").path), installed.stderr)
        XCTAssertTrue(installed.stderr.contains("/etc/conform/checks"), installed.stderr)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("checks"),
            to: prefix.appendingPathComponent("share/conform/checks"))
        let afterInstall = try run(
            prefix.appendingPathComponent("bin/conform"), ["lint", "--profile", "single-numa", "--format", "console"],
            in: elsewhere, environment: environment)
        XCTAssertEqual(afterInstall.status, 0, afterInstall.stdout + afterInstall.stderr)
    }

    func testBaselineDiffOfTwoHostsSaysSo() throws {
        let baselines = repositoryRoot.appendingPathComponent("baselines/mac-numa")
        let outcome = try conform([
            "baseline", "diff", baselines.appendingPathComponent("numa-server.json").path,
            baselines.appendingPathComponent("mac-mini.json").path,
        ])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(
            outcome.stdout.hasPrefix("NOTE  these baselines are of different hosts: 'numa-server'"), outcome.stdout)
        let help = try conform(["baseline", "compare", "--help"])
        XCTAssertTrue(help.stdout.contains("USAGE: conform baseline compare "), help.stdout)
        XCTAssertFalse(help.stdout.contains("baseline run"), help.stdout)
    }

    func testBenchRefusesWhatThisMachineCannotDo() throws {
        let cases: [[String]] = [
            ["memory", "--kernels", ""], ["memory", "--cpu-node", "4095"], ["memory", "--threads", "100000"],
            ["net", "--url", "http://127.0.0.1:1/x", "--link-mbit", "0"],
        ]
        for arguments in cases {
            let outcome = try conform(["bench"] + arguments + ["--size", "16MiB"])
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.stdout)\(outcome.stderr)")
        }
    }

    func testBenchJSONWritesNumbersAsNumbers() throws {
        let outcome = try conform([
            "bench", "memory", "--cpu-node", "0", "--mem-node", "0", "--size", "16MiB", "--kernels", "read",
            "--repetitions", "1", "--json",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let parameters = try XCTUnwrap(document["parameters"] as? [String: Any])
        XCTAssertTrue(parameters["repetitions"] is Int, "\(parameters)")
        XCTAssertTrue(parameters["arrayBytes"] is Int, "\(parameters)")
        XCTAssertTrue(parameters["kernels"] is String, "\(parameters)")
    }

    /// A transfer far faster than the declared link did not cross it: flagged in the JSON and on stderr.
    func testANetFigureAboveTheLinksCeilingIsFlagged() throws {
        let url = try serveFile(at: "blob", bytes: 8_000_000)
        // Loopback moves 8 MB far faster than the 1.2 MB/s a 10 Mbit/s link carries.
        let outcome = try conform([
            "bench", "net", "--url", url, "--link-mbit", "10", "--json",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let parameters = try XCTUnwrap(document["parameters"] as? [String: Any])
        XCTAssertEqual(parameters["aboveLinkCeiling"] as? Bool, true, "\(parameters)")
        XCTAssertTrue(outcome.stderr.contains("this transfer did not cross that link"), outcome.stderr)
    }

    /// A run stopped by SIGTERM leaves neither its lock nor a half-written report behind.
    func testARunStoppedBySIGTERMLeavesNothingBehind() throws {
        let directory = try temporaryDirectory()
        let mute = try muteLibvirtURI(in: directory)
        let out = directory.appendingPathComponent("reports")
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        let child = try Subprocess(
            binary.path,
            [
                "run", "--profile", "generic", "--libvirt-uri", mute,
                "--layers", "hypervisor", "--check-timeout", "30", "--out", out.path,
            ], environment: environment)
        addTeardownBlock { child.stop() }
        let lock = out.appendingPathComponent(".lock").path
        let deadline = Date().addingTimeInterval(20)
        // The pid is written once the lock is held and registered for removal.
        func holder() -> String { (try? String(contentsOfFile: lock, encoding: .utf8)) ?? "" }
        while holder().isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(holder().isEmpty, "the run took its lock")
        child.send(SIGTERM)
        let outcome = try child.finish(within: 20)
        XCTAssertEqual(outcome.status, 128 + SIGTERM, outcome.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])
    }

    /// Another tree's /proc is never paired with this machine's libvirt: by default its domains are read from
    /// the socket under that sysroot, and a tree without one has no hypervisor to report.
    func testAnotherSysrootIsNotPairedWithThisMachinesLibvirt() throws {
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
        let outcome = try conform(["facts", "--sysroot", sysroot])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(
            outcome.stdout.contains(
                "domains: unavailable (no libvirt daemon here (no socket at \(sysroot)/run/libvirt/libvirt-sock-ro)"
            ),
            outcome.stdout)
    }

    func hostname() -> String {
        ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
    }
}

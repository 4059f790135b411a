import ConformTestSupport
import Foundation
import XCTest

/// DESIGN.md's exit codes, subcommand by subcommand: 0 nothing failed, 1 a check failed, 2 unusable input
/// (a bad flag, a missing file), 3 no failure but something could not run or be read. Every code a
/// subcommand can end with has a real case here.
final class ExitCodeTableTests: XCTestCase, ConformBinary {
    struct Case {
        /// The subcommand the case is of (`run`, `bench net`).
        var command: String
        var arguments: [String]
        var status: Int32
        /// Why this is the right code.
        var why: String
        var environment: [String: String]?
    }

    /// The codes each subcommand can end with. `checks`, `profiles` and `baseline show` only print, so they
    /// are 0 or 2; `facts`, `capture` and the benchmarks judge nothing (never 1); `baseline capture` records a
    /// host whatever its verdicts (never 1); `baseline diff` reads two files and nothing else (never 3).
    static let reachable: [String: Set<Int32>] = [
        "run": [0, 1, 2, 3], "lint": [0, 1, 2, 3], "facts": [0, 2, 3], "capture": [0, 2, 3], "checks": [0, 2],
        "profiles": [0, 2], "baseline capture": [0, 2, 3], "baseline show": [0, 2], "baseline diff": [0, 1, 2],
        "baseline compare": [0, 1, 2, 3], "bench memory": [0, 2, 3], "bench disk": [0, 2, 3], "bench net": [0, 2, 3],
    ]

    var fixtures: URL { repositoryRoot.appendingPathComponent("fixtures") }
    var macNuma: String { fixtures.appendingPathComponent("mac-numa").path }
    var numaServer: URL { fixtures.appendingPathComponent("mac-numa/hosts/numa-server") }
    var silver: String { fixtures.appendingPathComponent("real-world/sysfs/2x-xeon-silver-4108").path }
    var baselines: URL { repositoryRoot.appendingPathComponent("baselines/mac-numa") }

    /// A copy of the mac-numa fixture whose numa-server has no `kernel.numa_balancing` to read.
    func fixtureWithoutNumaBalancing() throws -> String {
        let copy = try temporaryDirectory().appendingPathComponent("mac-numa")
        try FileManager.default.copyItem(atPath: macNuma, toPath: copy.path)
        try FileManager.default.removeItem(
            at: copy.appendingPathComponent("hosts/numa-server/sysroot/proc/sys/kernel/numa_balancing"))
        return copy.path
    }

    /// An output folder whose lock another run holds (util-linux flock, as a second conform would), until
    /// the test ends.
    func lockedFolder() throws -> String {
        let folder = try temporaryDirectory()
        let lock = folder.appendingPathComponent(".lock")
        _ = try start("/usr/bin/flock", [lock.path, "sleep", "60"])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: lock.path) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.2)  // created, then locked
        return folder.path
    }

    func testEverySubcommandEndsWithDesignsExitCodes() throws {
        let out = { try self.temporaryDirectory().path }
        let sysroot = numaServer.appendingPathComponent("sysroot").path
        let libvirtURI = "test://" + numaServer.appendingPathComponent("libvirt.xml").path
        let missing = try temporaryDirectory().appendingPathComponent("absent").path
        let disk = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("conform-exit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: disk) }
        let corrupt = try temporaryDirectory().appendingPathComponent("corrupt.json")
        try "{\"schema\": ".write(to: corrupt, atomically: true, encoding: .utf8)
        let brokenProfiles = try temporaryDirectory()
        try "profile: broken\nhosts:\n  h1:\n    tuning:\n      governer: performance\n".write(
            to: brokenProfiles.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let capturedOnce = try temporaryDirectory().appendingPathComponent("fixture")
        XCTAssertEqual(
            try conform(["capture", "--out", capturedOnce.path, "--sysroot", sysroot, "--host", "numa-server"]).status,
            0)
        let unreachableCluster = try temporaryDirectory().appendingPathComponent("kubeconfig")
        try """
        apiVersion: v1
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        users: [{name: u, user: {token: t}}]
        """.write(to: unreachableCluster, atomically: true, encoding: .utf8)
        let noNumaBalancing = try fixtureWithoutNumaBalancing()
        let url = try serveFile(at: "payload.bin", bytes: 4_000_000)
        let numaServerBaseline = baselines.appendingPathComponent("numa-server.json").path

        var cases: [Case] = try [
            // run
            Case(
                command: "run",
                arguments: [
                    "run", "--profile", "mac-numa", "--fixture", macNuma, "--only", "host.thp.*", "--out", out(),
                ],
                status: 0, why: "THP is as designed on every fixture host"),
            Case(
                command: "run", arguments: ["run", "--profile", "mac-numa", "--fixture", macNuma, "--out", out()],
                status: 1,
                why: "the mac-numa design has defects of its own (shared CPUs, unbound memory, QoS)"),
            Case(
                command: "run", arguments: ["run", "--profile", "mac-numa", "--fixure", macNuma], status: 2,
                why: "a bad flag"),
            Case(
                command: "run", arguments: ["run", "--profile", "mac-numa", "--fixture", missing], status: 2,
                why: "a missing fixture"),
            Case(
                command: "run", arguments: ["run", "--profile", "no-such-profile"], status: 2, why: "an unknown profile"
            ),
            Case(
                command: "run",
                arguments: [
                    "run", "--profile", "generic", "--sysroot", silver, "--host", "silver", "--layers", "host", "--out",
                    out(),
                ],
                status: 3, why: "a topology-only dump: THP and numa_balancing cannot be read"),
            Case(
                command: "run",
                arguments: ["run", "--profile", "mac-numa", "--fixture", macNuma, "--out", try lockedFolder()],
                status: 3, why: "another run holds the report folder's lock"),
            // lint
            Case(
                command: "lint", arguments: ["lint", "--profile", "single-numa", "--out", out()], status: 0,
                why: "a sound design"),
            Case(
                command: "lint", arguments: ["lint", "--profile", "mac-numa", "--out", out()], status: 1,
                why: "a 5 GB upload cannot fit its 40 s budget on 1 GbE, among others"),
            Case(
                command: "lint", arguments: ["lint", "--profile", "mac-numa", "--strictly"], status: 2,
                why: "a bad flag"),
            Case(
                command: "lint", arguments: ["lint", "--profile", missing + ".yaml"], status: 2,
                why: "a missing profile file"),
            Case(
                command: "lint", arguments: ["lint", "--profile", "single-numa", "--out", try lockedFolder()],
                status: 3,
                why: "another run holds the report folder's lock"),
            // facts
            Case(
                command: "facts", arguments: ["facts", "--sysroot", sysroot, "--libvirt-uri", libvirtURI], status: 0,
                why: "a full fixture host: every file and every domain's live /proc is there"),
            Case(command: "facts", arguments: ["facts", "--sysroot", missing], status: 2, why: "a missing sysroot"),
            Case(command: "facts", arguments: ["facts", "--jsn"], status: 2, why: "a bad flag"),
            Case(
                command: "facts", arguments: ["facts", "--sysroot", silver, "--libvirt-uri", libvirtURI], status: 3,
                why: "a topology-only dump: the facts are printed and what could not be read is named"),
            Case(
                command: "facts", arguments: ["facts", "--sysroot", sysroot, "--libvirt-uri", "bogus://x"], status: 3,
                why: "a libvirt URI the user named cannot be read"),
            // capture
            Case(
                command: "capture",
                arguments: [
                    "capture", "--out", out(), "--sysroot", sysroot, "--host", "numa-server", "--libvirt-uri",
                    libvirtURI,
                ], status: 0, why: "a fixture host captured with its domains"),
            Case(
                command: "capture",
                arguments: ["capture", "--out", capturedOnce.path, "--sysroot", sysroot, "--host", "numa-server"],
                status: 2, why: "the host is captured there already: never overwritten"),
            Case(
                command: "capture", arguments: ["capture", "--out", out(), "--sysroot", missing], status: 2,
                why: "a missing sysroot"),
            Case(
                command: "capture", arguments: ["capture", "--sysroot", sysroot], status: 2, why: "--out is required"),
            Case(
                command: "capture",
                arguments: [
                    "capture", "--out", out(), "--sysroot", sysroot, "--host", "numa-server", "--libvirt-uri",
                    "bogus://x",
                ], status: 3, why: "a libvirt URI the user named cannot be read"),
            Case(
                command: "capture",
                arguments: [
                    "capture", "--out", out(), "--sysroot", sysroot, "--host", "numa-server", "--kubeconfig",
                    unreachableCluster.path,
                ], status: 3, why: "the kubeconfig's API server does not answer"),
            // checks, profiles
            Case(command: "checks", arguments: ["checks"], status: 0, why: "the catalog"),
            Case(
                command: "checks", arguments: ["checks", "--verbose"], status: 0, why: "the catalog with why and fix"),
            Case(command: "checks", arguments: ["checks", "--verbos"], status: 2, why: "a bad flag"),
            Case(command: "profiles", arguments: ["profiles"], status: 0, why: "the profiles"),
            Case(command: "profiles", arguments: ["profiles", "--all"], status: 2, why: "a bad flag"),
            Case(
                command: "profiles", arguments: ["profiles"], status: 2, why: "a profile with an unknown key",
                environment: ["CONFORM_CHECKS": brokenProfiles.path]),
            // baseline capture
            Case(
                command: "baseline capture",
                arguments: [
                    "baseline", "capture", "--profile", "mac-numa", "--fixture", macNuma, "--host", "numa-server",
                    "--runs", "1", "--out", out() + "/b.json",
                ], status: 0, why: "a baseline of one fixture host"),
            Case(
                command: "baseline capture",
                arguments: ["baseline", "capture", "--profile", "mac-numa", "--fixture", macNuma, "--runs", "1"],
                status: 2, why: "a baseline is of one host: --host is needed with a fixture of five"),
            Case(
                command: "baseline capture",
                arguments: [
                    "baseline", "capture", "--profile", "mac-numa", "--fixture", missing, "--host", "numa-server",
                ],
                status: 2, why: "a missing fixture"),
            Case(
                command: "baseline capture",
                arguments: [
                    "baseline", "capture", "--profile", "mac-numa", "--fixture", noNumaBalancing, "--host",
                    "numa-server",
                    "--layers", "host", "--runs", "1", "--out", out() + "/b.json",
                ], status: 3, why: "numa_balancing cannot be read, so the baseline lacks it"),
            // baseline show
            Case(
                command: "baseline show", arguments: ["baseline", "show", numaServerBaseline], status: 0,
                why: "a baseline"),
            Case(command: "baseline show", arguments: ["baseline", "show", missing], status: 2, why: "a missing file"),
            Case(
                command: "baseline show", arguments: ["baseline", "show", corrupt.path], status: 2,
                why: "not a baseline"),
            // baseline diff
            Case(
                command: "baseline diff", arguments: ["baseline", "diff", numaServerBaseline, numaServerBaseline],
                status: 0, why: "a baseline against itself"),
            Case(
                command: "baseline diff",
                arguments: [
                    "baseline", "diff", numaServerBaseline, baselines.appendingPathComponent("mac-mini.json").path,
                ],
                status: 1, why: "two hosts differ"),
            Case(
                command: "baseline diff", arguments: ["baseline", "diff", numaServerBaseline, missing], status: 2,
                why: "a missing file"),
            Case(
                command: "baseline diff", arguments: ["baseline", "diff", numaServerBaseline], status: 2,
                why: "one file"),
            // baseline compare
            Case(
                command: "baseline compare",
                arguments: [
                    "baseline", "compare", "--profile", "mac-numa", "--fixture", macNuma, "--host", "numa-server",
                    "--baseline", numaServerBaseline, "--layers", "host", "--out", out(),
                ], status: 0, why: "the host is as it was and as designed"),
            Case(
                command: "baseline compare",
                arguments: [
                    "baseline", "compare", "--profile", "mac-numa", "--fixture", macNuma, "--host", "numa-server",
                    "--baseline", numaServerBaseline, "--out", out(),
                ], status: 1, why: "the design's own defects on numa-server"),
            Case(
                command: "baseline compare",
                arguments: ["baseline", "compare", "--profile", "mac-numa", "--fixture", macNuma], status: 2,
                why: "--baseline is required"),
            Case(
                command: "baseline compare",
                arguments: [
                    "baseline", "compare", "--profile", "mac-numa", "--fixture", macNuma, "--baseline", missing,
                ],
                status: 2, why: "a missing baseline"),
            Case(
                command: "baseline compare",
                arguments: [
                    "baseline", "compare", "--profile", "mac-numa", "--fixture", noNumaBalancing, "--host",
                    "numa-server",
                    "--baseline", numaServerBaseline, "--layers", "host", "--out", out(),
                ], status: 3, why: "numa_balancing cannot be read; nothing failed"),
            // bench memory
            Case(
                command: "bench memory",
                arguments: [
                    "bench", "memory", "--cpu-node", "0", "--mem-node", "0", "--size", "16MiB", "--kernels", "read",
                    "--repetitions", "1", "--json",
                ], status: 0, why: "one cell measured"),
            Case(
                command: "bench memory", arguments: ["bench", "memory", "--kernels", "sum"], status: 2,
                why: "an unknown kernel"),
            Case(
                command: "bench memory", arguments: ["bench", "memory", "--cpu-node", "4095", "--size", "16MiB"],
                status: 2, why: "a NUMA node this machine does not have"),
            Case(
                command: "bench memory",
                arguments: [
                    "bench", "memory", "--cpu-node", "0", "--mem-node", "0", "--size", "16MiB", "--kernels", "read",
                    "--budget", "0.000001",
                ], status: 3, why: "past its time budget before the first kernel"),
            // bench disk
            Case(
                command: "bench disk", arguments: ["bench", "disk", "--dir", disk.path, "--size", "8MiB", "--json"],
                status: 0, why: "8 MiB written and read"),
            Case(
                command: "bench disk", arguments: ["bench", "disk", "--dir", missing, "--size", "8MiB"], status: 2,
                why: "a --dir that does not exist is a mistyped flag"),
            Case(
                command: "bench disk", arguments: ["bench", "disk", "--dir", disk.path, "--block-size", "100"],
                status: 2, why: "a block size under 4 KiB"),
            Case(
                command: "bench disk",
                arguments: ["bench", "disk", "--dir", disk.path, "--size", "8MiB", "--min-free", "1000TiB"], status: 3,
                why: "refused: it would leave less free space than asked for"),
            Case(
                command: "bench disk",
                arguments: ["bench", "disk", "--dir", disk.path, "--size", "8MiB", "--budget", "0.000001"], status: 3,
                why: "past its time budget"),
            // bench net
            Case(
                command: "bench net", arguments: ["bench", "net", "--url", url, "--link-mbit", "100000", "--json"],
                status: 0, why: "a local download"),
            Case(
                command: "bench net", arguments: ["bench", "net", "--url", "ftp://127.0.0.1/x"], status: 2,
                why: "not http(s)"),
            Case(
                command: "bench net", arguments: ["bench", "net", "--url", url, "--link-mbit", "0"], status: 2,
                why: "a link of no speed"),
            Case(
                command: "bench net", arguments: ["bench", "net", "--url", "http://127.0.0.1:1/x"], status: 3,
                why: "a closed port: the transfer could not run"),
            Case(
                command: "bench net", arguments: ["bench", "net", "--url", url + ".missing"], status: 3,
                why: "HTTP 404"),
        ]
        // Top-level: no subcommand of that name, or a flag of none.
        cases += [
            Case(command: "conform", arguments: ["nosuch"], status: 2, why: "an unknown subcommand"),
            Case(command: "conform", arguments: ["--bogus"], status: 2, why: "a bad flag"),
        ]

        var base = ProcessInfo.processInfo.environment
        base["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        base["HOME"] = try temporaryDirectory().path  // no kubeconfig of this machine's user
        base["KUBECONFIG"] = nil
        for name in base.keys where name.hasPrefix("AWS_") { base[name] = nil }
        let work = try temporaryDirectory()  // where a default reports/ folder would go
        for testCase in cases {
            let environment = base.merging(testCase.environment ?? [:]) { $1 }
            let outcome = try run(binary, testCase.arguments, in: work, environment: environment)
            XCTAssertEqual(
                outcome.status, testCase.status,
                "conform \(testCase.arguments.joined(separator: " ")): \(testCase.why)\n\(outcome.stdout.suffix(600))\(outcome.stderr.suffix(600))"
            )
            if testCase.status == 2 {
                XCTAssertFalse(outcome.stderr.isEmpty, "unusable input says why: \(testCase.arguments)")
            }
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: work.appendingPathComponent("reports").path),
            "every case that writes reports has --out")

        let covered = Dictionary(grouping: cases, by: \.command).mapValues { Set($0.map(\.status)) }
        for (command, codes) in Self.reachable {
            XCTAssertEqual(covered[command], codes, "exit codes with a case for '\(command)'")
        }
    }
}

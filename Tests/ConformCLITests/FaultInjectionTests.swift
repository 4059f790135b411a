import ConformTestSupport
import Foundation
import XCTest

/// Issue 10's faults in conform's surroundings, each injected for real (sockets nobody answers, servers that
/// answer wrongly, a file system that fills up or is read-only, signals, a second run): every one ends with
/// README's exit code and a message naming the thing, in bounded time, with no lock, staging or scratch file
/// and no process of its own left behind.
final class FaultInjectionTests: XCTestCase, ConformBinary {
    var macNuma: String { repositoryRoot.appendingPathComponent("fixtures/mac-numa").path }
    /// A whole report folder (its trend charts, `trend-*.svg`, vary with the measurements).
    let reportSet = ["junit.xml", "report.html", "results.json", "summary.md", "trend.md"]
    /// And the pictures of mac-numa's hypervisor, with the hypervisor layer.
    let hypervisorPictures = ["memory-numa-server.svg", "pinmap-numa-server.svg"]

    /// A conform process the test started, with the TMPDIR it was given.
    struct Started {
        var child: Subprocess
        var temporary: URL
    }

    /// Starts conform (under `wrapper`, such as setpriv, when given) in a process group of its own, with the
    /// repository's profiles, no kubeconfig of this machine's user and a TMPDIR of its own.
    func startConform(_ arguments: [String], in directory: URL? = nil, wrapper: [String] = []) throws -> Started {
        let temporary = try temporaryDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        environment["HOME"] = temporary.path
        environment["KUBECONFIG"] = nil
        environment["TMPDIR"] = temporary.path
        let program = wrapper.first ?? binary.path
        let child = try Subprocess(
            program, Array(wrapper.dropFirst()) + (wrapper.isEmpty ? [] : [binary.path]) + arguments,
            in: (directory ?? temporary).path, environment: environment)
        addTeardownBlock { child.stop() }
        return Started(child: child, temporary: temporary)
    }

    /// Waits for the run and checks what no fault may leave: a file in its TMPDIR, a process of its group.
    func finish(_ started: Started, within seconds: Double = 30, file: StaticString = #filePath, line: UInt = #line)
        throws -> Outcome
    {
        let outcome = try started.child.finish(within: seconds)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: started.temporary.path), [], "TMPDIR", file: file,
            line: line)
        XCTAssertEqual(processes(inGroup: started.child.pid), [], "processes the run left", file: file, line: line)
        return outcome
    }

    /// Runs conform to its end; returns what it printed and how many seconds it took.
    func faulted(
        _ arguments: [String], in directory: URL? = nil, wrapper: [String] = [], within seconds: Double = 30,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (outcome: Outcome, seconds: Double) {
        let began = Date()
        let started = try startConform(arguments, in: directory, wrapper: wrapper)
        let outcome = try finish(started, within: seconds, file: file, line: line)
        return (outcome, Date().timeIntervalSince(began))
    }

    /// The live processes (pid and name) whose process group is `group`; a zombie not yet reaped is not one.
    func processes(inGroup group: pid_t) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let nameEnd = stat.range(of: ")", options: .backwards)
            else { return nil }
            // After the name: state, parent, process group.
            let fields = stat[nameEnd.upperBound...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == group else { return nil }
            return String(stat[..<nameEnd.upperBound])
        }
    }

    /// What no finished run may leave under `directory`: a lock, a staging file or folder, a scratch file.
    func leftovers(in directory: URL) -> [String] {
        let walker = FileManager.default.enumerator(atPath: directory.path)
        var found: [String] = []
        while let relative = walker?.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name == ".lock" || name.contains(".tmp") || name.hasPrefix(".conform-bench") { found.append(relative) }
        }
        return found
    }

    /// The folder's entries but the trend charts, which come and go with the measurements a run has.
    func names(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
            !($0.hasPrefix("trend-") && $0.hasSuffix(".svg"))
        }.sorted()
    }

    /// A report folder a reader may trust: the whole set, results.json complete JSON, junit.xml closed.
    func assertWhole(_ folder: URL, pictures: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(
            names(folder).filter { !$0.hasPrefix("trend-") },
            (reportSet + (pictures ? hypervisorPictures : [])).sorted(),
            folder.path, file: file, line: line)
        let results = (try? Data(contentsOf: folder.appendingPathComponent("results.json"))) ?? Data()
        let document = (try? JSONSerialization.jsonObject(with: results)) as? [String: Any]
        XCTAssertNotNil(document?["results"], "\(folder.path)/results.json is whole", file: file, line: line)
        let junit = (try? String(contentsOf: folder.appendingPathComponent("junit.xml"), encoding: .utf8)) ?? ""
        XCTAssertTrue(
            junit.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</testsuites>"),
            "\(folder.path)/junit.xml is whole", file: file, line: line)
    }

    func requireRoot(_ what: String) throws {
        guard getuid() == 0 else { throw XCTSkip("\(what) needs root") }
    }

    /// Runs a system tool (mount, mkfs) and fails with what it printed.
    @discardableResult
    func system(_ program: String, _ arguments: [String]) throws -> Outcome {
        let outcome = try runCommand(program, arguments, within: 60)
        guard outcome.status == 0 else {
            throw SubprocessError("\(program) \(arguments.joined(separator: " ")): \(outcome.stderr)")
        }
        return outcome
    }

    /// A tmpfs of `size` on a new folder, unmounted when the test ends on every path (before the folder is
    /// removed: teardown blocks run last first).
    func mountTmpfs(_ size: String) throws -> URL {
        try requireRoot("mounting a tmpfs")
        let point = try temporaryDirectory().appendingPathComponent("volume")
        try FileManager.default.createDirectory(at: point, withIntermediateDirectories: false)
        do { try system("mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", point.path]) } catch {
            throw XCTSkip("this machine cannot mount a tmpfs: \(error)")
        }
        addTeardownBlock { _ = try? runCommand("umount", ["-l", point.path], within: 60) }
        return point
    }

    // MARK: libvirt

    /// libvirtd not running: its socket file is gone, or left behind by a daemon that died (nothing listens).
    func testLibvirtdNotRunningIsAnErrorNamingTheSocket() throws {
        let directory = try temporaryDirectory()
        let stale = directory.appendingPathComponent("stale.sock").path
        close(try listeningUnixSocket(at: stale))
        let absent = directory.appendingPathComponent("absent.sock").path
        for (socket, reason) in [(stale, "Connection refused"), (absent, "No such file or directory")] {
            let uri = "qemu+unix:///system?socket=\(socket)"
            let out = directory.appendingPathComponent("out-\(UUID().uuidString)")
            let (outcome, seconds) = try faulted([
                "run", "--profile", "generic", "--libvirt-uri", uri, "--layers", "hypervisor", "--format",
                "console,json", "--out", out.path,
            ])
            XCTAssertEqual(outcome.status, 3, outcome.stdout + outcome.stderr)
            XCTAssertTrue(
                outcome.stdout.contains(
                    "hv.domain.readable  cannot read \(uri): cannot connect: Failed to connect socket to '\(socket)': \(reason)"
                ), outcome.stdout)
            XCTAssertFalse(outcome.stdout.contains("PASS"), outcome.stdout)
            XCTAssertLessThan(seconds, 10)
            XCTAssertEqual(names(out), ["history.jsonl", "results.json", "trend.md"], "the reports, and no lock")
        }
    }

    // MARK: Kubernetes API

    /// An API server (plain HTTP on loopback) that gives every request the same wrong answer; with
    /// `cutOff`, it promises more bytes than it sends and hangs up.
    func startWrongAPIServer(status: Int, contentType: String, body: String, cutOff: Bool = false) throws -> String {
        let directory = try temporaryDirectory()
        let bodyFile = directory.appendingPathComponent("body")
        try body.write(to: bodyFile, atomically: true, encoding: .utf8)
        let portFile = directory.appendingPathComponent("port")
        let script = """
            import http.server, sys
            status, content_type, body, cut_off = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "rb").read(), sys.argv[5] == "1"
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_GET(self):
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body) * (100 if cut_off else 1)))
                    self.end_headers()
                    self.wfile.write(body)
                    self.close_connection = True
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            open(sys.argv[4] + ".tmp", "w").write(str(s.server_address[1]))
            import os; os.rename(sys.argv[4] + ".tmp", sys.argv[4])
            s.serve_forever()
            """
        _ = try start(
            "python3", ["-c", script, "\(status)", contentType, bodyFile.path, portFile.path, cutOff ? "1" : "0"])
        return "http://127.0.0.1:\(try port(writtenTo: portFile))"
    }

    func testWrongAnswersOfTheKubernetesAPIAreErrorsNamingTheURL() throws {
        let token = "planted-\(UUID().uuidString)"
        let nodes = try String(
            contentsOf: repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster/nodes.json"), encoding: .utf8)
        let cases: [(status: Int, type: String, body: String, cutOff: Bool, reason: String)] = [
            (
                401, "application/json",
                #"{"kind":"Status","code":401,"reason":"Unauthorized","message":"Unauthorized"}"#,
                false,
                "HTTP 401, unauthorized: the token or client certificate was not accepted (expired or wrong) (Unauthorized: Unauthorized)"
            ),
            (
                403, "application/json",
                #"{"kind":"Status","code":403,"reason":"Forbidden","message":"nodes is forbidden: User \"conform\" cannot list resource \"nodes\""}"#,
                false,
                #"HTTP 403, forbidden: the credentials may not list this resource (Forbidden: nodes is forbidden: User "conform" cannot list resource "nodes")"#
            ),
            // A proxy in front of the API server that failed, in HTML.
            (
                500, "text/html",
                "<html><head><title>500 Internal Server Error</title></head><body>nginx</body></html>",
                false, "HTTP 500, the API server failed"
            ),
            (
                200, "application/json", String(nodes.prefix(nodes.count / 2)), false,
                "the response is not a Node list: The given data was not valid JSON."
            ),
            (200, "application/json", nodes, true, "Transferred a partial file"),
        ]
        for testCase in cases {
            let server = try startWrongAPIServer(
                status: testCase.status, contentType: testCase.type, body: testCase.body, cutOff: testCase.cutOff)
            let work = try temporaryDirectory()
            let kubeconfig = work.appendingPathComponent("kubeconfig")
            try """
            apiVersion: v1
            clusters: [{name: c, cluster: {server: "\(server)"}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            users: [{name: u, user: {token: \(token)}}]
            """.write(to: kubeconfig, atomically: true, encoding: .utf8)
            let out = work.appendingPathComponent("out")
            let (outcome, seconds) = try faulted([
                "run", "--profile", "mac-numa", "--layers", "cluster", "--kubeconfig", kubeconfig.path,
                "--kube-timeout", "5", "--format", "console,json", "--out", out.path,
                // mac-numa's health endpoints are at the design's 192.168.1.10, which is not this test's server.
                "--skip", "k8s.service.health",
            ])
            let what = "HTTP \(testCase.status)\(testCase.cutOff ? " cut off" : ""): \(outcome.stdout)\(outcome.stderr)"
            XCTAssertEqual(outcome.status, 3, what)
            XCTAssertTrue(
                outcome.stdout.contains(
                    "ERROR  cluster  k8s.node.ready  cannot read \(server)/api/v1/nodes?limit=500: \(testCase.reason)"),
                what)
            XCTAssertFalse(outcome.stdout.contains("<html>"), "no HTML in a result: \(what)")
            XCTAssertLessThan(seconds, 10, what)
            let results = try String(contentsOf: out.appendingPathComponent("results.json"), encoding: .utf8)
            XCTAssertFalse((outcome.stdout + outcome.stderr + results).contains(token), "the token: \(what)")
            XCTAssertEqual(names(out), ["history.jsonl", "results.json", "trend.md"], what)
        }
    }

    // MARK: bench disk on a full disk

    func testADiskThatFillsUpIsExitCode3NamingTheFileAndLeavesNoScratchFile() throws {
        let small = try mountTmpfs("8m")
        // Too big for what is free: refused before a byte is written.
        let (refused, _) = try faulted([
            "bench", "disk", "--dir", small.path, "--size", "16MiB", "--min-free", "0", "--json",
        ])
        XCTAssertEqual(refused.status, 3, refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains("refusing to write 16.0 MiB to \(small.path): it would leave"), refused.stderr)
        XCTAssertEqual(names(small), [])

        // Full while writing: a file system that believes it has 60 MiB free on an 8 MiB store underneath
        // (thin provisioning); the store fills after about 7 MiB of the 32.
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.ext4") else {
            throw XCTSkip("mkfs.ext4 is not installed (e2fsprogs): a file system that fills up cannot be made")
        }
        let image = small.appendingPathComponent("thin.img")
        try system("truncate", ["-s", "64M", image.path])
        try system("/usr/sbin/mkfs.ext4", ["-q", "-F", "-O", "^has_journal", "-E", "nodiscard", image.path])
        let disk = try temporaryDirectory().appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: false)
        do { try system("mount", ["-o", "loop", image.path, disk.path]) } catch {
            throw XCTSkip("no loop device can be attached here: \(error)")
        }
        addTeardownBlock { _ = try? runCommand("umount", ["-l", disk.path], within: 60) }
        let (full, seconds) = try faulted([
            "bench", "disk", "--dir", disk.path, "--size", "32MiB", "--min-free", "0", "--json",
        ])
        XCTAssertEqual(full.status, 3, full.stderr)
        XCTAssertTrue(full.stderr.hasPrefix("conform: error: writing \(disk.path)/.conform-bench-"), full.stderr)
        XCTAssertTrue(full.stderr.contains(": No space left on device"), full.stderr)
        XCTAssertEqual(full.stdout, "", "no figure of half a file")
        XCTAssertLessThan(seconds, 20)
        XCTAssertEqual(names(disk), ["lost+found"], "the scratch file is removed")
    }

    // MARK: signals during the benchmarks

    /// Stops a benchmark with SIGTERM, then SIGINT, once `running` says it has started: it ends at once with
    /// 128 + the signal, printing no figure.
    func assertSignalsStop(
        _ arguments: [String], until running: () -> Bool, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for signal in [SIGTERM, SIGINT] {
            let started = try startConform(arguments)
            let deadline = Date().addingTimeInterval(20)
            var began = running()
            while !began && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
                began = running()
            }
            XCTAssertTrue(began, "the benchmark started", file: file, line: line)
            Thread.sleep(forTimeInterval: 0.3)
            let sent = Date()
            started.child.send(signal)
            let outcome = try finish(started, within: 20, file: file, line: line)
            XCTAssertEqual(outcome.status, 128 + signal, "signal \(signal): \(outcome.stderr)", file: file, line: line)
            XCTAssertLessThan(Date().timeIntervalSince(sent), 3, "signal \(signal): promptly", file: file, line: line)
            XCTAssertEqual(outcome.stdout, "", "signal \(signal): no figure", file: file, line: line)
        }
    }

    func testSignalsStopBenchMemoryPromptly() throws {
        let began = Date()
        try assertSignalsStop(
            [
                "bench", "memory", "--cpu-node", "0", "--mem-node", "0", "--size", "64MiB", "--kernels", "read",
                "--repetitions", "10000", "--json",
            ], until: { Date().timeIntervalSince(began) > 0.3 })
    }

    func testSignalsStopBenchDiskAndRemoveTheScratchFile() throws {
        let directory = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("conform-fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        var stats = statvfs()
        guard statvfs(directory.path, &stats) == 0, Double(stats.f_bavail) * Double(stats.f_frsize) > 4 * 1_073_741_824
        else { throw XCTSkip("needs 4 GiB free in /var/tmp for a write that lasts until the signal") }
        try assertSignalsStop(
            ["bench", "disk", "--dir", directory.path, "--size", "2GiB", "--min-free", "0", "--json"],
            until: { !self.names(directory).isEmpty })
        XCTAssertEqual(names(directory), [], "the scratch file is removed")
    }

    func testSignalsStopBenchNetPromptly() throws {
        let directory = try temporaryDirectory()
        let portFile = directory.appendingPathComponent("port")
        let asked = directory.appendingPathComponent("asked")
        // A server that promises a gigabyte and sends 16 KiB every 50 ms.
        let script = """
            import http.server, os, sys, time
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_GET(self):
                    open(sys.argv[2], "w").close()
                    self.send_response(200)
                    self.send_header("Content-Length", str(10**9))
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b"z" * 16384); self.wfile.flush(); time.sleep(0.05)
                    except OSError:
                        pass
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
            os.rename(sys.argv[1] + ".tmp", sys.argv[1])
            s.serve_forever()
            """
        _ = try start("python3", ["-c", script, portFile.path, asked.path])
        let url = "http://127.0.0.1:\(try port(writtenTo: portFile))/slow.bin"
        try assertSignalsStop(
            ["bench", "net", "--url", url, "--timeout", "60", "--json"],
            until: {
                guard FileManager.default.fileExists(atPath: asked.path) else { return false }
                try? FileManager.default.removeItem(at: asked)
                return true
            })
    }

    // MARK: reports, locks and output folders

    /// SIGKILL while the reports are being written: a reader sees the previous `latest` whole throughout, and
    /// the next run removes what the killed one left.
    func testASIGKILLWhileReportsAreWrittenLeavesTheLatestReportWhole() throws {
        let work = try temporaryDirectory()
        let arguments = ["run", "--profile", "mac-numa", "--fixture", macNuma]
        XCTAssertEqual(try faulted(arguments, in: work).outcome.status, 1, "the design's own defects")
        let reports = work.appendingPathComponent("reports/mac-numa")
        let latest = reports.appendingPathComponent("latest")
        let previousFolder = reports.appendingPathComponent(
            try FileManager.default.destinationOfSymbolicLink(atPath: latest.path))
        let previous = try Data(contentsOf: previousFolder.appendingPathComponent("results.json"))
        var stoppedWhileWriting = 0
        var completed = 1
        for _ in 0..<10 where stoppedWhileWriting < 3 {
            let started = try startConform(arguments, in: work)
            // Stop the run the moment a staging name appears: it is writing its reports.
            let deadline = Date().addingTimeInterval(10)
            var staging: [String] = []
            while staging.isEmpty && Date() < deadline && processes(inGroup: started.child.pid).count > 0 {
                staging = names(reports).filter { $0.hasPrefix(".") && $0.contains(".tmp-") }
            }
            if !staging.isEmpty {
                started.child.send(SIGSTOP)
                assertWhole(latest)
                XCTAssertEqual(try Data(contentsOf: previousFolder.appendingPathComponent("results.json")), previous)
                started.child.send(SIGKILL)
            }
            let outcome = try started.child.finish(within: 30)
            if outcome.status == 128 + SIGKILL {
                stoppedWhileWriting += 1
            } else {
                XCTAssertEqual(outcome.status, 1, outcome.stderr)
                completed += 1
            }
            assertWhole(latest)
            for folder in names(reports) where folder.first?.isNumber ?? false {
                assertWhole(reports.appendingPathComponent(folder))
            }
        }
        XCTAssertGreaterThan(stoppedWhileWriting, 0, "no run was caught writing its reports")
        let next = try faulted(arguments, in: work)
        XCTAssertEqual(next.outcome.status, 1, next.outcome.stderr)
        XCTAssertEqual(leftovers(in: reports), [], "the killed runs' staging and lock are gone")
        assertWhole(latest)
        // A line for each run that ended (and one for a run stopped a moment too late, after its reports).
        let history = try String(contentsOf: reports.appendingPathComponent("history.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        XCTAssertTrue((completed + 1...completed + 1 + stoppedWhileWriting).contains(history.count), "\(history.count)")
        for line in history {
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)), "a whole line: \(line)")
        }
    }

    func testASecondRunAtOnceIsRefusedNamingTheLock() throws {
        let directory = try temporaryDirectory()
        let mute = try muteLibvirtURI(in: directory)
        let out = directory.appendingPathComponent("out")
        let lock = out.appendingPathComponent(".lock")
        let arguments = [
            "run", "--profile", "generic", "--libvirt-uri", mute, "--layers", "hypervisor", "--check-timeout", "4",
            "--format", "console,json", "--out", out.path,
        ]
        let first = try startConform(arguments)
        let deadline = Date().addingTimeInterval(20)
        func holder() -> String { (try? String(contentsOfFile: lock.path, encoding: .utf8)) ?? "" }
        while holder().isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertEqual(holder(), "\(first.child.pid)\n", "the first run holds the lock")

        let (second, seconds) = try faulted(arguments)
        XCTAssertEqual(second.status, 3, second.stderr)
        XCTAssertEqual(
            second.stderr,
            "conform: another conform run (pid \(first.child.pid)) holds \(lock.path) and is writing to \(out.path); this one stops without running\n"
        )
        XCTAssertEqual(second.stdout, "", "it ran nothing")
        XCTAssertLessThan(seconds, 5, "refused at once, not after waiting for the first")
        XCTAssertEqual(holder(), "\(first.child.pid)\n", "the refused run left the first one's lock alone")

        let firstOutcome = try finish(first)
        XCTAssertEqual(firstOutcome.status, 3, "libvirt never answered the first run: \(firstOutcome.stdout)")
        XCTAssertEqual(names(out), ["history.jsonl", "results.json", "trend.md"], "one run's reports, no lock")
    }

    func testAStaleLockOfADeadRunIsTakenOver() throws {
        let out = try temporaryDirectory().appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        let ended = try Subprocess("/bin/true", [])
        _ = try ended.finish(within: 30)
        // What a run killed with SIGKILL leaves: its lock file (the kernel released the lock itself) and a
        // report it was writing.
        try "\(ended.pid)\n".write(to: out.appendingPathComponent(".lock"), atomically: false, encoding: .utf8)
        try "{\"sche".write(
            to: out.appendingPathComponent(".results.json.tmp-\(ended.pid)"), atomically: false, encoding: .utf8)
        let (outcome, seconds) = try faulted([
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--layers", "host", "--out", out.path,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertLessThan(seconds, 10, "taken over, not waited for")
        XCTAssertEqual(
            names(out).filter { !$0.hasPrefix("trend-") }, ["history.jsonl"] + reportSet, "no lock and no staging left")
    }

    func testAReadOnlyOutputFolderIsExitCode2NamingThePath() throws {
        let volume = try mountTmpfs("4m")
        let out = volume.appendingPathComponent("out")
        let run = ["run", "--profile", "mac-numa", "--fixture", macNuma, "--layers", "host"]
        XCTAssertEqual(try faulted(run + ["--out", out.path]).outcome.status, 0)
        XCTAssertEqual(try faulted(run, in: volume).outcome.status, 0)
        func snapshot() -> [String: Data] {
            var files: [String: Data] = [:]
            let walker = FileManager.default.enumerator(atPath: volume.path)
            while let relative = walker?.nextObject() as? String {
                files[relative] = FileManager.default.contents(atPath: volume.appendingPathComponent(relative).path)
            }
            return files
        }
        let before = snapshot()
        try system("mount", ["-o", "remount,ro", volume.path])

        let cases: [(arguments: [String], directory: URL?, message: String)] = [
            (
                run + ["--out", out.path], nil,
                "conform: error: \(out.path)/.lock: cannot open the lock file: Read-only file system"
            ),
            (
                run + ["--out", volume.appendingPathComponent("new").path], nil,
                "conform: error: \(volume.path)/new: cannot write: Read-only file system"
            ),
            // The default reports/ of a cron job whose directory went read-only.
            (run, volume, "conform: error: reports/mac-numa/.lock: cannot open the lock file: Read-only file system"),
            (
                run + ["--format", "console", "--prom-file", volume.appendingPathComponent("c.prom").path], nil,
                "'--prom-file' \(volume.path)/c.prom: cannot write: Read-only file system"
            ),
            (
                [
                    "baseline", "capture", "--profile", "mac-numa", "--fixture", macNuma, "--host", "numa-server",
                    "--runs", "1", "--out", volume.appendingPathComponent("b.json").path,
                ], nil, "conform: error: \(volume.path)/b.json: cannot write: Read-only file system"
            ),
        ]
        for testCase in cases {
            let (outcome, seconds) = try faulted(testCase.arguments, in: testCase.directory)
            XCTAssertEqual(outcome.status, 2, "\(testCase.arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains(testCase.message), outcome.stderr)
            XCTAssertEqual(outcome.stdout, "", "nothing ran: \(testCase.arguments)")
            XCTAssertLessThan(seconds, 10)
        }
        XCTAssertEqual(snapshot(), before, "the previous reports are as they were")
        assertWhole(volume.appendingPathComponent("reports/mac-numa/latest"), pictures: false)
    }

    // MARK: inputs

    /// A sysfs file that cannot be read: root reads through any mode bits, so a directory stands where the
    /// file should be; and, as an unprivileged user (setpriv), a file of mode 000.
    func testAnUnreadableSysfsFileIsExitCode3NamingIt() throws {
        let parent = try temporaryDirectory()
        let fixture = parent.appendingPathComponent("single-numa")
        try FileManager.default.copyItem(
            atPath: repositoryRoot.appendingPathComponent("fixtures/single-numa").path, toPath: fixture.path)
        let file = fixture.appendingPathComponent("hosts/numa-server/sysroot/proc/sys/kernel/numa_balancing")
        try FileManager.default.removeItem(at: file)
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
        let arguments = [
            "run", "--profile", "single-numa", "--fixture", fixture.path, "--layers", "host", "--format", "console",
        ]
        let (directory, _) = try faulted(arguments)
        XCTAssertEqual(directory.status, 3, directory.stdout)
        XCTAssertTrue(
            directory.stdout.contains(
                "ERROR  numa-server  host.numa_balancing  cannot read \(file.path): Is a directory"), directory.stdout)

        try requireRoot("running conform as another user")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("setpriv (util-linux) is not installed")
        }
        try FileManager.default.removeItem(at: file)
        try "1\n".write(to: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: file.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: parent.path)
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        let (probe, _) = try faulted(["--version"], wrapper: nobody)
        guard probe.status == 0 else {
            throw XCTSkip("an unprivileged user cannot run \(binary.path) here: \(probe.stderr)")
        }
        let (denied, _) = try faulted(arguments, in: parent, wrapper: nobody)
        XCTAssertEqual(denied.status, 3, denied.stdout + denied.stderr)
        XCTAssertTrue(
            denied.stdout.contains(
                "ERROR  numa-server  host.numa_balancing  cannot read \(file.path): Permission denied"), denied.stdout)
    }

    func testACorruptedBaselineIsExitCode2NamingTheFile() throws {
        let real = try Data(
            contentsOf: repositoryRoot.appendingPathComponent("baselines/mac-numa/numa-server.json"))
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: real) as? [String: Any])
        document["host"] = 42
        let wrongHost = try JSONSerialization.data(withJSONObject: document)
        document["host"] = "numa-server"
        document["measurements"] = "fast"
        let wrongMeasurements = try JSONSerialization.data(withJSONObject: document)
        let cases: [(name: String, bytes: Data, reason: String)] = [
            ("truncated", real.prefix(real.count / 2), "(The given data was not valid JSON.)"),
            ("empty", Data(), "(The given data was not valid JSON.)"),
            ("wrong-host", wrongHost, "(unexpected value at host)"),
            ("wrong-measurements", wrongMeasurements, "(unexpected value at measurements)"),
        ]
        let directory = try temporaryDirectory()
        for testCase in cases {
            let file = directory.appendingPathComponent("\(testCase.name).json")
            try testCase.bytes.write(to: file)
            let out = directory.appendingPathComponent("out-\(testCase.name)")
            let (outcome, _) = try faulted([
                "run", "--profile", "mac-numa", "--fixture", macNuma, "--baseline", file.path, "--out", out.path,
            ])
            XCTAssertEqual(outcome.status, 2, "\(testCase.name): \(outcome.stderr)")
            XCTAssertEqual(
                outcome.stderr, "conform: error: \(file.path): not a conform baseline \(testCase.reason)\n",
                testCase.name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(testCase.name): no report folder")
            let (shown, _) = try faulted(["baseline", "show", file.path])
            XCTAssertEqual(shown.status, 2, shown.stderr)
            XCTAssertTrue(shown.stderr.hasPrefix("conform: error: \(file.path): "), shown.stderr)
        }
    }

    func testAVMDefinitionThatIsADirectoryOrALoopingLinkIsExitCode2NamingIt() throws {
        let directory = try temporaryDirectory()
        let profile = directory.appendingPathComponent("single-numa.yaml")
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("checks/single-numa.yaml"), to: profile)
        let vms = directory.appendingPathComponent("vms/single-numa")
        try FileManager.default.createDirectory(
            at: vms.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("checks/vms/single-numa"), to: vms)
        let definition = vms.appendingPathComponent("k3s-worker-data.json")
        try FileManager.default.removeItem(at: definition)
        let out = directory.appendingPathComponent("out")
        let commands = [
            ["lint", "--profile", profile.path],
            [
                "run", "--profile", profile.path, "--fixture",
                repositoryRoot.appendingPathComponent("fixtures/single-numa").path,
            ],
        ].map { $0 + ["--out", out.path] }

        try FileManager.default.createDirectory(at: definition, withIntermediateDirectories: false)
        for command in commands {
            let (outcome, _) = try faulted(command)
            XCTAssertEqual(outcome.status, 2, outcome.stderr)
            XCTAssertEqual(
                outcome.stderr, "conform: error: \(definition.path): cannot read the file: Is a directory\n")
        }
        try FileManager.default.removeItem(at: definition)
        try FileManager.default.createSymbolicLink(atPath: definition.path, withDestinationPath: "k3s-worker-data.link")
        try FileManager.default.createSymbolicLink(
            atPath: vms.appendingPathComponent("k3s-worker-data.link").path,
            withDestinationPath: "k3s-worker-data.json")
        for command in commands {
            let (outcome, _) = try faulted(command)
            XCTAssertEqual(outcome.status, 2, outcome.stderr)
            XCTAssertTrue(outcome.stderr.hasPrefix("conform: error: \(profile.path):"), outcome.stderr)
            XCTAssertTrue(
                outcome.stderr.hasSuffix(
                    ": vm_definitions[1]: VM definition file 'vms/single-numa/k3s-worker-data.json' cannot be opened: Too many levels of symbolic links (looked at \(definition.path))\n"
                ), outcome.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "refused before any report folder")
    }
}

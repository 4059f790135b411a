import ConformTestSupport
import Foundation
import XCTest

/// Baselines and the nightly run, end to end.
final class NightlyTests: XCTestCase, ConformBinary {
    func fixtureCopy(_ profile: String) throws -> URL {
        let copy = try temporaryDirectory().appendingPathComponent(profile)
        try FileManager.default.copyItem(
            atPath: repositoryRoot.appendingPathComponent("fixtures/\(profile)").path, toPath: copy.path)
        return copy
    }

    /// A copy of the mac-numa fixture to change, and a baseline of its numa-server taken over `runs` runs.
    func fixtureWithBaseline(runs: Int) throws -> (fixture: URL, baseline: String) {
        let fixture = try fixtureCopy("mac-numa")
        let baseline = try temporaryDirectory().appendingPathComponent("numa-server.json").path
        let captured = try conform([
            "baseline", "capture", "--profile", "mac-numa", "--fixture", fixture.path, "--host", "numa-server",
            "--runs", "\(runs)", "--out", baseline,
        ])
        XCTAssertEqual(captured.status, 0, captured.stderr)
        return (fixture, baseline)
    }

    func testCaptureThenCompareRoundTripAndTHPDrift() throws {
        let work = try temporaryDirectory()
        let (fixture, baseline) = try fixtureWithBaseline(runs: 2)
        let arguments = [
            "run", "--profile", "mac-numa", "--fixture", fixture.path, "--baseline", baseline, "--layers",
            "host,hypervisor", "--format", "console",
        ]
        let same = try conform(arguments, in: work)
        let baselineLines = same.stdout.split(separator: "\n").filter { $0.contains(" baseline.") }
        XCTAssertEqual(baselineLines.count, 6, same.stdout)
        XCTAssertTrue(baselineLines.allSatisfy { $0.hasPrefix("PASS") }, same.stdout)

        try "always [madvise] never\n".write(
            to: fixture.appendingPathComponent("hosts/numa-server/sysroot/sys/kernel/mm/transparent_hugepage/enabled"),
            atomically: true, encoding: .utf8)
        let drifted = try conform(arguments, in: work)
        XCTAssertEqual(drifted.status, 1)
        XCTAssertTrue(
            drifted.stdout.contains(
                "FAIL   numa-server  baseline.fact.host.thp.enabled  changed since the baseline of "), drifted.stdout)
        XCTAssertTrue(drifted.stdout.contains(": always → madvise (expected always, observed madvise)"), drifted.stdout)
        let diff = try conform(["baseline", "show", baseline])
        XCTAssertTrue(diff.stdout.contains("host.thp.enabled: always"))
    }

    func testARelabelledNodeIsClusterDrift() throws {
        let work = try temporaryDirectory()
        let (fixture, baseline) = try fixtureWithBaseline(runs: 1)
        // Someone relabels a worker by hand: kubectl label node k3s-slm-worker-1 workload=batch --overwrite.
        let nodesFile = fixture.appendingPathComponent("cluster/nodes.json")
        var nodes = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: nodesFile)) as? [String: Any])
        var items = try XCTUnwrap(nodes["items"] as? [[String: Any]])
        let index = try XCTUnwrap(
            items.firstIndex { ($0["metadata"] as? [String: Any])?["name"] as? String == "k3s-slm-worker-1" })
        var metadata = try XCTUnwrap(items[index]["metadata"] as? [String: Any])
        var labels = try XCTUnwrap(metadata["labels"] as? [String: String])
        labels["workload"] = "batch"
        metadata["labels"] = labels
        items[index]["metadata"] = metadata
        nodes["items"] = items
        try JSONSerialization.data(withJSONObject: nodes).write(to: nodesFile)

        // The cluster layer alone: no host is probed, the baseline's cluster facts are compared.
        let drifted = try conform(
            [
                "run", "--profile", "mac-numa", "--fixture", fixture.path, "--baseline", baseline, "--layers",
                "cluster", "--format", "console",
            ], in: work)
        XCTAssertEqual(drifted.status, 1)
        let line = drifted.stdout.split(separator: "\n").first {
            $0.contains("baseline.fact.k8s.node.labels[k3s-slm-worker-1]")
        }
        XCTAssertTrue(line?.hasPrefix("FAIL   cluster  ") ?? false, drifted.stdout)
        XCTAssertTrue(
            line?.contains("numa-node=0, role=worker, workload=slm → workload=batch") ?? false, drifted.stdout)
        XCTAssertFalse(
            drifted.stdout.contains("baseline.fact.host."), "host facts were not looked at, so they did not drift")
        XCTAssertFalse(drifted.stdout.contains("baseline.host."), "nor were the host's measurements")
        XCTAssertTrue(
            drifted.stdout.contains("PASS   cluster  baseline.k8s.k3s-slm-worker-1.cpu.requests-ratio "), drifted.stdout
        )
    }

    func testTheCheckedInBaselinesMatchTheirFixtures() throws {
        for profile in profileNames {
            let hosts = try FileManager.default.contentsOfDirectory(
                atPath: repositoryRoot.appendingPathComponent("fixtures/\(profile)/hosts").path)
            for host in hosts {
                let file = repositoryRoot.appendingPathComponent("baselines/\(profile)/\(host).json").path
                XCTAssertTrue(FileManager.default.fileExists(atPath: file), file)
                let outcome = try conform([
                    "run", "--profile", profile, "--fixture",
                    repositoryRoot.appendingPathComponent("fixtures/\(profile)").path, "--host", host,
                    "--baseline", file, "--layers", "host,hypervisor", "--format", "console", "--out",
                    temporaryDirectory().path,
                ])
                let lines = outcome.stdout.split(separator: "\n").filter { $0.contains(" baseline.") }
                XCTAssertFalse(lines.isEmpty, "\(profile)/\(host): every fixture host has measurements")
                XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("PASS") }, "\(profile)/\(host): \(outcome.stdout)")
            }
        }
    }

    func testABaselineOfAnotherProfileIsRefused() throws {
        let other = repositoryRoot.appendingPathComponent("baselines/single-numa/numa-server.json").path
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture",
            repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--host", "numa-server", "--baseline",
            other, "--format", "console",
        ])
        XCTAssertEqual(outcome.status, 2, outcome.stdout)
        XCTAssertTrue(
            outcome.stderr.hasPrefix(
                "conform: error: \(other): profile: the baseline was taken with profile 'single-numa'; this run checks 'mac-numa'"
            ), outcome.stderr)
        XCTAssertEqual(outcome.stdout, "", "nothing ran")
    }

    func testAnUnwritableOutputIsExitCode2NamingThePathTheUserGave() throws {
        // Nothing can be created in /proc, not even by root.
        let fixture = repositoryRoot.appendingPathComponent("fixtures/mac-numa").path
        let cases: [([String], String)] = [
            (
                ["run", "--profile", "mac-numa", "--fixture", fixture, "--out", "/proc/conform-out"],
                "/proc/conform-out"
            ),
            (
                [
                    "run", "--profile", "mac-numa", "--fixture", fixture, "--layers", "host", "--prom-file",
                    "/proc/c.prom",
                ],
                "/proc/c.prom"
            ),
            (
                [
                    "baseline", "capture", "--profile", "mac-numa", "--fixture", fixture, "--host", "numa-server",
                    "--runs", "1", "--out", "/proc/b.json",
                ], "/proc/b.json"
            ),
        ]
        for (arguments, path) in cases {
            let outcome = try conform(arguments, in: try temporaryDirectory())
            XCTAssertEqual(outcome.status, 2, outcome.stderr)
            XCTAssertTrue(outcome.stderr.hasPrefix("conform: error: \(path): cannot write: "), outcome.stderr)
            XCTAssertFalse(outcome.stderr.contains("NSCocoaErrorDomain"), outcome.stderr)
        }
    }

    func testACorruptBaselineIsExitCode2NamingTheFile() throws {
        let file = try temporaryDirectory().appendingPathComponent("broken.json")
        try "{\"schema\": ".write(to: file, atomically: true, encoding: .utf8)
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture",
            repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--baseline", file.path,
        ])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.hasPrefix("conform: error: \(file.path): not a conform baseline"), outcome.stderr)
    }

    func testASecondRunOnTheSameReportsIsRefused() throws {
        let work = try temporaryDirectory()
        let out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // Another run holds the lock (util-linux flock, as a second conform process would).
        let holder = try start("/usr/bin/flock", [out.appendingPathComponent(".lock").path, "sleep", "3"])
        Thread.sleep(forTimeInterval: 0.3)
        let refused = try conform([
            "run", "--profile", "mac-numa", "--fixture",
            repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--out", out.path,
        ])
        XCTAssertEqual(refused.status, 3)
        XCTAssertTrue(
            refused.stderr.contains("is writing to \(out.path); this one stops without running"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("results.json").path))
        _ = try holder.finish(within: 30)  // the other run ends and lets go
        let later = try conform([
            "run", "--profile", "mac-numa", "--fixture",
            repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--out", out.path, "--quiet", "--layers",
            "host",
        ])
        XCTAssertEqual(later.status, 0, later.stderr)
    }

    func testAKilledRunLeavesNoHalfWrittenReportAndTheNextOneWorks() throws {
        let work = try temporaryDirectory()
        // A cluster whose API server never answers keeps the run busy until it is killed.
        let portFile = work.appendingPathComponent("port")
        _ = try start(
            "python3",
            [
                repositoryRoot.appendingPathComponent("scripts/fake-apiserver.py").path, "--hang", "--port-file",
                portFile.path,
            ])
        let port = try port(writtenTo: portFile)
        let kubeconfig = work.appendingPathComponent("kubeconfig")
        try """
        apiVersion: v1
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:\(port)", insecure-skip-tls-verify: true}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        users: [{name: u, user: {token: t}}]
        """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        let run = try Subprocess(
            binary.path,
            [
                "run", "--profile", "mac-numa", "--layers", "cluster", "--kubeconfig", kubeconfig.path,
                "--kube-timeout", "60",
            ], in: work.path, environment: environment)
        Thread.sleep(forTimeInterval: 1)
        run.send(SIGKILL)
        XCTAssertEqual(try run.finish(within: 30).status, 128 + SIGKILL)
        let reports = work.appendingPathComponent("reports/mac-numa")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: reports.path)) ?? []
        XCTAssertEqual(entries.filter { $0 != ".lock" }, [], "no report folder, no latest link, no temporary file")
        let next = try conform(
            [
                "run", "--profile", "mac-numa", "--fixture",
                repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--layers", "host", "--quiet",
            ], in: work)
        XCTAssertEqual(next.status, 0, "the kernel released the killed run's lock: \(next.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: reports.appendingPathComponent("latest").path)
            .sorted()
        XCTAssertEqual(
            written.filter { !$0.hasPrefix("trend-") },
            ["junit.xml", "report.html", "results.json", "summary.md", "trend.md"],
            "the reports, and a trend chart per measurement beside trend.md")
        let trend = try String(
            contentsOf: reports.appendingPathComponent("latest/trend.md"), encoding: .utf8)
        let charts = written.filter { $0.hasPrefix("trend-") }
        XCTAssertFalse(charts.isEmpty, "the fixture's hosts measure their nodes' memory")
        for chart in charts { XCTAssertTrue(trend.contains("](\(chart))"), "\(chart) linked from trend.md:\n\(trend)") }
    }

    /// node_exporter's textfile collector drops a file with a series twice, and a baseline keys facts by
    /// (host, id, subject): every result of every fixture must be unique, and the file must parse.
    func testEveryResultIsOneSeriesAndThePromFileParses() throws {
        for profile in profileNames {
            let out = try temporaryDirectory()
            _ = try conform([
                "run", "--profile", profile, "--fixture",
                repositoryRoot.appendingPathComponent("fixtures/\(profile)").path, "--format", "json,prom", "--out",
                out.path,
            ])
            let document =
                try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json")))
                as? [String: Any]
            let names = (document?["results"] as? [[String: Any]] ?? []).map {
                "\($0["host"] ?? "") \($0["id"] ?? "") \($0["subject"] as? String ?? "")"
            }
            XCTAssertGreaterThan(names.count, 20, profile)
            let repeated = Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            XCTAssertEqual(repeated, [], "\(profile): results named twice")

            let prom = out.appendingPathComponent("metrics.prom").path
            let series = try String(contentsOfFile: prom, encoding: .utf8).split(separator: "\n").filter {
                !$0.hasPrefix("#")
            }.map { $0.split(separator: " ").dropLast().joined(separator: " ") }
            XCTAssertEqual(Set(series).count, series.count, "\(profile): a series appears twice in \(prom)")
            let parsed = try shell(
                "python3 -c 'import sys; from prometheus_client.parser import text_string_to_metric_families as p; "
                    + "print(sum(len(f.samples) for f in p(open(sys.argv[1]).read())))' \(prom)")
            XCTAssertEqual(parsed.status, 0, parsed.stderr)
            XCTAssertEqual(Int(parsed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), series.count, profile)
        }
    }

    func testPrometheusFileAndRetention() throws {
        let work = try temporaryDirectory()
        let prom = work.appendingPathComponent("conform.prom")
        for _ in 0..<3 {
            let outcome = try conform(
                [
                    "run", "--profile", "mac-numa", "--fixture",
                    repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--layers", "host",
                    "--quiet", "--keep", "2", "--prom-file", prom.path,
                ], in: work)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            Thread.sleep(forTimeInterval: 1.1)
        }
        let folders = try FileManager.default.contentsOfDirectory(
            atPath: work.appendingPathComponent("reports/mac-numa").path
        ).filter { $0.hasPrefix("20") }
        XCTAssertEqual(folders.count, 2, "--keep 2")
        let text = try String(contentsOf: prom, encoding: .utf8)
        XCTAssertTrue(text.contains(#"conform_results{profile="mac-numa",status="fail"} 0"#), text)
        let history = try String(
            contentsOf: work.appendingPathComponent("reports/mac-numa/history.jsonl"), encoding: .utf8)
        XCTAssertEqual(history.split(separator: "\n").count, 3)
    }

    /// A run's metrics pushed to a real VictoriaMetrics are all stored, as written, and read back over its API
    /// with the labels and values of the run's JSON report.
    func testMetricsArePushedToVictoriaMetricsAndReadBack() throws {
        let server = try startVictoriaMetrics()
        let work = try temporaryDirectory()
        // numa-server's THP drifted, so that one result fails and its status is not the one every result has.
        let fixture = try fixtureCopy("mac-numa")
        try "always [madvise] never\n".write(
            to: fixture.appendingPathComponent("hosts/numa-server/sysroot/sys/kernel/mm/transparent_hugepage/enabled"),
            atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("out")
        let pushURL = server.url.appendingPathComponent("api/v1/import/prometheus").absoluteString
        let before = Date()
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture.path, "--layers", "host", "--quiet", "--format",
            "json,prom", "--out", out.path, "--push-url", pushURL,
        ])
        let after = Date()
        XCTAssertEqual(outcome.status, 1, "the THP drift fails: " + outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("pushing metrics"), outcome.stderr)

        // What was pushed is what metrics.prom holds: the same reporter, the same report.
        let sent = try String(contentsOf: out.appendingPathComponent("metrics.prom"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        let document = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json")))
                as? [String: Any])
        let results = try XCTUnwrap(document["results"] as? [[String: Any]])

        // Imported samples become searchable within a second or two (an instant query at the current time sees
        // a sample of the last second only a second later, even flushed); look again until all are there.
        var stored: [[String: Any]] = []
        var statuses: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(30)
        repeat {
            try server.flush()
            stored = try server.export(#"{__name__=~"conform_.*"}"#)
            statuses = try server.query(#"conform_check_status{profile="mac-numa"}"#)
            if stored.count >= sent.count && statuses.count >= results.count { break }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        XCTAssertEqual(stored.count, sent.count, "one series per line conform sent\n" + server.log)

        // Every line was taken as conform wrote it: none rejected, none dropped, nothing logged against them.
        XCTAssertEqual(try server.ownMetric(#"vm_rows_inserted_total{type="prometheus"}"#), Double(sent.count))
        XCTAssertEqual(try server.ownMetric(#"vm_rows_invalid_total{type="prometheus"}"#), 0)
        XCTAssertEqual(try server.ownMetric(#"vm_protoparser_read_errors_total{type="prometheus"}"#), 0)
        let complaints = server.log.split(separator: "\n").filter {
            $0.contains("\twarn\t") || $0.contains("\terror\t")
        }
        XCTAssertEqual(complaints, [], server.log)
        // conform's text carries no timestamps (node_exporter's textfile collector refuses them): each sample is
        // stamped by the server when it arrives, during the run.
        for series in stored {
            let timestamps = try XCTUnwrap(series["timestamps"] as? [Double], "\(series)")
            XCTAssertEqual(timestamps.count, 1, "one sample per series: \(series)")
            let stamped = Date(timeIntervalSince1970: (timestamps.first ?? 0) / 1000)
            XCTAssertTrue(
                stamped >= before.addingTimeInterval(-1) && stamped <= after.addingTimeInterval(1),
                "\(stamped) is not within the run (\(before) to \(after))")
        }

        // One conform_check_status series per result, with the status the JSON report gives it.
        func key(_ labels: [String: Any]) -> String {
            "\(labels["host"] as? String ?? "") \(labels["id"] as? String ?? "") \(labels["subject"] as? String ?? "")"
        }
        XCTAssertEqual(statuses.count, results.count, "one series per result")
        let storedStatus = Dictionary(
            statuses.map {
                (
                    key($0["metric"] as? [String: Any] ?? [:]),
                    ($0["metric"] as? [String: Any])?["status"] as? String ?? ""
                )
            },
            uniquingKeysWith: { first, _ in first })
        let reportedStatus = Dictionary(
            results.map { (key($0), $0["status"] as? String ?? "") }, uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(storedStatus, reportedStatus)
        XCTAssertTrue(statuses.allSatisfy { ($0["value"] as? [Any])?.last as? String == "1" }, "\(statuses)")
        let thp = try server.query(#"conform_check_status{host="numa-server",id="host.thp.enabled"}"#)
        XCTAssertEqual(thp.count, 1, "\(thp)")
        let thpLabels = try XCTUnwrap(thp.first?["metric"] as? [String: Any])
        XCTAssertEqual(thpLabels["status"] as? String, "fail")
        XCTAssertEqual(thpLabels["severity"] as? String, "major")
        XCTAssertEqual(thpLabels["layer"] as? String, "host")

        // The summary and a measurement, to the last digit.
        let summary = try XCTUnwrap(document["summary"] as? [String: Int])
        let counts = try server.query(#"conform_results{profile="mac-numa"}"#)
        XCTAssertEqual(
            Dictionary(
                counts.map {
                    (
                        ($0["metric"] as? [String: Any])?["status"] as? String ?? "",
                        Int(($0["value"] as? [Any])?.last as? String ?? "") ?? -1
                    )
                }, uniquingKeysWith: { first, _ in first }),
            summary)
        XCTAssertEqual(summary["fail"], 1)
        let memory = try XCTUnwrap(
            results.lazy.filter { $0["host"] as? String == "numa-server" }.compactMap {
                ($0["measurements"] as? [[String: Any]])?.first { $0["name"] as? String == "host.node0.memory" }
            }.first)
        let node0 = try server.query(
            #"conform_measurement{profile="mac-numa",host="numa-server",name="host.node0.memory",unit="GiB"}"#)
        XCTAssertEqual(node0.count, 1, "\(node0)")
        // VictoriaMetrics keeps about 12 significant digits of a value (its FAQ: "VM may reduce precision for float
        // values with more than 12 significant decimal digits"): 125.74764633178715 GiB comes back as 125.7476463317.
        let reported = try XCTUnwrap(memory["value"] as? Double)
        let readBack = try XCTUnwrap(Double((node0.first?["value"] as? [Any])?.last as? String ?? ""), "\(node0)")
        XCTAssertEqual(readBack, reported, accuracy: abs(reported) * 1e-11, "the value the report has")
        let started = try XCTUnwrap(ISO8601DateFormatter().date(from: document["started"] as? String ?? ""))
        let lastRun = try server.query(#"conform_last_run_timestamp_seconds{profile="mac-numa"}"#)
        XCTAssertEqual(
            Double((lastRun.first?["value"] as? [Any])?.last as? String ?? ""), started.timeIntervalSince1970)
    }

    /// A push a real server refuses (wrong password: HTTP 401) is logged with the URL's password and token masked;
    /// with the right password in the URL the same server takes it.
    func testAPushTheServerRefusesIsLoggedWithoutItsCredentials() throws {
        let server = try startVictoriaMetrics(arguments: [
            "-httpAuth.username=pusher", "-httpAuth.password=PushPassw0rd",
        ])
        let work = try temporaryDirectory()
        func push(password: String) throws -> Outcome {
            try conform([
                "run", "--profile", "mac-numa", "--fixture",
                repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--layers", "host", "--quiet",
                "--out", work.appendingPathComponent("out-\(password)").path, "--push-url",
                "http://pusher:\(password)@127.0.0.1:\(server.port)/api/v1/import/prometheus?token=PushQueryT0ken",
            ])
        }
        let refused = try push(password: "WrongPassw0rd")
        XCTAssertEqual(refused.status, 0, "a failed push does not change the exit code: " + refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains(
                "pushing metrics to http://pusher:***@127.0.0.1:\(server.port)/api/v1/import/prometheus?token=*** failed: HTTP 401"
            ), refused.stderr)
        for secret in ["WrongPassw0rd", "PushQueryT0ken"] {
            XCTAssertFalse(refused.stderr.contains(secret) || refused.stdout.contains(secret), secret)
        }

        let taken = try push(password: "PushPassw0rd")
        XCTAssertEqual(taken.status, 0, taken.stderr)
        XCTAssertEqual(taken.stderr, "", "nothing to say about a push that worked")
        // Its counters move a moment after the request has been answered.
        var inserted = 0.0
        let deadline = Date().addingTimeInterval(10)
        while inserted == 0 && Date() < deadline {
            inserted = try server.ownMetric(#"vm_rows_inserted_total{type="prometheus"}"#) ?? 0
            if inserted == 0 { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertGreaterThan(inserted, 0, "the push with the right password was stored\n" + server.log)
    }

    func testAFailedPushIsLoggedAndANonHTTPURLIsRefused() throws {
        let work = try temporaryDirectory()
        // A push that fails is logged and does not change the run's exit code; a URL that is not http(s) is
        // refused before anything runs.
        let arguments = [
            "run", "--profile", "mac-numa", "--fixture",
            repositoryRoot.appendingPathComponent("fixtures/mac-numa").path,
            "--layers", "host", "--quiet", "--out", work.appendingPathComponent("out2").path, "--push-url",
        ]
        let refused = try conform(arguments + ["http://127.0.0.1:1/api/v1/import/prometheus"])
        XCTAssertEqual(refused.status, 0, refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains("pushing metrics to http://127.0.0.1:1/api/v1/import/prometheus failed"),
            refused.stderr)
        let notHTTP = try conform(arguments + ["ftp://127.0.0.1/x"])
        XCTAssertEqual(notHTTP.status, 2)
        XCTAssertTrue(notHTTP.stderr.contains("'--push-url' must be an http(s) URL"), notHTTP.stderr)
        XCTAssertEqual(notHTTP.stdout, "", "nothing ran")
    }
}

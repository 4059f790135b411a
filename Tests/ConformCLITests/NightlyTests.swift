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
        XCTAssertEqual(written, ["junit.xml", "results.json", "summary.md", "trend.md"])
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

    func testMetricsArePushedToAnImportURL() throws {
        let work = try temporaryDirectory()
        let (server, port, received) = try startImportEndpoint(in: work)
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture",
            repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, "--layers", "host",
            "--quiet", "--out", work.appendingPathComponent("out").path, "--push-url",
            "http://127.0.0.1:\(port)/api/v1/import/prometheus",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(try server.finish(within: 30).status, 0, "the import endpoint got its one request")
        let body = try String(contentsOf: received, encoding: .utf8)
        XCTAssertTrue(body.hasPrefix("/api/v1/import/prometheus\n# HELP conform_check_status"), body)
        XCTAssertTrue(
            body.contains(
                #"conform_measurement{profile="mac-numa",host="numa-server",name="host.node0.memory",unit="GiB"}"#))

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

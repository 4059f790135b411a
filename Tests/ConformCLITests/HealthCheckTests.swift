import ConformTestSupport
import Foundation
import XCTest

/// `conform run` asks a profile's health endpoints of real servers on loopback (scripts/health-servers.py):
/// healthy ones pass, a 503, a NOT_SERVING gRPC server and an address nothing answers at fail with their URL,
/// while the API server does not answer, and a password in a URL shows nowhere. Without any kubeconfig they are
/// skipped with the rest of the cluster layer (CLITests).
final class HealthCheckTests: XCTestCase, ConformBinary {
    func testARunAsksEveryHealthEndpointAndFailsTheUnhealthyOnes() throws {
        let work = try temporaryDirectory()
        let ports = try startHealthServers(repository: repositoryRoot)
        func at(_ server: String) -> String { "127.0.0.1:\(ports[server] ?? 0)" }
        // VictoriaMetrics itself (Debian's victoria-metrics): its /health, as the design's NodePort 30828 serves it.
        let victoriaMetrics = try startVictoriaMetrics()
        let profile = work.appendingPathComponent("health.yaml")
        try """
        profile: health
        hosts: {h: {}}
        cluster:
          health:
            victoriametrics: {url: "http://127.0.0.1:\(victoriaMetrics.port)/health", body_contains: OK}
            victorialogs: {url: "http://\(at("http"))/health", body_contains: OK}
            minio-live: {url: "http://conform:s3cr3t-pass@\(at("http"))/minio/health/live"}
            minio-ready: {url: "http://\(at("http"))/minio/health/ready"}
            temporal-frontend: {url: "grpc://\(at("grpc"))"}
            temporal-draining: {url: "grpc://\(at("grpcNotServing"))"}
            temporal-port: {url: "tcp://\(at("tcp"))"}
            gone: {url: "http://conform:s3cr3t-pass@127.0.0.1:1/health"}
        """.write(to: profile, atomically: true, encoding: .utf8)
        // The health endpoints are asked once a kubeconfig is read, even when its API server does not answer
        // (as here: nothing listens at port 1).
        let kubeconfig = work.appendingPathComponent("kubeconfig")
        try """
        apiVersion: v1
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        users: [{name: u, user: {token: abcdefgh}}]
        """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = work.path
        environment["KUBECONFIG"] = kubeconfig.path
        let out = work.appendingPathComponent("out")
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
        let outcome = try run(
            binary,
            [
                "run", "--profile", profile.path, "--sysroot", sysroot, "--host", "h", "--only", "k8s.service.health",
                "--kube-timeout", "5", "--out", out.path, "--format", "json,junit,markdown,console",
            ], environment: environment, within: 120)
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)

        struct Report: Decodable {
            struct Result: Decodable {
                var id: String
                var subject: String?
                var status: String
                var message: String
            }
            var results: [Result]
        }
        let report = try JSONDecoder().decode(
            Report.self, from: Data(contentsOf: out.appendingPathComponent("results.json")))
        XCTAssertEqual(report.results.count, 8, "one result per endpoint")
        let statuses = Dictionary(report.results.map { ($0.subject ?? "", $0.status) }) { first, _ in first }
        XCTAssertEqual(
            statuses,
            [
                "victoriametrics": "pass", "victorialogs": "pass", "minio-live": "pass", "minio-ready": "fail",
                "temporal-frontend": "pass",
                "temporal-draining": "fail", "temporal-port": "pass", "gone": "fail",
            ])
        // Stopped, the same VictoriaMetrics fails: the check is not passing whatever answers.
        victoriaMetrics.stop()
        let stopped = try run(
            binary,
            [
                "run", "--profile", profile.path, "--sysroot", sysroot, "--host", "h", "--only",
                "k8s.service.health[victoriametrics]", "--kube-timeout", "5", "--format", "console",
                "--out", work.appendingPathComponent("out2").path,
            ], environment: environment, within: 120)
        XCTAssertEqual(stopped.status, 1, stopped.stdout)
        XCTAssertTrue(
            stopped.stdout.contains("FAIL   cluster  k8s.service.health[victoriametrics]"), stopped.stdout)
        let gone = try XCTUnwrap(report.results.first { $0.subject == "gone" })
        XCTAssertTrue(gone.message.hasPrefix("http://conform:***@127.0.0.1:1/health: no answer: "), gone.message)
        // The password is in no report, nor in what the run printed.
        for file in try FileManager.default.contentsOfDirectory(atPath: out.path) {
            let text = (try? String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)) ?? ""
            XCTAssertFalse(text.contains("s3cr3t-pass"), file)
        }
        XCTAssertFalse((outcome.stdout + outcome.stderr).contains("s3cr3t-pass"))
    }
}

import ConformCore
import ConformTestSupport
import Foundation
import XCTest

@testable import ClusterLayer

/// The health probe against real servers on loopback (scripts/health-servers.py: Python's HTTP server, a TCP
/// listener, grpcio's gRPC servers): each kind of endpoint, healthy and not, through libcurl as a run asks it.
final class HealthProbeTests: XCTestCase {
    var ports: [String: Int] = [:]

    override func setUpWithError() throws {
        ports = try startHealthServers(repository: repositoryRoot)
    }

    func url(_ scheme: String, _ server: String, _ path: String = "") -> String {
        "\(scheme)://127.0.0.1:\(ports[server] ?? 0)\(path)"
    }

    func answer(_ kind: HealthEndpoint.Kind, _ url: String, timeout: Double = 5) -> HealthAnswer {
        HealthProbe.answers([HealthEndpoint(name: "e", url: url, kind: kind)], timeout: timeout)[0]
    }

    func testHTTPEndpointsAnswerWithTheirStatusAndBody() {
        let ok = answer(.http, url("http", "http", "/health"))
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.body, "OK")
        XCTAssertNil(ok.error)
        let notReady = answer(.http, url("http", "http", "/minio/health/ready"))
        XCTAssertEqual(notReady.status, 503)
        let endpoint = HealthEndpoint(name: "minio-ready", url: url("http", "http", "/minio/health/ready"), kind: .http)
        let finding = ServiceChecks.judge(endpoint, notReady)
        XCTAssertEqual(finding.status, .fail)
        XCTAssertEqual(finding.message, "\(endpoint.url): answers HTTP 503, healthy is HTTP 2xx")
        XCTAssertEqual(
            ServiceChecks.judge(endpoint, answer(.http, url("http", "http", "/minio/health/live"))).status, .pass)
    }

    func testAnUnreachableOrSlowEndpointIsAnAnswerThatSaysWhy() {
        // A port nothing listens on: the health servers' own, once they are stopped, would race; port 1 is refused.
        let refused = answer(.http, "http://127.0.0.1:1/health")
        XCTAssertNil(refused.status)
        XCTAssertTrue(refused.error?.contains("onnect") ?? false, "\(refused)")
        let started = Date()
        let slow = answer(.http, url("http", "http", "/slow"), timeout: 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the time limit holds")
        XCTAssertTrue(slow.error?.lowercased().contains("timeout") ?? false, "\(slow)")
        XCTAssertEqual(
            ServiceChecks.judge(HealthEndpoint(name: "s", url: slow.url, kind: .http), slow).status, .fail)
    }

    func testTCPEndpointsConnectOrNot() {
        XCTAssertEqual(answer(.tcp, url("tcp", "tcp")).connected, true)
        let refused = answer(.tcp, "tcp://127.0.0.1:1")
        XCTAssertNil(refused.connected)
        XCTAssertNotNil(refused.error)
    }

    func testGRPCHealthChecks() {
        let serving = answer(.grpc, url("grpc", "grpc"))
        XCTAssertEqual(serving.serving, "SERVING", "\(serving)")
        XCTAssertEqual(serving.grpcStatus, 0)
        XCTAssertNil(serving.error)
        let notServing = answer(.grpc, url("grpc", "grpcNotServing"))
        XCTAssertEqual(notServing.serving, "NOT_SERVING", "\(notServing)")
        let endpoint = HealthEndpoint(name: "temporal-frontend", url: url("grpc", "grpcNotServing"), kind: .grpc)
        XCTAssertEqual(ServiceChecks.judge(endpoint, notServing).status, .fail)
        // A gRPC server without the health service: UNIMPLEMENTED, said as such. It may answer before it has read
        // the request and reset the stream, which libcurl 7.88 then reports as an HTTP/2 stream error without
        // the answer (about 1 run in 10 here): either way it fails, and says why.
        let none = answer(.grpc, url("grpc", "grpcNoHealth"))
        XCTAssertNotEqual(none.serving, "SERVING")
        XCTAssertTrue(
            (none.grpcStatus == 12 && none.error?.contains("UNIMPLEMENTED") ?? false)
                || (none.error?.contains("HTTP/2") ?? false), "\(none)")
        XCTAssertEqual(
            ServiceChecks.judge(HealthEndpoint(name: "n", url: none.url, kind: .grpc), none).status, .fail)
        // A named service: Temporal's frontend is known, another is NOT_FOUND, said as such.
        let temporal = HealthProbe.answers(
            [
                HealthEndpoint(
                    name: "t", url: url("grpc", "grpc"), kind: .grpc,
                    grpcService: "temporal.api.workflowservice.v1.WorkflowService"),
                HealthEndpoint(name: "u", url: url("grpc", "grpc"), kind: .grpc, grpcService: "no.such.Service"),
            ], timeout: 5)
        XCTAssertEqual(temporal[0].serving, "SERVING", "\(temporal[0])")
        XCTAssertEqual(temporal[1].grpcStatus, 5, "\(temporal[1])")
        XCTAssertTrue(temporal[1].error?.contains("NOT_FOUND") ?? false, "\(temporal[1])")
        XCTAssertEqual(
            [UInt8](HealthProbe.grpcRequest(service: "ab")),
            [0, 0, 0, 0, 4, 0x0A, 2, UInt8(ascii: "a"), UInt8(ascii: "b")])
        XCTAssertEqual(
            [UInt8](HealthProbe.grpcRequest(service: String(repeating: "x", count: 200)).prefix(8)),
            [0, 0, 0, 0, 203, 0x0A, 0xC8, 0x01])
        // An HTTP/1 server is no gRPC server.
        let http = answer(.grpc, url("grpc", "http"))
        XCTAssertNotEqual(http.serving, "SERVING")
        XCTAssertNotNil(http.error, "\(http)")
    }

    func testAnInClusterNameIsReachedAtItsServicesClusterIP() {
        let service = Service(
            metadata: ObjectMeta(name: "victoriametrics", namespace: "monitoring"),
            spec: Service.Spec(type: "NodePort", clusterIP: "127.0.0.1"))
        let name = "http://victoriametrics.monitoring.svc.cluster.local:\(ports["http"] ?? 0)/health"
        let answer = HealthProbe.answers(
            [HealthEndpoint(name: "vm", url: name, kind: .http)], services: .value([service]), timeout: 5)[0]
        XCTAssertEqual(answer.status, 200, "\(answer)")
        XCTAssertEqual(answer.body, "OK")
        XCTAssertEqual(HealthProbe.clusterIP(of: "victoriametrics.monitoring.svc", in: [service]), "127.0.0.1")
        XCTAssertNil(HealthProbe.clusterIP(of: "victoriametrics.monitoring.example.com", in: [service]))
        XCTAssertNil(HealthProbe.clusterIP(of: "other.monitoring.svc.cluster.local", in: [service]))
    }

    func testAnInClusterNameIsNotAskedWhenTheServicesCouldNotBeListed() {
        let endpoint = HealthEndpoint(
            name: "temporal-frontend", url: "grpc://temporal.temporal.svc.cluster.local:7233", kind: .grpc)
        XCTAssertTrue(HealthProbe.needsClusterIP(endpoint))
        XCTAssertFalse(HealthProbe.needsClusterIP(HealthEndpoint(name: "x", url: url("http", "http"), kind: .http)))
        let answer = HealthProbe.answers(
            [endpoint], services: .failed(ProbeError(path: "https://api/api/v1/services", reason: "HTTP 401")),
            timeout: 5)[0]
        XCTAssertEqual(answer.name, "temporal-frontend")
        XCTAssertTrue(answer.unasked?.contains("the Services could not be listed") ?? false, "\(answer)")
        XCTAssertTrue(answer.unasked?.contains("HTTP 401") ?? false, "\(answer)")
    }

    func testTheEnvironmentsProxyIsNotAsked() {
        // A proxy that is not there: were it used, every answer would be an error, and a TCP check through a
        // real one would pass for any address. no_proxy is cleared, so only conform's own setting can bypass it;
        // the environment is restored afterwards.
        let proxies = ["http_proxy", "HTTP_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        let bypasses = ["no_proxy", "NO_PROXY"]
        let saved = (proxies + bypasses).map { ($0, getenv($0).map { String(cString: $0) }) }
        defer {
            for (variable, value) in saved {
                if let value { setenv(variable, value, 1) } else { unsetenv(variable) }
            }
        }
        for variable in proxies { setenv(variable, "http://127.0.0.1:1", 1) }
        for variable in bypasses { unsetenv(variable) }
        XCTAssertEqual(answer(.http, url("http", "http", "/health")).status, 200)
        XCTAssertEqual(answer(.tcp, url("tcp", "tcp")).connected, true)
        XCTAssertEqual(answer(.grpc, url("grpc", "grpc")).serving, "SERVING")
    }

    func testALargeBodyIsNotReadToItsEnd() {
        // /big never ends: only a transfer that stops at the limit answers without an error (else: a timeout).
        let started = Date()
        let big = answer(.http, url("http", "http", "/big"), timeout: 3)
        XCTAssertEqual(big.status, 200, "\(big)")
        XCTAssertNil(big.error, "\(big)")
        XCTAssertEqual(big.body?.utf8.count, HealthProbe.bodyLimit)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
    }

    func testGRPCAnswersAreReadFromTheirTrailersAndBody() {
        // A trailers-only answer (no message), as a server without the method sends it, percent-encoded message.
        let unimplemented = HealthProbe.grpcAnswer(
            status: 200, body: Data(),
            headers: ["HTTP/2 200", "grpc-status: 12", "grpc-message: Method%20not%20found"],
            url: "grpc://h:1")
        XCTAssertEqual(unimplemented.grpcStatus, 12)
        XCTAssertNil(unimplemented.serving)
        XCTAssertEqual(
            unimplemented.error, "grpc-status 12 (UNIMPLEMENTED: the server has no health service): Method not found")
        // A message (flag 0, length 2, status 2) and its trailer.
        let draining = HealthProbe.grpcAnswer(
            status: 200, body: Data([0, 0, 0, 0, 2, 0x08, 2]), headers: ["HTTP/2 200", "grpc-status: 0"],
            url: "grpc://h:1")
        XCTAssertEqual(draining.serving, "NOT_SERVING")
        XCTAssertNil(draining.error)
        // Neither: no gRPC server.
        let none = HealthProbe.grpcAnswer(
            status: 200, body: Data("<html>".utf8), headers: ["HTTP/1.1 200 OK"], url: "grpc://h:1")
        XCTAssertEqual(none.error, "HTTP 200 without a gRPC answer: not a gRPC server, or not over h2c")
        XCTAssertEqual(
            ServiceChecks.judge(HealthEndpoint(name: "g", url: "grpc://h:1", kind: .grpc), none).status, .fail)
    }

    func testCredentialsInTheURLNeverShowInTheAnswer() {
        let secret = "http://conform:s3cr3t-pass@127.0.0.1:\(ports["http"] ?? 0)/health"
        let ok = answer(.http, secret)
        XCTAssertEqual(ok.status, 200)
        XCTAssertFalse(ok.url.contains("s3cr3t-pass"), ok.url)
        let refused = answer(.http, "http://conform:s3cr3t-pass@127.0.0.1:1/health?token=t0ken")
        XCTAssertFalse("\(refused)".contains("s3cr3t-pass") || "\(refused)".contains("t0ken"), "\(refused)")
    }
}

import ConformCore
import ConformTestSupport
import Foundation
import XCTest

@testable import ClusterLayer

/// The Service, endpoint, /readyz and health checks on mac-numa's fixture cluster, as designed and with one
/// thing broken at a time: each breakage fails its check, for its subject, and nothing else.
final class ServiceChecksTests: XCTestCase {
    static let profile = Result {
        try ProfileLoader.load(file: repositoryRoot.appendingPathComponent("checks/mac-numa.yaml").path)
    }
    static let fixture = ClusterProbe.probe(
        fixtureDirectory: repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster").path)
    static let ids = [
        "k8s.service.exists", "k8s.service.ports", "k8s.service.endpoints", "k8s.apiserver.readyz",
        "k8s.service.health",
    ]

    /// `id[subject] status` of every result of the five checks that is not a pass, with the messages.
    func problems(_ facts: ClusterFacts, spec: ClusterSpec? = nil) throws -> [String] {
        let cluster = try spec ?? Self.profile.get().cluster
        return ClusterCatalog.checks(for: cluster, facts: facts).filter { Self.ids.contains($0.metadata.id) }
            .flatMap { check in
                check.evaluate().filter { $0.status != .pass }.map {
                    "\(check.metadata.id)[\($0.subject ?? "")] \($0.status.rawValue): \($0.message)"
                }
            }
    }

    func testTheFixtureAsDesignedPassesEveryServiceCheck() throws {
        XCTAssertEqual(try problems(Self.fixture), [])
        let cluster = try Self.profile.get().cluster
        let results = ClusterCatalog.checks(for: cluster, facts: Self.fixture).filter {
            Self.ids.contains($0.metadata.id)
        }
        .flatMap { $0.evaluate() }
        // Five Services three ways, /readyz, nine health endpoints.
        XCTAssertEqual(results.count, 5 * 3 + 1 + 9)
    }

    func testAChangedNodePortFailsThePortsCheckOfThatServiceOnly() throws {
        var facts = Self.fixture
        facts.services = facts.services.map { services in
            services.map { service in
                var service = service
                if service.name == "minio" { service.spec.ports?[0].nodePort = 30999 }
                return service
            }
        }
        XCTAssertEqual(
            try problems(facts),
            [
                "k8s.service.ports[storage/minio] fail: port 'api': NodePort 30999, designed 30900 (the Service has 9000:30999/TCP, 9001:30901/TCP)"
            ])
    }

    func testAMissingServiceFailsItsExistenceAndSkipsTheRest() throws {
        var facts = Self.fixture
        facts.services = facts.services.map { $0.filter { $0.name != "victoriametrics" } }
        XCTAssertEqual(
            try problems(facts),
            [
                "k8s.service.exists[monitoring/victoriametrics] fail: Service monitoring/victoriametrics is not in the cluster",
                "k8s.service.ports[monitoring/victoriametrics] skip: Service monitoring/victoriametrics is not in the cluster (k8s.service.exists)",
                "k8s.service.endpoints[monitoring/victoriametrics] skip: Service monitoring/victoriametrics is not in the cluster (k8s.service.exists)",
            ])
    }

    func testAServiceOfAnotherTypeOrInAnotherNamespaceFails() throws {
        var facts = Self.fixture
        facts.services = facts.services.map { services in
            services.map { service in
                var service = service
                if service.name == "victorialogs" { service.spec.type = "ClusterIP" }
                if service.name == "temporal" { service.metadata.namespace = "default" }
                return service
            }
        }
        let found = try problems(facts)
        XCTAssertTrue(
            found.contains(
                "k8s.service.exists[monitoring/victorialogs] fail: type ClusterIP, the design has NodePort, cluster IP 10.43.101.11"
            ), "\(found)")
        XCTAssertTrue(
            found.contains(
                "k8s.service.exists[temporal/temporal] fail: Service temporal/temporal is not in the cluster (a Service 'temporal' is in default)"
            ), "\(found)")
    }

    /// The fixture with every endpoint of one Service in these conditions.
    static func fixture(service: String, conditions: EndpointSlice.Conditions) -> ClusterFacts {
        var facts = fixture
        facts.endpointSlices = facts.endpointSlices.map { slices in
            slices.map { slice in
                var slice = slice
                if slice.serviceName == service {
                    slice.endpoints = slice.endpoints?.map { endpoint in
                        var endpoint = endpoint
                        endpoint.conditions = conditions
                        return endpoint
                    }
                }
                return slice
            }
        }
        return facts
    }

    func testNoReadyEndpointFailsTheEndpointsCheck() throws {
        let notReady = Self.fixture(service: "minio", conditions: EndpointSlice.Conditions(ready: false))
        XCTAssertEqual(
            try problems(notReady), ["k8s.service.endpoints[storage/minio] fail: no ready endpoint: 1 not ready"])

        var none = Self.fixture
        none.endpointSlices = none.endpointSlices.map { $0.filter { $0.serviceName != "temporal" } }
        XCTAssertEqual(
            try problems(none),
            [
                "k8s.service.endpoints[temporal/temporal] fail: selects no endpoints: no pod matches its selector, or none is running"
            ])
    }

    func testAnUnreadyPodOfAServiceThatPublishesNotReadyAddressesIsNotReady() throws {
        // publishNotReadyAddresses: the controller writes ready: true for every pod, serving: false for the unready.
        let facts = Self.fixture(
            service: "temporal", conditions: EndpointSlice.Conditions(ready: true, serving: false, terminating: false))
        XCTAssertEqual(
            try problems(facts), ["k8s.service.endpoints[temporal/temporal] fail: no ready endpoint: 1 not ready"])
    }

    func testEachHealthEndpointIsJudgedOnItsOwnAnswerWhenTwoShareAURL() throws {
        let url = "grpc://temporal.temporal.svc.cluster.local:7233"
        let spec = ClusterSpec(health: [
            HealthEndpoint(
                name: "workflow", url: url, kind: .grpc, grpcService: "temporal.api.workflowservice.v1.WorkflowService"),
            HealthEndpoint(
                name: "operator", url: url, kind: .grpc, grpcService: "temporal.api.operatorservice.v1.OperatorService"),
        ])
        var facts = Self.fixture
        facts.health = .value([
            HealthAnswer(name: "operator", url: url, status: 200, grpcStatus: 5, error: "grpc-status 5 (NOT_FOUND)"),
            HealthAnswer(name: "workflow", url: url, status: 200, grpcStatus: 0, serving: "SERVING"),
        ])
        let results =
            ClusterCatalog.checks(for: spec, facts: facts).first { $0.metadata.id == "k8s.service.health" }?
            .evaluate() ?? []
        XCTAssertEqual(results.map { "\($0.subject ?? "") \($0.status.rawValue)" }, ["workflow pass", "operator fail"])
        // No answer at all for an endpoint, or one that could not be asked: the check could not be made.
        facts.health = .value([
            HealthAnswer(
                name: "workflow", url: url,
                unasked:
                    "the cluster IP of temporal.temporal.svc.cluster.local is unknown: the Services could not be listed"
            )
        ])
        let unasked =
            ClusterCatalog.checks(for: spec, facts: facts).first { $0.metadata.id == "k8s.service.health" }?
            .evaluate() ?? []
        XCTAssertEqual(
            unasked.map { "\($0.subject ?? "") \($0.status.rawValue): \($0.message)" },
            [
                "workflow error: cannot ask \(url): the cluster IP of temporal.temporal.svc.cluster.local is unknown: the Services could not be listed",
                "operator error: no answer of \(url) is recorded (\(facts.source))",
            ])
        // An answer recorded for another address is no answer of this one.
        facts.health = .value([HealthAnswer(name: "workflow", url: "grpc://elsewhere:7233", serving: "SERVING")])
        let moved =
            ClusterCatalog.checks(for: ClusterSpec(health: [spec.health[0]]), facts: facts).first {
                $0.metadata.id == "k8s.service.health"
            }?.evaluate() ?? []
        XCTAssertEqual(moved.map(\.status), [.error])
        XCTAssertEqual(
            moved.first?.message,
            "the answer recorded for workflow is from grpc://elsewhere:7233; the design asks \(url)")
    }

    func testAPodListedInTwoSlicesIsOneEndpoint() throws {
        // A dual-stack Service: one slice per address family, each listing the same pod.
        var facts = Self.fixture
        facts.endpointSlices = facts.endpointSlices.map { slices in
            slices.flatMap { slice -> [EndpointSlice] in
                guard slice.serviceName == "minio" else { return [slice] }
                var v6 = slice
                v6.addressType = "IPv6"
                v6.endpoints = slice.endpoints?.map { endpoint in
                    var endpoint = endpoint
                    endpoint.addresses = ["fd00:10:42::19"]
                    return endpoint
                }
                return [slice, v6]
            }
        }
        let results =
            ClusterCatalog.checks(for: try Self.profile.get().cluster, facts: facts).first {
                $0.metadata.id == "k8s.service.endpoints"
            }?.evaluate() ?? []
        XCTAssertEqual(
            results.first { $0.subject == "storage/minio" }?.message,
            "1 ready endpoint(s) on k3s-minio-storage: 10.42.0.19")
    }

    func testEachWayAPortDiffersIsNamed() {
        let actual = [
            Service.Port(name: "api", port: 9000, nodePort: 30900, protocol: "TCP"),
            Service.Port(port: 53, protocol: "UDP"),
        ]
        XCTAssertNil(ServiceChecks.difference(ServicePortSpec(name: "api", port: 9000, nodePort: 30900), in: actual))
        XCTAssertEqual(
            ServiceChecks.difference(ServicePortSpec(name: "api", port: 9001, nodePort: 30901), in: actual),
            "port 'api': port 9000, designed 9001, NodePort 30900, designed 30901")
        XCTAssertEqual(
            ServiceChecks.difference(ServicePortSpec(port: 53), in: actual), "port 53: protocol UDP, designed TCP")
        XCTAssertEqual(ServiceChecks.difference(ServicePortSpec(port: 8080), in: actual), "no port 8080/TCP")
        XCTAssertEqual(
            ServiceChecks.difference(ServicePortSpec(nodePort: 30999), in: actual), "no port NodePort 30999/TCP")
    }

    func testEndpointsReadAsSlicesKeepReadiness() {
        let endpoints = Endpoints(
            metadata: ObjectMeta(name: "minio", namespace: "storage"),
            subsets: [
                Endpoints.Subset(
                    addresses: [Endpoints.Address(ip: "10.42.0.5", nodeName: "k3s-minio-storage")],
                    notReadyAddresses: [Endpoints.Address(ip: "10.42.0.6")])
            ])
        let slice = endpoints.slice
        XCTAssertEqual(slice.serviceName, "minio")
        XCTAssertEqual(slice.namespace, "storage")
        XCTAssertEqual(slice.endpoints?.map(\.isReady), [true, false])
        XCTAssertEqual(slice.endpoints?.first?.nodeName, "k3s-minio-storage")
    }

    func testAHealthEndpointAnswering503Fails() throws {
        var facts = Self.fixture
        facts.health = facts.health.map { answers in
            answers.map { answer in
                var answer = answer
                if answer.url.hasSuffix("/minio/health/ready") {
                    answer.status = 503
                    answer.body = ""
                }
                return answer
            }
        }
        XCTAssertEqual(
            try problems(facts),
            [
                "k8s.service.health[minio-ready] fail: http://192.168.1.10:30900/minio/health/ready: answers HTTP 503, healthy is HTTP 2xx"
            ])
    }

    func testEachKindOfHealthAnswerIsJudged() {
        let http = HealthEndpoint(name: "vm", url: "http://h:1/health", kind: .http, bodyContains: "OK")
        XCTAssertEqual(
            ServiceChecks.judge(http, HealthAnswer(url: "http://h:1/health", status: 200, body: "OK")).status, .pass)
        XCTAssertEqual(
            ServiceChecks.judge(http, HealthAnswer(url: "http://h:1/health", status: 200, body: "starting")).message,
            "http://h:1/health: answers HTTP 200 starting, healthy is HTTP 2xx containing 'OK'")
        let refused = ServiceChecks.judge(
            http, HealthAnswer(url: "http://h:1/health", error: "Couldn't connect to server"))
        XCTAssertEqual(refused.status, .fail)
        XCTAssertEqual(refused.message, "http://h:1/health: no answer: Couldn't connect to server")
        let exact = HealthEndpoint(name: "x", url: "http://h:1/", kind: .http, status: 204)
        XCTAssertEqual(ServiceChecks.judge(exact, HealthAnswer(url: "http://h:1/", status: 200)).status, .fail)
        XCTAssertEqual(ServiceChecks.judge(exact, HealthAnswer(url: "http://h:1/", status: 204)).status, .pass)

        let tcp = HealthEndpoint(name: "t", url: "tcp://h:7233", kind: .tcp)
        XCTAssertEqual(ServiceChecks.judge(tcp, HealthAnswer(url: "tcp://h:7233", connected: true)).status, .pass)
        XCTAssertEqual(
            ServiceChecks.judge(tcp, HealthAnswer(url: "tcp://h:7233", error: "Connection refused")).status, .fail)

        let grpc = HealthEndpoint(name: "g", url: "grpc://h:7233", kind: .grpc)
        XCTAssertEqual(
            ServiceChecks.judge(grpc, HealthAnswer(url: "grpc://h:7233", grpcStatus: 0, serving: "SERVING")).status,
            .pass)
        XCTAssertEqual(
            ServiceChecks.judge(grpc, HealthAnswer(url: "grpc://h:7233", grpcStatus: 0, serving: "NOT_SERVING"))
                .message, "grpc://h:7233: the gRPC health check says NOT_SERVING")
        XCTAssertEqual(
            ServiceChecks.judge(grpc, HealthAnswer(url: "grpc://h:7233", grpcStatus: 12, error: "grpc-status 12"))
                .status, .fail)
    }

    func testAnAPIServerThatIsNotReadySaysWhichCheckFailed() throws {
        var facts = Self.fixture
        facts.readyz = .value(
            HealthAnswer(
                url: "https://192.168.1.10:6443/readyz", status: 500,
                body: "[+]ping ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\nreadyz check failed\n"))
        XCTAssertEqual(
            try problems(facts),
            [
                "k8s.apiserver.readyz[https://192.168.1.10:6443/readyz] fail: not ready: HTTP 500: [-]etcd failed: reason withheld"
            ])
        // No answer, the credentials refused, or an answer that is no readiness report: the check could not be
        // made (an error, as for the lists), not an API server that said it is not ready.
        let url = "https://192.168.1.10:6443/readyz"
        facts.readyz = .value(HealthAnswer(url: url, error: "Connection timed out"))
        XCTAssertEqual(
            try problems(facts), ["k8s.apiserver.readyz[\(url)] error: cannot ask \(url): Connection timed out"])
        facts.readyz = .value(
            HealthAnswer(url: url, status: 401, body: #"{"kind":"Status","reason":"Unauthorized","code":401}"#))
        XCTAssertEqual(
            try problems(facts),
            [
                "k8s.apiserver.readyz[\(url)] error: cannot ask \(url): HTTP 401, unauthorized: the token or client certificate was not accepted (expired or wrong) (Unauthorized)"
            ])
        facts.readyz = .value(HealthAnswer(url: url, status: 500, body: "<html><body>nginx</body></html>"))
        XCTAssertEqual(
            try problems(facts),
            ["k8s.apiserver.readyz[\(url)] error: cannot ask \(url): HTTP 500, the API server failed"])
        facts.readyz = .value(HealthAnswer(url: url, status: 200, body: "<html>"))
        XCTAssertEqual(
            try problems(facts),
            [
                "k8s.apiserver.readyz[\(url)] error: cannot ask \(url): HTTP 200, unexpected answer, not a readiness report"
            ])
    }

    func testAFixtureWithoutTheNewFilesCannotCheckWhatTheDesignDeclares() throws {
        let directory = try temporaryDirectory(self)
        let source = repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster")
        for name in ["nodes.json", "pods.json", "daemonsets.json"] {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let facts = ClusterProbe.probe(fixtureDirectory: directory.path)
        let found = try problems(facts)
        // What the design declares (Services, health endpoints) cannot be checked: errors, exit 3. /readyz,
        // which no design declares, is skipped.
        XCTAssertEqual(
            found.map { String($0.prefix { $0 != "[" }) + ($0.contains(" error: ") ? " error" : " skip") },
            [
                "k8s.service.exists error", "k8s.service.ports error", "k8s.service.endpoints error",
                "k8s.apiserver.readyz skip", "k8s.service.health error",
            ], "\(found)")
        XCTAssertTrue(found[0].hasSuffix("services.json: no such file: the fixture was captured without it"), found[0])
        XCTAssertTrue(found[4].hasSuffix("health.json: no such file: the fixture records no health answers"), found[4])

        try Data("{\"readyz\": 1}".utf8).write(to: directory.appendingPathComponent("health.json"))
        let broken = ClusterProbe.probe(fixtureDirectory: directory.path)
        XCTAssertTrue(
            broken.health.error?.description.hasPrefix("\(directory.path)/health.json: not conform's health record")
                ?? false, "\(broken.health)")
    }

    func testTheProfileRefusesServicesAndHealthEndpointsItCannotCheck() throws {
        let cases: [(String, String)] = [
            ("services: {s: {ports: [{name: web}]}}", "a Service port needs its port, its node_port, or both"),
            ("services: {s: {ports: [{port: 80, node_port: 30080}]}}", "a ClusterIP Service has no NodePorts"),
            ("services: {s: {type: NodePort, ports: [{port: 70000}]}}", "70000"),
            ("services: {s: {type: Headless}}", "'Headless' is not one of: ClusterIP, NodePort, LoadBalancer"),
            ("health: {h: {url: \"ftp://x/\"}}", "is not an http(s)://, tcp:// or grpc:// URL"),
            ("health: {h: {url: \"tcp://x\"}}", "a tcp:// URL needs its port"),
            ("health: {h: {url: \"tcp://x:1\", status: 200}}", "only an http(s) endpoint answers with a status"),
            ("health: {h: {url: \"http://u:hunter2@x/\", colour: red}}", "colour"),
            ("health: {h: {url: \"tcp://x:99999\"}}", "port 99999 of 'tcp://x:99999' is not a port (1-65535)"),
            ("health: {h: {url: \"http://x:0/\"}}", "is not a port"),
            ("health: {h: {url: \"http://x/\", body_contains: \"\"}}", "body_contains is empty"),
            ("services: {s: {namespace: \"\"}}", "a Service's namespace cannot be empty"),
            ("health: {h: {url: \"http://admin:se/cr3t@x:1/\"}}", "'http://admin:***@x:1/' names no host"),
        ]
        let directory = try temporaryDirectory(self)
        for (cluster, expected) in cases {
            let file = directory.appendingPathComponent("p.yaml")
            try "profile: p\nhosts: {h: {}}\ncluster:\n  \(cluster)\n".write(
                to: file, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try ProfileLoader.load(file: file.path), cluster) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(expected), "\(cluster): \(text)")
                XCTAssertTrue(text.contains("p.yaml:4"), "\(cluster): \(text)")
                XCTAssertFalse(text.contains("hunter2") || text.contains("cr3t"), text)
            }
        }
    }
}

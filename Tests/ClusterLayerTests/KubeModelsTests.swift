import ClusterLayer
import ConformCore
import Foundation
import XCTest

/// The Service, EndpointSlice and Endpoints models against what a real K3s v1.33.4 API server wrote
/// (`fixtures/real-world/k8s/troubleshoot-k3s-v1.33`, a support bundle of replicatedhq/troubleshoot, Apache-2.0):
/// the lists decode, every value conform reads is the one in the file, and the checks judge them.
final class KubeModelsTests: XCTestCase {
    let bundle = repositoryRoot.appendingPathComponent("fixtures/real-world/k8s/troubleshoot-k3s-v1.33")

    func list<Item: Codable & Sendable>(_ path: String, _ type: Item.Type) throws -> [Item] {
        try JSONDecoder().decode(KubeList<Item>.self, from: Data(contentsOf: bundle.appendingPathComponent(path)))
            .items
    }

    func testRealServices() throws {
        let system = try list("services/kube-system.json", Service.self)
        XCTAssertEqual(system.map(\.name), ["kube-dns", "metrics-server", "traefik"])
        XCTAssertEqual(system.map(\.namespace), ["kube-system", "kube-system", "kube-system"])
        XCTAssertEqual(system.map(\.type), ["ClusterIP", "ClusterIP", "LoadBalancer"])
        XCTAssertEqual(system.map(\.spec.clusterIP), ["10.43.0.10", "10.43.162.71", "10.43.153.251"])
        XCTAssertEqual(system[0].spec.selector, ["k8s-app": "kube-dns"])

        // kube-dns: the same port number over UDP and TCP; no NodePort on a ClusterIP Service.
        let dns = system[0].spec.ports ?? []
        XCTAssertEqual(dns.map(\.name), ["dns", "dns-tcp", "metrics"])
        XCTAssertEqual(dns.map(\.text), ["53/UDP", "53/TCP", "9153/TCP"])
        XCTAssertEqual(dns.map(\.nodePort), [nil, nil, nil])
        // metrics-server's targetPort is a name ("https"), not a number: it must not stop the list decoding.
        XCTAssertEqual(system[1].spec.ports?.map(\.text), ["443/TCP"])
        // K3s's Traefik: a LoadBalancer has NodePorts, allocated by the API server.
        let traefik = system[2].spec.ports ?? []
        XCTAssertEqual(traefik.map(\.name), ["web", "websecure"])
        XCTAssertEqual(traefik.map(\.port), [80, 443])
        XCTAssertEqual(traefik.map(\.nodePort), [31564, 32312])
        XCTAssertEqual(traefik.map(\.text), ["80:31564/TCP", "443:32312/TCP"])

        let user = try list("services/default.json", Service.self)
        XCTAssertEqual(
            user.map(\.name), ["backend-api-service", "cpu-hog-service", "kubernetes", "memory-test-service"])
        // A port applied without a name has none in the API.
        XCTAssertEqual(user[0].spec.ports, [Service.Port(name: nil, port: 80, nodePort: nil, protocol: "TCP")])
        XCTAssertEqual(user[2].spec.ports?.map(\.name), ["https"])
        XCTAssertNil(
            user[2].spec.selector, "the kubernetes Service selects no pods: the API server keeps its endpoints")
    }

    func testRealEndpointSlices() throws {
        let user = try list("endpointslices/default.json", EndpointSlice.self)
        XCTAssertEqual(
            user.map(\.metadata.name),
            ["backend-api-service-jfx42", "cpu-hog-service-8cxpw", "kubernetes", "memory-test-service-bctlk"])
        // The Service a slice belongs to is its label, not its (generated) name.
        XCTAssertEqual(
            user.map(\.serviceName), ["backend-api-service", "cpu-hog-service", "kubernetes", "memory-test-service"])
        XCTAssertEqual(user.map(\.addressType), ["IPv4", "IPv4", "IPv4", "IPv4"])
        XCTAssertEqual(
            user.map { $0.metadata.ownerReferences?.first?.name },
            ["backend-api-service", "cpu-hog-service", nil, "memory-test-service"])

        // backend-api's only pod is not ready (its readiness probe fails): ready and serving false.
        let backend = try XCTUnwrap(user[0].endpoints?.first)
        XCTAssertEqual(backend.addresses, ["10.42.0.16"])
        XCTAssertEqual(backend.conditions, EndpointSlice.Conditions(ready: false, serving: false, terminating: false))
        XCTAssertFalse(backend.isReady)
        XCTAssertEqual(backend.nodeName, "c9b7eea91")
        XCTAssertEqual(
            backend.targetRef,
            EndpointSlice.TargetRef(kind: "Pod", name: "backend-api-75fb46b7bd-xtkrh", namespace: "default"))
        // The API server's own slice: conditions with `ready` alone, no node and no pod behind it.
        let apiServer = try XCTUnwrap(user[2].endpoints?.first)
        XCTAssertEqual(apiServer.addresses, ["10.0.0.11"])
        XCTAssertEqual(apiServer.conditions, EndpointSlice.Conditions(ready: true))
        XCTAssertNil(apiServer.nodeName)
        XCTAssertNil(apiServer.targetRef)
        XCTAssertTrue(apiServer.isReady)
        XCTAssertEqual(user[3].endpoints?.map(\.addresses), [["10.42.0.14"], ["10.42.0.15"]])
        XCTAssertEqual(user[3].endpoints?.map(\.isReady), [true, true])

        let system = try list("endpointslices/kube-system.json", EndpointSlice.self)
        XCTAssertEqual(system.map(\.serviceName), ["kube-dns", "metrics-server", "traefik"])
        XCTAssertEqual(
            system.flatMap { $0.endpoints ?? [] }.flatMap(\.addresses), ["10.42.0.7", "10.42.0.8", "10.42.0.12"])
        XCTAssertEqual(system.flatMap { $0.endpoints ?? [] }.map(\.nodeName), ["c9b7eea91", "c9b7eea91", "c9b7eea91"])

        // An endpoint whose conditions the API leaves out is ready ("a nil value should be interpreted as true").
        let bare = #"{"items": [{"metadata": {"name": "s"}, "endpoints": [{"addresses": ["10.0.0.1"]}]}]}"#
        let decoded = try JSONDecoder().decode(KubeList<EndpointSlice>.self, from: Data(bare.utf8)).items
        XCTAssertEqual(decoded.first?.endpoints?.first?.isReady, true)
    }

    /// The same cluster's Endpoints, read as slices where the discovery API is missing, give each Service the
    /// addresses its EndpointSlices give, ready and not ready alike.
    func testRealEndpointsReadAsSlicesAgree() throws {
        let endpoints = try list("endpoints/default.json", Endpoints.self)
        XCTAssertEqual(
            endpoints.map(\.metadata.name),
            ["backend-api-service", "cpu-hog-service", "kubernetes", "memory-test-service"])
        let backend = try XCTUnwrap(endpoints[0].subsets?.first)
        XCTAssertNil(backend.addresses)
        XCTAssertEqual(backend.notReadyAddresses?.map(\.ip), ["10.42.0.16"])
        XCTAssertEqual(backend.notReadyAddresses?.first?.targetRef?.name, "backend-api-75fb46b7bd-xtkrh")

        func byService(_ slices: [EndpointSlice]) -> [String: [String]] {
            Dictionary(
                grouping: slices.flatMap { slice in
                    (slice.endpoints ?? []).flatMap { endpoint in
                        endpoint.addresses.map {
                            (
                                slice.serviceName ?? "?",
                                "\($0) \(endpoint.isReady ? "ready" : "not ready") \(endpoint.nodeName ?? "-")"
                            )
                        }
                    }
                }, by: \.0
            ).mapValues { $0.map(\.1).sorted() }
        }
        let fromEndpoints = byService(endpoints.map(\.slice))
        XCTAssertEqual(fromEndpoints, byService(try list("endpointslices/default.json", EndpointSlice.self)))
        XCTAssertEqual(fromEndpoints["backend-api-service"], ["10.42.0.16 not ready c9b7eea91"])
        XCTAssertEqual(fromEndpoints["kubernetes"], ["10.0.0.11 ready -"])
    }

    /// A design of this cluster's Services, judged on what its API server listed: Traefik's NodePorts as
    /// allocated, CoreDNS ready, and the Service whose only pod is not ready failing, from slices or Endpoints.
    func testTheServiceChecksJudgeARealCluster() throws {
        let design = ClusterSpec(services: [
            ServiceSpec(
                name: "traefik", namespace: "kube-system", type: .loadBalancer,
                ports: [
                    ServicePortSpec(name: "web", port: 80, nodePort: 31564),
                    ServicePortSpec(name: "websecure", nodePort: 32312),
                ]),
            ServiceSpec(
                name: "kube-dns", namespace: "kube-system",
                ports: [
                    ServicePortSpec(name: "dns", port: 53, protocol: "UDP"), ServicePortSpec(name: "dns-tcp", port: 53),
                ]),
            ServiceSpec(name: "backend-api-service", ports: [ServicePortSpec(port: 80)]),
            ServiceSpec(
                name: "memory-test-service", type: .nodePort, ports: [ServicePortSpec(port: 80, nodePort: 30080)]),
        ])
        let services = try list("services/kube-system.json", Service.self) + list("services/default.json", Service.self)
        let slices =
            try list("endpointslices/kube-system.json", EndpointSlice.self)
            + list("endpointslices/default.json", EndpointSlice.self)
        let fromEndpoints =
            try list("endpointslices/kube-system.json", EndpointSlice.self)
            + list("endpoints/default.json", Endpoints.self).map(\.slice)
        for endpointSlices in [slices, fromEndpoints] {
            let facts = ClusterFacts(
                source: bundle.path, nodes: .value([]), pods: .value([]), daemonSets: .value([]),
                services: .value(services), endpointSlices: .value(endpointSlices))
            func results(_ id: String) -> [String] {
                (ClusterCatalog.checks(for: design, facts: facts).first { $0.metadata.id == id }?.evaluate() ?? [])
                    .map { "\($0.subject ?? "") \($0.status.rawValue) \($0.message)" }
            }
            XCTAssertEqual(
                results("k8s.service.exists"),
                [
                    "kube-system/traefik pass LoadBalancer, cluster IP 10.43.153.251",
                    "kube-system/kube-dns pass ClusterIP, cluster IP 10.43.0.10",
                    "default/backend-api-service pass ClusterIP, cluster IP 10.43.254.48",
                    "default/memory-test-service fail type ClusterIP, the design has NodePort, cluster IP 10.43.29.134",
                ])
            XCTAssertEqual(
                results("k8s.service.ports"),
                [
                    "kube-system/traefik pass ports as designed: 80:31564/TCP, 443:32312/TCP",
                    "kube-system/kube-dns pass ports as designed: 53/UDP, 53/TCP, 9153/TCP",
                    "default/backend-api-service pass ports as designed: 80/TCP",
                    "default/memory-test-service fail port 80: NodePort none, designed 30080 (the Service has 80/TCP)",
                ])
            XCTAssertEqual(
                results("k8s.service.endpoints"),
                [
                    "kube-system/traefik pass 1 ready endpoint(s) on c9b7eea91: 10.42.0.12",
                    "kube-system/kube-dns pass 1 ready endpoint(s) on c9b7eea91: 10.42.0.7",
                    "default/backend-api-service fail no ready endpoint: 1 not ready",
                    "default/memory-test-service pass 2 ready endpoint(s) on c9b7eea91: 10.42.0.14, 10.42.0.15",
                ])
        }
    }
}

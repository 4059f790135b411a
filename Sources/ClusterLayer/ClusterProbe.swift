import ConformCore
import ConformCurl
import Foundation

/// What the cluster probes see: nodes, pods, DaemonSets, Services and their endpoints from the API or a
/// fixture's kubectl JSON; the API server's `/readyz`; what the design's health endpoints answered.
public struct ClusterFacts: Codable, Sendable, Equatable {
    /// The API server URL, or the fixture directory.
    public var source: String
    public var nodes: Probed<[Node]>
    public var pods: Probed<[Pod]>
    public var daemonSets: Probed<[DaemonSet]>
    public var services: Probed<[Service]>
    /// EndpointSlices, or a cluster's `Endpoints` read as slices where it has no discovery API.
    public var endpointSlices: Probed<[EndpointSlice]>
    public var readyz: Probed<HealthAnswer>
    /// One answer per designed health endpoint, in the design's order (a fixture's: as recorded).
    public var health: Probed<[HealthAnswer]>

    public init(
        source: String, nodes: Probed<[Node]>, pods: Probed<[Pod]>, daemonSets: Probed<[DaemonSet]>,
        services: Probed<[Service]> = .value([]), endpointSlices: Probed<[EndpointSlice]> = .value([]),
        readyz: Probed<HealthAnswer> = .unavailable("not asked"), health: Probed<[HealthAnswer]> = .value([])
    ) {
        self.source = source
        self.nodes = nodes
        self.pods = pods
        self.daemonSets = daemonSets
        self.services = services
        self.endpointSlices = endpointSlices
        self.readyz = readyz
        self.health = health
    }

    /// Every part failed or unavailable for the same reason.
    public init(source: String, all reason: Probed<[Node]>) {
        func same<T>(_ type: T.Type) -> Probed<T> {
            switch reason {
            case .failed(let error): return .failed(error)
            case .unavailable(let text): return .unavailable(text)
            case .value: return .unavailable("not read")
            }
        }
        self.init(
            source: source, nodes: same([Node].self), pods: same([Pod].self), daemonSets: same([DaemonSet].self),
            services: same([Service].self), endpointSlices: same([EndpointSlice].self),
            readyz: same(HealthAnswer.self), health: same([HealthAnswer].self))
    }

    /// Every list that could not be read.
    public var errors: [ProbeError] {
        [nodes.error, pods.error, daemonSets.error, services.error, endpointSlices.error, readyz.error, health.error]
            .compactMap { $0 }
    }
}

public enum ClusterProbe {
    /// The API paths of the lists.
    static let nodesPath = "/api/v1/nodes"
    static let podsPath = "/api/v1/pods"
    static let daemonSetsPath = "/apis/apps/v1/daemonsets"
    static let servicesPath = "/api/v1/services"
    static let endpointSlicesPath = "/apis/discovery.k8s.io/v1/endpointslices"
    static let endpointsPath = "/api/v1/endpoints"
    static let readyzPath = "/readyz"

    /// Lists from the API server and the design's health endpoints, all at once, so an unanswering server
    /// costs one timeout, not six; an endpoint named `<service>.<namespace>.svc…` is asked once the Services are
    /// listed, at its Service's cluster IP.
    public static func probe(client: KubeClient, health: [HealthEndpoint] = []) -> ClusterFacts {
        let facts = Locked(ClusterFacts(source: client.credentials.server, all: .unavailable("not listed")))
        let inCluster = health.filter(HealthProbe.needsClusterIP)
        let direct = health.filter { !HealthProbe.needsClusterIP($0) }
        let answers = Locked<[String: HealthAnswer]>([:])
        @Sendable func record(_ asked: [HealthEndpoint], _ services: Probed<[Service]>) {
            let found = HealthProbe.answers(asked, services: services, timeout: client.totalTimeout)
            answers.withLock { answers in
                for (endpoint, answer) in zip(asked, found) { answers[endpoint.name] = answer }
            }
        }
        // Each job reads one thing and writes only its own field.
        Concurrently.run([
            {
                let nodes = Probed { try client.list(nodesPath, as: Node.self) }
                facts.withLock { $0.nodes = nodes }
            },
            {
                let pods = Probed { try client.list(podsPath, as: Pod.self) }
                facts.withLock { $0.pods = pods }
            },
            {
                let sets = Probed { try client.list(daemonSetsPath, as: DaemonSet.self) }
                facts.withLock { $0.daemonSets = sets }
            },
            {
                let services = Probed { try client.list(servicesPath, as: Service.self) }
                facts.withLock { $0.services = services }
                record(inCluster, services)
            },
            {
                let slices = Probed { try endpointSlices(client) }
                facts.withLock { $0.endpointSlices = slices }
            },
            {
                let answer = readyz(client)
                facts.withLock { $0.readyz = answer }
            },
            { record(direct, .value([])) },
        ])
        var result = facts.withLock { $0 }
        let asked = answers.withLock { $0 }
        result.health = .value(
            health.map { asked[$0.name] ?? HealthAnswer(name: $0.name, url: Redaction.redactURL($0.url)) })
        return result
    }

    /// EndpointSlices; from a server without the discovery API (404), its Endpoints read as slices.
    static func endpointSlices(_ client: KubeClient) throws -> [EndpointSlice] {
        do {
            return try client.list(endpointSlicesPath, as: EndpointSlice.self)
        } catch let error as ProbeError where error.reason.hasPrefix("HTTP 404") {
            log.info("\(error); reading \(endpointsPath) instead")
            return try client.list(endpointsPath, as: Endpoints.self).map(\.slice)
        }
    }

    /// What `/readyz` answered: 200 and `ok` when every check of the API server passes; anything else, with
    /// the body that lists the failing checks. No answer at all (a refused certificate, a timeout) or a refusal
    /// of the credentials (401, 403) says nothing of the server's readiness: that is an error of the source, as
    /// it is for the lists read from the same server, not a server found unready.
    static func readyz(_ client: KubeClient) -> Probed<HealthAnswer> {
        let url = Redaction.redactURL(client.url(readyzPath))
        return Probed {
            let response: CurlResponse
            do throws(ProbeError) { response = try client.fetch(client.url(readyzPath)) } catch {
                throw ProbeError(path: url, reason: error.reason)
            }
            if [401, 403].contains(response.status) {
                throw ProbeError(path: url, reason: KubeClient.statusMessage(response.status, body: response.body))
            }
            return HealthAnswer(url: url, status: response.status, body: HealthProbe.text(of: response.body))
        }
    }

    /// The fixture's files in `cluster/`, as `kubectl get … -o json` wrote them: `nodes.json`, `pods.json` and
    /// `daemonsets.json` must be there; `services.json`, `endpointslices.json` (or `endpoints.json`) and
    /// `health.json` (conform's record of what `/readyz` and the health endpoints answered) too, when the
    /// design declares what they hold: without one, its checks are errors (the checks with nothing designed say
    /// nothing). Only `/readyz`, which no design declares, is skipped when no answer was recorded.
    public static func probe(fixtureDirectory directory: String) -> ClusterFacts {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
        func decode<Value: Decodable>(_ name: String, _ type: Value.Type, what: String) throws -> Value {
            let data: Data
            do throws(InputFile.Unreadable) { data = try InputFile.contents(path(name)) } catch {
                throw ProbeError(path: path(name), reason: error.reason)
            }
            do {
                return try JSONDecoder().decode(Value.self, from: data)
            } catch {
                throw ProbeError(path: path(name), reason: "not \(what): \(KubeClient.describe(error))")
            }
        }
        func read<Item: Codable & Sendable>(_ name: String, _ type: Item.Type) -> Probed<[Item]> {
            Probed { try decode(name, KubeList<Item>.self, what: "a kubectl JSON list").items }
        }
        func optional<Item: Codable & Sendable>(_ name: String, _ type: Item.Type) -> Probed<[Item]> {
            exists(name)
                ? read(name, type)
                : .failed(ProbeError(path: path(name), reason: "no such file: the fixture was captured without it"))
        }
        var slices = optional("endpointslices.json", EndpointSlice.self)
        if !exists("endpointslices.json"), exists("endpoints.json") {
            slices = read("endpoints.json", Endpoints.self).map { $0.map(\.slice) }
        }
        let record: Probed<HealthRecord> =
            exists("health.json")
            ? Probed { try decode("health.json", HealthRecord.self, what: "conform's health record") }
            : .failed(
                ProbeError(path: path("health.json"), reason: "no such file: the fixture records no health answers"))
        return ClusterFacts(
            source: directory, nodes: read("nodes.json", Node.self), pods: read("pods.json", Pod.self),
            daemonSets: read("daemonsets.json", DaemonSet.self), services: optional("services.json", Service.self),
            endpointSlices: slices,
            // /readyz is no part of the design: a fixture captured without it skips its check.
            readyz: exists("health.json")
                ? record.flatMap { record in
                    record.readyz.map { .value($0) } ?? .unavailable("the fixture records no /readyz answer")
                } : .unavailable("the fixture records no /readyz answer (no \(path("health.json")))"),
            health: record.map(\.endpoints))
    }
}

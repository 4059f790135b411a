/// The K3s cluster the design describes: its nodes, the workloads placed on them, the Services they expose
/// and where their health can be asked.
public struct ClusterSpec: Sendable, Equatable {
    public var nodes: [ClusterNodeSpec]
    public var workloads: [WorkloadSpec]
    public var services: [ServiceSpec]
    public var health: [HealthEndpoint]

    public init(
        nodes: [ClusterNodeSpec] = [], workloads: [WorkloadSpec] = [], services: [ServiceSpec] = [],
        health: [HealthEndpoint] = []
    ) {
        self.nodes = nodes
        self.workloads = workloads
        self.services = services
        self.health = health
    }
}

/// A Service as designed: its type and the ports (and NodePorts) it exposes.
public struct ServiceSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case clusterIP = "ClusterIP"
        case nodePort = "NodePort"
        case loadBalancer = "LoadBalancer"
    }

    public var name: String
    public var namespace: String
    public var type: Kind
    public var ports: [ServicePortSpec]

    public init(name: String, namespace: String = "default", type: Kind = .clusterIP, ports: [ServicePortSpec] = []) {
        self.name = name
        self.namespace = namespace
        self.type = type
        self.ports = ports
    }

    /// `namespace/name`, the subject of its results.
    public var qualifiedName: String { "\(namespace)/\(name)" }
}

/// One port of a designed Service. The design names at least one of the Service port and the NodePort; what
/// it leaves out is not compared.
public struct ServicePortSpec: Sendable, Equatable, CustomStringConvertible {
    public var name: String?
    public var port: Int?
    public var nodePort: Int?
    public var `protocol`: String

    public init(name: String? = nil, port: Int? = nil, nodePort: Int? = nil, protocol: String = "TCP") {
        self.name = name
        self.port = port
        self.nodePort = nodePort
        self.protocol = `protocol`
    }

    /// `api 9000→30900/TCP`, `30901/TCP` (a NodePort only), `7233/TCP`.
    public var description: String {
        let numbers: String
        switch (port, nodePort) {
        case (let port?, let nodePort?): numbers = "\(port):\(nodePort)"
        case (let port?, nil): numbers = "\(port)"
        case (nil, let nodePort?): numbers = "NodePort \(nodePort)"
        case (nil, nil): numbers = "?"
        }
        return "\(name.map { "\($0) " } ?? "")\(numbers)/\(`protocol`)"
    }
}

/// An address the design says answers when its service is healthy: an HTTP(S) URL (a 2xx answer, or the
/// status given), a `tcp://host:port` that must accept a connection, or a `grpc://host:port` that must answer
/// the gRPC health check (grpc.health.v1.Health/Check) with SERVING.
public struct HealthEndpoint: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case http, tcp, grpc }

    public var name: String
    public var url: String
    public var kind: Kind
    /// The HTTP status that means healthy; `nil` for any 2xx.
    public var status: Int?
    /// Text the body must contain (`ok`), when the design says what a healthy answer reads.
    public var bodyContains: String?
    /// The service a gRPC health check asks about (`temporal.api.workflowservice.v1.WorkflowService`); `nil`
    /// asks about the whole server (""), which not every server answers.
    public var grpcService: String?

    public init(
        name: String, url: String, kind: Kind, status: Int? = nil, bodyContains: String? = nil,
        grpcService: String? = nil
    ) {
        self.name = name
        self.url = url
        self.kind = kind
        self.status = status
        self.bodyContains = bodyContains
        self.grpcService = grpcService
    }
}

/// A Kubernetes node as designed.
public struct ClusterNodeSpec: Sendable, Equatable {
    public var name: String
    public var controlPlane: Bool
    /// Labels the node must carry with these values (others may exist).
    public var labels: [String: String]
    /// The node's taints, exactly; `nil` when the design does not say (then taints are not compared).
    public var taints: [Taint]?

    public init(name: String, controlPlane: Bool = false, labels: [String: String] = [:], taints: [Taint]? = nil) {
        self.name = name
        self.controlPlane = controlPlane
        self.labels = labels
        self.taints = taints
    }
}

/// A taint, or the toleration that matches it.
public struct Taint: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Effect: String, Sendable, CaseIterable {
        case noSchedule = "NoSchedule"
        case preferNoSchedule = "PreferNoSchedule"
        case noExecute = "NoExecute"
    }

    public var key: String
    public var value: String?
    public var effect: Effect

    public init(key: String, value: String? = nil, effect: Effect) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    /// kubectl's form: `workload=slm:NoSchedule`.
    public var description: String {
        "\(key)\(value.map { "=\($0)" } ?? ""):\(effect.rawValue)"
    }
}

/// The QoS class Kubernetes assigns a pod.
public enum QoSClass: String, Sendable, CaseIterable {
    case guaranteed = "Guaranteed"
    case burstable = "Burstable"
    case bestEffort = "BestEffort"
}

/// A workload as designed: where its pods may run, how they spread, what they ask for.
public struct WorkloadSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case deployment = "Deployment"
        case daemonSet = "DaemonSet"
        case statefulSet = "StatefulSet"
    }

    public var name: String
    public var namespace: String
    public var kind: Kind
    public var replicas: Int?
    public var nodeSelector: [String: String]
    public var tolerations: [Taint]
    /// The node label pods should spread across (`numa-node`).
    public var spreadTopologyKey: String?
    /// The QoS class the design intends; compared with what the resources really give.
    public var intendedQoS: QoSClass?
    public var requests: [String: String]
    public var limits: [String: String]

    public init(
        name: String, namespace: String = "default", kind: Kind = .deployment, replicas: Int? = nil,
        nodeSelector: [String: String] = [:], tolerations: [Taint] = [], spreadTopologyKey: String? = nil,
        intendedQoS: QoSClass? = nil, requests: [String: String] = [:], limits: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.kind = kind
        self.replicas = replicas
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.spreadTopologyKey = spreadTopologyKey
        self.intendedQoS = intendedQoS
        self.requests = requests
        self.limits = limits
    }
}

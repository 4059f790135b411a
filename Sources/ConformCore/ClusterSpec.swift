/// The K3s cluster the design describes: its nodes and the workloads placed on them.
public struct ClusterSpec: Sendable, Equatable {
    public var nodes: [ClusterNodeSpec]
    public var workloads: [WorkloadSpec]

    public init(nodes: [ClusterNodeSpec] = [], workloads: [WorkloadSpec] = []) {
        self.nodes = nodes
        self.workloads = workloads
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

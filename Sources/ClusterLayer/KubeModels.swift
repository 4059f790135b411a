/// The parts of Kubernetes objects conform reads, as `kubectl get … -o json` and the API print them.
/// Decoding ignores every other field, and a list decodes whatever its `kind` (`List` or `NodeList`).
public struct KubeList<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var metadata: ListMeta?

    public init(items: [Item], metadata: ListMeta? = nil) {
        self.items = items
        self.metadata = metadata
    }

    public struct ListMeta: Codable, Sendable {
        public var `continue`: String?
    }
}

public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var labels: [String: String]?
    public var ownerReferences: [OwnerReference]?

    public init(
        name: String, namespace: String? = nil, labels: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.ownerReferences = ownerReferences
    }

    public struct OwnerReference: Codable, Sendable, Equatable {
        public var kind: String
        public var name: String

        public init(kind: String, name: String) {
            self.kind = kind
            self.name = name
        }
    }
}

public struct KubeTaint: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var value: String?
    public var effect: String

    public init(key: String, value: String? = nil, effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    /// kubectl's form: `key=value:Effect`.
    public var text: String { "\(key)\(value.map { $0.isEmpty ? "" : "=\($0)" } ?? ""):\(effect)" }
}

public struct Toleration: Codable, Sendable, Equatable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?

    public init(key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
    }

    /// Kubernetes' matching: an empty key with `Exists` tolerates everything; `Exists` ignores the value;
    /// `Equal` (the default) compares it; an empty effect matches every effect.
    public func tolerates(_ taint: KubeTaint) -> Bool {
        if let effect, !effect.isEmpty, effect != taint.effect { return false }
        let op = `operator` ?? "Equal"
        if key == nil || key == "" { return op == "Exists" }
        guard key == taint.key else { return false }
        return op == "Exists" || (value ?? "") == (taint.value ?? "")
    }
}

public struct Node: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var taints: [KubeTaint]?
        public var unschedulable: Bool?

        public init(taints: [KubeTaint]? = nil, unschedulable: Bool? = nil) {
            self.taints = taints
            self.unschedulable = unschedulable
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var allocatable: [String: String]?
        public var conditions: [Condition]?

        public init(allocatable: [String: String]? = nil, conditions: [Condition]? = nil) {
            self.allocatable = allocatable
            self.conditions = conditions
        }
    }

    public struct Condition: Codable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?

        public init(type: String, status: String, reason: String? = nil, message: String? = nil) {
            self.type = type
            self.status = status
            self.reason = reason
            self.message = message
        }
    }

    public var name: String { metadata.name }
    public var labels: [String: String] { metadata.labels ?? [:] }
    public var taints: [KubeTaint] { spec?.taints ?? [] }
    public var readyCondition: Condition? { status?.conditions?.first { $0.type == "Ready" } }
}

public struct ResourceRequirements: Codable, Sendable, Equatable {
    public var requests: [String: String]?
    public var limits: [String: String]?

    public init(requests: [String: String]? = nil, limits: [String: String]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

public struct Container: Codable, Sendable, Equatable {
    public var name: String
    public var resources: ResourceRequirements?

    public init(name: String, resources: ResourceRequirements? = nil) {
        self.name = name
        self.resources = resources
    }
}

public struct Pod: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var nodeName: String?
        public var nodeSelector: [String: String]?
        public var containers: [Container]
        public var initContainers: [Container]?
        public var tolerations: [Toleration]?
        public var overhead: [String: String]?

        public init(
            nodeName: String? = nil, nodeSelector: [String: String]? = nil, containers: [Container],
            initContainers: [Container]? = nil,
            tolerations: [Toleration]? = nil, overhead: [String: String]? = nil
        ) {
            self.nodeName = nodeName
            self.nodeSelector = nodeSelector
            self.containers = containers
            self.initContainers = initContainers
            self.tolerations = tolerations
            self.overhead = overhead
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var phase: String?
        public var qosClass: String?

        public init(phase: String? = nil, qosClass: String? = nil) {
            self.phase = phase
            self.qosClass = qosClass
        }
    }

    public var name: String { metadata.name }
    public var namespace: String { metadata.namespace ?? "default" }
    /// Pods that still hold their node's resources (not Succeeded or Failed).
    public var isActive: Bool { !["Succeeded", "Failed"].contains(status?.phase ?? "") }
}

public struct DaemonSet: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var template: Template

        public init(template: Template) {
            self.template = template
        }
    }

    public struct Template: Codable, Sendable, Equatable {
        public var spec: TemplateSpec

        public init(spec: TemplateSpec) {
            self.spec = spec
        }
    }

    public struct TemplateSpec: Codable, Sendable, Equatable {
        public var nodeSelector: [String: String]?
        public var tolerations: [Toleration]?

        public init(nodeSelector: [String: String]? = nil, tolerations: [Toleration]? = nil) {
            self.nodeSelector = nodeSelector
            self.tolerations = tolerations
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var desiredNumberScheduled: Int?
        public var currentNumberScheduled: Int?
        public var numberReady: Int?

        public init(desiredNumberScheduled: Int? = nil, currentNumberScheduled: Int? = nil, numberReady: Int? = nil) {
            self.desiredNumberScheduled = desiredNumberScheduled
            self.currentNumberScheduled = currentNumberScheduled
            self.numberReady = numberReady
        }
    }
}

/// A Service (`kubectl get services -A -o json`): its type, ports and cluster IP.
public struct Service: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: Spec

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var type: String?
        public var clusterIP: String?
        public var selector: [String: String]?
        public var ports: [Port]?

        public init(
            type: String? = nil, clusterIP: String? = nil, selector: [String: String]? = nil, ports: [Port]? = nil
        ) {
            self.type = type
            self.clusterIP = clusterIP
            self.selector = selector
            self.ports = ports
        }
    }

    public struct Port: Codable, Sendable, Equatable {
        public var name: String?
        public var port: Int
        public var nodePort: Int?
        public var `protocol`: String?

        public init(name: String? = nil, port: Int, nodePort: Int? = nil, protocol: String? = nil) {
            self.name = name
            self.port = port
            self.nodePort = nodePort
            self.protocol = `protocol`
        }

        /// kubectl's PORT(S) column: `9000:30900/TCP`.
        public var text: String { "\(port)\(nodePort.map { ":\($0)" } ?? "")/\(`protocol` ?? "TCP")" }
    }

    public var name: String { metadata.name }
    public var namespace: String { metadata.namespace ?? "default" }
    /// ClusterIP where the API leaves it out, as Kubernetes defaults it.
    public var type: String { spec.type ?? "ClusterIP" }
}

/// An EndpointSlice (`kubectl get endpointslices -A -o json`): the addresses behind a Service and whether
/// each is ready. A cluster without the discovery API gives `Endpoints` instead, read into this shape.
public struct EndpointSlice: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var addressType: String?
    public var endpoints: [Endpoint]?

    /// The label naming the Service a slice belongs to.
    public static let serviceLabel = "kubernetes.io/service-name"

    public init(metadata: ObjectMeta, addressType: String? = nil, endpoints: [Endpoint]? = nil) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
    }

    public struct Endpoint: Codable, Sendable, Equatable {
        public var addresses: [String]
        public var conditions: Conditions?
        public var nodeName: String?
        public var targetRef: TargetRef?

        public init(
            addresses: [String], conditions: Conditions? = nil, nodeName: String? = nil, targetRef: TargetRef? = nil
        ) {
            self.addresses = addresses
            self.conditions = conditions
            self.nodeName = nodeName
            self.targetRef = targetRef
        }

        /// Ready and serving; "a nil value should be interpreted as true" (discovery.k8s.io/v1) for both. A
        /// Service with `publishNotReadyAddresses` has every endpoint `ready`, its unready pods `serving: false`.
        public var isReady: Bool { (conditions?.ready ?? true) && (conditions?.serving ?? true) }
    }

    public struct Conditions: Codable, Sendable, Equatable {
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?

        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    public struct TargetRef: Codable, Sendable, Equatable {
        public var kind: String?
        public var name: String?
        public var namespace: String?

        public init(kind: String? = nil, name: String? = nil, namespace: String? = nil) {
            self.kind = kind
            self.name = name
            self.namespace = namespace
        }
    }

    public var namespace: String { metadata.namespace ?? "default" }
    /// The Service the slice belongs to.
    public var serviceName: String? { metadata.labels?[Self.serviceLabel] }
}

/// The older Endpoints object (`/api/v1/endpoints`), read where the discovery API is missing.
public struct Endpoints: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta
    public var subsets: [Subset]?

    public init(metadata: ObjectMeta, subsets: [Subset]? = nil) {
        self.metadata = metadata
        self.subsets = subsets
    }

    public struct Subset: Codable, Sendable, Equatable {
        public var addresses: [Address]?
        public var notReadyAddresses: [Address]?

        public init(addresses: [Address]? = nil, notReadyAddresses: [Address]? = nil) {
            self.addresses = addresses
            self.notReadyAddresses = notReadyAddresses
        }
    }

    public struct Address: Codable, Sendable, Equatable {
        public var ip: String
        public var nodeName: String?
        public var targetRef: EndpointSlice.TargetRef?

        public init(ip: String, nodeName: String? = nil, targetRef: EndpointSlice.TargetRef? = nil) {
            self.ip = ip
            self.nodeName = nodeName
            self.targetRef = targetRef
        }
    }

    /// The same addresses as one EndpointSlice of the Service of the same name: `addresses` ready,
    /// `notReadyAddresses` not.
    public var slice: EndpointSlice {
        let endpoints = (subsets ?? []).flatMap { subset in
            (subset.addresses ?? []).map { ($0, true) } + (subset.notReadyAddresses ?? []).map { ($0, false) }
        }.map { address, ready in
            EndpointSlice.Endpoint(
                addresses: [address.ip], conditions: EndpointSlice.Conditions(ready: ready),
                nodeName: address.nodeName, targetRef: address.targetRef)
        }
        return EndpointSlice(
            metadata: ObjectMeta(
                name: metadata.name, namespace: metadata.namespace,
                labels: [EndpointSlice.serviceLabel: metadata.name]),
            addressType: nil, endpoints: endpoints)
    }
}

import ConformCore

/// Kubernetes' pod QoS classes, computed from a pod's spec the way the API server does.
public enum QoS {
    /// The resources QoS looks at; hugepages and extended resources do not count.
    static let computeResources: Set<String> = ["cpu", "memory"]

    /// A container's requests after the API's defaulting: a resource with a limit and no request gets
    /// the limit as its request.
    public static func effectiveRequests(_ resources: ResourceRequirements?) -> [String: String] {
        var requests = resources?.requests ?? [:]
        for (name, limit) in resources?.limits ?? [:] where requests[name] == nil {
            requests[name] = limit
        }
        return requests
    }

    /// The QoS class of a pod spec, as Kubernetes' `GetPodQOS` computes it: requests (after defaulting)
    /// and limits of cpu and memory above zero are summed over containers and init containers; none at all
    /// is BestEffort; Guaranteed needs every container to limit both cpu and memory and the summed requests
    /// to equal the summed limits, resource by resource; anything else is Burstable.
    public static func computeClass(_ spec: Pod.Spec) -> QoSClass {
        var requests: [String: Double] = [:]
        var limits: [String: Double] = [:]
        var guaranteed = true
        for container in spec.containers + (spec.initContainers ?? []) {
            for (name, text) in effectiveRequests(container.resources) where computeResources.contains(name) {
                let amount = value(text)
                if amount > 0 { requests[name, default: 0] += amount }
            }
            var limitsFound: Set<String> = []
            for (name, text) in container.resources?.limits ?? [:] where computeResources.contains(name) {
                let amount = value(text)
                if amount > 0 {
                    limits[name, default: 0] += amount
                    limitsFound.insert(name)
                }
            }
            if limitsFound != computeResources { guaranteed = false }
        }
        if requests.isEmpty && limits.isEmpty { return .bestEffort }
        if guaranteed {
            guaranteed = requests.count == limits.count && requests.allSatisfy { limits[$0.key] == $0.value }
        }
        return guaranteed ? .guaranteed : .burstable
    }

    /// A pod's requests of one resource as the scheduler counts them: the larger of the containers' sum
    /// and the largest init container, plus the pod overhead.
    public static func podRequest(_ spec: Pod.Spec, _ resource: String) -> Double {
        let sum = spec.containers.reduce(0.0) { $0 + value(effectiveRequests($1.resources)[resource]) }
        let initMax = (spec.initContainers ?? []).map { value(effectiveRequests($0.resources)[resource]) }.max() ?? 0
        return max(sum, initMax) + value(spec.overhead?[resource])
    }

    /// A pod's limit of one resource: the containers' sum, or nil when any container has none (unbounded).
    public static func podLimit(_ spec: Pod.Spec, _ resource: String) -> Double? {
        var total = 0.0
        for container in spec.containers {
            guard let limit = container.resources?.limits?[resource] else { return nil }
            total += value(limit)
        }
        return total
    }

    /// Every request, limit and overhead of the spec that is not a quantity conform can read
    /// (`containers[web].requests.cpu '2 cores'`). The checks that sum them report these as errors: counting
    /// them as zero would pass a node whose pods ask for more than it has.
    public static func unreadableQuantities(_ spec: Pod.Spec) -> [String] {
        var found: [String] = []
        for (kind, containers) in [("containers", spec.containers), ("initContainers", spec.initContainers ?? [])] {
            for container in containers {
                for (field, values) in [
                    ("requests", container.resources?.requests), ("limits", container.resources?.limits),
                ] {
                    for (name, text) in (values ?? [:]).sorted(by: { $0.key < $1.key })
                    where Quantity(parsing: text) == nil {
                        found.append("\(kind)[\(container.name)].\(field).\(name) '\(text)'")
                    }
                }
            }
        }
        for (name, text) in (spec.overhead ?? [:]).sorted(by: { $0.key < $1.key }) where Quantity(parsing: text) == nil
        {
            found.append("overhead.\(name) '\(text)'")
        }
        return found
    }

    static func value(_ text: String?) -> Double {
        text.flatMap { Quantity(parsing: $0)?.value } ?? 0
    }
}

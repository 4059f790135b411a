import ConformCore
import Foundation

/// Node checks: readiness, labels, taints and how much of each node the pods request.
struct NodeChecks: Sendable {
    let spec: ClusterSpec
    let facts: ClusterFacts

    /// Taints the node lifecycle controller sets and clears by itself; `k8s.node.ready` reports them.
    static func isLifecycleTaint(_ taint: KubeTaint) -> Bool {
        ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].contains(taint.key)
    }

    func ready() -> [Finding] {
        facts.nodes.evaluate { nodes in
            // Under a design, its nodes; with none declared (the generic profile), every node.
            let names = spec.nodes.isEmpty ? nodes.map(\.name) : spec.nodes.map(\.name)
            return names.map { name in
                guard let node = nodes.first(where: { $0.name == name }) else {
                    return Finding(
                        .fail, subject: name, expected: "Ready", observed: "absent", observedValue: .text("absent"),
                        message: "node '\(name)' is not in the cluster")
                }
                guard let condition = node.readyCondition else {
                    return Finding(
                        .fail, subject: name, expected: "Ready", observed: "no Ready condition",
                        observedValue: .text("no Ready condition"),
                        message: "the node reports no Ready condition")
                }
                let ready = condition.status == "True"
                let detail = [condition.reason, condition.message].compactMap { $0 }.joined(separator: ": ")
                return Finding(
                    ready ? .pass : .fail, subject: name, expected: "Ready",
                    observed: ready ? "Ready" : "NotReady (\(condition.status))",
                    observedValue: .record(["Ready": .text(condition.status)]),
                    message: ready ? "Ready" : "NotReady\(detail.isEmpty ? "" : ": \(detail)")")
            }
        }
    }

    func labels() -> [Finding] {
        facts.nodes.evaluate { nodes in
            spec.nodes.map { designed in
                guard !designed.labels.isEmpty else {
                    return Finding(.skip, subject: designed.name, message: "the design requires no labels on this node")
                }
                guard let node = nodes.first(where: { $0.name == designed.name }) else {
                    return Finding(
                        .error, subject: designed.name, message: "node '\(designed.name)' is not in the cluster")
                }
                let expected = designed.labels.keys.sorted().map { "\($0)=\(designed.labels[$0] ?? "")" }
                let wrong = designed.labels.keys.sorted().compactMap { key -> String? in
                    let actual = node.labels[key]
                    return actual == designed.labels[key] ? nil : "\(key)=\(actual ?? "(missing)")"
                }
                return Finding(
                    wrong.isEmpty ? .pass : .fail, subject: designed.name, expected: expected.joined(separator: ", "),
                    observed: wrong.isEmpty ? expected.joined(separator: ", ") : wrong.joined(separator: ", "),
                    // The designed keys as the node has them; a missing label is a missing key.
                    observedValue: .record(
                        Dictionary(
                            uniqueKeysWithValues: designed.labels.keys.compactMap { key in
                                node.labels[key].map { (key, ObservedValue.text($0)) }
                            })),
                    message: wrong.isEmpty
                        ? "labels as designed"
                        : "labels differ: \(wrong.joined(separator: ", ")), the design has \(expected.joined(separator: ", "))"
                )
            }
        }
    }

    func taints() -> [Finding] {
        facts.nodes.evaluate { nodes in
            spec.nodes.map { designed in
                guard let designedTaints = designed.taints else {
                    return Finding(
                        .skip, subject: designed.name, message: "the design does not say which taints this node has")
                }
                guard let node = nodes.first(where: { $0.name == designed.name }) else {
                    return Finding(
                        .error, subject: designed.name, message: "node '\(designed.name)' is not in the cluster")
                }
                let expected = Set(designedTaints.map(\.description))
                let actual = Set(node.taints.filter { !Self.isLifecycleTaint($0) }.map(\.text))
                let missing = expected.subtracting(actual).sorted()
                let extra = actual.subtracting(expected).sorted()
                let expectedText = expected.isEmpty ? "none" : expected.sorted().joined(separator: ", ")
                let actualText = actual.isEmpty ? "none" : actual.sorted().joined(separator: ", ")
                var problems: [String] = []
                if !missing.isEmpty { problems.append("missing \(missing.joined(separator: ", "))") }
                if !extra.isEmpty { problems.append("unexpected \(extra.joined(separator: ", "))") }
                return Finding(
                    problems.isEmpty ? .pass : .fail, subject: designed.name, expected: expectedText,
                    observed: actualText, observedValue: .names(actual),
                    message: problems.isEmpty
                        ? "taints as designed: \(expectedText)" : "taints differ: " + problems.joined(separator: "; "))
            }
        }
    }

    func requestsFit() -> [Finding] {
        guard case .value(let pods) = facts.pods else { return facts.pods.evaluate { _ in [] } }
        return facts.nodes.evaluate { nodes in
            var podsByNode: [String: [Pod]] = [:]
            for pod in pods where pod.isActive {
                if let node = pod.spec.nodeName { podsByNode[node, default: []].append(pod) }
            }
            let names = spec.nodes.isEmpty ? Set(nodes.map(\.name)) : Set(spec.nodes.map(\.name))
            return nodes.filter { names.contains($0.name) }.map { node in
                let onNode = podsByNode[node.name] ?? []
                let unreadable = onNode.flatMap { pod in
                    QoS.unreadableQuantities(pod.spec).map { "pod \(pod.namespace)/\(pod.name) \($0)" }
                }
                guard unreadable.isEmpty else {
                    return Finding(
                        .error, subject: node.name, expected: "requests ≤ allocatable",
                        message: "cannot sum the requests: "
                            + unreadable.prefix(4).joined(separator: "; ") + " is not a Kubernetes quantity")
                }
                var problems: [String] = []
                var measurements: [MeasuredValue] = []
                var summary: [String] = []
                for resource in ["cpu", "memory"] {
                    guard let allocatable = node.status?.allocatable?[resource].flatMap(Quantity.init(parsing:))?.value,
                        allocatable > 0
                    else {
                        problems.append("no allocatable \(resource)")
                        continue
                    }
                    let requested = onNode.reduce(0) { $0 + QoS.podRequest($1.spec, resource) }
                    let limits = onNode.compactMap { QoS.podLimit($0.spec, resource) }.reduce(0, +)
                    let unbounded = onNode.filter { QoS.podLimit($0.spec, resource) == nil }.count
                    if requested > allocatable {
                        problems.append(
                            "\(resource) requests \(Self.amount(requested, resource)) exceed allocatable \(Self.amount(allocatable, resource))"
                        )
                    }
                    summary.append(
                        "\(resource) \(Self.amount(requested, resource)) of \(Self.amount(allocatable, resource))"
                            + (unbounded > 0 ? " (\(unbounded) pod(s) without a \(resource) limit)" : ""))
                    measurements.append(
                        MeasuredValue(
                            name: "k8s.\(node.name).\(resource).limits-ratio", value: limits / allocatable,
                            unit: .ratio))
                    measurements.append(
                        MeasuredValue(
                            name: "k8s.\(node.name).\(resource).requests-ratio", value: requested / allocatable,
                            unit: .ratio))
                }
                return Finding(
                    problems.isEmpty ? .pass : .fail, subject: node.name, expected: "requests ≤ allocatable",
                    observed: summary.joined(separator: "; "),
                    message: problems.isEmpty
                        ? "\(onNode.count) pod(s) request " + summary.joined(separator: "; ")
                        : problems.joined(separator: "; "),
                    measurements: measurements)
            }
        }
    }

    /// CPU in cores, memory in GiB.
    static func amount(_ value: Double, _ resource: String) -> String {
        resource == "memory" ? String(format: "%.1f GiB", value / 1_073_741_824) : String(format: "%.2f CPU", value)
    }
}

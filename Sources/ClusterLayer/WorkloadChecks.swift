import ConformCore
import Foundation

/// Workload checks: where the design's workloads run, how they spread, their QoS, DaemonSet coverage.
struct WorkloadChecks: Sendable {
    let spec: ClusterSpec
    let facts: ClusterFacts

    /// Whether a pod belongs to a workload: same namespace, and owned by it (a DaemonSet or StatefulSet
    /// of that name, a ReplicaSet `<name>-<hash>` of a Deployment) or labelled `app=<name>`.
    static func belongs(_ pod: Pod, to workload: WorkloadSpec) -> Bool {
        guard pod.namespace == workload.namespace else { return false }
        for owner in pod.metadata.ownerReferences ?? [] {
            if owner.name == workload.name || (owner.kind == "ReplicaSet" && owner.name.hasPrefix("\(workload.name)-"))
            {
                return true
            }
        }
        let labels = pod.metadata.labels ?? [:]
        return labels["app"] == workload.name || labels["app.kubernetes.io/name"] == workload.name
    }

    /// Taints that keep pods off a node unless tolerated.
    static func repelling(_ node: Node) -> [KubeTaint] {
        node.taints.filter { ["NoSchedule", "NoExecute"].contains($0.effect) && !NodeChecks.isLifecycleTaint($0) }
    }

    static func toleration(_ taint: Taint) -> Toleration {
        Toleration(
            key: taint.key, operator: taint.value == nil ? "Exists" : "Equal", value: taint.value,
            effect: taint.effect.rawValue)
    }

    /// Whether the design lets the workload on the node: the node has its selector labels and the design's
    /// tolerations cover the node's repelling taints.
    static func allows(_ workload: WorkloadSpec, on node: Node) -> Bool {
        let labelsMatch = workload.nodeSelector.allSatisfy { node.labels[$0.key] == $0.value }
        let tolerations = workload.tolerations.map(toleration)
        return labelsMatch && repelling(node).allSatisfy { taint in tolerations.contains { $0.tolerates(taint) } }
    }

    /// Runs `body` for each design workload with its pods and the cluster's nodes.
    func perWorkload(_ body: (WorkloadSpec, [Pod], [String: Node]) -> Finding) -> [Finding] {
        guard case .value(let nodes) = facts.nodes else { return facts.nodes.evaluate { _ in [] } }
        return facts.pods.evaluate { pods in
            let nodesByName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let podsByNamespace = Dictionary(grouping: pods.filter(\.isActive), by: \.namespace)
            return spec.workloads.map { workload in
                body(
                    workload, (podsByNamespace[workload.namespace] ?? []).filter { Self.belongs($0, to: workload) },
                    nodesByName)
            }
        }
    }

    func placement() -> [Finding] {
        perWorkload { workload, pods, nodes in
            let name = "\(workload.namespace)/\(workload.name)"
            guard !pods.isEmpty else {
                return Finding(
                    .fail, subject: name, expected: "pods running", observed: "none", observedValue: .record([:]),
                    message: "no pods of \(workload.kind.rawValue) \(name) are running")
            }
            var problems: [String] = []
            for pod in pods {
                guard let nodeName = pod.spec.nodeName else {
                    problems.append("\(pod.name) is not scheduled (\(pod.status?.phase ?? "Pending"))")
                    continue
                }
                guard let node = nodes[nodeName] else {
                    problems.append("\(pod.name) is on unknown node \(nodeName)")
                    continue
                }
                if !Self.allows(workload, on: node) {
                    problems.append(
                        "\(pod.name) runs on \(nodeName), which the design's selector and tolerations exclude")
                }
            }
            if let replicas = workload.replicas, workload.kind != .daemonSet, pods.count != replicas {
                problems.append("\(pods.count) pod(s), the design has \(replicas)")
            }
            let placed = Dictionary(grouping: pods.compactMap(\.spec.nodeName), by: { $0 }).map {
                "\($0.key)×\($0.value.count)"
            }.sorted()
            return Finding(
                problems.isEmpty ? .pass : .fail, subject: name, expected: Self.designText(workload),
                observed: placed.joined(separator: " "),
                observedValue: .record(
                    Dictionary(grouping: pods.compactMap(\.spec.nodeName), by: { $0 }).mapValues { .count($0.count) }),
                message: problems.isEmpty
                    ? "\(pods.count) pod(s) on \(placed.joined(separator: ", "))"
                    : problems.prefix(5).joined(separator: "; "))
        }
    }

    func spread() -> [Finding] {
        perWorkload { workload, pods, nodes in
            let name = "\(workload.namespace)/\(workload.name)"
            guard let key = workload.spreadTopologyKey else {
                return Finding(.skip, subject: name, message: "the design declares no topology to spread over")
            }
            let domains = Set(nodes.values.filter { Self.allows(workload, on: $0) }.compactMap { $0.labels[key] })
            var counts = Dictionary(uniqueKeysWithValues: domains.map { ($0, 0) })
            for pod in pods {
                if let node = pod.spec.nodeName.flatMap({ nodes[$0] }), let value = node.labels[key] {
                    counts[value, default: 0] += 1
                }
            }
            let skew = (counts.values.max() ?? 0) - (counts.values.min() ?? 0)
            let observed = counts.keys.sorted().map { "\(key)=\($0): \(counts[$0] ?? 0)" }.joined(separator: ", ")
            guard domains.count > 1 else {
                return Finding(
                    .fail, subject: name, expected: "pods across \(key)", observed: observed,
                    observedValue: .record(counts.mapValues(ObservedValue.count)),
                    message: "the nodes it may run on offer \(domains.count) value(s) of \(key): nothing to spread over"
                )
            }
            return Finding(
                skew <= 1 ? .pass : .fail, subject: name, expected: "skew ≤ 1 across \(key)", observed: observed,
                observedValue: .record(counts.mapValues(ObservedValue.count)),
                message: skew <= 1
                    ? "spread across \(key): \(observed)" : "uneven across \(key) (skew \(skew)): \(observed)",
                measurements: [
                    MeasuredValue(name: "k8s.\(workload.name).spread-skew", value: Double(skew), unit: .pods)
                ])
        }
    }

    func qos() -> [Finding] {
        perWorkload { workload, pods, _ in
            let name = "\(workload.namespace)/\(workload.name)"
            var problems: [String] = []
            // The design's own numbers first: do they give the class it intends?
            let designed = designedClass(workload)
            if let intended = workload.intendedQoS, let designed, designed != intended {
                problems.append(
                    "the design intends \(intended.rawValue) but its own resources (requests \(Self.text(workload.requests)), limits \(Self.text(workload.limits))) make it \(designed.rawValue)"
                )
            }
            let unreadable = pods.flatMap { pod in QoS.unreadableQuantities(pod.spec).map { "\(pod.name) \($0)" } }
            guard unreadable.isEmpty else {
                return Finding(
                    .error, subject: name, expected: workload.intendedQoS?.rawValue ?? "as the API reports",
                    message: "cannot compute the QoS class: "
                        + unreadable.prefix(4).joined(separator: "; ") + " is not a Kubernetes quantity")
            }
            var observedClasses: [String: Int] = [:]
            for pod in pods {
                let computed = QoS.computeClass(pod.spec)
                observedClasses[computed.rawValue, default: 0] += 1
                if let reported = pod.status?.qosClass, reported != computed.rawValue {
                    problems.append("\(pod.name): the API reports \(reported), its spec gives \(computed.rawValue)")
                }
                if let intended = workload.intendedQoS, computed != intended {
                    problems.append("\(pod.name) is \(computed.rawValue), the design intends \(intended.rawValue)")
                }
            }
            let observed = observedClasses.keys.sorted().map { "\($0)×\(observedClasses[$0] ?? 0)" }.joined(
                separator: " ")
            guard workload.intendedQoS != nil || !pods.isEmpty else {
                return Finding(.skip, subject: name, message: "no pods and no intended QoS class to compare")
            }
            return Finding(
                problems.isEmpty ? .pass : .fail, subject: name,
                expected: workload.intendedQoS?.rawValue ?? "as the API reports",
                observed: observed.isEmpty ? "no pods" : observed,
                observedValue: .record(observedClasses.mapValues(ObservedValue.count)),
                message: problems.isEmpty
                    ? "QoS \(observed.isEmpty ? "as designed" : observed)" : problems.prefix(4).joined(separator: "; "))
        }
    }

    /// The class the design's declared resources give, as one container; `nil` when it declares none.
    func designedClass(_ workload: WorkloadSpec) -> QoSClass? {
        guard !workload.requests.isEmpty || !workload.limits.isEmpty else { return nil }
        let container = Container(
            name: workload.name, resources: ResourceRequirements(requests: workload.requests, limits: workload.limits))
        return QoS.computeClass(Pod.Spec(containers: [container]))
    }

    /// Tolerations the DaemonSet controller adds to every DaemonSet pod.
    static let daemonSetDefaultTolerations = [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
        "node.kubernetes.io/network-unavailable",
    ].map { Toleration(key: $0, operator: "Exists") }

    func daemonSetCoverage() -> [Finding] {
        guard case .value(let nodes) = facts.nodes else { return facts.nodes.evaluate { _ in [] } }
        return facts.daemonSets.evaluate { daemonSets in
            let designed = spec.workloads.filter { $0.kind == .daemonSet }
            let targets: [(String, DaemonSet?)] =
                spec.workloads.isEmpty
                ? daemonSets.map { ("\($0.metadata.namespace ?? "default")/\($0.metadata.name)", $0) }
                : designed.map { workload in
                    (
                        "\(workload.namespace)/\(workload.name)",
                        daemonSets.first {
                            $0.metadata.name == workload.name
                                && ($0.metadata.namespace ?? "default") == workload.namespace
                        }
                    )
                }
            return targets.map { name, daemonSet in
                guard let daemonSet else {
                    return Finding(
                        .fail, subject: name, expected: "present", observed: "absent", observedValue: .text("absent"),
                        message: "DaemonSet \(name) does not exist")
                }
                let template = daemonSet.spec.template.spec
                let tolerations = (template.tolerations ?? []) + Self.daemonSetDefaultTolerations
                let matching = nodes.filter { node in
                    (template.nodeSelector ?? [:]).allSatisfy { node.labels[$0.key] == $0.value }
                        && Self.repelling(node).allSatisfy { taint in tolerations.contains { $0.tolerates(taint) } }
                }
                let desired = daemonSet.status?.desiredNumberScheduled ?? 0
                let ready = daemonSet.status?.numberReady ?? 0
                let ok = desired == matching.count && ready == matching.count
                let observed = "desired \(desired), ready \(ready), matching nodes \(matching.count)"
                return Finding(
                    ok ? .pass : .fail, subject: name,
                    expected: "desired = ready = \(matching.count) (\(matching.map(\.name).joined(separator: ", ")))",
                    observed: observed,
                    observedValue: .record([
                        "desired": .count(desired), "ready": .count(ready), "matching nodes": .count(matching.count),
                    ]),
                    message: ok ? "a ready pod on each of its \(matching.count) node(s)" : observed)
            }
        }
    }

    static func designText(_ workload: WorkloadSpec) -> String {
        var parts: [String] = []
        if !workload.nodeSelector.isEmpty { parts.append("nodeSelector \(text(workload.nodeSelector))") }
        if !workload.tolerations.isEmpty {
            parts.append("tolerates \(workload.tolerations.map(\.description).joined(separator: ", "))")
        }
        return parts.isEmpty ? "any node" : parts.joined(separator: "; ")
    }

    static func text(_ map: [String: String]) -> String {
        map.isEmpty ? "none" : map.keys.sorted().map { "\($0)=\(map[$0] ?? "")" }.joined(separator: ",")
    }
}

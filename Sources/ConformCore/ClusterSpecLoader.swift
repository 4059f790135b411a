/// Reads a profile's `cluster` section: nodes with labels and taints, workloads with placement and QoS.
enum ClusterSpecLoader {
    static func load(_ value: YAMLValue) throws -> ClusterSpec {
        let fields = try value.mapping()
        var spec = ClusterSpec()
        if let nodesValue = fields.optional("nodes") {
            let nodes = try nodesValue.mapping()
            for (name, nodeValue) in nodes.entries {
                let node = try nodeValue.mapping()
                spec.nodes.append(
                    ClusterNodeSpec(
                        name: name, controlPlane: try node.optional("control_plane")?.bool() ?? false,
                        labels: try node.optional("labels")?.stringMap() ?? [:],
                        taints: try node.has("taints") ? (node.optional("taints")?.list() ?? []).map(taint) : nil))
                try node.finish()
            }
            nodes.markAllUsed()
        }
        if let workloadsValue = fields.optional("workloads") {
            let workloads = try workloadsValue.mapping()
            for (name, workloadValue) in workloads.entries {
                spec.workloads.append(try workload(named: name, from: workloadValue))
            }
            workloads.markAllUsed()
        }
        try fields.finish()
        return spec
    }

    static func workload(named name: String, from value: YAMLValue) throws -> WorkloadSpec {
        let fields = try value.mapping()
        var spec = WorkloadSpec(name: name)
        spec.namespace = try fields.optional("namespace")?.string() ?? "default"
        if let kind = fields.optional("kind") { spec.kind = try ProfileLoader.enumValue(WorkloadSpec.Kind.self, kind) }
        spec.replicas = try fields.optional("replicas")?.int(in: 0...Int(Int32.max))
        spec.nodeSelector = try fields.optional("node_selector")?.stringMap() ?? [:]
        spec.tolerations = try (fields.optional("tolerations")?.list() ?? []).map(taint)
        spec.spreadTopologyKey = try fields.optional("spread_topology_key")?.string()
        spec.intendedQoS = try fields.optional("qos").map { try ProfileLoader.enumValue(QoSClass.self, $0) }
        spec.requests = try fields.optional("requests")?.stringMap() ?? [:]
        spec.limits = try fields.optional("limits")?.stringMap() ?? [:]
        try fields.finish()
        return spec
    }

    /// A taint written as kubectl prints it: `key=value:Effect` or `key:Effect`.
    static func taint(_ value: YAMLValue) throws -> Taint {
        let text = try value.string()
        guard let colon = text.lastIndex(of: ":") else {
            throw value.error("'\(text)' is not a taint: write key=value:Effect or key:Effect")
        }
        let effectText = String(text[text.index(after: colon)...])
        guard let effect = Taint.Effect(rawValue: effectText) else {
            let effects = Taint.Effect.allCases.map(\.rawValue).joined(separator: ", ")
            throw value.error("'\(effectText)' is not a taint effect (\(effects))")
        }
        let keyValue = text[..<colon].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let key = keyValue.first, !key.isEmpty else { throw value.error("'\(text)' has no taint key") }
        return Taint(key: String(key), value: keyValue.count == 2 ? String(keyValue[1]) : nil, effect: effect)
    }
}

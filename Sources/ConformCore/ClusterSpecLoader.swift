import Foundation

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
        if let servicesValue = fields.optional("services") {
            let services = try servicesValue.mapping()
            for (name, serviceValue) in services.entries {
                spec.services.append(try service(named: name, from: serviceValue))
            }
            services.markAllUsed()
        }
        if let healthValue = fields.optional("health") {
            let endpoints = try healthValue.mapping()
            for (name, endpointValue) in endpoints.entries {
                spec.health.append(try healthEndpoint(named: name, from: endpointValue))
            }
            endpoints.markAllUsed()
        }
        try fields.finish()
        return spec
    }

    static func service(named name: String, from value: YAMLValue) throws -> ServiceSpec {
        let fields = try value.mapping()
        var spec = ServiceSpec(name: name)
        if let namespace = fields.optional("namespace") {
            spec.namespace = try namespace.string()
            guard !spec.namespace.isEmpty else { throw namespace.error("a Service's namespace cannot be empty") }
        }
        if let type = fields.optional("type") { spec.type = try ProfileLoader.enumValue(ServiceSpec.Kind.self, type) }
        for item in try fields.optional("ports")?.list() ?? [] {
            let port = try item.mapping()
            let entry = ServicePortSpec(
                name: try port.optional("name")?.string(), port: try port.optional("port")?.int(in: 1...65535),
                nodePort: try port.optional("node_port")?.int(in: 1...65535),
                protocol: try port.optional("protocol").map { try ProfileLoader.oneOf(["TCP", "UDP", "SCTP"], $0) }
                    ?? "TCP")
            guard entry.port != nil || entry.nodePort != nil else {
                throw item.error("a Service port needs its port, its node_port, or both")
            }
            if entry.nodePort != nil, spec.type == .clusterIP {
                throw try port.required("node_port").error(
                    "a ClusterIP Service has no NodePorts: give the Service type NodePort (or LoadBalancer)")
            }
            try port.finish()
            spec.ports.append(entry)
        }
        try fields.finish()
        return spec
    }

    static func healthEndpoint(named name: String, from value: YAMLValue) throws -> HealthEndpoint {
        let fields = try value.mapping()
        let urlValue = try fields.required("url")
        let url = try urlValue.string()
        let scheme = url.range(of: "://").map { String(url[..<$0.lowerBound]).lowercased() } ?? ""
        let kind: HealthEndpoint.Kind
        switch scheme {
        case "http", "https": kind = .http
        case "tcp": kind = .tcp
        case "grpc": kind = .grpc
        default: throw urlValue.error("'\(Redaction.redactURL(url))' is not an http(s)://, tcp:// or grpc:// URL")
        }
        let components = URLComponents(string: url)
        guard let host = components?.host, !host.isEmpty else {
            throw urlValue.error("'\(Redaction.redactURL(url))' names no host")
        }
        if let port = components?.port, !(1...65535).contains(port) {
            throw urlValue.error("port \(port) of '\(Redaction.redactURL(url))' is not a port (1-65535)")
        }
        if kind != .http, components?.port == nil {
            throw urlValue.error("a \(scheme):// URL needs its port ('\(Redaction.redactURL(url))')")
        }
        Redaction.registerSecrets(inURL: url)
        var endpoint = HealthEndpoint(name: name, url: url, kind: kind)
        if let status = fields.optional("status") {
            guard kind == .http else { throw status.error("only an http(s) endpoint answers with a status") }
            endpoint.status = try status.int(in: 100...599)
        }
        if let body = fields.optional("body_contains") {
            guard kind == .http else { throw body.error("only an http(s) endpoint answers with a body") }
            let text = try body.string()
            guard !text.isEmpty else {
                throw body.error("body_contains is empty: give the text a healthy answer holds")
            }
            endpoint.bodyContains = text
        }
        if let service = fields.optional("grpc_service") {
            guard kind == .grpc else { throw service.error("only a grpc:// endpoint is asked about a gRPC service") }
            endpoint.grpcService = try service.string()
        }
        try fields.finish()
        return endpoint
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

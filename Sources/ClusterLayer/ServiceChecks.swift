import ConformCore
import Foundation

/// Service checks: each designed Service is there with its type and ports, selects ready endpoints; the API
/// server is ready; the design's health endpoints answer healthy.
struct ServiceChecks: Sendable {
    let spec: ClusterSpec
    let facts: ClusterFacts

    func service(_ designed: ServiceSpec, in services: [Service]) -> Service? {
        services.first { $0.name == designed.name && $0.namespace == designed.namespace }
    }

    // With no Service or health endpoint designed, their checks have nothing to say (the lists' own state is
    // the other checks' to report).

    func exists() -> [Finding] {
        guard !spec.services.isEmpty else { return [] }
        return facts.services.evaluate { services in
            spec.services.map { designed in
                let subject = designed.qualifiedName
                guard let service = service(designed, in: services) else {
                    let sameName = services.filter { $0.name == designed.name }.map(\.namespace)
                    return Finding(
                        .fail, subject: subject, expected: designed.type.rawValue, observed: "absent",
                        observedValue: .text("absent"),
                        message: "Service \(subject) is not in the cluster"
                            + (sameName.isEmpty
                                ? "" : " (a Service '\(designed.name)' is in \(sameName.joined(separator: ", ")))"))
                }
                let matches = service.type == designed.type.rawValue
                let address = service.spec.clusterIP.map { ", cluster IP \($0)" } ?? ""
                return Finding(
                    matches ? .pass : .fail, subject: subject, expected: designed.type.rawValue,
                    observed: service.type, observedValue: .text(service.type),
                    message: matches
                        ? "\(service.type)\(address)"
                        : "type \(service.type), the design has \(designed.type.rawValue)\(address)")
            }
        }
    }

    func ports() -> [Finding] {
        guard !spec.services.isEmpty else { return [] }
        return facts.services.evaluate { services in
            spec.services.map { designed in
                let subject = designed.qualifiedName
                guard !designed.ports.isEmpty else {
                    return Finding(.skip, subject: subject, message: "the design names no ports of this Service")
                }
                guard let service = service(designed, in: services) else {
                    return Finding(
                        .skip, subject: subject,
                        message: "Service \(subject) is not in the cluster (k8s.service.exists)")
                }
                let actual = service.spec.ports ?? []
                let expected = designed.ports.map(\.description).joined(separator: ", ")
                let observed = actual.map(\.text).joined(separator: ", ")
                let wrong = designed.ports.compactMap { port in Self.difference(port, in: actual) }
                return Finding(
                    wrong.isEmpty ? .pass : .fail, subject: subject, expected: expected,
                    observed: observed.isEmpty ? "no ports" : observed,
                    observedValue: .list(actual.map { .text($0.text) }),
                    message: wrong.isEmpty
                        ? "ports as designed: \(observed)"
                        : "\(wrong.joined(separator: "; ")) (the Service has \(observed.isEmpty ? "no ports" : observed))"
                )
            }
        }
    }

    /// What is wrong with one designed port among the Service's, or `nil`: found by its name, else its port,
    /// else its NodePort.
    static func difference(_ designed: ServicePortSpec, in actual: [Service.Port]) -> String? {
        let found =
            designed.name.flatMap { name in actual.first { $0.name == name } }
            ?? designed.port.flatMap { port in actual.first { $0.port == port } }
            ?? designed.nodePort.flatMap { nodePort in actual.first { $0.nodePort == nodePort } }
        guard let port = found else { return "no port \(designed)" }
        var problems: [String] = []
        if let expected = designed.port, port.port != expected {
            problems.append("port \(port.port), designed \(expected)")
        }
        if let expected = designed.nodePort, port.nodePort != expected {
            problems.append("NodePort \(port.nodePort.map(String.init) ?? "none"), designed \(expected)")
        }
        if (port.protocol ?? "TCP") != designed.protocol {
            problems.append("protocol \(port.protocol ?? "TCP"), designed \(designed.protocol)")
        }
        let label = port.name.map { "port '\($0)'" } ?? "port \(port.port)"
        return problems.isEmpty ? nil : "\(label): \(problems.joined(separator: ", "))"
    }

    func endpoints() -> [Finding] {
        guard !spec.services.isEmpty else { return [] }
        return facts.services.evaluate { services in
            facts.endpointSlices.evaluate { slices in
                spec.services.map { designed in
                    let subject = designed.qualifiedName
                    guard service(designed, in: services) != nil else {
                        return Finding(
                            .skip, subject: subject,
                            message: "Service \(subject) is not in the cluster (k8s.service.exists)")
                    }
                    // A pod is one endpoint however many slices list it (a dual-stack Service has one per
                    // address family) and however many subsets of an Endpoints object.
                    var seen = Set<String>()
                    let endpoints = slices.filter {
                        $0.serviceName == designed.name && $0.namespace == designed.namespace
                    }.flatMap { $0.endpoints ?? [] }.filter { endpoint in
                        let key =
                            endpoint.targetRef.flatMap { reference in
                                reference.name.map { "\(reference.kind ?? "")/\(reference.namespace ?? "")/\($0)" }
                            } ?? endpoint.addresses.sorted().joined(separator: ",")
                        return seen.insert(key).inserted
                    }
                    let ready = endpoints.filter(\.isReady)
                    let addresses = ready.flatMap(\.addresses)
                    let notReady = endpoints.count - ready.count
                    let nodes = Set(ready.compactMap(\.nodeName)).sorted()
                    let placement = nodes.isEmpty ? "" : " on \(nodes.joined(separator: ", "))"
                    guard !ready.isEmpty else {
                        return Finding(
                            .fail, subject: subject, expected: "at least 1 ready endpoint", observed: "0 ready",
                            observedValue: .record(["ready": .count(0), "notReady": .count(notReady)]),
                            message: endpoints.isEmpty
                                ? "selects no endpoints: no pod matches its selector, or none is running"
                                : "no ready endpoint: \(notReady) not ready")
                    }
                    return Finding(
                        .pass, subject: subject, expected: "at least 1 ready endpoint",
                        observed: "\(ready.count) ready",
                        observedValue: .record(["ready": .count(ready.count), "notReady": .count(notReady)]),
                        message:
                            "\(ready.count) ready endpoint(s)\(placement): \(addresses.prefix(4).joined(separator: ", "))"
                            + (notReady > 0 ? "; \(notReady) not ready" : ""))
                }
            }
        }
    }

    /// 200 `ok` is ready; a 5xx that lists failing checks (`[-]etcd failed: reason withheld`, "readyz check
    /// failed") is an API server that says it is not ready. Anything else says nothing about readiness (401: the
    /// credentials; an HTML 500: a proxy; no answer): the check could not be made, as for the lists.
    func readyz() -> [Finding] {
        facts.readyz.evaluate { answer in
            let subject = answer.url
            guard let status = answer.status, answer.error == nil else {
                return [
                    Finding(.error, subject: subject, message: "cannot ask \(subject): \(answer.error ?? "no answer")")
                ]
            }
            let body = (answer.body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let lines = body.split(separator: "\n").map(String.init)
            let failing = lines.filter { $0.hasPrefix("[-]") }
            if status == 200, lines.last == "ok" {
                return [
                    Finding(
                        .pass, subject: subject, expected: "200 ok", observed: "200 ok", observedValue: .count(200),
                        message: "ready")
                ]
            }
            guard (500..<600).contains(status), !failing.isEmpty || lines.last == "readyz check failed" else {
                return [
                    Finding(
                        .error, subject: subject,
                        message:
                            "cannot ask \(subject): \(KubeClient.statusMessage(status, body: answer.body.map { Data($0.utf8) } ?? Data()))"
                            + (status == 200 ? ", not a readiness report" : ""))
                ]
            }
            return [
                Finding(
                    .fail, subject: subject, expected: "200 ok",
                    observed: "\(status) \(failing.joined(separator: "; "))",
                    observedValue: .count(status),
                    message: "not ready: HTTP \(status)"
                        + (failing.isEmpty ? "" : ": \(failing.joined(separator: "; "))"))
            ]
        }
    }

    func health() -> [Finding] {
        guard !spec.health.isEmpty else { return [] }
        return facts.health.evaluate { answers in
            spec.health.map { endpoint in
                let url = Redaction.redactURL(endpoint.url)
                // By the design's name: two endpoints may share a URL (two gRPC services of one server).
                guard let answer = answers.first(where: { $0.name == endpoint.name }) else {
                    return Finding(
                        .error, subject: endpoint.name, message: "no answer of \(url) is recorded (\(facts.source))")
                }
                guard answer.url == url else {
                    return Finding(
                        .error, subject: endpoint.name,
                        message:
                            "the answer recorded for \(endpoint.name) is from \(answer.url); the design asks \(url)")
                }
                if let unasked = answer.unasked {
                    return Finding(.error, subject: endpoint.name, message: "cannot ask \(url): \(unasked)")
                }
                return Self.judge(endpoint, answer)
            }
        }
    }

    /// Whether an answer is healthy for its kind of endpoint.
    static func judge(_ endpoint: HealthEndpoint, _ answer: HealthAnswer) -> Finding {
        let url = answer.url
        func finding(_ healthy: Bool, expected: String, observed: String, _ message: String) -> Finding {
            Finding(
                healthy ? .pass : .fail, subject: endpoint.name, expected: expected, observed: observed,
                observedValue: .text(observed), message: "\(url): \(message)")
        }
        switch endpoint.kind {
        case .http:
            let expected =
                (endpoint.status.map { "HTTP \($0)" } ?? "HTTP 2xx")
                + (endpoint.bodyContains.map { " containing '\($0)'" } ?? "")
            guard let status = answer.status, answer.error == nil else {
                return finding(false, expected: expected, observed: "no answer", "no answer: \(answer.error ?? "none")")
            }
            let body = answer.body ?? ""
            let statusOK = endpoint.status.map { $0 == status } ?? (200..<300).contains(status)
            let bodyOK = endpoint.bodyContains.map { body.contains($0) } ?? true
            let observed = "HTTP \(status)" + (body.isEmpty ? "" : " \(excerpt(body))")
            return finding(
                statusOK && bodyOK, expected: expected, observed: observed,
                statusOK && bodyOK
                    ? "answers \(observed)" : "answers \(observed), healthy is \(expected)")
        case .tcp:
            let connected = answer.connected == true && answer.error == nil
            return finding(
                connected, expected: "accepts a connection", observed: connected ? "connected" : "no connection",
                connected ? "accepts connections" : "does not accept a connection: \(answer.error ?? "no answer")")
        case .grpc:
            let serving = answer.serving == "SERVING" && (answer.grpcStatus ?? 0) == 0 && answer.error == nil
            let observed = answer.serving ?? (answer.grpcStatus.map { "grpc-status \($0)" } ?? "no answer")
            let service = endpoint.grpcService.map { " of \($0)" } ?? ""
            let message: String
            if serving {
                message = "the gRPC health check\(service) says SERVING"
            } else if let error = answer.error {
                message = "the gRPC health check\(service) failed: \(error)"
            } else {
                message = "the gRPC health check\(service) says \(observed)"
            }
            return finding(serving, expected: "SERVING", observed: observed, message)
        }
    }

    /// The first line of a body, at most 80 characters.
    static func excerpt(_ body: String) -> String {
        let line = body.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return line.count > 80 ? String(line.prefix(77)) + "..." : line
    }
}

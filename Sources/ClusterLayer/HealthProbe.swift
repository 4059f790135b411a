import ConformCore
import ConformCurl
import Foundation

/// What a health endpoint answered, or why it did not: one record per designed endpoint, and the API
/// server's `/readyz`. A fixture keeps these in `cluster/health.json`.
public struct HealthAnswer: Codable, Sendable, Equatable {
    /// The design's name of the endpoint (`minio-ready`), which its check finds the answer by.
    public var name: String?
    /// The endpoint asked, credentials masked.
    public var url: String
    /// The HTTP status (http(s) and gRPC); `nil` when nothing was answered or for tcp.
    public var status: Int?
    /// The start of the body as text (http(s)).
    public var body: String?
    /// For tcp: the connection was accepted.
    public var connected: Bool?
    /// For gRPC: the `grpc-status` the call ended with (0 is OK) and the health status it gave
    /// (`SERVING`, `NOT_SERVING`, `UNKNOWN`, `SERVICE_UNKNOWN`).
    public var grpcStatus: Int?
    public var serving: String?
    /// Why there is no answer: refused, timed out, no such host.
    public var error: String?
    /// Why the endpoint could not even be asked (its Service's cluster IP unknown): the check could not be made.
    public var unasked: String?

    public init(
        name: String? = nil, url: String, status: Int? = nil, body: String? = nil, connected: Bool? = nil,
        grpcStatus: Int? = nil, serving: String? = nil, error: String? = nil, unasked: String? = nil
    ) {
        self.name = name
        self.url = url
        self.status = status
        self.body = body
        self.connected = connected
        self.grpcStatus = grpcStatus
        self.serving = serving
        self.error = error
        self.unasked = unasked
    }
}

/// The health answers a fixture recorded (`cluster/health.json`).
public struct HealthRecord: Codable, Sendable, Equatable {
    public var readyz: HealthAnswer?
    public var endpoints: [HealthAnswer]

    public init(readyz: HealthAnswer? = nil, endpoints: [HealthAnswer] = []) {
        self.readyz = readyz
        self.endpoints = endpoints
    }
}

/// Asks the design's health endpoints, all at once, each within the time limit: HTTP(S) GETs, TCP connects and
/// gRPC health checks, every one through libcurl.
public enum HealthProbe {
    /// Bytes of a body kept: enough for `OK` or a readyz report, not a whole page.
    static let bodyLimit = 2048

    /// The answers in the order of `endpoints`, each asked on a thread of its own. `services` gives the cluster
    /// IP of each Service, so that a `<service>.<namespace>.svc.cluster.local` name is reached at its cluster IP
    /// from a machine without the cluster's DNS (a node, the control plane); where the Services could not be
    /// listed, such a name is not asked (the API is at fault, not the service).
    public static func answers(
        _ endpoints: [HealthEndpoint], services: Probed<[Service]> = .value([]), timeout: Double
    ) -> [HealthAnswer] {
        let answers = Locked<[Int: HealthAnswer]>([:])
        Concurrently.run(
            endpoints.indices.map { index in
                {
                    var answer = answer(endpoints[index], services: services, timeout: timeout)
                    answer.name = endpoints[index].name
                    answers.withLock { $0[index] = answer }
                }
            })
        let collected = answers.withLock { $0 }
        return endpoints.indices.map {
            collected[$0] ?? HealthAnswer(name: endpoints[$0].name, url: Redaction.redactURL(endpoints[$0].url))
        }
    }

    /// Whether the endpoint's host is a Service's in-cluster name, reached at the cluster IP the API gives.
    public static func needsClusterIP(_ endpoint: HealthEndpoint) -> Bool {
        URLComponents(string: endpoint.url)?.host.map { serviceName(of: $0) != nil } ?? false
    }

    static func answer(_ endpoint: HealthEndpoint, services: Probed<[Service]>, timeout: Double) -> HealthAnswer {
        let shown = Redaction.redactURL(endpoint.url)
        guard var components = URLComponents(string: endpoint.url), let host = components.host else {
            return HealthAnswer(url: shown, error: "not a URL")
        }
        var clusterIP: String?
        if serviceName(of: host) != nil {
            guard let listed = services.value else {
                let why = services.error?.description ?? "they were not listed"
                return HealthAnswer(
                    url: shown,
                    unasked: "the cluster IP of \(host) is unknown: the Services could not be listed (\(why))")
            }
            clusterIP = self.clusterIP(of: host, in: listed)
        }
        var transfer: CurlTransfer
        switch endpoint.kind {
        case .http:
            transfer = CurlTransfer(url: endpoint.url)
        case .tcp:
            components.scheme = "http"
            transfer = CurlTransfer(url: components.string ?? endpoint.url)
            transfer.connectOnly = true
        case .grpc:
            components.scheme = "http"
            components.path = "/grpc.health.v1.Health/Check"
            transfer = CurlTransfer(url: components.string ?? endpoint.url)
            transfer.httpVersion = .http2PriorKnowledge
            transfer.headers = ["Content-Type: application/grpc", "TE: trailers"]
            transfer.body = .post(grpcRequest(service: endpoint.grpcService ?? ""))
        }
        transfer.connectTimeout = timeout / 2
        transfer.timeout = timeout
        // Health is whether this machine reaches the service itself: an http_proxy or ALL_PROXY of the
        // environment would answer a TCP connect, and ignore the cluster IP, in its place.
        transfer.noProxy = "*"
        transfer.keepsAtMost = bodyLimit
        if let clusterIP {
            let port = components.port ?? (endpoint.url.lowercased().hasPrefix("https:") ? 443 : 80)
            let address = clusterIP.contains(":") ? "[\(clusterIP)]" : clusterIP
            transfer.connectTo = ["\(host):\(port):\(address):\(port)"]
        }
        let response: CurlResponse
        do throws(CurlError) {
            response = try transfer.perform()
        } catch {
            // A gRPC server may answer with trailers only and reset the stream before it has read the request
            // (RST_STREAM NO_ERROR), which libcurl reports as an HTTP/2 stream error: the answer came all the same.
            if endpoint.kind == .grpc, error.headers.contains(where: { $0.lowercased().hasPrefix("grpc-status:") }) {
                return grpcAnswer(status: error.status, body: Data(), headers: error.headers, url: shown)
            }
            return HealthAnswer(
                url: shown, status: error.status == 0 ? nil : error.status, error: Redaction.redact(error.description))
        }
        switch endpoint.kind {
        case .http:
            return HealthAnswer(url: shown, status: response.status, body: text(of: response.body))
        case .tcp:
            return HealthAnswer(url: shown, connected: true)
        case .grpc:
            return grpcAnswer(status: response.status, body: response.body, headers: response.headers, url: shown)
        }
    }

    /// The start of a body as text, masked as every output is: an answer is kept in a capture's `health.json`,
    /// which no report's redaction passes through, and a server may echo a token it was sent.
    static func text(of body: Data) -> String {
        Redaction.redact(String(decoding: body.prefix(bodyLimit), as: UTF8.self))
    }

    /// One uncompressed gRPC message (flag 0, 4-byte big-endian length) holding a HealthCheckRequest: field 1,
    /// the service's name, left out for "" (the whole server).
    static func grpcRequest(service: String) -> Data {
        var message: [UInt8] = []
        if !service.isEmpty {
            let name = Array(service.utf8)
            message = [0x0A]
            var length = name.count
            repeat {
                message.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0))
                length >>= 7
            } while length > 0
            message += name
        }
        let count = UInt32(message.count)
        return Data(
            [0, UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + message)
    }

    /// The health status of a gRPC answer: `grpc-status` from the trailers (or the headers of a trailers-only
    /// answer), and field 1 of the HealthCheckResponse message in the body.
    static func grpcAnswer(status: Int, body data: Data, headers: [String], url: String) -> HealthAnswer {
        let response = CurlResponse.Headers(headers)
        var answer = HealthAnswer(url: url, status: status)
        answer.grpcStatus = response.header("grpc-status").flatMap { Int($0) }
        let body = [UInt8](data)
        // A message: compressed flag, 4-byte big-endian length, the protobuf bytes.
        if body.count >= 5, body[0] == 0 {
            let length = body[1...4].reduce(0) { $0 << 8 | Int($1) }
            let message = body.dropFirst(5).prefix(length)
            answer.serving = servingStatus(in: Array(message))
        }
        if answer.serving == nil, answer.grpcStatus == nil {
            answer.error = "HTTP \(status) without a gRPC answer: not a gRPC server, or not over h2c"
        } else if let code = answer.grpcStatus, code != 0 {
            let message = Redaction.redact(response.header("grpc-message").flatMap { $0.removingPercentEncoding } ?? "")
            let meaning =
                [
                    5: " (NOT_FOUND: the server does not know the service asked about)",
                    12: " (UNIMPLEMENTED: the server has no health service)",
                ][code] ?? ""
            answer.error = "grpc-status \(code)\(meaning)" + (message.isEmpty ? "" : ": \(message)")
        }
        return answer
    }

    /// HealthCheckResponse.status (field 1, a varint); an empty message is the default, UNKNOWN.
    static func servingStatus(in message: [UInt8]) -> String {
        let names = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"]
        guard message.count >= 2, message[0] == 0x08 else { return names[0] }
        let value = Int(message[1])
        return value < names.count ? names[value] : "status \(value)"
    }

    /// The Service and namespace of an in-cluster name, `<service>.<namespace>.svc[.cluster.local]`.
    static func serviceName(of host: String) -> (name: String, namespace: String)? {
        let labels = host.lowercased().split(separator: ".").map(String.init)
        guard labels.count >= 3, labels[2] == "svc", labels.count == 3 || labels[3...] == ["cluster", "local"]
        else { return nil }
        return (labels[0], labels[1])
    }

    /// The cluster IP of an in-cluster name when the API lists that Service with one.
    static func clusterIP(of host: String, in services: [Service]) -> String? {
        guard let service = serviceName(of: host) else { return nil }
        return services.first { $0.name == service.name && $0.namespace == service.namespace }?.spec.clusterIP
            .flatMap { $0.isEmpty || $0 == "None" ? nil : $0 }
    }
}

import ConformCore
import ConformCurl
import Foundation

/// A small, read-only Kubernetes API client over libcurl (`CurlTransfer`).
///
/// TLS is verified unless the kubeconfig says `insecure-skip-tls-verify`; client certificates and keys
/// go to libcurl from memory (`CURLOPT_SSLCERT_BLOB`, `CURLOPT_SSLKEY_BLOB`), never to a file. Errors
/// name the URL and say what went wrong; they never contain the token or the key.
public final class KubeClient: Sendable {
    public let credentials: KubeCredentials
    public let connectTimeout: Double
    public let totalTimeout: Double
    /// Items per page (`limit`); the client follows `continue` until the list is complete.
    public let pageSize: Int

    public init(
        credentials: KubeCredentials, connectTimeout: Double = 5, totalTimeout: Double = 20, pageSize: Int = 500
    ) {
        self.credentials = credentials
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.pageSize = pageSize
    }

    /// Every item of a list (`/api/v1/nodes`), page by page.
    public func list<Item: Codable & Sendable>(_ path: String, as type: Item.Type) throws -> [Item] {
        var items: [Item] = []
        var token: String?
        repeat {
            var query = "limit=\(pageSize)"
            if let token, let escaped = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                query += "&continue=\(escaped)"
            }
            let url = self.url("\(path)?\(query)")
            let body = try get(url)
            let page: KubeList<Item>
            do {
                page = try JSONDecoder().decode(KubeList<Item>.self, from: body)
            } catch {
                throw ProbeError(path: url, reason: "the response is not a \(Item.self) list: \(Self.describe(error))")
            }
            items += page.items
            token = page.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return items
    }

    /// The URL of an API path on this server.
    public func url(_ path: String) -> String {
        "\(credentials.server.hasSuffix("/") ? String(credentials.server.dropLast()) : credentials.server)\(path)"
    }

    /// One GET; a non-2xx answer becomes an error from the API's `Status` body.
    func get(_ url: String) throws -> Data {
        let response = try fetch(url)
        guard (200..<300).contains(response.status) else {
            throw ProbeError(path: url, reason: Self.statusMessage(response.status, body: response.body))
        }
        return response.body
    }

    /// One GET, whatever the server answers (`/readyz` says what failed in a 500's body); what keeps the
    /// transfer from completing is a `ProbeError`.
    func fetch(_ url: String) throws(ProbeError) -> CurlResponse {
        var transfer = CurlTransfer(url: url)
        transfer.headers = ["Accept: application/json"]
        if let token = credentials.token { transfer.headers.append("Authorization: Bearer \(token)") }
        transfer.connectTimeout = connectTimeout
        transfer.timeout = totalTimeout
        transfer.verifiesTLS = !credentials.insecureSkipTLSVerify
        transfer.certificateAuthority = credentials.certificateAuthority
        transfer.clientCertificate = credentials.clientCertificate
        transfer.clientKey = credentials.clientKey
        let response: CurlResponse
        do throws(CurlError) {
            response = try transfer.perform()
        } catch {
            var reason = error.description
            // A server refusing an expired certificate just ends the session; say which certificate it was.
            if error.started,
                let problem = credentials.clientCertificate.flatMap(CertificateValidity.init(pem:))?.problem()
            {
                reason +=
                    "; the client certificate of context '\(credentials.context)' in \(credentials.file) \(problem)"
            }
            throw ProbeError(path: url, reason: reason)
        }
        return response
    }

    /// The API's `Status` object (`{"kind":"Status","code":401,"reason":"Unauthorized","message":…}`) as a sentence.
    static func statusMessage(_ status: Int, body: Data) -> String {
        struct APIStatus: Decodable {
            var message: String?
            var reason: String?
        }
        let decoded = try? JSONDecoder().decode(APIStatus.self, from: body)
        let meaning: String
        switch status {
        case 401: meaning = "unauthorized: the token or client certificate was not accepted (expired or wrong)"
        case 403: meaning = "forbidden: the credentials may not list this resource"
        case 404: meaning = "not found: this API path does not exist on the server"
        case 500...599: meaning = "the API server failed"
        default: meaning = "unexpected answer"
        }
        let detail = [decoded?.reason, decoded?.message].compactMap { $0 }.joined(separator: ": ")
        return "HTTP \(status), \(meaning)" + (detail.isEmpty ? "" : " (\(detail))")
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }
}

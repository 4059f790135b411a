import CCurl
import ConformCore
import Foundation

/// A small, read-only Kubernetes API client over libcurl: the one place that holds curl handles.
///
/// TLS is verified unless the kubeconfig says `insecure-skip-tls-verify`; client certificates and keys
/// go to libcurl from memory (`CURLOPT_SSLCERT_BLOB`, `CURLOPT_SSLKEY_BLOB`), never to a file. Errors
/// name the URL and say what went wrong; they never contain the token or the key.
public final class KubeClient: @unchecked Sendable {
    public let credentials: KubeCredentials
    public let connectTimeout: Double
    public let totalTimeout: Double
    /// Items per page (`limit`); the client follows `continue` until the list is complete.
    public let pageSize: Int

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(
        credentials: KubeCredentials, connectTimeout: Double = 5, totalTimeout: Double = 20, pageSize: Int = 500
    ) {
        _ = Self.globalInit
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
            let url =
                "\(credentials.server.hasSuffix("/") ? String(credentials.server.dropLast()) : credentials.server)\(path)?\(query)"
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

    /// One GET; a non-2xx answer becomes an error from the API's `Status` body.
    func get(_ url: String) throws -> Data {
        guard let handle = curl_easy_init() else {
            throw ProbeError(path: url, reason: "libcurl could not start a transfer")
        }
        defer { curl_easy_cleanup(handle) }
        let response = ResponseBuffer()
        let context = Unmanaged.passUnretained(response).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        headers = curl_slist_append(headers, "Accept: application/json")
        if let token = credentials.token {
            headers = curl_slist_append(headers, "Authorization: Bearer \(token)")
        }

        var code = CURLE_OK
        func set(_ result: CURLcode) { if code == CURLE_OK { code = result } }
        errorBuffer.withUnsafeMutableBufferPointer { buffer in
            set(CCurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress))
            set(CCurl_setopt_string(handle, CURLOPT_URL, url))
            set(CCurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)))
            set(CCurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
            set(CCurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000)))
            set(CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(totalTimeout * 1000)))
            set(CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, credentials.insecureSkipTLSVerify ? 0 : 1))
            set(CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, credentials.insecureSkipTLSVerify ? 0 : 2))
            set(blob(handle, CURLOPT_CAINFO_BLOB, credentials.certificateAuthority))
            set(blob(handle, CURLOPT_SSLCERT_BLOB, credentials.clientCertificate))
            set(blob(handle, CURLOPT_SSLKEY_BLOB, credentials.clientKey))
            if credentials.clientCertificate != nil {
                set(CCurl_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM"))
                set(CCurl_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM"))
            }
            set(
                CCurl_setopt_write(
                    handle,
                    { data, size, count, context in
                        guard let data, let context else { return 0 }
                        let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context).takeUnretainedValue()
                        buffer.data.append(
                            UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
                        return size * count
                    }, context))
            if code == CURLE_OK { code = curl_easy_perform(handle) }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let summary = String(cString: curl_easy_strerror(code))
            var reason = detail.isEmpty ? summary : "\(summary): \(detail)"
            // A server refusing an expired certificate just ends the session; say which certificate it was.
            if let problem = credentials.clientCertificate.flatMap(CertificateValidity.init(pem:))?.problem() {
                reason +=
                    "; the client certificate of context '\(credentials.context)' in \(credentials.file) \(problem)"
            }
            throw ProbeError(path: url, reason: reason)
        }
        var status = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard (200..<300).contains(status) else {
            throw ProbeError(path: url, reason: Self.statusMessage(status, body: response.data))
        }
        return response.data
    }

    private func blob(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ data: Data?) -> CURLcode {
        guard let data else { return CURLE_OK }
        return data.withUnsafeBytes { bytes in CCurl_setopt_blob(handle, option, bytes.baseAddress, bytes.count) }
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

/// The bytes of one response, appended to by libcurl's write callback.
private final class ResponseBuffer {
    var data = Data()
}

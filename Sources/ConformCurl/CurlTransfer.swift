import CCurl
import Foundation

/// One HTTP(S) transfer over libcurl, described in Swift and run by `perform()`: the one place that holds
/// curl handles.
///
/// The corresponding C functions are `curl_easy_init`, `curl_easy_setopt`, `curl_easy_perform`,
/// `curl_easy_getinfo` and `curl_easy_cleanup`. Certificates and keys go to libcurl from memory
/// (`CURLOPT_CAINFO_BLOB`, `CURLOPT_SSLCERT_BLOB`, `CURLOPT_SSLKEY_BLOB`, which libcurl copies), never to a
/// file. Errors say what libcurl said; they never contain the headers, the password or the key.
public struct CurlTransfer {
    public var url: String
    /// Request headers as `Name: value` lines (`Expect:` with no value removes one libcurl would add).
    public var headers: [String] = []
    /// Seconds to connect (`CURLOPT_CONNECTTIMEOUT_MS`); nil is libcurl's default.
    public var connectTimeout: Double?
    /// Seconds for the whole transfer (`CURLOPT_TIMEOUT_MS`); nil is no limit.
    public var timeout: Double?
    /// Whether the server's certificate and name are verified (`CURLOPT_SSL_VERIFYPEER`, `CURLOPT_SSL_VERIFYHOST`).
    public var verifiesTLS = true
    /// PEM certificates to verify the server with instead of the system's.
    public var certificateAuthority: Data?
    /// A PEM client certificate and its key.
    public var clientCertificate: Data?
    public var clientKey: Data?
    /// Whether an HTTP status of 400 or more fails the transfer (`CURLOPT_FAILONERROR`).
    public var failsOnHTTPError = false
    /// Signs the request with AWS SigV4 (`CURLOPT_AWS_SIGV4`, e.g. `aws:amz:us-east-1:s3`) with `username`
    /// as the access key and `password` as the secret.
    public var awsSigV4: String?
    public var username: String?
    public var password: String?
    public var body: Body = .none
    public var response: ResponseHandling = .memory
    /// The HTTP version to speak (`CURLOPT_HTTP_VERSION`); nil is libcurl's choice.
    public var httpVersion: HTTPVersion?
    /// Connect, then stop: nothing is sent (`CURLOPT_CONNECT_ONLY`). The response is status 0.
    public var connectOnly = false
    /// Hosts reached without the environment's proxy (`CURLOPT_NOPROXY`; `*` for all).
    public var noProxy: String?
    /// Bytes of the body kept; the transfer ends once it has sent more, and the response holds the first ones
    /// (a health endpoint that answers with a large object is not read to its end).
    public var keepsAtMost: Int?
    /// `host:port:connect-host:connect-port` lines (`CURLOPT_CONNECT_TO`): connect elsewhere than the URL's
    /// host while the request still names it.
    public var connectTo: [String] = []

    public enum HTTPVersion {
        /// HTTP/2 without an upgrade, over plain TCP (h2c, what gRPC without TLS speaks).
        case http2PriorKnowledge

        var value: Int {
            switch self {
            case .http2PriorKnowledge: return Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
            }
        }
    }

    /// What the request sends.
    public enum Body {
        case none
        /// A POST of these bytes (`CURLOPT_POSTFIELDSIZE_LARGE`, `CURLOPT_COPYPOSTFIELDS`).
        case post(Data)
        /// A PUT of `byteCount` bytes, asked of `fill` a buffer at a time as libcurl sends them
        /// (`CURLOPT_UPLOAD`, `CURLOPT_READFUNCTION`); `fill` writes every byte of the buffer it gets.
        case upload(byteCount: Int, fill: (UnsafeMutableRawBufferPointer) -> Void)
    }

    /// What becomes of the response body (`CURLOPT_WRITEFUNCTION`).
    public enum ResponseHandling {
        /// Kept in `CurlResponse.body`.
        case memory
        /// Counted in `CurlResponse.receivedBytes` and dropped.
        case discard
    }

    public init(url: String) {
        self.url = url
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Runs the transfer. Whatever the server answers is a response (unless `failsOnHTTPError`); what keeps
    /// the transfer from completing is a `CurlError`.
    public func perform() throws(CurlError) -> CurlResponse {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { throw CurlError.noTransfer() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        var connectToList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_easy_cleanup(handle)
            curl_slist_free_all(headerList)
            curl_slist_free_all(connectToList)
        }
        for header in headers { headerList = curl_slist_append(headerList, header) }
        for line in connectTo { connectToList = curl_slist_append(connectToList, line) }
        let context = TransferContext(response: response, body: body, limit: keepsAtMost)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        var code = CURLE_OK
        func set(_ result: CURLcode) { if code == CURLE_OK { code = result } }
        set(CCurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(CCurl_setopt_string(handle, CURLOPT_URL, url))
        // A process with threads must not let libcurl use signals for its timeouts.
        set(CCurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        if headerList != nil {
            set(CCurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)))
        }
        if let connectTimeout { set(CCurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))) }
        if let timeout { set(CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))) }
        set(CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, verifiesTLS ? 1 : 0))
        set(CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, verifiesTLS ? 2 : 0))
        set(Self.blob(handle, CURLOPT_CAINFO_BLOB, certificateAuthority))
        set(Self.blob(handle, CURLOPT_SSLCERT_BLOB, clientCertificate))
        set(Self.blob(handle, CURLOPT_SSLKEY_BLOB, clientKey))
        if clientCertificate != nil {
            set(CCurl_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM"))
            set(CCurl_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM"))
        }
        if failsOnHTTPError { set(CCurl_setopt_long(handle, CURLOPT_FAILONERROR, 1)) }
        if let httpVersion { set(CCurl_setopt_long(handle, CURLOPT_HTTP_VERSION, httpVersion.value)) }
        if connectOnly { set(CCurl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)) }
        if let noProxy { set(CCurl_setopt_string(handle, CURLOPT_NOPROXY, noProxy)) }
        if connectToList != nil {
            set(CCurl_setopt_pointer(handle, CURLOPT_CONNECT_TO, UnsafeMutableRawPointer(connectToList)))
        }
        if let awsSigV4 { set(CCurl_setopt_string(handle, CURLOPT_AWS_SIGV4, awsSigV4)) }
        if let username { set(CCurl_setopt_string(handle, CURLOPT_USERNAME, username)) }
        if let password { set(CCurl_setopt_string(handle, CURLOPT_PASSWORD, password)) }
        let opaqueContext = Unmanaged.passUnretained(context).toOpaque()
        set(
            CCurl_setopt_callback(
                handle, CURLOPT_WRITEFUNCTION, CURLOPT_WRITEDATA, TransferContext.write, opaqueContext))
        set(
            CCurl_setopt_callback(
                handle, CURLOPT_HEADERFUNCTION, CURLOPT_HEADERDATA, TransferContext.header, opaqueContext))
        switch body {
        case .none:
            break
        case .post(let bytes):
            set(CCurl_setopt_long(handle, CURLOPT_POST, 1))
            set(CCurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
            // libcurl copies the bytes (COPYPOSTFIELDS) before this closure ends.
            set(
                (bytes.isEmpty ? Data([0]) : bytes).withUnsafeBytes { raw in
                    CCurl_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                })
        case .upload(let byteCount, _):
            set(CCurl_setopt_long(handle, CURLOPT_UPLOAD, 1))
            set(CCurl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(byteCount)))
            set(
                CCurl_setopt_callback(
                    handle, CURLOPT_READFUNCTION, CURLOPT_READDATA, TransferContext.read, opaqueContext))
        }
        if code == CURLE_OK { code = withExtendedLifetime(context) { curl_easy_perform(handle) } }

        var status = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // The write callback ended a body past `keepsAtMost`: what was kept is the answer.
        if code == CURLE_WRITE_ERROR, context.reachedLimit { code = CURLE_OK }
        guard code == CURLE_OK else {
            throw CurlError(
                code: code, detail: String(cString: errorBuffer), status: status, headers: context.headers)
        }
        func seconds(_ info: CURLINFO) -> Double {
            var microseconds: curl_off_t = 0
            _ = CCurl_getinfo_offset(handle, info, &microseconds)
            return Double(microseconds) / 1e6
        }
        let timing = CurlTiming(
            totalSeconds: seconds(CURLINFO_TOTAL_TIME_T), preTransferSeconds: seconds(CURLINFO_PRETRANSFER_TIME_T),
            startTransferSeconds: seconds(CURLINFO_STARTTRANSFER_TIME_T))
        return CurlResponse(
            status: status, body: context.received, receivedBytes: context.receivedBytes, timing: timing,
            headers: context.headers)
    }

    private static func blob(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ data: Data?) -> CURLcode {
        guard let data else { return CURLE_OK }
        return data.withUnsafeBytes { bytes in CCurl_setopt_blob(handle, option, bytes.baseAddress, bytes.count) }
    }
}

/// What the server sent, and how long each part of the transfer took.
public struct CurlResponse: Sendable {
    /// The HTTP status (`CURLINFO_RESPONSE_CODE`; 0 when nothing was answered).
    public var status: Int
    /// The response body, when it was kept in memory.
    public var body: Data
    /// Bytes of the response body libcurl delivered, kept or not.
    public var receivedBytes: Int
    public var timing: CurlTiming
    /// Every header line the server sent, trailers included, without the line end; for each response of the
    /// transfer (a redirect's too), its status line first.
    public var headers: [String] = []

    /// The value of the last header of this name (`grpc-status`), compared without case.
    public func header(_ name: String) -> String? { Headers(headers).header(name) }

    /// Header lines, as a response or a failed transfer (`CurlError.headers`) has them.
    public struct Headers: Sendable {
        public var lines: [String]

        public init(_ lines: [String]) {
            self.lines = lines
        }

        /// The value of the last header of this name, compared without case.
        public func header(_ name: String) -> String? {
            lines.reversed().lazy.compactMap { line -> String? in
                guard let colon = line.firstIndex(of: ":"),
                    line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased()
                else { return nil }
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }.first
        }
    }
}

/// The times libcurl measured, in seconds from the start of the transfer.
public struct CurlTiming: Sendable {
    /// The whole transfer (`CURLINFO_TOTAL_TIME_T`).
    public var totalSeconds: Double
    /// Until the request could be sent: connected, TLS done (`CURLINFO_PRETRANSFER_TIME_T`).
    public var preTransferSeconds: Double
    /// Until the first byte of the response (`CURLINFO_STARTTRANSFER_TIME_T`).
    public var startTransferSeconds: Double
}

/// The state libcurl's callbacks read and write during one `perform()`.
private final class TransferContext {
    let keepsBody: Bool
    var received = Data()
    var receivedBytes = 0
    var remainingUpload: Int
    var headers: [String] = []
    let fill: ((UnsafeMutableRawBufferPointer) -> Void)?
    let limit: Int?
    var reachedLimit = false

    init(response: CurlTransfer.ResponseHandling, body: CurlTransfer.Body, limit: Int?) {
        keepsBody = response == .memory
        self.limit = limit
        if case .upload(let byteCount, let fill) = body {
            remainingUpload = byteCount
            self.fill = fill
        } else {
            remainingUpload = 0
            fill = nil
        }
    }

    static let write: CCurl_callback = { data, size, count, context in
        guard let context else { return 0 }
        let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
        var byteCount = size * count
        if let limit = transfer.limit, transfer.receivedBytes + byteCount > limit {
            byteCount = max(0, limit - transfer.receivedBytes)
            transfer.reachedLimit = true
        }
        if transfer.keepsBody, let data {
            transfer.received.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: byteCount)
        }
        transfer.receivedBytes += byteCount
        // Past the limit, fewer bytes than given: libcurl ends the transfer (CURLE_WRITE_ERROR).
        return byteCount
    }

    static let header: CCurl_callback = { data, size, count, context in
        guard let context else { return 0 }
        let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
        let byteCount = size * count
        if let data, byteCount > 0 {
            let bytes = UnsafeRawBufferPointer(start: data, count: byteCount)
            let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
            // A header section holds a few dozen lines; a server sending thousands gets the first ones kept.
            if !line.isEmpty, transfer.headers.count < 256 { transfer.headers.append(line) }
        }
        return byteCount
    }

    static let read: CCurl_callback = { data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
        let chunk = min(size * count, transfer.remainingUpload)
        transfer.fill?(UnsafeMutableRawBufferPointer(start: data, count: chunk))
        transfer.remainingUpload -= chunk
        return chunk
    }
}

import CCurl

/// Why a transfer did not complete, in libcurl's words: `curl_easy_strerror` of its code, then what the
/// error buffer (`CURLOPT_ERRORBUFFER`) added, as `summary: detail`.
public struct CurlError: Error, CustomStringConvertible {
    public let description: String
    /// Whether a transfer was started (false: libcurl gave no handle).
    public let started: Bool
    /// Whether the transfer ran out of its `timeout` (`CURLE_OPERATION_TIMEDOUT`).
    public let timedOut: Bool
    /// The HTTP status the server answered with before the transfer failed, 0 when none.
    public let status: Int
    /// The header lines received before it failed (a gRPC server's trailers-only answer, then a reset stream).
    public let headers: [String]

    init(code: CURLcode, detail: String, status: Int, headers: [String] = []) {
        let summary = String(cString: curl_easy_strerror(code))
        description = detail.isEmpty ? summary : "\(summary): \(detail)"
        started = true
        timedOut = code == CURLE_OPERATION_TIMEDOUT
        self.status = status
        self.headers = headers
    }

    private init(description: String) {
        self.description = description
        started = false
        timedOut = false
        status = 0
        headers = []
    }

    /// `curl_easy_init` gave no handle: libcurl is missing (the error names it and says why) or out of memory.
    static func noTransfer() -> CurlError {
        let cause = CCurl_loadError().map { ": \(String(cString: $0))" } ?? ""
        return CurlError(description: "libcurl could not start a transfer\(cause)")
    }
}

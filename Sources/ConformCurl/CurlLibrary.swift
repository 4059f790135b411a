import CCurl

/// The libcurl conform loads (libcurl.so.4, opened on the first call).
public enum CurlLibrary {
    /// The library's version string. The corresponding C function is `curl_version_info(CURLVERSION_NOW)`.
    public static var version: String? {
        guard let info = CCurl_version_info(), let text = info.pointee.version else { return nil }
        return String(cString: text)
    }
}

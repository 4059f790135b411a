import Foundation

/// The one redaction every output path uses (console, logs, reports, JSON, history, Prometheus, errors):
/// secrets never leave conform, whichever message or file they would have reached.
///
/// Two kinds are masked: secrets inside URLs (the password of the userinfo, and query parameters that carry
/// credentials: tokens, signatures, keys, `X-Amz-*`), and secret values conform read from its inputs
/// (kubeconfig tokens and keys, AWS secrets), registered as they are read so that they are masked wherever
/// they would appear, a server's echo of them included.
public enum Redaction {
    /// What a secret is replaced with.
    public static let mask = "***"

    /// Registered secrets, longest first, so that a secret containing another is masked whole.
    private static let registered = Locked<[String]>([])

    /// Remembers a secret so that every later output masks it. Values too short to be a secret on their own
    /// (a one-letter password) would mask ordinary text and are masked only inside URLs.
    public static func register(_ secret: String?) {
        guard let secret, secret.count >= 6 else { return }
        // A secret read from a file can reach output as its lines (a PEM key).
        let lines = secret.split(whereSeparator: \.isNewline).filter { $0.count >= 16 }.map(String.init)
        registered.withLock { secrets in
            for value in [secret] + lines where !secrets.contains(value) { secrets.append(value) }
            secrets.sort { $0.count > $1.count }
        }
    }

    /// Remembers the secrets a URL carries, its password and its credential query values, so that they are
    /// masked where they appear without the URL around them (a server echoing its query, an error).
    public static func registerSecrets(inURL url: String) {
        guard let components = URLComponents(string: url) else { return }
        register(components.password)
        for item in components.queryItems ?? [] where isSecretParameter(item.name) { register(item.value) }
    }

    /// `text` with every secret masked.
    public static func redact(_ text: String) -> String {
        var result = text.contains("://") ? redactURLs(in: text) : text
        for secret in registered.withLock({ $0 }) where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: mask)
        }
        return result
    }

    /// Query parameter names whose values are credentials (compared in lower case).
    static func isSecretParameter(_ name: String) -> Bool {
        let name = name.lowercased()
        if name.hasPrefix("x-amz-") { return !["x-amz-date", "x-amz-expires", "x-amz-algorithm"].contains(name) }
        if ["sig", "pwd", "pass", "code", "key"].contains(name) { return true }
        return [
            "token", "secret", "passw", "signature", "credential", "auth", "apikey", "api_key", "api-key", "session",
        ]
        .contains { name.contains($0) }
    }

    // scheme://[user[:password]@]rest, where the URL ends at whitespace or a quote.
    private static let urlPattern = try? NSRegularExpression(
        pattern: #"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'"<>`]+"#)

    static func redactURLs(in text: String) -> String {
        guard let pattern = urlPattern else { return text }
        let whole = NSRange(text.startIndex..., in: text)
        var result = ""
        var cursor = text.startIndex
        for match in pattern.matches(in: text, range: whole) {
            guard let range = Range(match.range, in: text) else { continue }
            result += text[cursor..<range.lowerBound]
            result += redactURL(String(text[range]))
            cursor = range.upperBound
        }
        return result + text[cursor...]
    }

    /// One URL with its userinfo password and credential-carrying query values masked.
    public static func redactURL(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        var rest = String(url[schemeEnd.upperBound...])
        // The userinfo ends at the URL's last '@': a password may hold an unescaped '/', '?', '#' or '@'
        // (`admin:se/cret@host`), where a URL parser would end it early. An '@' further on (in a path or a query)
        // masks up to it too, which hides part of an address rather than show a password.
        if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            rest = String(rest[..<colon]) + ":" + mask + String(rest[at...])
        }
        if let query = rest.firstIndex(of: "?") {
            let fragment = rest[query...].firstIndex(of: "#") ?? rest.endIndex
            let parameters = rest[rest.index(after: query)..<fragment].split(
                separator: "&", omittingEmptySubsequences: false
            )
            .map { parameter -> String in
                guard let equals = parameter.firstIndex(of: "="),
                    isSecretParameter(String(parameter[..<equals]).removingPercentEncoding ?? "")
                else { return String(parameter) }
                return String(parameter[...equals]) + mask
            }
            rest = String(rest[...query]) + parameters.joined(separator: "&") + String(rest[fragment...])
        }
        return String(url[..<schemeEnd.upperBound]) + rest
    }
}

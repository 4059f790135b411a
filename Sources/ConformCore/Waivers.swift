import Foundation

/// An accepted deviation: results of checks matching `id` on hosts matching `host` are reported as
/// `waived` until `expires` (inclusive). An expired waiver waives nothing and is itself a failure.
public struct Waiver: Sendable, Equatable {
    public var id: String
    public var host: String
    public var subject: String
    public var reason: String
    /// The last day the waiver holds, as written (`2026-12-31`).
    public var expires: String
    /// Where it was written, for the failure an expired waiver raises.
    public var location: String

    public init(
        id: String, host: String = "*", subject: String = "*", reason: String, expires: String, location: String = ""
    ) {
        self.id = id
        self.host = host
        self.subject = subject
        self.reason = reason
        self.expires = expires
        self.location = location
    }

    public func isExpired(today: String) -> Bool { expires < today }

    public func covers(_ result: CheckResult) -> Bool {
        Glob.matches(id, result.id) && Glob.matches(host, result.host)
            && (subject == "*" || Glob.matches(subject, result.subject ?? ""))
    }

    static let expiredMetadata = CheckMetadata(
        id: "waiver.expired", layer: .waiver, title: "Waivers are still in date", severity: .major,
        remediation: "Fix what the waiver covered, or renew the waiver with a new expiry date and a reason.",
        rationale: "A waiver is a decision with a date on it; an expired one must be looked at again.")

    static let unusedMetadata = CheckMetadata(
        id: "waiver.unused", layer: .waiver, title: "Every waiver matches a result", severity: .minor,
        remediation: "Correct the waiver's id, host or subject globs (names as the report prints them), or remove it.",
        rationale: "A waiver that matches nothing is a typo or a stale decision, and a typo hides nothing it meant to.")
}

/// The waivers of a run, read from `--waivers FILE`.
public struct WaiverList: Sendable, Equatable {
    public var waivers: [Waiver]

    public init(_ waivers: [Waiver] = []) {
        self.waivers = waivers
    }

    /// Reads a waiver file:
    /// ```yaml
    /// waivers:
    ///   - id: host.governor        # glob on check ids
    ///     host: k3s-*              # glob on host names (default *)
    ///     subject: "*"             # glob on subjects (default *)
    ///     reason: cpufreq driver missing on this board, ticket OPS-12
    ///     expires: 2026-12-31      # last day it holds
    /// ```
    public static func load(file: String) throws -> WaiverList {
        let root = try YAMLValue.load(file: file)
        let top = try root.mapping()
        var waivers: [Waiver] = []
        for item in try top.required("waivers").list() {
            let fields = try item.mapping()
            let expiresValue = try fields.required("expires")
            let expires = try expiresValue.string()
            guard Self.dayFormatter.date(from: expires) != nil, expires.count == 10 else {
                throw expiresValue.error("'\(expires)' is not a date written as YYYY-MM-DD")
            }
            let reason = try fields.required("reason").string()
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw try fields.required("reason").error("a waiver needs a reason")
            }
            waivers.append(
                Waiver(
                    id: try fields.required("id").string(), host: try fields.optional("host")?.string() ?? "*",
                    subject: try fields.optional("subject")?.string() ?? "*", reason: reason, expires: expires,
                    location: "\(file):\(item.line ?? 0)"))
            try fields.finish()
        }
        try top.finish()
        return WaiverList(waivers)
    }

    static let dayFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()

    /// Today in the waivers' format, in UTC.
    public static func today(_ now: Date = Date()) -> String { dayFormatter.string(from: now) }

    /// Marks covered failures, warnings and errors as waived, and adds a failure for each expired waiver.
    public func apply(to results: [CheckResult], today: String) -> [CheckResult] {
        var applied = results.map { result -> CheckResult in
            guard [.fail, .warn, .error].contains(result.status),
                let waiver = waivers.first(where: { !$0.isExpired(today: today) && $0.covers(result) })
            else { return result }
            var waived = result
            waived.message =
                "waived until \(waiver.expires) (\(waiver.reason)); was \(result.status.rawValue): \(result.message)"
            waived.status = .waived
            return waived
        }
        // A waiver in date that covers no result of this run waives nothing: a mistyped glob, most likely.
        for waiver in waivers where !waiver.isExpired(today: today) && !results.contains(where: waiver.covers) {
            let finding = Finding(
                .warn, subject: waiver.id, expected: "a result of this run matching it",
                observed: "no result matches",
                message:
                    "the waiver for '\(waiver.id)' on hosts '\(waiver.host)' (\(waiver.location)) matches no result "
                    + "of this run; check its globs against the names in the report")
            applied.append(
                CheckResult(metadata: Waiver.unusedMetadata, host: waiver.host, finding: finding, durationSeconds: 0))
        }
        for waiver in waivers where waiver.isExpired(today: today) {
            let finding = Finding(
                .fail, subject: waiver.id, expected: "expires on or after \(today)",
                observed: "expired \(waiver.expires)",
                message: "the waiver for '\(waiver.id)' on hosts '\(waiver.host)' expired on \(waiver.expires) "
                    + "(\(waiver.location)); it no longer waives anything. Reason given: \(waiver.reason)")
            applied.append(
                CheckResult(metadata: Waiver.expiredMetadata, host: waiver.host, finding: finding, durationSeconds: 0))
        }
        return applied
    }
}

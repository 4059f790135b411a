import Foundation

/// Everything a run produced, as the reporters see it.
public struct RunReport: Sendable {
    public var profile: String
    public var started: Date
    public var durationSeconds: Double
    public var results: [CheckResult]
    /// `--strict`: warnings count as failures, and every report says so.
    public var strict: Bool
    /// The pictures of the run (pin maps, node memory, bandwidth, trends), written beside the reports.
    public var figures: [Figure]

    public init(
        profile: String, started: Date, durationSeconds: Double, results: [CheckResult], strict: Bool = false,
        figures: [Figure] = []
    ) {
        self.profile = profile
        self.started = started
        self.durationSeconds = durationSeconds
        self.results = results
        self.strict = strict
        self.figures = figures
    }

    public var summary: Summary { Summary(results) }

    /// DESIGN.md's exit codes: 1 when anything failed (or warned, with `strict`), else 3 when something
    /// could not run or nothing was checked at all, else 0.
    public var exitCode: Int32 {
        let summary = summary
        if summary.fail > 0 || (strict && summary.warn > 0) { return 1 }
        if summary.error > 0 || checkedNothing { return 3 }
        return 0
    }

    /// Whether every result was a skip: nothing applied here, so nothing was checked, and that is not a pass.
    public var checkedNothing: Bool {
        !results.contains { $0.status != .skip }
    }

    /// The closing line every report carries: the counts and, with `--strict`, how many warnings it counted
    /// as failures, so a report that says "0 failed" never hides why the run exited 1.
    public var verdictLine: String {
        var line = summary.line
        if checkedNothing { line += " (nothing was checked: every result was skipped)" }
        if strict { line += " (--strict: \(summary.warn) warning(s) counted as failures)" }
        return line
    }

    /// Hosts in the order their first result appears.
    public var hosts: [String] {
        var seen: [String] = []
        for result in results where !seen.contains(result.host) { seen.append(result.host) }
        return seen
    }
}

/// Counts of results by status.
public struct Summary: Codable, Sendable, Equatable {
    public var pass = 0, warn = 0, fail = 0, error = 0, skip = 0, waived = 0

    public init(_ results: [CheckResult] = []) {
        for result in results { add(result.status) }
    }

    mutating func add(_ status: Status) {
        switch status {
        case .pass: pass += 1
        case .warn: warn += 1
        case .fail: fail += 1
        case .error: error += 1
        case .skip: skip += 1
        case .waived: waived += 1
        }
    }

    public var total: Int { pass + warn + fail + error + skip + waived }

    /// The closing line: `12 passed, 1 failed, 0 warnings, 0 errors, 2 skipped, 0 waived`.
    public var line: String {
        "\(pass) passed, \(fail) failed, \(warn) warnings, \(error) errors, \(skip) skipped, \(waived) waived"
    }
}

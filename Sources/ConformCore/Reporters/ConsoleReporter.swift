import Foundation

/// One line per result, a table of counts per host and a closing summary line, coloured only when writing to a
/// terminal.
public struct ConsoleReporter: Sendable {
    public var colour: Bool

    public init(colour: Bool) {
        self.colour = colour
    }

    public func render(_ report: RunReport) -> String {
        var lines = report.results.map { line($0, strict: report.strict) }
        lines += countsTable(report)
        lines.append(report.verdictLine)
        return lines.joined(separator: "\n") + "\n"
    }

    func line(_ result: CheckResult, strict: Bool) -> String {
        let counted = strict && result.status == .warn
        let label = result.status.rawValue.uppercased().padding(toLength: 6, withPad: " ", startingAt: 0)
        var text = "\(paint(label, result.status)) \(result.host)  \(result.qualifiedName)  \(result.message)"
        if counted { text += " [counted as a failure: --strict]" }
        if [.fail, .error].contains(result.status), !result.expected.isEmpty || !result.observed.isEmpty {
            text += " (expected \(result.expected), observed \(result.observed))"
        }
        return text
    }

    /// The counts of each host and of the whole run, as `summary.md` has them, so that the end of a long run's
    /// output says which host to look at. Plain text, aligned: it is read in logs as often as on terminals.
    func countsTable(_ report: RunReport) -> [String] {
        guard !report.results.isEmpty else { return [] }
        let header = ["host", "pass", "warn", "fail", "error", "skip", "waived"]
        let hostRows = report.hosts.map { host in [host] + counts(Summary(report.results.filter { $0.host == host })) }
        let rows = [header] + hostRows + [["all"] + counts(report.summary)]
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                column == 0
                    ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ")
        }
    }

    func counts(_ summary: Summary) -> [String] {
        [summary.pass, summary.warn, summary.fail, summary.error, summary.skip, summary.waived].map(String.init)
    }

    func paint(_ text: String, _ status: Status) -> String {
        guard colour else { return text }
        let code: String
        switch status {
        case .pass: code = "32"
        case .warn: code = "33"
        case .fail: code = "31;1"
        case .error: code = "35"
        case .skip, .waived: code = "36"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

import Foundation

/// One line per result and a closing summary line, coloured only when writing to a terminal.
public struct ConsoleReporter: Sendable {
    public var colour: Bool

    public init(colour: Bool) {
        self.colour = colour
    }

    public func render(_ report: RunReport) -> String {
        var lines = report.results.map { line($0, strict: report.strict) }
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

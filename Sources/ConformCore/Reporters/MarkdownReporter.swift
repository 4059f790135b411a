import Foundation

/// `summary.md`: a GitHub-flavoured summary table, then per host and layer the failures first (with what
/// to do), then every result.
public struct MarkdownReporter: Sendable {
    public init() {}

    static let statusOrder: [Status] = [.fail, .error, .warn, .waived, .skip, .pass]

    public func render(_ report: RunReport) -> String {
        let summary = report.summary
        var lines: [String] = [
            "# conform — \(report.profile)", "",
            "Started \(ReportTime.rfc3339(report.started)), took \(ReportTime.seconds(report.durationSeconds)) s. "
                + "**\(report.verdictLine)**.", "",
            "| Host | Layer | Pass | Warn | Fail | Error | Skip | Waived |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        let groups = report.hosts.flatMap { host in
            Layer.allCases.compactMap { layer -> (String, Layer, [CheckResult])? in
                let results = report.results.filter { $0.host == host && $0.layer == layer }
                return results.isEmpty ? nil : (host, layer, results)
            }
        }
        for (host, layer, results) in groups {
            lines.append("| \(cell(host)) | \(layer.rawValue) | " + counts(Summary(results)) + " |")
        }
        lines.append("| **all** | | " + counts(summary) + " |")
        lines += pictures(report.figures.filter { $0.kind != .trend })

        for (host, layer, results) in groups {
            lines += ["", "## \(host) — \(layer.rawValue)", ""]
            let problems = results.filter { [.fail, .error, .warn].contains($0.status) }
                .sorted { rank($0.status) < rank($1.status) }
            if !problems.isEmpty {
                lines.append("### Needs attention")
                lines.append("")
                for result in problems {
                    lines.append(
                        "- **\(result.status.rawValue.uppercased())** `\(result.qualifiedName)` (\(result.severity.rawValue)): \(inline(result.message))"
                    )
                    if !result.expected.isEmpty || !result.observed.isEmpty {
                        lines.append("  - expected `\(inline(result.expected))`, observed `\(inline(result.observed))`")
                    }
                    lines.append("  - remediation: \(inline(result.remediation))")
                }
                lines.append("")
            }
            lines.append("| Status | Check | Expected | Observed | Message |")
            lines.append("|---|---|---|---|---|")
            for result in results.sorted(by: { rank($0.status) < rank($1.status) }) {
                lines.append(
                    "| \(result.status.rawValue) | `\(cell(result.qualifiedName))` | \(cell(result.expected)) | "
                        + "\(cell(result.observed)) | \(cell(result.message)) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Links to the SVG files written beside `summary.md`, which GitHub's and GitLab's Markdown views draw.
    func pictures(_ figures: [Figure]) -> [String] {
        guard !figures.isEmpty else { return [] }
        var lines = ["", "## Pictures", ""]
        for figure in figures {
            lines += ["![\(inline(figure.title))](\(figure.fileName))", ""]
        }
        lines.removeLast()
        return lines
    }

    func counts(_ summary: Summary) -> String {
        [summary.pass, summary.warn, summary.fail, summary.error, summary.skip, summary.waived]
            .map(String.init).joined(separator: " | ")
    }

    func rank(_ status: Status) -> Int { Self.statusOrder.firstIndex(of: status) ?? Self.statusOrder.count }

    /// Table cells cannot hold pipes or line breaks.
    func cell(_ text: String) -> String {
        inline(text).replacingOccurrences(of: "|", with: "\\|")
    }

    func inline(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "`", with: "'")
    }
}

import Foundation

/// The report formats, each written by one reporter.
public enum ReportFormat: String, Sendable, CaseIterable {
    case console, junit, markdown, json, prom, html

    /// The file a format is written to in the report directory; the console has none.
    public var fileName: String? {
        switch self {
        case .console: return nil
        case .junit: return "junit.xml"
        case .markdown: return "summary.md"
        case .json: return "results.json"
        case .prom: return "metrics.prom"
        case .html: return "report.html"
        }
    }

    /// Renders a report in this format.
    public func render(_ report: RunReport, colour: Bool = false) throws -> String {
        switch self {
        case .console: return ConsoleReporter(colour: colour).render(report)
        case .junit: return JUnitReporter().render(report)
        case .markdown: return MarkdownReporter().render(report)
        case .json: return try JSONReporter().render(report)
        case .prom: return PrometheusReporter().render(report)
        case .html: return HTMLReporter().render(report)
        }
    }
}

/// Timestamps as the reports write them.
enum ReportTime {
    /// RFC 3339 in UTC: `2026-11-23T01:22:00Z`.
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// JUnit's schema wants a local date-time without a zone: `2026-11-23T01:22:00` (UTC here).
    static func junit(_ date: Date) -> String {
        String(rfc3339(date).dropLast())
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}

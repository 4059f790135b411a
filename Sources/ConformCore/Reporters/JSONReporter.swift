import Foundation

/// `results.json`, schema `conform.results/v1` exactly as DESIGN.md gives it.
public struct JSONReporter: Sendable {
    public static let schema = "conform.results/v1"

    public init() {}

    struct Document: Encodable {
        let schema: String
        let profile: String
        let started: String
        let durationSeconds: Double
        let results: [CheckResult]
        let summary: Summary
        /// `--strict` and the warnings it counted as failures; the exit code the run ended with.
        let strict: Bool
        let warningsCountedAsFailures: Int
        let exitCode: Int32

        enum CodingKeys: String, CodingKey {
            case schema, profile, started, results, summary, strict
            case durationSeconds = "duration_s"
            case warningsCountedAsFailures = "warnings_counted_as_failures"
            case exitCode = "exit_code"
        }
    }

    public func render(_ report: RunReport) throws -> String {
        let document = Document(
            schema: Self.schema, profile: report.profile, started: ReportTime.rfc3339(report.started),
            durationSeconds: report.durationSeconds, results: report.results, summary: report.summary,
            strict: report.strict, warningsCountedAsFailures: report.strict ? report.summary.warn : 0,
            exitCode: report.exitCode)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}

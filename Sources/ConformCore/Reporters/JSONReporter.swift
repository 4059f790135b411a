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

        enum CodingKeys: String, CodingKey {
            case schema, profile, started, results, summary
            case durationSeconds = "duration_s"
        }
    }

    public func render(_ report: RunReport) throws -> String {
        let document = Document(
            schema: Self.schema, profile: report.profile, started: ReportTime.rfc3339(report.started),
            durationSeconds: report.durationSeconds, results: report.results, summary: report.summary)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}

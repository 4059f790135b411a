import Foundation

/// Prometheus text format for node_exporter's textfile collector (and VictoriaMetrics' import API):
/// one gauge per check result (1 for its status), every measurement, and the summary.
public struct PrometheusReporter: Sendable {
    public init() {}

    public func render(_ report: RunReport) -> String {
        var lines = [
            "# HELP conform_check_status 1 for the status of each check result of the last run.",
            "# TYPE conform_check_status gauge",
        ]
        for result in report.results {
            lines.append(
                "conform_check_status{\(labels(["profile": report.profile, "host": result.host, "layer": result.layer.rawValue, "id": result.id, "subject": result.subject ?? "", "status": result.status.rawValue, "severity": result.severity.rawValue]))} 1"
            )
        }
        lines += [
            "# HELP conform_measurement Measurements of the last run, in the unit label.",
            "# TYPE conform_measurement gauge",
        ]
        for result in report.results {
            for measurement in result.measurements where measurement.value.isFinite {
                lines.append(
                    "conform_measurement{\(labels(["profile": report.profile, "host": result.host, "name": measurement.name, "unit": measurement.unit.rawValue]))} \(measurement.value)"
                )
            }
        }
        lines += ["# HELP conform_results Results of the last run by status.", "# TYPE conform_results gauge"]
        let summary = report.summary
        for (status, count) in [
            ("pass", summary.pass), ("warn", summary.warn), ("fail", summary.fail), ("error", summary.error),
            ("skip", summary.skip), ("waived", summary.waived),
        ] {
            lines.append("conform_results{\(labels(["profile": report.profile, "status": status]))} \(count)")
        }
        lines += [
            "# HELP conform_last_run_timestamp_seconds When the last run started.",
            "# TYPE conform_last_run_timestamp_seconds gauge",
            "conform_last_run_timestamp_seconds{\(labels(["profile": report.profile]))} \(Int(report.started.timeIntervalSince1970))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Label pairs in a fixed order, values escaped as the text format wants (backslash, quote, newline).
    func labels(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\""
            )
            .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(escaped)\""
        }.joined(separator: ",")
    }
}

import ArgumentParser
import ConformCore
import Foundation

/// Writes a finished run's report files and console output and ends with DESIGN.md's exit code; shared by
/// `run` and `lint`.
struct ReportOutput {
    let options: ReportOptions
    let strict: Bool

    func finish(_ report: RunReport, defaultRoot: String) throws {
        let formats = try options.formats()
        let writer = ReportWriter(formats: formats)
        var location: String?
        if !writer.formats.isEmpty {
            if let out = options.out {
                try writer.write(report, into: out)
                location = out
            } else {
                location = try writer.writeTimestamped(report, root: defaultRoot)
            }
        }
        if formats.contains(.console) {
            if options.quiet {
                print(report.summary.line)
            } else {
                if let location { print("reports: \(location)") }
                let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                print(try ReportFormat.console.render(report, colour: colour), terminator: "")
            }
        }
        let code = report.exitCode(strict: strict)
        if code != 0 { throw ExitCode(code) }
    }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant until now.
    var secondsSince: Double {
        let elapsed = duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

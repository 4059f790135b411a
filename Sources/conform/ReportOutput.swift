import ArgumentParser
import ConformCore
import Foundation

/// Writes a finished run's report files and console output and ends with DESIGN.md's exit code; shared by
/// `run` and `lint`.
struct ReportOutput {
    let options: ReportOptions
    /// `--keep`, `--prom-file`, `--push-url`: what `run` keeps besides its report (`lint` has none).
    var keep: Int?
    var promFile: String?
    var pushURL: URL?

    init(options: ReportOptions, nightly: NightlyOptions? = nil) {
        self.options = options
        keep = nightly?.keep
        promFile = nightly?.promFile
        pushURL = nightly?.pushURL
    }

    /// The report directory's lock, taken once every input has been read, for the whole run; `nil` when
    /// no report file is written.
    func lock(profile: String, defaultRoot: String) throws -> RunLock? {
        try ReportWriter(formats: options.formats()).formats.isEmpty
            ? nil
            : RunLock(directory: Self.reportDirectory(options: options, profile: profile, defaultRoot: defaultRoot))
    }

    /// Where the run's history lives: the profile's report folder, or `--out`.
    static func reportDirectory(options: ReportOptions, profile: String, defaultRoot: String) -> String {
        options.out ?? (defaultRoot as NSString).appendingPathComponent(profile)
    }

    func finish(_ report: RunReport, defaultRoot: String) throws {
        let formats = try options.formats()
        let writer = ReportWriter(formats: formats)
        let code = report.exitCode
        let history = History(
            directory: Self.reportDirectory(options: options, profile: report.profile, defaultRoot: defaultRoot))
        var location: String?
        let metrics = promFile != nil || pushURL != nil ? PrometheusReporter().render(report) : nil
        if !writer.formats.isEmpty {
            // The reports first, as one set, then the history line: a run whose reports could not be written
            // leaves no history line saying how it ended.
            let trend = ["trend.md": history.trend(adding: report)]
            if let out = options.out {
                try writer.write(report, into: out, extra: trend)
                location = out
            } else {
                location = try writer.writeTimestamped(report, root: defaultRoot, extra: trend)
            }
        }
        if let promFile, let metrics { try ReportWriter.writeAtomically(metrics, to: promFile) }
        if !writer.formats.isEmpty {
            try history.append(report)
            if options.out == nil, let keep { history.retain(keep: keep) }
        }
        if let pushURL, let metrics { MetricsPush.push(metrics, to: pushURL) }
        if formats.contains(.console) {
            if options.quiet {
                print(report.verdictLine)
            } else {
                if let location { print("reports: \(location)") }
                let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                print(try ReportFormat.console.render(report, colour: colour), terminator: "")
            }
        }
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

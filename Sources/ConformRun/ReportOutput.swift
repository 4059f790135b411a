import ConformCore
import ConformPictures
import Foundation

/// Where a finished run's report goes: its formats, its folder, and what a nightly run keeps besides.
public struct ReportDestination: Sendable {
    public var formats: [ReportFormat]
    /// The report folder; `nil` for a timestamped folder under `<defaultRoot>/<profile>/` with a `latest` link.
    public var out: String?
    /// The root of the timestamped folders: `reports`, or `reports/lint`.
    public var defaultRoot: String
    /// Keep only the newest N report folders of the profile (with the default report place).
    public var keep: Int?
    /// Also write the Prometheus text to this file, atomically.
    public var promFile: String?
    /// Also push the Prometheus text to this VictoriaMetrics import URL.
    public var pushURL: URL?

    public init(
        formats: [ReportFormat], out: String? = nil, defaultRoot: String = "reports", keep: Int? = nil,
        promFile: String? = nil, pushURL: URL? = nil
    ) {
        self.formats = formats
        self.out = out
        self.defaultRoot = defaultRoot
        self.keep = keep
        self.promFile = promFile
        self.pushURL = pushURL
    }

    /// Where the run's history lives: the profile's report folder, or `out`.
    func directory(profile: String) -> String {
        out ?? (defaultRoot as NSString).appendingPathComponent(profile)
    }

    /// The report folder's lock, taken once every input has been read, for the whole run; `nil` when no
    /// report file is written.
    public func lock(profile: String) throws -> RunLock? {
        ReportWriter(formats: formats).formats.isEmpty ? nil : try RunLock(directory: directory(profile: profile))
    }

    /// How many runs the trend table and its charts show.
    static let trendRuns = 10
    /// At most this many trend charts: a big fleet's hundreds of measurements would bury the ones that moved.
    static let trendChartLimit = 60

    /// Writes the report files, the history line and the metrics; returns where the files went. The bandwidth
    /// heatmaps and the trend charts are added to the report's figures first; `baseline` (the run's, with the
    /// profile's tolerances) gives the trend charts their bands.
    public func write(_ report: RunReport, baseline: BaselineComparison? = nil) throws -> FinishedRun {
        var report = report
        let writer = ReportWriter(formats: formats)
        let history = History(directory: directory(profile: report.profile))
        var location: String?
        let metrics = promFile != nil || pushURL != nil ? PrometheusReporter().render(report) : nil
        if !writer.formats.isEmpty {
            report.figures += BandwidthHeatmap.figures(from: report)
            let (charts, omitted) = TrendChart.figures(
                series: history.series(runs: Self.trendRuns, adding: report), baseline: baseline,
                limit: Self.trendChartLimit)
            report.figures += charts
            // The reports first, as one set, then the history line: a run whose reports could not be written
            // leaves no history line saying how it ended.
            var extra = [
                "trend.md": history.trend(runs: Self.trendRuns, adding: report, charts: charts, omitted: omitted)
            ]
            for figure in report.figures { extra[figure.fileName] = figure.svg }
            if let out {
                try writer.write(report, into: out, extra: extra)
                location = out
            } else {
                location = try writer.writeTimestamped(report, root: defaultRoot, extra: extra)
            }
        }
        if let promFile, let metrics { try ReportWriter.writeAtomically(metrics, to: promFile) }
        if !writer.formats.isEmpty {
            try history.append(report)
            if out == nil, let keep { history.retain(keep: keep) }
        }
        if let pushURL, let metrics { MetricsPush.push(metrics, to: pushURL) }
        return FinishedRun(report: report, location: location)
    }
}

/// A run whose report is written: what it found and where the files are.
public struct FinishedRun: Sendable {
    public var report: RunReport
    /// The report folder; `nil` when no file was written.
    public var location: String?

    /// DESIGN.md's exit code: 0 nothing failed, 1 a check failed, 3 some checks could not run.
    public var exitCode: Int32 { report.exitCode }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant until now.
    public var secondsSince: Double {
        let elapsed = duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

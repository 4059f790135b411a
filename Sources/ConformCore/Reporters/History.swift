import Foundation

/// The nightly record of a report directory: one JSON line per run, a trend table over the last runs,
/// retention of old report folders, and the lock that keeps two runs from writing at once.
public struct History: Sendable {
    /// The folder holding `history.jsonl` and the timestamped report folders (`reports/<profile>`).
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var file: String { (directory as NSString).appendingPathComponent("history.jsonl") }

    struct Line: Codable {
        var started: String
        var profile: String
        var exitCode: Int32
        var summary: Summary
        /// `host/measurement` → value.
        var measurements: [String: Double]
    }

    static func line(_ report: RunReport) -> Line {
        var measurements: [String: Double] = [:]
        for result in report.results {
            for measurement in result.measurements where measurement.value.isFinite {
                measurements["\(result.host)/\(measurement.name)"] = measurement.value
            }
        }
        return Line(
            started: ReportTime.rfc3339(report.started), profile: report.profile, exitCode: report.exitCode,
            summary: report.summary, measurements: measurements)
    }

    /// Appends one line for the run: a single write with O_APPEND, so lines never interleave.
    public func append(_ report: RunReport) throws {
        let line = Self.line(report)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(line) + Data("\n".utf8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else {
            throw InputError(file: file, message: "cannot append: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count else {
            throw InputError(file: file, message: "cannot append: \(String(cString: strerror(errno)))")
        }
    }

    /// The runs of the last `runs` recorded, oldest first; `adding` is a run not yet appended.
    func recent(runs: Int, adding report: RunReport?) -> [Line] {
        // Read leniently: a line that is not valid UTF-8 or JSON (a disk once full) costs that line only.
        let text = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var recorded = text.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
        if let report { recorded.append(Self.line(report)) }
        return Array(recorded.suffix(runs))
    }

    /// Every measurement of the last `runs` runs, by host and name, with one value (or none) per run: what the
    /// trend charts draw. The unit is the one `adding` measured it in, when it did (history lines keep none).
    public func series(runs: Int = 10, adding report: RunReport? = nil) -> [TrendSeries] {
        let lines = recent(runs: runs, adding: report)
        var units: [String: MeasurementUnit] = [:]
        for result in report?.results ?? [] {
            for measurement in result.measurements { units["\(result.host)/\(measurement.name)"] = measurement.unit }
        }
        return Set(lines.flatMap(\.measurements.keys)).sorted().map { key in
            let slash = key.firstIndex(of: "/") ?? key.startIndex
            return TrendSeries(
                host: String(key[..<slash]), measurement: String(key[key.index(after: slash)...]),
                started: lines.map(\.started), values: lines.map { $0.measurements[key] }, unit: units[key])
        }
    }

    /// A Markdown table of the last `runs` runs, one row per measurement (GitHub-flavoured); `adding` is a
    /// run not yet appended (the trend is written with its report, before its history line). The trend
    /// `charts` (written beside it) follow the table; `omitted` says how many measurements have none.
    public func trend(runs: Int = 10, adding report: RunReport? = nil, charts: [Figure] = [], omitted: Int = 0)
        -> String
    {
        let lines = recent(runs: runs, adding: report)
        guard !lines.isEmpty else { return "# Trend\n\nNo runs recorded yet.\n" }
        let names = Set(lines.flatMap(\.measurements.keys)).sorted()
        var table = [
            "# Trend of the last \(lines.count) run(s)", "",
            "| Measurement | " + lines.map(\.started).joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---:|", count: lines.count),
        ]
        table.append("| **failed checks** | " + lines.map { String($0.summary.fail) }.joined(separator: " | ") + " |")
        for name in names {
            table.append(
                "| `\(name)` | "
                    + lines.map { line in line.measurements[name].map { String(format: "%.4g", $0) } ?? "–" }.joined(
                        separator: " | ") + " |")
        }
        if !charts.isEmpty || omitted > 0 {
            table += ["", "## Charts", ""]
            for chart in charts {
                // Alt text in brackets: a title's brackets would end it early.
                let alt = chart.title.replacingOccurrences(of: "[", with: "(").replacingOccurrences(of: "]", with: ")")
                table += ["![\(alt)](\(chart.fileName))", ""]
            }
            if omitted > 0 {
                table += [
                    "\(omitted) more measurement(s) have no chart: only \(charts.count) are drawn, those outside "
                        + "their baseline's band first; the table above has them all.", "",
                ]
            }
            table.removeLast()
        }
        return table.joined(separator: "\n") + "\n"
    }

    /// Deletes all but the newest `keep` timestamped report folders (names start with a digit).
    public func retain(keep: Int) {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.first?.isNumber ?? false }.sorted()
        for name in entries.dropLast(max(keep, 1)) {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }
}

/// One measurement of one host over the last runs: a value per run, `nil` where that run did not measure it.
public struct TrendSeries: Sendable, Equatable {
    public var host: String
    public var measurement: String
    /// RFC 3339, oldest first, one per run.
    public var started: [String]
    public var values: [Double?]
    /// The unit, when the newest run measured it.
    public var unit: MeasurementUnit?

    public init(host: String, measurement: String, started: [String], values: [Double?], unit: MeasurementUnit? = nil) {
        self.host = host
        self.measurement = measurement
        self.started = started
        self.values = values
        self.unit = unit
    }
}

/// An exclusive lock on a report directory for the whole run; the lock file is removed when the run ends.
/// The corresponding C function is `flock`.
public final class RunLock {
    private let descriptor: Int32
    private let path: String
    private let directory: String
    /// Whether this run made the folder: a run refused after that (nothing checked) leaves no empty folder.
    private let createdDirectory: Bool

    /// Takes the lock or fails at once, naming the holder.
    public init(directory: String) throws {
        createdDirectory = !FileManager.default.fileExists(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        path = (directory as NSString).appendingPathComponent(".lock")
        var attempts = 0
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw InputError(file: path, message: "cannot open the lock file: \(String(cString: strerror(errno)))")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let holder =
                    (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(
                        in: .whitespacesAndNewlines) ?? "?"
                close(descriptor)
                throw LockedError(
                    message:
                        "another conform run (pid \(holder)) holds \(path) and is writing to \(directory); this one stops without running"
                )
            }
            // The holder before us removes the file as it ends: a lock on a file that is no longer at the
            // path locks nothing, so take the one that is there now.
            if Self.isStillAtPath(descriptor, path) {
                self.descriptor = descriptor
                break
            }
            close(descriptor)
            attempts += 1
            guard attempts < 100 else {
                throw LockedError(message: "\(path) keeps being replaced by other conform runs; this one stops")
            }
        }
        SignalCleanup.register(path)
        ftruncate(descriptor, 0)
        let pid = "\(ProcessInfo.processInfo.processIdentifier)\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        Self.removeStagingOfDeadRuns(in: directory)
    }

    /// A run killed with SIGKILL (or by a power cut) while writing leaves its hidden staging files and folders
    /// (`.2026-….tmp-<pid>`, `.junit.xml.tmp-<pid>`, `.latest.tmp-<pid>`); the next run to hold the lock removes
    /// those whose process is gone. Nobody reads them: the reports they would have become never landed.
    static func removeStagingOfDeadRuns(in directory: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards),
                let pid = pid_t(name[marker.upperBound...]), pid > 0
            else { continue }
            // kill(pid, 0) fails with ESRCH only when no such process exists; EPERM means it is alive.
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
            }
        }
    }

    static func isStillAtPath(_ descriptor: Int32, _ path: String) -> Bool {
        var opened = stat()
        var named = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0 else { return false }
        return opened.st_ino == named.st_ino && opened.st_dev == named.st_dev
    }

    deinit {
        // Removed while still held, so a run that opens it next finds it gone and opens a new one.
        unlink(path)
        SignalCleanup.unregister(path)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        if createdDirectory { rmdir(directory) }  // only if empty
    }
}

/// A run refused because another holds the report directory.
public struct LockedError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

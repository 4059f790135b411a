import Foundation

/// Writes a run's report files so that no reader ever sees a half-written report.
///
/// Into the default place, `reports/<profile>/<timestamp>/`, the files are written in a hidden temporary
/// directory that is renamed into place when complete, and `reports/<profile>/latest` is then swapped to
/// point at it. Into a directory named with `--out`, each file is written beside its final name and renamed.
public struct ReportWriter: Sendable {
    public let formats: [ReportFormat]

    public init(formats: [ReportFormat]) {
        self.formats = formats.filter { $0.fileName != nil }
    }

    /// `2026-11-23T01-22-00Z`: sortable and free of characters file systems dislike.
    public static func directoryName(for date: Date) -> String {
        ReportTime.rfc3339(date).replacingOccurrences(of: ":", with: "-")
    }

    /// Writes into `reports/<profile>/<timestamp>/` under `root` and points `latest` at it; returns the directory.
    @discardableResult
    public func writeTimestamped(_ report: RunReport, root: String, extra: [String: String] = [:]) throws -> String {
        let profileDirectory = URL(fileURLWithPath: root).appendingPathComponent(report.profile)
        try FileManager.default.createDirectory(at: profileDirectory, withIntermediateDirectories: true)
        let baseName = Self.directoryName(for: report.started)
        var finalName = baseName
        var attempt = 1
        while FileManager.default.fileExists(atPath: profileDirectory.appendingPathComponent(finalName).path) {
            attempt += 1
            finalName = "\(baseName)-\(attempt)"
        }
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = profileDirectory.appendingPathComponent(".\(finalName).tmp-\(pid)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        SignalCleanup.register(staging.path)
        defer { SignalCleanup.unregister(staging.path) }
        do {
            for format in formats {
                try write(format, report, to: staging)
            }
            for (name, text) in extra {
                try Self.writeAtomically(text, to: staging.appendingPathComponent(name).path)
            }
            let final = profileDirectory.appendingPathComponent(finalName)
            try rename(staging.path, final.path)
            try pointLatest(in: profileDirectory, at: finalName)
            return final.path
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// Writes the files into `directory` (created if needed) as one set, so a file that cannot be written
    /// leaves the previous set as it was.
    public func write(_ report: RunReport, into directory: String, extra: [String: String] = [:]) throws {
        let url = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var files: [(path: String, text: String)] = []
        for format in formats {
            if let name = format.fileName {
                files.append((url.appendingPathComponent(name).path, try format.render(report)))
            }
        }
        files += extra.sorted { $0.key < $1.key }.map { (url.appendingPathComponent($0.key).path, $0.value) }
        try Self.writeAtomically(files)
    }

    /// Writes `text` beside `path` under a temporary name and renames it into place.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically([(path, text)])
    }

    /// Writes each text under a temporary name beside its path, and only once all are written renames them
    /// into place; a temporary file is removed on every path, a signal included. Errors name the path given.
    public static func writeAtomically(_ files: [(path: String, text: String)]) throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        var staged: [(temporary: String, final: String)] = []
        defer {
            for file in staged {
                unlink(file.temporary)
                SignalCleanup.unregister(file.temporary)
            }
        }
        for (path, text) in files {
            if FileManager.default.isFolder(atPath: path) {
                throw InputError(file: path, message: "cannot write: Is a directory")
            }
            let url = URL(fileURLWithPath: path)
            let temporary = url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).tmp-\(pid)")
            SignalCleanup.register(temporary.path)
            staged.append((temporary.path, path))
            do { try Data(text.utf8).write(to: temporary) } catch { throw InputError(writing: path, error) }
        }
        for file in staged where Foundation.rename(file.temporary, file.final) != 0 {
            throw InputError(file: file.final, message: "cannot move into place: \(String(cString: strerror(errno)))")
        }
    }

    func write(_ format: ReportFormat, _ report: RunReport, to directory: URL) throws {
        guard let fileName = format.fileName else { return }
        try Self.writeAtomically(try format.render(report), to: directory.appendingPathComponent(fileName).path)
    }

    /// Replaces `latest` with a symlink to `target` in one step: a new link under a temporary name, renamed over it.
    func pointLatest(in directory: URL, at target: String) throws {
        let latest = directory.appendingPathComponent("latest")
        let temporary = directory.appendingPathComponent(".latest.tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: target)
        try rename(temporary.path, latest.path)
    }

    /// The corresponding C function is `rename`, atomic within one file system.
    func rename(_ from: String, _ to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            let reason = String(cString: strerror(errno))
            throw InputError(file: to, message: "cannot move the report into place: \(reason)")
        }
    }
}

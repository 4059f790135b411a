import ConformCore
import Foundation

/// How a fuzz input becomes what a parser reads: text as it is, or a whole tree of files.
enum FuzzInput {
    /// The most files one input may hold; a tree the size of a real 64-CPU host has about 500.
    static let maximumFiles = 2048

    /// A tree of files written as records, each a header line `=== <relative path>` followed by the file's
    /// bytes up to the next header (`fuzz/seeds.py` writes fixture trees this way):
    ///
    ///     === sys/devices/system/cpu/online
    ///     0-7
    ///     === sys/devices/system/node/node0/cpulist
    ///     0-3
    ///
    /// A path is relative and never leaves the tree (`..` and empty components are dropped).
    static func tree(_ data: Data) -> [String: Data] {
        let bytes = [UInt8](data)
        let header: [UInt8] = Array("=== ".utf8)
        // A record starts at the input's start or after a newline.
        var starts: [Int] = bytes.starts(with: header) ? [0] : []
        var index = bytes.firstIndex(of: UInt8(ascii: "\n"))
        while let newline = index, starts.count < maximumFiles {
            let next = newline + 1
            if bytes[next...].starts(with: header) { starts.append(next) }
            index = bytes[next...].firstIndex(of: UInt8(ascii: "\n"))
        }
        var files: [String: Data] = [:]
        for (number, start) in starts.enumerated() {
            let end = number + 1 < starts.count ? starts[number + 1] : bytes.count
            let record = bytes[(start + header.count)..<end]
            let pathEnd = record.firstIndex(of: UInt8(ascii: "\n")) ?? record.endIndex
            let components = String(decoding: record[record.startIndex..<pathEnd], as: UTF8.self)
                .split(separator: "/").filter { $0 != ".." && $0 != "." }
            guard !components.isEmpty else { continue }
            let contentStart = pathEnd < record.endIndex ? pathEnd + 1 : pathEnd
            files[components.joined(separator: "/")] = Data(record[contentStart..<record.endIndex])
        }
        return files
    }

    static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }
}

/// A private folder for the targets whose parser takes a file name (profiles, kubeconfigs, waivers,
/// baselines, history): one file rewritten per input, on a memory file system where there is one. A crash
/// leaves the folder behind (libFuzzer's handler runs no exit hooks): `fuzz/run.sh` removes it.
final class FuzzScratch: @unchecked Sendable {
    static let shared = FuzzScratch()

    let folder: String

    private init() {
        let base = FileManager.default.isFolder(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        folder = (base as NSString).appendingPathComponent("conform-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzScratch.shared.folder) }
    }

    /// Writes `data` as `name` in the scratch folder and returns its path.
    func write(_ data: Data, as name: String) -> String {
        let path = (folder as NSString).appendingPathComponent(name)
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    /// A symbolic link `name` → `destination` in the scratch folder, made once.
    func link(_ name: String, to destination: String) {
        let path = (folder as NSString).appendingPathComponent(name)
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil {
            try? FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: destination)
        }
    }
}

import Foundation

/// A tree mirroring `/` (a live machine's root, a fixture, a `conform capture`), read-only.
///
/// Every read names the full path in its error, so an `error` result tells the operator which file to look at.
public struct Sysroot: Sendable {
    public let root: String
    /// Files held in memory, instead of the tree under `root`: the fuzz targets feed the probes thousands
    /// of trees a second this way. `nil` reads the disk.
    let memory: MemoryTree?
    /// Notes every path read, listed or tested, shared by every copy of a `recording()` sysroot; nil reads only.
    var recorder: Recorder? = nil

    public init(_ root: String) {
        self.root = root == "/" ? "" : (root.hasSuffix("/") ? String(root.dropLast()) : root)
        self.memory = nil
    }

    /// A tree that exists only in memory; `root` is what error messages show in front of a relative path.
    public init(files: [String: Data], shownAs root: String) {
        self.root = root
        self.memory = MemoryTree(files: files)
    }

    /// Files by relative path, and the names inside each folder they imply.
    struct MemoryTree: Sendable {
        let files: [String: Data]
        let folders: [String: Set<String>]

        init(files: [String: Data]) {
            self.files = files
            var folders: [String: Set<String>] = [:]
            for path in files.keys {
                var components = path.split(separator: "/").map(String.init)
                while let name = components.popLast() {
                    folders[components.joined(separator: "/"), default: []].insert(name)
                }
            }
            self.folders = folders
        }
    }

    /// The machine conform runs on: `/`.
    public static let live = Sysroot("/")

    /// Whether this is the root of the machine conform runs on (benchmarks measure only that one, and its
    /// libvirt daemon is the system's).
    public var isLive: Bool {
        memory == nil && (root.isEmpty || URL(fileURLWithPath: root).standardizedFileURL.path == "/")
    }

    /// The tree as a person names it: `/` for the live machine, else its folder.
    public var shown: String { root.isEmpty ? "/" : root }

    /// The real path of a path relative to the sysroot (`sys/devices/system/node`).
    public func path(_ relative: String) -> String {
        "\(root)/\(relative)"
    }

    public func exists(_ relative: String) -> Bool {
        recorder?.note(relative)
        guard let memory else { return FileManager.default.fileExists(atPath: path(relative)) }
        return memory.files[relative] != nil || memory.folders[relative] != nil
    }

    /// The file's bytes; from the disk through `InputFile.contents`, so a FIFO in a copied tree is refused
    /// before it blocks the read, and an unreadable file says why.
    func contents(_ relative: String) throws(InputFile.Unreadable) -> Data {
        recorder?.note(relative)
        guard let memory else { return try InputFile.contents(path(relative)) }
        guard let data = memory.files[relative] else { throw InputFile.Unreadable(reason: "no such file") }
        return data
    }

    /// What surrounds a value in a sysfs or procfs file: whitespace, and the NUL byte some kernels write after
    /// the newline (`0\n\0`), which is no part of the value.
    static let padding = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{0}"))

    /// The file's text with surrounding whitespace and NUL bytes trimmed.
    public func read(_ relative: String) throws -> String {
        let data: Data
        do { data = try contents(relative) } catch { throw ProbeError(path: path(relative), reason: error.reason) }
        return Self.trimmed(data)
    }

    /// The bytes as text without the padding around them. ASCII padding (all a kernel writes) is cut from
    /// the bytes, which for a 72-CPU /proc/cpuinfo is a tenth of the cost of Foundation's trimming of the
    /// whole text; what is left is trimmed by Foundation only when it starts or ends with other Unicode.
    static func trimmed(_ data: Data) -> String {
        let isPadding = { (byte: UInt8) in byte == 0 || byte == 0x20 || (0x09...0x0D).contains(byte) }
        let start = data.firstIndex { !isPadding($0) } ?? data.endIndex
        let end = data[start...].lastIndex { !isPadding($0) }.map { $0 + 1 } ?? start
        let text = String(decoding: data[start..<end], as: UTF8.self)
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
            !first.isASCII || !last.isASCII
        else { return text }
        return text.trimmingCharacters(in: Self.padding)
    }

    public func readInt(_ relative: String) throws -> Int {
        let text = try read(relative)
        guard let value = Int(text) else { throw ProbeError(path: path(relative), reason: "'\(text)' is not a number") }
        return value
    }

    public func readCPUList(_ relative: String) throws -> CPUSet {
        try read(relative) { try CPUSet(parsing: $0) }
    }

    public func readCPUMask(_ relative: String) throws -> CPUSet {
        try read(relative) { try CPUSet(hexMask: $0) }
    }

    /// The file's text turned into a value; a value that does not parse is an error naming the file.
    private func read<Value>(_ relative: String, _ parse: (String) throws -> Value) throws -> Value {
        let text = try read(relative)
        do {
            return try parse(text)
        } catch {
            throw ProbeError(path: path(relative), reason: "\(error)")
        }
    }

    /// Copies a file byte for byte to the same relative path under `destination` (a fixture's sysroot), as
    /// `conform capture` does; false when it cannot be read here.
    public func copy(_ relative: String, into destination: URL) throws -> Bool {
        guard let data = try? contents(relative) else { return false }
        let target = destination.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
        return true
    }

    /// Directory entries whose names are `prefix` followed by a number (`cpu12`, `node1`), as numbers, ascending.
    /// A number above `maximum` (a CPU or node past any kernel's) is an error naming the entry.
    public func numberedEntries(_ relative: String, prefix: String, maximum: Int = Int.max) throws -> [Int] {
        let full = path(relative)
        guard let names = entries(relative) else { throw ProbeError(path: full, reason: "no such directory") }
        return try names.compactMap { name -> Int? in
            guard name.hasPrefix(prefix), let number = Int(name.dropFirst(prefix.count)), number >= 0 else {
                return nil
            }
            guard number <= maximum else {
                throw ProbeError(path: "\(full)/\(name)", reason: "\(number) is above the largest possible \(maximum)")
            }
            return number
        }.sorted()
    }

    /// The names directly inside a folder; nil when there is no such folder.
    func entries(_ relative: String) -> [String]? {
        recorder?.note(relative)
        guard let memory else { return try? FileManager.default.contentsOfDirectory(atPath: path(relative)) }
        return memory.folders[relative].map(Array.init)
    }
}

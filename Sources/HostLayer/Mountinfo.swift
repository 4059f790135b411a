import ConformCore

/// The mounts of `/proc/self/mountinfo` (proc(5)), in the kernel's order: a later mount on the same point hides
/// the earlier ones.
public struct Mountinfo: Sendable, Equatable {
    /// One line: where, what and which type. The kernel writes a space, tab, newline or backslash in a path as
    /// an octal escape (`\040`); these are the paths unescaped.
    public struct Mount: Sendable, Equatable {
        public var mountPoint: String
        public var source: String
        public var fsType: String

        public init(mountPoint: String, source: String, fsType: String) {
            self.mountPoint = mountPoint
            self.source = source
            self.fsType = fsType
        }
    }

    public var mounts: [Mount]

    public init(mounts: [Mount]) {
        self.mounts = mounts
    }

    /// The file every process sees its own mounts in.
    public static let file = "/proc/self/mountinfo"

    /// Parses the file's text; a line that is not a mountinfo line is an error naming `file` and the line number.
    ///
    /// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`: the mount point is the
    /// fifth field; after the optional fields, which end at a lone `-`, come the type and the source.
    public init(parsing text: String, file: String = Mountinfo.file) throws {
        var mounts: [Mount] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count >= 10, let separator = fields[6...].firstIndex(of: "-"), separator + 2 < fields.count
            else {
                throw ProbeError(path: file, reason: "line \(index + 1) is not a mountinfo line: '\(line.prefix(80))'")
            }
            mounts.append(
                Mount(
                    mountPoint: Self.unescaped(fields[4]), source: Self.unescaped(fields[separator + 2]),
                    fsType: Self.unescaped(fields[separator + 1])))
        }
        self.mounts = mounts
    }

    /// A field with the kernel's octal escapes (`\040` for a space) turned back into their bytes.
    static func unescaped(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
                let value = octal(utf8[(index + 1)..<(index + 4)])
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Three octal digits as the byte they write, or nil.
    static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        guard digits.count == 3 else { return nil }
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) else { return nil }
            value = value * 8 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }

    /// The mount a path lies on: the one whose mount point is the longest leading part of the path, by whole
    /// components, the last of them where several mounts share that point (it hides the others).
    public func mount(holding path: String) -> Mount? {
        Self.holding(path, mounts.map { ($0.mountPoint, $0) })
    }

    /// The value whose mount point is the longest leading part of `path`; the last of equals (a later mount hides
    /// an earlier one on the same point).
    static func holding<Value>(_ path: String, _ candidates: [(mountPoint: String, value: Value)]) -> Value? {
        var best: (length: Int, value: Value)?
        for candidate in candidates {
            let mountPoint = Self.normalized(candidate.mountPoint)
            guard Self.path(path, liesUnder: mountPoint), mountPoint.count >= (best?.length ?? 0) else { continue }
            best = (mountPoint.count, candidate.value)
        }
        return best?.value
    }

    /// `/data/local/` and `/data/local` are one path.
    public static func normalized(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// Whether `path` is `directory` or inside it: `/data/local` lies under `/data` and `/`, not under `/da`.
    public static func path(_ path: String, liesUnder directory: String) -> Bool {
        if directory == "/" || path == directory { return path.hasPrefix("/") }
        return path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
    }
}

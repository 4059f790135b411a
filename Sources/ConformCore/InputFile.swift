import Foundation

/// Checks on a file conform is about to read as input (a profile, a VM definition, a waiver or baseline file,
/// a fixture's files).
public enum InputFile {
    /// Throws unless `path` is a regular file (following links): reading a FIFO blocks until a writer comes,
    /// which for a fixture's libvirt.xml held a run for its probe's whole time limit, and a socket or device
    /// is no input either. A path that does not exist, or a folder, is left to the reader, whose message
    /// already says so at once.
    public static func requireRegularFile(_ path: String, displayName: String? = nil) throws {
        if let kind = irregularKind(path) {
            throw InputError(file: displayName ?? path, message: refusal(kind))
        }
    }

    /// Why an input file could not be read, in words for the message after its path.
    public struct Unreadable: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// The bytes of an input file, after `requireRegularFile`'s check; when there are none, why: "no such
    /// file", or the kernel's words ("Permission denied", "Is a directory"), which Foundation's
    /// `contents(atPath:)` drops.
    public static func contents(_ path: String) throws(Unreadable) -> Data {
        if let kind = irregularKind(path) { throw Unreadable(reason: refusal(kind)) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unreadable(reason: whyUnreadable(path))
        }
        return data
    }

    /// What `path` is when it exists and is neither a regular file nor a folder.
    static func irregularKind(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a file"
        }
    }

    static func refusal(_ kind: String) -> String { "is \(kind), not a regular file: conform reads only files" }

    static func whyUnreadable(_ path: String) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "no such file" }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        var byte: UInt8 = 0
        return Foundation.read(descriptor, &byte, 1) < 0 ? String(cString: strerror(errno)) : "cannot be read"
    }

    /// Throws for the first entry under `folder` (links followed, folders walked) that is neither a regular
    /// file nor a folder, naming it; a link that leads nowhere is left to whoever reads it.
    public static func requireOnlyRegularFiles(under folder: String) throws {
        guard let entries = FileManager.default.enumerator(atPath: folder) else { return }
        for case let relative as String in entries {
            try requireRegularFile((folder as NSString).appendingPathComponent(relative))
        }
    }
}

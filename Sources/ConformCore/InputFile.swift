import Foundation

/// Checks on a file conform is about to read as input (a profile, a VM definition, a waiver or baseline file,
/// a fixture's files).
public enum InputFile {
    /// Throws unless `path` is a regular file (following links): reading a FIFO blocks until a writer comes,
    /// which for a fixture's libvirt.xml held a run for its probe's whole time limit, and a socket or device
    /// is no input either. A path that does not exist, or a folder, is left to the reader, whose message
    /// already says so at once.
    public static func requireRegularFile(_ path: String, displayName: String? = nil) throws {
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFSOCK: kind = "a socket"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        default: kind = "not a file"
        }
        throw InputError(file: displayName ?? path, message: "is \(kind), not a regular file: conform reads only files")
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

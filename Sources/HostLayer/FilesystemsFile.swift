import ConformCore
import Foundation

/// A fixture host's `filesystems.json`: the mounted filesystems of the machine it was taken from, one record
/// per mount point, as `conform capture` writes them and the storage checks replay them.
///
/// ```
/// { "schema": "conform.filesystems/v1",
///   "filesystems": [ { "mountPoint": "/data/local", "source": "/dev/vdb", "fsType": "ext4", "blockSize": 4096,
///                      "blocks": 24032387, "blocksFree": 22795030, "blocksAvailable": 21566230,
///                      "files": 6103040, "filesFree": 6102989 } ] }
/// ```
/// The counts are `statvfs(3)`'s (`f_frsize`, `f_blocks`, `f_bfree`, `f_bavail`, `f_files`, `f_ffree`).
public enum FilesystemsFile {
    /// The file's name beside a fixture host's `sysroot/` and `libvirt.xml`.
    public static let name = "filesystems.json"
    public static let schema = "conform.filesystems/v1"
    /// The largest block or inode count accepted: 2^53, exact in a Double (4.6 EB of 512-byte blocks).
    public static let maximumCount = 1 << 53
    /// The largest block size accepted: 1 GiB.
    public static let maximumBlockSize = 1 << 30

    /// The records of `file`; anything that is not such a file is an `InputError` naming the file, the line
    /// and the field.
    public static func load(file: String) throws -> [FilesystemFacts] {
        let top = try YAMLValue.load(file: file).mapping()
        let schemaValue = try top.required("schema")
        guard try schemaValue.string() == schema else {
            throw schemaValue.error("'\(try schemaValue.string())' is not \(schema)")
        }
        var filesystems: [FilesystemFacts] = []
        for item in try top.required("filesystems").list() {
            let fields = try item.mapping()
            let mountPointValue = try fields.required("mountPoint")
            let blocksValue = try fields.required("blocks")
            let filesValue = try fields.required("files")
            let record = FilesystemFacts(
                mountPoint: try mountPointValue.string(), source: try fields.required("source").string(),
                fsType: try fields.required("fsType").string(),
                blockSize: try fields.required("blockSize").int(in: 1...maximumBlockSize),
                blocks: try blocksValue.int(in: 0...maximumCount),
                blocksFree: try fields.required("blocksFree").int(in: 0...maximumCount),
                blocksAvailable: try fields.required("blocksAvailable").int(in: 0...maximumCount),
                files: try filesValue.int(in: 0...maximumCount),
                filesFree: try fields.required("filesFree").int(in: 0...maximumCount))
            try fields.finish()
            if let problem = problem(with: record) {
                throw (fields.optional(problem.field) ?? item).error(problem.message)
            }
            if filesystems.contains(where: { $0.mountPoint == record.mountPoint }) {
                throw mountPointValue.error("a second record is mounted at '\(record.mountPoint)'")
            }
            filesystems.append(record)
        }
        try top.finish()
        return filesystems
    }

    /// What makes a record no filesystem: its field and why; nil for a sound one. `capture` leaves out what
    /// `load` would refuse, so every fixture it writes replays.
    public static func problem(with record: FilesystemFacts) -> (field: String, message: String)? {
        let counts = [
            ("blocks", record.blocks), ("blocksFree", record.blocksFree), ("blocksAvailable", record.blocksAvailable),
            ("files", record.files), ("filesFree", record.filesFree),
        ]
        if !record.mountPoint.hasPrefix("/") {
            return ("mountPoint", "a mount point is an absolute path, found '\(record.mountPoint)'")
        }
        if record.fsType.isEmpty { return ("fsType", "the filesystem type is empty") }
        if !(1...maximumBlockSize).contains(record.blockSize) {
            return ("blockSize", "must be from 1 to \(maximumBlockSize), found \(record.blockSize)")
        }
        if let (field, count) = counts.first(where: { !(0...maximumCount).contains($0.1) }) {
            return (field, "must be from 0 to \(maximumCount), found \(count)")
        }
        // Free and available blocks are parts of the whole; some filesystems report more available than free
        // (root's reserve computed apart), so each is held to the size alone.
        for (field, count) in [("blocksFree", record.blocksFree), ("blocksAvailable", record.blocksAvailable)]
        where count > record.blocks {
            return (field, "\(count) is more than the filesystem's \(record.blocks) blocks")
        }
        if record.filesFree > record.files {
            return ("filesFree", "\(record.filesFree) is more than the filesystem's \(record.files) inodes")
        }
        return nil
    }

    /// The file's bytes: pretty, keys sorted, records in the order given.
    public static func encode(_ filesystems: [FilesystemFacts]) throws -> Data {
        struct Document: Encodable {
            var schema: String
            var filesystems: [FilesystemFacts]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Document(schema: schema, filesystems: filesystems)) + Data("\n".utf8)
    }
}

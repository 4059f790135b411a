import ConformCore

/// One mounted filesystem: where it is mounted, what from, and its `statvfs(3)` counts. A fixture's
/// `filesystems.json` holds one of these per mount point, in the same form as `conform facts` writes it.
public struct FilesystemFacts: Codable, Sendable, Equatable {
    /// Where it is mounted, as seen from the sysroot (`/data/local`; `/` for the filesystem holding the sysroot).
    public var mountPoint: String
    /// What is mounted (mountinfo's mount source): `/dev/vdb1`, `server:/export`, `overlay`.
    public var source: String
    /// `ext4`, `xfs`, `nfs4`, ...
    public var fsType: String
    /// The unit of the block counts, `f_frsize`, in bytes.
    public var blockSize: Int
    /// Size of the filesystem in blocks, `f_blocks`.
    public var blocks: Int
    /// Free blocks, `f_bfree`, the blocks reserved for root included.
    public var blocksFree: Int
    /// Blocks free for anyone, `f_bavail`.
    public var blocksAvailable: Int
    /// Inodes, `f_files`: 0 where the filesystem keeps no count (btrfs, many network filesystems).
    public var files: Int
    /// Free inodes, `f_ffree`.
    public var filesFree: Int

    public init(
        mountPoint: String, source: String, fsType: String, blockSize: Int, blocks: Int, blocksFree: Int,
        blocksAvailable: Int, files: Int, filesFree: Int
    ) {
        self.mountPoint = mountPoint
        self.source = source
        self.fsType = fsType
        self.blockSize = blockSize
        self.blocks = blocks
        self.blocksFree = blocksFree
        self.blocksAvailable = blocksAvailable
        self.files = files
        self.filesFree = filesFree
    }

    // Bytes as Double: counts that each fit in an Int need not fit multiplied by the block size.

    /// The filesystem's size in bytes (df's Size).
    public var capacityBytes: Double { Double(blocks) * Double(blockSize) }
    /// Bytes in use (df's Used): the size less every free block.
    public var usedBytes: Double { Double(max(0, blocks - blocksFree)) * Double(blockSize) }
    /// Bytes anyone may still write (df's Avail): root's reserve is not among them.
    public var availableBytes: Double { Double(blocksAvailable) * Double(blockSize) }

    /// The used share of the space users can fill, in whole percent rounded up, as df computes Use%:
    /// used / (used + available). Root's reserve counts neither way, so a disk whose users can write nothing
    /// more is 100 % used. `nil` for a filesystem of no space at all.
    public var usedPercent: Int? {
        let used = max(0, blocks - blocksFree)
        let (whole, overflow) = used.addingReportingOverflow(blocksAvailable)
        return overflow ? nil : Self.percentRoundedUp(part: used, of: whole)
    }

    /// The used share of inodes, in whole percent rounded up, as `df -i` computes IUse%; `nil` where the
    /// filesystem keeps no inode count.
    public var inodesUsedPercent: Int? {
        Self.percentRoundedUp(part: max(0, files - filesFree), of: files)
    }

    /// df's rounding: any fraction of a percent above a whole one counts as the next, so 70.01 % is 71 %.
    /// In integers, as df computes it: a share of 70 % plus one block in 10^12 is 71 %, which a Double can miss.
    static func percentRoundedUp(part: Int, of whole: Int) -> Int? {
        guard whole > 0 else { return nil }
        let part = min(max(part, 0), whole)
        // part × 100 in twice the width: the counts fit in an Int, their hundredfold need not.
        let (quotient, remainder) = whole.dividingFullWidth(part.multipliedFullWidth(by: 100))
        return quotient + (remainder == 0 ? 0 : 1)
    }
}

/// What the storage probe found at one disk path the design names.
public struct StorageFacts: Codable, Sendable, Equatable {
    /// The path as the design writes it (`/data/local`).
    public var path: String
    public var placement: Probed<PathPlacement>

    public init(path: String, placement: Probed<PathPlacement>) {
        self.path = path
        self.placement = placement
    }
}

/// Where a path lies: whether it exists, whether a filesystem is mounted on it, and the filesystem holding it.
public struct PathPlacement: Codable, Sendable, Equatable {
    /// A filesystem of its own is mounted at the path; false for a folder of the filesystem above it.
    public var isMountPoint: Bool
    /// The filesystem the path lies on: mounted at the path itself when `isMountPoint`, else the one above
    /// it. `nil` when the path does not exist.
    public var filesystem: FilesystemFacts?

    /// Whether the path is there: every path that is lies on a filesystem.
    public var exists: Bool { filesystem != nil }

    public init(isMountPoint: Bool, filesystem: FilesystemFacts?) {
        self.isMountPoint = isMountPoint
        self.filesystem = filesystem
    }

    /// A path that is not there.
    public static let missing = PathPlacement(isMountPoint: false, filesystem: nil)

    enum CodingKeys: String, CodingKey { case exists, isMountPoint, filesystem }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            isMountPoint: try container.decode(Bool.self, forKey: .isMountPoint),
            filesystem: try container.decodeIfPresent(FilesystemFacts.self, forKey: .filesystem))
    }

    /// `exists` is written for readers of `conform facts`; the filesystem of a missing path as `null`, so a
    /// reader sees it as absent, not forgotten.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(exists, forKey: .exists)
        try container.encode(isMountPoint, forKey: .isMountPoint)
        try container.encode(filesystem, forKey: .filesystem)
    }
}

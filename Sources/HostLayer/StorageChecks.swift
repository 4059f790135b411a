import ConformCore
import Foundation

/// Storage checks: each disk path of the design is a filesystem of its own on the designed device, as big
/// as designed, and neither its space nor its inodes are past the design's thresholds.
struct StorageChecks: Sendable {
    let disks: [DiskSpec]
    let facts: [StorageFacts]

    /// How far a filesystem's size may fall below the designed disk: ext4 keeps about 1.6 % for inode tables
    /// and its journal, XFS and btrfs less, and a partition table a little more. Below 90 % it is a smaller disk.
    static let smallestSizeShare = 0.90
    /// How far above: a disk created as 100 GiB (qemu-img's `100G`) is 107.4 GB. Above 110 % it is another disk.
    static let largestSizeShare = 1.10
    /// Where the design gives no threshold, the used share above which conform warns: an operator still hears
    /// of a disk filling up. A full one (100 %: nothing more can be written) fails whatever the design says.
    static let defaultWarnPercent = 90

    // MARK: - host.storage.mount

    func mount() -> [Finding] {
        perDisk { disk, placement in
            let expected = "a filesystem of its own" + (disk.device.map { " on \($0)" } ?? "")
            guard let filesystem = placement.filesystem else {
                return Finding(
                    .fail, subject: disk.path, expected: expected, observed: "missing",
                    message: "\(disk.path) does not exist: the \(disk.purpose.rawValue) disk is not mounted")
            }
            let mounted = "\(filesystem.source) (\(filesystem.fsType))"
            guard placement.isMountPoint else {
                return Finding(
                    .fail, subject: disk.path, expected: expected,
                    observed: "a folder of \(filesystem.mountPoint), \(mounted)",
                    message:
                        "\(disk.path) is a folder of the filesystem mounted at \(filesystem.mountPoint) (\(mounted)), "
                        + "not a filesystem of its own: what is written there fills \(filesystem.mountPoint)")
            }
            let observed = "\(mounted) on \(disk.path)"
            guard let device = disk.device else {
                return Finding(
                    .pass, subject: disk.path, expected: expected, observed: observed,
                    message: "\(disk.path) is mounted from \(mounted)")
            }
            guard Self.source(filesystem.source, isOnDevice: device) else {
                return Finding(
                    .fail, subject: disk.path, expected: expected, observed: observed,
                    message: "\(disk.path) is mounted from \(mounted), the design puts it on \(device)")
            }
            let partition = filesystem.source == device ? "" : ", a partition of the designed \(device)"
            return Finding(
                .pass, subject: disk.path, expected: expected, observed: observed,
                message: "\(disk.path) is mounted from \(mounted)\(partition)")
        }
    }

    /// Whether a mount source is the device or one of its partitions: `/dev/vdb` and `/dev/vdb1` are on
    /// `/dev/vdb`; `/dev/nvme0n1p2` is on `/dev/nvme0n1` (a name ending in a digit numbers its partitions after a
    /// `p`); `/dev/vdb` is not on `/dev/vd` nor `/dev/vdb1` on `/dev/vdb12`.
    static func source(_ source: String, isOnDevice device: String) -> Bool {
        guard source.hasPrefix(device) else { return false }
        var rest = Substring(source.dropFirst(device.count))
        if rest.isEmpty { return true }
        if device.last?.isNumber ?? false {
            guard rest.first == "p" else { return false }
            rest = rest.dropFirst()
        }
        return !rest.isEmpty && rest.allSatisfy { $0.isASCII && $0.isNumber }
    }

    // MARK: - host.storage.size

    func size() -> [Finding] {
        perFilesystem { disk, filesystem in
            let designed = disk.sizeGB * 1e9
            let share = designed > 0 ? filesystem.capacityBytes / designed : .infinity
            let expected =
                "\(Self.gb(disk.sizeGB)) GB (\(Int(Self.smallestSizeShare * 100))-\(Int(Self.largestSizeShare * 100)) % of it)"
            let observed = "\(Self.gb1(filesystem.capacityBytes)) GB"
            let ofDesign = "\(Int((share * 100).rounded())) % of the designed \(Self.gb(disk.sizeGB)) GB"
            let status: Status
            let message: String
            if share < Self.smallestSizeShare {
                status = .fail
                message =
                    "\(disk.path) holds \(observed), \(ofDesign): a smaller disk than the design's sizing counts on"
            } else if share > Self.largestSizeShare {
                // A larger disk breaks no sum of the design: worth a look (the wrong disk mounted?), not a failure.
                status = .warn
                message = "\(disk.path) holds \(observed), \(ofDesign): another disk than designed?"
            } else {
                status = .pass
                message = "\(disk.path) holds \(observed), \(ofDesign)"
            }
            return Finding(status, subject: disk.path, expected: expected, observed: observed, message: message)
        }
    }

    // MARK: - host.storage.used

    func used() -> [Finding] {
        perFilesystem { disk, filesystem in
            guard let percent = filesystem.usedPercent else {
                return Finding(
                    .skip, subject: disk.path,
                    message: "\(disk.path)'s filesystem reports no space at all (0 blocks): no share to judge")
            }
            let usable = filesystem.usedBytes + filesystem.availableBytes
            let amounts = "\(Self.gb1(filesystem.usedBytes)) of \(Self.gb1(usable)) GB"
            let measurement = MeasuredValue(
                name: "host.storage.\(disk.path).used", value: Double(percent), unit: .percent, direction: .lower,
                baselined: false)
            return Self.judge(
                percent, threshold: disk.maxUsedPercent, subject: disk.path,
                share: "\(disk.path) is \(percent) % used (\(amounts))", note: "", measurement: measurement)
        }
    }

    // MARK: - host.storage.inodes

    func inodes() -> [Finding] {
        perFilesystem { disk, filesystem in
            guard let percent = filesystem.inodesUsedPercent else {
                return Finding(
                    .skip, subject: disk.path,
                    message:
                        "\(disk.path)'s filesystem (\(filesystem.fsType)) keeps no inode count: it cannot run out of them"
                )
            }
            let used = filesystem.files - filesystem.filesFree
            let measurement = MeasuredValue(
                name: "host.storage.\(disk.path).inodes-used", value: Double(percent), unit: .percent,
                direction: .lower, baselined: false)
            let note =
                disk.maxInodesUsedPercent == nil && disk.maxUsedPercent != nil
                ? " (its threshold for space: it gives none for inodes)" : ""
            return Self.judge(
                percent, threshold: disk.inodesThresholdPercent, subject: disk.path,
                share: "\(disk.path)'s inodes are \(percent) % used (\(used) of \(filesystem.files))", note: note,
                measurement: measurement)
        }
    }

    /// A used share against the design's threshold: above it fails. Without one, conform warns above
    /// `defaultWarnPercent` and fails only a full disk, and says the design gives none. `share` says the share
    /// and its amounts; `note`, where the threshold comes from when that needs saying.
    static func judge(
        _ percent: Int, threshold: Double?, subject: String, share: String, note: String, measurement: MeasuredValue
    ) -> Finding {
        guard let threshold else {
            let status: Status = percent >= 100 ? .fail : (percent > defaultWarnPercent ? .warn : .pass)
            let verdict: String
            switch status {
            case .fail: verdict = "full: nothing more can be written (the design gives no threshold)"
            case .warn: verdict = "above the \(defaultWarnPercent) % conform warns at, as the design gives no threshold"
            default: verdict = "within the \(defaultWarnPercent) % conform warns at, as the design gives no threshold"
            }
            return Finding(
                status, subject: subject, expected: "≤ \(defaultWarnPercent) % (the design gives no threshold)",
                observed: "\(percent) %", message: "\(share), \(verdict)", measurements: [measurement])
        }
        let limit = gb(threshold)
        let passes = Double(percent) <= threshold
        return Finding(
            passes ? .pass : .fail, subject: subject, expected: "≤ \(limit) %", observed: "\(percent) %",
            message: passes
                ? "\(share), at or below the design's alert threshold of \(limit) %\(note)"
                : "\(share), the design alerts above \(limit) %\(note)",
            measurements: [measurement])
    }

    // MARK: - host.storage.free

    func free() -> [Finding] {
        perFilesystem { disk, filesystem in
            let available = filesystem.availableBytes
            let measurement = MeasuredValue(
                name: "host.storage.\(disk.path).available", value: available / 1e9, unit: .gigabytes,
                direction: .higher, baselined: false)
            let observed = "\(Self.gb1(available)) GB"
            guard let floor = disk.minFreeGB else {
                return Finding(
                    .skip, subject: disk.path, observed: observed,
                    message: "\(disk.path) has \(observed) available; the design gives no free-space floor",
                    measurements: [measurement])
            }
            let passes = available >= floor * 1e9
            return Finding(
                passes ? .pass : .fail, subject: disk.path, expected: "≥ \(Self.gb(floor)) GB available",
                observed: observed,
                message:
                    "\(disk.path) has \(observed) available, the design keeps at least \(Self.gb(floor)) GB free"
                    + (passes ? "" : ": \(Self.gb1(floor * 1e9 - available)) GB short"),
                measurements: [measurement])
        }
    }

    // MARK: - Shared

    /// One finding per designed disk, in the profile's order; the facts' own state where they could not be read.
    func perDisk(_ body: (DiskSpec, PathPlacement) -> Finding) -> [Finding] {
        disks.map { disk in
            guard let fact = facts.first(where: { $0.path == disk.path }) else {
                return Finding(.error, subject: disk.path, message: "\(disk.path) was not probed")
            }
            switch fact.placement {
            case .value(let placement): return body(disk, placement)
            case .unavailable(let reason): return Finding(.skip, subject: disk.path, message: reason)
            case .failed(let error): return Finding(.error, subject: disk.path, message: "cannot read \(error)")
            }
        }
    }

    /// `perDisk` for the checks that judge the designed disk's filesystem: where the path is missing or a folder
    /// of another filesystem, the disk is not there to judge, and `host.storage.mount` says so, once.
    func perFilesystem(_ body: (DiskSpec, FilesystemFacts) -> Finding) -> [Finding] {
        perDisk { disk, placement in
            guard let filesystem = placement.filesystem else {
                return Finding(
                    .skip, subject: disk.path, message: "\(disk.path) does not exist (see host.storage.mount)")
            }
            guard placement.isMountPoint else {
                return Finding(
                    .skip, subject: disk.path,
                    message: "\(disk.path) is no filesystem of its own but a folder of \(filesystem.mountPoint): "
                        + "the designed disk is not there to judge (see host.storage.mount)")
            }
            return body(disk, filesystem)
        }
    }

    /// A designed quantity as written: `100`, `0.5`.
    static func gb(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value)
    }

    /// Bytes as decimal GB with one decimal: `98.4`.
    static func gb1(_ bytes: Double) -> String { (bytes / 1e9).formatted1 }
}

extension HostCatalog {
    static let storageTags = ["storage"]

    public static let storageMount = entry(
        "host.storage.mount", "Each designed disk path is a filesystem of its own, on the designed device", .critical,
        tags: storageTags,
        remediation: "Mount the disk there (`lsblk`, `findmnt <path>`; an /etc/fstab line with its UUID), or "
            + "correct the profile's path or device.",
        rationale:
            "Data written to a folder of the root filesystem fills the OS disk, and K3s and the OS stop with it.")
    public static let storageSize = entry(
        "host.storage.size", "Each designed disk has the size the design counts on", .major, tags: storageTags,
        remediation: "Check `lsblk` and `df -H <path>`: attach or grow the designed disk (`resize2fs`), or correct "
            + "size_gb.",
        rationale: "The design's headroom and staging buffer are parts of this size; a smaller disk fills sooner.")
    public static let storageUsed = entry(
        "host.storage.used", "No designed disk is fuller than the design's alert threshold", .major,
        tags: storageTags,
        remediation: "Find what grew (`du -xh --max-depth=2 <path>`), move results on or delete what is done "
            + "with (staging: results the data server already holds), or add space.",
        rationale: "The design alerts at this share: past it, the next jobs' inputs and results may not fit.")
    public static let storageInodes = entry(
        "host.storage.inodes", "No designed disk is running out of inodes", .major, tags: storageTags,
        remediation: "Find the folders of many small files (`du -x --inodes <path> | sort -n | tail`) and clear "
            + "them; a filesystem made with too few inodes needs `mkfs -N` or `-i`.",
        rationale: "A filesystem out of inodes refuses every new file, however much space it has left.")
    public static let storageFree = entry(
        "host.storage.free", "Each designed disk keeps the free space the design leaves", .major, tags: storageTags,
        remediation: "Free space on the disk (`df -H <path>`, `du -xh --max-depth=2 <path>`) or grow it.",
        rationale: "The design's buffer (results queued while the network is down, a job's peak) must still fit.")
}

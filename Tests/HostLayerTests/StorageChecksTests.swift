import ConformCore
import HostLayer
import XCTest

/// The storage checks on hand-built facts: thresholds at their edges, mount points and devices, sizes, free
/// space, inodes, and facts that could not be read. No file is read.
final class StorageChecksTests: XCTestCase {
    /// distributed's staging disk: 100 GB on /dev/vdb, alert above 70 %, 25 GB kept free.
    static let staging = DiskSpec(
        path: "/data/local", purpose: .staging, sizeGB: 100, media: .ssd, device: "/dev/vdb", minFreeGB: 25,
        maxUsedPercent: 70)

    /// ext4 on a 100 GB disk as mkfs.ext4 makes it (4 KiB blocks, 5 % reserved), `usedPercent` of what users can
    /// fill in use, `inodesUsed` of its inodes.
    static func ext4(
        usedPercent: Int, inodesUsed: Int = 100, source: String = "/dev/vdb", mountPoint: String = "/data/local",
        sizeGB: Double = 100
    ) -> FilesystemFacts {
        let blocks = Int(sizeGB * 1e9 * 0.984 / 4096)
        let reserved = blocks * 5 / 100
        let used = (blocks - reserved) * usedPercent / 100
        return FilesystemFacts(
            mountPoint: mountPoint, source: source, fsType: "ext4", blockSize: 4096, blocks: blocks,
            blocksFree: blocks - used, blocksAvailable: blocks - used - reserved, files: 6_000_000,
            filesFree: 6_000_000 - inodesUsed)
    }

    static func mounted(_ filesystem: FilesystemFacts) -> Probed<PathPlacement> {
        .value(PathPlacement(isMountPoint: true, filesystem: filesystem))
    }

    func findings(
        _ id: String, disk: DiskSpec = staging, _ placement: Probed<PathPlacement> = mounted(ext4(usedPercent: 12))
    ) -> [Finding] {
        let spec = HostSpec(name: "k3s-worker-1", disks: [disk])
        let facts = HostFacts(
            sysroot: "/", topology: .unavailable(""), cpuModel: .unavailable(""), governor: .unavailable(""),
            thp: THPFacts(enabled: .unavailable(""), defrag: .unavailable("")), numaBalancing: .unavailable(""),
            storage: [StorageFacts(path: disk.path, placement: placement)])
        return HostCatalog.checks(for: spec, facts: facts).first { $0.metadata.id == id }?.evaluate() ?? []
    }

    func status(
        _ id: String, disk: DiskSpec = staging, _ placement: Probed<PathPlacement> = mounted(ext4(usedPercent: 12))
    ) -> Status? {
        let found = findings(id, disk: disk, placement)
        XCTAssertEqual(found.map(\.subject), [disk.path], id)
        return found.first?.status
    }

    func testTheCatalogHasOneStorageCheckPerIdea() {
        XCTAssertEqual(
            HostCatalog.storage.map(\.id),
            [
                "host.storage.mount", "host.storage.size", "host.storage.used", "host.storage.inodes",
                "host.storage.free",
            ])
        XCTAssertEqual(Array(HostCatalog.all.suffix(5).map(\.id)), HostCatalog.storage.map(\.id))
    }

    func testADesignedDiskAsDesignedPassesEveryCheck() {
        for id in HostCatalog.storage.map(\.id) {
            XCTAssertEqual(status(id), .pass, "\(id): \(findings(id))")
        }
    }

    func testAHostWithoutDisksHasNoStorageResults() {
        let facts = HostFacts(
            sysroot: "/", topology: .unavailable(""), cpuModel: .unavailable(""), governor: .unavailable(""),
            thp: THPFacts(enabled: .unavailable(""), defrag: .unavailable("")), numaBalancing: .unavailable(""))
        for check in HostCatalog.checks(for: HostSpec(name: "h"), facts: facts)
        where HostCatalog.storage.contains(check.metadata) {
            XCTAssertEqual(check.evaluate(), [], check.metadata.id)
        }
    }

    // MARK: - used

    func testUsedFailsJustAboveTheDesignsThreshold() {
        XCTAssertEqual(status("host.storage.used", Self.mounted(Self.ext4(usedPercent: 70))), .pass)
        XCTAssertEqual(status("host.storage.used", Self.mounted(Self.ext4(usedPercent: 71))), .fail)
        let finding = findings("host.storage.used", Self.mounted(Self.ext4(usedPercent: 71)))[0]
        XCTAssertEqual(
            finding.message, "/data/local is 71 % used (66.4 of 93.5 GB), the design alerts above 70 %")
        XCTAssertEqual(finding.expected, "≤ 70 %")
        XCTAssertEqual(finding.observed, "71 %")
        XCTAssertEqual(finding.measurements.map(\.name), ["host.storage./data/local.used"])
        XCTAssertEqual(finding.measurements.first?.value, 71)
        XCTAssertEqual(finding.measurements.first?.baselined, false, "a level that moves by design")

        let lake = DiskSpec(
            path: "/data/lake", purpose: .lake, sizeGB: 8000, media: .hdd, device: "/dev/sdb", minFreeGB: 100,
            maxUsedPercent: 90)
        let lakeAt = { (percent: Int) in
            Self.mounted(Self.ext4(usedPercent: percent, source: "/dev/sdb", mountPoint: "/data/lake", sizeGB: 8000))
        }
        XCTAssertEqual(status("host.storage.used", disk: lake, lakeAt(90)), .pass)
        XCTAssertEqual(status("host.storage.used", disk: lake, lakeAt(91)), .fail)
    }

    /// df rounds Use% up: one block past 70 % is 71 %, and fails.
    func testUsedRoundsUpAsDfDoes() {
        var filesystem = Self.ext4(usedPercent: 70)
        let usable = filesystem.blocks - (filesystem.blocksFree - filesystem.blocksAvailable)
        // At most 70 % of the usable blocks used (a whole number of blocks), then one more.
        filesystem.blocksFree = filesystem.blocks - usable * 7 / 10
        filesystem.blocksAvailable = usable - usable * 7 / 10
        XCTAssertEqual(filesystem.usedPercent, 70)
        filesystem.blocksFree -= 1
        filesystem.blocksAvailable -= 1
        XCTAssertEqual(filesystem.usedPercent, 71)
        XCTAssertEqual(status("host.storage.used", Self.mounted(filesystem)), .fail)
    }

    func testDfsRoundingIsExactWhereADoubleIsNot() {
        // 70 % plus one block in 10^15: a Double quotient rounds to 70.0, df's integers say 71.
        let whole = 1_000_000_000_000_000
        let filesystem = FilesystemFacts(
            mountPoint: "/", source: "s", fsType: "xfs", blockSize: 512, blocks: whole,
            blocksFree: whole - (whole * 7 / 10 + 1), blocksAvailable: whole - (whole * 7 / 10 + 1), files: 0,
            filesFree: 0)
        XCTAssertEqual(filesystem.usedPercent, 71)
        XCTAssertNil(filesystem.inodesUsedPercent)
    }

    func testWithoutAThresholdUsedWarnsAbove90AndFailsOnlyAFullDisk() {
        var disk = Self.staging
        disk.maxUsedPercent = nil
        XCTAssertEqual(status("host.storage.used", disk: disk, Self.mounted(Self.ext4(usedPercent: 90))), .pass)
        XCTAssertEqual(status("host.storage.used", disk: disk, Self.mounted(Self.ext4(usedPercent: 91))), .warn)
        XCTAssertEqual(status("host.storage.used", disk: disk, Self.mounted(Self.ext4(usedPercent: 99))), .warn)
        XCTAssertEqual(status("host.storage.used", disk: disk, Self.mounted(Self.ext4(usedPercent: 100))), .fail)
        XCTAssertEqual(
            findings("host.storage.used", disk: disk, Self.mounted(Self.ext4(usedPercent: 99)))[0].message,
            "/data/local is 99 % used (92.5 of 93.5 GB), above the 90 % conform warns at, as the design gives no "
                + "threshold")
        XCTAssertEqual(
            findings("host.storage.used", disk: disk)[0].expected, "≤ 90 % (the design gives no threshold)")
    }

    // MARK: - inodes

    func testInodesTakeTheSpaceThresholdUnlessTheDesignGivesTheirOwn() {
        let at71 = Self.mounted(Self.ext4(usedPercent: 12, inodesUsed: 4_260_000))
        XCTAssertEqual(status("host.storage.inodes", at71), .fail)
        XCTAssertEqual(
            findings("host.storage.inodes", at71)[0].message,
            "/data/local's inodes are 71 % used (4260000 of 6000000), the design alerts above 70 % (its threshold "
                + "for space: it gives none for inodes)")
        var disk = Self.staging
        disk.maxInodesUsedPercent = 80
        XCTAssertEqual(status("host.storage.inodes", disk: disk, at71), .pass)
        XCTAssertEqual(status("host.storage.used", disk: disk, at71), .pass, "space is a check of its own")
    }

    func testAFilesystemWithoutAnInodeCountSkipsTheInodeCheck() {
        var btrfs = Self.ext4(usedPercent: 12)
        btrfs.fsType = "btrfs"
        btrfs.files = 0
        btrfs.filesFree = 0
        XCTAssertEqual(status("host.storage.inodes", Self.mounted(btrfs)), .skip)
        XCTAssertTrue(
            findings("host.storage.inodes", Self.mounted(btrfs))[0].message.contains("(btrfs) keeps no inode count"))
    }

    // MARK: - mount

    func testAMissingPathFailsMountAndTheOthersSkip() {
        let missing = Probed<PathPlacement>.value(.missing)
        XCTAssertEqual(status("host.storage.mount", missing), .fail)
        XCTAssertEqual(
            findings("host.storage.mount", missing)[0].message,
            "/data/local does not exist: the staging disk is not mounted")
        for id in ["host.storage.size", "host.storage.used", "host.storage.inodes", "host.storage.free"] {
            XCTAssertEqual(status(id, missing), .skip, id)
        }
    }

    func testAFolderOfTheRootFilesystemIsNoMountPoint() {
        let root = Self.ext4(usedPercent: 30, source: "/dev/vda1", mountPoint: "/", sizeGB: 35)
        let folder = Probed.value(PathPlacement(isMountPoint: false, filesystem: root))
        XCTAssertEqual(status("host.storage.mount", folder), .fail)
        XCTAssertEqual(
            findings("host.storage.mount", folder)[0].message,
            "/data/local is a folder of the filesystem mounted at / (/dev/vda1 (ext4)), not a filesystem of its own: "
                + "what is written there fills /")
        // The designed disk is not there: one failure says so, not four about the OS disk.
        for id in ["host.storage.size", "host.storage.used", "host.storage.inodes", "host.storage.free"] {
            XCTAssertEqual(status(id, folder), .skip, id)
        }
    }

    func testTheMountSourceIsTheDesignedDeviceOrAPartitionOfIt() {
        for source in ["/dev/vdb", "/dev/vdb1", "/dev/vdb15"] {
            XCTAssertEqual(status("host.storage.mount", Self.mounted(Self.ext4(usedPercent: 1, source: source))), .pass)
        }
        XCTAssertEqual(
            findings("host.storage.mount", Self.mounted(Self.ext4(usedPercent: 1, source: "/dev/vdb1")))[0].message,
            "/data/local is mounted from /dev/vdb1 (ext4), a partition of the designed /dev/vdb")
        for source in ["/dev/vdc", "/dev/vdbb", "/dev/vd", "/dev/mapper/vg-local", "tmpfs"] {
            XCTAssertEqual(
                status("host.storage.mount", Self.mounted(Self.ext4(usedPercent: 1, source: source))), .fail, source)
        }
        // A device whose name ends in a digit numbers its partitions after a 'p'.
        var nvme = Self.staging
        nvme.device = "/dev/nvme0n1"
        for (source, expected) in [("/dev/nvme0n1", Status.pass), ("/dev/nvme0n1p2", .pass), ("/dev/nvme0n12", .fail)] {
            XCTAssertEqual(
                status("host.storage.mount", disk: nvme, Self.mounted(Self.ext4(usedPercent: 1, source: source))),
                expected, source)
        }
        var partition = Self.staging
        partition.device = "/dev/vdb12"
        XCTAssertEqual(
            status("host.storage.mount", disk: partition, Self.mounted(Self.ext4(usedPercent: 1, source: "/dev/vdb1"))),
            .fail)
        var anyDevice = Self.staging
        anyDevice.device = nil
        XCTAssertEqual(
            status("host.storage.mount", disk: anyDevice, Self.mounted(Self.ext4(usedPercent: 1, source: "/dev/sdz"))),
            .pass, "no device designed: any")
    }

    // MARK: - size

    func testSizeHoldsTheDiskToNinetyToOneHundredTenPercentOfTheDesign() {
        XCTAssertEqual(status("host.storage.size"), .pass)
        XCTAssertEqual(
            findings("host.storage.size")[0].message, "/data/local holds 98.4 GB, 98 % of the designed 100 GB")
        let gibibytes = Self.ext4(usedPercent: 1, sizeGB: 107.374_182_4)
        XCTAssertEqual(status("host.storage.size", Self.mounted(gibibytes)), .pass, "a 100 GiB disk")
        XCTAssertEqual(status("host.storage.size", Self.mounted(Self.ext4(usedPercent: 1, sizeGB: 35))), .fail)
        XCTAssertEqual(status("host.storage.size", Self.mounted(Self.ext4(usedPercent: 1, sizeGB: 500))), .warn)
    }

    // MARK: - free

    func testFreeHoldsTheDesignsFloor() {
        XCTAssertEqual(status("host.storage.free", Self.mounted(Self.ext4(usedPercent: 73))), .pass)
        XCTAssertEqual(status("host.storage.free", Self.mounted(Self.ext4(usedPercent: 74))), .fail)
        XCTAssertEqual(
            findings("host.storage.free", Self.mounted(Self.ext4(usedPercent: 74)))[0].message,
            "/data/local has 24.3 GB available, the design keeps at least 25 GB free: 0.7 GB short")
        var noFloor = Self.staging
        noFloor.minFreeGB = nil
        XCTAssertEqual(status("host.storage.free", disk: noFloor), .skip)
    }

    // MARK: - facts that could not be read

    func testUnreadFactsAreSkipsOrErrorsWithTheirReason() {
        let unrecorded = Probed<PathPlacement>.unavailable("not asked for")
        let failed = Probed<PathPlacement>.failed(ProbeError(path: "/data/local", reason: "statvfs: Permission denied"))
        for id in HostCatalog.storage.map(\.id) {
            XCTAssertEqual(status(id, unrecorded), .skip, id)
            XCTAssertEqual(findings(id, unrecorded).first?.message, "not asked for", id)
            XCTAssertEqual(status(id, failed), .error, id)
            XCTAssertEqual(
                findings(id, failed).first?.message, "cannot read /data/local: statvfs: Permission denied", id)
        }
    }
}

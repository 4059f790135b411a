import ConformCore
import ConformTestSupport
import Foundation
import HostLayer
import XCTest

/// The storage probe: mountinfo as the kernel writes it, a fixture's filesystems.json (and what makes one
/// unusable), and this machine's own filesystems under a temporary sysroot.
final class StorageProbeTests: XCTestCase {
    // MARK: - mountinfo

    static let mountinfo = """
        27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
        22 27 0:21 / /proc rw,relatime shared:12 - proc proc rw
        40 27 8:16 / /data/local rw,noatime shared:30 master:2 - ext4 /dev/vdb rw
        41 27 8:32 / /data/lake\\040one rw - xfs /dev/sdb\\0401 rw
        42 40 8:17 / /data/local rw - ext4 /dev/vdb1 rw
        """

    func testMountinfoFieldsAfterTheOptionalOnesAndUnescaped() throws {
        let mounts = try Mountinfo(parsing: Self.mountinfo).mounts
        XCTAssertEqual(mounts.map(\.mountPoint), ["/", "/proc", "/data/local", "/data/lake one", "/data/local"])
        XCTAssertEqual(mounts.map(\.fsType), ["ext4", "proc", "ext4", "xfs", "ext4"])
        XCTAssertEqual(mounts[3].source, "/dev/sdb 1")
    }

    func testTheMountHoldingAPathIsTheLongestByWholeComponentsAndTheLastOnItsPoint() throws {
        let mountinfo = try Mountinfo(parsing: Self.mountinfo)
        XCTAssertEqual(mountinfo.mount(holding: "/data/local/outputs")?.source, "/dev/vdb1", "the later mount hides")
        XCTAssertEqual(mountinfo.mount(holding: "/data/localx")?.mountPoint, "/", "not a component of /data/local")
        XCTAssertEqual(mountinfo.mount(holding: "/data/lake one")?.fsType, "xfs")
        XCTAssertEqual(mountinfo.mount(holding: "/")?.source, "/dev/vda1")
    }

    func testAMalformedMountinfoLineIsAnErrorNamingItsLine() {
        XCTAssertThrowsError(try Mountinfo(parsing: "27 1 254:0 / / rw shared:1 - ext4 /dev/vda1 rw\n27 1 254:0 / /")) {
            XCTAssertEqual(
                ($0 as? ProbeError)?.description,
                "/proc/self/mountinfo: line 2 is not a mountinfo line: '27 1 254:0 / /'")
        }
    }

    // MARK: - filesystems.json

    func fixtureHost(_ profile: String, _ host: String) -> URL {
        repositoryRoot.appendingPathComponent("fixtures/\(profile)/hosts/\(host)")
    }

    func testTheGeneratedFixturesRecordTheirDisks() throws {
        let worker = try FilesystemsFile.load(
            file: fixtureHost("distributed", "k3s-worker-1").appendingPathComponent("filesystems.json").path)
        XCTAssertEqual(worker.map(\.mountPoint), ["/", "/data/local"])
        XCTAssertEqual(worker.map(\.source), ["/dev/vda1", "/dev/vdb"])
        XCTAssertEqual(worker[1].usedPercent, 12)
        let lake = try FilesystemsFile.load(
            file: fixtureHost("distributed", "data-server").appendingPathComponent("filesystems.json").path)
        XCTAssertEqual(lake.last?.usedPercent, 40)
    }

    func testAWrittenFileReadsBackAsItWasWritten() throws {
        let records = [
            StorageChecksTests.ext4(usedPercent: 30, source: "/dev/vda1", mountPoint: "/", sizeGB: 35),
            StorageChecksTests.ext4(usedPercent: 12),
        ]
        let file = try temporaryDirectory(self).appendingPathComponent("filesystems.json")
        try FilesystemsFile.encode(records).write(to: file)
        XCTAssertEqual(try FilesystemsFile.load(file: file.path), records)
    }

    func assertUnusable(
        _ text: String, line: Int?, field: String?, contains message: String, sourceLine: UInt = #line
    ) throws {
        let file = try writeFile(temporaryDirectory(self), "filesystems.json", text)
        XCTAssertThrowsError(try FilesystemsFile.load(file: file), line: sourceLine) { error in
            guard let input = error as? InputError else {
                return XCTFail("not an InputError: \(error)", line: sourceLine)
            }
            XCTAssertEqual(input.file, file, line: sourceLine)
            XCTAssertEqual(input.line, line, "\(input)", line: sourceLine)
            XCTAssertEqual(input.field, field, "\(input)", line: sourceLine)
            XCTAssertTrue(input.message.contains(message), "\(input)", line: sourceLine)
        }
    }

    func record(_ replacing: [String: String] = [:]) -> String {
        var fields = [
            "mountPoint": "\"/data/local\"", "source": "\"/dev/vdb\"", "fsType": "\"ext4\"", "blockSize": "4096",
            "blocks": "1000", "blocksFree": "900", "blocksAvailable": "850", "files": "100", "filesFree": "90",
        ]
        for (key, value) in replacing { fields[key] = value }
        return "{"
            + fields.keys.sorted().compactMap { key in
                fields[key].flatMap { $0.isEmpty ? nil : "\"\(key)\": \($0)" }
            }.joined(separator: ", ") + "}"
    }

    func document(_ records: [String], schema: String = "conform.filesystems/v1") -> String {
        "{\n\"schema\": \"\(schema)\",\n\"filesystems\": [\n" + records.joined(separator: ",\n") + "\n]\n}\n"
    }

    func testEachWayAFileIsUnusable() throws {
        XCTAssertNoThrow(
            try FilesystemsFile.load(file: writeFile(temporaryDirectory(self), "f.json", document([record()]))))
        try assertUnusable(
            document([record()], schema: "conform.filesystems/v9"), line: 2, field: "schema",
            contains: "'conform.filesystems/v9' is not conform.filesystems/v1")
        try assertUnusable(
            document([record(), record(["blocks": "\"many\""])]), line: 5, field: "filesystems[1].blocks",
            contains: "expected an integer")
        try assertUnusable(
            document([record(["blocksFree": "1001"])]), line: 4, field: "filesystems[0].blocksFree",
            contains: "1001 is more than the filesystem's 1000 blocks")
        try assertUnusable(
            document([record(["filesFree": "101"])]), line: 4, field: "filesystems[0].filesFree",
            contains: "101 is more than the filesystem's 100 inodes")
        try assertUnusable(
            document([record(["blockSize": "0"])]), line: 4, field: "filesystems[0].blockSize",
            contains: "must be from 1")
        try assertUnusable(
            document([record(["mountPoint": "\"data\""])]), line: 4, field: "filesystems[0].mountPoint",
            contains: "an absolute path")
        try assertUnusable(
            document([record(["source": ""])]), line: 4, field: "filesystems[0].source", contains: "missing")
        try assertUnusable(
            document([record(["used": "3"])]), line: 4, field: "filesystems[0].used", contains: "unknown key 'used'")
        try assertUnusable(
            document([record(), record()]), line: 5, field: "filesystems[1].mountPoint",
            contains: "a second record is mounted at '/data/local'")
        try assertUnusable("{\"schema\": ", line: 2, field: nil, contains: "not valid YAML")
    }

    // MARK: - A fixture's record

    func recorded(_ filesystems: [FilesystemFacts], folders: [String] = []) throws -> StorageProbe {
        let root = try temporaryDirectory(self)
        for folder in folders {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        return StorageProbe(
            sysroot: Sysroot(root.path), source: .recorded(file: "/f/filesystems.json", filesystems: filesystems))
    }

    func testARecordedMountPointAFolderAndAMissingPath() throws {
        let root = StorageChecksTests.ext4(usedPercent: 30, source: "/dev/vda1", mountPoint: "/", sizeGB: 35)
        let local = StorageChecksTests.ext4(usedPercent: 12)
        let probe = try recorded([root, local], folders: ["data/hot"])
        let facts = probe.probe(paths: ["/data/local/", "/data/hot", "/data/lake"])
        XCTAssertEqual(facts.map(\.path), ["/data/local/", "/data/hot", "/data/lake"])
        XCTAssertEqual(
            facts[0].placement, .value(PathPlacement(isMountPoint: true, filesystem: local)),
            "a trailing / names the same path")
        XCTAssertEqual(facts[1].placement, .value(PathPlacement(isMountPoint: false, filesystem: root)))
        XCTAssertEqual(facts[2].placement, .value(.missing))
        let withoutRoot = try recorded([local], folders: ["data/hot"]).probe(paths: ["/data/hot"])
        XCTAssertEqual(
            withoutRoot.first?.placement.error?.description,
            "/f/filesystems.json: records no filesystem that holds /data/hot, not even /")
    }

    func testAFixtureWithoutARecordSaysSo() {
        let probe = StorageProbe(sysroot: Sysroot("/nowhere"), source: .unrecorded(file: "/f/filesystems.json"))
        XCTAssertEqual(
            probe.probe(paths: ["/data/local"]).first?.placement,
            .failed(
                ProbeError(
                    path: "/f/filesystems.json",
                    reason: "no such file: the fixture records no filesystems (`conform capture` writes it)")))
    }

    // MARK: - This machine

    func testALiveFolderLiesOnTheFilesystemHoldingTheSysroot() throws {
        let root = try temporaryDirectory(self)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("data/local"), withIntermediateDirectories: true)
        let facts = HostProbe(sysroot: Sysroot(root.path), storagePaths: ["/data/local", "/", "/data/lake"]).probe()
        let folder = try XCTUnwrap(facts.storage[0].placement.value, "\(facts.storage)")
        XCTAssertTrue(folder.exists)
        XCTAssertFalse(folder.isMountPoint, "a folder of the filesystem the sysroot is on")
        XCTAssertEqual(folder.filesystem?.mountPoint, "/", "seen from the sysroot")
        XCTAssertGreaterThan(folder.filesystem?.blocks ?? 0, 0)
        XCTAssertEqual(facts.storage[1].placement.value?.isMountPoint, true, "the sysroot's own root")
        XCTAssertEqual(facts.storage[2].placement, .value(.missing))
    }

    func testTheLiveRootAndProcAreMountPoints() throws {
        let facts = StorageProbe(sysroot: .live, source: .live).probe(paths: ["/", "/proc", "/proc/self"])
        XCTAssertEqual(facts[0].placement.value?.isMountPoint, true)
        XCTAssertEqual(facts[1].placement.value?.isMountPoint, true, "a filesystem of its own")
        XCTAssertEqual(facts[1].placement.value?.filesystem?.fsType, "proc")
    }

    func testACaptureRecordsTheRealFilesystemsOfTheTree() throws {
        let live = try StorageProbe(sysroot: .live, source: .live).liveFilesystems()
        XCTAssertEqual(live.filesystems.first?.mountPoint, "/")
        XCTAssertFalse(
            live.filesystems.contains { StorageProbe.pseudoTypes.contains($0.fsType) && $0.mountPoint != "/" })
        XCTAssertFalse(live.filesystems.contains { $0.mountPoint == "/proc" })
        XCTAssertTrue(live.filesystems.allSatisfy { FilesystemsFile.problem(with: $0) == nil })
        // A tree with nothing mounted inside: the filesystem it lies on, as its /.
        let tree = try StorageProbe(sysroot: Sysroot(temporaryDirectory(self).path), source: .live).liveFilesystems()
        XCTAssertEqual(tree.filesystems.map(\.mountPoint), ["/"])
    }
}

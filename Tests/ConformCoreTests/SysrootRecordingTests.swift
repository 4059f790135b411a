import ConformCore
import ConformTestSupport
import Foundation
import XCTest

final class SysrootRecordingTests: XCTestCase {
    func testEveryReadListAndTestIsRecordedByEveryCopy() throws {
        let root = try temporaryDirectory(self)
        try writeFile(root, "sys/devices/system/cpu/online", "0-1\n")
        try writeFile(root, "sys/devices/system/cpu/cpu0/topology/core_id", "0\n")
        let recording = Sysroot(root.path).recording()
        let copy = recording
        XCTAssertEqual(try copy.readCPUList("sys/devices/system/cpu/online").description, "0-1")
        XCTAssertEqual(try recording.numberedEntries("sys/devices/system/cpu", prefix: "cpu"), [0])
        XCTAssertFalse(recording.exists("sys/kernel/mm/transparent_hugepage"))
        XCTAssertThrowsError(try copy.read("proc/meminfo"), "a file that is missing is recorded too")
        XCTAssertEqual(
            recording.recordedPaths,
            [
                "proc/meminfo", "sys/devices/system/cpu", "sys/devices/system/cpu/online",
                "sys/kernel/mm/transparent_hugepage",
            ])
        XCTAssertEqual(copy.recordedPaths, recording.recordedPaths, "copies share one recorder")
        XCTAssertEqual(recording.recording().recordedPaths, [], "a new recording starts empty")
    }

    func testAPlainSysrootRecordsNothing() throws {
        let root = try temporaryDirectory(self)
        try writeFile(root, "proc/meminfo", "MemTotal: 1 kB\n")
        let sysroot = Sysroot(root.path)
        _ = try sysroot.read("proc/meminfo")
        XCTAssertEqual(sysroot.recordedPaths, [])
    }

    func testRecordingFromManyThreadsLosesNothing() {
        let recording = Sysroot(files: [:], shownAs: "/memory").recording()
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            _ = recording.exists("proc/\(index)/status")
        }
        XCTAssertEqual(recording.recordedPaths.count, 200)
    }

    func testRegularFilesAreTheFilesNotTheFolders() throws {
        let root = try temporaryDirectory(self)
        try writeFile(root, "sys/class/dmi/id/bios_date", "05/17/2023\n")
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("sys/class/dmi/id/link").path, withDestinationPath: "bios_date")
        XCTAssertEqual(mkfifo(root.appendingPathComponent("fifo").path, 0o600), 0)
        let sysroot = Sysroot(root.path)
        XCTAssertTrue(sysroot.isRegularFile("sys/class/dmi/id/bios_date"))
        XCTAssertTrue(sysroot.isRegularFile("sys/class/dmi/id/link"), "a link to a file is that file")
        XCTAssertFalse(sysroot.isRegularFile("sys/class/dmi/id"))
        XCTAssertFalse(sysroot.isRegularFile("fifo"))
        XCTAssertFalse(sysroot.isRegularFile("missing"))
        let memory = Sysroot(files: ["a/b": Data()], shownAs: "/memory")
        XCTAssertTrue(memory.isRegularFile("a/b"))
        XCTAssertFalse(memory.isRegularFile("a"))
    }
}

import ConformCore
import Foundation
import HostLayer
import XCTest

/// What `conform capture` copies of a host: every file the host probes read, so the copy reads as the original.
final class HostCaptureTests: XCTestCase {
    /// Copies what `HostCapture` lists of `source` into a fresh folder, as `conform capture` does.
    func capture(_ source: String) throws -> (copy: String, files: [String]) {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("conform-capture-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: copy) }
        let sysroot = Sysroot(source)
        let files = HostCapture.files(in: sysroot)
        for relative in files {
            XCTAssertTrue(try sysroot.copy(relative, into: copy), relative)
        }
        return (copy.path, files)
    }

    /// The facts, and what a baseline records beside them, with the tree's own path taken out.
    func reading(_ root: String) throws -> String {
        let sysroot = Sysroot(root)
        let facts = HostProbe(sysroot: sysroot).probe()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text =
            String(decoding: try encoder.encode(facts), as: UTF8.self)
            + String(decoding: try encoder.encode(HostEnvironment.probe(sysroot: sysroot, facts: facts)), as: UTF8.self)
        return text.replacingOccurrences(of: root, with: "ROOT")
    }

    func assertReadsTheSame(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (copy, files) = try capture(source)
        XCTAssertFalse(files.isEmpty, source, file: file, line: line)
        XCTAssertEqual(files, files.sorted(), file: file, line: line)
        XCTAssertEqual(try reading(copy), try reading(source), source, file: file, line: line)
    }

    func testEveryRealWorldDumpReadsBackAsTheOriginal() throws {
        let dumps = try FileManager.default.contentsOfDirectory(atPath: realWorld.path).filter { !$0.hasPrefix(".") }
        XCTAssertFalse(dumps.isEmpty)
        for dump in dumps.sorted() {
            try assertReadsTheSame(realWorld.appendingPathComponent(dump).path)
        }
    }

    func testEveryFixtureHostReadsBackAsTheOriginal() throws {
        let fixtures = repositoryRoot.appendingPathComponent("fixtures")
        var hosts = 0
        for profile in try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted() {
            let folder = fixtures.appendingPathComponent("\(profile)/hosts")
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for host in names.sorted() {
                try assertReadsTheSame(folder.appendingPathComponent("\(host)/sysroot").path)
                hosts += 1
            }
        }
        XCTAssertGreaterThan(hosts, 0)
    }

    /// Only files the probes read are copied: no folder, none they pass over, and nothing of the QEMU processes
    /// (the hypervisor capture copies those).
    func testTheCaptureIsWhatTheProbesReadAndNoMore() throws {
        let files = HostCapture.files(in: Sysroot(fixtureSysroot("mac-numa", "numa-server")))
        for expected in [
            "proc/cpuinfo", "proc/sys/kernel/osrelease", "sys/class/dmi/id/bios_date",
            "sys/devices/system/cpu/cpu71/cpufreq/scaling_governor",
            "sys/devices/system/cpu/cpu71/topology/thread_siblings_list", "sys/devices/system/node/node1/meminfo",
            "sys/kernel/mm/transparent_hugepage/defrag", "proc/sys/kernel/numa_balancing",
        ] {
            XCTAssertTrue(files.contains(expected), expected)
        }
        XCTAssertFalse(files.contains("sys/devices/system/cpu"), "a folder listed is not a file to copy")
        XCTAssertFalse(files.contains("sys/devices/system/cpu/possible"), "no probe reads it")
        XCTAssertFalse(files.contains { $0.hasPrefix("proc/4000/") || $0.hasPrefix("run/") })
    }

    func testATreeWithoutSysfsCapturesNothing() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("conform-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: empty) }
        XCTAssertEqual(HostCapture.files(in: Sysroot(empty.path)), [])
    }
}

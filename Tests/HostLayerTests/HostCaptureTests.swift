import ConformCore
import ConformTestSupport
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
        XCTAssertFalse(
            files.contains("sys/devices/system/cpu/cpu0/cpufreq/scaling_available_governors"),
            "neither a probe nor lscpu reads it")
        XCTAssertTrue(files.contains("sys/devices/system/cpu/possible"), "lscpu cannot read a tree without it")
        XCTAssertFalse(files.contains { $0.hasPrefix("proc/4000/") || $0.hasPrefix("run/") })
    }

    /// Beside what the probes read, the package lists lscpu reads: `lscpu --sysroot` says the same of a capture
    /// as of its original.
    func testLscpuReadsACaptureAsTheOriginal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/lscpu") else {
            throw XCTSkip("lscpu is not installed (make setup installs util-linux)")
        }
        // A real machine's dump: lscpu 2.38 crashes (exit 139) on the generated fixture trees, original or copy.
        let source = Sysroot(realWorld.appendingPathComponent("2x-xeon-silver-4108").path)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("conform-lscpu-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        let files = HostCapture.files(in: source)
        XCTAssertTrue(files.contains("sys/devices/system/cpu/cpu0/topology/package_cpus_list"))
        for file in files { XCTAssertTrue(try source.copy(file, into: copy), file) }
        let original = try runCommand("/usr/bin/lscpu", ["--sysroot", source.shown])
        let captured = try runCommand("/usr/bin/lscpu", ["--sysroot", copy.path])
        XCTAssertEqual(original.status, 0, original.stderr)
        XCTAssertEqual(captured.stdout, original.stdout)
    }

    func testATreeWithoutSysfsCapturesNothing() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("conform-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: empty) }
        XCTAssertEqual(HostCapture.files(in: Sysroot(empty.path)), [])
    }
}

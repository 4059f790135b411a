import ConformCore
import Foundation
import HostLayer
import XCTest

@testable import ConformFuzz

/// The fuzz targets run here without libFuzzer: on every seed `fuzz/seeds.py` writes and on every input a
/// fuzz run once crashed on (`fuzz/regressions/<target>/`), so a fixed crash stays fixed in `make test`.
final class FuzzTargetTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testEveryTargetHasADictionaryAndSeedsAndRunsOnThem() throws {
        let seeds = FileManager.default.temporaryDirectory.appendingPathComponent("conform-seeds-\(UUID())")
        defer { try? FileManager.default.removeItem(at: seeds) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", Self.repository.appendingPathComponent("fuzz/seeds.py").path, seeds.path]
        python.standardOutput = FileHandle.nullDevice
        try python.run()
        python.waitUntilExit()
        XCTAssertEqual(python.terminationStatus, 0, "fuzz/seeds.py failed")

        for target in FuzzTargets.all {
            let dictionary = Self.repository.appendingPathComponent("fuzz/dictionaries/\(target.name).dict")
            XCTAssertTrue(FileManager.default.fileExists(atPath: dictionary.path), "\(target.name) has no dictionary")
            let inputs =
                (try? FileManager.default.contentsOfDirectory(
                    at: seeds.appendingPathComponent(target.name), includingPropertiesForKeys: nil)) ?? []
            XCTAssertFalse(inputs.isEmpty, "fuzz/seeds.py writes no seed for \(target.name)")
            for input in inputs { target(try Data(contentsOf: input)) }
        }
    }

    func testEveryRegressionInputRunsToItsEnd() throws {
        let folder = Self.repository.appendingPathComponent("fuzz/regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        XCTAssertFalse(names.isEmpty)
        for name in names where name != "README.md" {
            let target = try XCTUnwrap(FuzzTargets.named(name), "fuzz/regressions/\(name) names no fuzz target")
            for input in try FileManager.default.contentsOfDirectory(
                at: folder.appendingPathComponent(name), includingPropertiesForKeys: nil)
            {
                target(try Data(contentsOf: input))
            }
        }
    }

    func testATreeInputIsReadAsItsRecords() {
        let input = Data("=== sys/a\n1\n=== /sys/../b/c\n\n=== \nignored\nnot a header: === x\n=== sys/d".utf8)
        XCTAssertEqual(
            FuzzInput.tree(input),
            ["sys/a": Data("1\n".utf8), "sys/b/c": Data("\n".utf8), "sys/d": Data()])
        XCTAssertEqual(FuzzInput.tree(Data("no header at all".utf8)), [:])
    }

    /// The in-memory sysroot the targets use reads a tree exactly as the disk does.
    func testAnInMemorySysrootReadsAsTheSameTreeOnDisk() throws {
        for dump in ["2x-epyc-7451", "s390-lpar-z13", "power7-lpar-64cpu"] {
            let root = Self.repository.appendingPathComponent("fixtures/real-world/sysfs/\(dump)")
            var files: [String: Data] = [:]
            let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
            while let relative = enumerator.nextObject() as? String {
                let path = root.appendingPathComponent(relative).path
                if !FileManager.default.isFolder(atPath: path), let data = FileManager.default.contents(atPath: path) {
                    files[relative] = data
                }
            }
            let fromDisk = HostProbe(sysroot: Sysroot(root.path)).probe()
            let fromMemory = HostProbe(sysroot: Sysroot(files: files, shownAs: root.path)).probe()
            XCTAssertNotNil(fromDisk.topology.value, dump)
            XCTAssertEqual(fromMemory, fromDisk, dump)
        }
    }
}

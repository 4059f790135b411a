import Foundation
import XCTest

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let realWorld = repositoryRoot.appendingPathComponent("fixtures/real-world/sysfs")

func fixtureSysroot(_ profile: String, _ host: String) -> String {
    repositoryRoot.appendingPathComponent("fixtures/\(profile)/hosts/\(host)/sysroot").path
}

/// A writable copy of a sysroot, removed when the test ends, for fixture variants.
func copyOfSysroot(_ source: String, _ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("conform-sysroot-\(UUID().uuidString)")
    try FileManager.default.copyItem(atPath: source, toPath: url.path)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

func overwrite(_ root: URL, _ relative: String, _ text: String) throws {
    try (text + "\n").write(to: root.appendingPathComponent(relative), atomically: true, encoding: .utf8)
}

/// Writes `text` byte for byte, with no newline added, for the endings some kernels write (`0\n\0`).
func overwriteExactly(_ root: URL, _ relative: String, _ text: String) throws {
    try Data(text.utf8).write(to: root.appendingPathComponent(relative))
}

/// Removes a file or directory of a sysroot copy.
func remove(_ root: URL, _ relative: String) throws {
    try FileManager.default.removeItem(at: root.appendingPathComponent(relative))
}

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("conform-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Writes `text` to `name` under `directory`, creating folders, and returns the path.
@discardableResult
func writeFile(_ directory: URL, _ name: String, _ text: String) throws -> String {
    let url = directory.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

import ConformTestSupport
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

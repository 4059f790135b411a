import Foundation

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Every profile in checks/, ascending: each has its fixture in fixtures/<profile>. A test about every profile
/// loops over these, so a new profile is covered without editing the test.
let profileNames: [String] =
    ((try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("checks").path)) ?? [])
    .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()

let realWorldLibvirt = repositoryRoot.appendingPathComponent("fixtures/real-world/libvirt")

func fixtureHost(_ profile: String, _ host: String) -> URL {
    repositoryRoot.appendingPathComponent("fixtures/\(profile)/hosts/\(host)")
}

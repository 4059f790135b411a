import Foundation

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let realWorldLibvirt = repositoryRoot.appendingPathComponent("fixtures/real-world/libvirt")

func fixtureHost(_ profile: String, _ host: String) -> URL {
    repositoryRoot.appendingPathComponent("fixtures/\(profile)/hosts/\(host)")
}

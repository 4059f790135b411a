import ConformTestSupport
import Foundation

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Every profile in checks/ (see `ConformTestSupport.profileNames`).
let profileNames = ConformTestSupport.profileNames(repository: repositoryRoot)

let realWorldLibvirt = repositoryRoot.appendingPathComponent("fixtures/real-world/libvirt")

func fixtureHost(_ profile: String, _ host: String) -> URL {
    repositoryRoot.appendingPathComponent("fixtures/\(profile)/hosts/\(host)")
}

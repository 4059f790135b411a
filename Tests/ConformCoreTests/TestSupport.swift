import ConformTestSupport
import Foundation
import XCTest

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Every profile in checks/ (see `ConformTestSupport.profileNames`).
let profileNames = ConformTestSupport.profileNames(repository: repositoryRoot)

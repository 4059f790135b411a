import Foundation
import XCTest

/// Debian's Python, where python3-grpcio is installed (`make setup`); another python3 may be first on PATH.
public let debianPython = "/usr/bin/python3"

extension XCTestCase {
    /// Starts scripts/health-servers.py of `repository` (HTTP, TCP and gRPC health endpoints on loopback) and
    /// returns its ports by name (`http`, `tcp`, `grpc`, `grpcNotServing`, `grpcNoHealth`); it is stopped when
    /// the test ends. Skips, saying why, where Debian's Python has no grpc module.
    public func startHealthServers(repository: URL, within seconds: Double = 30) throws -> [String: Int] {
        guard (try? runCommand(debianPython, ["-c", "import grpc"], within: 60))?.status == 0 else {
            throw XCTSkip("\(debianPython) has no grpc module (python3-grpcio, installed by `make setup`)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("health-ports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let servers = try Subprocess(
            debianPython,
            [repository.appendingPathComponent("scripts/health-servers.py").path, "--ports", file.path],
            output: .discard)
        addTeardownBlock { servers.stop() }
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: file.path) {
            if let status = servers.exitStatus {
                throw SubprocessError("scripts/health-servers.py ended (exit \(status)) before it listened")
            }
            guard Date() < deadline else {
                throw SubprocessError("the health servers did not start within \(Int(seconds)) s")
            }
            usleep(50_000)
        }
        return try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: file))
    }
}

import Foundation
import XCTest

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What a command printed and how it ended.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs commands, the built `conform` binary first of all, from end-to-end tests.
protocol ConformBinary: XCTestCase {}

extension ConformBinary {
    var binary: URL {
        // Test bundles are built beside the products they depend on (on Linux the bundle URL is that directory).
        let bundle = Bundle(for: Self.self).bundleURL
        let directory = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return directory.appendingPathComponent("conform")
    }

    func conform(_ arguments: [String], in directory: URL? = nil) throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        return try run(binary, arguments, in: directory ?? repositoryRoot, environment: environment)
    }

    /// Runs a program (an absolute URL, or a name looked up on PATH).
    func run(_ program: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil)
        throws -> Outcome
    {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func shell(_ command: String) throws -> Outcome {
        try run(URL(fileURLWithPath: "/bin/sh"), ["-c", command])
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conform-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

import ArgumentParser
import ConformCore
import Foundation
import HostLayer

extension Conform {
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the files the probes read off this machine into a fixture directory.")

        @Option(help: "The fixture directory to write; the host lands in <out>/hosts/<host>/sysroot.")
        var out: String

        @Option(help: "Read from this directory instead of '/'.")
        var sysroot: String = "/"

        @Option(help: "The host name to file the capture under (default: this machine's hostname).")
        var host: String?

        func run() throws {
            let name = host ?? currentHostname()
            let source = Sysroot(sysroot)
            let hostDirectory = URL(fileURLWithPath: out).appendingPathComponent("hosts/\(name)")
            guard !FileManager.default.fileExists(atPath: hostDirectory.path) else {
                throw InputError(file: hostDirectory.path, message: "already exists; capture into a new fixture or remove it first")
            }
            // Copy into a hidden directory first so an interrupted capture leaves no half fixture host.
            let staging = URL(fileURLWithPath: out).appendingPathComponent("hosts/.\(name).capture-\(ProcessInfo.processInfo.processIdentifier)")
            defer { try? FileManager.default.removeItem(at: staging) }
            let files = HostCapture.files(in: source)
            for relative in files {
                let destination = staging.appendingPathComponent("sysroot/\(relative)")
                try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard let data = FileManager.default.contents(atPath: source.path(relative)) else {
                    log.warning("cannot read \(source.path(relative)); left out of the capture")
                    continue
                }
                try data.write(to: destination)
            }
            try FileManager.default.moveItem(at: staging, to: hostDirectory)
            print("captured \(files.count) files into \(hostDirectory.path)")
        }
    }
}

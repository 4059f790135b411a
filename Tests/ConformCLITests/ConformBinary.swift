import ConformTestSupport
import Foundation
import XCTest

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Every profile in checks/ (see `ConformTestSupport.profileNames`).
let profileNames = ConformTestSupport.profileNames(repository: repositoryRoot)

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

    /// Runs a program (an absolute URL, or a name looked up on PATH) to its end; one that runs past `seconds`
    /// is killed and fails the test with what it had printed.
    func run(
        _ program: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        within seconds: Double = 300
    ) throws -> Outcome {
        try runCommand(
            program.path, arguments, in: directory?.path, environment: environment, within: seconds)
    }

    /// Starts a program in the background (its output discarded); it is stopped when the test ends.
    func start(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Subprocess {
        let child = try Subprocess(program, arguments, environment: environment, output: .discard)
        addTeardownBlock { child.stop() }
        return child
    }

    /// The port a server the test started writes to `file` once it listens.
    func port(writtenTo file: URL, within seconds: Double = 15) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let port = try? String(contentsOf: file, encoding: .utf8), !port.isEmpty { return port }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw SubprocessError("the server did not write its port to \(file.path) within \(seconds) s")
    }

    /// Serves `bytes` bytes at `path` from a loopback HTTP server (stopped when the test ends); returns its URL.
    func serveFile(at path: String, bytes: Int) throws -> String {
        let served = try temporaryDirectory()
        let file = served.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: bytes).write(to: file)
        let portFile = try temporaryDirectory().appendingPathComponent("port")
        let script = """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            open(sys.argv[2], "w").write(str(server.server_address[1]))
            server.serve_forever()
            """
        _ = try start("python3", ["-c", script, served.path, portFile.path])
        return "http://127.0.0.1:\(try port(writtenTo: portFile))/\(path)"
    }

    /// A one-request HTTP endpoint on loopback that writes the request's path and body to a file (a stand-in
    /// for VictoriaMetrics' import URL); `server` ends once it has answered.
    func startImportEndpoint(in directory: URL) throws -> (server: Subprocess, port: String, received: URL) {
        let received = directory.appendingPathComponent("received.txt")
        let portFile = directory.appendingPathComponent("port")
        let script = """
            import http.server, os, sys
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_POST(self):
                    body = self.rfile.read(int(self.headers["Content-Length"]))
                    open(sys.argv[1] + ".tmp", "wb").write(self.path.encode() + b"\\n" + body)
                    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
                    self.send_response(204); self.end_headers()
            s = http.server.HTTPServer(("127.0.0.1", 0), H)
            open(sys.argv[2], "w").write(str(s.server_address[1]))
            s.handle_request()
            """
        let server = try start("python3", ["-c", script, received.path, portFile.path])
        return (server, try port(writtenTo: portFile), received)
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

    /// The URI of a libvirt that accepts connections and never answers: a listening Unix socket in
    /// `directory`, closed when the test ends.
    func muteLibvirtURI(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("mute.sock").path
        let listener = try listeningUnixSocket(at: path)
        addTeardownBlock { close(listener) }
        return "qemu+unix:///system?socket=\(path)"
    }

    /// A Unix socket that accepts connections (the kernel completes them from the backlog) and never reads.
    func listeningUnixSocket(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SubprocessError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw SubprocessError("bind/listen \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }
}

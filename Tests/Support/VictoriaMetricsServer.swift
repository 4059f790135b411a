import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real VictoriaMetrics (Debian's `victoria-metrics`, `make setup`) for one test: on a loopback port of its
/// own, storing into a temporary folder of its own, answering its HTTP API.
///
/// Start it with `XCTestCase.startVictoriaMetrics()`, which skips the test (saying why) where the program is
/// not installed and stops the server when the test ends, passed or failed. `url` is the base URL
/// (`http://127.0.0.1:<port>`); append `/api/v1/import/prometheus` to push, `/health` to check it.
///
/// Flags, and why:
/// - `-storageDataPath=<temporary folder>`: everything it writes (data, index, caches, its lock) goes there, and
///   nothing else on the machine (checked with strace); `stop()` removes it.
/// - `-httpListenAddr=127.0.0.1:0`: loopback only, on a port the kernel picks. The port is read back from the
///   listening socket the process holds (`/proc/<pid>/net/tcp`), so no other server can take it in between and
///   answer in its place.
/// - `-retentionPeriod=1d`: the shortest it takes; a test's samples are stamped with the time they arrive.
/// - `-search.latencyOffset=0s`: by default an instant query at "now" is evaluated 30 s earlier and does not
///   see what was pushed in the last 30 s.
/// - `-search.disableCache`: a query that ran before the samples were searchable must not keep answering from
///   a cached empty result.
/// Its own metrics are not scraped into its storage (`-selfScrapeInterval` is off by default), so what is
/// stored is only what the test sent.
public final class VictoriaMetricsServer: @unchecked Sendable {
    /// The program's name, looked up on PATH.
    public static let program = "victoria-metrics"

    /// The loopback port it listens on.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public let url: URL
    /// Its log (stdout and stderr): where it says which lines it rejected.
    public let logFile: String
    private let folder: String
    private let process: Subprocess

    /// The installed program's path, or nil where it is not installed.
    public static var installedPath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin"]).map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the server and returns once `GET /health` answers `OK`; throws when the program is missing, when it
    /// ends early, or when it does not answer within `seconds` (then it is stopped and its folder removed).
    /// `arguments` are flags besides the ones above, e.g. `-httpAuth.username=U -httpAuth.password=P`: then
    /// `/health` and `/metrics` stay open and every other path (the import, `query`, `flush`) asks for them.
    public init(arguments extraArguments: [String] = [], within seconds: Double = 30) throws {
        guard let program = Self.installedPath else {
            throw SubprocessError("\(Self.program) is not installed (apt-get install victoria-metrics: make setup)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("conform-vm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        logFile = folder + "/victoria-metrics.log"
        let arguments =
            [
                "-storageDataPath=\(folder)/data", "-httpListenAddr=127.0.0.1:0", "-retentionPeriod=1d",
                "-search.latencyOffset=0s", "-search.disableCache",
            ] + extraArguments
        let process: Subprocess
        do {
            process = try Subprocess(program, arguments, output: .file(logFile))
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        do {
            port = try Self.waitUntilHealthy(process, log: logFile, within: seconds)
        } catch {
            process.stop()
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        self.process = process
        url = URL(string: "http://127.0.0.1:\(port)")!
    }

    deinit {
        stop()
    }

    /// Ends the server (SIGTERM, which it obeys in well under a second; SIGKILL after 5 s) and removes its folder.
    /// Safe to call more than once. (A test process that is itself killed leaves the server running.)
    public func stop() {
        process.stop(grace: 5)
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// What it has logged so far (empty once stopped).
    public var log: String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    /// `GET <path>` (with its query, already encoded) on the server: the HTTP status and the body.
    public func get(_ path: String, within seconds: Double = 10) throws -> (status: Int, body: String) {
        try loopbackGET(port: port, path: path, within: seconds)
    }

    /// The `data.result` of an instant PromQL query at the current time (`/api/v1/query`): one object per series,
    /// `{"metric": {labels}, "value": [time, "value"]}`. A sample stamped in the current second shows only from the
    /// next one on, even flushed: poll with a deadline. Values keep about 12 significant digits (its FAQ).
    public func query(_ promql: String) throws -> [[String: Any]] {
        let (status, body) = try get("/api/v1/query?query=" + Self.encoded(promql))
        let document = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        guard status == 200, document?["status"] as? String == "success",
            let result = (document?["data"] as? [String: Any])?["result"] as? [[String: Any]]
        else { throw SubprocessError("query \(promql): HTTP \(status): \(body)") }
        return result
    }

    /// Every stored sample of the series `match` selects, raw (`/api/v1/export`): one object per series,
    /// `{"metric": {labels with __name__}, "values": [...], "timestamps": [milliseconds]}`.
    public func export(_ match: String) throws -> [[String: Any]] {
        let (status, body) = try get("/api/v1/export?match%5B%5D=" + Self.encoded(match))
        guard status == 200 else { throw SubprocessError("export \(match): HTTP \(status): \(body)") }
        return try body.split(separator: "\n").map {
            guard let series = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                throw SubprocessError("export \(match): not a JSON object: \($0)")
            }
            return series
        }
    }

    /// Makes what was imported searchable now rather than within a second or two (`/internal/force_flush`).
    public func flush() throws {
        let (status, body) = try get("/internal/force_flush")
        guard status == 200 else { throw SubprocessError("force_flush: HTTP \(status): \(body)") }
    }

    /// The value of one of its own metrics on `/metrics`, named as it prints it, e.g.
    /// `vm_rows_invalid_total{type="prometheus"}`; nil when it prints no such series.
    public func ownMetric(_ series: String) throws -> Double? {
        let (status, body) = try get("/metrics")
        guard status == 200 else { throw SubprocessError("/metrics: HTTP \(status)") }
        return body.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    /// Percent-encodes a query argument (Go reads `+` in a query as a space, so it is encoded too).
    static func encoded(_ argument: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        return argument.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }
            .joined()
    }

    /// Waits for the port the process listens on and for `GET /health` to answer `OK` there; returns the port.
    private static func waitUntilHealthy(_ process: Subprocess, log: String, within seconds: Double) throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        var port: Int?
        while true {
            if let status = process.exitStatus {
                throw SubprocessError("\(program) ended (\(status)) before it answered; its log:\n\(tail(of: log))")
            }
            port = port ?? listeningPort(of: process.pid)
            if let port, (try? loopbackGET(port: port, path: "/health", within: 2))?.body == "OK" { return port }
            if Date() > deadline {
                throw SubprocessError(
                    "\(program) did not answer /health within \(seconds) s (port \(port.map(String.init) ?? "none yet"));"
                        + " its log:\n\(tail(of: log))")
            }
            usleep(20_000)
        }
    }

    /// The TCP port a socket of process `pid` listens on: its socket inodes (`/proc/<pid>/fd`) looked up in the
    /// TCP table of its network namespace.
    private static func listeningPort(of pid: pid_t) -> Int? {
        let descriptors = "/proc/\(pid)/fd"
        let inodes = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: descriptors)) ?? []).compactMap { entry in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(descriptors)/\(entry)"))
                    .flatMap { $0.hasPrefix("socket:[") ? String($0.dropFirst(8).dropLast()) : nil }
            })
        guard !inodes.isEmpty, let table = try? String(contentsOfFile: "/proc/\(pid)/net/tcp", encoding: .utf8)
        else { return nil }
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] == "0A", inodes.contains(String(fields[9])),
                let hexPort = fields[1].split(separator: ":").last, let port = Int(hexPort, radix: 16)
            else { continue }
            return port
        }
        return nil
    }

    private static func tail(of log: String) -> String {
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
        return lines.suffix(20).joined(separator: "\n")
    }
}

extension XCTestCase {
    /// Starts a `VictoriaMetricsServer` that is stopped, and its folder removed, when the test ends however it
    /// ends; skips the test, saying why, where victoria-metrics is not installed.
    public func startVictoriaMetrics(arguments: [String] = [], within seconds: Double = 30) throws
        -> VictoriaMetricsServer
    {
        guard VictoriaMetricsServer.installedPath != nil else {
            throw XCTSkip(
                "\(VictoriaMetricsServer.program) is not installed (apt-get install victoria-metrics: make setup)")
        }
        let server = try VictoriaMetricsServer(arguments: arguments, within: seconds)
        addTeardownBlock { server.stop() }
        return server
    }
}

/// `GET path` over HTTP/1.0 to 127.0.0.1:`port` (HTTP/1.0: the server closes the connection after the body,
/// without chunking it); throws when nothing answers within `seconds`.
func loopbackGET(port: Int, path: String, within seconds: Double) throws -> (status: Int, body: String) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw SubprocessError("socket: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        throw SubprocessError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
    }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
        throw SubprocessError("GET \(path) on 127.0.0.1:\(port): the request could not be sent")
    }
    let deadline = Date().addingTimeInterval(seconds)
    var reply = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else { throw SubprocessError("GET \(path) on 127.0.0.1:\(port): no answer within \(seconds) s") }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        if poll(&entry, 1, Int32(min(left, 1) * 1000) + 1) <= 0 { continue }
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count == 0 { break }
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { continue }
            throw SubprocessError("GET \(path) on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        reply.append(contentsOf: buffer[0..<count])
    }
    let text = String(decoding: reply, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "")
    else { throw SubprocessError("GET \(path) on 127.0.0.1:\(port): not an HTTP reply: \(text.prefix(200))") }
    return (status, String(text[split.upperBound...]))
}

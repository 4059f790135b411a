import ConformTestSupport
import Foundation
import XCTest

/// The benchmark commands end to end: JSON contract, clean-up on SIGTERM, and transfers across a real
/// 1 Gbit/s link between two network namespaces (scripts/netlab.sh).
final class BenchCommandTests: XCTestCase, ConformBinary {
    func measurements(_ json: String) throws -> [String: Double] {
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(document["schema"] as? String, "conform.bench/v1")
        let list = try XCTUnwrap(document["measurements"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: list.compactMap { item in
                (item["name"] as? String).flatMap { name in (item["value"] as? Double).map { (name, $0) } }
            })
    }

    func testMemoryJSON() throws {
        let outcome = try conform([
            "bench", "memory", "--cpu-node", "0", "--mem-node", "0", "--size", "64MiB", "--kernels", "read,triad",
            "--repetitions", "2", "--json",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let values = try measurements(outcome.stdout)
        XCTAssertGreaterThan(values["mem.read.cpu0.mem0"] ?? 0, 0)
        XCTAssertGreaterThan(values["mem.triad.cpu0.mem0"] ?? 0, 0)
        XCTAssertNil(values["mem.copy.cpu0.mem0"], "only the kernels asked for")
    }

    func testAMatrixPastItsBudgetIsAnError() throws {
        // A microsecond: gone before the arrays are even mapped, so no kernel starts.
        let outcome = try conform([
            "bench", "memory", "--cpu-node", "0", "--mem-node", "0", "--size", "64MiB", "--kernels", "read,triad",
            "--repetitions", "1", "--budget", "0.000001", "--json",
        ])
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stderr.contains(
                "the memory benchmark ran past its time budget of 1e-06 s before the read kernel of CPU node 0"),
            outcome.stderr)
        XCTAssertEqual(outcome.stdout, "", "no half a matrix on stdout")
    }

    /// The budget holds inside one kernel: repetitions stop once it has passed, and the run is an error.
    func testABudgetStopsAKernelBetweenRepetitions() throws {
        let started = Date()
        let outcome = try conform([
            "bench", "memory", "--cpu-node", "0", "--mem-node", "0", "--size", "64MiB", "--kernels", "read",
            "--repetitions", "10000", "--budget", "1", "--json",
        ])
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stderr.contains("during the read kernel of CPU node 0, memory node 0, after "), outcome.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "about the 1 s budget, not 10,000 passes")
        XCTAssertEqual(outcome.stdout, "")
        let tooMany = try conform(["bench", "memory", "--repetitions", "100000000"])
        XCTAssertEqual(tooMany.status, 2, tooMany.stderr)
    }

    func testDiskScratchFileIsRemovedOnSIGTERM() throws {
        let directory = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("conform-sigterm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        // 8 GiB only if the disk has room; the write is stopped long before it ends.
        var stats = statvfs()
        guard statvfs(directory.path, &stats) == 0, Double(stats.f_bavail) * Double(stats.f_frsize) > 10 * 1_073_741_824
        else {
            throw XCTSkip("needs 10 GiB free in /var/tmp to start a long write")
        }
        let process = try Subprocess(
            binary.path, ["bench", "disk", "--dir", directory.path, "--size", "8GiB", "--min-free", "0", "--json"])
        var sawFile = false
        for _ in 0..<100 where !sawFile {
            sawFile = !((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).isEmpty
            if !sawFile { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(sawFile, "the benchmark created its scratch file")
        Thread.sleep(forTimeInterval: 0.3)
        process.send(SIGTERM)
        XCTAssertEqual(try process.finish(within: 60).status, 128 + SIGTERM, "conform's own exit code after SIGTERM")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [], "nothing left behind")
    }

    func testTransfersAcrossAShapedGigabitLink() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
        for tool in ["/usr/sbin/ip", "/usr/sbin/tc", "/usr/sbin/nginx"]
        where !FileManager.default.fileExists(atPath: tool) {
            throw XCTSkip("\(tool) is not installed (run 'make setup')")
        }
        let lab = try temporaryDirectory()
        let script = repositoryRoot.appendingPathComponent("scripts/netlab.sh")
        addTeardownBlock { [self] in _ = try? run(script, ["down", lab.path], within: 60) }
        let up = try run(script, ["up", lab.path])
        XCTAssertEqual(up.status, 0, up.stderr)
        let url = up.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        func inClient(_ arguments: [String]) throws -> Outcome {
            try run(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "exec", "conform-cli", binary.path] + arguments)
        }
        let download = try inClient(["bench", "net", "--url", "\(url)payload.bin", "--json"])
        XCTAssertEqual(download.status, 0, download.stderr)
        let downloaded = try measurements(download.stdout)
        let ceiling = 117.7
        // Shaped to 1 Gbit/s: near the TCP goodput ceiling, never far above it, and far below the unshaped
        // veth (several GB/s). The exact ratio to iperf3 is bench/net-fidelity.sh's business.
        XCTAssertGreaterThan(downloaded["net.download"] ?? 0, 0.5 * ceiling)
        XCTAssertLessThan(downloaded["net.download"] ?? .infinity, 1.05 * ceiling)
        XCTAssertGreaterThan(downloaded["net.ttfb"] ?? 0, 0)
        let upload = try inClient([
            "bench", "net", "--url", "\(url)upload/test.bin", "--upload", "--size", "50MB", "--json",
        ])
        XCTAssertEqual(upload.status, 0, upload.stderr)
        XCTAssertGreaterThan(try measurements(upload.stdout)["net.upload"] ?? 0, 0.3 * ceiling)
        let stored = try FileManager.default.attributesOfItem(
            atPath: lab.appendingPathComponent("www/upload/test.bin").path)
        XCTAssertEqual(stored[.size] as? Int, 50_000_000, "the server received every byte")
        let missing = try inClient(["bench", "net", "--url", "\(url)no-such-object"])
        XCTAssertEqual(missing.status, 3)
        XCTAssertTrue(
            missing.stderr.contains("download from \(url)no-such-object failed: HTTP response code said error"),
            missing.stderr)
    }
}

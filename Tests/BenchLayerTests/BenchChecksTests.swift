import BenchLayer
import ConformCore
import XCTest

/// The bench checks on hand-built measurements, passing and failing.
final class BenchChecksTests: XCTestCase {
    func cell(_ cpu: Int, _ mem: Int, _ gbps: Double, offNode: Double = 0) -> MemoryCell {
        MemoryCell(
            kernel: .triad, cpuNode: cpu, memNode: mem, threads: 18, arrayBytes: 1e9, bestGBps: gbps,
            medianGBps: gbps * 0.98, offNodeShare: offNode)
    }

    let host = HostSpec(
        name: "numa-server",
        disks: [DiskSpec(path: "/data/local", purpose: .staging, sizeGB: 100, media: .ssd, minMBps: 450)])

    func profile(network: [NetworkLink] = []) -> Profile {
        Profile(
            name: "p", hosts: [host], network: network, bench: BenchSpec(localFloorGBps: 50, remoteRatio: 0.3...0.75))
    }

    func findings(_ id: String, _ facts: BenchFacts, profile: Profile? = nil) -> [Finding] {
        BenchCatalog.checks(for: host, profile: profile ?? self.profile(), facts: facts).first { $0.metadata.id == id }?
            .evaluate() ?? []
    }

    func testLocalBandwidthAgainstTheFloor() {
        let facts = BenchFacts(memory: .value([cell(0, 0, 61), cell(1, 1, 42), cell(0, 1, 30), cell(1, 0, 30)]))
        let found = findings("bench.numa.bandwidth", facts)
        XCTAssertEqual(found.map(\.status), [.pass, .fail])
        XCTAssertEqual(found[1].message, "triad 42.0 GB/s is below the designed 50.0 GB/s")
        XCTAssertEqual(found[0].measurements.first?.name, "mem.triad.cpu0.mem0")
        let misplaced = BenchFacts(memory: .value([cell(0, 0, 61, offNode: 0.2)]))
        XCTAssertTrue(
            findings("bench.numa.bandwidth", misplaced)[0].message.contains(
                "20.0% of the buffers' pages were not on node 0"))
    }

    func testRemoteRatioBandAndAMisreportedTopology() {
        let facts = BenchFacts(memory: .value([cell(0, 0, 60), cell(1, 1, 60), cell(0, 1, 30), cell(1, 0, 12)]))
        let found = findings("bench.numa.remote-ratio", facts)
        XCTAssertEqual(found.map { "\($0.subject ?? "") \($0.status.rawValue)" }, ["cpu0.mem1 pass", "cpu1.mem0 fail"])
        XCTAssertEqual(
            found[0].measurements.last, MeasuredValue(name: "mem.triad.cpu0.mem1.ratio", value: 0.5, unit: .ratio))
        let flat = BenchFacts(memory: .value([cell(0, 0, 60), cell(0, 1, 59)]))
        XCTAssertEqual(findings("bench.numa.remote-ratio", flat).first?.status, .warn)
        XCTAssertEqual(
            findings("bench.numa.remote-ratio", BenchFacts(memory: .value([cell(0, 0, 60)]))).first?.status, .skip)
    }

    func testDiskFloorAndCacheHits() {
        func facts(_ write: Double, _ read: Double) -> BenchFacts {
            BenchFacts(
                memory: .value([]),
                disks: [
                    "/data/local": .value(.init(writeMBps: write, readMBps: read, bytes: 8e9, file: "/data/local/x"))
                ])
        }
        XCTAssertEqual(findings("bench.disk.write", facts(480, 300)).first?.status, .pass)
        XCTAssertEqual(
            findings("bench.disk.read", facts(480, 300)).first?.message,
            "300 MB/s sequential read, below the designed 450 MB/s")
        let cached = findings("bench.disk.read", facts(480, 2400)).first
        XCTAssertEqual(cached?.status, .warn)
        XCTAssertTrue(cached?.message.contains("a cache answered, not the disk") ?? false)
        let refused = BenchFacts(
            memory: .value([]),
            disks: ["/data/local": .failed(ProbeError(path: "/data/local", reason: "refusing to write"))])
        XCTAssertEqual(findings("bench.disk.write", refused).first?.status, .error)
    }

    func testNetworkAgainstTheTCPCeilingAndTheBudgets() {
        XCTAssertEqual(NetBenchmark.tcpGoodputCeilingMBps(megabits: 1000), 117.7, accuracy: 0.05)
        let link = NetworkLink(
            name: "lan", from: "numa-server", to: "mac-mini", speedMbit: 1000,
            transfers: [
                Transfer(name: "daily-prep", bytes: 5e9, budgetSeconds: 40, direction: .upload),
                Transfer(name: "small", bytes: 1e8, budgetSeconds: 2, direction: .download),
            ],
            downloadURL: "http://x/a", uploadURL: "http://x/b")
        let result = { (mbps: Double, upload: Bool) in
            NetBenchmark.Result(bytes: 1e9, goodputMBps: mbps, timeToFirstByteMs: 1, totalSeconds: 9, upload: upload)
        }
        let facts = BenchFacts(
            memory: .value([]), downloads: ["lan": .value(result(116, false))],
            uploads: ["lan": .value(result(117, true))])
        let withLink = profile(network: [link])
        XCTAssertEqual(findings("bench.net.download", facts, profile: withLink).first?.status, .pass)
        let upload = findings("bench.net.upload", facts, profile: withLink).first
        XCTAssertEqual(upload?.status, .fail, "5 GB in 40 s needs 125 MB/s: more than 1 GbE carries")
        XCTAssertTrue(
            upload?.message.hasPrefix("daily-prep (5.0 GB) would take 42.7 s, over its 40.0 s budget") ?? false,
            upload?.message ?? "")
        let slow = BenchFacts(memory: .value([]), downloads: ["lan": .value(result(80, false))])
        XCTAssertTrue(
            findings("bench.net.download", slow, profile: withLink).first?.message.hasPrefix(
                "80.0 MB/s is below 90% of the 1000 Mbit/s TCP goodput ceiling (117.7 MB/s)") ?? false)
    }
}

/// The cache size the memory benchmark sizes its arrays by is read from sysfs: one no cache has is ignored.
final class CacheProbeTests: XCTestCase {
    func testACacheSizeNoCacheHasIsIgnored() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("conform-cache-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let index = root.appendingPathComponent("sys/devices/system/cpu/cpu0/cache/index3")
        try FileManager.default.createDirectory(at: index, withIntermediateDirectories: true)
        try "3\n".write(to: index.appendingPathComponent("level"), atomically: true, encoding: .utf8)
        for size in ["1e30K", "inf", "99999999999999999999K"] {
            try "\(size)\n".write(to: index.appendingPathComponent("size"), atomically: true, encoding: .utf8)
            XCTAssertEqual(CacheProbe.lastLevelCacheBytes(sysroot: Sysroot(root.path)), 32 * 1_048_576, size)
        }
        try "32768K\n".write(to: index.appendingPathComponent("size"), atomically: true, encoding: .utf8)
        XCTAssertEqual(CacheProbe.lastLevelCacheBytes(sysroot: Sysroot(root.path)), 32768 * 1024)
    }
}

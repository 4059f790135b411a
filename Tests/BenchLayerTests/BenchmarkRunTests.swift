import BenchLayer
import ConformCore
import Foundation
import XCTest

/// The benchmarks themselves, small, on this machine.
final class BenchmarkRunTests: XCTestCase {
    /// This machine's node 0 as the probe would give it: every online CPU, one per core.
    func localTopology() throws -> NUMATopology {
        let text = try String(contentsOfFile: "/sys/devices/system/node/node0/cpulist", encoding: .utf8)
        let cpus = try CPUSet(parsing: text)
        return NUMATopology(
            nodes: [NUMATopology.Node(id: 0, cpus: cpus, memoryGiB: nil)], siblings: cpus.map { CPUSet([$0]) })
    }

    func testEveryKernelRunsAndReportsPlausibleBandwidth() throws {
        let benchmark = MemoryBenchmark(
            topology: try localTopology(), arrayBytes: 4e6, repetitions: 3, lastLevelCacheBytes: 1e6)
        let cells = try benchmark.run(cpuNode: 0, memNode: 0)
        XCTAssertEqual(cells.map(\.kernel), MemoryKernel.allCases)
        for cell in cells {
            XCTAssertGreaterThan(cell.bestGBps, 0.1, "\(cell.kernel)")
            XCTAssertLessThan(cell.bestGBps, 10_000, "\(cell.kernel): not optimised away")
            XCTAssertGreaterThanOrEqual(cell.bestGBps, cell.medianGBps)
            XCTAssertEqual(cell.offNodeShare, 0, "bound to node 0 and found there")
        }
        XCTAssertEqual(
            cells.map(\.measurementName),
            ["mem.read.cpu0.mem0", "mem.write.cpu0.mem0", "mem.copy.cpu0.mem0", "mem.triad.cpu0.mem0"])
        XCTAssertThrowsError(try benchmark.run(cpuNode: 0, memNode: 7))
    }

    func testArraysAreAtLeastFourTimesTheLastLevelCache() throws {
        let benchmark = MemoryBenchmark(
            topology: try localTopology(), arrayBytes: 1e6, lastLevelCacheBytes: 32 * 1_048_576)
        XCTAssertEqual(benchmark.effectiveArrayBytes, 128 * 1_048_576)
    }

    func temporaryDirectory() throws -> String {
        let url = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("conform-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testDiskWritesReadsAndLeavesNothing() throws {
        let directory = try temporaryDirectory()
        let result = try DiskBenchmark(directory: directory, sizeBytes: 64 * 1_048_576, queueDepth: 2).run()
        XCTAssertEqual(result.bytes, 64 * 1_048_576)
        XCTAssertGreaterThan(result.writeMBps, 1)
        XCTAssertGreaterThan(result.readMBps, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], "the scratch file is gone")
    }

    func testDiskRefusesToEatTheFreeSpaceFloor() throws {
        let directory = try temporaryDirectory()
        XCTAssertThrowsError(
            try DiskBenchmark(directory: directory, sizeBytes: 1_048_576, minimumFreeBytes: 1e18).run()
        ) { error in
            XCTAssertTrue("\(error)".hasPrefix("refusing to write 1.0 MiB to \(directory)"), "\(error)")
        }
        XCTAssertThrowsError(try DiskBenchmark(directory: directory, sizeBytes: 1_048_576, blockBytes: 1000).run())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testBenchmarksStopAtTheirTimeBudgetAndLeaveNothing() throws {
        let memory = MemoryBenchmark(
            topology: try localTopology(), arrayBytes: 4e6, repetitions: 3, lastLevelCacheBytes: 1e6, budgetSeconds: 0)
        XCTAssertThrowsError(try memory.matrix()) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix(
                    "the memory benchmark ran past its time budget of 0 s before the read kernel of CPU node 0, memory node 0"
                ), "\(error)")
        }
        let directory = try temporaryDirectory()
        XCTAssertThrowsError(try DiskBenchmark(directory: directory, sizeBytes: 8 * 1_048_576, budgetSeconds: 0).run())
        {
            error in
            XCTAssertTrue(
                "\(error)".hasPrefix("the disk benchmark ran past its time budget of 0 s after writing "), "\(error)")
            XCTAssertTrue("\(error)".contains(" of 8.0 MiB in \(directory)/.conform-bench-"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], "the scratch file is gone")
    }

    func testSizes() {
        XCTAssertEqual(ByteSize.parse("1GB"), 1e9)
        XCTAssertEqual(ByteSize.parse("8GiB"), 8 * 1_073_741_824)
        XCTAssertEqual(ByteSize.parse("32768K"), 32 * 1_048_576, "sysfs cache sizes")
        XCTAssertNil(ByteSize.parse("lots"))
        XCTAssertEqual(
            S3Credentials(accessKey: "AKIAEXAMPLE", secretKey: "very-secret", region: "eu-west-1").description,
            "S3 credentials for access key AKIA… in eu-west-1")
    }
}

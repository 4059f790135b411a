import ConformCore
import HostLayer
import XCTest

/// The probe against util-linux lscpu on every real dump in `fixtures/real-world/sysfs`: the figures below are
/// what `lscpu --sysroot DIR` and `lscpu -p=CPU,CORE,SOCKET,NODE --sysroot DIR` (util-linux 2.38.1) print, recorded
/// here so the test needs no lscpu. Where conform deliberately reads differently, the case says so.
final class TopologyProbeLscpuTests: XCTestCase {
    /// One dump as lscpu reads it.
    struct LscpuReading {
        let dump: String
        let sockets: Int
        let coresPerSocket: Int
        let threadsPerCore: Int
        let onlineCPUs: String
        /// Each node's CPUs by node id, as `lscpu -p` places the online CPUs; empty when lscpu prints no NUMA
        /// line (a kernel without NUMA). The summary's `NUMA nodeN CPU(s)` lines say the same except on
        /// s390-lpar-z13, where they print the kernel's list, offline CPUs included.
        let nodes: [Int: String]
    }

    static let readings: [LscpuReading] = [
        LscpuReading(
            dump: "2x-xeon-silver-4108", sockets: 2, coresPerSocket: 8, threadsPerCore: 2, onlineCPUs: "0-31",
            nodes: [0: "0-7,16-23", 1: "8-15,24-31"]),
        LscpuReading(
            dump: "2x-epyc-7451", sockets: 2, coresPerSocket: 24, threadsPerCore: 2, onlineCPUs: "0-95",
            nodes: [
                0: "0-5,48-53", 1: "6-11,54-59", 2: "12-17,60-65", 3: "18-23,66-71", 4: "24-29,72-77",
                5: "30-35,78-83", 6: "36-41,84-89", 7: "42-47,90-95",
            ]),
        LscpuReading(
            dump: "4x-xeon-x7550", sockets: 4, coresPerSocket: 8, threadsPerCore: 2, onlineCPUs: "0-63",
            nodes: [
                0: "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,46,48,50,52,54,56,58,60,62",
                2: "1,5,9,13,17,21,25,29,33,37,41,45,49,53,57,61",
                3: "3,7,11,15,19,23,27,31,35,39,43,47,51,55,59,63",
            ]),
        // physical_package_id is -1 on every CPU; each core_siblings list is one core's 4 threads, so lscpu
        // counts 16 sockets of one core, and so does conform. node1 has memory and no CPUs.
        LscpuReading(
            dump: "power7-lpar-64cpu", sockets: 16, coresPerSocket: 1, threadsPerCore: 4, onlineCPUs: "0-63",
            nodes: [0: "0-63", 1: ""]),
        // lscpu 2.38.1 prints no thread, core or socket line for RISC-V; these are util-linux's own expected
        // output for this dump (tests/expected/lscpu/lscpu-rv64-milkvpioneer, a later lscpu). core_id repeats
        // in each of the 4 clusters (0-15), and there is no die_id.
        LscpuReading(
            dump: "sg2042-milk-v-pioneer", sockets: 1, coresPerSocket: 64, threadsPerCore: 1, onlineCPUs: "0-63",
            nodes: [0: "0-7,16-23", 1: "8-15,24-31", 2: "32-39,48-55", 3: "40-47,56-63"]),
        // No node directory (a kernel without NUMA): lscpu prints no NUMA line; conform reports node 0 with every
        // online CPU, as libnuma does. physical_package_id is -1 and each CPU is its own package.
        LscpuReading(
            dump: "sparc64-ultrasparc-ii", sockets: 6, coresPerSocket: 1, threadsPerCore: 1,
            onlineCPUs: "6-7,10-11,14-15", nodes: [:]),
        // node0's cpumap names every possible CPU (0-140) of which 0-7 are online: lscpu's summary prints
        // 0-140, `lscpu -p` puts 0-7 on node 0, and conform keeps the online ones. lscpu prints "Socket(s) per
        // book: 2", one book, one drawer: 2 sockets. physical_package_id is 2 and 3.
        LscpuReading(
            dump: "s390-lpar-z13", sockets: 2, coresPerSocket: 4, threadsPerCore: 1, onlineCPUs: "0-7",
            nodes: [0: "0-7"]),
    ]

    func testEveryRealDumpReadsAsLscpuReadsIt() throws {
        let dumps = try FileManager.default.contentsOfDirectory(atPath: realWorld.path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(dumps), Set(Self.readings.map(\.dump)), "every dump has its lscpu reading here")
        for lscpu in Self.readings {
            let facts = HostProbe(sysroot: Sysroot(realWorld.appendingPathComponent(lscpu.dump).path)).probe()
            let topology = try XCTUnwrap(facts.topology.value, "\(lscpu.dump): \(facts.topology)")
            XCTAssertEqual(topology.sockets, lscpu.sockets, "\(lscpu.dump) sockets")
            XCTAssertEqual(topology.coresPerSocket, lscpu.coresPerSocket, "\(lscpu.dump) cores per socket")
            XCTAssertEqual(topology.threadsPerCore, lscpu.threadsPerCore, "\(lscpu.dump) threads per core")
            XCTAssertEqual(topology.onlineCPUs.description, lscpu.onlineCPUs, "\(lscpu.dump) online CPUs")
            let expectedNodes = lscpu.nodes.isEmpty ? [0: lscpu.onlineCPUs] : lscpu.nodes
            XCTAssertEqual(
                Dictionary(uniqueKeysWithValues: topology.nodes.map { ($0.id, $0.cpus.description) }), expectedNodes,
                "\(lscpu.dump) nodes")
        }
    }

    func testAKernelWithoutNUMAHasNoDistancesAndNoNodeMemory() throws {
        let facts = HostProbe(sysroot: Sysroot(realWorld.appendingPathComponent("sparc64-ultrasparc-ii").path)).probe()
        let node = try XCTUnwrap(facts.topology.value?.nodes.first, "\(facts.topology)")
        XCTAssertNil(node.distances)
        XCTAssertNil(node.memoryKiB, "the dump has no /proc/meminfo")
    }
}

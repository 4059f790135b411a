import ConformCore
import HostLayer
import XCTest

/// The probe against sysfs as kernels other than the fixture's write it: each test changes a copy of a fixture
/// or real dump the way a particular kernel, configuration or machine does, and the topology must still read.
final class TopologyProbeKernelTests: XCTestCase {
    static let cpu = "sys/devices/system/cpu"
    static let node = "sys/devices/system/node"

    func server() throws -> URL {
        try copyOfSysroot(fixtureSysroot("mac-numa", "numa-server"), self)
    }

    func topology(_ root: URL) throws -> TopologyFacts {
        let facts = HostProbe(sysroot: Sysroot(root.path)).probe()
        return try XCTUnwrap(facts.topology.value, "\(facts.topology)")
    }

    func testValuesEndingInANulByteReadAsTheValue() throws {
        let root = try server()
        let unchanged = try topology(root)
        try overwriteExactly(root, "\(Self.cpu)/online", "0-71\n\0")
        for cpu in 0..<72 {
            let topology = "\(Self.cpu)/cpu\(cpu)/topology"
            try overwriteExactly(root, "\(topology)/physical_package_id", cpu % 36 < 18 ? "0\n\0" : "1\n\0")
            try overwriteExactly(root, "\(topology)/thread_siblings_list", "\(cpu % 36),\(cpu % 36 + 36)\n\0")
        }
        try overwriteExactly(root, "\(Self.node)/node0/cpulist", "0-17,36-53\n\0")
        try overwriteExactly(root, "\(Self.node)/node1/cpumap", "000000ff,ffc0000f,fffc0000\n\0")
        try remove(root, "\(Self.node)/node1/cpulist")
        try overwriteExactly(root, "\(Self.node)/node0/distance", "10 21\n\0")
        try overwriteExactly(root, "\(Self.node)/node1/meminfo", "Node 1 MemTotal:       132069748 kB\n\0")
        XCTAssertEqual(try topology(root), unchanged)
    }

    func testAKernelWithoutNUMAIsOneNodeOfEveryOnlineCPU() throws {
        let root = try server()
        try remove(root, Self.node)
        let topology = try topology(root)
        XCTAssertEqual(topology.nodes, [NodeFacts(id: 0, cpus: try CPUSet(parsing: "0-71"), memoryKiB: 263_925_712)])
        XCTAssertEqual([topology.sockets, topology.coresPerSocket, topology.threadsPerCore], [2, 18, 2])

        try remove(root, "proc/meminfo")
        XCTAssertEqual(try self.topology(root).nodes.map(\.memoryKiB), [nil], "unknown, not an error")
    }

    /// Kernels before die_id (4.x and older) number cores within each die, so a 4-die EPYC 7451 package shows
    /// core_id 0-5 four times over; 24 distinct thread-sibling sets per package are the 24 cores.
    func testCoreIDsRepeatingInEveryDieOfAPackageAreStillDistinctCores() throws {
        let root = try copyOfSysroot(realWorld.appendingPathComponent("2x-epyc-7451").path, self)
        for cpu in 0..<96 {
            try overwrite(root, "\(Self.cpu)/cpu\(cpu)/topology/core_id", "\(cpu % 48 % 6)")
        }
        let topology = try topology(root)
        XCTAssertEqual([topology.sockets, topology.coresPerSocket, topology.threadsPerCore], [2, 24, 2])
        XCTAssertEqual(topology.siblings.count, 48)
    }

    func testPackageIDMinusOneCountsSocketsByThePackageCPUsTheKernelLists() throws {
        let root = try server()
        for cpu in 0..<72 {
            try overwrite(root, "\(Self.cpu)/cpu\(cpu)/topology/physical_package_id", "-1")
        }
        XCTAssertEqual(try topology(root).sockets, 2, "package_cpus_list names two packages, as lscpu counts")

        let package1 = "000000ff,ffc0000f,fffc0000"
        for cpu in 0..<72 {
            let topology = "\(Self.cpu)/cpu\(cpu)/topology"
            try remove(root, "\(topology)/package_cpus_list")
            try remove(root, "\(topology)/core_siblings_list")
            try overwrite(root, "\(topology)/core_siblings", cpu % 36 < 18 ? "00000000,003ffff0,0003ffff" : package1)
        }
        XCTAssertEqual(try topology(root).sockets, 2, "older kernels write only the core_siblings mask")

        for cpu in 0..<72 {
            try remove(root, "\(Self.cpu)/cpu\(cpu)/topology/core_siblings")
        }
        let topology = try topology(root)
        XCTAssertEqual([topology.sockets, topology.coresPerSocket], [1, 36], "nothing tells them apart: one socket")
    }

    func testMemorylessAndCPUlessNodesRead() throws {
        let root = try server()
        try overwrite(root, "\(Self.node)/node1/meminfo", "Node 1 MemTotal:       0 kB\nNode 1 MemFree:        0 kB")
        for (id, distance) in [(2, "21 21 10 24"), (3, "21 21 24 10")] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("\(Self.node)/node\(id)"), withIntermediateDirectories: true)
            try overwrite(root, "\(Self.node)/node\(id)/cpulist", "")
            try overwrite(root, "\(Self.node)/node\(id)/cpumap", "00000000,00000000,00000000")
            try overwrite(root, "\(Self.node)/node\(id)/distance", distance)
        }
        try overwrite(root, "\(Self.node)/node2/meminfo", "Node 2 MemTotal:       268435456 kB")
        try remove(root, "\(Self.node)/node3/cpulist")
        try overwrite(root, "\(Self.node)/node0/distance", "10 21 21 21")
        try overwrite(root, "\(Self.node)/node1/distance", "21 10 21 21")
        let topology = try topology(root)
        XCTAssertEqual(topology.nodes.map(\.cpus.description), ["0-17,36-53", "18-35,54-71", "", ""])
        XCTAssertEqual(topology.nodes.map(\.memoryKiB), [131_855_964, 0, 268_435_456, nil])
        XCTAssertEqual(topology.nodes.map(\.distances?.count), [4, 4, 4, 4])
    }

    func testNodeIDsWithGapsKeepTheirIDs() throws {
        let root = try server()
        try FileManager.default.moveItem(
            at: root.appendingPathComponent("\(Self.node)/node1"), to: root.appendingPathComponent("\(Self.node)/node2")
        )
        let topology = try topology(root)
        XCTAssertEqual(topology.nodes.map(\.id), [0, 2])
        XCTAssertEqual(topology.node(2)?.cpus.description, "18-35,54-71")
    }

    /// A CPU taken offline keeps its place in its node's cpulist on some kernels (and CPUs never brought up,
    /// `maxcpus=`, always do), while `cpu/online` and its siblings' lists drop it.
    func testNodeCPUListsNamingOfflineCPUsAreCutToTheOnlineOnes() throws {
        let root = try server()
        try overwrite(root, "\(Self.cpu)/online", "0-17,19-71")
        try remove(root, "\(Self.cpu)/cpu18/topology")
        try overwrite(root, "\(Self.cpu)/cpu54/topology/thread_siblings_list", "54")
        var topology = try topology(root)
        XCTAssertEqual(topology.onlineCPUs.description, "0-17,19-71")
        XCTAssertEqual(topology.nodes.map(\.cpus.description), ["0-17,36-53", "19-35,54-71"])

        try overwrite(root, "\(Self.cpu)/online", "0-17,19-35")
        topology = try self.topology(root)
        XCTAssertEqual(topology.nodes.map(\.cpus.description), ["0-17", "19-35"])
        XCTAssertEqual([topology.sockets, topology.coresPerSocket, topology.threadsPerCore], [2, 17, 1])
    }
}

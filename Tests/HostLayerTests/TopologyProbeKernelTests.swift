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
        let facts = HostProbe(sysroot: root.path).probe()
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
}

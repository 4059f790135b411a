import ConformCore
import ConformTestSupport
import XCTest

/// Numbers in profiles and VM definitions past what any machine has: each is an `InputError` naming the file,
/// line and field, never a trap or an allocation of everything the machine has.
final class ProfileBoundsTests: XCTestCase {
    func write(_ profile: String, vm: String? = nil) throws -> String {
        let directory = try temporaryDirectory(self)
        if let vm { try writeFile(directory, "vms/vm1.json", vm) }
        return try writeFile(directory, "p.yaml", profile)
    }

    func vm(vcpus: String = "2", memoryMB: String = "1024", extra: String = "") -> String {
        """
        {
          "name": "vm1",
          "vcpu_count": \(vcpus),
          "memory_mb": \(memoryMB)\(extra)
        }
        """
    }

    /// A profile whose one host runs `vm1` as a guest (so its topology follows from the definition).
    func profileWithVM(_ vm: String) throws -> String {
        try write("profile: p\nvm_definitions: [vms/vm1.json]\nhosts:\n  h1:\n    vm: vm1\n", vm: vm)
    }

    func assertInputError(
        _ path: String, field: String, contains text: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try ProfileLoader.load(file: path), file: file, line: line) { error in
            guard let input = error as? InputError else {
                return XCTFail("not an InputError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(input.field, field, "\(input)", file: file, line: line)
            XCTAssertNotNil(input.line, "\(input)", file: file, line: line)
            XCTAssertTrue(input.description.contains(text), "\(input)", file: file, line: line)
        }
    }

    func testEnormousVCPUCountIsRefusedBeforeAnyListOfVCPUsIsMade() throws {
        for count in ["18295873486192696", "9223372036854775807", "16385"] {
            assertInputError(
                try profileWithVM(vm(vcpus: count)), field: "vcpu_count",
                contains: "must be at most 16384, more than any machine has; found \(count)")
        }
        XCTAssertEqual(try ProfileLoader.load(file: try profileWithVM(vm(vcpus: "16384"))).vms.first?.vcpuCount, 16384)
    }

    func testEnormousMemoryIsRefusedBeforeItIsMultiplied() throws {
        assertInputError(
            try profileWithVM(vm(memoryMB: "9223372036854775807")), field: "memory_mb",
            contains: "must be at most 1073741824")
        assertInputError(
            try profileWithVM(vm(extra: ",\n  \"disk_size_gb\": 9223372036854775807")), field: "disk_size_gb",
            contains: "must be at most 1048576")
    }

    func topology(_ lines: String) throws -> String {
        try write("profile: p\nhosts:\n  h1:\n    topology:\n" + lines)
    }

    func testEnormousSiblingOffsetAndCountsAreRefused() throws {
        assertInputError(
            try topology("      sibling_offset: 9223372036854775807\n"), field: "hosts.h1.topology.sibling_offset",
            contains: "must be at most 16383")
        assertInputError(
            try topology("      sockets: 16384\n      cores_per_socket: 16384\n      threads_per_core: 2\n"),
            field: "hosts.h1.topology.sockets", contains: "16384 × 16384 × 2 CPUs are more than the 16384")
        let profile = try ProfileLoader.load(
            file: try topology("      sibling_offset: 16383\n      online_cpus: 0-71\n"))
        XCTAssertEqual(profile.hosts.first?.topology.siblingOffset, 16383)
    }

    /// A hand-built offset near Int.max pairs no CPU and traps on no subtraction or addition.
    func testSiblingGroupsOfAnOffsetPastEveryCPU() {
        let cpus: CPUSet = [0, 1, 2, 3]
        XCTAssertEqual(NUMATopology.siblingGroups(of: cpus, offset: Int.max), [[0], [1], [2], [3]])
        XCTAssertEqual(NUMATopology.siblingGroups(of: [Int.max - 1, Int.max], offset: 1), [[Int.max - 1, Int.max]])
        XCTAssertEqual(NUMATopology.siblingGroups(of: cpus, offset: 2), [[0, 2], [1, 3]])
    }
}

/// Every other number a profile holds: each has a range, and `.inf`, `.nan` and values past it are refused.
final class ProfileNumberRangesTests: XCTestCase {
    func testEveryNumberOfAProfileHasARange() throws {
        let host = "profile: p\nhosts:\n  h1:\n"
        let top = "profile: p\nhosts:\n  h1: {}\n"
        let link = top + "network:\n  - {name: l, from: h1, to: h1, speed_mbit: 1000, "
        let cases: [(String, String, String)] = [
            (host + "    host_reserve_gib: .inf\n", "hosts.h1.host_reserve_gib", "expected a finite number"),
            (host + "    host_reserve_gib: -4\n", "hosts.h1.host_reserve_gib", "must be from 0 to 1048576"),
            (
                host + "    topology:\n      memory_tolerance_percent: .nan\n",
                "hosts.h1.topology.memory_tolerance_percent",
                "expected a finite number"
            ),
            (
                host + "    topology:\n      nodes:\n        - {id: -1}\n", "hosts.h1.topology.nodes[0].id",
                "must be from 0 to 16383"
            ),
            (
                host + "    topology:\n      nodes:\n        - {id: 0, memory_gib: 1e300}\n",
                "hosts.h1.topology.nodes[0].memory_gib", "must be from 0 to 1048576"
            ),
            (
                host + "    topology:\n      distances: [[9223372036854775807]]\n", "hosts.h1.topology.distances[0][0]",
                "must be from 0 to 255"
            ),
            (
                host + "    disks:\n      - {path: /d, purpose: staging, size_gb: 1e309, media: ssd}\n",
                "hosts.h1.disks[0].size_gb", "expected"
            ),
            (
                link + "transfers: [{name: t, size_gb: 1e300, budget_s: 40, direction: download}]}\n",
                "network[0].transfers[0].size_gb", "must be from 0 to 1048576"
            ),
            (
                link + "transfers: [{name: t, size_gb: 5, budget_s: 0, direction: download}]}\n",
                "network[0].transfers[0].budget_s", "must be above 0 seconds"
            ),
            (
                top.replacingOccurrences(
                    of: "hosts:", with: "network: [{name: l, from: h1, to: h1, speed_mbit: -1}]\nhosts:"),
                "network[0].speed_mbit", "must be a positive integer"
            ),
            (top + "bench:\n  upload_gb: 1e300\n", "bench.upload_gb", "must be from 0 to 1048576"),
            (top + "bench:\n  disk_gib: 0\n", "bench.disk_gib", "must be above 0"),
            (top + "bench:\n  memory_array_gb: .inf\n", "bench.memory_array_gb", "expected a finite number"),
            (
                top + "baseline:\n  tolerances: {\"net.*\": 1e308}\n", "baseline.tolerances.net.*",
                "must be from 0 to 1000"
            ),
            (
                top + "cluster:\n  workloads:\n    w: {replicas: -1}\n", "cluster.workloads.w.replicas",
                "must be from 0"
            ),
        ]
        for (yaml, field, text) in cases {
            let directory = try temporaryDirectory(self)
            let path = try writeFile(directory, "p.yaml", yaml)
            XCTAssertThrowsError(try ProfileLoader.load(file: path), yaml) { error in
                let input = error as? InputError
                XCTAssertEqual(input?.field, field, "\(error)")
                XCTAssertTrue("\(error)".contains(text), "\(error)")
            }
        }
    }
}

/// Input files that are not regular files are refused before they are opened (a FIFO blocks its reader).
final class InputFileTests: XCTestCase {
    func fifo() throws -> String {
        let path = try temporaryDirectory(self).appendingPathComponent("f").path
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        return path
    }

    /// The walk over a fixture's tree finds what is not a file however deep it lies, and behind a link.
    func testTheTreeWalkFindsAFIFODeepDownOrBehindALink() throws {
        let root = try temporaryDirectory(self)
        let deep = root.appendingPathComponent("hosts/h/sysroot/sys/devices")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        try "0\n".write(to: deep.appendingPathComponent("online"), atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try InputFile.requireOnlyRegularFiles(under: root.path))
        XCTAssertNoThrow(try InputFile.requireOnlyRegularFiles(under: root.path + "/missing"))
        let fifo = deep.appendingPathComponent("pipe").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try InputFile.requireOnlyRegularFiles(under: root.path)) { error in
            XCTAssertEqual("\(error)", "\(fifo): is a FIFO (named pipe), not a regular file: conform reads only files")
        }
        try FileManager.default.removeItem(atPath: fifo)
        let elsewhere = try temporaryDirectory(self).appendingPathComponent("elsewhere").path
        XCTAssertEqual(mkfifo(elsewhere, 0o644), 0)
        try FileManager.default.createSymbolicLink(
            atPath: deep.appendingPathComponent("link").path, withDestinationPath: elsewhere)
        XCTAssertThrowsError(try InputFile.requireOnlyRegularFiles(under: root.path + "/"))
    }

    func testAFIFOIsRefusedByEveryReader() throws {
        let path = try fifo()
        for (what, body) in [
            ("profile", { _ = try ProfileLoader.load(file: path) }),
            ("waivers", { _ = try WaiverList.load(file: path) }),
            ("baseline", { _ = try Baseline.load(file: path) }),
        ] as [(String, () throws -> Void)] {
            XCTAssertThrowsError(try body(), what) { error in
                XCTAssertEqual(
                    "\(error)", "\(path): is a FIFO (named pipe), not a regular file: conform reads only files")
            }
        }
        let directory = (path as NSString).deletingLastPathComponent
        XCTAssertThrowsError(try Sysroot(directory).read("f")) { error in
            XCTAssertEqual(
                (error as? ProbeError)?.reason, "is a FIFO (named pipe), not a regular file: conform reads only files")
        }
        XCTAssertThrowsError(try InputFile.requireOnlyRegularFiles(under: directory))
        XCTAssertNoThrow(try InputFile.requireRegularFile(directory), "a folder is left to its reader")
        XCTAssertNoThrow(try InputFile.requireRegularFile(directory + "/missing"), "so is a missing file")
        // The one reader of input files says why it read nothing, for every kind of path.
        for (file, reason) in [
            (path, "is a FIFO (named pipe), not a regular file: conform reads only files"),
            (directory, "Is a directory"), (directory + "/missing", "no such file"),
        ] {
            XCTAssertThrowsError(try InputFile.contents(file)) { XCTAssertEqual("\($0)", reason) }
        }
    }
}

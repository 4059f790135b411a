import ConformCore
import ConformTestSupport
import XCTest

final class ProfileLoaderTests: XCTestCase {
    func checksFile(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("checks/\(name).yaml").path
    }

    func testMacNumaEncodesTheDesign() throws {
        let profile = try ProfileLoader.load(file: checksFile("mac-numa"))
        XCTAssertEqual(profile.name, "mac-numa")
        XCTAssertEqual(
            profile.hosts.map(\.name),
            ["numa-server", "k3s-slm-worker-1", "k3s-slm-worker-2", "k3s-minio-storage", "mac-mini"])
        let server = try XCTUnwrap(profile.host(named: "numa-server"))
        XCTAssertEqual(server.roles, [.hypervisor])
        XCTAssertEqual(server.topology.nodes?.map { $0.cpus?.description }, ["0-17,36-53", "18-35,54-71"])
        XCTAssertEqual(server.topology.distances, [[10, 21], [21, 10]])
        XCTAssertEqual(
            server.tuning,
            TuningSpec(governor: "performance", thpEnabled: "always", thpDefrag: "always", numaBalancing: 0))

        let worker = try XCTUnwrap(profile.vm(named: "k3s-slm-worker-1"))
        XCTAssertEqual(worker.vcpuCount, 34)
        XCTAssertEqual(worker.memoryMB, 122880)
        XCTAssertEqual(worker.tuning?.vcpuPins.count, 34)
        XCTAssertEqual(worker.tuning?.vcpuPins.last?.description, "52")
        XCTAssertEqual(worker.tuning?.emulatorCPUs?.description, "17,53")
        XCTAssertEqual(worker.tuning?.numaMemory, NUMAMemory(mode: .strict, nodeset: [0]))

        let minio = try XCTUnwrap(profile.vm(named: "k3s-minio-storage"))
        XCTAssertNil(minio.tuning?.emulatorCPUs, "emulator_cpuset: null in the seed")
        XCTAssertNil(minio.tuning?.numaMemory, "numa_memory: null in the seed")

        // A guest's own topology follows from its VM definition.
        let guest = try XCTUnwrap(profile.host(named: "k3s-slm-worker-2"))
        XCTAssertEqual(guest.topology.onlineCPUs?.description, "0-33")
        XCTAssertEqual(guest.topology.nodes?.first?.memoryGiB, 120)
        XCTAssertEqual(guest.disks.first?.path, "/data/local")

        let workers = profile.cluster.nodes.filter { $0.labels["role"] == "worker" }
        XCTAssertEqual(workers.map(\.taints), [[], []], "whitelist design: no taints on workers")
        let temporal = try XCTUnwrap(profile.cluster.workloads.first { $0.name == "temporal-worker" })
        XCTAssertEqual(temporal.kind, .daemonSet)
        XCTAssertEqual(temporal.intendedQoS, .guaranteed)
        XCTAssertEqual(temporal.limits["memory"], "8Gi")
        XCTAssertEqual(profile.network.first?.transfers.first?.bytes, 5e9)
    }

    func testSingleNumaFollowsTheVMSpecifications() throws {
        let profile = try ProfileLoader.load(file: checksFile("single-numa"))
        XCTAssertEqual(
            profile.vms.map(\.name), ["k3s-worker-slm-heavy", "k3s-worker-data", "k3s-worker-slm", "k3s-server-tasks"])
        XCTAssertEqual(profile.vm(named: "k3s-worker-data")?.vcpuCount, 12)
        XCTAssertEqual(profile.vm(named: "k3s-server-tasks")?.tuning?.emulatorCPUs?.description, "34-35,70-71")
        let tasks = try XCTUnwrap(profile.cluster.nodes.first { $0.name == "k3s-server-tasks" })
        XCTAssertEqual(
            tasks.taints?.map(\.description),
            ["node-role.kubernetes.io/control-plane:NoSchedule", "workload=tasks:NoSchedule"])
    }

    /// The seeds' storage thresholds: distributed alerts at 70 % (workers' staging) and 90 % (the lake); the
    /// other designs give none.
    func testTheProfilesEncodeTheSeedsStorageThresholds() throws {
        let distributed = try ProfileLoader.load(file: checksFile("distributed"))
        for worker in ["k3s-worker-1", "k3s-worker-2"] {
            let staging = try XCTUnwrap(distributed.host(named: worker)?.disks.first)
            XCTAssertEqual(staging.path, "/data/local")
            XCTAssertEqual(staging.maxUsedPercent, 70)
            XCTAssertNil(staging.maxInodesUsedPercent)
            XCTAssertEqual(staging.inodesThresholdPercent, 70, "inodes take the space threshold")
            XCTAssertEqual(staging.minFreeGB, 25)
        }
        let lake = try XCTUnwrap(distributed.host(named: "data-server")?.disks.first)
        XCTAssertEqual(lake.path, "/data/lake")
        XCTAssertEqual(lake.maxUsedPercent, 90)
        for name in ["mac-numa", "single-numa"] {
            let disks = try ProfileLoader.load(file: checksFile(name)).hosts.flatMap(\.disks)
            XCTAssertFalse(disks.isEmpty, name)
            XCTAssertTrue(disks.allSatisfy { $0.maxUsedPercent == nil && $0.inodesThresholdPercent == nil }, name)
        }
    }

    func testStorageThresholdsArePercentages() throws {
        let disk =
            "profile: p\nhosts:\n  h1:\n    disks:\n      - {path: /d, purpose: staging, size_gb: 1, media: ssd, "
        let both = try ProfileLoader.load(file: write(disk + "max_used_percent: 70, max_inodes_used_percent: 50.5}\n"))
        XCTAssertEqual(both.hosts[0].disks[0].maxUsedPercent, 70)
        XCTAssertEqual(both.hosts[0].disks[0].inodesThresholdPercent, 50.5)
        for (value, text) in [
            ("101", "must be from 0 to 100"), ("-1", "must be from 0 to 100"), ("high", "expected a number"),
        ] {
            assertInputError(
                try ProfileLoader.load(file: write(disk + "max_used_percent: \(value)}\n")), line: 5,
                field: "hosts.h1.disks[0].max_used_percent", contains: text)
            assertInputError(
                try ProfileLoader.load(file: write(disk + "max_inodes_used_percent: \(value)}\n")), line: 5,
                field: "hosts.h1.disks[0].max_inodes_used_percent", contains: text)
        }
        assertInputError(
            try ProfileLoader.load(file: write(disk + "max_used: 70}\n")), line: 5, field: "hosts.h1.disks[0].max_used",
            contains: "unknown key 'max_used'")
    }

    func testDistributedNamesItsOwnCPUModel() throws {
        let profile = try ProfileLoader.load(file: checksFile("distributed"))
        XCTAssertEqual(profile.host(named: "numa-server")?.topology.cpuModel, "E5-2696 v4")
        XCTAssertEqual(profile.host(named: "data-server")?.topology.sockets, 1)
        XCTAssertEqual(profile.vm(named: "k3s-worker-2")?.tuning?.vcpuPins.first?.description, "18")
    }

    // MARK: - Errors name the file, line and field

    func write(_ profile: String, vm: String? = nil) throws -> String {
        let directory = try temporaryDirectory(self)
        if let vm { try writeFile(directory, "vms/vm1.json", vm) }
        return try writeFile(directory, "p.yaml", profile)
    }

    let validVM = """
        {
          "name": "vm1",
          "vcpu_count": 2,
          "memory_mb": 1024,
          "tuning": {
            "vcpu_pins": ["0", "1"],
            "emulator_cpuset": "2-3",
            "numa_memory": {"nodeset": "0", "mode": "strict"}
          }
        }
        """

    func assertInputError(
        _ body: @autoclosure () throws -> Profile, line: Int?, field: String?, contains text: String,
        file: StaticString = #filePath, sourceLine: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: sourceLine) { error in
            guard let input = error as? InputError else {
                return XCTFail("not an InputError: \(error)", file: file, line: sourceLine)
            }
            XCTAssertEqual(input.line, line, "\(input)", file: file, line: sourceLine)
            XCTAssertEqual(input.field, field, "\(input)", file: file, line: sourceLine)
            XCTAssertTrue(input.description.contains(text), "\(input)", file: file, line: sourceLine)
        }
    }

    func testUnknownKeyIsRejectedWithItsLine() throws {
        let path = try write(
            """
            profile: p
            hosts:
              h1:
                topology:
                  sockets: 2
                  socket_count: 2
            """)
        assertInputError(
            try ProfileLoader.load(file: path), line: 6, field: "hosts.h1.topology.socket_count",
            contains: "unknown key 'socket_count'")
        assertInputError(
            try ProfileLoader.load(file: path), line: 6, field: "hosts.h1.topology.socket_count", contains: "p.yaml:6:")
    }

    func testWrongTypeNamesTheField() throws {
        let path = try write(
            """
            profile: p
            hosts:
              h1:
                topology:
                  sockets: two
            """)
        assertInputError(
            try ProfileLoader.load(file: path), line: 5, field: "hosts.h1.topology.sockets",
            contains: "expected an integer, found 'two'")
    }

    func testMalformedCPUListInTheProfile() throws {
        let path = try write(
            """
            profile: p
            hosts:
              h1:
                topology:
                  nodes:
                    - {id: 0, cpus: "0-17,36-"}
            """)
        assertInputError(
            try ProfileLoader.load(file: path), line: 6, field: "hosts.h1.topology.nodes[0].cpus",
            contains: "invalid CPU list '0-17,36-'")
    }

    func testMissingVMFile() throws {
        let path = try write(
            """
            profile: p
            vm_definitions:
              - vms/vm1.json
              - vms/nope.json
            hosts:
              h1: {}
            """, vm: validVM)
        assertInputError(
            try ProfileLoader.load(file: path), line: 4, field: "vm_definitions[1]",
            contains: "'vms/nope.json' does not exist")
    }

    func testMalformedCpusetInAVMDefinitionNamesTheJSONLine() throws {
        let vm = validVM.replacingOccurrences(of: #""emulator_cpuset": "2-3""#, with: #""emulator_cpuset": "3-2""#)
        let path = try write("profile: p\nvm_definitions: [vms/vm1.json]\nhosts:\n  h1: {}\n", vm: vm)
        XCTAssertThrowsError(try ProfileLoader.load(file: path)) { error in
            let input = error as? InputError
            XCTAssertTrue(input?.file.hasSuffix("vms/vm1.json") ?? false, "\(error)")
            XCTAssertEqual(input?.line, 7)
            XCTAssertEqual(input?.field, "tuning.emulator_cpuset")
            XCTAssertTrue("\(error)".contains("reversed range '3-2'"))
        }
    }

    func testUnknownHostReferenceAndRequiredKeys() throws {
        let unknownVM = try write("profile: p\nhosts:\n  h1:\n    vms: [ghost]\n")
        assertInputError(
            try ProfileLoader.load(file: unknownVM), line: 4, field: "hosts.h1.vms[0]",
            contains: "no VM definition is named 'ghost'")
        let noHosts = try write("profile: p\n")
        assertInputError(
            try ProfileLoader.load(file: noHosts), line: 1, field: "hosts", contains: "required key 'hosts' is missing")
    }

    func testBadEnumValueAndDuplicateKey() throws {
        let badMode = try write("profile: p\nhosts:\n  h1:\n    tuning:\n      thp_enabled: sometimes\n")
        assertInputError(
            try ProfileLoader.load(file: badMode), line: 5, field: "hosts.h1.tuning.thp_enabled",
            contains: "'sometimes' is not one of: always, madvise, never")
        let duplicate = try write("profile: p\nhosts:\n  h1:\n    roles: [vm]\n    roles: [hypervisor]\n")
        XCTAssertThrowsError(try ProfileLoader.load(file: duplicate)) { error in
            XCTAssertNotNil((error as? InputError)?.line, "\(error)")
            XCTAssertTrue("\(error)".contains("a key appears twice in the same mapping: roles"), "\(error)")
        }
    }

    func testInvalidYAMLNamesTheLine() throws {
        let path = try write("profile: p\nhosts:\n  h1: {\n")
        XCTAssertThrowsError(try ProfileLoader.load(file: path)) { error in
            XCTAssertNotNil((error as? InputError)?.line, "\(error)")
            XCTAssertTrue("\(error)".contains("not valid YAML"))
        }
    }

    func testCatalogFindsNamesAndPaths() throws {
        let catalog = ProfileCatalog(directories: [repositoryRoot.appendingPathComponent("checks").path])
        let known = (profileNames + ["generic"]).sorted()
        XCTAssertEqual(catalog.names(), known)
        XCTAssertEqual(try catalog.load("generic", hostname: "box").hosts.map(\.name), ["box"])
        XCTAssertEqual(try catalog.load(checksFile("single-numa"), hostname: "box").name, "single-numa")
        XCTAssertThrowsError(try catalog.load("nope", hostname: "box")) { error in
            XCTAssertTrue(
                "\(error)".contains("known profiles: \(known.joined(separator: ", "))"), "\(error)")
        }
    }
}

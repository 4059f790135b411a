import ConformCore
import HypervisorLayer
import XCTest

/// The probe over libvirt's real API (its test driver) and a fixture's /proc.
final class HypervisorProbeTests: XCTestCase {
    func testFixtureDomainsThroughTheTestDriver() throws {
        let host = fixtureHost("mac-numa", "numa-server")
        let facts = HypervisorProbe(
            uri: "test://\(host.path)/libvirt.xml", sysroot: Sysroot(host.appendingPathComponent("sysroot").path)
        ).probe()
        let domains = try XCTUnwrap(facts.domains.value, "\(facts.domains)")
        XCTAssertEqual(domains.map(\.name), ["k3s-minio-storage", "k3s-slm-worker-1", "k3s-slm-worker-2"])
        XCTAssertTrue(domains.allSatisfy { $0.state == "running" })
        let worker = try XCTUnwrap(facts.domain("k3s-slm-worker-1"))
        XCTAssertEqual(worker.vcpus, 34)
        XCTAssertEqual(worker.memoryKiB, 122_880 * 1024)
        XCTAssertEqual(worker.allowedCPUs(ofVCPU: 33), [52])
        XCTAssertEqual(worker.emulatorPin?.description, "17,53")
        XCTAssertEqual(worker.numaMemory?.nodeset, [0])
        let live = try XCTUnwrap(facts.live["k3s-slm-worker-1"]?.value)
        XCTAssertEqual(live.vcpuThread(1)?.cpusAllowed, [36])
        XCTAssertEqual(live.memsAllowed, [0])
        XCTAssertGreaterThan(live.bytesByNode["0"] ?? 0, 120 * 1_073_741_824)
    }

    func testStoppedDomainsHaveNoLiveFacts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conform-lv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let document = """
            <node>
              <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
                <name>stopped</name><memory>1024</memory><vcpu>1</vcpu><os><type>hvm</type></os>
                <test:runstate>5</test:runstate>
              </domain>
            </node>
            """
        try document.write(to: directory.appendingPathComponent("libvirt.xml"), atomically: true, encoding: .utf8)
        let facts = HypervisorProbe(uri: "test://\(directory.path)/libvirt.xml", sysroot: Sysroot(directory.path))
            .probe()
        XCTAssertEqual(facts.domain("stopped")?.state, "shut off")
        XCTAssertNil(facts.live["stopped"])
    }

    func testAnUnreachableURIIsAnErrorNamingIt() {
        let facts = HypervisorProbe(uri: "test:///nonexistent/libvirt.xml", sysroot: .live).probe()
        guard case .failed(let error) = facts.domains else { return XCTFail("\(facts.domains)") }
        XCTAssertEqual(error.path, "test:///nonexistent/libvirt.xml")
        XCTAssertTrue(error.reason.hasPrefix("cannot connect: "), error.reason)
    }

    func testAMissingPidFileIsAnErrorWithThePath() throws {
        let error = try XCTUnwrap(
            { () -> ProbeError? in
                do {
                    _ = try LiveProbe(sysroot: Sysroot("/nonexistent")).probe(domain: "vm1")
                    return nil
                } catch { return error as? ProbeError }
            }())
        XCTAssertEqual(error, ProbeError(path: "/nonexistent/run/libvirt/qemu/vm1.pid", reason: "no such file"))
    }

    func testNumaMapsFromTheKernelDocumentation() throws {
        let text = try String(
            contentsOf: realWorldLibvirt.deletingLastPathComponent().appendingPathComponent(
                "numactl/numa_maps_linux-Documentation-proc.rst-example.txt"),
            encoding: .utf8)
        let bytes = try LiveProbe.bytesByNode(numaMaps: text)
        // The pages of app's text and of ld.so's and libc's (`file=… mapped=`, no `anon=`) are page cache: all of
        // N0's, and 1 + 2 + 18 of N3's, are left out. N3 keeps the private copies of the libraries' data
        // (`file=… anon=`), the anonymous mappings and the stack, and one 2 MiB huge page.
        XCTAssertNil(bytes["0"], "\(bytes)")
        XCTAssertEqual(bytes["3"], (1 + 1 + 1 + 1 + 2 + 1 + 3 + 3 + 2 + 3 + 1) * 4096 + 2 * 1_048_576)
    }

    /// Guest RAM in a file (memfd, hugetlbfs, shared memory, a memory_backing_dir anywhere, the `/dev/zero` of a
    /// shared RAM backend) is the guest's memory however it is mapped; a program's or library's mapped pages are
    /// not.
    func testNumaMapsCountGuestMemoryFilesButNotLibraries() throws {
        let text = """
            7f0000000000 bind:0 file=/memfd:pc.ram\\040(deleted) dirty=100 N0=100 kernelpagesize_kB=4
            7f1000000000 bind:0 file=/dev/hugepages/libvirt/qemu/1-vm/qemu_back_mem.pc.ram huge dirty=2 N0=2 kernelpagesize_kB=2048
            7f2000000000 bind:0 file=/dev/shm/vm-ram dirty=10 N0=10 kernelpagesize_kB=4
            7f3000000000 bind:0 file=/srv/guest-ram/1-vm/pc.ram mapped=20 N0=20 kernelpagesize_kB=4
            7f4000000000 bind:0 file=/dev/zero\\040(deleted) dirty=30 N1=30 kernelpagesize_kB=4
            5614af431000 default file=/usr/bin/qemu-system-x86_64 mapped=1031 mapmax=3 active=288 N1=1031 kernelpagesize_kB=4
            7fb4ebabd000 default file=/usr/lib/x86_64-linux-gnu/libcrypto.so.3 mapped=197 mapmax=5 N1=197 kernelpagesize_kB=4
            7fb4ebabe000 default file=/opt/qemu/lib/libslirp.so mapped=7 N1=7 kernelpagesize_kB=4
            """
        XCTAssertEqual(
            try LiveProbe.bytesByNode(numaMaps: text), ["0": (100 + 10 + 20) * 4096 + 2 * 2_097_152, "1": 30 * 4096])
    }

    func testNumaMapsPoliciesWithSpaces() throws {
        let text = """
            7f0000000000 prefer (many) anon=10 N0=6 N1=4 kernelpagesize_kB=4
            7f1000000000 weighted interleave:0-1 anon=4 N0=2 N1=2 kernelpagesize_kB=2048
            """
        XCTAssertEqual(
            try LiveProbe.bytesByNode(numaMaps: text), ["0": 6 * 4096 + 2 * 2_097_152, "1": 4 * 4096 + 2 * 2_097_152])
    }

    /// Counts and page sizes no kernel writes (a mutated capture) are an error naming the line and field,
    /// never an arithmetic trap: each product, and the sum over nodes, is checked.
    func testNumaMapsNumbersBeyondAnyAddressSpaceAreAnError() {
        let cases = [
            ("7f00 default N0=9223372036854775807 kernelpagesize_kB=4", "N0=9223372036854775807"),
            ("7f00 default N0=1 kernelpagesize_kB=9223372036854775807", "kernelpagesize_kB=9223372036854775807"),
            ("7f00 default N0=2 kernelpagesize_kB=0", "kernelpagesize_kB=0"),
            ("7f00 default N0=-5 kernelpagesize_kB=4", "N0=-5"),
            ("7f00 default N99999=1", "N99999=1"),
            // Each node's 128 PiB fits in an Int; together they pass what any process can map.
            ("7f00 default N0=35184372088832 N1=35184372088832 kernelpagesize_kB=4", "N1=35184372088832"),
            (
                "7f00 default N0=1 kernelpagesize_kB=4\n7f01 default N1=35184372088832 kernelpagesize_kB=4",
                "line 2: 'N1="
            ),
        ]
        for (text, field) in cases {
            XCTAssertThrowsError(try LiveProbe.bytesByNode(numaMaps: text, path: "/p/numa_maps"), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("/p/numa_maps: line "), message)
                XCTAssertTrue(message.contains(field), message)
            }
        }
    }

    /// Facts built elsewhere (a test, a decoder) may hold per-node counts whose sum is no Int: the check sums
    /// them without trapping.
    func testMemoryPlacementSumsNodesThatTogetherExceedAnInt() {
        let live = LiveDomainFacts(
            pid: 1, threads: [], memsAllowed: [0], bytesByNode: ["0": Int.max, "1": Int.max])
        let domain = DomainFacts(
            name: "vm1", vcpus: 1, memoryKiB: 1024,
            numaMemory: NumaTuneMemory(mode: "strict", nodeset: [0], placement: "static"))
        let facts = HypervisorFacts(uri: "test:///x", domains: .value([domain]), live: ["vm1": .value(live)])
        let check = HypervisorCatalog.checks(
            for: HostSpec(name: "hv", roles: [.hypervisor], vms: ["vm1"]),
            profile: Profile(name: "p", hosts: [HostSpec(name: "hv")], vms: []), facts: facts,
            topology: .unavailable("not needed")
        ).first { $0.metadata.id == "hv.live.memory-placement" }
        XCTAssertEqual(check?.evaluate().first?.measurements.first?.value, 50)
    }

    func testThreadNames() {
        XCTAssertEqual(ThreadFacts(tid: 1, name: "CPU 12/KVM", cpusAllowed: [1]).vcpu, 12)
        XCTAssertEqual(ThreadFacts(tid: 1, name: "CPU 0/TCG", cpusAllowed: [1]).vcpu, 0)
        XCTAssertNil(ThreadFacts(tid: 1, name: "qemu-system-x86", cpusAllowed: [1]).vcpu)
        XCTAssertNil(ThreadFacts(tid: 1, name: "CPU x/KVM", cpusAllowed: [1]).vcpu)
        XCTAssertEqual(ThreadFacts(tid: 1, name: "IO iothread2", cpusAllowed: [1]).iothread, 2)
    }
}

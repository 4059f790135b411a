import ConformCore
import HypervisorLayer
import XCTest

/// Definition and live checks on hand-built libvirt and /proc facts.
final class RunChecksTests: XCTestCase {
    static func cpus(_ text: String) -> CPUSet { (try? CPUSet(parsing: text)) ?? .empty }

    let definition = VMDefinition(
        name: "vm1", vcpuCount: 2, memoryMB: 4096,
        tuning: VMTuning(
            vcpuPins: [[0], [8]], emulatorCPUs: cpus("3,11"), numaMemory: NUMAMemory(mode: .strict, nodeset: [0])))

    var profile: Profile {
        Profile(
            name: "p", hosts: [HostSpec(name: "hv", roles: [.hypervisor], vms: ["vm1"], hostReserveGiB: 1)],
            vms: [definition])
    }

    let topology = NUMATopology(
        nodes: [
            NUMATopology.Node(id: 0, cpus: cpus("0-3,8-11"), memoryGiB: 16),
            NUMATopology.Node(id: 1, cpus: cpus("4-7,12-15"), memoryGiB: 16),
        ],
        siblings: (0..<8).map { CPUSet([$0, $0 + 8]) })

    /// The domain exactly as defined.
    var domain: DomainFacts {
        DomainFacts(
            name: "vm1", vcpus: 2, memoryKiB: 4096 * 1024,
            vcpuPins: [VCPUPin(vcpu: 0, cpuset: [0]), VCPUPin(vcpu: 1, cpuset: [8])],
            emulatorPin: Self.cpus("3,11"),
            numaMemory: NumaTuneMemory(mode: "strict", nodeset: [0], placement: "static"))
    }

    /// Its QEMU process exactly as configured.
    var live: LiveDomainFacts {
        LiveDomainFacts(
            pid: 100,
            threads: [
                ThreadFacts(tid: 100, name: "qemu-system-x86", cpusAllowed: Self.cpus("3,11")),
                ThreadFacts(tid: 101, name: "CPU 0/KVM", cpusAllowed: [0]),
                ThreadFacts(tid: 102, name: "CPU 1/KVM", cpusAllowed: [8]),
            ],
            memsAllowed: [0], bytesByNode: ["0": 4_294_967_296, "1": 4096])
    }

    func results(domain: DomainFacts? = nil, live: LiveDomainFacts? = nil, domains: Probed<[DomainFacts]>? = nil)
        -> [String: [Finding]]
    {
        let domainList = domains ?? .value([domain ?? self.domain])
        let liveFacts = live ?? self.live
        let facts = HypervisorFacts(uri: "test:///x", domains: domainList, live: ["vm1": .value(liveFacts)])
        var byID: [String: [Finding]] = [:]
        for check in HypervisorCatalog.checks(
            for: profile.hosts[0], profile: profile, facts: facts, topology: .value(topology))
        {
            byID[check.metadata.id] = check.evaluate()
        }
        return byID
    }

    func status(_ id: String, _ results: [String: [Finding]]) -> [Status] { results[id]?.map(\.status) ?? [] }

    func testTheDomainAsDefinedPassesEveryCheckInCatalogOrder() {
        let facts = HypervisorFacts(uri: "test:///x", domains: .value([domain]), live: ["vm1": .value(live)])
        let checks = HypervisorCatalog.checks(
            for: profile.hosts[0], profile: profile, facts: facts, topology: .value(topology))
        XCTAssertEqual(checks.map(\.metadata.id), HypervisorCatalog.all.map(\.id))
        for check in checks {
            XCTAssertTrue(
                check.evaluate().allSatisfy { $0.status == .pass }, "\(check.metadata.id): \(check.evaluate())")
        }
    }

    func testMissingAndStoppedDomains() {
        let missing = results(domains: .value([]))
        XCTAssertEqual(status("hv.domain.present", missing), [.fail])
        XCTAssertEqual(status("hv.vcpupin.expected", missing), [.skip])
        var stopped = domain
        stopped.state = "shut off"
        XCTAssertEqual(results(domain: stopped)["hv.domain.present"]?.first?.message, "defined but shut off")
        let unreachable = results(
            domains: .failed(ProbeError(path: "qemu:///system", reason: "cannot connect: permission denied")))
        XCTAssertEqual(
            unreachable["hv.domain.present"]?.first?.message,
            "cannot read qemu:///system: cannot connect: permission denied")
        XCTAssertEqual(status("hv.vcpupin.exclusive", unreachable), [.error])
    }

    /// A domain libvirt lists but whose XML could not be read is an error naming it, not a silent gap.
    func testAnUnreadableDomainIsAnErrorNamingIt() {
        let facts = HypervisorFacts(
            uri: "test:///x", domains: .value([domain]),
            domainErrors: ["vm9": ProbeError(path: "test:///x", reason: "CPU 20000 is above the largest possible CPU")],
            live: ["vm1": .value(live)])
        let readable = HypervisorCatalog.checks(
            for: profile.hosts[0], profile: profile, facts: facts, topology: .value(topology)
        ).first { $0.metadata.id == "hv.domain.readable" }?.evaluate()
        XCTAssertEqual(readable?.map(\.status), [.error])
        XCTAssertEqual(readable?.first?.subject, "vm9")
        XCTAssertEqual(
            readable?.first?.message, "cannot read domain 'vm9': test:///x: CPU 20000 is above the largest possible CPU"
        )
        XCTAssertEqual(status("hv.domain.readable", results()), [.pass])
    }

    func testDefinitionDrift() {
        var drifted = domain
        drifted.vcpus = 3
        drifted.memoryKiB = 2048 * 1024
        drifted.vcpuPins = [VCPUPin(vcpu: 0, cpuset: [0]), VCPUPin(vcpu: 1, cpuset: [1])]
        drifted.emulatorPin = nil
        drifted.numaMemory = NumaTuneMemory(mode: "preferred", nodeset: [0], placement: "static")
        let found = results(domain: drifted)
        for id in [
            "hv.domain.vcpus", "hv.domain.memory", "hv.vcpupin.expected", "hv.emulatorpin.expected",
            "hv.numatune.strict",
        ] {
            XCTAssertEqual(status(id, found), [.fail], id)
        }
        XCTAssertEqual(found["hv.vcpupin.expected"]?.first?.message, "1 vCPU pin(s) differ: vCPU 1: 1 (designed 8)")
        XCTAssertEqual(
            found["hv.numatune.strict"]?.first?.message, "numatune memory is preferred 0, the definition says strict 0")
    }

    /// The loader bounds memory_mb; a definition built by hand with an enormous one is an error, not a trap.
    func testADefinitionsMemoryBeyondAnIntOfKiBIsAnError() {
        let huge = VMDefinition(name: "vm1", vcpuCount: 2, memoryMB: Int.max)
        let facts = HypervisorFacts(uri: "test:///x", domains: .value([domain]), live: ["vm1": .value(live)])
        let memory = HypervisorCatalog.checks(
            for: profile.hosts[0], profile: Profile(name: "p", hosts: profile.hosts, vms: [huge]), facts: facts,
            topology: .value(topology)
        ).first { $0.metadata.id == "hv.domain.memory" }?.evaluate()
        XCTAssertEqual(memory?.map(\.status), [.error])
        XCTAssertTrue(memory?.first?.message.contains("more MiB than any machine has") ?? false, "\(memory ?? [])")
    }

    /// KVM's NX huge page recovery worker lives in the QEMU process (Linux 6.13+) where emulatorpin does not
    /// reach: it is not an emulator thread off its pin. A QEMU thread off the pin still is.
    func testTheKernelsKVMWorkerInTheProcessIsNoEmulatorThread() {
        var withWorker = live
        withWorker.threads.append(ThreadFacts(tid: 103, name: "kvm-nx-lpage-re", cpusAllowed: [1]))
        XCTAssertEqual(status("hv.live.emulator-affinity", results(live: withWorker)), [.pass])
        withWorker.threads.append(ThreadFacts(tid: 104, name: "worker", cpusAllowed: [1]))
        XCTAssertEqual(status("hv.live.emulator-affinity", results(live: withWorker)), [.fail])
    }

    func testLiveDrift() {
        var drifted = live
        drifted.threads[2].cpusAllowed = [9]
        drifted.threads[0].cpusAllowed = Self.cpus("0-15")
        drifted.bytesByNode = ["0": 900, "1": 100]
        let found = results(live: drifted)
        XCTAssertEqual(found["hv.live.vcpu-affinity"]?.first?.message, "vCPU 1 (tid 102) runs on 9, configured 8")
        XCTAssertEqual(
            found["hv.live.emulator-affinity"]?.first?.message, "1 emulator thread(s) off 3,11: qemu-system-x86 on 0-15"
        )
        let memory = found["hv.live.memory-placement"]?.first
        XCTAssertEqual(memory?.status, .fail)
        XCTAssertEqual(
            memory?.measurements.first,
            MeasuredValue(name: "hv.vm1.memory.off-node", value: 10, unit: .percent, direction: .lower))
        var missingThread = live
        missingThread.threads.removeLast()
        XCTAssertEqual(
            results(live: missingThread)["hv.live.vcpu-affinity"]?.first?.message,
            "no thread 'CPU 1/KVM' (or /TCG) in pid 100")
    }

    func testLiveFactsThatCouldNotBeReadAreErrors() {
        let facts = HypervisorFacts(
            uri: "test:///x", domains: .value([domain]),
            live: ["vm1": .failed(ProbeError(path: "/run/libvirt/qemu/vm1.pid", reason: "no such file"))])
        let checks = HypervisorCatalog.checks(
            for: profile.hosts[0], profile: profile, facts: facts, topology: .value(topology))
        for check in checks where check.metadata.id.hasPrefix("hv.live.") {
            XCTAssertEqual(check.evaluate().map(\.message), ["cannot read /run/libvirt/qemu/vm1.pid: no such file"])
        }
    }
}

import ConformTestSupport
import Foundation
import XCTest

/// conform against a real libvirtd and a real QEMU guest: the daemons are started here, a tiny guest
/// (no disk, 96 MiB) is pinned on node 0 with strict memory, checked, re-pinned live, checked again,
/// and destroyed on every path.
final class LibvirtIntegrationTests: XCTestCase, ConformBinary {
    let uri = "qemu:///system"

    func virsh(_ arguments: String) throws -> Outcome {
        try shell("virsh -c \(uri) \(arguments)")
    }

    /// Node 0's CPUs as the kernel lists them, expanded.
    func nodeZeroCPUs() throws -> [Int] {
        let text = try String(contentsOfFile: "/sys/devices/system/node/node0/cpulist", encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").flatMap { item -> [Int] in
            let bounds = item.split(separator: "-").compactMap { Int($0) }
            return bounds.count == 2 ? Array(bounds[0]...bounds[1]) : bounds
        }
    }

    /// KVM when libvirt's QEMU user can open /dev/kvm, else TCG (software emulation).
    func domainType() -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: "/dev/kvm"),
            let permissions = attributes[.posixPermissions] as? Int
        else { return "qemu" }
        return permissions & 0o006 == 0o006
            || (permissions & 0o060 == 0o060 && attributes[.groupOwnerAccountName] as? String == "kvm") ? "kvm" : "qemu"
    }

    func testPinnedGuestPassesAndALiveRepinIsCaught() throws {
        let daemon = try run(repositoryRoot.appendingPathComponent("scripts/libvirtd-up.sh"), [])
        guard daemon.status == 0 else {
            throw XCTSkip(
                "libvirtd cannot be started on this machine: \(daemon.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        let cpus = try nodeZeroCPUs()
        guard cpus.count >= 2, let emulatorCPU = cpus.first, let vcpuCPU = cpus.last else {
            throw XCTSkip(
                "node 0 has \(cpus.count) CPU(s); the test needs one for the vCPU and another for the emulator")
        }
        let name = "conform-it-\(ProcessInfo.processInfo.processIdentifier)"
        let work = try temporaryDirectory()
        let domainXML = """
            <domain type='\(domainType())'>
              <name>\(name)</name>
              <memory unit='MiB'>96</memory>
              <vcpu placement='static'>1</vcpu>
              <cputune>
                <vcpupin vcpu='0' cpuset='\(vcpuCPU)'/>
                <emulatorpin cpuset='\(emulatorCPU)'/>
              </cputune>
              <numatune>
                <memory mode='strict' nodeset='0'/>
              </numatune>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <devices><memballoon model='none'/></devices>
            </domain>
            """
        try domainXML.write(to: work.appendingPathComponent("domain.xml"), atomically: true, encoding: .utf8)
        // The guest goes away on every path, whatever happens below.
        addTeardownBlock { [self, uri] in
            _ = try? shell("virsh -c \(uri) destroy \(name); virsh -c \(uri) undefine \(name)")
        }
        let defined = try virsh("define \(work.appendingPathComponent("domain.xml").path)")
        XCTAssertEqual(defined.status, 0, defined.stderr)
        let started = try virsh("start \(name)")
        XCTAssertEqual(started.status, 0, started.stderr)

        // The design conform checks it against: the same VM in the seeds' definition format.
        try """
        {"name": "\(name)", "vcpu_count": 1, "memory_mb": 96,
         "tuning": {"vcpu_pins": ["\(vcpuCPU)"], "emulator_cpuset": "\(emulatorCPU)",
                    "numa_memory": {"nodeset": "0", "mode": "strict"}}}
        """.write(to: work.appendingPathComponent("vm.json"), atomically: true, encoding: .utf8)
        try """
        profile: integration
        vm_definitions: [vm.json]
        hosts:
          this-host:
            roles: [hypervisor]
            vms: [\(name)]
        """.write(to: work.appendingPathComponent("profile.yaml"), atomically: true, encoding: .utf8)
        let arguments = [
            "run", "--profile", work.appendingPathComponent("profile.yaml").path, "--host", "this-host",
            "--libvirt-uri", uri,
            "--layers", "hypervisor", "--format", "console",
        ]

        let clean = try conform(arguments)
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssertTrue(
            clean.stdout.hasSuffix("16 passed, 0 failed, 0 warnings, 0 errors, 0 skipped, 0 waived\n"), clean.stdout)
        XCTAssertTrue(clean.stdout.contains("PASS   this-host  hv.live.vcpu-affinity[\(name)]"), clean.stdout)

        // Re-pin the vCPU live onto the emulator's CPU: the drift from the design must be caught.
        let repinned = try virsh("vcpupin \(name) 0 \(emulatorCPU) --live")
        XCTAssertEqual(repinned.status, 0, repinned.stderr)
        let drifted = try conform(arguments)
        XCTAssertEqual(drifted.status, 1, drifted.stdout)
        XCTAssertTrue(
            drifted.stdout.contains(
                "FAIL   this-host  hv.vcpupin.expected[\(name)]  1 vCPU pin(s) differ: vCPU 0: \(emulatorCPU) (designed \(vcpuCPU))"
            ), drifted.stdout)
        XCTAssertTrue(
            drifted.stdout.contains(
                "FAIL   this-host  hv.emulatorpin.disjoint[\(name)]  vCPUs run on its own emulator CPUs \(emulatorCPU)"),
            drifted.stdout)
    }
}

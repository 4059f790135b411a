import ConformCore
import ConformPictures
import ConformRun
import ConformTestSupport
import Foundation
import XCTest

/// The pictures tell the story the checks tell: the VMs a pin map draws sharing CPUs or splitting cores are the
/// ones `hv.vcpupin.exclusive` and `.siblings` do not pass, and a node the memory picture shows over-committed
/// (or the unbound VMs it shows without room) is the one `hv.memory.fits-node` fails.
final class RunPicturesTests: XCTestCase {
    func lint(_ name: String) throws -> (profile: Profile, results: [CheckResult]) {
        let profile = try GoldenResultsTests.catalog.load(name, hostname: "run-pictures-tests")
        return (profile, Runner().run(LintJob.plans(profile)))
    }

    func vms(_ results: [CheckResult], _ id: String, host: String) -> Set<String> {
        Set(
            results.filter { $0.id == id && $0.host == host && [.fail, .warn].contains($0.status) }.compactMap(
                \.subject))
    }

    func testEveryProfilesPinMapsAgreeWithItsPinningChecks() throws {
        var compared = 0
        for name in profileNames(repository: GoldenResultsTests.root) {
            let (profile, results) = try lint(name)
            for spec in profile.hosts where !spec.vms.isEmpty {
                guard let map = RunPictures.designedPinMap(spec, profile) else { continue }
                let names: [String] = map.guests.map(\.name)
                let conflicts = map.conflicts(in: map.definedUses)
                let sharing = Set(
                    conflicts.filter { $0.kind == PinConflict.Kind.shared }.flatMap { conflict in
                        names.filter { conflict.text.contains($0) }
                    })
                XCTAssertEqual(sharing, vms(results, "hv.vcpupin.exclusive", host: spec.name), "\(name)/\(spec.name)")
                let splitting = Set(
                    conflicts.filter { $0.kind == PinConflict.Kind.splitCore }.flatMap { conflict in
                        names.filter { conflict.text.contains($0) }
                    })
                XCTAssertEqual(splitting, vms(results, "hv.vcpupin.siblings", host: spec.name), "\(name)/\(spec.name)")
                compared += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 4, "every profile with a hypervisor host was compared")
    }

    func testMacNumaPicturesShowTheDesignsDefects() throws {
        let (profile, results) = try lint("mac-numa")
        let figures = RunPictures.designed(profile)
        XCTAssertEqual(figures.map(\.fileName), ["pinmap-numa-server.svg", "memory-numa-server.svg"])
        let pinMap = try XCTUnwrap(figures.first { $0.kind == .pinMap }).svg
        XCTAssertTrue(
            pinMap.contains("CPU shared by two VMs: CPU 18,54: vCPUs of k3s-slm-worker-2 and k3s-minio-storage"))
        XCTAssertTrue(pinMap.contains("k3s-minio-storage spans nodes 0-1"))
        let memory = try XCTUnwrap(figures.first { $0.kind == .nodeMemory }).svg
        XCTAssertTrue(memory.contains("no room"))
        let fits = results.filter { $0.id == "hv.memory.fits-node" && $0.status == .fail }.compactMap(\.subject)
        XCTAssertEqual(fits, ["unbound"], "the check fails on the same VMs the picture shows without room")
    }

    func testAHostWithoutVMsOrWithoutADeclaredTopologyGetsNoPinMap() throws {
        let (profile, _) = try lint("mac-numa")
        var changed = profile
        changed.hosts = profile.hosts.map { host in
            var host = host
            host.topology.nodes = host.topology.nodes?.map { NodeSpec(id: $0.id, cpus: nil, memoryGiB: $0.memoryGiB) }
            return host
        }
        XCTAssertEqual(RunPictures.designed(changed).map(\.kind), [.nodeMemory], "no CPUs declared: memory only")
        XCTAssertTrue(RunPictures.designed(try lint("single-numa").profile).contains { $0.kind == .pinMap })
    }
}

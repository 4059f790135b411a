import ConformCore
import HypervisorLayer
import XCTest

/// `conform lint` on the three shipped designs: the findings the closing note reviews.
final class LintTests: XCTestCase {
    func lint(_ name: String) throws -> [String] {
        let profile = try ProfileLoader.load(file: repositoryRoot.appendingPathComponent("checks/\(name).yaml").path)
        return profile.hosts.filter { !$0.vms.isEmpty }.flatMap { host in
            HypervisorCatalog.lintChecks(for: host, profile: profile).flatMap { check in
                check.evaluate().filter { $0.status != .pass && $0.status != .skip }
                    .map { "\(check.metadata.id)[\($0.subject ?? "")] \($0.status.rawValue)" }
            }
        }
    }

    func testMacNuma() throws {
        XCTAssertEqual(
            try lint("mac-numa"),
            [
                "hv.vcpupin.exclusive[k3s-slm-worker-2] fail",
                "hv.vcpupin.exclusive[k3s-minio-storage] fail",
                "hv.emulatorpin.disjoint[k3s-minio-storage] warn",
                "hv.memory.fits-node[unbound] fail",
            ])
    }

    func testSingleNumaAndDistributedAreClean() throws {
        XCTAssertEqual(try lint("single-numa"), [])
        XCTAssertEqual(try lint("distributed"), [])
    }

    func testWithoutDeclaredNodeCPUsLintSaysWhy() {
        let vm = VMDefinition(name: "v", vcpuCount: 1, memoryMB: 1024, tuning: VMTuning(vcpuPins: [[0]]))
        let profile = Profile(name: "p", hosts: [HostSpec(name: "h", vms: ["v"])], vms: [vm])
        let findings = HypervisorCatalog.lintChecks(for: profile.hosts[0], profile: profile).flatMap { $0.evaluate() }
        XCTAssertTrue(
            findings.allSatisfy {
                $0.status == .error && $0.message.contains("declares no CPU list for every NUMA node of h")
            })
    }
}

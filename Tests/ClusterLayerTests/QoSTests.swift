import ClusterLayer
import ConformCore
import Foundation
import XCTest

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

final class QuantityTests: XCTestCase {
    func testTheAPIsSyntax() {
        XCTAssertEqual(Quantity(parsing: "2000m"), Quantity(parsing: "2"))
        XCTAssertEqual(Quantity(parsing: "8192Mi"), Quantity(parsing: "8Gi"))
        XCTAssertEqual(Quantity(parsing: "1e3")?.value, 1000)
        XCTAssertEqual(Quantity(parsing: "0.5")?.value, 0.5)
        XCTAssertEqual(Quantity(parsing: "100k")?.value, 100_000)
        XCTAssertEqual(Quantity(parsing: "1.5Gi")?.value, 1.5 * 1_073_741_824)
        XCTAssertEqual(Quantity(parsing: "250u")?.value ?? 0, 0.00025, accuracy: 1e-12)
        XCTAssertEqual(Quantity(parsing: "120832Ki")?.value, 120_832 * 1024)
        XCTAssertEqual(Quantity(parsing: "1Ei")?.value, 1_152_921_504_606_846_976)
        XCTAssertEqual(Quantity(parsing: "-1")?.value, -1, "signed, as the API's syntax")
        // Past 2^63 − 1 base units, or past a Double: no quantity the API server serves.
        for invalid in ["99999999999999999999Gi", "1e308", "1e309", "8Ei", "-1e300", "9223372036854775808"] {
            XCTAssertNil(Quantity(parsing: invalid), invalid)
        }
        for invalid in ["", "abc", "1Gb", "Mi", "1e3Gi", "2 m"] {
            XCTAssertNil(Quantity(parsing: invalid), invalid)
        }
    }
}

/// Kubernetes' QoS rules, case by case.
final class QoSTests: XCTestCase {
    func container(_ requests: [String: String]? = nil, _ limits: [String: String]? = nil) -> Container {
        Container(name: "c", resources: ResourceRequirements(requests: requests, limits: limits))
    }

    func testQoSTable() {
        let full = ["cpu": "2", "memory": "4Gi"]
        let cases: [(String, Pod.Spec, QoSClass)] = [
            ("nothing anywhere", Pod.Spec(containers: [container()]), .bestEffort),
            ("requests equal limits", Pod.Spec(containers: [container(full, full)]), .guaranteed),
            (
                "2000m equals 2, 4096Mi equals 4Gi",
                Pod.Spec(containers: [container(["cpu": "2000m", "memory": "4096Mi"], full)]), .guaranteed
            ),
            (
                "requests omitted, limits set: defaulted to the limits", Pod.Spec(containers: [container(nil, full)]),
                .guaranteed
            ),
            (
                "requests below limits", Pod.Spec(containers: [container(["cpu": "1", "memory": "4Gi"], full)]),
                .burstable
            ),
            (
                "memory request below its limit (the design's temporal worker)",
                Pod.Spec(containers: [container(["cpu": "2000m", "memory": "4Gi"], ["cpu": "2000m", "memory": "8Gi"])]),
                .burstable
            ),
            ("limits on only some containers", Pod.Spec(containers: [container(full, full), container()]), .burstable),
            (
                "a cpu limit but no memory limit", Pod.Spec(containers: [container(["cpu": "1"], ["cpu": "1"])]),
                .burstable
            ),
            (
                "zero requests count as none", Pod.Spec(containers: [container(["cpu": "0", "memory": "0"])]),
                .bestEffort
            ),
            (
                "hugepages only", Pod.Spec(containers: [container(["hugepages-2Mi": "1Gi"], ["hugepages-2Mi": "1Gi"])]),
                .bestEffort
            ),
            (
                "an init container with requests makes it Burstable",
                Pod.Spec(containers: [container()], initContainers: [container(["cpu": "100m"])]), .burstable
            ),
            (
                "init containers must be Guaranteed too",
                Pod.Spec(containers: [container(full, full)], initContainers: [container(["cpu": "1"], ["cpu": "1"])]),
                .burstable
            ),
            (
                "Guaranteed init and app containers",
                Pod.Spec(containers: [container(full, full)], initContainers: [container(full, full)]), .guaranteed
            ),
        ]
        for (name, spec, expected) in cases {
            XCTAssertEqual(QoS.computeClass(spec), expected, name)
        }
    }

    func testARealPodFromKubectl() throws {
        let url = repositoryRoot.appendingPathComponent("fixtures/real-world/k8s/k9s-po_limited.json")
        let pod = try JSONDecoder().decode(Pod.self, from: Data(contentsOf: url))
        XCTAssertEqual(pod.status?.qosClass, "Burstable")
        XCTAssertEqual(QoS.computeClass(pod.spec), .burstable)
        XCTAssertEqual(pod.spec.containers.count, 2)
    }

    func testSchedulerRequestsCountInitContainersAndOverhead() {
        let spec = Pod.Spec(
            containers: [container(["cpu": "500m"]), container(nil, ["cpu": "1"])],
            initContainers: [container(["cpu": "2"])],
            overhead: ["cpu": "250m"])
        XCTAssertEqual(QoS.podRequest(spec, "cpu"), 2.25, "max(0.5 + 1 defaulted, 2 init) + 0.25 overhead")
        XCTAssertNil(QoS.podLimit(spec, "cpu"), "a container without a limit makes the pod unbounded")
    }
}

import ConformTestSupport
import Foundation
import XCTest

/// mac-numa's fixture cluster with one file edited the way the cluster would drift: each edit fails exactly
/// its check (beside the design's own QoS defect, which the fixture always shows), exit 1.
final class MutatedClusterFixtureTests: XCTestCase, ConformBinary {
    /// The design's own defect, failed on the unedited fixture too.
    static let designDefect = "k8s.workload.qos[temporal/temporal-worker]"

    /// A copy of the fixture's cluster with `edit` applied to one of its JSON files, run through the cluster layer;
    /// the FAIL lines' names.
    func failures(editing file: String, _ edit: (inout [String: Any]) throws -> Void) throws -> Set<String> {
        let fixture = try temporaryDirectory().appendingPathComponent("mac-numa")
        try FileManager.default.createDirectory(at: fixture, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster"),
            to: fixture.appendingPathComponent("cluster"))
        let path = fixture.appendingPathComponent("cluster/\(file)")
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        try edit(&document)
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted]).write(to: path)
        let outcome = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture.path, "--layers", "cluster", "--format", "console",
            "--out", temporaryDirectory().path,
        ])
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)
        return Set(
            outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }.map {
                String($0.split(separator: " ", omittingEmptySubsequences: true)[2])
            })
    }

    /// The items of a kubectl list, edited one by one.
    func items(_ document: inout [String: Any], _ edit: ([String: Any]) -> [String: Any]?) {
        document["items"] = (document["items"] as? [[String: Any]] ?? []).compactMap(edit)
    }

    func name(_ item: [String: Any]) -> String? { (item["metadata"] as? [String: Any])?["name"] as? String }

    func testTheUneditedFixtureFailsOnlyTheDesignsOwnDefect() throws {
        XCTAssertEqual(try failures(editing: "services.json") { _ in }, [Self.designDefect])
    }

    func testANodePortChanged() throws {
        let found = try failures(editing: "services.json") { document in
            items(&document) { item in
                guard name(item) == "victorialogs" else { return item }
                var item = item
                var spec = item["spec"] as? [String: Any] ?? [:]
                var ports = spec["ports"] as? [[String: Any]] ?? []
                ports[0]["nodePort"] = 31428
                spec["ports"] = ports
                item["spec"] = spec
                return item
            }
        }
        XCTAssertEqual(found, [Self.designDefect, "k8s.service.ports[monitoring/victorialogs]"])
    }

    func testAServiceMissing() throws {
        let found = try failures(editing: "services.json") { document in
            items(&document) { name($0) == "minio" ? nil : $0 }
        }
        XCTAssertEqual(found, [Self.designDefect, "k8s.service.exists[storage/minio]"])
    }

    func testNoReadyEndpoint() throws {
        let found = try failures(editing: "endpointslices.json") { document in
            items(&document) { item in
                guard
                    (item["metadata"] as? [String: Any]).flatMap({ $0["labels"] as? [String: String] })?[
                        "kubernetes.io/service-name"] == "victoriametrics"
                else { return item }
                var item = item
                item["endpoints"] = (item["endpoints"] as? [[String: Any]] ?? []).map { endpoint in
                    var endpoint = endpoint
                    endpoint["conditions"] = ["ready": false, "serving": false, "terminating": true]
                    return endpoint
                }
                return item
            }
        }
        XCTAssertEqual(found, [Self.designDefect, "k8s.service.endpoints[monitoring/victoriametrics]"])
    }

    func testAHealthEndpointAnswering503() throws {
        let found = try failures(editing: "health.json") { document in
            document["endpoints"] = (document["endpoints"] as? [[String: Any]] ?? []).map { answer in
                var answer = answer
                if (answer["url"] as? String)?.hasSuffix("/minio/health/ready") ?? false { answer["status"] = 503 }
                return answer
            }
        }
        XCTAssertEqual(found, [Self.designDefect, "k8s.service.health[minio-ready]"])
    }
}

import ConformCore
import XCTest

final class CatalogEntryTests: XCTestCase {
    func testATableGivesTheMetadataAndTheChecksInOneOrder() {
        let table: [CatalogEntry<Int>] = [
            CatalogEntry(
                .entry(.host, "a.first", "First", .major, tags: ["t"], remediation: "r", rationale: "w")
            ) { [Finding(.pass, observed: "\($0)", message: "first")] },
            CatalogEntry(.entry(.bench, "a.second", "Second", .minor, tags: [], remediation: "r", rationale: "w")) {
                [Finding(.fail, observed: "\($0 * 2)", message: "second")]
            },
        ]
        XCTAssertEqual(table.metadata().map(\.id), ["a.first", "a.second"])
        XCTAssertEqual(table.metadata().map(\.layer), [.host, .bench])
        XCTAssertEqual(table.metadata().first?.tags, ["t"])
        let checks = table.checks(21)
        XCTAssertEqual(checks.map(\.metadata.id), ["a.first", "a.second"])
        XCTAssertEqual(checks.flatMap { $0.evaluate() }.map(\.observed), ["21", "42"])
    }
}

import ConformCore
import ConformRun
import ConformTestSupport
import Foundation
import XCTest

/// The pipeline decides on every fixture profile exactly as recorded in Tests/Golden (taken with the binary
/// before the pipeline moved into ConformRun; `scripts/golden-results.py` writes them): ids, hosts,
/// subjects, statuses, severities, expected and observed values, messages, measurements and the exit code.
final class GoldenResultsTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let catalog = ProfileCatalog(directories: [root.appendingPathComponent("checks").path])

    /// The profiles of checks/, each with a fixture of the same name.
    static let profiles = profileNames(repository: root)

    func testThereIsAGoldenRecordOfEveryProfile() throws {
        XCTAssertEqual(Self.profiles.count, 4, "checks/ holds \(Self.profiles)")
        for profile in Self.profiles {
            for kind in ["run", "generic", "lint"] {
                XCTAssertNoThrow(try Self.golden("\(profile)-\(kind)"), "\(profile)-\(kind)")
            }
        }
    }

    func testEveryLayerOfEveryFixtureDecidesAsRecorded() throws {
        for name in Self.profiles {
            let request = RunRequest(
                profile: try Self.catalog.load(name, hostname: "golden"), source: Self.fixture(name),
                selection: Selection(layers: [.host, .hypervisor, .cluster, .bench], layersNamed: true))
            try assertMatches(try Pipeline.results(request), "\(name)-run")
        }
    }

    func testTheGenericProfileOnEveryFixtureDecidesAsRecorded() throws {
        for name in Self.profiles {
            let request = RunRequest(
                profile: try Self.catalog.load(Profile.genericName, hostname: "golden"), source: Self.fixture(name),
                selection: Selection(layers: [.host, .hypervisor, .cluster]))
            try assertMatches(try Pipeline.results(request), "\(name)-generic")
        }
    }

    func testLintOfEveryProfileDecidesAsRecorded() throws {
        for name in Self.profiles {
            let results = Runner().run(LintJob.plans(try Self.catalog.load(name, hostname: "golden")))
            try assertMatches(results, "\(name)-lint")
        }
    }

    /// The comparison finds a changed verdict, a changed message and a missing result in what the pipeline
    /// returns: it is not one that passes whatever the pipeline does.
    func testAChangedResultIsADifference() throws {
        let results = Runner().run(LintJob.plans(try Self.catalog.load("mac-numa", hostname: "golden")))
        XCTAssertEqual(try differences(results, "mac-numa-lint"), [])
        var verdict = results
        verdict[0].status = results[0].status == .pass ? .fail : .pass
        XCTAssertFalse(try differences(verdict, "mac-numa-lint").isEmpty)
        var message = results
        message[1].message += "."
        XCTAssertEqual(try differences(message, "mac-numa-lint").count, 1)
        XCTAssertFalse(try differences(Array(results.dropLast()), "mac-numa-lint").isEmpty)
    }

    static func fixture(_ name: String) -> RunSource {
        RunSource(fixture: root.appendingPathComponent("fixtures/\(name)").path)
    }

    /// What Tests/Golden keeps of a run.
    struct Record: Codable, Equatable {
        var exit: Int32
        var results: [Result]

        struct Result: Codable, Equatable {
            var id: String
            var host: String
            var subject: String?
            var status: String
            var severity: String
            var expected: String
            var observed: String
            var message: String
            var measurements: [Measured]
        }

        struct Measured: Codable, Equatable {
            var name: String
            var value: Double
            var unit: String
        }
    }

    static func golden(_ name: String) throws -> Record {
        let file = root.appendingPathComponent("Tests/Golden/\(name).json")
        return try JSONDecoder().decode(Record.self, from: Data(contentsOf: file))
    }

    /// The results as results.json writes them, with the repository's path taken out of every text (the
    /// records were taken from its root with relative paths).
    func record(_ results: [CheckResult]) throws -> Record {
        let report = RunReport(profile: "golden", started: Date(), durationSeconds: 0, results: results, strict: false)
        let prefix = Self.root.path + "/"
        let encoded = String(decoding: try JSONEncoder().encode(results), as: UTF8.self)
            .replacingOccurrences(of: prefix.replacingOccurrences(of: "/", with: "\\/"), with: "")
            .replacingOccurrences(of: prefix, with: "")
        let stripped = try JSONDecoder().decode([Record.Result].self, from: Data(encoded.utf8))
        return Record(exit: report.exitCode, results: stripped)
    }

    /// How `results` differ from the record `name`, one line per difference.
    func differences(_ results: [CheckResult], _ name: String) throws -> [String] {
        let expected = try Self.golden(name)
        let actual = try record(results)
        var lines: [String] = []
        if actual.exit != expected.exit { lines.append("\(name): exit code \(actual.exit), recorded \(expected.exit)") }
        if actual.results.count != expected.results.count {
            lines.append("\(name): \(actual.results.count) results, recorded \(expected.results.count)")
        }
        for (now, before) in zip(actual.results, expected.results) where now != before {
            lines.append("\(name): \(now) differs from the record \(before)")
        }
        return lines
    }

    func assertMatches(_ results: [CheckResult], _ name: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        for difference in try differences(results, name) { XCTFail(difference, file: file, line: line) }
    }
}

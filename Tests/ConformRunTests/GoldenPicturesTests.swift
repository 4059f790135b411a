import ConformCore
import ConformRun
import ConformTestSupport
import Foundation
import XCTest

/// The pin maps and node-memory pictures of every fixture profile (`run`, every layer) and of every design
/// (`lint`) are byte for byte those in Tests/Golden/pictures, which `scripts/golden-pictures.sh` writes with the
/// binary and checks with xmllint; the README shows one of them.
final class GoldenPicturesTests: XCTestCase {
    static let folder = GoldenResultsTests.root.appendingPathComponent("Tests/Golden/pictures")

    func testEveryFixtureRunDrawsAsRecorded() throws {
        for name in GoldenResultsTests.profiles {
            let request = RunRequest(
                profile: try GoldenResultsTests.catalog.load(name, hostname: "golden"),
                source: GoldenResultsTests.fixture(name),
                selection: Selection(layers: [.host, .hypervisor, .cluster, .bench], layersNamed: true))
            let probes = try Pipeline.probe(try Pipeline.targets(request), request)
            try assertMatches(RunPictures.running(probes, request.profile), "\(name)-run")
        }
    }

    func testEveryDesignDrawsAsRecorded() throws {
        for name in GoldenResultsTests.profiles {
            try assertMatches(
                RunPictures.designed(try GoldenResultsTests.catalog.load(name, hostname: "golden")), "\(name)-lint")
        }
    }

    /// Every recorded picture is well-formed XML as xmllint reads it (browsers and Markdown views are stricter
    /// than FoundationXML's writer is loose).
    func testTheRecordedPicturesAreWellFormed() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.folder.path).filter {
            $0.hasSuffix(".svg")
        }
        XCTAssertGreaterThanOrEqual(files.count, 16)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") else {
            throw XCTSkip("xmllint is not installed (make setup installs libxml2-utils)")
        }
        let result = try runCommand(
            "/usr/bin/xmllint", ["--noout"] + files.map { Self.folder.appendingPathComponent($0).path }, within: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func assertMatches(_ figures: [Figure], _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = Self.folder.appendingPathComponent(name)
        let recorded = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(
            figures.map(\.fileName).sorted(), recorded,
            "\(name): other pictures than recorded; if meant, run scripts/golden-pictures.sh .build/debug/conform Tests/Golden/pictures",
            file: file, line: line)
        for figure in figures {
            let golden =
                (try? String(contentsOf: directory.appendingPathComponent(figure.fileName), encoding: .utf8)) ?? ""
            guard figure.svg != golden else { continue }
            // The first line that differs, not two whole drawings.
            let drawn = figure.svg.components(separatedBy: "\n")
            let recordedLines = golden.components(separatedBy: "\n")
            let index =
                Array(zip(drawn, recordedLines)).firstIndex { $0 != $1 } ?? min(drawn.count, recordedLines.count)
            let now = index < drawn.count ? drawn[index] : "(end)"
            let then = index < recordedLines.count ? recordedLines[index] : "(end)"
            XCTFail(
                "\(name)/\(figure.fileName) differs from the record at line \(index + 1): drawn \(now), recorded \(then); "
                    + "if meant, run scripts/golden-pictures.sh .build/debug/conform Tests/Golden/pictures",
                file: file, line: line)
        }
    }
}

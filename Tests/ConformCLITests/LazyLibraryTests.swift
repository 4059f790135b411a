import ConformTestSupport
import Foundation
import XCTest

/// libvirt, libcurl and libnuma are opened on their first call: what never calls them never maps them (the
/// dynamic loader says which objects it opens with LD_DEBUG=files).
final class LazyLibraryTests: XCTestCase, ConformBinary {
    static let libraries = ["libvirt.so.0", "libcurl.so.4", "libnuma.so.1"]

    func loaded(_ arguments: [String]) throws -> (status: Int32, libraries: [String]) {
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        environment["LD_DEBUG"] = "files"
        let outcome = try run(binary, arguments, in: repositoryRoot, environment: environment)
        return (outcome.status, Self.libraries.filter { outcome.stderr.contains("file=\($0)") })
    }

    func testStartUpAndTheHostLayerLoadNoneOfThem() throws {
        let version = try loaded(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.libraries, [])
        let out = try temporaryDirectory().appendingPathComponent("reports").path
        let host = try loaded([
            "run", "--profile", "mac-numa", "--fixture", "fixtures/mac-numa", "--host", "numa-server", "--layers",
            "host", "--format", "json", "--out", out,
        ])
        XCTAssertEqual(host.status, 0, "numa-server's host layer holds its design")
        XCTAssertEqual(host.libraries, [])
    }

    /// The loader's words are what the test reads: `facts` asks each library its version, so it opens all three.
    func testWhatCallsThemLoadsThem() throws {
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
        let facts = try loaded(["facts", "--sysroot", sysroot, "--json"])
        XCTAssertEqual(facts.libraries, Self.libraries)
    }
}

import ConformTestSupport
import Foundation
import XCTest

/// Numbers read from files conform did not write (a fixture, a sysroot, a profile, a VM definition) that no
/// machine has: each is a clear error naming the file and field, never a trap that takes the binary down.
/// Each case mutates a copy of a fixture or of the profiles and runs the built binary.
final class OutsideNumbersTests: XCTestCase, ConformBinary {
    /// A copy of mac-numa's fixture; `numa-server` is its hypervisor, QEMU pids 4000, 4100, 4200.
    func macNumaCopy() throws -> URL {
        let copy = try temporaryDirectory().appendingPathComponent("mac-numa")
        try FileManager.default.copyItem(
            atPath: repositoryRoot.appendingPathComponent("fixtures/mac-numa").path, toPath: copy.path)
        return copy
    }

    func numaServer(_ fixture: URL) -> URL { fixture.appendingPathComponent("hosts/numa-server") }

    /// No "Fatal error", no signal: the exit code is one of the table's.
    func assertNoTrap(_ outcome: Outcome, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(
            [0, 1, 2, 3].contains(outcome.status), "\(what): \(outcome.status) \(outcome.stderr)", file: file,
            line: line)
        XCTAssertFalse(outcome.stderr.contains("Fatal error"), "\(what): \(outcome.stderr)", file: file, line: line)
    }

    func testNumaMapsPageCountsBeyondAnyAddressSpace() throws {
        let fixture = try macNumaCopy()
        let sysroot = numaServer(fixture).appendingPathComponent("sysroot")
        let maps = sysroot.appendingPathComponent("proc/4000/numa_maps")
        try "7f0000000000 bind:0 anon=1 N0=9223372036854775807 kernelpagesize_kB=2048\n".write(
            to: maps, atomically: true, encoding: .utf8)
        let run = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture.path, "--only", "hv.live.memory-placement", "--format",
            "console",
        ])
        assertNoTrap(run, "run")
        XCTAssertEqual(run.status, 3, run.stdout)
        XCTAssertTrue(run.stdout.contains("\(maps.path): line 1: 'N0=9223372036854775807'"), run.stdout)
        let facts = try conform([
            "facts", "--sysroot", sysroot.path, "--libvirt-uri",
            "test://\(numaServer(fixture).appendingPathComponent("libvirt.xml").path)",
        ])
        assertNoTrap(facts, "facts")
        XCTAssertEqual(facts.status, 3, facts.stdout)
        XCTAssertTrue(facts.stderr.contains(maps.path), facts.stderr)
    }

    /// A copy of the profiles folder, to mutate a VM definition or a profile; runs find it by CONFORM_CHECKS.
    func checksCopy() throws -> URL {
        let copy = try temporaryDirectory().appendingPathComponent("checks")
        try FileManager.default.copyItem(
            atPath: repositoryRoot.appendingPathComponent("checks").path, toPath: copy.path)
        return copy
    }

    /// Replaces `old` with `new` in a file, which must contain it.
    func edit(_ file: URL, _ old: String, _ new: String) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains(old), "\(file.path) has no '\(old)'")
        try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
    }

    func testVMDefinitionCountsBeyondAnyMachineAreInputErrors() throws {
        for (key, old, new) in [
            ("vcpu_count", "\"vcpu_count\": 34", "\"vcpu_count\": 18295873486192696"),
            ("memory_mb", "\"memory_mb\": 122880", "\"memory_mb\": 9223372036854775807"),
        ] {
            let checks = try checksCopy()
            let definition = checks.appendingPathComponent("vms/mac-numa/k3s-slm-worker-1.json")
            try edit(definition, old, new)
            let profile = checks.appendingPathComponent("mac-numa.yaml").path
            for arguments in [
                [
                    "run", "--profile", profile, "--fixture",
                    repositoryRoot.appendingPathComponent("fixtures/mac-numa").path,
                ],
                ["lint", "--profile", profile],
            ] {
                let outcome = try conform(arguments)
                assertNoTrap(outcome, "\(key): \(arguments[0])")
                XCTAssertEqual(outcome.status, 2, "\(key): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("k3s-slm-worker-1.json:"), outcome.stderr)
                XCTAssertTrue(outcome.stderr.contains(": \(key): must be at most"), outcome.stderr)
            }
        }
    }

    func testEnormousSiblingOffsetInAProfileIsAnInputError() throws {
        let checks = try checksCopy()
        let profile = checks.appendingPathComponent("mac-numa.yaml")
        try edit(profile, "sibling_offset: 36", "sibling_offset: 9223372036854775807")
        for arguments in [
            [
                "run", "--profile", profile.path, "--fixture",
                repositoryRoot.appendingPathComponent("fixtures/mac-numa").path,
            ],
            ["lint", "--profile", profile.path],
        ] {
            let outcome = try conform(arguments)
            assertNoTrap(outcome, arguments[0])
            XCTAssertEqual(outcome.status, 2, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("mac-numa.yaml:"), outcome.stderr)
            XCTAssertTrue(
                outcome.stderr.contains("hosts.numa-server.topology.sibling_offset: must be at most"), outcome.stderr)
        }
    }

    /// libvirt's test driver aborted inside virDomainDefParseNode on these (GLib failed to allocate 34 GB),
    /// taking conform down with SIGTRAP: conform checks the file before libvirt sees it.
    func testAFixturesVCPUCountLibvirtWouldAllocateByIsAnInputError() throws {
        for count in ["-1", "2147483648"] {
            let fixture = try macNumaCopy()
            let xml = numaServer(fixture).appendingPathComponent("libvirt.xml")
            try edit(xml, "<vcpu placement='static'>34</vcpu>", "<vcpu placement='static'>\(count)</vcpu>")
            let run = try conform(["run", "--profile", "mac-numa", "--fixture", fixture.path])
            assertNoTrap(run, "run \(count)")
            XCTAssertEqual(run.status, 2, run.stderr)
            XCTAssertTrue(
                run.stderr.contains("\(xml.path): domain 'k3s-slm-worker-1': <vcpu> is \(count), not from 1 to 16384"),
                run.stderr)
            // Named with --libvirt-uri, the same file is a source that could not be read (exit 3), not an abort.
            let facts = try conform([
                "facts", "--sysroot", numaServer(fixture).appendingPathComponent("sysroot").path, "--libvirt-uri",
                "test://\(xml.path)",
            ])
            assertNoTrap(facts, "facts \(count)")
            XCTAssertEqual(facts.status, 3, facts.stderr)
            XCTAssertTrue(facts.stderr.contains("<vcpu> is \(count)"), facts.stderr)
        }
    }

    /// A FIFO blocked the hypervisor probe for its whole 30 s limit; any fixture file that is not a regular
    /// file is unusable input at once, naming it.
    func testAFixtureFileThatIsAFIFOIsAnInputErrorAtOnce() throws {
        for relative in ["libvirt.xml", "sysroot/proc/4000/numa_maps", "sysroot/sys/devices/system/cpu/online"] {
            let fixture = try macNumaCopy()
            let file = numaServer(fixture).appendingPathComponent(relative)
            try FileManager.default.removeItem(at: file)
            XCTAssertEqual(mkfifo(file.path, 0o644), 0)
            let started = Date()
            let run = try conform(["run", "--profile", "mac-numa", "--fixture", fixture.path])
            assertNoTrap(run, relative)
            XCTAssertEqual(run.status, 2, "\(relative): \(run.stdout)\(run.stderr)")
            XCTAssertTrue(run.stderr.contains("\(file.path): is a FIFO (named pipe), not a regular file"), run.stderr)
            XCTAssertLessThan(Date().timeIntervalSince(started), 20, relative)
        }
        let checks = try checksCopy()
        let profile = checks.appendingPathComponent("p.yaml")
        XCTAssertEqual(mkfifo(profile.path, 0o644), 0)
        let lint = try conform(["lint", "--profile", profile.path])
        XCTAssertEqual(lint.status, 2, lint.stderr)
        XCTAssertTrue(lint.stderr.contains("\(profile.path): is a FIFO"), lint.stderr)
    }
}

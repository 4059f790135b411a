import ConformCore
import Foundation
import HypervisorLayer
import XCTest

/// A test-driver file is checked with conform's XML reader before libvirt parses it: numbers libvirt would
/// allocate by are refused naming the file and field, and a file that is not regular is never opened.
final class TestDriverFileTests: XCTestCase {
    func write(_ xml: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("libvirt.xml")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// A node document with one domain whose body is `domain`.
    func node(
        _ domain: String, cpu: String = "<nodes>2</nodes><sockets>1</sockets><cores>18</cores><threads>2</threads>"
    )
        -> String
    {
        "<node><cpu>\(cpu)</cpu><memory>263925712</memory><domain type='test'><name>vm1</name>\(domain)</domain></node>"
    }

    func assertRefused(
        _ xml: String, field: String, contains text: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let path = try write(xml)
        XCTAssertThrowsError(try TestDriverFile.validate(file: path), file: file, line: line) { error in
            guard let input = error as? InputError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(input.file, path, file: file, line: line)
            XCTAssertEqual(input.field, field, "\(input)", file: file, line: line)
            XCTAssertTrue(input.message.contains(text), "\(input)", file: file, line: line)
        }
    }

    func testTheFixturesPass() throws {
        var documents = 0
        for profile in profileNames {
            let hosts = repositoryRoot.appendingPathComponent("fixtures/\(profile)/hosts").path
            for host in try FileManager.default.contentsOfDirectory(atPath: hosts) {
                let file = fixtureHost(profile, host).appendingPathComponent("libvirt.xml").path
                guard FileManager.default.fileExists(atPath: file) else { continue }
                XCTAssertNoThrow(try TestDriverFile.validate(file: file), file)
                documents += 1
            }
        }
        XCTAssertGreaterThanOrEqual(documents, profileNames.count, "every profile's fixture has a hypervisor host")
    }

    /// Found by the libvirt-test-driver fuzz target: an empty file crashed FoundationXML before libvirt saw it.
    func testAFileWithoutAnElementIsAnInputErrorNotACrash() throws {
        for (xml, reason) in [
            ("", "the document is empty"), ("\n\u{0}<node/>", "a NUL byte on line 2 (XML allows none)"),
        ] {
            let path = try write(xml)
            XCTAssertThrowsError(try TestDriverFile.validate(file: path)) { error in
                XCTAssertEqual((error as? InputError)?.file, path)
                XCTAssertEqual((error as? InputError)?.message, "not well-formed XML: \(reason)")
            }
        }
        // An element name that is not UTF-8 made FoundationXML's XMLParser trap.
        let path = try write("")
        try Data("<node>\n<domain>\n<vcpupi".utf8 + [0xFF] + Data("n/></domain></node>".utf8)).write(
            to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TestDriverFile.validate(file: path)) { error in
            XCTAssertEqual((error as? InputError)?.line, 3)
            XCTAssertEqual(
                (error as? InputError)?.message, "not well-formed XML: line 3 is not UTF-8, which libvirt writes")
        }
    }

    /// libvirt reads -1 as 4294967295 vCPUs and asks GLib for 34 GB, which aborts the process.
    func testVCPUCountsLibvirtWouldAllocateByAreRefused() throws {
        for count in ["-1", "2147483648", "0", "16385"] {
            try assertRefused(
                node("<memory>1024</memory><vcpu>\(count)</vcpu>"), field: "domain 'vm1'",
                contains: "<vcpu> is \(count), not from 1 to 16384")
        }
        try assertRefused(
            node("<memory>1024</memory><vcpu current='5'>4</vcpu>"), field: "domain 'vm1'",
            contains: "<vcpu current> is 5, not from 1 to 4")
    }

    func testMemoryBeyondAnyMachineIsRefused() throws {
        try assertRefused(
            node("<memory unit='TiB'>9223372036854775807</memory><vcpu>1</vcpu>"), field: "domain 'vm1'",
            contains: "more than the 1 PiB any machine has")
        try assertRefused(
            node("<memory>-1</memory><vcpu>1</vcpu>"), field: "domain 'vm1'", contains: "<memory> is -1, not from 0")
        try assertRefused(
            node("<memory>1024</memory><currentMemory>2048</currentMemory><vcpu>1</vcpu>"),
            field: "domain 'vm1'.currentMemory", contains: "more than <memory>'s 1024 KiB")
        try assertRefused(
            node("<memory>1024</memory><currentMemory unit='EiB'>99999999</currentMemory><vcpu>1</vcpu>"),
            field: "domain 'vm1'.currentMemory", contains: "<currentMemory>: unknown memory unit 'EiB'")
        try assertRefused(
            node("<memory>1024</memory><vcpu>1</vcpu>").replacingOccurrences(
                of: "<memory>263925712</memory>", with: "<memory>99999999999999999</memory>"),
            field: "node.memory", contains: "more than the 1 PiB")
    }

    func testPinsAndVCPUEntriesBeyondTheVCPUCountAreRefused() throws {
        let pins = (0..<3).map { "<vcpupin vcpu='\($0 % 2)' cpuset='0'/>" }.joined()
        try assertRefused(
            node("<memory>1024</memory><vcpu>2</vcpu><cputune>\(pins)</cputune>"),
            field: "domain 'vm1'.cputune.vcpupin",
            contains: "3 <vcpupin> for 2 vCPUs")
        try assertRefused(
            node("<memory>1024</memory><vcpu>2</vcpu><cputune><vcpupin vcpu='4294967295' cpuset='0'/></cputune>"),
            field: "domain 'vm1'", contains: "<vcpupin vcpu> is 4294967295, not from 0 to 1")
        try assertRefused(
            node("<memory>1024</memory><vcpu>2</vcpu><vcpus><vcpu id='7' enabled='yes'/></vcpus>"),
            field: "domain 'vm1'.vcpus.vcpu", contains: "<vcpus><vcpu id> is 7, not from 0 to 1")
        try assertRefused(
            node("<memory>1024</memory><vcpu>1</vcpu><iothreads>4294967295</iothreads>"),
            field: "domain 'vm1'.iothreads", contains: "<iothreads> is 4294967295")
    }

    func testTheHostCountsAreBounded() throws {
        try assertRefused(
            node("<memory>1024</memory><vcpu>1</vcpu>", cpu: "<nodes>-1</nodes>"), field: "node.cpu.nodes",
            contains: "<nodes> is -1")
        try assertRefused(
            node(
                "<memory>1024</memory><vcpu>1</vcpu>", cpu: "<nodes>128</nodes><sockets>128</sockets><cores>2</cores>"),
            field: "node.cpu", contains: "more than the 16384 CPUs any machine has")
    }

    func testADomainOfItsOwnFileIsCheckedToo() throws {
        let path = try write("<node><domain file='vm1.xml'/></node>")
        let included = (path as NSString).deletingLastPathComponent + "/vm1.xml"
        try "<domain><name>vm1</name><memory>1</memory><vcpu>-1</vcpu></domain>".write(
            toFile: included, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TestDriverFile.validate(file: path)) { error in
            XCTAssertEqual((error as? InputError)?.file, included, "\(error)")
        }
    }

    /// A FIFO is refused before it is opened: opening one blocks until a writer comes.
    func testAFIFOIsRefusedWithoutBeingOpened() throws {
        let path = try write("")
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        XCTAssertThrowsError(try TestDriverFile.validate(file: path)) { error in
            XCTAssertEqual("\(error)", "\(path): is a FIFO (named pipe), not a regular file: conform reads only files")
        }
    }

    func testURIsOfTheTestDriver() {
        XCTAssertEqual(TestDriverFile.path(ofURI: "test:///a/libvirt.xml"), "/a/libvirt.xml")
        XCTAssertEqual(TestDriverFile.path(ofURI: "test:///a/libvirt.xml?x=1"), "/a/libvirt.xml")
        XCTAssertNil(TestDriverFile.path(ofURI: "test:///default"))
        XCTAssertNil(TestDriverFile.path(ofURI: "qemu:///system"))
    }

    /// The probe checks a named test:/// file itself: an out-of-range one is an error result, not an abort.
    func testTheProbeRefusesAnOutOfRangeFileAsAnError() throws {
        let path = try write(node("<memory>1024</memory><vcpu>-1</vcpu>"))
        let facts = HypervisorProbe(uri: "test://\(path)", sysroot: Sysroot("/nonexistent")).probe()
        guard case .failed(let error) = facts.domains else { return XCTFail("\(facts.domains)") }
        XCTAssertTrue(error.reason.contains("\(path): domain 'vm1': <vcpu> is -1"), error.reason)
    }
}

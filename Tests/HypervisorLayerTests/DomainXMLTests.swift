import ConformCore
import HypervisorLayer
import XCTest

/// libvirt's own test data (`fixtures/real-world/libvirt`): every file reads, with the pins and nodesets
/// libvirt itself reports.
final class DomainXMLTests: XCTestCase {
    func parse(_ file: String) throws -> DomainFacts {
        let xml = try String(contentsOf: realWorldLibvirt.appendingPathComponent(file), encoding: .utf8)
        return try DomainXML.parse(xml, source: file)
    }

    func testCputune() throws {
        let domain = try parse("cputune.xml")
        XCTAssertEqual(domain.name, "QEMUGuest1")
        XCTAssertEqual(domain.vcpus, 4)
        XCTAssertEqual(domain.memoryKiB, 219_136)
        XCTAssertEqual(domain.vcpuPins, [VCPUPin(vcpu: 0, cpuset: [0]), VCPUPin(vcpu: 1, cpuset: [1])])
        XCTAssertEqual(domain.emulatorPin, [1])
        XCTAssertNil(domain.allowedCPUs(ofVCPU: 2), "vCPUs 2 and 3 are not pinned")
    }

    func testIOThreadPinsOutOfOrder() throws {
        let domain = try parse("cputune-iothreads.xml")
        XCTAssertEqual(
            domain.iothreadPins, [IOThreadPin(iothread: 1, cpuset: [2]), IOThreadPin(iothread: 2, cpuset: [3])])
        XCTAssertEqual(domain.emulatorPin, [1])
    }

    func testAutomaticPlacement() throws {
        let domain = try parse("cputune-numatune.xml")
        XCTAssertEqual(domain.vcpus, 6)
        XCTAssertEqual(domain.currentVCPUs, 2)
        XCTAssertEqual(domain.vcpuPlacement, "auto")
        XCTAssertEqual(domain.emulatorPin?.description, "1-3")
        XCTAssertEqual(domain.numaMemory, NumaTuneMemory(mode: "strict", nodeset: nil, placement: "auto"))
    }

    func testMemnodesNormaliseLikeLibvirt() throws {
        let written = try parse("numatune-memnode.xml")
        let normalised = try parse("qemuxml2xmloutdata-numatune-memnode.xml")
        XCTAssertEqual(
            written.numaMemory, NumaTuneMemory(mode: "strict", nodeset: try CPUSet(parsing: "0-7"), placement: "static")
        )
        XCTAssertEqual(
            written.memoryNodes.map { "\($0.cellID) \($0.mode) \($0.nodeset)" }, ["0 preferred 3", "2 strict 1-2,5,7"])
        XCTAssertEqual(written.memoryNodes, normalised.memoryNodes, "1-2,5-7,^6 is libvirt's 1-2,5,7")
        XCTAssertEqual(written.numaMemory, normalised.numaMemory)
    }

    func testRestrictiveAndInterleave() throws {
        XCTAssertEqual(try parse("numatune-memnode-restrictive-mode.xml").numaMemory?.mode, "restrictive")
        let interleaveAuto = try parse("numad-auto-memory-vcpu-no-cpuset-and-placement.xml")
        XCTAssertEqual(interleaveAuto.numaMemory?.mode, "interleave")
        XCTAssertEqual(interleaveAuto.numaMemory?.placement, "auto")
        let interleaveStatic = try parse("numad-auto-vcpu-static-numatune.xml")
        XCTAssertEqual(interleaveStatic.numaMemory?.nodeset, [0])
        XCTAssertEqual(interleaveStatic.vcpuPlacement, "auto")
    }

    func testEveryRealWorldFileReads() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: realWorldLibvirt.path).filter {
            $0.hasSuffix(".xml")
        }
        XCTAssertEqual(files.count, 8)
        for file in files { XCTAssertNoThrow(try parse(file), file) }
    }

    /// Found by the domain-xml fuzz target: FoundationXML's XMLDocument crashed on a document libxml2 makes
    /// nothing of (empty, or NUL first), which XMLParser had let through.
    func testADocumentWithoutAnElementIsAnErrorNotACrash() {
        for (xml, reason) in [
            ("", "the document is empty"), ("\u{0}'", "a NUL byte on line 1 (XML allows none)"),
            ("<domain>\n<name>x\u{0}</name></domain>", "a NUL byte on line 2 (XML allows none)"),
            ("<!-- only a comment -->", "the document has no element"),
        ] {
            XCTAssertThrowsError(try DomainXML.parse(xml, source: "test:///f.xml")) { error in
                XCTAssertEqual("\(error)", "test:///f.xml: not well-formed XML: \(reason)")
            }
        }
    }

    func testBrokenXMLNamesTheDomainAndAttribute() {
        XCTAssertThrowsError(try DomainXML.parse("<domain><name>x</nam></domain>", source: "test:///f.xml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("test:///f.xml: not well-formed XML"), "\(error)")
        }
        let badPin =
            "<domain><name>vm1</name><memory>1024</memory><vcpu>2</vcpu><cputune><vcpupin vcpu='0' cpuset='3-1'/></cputune></domain>"
        XCTAssertThrowsError(try DomainXML.parse(badPin, source: "qemu:///system")) { error in
            XCTAssertEqual(
                "\(error)",
                "qemu:///system (domain vm1): <vcpupin cpuset='3-1'>: invalid CPU list '3-1': reversed range '3-1'")
        }
        let memoryInGiB = "<domain><name>vm1</name><memory unit='GiB'>2</memory><vcpu>1</vcpu></domain>"
        XCTAssertEqual(try DomainXML.parse(memoryInGiB).memoryKiB, 2_097_152)
    }
}

/// Numbers of a domain's XML that no libvirt writes are errors naming the element, never values the checks
/// loop over (`0..<vcpus`) or multiply.
final class DomainXMLBoundsTests: XCTestCase {
    func reason(_ body: String) -> String? {
        do {
            _ = try DomainXML.parse("<domain><name>d</name>\(body)</domain>", source: "x.xml")
            return nil
        } catch { return (error as? ProbeError)?.reason }
    }

    func testOutOfRangeNumbersAreErrors() {
        XCTAssertEqual(reason("<memory>1</memory><vcpu>-1</vcpu>"), "<vcpu> is -1, not from 1 to 16384")
        XCTAssertEqual(
            reason("<memory>1</memory><vcpu>99999999999999999999</vcpu>"),
            "<vcpu> is '99999999999999999999', not a number")
        XCTAssertEqual(
            reason("<memory unit='T'>9223372036854775807</memory><vcpu>1</vcpu>"),
            "<memory> is 9223372036854775807 T, more than the 1 PiB any machine has")
        XCTAssertEqual(
            reason("<memory>1</memory><vcpu>2</vcpu><cputune><vcpupin vcpu='-1' cpuset='0'/></cputune>"),
            "<vcpupin vcpu> is -1, not from 0 to 1")
        XCTAssertEqual(
            reason("<memory>1</memory><vcpu>2</vcpu><numatune><memnode cellid='99999' nodeset='0'/></numatune>"),
            "<memnode cellid> is 99999, not from 0 to 16383")
        XCTAssertNil(reason("<memory unit='TiB'>1024</memory><vcpu>16384</vcpu>"))
    }
}

import ConformCore
import XCTest

final class CPUSetTests: XCTestCase {
    func testKernelListWithRangesAndSingles() throws {
        let set = try CPUSet(parsing: "0-3,8,10-11\n")
        XCTAssertEqual(set.members, [0, 1, 2, 3, 8, 10, 11])
        XCTAssertEqual(set.description, "0-3,8,10-11")
    }

    func testCanonicalFormCollapsesRunsOfTwoOrMore() {
        XCTAssertEqual(CPUSet([17, 53, 16, 52]).description, "16-17,52-53")
        XCTAssertEqual(CPUSet([0, 36]).description, "0,36")
        XCTAssertEqual(CPUSet.empty.description, "")
    }

    func testWhitespaceAroundItemsIsAccepted() throws {
        XCTAssertEqual(try CPUSet(parsing: " 0 - 2 , 5 ").members, [0, 1, 2, 5])
    }

    func testEmptyKernelListIsTheEmptySetButLibvirtRejectsIt() throws {
        XCTAssertEqual(try CPUSet(parsing: "\n"), .empty)
        XCTAssertThrowsError(try CPUSet(parsing: "", dialect: .libvirt)) { error in
            XCTAssertEqual((error as? CPUSetError)?.reason, "the list is empty")
        }
    }

    func testLibvirtExclusionsApplyInOrder() throws {
        XCTAssertEqual(try CPUSet(parsing: "0-3,^2", dialect: .libvirt).members, [0, 1, 3])
        // An exclusion before the range it would remove from removes nothing.
        XCTAssertEqual(try CPUSet(parsing: "^2,0-3", dialect: .libvirt).members, [0, 1, 2, 3])
        // libvirt's own test data: 1-2,5-7,^6 normalises to 1-2,5,7.
        XCTAssertEqual(try CPUSet(parsing: "1-2,5-7,^6", dialect: .libvirt).description, "1-2,5,7")
    }

    func testExclusionsAreNotKernelSyntax() {
        XCTAssertThrowsError(try CPUSet(parsing: "0-3,^2")) { error in
            XCTAssertTrue("\(error)".contains("libvirt syntax"), "\(error)")
        }
    }

    func testExclusionsLeavingNothingAreRejected() {
        XCTAssertThrowsError(try CPUSet(parsing: "2,^2", dialect: .libvirt))
    }

    func testInvalidListsNameTheProblem() {
        let cases: [(String, String)] = [
            ("3-1", "reversed range '3-1'"),
            ("1-2-3", "malformed range '1-2-3'"),
            ("0,,2", "empty item between commas"),
            ("0,a", "'a' is not a CPU number"),
            ("0-7:2", "'7:2' is not a CPU number"),
            ("-1", "'' is not a CPU number"),
            ("16384", "CPU 16384 is above the largest possible CPU 16383"),
            ("0x3", "'0x3' is not a CPU number"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try CPUSet(parsing: text, dialect: .libvirt), text) { error in
                XCTAssertEqual((error as? CPUSetError)?.reason, reason, text)
                XCTAssertTrue("\(error)".contains("'\(text)'"), "the message quotes the list: \(error)")
            }
        }
    }

    /// libvirt accepts CPU numbers up to 16383 (VIR_DOMAIN_CPUMASK_LEN); a pin it accepts must read.
    func testEveryCPUNumberLibvirtAcceptsParses() throws {
        XCTAssertEqual(try CPUSet(parsing: "16383", dialect: .libvirt).members, [16383])
        XCTAssertEqual(try CPUSet(parsing: "8190-8193").count, 4)
    }

    func testHexMaskAsOlderKernelsWriteNodeCPUMaps() throws {
        // 2x EPYC 7451 node0: CPUs 0-5 and 48-53 in a 96-bit mask.
        XCTAssertEqual(try CPUSet(hexMask: "00000000,003f0000,0000003f").description, "0-5,48-53")
        XCTAssertEqual(try CPUSet(hexMask: "ff,00000000,00000000").description, "64-71")
        XCTAssertThrowsError(try CPUSet(hexMask: "zz"))
        XCTAssertThrowsError(try CPUSet(hexMask: "123456789"))
    }

    func testSetOperations() {
        let node0: CPUSet = [0, 1, 36, 37]
        let vm: CPUSet = [1, 37, 2]
        XCTAssertEqual(node0.intersection(vm).description, "1,37")
        XCTAssertEqual(vm.subtracting(node0).description, "2")
        XCTAssertTrue(CPUSet([0, 36]).isSubset(of: node0))
        XCTAssertFalse(vm.isSubset(of: node0))
    }

    func testCodableAsCanonicalText() throws {
        let data = try JSONEncoder().encode(["cpus": CPUSet([3, 0, 1, 2, 8])])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"cpus":"0-3,8"}"#)
        XCTAssertEqual(try JSONDecoder().decode([String: CPUSet].self, from: data)["cpus"]?.members, [0, 1, 2, 3, 8])
    }

    /// Members near Int.max (a set built from numbers read elsewhere) print without overflowing n + 1.
    func testTheCanonicalFormOfMembersNearIntMax() {
        XCTAssertEqual(CPUSet([Int.max - 1, Int.max, 0]).description, "0,\(Int.max - 1)-\(Int.max)")
        XCTAssertEqual(CPUSet([Int.max]).description, "\(Int.max)")
        XCTAssertEqual(CPUSet([Int.min, Int.max]).description, "\(Int.min),\(Int.max)")
    }

    func testAMaskWithBitsPastTheLargestCPUIsAnError() {
        let words = ["00000001"] + Array(repeating: "00000000", count: 512)
        XCTAssertThrowsError(try CPUSet(hexMask: words.joined(separator: ","))) { error in
            XCTAssertTrue("\(error)".contains("CPU 16384 is above the largest possible CPU 16383"), "\(error)")
        }
        let widest = ["80000000"] + Array(repeating: "00000000", count: 511)
        XCTAssertEqual(try CPUSet(hexMask: widest.joined(separator: ",")).members, [16383])
    }
}

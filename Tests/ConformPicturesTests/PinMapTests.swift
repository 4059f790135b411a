import ConformCore
import XCTest

@testable import ConformPictures

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class PinMapTests: XCTestCase {
    /// Two nodes of two cores of two threads: node 0 has cores 0,1 and 2,3; node 1 has 4,5 and 6,7.
    let topology = NUMATopology(
        nodes: [
            .init(id: 0, cpus: [0, 1, 2, 3], memoryGiB: 16), .init(id: 1, cpus: [4, 5, 6, 7], memoryGiB: 16),
        ],
        siblings: [[0, 1], [2, 3], [4, 5], [6, 7]])

    /// alpha has core 0,1 and its emulator on 2; bravo has a vCPU on alpha's emulator CPU; charlie shares CPU 0
    /// with alpha and spans both nodes; delta splits core 4,5 with charlie.
    func map(live: [String: PinMap.Threads] = [:], flexible: Set<String> = []) -> PinMap {
        let designed: [PinMap.Guest] = [
            PinMap.Guest(name: "alpha", vcpuCPUs: [CPUSet([0]), CPUSet([1])], emulatorCPUs: CPUSet([2])),
            PinMap.Guest(name: "bravo", vcpuCPUs: [CPUSet([2]), CPUSet([3])], emulatorCPUs: CPUSet([3])),
            PinMap.Guest(name: "charlie", vcpuCPUs: [CPUSet([4]), CPUSet([0])], emulatorCPUs: nil),
            PinMap.Guest(name: "delta", vcpuCPUs: [CPUSet([5])], emulatorCPUs: CPUSet([7])),
        ]
        let guests = designed.map { guest in
            var guest = guest
            guest.flexible = flexible.contains(guest.name)
            guest.live = live[guest.name]
            return guest
        }
        return PinMap(
            host: "h", state: live.isEmpty ? .designed : .running, topology: topology, sockets: 2, guests: guests)
    }

    func testEveryKindOfConflictIsFoundWithItsCPUs() {
        let map = map()
        let conflicts = map.conflicts(in: map.definedUses)
        let found = conflicts.map { "\($0.kind.rawValue) \($0.cpus)" }
        XCTAssertEqual(
            found,
            [
                "CPU shared by two VMs 0",
                // bravo's vCPU 3 sits on its own emulator CPU 3; its vCPU 2 on alpha's emulator.
                "vCPU on an emulator CPU 2", "vCPU on an emulator CPU 3",
                "VM spanning nodes 0,4",
                "split sibling pair 0-1", "split sibling pair 4-5",
            ])
        XCTAssertEqual(conflicts[0].text, "CPU 0: vCPUs of alpha and charlie")
        XCTAssertEqual(conflicts[1].text, "CPU 2: vCPUs of bravo on the emulator CPUs of alpha")
        XCTAssertEqual(conflicts[2].text, "CPU 3: vCPUs of bravo on its own emulator CPUs")
        XCTAssertEqual(conflicts[3].text, "charlie spans nodes 0-1: CPU 0 on node 0; 4 on node 1")
        XCTAssertEqual(conflicts[5].text, "core 4-5 is split: charlie has 4, delta has 5")
        XCTAssertFalse(conflicts.contains { $0.onPurpose })
    }

    func testAFlexibleVMsSharingIsOnPurposeButStillDrawn() {
        let map = map(flexible: ["bravo"])
        let onEmulator = map.conflicts(in: map.definedUses).filter { $0.kind == .vcpuOnEmulator }
        // On another VM's emulator: on purpose; on its own: never.
        XCTAssertEqual(onEmulator.map(\.onPurpose), [true, false])
        XCTAssertTrue(map.drawing().text.contains("(flexible: on purpose, a warning)"))
    }

    func testNoConflictsSaysSo() {
        let map = PinMap(
            host: "h", state: .designed, topology: topology, sockets: 2,
            guests: [.init(name: "alpha", vcpuCPUs: [[0], [1]], emulatorCPUs: [2, 3])])
        XCTAssertEqual(map.conflicts(in: map.definedUses), [])
        XCTAssertTrue(map.drawing().text.contains("No conflicts"))
    }

    func testTheSVGIsWellFormedAndNamesEveryVMAndConflictCPU() throws {
        let text = map().drawing().text
        let document = try XMLDocument(xmlString: text)
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        for name in ["alpha", "bravo", "charlie", "delta"] {
            XCTAssertTrue(texts.contains { $0.contains(name) }, "\(name) is not named")
        }
        for line in ["CPU 0: vCPUs of alpha and charlie", "core 4-5 is split", "CPU 2: vCPUs of bravo"] {
            XCTAssertTrue(texts.contains { $0.contains(line) }, "\(line) is not written")
        }
        // Each CPU is labelled with its number, and the conflicting ones are marked by more than colour.
        for cpu in 0...7 { XCTAssertTrue(texts.contains(String(cpu)), "CPU \(cpu) has no label") }
        let marked = try document.nodes(forXPath: "//*[local-name()='rect'][contains(@class,'conflict')]")
        XCTAssertEqual(marked.count, 3, "CPUs 0, 2 and 3 are drawn as conflicts")
        let hatched = try document.nodes(
            forXPath:
                "//*[local-name()='rect'][contains(@class,'conflict')][@fill='url(#conflict)'][@stroke-width='2.5']")
        XCTAssertEqual(hatched.count, 3, "a conflict is hatched and outlined, not only coloured")
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='rect'][@class='split-core']").count, 2)
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='path'][@class='spans-nodes']").count, 2)
    }

    func testTheSameMapDrawsTheSameBytes() {
        XCTAssertEqual(map().drawing().text, map().drawing().text)
        XCTAssertEqual(map().figure.fileName, "pinmap-h.svg")
    }

    func testLiveThreadsThatDifferAreShownBesideTheDefinition() throws {
        let running = map(live: [
            "alpha": .init(vcpuCPUs: [[0], [0, 1, 2, 3, 4, 5, 6, 7]], emulatorCPUs: [2]),
            "bravo": .init(vcpuCPUs: [[2], [3]], emulatorCPUs: [3]),
        ])
        XCTAssertEqual(
            running.liveDifferences, ["alpha: vCPU 1 defined on 1, running on 0-7"])
        let text = running.drawing().text
        XCTAssertTrue(text.contains("Live threads differ from the definition (1)"), text)
        let document = try XMLDocument(xmlString: text)
        // Every CPU but 1 gains alpha's vCPU 1 live, and CPU 1 has it as defined.
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='rect'][@class='live']").count, 7)
    }

    func testAnUnpinnedEmulatorRunningAnywhereIsAsDefined() {
        let running = map(live: ["charlie": .init(vcpuCPUs: [[4], [0]], emulatorCPUs: [0, 1, 2, 3, 4, 5, 6, 7])])
        XCTAssertEqual(running.liveDifferences, [])
        XCTAssertTrue(running.drawing().text.contains("The live threads run where the definition puts them."))
    }

    func testNodesAreSplitAmongTheSockets() {
        var map = map()
        XCTAssertEqual(map.socketNodes, [[0], [1]])
        map.sockets = 1
        XCTAssertEqual(map.socketNodes, [[0, 1]])
        map.sockets = 3
        XCTAssertEqual(map.socketNodes, [[0, 1]], "three sockets cannot hold two nodes evenly: one group")
    }
}

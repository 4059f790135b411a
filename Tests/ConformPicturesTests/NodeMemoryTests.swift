import ConformCore
import XCTest

@testable import ConformPictures

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class NodeMemoryTests: XCTestCase {
    func memory(_ guests: [NodeMemory.Guest]) -> NodeMemory {
        NodeMemory(
            host: "h", state: .designed, nodes: [.init(id: 0, capacityGiB: 126), .init(id: 1, capacityGiB: 126)],
            hostReserveGiB: 4, guests: guests)
    }

    func testBoundMemoryTheReserveAndWhatIsLeft() throws {
        let memory = memory([
            .init(name: "w1", memoryGiB: 120, strictNodes: [0]), .init(name: "w2", memoryGiB: 120, strictNodes: [1]),
            .init(name: "minio", memoryGiB: 32, strictNodes: nil),
        ])
        XCTAssertEqual(memory.left(on: memory.nodes[0]), 2)
        XCTAssertEqual(memory.leftOver, 4)
        let text = memory.drawing().text
        XCTAssertNoThrow(try XMLDocument(xmlString: text))
        XCTAssertTrue(text.contains("node 0: A w1 120.0 GiB + host reserve 4.0 GiB of 126.0 GiB: 2.0 GiB left"), text)
        XCTAssertTrue(text.contains("C minio 32.0 GiB need 32.0 GiB; 4.0 GiB is left over the nodes: no room"))
        XCTAssertTrue(text.contains("class=\"no-room\""))
        XCTAssertFalse(text.contains("over-commit"))
    }

    func testAnOverCommittedNodeIsMarked() {
        let memory = memory([
            .init(name: "big", memoryGiB: 130, strictNodes: [0]),
            // Bound to both nodes: half on each, as hv.memory.fits counts it.
            .init(name: "both", memoryGiB: 20, strictNodes: [0, 1]),
        ])
        XCTAssertEqual(memory.left(on: memory.nodes[0]), -18)
        XCTAssertEqual(memory.left(on: memory.nodes[1]), 112)
        let text = memory.drawing().text
        XCTAssertTrue(text.contains("over-committed by 18.0 GiB"), text)
        XCTAssertTrue(text.contains("class=\"over-commit\""))
        XCTAssertTrue(text.contains("over by 18.0 GiB"))
    }

    func testUnboundGuestsThatFitAreNotAlarming() {
        let text = memory([.init(name: "small", memoryGiB: 8, strictNodes: nil)]).drawing().text
        XCTAssertTrue(text.contains("it fits"), text)
        XCTAssertFalse(text.contains("no-room"))
    }

    func testAnUnknownNodeSizeIsSaid() {
        let memory = NodeMemory(
            host: "h", state: .running, nodes: [.init(id: 0, capacityGiB: nil)], hostReserveGiB: 0,
            guests: [.init(name: "w", memoryGiB: 4, strictNodes: nil)])
        XCTAssertNil(memory.leftOver)
        XCTAssertTrue(memory.drawing().text.contains("a node's size is not known"))
    }
}

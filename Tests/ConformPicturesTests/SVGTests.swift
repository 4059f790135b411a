import ConformCore
import XCTest

@testable import ConformPictures

final class SVGTests: XCTestCase {
    func testNumbersAreShortAndLocaleFree() {
        XCTAssertEqual(SVG.number(12), "12")
        XCTAssertEqual(SVG.number(12.5), "12.5")
        XCTAssertEqual(SVG.number(0.254), "0.25")
        XCTAssertEqual(SVG.number(.nan), "0")
    }

    func testTextIsEscapedAndDefinitionsAreAddedOnce() {
        let svg = SVG(width: 10, height: 10, title: "a < b & \"c\"")
        _ = Palette.ownerFill(1, in: svg)
        _ = Palette.ownerFill(1, in: svg)
        svg.add(SVG.label("x & y", x: 1, y: 2))
        XCTAssertTrue(svg.text.contains("<title>a &lt; b &amp; \"c\"</title>"), svg.text)
        XCTAssertTrue(svg.text.contains("x &amp; y"))
        XCTAssertEqual(svg.text.components(separatedBy: "id=\"owner1\"").count, 2, svg.text)
    }
}

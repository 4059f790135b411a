import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Colours and fill patterns every picture shares. The owner colours are Okabe and Ito's set, told apart by
/// people with any common colour-vision deficiency; every owner also has a fill pattern and a text label, so
/// that nothing is told by hue alone (nor in a grey-scale print).
public enum Palette {
    public static let ink = "#1a1a1a"
    public static let muted = "#6b6b6b"
    public static let grid = "#bdbdbd"
    public static let free = "#f4f4f4"
    public static let background = "#ffffff"
    /// What the pictures mark as wrong: a conflict, an over-commit, a value outside its band.
    public static let alarm = "#b2182b"
    public static let good = "#1b7837"

    /// Okabe–Ito, without its black (the ink) and its yellow (too pale for white text and thin strokes).
    public static let owners = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933"]

    /// The colour of the `index`-th owner (a VM, in the order the design lists them).
    public static func ownerColour(_ index: Int) -> String { owners[index % owners.count] }

    /// The kinds of fill pattern, one per owner index (cycling), defined in a document with `pattern(_:in:)`.
    static let patternKinds = ["solid", "diagonal", "dots", "vertical", "crosshatch", "horizontal", "antidiagonal"]

    /// Defines (once) and returns the `fill` value of the `index`-th owner: its colour, in its pattern.
    public static func ownerFill(_ index: Int, in svg: SVG) -> String {
        let kind = patternKinds[index % patternKinds.count]
        let colour = ownerColour(index)
        guard kind != "solid" else { return colour }
        let id = "owner\(index)"
        svg.define(pattern(id: id, kind: kind, colour: colour))
        return "url(#\(id))"
    }

    /// The hatching that marks a conflict: dense alarm-coloured stripes over whatever is below.
    public static func conflictFill(in svg: SVG) -> String {
        let pattern = SVG.element(
            "pattern",
            [
                ("id", "conflict"), ("width", "6"), ("height", "6"), ("patternUnits", "userSpaceOnUse"),
                ("patternTransform", "rotate(45)"),
            ])
        pattern.addChild(
            SVG.element("rect", [("width", "6"), ("height", "6"), ("fill", "#ffffff"), ("fill-opacity", "0.35")]))
        pattern.addChild(SVG.element("rect", [("width", "3"), ("height", "6"), ("fill", alarm)]))
        svg.define(pattern)
        return "url(#conflict)"
    }

    static func pattern(id: String, kind: String, colour: String) -> XMLElement {
        let size = 6.0
        let pattern = SVG.element(
            "pattern",
            [("id", id), ("width", SVG.number(size)), ("height", SVG.number(size)), ("patternUnits", "userSpaceOnUse")])
        pattern.addChild(
            SVG.rect(x: 0, y: 0, width: size, height: size, fill: colour, extra: [("fill-opacity", "0.55")]))
        let stroke: [(String, String)] = [("stroke", colour), ("stroke-width", "2")]
        switch kind {
        case "diagonal": pattern.addChild(SVG.element("path", [("d", "M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5")] + stroke))
        case "antidiagonal": pattern.addChild(SVG.element("path", [("d", "M0,0 L6,6 M-1,5 L1,7 M5,-1 L7,1")] + stroke))
        case "vertical": pattern.addChild(SVG.element("path", [("d", "M3,0 L3,6")] + stroke))
        case "horizontal": pattern.addChild(SVG.element("path", [("d", "M0,3 L6,3")] + stroke))
        case "crosshatch": pattern.addChild(SVG.element("path", [("d", "M3,0 L3,6 M0,3 L6,3")] + stroke))
        default:  // dots
            pattern.addChild(
                SVG.element("circle", [("cx", "3"), ("cy", "3"), ("r", "1.8"), ("fill", colour)]))
        }
        return pattern
    }
}

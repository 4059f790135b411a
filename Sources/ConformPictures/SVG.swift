import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An SVG document, built with FoundationXML's elements: attributes keep the order given, text and attribute
/// values are escaped by the library, and the same calls write the same bytes.
public final class SVG {
    public let root: XMLElement
    let definitions: XMLElement

    /// A document of `width` × `height` user units whose `<title>` (what screen readers and tooltips say) is
    /// `title`.
    public init(width: Double, height: Double, title: String) {
        root = SVG.element(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", SVG.number(width)), ("height", SVG.number(height)),
                ("viewBox", "0 0 \(SVG.number(width)) \(SVG.number(height))"), ("role", "img"),
                ("font-family", "DejaVu Sans, Verdana, sans-serif"), ("font-size", "11"),
            ])
        root.addChild(XMLElement(name: "title", stringValue: title))
        definitions = XMLElement(name: "defs")
        root.addChild(definitions)
    }

    /// Adds `element` to the document's top level, or to `parent`; returns it.
    @discardableResult
    public func add(_ element: XMLElement, to parent: XMLElement? = nil) -> XMLElement {
        (parent ?? root).addChild(element)
        return element
    }

    /// Adds a definition (a pattern, a marker) once, under its `id`.
    public func define(_ element: XMLElement) {
        let id = element.attribute(forName: "id")?.stringValue
        let known = (definitions.children ?? []).contains {
            ($0 as? XMLElement)?.attribute(forName: "id")?.stringValue == id
        }
        if !known { definitions.addChild(element) }
    }

    /// The document as text, without an XML declaration (it is inlined in `report.html` as it is).
    public var text: String {
        root.xmlString(options: [.nodePrettyPrint]) + "\n"
    }

    /// An element with attributes in the order given and, optionally, text.
    public static func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) -> XMLElement {
        let element = text.map { XMLElement(name: name, stringValue: $0) } ?? XMLElement(name: name)
        for (key, value) in attributes {
            if let attribute = XMLNode.attribute(withName: key, stringValue: value) as? XMLNode {
                element.addAttribute(attribute)
            }
        }
        return element
    }

    public static func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        strokeWidth: Double = 1, extra: [(String, String)] = []
    ) -> XMLElement {
        var attributes: [(String, String)] = [
            ("x", number(x)), ("y", number(y)), ("width", number(width)), ("height", number(height)), ("fill", fill),
        ]
        if let stroke { attributes += [("stroke", stroke), ("stroke-width", number(strokeWidth))] }
        return element("rect", attributes + extra)
    }

    /// A line of text; `anchor` is SVG's `text-anchor` (start, middle, end).
    public static func label(
        _ text: String, x: Double, y: Double, anchor: String = "start", size: Double? = nil, weight: String? = nil,
        fill: String = Palette.ink
    ) -> XMLElement {
        var attributes: [(String, String)] = [("x", number(x)), ("y", number(y)), ("fill", fill)]
        if anchor != "start" { attributes.append(("text-anchor", anchor)) }
        if let size { attributes.append(("font-size", number(size))) }
        if let weight { attributes.append(("font-weight", weight)) }
        return element("text", attributes, text: text)
    }

    /// Text drawn over a pattern gets a white halo (a stroke painted under its fill), so that it stays readable
    /// on any fill.
    public static func haloed(_ label: XMLElement) -> XMLElement {
        for (key, value) in [("stroke", "#ffffff"), ("stroke-width", "3"), ("paint-order", "stroke")] {
            if let attribute = XMLNode.attribute(withName: key, stringValue: value) as? XMLNode {
                label.addAttribute(attribute)
            }
        }
        return label
    }

    /// Coordinates as short, locale-free decimals: `12`, `12.5`, `0.25`.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

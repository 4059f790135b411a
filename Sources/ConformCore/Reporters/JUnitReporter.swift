import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// JUnit XML valid against the Ant schema (`../shared/schemas/junit.xsd`): one `testsuite` per host and
/// layer, one `testcase` per result. The schema allows properties only on suites, so each result's
/// expected, observed and measurements are suite properties named after the result.
public struct JUnitReporter: Sendable {
    public init() {}

    public func render(_ report: RunReport) -> String {
        let root = XMLElement(name: "testsuites")
        let timestamp = ReportTime.junit(report.started)
        var suiteID = 0
        for host in report.hosts {
            for layer in Layer.allCases {
                let results = report.results.filter { $0.host == host && $0.layer == layer }
                guard !results.isEmpty else { continue }
                root.addChild(
                    suite(
                        results, host: host, layer: layer, id: suiteID, profile: report.profile, timestamp: timestamp,
                        strict: report.strict))
                suiteID += 1
            }
        }
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlString(options: [.nodePrettyPrint]) + "\n"
    }

    func suite(
        _ results: [CheckResult], host: String, layer: Layer, id: Int, profile: String, timestamp: String,
        strict: Bool = false
    ) -> XMLElement {
        let summary = Summary(results)
        // With --strict a warning fails the run, so it is a failure here too: CI shows what made it red.
        let failures = summary.fail + (strict ? summary.warn : 0)
        let name = "\(host).\(layer.rawValue)"
        let suite = XMLElement(name: "testsuite")
        setAttributes(
            suite,
            [
                "package": "conform.\(profile)", "id": String(id), "name": name, "timestamp": timestamp,
                "hostname": host, "tests": String(results.count), "failures": String(failures),
                "errors": String(summary.error), "skipped": String(summary.skip + summary.waived),
                "time": ReportTime.seconds(results.reduce(0) { $0 + $1.durationSeconds }),
            ])
        let properties = XMLElement(name: "properties")
        properties.addChild(property("profile", profile))
        if strict {
            properties.addChild(property("strict", "true: \(summary.warn) warning(s) counted as failures"))
        }
        for result in results {
            if !result.expected.isEmpty {
                properties.addChild(property("\(result.qualifiedName).expected", result.expected))
            }
            if !result.observed.isEmpty {
                properties.addChild(property("\(result.qualifiedName).observed", result.observed))
            }
            for measurement in result.measurements {
                properties.addChild(
                    property(
                        "\(result.qualifiedName).\(measurement.name)",
                        "\(measurement.value) \(measurement.unit.rawValue)"))
            }
        }
        suite.addChild(properties)
        for result in results { suite.addChild(testcase(result, classname: name, strict: strict)) }
        let warnings = results.filter { $0.status == .warn }.map { "WARN \($0.qualifiedName): \($0.message)" }
        suite.addChild(XMLElement(name: "system-out", stringValue: warnings.joined(separator: "\n")))
        suite.addChild(XMLElement(name: "system-err", stringValue: ""))
        return suite
    }

    func testcase(_ result: CheckResult, classname: String, strict: Bool = false) -> XMLElement {
        let testcase = XMLElement(name: "testcase")
        setAttributes(
            testcase,
            [
                "name": result.qualifiedName, "classname": classname,
                "time": ReportTime.seconds(result.durationSeconds),
            ])
        let detail = [
            result.message, "expected: \(result.expected)", "observed: \(result.observed)",
            "remediation: \(result.remediation)",
        ].joined(separator: "\n")
        switch result.status {
        case .warn where strict:
            testcase.addChild(
                outcome(
                    "failure", message: "warning counted as a failure (--strict): \(result.message)",
                    type: "warn", text: detail))
        case .pass, .warn:
            break
        case .fail:
            testcase.addChild(outcome("failure", message: result.message, type: result.severity.rawValue, text: detail))
        case .error:
            testcase.addChild(outcome("error", message: result.message, type: "error", text: detail))
        case .skip, .waived:
            let skipped = XMLElement(name: "skipped", stringValue: result.message)
            skipped.addAttribute(
                attribute("message", result.status == .waived ? "waived: \(result.message)" : result.message))
            testcase.addChild(skipped)
        }
        return testcase
    }

    func outcome(_ name: String, message: String, type: String, text: String) -> XMLElement {
        let element = XMLElement(name: name, stringValue: text)
        setAttributes(element, ["message": message, "type": type])
        return element
    }

    func property(_ name: String, _ value: String) -> XMLElement {
        let element = XMLElement(name: "property")
        setAttributes(element, ["name": name, "value": value])
        return element
    }

    /// Adds attributes in the order written, so the same report is always the same bytes.
    func setAttributes(_ element: XMLElement, _ attributes: KeyValuePairs<String, String>) {
        for (name, value) in attributes { element.addAttribute(attribute(name, value)) }
    }

    func attribute(_ name: String, _ value: String) -> XMLNode {
        let node = XMLNode(kind: .attribute)
        node.name = name
        node.stringValue = value
        return node
    }
}

import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A file for libvirt's test driver (`test:///path/libvirt.xml`, as every fixture hypervisor has), checked
/// with conform's own XML reader before libvirt parses it.
///
/// libvirt allocates by some of the numbers in it: `<vcpu>` -1 (read as 4294967295) or 2147483648 made
/// `virDomainDefParseNode` ask GLib for 34 GB, and GLib aborts the whole process when that fails. So every
/// number libvirt would size something by is held to what any machine has, and a file that is not a regular
/// file (a FIFO blocks its reader) is refused before it is opened.
public enum TestDriverFile {
    /// The file of a `test:///path` URI, or `nil` for other URIs (and `test:///default`, libvirt's own).
    public static func path(ofURI uri: String) -> String? {
        guard uri.hasPrefix("test:///"), uri != "test:///default" else { return nil }
        let path = String(uri.dropFirst("test://".count))
        return path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }

    /// Throws an `InputError` naming the file and the field of the first value out of range.
    public static func validate(file path: String) throws {
        let root = try document(path)
        switch root.name {
        case "node":
            try validateNode(root, file: path)
            let directory = (path as NSString).deletingLastPathComponent
            for domain in root.elements(forName: "domain") {
                // The test driver also reads a domain from a file of its own: <domain file='vm1.xml'/>.
                if let included = domain.attribute(forName: "file")?.stringValue {
                    let full =
                        included.hasPrefix("/") ? included : (directory as NSString).appendingPathComponent(included)
                    let element = try document(full)
                    guard element.name == "domain" else {
                        throw InputError(
                            file: full, message: "the root element is <\(element.name ?? "")>, not <domain>")
                    }
                    try validateDomain(element, file: full)
                } else {
                    try validateDomain(domain, file: path)
                }
            }
        case "domain":
            try validateDomain(root, file: path)
        default:
            throw InputError(file: path, message: "the root element is <\(root.name ?? "")>, not <node> or <domain>")
        }
    }

    static func document(_ path: String) throws -> XMLElement {
        let data: Data
        do { data = try InputFile.contents(path) } catch { throw InputError(file: path, message: error.reason) }
        do { return try XMLRoot.read(data) } catch {
            throw InputError(file: path, line: error.line, message: error.reason)
        }
    }

    /// The host the test driver pretends to be: `<cpu>`'s counts and `<memory>`.
    static func validateNode(_ node: XMLElement, file: String) throws {
        let reader = ElementReader()
        var product = 1
        for cpu in node.elements(forName: "cpu") {
            for name in ["nodes", "sockets", "cores", "threads", "active"] {
                for element in cpu.elements(forName: name) {
                    let count = try wrap(file, "node.cpu.\(name)") {
                        try reader.integer(element.stringValue, "<\(name)>", in: 1...Bounds.cpus, file)
                    }
                    if name != "active" { product *= count }
                    guard product <= Bounds.cpus else {
                        throw InputError(
                            file: file, field: "node.cpu",
                            message:
                                "<nodes> × <sockets> × <cores> × <threads> is more than the \(Bounds.cpus) CPUs any machine has"
                        )
                    }
                }
            }
            for element in cpu.elements(forName: "mhz") {
                _ = try wrap(file, "node.cpu.mhz") {
                    try reader.integer(element.stringValue, "<mhz>", in: 0...1_000_000, file)
                }
            }
        }
        for memory in node.elements(forName: "memory") {
            _ = try wrap(file, "node.memory") { try DomainXML.kibibytes(memory, "<memory>", in: file) }
        }
    }

    /// One domain: what conform reads (through `DomainXML`, which bounds `<vcpu>`, `<memory>`, the pins), and
    /// what libvirt sizes arrays by that conform does not read: `<currentMemory>`, `<vcpus>`, `<iothreads>`.
    static func validateDomain(_ domain: XMLElement, file: String) throws {
        let name = domain.elements(forName: "name").first?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        let field = "domain '\(name)'"
        let facts = try wrap(file, field) { try DomainXML.parse(domain, state: "running", source: file) }
        let reader = ElementReader()
        for element in domain.elements(forName: "currentMemory") {
            let kib = try wrap(file, "\(field).currentMemory") {
                try DomainXML.kibibytes(element, "<currentMemory>", in: file)
            }
            guard kib <= facts.memoryKiB else {
                throw InputError(
                    file: file, field: "\(field).currentMemory",
                    message: "<currentMemory> is \(kib) KiB, more than <memory>'s \(facts.memoryKiB) KiB")
            }
        }
        if let cputune = domain.elements(forName: "cputune").first,
            cputune.elements(forName: "vcpupin").count > facts.vcpus
        {
            throw InputError(
                file: file, field: "\(field).cputune.vcpupin",
                message: "\(cputune.elements(forName: "vcpupin").count) <vcpupin> for \(facts.vcpus) vCPUs")
        }
        if let vcpus = domain.elements(forName: "vcpus").first {
            let entries = vcpus.elements(forName: "vcpu")
            guard entries.count <= facts.vcpus else {
                throw InputError(
                    file: file, field: "\(field).vcpus",
                    message: "\(entries.count) <vcpu> entries for \(facts.vcpus) vCPUs")
            }
            for entry in entries {
                _ = try wrap(file, "\(field).vcpus.vcpu") {
                    try reader.integer(
                        entry.attribute(forName: "id")?.stringValue, "<vcpus><vcpu id>", in: 0...(facts.vcpus - 1), file
                    )
                }
                if let order = entry.attribute(forName: "order")?.stringValue {
                    _ = try wrap(file, "\(field).vcpus.vcpu") {
                        try reader.integer(order, "<vcpus><vcpu order>", in: 1...facts.vcpus, file)
                    }
                }
            }
        }
        for element in domain.elements(forName: "iothreads") {
            _ = try wrap(file, "\(field).iothreads") {
                try reader.integer(element.stringValue, "<iothreads>", in: 0...Bounds.cpus, file)
            }
        }
    }

    /// A `ProbeError` of the shared readers as the `InputError` of this file and field.
    static func wrap<T>(_ file: String, _ field: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ProbeError {
            // The readers name the element in their reason; their path is the file (and domain) already named.
            throw InputError(file: file, field: field, message: error.reason)
        }
    }
}

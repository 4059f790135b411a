import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the parts of libvirt's domain XML that placement depends on, with a real XML parser.
///
/// Defaults follow libvirt: `<vcpu placement>` is `static`, `<numatune><memory mode>` is `strict`, and its
/// placement is `auto` when no nodeset is given. CPU sets use libvirt's syntax (`1-2,5-7,^6`).
public enum DomainXML {
    /// Parses one `<domain>` document; `state` comes from the API, not the XML.
    public static func parse(_ xml: String, state: String = "running", source: String = "domain XML") throws
        -> DomainFacts
    {
        let root: XMLElement
        do { root = try XMLRoot.read(Data(xml.utf8)) } catch { throw ProbeError(path: source, reason: error.reason) }
        guard root.name == "domain" else {
            throw ProbeError(path: source, reason: "the root element is not <domain>")
        }
        return try parse(root, state: state, source: source)
    }

    /// Parses a `<domain>` element (also one inside a test-driver `<node>` document).
    public static func parse(_ domain: XMLElement, state: String, source: String) throws -> DomainFacts {
        let reader = ElementReader()
        guard let name = domain.elements(forName: "name").first?.stringValue?.trimmingCharacters(in: .whitespaces),
            !name.isEmpty
        else {
            throw ProbeError(path: source, reason: "<domain> has no <name>")
        }
        let context = "\(source) (domain \(name))"
        let vcpu = try reader.child(domain, "vcpu", in: context)
        let memory = try reader.child(domain, "memory", in: context)
        // Every number is held to what libvirt itself accepts or any machine has: the checks count vCPUs
        // 0..<vcpus and multiply memory, so a value from a mutated file must not reach them.
        let vcpus = try reader.integer(vcpu.stringValue, "<vcpu>", in: 1...Bounds.cpus, context)
        var facts = DomainFacts(
            name: name, state: state, vcpus: vcpus, memoryKiB: try kibibytes(memory, "<memory>", in: context))
        facts.currentVCPUs = try vcpu.attribute(forName: "current")?.stringValue.map {
            try reader.integer($0, "<vcpu current>", in: 1...vcpus, context)
        }
        facts.vcpuPlacement = vcpu.attribute(forName: "placement")?.stringValue ?? "static"
        facts.vcpuCPUSet = try reader.cpuset(vcpu, "cpuset", in: context)

        if let cputune = domain.elements(forName: "cputune").first {
            for pin in cputune.elements(forName: "vcpupin") {
                facts.vcpuPins.append(
                    VCPUPin(
                        vcpu: try reader.integer(
                            pin.attribute(forName: "vcpu")?.stringValue, "<vcpupin vcpu>", in: 0...(vcpus - 1),
                            context),
                        cpuset: try reader.requiredCPUSet(pin, in: context)))
            }
            facts.vcpuPins.sort { $0.vcpu < $1.vcpu }
            if let emulator = cputune.elements(forName: "emulatorpin").first {
                facts.emulatorPin = try reader.requiredCPUSet(emulator, in: context)
            }
            for pin in cputune.elements(forName: "iothreadpin") {
                facts.iothreadPins.append(
                    IOThreadPin(
                        iothread: try reader.integer(
                            pin.attribute(forName: "iothread")?.stringValue, "<iothreadpin iothread>",
                            in: 0...Int(UInt32.max), context),
                        cpuset: try reader.requiredCPUSet(pin, in: context)))
            }
            facts.iothreadPins.sort { $0.iothread < $1.iothread }
        }
        if let numatune = domain.elements(forName: "numatune").first {
            if let memoryElement = numatune.elements(forName: "memory").first {
                let nodeset = try reader.cpuset(memoryElement, "nodeset", in: context)
                facts.numaMemory = NumaTuneMemory(
                    mode: memoryElement.attribute(forName: "mode")?.stringValue ?? "strict", nodeset: nodeset,
                    placement: memoryElement.attribute(forName: "placement")?.stringValue
                        ?? (nodeset == nil ? "auto" : "static"))
            }
            for memnode in numatune.elements(forName: "memnode") {
                facts.memoryNodes.append(
                    MemoryNode(
                        cellID: try reader.integer(
                            memnode.attribute(forName: "cellid")?.stringValue, "<memnode cellid>",
                            in: 0...CPUSet.maximumCPU, context),
                        mode: memnode.attribute(forName: "mode")?.stringValue ?? "strict",
                        nodeset: try reader.requiredCPUSet(memnode, attribute: "nodeset", in: context)))
            }
            facts.memoryNodes.sort { $0.cellID < $1.cellID }
        }
        return facts
    }

    /// `<memory unit='KiB'>` (or another element of libvirt's memory syntax) in KiB, converting libvirt's other
    /// units; more than 1 PiB is more than any machine has.
    static func kibibytes(_ element: XMLElement, _ what: String, in context: String) throws -> Int {
        let reader = ElementReader()
        let value = try reader.integer(element.stringValue, what, in: 0...Int.max, context)
        let unit = element.attribute(forName: "unit")?.stringValue ?? "KiB"
        let factors: [String: Double] = [
            "b": 1.0 / 1024, "bytes": 1.0 / 1024, "KB": 1000.0 / 1024, "k": 1, "KiB": 1, "MB": 1e6 / 1024, "M": 1024,
            "MiB": 1024, "GB": 1e9 / 1024, "G": 1_048_576, "GiB": 1_048_576, "TB": 1e12 / 1024, "T": 1_073_741_824,
            "TiB": 1_073_741_824,
        ]
        guard let factor = factors[unit] else {
            throw ProbeError(path: context, reason: "\(what): unknown memory unit '\(unit)'")
        }
        let kib = (Double(value) * factor).rounded()
        guard kib <= Double(Bounds.memoryKiB) else {
            throw ProbeError(path: context, reason: "\(what) is \(value) \(unit), more than the 1 PiB any machine has")
        }
        return Int(kib)
    }
}

/// Small readers that turn missing or malformed attributes into `ProbeError`s naming the domain.
struct ElementReader {
    func child(_ element: XMLElement, _ name: String, in context: String) throws -> XMLElement {
        guard let child = element.elements(forName: name).first else {
            throw ProbeError(path: context, reason: "no <\(name)> element")
        }
        return child
    }

    /// A number within `range`: outside it, an error naming the element, never a value the checks loop over.
    func integer(_ text: String?, _ what: String, in range: ClosedRange<Int>, _ context: String) throws -> Int {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), let value = Int(text) else {
            throw ProbeError(path: context, reason: "\(what) is '\((text ?? "").prefix(40))', not a number")
        }
        guard range.contains(value) else {
            throw ProbeError(
                path: context, reason: "\(what) is \(value), not from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func cpuset(_ element: XMLElement, _ attribute: String, in context: String) throws -> CPUSet? {
        guard let text = element.attribute(forName: attribute)?.stringValue else { return nil }
        do {
            return try CPUSet(parsing: text, dialect: .libvirt)
        } catch {
            throw ProbeError(path: context, reason: "<\(element.name ?? "") \(attribute)='\(text)'>: \(error)")
        }
    }

    func requiredCPUSet(_ element: XMLElement, attribute: String = "cpuset", in context: String) throws -> CPUSet {
        guard let set = try cpuset(element, attribute, in: context) else {
            throw ProbeError(path: context, reason: "<\(element.name ?? "")> has no \(attribute)")
        }
        return set
    }
}

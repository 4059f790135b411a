import Foundation

/// A set of logical CPU (or NUMA node) numbers, as the kernel and libvirt write them.
///
/// The canonical text form is the kernel's: ascending, runs of two or more collapsed into ranges
/// (`0-3,8,10-11`). Two dialects are parsed: the kernel's cpulist (`0-3,8`) and libvirt's cpuset, which
/// also accepts `^N` exclusions applied in order (`0-3,^2` is {0,1,3}).
public struct CPUSet: Hashable, Sendable, Sequence, ExpressibleByArrayLiteral {
    /// The members, ascending and unique.
    public let members: [Int]

    /// The highest CPU number accepted when parsing: libvirt's (`VIR_DOMAIN_CPUMASK_LEN` is 16384), which is
    /// above the kernel's largest NR_CPUS (8192), so every pin libvirt accepts can be read.
    public static let maximumCPU = 16383

    public init<S: Sequence>(_ cpus: S) where S.Element == Int {
        members = Array(Set(cpus)).sorted()
    }

    public init(arrayLiteral elements: Int...) {
        self.init(elements)
    }

    public static let empty = CPUSet([Int]())

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public func makeIterator() -> IndexingIterator<[Int]> { members.makeIterator() }
    public func contains(_ cpu: Int) -> Bool { members.contains(cpu) }

    public func union(_ other: CPUSet) -> CPUSet { CPUSet(members + other.members) }
    public func intersection(_ other: CPUSet) -> CPUSet { CPUSet(Set(members).intersection(other.members)) }
    public func subtracting(_ other: CPUSet) -> CPUSet { CPUSet(Set(members).subtracting(other.members)) }
    public func isSubset(of other: CPUSet) -> Bool { Set(members).isSubset(of: other.members) }
}

extension CPUSet: CustomStringConvertible {
    /// The kernel's canonical list form: `0-3,8,10-11`; the empty set is the empty string.
    public var description: String {
        var parts: [String] = []
        var index = 0
        while index < members.count {
            var end = index
            // members[end] + 1 traps at Int.max (and a difference of members far apart would): stop there.
            while end + 1 < members.count && members[end] < Int.max && members[end + 1] == members[end] + 1 {
                end += 1
            }
            parts.append(end > index ? "\(members[index])-\(members[end])" : "\(members[index])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}

/// Why a CPU list could not be parsed; the message quotes the offending item.
public struct CPUSetError: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "invalid CPU list '\(text)': \(reason)" }
}

extension CPUSet {
    /// The syntax a list is written in.
    public enum Dialect: Sendable {
        /// The kernel's cpulist (`/sys/devices/system/node/node0/cpulist`): ranges and single numbers.
        case kernel
        /// libvirt's cpuset (`<vcpupin cpuset=…>`): as the kernel's, plus `^N` exclusions applied in order.
        case libvirt
    }

    /// Parses a CPU list. The kernel writes an empty line for an empty set, so in the kernel dialect empty
    /// text is the empty set; libvirt rejects an empty cpuset, and so does this parser.
    public init(parsing text: String, dialect: Dialect = .kernel) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if dialect == .kernel {
                self = .empty
                return
            }
            throw CPUSetError(text: text, reason: "the list is empty")
        }
        var cpus = Set<Int>()
        for rawItem in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            if item.isEmpty {
                throw CPUSetError(text: text, reason: "empty item between commas")
            }
            if item.hasPrefix("^") {
                guard dialect == .libvirt else {
                    throw CPUSetError(text: text, reason: "'^' exclusions are libvirt syntax, not a kernel cpulist")
                }
                let excluded = try Self.number(item.dropFirst(), in: text)
                cpus.remove(excluded)
                continue
            }
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            switch bounds.count {
            case 1:
                cpus.insert(try Self.number(bounds[0], in: text))
            case 2:
                let low = try Self.number(bounds[0], in: text)
                let high = try Self.number(bounds[1], in: text)
                guard low <= high else {
                    throw CPUSetError(text: text, reason: "reversed range '\(item)'")
                }
                cpus.formUnion(low...high)
            default:
                throw CPUSetError(text: text, reason: "malformed range '\(item)'")
            }
        }
        if dialect == .libvirt && cpus.isEmpty {
            throw CPUSetError(text: text, reason: "the exclusions leave no CPU")
        }
        self.init(cpus)
    }

    /// Parses a kernel hex mask (`/sys/devices/system/node/node0/cpumap`): comma-separated 32-bit words,
    /// most significant first, so `00000000,003f0000,0000003f` is CPUs 0-5 and 48-53.
    public init(hexMask text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw CPUSetError(text: text, reason: "the mask is empty") }
        var cpus: [Int] = []
        let words = trimmed.split(separator: ",", omittingEmptySubsequences: false)
        for (position, word) in words.reversed().enumerated() {
            guard !word.isEmpty, word.count <= 8, let value = UInt32(word, radix: 16) else {
                throw CPUSetError(text: text, reason: "'\(word)' is not a 32-bit hex word")
            }
            for bit in 0..<32 where value & (UInt32(1) << UInt32(bit)) != 0 {
                let cpu = position * 32 + bit
                guard cpu <= Self.maximumCPU else {
                    throw CPUSetError(
                        text: text, reason: "CPU \(cpu) is above the largest possible CPU \(Self.maximumCPU)")
                }
                cpus.append(cpu)
            }
        }
        self.init(cpus)
    }

    private static func number(_ digits: Substring, in text: String) throws -> Int {
        let trimmed = digits.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber),
            let value = Int(trimmed)
        else {
            throw CPUSetError(text: text, reason: "'\(digits)' is not a CPU number")
        }
        guard value <= maximumCPU else {
            throw CPUSetError(text: text, reason: "CPU \(value) is above the largest possible CPU \(maximumCPU)")
        }
        return value
    }
}

extension CPUSet: Codable {
    /// CPU sets are written in JSON as their canonical list text.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try CPUSet(parsing: container.decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

import Foundation

/// What a check observed, as a value: a baseline stores and compares this, never the display text beside it
/// (`Finding.observed`), so rewording how a check prints what it saw is not drift, and a display shortened
/// for reading (the first sibling groups, `…`) still holds all of it.
///
/// Encoded with one key naming the kind: `{"text": "always"}`, `{"number": 2}`, `{"cpus": "0-17,36-53"}`,
/// `{"list": [...]}`, `{"record": {"numa-node": {"text": "0"}}}`.
public indirect enum ObservedValue: Sendable, Equatable, Codable {
    /// A word or name the check read (a governor, a THP mode, a CPU model, a pod phase).
    case text(String)
    /// A count or amount.
    case number(Double)
    /// Host CPUs, compared as sets: `0-3` and `0,1,2,3` are one value.
    case cpus(CPUSet)
    /// Values in an order that matters (vCPU pins by vCPU, distance rows by node).
    case list([ObservedValue])
    /// Values by name (labels, pods per node, the parts of one observation).
    case record([String: ObservedValue])

    /// A count.
    public static func count(_ count: Int) -> ObservedValue { .number(Double(count)) }

    /// Names whose order does not matter, sorted so two readings in another order are one value.
    public static func names<S: Sequence>(_ names: S) -> ObservedValue where S.Element == String {
        .list(names.sorted().map(ObservedValue.text))
    }

    enum Kind: String, CodingKey {
        case text, number, cpus, list, record
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Kind.self)
        guard let kind = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "an observed value has one key of text, number, cpus, list or record"))
        }
        switch kind {
        case .text: self = .text(try container.decode(String.self, forKey: kind))
        case .number: self = .number(try container.decode(Double.self, forKey: kind))
        case .cpus: self = .cpus(try container.decode(CPUSet.self, forKey: kind))
        case .list: self = .list(try container.decode([ObservedValue].self, forKey: kind))
        case .record: self = .record(try container.decode([String: ObservedValue].self, forKey: kind))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Kind.self)
        switch self {
        case .text(let text): try container.encode(text, forKey: .text)
        case .number(let number): try container.encode(number, forKey: .number)
        case .cpus(let cpus): try container.encode(cpus, forKey: .cpus)
        case .list(let values): try container.encode(values, forKey: .list)
        case .record(let fields): try container.encode(fields, forKey: .record)
        }
    }

    /// The same value with secrets masked in its text, as `CheckResult` masks the display text.
    var redacted: ObservedValue {
        switch self {
        case .text(let text): return .text(Redaction.redact(text))
        case .number, .cpus: return self
        case .list(let values): return .list(values.map(\.redacted))
        case .record(let fields):
            return .record(
                Dictionary(
                    fields.map { (Redaction.redact($0.key), $0.value.redacted) },
                    uniquingKeysWith: { first, _ in first }))
        }
    }
}

extension ObservedValue: CustomStringConvertible {
    /// The value written out whole: what a message shows when two display texts read alike but the values
    /// differ (a display that shortens).
    public var description: String {
        switch self {
        case .text(let text): return text
        case .number(let number): return String(format: "%g", number)
        case .cpus(let cpus): return cpus.description
        case .list(let values): return "[" + values.map(\.description).joined(separator: " ") + "]"
        case .record(let fields):
            return "{" + fields.keys.sorted().map { "\($0)=\(fields[$0]?.description ?? "")" }.joined(separator: ", ")
                + "}"
        }
    }
}

import Foundation
import Yams

/// A node of a YAML (or JSON) input file that remembers where it stands, so every error can name the
/// file, the line and the dotted path of the field.
///
/// Readers take what they know from a mapping and call `finish()`, which rejects any key left over:
/// a misspelt key in a profile is an error, never silently ignored.
public struct YAMLValue {
    public let node: Node
    public let file: String
    public let path: String

    /// Parses a whole file. JSON is read through the same parser (it is YAML), which gives JSON inputs
    /// such as VM definitions line numbers too.
    public static func load(file: String, displayName: String? = nil) throws -> YAMLValue {
        let name = displayName ?? file
        try InputFile.requireRegularFile(file, displayName: name)
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw InputError(file: name, message: "cannot read the file: \(InputError.reason(error))")
        }
        return try parse(text, file: name)
    }

    public static func parse(_ text: String, file: String) throws -> YAMLValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            throw InputError(
                file: file, line: context.mark.line,
                message: "a key appears twice in the same mapping: \(duplicates.joined(separator: ", "))")
        } catch let error as YamlError {
            throw InputError(file: file, line: Self.line(of: error), message: "not valid YAML: \(error)")
        } catch {
            throw InputError(file: file, message: "not valid YAML: \(error)")
        }
        guard let node else { throw InputError(file: file, line: 1, message: "the file is empty") }
        return YAMLValue(node: node, file: file, path: "")
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    public var line: Int? { node.mark?.line }

    public func error(_ message: String) -> InputError {
        InputError(file: file, line: line, field: path.isEmpty ? nil : path, message: message)
    }

    public var isNull: Bool {
        if case .scalar = node, node.null != nil { return true }
        return false
    }

    private var describedValue: String {
        switch node {
        // Enough to find the mistake, never a whole line of someone's file (a token, /etc/passwd).
        case .scalar(let scalar):
            return scalar.string.count > 40
                ? "'\(scalar.string.prefix(24))…' (\(scalar.string.count) characters)" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    public func mapping() throws -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(describedValue)") }
        var entries: [(key: String, value: YAMLValue)] = []
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key else {
                throw error("mapping keys must be plain strings")
            }
            let childPath = path.isEmpty ? keyScalar.string : "\(path).\(keyScalar.string)"
            entries.append((keyScalar.string, YAMLValue(node: value, file: file, path: childPath)))
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    public func list() throws -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(describedValue)") }
        return sequence.enumerated().map { index, child in
            YAMLValue(node: child, file: file, path: "\(path)[\(index)]")
        }
    }

    /// A scalar as written: quoted or not, numbers and dates included.
    public func string() throws -> String {
        guard case .scalar(let scalar) = node, node.null == nil else {
            throw error("expected a string, found \(isNull ? "null" : describedValue)")
        }
        return scalar.string
    }

    public func int() throws -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error("expected an integer, found \(describedValue)")
        }
        return value
    }

    /// An integer within `range`; one outside is an error naming the field and the range.
    public func int(in range: ClosedRange<Int>) throws -> Int {
        let value = try int()
        guard range.contains(value) else {
            throw error("must be from \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
        return value
    }

    /// A finite number: YAML's `.inf` and `.nan` are no quantity a design can mean.
    public func double() throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            throw error("expected a number, found \(describedValue)")
        }
        guard value.isFinite else { throw error("expected a finite number, found \(describedValue)") }
        return value
    }

    /// A finite number within `range`; one outside is an error naming the field and the range.
    public func double(in range: ClosedRange<Double>) throws -> Double {
        let value = try double()
        guard range.contains(value) else {
            throw error(
                "must be from \(range.lowerBound.formattedBound) to \(range.upperBound.formattedBound), found \(describedValue)"
            )
        }
        return value
    }

    public func bool() throws -> Bool {
        guard case .scalar = node, let value = node.bool else {
            throw error("expected true or false, found \(describedValue)")
        }
        return value
    }

    public func stringList() throws -> [String] {
        try list().map { try $0.string() }
    }

    /// A mapping of strings to strings (labels, node selectors).
    public func stringMap() throws -> [String: String] {
        let mapping = try mapping()
        var result: [String: String] = [:]
        for (key, value) in mapping.entries {
            result[key] = try value.string()
        }
        mapping.markAllUsed()
        return result
    }

    /// A CPU list in the given dialect; an invalid list is an error naming this field.
    public func cpuSet(_ dialect: CPUSet.Dialect = .kernel) throws -> CPUSet {
        let text: String
        if case .scalar(let scalar) = node, node.null == nil {
            text = scalar.string
        } else {
            throw error("expected a CPU list such as '0-3,8', found \(describedValue)")
        }
        do {
            return try CPUSet(parsing: text, dialect: dialect)
        } catch let cpuError as CPUSetError {
            throw error(cpuError.description)
        }
    }
}

/// The entries of a YAML mapping, read by key; keys nobody asked for are errors at `finish()`.
public final class YAMLMapping {
    public let owner: YAMLValue
    public let entries: [(key: String, value: YAMLValue)]
    private var used: Set<String> = []

    init(owner: YAMLValue, entries: [(key: String, value: YAMLValue)]) {
        self.owner = owner
        self.entries = entries
    }

    /// The value of a key, or `nil` when the key is absent or explicitly null.
    public func optional(_ key: String) -> YAMLValue? {
        used.insert(key)
        guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else { return nil }
        return value
    }

    public func required(_ key: String) throws -> YAMLValue {
        guard let value = optional(key) else {
            let field = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw InputError(
                file: owner.file, line: owner.line, field: field, message: "required key '\(key)' is missing")
        }
        return value
    }

    /// Whether the key is written at all, even as null (`emulator_cpuset: null` in a VM definition).
    public func has(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }

    func markAllUsed() {
        used.formUnion(entries.map(\.key))
    }

    /// Rejects keys that were never read.
    public func finish() throws {
        let known = used.sorted().joined(separator: ", ")
        if let unknown = entries.first(where: { !used.contains($0.key) }) {
            throw InputError(
                file: owner.file, line: unknown.value.line.map { max(1, $0) }, field: unknown.value.path,
                message: "unknown key '\(unknown.key)' (known keys here: \(known))")
        }
    }
}

extension Double {
    /// `0`, `1048576`, `0.5`: a bound as a person writes it, without `1.048576e+06`.
    fileprivate var formattedBound: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : "\(self)"
    }
}

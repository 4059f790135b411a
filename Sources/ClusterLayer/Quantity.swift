import Foundation

/// A Kubernetes resource quantity (`2000m`, `8Gi`, `1e3`, `0.5`) as a number of base units: cores for
/// CPU, bytes for memory.
public struct Quantity: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let value: Double

    public init(_ value: Double) {
        self.value = value
    }

    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("Pi", 1_125_899_906_842_624),
        ("Ei", 1_152_921_504_606_846_976), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9),
        ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    /// Parses the API's quantity syntax: a signed decimal number, then a binary (`Ki`…`Ei`) or decimal
    /// (`n`, `u`, `m`, `k`, `M`…`E`) suffix, or a decimal exponent (`1e3`).
    /// No quantity is more than 2^63 − 1 base units in magnitude (the API server caps them there), so a
    /// larger one, or one that overflows a Double (`1e309`), is no quantity: it never reaches a sum or a ratio.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        var value: Double?
        if let (suffix, factor) = Self.suffixes.first(where: { trimmed.hasSuffix($0.0) }) {
            value = Self.number(String(trimmed.dropLast(suffix.count))).map { $0 * factor }
        } else {
            value = Self.number(trimmed, allowExponent: true)
        }
        guard let value, value.isFinite, value.magnitude < Self.largest else { return nil }
        self.init(value)
    }

    /// 2^63: the API server's largest quantity is one below it.
    static let largest = 9_223_372_036_854_775_808.0

    private static func number(_ text: String, allowExponent: Bool = false) -> Double? {
        let allowed = CharacterSet(charactersIn: allowExponent ? "0123456789.+-eE" : "0123456789.+-")
        guard !text.isEmpty, text.unicodeScalars.allSatisfy(allowed.contains), let value = Double(text) else {
            return nil
        }
        return value
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(lhs.value + rhs.value) }
    public static let zero = Quantity(0)

    public var description: String { String(format: "%g", value) }
}

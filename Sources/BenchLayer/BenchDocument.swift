import ConformCore
import Foundation

/// `conform bench … --json`: schema `conform.bench/v1`.
public struct BenchDocument: Encodable {
    public var schema = "conform.bench/v1"
    public var benchmark: String
    public var parameters: [String: Parameter]
    public var measurements: [MeasuredValue]

    /// A parameter's value as JSON writes it: numbers as numbers, flags as booleans.
    public enum Parameter: Encodable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
        ExpressibleByBooleanLiteral
    {
        case text(String)
        case integer(Int)
        case number(Double)
        case flag(Bool)

        public init(stringLiteral value: String) { self = .text(value) }
        public init(integerLiteral value: Int) { self = .integer(value) }
        public init(booleanLiteral value: Bool) { self = .flag(value) }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .flag(let value): try container.encode(value)
            }
        }
    }

    public init(benchmark: String, parameters: [String: Parameter], measurements: [MeasuredValue]) {
        self.benchmark = benchmark
        self.parameters = parameters
        self.measurements = measurements
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension MemoryCell {
    /// The best figure under DESIGN.md's name, the median beside it, and the off-node page share.
    public var measurements: [MeasuredValue] {
        [
            MeasuredValue(name: measurementName, value: bestGBps, unit: .gigabytesPerSecond),
            MeasuredValue(name: "\(measurementName).median", value: medianGBps, unit: .gigabytesPerSecond),
            MeasuredValue(
                name: "\(measurementName).off-node", value: offNodeShare * 100, unit: .percent, direction: .lower),
        ]
    }
}

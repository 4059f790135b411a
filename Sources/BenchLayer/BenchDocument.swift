import ConformCore
import Foundation

/// `conform bench … --json`: schema `conform.bench/v1`.
public struct BenchDocument: Encodable {
    public var schema = "conform.bench/v1"
    public var benchmark: String
    public var parameters: [String: String]
    public var measurements: [Measurement]

    public init(benchmark: String, parameters: [String: String], measurements: [Measurement]) {
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
    public var measurements: [Measurement] {
        [
            Measurement(name: measurementName, value: bestGBps, unit: "GB/s"),
            Measurement(name: "\(measurementName).median", value: medianGBps, unit: "GB/s"),
            Measurement(name: "\(measurementName).off-node", value: offNodeShare * 100, unit: "%"),
        ]
    }
}

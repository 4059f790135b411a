/// The unit of a measured value. Its raw value is what results.json, bench JSON, baselines and the
/// Prometheus text write (`"unit": "GB/s"`).
public enum MeasurementUnit: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// Bandwidth, 10^9 bytes per second.
    case gigabytesPerSecond = "GB/s"
    /// Throughput, 10^6 bytes per second.
    case megabytesPerSecond = "MB/s"
    /// A latency.
    case milliseconds = "ms"
    /// A share in percent: whether more is better depends on the share, so a measurement says it.
    case percent = "%"
    /// A memory size, 2^30 bytes.
    case gibibytes = "GiB"
    /// A disk size or amount of space, 10^9 bytes, as disks are sold and designs write them.
    case gigabytes = "GB"
    /// A count of Kubernetes pods.
    case pods
    /// A quotient of two figures of the same unit.
    case ratio

    public var description: String { rawValue }

    /// Which way is better for a figure in this unit, unless its measurement says otherwise: rates higher,
    /// latencies lower; sizes, counts, ratios and shares are a change either way.
    public var direction: MeasurementDirection {
        switch self {
        case .gigabytesPerSecond, .megabytesPerSecond: return .higher
        case .milliseconds: return .lower
        case .percent, .gibibytes, .gigabytes, .pods, .ratio: return .either
        }
    }
}

/// Which way a measured value may move without being a regression.
public enum MeasurementDirection: String, Codable, Sendable, CaseIterable {
    /// Bandwidths and throughputs: a drop is a regression.
    case higher
    /// Latencies and off-node shares: a rise is a regression.
    case lower
    /// Sizes and ratios: any change counts.
    case either
}

/// A number a check measured, with its unit and which way is better.
///
/// Encoded as `{"name": …, "value": …, "unit": "GB/s"}` (results.json, bench JSON): the direction and
/// `baselined` are not written there; a decoded value takes its unit's direction and is baselined.
public struct MeasuredValue: Codable, Sendable, Equatable {
    public let name: String
    public let value: Double
    public let unit: MeasurementUnit
    public let direction: MeasurementDirection
    /// Whether a baseline keeps and compares it. A level that moves by design from night to night (a disk's
    /// used share, its free space) is judged by its own check against the design's threshold; held to a
    /// baseline, it would fail each time the disk fills or empties as designed.
    public let baselined: Bool

    /// `direction` defaults to the unit's; a share in percent where less is better passes `.lower`.
    public init(
        name: String, value: Double, unit: MeasurementUnit, direction: MeasurementDirection? = nil,
        baselined: Bool = true
    ) {
        self.name = name
        self.value = value
        self.unit = unit
        self.direction = direction ?? unit.direction
        self.baselined = baselined
    }

    enum CodingKeys: String, CodingKey {
        case name, value, unit
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            value: try container.decode(Double.self, forKey: .value),
            unit: try container.decode(MeasurementUnit.self, forKey: .unit))
    }
}

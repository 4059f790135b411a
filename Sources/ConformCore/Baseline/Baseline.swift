import Foundation

/// What a host looked like and how fast it was when the baseline was taken (`baselines/<profile>/<host>.json`).
public struct Baseline: Codable, Sendable, Equatable {
    public static let schema = "conform.baseline/v1"

    public var schema: String
    public var profile: String
    public var host: String
    /// RFC 3339.
    public var taken: String
    public var conformVersion: String
    /// Kernel, CPU model and microcode, BIOS date, THP, governor: what may explain a regression.
    public var environment: [String: String]
    /// Every check's observed value, by result name (`host.thp.enabled`, `hv.vcpupin.expected[vm1]`), the
    /// cluster's as it was seen from this host (`k8s.node.labels[w0]`) included.
    public var facts: [String: String]
    /// Every measurement over the runs it was taken from.
    public var measurements: [String: MeasurementStats]

    public init(
        profile: String, host: String, taken: String, conformVersion: String, environment: [String: String],
        facts: [String: String],
        measurements: [String: MeasurementStats]
    ) {
        schema = Self.schema
        self.profile = profile
        self.host = host
        self.taken = taken
        self.conformVersion = conformVersion
        self.environment = environment
        self.facts = facts
        self.measurements = measurements
    }

    /// Builds a baseline from the results of `runs` runs of the same host (and of the cluster, when the runs
    /// checked it).
    public static func from(
        runs: [[CheckResult]], profile: String, host: String, taken: Date, conformVersion: String,
        environment: [String: String]
    ) -> Baseline {
        var samples: [String: (unit: String, check: String, values: [Double])] = [:]
        var facts: [String: String] = [:]
        for results in runs {
            for result in results where result.host == host || result.host == HostPlan.clusterHost {
                if result.isFact { facts[result.qualifiedName] = result.observed }
                for measurement in result.measurements {
                    samples[measurement.name, default: (measurement.unit, result.id, [])].values.append(
                        measurement.value)
                }
            }
        }
        return Baseline(
            profile: profile, host: host, taken: ReportTime.rfc3339(taken), conformVersion: conformVersion,
            environment: environment,
            facts: facts,
            measurements: samples.mapValues { MeasurementStats(samples: $0.values, unit: $0.unit, check: $0.check) })
    }

    /// Reads a baseline; anything that is not one is an `InputError` naming the file.
    public static func load(file: String) throws -> Baseline {
        let data: Data
        do { data = try InputFile.contents(file) } catch { throw InputError(file: file, message: error.reason) }
        let baseline: Baseline
        do {
            baseline = try JSONDecoder().decode(Baseline.self, from: data)
        } catch {
            throw InputError(file: file, message: "not a conform baseline (\(Self.describe(error)))")
        }
        guard baseline.schema == schema else {
            throw InputError(file: file, field: "schema", message: "'\(baseline.schema)' is not \(schema)")
        }
        return baseline
    }

    /// Writes the baseline as pretty JSON via a temporary file and a rename.
    public func write(to file: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: file).deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw InputError(writing: file, error)
        }
        try ReportWriter.writeAtomically(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n", to: file)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        default: return "\(error)"
        }
    }
}

extension CheckResult {
    /// Whether the observed value is a fact to hold against a baseline: a result with measurements observes
    /// a measured quantity (bandwidth, pages per node, requests), which varies from run to run and is
    /// compared through its measurements, with their tolerance, instead.
    public var isFact: Bool { !observed.isEmpty && measurements.isEmpty }
}

/// A measurement over repeated runs: its median and how much it varied.
public struct MeasurementStats: Codable, Sendable, Equatable {
    public var unit: String
    /// The check that measured it (absent in baselines from before it was recorded): a run that did not run
    /// that check did not look, so the measurement is not compared.
    public var check: String?
    public var samples: [Double]
    public var median: Double
    /// (max − min) / median over the samples: 0 for a single run.
    public var spread: Double

    public init(samples: [Double], unit: String, check: String? = nil) {
        let sorted = samples.sorted()
        self.unit = unit
        self.check = check
        self.samples = samples
        median =
            sorted.isEmpty
            ? 0
            : (sorted.count % 2 == 1
                ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
        let range = (sorted.last ?? 0) - (sorted.first ?? 0)
        spread = median != 0 ? abs(range / median) : 0
    }
}

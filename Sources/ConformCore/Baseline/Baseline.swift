import Foundation

/// What a host looked like and how fast it was when the baseline was taken (`baselines/<profile>/<host>.json`).
public struct Baseline: Codable, Sendable, Equatable {
    public static let schema = "conform.baseline/v2"

    public var schema: String
    public var profile: String
    public var host: String
    /// RFC 3339.
    public var taken: String
    public var conformVersion: String
    /// Kernel, CPU model and microcode, BIOS date, THP, governor: what may explain a regression.
    public var environment: [String: String]
    /// Every check's observed value as its report printed it, by result name (`host.thp.enabled`,
    /// `hv.vcpupin.expected[vm1]`), the cluster's as it was seen from this host (`k8s.node.labels[w0]`)
    /// included: for people and messages, never compared.
    public var facts: [String: String]
    /// The same facts as values (`ObservedValue`): what a comparison holds a run to.
    public var factValues: [String: ObservedValue]
    /// Every measurement over the runs it was taken from.
    public var measurements: [String: MeasurementStats]

    public init(
        profile: String, host: String, taken: String, conformVersion: String, environment: [String: String],
        facts: [String: String], factValues: [String: ObservedValue]? = nil,
        measurements: [String: MeasurementStats]
    ) {
        schema = Self.schema
        self.profile = profile
        self.host = host
        self.taken = taken
        self.conformVersion = conformVersion
        self.environment = environment
        self.facts = facts
        // A baseline written by hand (a test's) may give display texts only: those are then its values.
        self.factValues = factValues ?? facts.mapValues(ObservedValue.text)
        self.measurements = measurements
    }

    /// Builds a baseline from the results of `runs` runs of the same host (and of the cluster, when the runs
    /// checked it).
    public static func from(
        runs: [[CheckResult]], profile: String, host: String, taken: Date, conformVersion: String,
        environment: [String: String]
    ) -> Baseline {
        var samples:
            [String: (unit: MeasurementUnit, direction: MeasurementDirection, check: String, values: [Double])] =
                [:]
        var facts: [String: String] = [:]
        var factValues: [String: ObservedValue] = [:]
        for results in runs {
            for result in results where result.host == host || result.host == HostPlan.clusterHost {
                if result.isFact {
                    facts[result.qualifiedName] = result.observed
                    factValues[result.qualifiedName] = result.factValue
                }
                for measurement in result.measurements where measurement.baselined {
                    samples[measurement.name, default: (measurement.unit, measurement.direction, result.id, [])].values
                        .append(measurement.value)
                }
            }
        }
        return Baseline(
            profile: profile, host: host, taken: ReportTime.rfc3339(taken), conformVersion: conformVersion,
            environment: environment,
            facts: facts, factValues: factValues,
            measurements: samples.mapValues {
                MeasurementStats(samples: $0.values, unit: $0.unit, direction: $0.direction, check: $0.check)
            })
    }

    /// Reads a baseline; anything that is not one is an `InputError` naming the file.
    public static func load(file: String) throws -> Baseline {
        let data: Data
        do { data = try InputFile.contents(file) } catch { throw InputError(file: file, message: error.reason) }
        // The schema first: an older baseline is told apart from a broken one and says how to replace it.
        do {
            let header = try JSONDecoder().decode(Header.self, from: data)
            if header.schema == "conform.baseline/v1" {
                throw InputError(
                    file: file, field: "schema",
                    message:
                        "'conform.baseline/v1' is an older baseline (facts as display text, no measurement directions), "
                        + "which this conform cannot compare; take a new one: conform baseline capture --profile "
                        + "\(header.profile ?? "<profile>") --host \(header.host ?? "<host>") --out \(file)")
            }
            guard header.schema == schema else {
                throw InputError(file: file, field: "schema", message: "'\(header.schema)' is not \(schema)")
            }
            return try JSONDecoder().decode(Baseline.self, from: data)
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(file: file, message: "not a conform baseline (\(Self.describe(error)))")
        }
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

    /// What is read before the rest: the schema, and the names a message about an older one quotes.
    struct Header: Decodable {
        var schema: String
        var profile: String?
        var host: String?

        enum CodingKeys: String, CodingKey { case schema, profile, host }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            schema = try container.decode(String.self, forKey: .schema)
            // Only quoted in a message: a wrong type here is reported by the full decoding, as any other field.
            profile = try? container.decode(String.self, forKey: .profile)
            host = try? container.decode(String.self, forKey: .host)
        }
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

    /// The fact a baseline holds: the observed value, or the display text of a check that gives none.
    public var factValue: ObservedValue { observedValue ?? .text(observed) }
}

/// A measurement over repeated runs: its median and how much it varied.
public struct MeasurementStats: Codable, Sendable, Equatable {
    public var unit: MeasurementUnit
    /// Which way is better, as the measurement said when the baseline was taken.
    public var direction: MeasurementDirection
    /// The check that measured it (absent in baselines from before it was recorded): a run that did not run
    /// that check did not look, so the measurement is not compared.
    public var check: String?
    public var samples: [Double]
    public var median: Double
    /// (max − min) / median over the samples: 0 for a single run.
    public var spread: Double

    /// `direction` defaults to the unit's, as `MeasuredValue`'s does.
    public init(samples: [Double], unit: MeasurementUnit, direction: MeasurementDirection? = nil, check: String? = nil)
    {
        let sorted = samples.sorted()
        self.unit = unit
        self.direction = direction ?? unit.direction
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

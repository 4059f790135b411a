import Foundation

/// The layers of a run, in report order.
public enum Layer: String, Codable, Sendable, CaseIterable, Comparable {
    case host, hypervisor, cluster, bench, baseline, waiver

    /// Position in report order.
    public var rank: Int { Layer.allCases.firstIndex(of: self) ?? Layer.allCases.count }

    public static func < (lhs: Layer, rhs: Layer) -> Bool { lhs.rank < rhs.rank }
}

/// How bad a failing check is.
public enum Severity: String, Codable, Sendable, CaseIterable {
    case critical, major, minor, info
}

/// The outcome of one check for one subject.
public enum Status: String, Codable, Sendable, CaseIterable {
    /// The host matches the design.
    case pass
    /// Not a failure, but worth a look (`--strict` counts it as a failure).
    case warn
    /// The host does not match the design.
    case fail
    /// The check could not run: a file was missing, a source did not answer, the check timed out.
    case error
    /// The check does not apply here (no cpufreq in a VM, nothing declared to compare with).
    case skip
    /// A failure, warning or error covered by an unexpired waiver.
    case waived
}

/// What a check is, independent of any run: the catalog entry `conform checks` lists.
public struct CheckMetadata: Sendable, Equatable {
    public let id: String
    public let layer: Layer
    public let title: String
    public let severity: Severity
    public let tags: [String]
    public let remediation: String
    public let rationale: String

    public init(
        id: String, layer: Layer, title: String, severity: Severity, tags: [String] = [],
        remediation: String, rationale: String
    ) {
        self.id = id
        self.layer = layer
        self.title = title
        self.severity = severity
        self.tags = tags
        self.remediation = remediation
        self.rationale = rationale
    }
}

extension CheckMetadata {
    /// The same entry under another id: checks generated per name (`baseline.<measurement>`) share one text.
    public func with(id: String) -> CheckMetadata {
        CheckMetadata(
            id: id, layer: layer, title: title, severity: severity, tags: tags, remediation: remediation,
            rationale: rationale)
    }
}

/// What a check function says about one subject; the runner turns it into a `CheckResult`.
public struct Finding: Sendable, Equatable {
    public var status: Status
    public var subject: String?
    public var expected: String
    /// What was observed, for people: reports print it and may word it as they like.
    public var observed: String
    /// What was observed, as a value a baseline compares (nil: the display text is all there is).
    public var observedValue: ObservedValue?
    public var message: String
    public var measurements: [MeasuredValue]

    public init(
        _ status: Status, subject: String? = nil, expected: String = "", observed: String = "",
        observedValue: ObservedValue? = nil, message: String, measurements: [MeasuredValue] = []
    ) {
        self.status = status
        self.subject = subject
        self.expected = expected
        self.observed = observed
        self.observedValue = observedValue
        self.message = message
        self.measurements = measurements
    }
}

/// One line of a report: a check's verdict for one host and subject (`results.json`'s `results[]`).
public struct CheckResult: Codable, Sendable, Equatable {
    public var id: String
    public var layer: Layer
    public var host: String
    public var subject: String?
    public var status: Status
    public var severity: Severity
    public var expected: String
    public var observed: String
    /// The finding's observed value, for baselines only: results.json writes `observed`, its display text.
    public var observedValue: ObservedValue?
    public var message: String
    public var remediation: String
    public var durationSeconds: Double
    public var measurements: [MeasuredValue]

    public init(metadata: CheckMetadata, host: String, finding: Finding, durationSeconds: Double) {
        id = metadata.id
        layer = metadata.layer
        self.host = host
        subject = finding.subject
        status = finding.status
        severity = metadata.severity
        // Every report, baseline and history line is made of results: masking here covers them all.
        expected = Redaction.redact(finding.expected)
        observed = Redaction.redact(finding.observed)
        observedValue = finding.observedValue?.redacted
        message = Redaction.redact(finding.message)
        remediation = metadata.remediation
        self.durationSeconds = durationSeconds
        measurements = finding.measurements
    }

    enum CodingKeys: String, CodingKey {
        case id, layer, host, subject, status, severity, expected, observed, message, remediation, measurements
        case durationSeconds = "duration_s"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(layer, forKey: .layer)
        try container.encode(host, forKey: .host)
        try container.encode(subject, forKey: .subject)  // explicit null: the contract has the key always
        try container.encode(status, forKey: .status)
        try container.encode(severity, forKey: .severity)
        try container.encode(expected, forKey: .expected)
        try container.encode(observed, forKey: .observed)
        try container.encode(message, forKey: .message)
        try container.encode(remediation, forKey: .remediation)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(measurements, forKey: .measurements)
    }

    /// The id with its subject, as reports name a result: `hv.vcpupin.expected[k3s-slm-worker-1]`.
    public var qualifiedName: String {
        subject.map { "\(id)[\($0)]" } ?? id
    }
}

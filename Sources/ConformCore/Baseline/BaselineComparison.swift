import Foundation

/// Compares a run with a baseline: measurements against their tolerance, facts for drift.
public struct BaselineComparison: Sendable {
    public let baseline: Baseline
    /// Tolerance overrides in percent, by measurement-name glob (the profile's `baseline.tolerances`).
    public let overrides: [String: Double]
    /// The floor of every tolerance, in percent.
    public static let floorPercent = 5.0

    public init(baseline: Baseline, overrides: [String: Double] = [:]) {
        self.baseline = baseline
        self.overrides = overrides
    }

    /// max(5 %, 3 × the baseline's spread), unless the profile says otherwise for this name.
    public func tolerancePercent(_ name: String, _ stats: MeasurementStats) -> Double {
        if let override = overrides.first(where: { Glob.matches($0.key, name) }) { return override.value }
        return max(Self.floorPercent, 3 * stats.spread * 100)
    }

    static let measurementMetadata = CheckMetadata(
        id: "baseline.measurement", layer: .baseline, title: "Measurements hold their baseline", severity: .major,
        remediation:
            "Compare the environment (kernel, microcode, BIOS, tuning) with the baseline's; rerun to rule out noise; then fix or take a new baseline.",
        rationale: "A host that still matches the design can still have become slower.")
    static let factMetadata = CheckMetadata(
        id: "baseline.fact", layer: .baseline, title: "Facts match the baseline", severity: .major,
        remediation:
            "If the change was intended, take a new baseline (`conform baseline capture`); otherwise put it back.",
        rationale: "Drift between nights is found before it becomes an outage.")

    /// Results `baseline.<measurement>` and `baseline.fact.<fact>` for the baseline's host (and the cluster)
    /// in `results`; a fact the run did not look at (another layer, another selection) is not drift.
    public func compare(_ results: [CheckResult], environment: [String: String]) -> [CheckResult] {
        let host = baseline.host
        let ours = results.filter { $0.host == host || $0.host == HostPlan.clusterHost }
        var current: [String: (measurement: MeasuredValue, host: String)] = [:]
        var facts: [String: (observed: String, value: ObservedValue, host: String)] = [:]
        for result in ours {
            if result.isFact { facts[result.qualifiedName] = (result.observed, result.factValue, result.host) }
            for measurement in result.measurements where measurement.baselined {
                current[measurement.name] = (measurement, result.host)
            }
        }
        let environmentChanges = baseline.environment.keys.sorted().compactMap { key -> String? in
            let now = environment[key] ?? "unknown"
            return now == baseline.environment[key] ? nil : "\(key) \(baseline.environment[key] ?? "unknown") → \(now)"
        }
        var output: [CheckResult] = []
        let ranChecks = Set(ours.map(\.id))
        for name in baseline.measurements.keys.sorted() {
            guard let stats = baseline.measurements[name] else { continue }
            // Another layer or selection: not looked at, like a fact (the check ran but measured nothing: skip).
            if let check = stats.check, !ranChecks.contains(check) { continue }
            let metadata = Self.measurementMetadata.with(id: "baseline.\(name)")
            guard let (now, measuredOn) = current[name] else {
                output.append(
                    CheckResult(
                        metadata: metadata, host: host,
                        finding: Finding(
                            .skip, expected: format(stats.median, stats.unit), message: "not measured in this run"),
                        durationSeconds: 0))
                continue
            }
            var finding = judge(name: name, stats: stats, now: now.value)
            if finding.status == .fail || finding.status == .warn, !environmentChanges.isEmpty {
                finding.message +=
                    "; the environment changed since the baseline: " + environmentChanges.joined(separator: ", ")
            }
            finding.measurements = [now]
            output.append(CheckResult(metadata: metadata, host: measuredOn, finding: finding, durationSeconds: 0))
        }
        for name in baseline.factValues.keys.sorted() {
            guard let beforeValue = baseline.factValues[name], let now = facts[name], beforeValue != now.value else {
                continue
            }
            let (before, after) = FactChange.shown(
                before: (baseline.facts[name], beforeValue), after: (now.observed, now.value))
            let factHost = now.host
            output.append(
                CheckResult(
                    metadata: Self.factMetadata.with(id: "baseline.fact.\(name)"), host: factHost,
                    finding: Finding(
                        .fail, expected: before, observed: after, observedValue: now.value,
                        message: "changed since the baseline of \(baseline.taken): \(before) → \(after)"),
                    durationSeconds: 0))
        }
        return output
    }

    /// pass within tolerance; warn past half of it in the bad direction (drifting); fail past it.
    public func judge(name: String, stats: MeasurementStats, now: Double) -> Finding {
        let tolerance = tolerancePercent(name, stats)
        let before = stats.median
        // Shares already in percent (off-node pages) compare in percentage points: 0.002 % → 0.01 % is
        // noise, not a fivefold regression.
        let delta =
            stats.unit == .percent
            ? now - before : (before != 0 ? (now - before) / abs(before) * 100 : (now == 0 ? 0 : 100))
        let direction = stats.direction
        let bad: Double
        switch direction {
        case .higher: bad = -delta
        case .lower: bad = delta
        case .either: bad = abs(delta)
        }
        let status: Status = bad > tolerance ? .fail : (bad > tolerance / 2 ? .warn : .pass)
        let verb =
            status == .fail
            ? (direction == .either ? "changed" : "regressed") : (status == .warn ? "drifting" : "holds")
        return Finding(
            status, expected: String(format: "%@ ± %.1f%%", format(before, stats.unit), tolerance),
            observed: format(now, stats.unit),
            message: String(
                format: "%@ %@: %@ → %@ (%+.1f%@, tolerance %.1f%@)", name, verb, format(before, stats.unit),
                format(now, stats.unit), delta,
                stats.unit == .percent ? " points" : "%", tolerance, stats.unit == .percent ? " points" : "%"))
    }

    func format(_ value: Double, _ unit: MeasurementUnit) -> String {
        String(format: "%.3g %@", value, unit.rawValue)
    }
}

/// Two baselines compared (`conform baseline diff`): every measurement judged against the older one's
/// tolerance, the facts whose values differ, the environment that changed, and what only one of them holds.
public struct BaselineDiff: Sendable, Equatable {
    /// Which of the two baselines.
    public enum Side: Sendable, Equatable {
        case before, after
    }

    /// Two baselines of different hosts or profiles: a comparison of two machines, not of one over time.
    public struct IdentityChange: Sendable, Equatable {
        /// `hosts` or `profiles`.
        public let what: String
        public let before: String
        public let after: String

        public init(what: String, before: String, after: String) {
            self.what = what
            self.before = before
            self.after = after
        }
    }

    /// One measurement, by name.
    public enum MeasurementChange: Sendable, Equatable {
        /// In both: the newer median judged against the older baseline (a pass included).
        case judged(name: String, Finding)
        /// In one baseline only.
        case onlyIn(name: String, Side)

        public var name: String {
            switch self {
            case .judged(let name, _), .onlyIn(let name, _): return name
            }
        }

        /// Whether it counts as a difference: anything but a pass.
        public var isDifference: Bool {
            if case .judged(_, let finding) = self { return finding.status != .pass }
            return true
        }
    }

    /// An environment key (kernel, microcode…) whose value differs or that only one baseline has.
    public struct EnvironmentChange: Sendable, Equatable {
        public let key: String
        public let before: String?
        public let after: String?

        public init(key: String, before: String?, after: String?) {
            self.key = key
            self.before = before
            self.after = after
        }
    }

    public var identities: [IdentityChange] = []
    /// By name.
    public var measurements: [MeasurementChange] = []
    /// By name: the facts whose values differ or that only one baseline has.
    public var facts: [FactChange] = []
    /// By key; context for a regression, not a difference of its own.
    public var environment: [EnvironmentChange] = []

    /// Judged measurements that did not pass, measurements in one baseline only, and changed facts.
    public var differenceCount: Int { measurements.filter(\.isDifference).count + facts.count }

    /// `after` against `before`, with `before`'s tolerances (and the profile's `overrides`).
    public init(before: Baseline, after: Baseline, overrides: [String: Double] = [:]) {
        for (what, was, now) in [("hosts", before.host, after.host), ("profiles", before.profile, after.profile)]
        where was != now {
            identities.append(IdentityChange(what: what, before: was, after: now))
        }
        let comparison = BaselineComparison(baseline: before, overrides: overrides)
        for name in Set(before.measurements.keys).union(after.measurements.keys).sorted() {
            guard let stats = before.measurements[name], let now = after.measurements[name] else {
                measurements.append(.onlyIn(name: name, before.measurements[name] == nil ? .after : .before))
                continue
            }
            measurements.append(.judged(name: name, comparison.judge(name: name, stats: stats, now: now.median)))
        }
        for name in Set(before.factValues.keys).union(after.factValues.keys).sorted()
        where before.factValues[name] != after.factValues[name] {
            facts.append(
                FactChange(
                    name: name, before: before.factValues[name].map { (before.facts[name], $0) },
                    after: after.factValues[name].map { (after.facts[name], $0) }))
        }
        for key in Set(before.environment.keys).union(after.environment.keys).sorted()
        where before.environment[key] != after.environment[key] {
            environment.append(
                EnvironmentChange(key: key, before: before.environment[key], after: after.environment[key]))
        }
    }
}

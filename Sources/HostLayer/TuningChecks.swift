import ConformCore
import Foundation

/// Tuning checks: governor, THP, NUMA balancing and the CPU model.
struct TuningChecks: Sendable {
    let spec: TuningSpec
    let facts: HostFacts

    func governor() -> [Finding] {
        facts.governor.evaluate { governors in
            let observed = governors.summary
            let observedValue = ObservedValue.record(governors.byGovernor.mapValues(ObservedValue.cpus))
            if let expected = spec.governor {
                let others = governors.byGovernor.filter { $0.key != expected }
                if others.isEmpty {
                    return [
                        Finding(
                            .pass, expected: expected, observed: observed, observedValue: observedValue,
                            message: "every online CPU uses \(expected)")
                    ]
                }
                let offenders = others.keys.sorted().map { "\(others[$0] ?? .empty) use \($0)" }.joined(separator: "; ")
                return [
                    Finding(
                        .fail, expected: expected, observed: observed, observedValue: observedValue,
                        message: "CPUs \(offenders)")
                ]
            }
            return [
                Finding(
                    governors.byGovernor.count == 1 ? .pass : .warn, observed: observed, observedValue: observedValue,
                    message: governors.byGovernor.count == 1
                        ? "one governor on every CPU: \(observed)" : "CPUs run different governors: \(observed)")
            ]
        }
    }

    func thpEnabled() -> [Finding] {
        choice(facts.thp.enabled, expected: spec.thpEnabled, what: "THP enabled")
    }

    func thpDefrag() -> [Finding] {
        choice(facts.thp.defrag, expected: spec.thpDefrag, what: "THP defrag")
    }

    func numaBalancing() -> [Finding] {
        facts.numaBalancing.evaluate { mode in
            let multiNode = (facts.topology.value?.nodes.count ?? 1) > 1
            guard let expected = spec.numaBalancing else {
                return [
                    Finding(
                        .pass, observed: "\(mode)", observedValue: .count(mode),
                        message: "kernel.numa_balancing = \(mode)\(multiNode ? "" : " (one node: it has no effect)")")
                ]
            }
            return [
                Finding(
                    mode == expected ? .pass : .fail, expected: "\(expected)", observed: "\(mode)",
                    observedValue: .count(mode),
                    message: mode == expected
                        ? "kernel.numa_balancing = \(mode)"
                        : "kernel.numa_balancing = \(mode), the design sets \(expected)")
            ]
        }
    }

    func cpuModel(expected: String?) -> [Finding] {
        facts.cpuModel.evaluate { model in
            guard let expected else {
                return [Finding(.pass, observed: model, observedValue: .text(model), message: model)]
            }
            let matches = model.localizedCaseInsensitiveContains(expected)
            return [
                Finding(
                    matches ? .pass : .fail, expected: expected, observed: model, observedValue: .text(model),
                    message: matches ? model : "the CPU is '\(model)', the design was sized for '\(expected)'")
            ]
        }
    }

    func choice(_ fact: Probed<String>, expected: String?, what: String) -> [Finding] {
        fact.evaluate { value in
            guard let expected else {
                return [Finding(.pass, observed: value, observedValue: .text(value), message: "\(what): \(value)")]
            }
            return [
                Finding(
                    value == expected ? .pass : .fail, expected: expected, observed: value, observedValue: .text(value),
                    message: value == expected
                        ? "\(what): \(value)" : "\(what) is \(value), the design sets \(expected)")
            ]
        }
    }
}

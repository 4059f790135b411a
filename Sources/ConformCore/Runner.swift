import Dispatch
import Foundation

/// Runs checks concurrently, each under a time limit, and returns results in a deterministic order:
/// hosts in plan order, then each host's checks in catalog order, then each check's findings in its order.
public struct Runner: Sendable {
    /// The most seconds one check may take before it is reported as `error`.
    public var checkTimeout: Double

    public init(checkTimeout: Double = 10) {
        self.checkTimeout = checkTimeout
    }

    /// The results of every check of the plans that `selection` selects by name (`--only 'id[subject]'`
    /// picks results, not only checks).
    public func run(_ plans: [HostPlan], selection: Selection = .everything) -> [CheckResult] {
        let jobs = plans.flatMap { plan in plan.checks.map { (host: plan.host, check: $0) } }
        let slots = Locked([[CheckResult]](repeating: [], count: jobs.count))
        let timeout = checkTimeout
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let job = jobs[index]
            let started = DispatchTime.now()
            let findings = withTimeLimit(seconds: timeout, job.check.evaluate)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let outcome =
                findings
                ?? [
                    Finding(
                        .error, message: "the check did not finish within \(Self.format(seconds: timeout))")
                ]
            let results = outcome.map {
                CheckResult(metadata: job.check.metadata, host: job.host, finding: $0, durationSeconds: elapsed)
            }
            slots.withLock { $0[index] = results }
        }
        return slots.withLock { $0 }.flatMap { $0 }.filter(selection.includes)
    }

    public static func format(seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

import BenchLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

/// `conform lint`: the design-only checks of a profile (declared topology, pins, memory, transfer budgets),
/// with nothing read off any machine.
public struct LintJob: Sendable {
    public var profile: String
    public var strict: Bool
    public var destination: ReportDestination
    public var catalog: ProfileCatalog

    public init(
        profile: String, strict: Bool = false, destination: ReportDestination, catalog: ProfileCatalog = .standard()
    ) {
        self.profile = profile
        self.strict = strict
        self.destination = destination
        self.catalog = catalog
    }

    /// The lint checks of each host of a profile. Pure.
    public static func plans(_ profile: Profile) -> [HostPlan] {
        profile.hosts.map { spec in
            var checks = HostCatalog.lintChecks(for: spec, profile: profile)
            if !spec.vms.isEmpty { checks += HypervisorCatalog.lintChecks(for: spec, profile: profile) }
            if profile.network.contains(where: { $0.from == spec.name }) {
                checks += BenchCatalog.lintChecks(for: spec, profile: profile)
            }
            return HostPlan(host: spec.name, checks: checks)
        }
    }

    public func execute() throws -> FinishedRun {
        let started = Date()
        let clock = ContinuousClock.now
        let profile = try catalog.load(self.profile, hostname: currentHostname())
        let results = Runner().run(Self.plans(profile))
        guard !results.isEmpty else {
            throw InputError(
                file: profile.file ?? profile.name, field: "hosts",
                message: "the profile declares no host: there is no design to lint")
        }
        let lock = try destination.lock(profile: profile.name)
        defer { withExtendedLifetime(lock) {} }
        return try destination.write(
            RunReport(
                profile: profile.name, started: started, durationSeconds: clock.secondsSince, results: results,
                strict: strict, figures: RunPictures.designed(profile)))
    }
}

import ArgumentParser
import BenchLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

extension Conform {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check a design before provisioning: topology, pins, emulator CPUs, memory and transfer budgets of the profile alone.",
            discussion: "Runs the pinning and memory invariants on the profile's VM definitions and declared topology, "
                + "the declared topology against itself, and each transfer budget against its link. "
                + "Exit codes as for 'run'.")

        @Option(help: "A profile name from checks/, or the path of a profile file.")
        var profile: String

        @OptionGroup var report: ReportOptions

        @Flag(help: "Count warnings as failures in the exit code.")
        var strict = false

        func run() throws {
            let started = Date()
            let clock = ContinuousClock.now
            let profile = try ProfileCatalog.standard().load(self.profile, hostname: currentHostname())
            let plans = profile.hosts.map { spec in
                var checks = HostCatalog.lintChecks(for: spec, profile: profile)
                if !spec.vms.isEmpty { checks += HypervisorCatalog.lintChecks(for: spec, profile: profile) }
                if profile.network.contains(where: { $0.from == spec.name }) {
                    checks += BenchCatalog.lintChecks(for: spec, profile: profile)
                }
                return HostPlan(host: spec.name, checks: checks)
            }
            let results = Runner().run(plans)
            guard !results.isEmpty else {
                throw InputError(
                    file: profile.file ?? profile.name, field: "hosts",
                    message: "the profile declares no host: there is no design to lint")
            }
            let output = ReportOutput(options: report)
            let lock = try output.lock(profile: profile.name, defaultRoot: "reports/lint")
            defer { withExtendedLifetime(lock) {} }
            try output.finish(
                RunReport(
                    profile: profile.name, started: started, durationSeconds: clock.secondsSince, results: results,
                    strict: strict),
                defaultRoot: "reports/lint")
        }
    }
}

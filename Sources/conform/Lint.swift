import ArgumentParser
import ConformCore
import Foundation
import HypervisorLayer

extension Conform {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a design before provisioning: pins, emulator CPUs and memory of the profile alone.",
            discussion: "Runs the pinning and memory invariants on the profile's VM definitions and declared topology. "
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
            let plans = profile.hosts.filter { !$0.vms.isEmpty }.map { spec in
                HostPlan(host: spec.name, checks: HypervisorCatalog.lintChecks(for: spec, profile: profile))
            }
            let results = Runner().run(plans)
            try ReportOutput(options: report, strict: strict).finish(
                RunReport(
                    profile: profile.name, started: started, durationSeconds: clock.secondsSince, results: results),
                defaultRoot: "reports/lint")
        }
    }
}

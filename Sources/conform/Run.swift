import ArgumentParser
import ConformCore
import Foundation
import HostLayer

extension Conform {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check hosts against a profile and write reports.",
            discussion: """
                Exit codes: 0 nothing failed (warnings allowed unless --strict), 1 a check failed, \
                2 unusable input, 3 no failures but some checks could not run.
                """)

        @OptionGroup var options: RunOptions

        func run() throws {
            try options.execute()
        }
    }
}

/// Everything `run` (and `baseline compare`, which is `run --baseline`) takes.
struct RunOptions: ParsableArguments {
    @Option(help: "A profile name (see 'conform profiles' for where they are looked for), or a profile file's path.")
    var profile: String

    @OptionGroup var source: SourceOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var report: ReportOptions

    @Option(help: "A waiver file (YAML) of accepted deviations with reasons and expiry dates.")
    var waivers: String?

    @Option(help: "Seconds one check, or one host's probe of a layer, may take before it is reported as an error.")
    var checkTimeout: Double = 10

    @Flag(help: "Count warnings as failures in the exit code (every report then says how many it counted).")
    var strict = false

    @Flag(help: "Run short versions of the benchmarks (smaller arrays and files, fewer repetitions).")
    var quick = false

    @Option(help: "Compare with this baseline (conform baseline capture) and report regressions and drift.")
    var baseline: String?

    @OptionGroup var nightly: NightlyOptions

    func validate() throws {
        try requireSeconds(checkTimeout, "--check-timeout")
        try requireNonEmpty(["--profile": profile, "--waivers": waivers, "--baseline": baseline])
    }

    /// Reads and checks every input first, then takes the report directory's lock, runs and reports: a
    /// run refused for its input leaves nothing behind.
    func execute() throws {
        let started = Date()
        let clock = ContinuousClock.now
        let profile = try ProfileCatalog.standard().load(self.profile, hostname: currentHostname())
        let selection = try self.selection.selection()
        try Wiring.requireSomeCheck(selection)
        Wiring.warnAboutGlobsThatMatchNothing(selection)
        let waiverList = try waivers.map(WaiverList.load) ?? WaiverList()
        let baseline = try self.baseline.map(Baseline.load)
        // Another design's baseline shares host names (numa-server) but none of the facts: a mistake.
        if let baseline, baseline.profile != profile.name {
            throw InputError(
                file: self.baseline ?? "", field: "profile",
                message: "the baseline was taken with profile '\(baseline.profile)'; this run checks '\(profile.name)'")
        }
        // The cluster layer alone needs no host of the profile: it runs from any machine with a kubeconfig.
        let needsHosts =
            selection.includes(layer: .host) || selection.includes(layer: .hypervisor)
            || selection.includes(layer: .bench)
        let targets = needsHosts ? try TargetResolver.resolve(profile: profile, source: source) : []
        // A baseline of a host this run does not check is unusable input: say so before running anything.
        // A cluster-only run compares the baseline's cluster facts and needs none of its hosts.
        let baselineTarget = try baseline.flatMap { baseline -> Target? in
            guard needsHosts else { return nil }
            guard let target = targets.first(where: { $0.spec.name == baseline.host }) else {
                throw InputError(
                    file: self.baseline ?? "", field: "host",
                    message: "the baseline is of '\(baseline.host)', which this run does not check")
            }
            return target
        }
        let output = ReportOutput(options: report, nightly: nightly)
        // One run at a time per report directory, for the whole run: a second one stops at once.
        let lock = try output.lock(profile: profile.name, defaultRoot: "reports")
        defer { withExtendedLifetime(lock) {} }

        let limits = Wiring.Limits(probeSeconds: checkTimeout)
        // The baseline's host is probed once, for its checks and for the environment of the comparison.
        let baselineFacts = baselineTarget.map { Wiring.hostFacts(sysroot: $0.sysroot, limits: limits) }
        var plans = targets.map { target in
            Wiring.plan(
                for: target, profile: profile, selection: selection, quick: quick, fixture: source.fixture != nil,
                limits: limits, hostFacts: target.spec.name == baselineTarget?.spec.name ? baselineFacts : nil)
        }
        if let cluster = try Wiring.clusterPlan(profile: profile, source: source, selection: selection) {
            plans.append(cluster)
        }
        var results = Runner(checkTimeout: checkTimeout).run(plans, selection: selection)
        try Wiring.requireSomeResult(results, selection)
        if let baseline {
            var environment = baseline.environment
            if let target = baselineTarget, let facts = baselineFacts {
                environment = HostEnvironment.probe(sysroot: Sysroot(target.sysroot), facts: facts)
            }
            results += BaselineComparison(baseline: baseline, overrides: profile.baselineTolerances).compare(
                results, environment: environment)
        }
        let runReport = RunReport(
            profile: profile.name, started: started, durationSeconds: clock.secondsSince,
            results: waiverList.apply(to: results, today: WaiverList.today(started)), strict: strict)
        try output.finish(runReport, defaultRoot: "reports")
    }
}

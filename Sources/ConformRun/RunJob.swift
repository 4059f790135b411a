import BenchLayer
import ConformCore
import Foundation
import HostLayer

/// Everything `conform run` (and `baseline compare`) does but printing: read and check every input first,
/// then take the report folder's lock, run the pipeline, compare with the baseline, apply the waivers and
/// write the reports. A run refused for its input leaves nothing behind.
public struct RunJob: Sendable {
    /// A profile name, or a profile file's path.
    public var profile: String
    public var source: RunSource
    public var selection: Selection
    /// A waiver file, and a baseline to compare with.
    public var waivers: String?
    public var baseline: String?
    public var checkTimeout: Double
    public var strict: Bool
    public var quick: Bool
    public var destination: ReportDestination
    public var credentials: S3Credentials?
    public var progress: (@Sendable (String) -> Void)?
    /// Where profiles are looked for.
    public var catalog: ProfileCatalog

    public init(
        profile: String, source: RunSource = RunSource(), selection: Selection = Selection(), waivers: String? = nil,
        baseline: String? = nil, checkTimeout: Double = 10, strict: Bool = false, quick: Bool = false,
        destination: ReportDestination, credentials: S3Credentials? = nil,
        progress: (@Sendable (String) -> Void)? = nil, catalog: ProfileCatalog = .standard()
    ) {
        self.profile = profile
        self.source = source
        self.selection = selection
        self.waivers = waivers
        self.baseline = baseline
        self.checkTimeout = checkTimeout
        self.strict = strict
        self.quick = quick
        self.destination = destination
        self.credentials = credentials
        self.progress = progress
        self.catalog = catalog
    }

    public func execute() throws -> FinishedRun {
        let started = Date()
        let clock = ContinuousClock.now
        let profile = try catalog.load(self.profile, hostname: currentHostname())
        try RunCatalog.requireSomeCheck(selection)
        for (flag, glob) in RunCatalog.globsThatMatchNothing(selection) {
            log.warning("\(flag) '\(glob)' matches no check 'run' has; 'conform checks' lists them")
        }
        let waiverList = try waivers.map(WaiverList.load) ?? WaiverList()
        let baseline = try self.baseline.map(Baseline.load)
        // Another design's baseline shares host names (numa-server) but none of the facts: a mistake.
        if let baseline, baseline.profile != profile.name {
            throw InputError(
                file: self.baseline ?? "", field: "profile",
                message: "the baseline was taken with profile '\(baseline.profile)'; this run checks '\(profile.name)'")
        }
        let request = RunRequest(
            profile: profile, source: source, selection: selection, quick: quick, checkTimeout: checkTimeout,
            probeSeconds: checkTimeout, credentials: credentials, progress: progress)
        let targets = try Pipeline.targets(request)
        // A baseline of a host this run does not check is unusable input: said before anything runs. A
        // cluster-only run compares the baseline's cluster facts and needs none of its hosts.
        let baselineTarget = try baseline.flatMap { baseline -> Target? in
            guard request.needsHosts else { return nil }
            guard let target = targets.first(where: { $0.spec.name == baseline.host }) else {
                throw InputError(
                    file: self.baseline ?? "", field: "host",
                    message: "the baseline is of '\(baseline.host)', which this run does not check")
            }
            return target
        }
        // One run at a time per report folder, for the whole run: a second one stops at once.
        let lock = try destination.lock(profile: profile.name)
        defer { withExtendedLifetime(lock) {} }

        // The baseline's host is probed once, for its checks and for the environment of the comparison.
        var probed: [String: HostFacts] = [:]
        if let target = baselineTarget { probed[target.spec.name] = Pipeline.probeHost(target, request) }
        let probes = try Pipeline.probe(targets, request, probed: probed)
        var results = try Pipeline.run(Pipeline.plans(probes, request), request)
        if let baseline {
            var environment = baseline.environment
            if let target = baselineTarget, let facts = probed[target.spec.name] {
                environment = HostEnvironment.probe(sysroot: target.sysroot, facts: facts)
            }
            results += BaselineComparison(baseline: baseline, overrides: profile.baselineTolerances).compare(
                results, environment: environment)
        }
        let report = RunReport(
            profile: profile.name, started: started, durationSeconds: clock.secondsSince,
            results: waiverList.apply(to: results, today: WaiverList.today(started)), strict: strict,
            figures: RunPictures.running(probes, profile))
        return try destination.write(
            report, baseline: baseline.map { BaselineComparison(baseline: $0, overrides: profile.baselineTolerances) })
    }
}

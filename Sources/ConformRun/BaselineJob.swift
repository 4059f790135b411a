import BenchLayer
import ConformCore
import Foundation
import HostLayer

/// `conform baseline capture`: the checks of one host run N times, stored as its facts and the medians and
/// spread of its measurements.
public struct BaselineJob: Sendable {
    public var profile: String
    public var source: RunSource
    public var selection: Selection
    /// The baseline file; `nil` for `baselines/<profile>/<host>.json`.
    public var out: String?
    public var runs: Int
    public var quick: Bool
    public var credentials: S3Credentials?
    public var progress: (@Sendable (String) -> Void)?
    public var catalog: ProfileCatalog

    public init(
        profile: String, source: RunSource = RunSource(), selection: Selection = Selection(), out: String? = nil,
        runs: Int = 3, quick: Bool = false, credentials: S3Credentials? = nil,
        progress: (@Sendable (String) -> Void)? = nil, catalog: ProfileCatalog = .standard()
    ) {
        self.profile = profile
        self.source = source
        self.selection = selection
        self.out = out
        self.runs = runs
        self.quick = quick
        self.credentials = credentials
        self.progress = progress
        self.catalog = catalog
    }

    /// A written baseline: where, and the results of the runs that made it.
    public struct Written: Sendable {
        public var baseline: Baseline
        public var file: String
        public var runs: [[CheckResult]]

        /// Results that could not be read, one line each: a baseline that lacks them is not a whole one.
        public var unread: [String] {
            runs.joined().filter { $0.status == .error }.map { result in
                "\(result.host) \(result.qualifiedName): \(result.message)"
            }.uniqued()
        }
    }

    public func execute() throws -> Written {
        let profile = try catalog.load(self.profile, hostname: currentHostname())
        let request = RunRequest(
            profile: profile, source: source, selection: selection, quick: quick, credentials: credentials,
            progress: progress)
        let targets = try TargetResolver.resolve(profile: profile, source: source)
        guard targets.count == 1, let target = targets.first else {
            throw InputError(
                file: "command line", field: "--host",
                message:
                    "a baseline is of one host: pass --host with one of: \(targets.map(\.spec.name).joined(separator: ", "))"
            )
        }
        try RunCatalog.requireSomeCheck(selection)
        // Probed once: the host's configuration and the cluster as this host sees it (labels, taints,
        // placement drift too). Each run measures again: benchmarks and live placement.
        let hostFacts = Pipeline.probeHost(target, request)
        let cluster = try Pipeline.probeCluster(request)
        var runs: [[CheckResult]] = []
        for _ in 0..<self.runs {
            let probes = Probes(
                hosts: Pipeline.probeHosts([target], request, probed: [target.spec.name: hostFacts]), cluster: cluster)
            runs.append(
                Runner(checkTimeout: request.checkTimeout).run(Pipeline.plans(probes, request), selection: selection))
        }
        // A baseline of nothing would compare nothing, every night, and pass.
        try RunCatalog.requireSomeResult(runs.flatMap { $0 }, selection)
        let baseline = Baseline.from(
            runs: runs, profile: profile.name, host: target.spec.name, taken: Date(),
            conformVersion: ConformVersion.current,
            environment: HostEnvironment.probe(sysroot: target.sysroot, facts: hostFacts))
        let file = out ?? "baselines/\(profile.name)/\(target.spec.name).json"
        try baseline.write(to: file)
        return Written(baseline: baseline, file: file, runs: runs)
    }
}

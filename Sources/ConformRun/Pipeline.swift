import BenchLayer
import ClusterLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

/// What to check and how long anything may take: the input of the pipeline.
public struct RunRequest: Sendable {
    public var profile: Profile
    public var source: RunSource
    public var selection: Selection
    /// Short benchmarks (smaller arrays and files, fewer repetitions).
    public var quick: Bool
    /// Seconds one check may take before it is reported as an error.
    public var checkTimeout: Double
    /// Seconds one host's probe of a layer (its sysfs, its libvirt) may take.
    public var probeSeconds: Double
    /// What signs the S3 links of the network benchmarks.
    public var credentials: S3Credentials?
    /// Where benchmark progress lines go.
    public var progress: (@Sendable (String) -> Void)?

    public init(
        profile: Profile, source: RunSource = RunSource(), selection: Selection = Selection(), quick: Bool = false,
        checkTimeout: Double = 10, probeSeconds: Double = 30, credentials: S3Credentials? = nil,
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.profile = profile
        self.source = source
        self.selection = selection
        self.quick = quick
        self.checkTimeout = checkTimeout
        self.probeSeconds = probeSeconds
        self.credentials = credentials
        self.progress = progress
    }

    /// Whether the host, hypervisor or benchmark layer is selected: they are the ones that need a host.
    public var needsHosts: Bool {
        selection.includes(layer: .host) || selection.includes(layer: .hypervisor) || selection.includes(layer: .bench)
    }

    /// Whether some check of a layer is selected: only then are its sources read.
    var wantsHost: Bool { HostCatalog.all.contains(where: selection.includes) }
    var wantsStorage: Bool { HostCatalog.storage.contains(where: selection.includes) }
    var wantsHypervisor: Bool { HypervisorCatalog.all.contains(where: selection.includes) }
    var wantsBench: Bool { BenchCatalog.all.contains(where: selection.includes) }
    var wantsCluster: Bool { ClusterCatalog.all.contains(where: selection.includes) }
}

/// One host's facts, as its checks are built from them.
public struct ProbedHost: Sendable {
    public var target: Target
    /// `nil` when no layer that reads the host is selected.
    public var host: HostFacts?
    /// `nil` when the hypervisor layer is not selected or does not apply to the host.
    public var hypervisor: HypervisorFacts?
    /// What the benchmarks measured, or why they did not run; `nil` when not selected.
    public var bench: Result<BenchFacts, Refusal>?

    public init(
        target: Target, host: HostFacts? = nil, hypervisor: HypervisorFacts? = nil,
        bench: Result<BenchFacts, Refusal>? = nil
    ) {
        self.target = target
        self.host = host
        self.hypervisor = hypervisor
        self.bench = bench
    }

    /// Why a layer did not run on a host.
    public struct Refusal: Error, Sendable {
        public var reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }
}

/// Every fact of a run: its hosts and the cluster.
public struct Probes: Sendable {
    public var hosts: [ProbedHost]
    /// `nil` when the cluster layer is not selected.
    public var cluster: ClusterFacts?

    public init(hosts: [ProbedHost], cluster: ClusterFacts?) {
        self.hosts = hosts
        self.cluster = cluster
    }
}

/// The one pipeline of `run`, `baseline capture` and (through its parts) `facts`: resolve the targets, probe
/// them (all the I/O), build the checks from the facts (pure), run them.
public enum Pipeline {
    /// The hosts the request checks; none for a cluster-only run, which needs no host of the profile.
    public static func targets(_ request: RunRequest) throws -> [Target] {
        request.needsHosts
            ? try TargetResolver.resolve(
                profile: request.profile, source: request.source, readsDomains: request.wantsHypervisor,
                readsFilesystems: request.wantsStorage) : []
    }

    /// Reads every source the selection needs: the cluster first (a malformed kubeconfig is unusable input,
    /// said before any benchmark runs), then each host. `probed` holds host facts read already, by host name.
    public static func probe(_ targets: [Target], _ request: RunRequest, probed: [String: HostFacts] = [:]) throws
        -> Probes
    {
        let cluster = try probeCluster(request)
        return Probes(hosts: probeHosts(targets, request, probed: probed), cluster: cluster)
    }

    /// The cluster, when its layer is selected: a source that is not there is an error only when `--layers`
    /// names the cluster. The design's health endpoints are asked only when their check is selected: each one
    /// that does not answer costs the whole timeout.
    public static func probeCluster(_ request: RunRequest) throws -> ClusterFacts? {
        guard request.wantsCluster else { return nil }
        return try ClusterProbe.facts(
            from: request.source.clusterSource, required: request.selection.layersNamed,
            health: request.selection.includes(ClusterCatalog.health) ? request.profile.cluster.health : [])
    }

    /// Each host's facts; `probed` holds host facts read already, by host name.
    public static func probeHosts(_ targets: [Target], _ request: RunRequest, probed: [String: HostFacts] = [:])
        -> [ProbedHost]
    {
        targets.map { probe($0, request, hostFacts: probed[$0.spec.name]) }
    }

    /// One host's facts: the host probe once (the hypervisor and benchmark layers need its topology too).
    static func probe(_ target: Target, _ request: RunRequest, hostFacts probed: HostFacts?) -> ProbedHost {
        var result = ProbedHost(target: target)
        guard request.wantsHost || request.wantsHypervisor || request.wantsBench else { return result }
        let host = probed ?? probeHost(target, request)
        result.host = host
        let topology = host.topology.map(\.numaTopology)
        if request.wantsHypervisor {
            result.hypervisor = HypervisorProbe.facts(
                for: target.spec, generic: request.profile.name == Profile.genericName, source: target.domains,
                sysroot: target.sysroot, seconds: request.probeSeconds)
        }
        if request.wantsBench {
            if let reason = BenchRun.refusal(fixture: target.isFixture, sysroot: target.sysroot) {
                result.bench = .failure(ProbedHost.Refusal(reason: reason))
            } else {
                result.bench = .success(
                    BenchRun.measure(
                        host: target.spec, profile: request.profile, topology: topology, quick: request.quick,
                        credentials: request.credentials, progress: request.progress))
            }
        }
        return result
    }

    /// A host's facts under its sysroot, within the request's time limit; its designed disks only when a
    /// storage check is selected.
    public static func probeHost(_ target: Target, _ request: RunRequest) -> HostFacts {
        HostProbe(
            sysroot: target.sysroot, storagePaths: request.wantsStorage ? target.spec.disks.map(\.path) : [],
            filesystems: target.filesystems
        ).probe(within: request.probeSeconds)
    }

    /// The checks of every host and the cluster, built from their facts and filtered by the selection. Pure.
    public static func plans(_ probes: Probes, _ request: RunRequest) -> [HostPlan] {
        var plans = probes.hosts.map { plan($0, request) }
        if let cluster = probes.cluster {
            plans.append(
                HostPlan(
                    host: HostPlan.clusterHost,
                    checks: ClusterCatalog.checks(for: request.profile.cluster, facts: cluster).filter {
                        request.selection.includes($0.metadata)
                    }))
        }
        return plans
    }

    static func plan(_ probed: ProbedHost, _ request: RunRequest) -> HostPlan {
        let spec = probed.target.spec
        var checks: [Check] = []
        if let host = probed.host {
            if request.wantsHost { checks += HostCatalog.checks(for: spec, facts: host) }
            if let hypervisor = probed.hypervisor {
                checks += HypervisorCatalog.checks(
                    for: spec, profile: request.profile, facts: hypervisor,
                    topology: host.topology.map(\.numaTopology))
            }
        }
        switch probed.bench {
        case .success(let facts): checks += BenchCatalog.checks(for: spec, profile: request.profile, facts: facts)
        case .failure(let refusal): checks += BenchCatalog.skipped(refusal.reason)
        case nil: break
        }
        return HostPlan(host: spec.name, checks: checks.filter { request.selection.includes($0.metadata) })
    }

    /// Runs the checks; a run that produced no result checked nothing, which is unusable input.
    public static func run(_ plans: [HostPlan], _ request: RunRequest) throws -> [CheckResult] {
        let results = Runner(checkTimeout: request.checkTimeout).run(plans, selection: request.selection)
        try RunCatalog.requireSomeResult(results, request.selection)
        return results
    }

    /// The whole pipeline: targets, probes, checks, results.
    public static func results(_ request: RunRequest) throws -> [CheckResult] {
        let probes = try probe(try targets(request), request)
        return try run(plans(probes, request), request)
    }
}

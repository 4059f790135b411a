import BenchLayer
import ClusterLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

/// Connects each layer's probes and checks to the runner. Each layer only depends on ConformCore; this is
/// the one place that knows them all.
enum Wiring {
    /// How long a source may take to answer.
    struct Limits {
        /// Seconds a layer's probe may take on one host before its checks report `error` (`--check-timeout`).
        var probeSeconds = 30.0
    }

    /// A selection that no check of the catalog can satisfy checks nothing: unusable input, before anything runs.
    static func requireSomeCheck(_ selection: Selection) throws {
        guard catalog.contains(where: selection.includes) else {
            throw InputError(
                file: "command line", field: "selection",
                message:
                    "\(selection.commandLine) selects no check; 'conform checks' lists them (globs match ids and names such as 'hv.vcpupin.exclusive[vm]')"
                    + (selection.layersNamed
                        ? ""
                        : "; without --layers the layers are host, hypervisor and cluster: benchmarks run only with --layers …,bench")
            )
        }
    }

    /// A glob of --only or --skip that matches no check is most likely a typo: said, though the others select.
    static func warnAboutGlobsThatMatchNothing(_ selection: Selection) {
        for (flag, globs) in [("--only", selection.only), ("--skip", selection.skip)] {
            for glob in globs where !catalog.contains(where: { Glob.mayMatchResult(of: $0.id, glob) }) {
                log.warning("\(flag) '\(glob)' matches no check 'run' has; 'conform checks' lists them")
            }
        }
    }

    /// A run whose selection left no result checked nothing, and must not pass.
    static func requireSomeResult(_ results: [CheckResult], _ selection: Selection) throws {
        guard results.isEmpty else { return }
        throw InputError(
            file: "command line", field: "selection",
            message: "\(selection.commandLine) matched no result on the hosts of this run: nothing was checked")
    }

    /// Every check `run` can run, in report order.
    static var catalog: [CheckMetadata] {
        HostCatalog.all + HypervisorCatalog.all + ClusterCatalog.all + BenchCatalog.all
    }

    /// Every check conform has, `lint`'s design-only ones included, for `conform checks`.
    static var everyCheck: [CheckMetadata] {
        catalog + HostCatalog.lintOnly + BenchCatalog.lintOnly
    }

    /// The cluster checks, once per run: against a fixture's kubectl JSON, or the API server of the
    /// kubeconfig. `nil` when the layer is not selected; without a kubeconfig (or a fixture without
    /// `cluster/`) its checks are errors when `--layers` names the cluster, else skipped saying where it looked.
    static func clusterPlan(profile: Profile, source: SourceOptions, selection: Selection) throws -> HostPlan? {
        guard selection.includes(layer: .cluster), ClusterCatalog.all.contains(where: selection.includes) else {
            return nil
        }
        let facts: ClusterFacts
        if let fixture = source.fixture {
            let directory = (fixture as NSString).appendingPathComponent("cluster")
            try InputFile.requireOnlyRegularFiles(under: directory)
            facts =
                FileManager.default.fileExists(atPath: directory)
                ? ClusterProbe.probe(fixtureDirectory: directory)
                : absentCluster(
                    directory, ProbeError(path: directory, reason: "no such directory: the fixture has no cluster"),
                    skipped: "the fixture has no cluster (looked for \(directory)); the cluster is not checked",
                    named: selection.layersNamed)
        } else {
            let located = Kubeconfig.locate(explicit: source.kubeconfig)
            if let path = located.path {
                facts = try clusterFacts(kubeconfig: path, context: source.context, timeout: source.kubeTimeout)
            } else {
                // Asked for by name, a missing kubeconfig is an error. In a default run it says the cluster
                // is checked from elsewhere (a hypervisor host often has no kubeconfig): skipped, with why.
                let lookedAt = located.lookedAt.joined(separator: ", ")
                facts = absentCluster(
                    "kubeconfig", ProbeError(path: lookedAt, reason: "no kubeconfig found"),
                    skipped:
                        "no kubeconfig on this machine (looked at \(lookedAt)); pass --kubeconfig, or --layers cluster to make this an error",
                    named: selection.layersNamed)
            }
        }
        return HostPlan(
            host: HostPlan.clusterHost,
            checks: ClusterCatalog.checks(for: profile.cluster, facts: facts).filter { selection.includes($0.metadata) }
        )
    }

    /// A cluster source that is not there: an error when `--layers` names the cluster, else a skip saying why.
    static func absentCluster(_ source: String, _ error: ProbeError, skipped: String, named: Bool) -> ClusterFacts {
        ClusterFacts(source: source, all: named ? .failed(error) : .unavailable(skipped))
    }

    /// The cluster as the API server of a kubeconfig lists it, for `run`, `facts` and `capture` alike. A file
    /// that cannot be read is a source that cannot be read (its facts are errors); a malformed one is
    /// unusable input (it throws, naming the line and field).
    static func clusterFacts(kubeconfig path: String, context: String?, timeout: Double) throws -> ClusterFacts {
        guard FileManager.default.isReadableFile(atPath: path) else {
            let reason =
                FileManager.default.fileExists(atPath: path) ? "Permission denied" : "No such file or directory"
            return ClusterFacts(source: path, all: .failed(ProbeError(path: path, reason: reason)))
        }
        let credentials = try Kubeconfig.load(file: path, context: context)
        if credentials.insecureSkipTLSVerify {
            log.warning("\(path): insecure-skip-tls-verify is set: the API server's certificate is NOT verified")
        }
        return ClusterProbe.probe(
            client: KubeClient(credentials: credentials, connectTimeout: timeout / 4, totalTimeout: timeout))
    }

    /// The checks of one host, filtered by the selection; `hostFacts` when the caller has probed them already.
    static func plan(
        for target: Target, profile: Profile, selection: Selection, quick: Bool = false, fixture: Bool = false,
        limits: Limits = Limits(), hostFacts probed: HostFacts? = nil
    ) -> HostPlan {
        var checks: [Check] = []
        let wantsHost = selection.includes(layer: .host) && HostCatalog.all.contains(where: selection.includes)
        let wantsHypervisor =
            selection.includes(layer: .hypervisor) && HypervisorCatalog.all.contains(where: selection.includes)
        let wantsBench = selection.includes(layer: .bench) && BenchCatalog.all.contains(where: selection.includes)
        guard wantsHost || wantsHypervisor || wantsBench else { return HostPlan(host: target.spec.name, checks: []) }
        // Host facts are probed once: the hypervisor layer needs the host's topology too.
        let hostFacts = probed ?? hostFacts(sysroot: target.sysroot, limits: limits)
        if wantsHost {
            checks += HostCatalog.checks(for: target.spec, facts: hostFacts)
        }
        if wantsHypervisor, let facts = hypervisorFacts(for: target, profile: profile, limits: limits) {
            checks += HypervisorCatalog.checks(
                for: target.spec, profile: profile, facts: facts, topology: hostFacts.topology.map(\.numaTopology))
        }
        if wantsBench {
            if fixture {
                checks += BenchCatalog.skipped("benchmarks measure a real machine; a fixture host has none to run on")
            } else if target.sysroot != "/" {
                checks += BenchCatalog.skipped(
                    "--sysroot points at another tree: benchmarks only measure the machine conform runs on")
            } else {
                let facts = benchFacts(
                    for: target, profile: profile, topology: hostFacts.topology.map(\.numaTopology), quick: quick)
                checks += BenchCatalog.checks(for: target.spec, profile: profile, facts: facts)
            }
        }
        return HostPlan(host: target.spec.name, checks: checks.filter { selection.includes($0.metadata) })
    }

    /// Runs the benchmarks the profile asks of this host: the memory matrix, its disks, its links.
    static func benchFacts(for target: Target, profile: Profile, topology: Probed<NUMATopology>, quick: Bool)
        -> BenchFacts
    {
        let progress = Progress.printer(enabled: true)
        let memory: Probed<[MemoryCell]> = topology.flatMap { topology in
            let benchmark = MemoryBenchmark(
                topology: topology,
                arrayBytes: quick ? profile.bench.quickMemoryArrayBytes : profile.bench.memoryArrayBytes,
                repetitions: quick ? 3 : 10)
            return measured("memory benchmark") { try benchmark.matrix(progress: progress) }
        }
        var disks: [String: Probed<DiskBenchmark.Result>] = [:]
        for disk in target.spec.disks {
            let benchmark = DiskBenchmark(
                directory: disk.path, sizeBytes: quick ? profile.bench.quickDiskBytes : profile.bench.diskBytes,
                minimumFreeBytes: (disk.minFreeGB ?? 0) * 1e9, media: disk.media)
            disks[disk.path] = measured(disk.path) { try benchmark.run(progress: progress) }
        }
        var downloads: [String: Probed<NetBenchmark.Result>] = [:]
        var uploads: [String: Probed<NetBenchmark.Result>] = [:]
        let credentials = S3Credentials.fromEnvironment()
        for link in profile.network where link.from == target.spec.name {
            if let url = link.downloadURL {
                downloads[link.name] = measured(url) { try NetBenchmark(url: url, credentials: credentials).run() }
            }
            if let url = link.uploadURL {
                let bytes = Int(quick ? profile.bench.uploadBytes / 10 : profile.bench.uploadBytes)
                uploads[link.name] = measured(url) {
                    try NetBenchmark(url: url, upload: true, uploadBytes: bytes, credentials: credentials).run()
                }
            }
        }
        return BenchFacts(memory: memory, disks: disks, downloads: downloads, uploads: uploads)
    }

    /// A benchmark's result as a fact: a `BenchError` becomes an error naming what was measured.
    static func measured<T>(_ what: String, _ body: () throws -> T) -> Probed<T> {
        Probed {
            do { return try body() } catch let error as BenchError {
                throw ProbeError(path: what, reason: error.description)
            }
        }
    }

    static func hostFacts(sysroot: String, limits: Limits = Limits()) -> HostFacts {
        if let facts = withTimeLimit(seconds: limits.probeSeconds, { HostProbe(sysroot: Sysroot(sysroot)).probe() }) {
            return facts
        }
        let timedOut = ProbeError(
            path: sysroot, reason: "the host probe did not finish within \(Runner.format(seconds: limits.probeSeconds))"
        )
        return HostFacts(
            sysroot: sysroot, topology: .failed(timedOut), cpuModel: .failed(timedOut), governor: .failed(timedOut),
            thp: THPFacts(enabled: .failed(timedOut), defrag: .failed(timedOut)), numaBalancing: .failed(timedOut))
    }

    /// libvirt's view of a host that runs VMs: a hypervisor of the profile, or any machine under `generic`
    /// (where a machine without libvirt is simply not a hypervisor). `nil` when the layer does not apply.
    static func hypervisorFacts(for target: Target, profile: Profile, limits: Limits = Limits()) -> HypervisorFacts? {
        let isGeneric = profile.name == Profile.genericName
        let isHypervisor = target.spec.roles.contains(.hypervisor) || !target.spec.vms.isEmpty
        guard isHypervisor || isGeneric else { return nil }
        guard let uri = target.libvirtURI else {
            if isGeneric { return nil }
            let file = URL(fileURLWithPath: target.sysroot).deletingLastPathComponent().appendingPathComponent(
                "libvirt.xml")
            let missing = ProbeError(
                path: file.path, reason: "no such file: this fixture hypervisor host has no libvirt.xml")
            return HypervisorFacts(uri: "(none)", domains: .failed(missing))
        }
        // Found by default under a sysroot, the daemon's socket must be there to be asked at all.
        if isGeneric, !target.libvirtURINamed, let socket = uri.components(separatedBy: "?socket=").dropFirst().first,
            !FileManager.default.fileExists(atPath: socket)
        {
            return HypervisorFacts(
                uri: uri,
                domains: .unavailable("no libvirt daemon here (no socket at \(socket)); pass --libvirt-uri to read one")
            )
        }
        let probe = HypervisorProbe(uri: uri, sysroot: Sysroot(target.sysroot))
        guard var facts = withTimeLimit(seconds: limits.probeSeconds, probe.probe) else {
            let reason = "libvirt did not answer within \(Runner.format(seconds: limits.probeSeconds))"
            return HypervisorFacts(uri: uri, domains: .failed(ProbeError(path: uri, reason: reason)))
        }
        // Under `generic` a machine without a libvirt daemon (no socket at the default URI) is not a
        // hypervisor, not an error. A URI the user named must answer.
        if isGeneric, !target.libvirtURINamed, case .failed(let error) = facts.domains,
            error.reason.contains("No such file or directory")
        {
            facts.domains = .unavailable(
                "no libvirt daemon here (\(error)); pass --libvirt-uri to make this an error")
        }
        return facts
    }
}

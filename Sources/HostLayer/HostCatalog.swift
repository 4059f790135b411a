import ConformCore

/// The host layer's checks: catalog entries and the functions that evaluate them.
public enum HostCatalog {
    static func entry(
        _ id: String, _ title: String, _ severity: Severity, tags: [String], remediation: String, rationale: String
    ) -> CheckMetadata {
        .entry(.host, id, title, severity, tags: tags, remediation: remediation, rationale: rationale)
    }

    static let topologyRemediation =
        "Compare with `lscpu` and `numactl --hardware`; check BIOS settings (NUMA/node interleaving, SMT, "
        + "sub-NUMA clustering) and that every CPU is online, or correct the profile if the hardware changed."

    public static let nodes = entry(
        "host.topology.nodes", "NUMA node count matches the design", .critical, tags: ["topology", "numa"],
        remediation: "Enable NUMA in the BIOS (disable node interleaving) and check `numactl --hardware`.",
        rationale:
            "Every pin and memory binding of the design names NUMA nodes; with other nodes they mean something else.")
    public static let sockets = entry(
        "host.topology.sockets", "Socket count matches the design", .critical, tags: ["topology"],
        remediation: topologyRemediation, rationale: "The design places whole VMs on sockets.")
    public static let cores = entry(
        "host.topology.cores", "Cores per socket match the design", .critical, tags: ["topology"],
        remediation: topologyRemediation, rationale: "Pins assume a fixed number of physical cores per socket.")
    public static let threads = entry(
        "host.topology.threads", "Threads per core match the design", .major, tags: ["topology", "smt"],
        remediation: "Enable SMT (Hyper-Threading) in the BIOS and check /sys/devices/system/cpu/smt/control.",
        rationale: "vCPU pairs are pinned to SMT siblings; without SMT half the pinned CPUs do not exist.")
    public static let cpulist = entry(
        "host.topology.cpulist", "Online CPUs and each node's CPU list match the design", .critical,
        tags: ["topology", "numa"], remediation: topologyRemediation,
        rationale: "CPU numbering decides which node a pinned vCPU really runs on.")
    public static let siblings = entry(
        "host.topology.siblings", "SMT siblings are paired as the design numbers them", .major,
        tags: ["topology", "smt"],
        remediation: topologyRemediation,
        rationale: "The design gives each VM both threads of its cores; a different pairing splits cores between VMs.")
    public static let distances = entry(
        "host.topology.distances", "The NUMA distance table matches the design", .minor, tags: ["topology", "numa"],
        remediation: "Check the firmware's SLIT table (`numactl --hardware`); a flat table hides the remote penalty.",
        rationale: "Distances tell the kernel and benchmarks what is local and what is remote.")
    public static let memory = entry(
        "host.topology.memory", "Each node has the memory the design counts on", .major, tags: ["topology", "memory"],
        remediation: "Check DIMM population per socket (`dmidecode -t memory`) and `numactl --hardware`.",
        rationale: "Strictly bound VMs must fit in their node's memory or they fail to start or get OOM-killed.")
    public static let cpuModel = entry(
        "host.cpu.model", "The CPU model is the one the design was sized for", .minor, tags: ["topology"],
        remediation: "Update the profile's cpu_model if the hardware was replaced on purpose.",
        rationale: "Bandwidth and core counts of the design follow from the CPU model.")
    public static let governor = entry(
        "host.governor", "Every online CPU uses the design's scaling governor", .major, tags: ["tuning", "cpufreq"],
        remediation: "Set it: `cpupower frequency-set -g performance` (persist with a systemd unit or tuned profile).",
        rationale: "Frequency scaling adds latency variance to pinned, latency-sensitive vCPUs.")
    public static let thpEnabled = entry(
        "host.thp.enabled", "Transparent huge pages are enabled as designed", .major, tags: ["tuning", "memory"],
        remediation: "`echo always > /sys/kernel/mm/transparent_hugepage/enabled` and persist it "
            + "(`transparent_hugepage=always` on the kernel command line).",
        rationale: "Guest memory backed by huge pages cuts TLB misses for memory-bound inference.")
    public static let thpDefrag = entry(
        "host.thp.defrag", "Transparent huge page defrag is set as designed", .minor, tags: ["tuning", "memory"],
        remediation: "`echo always > /sys/kernel/mm/transparent_hugepage/defrag` and persist it.",
        rationale: "Defrag decides whether allocations stall to produce huge pages.")
    public static let numaBalancing = entry(
        "host.numa_balancing", "Automatic NUMA balancing is set as designed", .major, tags: ["tuning", "numa"],
        remediation: "`sysctl -w kernel.numa_balancing=0` and persist it in /etc/sysctl.d/.",
        rationale: "The design places memory explicitly; automatic balancing migrates pages behind its back.")

    /// What the host checks judge: the profile's expectations for one host against what its probe found.
    struct Inputs: Sendable {
        let topology: TopologyChecks
        let tuning: TuningChecks
        let cpuModel: String?
        let storage: StorageChecks

        init(spec: HostSpec, facts: HostFacts) {
            topology = TopologyChecks(spec: spec.topology, facts: facts.topology)
            tuning = TuningChecks(spec: spec.tuning, facts: facts)
            cpuModel = spec.topology.cpuModel
            storage = StorageChecks(disks: spec.disks, facts: facts.storage)
        }
    }

    /// Every host check in report order, with how it is evaluated.
    static let table: [CatalogEntry<Inputs>] = [
        CatalogEntry(nodes) { $0.topology.nodes() },
        CatalogEntry(sockets) { $0.topology.sockets() },
        CatalogEntry(cores) { $0.topology.cores() },
        CatalogEntry(threads) { $0.topology.threads() },
        CatalogEntry(cpulist) { $0.topology.cpulist() },
        CatalogEntry(siblings) { $0.topology.siblings() },
        CatalogEntry(distances) { $0.topology.distances() },
        CatalogEntry(memory) { $0.topology.memory() },
        CatalogEntry(cpuModel) { $0.tuning.cpuModel(expected: $0.cpuModel) },
        CatalogEntry(governor) { $0.tuning.governor() },
        CatalogEntry(thpEnabled) { $0.tuning.thpEnabled() },
        CatalogEntry(thpDefrag) { $0.tuning.thpDefrag() },
        CatalogEntry(numaBalancing) { $0.tuning.numaBalancing() },
        CatalogEntry(storageMount) { $0.storage.mount() },
        CatalogEntry(storageSize) { $0.storage.size() },
        CatalogEntry(storageUsed) { $0.storage.used() },
        CatalogEntry(storageInodes) { $0.storage.inodes() },
        CatalogEntry(storageFree) { $0.storage.free() },
    ]

    /// The storage checks: a run reads the design's disks only when one of them is selected.
    public static let storage: [CheckMetadata] = [storageMount, storageSize, storageUsed, storageInodes, storageFree]

    /// Every host check in report order.
    public static let all: [CheckMetadata] = table.metadata()

    /// The host checks for one host: the profile's expectations against what its probe found.
    public static func checks(for spec: HostSpec, facts: HostFacts) -> [Check] {
        table.checks(Inputs(spec: spec, facts: facts))
    }
}

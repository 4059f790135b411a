import ConformCore

/// The benchmark layer's checks.
public enum BenchCatalog {
    static func entry(_ id: String, _ title: String, _ severity: Severity, remediation: String, rationale: String)
        -> CheckMetadata
    {
        .entry(.bench, id, title, severity, tags: ["benchmark"], remediation: remediation, rationale: rationale)
    }

    public static let bandwidth = entry(
        "bench.numa.bandwidth", "Each node reaches the designed local memory bandwidth", .major,
        remediation:
            "Check DIMM population and speed per channel (dmidecode -t memory), BIOS memory settings, and that nothing else loads the node.",
        rationale: "Memory-bound inference runs at the speed of its node's memory.")
    public static let remoteRatio = entry(
        "bench.numa.remote-ratio", "Remote/local bandwidth is within the designed band", .minor,
        remediation:
            "A ratio near 1 means the nodes are not what the distance table says (node interleaving on?); a very low one, a slow interconnect.",
        rationale: "The design keeps the hot path local because remote memory is this much slower.")
    public static let diskWrite = entry(
        "bench.disk.write", "The staging disk writes as fast as the design counts on", .major,
        remediation:
            "Check the device (smartctl), its cache mode in libvirt (cache='none', io='native'), and the file system.",
        rationale: "Temporal workers stage inputs and results on this disk between every job.")
    public static let diskRead = entry(
        "bench.disk.read", "The staging disk reads as fast as the design counts on", .major,
        remediation: "Check the device (smartctl), its cache mode in libvirt, and the file system.",
        rationale: "SLM pods read their inputs from this disk.")
    public static let netDownload = entry(
        "bench.net.download", "Downloads over the link reach its goodput and fit the design's budgets", .major,
        remediation: "Check link speed and duplex (ethtool), MTU, offloads and the far end's disk.",
        rationale: "Inputs arrive over this link before every job.")
    public static let netUpload = entry(
        "bench.net.upload", "Uploads over the link reach its goodput and fit the design's budgets", .major,
        remediation: "Check link speed and duplex (ethtool), MTU, offloads and the far end's disk.",
        rationale: "Results leave over this link after every job.")

    /// Every bench check in report order, with how it is evaluated.
    static let table: [CatalogEntry<BenchChecks>] = [
        CatalogEntry(bandwidth) { $0.bandwidth() },
        CatalogEntry(remoteRatio) { $0.remoteRatio() },
        CatalogEntry(diskWrite) { $0.disk(write: true) },
        CatalogEntry(diskRead) { $0.disk(write: false) },
        CatalogEntry(netDownload) { $0.net(upload: false) },
        CatalogEntry(netUpload) { $0.net(upload: true) },
    ]

    public static let all: [CheckMetadata] = table.metadata()

    public static func checks(for host: HostSpec, profile: Profile, facts: BenchFacts) -> [Check] {
        table.checks(BenchChecks(host: host, profile: profile, facts: facts))
    }

    /// Every bench check skipped for one reason (a fixture, another sysroot).
    public static func skipped(_ reason: String) -> [Check] {
        all.map { metadata in Check(metadata) { [Finding(.skip, message: reason)] } }
    }
}

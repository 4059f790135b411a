/// A check ready to run: its catalog entry and a pure function over facts the layer already gathered.
///
/// Checks never do I/O: a layer probes first, then builds its checks as closures over the facts and the
/// profile's expectations, so every check can be unit-tested with hand-built facts.
public struct Check: Sendable {
    public let metadata: CheckMetadata
    public let evaluate: @Sendable () -> [Finding]

    public init(_ metadata: CheckMetadata, evaluate: @escaping @Sendable () -> [Finding]) {
        self.metadata = metadata
        self.evaluate = evaluate
    }
}

/// The checks of one host, in catalog order, as a layer hands them to the runner.
public struct HostPlan: Sendable {
    /// The name cluster results are filed under: the cluster is no single host.
    public static let clusterHost = "cluster"

    public let host: String
    public let checks: [Check]

    public init(host: String, checks: [Check]) {
        self.host = host
        self.checks = checks
    }
}

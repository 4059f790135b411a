import ConformCore
import Foundation

/// Where the cluster is read from: a fixture's kubectl JSON, or the API server of a kubeconfig.
public enum ClusterSource: Sendable, Equatable {
    /// The kubectl JSON in the fixture's `cluster/` folder (`nodes.json`, `pods.json`, `daemonsets.json`,
    /// `services.json`, `endpointslices.json`) and conform's record of the health answers (`health.json`).
    case fixture(String)
    /// The kubeconfig named (`--kubeconfig`), or the first of the standard places; its context, or the
    /// current one; seconds a request may take in all.
    case kubeconfig(String?, context: String?, timeout: Double)
}

extension ClusterProbe {
    /// The cluster's facts. A source that is not there (a fixture without `cluster/`, a machine without a
    /// kubeconfig) is an error when the run named the cluster layer (`required`), else unavailable, saying
    /// where conform looked: a hypervisor host often has no kubeconfig, and its cluster is checked from
    /// elsewhere. A kubeconfig that is malformed is unusable input: it throws, naming the line and field.
    ///
    /// The design's `health` endpoints are asked with the cluster, once a kubeconfig was read, even when its API
    /// server does not answer: MinIO may be healthy while K3s is down. Without a kubeconfig, the cluster layer,
    /// health included, is what the machine does not check (a hypervisor host, whose cluster is checked from the
    /// control plane: an in-cluster name is reached at its Service's cluster IP, which only the API gives).
    public static func facts(from source: ClusterSource, required: Bool, health: [HealthEndpoint] = []) throws
        -> ClusterFacts
    {
        switch source {
        case .fixture(let fixture):
            let directory = (fixture as NSString).appendingPathComponent("cluster")
            try InputFile.requireOnlyRegularFiles(under: directory)
            guard FileManager.default.fileExists(atPath: directory) else {
                return absent(
                    directory, ProbeError(path: directory, reason: "no such directory: the fixture has no cluster"),
                    skipped: "the fixture has no cluster (looked for \(directory)); the cluster is not checked",
                    required: required)
            }
            return probe(fixtureDirectory: directory)
        case .kubeconfig(let explicit, let context, let timeout):
            let located = Kubeconfig.locate(explicit: explicit)
            guard let path = located.path else {
                let lookedAt = located.lookedAt.joined(separator: ", ")
                return absent(
                    "kubeconfig", ProbeError(path: lookedAt, reason: "no kubeconfig found"),
                    skipped:
                        "no kubeconfig on this machine (looked at \(lookedAt)); pass --kubeconfig, or --layers cluster to make this an error",
                    required: required)
            }
            return try facts(kubeconfig: path, context: context, timeout: timeout, health: health)
        }
    }

    /// The cluster as the API server of a kubeconfig lists it. A file that cannot be read is a source that
    /// cannot be read (its facts are errors); a malformed one is unusable input (it throws).
    public static func facts(
        kubeconfig path: String, context: String?, timeout: Double, health: [HealthEndpoint] = []
    ) throws -> ClusterFacts {
        guard FileManager.default.isReadableFile(atPath: path) else {
            let reason =
                FileManager.default.fileExists(atPath: path) ? "Permission denied" : "No such file or directory"
            return ClusterFacts(source: path, all: .failed(ProbeError(path: path, reason: reason)))
        }
        let credentials = try Kubeconfig.load(file: path, context: context)
        if credentials.insecureSkipTLSVerify {
            log.warning("\(path): insecure-skip-tls-verify is set: the API server's certificate is NOT verified")
        }
        return probe(
            client: KubeClient(credentials: credentials, connectTimeout: timeout / 4, totalTimeout: timeout),
            health: health)
    }

    static func absent(_ source: String, _ error: ProbeError, skipped: String, required: Bool) -> ClusterFacts {
        ClusterFacts(source: source, all: required ? .failed(error) : .unavailable(skipped))
    }
}

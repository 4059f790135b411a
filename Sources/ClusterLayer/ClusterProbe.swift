import ConformCore
import Foundation

/// What the cluster probes see: nodes, pods and DaemonSets, from the API or a fixture's kubectl JSON.
public struct ClusterFacts: Codable, Sendable, Equatable {
    /// The API server URL, or the fixture directory.
    public var source: String
    public var nodes: Probed<[Node]>
    public var pods: Probed<[Pod]>
    public var daemonSets: Probed<[DaemonSet]>

    public init(source: String, nodes: Probed<[Node]>, pods: Probed<[Pod]>, daemonSets: Probed<[DaemonSet]>) {
        self.source = source
        self.nodes = nodes
        self.pods = pods
        self.daemonSets = daemonSets
    }

    /// Every part failed or unavailable for the same reason.
    public init(source: String, all reason: Probed<[Node]>) {
        func same<T>(_ type: T.Type) -> Probed<[T]> {
            switch reason {
            case .failed(let error): return .failed(error)
            case .unavailable(let text): return .unavailable(text)
            case .value: return .value([])
            }
        }
        self.init(source: source, nodes: same(Node.self), pods: same(Pod.self), daemonSets: same(DaemonSet.self))
    }
}

public enum ClusterProbe {
    /// The API paths of the three lists.
    static let nodesPath = "/api/v1/nodes"
    static let podsPath = "/api/v1/pods"
    static let daemonSetsPath = "/apis/apps/v1/daemonsets"

    /// Lists from the API server, the three at once so an unanswering server costs one timeout, not three.
    public static func probe(client: KubeClient) -> ClusterFacts {
        let nodes = Locked<Probed<[Node]>>(.unavailable("not listed"))
        let pods = Locked<Probed<[Pod]>>(.unavailable("not listed"))
        let daemonSets = Locked<Probed<[DaemonSet]>>(.unavailable("not listed"))
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            let result = Probed { try client.list(nodesPath, as: Node.self) }
            nodes.withLock { $0 = result }
        }
        DispatchQueue.global().async(group: group) {
            let result = Probed { try client.list(podsPath, as: Pod.self) }
            pods.withLock { $0 = result }
        }
        DispatchQueue.global().async(group: group) {
            let result = Probed { try client.list(daemonSetsPath, as: DaemonSet.self) }
            daemonSets.withLock { $0 = result }
        }
        group.wait()
        return ClusterFacts(
            source: client.credentials.server, nodes: nodes.withLock { $0 }, pods: pods.withLock { $0 },
            daemonSets: daemonSets.withLock { $0 })
    }

    /// `nodes.json`, `pods.json` and `daemonsets.json` of a fixture's `cluster/` directory, as
    /// `kubectl get … -o json` wrote them.
    public static func probe(fixtureDirectory directory: String) -> ClusterFacts {
        func read<Item: Codable & Sendable>(_ name: String, _ type: Item.Type) -> Probed<[Item]> {
            Probed {
                let path = (directory as NSString).appendingPathComponent(name)
                let data: Data
                do throws(InputFile.Unreadable) { data = try InputFile.contents(path) } catch {
                    throw ProbeError(path: path, reason: error.reason)
                }
                do {
                    return try JSONDecoder().decode(KubeList<Item>.self, from: data).items
                } catch {
                    throw ProbeError(path: path, reason: "not a kubectl JSON list: \(KubeClient.describe(error))")
                }
            }
        }
        return ClusterFacts(
            source: directory, nodes: read("nodes.json", Node.self), pods: read("pods.json", Pod.self),
            daemonSets: read("daemonsets.json", DaemonSet.self))
    }
}

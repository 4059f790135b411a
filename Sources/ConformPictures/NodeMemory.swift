import ConformCore
import Foundation

/// How full each NUMA node's memory is: the memory strictly bound to it, the host reserve, and what is left
/// of its capacity; VMs bound to no node need room somewhere. The sums are `hv.memory.fits`'s: memory bound to
/// several nodes counts evenly on each.
public struct NodeMemory: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var id: Int
        /// `nil` when the node's size is not known.
        public var capacityGiB: Double?

        public init(id: Int, capacityGiB: Double?) {
            self.id = id
            self.capacityGiB = capacityGiB
        }
    }

    public struct Guest: Sendable, Equatable {
        public var name: String
        public var memoryGiB: Double
        /// The nodes its memory is strictly bound to; `nil` when it is not strictly bound.
        public var strictNodes: CPUSet?

        public init(name: String, memoryGiB: Double, strictNodes: CPUSet?) {
            self.name = name
            self.memoryGiB = memoryGiB
            self.strictNodes = strictNodes
        }
    }

    /// One part of a node's bar.
    public struct Share: Sendable, Equatable {
        /// The guest's index (for its colour), `nil` for the host reserve.
        public var guest: Int?
        public var label: String
        public var gib: Double
    }

    public var host: String
    public var state: PinMap.State
    public var nodes: [Node]
    public var hostReserveGiB: Double
    /// In the pin map's order, so that a VM has the same colour and letter in both.
    public var guests: [Guest]

    public init(host: String, state: PinMap.State, nodes: [Node], hostReserveGiB: Double, guests: [Guest]) {
        self.host = host
        self.state = state
        self.nodes = nodes
        self.hostReserveGiB = hostReserveGiB
        self.guests = guests
    }

    /// A node's bound memory by guest, then the host reserve.
    public func shares(of node: Int) -> [Share] {
        var shares: [Share] = guests.enumerated().compactMap { index, guest in
            guard let nodes = guest.strictNodes, nodes.contains(node) else { return nil }
            return Share(guest: index, label: guest.name, gib: guest.memoryGiB / Double(nodes.count))
        }
        if hostReserveGiB > 0 { shares.append(Share(guest: nil, label: "host reserve", gib: hostReserveGiB)) }
        return shares
    }

    /// What is left on a node after its bound memory and the reserve: negative when it is over-committed.
    public func left(on node: Node) -> Double? {
        node.capacityGiB.map { $0 - shares(of: node.id).reduce(0) { $0 + $1.gib } }
    }

    /// The guests bound to no node.
    public var unbound: [(index: Int, guest: Guest)] {
        guests.enumerated().filter { $0.element.strictNodes == nil }.map { ($0.offset, $0.element) }
    }

    /// What is left over all nodes for the unbound guests (nodes over-committed count as nothing left);
    /// `nil` when a node's size is unknown.
    public var leftOver: Double? {
        var total = 0.0
        for node in nodes {
            guard let left = left(on: node) else { return nil }
            total += max(0, left)
        }
        return total
    }
}

import ConformCore
import ConformPictures
import Foundation
import HostLayer
import HypervisorLayer

/// The pictures of the design (`lint`) and of what runs (`run`): a pin map and the node memory of every
/// hypervisor host whose topology is known.
public enum RunPictures {
    /// As designed: the profile's declared topology and VM definitions. A host whose declared topology does not
    /// give every node's CPUs gets no pin map.
    public static func designed(_ profile: Profile) -> [Figure] {
        profile.hosts.filter { !$0.vms.isEmpty }.flatMap { spec -> [Figure] in
            let placements = designedPlacements(spec, profile)
            var figures: [Figure] = []
            if let map = designedPinMap(spec, profile) { figures.append(map.figure) }
            if let nodes = spec.topology.nodes, !nodes.isEmpty {
                figures.append(
                    memory(
                        host: spec.name, state: .designed, nodes: nodes.map { ($0.id, $0.memoryGiB) },
                        reserve: spec.hostReserveGiB ?? 0, placements: placements
                    ).figure)
            }
            return figures
        }
    }

    /// A host's pin map as designed; `nil` when its declared topology does not give every node's CPUs.
    public static func designedPinMap(_ spec: HostSpec, _ profile: Profile) -> PinMap? {
        NUMATopology(spec: spec.topology).map { topology in
            pinMap(
                host: spec.name, state: .designed, topology: topology, sockets: spec.topology.sockets,
                placements: designedPlacements(spec, profile), live: [:])
        }
    }

    static func designedPlacements(_ spec: HostSpec, _ profile: Profile) -> [Placement] {
        spec.vms.compactMap { name in
            profile.vm(named: name).map { Placement(definition: $0, flexible: spec.flexibleVMs.contains(name)) }
        }
    }

    /// As running: the probed topology, libvirt's definitions and the live threads of each host whose
    /// hypervisor was read and has domains.
    public static func running(_ probes: Probes, _ profile: Profile) -> [Figure] {
        probes.hosts.flatMap { probed -> [Figure] in
            guard let topology = probed.host?.topology.value, let hypervisor = probed.hypervisor,
                let domains = hypervisor.domains.value, !domains.isEmpty
            else { return [] }
            let spec = probed.target.spec
            // The design's order first, so that a VM has the letter and colour it has in `lint`'s pictures.
            let order = spec.vms
            let sorted = domains.sorted { lhs, rhs in
                let left = order.firstIndex(of: lhs.name) ?? order.count
                let right = order.firstIndex(of: rhs.name) ?? order.count
                return left != right ? left < right : lhs.name < rhs.name
            }
            let placements = sorted.map { Placement(domain: $0, flexible: spec.flexibleVMs.contains($0.name)) }
            var live: [String: PinMap.Threads] = [:]
            for domain in sorted {
                guard let facts = hypervisor.live[domain.name]?.value else { continue }
                live[domain.name] = threads(facts, domain: domain)
            }
            return [
                pinMap(
                    host: spec.name, state: .running, topology: topology.numaTopology, sockets: topology.sockets,
                    placements: placements, live: live
                ).figure,
                memory(
                    host: spec.name, state: .running, nodes: topology.nodes.map { ($0.id, $0.memoryGiB) },
                    reserve: spec.hostReserveGiB ?? 0, placements: placements
                ).figure,
            ]
        }
    }

    /// Where a running domain's threads may run: each vCPU thread's CPUs, and the emulator threads' (every
    /// thread that is neither a vCPU nor a pinned I/O thread, as `hv.live.emulator` counts them) together.
    static func threads(_ facts: LiveDomainFacts, domain: DomainFacts) -> PinMap.Threads {
        let pinnedIOThreads = Set(domain.iothreadPins.map(\.iothread))
        let emulator = facts.threads.filter { thread in
            thread.vcpu == nil && !thread.isKernelWorker && !(thread.iothread.map(pinnedIOThreads.contains) ?? false)
        }
        return PinMap.Threads(
            vcpuCPUs: (0..<domain.vcpus).map { facts.vcpuThread($0)?.cpusAllowed },
            emulatorCPUs: emulator.isEmpty ? nil : emulator.reduce(CPUSet.empty) { $0.union($1.cpusAllowed) })
    }

    static func pinMap(
        host: String, state: PinMap.State, topology: NUMATopology, sockets: Int?, placements: [Placement],
        live: [String: PinMap.Threads]
    ) -> PinMap {
        PinMap(
            host: host, state: state, topology: topology, sockets: sockets,
            guests: placements.map { placement in
                PinMap.Guest(
                    name: placement.name, vcpuCPUs: placement.vcpuCPUs, emulatorCPUs: placement.emulatorCPUs,
                    flexible: placement.flexible, live: live[placement.name])
            })
    }

    static func memory(
        host: String, state: PinMap.State, nodes: [(id: Int, gib: Double?)], reserve: Double, placements: [Placement]
    ) -> NodeMemory {
        NodeMemory(
            host: host, state: state, nodes: nodes.map { NodeMemory.Node(id: $0.id, capacityGiB: $0.gib) },
            hostReserveGiB: reserve,
            guests: placements.map {
                NodeMemory.Guest(name: $0.name, memoryGiB: $0.memoryGiB, strictNodes: $0.strictNodes)
            })
    }
}

import ConformCore
import Foundation

/// Who runs on each CPU of a host, as designed (`conform lint`) or as running (`conform run`): the model a pin
/// map is drawn from, and the conflicts it makes stand out. The conflicts are the ones the hypervisor layer's
/// pinning checks fail on (a CPU shared by two VMs, a vCPU on an emulator CPU, a VM on two nodes, a core whose
/// two hyperthreads go to two VMs), so the picture and the results tell the same story.
public struct PinMap: Sendable, Equatable {
    public enum State: String, Sendable {
        case designed = "as designed"
        case running = "as running"
    }

    /// A VM's CPUs.
    public struct Guest: Sendable, Equatable {
        public var name: String
        /// Host CPUs of vCPU 0, 1, …; `nil` for a vCPU that is not pinned.
        public var vcpuCPUs: [CPUSet?]
        /// `nil` when the emulator threads are not pinned.
        public var emulatorCPUs: CPUSet?
        /// The design shares this VM's CPUs on purpose (`flexible_vms`).
        public var flexible: Bool
        /// Where its threads may run now (their `Cpus_allowed`), when it runs; `nil` otherwise.
        public var live: Threads?

        public init(
            name: String, vcpuCPUs: [CPUSet?], emulatorCPUs: CPUSet?, flexible: Bool = false, live: Threads? = nil
        ) {
            self.name = name
            self.vcpuCPUs = vcpuCPUs
            self.emulatorCPUs = emulatorCPUs
            self.flexible = flexible
            self.live = live
        }

        public var allVCPUCPUs: CPUSet { CPUSet(vcpuCPUs.flatMap { $0?.members ?? [] }) }
    }

    /// The CPUs a running VM's threads are allowed on.
    public struct Threads: Sendable, Equatable {
        /// By vCPU; `nil` for a vCPU whose thread was not found.
        public var vcpuCPUs: [CPUSet?]
        /// Every emulator thread's CPUs together; `nil` when none was found.
        public var emulatorCPUs: CPUSet?

        public init(vcpuCPUs: [CPUSet?], emulatorCPUs: CPUSet?) {
            self.vcpuCPUs = vcpuCPUs
            self.emulatorCPUs = emulatorCPUs
        }
    }

    /// What one CPU does for one VM.
    public struct Use: Sendable, Hashable, Comparable {
        public enum Role: Sendable, Hashable, Comparable {
            case vcpu(Int)
            case emulator
        }

        /// The VM's index in `guests`.
        public var guest: Int
        public var role: Role

        public static func < (lhs: Use, rhs: Use) -> Bool {
            (lhs.guest, lhs.role) < (rhs.guest, rhs.role)
        }
    }

    public var host: String
    public var state: State
    public var topology: NUMATopology
    /// Sockets, when known: the nodes are split among them in order.
    public var sockets: Int?
    public var guests: [Guest]

    public init(host: String, state: State, topology: NUMATopology, sockets: Int?, guests: [Guest]) {
        self.host = host
        self.state = state
        self.topology = topology
        self.sockets = sockets
        self.guests = guests
    }

    /// The node ids of each socket: the nodes split evenly in order, or one group when they do not split.
    public var socketNodes: [[Int]] {
        let ids = topology.nodes.map(\.id)
        guard let sockets, sockets > 1, ids.count >= sockets, ids.count % sockets == 0 else { return [ids] }
        let perSocket = ids.count / sockets
        return stride(from: 0, to: ids.count, by: perSocket).map { Array(ids[$0..<$0 + perSocket]) }
    }

    /// Every CPU's uses in the definition (libvirt's, or the design's).
    public var definedUses: [Int: [Use]] {
        uses { guest in (guest.vcpuCPUs, guest.emulatorCPUs) }
    }

    /// Every CPU's uses by the live threads; `nil` when no guest runs. A thread the definition leaves unpinned
    /// may run anywhere, which is as defined: it is left out here as it is from the definition's uses.
    public var liveUses: [Int: [Use]]? {
        guard guests.contains(where: { $0.live != nil }) else { return nil }
        return uses { guest in
            guard let live = guest.live else { return ([], nil) }
            let vcpus = guest.vcpuCPUs.indices.map { vcpu in
                guest.vcpuCPUs[vcpu] == nil || vcpu >= live.vcpuCPUs.count ? nil : live.vcpuCPUs[vcpu]
            }
            return (vcpus, guest.emulatorCPUs == nil ? nil : live.emulatorCPUs)
        }
    }

    func uses(_ pick: (Guest) -> ([CPUSet?], CPUSet?)) -> [Int: [Use]] {
        var uses: [Int: [Use]] = [:]
        for (index, guest) in guests.enumerated() {
            let (vcpus, emulator) = pick(guest)
            for (vcpu, cpus) in vcpus.enumerated() {
                for cpu in cpus ?? .empty { uses[cpu, default: []].append(Use(guest: index, role: .vcpu(vcpu))) }
            }
            for cpu in emulator ?? .empty { uses[cpu, default: []].append(Use(guest: index, role: .emulator)) }
        }
        return uses.mapValues { $0.sorted() }
    }

    /// The guests whose live threads are not where their definition puts them, with what differs.
    public var liveDifferences: [String] {
        guests.compactMap { guest in
            guard let live = guest.live else { return nil }
            var parts: [String] = []
            for (vcpu, defined) in guest.vcpuCPUs.enumerated() {
                let running = vcpu < live.vcpuCPUs.count ? live.vcpuCPUs[vcpu] : nil
                if let defined, running != defined {
                    parts.append(
                        "vCPU \(vcpu) defined on \(defined), running on \(running?.description ?? "no thread found")"
                    )
                }
            }
            if let defined = guest.emulatorCPUs, live.emulatorCPUs != defined {
                parts.append(
                    "emulator defined on \(defined), running on \(live.emulatorCPUs?.description ?? "no thread found")")
            }
            guard !parts.isEmpty else { return nil }
            let shown = parts.prefix(4).joined(separator: "; ")
            return "\(guest.name): \(shown)" + (parts.count > 4 ? "; and \(parts.count - 4) more" : "")
        }
    }
}

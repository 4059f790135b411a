import ConformCore
import Foundation

/// Something a pin map shows as wrong, with the CPUs it is about.
public struct PinConflict: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case shared = "CPU shared by two VMs"
        case vcpuOnEmulator = "vCPU on an emulator CPU"
        case spansNodes = "VM spanning nodes"
        case splitCore = "split sibling pair"
    }

    public var kind: Kind
    public var cpus: CPUSet
    /// One line naming the VMs and the CPUs.
    public var text: String
    /// Every VM involved is declared flexible: the design shares on purpose, the checks warn.
    public var onPurpose: Bool
}

extension PinMap {
    /// The conflicts of a set of uses (the definition's, or the live threads'), in a fixed order: by kind,
    /// then by first CPU.
    public func conflicts(in uses: [Int: [Use]]) -> [PinConflict] {
        shared(uses) + vcpusOnEmulators(uses) + spanningGuests(uses) + splitCores(uses)
    }

    func names(_ indices: [Int]) -> String {
        let names = indices.map { guests[$0].name }
        return names.count <= 2
            ? names.joined(separator: " and ") : names.dropLast().joined(separator: ", ") + " and \(names.last ?? "")"
    }

    func allFlexible(_ indices: [Int]) -> Bool { indices.allSatisfy { guests[$0].flexible } }

    /// CPUs that carry the vCPUs of two or more VMs, grouped by the VMs.
    func shared(_ uses: [Int: [Use]]) -> [PinConflict] {
        var byGuests: [[Int]: [Int]] = [:]
        for (cpu, list) in uses {
            let owners = Set(list.filter { if case .vcpu = $0.role { return true } else { return false } }.map(\.guest))
            if owners.count > 1 { byGuests[owners.sorted(), default: []].append(cpu) }
        }
        return byGuests.map { owners, cpus in
            PinConflict(
                kind: .shared, cpus: CPUSet(cpus), text: "CPU \(CPUSet(cpus)): vCPUs of \(names(owners))",
                onPurpose: allFlexible(owners))
        }.sorted { $0.cpus.members.first ?? 0 < $1.cpus.members.first ?? 0 }
    }

    /// CPUs that carry a vCPU and emulator threads (of the same VM or of another).
    func vcpusOnEmulators(_ uses: [Int: [Use]]) -> [PinConflict] {
        struct Pair: Hashable {
            var vcpuGuests: [Int]
            var emulatorGuests: [Int]
        }
        var byPair: [Pair: [Int]] = [:]
        for (cpu, list) in uses {
            let vcpus = Set(list.filter { $0.role != .emulator }.map(\.guest)).sorted()
            let emulators = Set(list.filter { $0.role == .emulator }.map(\.guest)).sorted()
            if !vcpus.isEmpty && !emulators.isEmpty {
                byPair[Pair(vcpuGuests: vcpus, emulatorGuests: emulators), default: []].append(cpu)
            }
        }
        return byPair.map { pair, cpus in
            let own = pair.vcpuGuests == pair.emulatorGuests
            let whose = own ? "its own emulator CPUs" : "the emulator CPUs of \(names(pair.emulatorGuests))"
            return PinConflict(
                kind: .vcpuOnEmulator, cpus: CPUSet(cpus),
                text: "CPU \(CPUSet(cpus)): vCPUs of \(names(pair.vcpuGuests)) on \(whose)",
                onPurpose: !own && allFlexible(pair.vcpuGuests)
                    && Set(pair.vcpuGuests).isDisjoint(with: pair.emulatorGuests))
        }.sorted { $0.cpus.members.first ?? 0 < $1.cpus.members.first ?? 0 }
    }

    /// VMs whose vCPUs and emulator threads are on more than one node.
    func spanningGuests(_ uses: [Int: [Use]]) -> [PinConflict] {
        guests.indices.compactMap { index in
            let cpus = CPUSet(uses.filter { $0.value.contains { $0.guest == index } }.keys)
            let nodes = topology.nodes.filter { !$0.cpus.intersection(cpus).isEmpty }
            guard nodes.count > 1 else { return nil }
            let parts = nodes.map { "\($0.cpus.intersection(cpus)) on node \($0.id)" }.joined(separator: "; ")
            return PinConflict(
                kind: .spansNodes, cpus: cpus,
                text: "\(guests[index].name) spans nodes \(CPUSet(nodes.map(\.id))): CPU \(parts)",
                onPurpose: guests[index].flexible)
        }
    }

    /// Cores whose hyperthreads carry the vCPUs of different VMs, as `hv.vcpupin.siblings` finds them.
    func splitCores(_ uses: [Int: [Use]]) -> [PinConflict] {
        topology.siblings.filter { $0.count > 1 }.compactMap { core in
            var threads: [Int: [Int]] = [:]
            for cpu in core {
                for use in uses[cpu] ?? [] where use.role != .emulator { threads[use.guest, default: []].append(cpu) }
            }
            let sets = Set(threads.values.map { CPUSet($0) })
            guard threads.count > 1, sets.count > 1 else { return nil }
            let owners = threads.keys.sorted()
            let parts = owners.map { "\(guests[$0].name) has \(CPUSet(threads[$0] ?? []))" }.joined(separator: ", ")
            return PinConflict(
                kind: .splitCore, cpus: core, text: "core \(core) is split: \(parts)",
                onPurpose: owners.contains { guests[$0].flexible })
        }
    }
}

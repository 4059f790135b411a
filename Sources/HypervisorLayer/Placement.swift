import ConformCore

/// One VM's CPU and memory placement, as libvirt has it configured or as the profile designs it: the common
/// ground of `conform run` (live domains) and `conform lint` (VM definitions alone).
public struct Placement: Sendable, Equatable {
    public var name: String
    /// Host CPUs of vCPU 0, 1, …; `nil` for a vCPU that is not pinned (it may run anywhere).
    public var vcpuCPUs: [CPUSet?] {
        didSet { allVCPUCPUs = Self.union(vcpuCPUs) }
    }
    /// Every host CPU any vCPU is pinned to: kept, not recomputed, since the invariants ask for it once per
    /// core of the host and VM pair.
    public private(set) var allVCPUCPUs: CPUSet
    /// Host CPUs of the emulator threads; `nil` when they are not pinned.
    public var emulatorCPUs: CPUSet?
    public var memoryMode: String?
    public var memoryNodes: CPUSet?
    public var memoryGiB: Double
    /// Declared by the profile as sharing CPUs on purpose.
    public var flexible: Bool

    public init(
        name: String, vcpuCPUs: [CPUSet?], emulatorCPUs: CPUSet?, memoryMode: String? = nil, memoryNodes: CPUSet? = nil,
        memoryGiB: Double, flexible: Bool = false
    ) {
        self.name = name
        self.vcpuCPUs = vcpuCPUs
        self.allVCPUCPUs = Self.union(vcpuCPUs)
        self.emulatorCPUs = emulatorCPUs
        self.memoryMode = memoryMode
        self.memoryNodes = memoryNodes
        self.memoryGiB = memoryGiB
        self.flexible = flexible
    }

    static func union(_ sets: [CPUSet?]) -> CPUSet { CPUSet(sets.flatMap { $0?.members ?? [] }) }

    /// The nodes memory is strictly bound to, or `nil` when it is not strictly bound.
    public var strictNodes: CPUSet? {
        memoryMode == "strict" ? memoryNodes : nil
    }

    /// As libvirt has it configured.
    public init(domain: DomainFacts, flexible: Bool) {
        self.init(
            name: domain.name, vcpuCPUs: (0..<domain.vcpus).map { domain.allowedCPUs(ofVCPU: $0) },
            emulatorCPUs: domain.emulatorCPUs, memoryMode: domain.numaMemory?.mode,
            memoryNodes: domain.numaMemory?.nodeset,
            memoryGiB: domain.memoryGiB, flexible: flexible)
    }

    /// As the VM definition designs it.
    public init(definition: VMDefinition, flexible: Bool) {
        let pins = definition.tuning?.vcpuPins ?? []
        self.init(
            name: definition.name, vcpuCPUs: (0..<definition.vcpuCount).map { $0 < pins.count ? pins[$0] : nil },
            emulatorCPUs: definition.tuning?.emulatorCPUs, memoryMode: definition.tuning?.numaMemory?.mode.rawValue,
            memoryNodes: definition.tuning?.numaMemory?.nodeset, memoryGiB: definition.memoryGiB, flexible: flexible)
    }
}

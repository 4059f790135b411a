import ConformCore

/// A libvirt domain as its live XML describes it (`conform facts`' `domains[]`).
public struct DomainFacts: Codable, Sendable, Equatable {
    public var name: String
    /// libvirt's state name: `running`, `paused`, `shut off`, …
    public var state: String
    /// Maximum vCPUs (`<vcpu>`).
    public var vcpus: Int
    /// vCPUs online at boot (`<vcpu current=…>`), when fewer than the maximum.
    public var currentVCPUs: Int?
    /// `<memory>` in KiB.
    public var memoryKiB: Int
    /// `<vcpu placement=…>`: `static` or `auto`.
    public var vcpuPlacement: String
    /// `<vcpu cpuset=…>`: where vCPUs without their own `vcpupin` may run.
    public var vcpuCPUSet: CPUSet?
    public var vcpuPins: [VCPUPin]
    public var emulatorPin: CPUSet?
    public var iothreadPins: [IOThreadPin]
    public var numaMemory: NumaTuneMemory?
    public var memoryNodes: [MemoryNode]

    public init(
        name: String, state: String = "running", vcpus: Int, currentVCPUs: Int? = nil, memoryKiB: Int,
        vcpuPlacement: String = "static", vcpuCPUSet: CPUSet? = nil, vcpuPins: [VCPUPin] = [],
        emulatorPin: CPUSet? = nil,
        iothreadPins: [IOThreadPin] = [], numaMemory: NumaTuneMemory? = nil, memoryNodes: [MemoryNode] = []
    ) {
        self.name = name
        self.state = state
        self.vcpus = vcpus
        self.currentVCPUs = currentVCPUs
        self.memoryKiB = memoryKiB
        self.vcpuPlacement = vcpuPlacement
        self.vcpuCPUSet = vcpuCPUSet
        self.vcpuPins = vcpuPins
        self.emulatorPin = emulatorPin
        self.iothreadPins = iothreadPins
        self.numaMemory = numaMemory
        self.memoryNodes = memoryNodes
    }

    /// The host CPUs vCPU `index` may run on: its `vcpupin`, else `<vcpu cpuset>`, else `nil` (anywhere).
    public func allowedCPUs(ofVCPU index: Int) -> CPUSet? {
        vcpuPins.first { $0.vcpu == index }?.cpuset ?? vcpuCPUSet
    }

    /// Where the emulator threads may run: `emulatorpin`, else `<vcpu cpuset>`, else `nil` (anywhere).
    public var emulatorCPUs: CPUSet? { emulatorPin ?? vcpuCPUSet }

    public var memoryGiB: Double { Double(memoryKiB) / 1_048_576 }
}

/// `<vcpupin vcpu=… cpuset=…>`
public struct VCPUPin: Codable, Sendable, Equatable {
    public var vcpu: Int
    public var cpuset: CPUSet

    public init(vcpu: Int, cpuset: CPUSet) {
        self.vcpu = vcpu
        self.cpuset = cpuset
    }
}

/// `<iothreadpin iothread=… cpuset=…>`
public struct IOThreadPin: Codable, Sendable, Equatable {
    public var iothread: Int
    public var cpuset: CPUSet

    public init(iothread: Int, cpuset: CPUSet) {
        self.iothread = iothread
        self.cpuset = cpuset
    }
}

/// `<numatune><memory mode=… nodeset=… placement=…>`; with automatic placement there is no nodeset.
public struct NumaTuneMemory: Codable, Sendable, Equatable {
    public var mode: String
    public var nodeset: CPUSet?
    public var placement: String

    public init(mode: String, nodeset: CPUSet?, placement: String) {
        self.mode = mode
        self.nodeset = nodeset
        self.placement = placement
    }
}

/// `<numatune><memnode cellid=… mode=… nodeset=…>`
public struct MemoryNode: Codable, Sendable, Equatable {
    public var cellID: Int
    public var mode: String
    public var nodeset: CPUSet

    public init(cellID: Int, mode: String, nodeset: CPUSet) {
        self.cellID = cellID
        self.mode = mode
        self.nodeset = nodeset
    }
}

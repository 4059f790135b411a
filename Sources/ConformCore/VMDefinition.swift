/// A VM as the design defines it, in the seeds' own JSON format (`vm-specifications.md`): one file per VM,
/// copied as written.
public struct VMDefinition: Sendable, Equatable {
    public var name: String
    public var vcpuCount: Int
    public var memoryMB: Int
    public var diskPath: String?
    public var diskSizeGB: Int?
    public var tuning: VMTuning?
    /// The file it was read from.
    public var file: String

    public init(
        name: String, vcpuCount: Int, memoryMB: Int, diskPath: String? = nil, diskSizeGB: Int? = nil,
        tuning: VMTuning? = nil, file: String = ""
    ) {
        self.name = name
        self.vcpuCount = vcpuCount
        self.memoryMB = memoryMB
        self.diskPath = diskPath
        self.diskSizeGB = diskSizeGB
        self.tuning = tuning
        self.file = file
    }

    /// Memory in GiB (the seeds' `memory_mb` is MiB: 122880 is 120 GiB).
    public var memoryGiB: Double { Double(memoryMB) / 1024 }
}

/// The `tuning` block of a VM definition.
public struct VMTuning: Sendable, Equatable {
    /// Host CPUs for vCPU 0, 1, 2, … (libvirt cpuset syntax each).
    public var vcpuPins: [CPUSet]
    /// Host CPUs for the QEMU emulator threads; `nil` when the design leaves them unpinned.
    public var emulatorCPUs: CPUSet?
    /// Memory binding; `nil` when the VM may take memory from any node.
    public var numaMemory: NUMAMemory?

    public init(vcpuPins: [CPUSet], emulatorCPUs: CPUSet? = nil, numaMemory: NUMAMemory? = nil) {
        self.vcpuPins = vcpuPins
        self.emulatorCPUs = emulatorCPUs
        self.numaMemory = numaMemory
    }
}

/// libvirt's `<numatune><memory mode=… nodeset=…/>`.
public struct NUMAMemory: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case strict, preferred, interleave, restrictive }

    public var mode: Mode
    public var nodeset: CPUSet

    public init(mode: Mode, nodeset: CPUSet) {
        self.mode = mode
        self.nodeset = nodeset
    }
}

/// A design conform verifies: its hosts, the VMs they run, the cluster and the network, loaded from
/// `checks/<name>.yaml` and the VM definition files it references.
public struct Profile: Sendable {
    public var name: String
    public var description: String
    /// The file it was loaded from; `nil` for the built-in `generic` profile.
    public var file: String?
    public var hosts: [HostSpec]
    public var vms: [VMDefinition]
    public var cluster: ClusterSpec
    public var network: [NetworkLink]
    public var bench: BenchSpec
    /// Per-measurement tolerance overrides in percent, by name glob (`baseline: {tolerances: {…}}`).
    public var baselineTolerances: [String: Double] = [:]

    public init(
        name: String, description: String = "", file: String? = nil, hosts: [HostSpec], vms: [VMDefinition] = [],
        cluster: ClusterSpec = ClusterSpec(), network: [NetworkLink] = [], bench: BenchSpec = BenchSpec()
    ) {
        self.name = name
        self.description = description
        self.file = file
        self.hosts = hosts
        self.vms = vms
        self.cluster = cluster
        self.network = network
        self.bench = bench
    }

    public func host(named name: String) -> HostSpec? { hosts.first { $0.name == name } }
    public func vm(named name: String) -> VMDefinition? { vms.first { $0.name == name } }

    /// The built-in profile that expects nothing of a particular design: one host, the machine it runs on,
    /// checked only against what holds on any machine.
    public static let genericName = "generic"

    public static func generic(hostname: String) -> Profile {
        Profile(
            name: genericName, description: "Any machine: sanity checks only, no design expectations.",
            hosts: [HostSpec(name: hostname)])
    }
}

/// What a host is for in the design.
public enum HostRole: String, Sendable, CaseIterable {
    /// Runs the profile's VMs under libvirt/KVM.
    case hypervisor
    /// Is itself one of the profile's VMs, checked from inside the guest.
    case vm
    /// Runs the K3s control plane.
    case k3sServer = "k3s-server"
    /// Runs a K3s agent (a worker node).
    case k3sAgent = "k3s-agent"
    /// Holds the design's bulk storage (data lake, MinIO).
    case storage
}

/// One host of the design and what conform expects of it.
public struct HostSpec: Sendable {
    public var name: String
    public var roles: [HostRole]
    public var description: String
    /// For a guest: the name of the VM definition it is.
    public var vm: String?
    /// For a hypervisor: the names of the VM definitions it runs.
    public var vms: [String]
    /// For a hypervisor: VMs the design lets share CPUs on purpose (flexible placement on leftover and
    /// emulator CPUs). Their overlaps are warnings, except on another VM's dedicated vCPUs.
    public var flexibleVMs: [String]
    public var topology: TopologySpec
    public var tuning: TuningSpec
    /// Memory per NUMA node kept for the host itself, outside any strictly bound VM.
    public var hostReserveGiB: Double?
    public var disks: [DiskSpec]

    public init(
        name: String, roles: [HostRole] = [], description: String = "", vm: String? = nil, vms: [String] = [],
        flexibleVMs: [String] = [], topology: TopologySpec = TopologySpec(), tuning: TuningSpec = TuningSpec(),
        hostReserveGiB: Double? = nil,
        disks: [DiskSpec] = []
    ) {
        self.name = name
        self.roles = roles
        self.description = description
        self.vm = vm
        self.vms = vms
        self.flexibleVMs = flexibleVMs
        self.topology = topology
        self.tuning = tuning
        self.hostReserveGiB = hostReserveGiB
        self.disks = disks
    }
}

/// The CPU and memory layout a host should have. Every field is optional: what is not declared is only
/// checked for internal consistency.
public struct TopologySpec: Sendable, Equatable {
    /// A substring of `/proc/cpuinfo`'s model name, such as `E5-2697 v4`.
    public var cpuModel: String?
    public var sockets: Int?
    public var coresPerSocket: Int?
    public var threadsPerCore: Int?
    public var onlineCPUs: CPUSet?
    /// The SMT sibling of CPU n is n + offset (36 on a 2 × 18-core machine numbered 0-17,36-53 / 18-35,54-71).
    public var siblingOffset: Int?
    public var nodes: [NodeSpec]?
    /// The NUMA distance matrix, row i being node i's `distance` file.
    public var distances: [[Int]]?
    /// How far a node's MemTotal may be from `memoryGiB`, in percent (firmware and the kernel keep some).
    public var memoryTolerancePercent: Double

    public init(
        cpuModel: String? = nil, sockets: Int? = nil, coresPerSocket: Int? = nil, threadsPerCore: Int? = nil,
        onlineCPUs: CPUSet? = nil, siblingOffset: Int? = nil, nodes: [NodeSpec]? = nil, distances: [[Int]]? = nil,
        memoryTolerancePercent: Double = 5
    ) {
        self.cpuModel = cpuModel
        self.sockets = sockets
        self.coresPerSocket = coresPerSocket
        self.threadsPerCore = threadsPerCore
        self.onlineCPUs = onlineCPUs
        self.siblingOffset = siblingOffset
        self.nodes = nodes
        self.distances = distances
        self.memoryTolerancePercent = memoryTolerancePercent
    }
}

/// One NUMA node as the design describes it.
public struct NodeSpec: Sendable, Equatable {
    public var id: Int
    public var cpus: CPUSet?
    public var memoryGiB: Double?

    public init(id: Int, cpus: CPUSet? = nil, memoryGiB: Double? = nil) {
        self.id = id
        self.cpus = cpus
        self.memoryGiB = memoryGiB
    }
}

/// Host tuning the design asks for; `nil` fields are only checked for sanity.
public struct TuningSpec: Sendable, Equatable {
    public var governor: String?
    public var thpEnabled: String?
    public var thpDefrag: String?
    public var numaBalancing: Int?

    public init(governor: String? = nil, thpEnabled: String? = nil, thpDefrag: String? = nil, numaBalancing: Int? = nil)
    {
        self.governor = governor
        self.thpEnabled = thpEnabled
        self.thpDefrag = thpDefrag
        self.numaBalancing = numaBalancing
    }
}

/// A local disk of the design: a staging disk (`/data/local` on the SLM workers), a hot tier, a data lake.
public struct DiskSpec: Sendable, Equatable {
    public enum Media: String, Sendable, CaseIterable { case ssd, hdd, nvme }
    public enum Purpose: String, Sendable, CaseIterable { case staging, hot, lake }

    public var path: String
    public var purpose: Purpose
    public var sizeGB: Double
    public var media: Media
    public var device: String?
    /// Space that must stay available (decimal GB): the floor `host.storage.free` holds the disk to, and what a
    /// benchmark must leave behind.
    public var minFreeGB: Double?
    /// Sequential throughput the design counts on (MB/s), for write and read.
    public var minMBps: Double?
    /// The used share of space (0-100, as df's Use%) above which the design says the disk is in danger.
    public var maxUsedPercent: Double?
    /// The same for inodes, when the design gives one of its own; see `inodesThresholdPercent`.
    public var maxInodesUsedPercent: Double?

    public init(
        path: String, purpose: Purpose, sizeGB: Double, media: Media, device: String? = nil, minFreeGB: Double? = nil,
        minMBps: Double? = nil, maxUsedPercent: Double? = nil, maxInodesUsedPercent: Double? = nil
    ) {
        self.path = path
        self.purpose = purpose
        self.sizeGB = sizeGB
        self.media = media
        self.device = device
        self.minFreeGB = minFreeGB
        self.minMBps = minMBps
        self.maxUsedPercent = maxUsedPercent
        self.maxInodesUsedPercent = maxInodesUsedPercent
    }

    /// The inode threshold: the design's own, else its threshold for space (a disk out of inodes is as full as
    /// one out of blocks).
    public var inodesThresholdPercent: Double? { maxInodesUsedPercent ?? maxUsedPercent }
}

/// A network link of the design and the transfers it must carry in time.
public struct NetworkLink: Sendable, Equatable {
    public var name: String
    public var from: String
    public var to: String
    public var speedMbit: Int
    public var transfers: [Transfer]
    /// Where `conform run` on `from` measures the link: an object to download, and where to PUT one.
    public var downloadURL: String?
    public var uploadURL: String?

    public init(
        name: String, from: String, to: String, speedMbit: Int, transfers: [Transfer] = [], downloadURL: String? = nil,
        uploadURL: String? = nil
    ) {
        self.name = name
        self.from = from
        self.to = to
        self.speedMbit = speedMbit
        self.transfers = transfers
        self.downloadURL = downloadURL
        self.uploadURL = uploadURL
    }
}

/// A payload the design moves over a link, and the time it says that takes.
public struct Transfer: Sendable, Equatable {
    public var name: String
    /// Decimal bytes (2 GB = 2 × 10^9).
    public var bytes: Double
    public var budgetSeconds: Double
    public var direction: Direction

    public enum Direction: String, Sendable, CaseIterable { case download, upload }

    public init(name: String, bytes: Double, budgetSeconds: Double, direction: Direction) {
        self.name = name
        self.bytes = bytes
        self.budgetSeconds = budgetSeconds
        self.direction = direction
    }
}

/// What the design promises the benchmarks will measure, and how big they run.
public struct BenchSpec: Sendable, Equatable {
    /// Triad bandwidth each node must reach with its own memory (GB/s).
    public var localFloorGBps: Double?
    /// Remote/local triad bandwidth must fall in this band.
    public var remoteRatio: ClosedRange<Double>?
    /// Bytes of each array (full run) and with `--quick`.
    public var memoryArrayBytes: Double
    public var quickMemoryArrayBytes: Double
    /// Bytes written and read on each disk (full run) and with `--quick`.
    public var diskBytes: Double
    public var quickDiskBytes: Double
    /// Bytes uploaded per network measurement.
    public var uploadBytes: Double

    public init(
        localFloorGBps: Double? = nil, remoteRatio: ClosedRange<Double>? = nil, memoryArrayBytes: Double = 1e9,
        quickMemoryArrayBytes: Double = 2.5e8, diskBytes: Double = 8 * 1_073_741_824,
        quickDiskBytes: Double = 1_073_741_824,
        uploadBytes: Double = 1e9
    ) {
        self.localFloorGBps = localFloorGBps
        self.remoteRatio = remoteRatio
        self.memoryArrayBytes = memoryArrayBytes
        self.quickMemoryArrayBytes = quickMemoryArrayBytes
        self.diskBytes = diskBytes
        self.quickDiskBytes = quickDiskBytes
        self.uploadBytes = uploadBytes
    }
}

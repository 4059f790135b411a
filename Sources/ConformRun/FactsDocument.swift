import BenchLayer
import ClusterLayer
import ConformCore
import ConformCurl
import Foundation
import HostLayer
import HypervisorLayer

/// `conform facts`: what the probes see on one machine, with nothing checked.
public struct FactsJob: Sendable {
    public var sysroot: Sysroot
    /// The libvirt URI named; `nil` for the default of the sysroot.
    public var libvirtURI: String?
    /// Also list the cluster with this kubeconfig and context.
    public var kubeconfig: String?
    public var context: String?
    public var kubeTimeout: Double

    public init(
        sysroot: Sysroot = .live, libvirtURI: String? = nil, kubeconfig: String? = nil, context: String? = nil,
        kubeTimeout: Double = RunSource.defaultKubeTimeout
    ) {
        self.sysroot = sysroot
        self.libvirtURI = libvirtURI
        self.kubeconfig = kubeconfig
        self.context = context
        self.kubeTimeout = kubeTimeout
    }

    /// The facts, read the way `run` reads them under the `generic` profile: a machine without libvirt is
    /// no hypervisor. A malformed kubeconfig throws; a source that cannot be read is in the document.
    public func execute() throws -> FactsDocument {
        let source = RunSource(sysroot: sysroot, libvirtURI: libvirtURI)
        let hypervisor = HypervisorProbe.facts(
            for: HostSpec(name: currentHostname()), generic: true, source: source.domainSource, sysroot: sysroot,
            seconds: 30)
        // No design names disks here: every real filesystem mounted at or under the sysroot is listed.
        let mountPoints = (try? StorageProbe(sysroot: sysroot, source: .live).liveMountPoints()) ?? []
        return FactsDocument(
            host: HostProbe(sysroot: sysroot, storagePaths: mountPoints).probe(within: 30),
            domains: hypervisor?.domains ?? .unavailable("not probed"),
            domainErrors: hypervisor?.domainErrors ?? [:], live: hypervisor?.live ?? [:],
            cluster: try kubeconfig.map { file in
                try ClusterProbe.facts(kubeconfig: file, context: context, timeout: kubeTimeout)
            })
    }
}

/// `conform facts --json`: schema `conform.facts/v1`.
public struct FactsDocument: Codable, Sendable {
    public var schema = "conform.facts/v1"
    public var host: HostFacts
    /// libvirt's domains as configured.
    public var domains: Probed<[DomainFacts]>
    /// Domains libvirt listed whose XML conform could not read, by name, with why.
    public var domainErrors: [String: ProbeError]
    /// The running domains' QEMU processes, by domain name.
    public var live: [String: Probed<LiveDomainFacts>]
    /// The cluster as the API lists it, when a kubeconfig was given.
    public var cluster: ClusterFacts?
    public var libraries = Libraries()

    /// The C libraries conform loads on first use (their versions load them), for the record of where facts
    /// came from.
    public struct Libraries: Codable, Sendable {
        var libvirt = LibvirtLibrary.version
        var libcurl = CurlLibrary.version
        var libnumaAPI = NumaLibrary.apiVersion
        var numaAvailable = NumaLibrary.isAvailable
    }

    /// Every fact that could not be read, as "path: reason" (an absent source, such as no cpufreq in a VM,
    /// is not among them).
    public var unreadSources: [String] {
        var errors: [ProbeError?] = [
            host.topology.error, host.cpuModel.error, host.governor.error, host.thp.enabled.error,
            host.thp.defrag.error, host.numaBalancing.error, domains.error,
        ]
        errors += host.storage.map(\.placement.error)
        errors += domainErrors.keys.sorted().map { domainErrors[$0] }
        errors += live.keys.sorted().map { live[$0]?.error }
        if let cluster { errors += cluster.errors }
        return errors.compactMap { $0?.description }.uniqued()
    }

    /// A short lscpu-like summary for people.
    public var text: String {
        var lines = ["sysroot: \(host.sysroot)"]
        lines.append("CPU model: \(describe(host.cpuModel))")
        switch host.topology {
        case .value(let topology):
            lines.append("online CPUs: \(topology.onlineCPUs)")
            lines.append(
                "sockets: \(topology.sockets), cores per socket: \(topology.coresPerSocket), threads per core: \(topology.threadsPerCore)"
            )
            for node in topology.nodes {
                let memory = node.memoryGiB.map { String(format: "%.1f GiB", $0) } ?? "unknown"
                let distances = node.distances.map { $0.map(String.init).joined(separator: " ") } ?? "unknown"
                lines.append("node\(node.id): CPUs \(node.cpus), memory \(memory), distances \(distances)")
            }
        default:
            lines.append("topology: \(describe(host.topology.map { _ in "" }))")
        }
        lines.append("governor: \(describe(host.governor.map(\.summary)))")
        lines.append("THP enabled: \(describe(host.thp.enabled)), defrag: \(describe(host.thp.defrag))")
        lines.append("numa_balancing: \(describe(host.numaBalancing.map(String.init)))")
        for storage in host.storage {
            lines.append("filesystem \(storage.path): \(describe(storage.placement.map(Self.describe)))")
        }
        switch domains {
        case .value(let domains):
            for domain in domains {
                let pins = domain.vcpuPins.map(\.cpuset.description).joined(separator: " ")
                lines.append(
                    "domain \(domain.name): \(domain.state), \(domain.vcpus) vCPUs pinned [\(pins)], emulator \(domain.emulatorPin?.description ?? "unpinned"), "
                        + "memory \(domain.numaMemory.map { "\($0.mode) \($0.nodeset?.description ?? $0.placement)" } ?? "unbound")"
                )
            }
        default:
            lines.append("domains: \(describe(domains.map { _ in "" }))")
        }
        for name in domainErrors.keys.sorted() {
            lines.append("domain \(name): error (\(domainErrors[name].map(\.description) ?? ""))")
        }
        if let cluster {
            lines.append(
                "cluster \(cluster.source): \(describe(cluster.nodes.map { "\($0.count) nodes" })), \(describe(cluster.pods.map { "\($0.count) pods" }))"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// `/dev/vdb ext4, 98.4 GB, 12 % used, 84.6 GB available, inodes 1 % used`.
    static func describe(_ placement: PathPlacement) -> String {
        guard let filesystem = placement.filesystem else { return "missing" }
        let percent = { (share: Int?) in share.map { "\($0) %" } ?? "unknown" }
        let gigabytes = { (bytes: Double) in String(format: "%.1f GB", bytes / 1e9) }
        return "\(filesystem.source) \(filesystem.fsType)"
            + (placement.isMountPoint ? "" : " (a folder of \(filesystem.mountPoint))")
            + ", \(gigabytes(filesystem.capacityBytes)), \(percent(filesystem.usedPercent)) used, "
            + "\(gigabytes(filesystem.availableBytes)) available, inodes \(percent(filesystem.inodesUsedPercent)) used"
    }

    func describe(_ fact: Probed<String>) -> String {
        switch fact {
        case .value(let value): return value
        case .unavailable(let reason): return "unavailable (\(reason))"
        case .failed(let error): return "error (\(error))"
        }
    }
}

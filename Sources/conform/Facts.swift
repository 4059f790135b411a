import ArgumentParser
import BenchLayer
import ClusterLayer
import ConformCore
import ConformCurl
import Foundation
import HostLayer
import HypervisorLayer

extension Conform {
    struct Facts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what the probes see on a host.",
            discussion: "Exit codes: 0 every source was read, 2 unusable input, 3 something could not be read "
                + "(the facts are still printed, and stderr names what).")

        @Option(help: "Read sysfs and procfs under this directory instead of '/'.")
        var sysroot: String = "/"

        @Option(
            help:
                "The libvirt URI to read domains from, read-only (default: qemu:///system, or the read-only socket under --sysroot)."
        )
        var libvirtURI: String?

        @Option(help: "Also list the cluster's nodes, pods and DaemonSets with this kubeconfig.")
        var kubeconfig: String?

        @Option(help: "The kubeconfig context to use instead of its current-context.")
        var context: String?

        @Flag(help: "Print the facts as JSON (schema conform.facts/v1).")
        var json = false

        func validate() throws {
            try requireDirectory(sysroot, "--sysroot")
        }

        func run() throws {
            let target = Target(
                spec: HostSpec(name: currentHostname()), sysroot: sysroot,
                libvirtURI: libvirtURI ?? SourceOptions.defaultLibvirtURI(sysroot: sysroot),
                libvirtURINamed: libvirtURI != nil)
            let hypervisor = Wiring.hypervisorFacts(for: target, profile: .generic(hostname: target.spec.name))
            let document = FactsDocument(
                host: Wiring.hostFacts(sysroot: sysroot),
                domains: hypervisor?.domains ?? .unavailable("not probed"),
                domainErrors: hypervisor?.domainErrors ?? [:], live: hypervisor?.live ?? [:],
                cluster: try kubeconfig.map { file in
                    try Wiring.clusterFacts(
                        kubeconfig: file, context: context, timeout: SourceOptions.defaultKubeTimeout)
                })
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(document), as: UTF8.self))
            } else {
                print(document.text)
            }
            // The facts are printed either way; what could not be read makes the exit code 3, never 0.
            let unread = document.unreadSources
            if !unread.isEmpty {
                for source in unread { log.error("cannot read \(source)") }
                throw ExitCode(3)
            }
        }
    }
}

/// `conform facts --json`: schema `conform.facts/v1`.
struct FactsDocument: Codable {
    var schema = "conform.facts/v1"
    var host: HostFacts
    /// libvirt's domains as configured.
    var domains: Probed<[DomainFacts]>
    /// Domains libvirt listed whose XML conform could not read, by name, with why.
    var domainErrors: [String: ProbeError]
    /// The running domains' QEMU processes, by domain name.
    var live: [String: Probed<LiveDomainFacts>]
    /// The cluster as the API lists it, when a kubeconfig was given.
    var cluster: ClusterFacts?
    var libraries = Libraries()

    /// The C libraries conform loaded, for the record of where facts came from (nil: not loadable).
    struct Libraries: Codable {
        var libvirt = LibvirtLibrary.version
        var libcurl = CurlLibrary.version
        var libnumaAPI = NumaLibrary.apiVersion
        var numaAvailable = NumaLibrary.isAvailable
    }

    /// Every fact that could not be read, as "path: reason" (an absent source, such as no cpufreq in a VM,
    /// is not among them).
    var unreadSources: [String] {
        var errors: [ProbeError?] = [
            host.topology.error, host.cpuModel.error, host.governor.error, host.thp.enabled.error,
            host.thp.defrag.error, host.numaBalancing.error, domains.error,
        ]
        errors += domainErrors.keys.sorted().map { domainErrors[$0] }
        errors += live.keys.sorted().map { live[$0]?.error }
        if let cluster { errors += [cluster.nodes.error, cluster.pods.error, cluster.daemonSets.error] }
        var seen = Set<String>()
        return errors.compactMap { $0?.description }.filter { seen.insert($0).inserted }
    }

    /// A short lscpu-like summary for people.
    var text: String {
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

    func describe(_ fact: Probed<String>) -> String {
        switch fact {
        case .value(let value): return value
        case .unavailable(let reason): return "unavailable (\(reason))"
        case .failed(let error): return "error (\(error))"
        }
    }
}

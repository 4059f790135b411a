import ArgumentParser
import BenchLayer
import ClusterLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

extension Conform {
    struct Facts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what the probes see on a host.")

        @Option(help: "Read sysfs and procfs under this directory instead of '/'.")
        var sysroot: String = "/"

        @Option(help: "The libvirt URI to read domains from, read-only.")
        var libvirtURI: String = "qemu:///system"

        @Option(help: "Also list the cluster's nodes, pods and DaemonSets with this kubeconfig.")
        var kubeconfig: String?

        @Option(help: "The kubeconfig context to use instead of its current-context.")
        var context: String?

        @Flag(help: "Print the facts as JSON (schema conform.facts/v1).")
        var json = false

        func run() throws {
            let target = Target(spec: HostSpec(name: currentHostname()), sysroot: sysroot, libvirtURI: libvirtURI)
            let hypervisor = Wiring.hypervisorFacts(for: target, profile: .generic(hostname: target.spec.name))
            let document = FactsDocument(
                host: HostProbe(sysroot: sysroot).probe(),
                domains: hypervisor?.domains ?? .unavailable("not probed"), live: hypervisor?.live ?? [:],
                cluster: try kubeconfig.map { file in
                    ClusterProbe.probe(
                        client: KubeClient(credentials: try Kubeconfig.load(file: file, context: context)))
                })
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(document), as: UTF8.self))
            } else {
                print(document.text)
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
    /// The running domains' QEMU processes, by domain name.
    var live: [String: Probed<LiveDomainFacts>]
    /// The cluster as the API lists it, when a kubeconfig was given.
    var cluster: ClusterFacts?
    var libraries = Libraries()

    /// The C libraries conform is linked against, for the record of where facts came from.
    struct Libraries: Codable {
        var libvirt = LibvirtLibrary.version
        var libcurl = CurlLibrary.version
        var libnumaAPI = NumaLibrary.apiVersion
        var numaAvailable = NumaLibrary.isAvailable
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

import BenchLayer
import ClusterLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

/// One fuzz target: a parser fed one input, then the checks that compute with what it parsed. A target
/// returns normally for every input, valid or not; a trap, a sanitizer report or a hang is the finding.
public struct FuzzTarget: Sendable {
    public let name: String
    /// What the input is, as `make fuzz` lists it.
    public let input: String
    let body: @Sendable (Data) -> Void

    public func callAsFunction(_ data: Data) { body(data) }
}

public enum FuzzTargets {
    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "cpu-list", input: "a kernel cpulist or libvirt cpuset (`0-3,8-11,^9`)") { data in
            let text = FuzzInput.text(data)
            for dialect in [CPUSet.Dialect.kernel, .libvirt] {
                guard let set = try? CPUSet(parsing: text, dialect: dialect) else { continue }
                // What conform writes back must read back as the same set.
                guard let again = try? CPUSet(parsing: set.description), again == set else {
                    fatalError("CPU list '\(text)' read as \(set.members) does not read back from '\(set.description)'")
                }
            }
        },
        FuzzTarget(name: "cpu-mask", input: "a sysfs CPU mask (`ff,00000000`)") { data in
            _ = try? CPUSet(hexMask: FuzzInput.text(data))
        },
        FuzzTarget(name: "host-sysfs", input: "a sysroot tree (`=== path` records): sys/devices/system, THP, procfs") {
            data in
            let sysroot = Sysroot(files: FuzzInput.tree(data), shownAs: "/fuzz")
            let facts = HostProbe(sysroot: sysroot).probe()
            _ = FuzzReference.evaluate(
                HostCatalog.checks(for: FuzzReference.hypervisorHost, facts: facts), host: "numa-server")
            // The hypervisor checks take the topology the host probe read.
            _ = FuzzReference.evaluate(
                HypervisorCatalog.checks(
                    for: FuzzReference.hypervisorHost, profile: FuzzReference.profile,
                    facts: FuzzReference.hypervisorFacts, topology: facts.topology.map(\.numaTopology)),
                host: "numa-server")
        },
        FuzzTarget(
            name: "proc-live", input: "a sysroot tree of libvirt pid files and /proc/<pid> (status, task, numa_maps)"
        ) { data in
            let probe = LiveProbe(sysroot: Sysroot(files: FuzzInput.tree(data), shownAs: "/fuzz"))
            var facts = FuzzReference.hypervisorFacts
            for name in facts.live.keys { facts.live[name] = Probed { try probe.probe(domain: name) } }
            runHypervisorChecks(facts, only: "hv.live.")
        },
        FuzzTarget(name: "numa-maps", input: "a /proc/<pid>/numa_maps file") { data in
            guard let bytes = try? LiveProbe.bytesByNode(numaMaps: FuzzInput.text(data)) else { return }
            var facts = FuzzReference.hypervisorFacts
            for (name, live) in facts.live {
                guard var value = live.value else { continue }
                value.bytesByNode = bytes
                facts.live[name] = .value(value)
            }
            runHypervisorChecks(facts, only: "hv.live.")
        },
        FuzzTarget(name: "domain-xml", input: "a libvirt domain XML (`virsh dumpxml`)") { data in
            guard let domain = try? DomainXML.parse(FuzzInput.text(data), source: "fuzz") else { return }
            var facts = FuzzReference.hypervisorFacts
            facts.domains = .value((facts.domains.value ?? []).filter { $0.name != domain.name } + [domain])
            runHypervisorChecks(facts)
        },
        FuzzTarget(
            name: "libvirt-test-driver",
            input: "a fixture's libvirt.xml, which conform checks and then libvirt's own test driver reads"
        ) { data in
            // An abort inside libvirt (it sizes allocations by <vcpu> and <memory>) is what this looks for:
            // TestDriverFile must refuse whatever libvirt cannot take.
            let file = FuzzScratch.shared.write(data, as: "libvirt.xml")
            let facts = HypervisorProbe(uri: "test://" + file, sysroot: Sysroot("/nonexistent")).probe()
            runHypervisorChecks(facts)
        },
        FuzzTarget(
            name: "kube-json",
            input:
                "a Kubernetes list as kubectl prints it (nodes, pods, daemonsets, services, endpointslices, endpoints), or a fixture's health.json"
        ) {
            data in
            let decoder = JSONDecoder()
            func list<Item: Codable & Sendable>(_ type: Item.Type) -> [Item]? {
                (try? decoder.decode(KubeList<Item>.self, from: data))?.items
            }
            let reference = FuzzReference.clusterFacts
            let record = try? decoder.decode(HealthRecord.self, from: data)
            let slices = list(EndpointSlice.self) ?? list(Endpoints.self)?.map(\.slice)
            let facts = ClusterFacts(
                source: "fuzz", nodes: list(Node.self).map { .value($0) } ?? reference.nodes,
                pods: list(Pod.self).map { .value($0) } ?? reference.pods,
                daemonSets: list(DaemonSet.self).map { .value($0) } ?? reference.daemonSets,
                services: list(Service.self).map { .value($0) } ?? reference.services,
                endpointSlices: slices.map { .value($0) } ?? reference.endpointSlices,
                readyz: record?.readyz.map { .value($0) } ?? reference.readyz,
                health: record.map { .value($0.endpoints) } ?? reference.health)
            _ = FuzzReference.evaluate(
                ClusterCatalog.checks(for: FuzzReference.profile.cluster, facts: facts), host: HostPlan.clusterHost)
        },
        FuzzTarget(name: "quantity", input: "a Kubernetes quantity (`250m`, `8Gi`, `1e3`)") { data in
            guard let quantity = Quantity(parsing: FuzzInput.text(data)) else { return }
            _ = (quantity + quantity).description
        },
        FuzzTarget(name: "kubeconfig", input: "a kubeconfig YAML") { data in
            _ = try? Kubeconfig.load(file: FuzzScratch.shared.write(data, as: "kubeconfig"))
        },
        FuzzTarget(name: "profile", input: "a profile YAML (its VM files are checks/vms/)") { data in
            let scratch = FuzzScratch.shared
            scratch.link("vms", to: FuzzReference.path("checks/vms"))
            guard let profile = try? ProfileLoader.load(file: scratch.write(data, as: "profile.yaml")) else { return }
            for spec in profile.hosts { runLintChecks(spec, profile) }
        },
        FuzzTarget(name: "vm-definition", input: "a VM definition JSON (checks/vms/*/*.json)") { data in
            guard let root = try? YAMLValue.parse(FuzzInput.text(data), file: "vm.json"),
                let vm = try? VMDefinitionLoader.parse(root)
            else { return }
            var profile = FuzzReference.profile
            profile.vms = profile.vms.filter { $0.name != vm.name } + [vm]
            var spec = FuzzReference.hypervisorHost
            if !spec.vms.contains(vm.name) { spec.vms.append(vm.name) }
            runLintChecks(spec, profile)
            _ = FuzzReference.evaluate(
                HypervisorCatalog.checks(
                    for: spec, profile: profile, facts: FuzzReference.hypervisorFacts, topology: FuzzReference.topology),
                host: spec.name)
        },
        FuzzTarget(name: "waivers", input: "a waivers YAML (`--waivers`)") { data in
            guard let list = try? WaiverList.load(file: FuzzScratch.shared.write(data, as: "waivers.yaml")) else {
                return
            }
            _ = list.apply(to: FuzzReference.results, today: "2026-12-01")
        },
        FuzzTarget(name: "baseline", input: "a baseline JSON (`conform baseline capture`)") { data in
            guard let baseline = try? Baseline.load(file: FuzzScratch.shared.write(data, as: "baseline.json")) else {
                return
            }
            _ = BaselineComparison(baseline: baseline).compare(FuzzReference.results, environment: [:])
        },
        FuzzTarget(name: "history", input: "a nightly history.jsonl, which the trend report reads back") { data in
            _ = FuzzScratch.shared.write(data, as: "history/history.jsonl")
            _ = History(directory: (FuzzScratch.shared.folder as NSString).appendingPathComponent("history")).trend()
        },
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The hypervisor checks whose ids start with `prefix`: the live ones are all that read live facts, and
    /// running only them triples the executions a second of the live targets.
    static func runHypervisorChecks(_ facts: HypervisorFacts, only prefix: String = "hv.") {
        let checks = HypervisorCatalog.checks(
            for: FuzzReference.hypervisorHost, profile: FuzzReference.profile, facts: facts,
            topology: FuzzReference.topology)
        _ = FuzzReference.evaluate(
            checks.filter { $0.metadata.id.hasPrefix(prefix) }, host: FuzzReference.hypervisorHost.name)
    }

    /// What `conform lint` runs for a host: the declared topology, the VM invariants, the transfer budgets.
    static func runLintChecks(_ spec: HostSpec, _ profile: Profile) {
        var checks = HostCatalog.lintChecks(for: spec, profile: profile)
        if !spec.vms.isEmpty { checks += HypervisorCatalog.lintChecks(for: spec, profile: profile) }
        if profile.network.contains(where: { $0.from == spec.name }) {
            checks += BenchCatalog.lintChecks(for: spec, profile: profile)
        }
        _ = FuzzReference.evaluate(checks, host: spec.name)
    }
}

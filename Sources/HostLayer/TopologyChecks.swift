import ConformCore
import Foundation

/// Topology checks: what the design declares is compared exactly; what it leaves out is checked only for
/// internal consistency (every CPU in one node, siblings within a node, a sane distance table).
struct TopologyChecks: Sendable {
    let spec: TopologySpec
    let facts: Probed<TopologyFacts>

    func nodes() -> [Finding] {
        facts.evaluate { topology in
            let observed = topology.nodes.map { "node\($0.id)" }.joined(separator: ",")
            let count = topology.nodes.count
            if let expected = spec.nodes?.count {
                return [compare(expected, count, what: "NUMA nodes", detail: observed)]
            }
            return [
                Finding(
                    count > 0 ? .pass : .fail, observed: "\(count)", observedValue: .count(count),
                    message: count > 0
                        ? "\(count) NUMA node(s) (\(observed)); the profile declares no count" : "no NUMA node found")
            ]
        }
    }

    func sockets() -> [Finding] {
        facts.evaluate { topology in
            [countFinding(spec.sockets, topology.sockets, what: "sockets")]
        }
    }

    func cores() -> [Finding] {
        facts.evaluate { topology in
            [countFinding(spec.coresPerSocket, topology.coresPerSocket, what: "cores per socket")]
        }
    }

    func threads() -> [Finding] {
        facts.evaluate { topology in
            let sizes = Set(topology.siblings.map(\.count))
            if sizes.count > 1 {
                let uneven = topology.siblings.filter { $0.count != topology.threadsPerCore }.map(\.description)
                return [
                    Finding(
                        .warn, expected: spec.threadsPerCore.map(String.init) ?? "",
                        observed: "\(topology.threadsPerCore)", observedValue: .count(topology.threadsPerCore),
                        message:
                            "cores have different thread counts (SMT partly off?): \(uneven.prefix(8).joined(separator: " "))"
                    )
                ]
            }
            return [countFinding(spec.threadsPerCore, topology.threadsPerCore, what: "threads per core")]
        }
    }

    func cpulist() -> [Finding] {
        facts.evaluate { topology in
            var findings: [Finding] = []
            // Each finding has its own subject: a result is named by (host, id, subject) in every report, and
            // a Prometheus series may not appear twice.
            if let expected = spec.onlineCPUs {
                findings.append(
                    expected == topology.onlineCPUs
                        ? Finding(
                            .pass, subject: "online", expected: "\(expected)", observed: "\(topology.onlineCPUs)",
                            observedValue: .cpus(topology.onlineCPUs), message: "online CPUs \(expected)")
                        : Finding(
                            .fail, subject: "online", expected: "\(expected)", observed: "\(topology.onlineCPUs)",
                            observedValue: .cpus(topology.onlineCPUs),
                            message:
                                "online CPUs differ: missing \(expected.subtracting(topology.onlineCPUs).description.orNone), "
                                + "extra \(topology.onlineCPUs.subtracting(expected).description.orNone)"))
            }
            for node in topology.nodes {
                let declared = spec.nodes?.first { $0.id == node.id }?.cpus
                let observed = node.cpus.intersection(topology.onlineCPUs)
                if let declared {
                    findings.append(
                        Finding(
                            declared == observed ? .pass : .fail, subject: "node\(node.id)", expected: "\(declared)",
                            observed: "\(observed)", observedValue: .cpus(observed),
                            message: declared == observed
                                ? "node\(node.id) has CPUs \(declared)"
                                : "node\(node.id) has CPUs \(observed.description.orNone), the design says \(declared)")
                    )
                }
            }
            for declared in spec.nodes ?? [] where topology.node(declared.id) == nil {
                findings.append(
                    Finding(
                        .fail, subject: "node\(declared.id)", expected: declared.cpus.map { "\($0)" } ?? "present",
                        observed: "absent", observedValue: .text("absent"),
                        message: "node\(declared.id) does not exist on this host"))
            }
            findings.append(contentsOf: coverage(topology))
            return findings
        }
    }

    /// Every online CPU belongs to exactly one node.
    func coverage(_ topology: TopologyFacts) -> [Finding] {
        var owners: [Int: [Int]] = [:]
        for node in topology.nodes {
            for cpu in node.cpus { owners[cpu, default: []].append(node.id) }
        }
        let orphans = CPUSet(topology.onlineCPUs.filter { owners[$0] == nil })
        let shared = CPUSet(owners.filter { $0.value.count > 1 }.keys)
        guard orphans.isEmpty && shared.isEmpty else {
            return [
                Finding(
                    .fail, expected: "every online CPU in exactly one node",
                    observed: "in no node: \(orphans.description.orNone); in several: \(shared.description.orNone)",
                    observedValue: .record(["in no node": .cpus(orphans), "in several": .cpus(shared)]),
                    message: "the node CPU lists do not partition the online CPUs")
            ]
        }
        return [
            Finding(
                .pass, observed: "\(topology.onlineCPUs)", observedValue: .cpus(topology.onlineCPUs),
                message:
                    "the \(topology.nodes.count) node CPU list(s) partition the \(topology.onlineCPUs.count) online CPUs"
            )
        ]
    }

    func siblings() -> [Finding] {
        facts.evaluate { topology in
            let observedGroups = Set(topology.siblings)
            let observedValue = ObservedValue.list(topology.siblings.map(ObservedValue.cpus))
            let observedText =
                topology.siblings.prefix(4).map(\.description).joined(separator: " ")
                + (topology.siblings.count > 4 ? " …" : "")
            if let offset = spec.siblingOffset {
                let expectedGroups = Set(NUMATopology.siblingGroups(of: topology.onlineCPUs, offset: offset))
                if expectedGroups != observedGroups {
                    let wrong = observedGroups.subtracting(expectedGroups).sorted {
                        $0.members.first ?? 0 < $1.members.first ?? 0
                    }
                    return [
                        Finding(
                            .fail, expected: "CPU n with n+\(offset)", observed: observedText,
                            observedValue: observedValue,
                            message:
                                "SMT siblings are not paired n/n+\(offset): \(wrong.prefix(6).map(\.description).joined(separator: " "))"
                        )
                    ]
                }
                return [
                    Finding(
                        .pass, expected: "CPU n with n+\(offset)", observed: observedText, observedValue: observedValue,
                        message: "\(topology.siblings.count) cores, siblings paired n/n+\(offset)")
                ]
            }
            let split = topology.siblings.filter { group in
                !topology.nodes.contains { group.isSubset(of: $0.cpus) }
            }
            if !split.isEmpty {
                return [
                    Finding(
                        .fail, expected: "each core's threads in one node",
                        observed: split.prefix(6).map(\.description).joined(separator: " "),
                        observedValue: .list(split.map(ObservedValue.cpus)),
                        message: "SMT sibling groups span NUMA nodes: the topology is misreported")
                ]
            }
            return [
                Finding(
                    .pass, observed: observedText, observedValue: observedValue,
                    message: "\(topology.siblings.count) sibling groups, each within one node")
            ]
        }
    }

    func distances() -> [Finding] {
        facts.evaluate { topology in
            let rows = topology.nodes.map(\.distances)
            if rows.contains(where: { $0 == nil }) {
                let missing = topology.nodes.filter { $0.distances == nil }.map { "node\($0.id)/distance" }
                let message = "the kernel exposes no distance table (\(missing.joined(separator: ", ")) absent)"
                return [
                    Finding(
                        spec.distances == nil ? .skip : .error, expected: spec.distances.map(matrixText) ?? "",
                        message: message)
                ]
            }
            let matrix = rows.compactMap { $0 }
            if let expected = spec.distances {
                return [
                    Finding(
                        expected == matrix ? .pass : .fail, expected: matrixText(expected),
                        observed: matrixText(matrix), observedValue: matrixValue(matrix),
                        message: expected == matrix
                            ? "distances as designed" : "the distance table differs from the design")
                ]
            }
            let symmetric = matrix.indices.allSatisfy { i in
                matrix.indices.allSatisfy { j in
                    matrix[i].indices.contains(j) && matrix[j].indices.contains(i) && matrix[i][j] == matrix[j][i]
                }
            }
            let localSmallest = matrix.indices.allSatisfy { i in
                matrix[i].indices.contains(i) && matrix[i][i] == matrix[i].min()
            }
            return [
                Finding(
                    symmetric && localSmallest ? .pass : .warn, observed: matrixText(matrix),
                    observedValue: matrixValue(matrix),
                    message: symmetric && localSmallest
                        ? "distance table is symmetric with local nodes nearest"
                        : "the distance table is asymmetric or a remote node looks nearer than the local one")
            ]
        }
    }

    func memory() -> [Finding] {
        facts.evaluate { topology in
            topology.nodes.map { node in
                let declared = spec.nodes?.first { $0.id == node.id }?.memoryGiB
                guard let observed = node.memoryGiB else {
                    return Finding(
                        declared == nil ? .skip : .error, subject: "node\(node.id)",
                        expected: declared.map { gib($0) } ?? "",
                        message: "node\(node.id)/meminfo is not exposed by this kernel: memory per node unknown")
                }
                let measurement = MeasuredValue(name: "host.node\(node.id).memory", value: observed, unit: .gibibytes)
                guard let declared else {
                    // Memory-less nodes are real (CPU-only sockets, CXL and HBM layouts), and so are missing
                    // DIMMs: without a design to compare with, a node without memory is worth a look, not a failure.
                    return Finding(
                        observed > 0 ? .pass : .warn, subject: "node\(node.id)", observed: gib(observed),
                        message: observed > 0
                            ? "node\(node.id) has \(gib(observed))"
                            : "node\(node.id) has no memory of its own (a memory-less node, or its DIMMs are missing)",
                        measurements: [measurement])
                }
                // A node designed without memory must have none; any other is compared in percent.
                let deviation = declared > 0 ? abs(observed - declared) / declared * 100 : (observed > 0 ? 100 : 0)
                let within = deviation <= spec.memoryTolerancePercent
                return Finding(
                    within ? .pass : .fail, subject: "node\(node.id)",
                    expected: "\(gib(declared)) ± \(spec.memoryTolerancePercent.formatted1)%", observed: gib(observed),
                    message: within
                        ? "node\(node.id) has \(gib(observed))"
                        : "node\(node.id) has \(gib(observed)), \(deviation.formatted1)% from the designed \(gib(declared))",
                    measurements: [measurement])
            }
        }
    }

    // MARK: - Helpers

    func compare(_ expected: Int, _ observed: Int, what: String, detail: String = "") -> Finding {
        Finding(
            expected == observed ? .pass : .fail, expected: "\(expected)", observed: "\(observed)",
            observedValue: .count(observed),
            message: expected == observed
                ? "\(observed) \(what)\(detail.isEmpty ? "" : " (\(detail))")"
                : "\(observed) \(what), the design has \(expected)")
    }

    func countFinding(_ expected: Int?, _ observed: Int, what: String) -> Finding {
        if let expected { return compare(expected, observed, what: what) }
        return Finding(
            observed > 0 ? .pass : .fail, observed: "\(observed)", observedValue: .count(observed),
            message: "\(observed) \(what); the profile declares no count")
    }

    func matrixText(_ matrix: [[Int]]) -> String {
        matrix.map { $0.map(String.init).joined(separator: " ") }.joined(separator: " / ")
    }

    /// The distance table as rows of numbers, by node.
    func matrixValue(_ matrix: [[Int]]) -> ObservedValue {
        .list(matrix.map { .list($0.map(ObservedValue.count)) })
    }

    func gib(_ value: Double) -> String { "\(value.formatted1) GiB" }
}

extension Double {
    /// One decimal: `125.9`.
    var formatted1: String { String(format: "%.1f", self) }
}

extension String {
    var orNone: String { isEmpty ? "none" : self }
}

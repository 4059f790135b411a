import ClusterLayer
import ConformCore
import Foundation
import XCTest

/// Every cluster check on hand-built cluster facts, passing and failing.
final class ClusterChecksTests: XCTestCase {
    static func node(
        _ name: String, labels: [String: String] = [:], taints: [KubeTaint] = [], ready: Bool = true, cpu: String = "8",
        memory: String = "16Gi"
    ) -> Node {
        Node(
            metadata: ObjectMeta(name: name, labels: labels), spec: Node.Spec(taints: taints),
            status: Node.Status(
                allocatable: ["cpu": cpu, "memory": memory],
                conditions: [
                    Node.Condition(
                        type: "Ready", status: ready ? "True" : "False",
                        reason: ready ? "KubeletReady" : "KubeletNotReady")
                ]))
    }

    static func pod(
        _ name: String, _ app: String, on node: String?, namespace: String = "slm",
        owner: ObjectMeta.OwnerReference? = nil,
        requests: [String: String]? = ["cpu": "2", "memory": "4Gi"],
        limits: [String: String]? = ["cpu": "4", "memory": "8Gi"]
    ) -> Pod {
        let spec = Pod.Spec(
            nodeName: node,
            containers: [Container(name: app, resources: ResourceRequirements(requests: requests, limits: limits))])
        return Pod(
            metadata: ObjectMeta(
                name: name, namespace: namespace, labels: ["app": app], ownerReferences: owner.map { [$0] }),
            spec: spec,
            status: Pod.Status(phase: node == nil ? "Pending" : "Running", qosClass: QoS.computeClass(spec).rawValue))
    }

    let spec = ClusterSpec(
        nodes: [
            ClusterNodeSpec(name: "w0", labels: ["workload": "slm", "numa-node": "0"], taints: []),
            ClusterNodeSpec(name: "w1", labels: ["workload": "slm", "numa-node": "1"], taints: []),
            ClusterNodeSpec(
                name: "cp", controlPlane: true, labels: [:],
                taints: [Taint(key: "node-role.kubernetes.io/control-plane", effect: .noSchedule)]),
        ],
        workloads: [
            WorkloadSpec(
                name: "slm", namespace: "slm", replicas: 2, nodeSelector: ["workload": "slm"],
                spreadTopologyKey: "numa-node", intendedQoS: .burstable,
                requests: ["cpu": "2", "memory": "4Gi"], limits: ["cpu": "4", "memory": "8Gi"]),
            WorkloadSpec(name: "agent", namespace: "ops", kind: .daemonSet, nodeSelector: ["workload": "slm"]),
        ])

    var nodes: [Node] {
        [
            Self.node("w0", labels: ["workload": "slm", "numa-node": "0"]),
            Self.node("w1", labels: ["workload": "slm", "numa-node": "1"]),
            Self.node(
                "cp", taints: [KubeTaint(key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule")], cpu: "2",
                memory: "4Gi"),
        ]
    }

    var pods: [Pod] {
        [
            Self.pod("slm-abc-1", "slm", on: "w0", owner: .init(kind: "ReplicaSet", name: "slm-abc")),
            Self.pod("slm-abc-2", "slm", on: "w1", owner: .init(kind: "ReplicaSet", name: "slm-abc")),
            Self.pod(
                "agent-1", "agent", on: "w0", namespace: "ops", owner: .init(kind: "DaemonSet", name: "agent"),
                requests: nil, limits: nil),
            Self.pod(
                "agent-2", "agent", on: "w1", namespace: "ops", owner: .init(kind: "DaemonSet", name: "agent"),
                requests: nil, limits: nil),
        ]
    }

    var daemonSets: [DaemonSet] {
        [
            DaemonSet(
                metadata: ObjectMeta(name: "agent", namespace: "ops"),
                spec: .init(template: .init(spec: .init(nodeSelector: ["workload": "slm"]))),
                status: .init(desiredNumberScheduled: 2, numberReady: 2))
        ]
    }

    func findings(
        _ id: String, nodes: [Node]? = nil, pods: [Pod]? = nil, daemonSets: [DaemonSet]? = nil, spec: ClusterSpec? = nil
    ) -> [Finding] {
        let facts = ClusterFacts(
            source: "test", nodes: .value(nodes ?? self.nodes), pods: .value(pods ?? self.pods),
            daemonSets: .value(daemonSets ?? self.daemonSets))
        return ClusterCatalog.checks(for: spec ?? self.spec, facts: facts).first { $0.metadata.id == id }?.evaluate()
            ?? []
    }

    func testTheClusterAsDesignedPasses() {
        let facts = ClusterFacts(
            source: "test", nodes: .value(nodes), pods: .value(pods), daemonSets: .value(daemonSets))
        let checks = ClusterCatalog.checks(for: spec, facts: facts)
        XCTAssertEqual(checks.map(\.metadata.id), ClusterCatalog.all.map(\.id))
        for check in checks {
            let results = check.evaluate()
            XCTAssertTrue(
                results.allSatisfy {
                    $0.status == .pass || ($0.status == .skip && check.metadata.id != "k8s.workload.placement")
                }, "\(check.metadata.id): \(results)")
        }
    }

    func testReady() {
        var broken = nodes
        broken[1] = Self.node("w1", labels: ["workload": "slm", "numa-node": "1"], ready: false)
        broken.remove(at: 2)
        XCTAssertEqual(
            findings("k8s.node.ready", nodes: broken).map { "\($0.subject ?? "") \($0.status.rawValue) \($0.message)" },
            ["w0 pass Ready", "w1 fail NotReady: KubeletNotReady", "cp fail node 'cp' is not in the cluster"])
    }

    func testLabelsAndTaints() {
        var drifted = nodes
        drifted[0] = Self.node(
            "w0", labels: ["workload": "batch"],
            taints: [KubeTaint(key: "workload", value: "slm", effect: "NoSchedule")])
        drifted[2] = Self.node("cp")
        XCTAssertEqual(
            findings("k8s.node.labels", nodes: drifted).first?.message,
            "labels differ: numa-node=(missing), workload=batch, the design has numa-node=0, workload=slm")
        let taints = findings("k8s.node.taints", nodes: drifted)
        XCTAssertEqual(taints.map(\.status), [.fail, .pass, .fail])
        XCTAssertEqual(
            taints[0].message, "taints differ: unexpected workload=slm:NoSchedule",
            "a whitelist design: no taints on workers")
        XCTAssertEqual(taints[2].message, "taints differ: missing node-role.kubernetes.io/control-plane:NoSchedule")
        // Readiness taints come and go with the node: k8s.node.ready reports them, not this check.
        var notReady = nodes
        notReady[1] = Self.node(
            "w1", labels: ["workload": "slm", "numa-node": "1"],
            taints: [KubeTaint(key: "node.kubernetes.io/not-ready", effect: "NoExecute")])
        XCTAssertEqual(findings("k8s.node.taints", nodes: notReady).map(\.status), [.pass, .pass, .pass])
    }

    func testPlacement() {
        var misplaced = pods
        misplaced[1].spec.nodeName = "cp"
        misplaced.append(Self.pod("slm-abc-3", "slm", on: nil, owner: .init(kind: "ReplicaSet", name: "slm-abc")))
        let found = findings("k8s.workload.placement", pods: misplaced).first
        XCTAssertEqual(found?.status, .fail)
        XCTAssertEqual(
            found?.message,
            "slm-abc-2 runs on cp, which the design's selector and tolerations exclude; slm-abc-3 is not scheduled (Pending); 3 pod(s), the design has 2"
        )
        XCTAssertEqual(
            findings("k8s.workload.placement", pods: []).first?.message, "no pods of Deployment slm/slm are running")
    }

    func testSpread() {
        var lopsided = pods
        lopsided[1].spec.nodeName = "w0"
        let found = findings("k8s.workload.spread", pods: lopsided).first
        XCTAssertEqual(found?.status, .fail)
        XCTAssertEqual(found?.observed, "numa-node=0: 2, numa-node=1: 0")
        XCTAssertEqual(found?.measurements.first?.value, 2)
    }

    func testQoSAgainstTheAPIAndTheIntent() {
        var guaranteed = pods
        guaranteed[0].spec.containers[0].resources = ResourceRequirements(
            requests: ["cpu": "4", "memory": "8Gi"], limits: ["cpu": "4", "memory": "8Gi"])
        let found = findings("k8s.workload.qos", pods: guaranteed).first
        XCTAssertEqual(found?.status, .fail)
        XCTAssertEqual(
            found?.message,
            "slm-abc-1: the API reports Burstable, its spec gives Guaranteed; slm-abc-1 is Guaranteed, the design intends Burstable"
        )
        var wrongIntent = spec
        wrongIntent.workloads[0].intendedQoS = .guaranteed
        XCTAssertTrue(
            findings("k8s.workload.qos", spec: wrongIntent).first?.message.hasPrefix(
                "the design intends Guaranteed but its own resources (requests cpu=2,memory=4Gi, limits cpu=4,memory=8Gi) make it Burstable"
            ) ?? false)
    }

    func testDaemonSetCoverage() {
        var behind = daemonSets
        behind[0].status = .init(desiredNumberScheduled: 2, numberReady: 1)
        XCTAssertEqual(
            findings("k8s.daemonset.coverage", daemonSets: behind).first?.message,
            "desired 2, ready 1, matching nodes 2")
        XCTAssertEqual(
            findings("k8s.daemonset.coverage", daemonSets: []).first?.message, "DaemonSet ops/agent does not exist")
        // A node the DaemonSet selects but cannot tolerate does not count.
        var tainted = nodes
        tainted[1].spec = Node.Spec(taints: [KubeTaint(key: "dedicated", value: "x", effect: "NoSchedule")])
        XCTAssertEqual(
            findings("k8s.daemonset.coverage", nodes: tainted).first?.observed, "desired 2, ready 2, matching nodes 1")
    }

    func testRequestsFit() {
        let crowded =
            pods + [
                Self.pod(
                    "big", "other", on: "cp", namespace: "x", requests: ["cpu": "3", "memory": "1Gi"],
                    limits: ["cpu": "6", "memory": "2Gi"])
            ]
        let found = findings("k8s.node.requests-fit", pods: crowded)
        XCTAssertEqual(found.map(\.status), [.pass, .pass, .fail])
        XCTAssertEqual(found[2].message, "cpu requests 3.00 CPU exceed allocatable 2.00 CPU")
        XCTAssertEqual(found[2].measurements.first { $0.name == "k8s.cp.cpu.limits-ratio" }?.value, 3)
        XCTAssertEqual(found[0].measurements.first { $0.name == "k8s.w0.memory.requests-ratio" }?.value, 0.25)
    }

    /// A request conform cannot read (8Ei is past what it sums, `2 cores` is no quantity) once counted as zero
    /// and let a crowded node pass.
    func testAQuantityThatCannotBeReadIsAnErrorNotAZero() {
        let odd =
            pods + [
                Self.pod(
                    "odd", "slm", on: "cp", requests: ["cpu": "2 cores", "memory": "1Gi"],
                    limits: ["cpu": "4", "memory": "8Ei"])
            ]
        let fit = findings("k8s.node.requests-fit", pods: odd)
        XCTAssertEqual(fit.map(\.status), [.pass, .pass, .error])
        XCTAssertEqual(
            fit[2].message,
            "cannot sum the requests: pod slm/odd containers[slm].requests.cpu '2 cores'; pod slm/odd containers[slm].limits.memory '8Ei' is not a Kubernetes quantity"
        )
        let qos = findings("k8s.workload.qos", pods: odd).first { $0.subject == "slm/slm" }
        XCTAssertEqual(qos?.status, .error)
        XCTAssertEqual(
            QoS.unreadableQuantities(odd.last!.spec),
            ["containers[slm].requests.cpu '2 cores'", "containers[slm].limits.memory '8Ei'"])
    }

    func testUnreadableListsAreErrors() {
        let facts = ClusterFacts(
            source: "https://x", all: .failed(ProbeError(path: "https://x/api/v1/nodes", reason: "Timeout was reached"))
        )
        for check in ClusterCatalog.checks(for: spec, facts: facts) {
            // This design has no Service or health endpoint: those checks have nothing to say, whatever the lists.
            let designsNone = [
                "k8s.service.exists", "k8s.service.ports", "k8s.service.endpoints", "k8s.service.health",
            ]
            XCTAssertEqual(
                check.evaluate().map(\.status), designsNone.contains(check.metadata.id) ? [] : [.error],
                check.metadata.id)
        }
    }

    func testFixtureListsDecodeWhateverTheirKind() throws {
        let facts = ClusterProbe.probe(
            fixtureDirectory: repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster").path)
        XCTAssertEqual(facts.nodes.value?.count, 4)
        XCTAssertEqual(facts.daemonSets.value?.first?.status?.numberReady, 2)
        let nodeList =
            #"{"kind": "NodeList", "apiVersion": "v1", "metadata": {"continue": ""}, "items": [{"metadata": {"name": "n", "uid": "u"}, "extra": 1}]}"#
        XCTAssertEqual(try JSONDecoder().decode(KubeList<Node>.self, from: Data(nodeList.utf8)).items.first?.name, "n")
        let missing = ClusterProbe.probe(fixtureDirectory: "/nonexistent")
        XCTAssertEqual(missing.pods, .failed(ProbeError(path: "/nonexistent/pods.json", reason: "no such file")))
    }
}

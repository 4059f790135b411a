import ConformCore

/// The cluster layer's checks (subject: node, workload, Service, the API server or a health endpoint).
public enum ClusterCatalog {
    static func entry(_ id: String, _ title: String, _ severity: Severity, remediation: String, rationale: String)
        -> CheckMetadata
    {
        .entry(.cluster, id, title, severity, tags: ["kubernetes"], remediation: remediation, rationale: rationale)
    }

    public static let nodeReady = entry(
        "k8s.node.ready", "Every design node is in the cluster and Ready", .critical,
        remediation:
            "`kubectl describe node <node>`; on the node, `systemctl status k3s-agent` (or k3s) and its journal.",
        rationale: "A node that is missing or NotReady runs none of the design's workloads.")
    public static let nodeLabels = entry(
        "k8s.node.labels", "Nodes carry the labels the design selects on", .major,
        remediation: "`kubectl label node <node> key=value --overwrite`, or set --node-label in the K3s config.",
        rationale: "Workloads find their nodes by these labels; a missing label leaves pods Pending.")
    public static let nodeTaints = entry(
        "k8s.node.taints", "Nodes carry exactly the taints the design gives them", .major,
        remediation:
            "`kubectl taint node <node> key=value:Effect` to add, `…:Effect-` to remove; or --node-taint in K3s.",
        rationale: "Taints decide what may run where: an extra one starves a node, a missing one lets anything in.")
    public static let placement = entry(
        "k8s.workload.placement", "Each workload's pods run on nodes the design allows", .critical,
        remediation:
            "Check the pods' nodeSelector and tolerations against the node labels and taints (`kubectl get pods -o wide`).",
        rationale: "NUMA-local workloads only help on the nodes pinned for them.")
    public static let spread = entry(
        "k8s.workload.spread", "Workloads spread across the declared topology label", .major,
        remediation:
            "Add or fix the anti-affinity or topologySpreadConstraints on the topology key; reschedule the pods.",
        rationale: "The design spreads replicas across NUMA nodes so a node failure halves capacity, not all of it.")
    public static let qos = entry(
        "k8s.workload.qos", "Pods get the QoS class the design intends", .major,
        remediation:
            "Set requests equal to limits for cpu and memory in every container for Guaranteed; requests below limits for Burstable.",
        rationale: "The QoS class decides who is throttled and evicted first under pressure.")
    public static let daemonSetCoverage = entry(
        "k8s.daemonset.coverage", "DaemonSets run a ready pod on every node they select", .major,
        remediation: "`kubectl describe daemonset <name>`: check node selectors, tolerations and pod events.",
        rationale: "A node without its DaemonSet pod misses the service (here: the co-located Temporal worker).")
    public static let requestsFit = entry(
        "k8s.node.requests-fit", "Requests on each node fit its allocatable resources", .major,
        remediation: "Lower requests, move workloads, or give the node more CPUs or memory.",
        rationale: "Requests beyond allocatable mean pods that cannot schedule or a node the scheduler overfills.")

    public static let serviceExists = entry(
        "k8s.service.exists", "Each designed Service exists with its type", .critical,
        remediation:
            "`kubectl -n <namespace> get service <name> -o yaml`; apply the Service's manifest (or fix its Helm values).",
        rationale: "Clients find a workload through its Service: without it, or with another type, they find nothing.")
    public static let servicePorts = entry(
        "k8s.service.ports", "Services expose the designed ports and NodePorts", .major,
        remediation:
            "Set `spec.ports[].port` and `nodePort` as the design has them: `kubectl -n <namespace> edit service <name>`.",
        rationale:
            "Users and tools outside the cluster reach it at the design's NodePorts; another port is another address.")
    public static let serviceEndpoints = entry(
        "k8s.service.endpoints", "Each designed Service selects a ready endpoint", .critical,
        remediation:
            "`kubectl -n <namespace> get endpointslices -l kubernetes.io/service-name=<name>`; check the selector against the pods' labels and why the pods are not Ready.",
        rationale: "A Service without ready endpoints accepts connections and answers none of them.")
    public static let apiReady = entry(
        "k8s.apiserver.readyz", "The API server says it is ready (/readyz)", .critical,
        remediation:
            "`kubectl get --raw='/readyz?verbose'` names the failing check; on the server, `journalctl -u k3s`.",
        rationale: "An API server that is not ready (etcd, its informers) serves stale or no answers to the cluster.")
    public static let health = entry(
        "k8s.service.health", "The design's health endpoints answer healthy", .critical,
        remediation:
            "Ask the URL yourself (`curl -v <url>`, `grpc_health_probe -addr <host:port>`); check the pod's logs and its Service's endpoints.",
        rationale:
            "A Service can be in place with ready pods and still not work: the health endpoint asks the program itself."
    )

    /// What the cluster checks judge: the profile's cluster against what the API shows.
    struct Inputs: Sendable {
        let nodes: NodeChecks
        let workloads: WorkloadChecks
        let services: ServiceChecks
    }

    /// Every cluster check in report order, with how it is evaluated.
    static let table: [CatalogEntry<Inputs>] = [
        CatalogEntry(nodeReady) { $0.nodes.ready() },
        CatalogEntry(nodeLabels) { $0.nodes.labels() },
        CatalogEntry(nodeTaints) { $0.nodes.taints() },
        CatalogEntry(placement) { $0.workloads.placement() },
        CatalogEntry(spread) { $0.workloads.spread() },
        CatalogEntry(qos) { $0.workloads.qos() },
        CatalogEntry(daemonSetCoverage) { $0.workloads.daemonSetCoverage() },
        CatalogEntry(requestsFit) { $0.nodes.requestsFit() },
        CatalogEntry(serviceExists) { $0.services.exists() },
        CatalogEntry(servicePorts) { $0.services.ports() },
        CatalogEntry(serviceEndpoints) { $0.services.endpoints() },
        CatalogEntry(apiReady) { $0.services.readyz() },
        CatalogEntry(health) { $0.services.health() },
    ]

    public static let all: [CheckMetadata] = table.metadata()

    /// The cluster checks of a profile against what the cluster shows.
    public static func checks(for cluster: ClusterSpec, facts: ClusterFacts) -> [Check] {
        table.checks(
            Inputs(
                nodes: NodeChecks(spec: cluster, facts: facts), workloads: WorkloadChecks(spec: cluster, facts: facts),
                services: ServiceChecks(spec: cluster, facts: facts)))
    }
}

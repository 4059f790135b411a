import ConformCore

/// The hypervisor layer's checks (subject: the VM).
public enum HypervisorCatalog {
    static func entry(_ id: String, _ title: String, _ severity: Severity, remediation: String, rationale: String)
        -> CheckMetadata
    {
        .entry(.hypervisor, id, title, severity, tags: ["libvirt"], remediation: remediation, rationale: rationale)
    }

    static let redefine =
        "Edit the domain (`virsh edit <vm>`) to match the VM definition, or regenerate it from the definition."

    public static let present = entry(
        "hv.domain.present", "The VM is defined in libvirt and running", .critical,
        remediation: "`virsh define` the domain from its definition and `virsh start` it.",
        rationale: "A design VM that is missing or stopped is capacity the cluster does not have.")
    public static let readable = entry(
        "hv.domain.readable", "Every domain libvirt lists can be read", .major,
        remediation:
            "Look at the domain (`virsh dumpxml <vm>`): conform names what it could not read; a value outside what "
            + "libvirt itself accepts means the definition was written by hand.",
        rationale: "A domain conform cannot read is one whose pins and memory nobody checked: it must not vanish.")
    public static let vcpus = entry(
        "hv.domain.vcpus", "vCPU count matches the definition", .major, remediation: redefine,
        rationale: "Pins and Kubernetes allocatable are sized for this many vCPUs.")
    public static let memory = entry(
        "hv.domain.memory", "Memory matches the definition", .major, remediation: redefine,
        rationale: "Node memory budgets are sized for this much guest memory.")
    public static let vcpupinExpected = entry(
        "hv.vcpupin.expected", "Every vCPU is pinned where the definition says", .critical,
        remediation: "`virsh vcpupin <vm> <vcpu> <cpu> --config --live` for each drifted vCPU, or redefine the domain.",
        rationale: "The design's isolation and NUMA locality are in the pins.")
    public static let vcpupinSingle = entry(
        "hv.vcpupin.single", "Each vCPU is pinned to exactly one existing host CPU", .major,
        remediation: "Pin every vCPU to one host CPU (`<vcpupin vcpu='N' cpuset='C'/>` for each N).",
        rationale: "An unpinned or multi-CPU vCPU floats, and the scheduler moves it across cores and nodes.")
    public static let vcpupinNodeLocal = entry(
        "hv.vcpupin.node-local", "A strictly bound VM runs on the node(s) of its memory", .critical,
        remediation:
            "Pin the VM's vCPUs and emulator to CPUs of its numatune nodeset, or bind its memory to their node.",
        rationale: "Strict memory on one node with vCPUs on the other makes every access remote (2.1x the distance).")
    public static let vcpupinExclusive = entry(
        "hv.vcpupin.exclusive", "No host CPU runs the vCPUs of two VMs", .critical,
        remediation: "Give each VM its own host CPUs; only VMs declared flexible in the profile may share.",
        rationale: "Two VMs on one CPU steal each other's time: pinning without exclusivity isolates nothing.")
    public static let vcpupinSiblings = entry(
        "hv.vcpupin.siblings", "The SMT siblings of a core belong to one VM", .minor,
        remediation: "Pin both threads of a core (N and its sibling) to the same VM.",
        rationale: "Sibling threads share a core's execution units and L1/L2: splitting them couples two VMs.")
    public static let emulatorpinExpected = entry(
        "hv.emulatorpin.expected", "Emulator threads are pinned where the definition says", .major,
        remediation: "`virsh emulatorpin <vm> <cpuset> --config --live`, or redefine the domain.",
        rationale: "The design reserves cores for QEMU's emulator threads.")
    public static let emulatorpinDisjoint = entry(
        "hv.emulatorpin.disjoint", "No vCPU runs on an emulator CPU", .major,
        remediation: "Move the vCPUs off the emulator cpusets (or the emulator off them).",
        rationale: "Emulator threads doing I/O on a vCPU's CPU add latency to that vCPU.")
    public static let numatuneStrict = entry(
        "hv.numatune.strict", "Memory binding (mode and nodeset) matches the definition", .critical,
        remediation: "Set `<numatune><memory mode='strict' nodeset='N'/></numatune>` as the definition says.",
        rationale: "Without a strict binding, guest memory spills to the remote node.")
    public static let memoryFitsNode = entry(
        "hv.memory.fits-node", "Bound guest memory and the host reserve fit each node", .critical,
        remediation: "Shrink the VMs bound to the node, move one to the other node, or add memory.",
        rationale: "A strict binding larger than the node's free memory fails to start or OOM-kills the guest.")
    public static let liveVCPUAffinity = entry(
        "hv.live.vcpu-affinity", "Running vCPU threads have the configured affinity", .critical,
        remediation:
            "Re-apply the pins (`virsh vcpupin … --live`) and find what changed them (tuned, irqbalance, a script).",
        rationale: "The configuration says nothing if the QEMU threads run elsewhere.")
    public static let liveEmulatorAffinity = entry(
        "hv.live.emulator-affinity", "Running emulator threads have the configured affinity", .major,
        remediation: "Re-apply `virsh emulatorpin … --live` and find what changed it.",
        rationale: "Emulator threads outside their cpuset land on vCPU cores.")
    public static let liveMemoryPlacement = entry(
        "hv.live.memory-placement", "Guest memory pages are on the bound node(s)", .critical,
        remediation: "Check `numastat -p <qemu pid>`; restart the VM after fixing the binding to move its pages.",
        rationale: "Pages allocated before a binding, or under pressure, stay remote until moved.")

    /// What the hypervisor checks judge. A run has the definitions and live truth (`run`); `conform lint` has
    /// only the invariants, over the profile's own definitions.
    struct Inputs: Sendable {
        struct Run: Sendable {
            let definitions: DefinitionChecks
            let live: LiveChecks
            let facts: HypervisorFacts
        }

        /// The placements the invariants hold over, or why there are none.
        enum Invariants: Sendable {
            case placements(PinningInvariants)
            /// A source failed: each invariant is an error saying so.
            case failed(String)
            /// Nothing to check here: each invariant is a skip saying why.
            case unavailable(String)
        }

        let run: Run?
        let invariants: Invariants

        func run(_ evaluate: (Run) -> [Finding]) -> [Finding] { run.map(evaluate) ?? [] }

        func invariant(_ evaluate: (PinningInvariants) -> [Finding]) -> [Finding] {
            switch invariants {
            case .placements(let invariants): return evaluate(invariants)
            case .failed(let message): return [Finding(.error, message: message)]
            case .unavailable(let reason): return [Finding(.skip, message: reason)]
            }
        }
    }

    /// Every hypervisor check in report order, with how it is evaluated.
    static let table: [CatalogEntry<Inputs>] = [
        CatalogEntry(present) { $0.run { $0.definitions.present() } },
        CatalogEntry(readable) { $0.run { readableFindings($0.facts) } },
        CatalogEntry(vcpus) { $0.run { $0.definitions.vcpus() } },
        CatalogEntry(memory) { $0.run { $0.definitions.memory() } },
        CatalogEntry(vcpupinExpected) { $0.run { $0.definitions.vcpuPins() } },
        CatalogEntry(vcpupinSingle) { $0.invariant { $0.single() } },
        CatalogEntry(vcpupinNodeLocal) { $0.invariant { $0.nodeLocal() } },
        CatalogEntry(vcpupinExclusive) { $0.invariant { $0.exclusive() } },
        CatalogEntry(vcpupinSiblings) { $0.invariant { $0.siblings() } },
        CatalogEntry(emulatorpinExpected) { $0.run { $0.definitions.emulatorPin() } },
        CatalogEntry(emulatorpinDisjoint) { $0.invariant { $0.emulatorDisjoint() } },
        CatalogEntry(numatuneStrict) { $0.run { $0.definitions.numatune() } },
        CatalogEntry(memoryFitsNode) { $0.invariant { $0.memoryFits() } },
        CatalogEntry(liveVCPUAffinity) { $0.run { $0.live.vcpuAffinity() } },
        CatalogEntry(liveEmulatorAffinity) { $0.run { $0.live.emulatorAffinity() } },
        CatalogEntry(liveMemoryPlacement) { $0.run { $0.live.memoryPlacement() } },
    ]

    public static let all: [CheckMetadata] = table.metadata()

    /// The invariant checks on a set of placements (also all that `conform lint` runs).
    public static let invariantIDs = [
        vcpupinSingle.id, vcpupinNodeLocal.id, vcpupinExclusive.id, vcpupinSiblings.id, emulatorpinDisjoint.id,
        memoryFitsNode.id,
    ]

    /// `conform run`: the definitions of `spec`'s VMs against libvirt, the invariants over every domain
    /// libvirt has, and the live truth of running ones. `topology` comes from the host's own facts.
    public static func checks(
        for spec: HostSpec, profile: Profile, facts: HypervisorFacts, topology: Probed<NUMATopology>
    ) -> [Check] {
        let definitions = spec.vms.compactMap(profile.vm(named:))
        let invariants: Inputs.Invariants
        switch (facts.domains, topology) {
        case (.value(let domains), .value(let topology)):
            let placements = domains.map { Placement(domain: $0, flexible: spec.flexibleVMs.contains($0.name)) }
            invariants = .placements(
                PinningInvariants(placements: placements, topology: topology, hostReserveGiB: spec.hostReserveGiB ?? 0))
        case (.failed(let error), _), (_, .failed(let error)):
            invariants = .failed("cannot read \(error)")
        case (.unavailable(let reason), _), (_, .unavailable(let reason)):
            invariants = .unavailable(reason)
        }
        let run = Inputs.Run(
            definitions: DefinitionChecks(definitions: definitions, facts: facts), live: LiveChecks(facts: facts),
            facts: facts)
        return table.checks(Inputs(run: run, invariants: invariants))
    }

    /// One error per domain whose XML could not be read, naming it and why; a pass when every one was read.
    static func readableFindings(_ facts: HypervisorFacts) -> [Finding] {
        facts.domains.evaluate { domains in
            guard !facts.domainErrors.isEmpty else {
                return [Finding(.pass, expected: "every domain read", message: "all \(domains.count) domain(s) read")]
            }
            return facts.domainErrors.keys.sorted().map { name in
                Finding(
                    .error, subject: name, expected: "a domain conform can read",
                    observed: facts.domainErrors[name].map(\.reason) ?? "",
                    observedValue: .text(facts.domainErrors[name].map(\.reason) ?? ""),
                    message: "cannot read domain '\(name)': \(facts.domainErrors[name].map(\.description) ?? "")")
            }
        }
    }

    /// `conform lint`: the invariants on the profile's VM definitions and declared topology alone.
    public static func lintChecks(for spec: HostSpec, profile: Profile) -> [Check] {
        let invariants: Inputs.Invariants
        if let topology = NUMATopology(spec: spec.topology) {
            let placements = spec.vms.compactMap(profile.vm(named:)).map {
                Placement(definition: $0, flexible: spec.flexibleVMs.contains($0.name))
            }
            invariants = .placements(
                PinningInvariants(placements: placements, topology: topology, hostReserveGiB: spec.hostReserveGiB ?? 0))
        } else {
            invariants = .failed(
                "the profile declares no CPU list for every NUMA node of \(spec.name): nothing to check the pins against"
            )
        }
        return table.filter { invariantIDs.contains($0.metadata.id) }.checks(Inputs(run: nil, invariants: invariants))
    }
}

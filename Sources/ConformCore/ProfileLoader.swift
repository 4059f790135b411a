import Foundation

/// Reads a profile file and the VM definitions it references, rejecting unknown keys, wrong types,
/// missing files and malformed CPU lists with the file, line and field.
public enum ProfileLoader {
    /// Loads `file`; VM definition paths inside it are relative to the file's directory.
    public static func load(file: String) throws -> Profile {
        let root = try YAMLValue.load(file: file)
        let top = try root.mapping()
        let baseDirectory = (file as NSString).deletingLastPathComponent

        let name = try top.required("profile").string()
        let description = try top.optional("description")?.string() ?? ""
        _ = try top.optional("sources")?.stringList()  // the seed documents it encodes: for readers only

        var vms: [VMDefinition] = []
        for reference in try top.optional("vm_definitions")?.list() ?? [] {
            let relative = try reference.string()
            let path = relative.hasPrefix("/") ? relative : (baseDirectory as NSString).appendingPathComponent(relative)
            var info = stat()
            guard stat(path, &info) == 0 else {
                // A link that loops (ELOOP) is there but leads nowhere: "does not exist" would send the
                // reader looking for a file that is in plain sight.
                let reason =
                    errno == ENOENT ? "does not exist" : "cannot be opened: \(String(cString: strerror(errno)))"
                throw reference.error("VM definition file '\(relative)' \(reason) (looked at \(path))")
            }
            let vm = try VMDefinitionLoader.load(file: path)
            if vms.contains(where: { $0.name == vm.name }) {
                throw reference.error("a second VM definition is named '\(vm.name)'")
            }
            vms.append(vm)
        }

        var hosts: [HostSpec] = []
        let hostsMapping = try top.required("hosts").mapping()
        for (hostName, value) in hostsMapping.entries {
            hosts.append(try host(named: hostName, from: value, vms: vms))
        }
        hostsMapping.markAllUsed()
        guard !hosts.isEmpty else { throw try top.required("hosts").error("a profile needs at least one host") }

        let cluster = try top.optional("cluster").map { try ClusterSpecLoader.load($0) } ?? ClusterSpec()
        let bench = try top.optional("bench").map(benchSpec) ?? BenchSpec()
        var tolerances: [String: Double] = [:]
        if let baselineValue = top.optional("baseline") {
            let baselineFields = try baselineValue.mapping()
            if let toleranceValue = baselineFields.optional("tolerances") {
                let mapping = try toleranceValue.mapping()
                for (name, value) in mapping.entries { tolerances[name] = try value.double(in: 0...1000) }
                mapping.markAllUsed()
            }
            try baselineFields.finish()
        }
        var links: [NetworkLink] = []
        for value in try top.optional("network")?.list() ?? [] {
            links.append(try link(from: value, hosts: hosts))
        }
        try top.finish()
        var profile = Profile(
            name: name, description: description, file: file, hosts: hosts, vms: vms, cluster: cluster, network: links,
            bench: bench)
        profile.baselineTolerances = tolerances
        return profile
    }

    static func host(named name: String, from value: YAMLValue, vms: [VMDefinition]) throws -> HostSpec {
        let fields = try value.mapping()
        var spec = HostSpec(name: name)
        spec.description = try fields.optional("description")?.string() ?? ""
        spec.roles = try (fields.optional("roles")?.list() ?? []).map { item in
            try enumValue(HostRole.self, item)
        }
        if let vmValue = fields.optional("vm") {
            let vmName = try vmValue.string()
            guard vms.contains(where: { $0.name == vmName }) else {
                throw vmValue.error("no VM definition is named '\(vmName)' (see vm_definitions)")
            }
            spec.vm = vmName
        }
        for item in try fields.optional("vms")?.list() ?? [] {
            let vmName = try item.string()
            guard vms.contains(where: { $0.name == vmName }) else {
                throw item.error("no VM definition is named '\(vmName)' (see vm_definitions)")
            }
            spec.vms.append(vmName)
        }
        for item in try fields.optional("flexible_vms")?.list() ?? [] {
            let vmName = try item.string()
            guard spec.vms.contains(vmName) else {
                throw item.error("'\(vmName)' is not one of this host's vms")
            }
            spec.flexibleVMs.append(vmName)
        }
        spec.hostReserveGiB = try fields.optional("host_reserve_gib")?.double(in: 0...Bounds.sizeGiB)
        if let topologyValue = fields.optional("topology") {
            spec.topology = try topology(from: topologyValue)
        }
        if let guest = spec.vm.flatMap({ vmName in vms.first { $0.name == vmName } }) {
            spec.topology = guestTopology(spec.topology, of: guest)
        }
        if let tuningValue = fields.optional("tuning") {
            spec.tuning = try tuning(from: tuningValue)
        }
        for item in try fields.optional("disks")?.list() ?? [] {
            spec.disks.append(try disk(from: item))
        }
        try fields.finish()
        return spec
    }

    /// What a guest sees of itself follows from its VM definition: one CPU per vCPU, one NUMA node with its
    /// memory. Anything the profile writes explicitly wins.
    static func guestTopology(_ declared: TopologySpec, of vm: VMDefinition) -> TopologySpec {
        var topology = declared
        let cpus = CPUSet(0..<vm.vcpuCount)
        topology.onlineCPUs = topology.onlineCPUs ?? cpus
        topology.nodes = topology.nodes ?? [NodeSpec(id: 0, cpus: cpus, memoryGiB: vm.memoryGiB)]
        return topology
    }

    static func topology(from value: YAMLValue) throws -> TopologySpec {
        let fields = try value.mapping()
        var spec = TopologySpec()
        spec.cpuModel = try fields.optional("cpu_model")?.string()
        spec.sockets = try positive(fields.optional("sockets"), maximum: Bounds.cpus)
        spec.coresPerSocket = try positive(fields.optional("cores_per_socket"), maximum: Bounds.cpus)
        spec.threadsPerCore = try positive(fields.optional("threads_per_core"), maximum: Bounds.cpus)
        spec.onlineCPUs = try fields.optional("online_cpus")?.cpuSet()
        // A machine of more CPUs than libvirt can pin is no design: and 0..<count must stay a small list.
        if let sockets = spec.sockets, let cores = spec.coresPerSocket, let threads = spec.threadsPerCore,
            sockets * cores > Bounds.cpus || sockets * cores * threads > Bounds.cpus
        {
            throw try fields.required("sockets").error(
                "\(sockets) × \(cores) × \(threads) CPUs are more than the \(Bounds.cpus) any machine has")
        }
        spec.siblingOffset = try positive(fields.optional("sibling_offset"), maximum: CPUSet.maximumCPU)
        if let tolerance = fields.optional("memory_tolerance_percent") {
            spec.memoryTolerancePercent = try tolerance.double(in: 0...100)
        }
        if let nodesValue = fields.optional("nodes") {
            var nodes: [NodeSpec] = []
            for item in try nodesValue.list() {
                let nodeFields = try item.mapping()
                let id = try nodeFields.required("id").int(in: 0...CPUSet.maximumCPU)
                if nodes.contains(where: { $0.id == id }) { throw item.error("node \(id) is listed twice") }
                nodes.append(
                    NodeSpec(
                        id: id, cpus: try nodeFields.optional("cpus")?.cpuSet(),
                        memoryGiB: try nodeFields.optional("memory_gib")?.double(in: 0...Bounds.sizeGiB)))
                try nodeFields.finish()
            }
            spec.nodes = nodes
        }
        if let distancesValue = fields.optional("distances") {
            let rows = try distancesValue.list().map { try $0.list().map { try $0.int(in: 0...Bounds.nodeDistance) } }
            if let nodes = spec.nodes, rows.count != nodes.count || rows.contains(where: { $0.count != nodes.count }) {
                throw distancesValue.error(
                    "the distance matrix must be \(nodes.count) × \(nodes.count), one row per node")
            }
            spec.distances = rows
        }
        try fields.finish()
        return spec
    }

    static func tuning(from value: YAMLValue) throws -> TuningSpec {
        let fields = try value.mapping()
        var spec = TuningSpec()
        spec.governor = try fields.optional("governor")?.string()
        spec.thpEnabled = try fields.optional("thp_enabled").map { try oneOf(["always", "madvise", "never"], $0) }
        spec.thpDefrag = try fields.optional("thp_defrag").map {
            try oneOf(["always", "defer", "defer+madvise", "madvise", "never"], $0)
        }
        if let balancing = fields.optional("numa_balancing") {
            let mode = try balancing.int()
            guard (0...3).contains(mode) else { throw balancing.error("kernel.numa_balancing is 0, 1, 2 or 3") }
            spec.numaBalancing = mode
        }
        try fields.finish()
        return spec
    }

    static func disk(from value: YAMLValue) throws -> DiskSpec {
        let fields = try value.mapping()
        let path = try fields.required("path").string()
        guard path.hasPrefix("/") else { throw try fields.required("path").error("a disk's path must be absolute") }
        let disk = DiskSpec(
            path: path, purpose: try enumValue(DiskSpec.Purpose.self, fields.required("purpose")),
            sizeGB: try fields.required("size_gb").double(in: 0...Bounds.sizeGiB),
            media: try enumValue(DiskSpec.Media.self, fields.required("media")),
            device: try fields.optional("device")?.string(),
            minFreeGB: try fields.optional("min_free_gb")?.double(in: 0...Bounds.sizeGiB),
            minMBps: try fields.optional("min_mbps")?.double(in: 0...Bounds.rateMBps),
            maxUsedPercent: try fields.optional("max_used_percent")?.double(in: 0...100),
            maxInodesUsedPercent: try fields.optional("max_inodes_used_percent")?.double(in: 0...100))
        try fields.finish()
        return disk
    }

    static func link(from value: YAMLValue, hosts: [HostSpec]) throws -> NetworkLink {
        let fields = try value.mapping()
        var endpoints: [String] = []
        for key in ["from", "to"] {
            let endpoint = try fields.required(key)
            let name = try endpoint.string()
            guard hosts.contains(where: { $0.name == name }) else {
                throw endpoint.error("'\(name)' is not a host of this profile")
            }
            endpoints.append(name)
        }
        var link = NetworkLink(
            name: try fields.required("name").string(), from: endpoints[0], to: endpoints[1],
            speedMbit: try positive(fields.required("speed_mbit"), maximum: Bounds.linkMbit) ?? 0,
            downloadURL: try fields.optional("download_url")?.string(),
            uploadURL: try fields.optional("upload_url")?.string())
        for item in try fields.optional("transfers")?.list() ?? [] {
            let transfer = try item.mapping()
            link.transfers.append(
                Transfer(
                    name: try transfer.required("name").string(),
                    bytes: try size(transfer.required("size_gb")) * 1e9,
                    budgetSeconds: try seconds(transfer.required("budget_s")),
                    direction: try enumValue(Transfer.Direction.self, transfer.required("direction"))))
            try transfer.finish()
        }
        try fields.finish()
        return link
    }

    static func benchSpec(from value: YAMLValue) throws -> BenchSpec {
        let fields = try value.mapping()
        var spec = BenchSpec()
        spec.localFloorGBps = try fields.optional("local_floor_gbps")?.double(in: 0...Bounds.rateMBps / 1000)
        if let band = fields.optional("remote_ratio") {
            let bounds = try band.list().map { try $0.double() }
            guard bounds.count == 2, bounds[0] <= bounds[1], bounds[0] >= 0 else {
                throw band.error("write the band as [low, high], for example [0.4, 0.8]")
            }
            spec.remoteRatio = bounds[0]...bounds[1]
        }
        // The benchmarks turn these into Int byte counts: past 1 PiB (or .inf) that conversion would trap.
        if let value = fields.optional("memory_array_gb") { spec.memoryArrayBytes = try size(value) * 1e9 }
        if let value = fields.optional("quick_memory_array_gb") { spec.quickMemoryArrayBytes = try size(value) * 1e9 }
        if let value = fields.optional("disk_gib") { spec.diskBytes = try size(value) * 1_073_741_824 }
        if let value = fields.optional("quick_disk_gib") { spec.quickDiskBytes = try size(value) * 1_073_741_824 }
        if let value = fields.optional("upload_gb") { spec.uploadBytes = try size(value) * 1e9 }
        try fields.finish()
        return spec
    }

    // MARK: - Small readers shared by the profile files

    /// A positive integer of at most `maximum`: every count a design writes has a largest that any machine has.
    static func positive(_ value: YAMLValue?, maximum: Int) throws -> Int? {
        guard let value else { return nil }
        let number = try value.int()
        guard number > 0 else { throw value.error("must be a positive integer, found \(number)") }
        guard number <= maximum else {
            throw value.error("must be at most \(maximum), more than any machine has; found \(number)")
        }
        return number
    }

    /// A size in GB or GiB above 0 and at most 1 PiB.
    static func size(_ value: YAMLValue) throws -> Double {
        let number = try value.double(in: 0...Bounds.sizeGiB)
        guard number > 0 else { throw value.error("must be above 0") }
        return number
    }

    /// A time budget above 0 and at most a week.
    static func seconds(_ value: YAMLValue) throws -> Double {
        let number = try value.double(in: 0...Bounds.seconds)
        guard number > 0 else { throw value.error("must be above 0 seconds") }
        return number
    }

    static func oneOf(_ allowed: [String], _ value: YAMLValue) throws -> String {
        let text = try value.string()
        guard allowed.contains(text) else {
            throw value.error("'\(text)' is not one of: \(allowed.joined(separator: ", "))")
        }
        return text
    }

    static func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type, _ value: YAMLValue) throws -> E
    where E.RawValue == String {
        let text = try oneOf(E.allCases.map(\.rawValue), value)
        guard let result = E(rawValue: text) else { throw value.error("'\(text)' is not valid here") }
        return result
    }
}

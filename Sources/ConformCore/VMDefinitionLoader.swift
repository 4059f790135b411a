/// Reads one VM definition in the seeds' JSON format.
public enum VMDefinitionLoader {
    /// Keys of the seeds' format that conform reads past: they describe provisioning, not what it checks.
    static let provisioningKeys = [
        "base_image_path", "bridge_network_interface", "cloud_init_iso_path", "user_configs",
    ]

    public static func load(file: String) throws -> VMDefinition {
        try parse(YAMLValue.load(file: file))
    }

    public static func parse(_ root: YAMLValue) throws -> VMDefinition {
        let fields = try root.mapping()
        // Bounded so that vCPU lists, MiB × 1024 and GiB figures of a design stay within what a machine has.
        let vcpuCount = try ProfileLoader.positive(fields.required("vcpu_count"), maximum: Bounds.cpus) ?? 0
        var vm = VMDefinition(
            name: try fields.required("name").string(), vcpuCount: vcpuCount,
            memoryMB: try ProfileLoader.positive(fields.required("memory_mb"), maximum: Bounds.memoryMiB) ?? 0,
            diskPath: try fields.optional("disk_path")?.string(),
            diskSizeGB: try ProfileLoader.positive(fields.optional("disk_size_gb"), maximum: Int(Bounds.sizeGiB)),
            file: root.file)
        for key in provisioningKeys { _ = fields.optional(key) }
        if let tuningValue = fields.optional("tuning") {
            let tuning = try tuningValue.mapping()
            let pins = try (tuning.optional("vcpu_pins")?.list() ?? []).map { try $0.cpuSet(.libvirt) }
            let emulator = try tuning.optional("emulator_cpuset")?.cpuSet(.libvirt)
            var memory: NUMAMemory?
            if let memoryValue = tuning.optional("numa_memory") {
                let memoryFields = try memoryValue.mapping()
                memory = NUMAMemory(
                    mode: try ProfileLoader.enumValue(NUMAMemory.Mode.self, memoryFields.required("mode")),
                    nodeset: try memoryFields.required("nodeset").cpuSet(.libvirt))
                try memoryFields.finish()
            }
            try tuning.finish()
            vm.tuning = VMTuning(vcpuPins: pins, emulatorCPUs: emulator, numaMemory: memory)
        }
        try fields.finish()
        return vm
    }
}

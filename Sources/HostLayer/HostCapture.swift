import ConformCore

/// The files the host probes read, so `conform capture` can copy exactly them into a fixture.
public enum HostCapture {
    /// Paths relative to the sysroot of the regular files the host probes read there, ascending.
    ///
    /// The probes run on a recording copy of the sysroot, so the list is what they read on this tree, not a second
    /// list to keep in step with them. Folders they list or test are not copied; the files in them they read are,
    /// and those recreate the folders in the copy.
    public static func files(in sysroot: Sysroot) -> [String] {
        let recording = sysroot.recording()
        probe(recording)
        return Set(recording.recordedPaths + lscpuFiles(in: sysroot)).filter(sysroot.isRegularFile).sorted()
    }

    /// The one addition to what the probes read: what `lscpu --sysroot` reads besides (it fails without
    /// `cpu/possible`, and shows the dies, cores and SMT state from files conform needs only on some kernels),
    /// so a capture reads the same with either tool. This list is lscpu's, not conform's: the test of it
    /// compares lscpu's output on a capture with its output on the original.
    static func lscpuFiles(in sysroot: Sysroot) -> [String] {
        let cpu = TopologyProbe.cpuDirectory
        let node = TopologyProbe.nodeDirectory
        var files = ["online", "possible", "present", "smt/active", "smt/control"].map { "\(cpu)/\($0)" }
        files += ["online", "possible", "has_cpu", "has_memory", "has_normal_memory"].map { "\(node)/\($0)" }
        let topology =
            ["core_id", "physical_package_id", "die_id", "thread_siblings", "thread_siblings_list"]
            + ["core_cpus", "core_cpus_list", "die_cpus", "die_cpus_list"]
            + TopologyProbe.packageListFiles + TopologyProbe.packageMaskFiles
        for number in (try? sysroot.numberedEntries(cpu, prefix: "cpu")) ?? [] {
            files.append("\(cpu)/cpu\(number)/online")
            files += topology.map { "\(cpu)/cpu\(number)/topology/\($0)" }
        }
        for number in (try? sysroot.numberedEntries(node, prefix: "node")) ?? [] {
            files += ["cpumap", "cpulist"].map { "\(node)/node\(number)/\($0)" }
        }
        return files + ["proc/cpuinfo", "proc/meminfo"]
    }

    /// Every read a run makes of a host's sysroot: the facts the checks judge, and what a baseline records of the
    /// machine beside them.
    static func probe(_ sysroot: Sysroot) {
        let facts = HostProbe(sysroot: sysroot).probe()
        _ = HostEnvironment.probe(sysroot: sysroot, facts: facts)
    }
}

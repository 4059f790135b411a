import ConformCore
import Foundation

/// The files the host probes read, so `conform capture` can copy exactly them into a fixture.
public enum HostCapture {
    static let cpuFiles = ["online", "possible", "present", "smt/active", "smt/control"]
    /// Package masks included: older kernels write no lists, and lscpu reads the masks, so a capture reads the same
    /// with either tool.
    static let cpuTopologyFiles =
        ["core_id", "physical_package_id", "die_id", "thread_siblings_list", "thread_siblings", "core_cpus_list"]
        + TopologyProbe.packageListFiles + TopologyProbe.packageMaskFiles
    static let nodeFiles = ["online", "possible", "has_cpu", "has_memory", "has_normal_memory"]
    static let perNodeFiles = ["cpulist", "cpumap", "distance", "meminfo"]
    static let otherFiles = [
        "\(TuningProbe.thpDirectory)/enabled", "\(TuningProbe.thpDirectory)/defrag", TuningProbe.numaBalancingFile,
        "proc/cpuinfo", "proc/meminfo", "proc/sys/kernel/osrelease", "sys/class/dmi/id/bios_date",
    ]

    /// Paths relative to the sysroot, of the files that exist there.
    public static func files(in sysroot: Sysroot) -> [String] {
        let cpu = TopologyProbe.cpuDirectory
        let node = TopologyProbe.nodeDirectory
        var candidates = cpuFiles.map { "\(cpu)/\($0)" } + nodeFiles.map { "\(node)/\($0)" } + otherFiles
        for number in (try? sysroot.numberedEntries(cpu, prefix: "cpu")) ?? [] {
            candidates.append("\(cpu)/cpu\(number)/online")
            candidates.append("\(cpu)/cpu\(number)/cpufreq/scaling_governor")
            candidates += cpuTopologyFiles.map { "\(cpu)/cpu\(number)/topology/\($0)" }
        }
        for number in (try? sysroot.numberedEntries(node, prefix: "node")) ?? [] {
            candidates += perNodeFiles.map { "\(node)/node\(number)/\($0)" }
        }
        return candidates.filter(sysroot.exists)
    }
}

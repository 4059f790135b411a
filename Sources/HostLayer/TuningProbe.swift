import ConformCore

/// Reads the tuning the design sets: scaling governors, transparent huge pages, automatic NUMA balancing,
/// and the CPU model.
public struct TuningProbe: Sendable {
    public let sysroot: Sysroot

    public init(sysroot: Sysroot) {
        self.sysroot = sysroot
    }

    static let thpDirectory = "sys/kernel/mm/transparent_hugepage"
    static let numaBalancingFile = "proc/sys/kernel/numa_balancing"

    /// The governor of every online CPU. A machine where no CPU has `cpufreq` (a VM, or no driver) has
    /// none to report: that is `unavailable`, not an error.
    public func governors(online: CPUSet) -> Probed<GovernorFacts> {
        Probed.from {
            var byGovernor: [String: [Int]] = [:]
            var withoutCpufreq: [Int] = []
            for cpu in online {
                let directory = "sys/devices/system/cpu/cpu\(cpu)/cpufreq"
                guard sysroot.exists(directory) else {
                    withoutCpufreq.append(cpu)
                    continue
                }
                byGovernor[try sysroot.read("\(directory)/scaling_governor"), default: []].append(cpu)
            }
            if byGovernor.isEmpty {
                return .unavailable(
                    "no CPU has cpufreq (\(sysroot.path("sys/devices/system/cpu/cpu\(online.members.first ?? 0)/cpufreq")) "
                        + "is absent): a virtual machine, or no cpufreq driver is loaded")
            }
            if !withoutCpufreq.isEmpty {
                byGovernor["(no cpufreq)"] = withoutCpufreq
            }
            return .value(GovernorFacts(byGovernor: byGovernor.mapValues { CPUSet($0) }))
        }
    }

    public func thp() -> THPFacts {
        THPFacts(
            enabled: Probed { try bracketed("\(Self.thpDirectory)/enabled") },
            defrag: Probed { try bracketed("\(Self.thpDirectory)/defrag") })
    }

    public func numaBalancing() -> Probed<Int> {
        Probed { try sysroot.readInt(Self.numaBalancingFile) }
    }

    /// The first `model name` of `/proc/cpuinfo` (x86; ARM kernels write none).
    public func cpuModel() -> Probed<String> {
        Probed.from {
            for line in try sysroot.read("proc/cpuinfo").split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "model name" {
                    return .value(parts[1].trimmingCharacters(in: .whitespaces))
                }
            }
            return .unavailable("\(sysroot.path("proc/cpuinfo")) has no 'model name' line (non-x86 kernels write none)")
        }
    }

    /// The selected value of a sysfs choice file: `always [madvise] never` is `madvise`.
    func bracketed(_ relative: String) throws -> String {
        let text = try sysroot.read(relative)
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else {
            throw ProbeError(path: sysroot.path(relative), reason: "no [selected] value in '\(text)'")
        }
        return String(text[text.index(after: open)..<close])
    }
}

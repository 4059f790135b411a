import ConformCore
import Foundation

/// What a baseline records about the machine, so a regression can be set next to what changed: kernel,
/// CPU model and microcode, BIOS date, THP and governor.
public enum HostEnvironment {
    public static func probe(sysroot root: Sysroot, facts: HostFacts) -> [String: String] {
        var environment: [String: String] = [:]
        environment["kernel"] = (try? root.read("proc/sys/kernel/osrelease")) ?? "unknown"
        environment["cpu.model"] = facts.cpuModel.value ?? "unknown"
        environment["cpu.microcode"] = microcode(root) ?? "unknown"
        environment["bios.date"] = (try? root.read("sys/class/dmi/id/bios_date")) ?? "unknown"
        environment["thp.enabled"] = facts.thp.enabled.value ?? "unknown"
        environment["governor"] = facts.governor.value.map(\.summary) ?? "none"
        return environment
    }

    static func microcode(_ root: Sysroot) -> String? {
        guard let cpuinfo = try? root.read("proc/cpuinfo") else { return nil }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("microcode") {
            return line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}

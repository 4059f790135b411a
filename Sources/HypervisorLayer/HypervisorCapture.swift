import ConformCore
import Foundation

/// Copies what the hypervisor probes read into a fixture host: every domain's live XML as a libvirt
/// test-driver document (`libvirt.xml`), and the /proc entries of running QEMU processes.
public enum HypervisorCapture {
    /// What a capture took: the domains written, and those libvirt listed but would not describe, with why.
    public struct Captured: Sendable {
        public var domains: Int
        public var unreadable: [ProbeError]
    }

    /// Writes `libvirt.xml` into `hostDirectory` and the QEMU processes' files under `sysrootCopy`; libvirt
    /// must answer within `seconds`.
    public static func capture(
        uri: String, sysroot: Sysroot, hostDirectory: URL, sysrootCopy: URL, seconds: Double = 30
    ) throws -> Captured {
        let descriptions = try LibvirtConnection.domains(uri: uri, within: seconds)
        var document = ["<node>"]
        var unreadable: [ProbeError] = []
        let live = LiveProbe(sysroot: sysroot)
        for description in descriptions {
            let xml: String
            switch description.xml {
            case .success(let text): xml = text
            case .failure(let error):
                unreadable.append(error)
                continue
            }
            document.append(xml.trimmingCharacters(in: .whitespacesAndNewlines))
            guard description.state == "running" else { continue }
            var files = ["run/libvirt/qemu/\(description.name).pid"]
            if let pid = try? live.sysroot.readInt(files[0]) {
                files += ["proc/\(pid)/status", "proc/\(pid)/numa_maps"]
                let tasks = (try? live.sysroot.numberedEntries("proc/\(pid)/task", prefix: "")) ?? []
                for tid in tasks { files += ["proc/\(pid)/task/\(tid)/comm", "proc/\(pid)/task/\(tid)/status"] }
            }
            // A process that ended meanwhile leaves files out, not the capture.
            for relative in files { _ = try live.sysroot.copy(relative, into: sysrootCopy) }
        }
        document.append("</node>")
        try (document.joined(separator: "\n") + "\n").write(
            to: hostDirectory.appendingPathComponent("libvirt.xml"), atomically: true, encoding: .utf8)
        return Captured(domains: descriptions.count - unreadable.count, unreadable: unreadable)
    }
}

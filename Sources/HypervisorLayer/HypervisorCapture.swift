import ConformCore
import Foundation

/// Copies what the hypervisor probes read into a fixture host: every domain's live XML as a libvirt
/// test-driver document (`libvirt.xml`), and the /proc entries of running QEMU processes.
public enum HypervisorCapture {
    /// Writes `libvirt.xml` into `hostDirectory` and the QEMU processes' files under `sysrootCopy`.
    /// Returns how many domains were captured.
    public static func capture(uri: String, sysroot: String, hostDirectory: URL, sysrootCopy: URL) throws -> Int {
        let descriptions = try LibvirtConnection(uri: uri).domains()
        var document = ["<node>"]
        let live = LiveProbe(sysroot: sysroot)
        for description in descriptions {
            guard case .success(let xml) = description.xml else { continue }
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
        return descriptions.count
    }
}

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
            for relative in files {
                // Copied byte for byte: a fixture holds what the machine had.
                guard let data = FileManager.default.contents(atPath: live.sysroot.path(relative)) else { continue }
                let destination = sysrootCopy.appendingPathComponent(relative)
                try FileManager.default.createDirectory(
                    at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: destination)
            }
        }
        document.append("</node>")
        try (document.joined(separator: "\n") + "\n").write(
            to: hostDirectory.appendingPathComponent("libvirt.xml"), atomically: true, encoding: .utf8)
        return descriptions.count
    }
}

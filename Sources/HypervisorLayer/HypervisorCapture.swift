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
            if let pidText = try? live.read(files[0]),
                let pid = Int(pidText.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                files += ["proc/\(pid)/status", "proc/\(pid)/numa_maps"]
                let tasks =
                    (try? FileManager.default.contentsOfDirectory(atPath: "\(live.root)/proc/\(pid)/task")) ?? []
                for tid in tasks { files += ["proc/\(pid)/task/\(tid)/comm", "proc/\(pid)/task/\(tid)/status"] }
            }
            for relative in files {
                guard let text = try? live.read(relative) else { continue }
                let destination = sysrootCopy.appendingPathComponent(relative)
                try FileManager.default.createDirectory(
                    at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: destination)
            }
        }
        document.append("</node>")
        try (document.joined(separator: "\n") + "\n").write(
            to: hostDirectory.appendingPathComponent("libvirt.xml"), atomically: true, encoding: .utf8)
        return descriptions.count
    }
}

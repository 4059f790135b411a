import ArgumentParser
import ClusterLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

extension Conform {
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the files the probes read off this machine into a fixture directory.")

        @Option(help: "The fixture directory to write; the host lands in <out>/hosts/<host>/sysroot.")
        var out: String

        @Option(help: "Read from this directory instead of '/'.")
        var sysroot: String = "/"

        @Option(help: "The host name to file the capture under (default: this machine's hostname).")
        var host: String?

        @Option(
            help:
                "Also capture libvirt's domains and their QEMU processes from this URI (default: qemu:///system when the sysroot is '/'; 'none' to skip)."
        )
        var libvirtURI: String?

        @Option(help: "Also capture the cluster's nodes, pods and DaemonSets with this kubeconfig into <out>/cluster.")
        var kubeconfig: String?

        @Option(help: "Seconds libvirt, and each request to the API server, may take to answer.")
        var timeout: Double = 30

        func validate() throws {
            try requireSeconds(timeout, "--timeout")
            try requireNonEmpty(["--out": out, "--kubeconfig": kubeconfig, "--libvirt-uri": libvirtURI])
            // The name becomes one folder under <out>/hosts: nothing that climbs out of it or nests.
            if let host, host.isEmpty || host.contains("/") || host == "." || host == ".." || host.hasPrefix(".") {
                throw ValidationError(
                    "'--host' '\(host)' must be a plain host name (no '/', not starting with '.'): it names the folder <out>/hosts/<host>"
                )
            }
            try requireDirectory(sysroot, "--sysroot")
        }

        func run() throws {
            let name = host ?? currentHostname()
            let source = Sysroot(sysroot)
            let hostDirectory = URL(fileURLWithPath: out).appendingPathComponent("hosts/\(name)")
            guard !FileManager.default.fileExists(atPath: hostDirectory.path) else {
                throw InputError(
                    file: hostDirectory.path, message: "already exists; capture into a new fixture or remove it first")
            }
            // Copy into a hidden directory first so an interrupted capture leaves no half fixture host.
            let staging = URL(fileURLWithPath: out).appendingPathComponent(
                "hosts/.\(name).capture-\(ProcessInfo.processInfo.processIdentifier)")
            // A capture that fails leaves no folder it created: not the staging host, not an empty hosts/.
            let createdOut = !FileManager.default.fileExists(atPath: out)
            defer {
                try? FileManager.default.removeItem(at: staging)
                for folder in [staging.deletingLastPathComponent().path] + (createdOut ? [out] : [])
                where (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty ?? false {
                    try? FileManager.default.removeItem(atPath: folder)
                }
            }
            var files = 0
            for relative in HostCapture.files(in: source) {
                if try source.copy(relative, into: staging.appendingPathComponent("sysroot")) {
                    files += 1
                } else {
                    log.warning("cannot read \(source.path(relative)); left out of the capture")
                }
            }
            // A capture of nothing is no fixture: a sysroot without sysfs, or one conform may not read.
            guard files > 0 else {
                throw ProbeError(
                    path: sysroot, reason: "none of the files the probes read is there: nothing to capture")
            }
            var domains = "no libvirt"
            // Domains belong to the machine whose sysroot is captured: the live daemon only for '/'.
            let uri = libvirtURI ?? (sysroot == "/" ? "qemu:///system" : "none")
            if uri != "none" {
                do {
                    let captured = try HypervisorCapture.capture(
                        uri: uri, sysroot: source, hostDirectory: staging,
                        sysrootCopy: staging.appendingPathComponent("sysroot"), seconds: timeout)
                    domains = "\(captured.domains) domain(s)"
                    for error in captured.unreadable { log.warning("domain left out of the capture: \(error)") }
                } catch {
                    // A URI the user named must be read, as for 'run' and 'facts': a fixture without the
                    // domains asked for is not the machine that was captured, so none is kept.
                    if libvirtURI != nil { throw error }
                    log.warning("libvirt not captured: \(error)")
                }
            }
            if let kubeconfig {
                let facts = try Wiring.clusterFacts(
                    kubeconfig: kubeconfig, context: nil, timeout: timeout)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                // All three lists first: a list that failed leaves no cluster/ with only some of them.
                let lists = [
                    "nodes.json": try encoder.encode(KubeList(items: try facts.nodes.get())),
                    "pods.json": try encoder.encode(KubeList(items: try facts.pods.get())),
                    "daemonsets.json": try encoder.encode(KubeList(items: try facts.daemonSets.get())),
                ]
                let clusterDirectory = URL(fileURLWithPath: out).appendingPathComponent("cluster")
                try FileManager.default.createDirectory(at: clusterDirectory, withIntermediateDirectories: true)
                for (name, data) in lists { try data.write(to: clusterDirectory.appendingPathComponent(name)) }
            }
            try FileManager.default.moveItem(at: staging, to: hostDirectory)
            print("captured \(files) files and \(domains) into \(hostDirectory.path)")
        }
    }
}

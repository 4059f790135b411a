import ArgumentParser
import ConformCore
import ConformRun
import Foundation

extension Conform {
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capture",
            abstract: "Copy the files the probes read off this machine into a fixture directory.",
            discussion: "The filesystems mounted at or under the tree are recorded in <out>/hosts/<host>/"
                + "filesystems.json, for the storage checks to replay. "
                + "Domains are captured from --libvirt-uri, or by default from the libvirt daemon of the "
                + "machine whose tree is read (qemu:///system for '/', the socket under --sysroot otherwise, when "
                + "it is there); '--libvirt-uri none' captures none.")

        @Option(help: "The fixture directory to write; the host lands in <out>/hosts/<host>/sysroot.")
        var out: String

        @OptionGroup var machine: MachineOptions

        @Option(help: "The host name to file the capture under (default: this machine's hostname).")
        var host: String?

        @Option(help: "Also capture the cluster's nodes, pods and DaemonSets with this kubeconfig into <out>/cluster.")
        var kubeconfig: String?

        @Option(help: "Seconds libvirt, and each request to the API server, may take to answer.")
        var timeout: Double = 30

        func validate() throws {
            try requireSeconds(timeout, "--timeout")
            try requireNonEmpty(["--out": out, "--kubeconfig": kubeconfig])
            // The name becomes one folder under <out>/hosts: nothing that climbs out of it or nests.
            if let host, host.isEmpty || host.contains("/") || host == "." || host == ".." || host.hasPrefix(".") {
                throw ValidationError(
                    "'--host' '\(host)' must be a plain host name (no '/', not starting with '.'): it names the folder <out>/hosts/<host>"
                )
            }
        }

        func run() throws {
            let captured = try CaptureJob(
                out: out, sysroot: machine.sysroot ?? .live, host: host ?? currentHostname(),
                libvirtURI: machine.libvirtURI,
                kubeconfig: kubeconfig, timeout: timeout
            ).execute()
            print(
                "captured \(captured.files) files, \(captured.filesystems) filesystem(s) and \(captured.domains) into "
                    + captured.hostDirectory)
        }

    }
}

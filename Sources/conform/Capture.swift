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

        @Option(
            help:
                "Also capture the cluster's nodes, pods, DaemonSets, Services, EndpointSlices and /readyz answer with this kubeconfig into <out>/cluster."
        )
        var kubeconfig: String?

        @Option(
            help:
                "With --kubeconfig: also record what this profile's health endpoints answer (cluster/health.json), so a replay of the fixture judges them."
        )
        var profile: String?

        @Option(help: "Seconds libvirt, each request to the API server, and each health endpoint may take to answer.")
        var timeout: Double = 30

        func validate() throws {
            try requireSeconds(timeout, "--timeout")
            try requireNonEmpty(["--out": out, "--kubeconfig": kubeconfig, "--profile": profile])
            if profile != nil, kubeconfig == nil {
                throw ValidationError("'--profile' records the cluster's health answers: it needs '--kubeconfig'")
            }
            // The name becomes one folder under <out>/hosts: nothing that climbs out of it or nests.
            if let host, host.isEmpty || host.contains("/") || host == "." || host == ".." || host.hasPrefix(".") {
                throw ValidationError(
                    "'--host' '\(host)' must be a plain host name (no '/', not starting with '.'): it names the folder <out>/hosts/<host>"
                )
            }
        }

        func run() throws {
            var job = CaptureJob(
                out: out, sysroot: machine.sysroot ?? .live, host: host ?? currentHostname(),
                libvirtURI: machine.libvirtURI,
                kubeconfig: kubeconfig, timeout: timeout)
            if let profile {
                job.health = try ProfileCatalog.standard().load(profile, hostname: currentHostname()).cluster.health
            }
            let captured = try job.execute()
            print(
                "captured \(captured.files) files, \(captured.filesystems) filesystem(s) and \(captured.domains) into "
                    + captured.hostDirectory)
        }

    }
}

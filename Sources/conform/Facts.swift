import ArgumentParser
import ConformCore
import ConformRun
import Foundation

extension Conform {
    struct Facts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "facts",
            abstract: "Print what the probes see on a host.",
            discussion: "Exit codes: 0 every source was read, 2 unusable input, 3 something could not be read "
                + "(the facts are still printed, and stderr names what). "
                + "The cluster is listed only when --kubeconfig is given.")

        @OptionGroup var machine: MachineOptions
        @OptionGroup var kube: KubeOptions

        @Flag(help: "Print the facts as JSON (schema conform.facts/v1).")
        var json = false

        func run() throws {
            let document = try FactsJob(
                sysroot: machine.sysroot ?? .live, libvirtURI: machine.libvirtURI, kubeconfig: kube.kubeconfig,
                context: kube.context, kubeTimeout: kube.kubeTimeout
            ).execute()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(document), as: UTF8.self))
            } else {
                print(document.text)
            }
            // The facts are printed either way; what could not be read makes the exit code 3, never 0.
            let unread = document.unreadSources
            if !unread.isEmpty {
                for source in unread { log.error("cannot read \(source)") }
                throw ExitCode(3)
            }
        }
    }
}

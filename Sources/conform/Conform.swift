import ArgumentParser
import ConformCore

/// The root command: it only lists the subcommands.
struct Conform: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that NUMA virtualization hosts and their K3s cluster still match their design.",
        version: ConformVersion.current,
        subcommands: [
            Run.self, Lint.self, Bench.self, BaselineCommand.self, Facts.self, Capture.self, Checks.self, Profiles.self,
        ])
}

import ArgumentParser
import ConformCore

/// The root command: it only lists the subcommands.
///
/// Every command names itself (`commandName`): argument-parser otherwise derives each name from its type's
/// name at every start, a scan of the runtime's conformance records per command (about 3 ms of `--version`).
struct Conform: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "Check that NUMA virtualization hosts and their K3s cluster still match their design.",
        version: ConformVersion.current,
        subcommands: [
            Run.self, Lint.self, Bench.self, BaselineCommand.self, Facts.self, Capture.self, Checks.self, Profiles.self,
        ])
}

import ArgumentParser
import ConformRun

extension Conform {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract:
                "Check a design before provisioning: topology, pins, emulator CPUs, memory and transfer budgets of the profile alone.",
            discussion: "Runs the pinning and memory invariants on the profile's VM definitions and declared topology, "
                + "the declared topology against itself, and each transfer budget against its link. "
                + "Exit codes as for 'run'.")

        @Option(help: "A profile name from checks/, or the path of a profile file.")
        var profile: String

        @OptionGroup var report: ReportOptions

        @Flag(help: "Count warnings as failures in the exit code.")
        var strict = false

        func run() throws {
            let job = LintJob(
                profile: profile, strict: strict, destination: report.destination(defaultRoot: "reports/lint"))
            try report.show(try job.execute())
        }
    }
}
